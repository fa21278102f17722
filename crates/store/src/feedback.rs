//! Feedback around a round: meetings with their example cases, each caseworker's written
//! feedback (versioned; acknowledged and answered by the caseworker) and the caseworkers'
//! consent to examples. Every change writes its audit event in the same transaction.

use crate::Store;
use crate::audit::record;
use crate::db::{Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tilsyn_domain::Problem;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::feedback::{Consent, MeetingKind, NewMeeting};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize)]
pub struct Meeting {
    pub id: Uuid,
    pub round_id: Uuid,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub key_points: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Every example ever added; whether one may be shown is the caller's question
    /// ([`tilsyn_domain::feedback::may_use_as_example`]).
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Example {
    pub id: Uuid,
    pub case_key: String,
    pub note: String,
    pub added_by_name: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// One caseworker's written feedback in a round.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub id: Uuid,
    pub round_id: Uuid,
    /// As the case records name the caseworker, lower-cased.
    pub caseworker: String,
    pub body: String,
    pub written_by_name: Option<String>,
    pub written_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// A caseworker's standing answer for one case of a round.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentRecord {
    pub case_key: String,
    pub caseworker: String,
    pub consent: Consent,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// Caseworkers are compared as the case records name them, without case or padding.
fn who(caseworker: &str) -> String {
    caseworker.trim().to_lowercase()
}

fn bad(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("feedback {what}").into()))
}

fn event(
    action: AuditAction,
    kind: &'static str,
    id: String,
    details: Vec<(&'static str, String)>,
) -> NewAuditEvent {
    NewAuditEvent {
        action,
        resource_kind: kind,
        resource_id: Some(id),
        outcome: Outcome::Success,
        details,
    }
}

type MeetingRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    Option<String>,
    Ts,
);

const MEETING_COLS: &str = "id, round_id, kind, held_on, participants, key_points, \
     created_by_name, created_at";

type ExampleRow = (Uuid, Uuid, String, String, Option<String>, Ts);

type NoteRow = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    Ts,
    Option<Ts>,
    String,
    Option<Ts>,
    i64,
);

const NOTE_COLS: &str = "id, round_id, caseworker, body, written_by_name, written_at, \
     acknowledged_at, answer, answered_at, CAST(version AS BIGINT)";

fn note_from(r: NoteRow) -> Note {
    Note {
        id: r.0,
        round_id: r.1,
        caseworker: r.2,
        body: r.3,
        written_by_name: r.4,
        written_at: r.5.0,
        acknowledged_at: r.6.map(|t| t.0),
        answer: r.7,
        answered_at: r.8.map(|t| t.0),
        version: r.9,
    }
}

impl Store {
    /// Records a meeting of a round; the caller has parsed it
    /// ([`tilsyn_domain::feedback::parse_meeting`]). `by`: the recorder's name as people read it.
    pub async fn create_meeting(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        m: &NewMeeting,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let participants = serde_json::to_string(&m.participants)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO round_meetings (id, round_id, kind, held_on, participants, key_points, \
             created_by, created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id).bind(round).bind(m.kind.code()).bind(m.held_on.to_string())
            .bind(&participants).bind(&m.key_points)
            .bind(actor.user_id.map(|u| u.0)).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::MeetingRecorded,
                "meeting",
                id.to_string(),
                vec![
                    ("round", round.to_string()),
                    ("kind", m.kind.code().to_owned()),
                    ("held_on", m.held_on.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A round's meetings by date, each with its examples in the order they were added.
    pub async fn meetings(&self, round: Uuid) -> Result<Vec<Meeting>, StoreError> {
        let sql = format!(
            "SELECT {MEETING_COLS} FROM round_meetings WHERE round_id = $1 ORDER BY held_on, created_at"
        );
        let rows: Vec<MeetingRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(round).fetch_all(pool).await)?;
        let examples: Vec<ExampleRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT e.id, e.meeting_id, e.case_key, e.note, e.added_by_name, e.added_at \
             FROM meeting_examples e JOIN round_meetings m ON m.id = e.meeting_id \
             WHERE m.round_id = $1 ORDER BY e.added_at, e.id")
            .bind(round).fetch_all(pool).await)?;
        let mut out = rows
            .into_iter()
            .map(|r| {
                Ok(Meeting {
                    id: r.0,
                    round_id: r.1,
                    kind: MeetingKind::parse(&r.2).ok_or_else(|| bad("kind"))?,
                    held_on: NaiveDate::parse_from_str(&r.3, "%Y-%m-%d")
                        .map_err(|_| bad("date"))?,
                    participants: serde_json::from_str(&r.4).map_err(|_| bad("participants"))?,
                    key_points: r.5,
                    created_by_name: r.6,
                    created_at: r.7.0,
                    examples: vec![],
                })
            })
            .collect::<Result<Vec<Meeting>, StoreError>>()?;
        for e in examples {
            if let Some(m) = out.iter_mut().find(|m| m.id == e.1) {
                m.examples.push(Example {
                    id: e.0,
                    case_key: e.2,
                    note: e.3,
                    added_by_name: e.4,
                    added_at: e.5.0,
                });
            }
        }
        Ok(out)
    }

    /// Adds a case as an example to a meeting; the caller has checked it
    /// ([`tilsyn_domain::feedback::check_example`]). The same case twice is refused.
    pub async fn add_example(
        &self,
        actor: &Actor,
        by: &str,
        meeting: Uuid,
        case_key: &str,
        note: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        let r = on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO meeting_examples (id, meeting_id, case_key, note, added_by_name, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(meeting).bind(case_key).bind(note.trim()).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()));
        match r {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return tx
                    .fail(Problem::one("case", "example-already").into())
                    .await;
            }
            r => r?,
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::MeetingExampleAdded,
                "meeting",
                meeting.to_string(),
                vec![("case", case_key.to_owned())],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes or rewrites one caseworker's feedback in a round. `version`: the version the
    /// writer saw, `None` for a new one. A stale version is refused (`Conflict("note-changed")`)
    /// and so is any change once the caseworker has acknowledged it
    /// (`Conflict("note-acknowledged")`): nothing is overwritten unseen.
    pub async fn write_note(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        caseworker: &str,
        version: Option<i64>,
        body: &str,
    ) -> Result<(), StoreError> {
        let cw = who(caseworker);
        let now = Ts::now();
        let mut tx = self.begin().await?;
        let id = match version {
            None => {
                let id = Uuid::now_v7();
                let r = on_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO caseworker_feedback (id, round_id, caseworker, body, written_by, \
                     written_by_name, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(id).bind(round).bind(&cw).bind(body.trim())
                    .bind(actor.user_id.map(|u| u.0)).bind(by).bind(now)
                    .execute(conn).await.map(|_| ()));
                match r {
                    // Someone wrote it meanwhile.
                    Err(e) if StoreError::is_unique_violation(&e) => {
                        return tx.fail(StoreError::Conflict("note-changed")).await;
                    }
                    r => r?,
                }
                id
            }
            Some(v) => {
                let n = on_tx!(&mut tx, conn => sqlx::query(
                    "UPDATE caseworker_feedback SET body = $4, written_by = $5, written_by_name = $6, \
                     written_at = $7, version = version + 1 \
                     WHERE round_id = $1 AND caseworker = $2 AND version = $3 \
                     AND acknowledged_at IS NULL")
                    .bind(round).bind(&cw).bind(v).bind(body.trim())
                    .bind(actor.user_id.map(|u| u.0)).bind(by).bind(now)
                    .execute(conn).await.map(|r| r.rows_affected()))?;
                if n == 0 {
                    let e = refusal(&mut tx, round, &cw, true).await?;
                    return tx.fail(e).await;
                }
                self_id(&mut tx, round, &cw).await?
            }
        };
        record(
            &mut tx,
            actor,
            event(
                AuditAction::FeedbackWritten,
                "feedback",
                id.to_string(),
                vec![("round", round.to_string()), ("caseworker", cw)],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The caseworker confirms having read their feedback as it stood at `version`.
    pub async fn acknowledge_note(
        &self,
        actor: &Actor,
        round: Uuid,
        caseworker: &str,
        version: i64,
    ) -> Result<(), StoreError> {
        let cw = who(caseworker);
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE caseworker_feedback SET acknowledged_at = COALESCE(acknowledged_at, $4), \
             version = version + 1 WHERE round_id = $1 AND caseworker = $2 AND version = $3")
            .bind(round).bind(&cw).bind(version).bind(Ts::now())
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            let e = refusal(&mut tx, round, &cw, false).await?;
            return tx.fail(e).await;
        }
        let id = self_id(&mut tx, round, &cw).await?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::FeedbackAcknowledged,
                "feedback",
                id.to_string(),
                vec![("round", round.to_string())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The caseworker's answer to their feedback as it stood at `version`. Answering is also
    /// reading: an unacknowledged feedback becomes acknowledged.
    pub async fn answer_note(
        &self,
        actor: &Actor,
        round: Uuid,
        caseworker: &str,
        version: i64,
        answer: &str,
    ) -> Result<(), StoreError> {
        let cw = who(caseworker);
        let now = Ts::now();
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE caseworker_feedback SET answer = $4, answered_at = $5, \
             acknowledged_at = COALESCE(acknowledged_at, $5), version = version + 1 \
             WHERE round_id = $1 AND caseworker = $2 AND version = $3")
            .bind(round).bind(&cw).bind(version).bind(answer.trim()).bind(now)
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            let e = refusal(&mut tx, round, &cw, false).await?;
            return tx.fail(e).await;
        }
        let id = self_id(&mut tx, round, &cw).await?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::FeedbackAnswered,
                "feedback",
                id.to_string(),
                vec![("round", round.to_string())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// One caseworker's feedback in a round, if written.
    pub async fn note(&self, round: Uuid, caseworker: &str) -> Result<Option<Note>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLS} FROM caseworker_feedback WHERE round_id = $1 AND caseworker = $2"
        );
        let row: Option<NoteRow> = on_db!(&self.db, pool => sqlx::query_as(&sql)
            .bind(round).bind(who(caseworker)).fetch_optional(pool).await)?;
        Ok(row.map(note_from))
    }

    /// Every written feedback of a round.
    pub async fn notes(&self, round: Uuid) -> Result<Vec<Note>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLS} FROM caseworker_feedback WHERE round_id = $1 ORDER BY caseworker"
        );
        let rows: Vec<NoteRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(round).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(note_from).collect())
    }

    /// Records the caseworker's consent to (or withdrawal of consent to) a case of the round
    /// being used as an example; the caller has checked that the case is theirs.
    pub async fn set_consent(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        case_key: &str,
        caseworker: &str,
        consent: Consent,
    ) -> Result<(), StoreError> {
        let given = consent == Consent::Given;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO example_consents (round_id, case_key, caseworker, given, changed_by_name, \
             changed_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (round_id, case_key) DO UPDATE SET caseworker = excluded.caseworker, \
             given = excluded.given, changed_by_name = excluded.changed_by_name, \
             changed_at = excluded.changed_at")
            .bind(round).bind(case_key).bind(who(caseworker)).bind(given).bind(by)
            .bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        let action = if given {
            AuditAction::ConsentGiven
        } else {
            AuditAction::ConsentWithdrawn
        };
        record(
            &mut tx,
            actor,
            event(
                action,
                "round",
                round.to_string(),
                vec![("case", case_key.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The caseworkers' standing answers for a round's cases.
    pub async fn consents(&self, round: Uuid) -> Result<Vec<ConsentRecord>, StoreError> {
        let rows: Vec<(String, String, bool, Option<String>, Ts)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT case_key, caseworker, given, changed_by_name, changed_at FROM example_consents \
             WHERE round_id = $1 ORDER BY case_key")
            .bind(round).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| ConsentRecord {
                case_key: r.0,
                caseworker: r.1,
                consent: if r.2 {
                    Consent::Given
                } else {
                    Consent::Withdrawn
                },
                changed_by_name: r.3,
                changed_at: r.4.0,
            })
            .collect())
    }
}

async fn self_id(tx: &mut Tx, round: Uuid, cw: &str) -> Result<Uuid, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM caseworker_feedback WHERE round_id = $1 AND caseworker = $2")
        .bind(round).bind(cw).fetch_one(conn).await)?)
}

/// Why an update of a feedback changed nothing: there is none, it was acknowledged (only for
/// the writer's rewrite), or it changed since the page was read.
async fn refusal(
    tx: &mut Tx,
    round: Uuid,
    cw: &str,
    rewrite: bool,
) -> Result<StoreError, StoreError> {
    let row: Option<Option<Ts>> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT acknowledged_at FROM caseworker_feedback WHERE round_id = $1 AND caseworker = $2")
        .bind(round).bind(cw).fetch_optional(conn).await)?;
    Ok(match row {
        None => StoreError::NotFound,
        Some(Some(_)) if rewrite => StoreError::Conflict("note-acknowledged"),
        Some(_) => StoreError::Conflict("note-changed"),
    })
}
