//! Rounds and their reviews: the plan, the cases drawn into it, one review per case and level,
//! answers saved one item at a time with a version each (a save based on an old version is a
//! conflict, never a silent overwrite), agreed answers, escalations and replies. Every change
//! writes its audit event in the same transaction.

use crate::Store;
use crate::audit::record;
use crate::db::{Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use tilsyn_domain::UserId;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::review::{Entry, Progress, ReviewStatus};
use tilsyn_domain::round::{RoundKind, RoundPlan, RoundState};
use uuid::Uuid;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn encode<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn event(
    action: AuditAction,
    kind: &'static str,
    id: impl ToString,
    details: Vec<(&'static str, String)>,
) -> NewAuditEvent {
    NewAuditEvent {
        action,
        resource_kind: kind,
        resource_id: Some(id.to_string()),
        outcome: Outcome::Success,
        details,
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Round {
    pub id: Uuid,
    pub name: String,
    pub state: RoundState,
    pub template_version_id: Uuid,
    pub sample_id: Option<Uuid>,
    pub plan: RoundPlan,
    /// Unit names the round covers; empty = the whole register.
    pub scope: Vec<String>,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One line of the list of rounds, with its progress.
#[derive(Clone, Debug, Serialize)]
pub struct RoundSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: RoundKind,
    pub state: RoundState,
    pub cases: i64,
    pub reviews: i64,
    pub submitted: i64,
    pub created_at: DateTime<Utc>,
}

/// A case drawn into a round.
#[derive(Clone, Debug, Serialize)]
pub struct RoundCase {
    pub key: String,
    /// The deepest level the case is in.
    pub depth: u8,
    pub record: CaseRecord,
}

#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub id: Uuid,
    pub round_id: Uuid,
    pub case_key: String,
    pub level: u8,
    pub reviewer: Option<UserId>,
    pub reviewer_name: Option<String>,
    pub participants: Vec<UserId>,
    pub due: Option<NaiveDate>,
    pub status: ReviewStatus,
    pub marks: BTreeMap<String, String>,
    pub progress: Progress,
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A review in someone's task list.
#[derive(Clone, Debug, Serialize)]
pub struct Task {
    pub review: Review,
    pub round_name: String,
    pub round_state: RoundState,
}

/// A stored answer with its version and who saved it last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAnswer {
    pub entry: Entry,
    pub version: i64,
    pub updated_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A change to one item, based on the version the client last saw (0: it saw no answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerChange {
    pub item: String,
    pub value: String,
    pub remark: String,
    pub override_reason: String,
    pub base_version: i64,
}

/// Someone else saved the item after the client loaded it, with a different answer.
#[derive(Clone, Debug, Serialize)]
pub struct SaveConflict {
    pub item: String,
    pub theirs: StoredAnswer,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SaveOutcome {
    /// Items written, with their new version.
    pub saved: Vec<(String, i64)>,
    pub conflicts: Vec<SaveConflict>,
    pub progress: Progress,
    pub review_version: i64,
}

/// Everything a new round's review rows need for one case: the facts and the suggested
/// answers for level 1 (and the same for the levels below it).
pub struct NewRoundCase {
    pub key: String,
    pub depth: u8,
    pub record: CaseRecord,
    /// Item → suggested value, from the date rules.
    pub prefills: BTreeMap<String, String>,
    pub progress: Progress,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgreedAnswer {
    pub item: String,
    pub value: String,
    pub note: String,
    pub decided_by_name: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Escalation {
    pub id: Uuid,
    pub round_id: Uuid,
    pub round_name: String,
    pub case_key: String,
    pub reason: String,
    pub owner: Option<UserId>,
    pub owner_name: Option<String>,
    pub due: Option<NaiveDate>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closing_note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reply {
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

type RoundRow = (
    Uuid,
    String,
    String,
    Uuid,
    Option<Uuid>,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    Ts,
);

const REVIEW_COLS: &str = "r.id, r.round_id, r.case_key, r.level, r.reviewer_id, u.full_name, r.participants, r.due, r.status, r.marks, r.answered, r.applicable, r.version, r.submitted_at";

type ReviewRow = (
    Uuid,
    Uuid,
    String,
    i64,
    Option<Uuid>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
    Option<Ts>,
);

fn review_from(r: ReviewRow) -> Result<Review, StoreError> {
    let participants: Vec<Uuid> = decode(&r.6)?;
    Ok(Review {
        id: r.0,
        round_id: r.1,
        case_key: r.2,
        level: u8::try_from(r.3).unwrap_or(1),
        reviewer: r.4.map(UserId),
        reviewer_name: r.5,
        participants: participants.into_iter().map(UserId).collect(),
        due: date(r.7),
        status: ReviewStatus::parse(&r.8).unwrap_or(ReviewStatus::Open),
        marks: decode(&r.9)?,
        progress: Progress {
            answered: usize::try_from(r.10).unwrap_or(0),
            applicable: usize::try_from(r.11).unwrap_or(0),
        },
        version: r.12,
        submitted_at: r.13.map(|t| t.0),
    })
}

type AnswerRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<String>,
    Ts,
);

fn answer_from(r: AnswerRow) -> (String, StoredAnswer) {
    (
        r.0,
        StoredAnswer {
            entry: Entry {
                value: r.1,
                remark: r.2,
                prefill: r.3,
                override_reason: r.4,
            },
            version: r.5,
            updated_by_name: r.6,
            updated_at: r.7.0,
        },
    )
}

const ANSWER_COLS: &str =
    "item_key, value, remark, prefill, override_reason, version, updated_by_name, updated_at";

impl Store {
    /// Creates a round in the draft state.
    pub async fn create_round(
        &self,
        actor: &Actor,
        by: &str,
        name: &str,
        template_version_id: Uuid,
        plan: &RoundPlan,
        scope: &[String],
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let now = Ts::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO rounds (id, name, kind, state, template_version_id, plan, scope, created_by, created_by_name, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $9)")
            .bind(id).bind(name).bind(plan.kind.code()).bind(template_version_id)
            .bind(encode(plan)?).bind(encode(&scope)?).bind(actor.user_id.map(|u| u.0)).bind(by).bind(now)
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::RoundCreated,
                "round",
                id,
                vec![
                    ("name", name.to_owned()),
                    ("kind", plan.kind.code().into()),
                    ("template_version", template_version_id.to_string()),
                    ("scope", scope.join(", ")),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces the plan of a round that has not started reviewing.
    pub async fn update_round_plan(
        &self,
        actor: &Actor,
        id: Uuid,
        name: &str,
        plan: &RoundPlan,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE rounds SET name = $2, kind = $3, plan = $4, updated_at = $5 WHERE id = $1 AND state IN ('draft', 'sampled')")
            .bind(id).bind(name).bind(plan.kind.code()).bind(encode(plan)?).bind(Ts::now())
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("round-plan-locked")).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::RoundPlanChanged,
                "round",
                id,
                vec![("name", name.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn round(&self, id: Uuid) -> Result<Round, StoreError> {
        let row: Option<RoundRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, name, state, template_version_id, sample_id, plan, scope, created_by, created_by_name, created_at FROM rounds WHERE id = $1")
            .bind(id).fetch_optional(pool).await)?;
        let r = row.ok_or(StoreError::NotFound)?;
        Ok(Round {
            id: r.0,
            name: r.1,
            state: RoundState::parse(&r.2).unwrap_or(RoundState::Draft),
            template_version_id: r.3,
            sample_id: r.4,
            plan: decode(&r.5)?,
            scope: decode(&r.6)?,
            created_by: r.7.map(UserId),
            created_by_name: r.8,
            created_at: r.9.0,
        })
    }

    /// Every round, newest first, with counts of cases and reviews.
    pub async fn list_rounds(&self) -> Result<Vec<RoundSummary>, StoreError> {
        type SummaryRow = (Uuid, String, String, String, i64, i64, i64, Ts);
        let rows: Vec<SummaryRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT r.id, r.name, r.kind, r.state, \
               (SELECT COUNT(*) FROM round_cases c WHERE c.round_id = r.id), \
               (SELECT COUNT(*) FROM reviews v WHERE v.round_id = r.id), \
               (SELECT COUNT(*) FROM reviews v WHERE v.round_id = r.id AND v.status = 'submitted'), \
               r.created_at FROM rounds r ORDER BY r.created_at DESC, r.id DESC")
            .fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| RoundSummary {
                id: r.0,
                name: r.1,
                kind: RoundKind::parse(&r.2).unwrap_or(RoundKind::Broad),
                state: RoundState::parse(&r.3).unwrap_or(RoundState::Draft),
                cases: r.4,
                reviews: r.5,
                submitted: r.6,
                created_at: r.7.0,
            })
            .collect())
    }

    /// Rounds whose reference date is in a calendar year and whose scope shares a unit with `scope` (for the
    /// "two rounds a year" check), not counting `except`.
    pub async fn rounds_in_year(
        &self,
        year: i32,
        scope: &[String],
        except: Uuid,
    ) -> Result<usize, StoreError> {
        let rows: Vec<(Uuid, String, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, scope, plan FROM rounds WHERE id <> $1")
            .bind(except).fetch_all(pool).await)?;
        let mut n = 0;
        for (_, s, plan) in rows {
            let theirs: Vec<String> = decode(&s)?;
            // A round belongs to the year of its reference date (a round planned in December
            // for the spring counts in the spring's year).
            let plan: RoundPlan = decode(&plan)?;
            if tilsyn_domain::round::scopes_overlap(scope, &theirs)
                && chrono::Datelike::year(&plan.reference_date) == year
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Attaches a drawn sample: the cases (with the facts as registered now) and an open
    /// review per case and level, pre-filled from the dates. Draft → sampled.
    pub async fn attach_sample(
        &self,
        actor: &Actor,
        round: Uuid,
        sample: Uuid,
        cases: &[NewRoundCase],
    ) -> Result<(), StoreError> {
        let now = Ts::now();
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE rounds SET sample_id = $2, state = 'sampled', updated_at = $3 WHERE id = $1 AND state = 'draft'")
            .bind(round).bind(sample).bind(now).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("round-not-draft")).await;
        }
        let mut reviews = 0;
        for c in cases {
            on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO round_cases (round_id, case_key, depth, record, unit, caseworker) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(round).bind(&c.key).bind(i64::from(c.depth)).bind(encode(&c.record)?)
                .bind(c.record.unit.as_deref()).bind(c.record.caseworker.as_deref())
                .execute(conn).await.map(|_| ()))?;
            for level in 1..=c.depth {
                let id = Uuid::now_v7();
                let answered = c.progress.answered;
                on_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO reviews (id, round_id, case_key, level, status, answered, applicable, version, updated_at) \
                     VALUES ($1, $2, $3, $4, 'open', $5, $6, 0, $7)")
                    .bind(id).bind(round).bind(&c.key).bind(i64::from(level))
                    .bind(i64::try_from(answered).unwrap_or(0))
                    .bind(i64::try_from(c.progress.applicable).unwrap_or(0)).bind(now)
                    .execute(conn).await.map(|_| ()))?;
                for (item, value) in &c.prefills {
                    on_tx!(&mut tx, conn => sqlx::query(
                        "INSERT INTO answers (review_id, item_key, value, remark, prefill, override_reason, version, updated_by_name, updated_at) \
                         VALUES ($1, $2, $3, '', $3, '', 1, 'tilsyn', $4)")
                        .bind(id).bind(item).bind(value).bind(now)
                        .execute(conn).await.map(|_| ()))?;
                }
                reviews += 1;
            }
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::RoundStateChanged,
                "round",
                round,
                vec![
                    ("from", "draft".into()),
                    ("to", "sampled".into()),
                    ("sample", sample.to_string()),
                    ("cases", cases.len().to_string()),
                    ("reviews", reviews.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Moves a round from `from` to `to` (the caller asked the domain whether it may). Going
    /// back to draft removes the drawn cases and their untouched reviews.
    pub async fn set_round_state(
        &self,
        actor: &Actor,
        round: Uuid,
        from: RoundState,
        to: RoundState,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if to == RoundState::Draft {
            let saved: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
                "SELECT COUNT(*) FROM answers a JOIN reviews r ON r.id = a.review_id WHERE r.round_id = $1 AND (a.prefill IS NULL OR a.version > 1)")
                .bind(round).fetch_one(conn).await)?;
            if saved > 0 {
                return tx.fail(StoreError::Conflict("round-has-answers")).await;
            }
            for sql in [
                "DELETE FROM answers WHERE review_id IN (SELECT id FROM reviews WHERE round_id = $1)",
                "DELETE FROM reviews WHERE round_id = $1",
                "DELETE FROM round_cases WHERE round_id = $1",
                "UPDATE rounds SET sample_id = NULL WHERE id = $1",
            ] {
                on_tx!(&mut tx, conn => sqlx::query(sql).bind(round).execute(conn).await.map(|_| ()))?;
            }
        }
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE rounds SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2")
            .bind(round).bind(from.code()).bind(to.code()).bind(Ts::now())
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("round-state-changed")).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::RoundStateChanged,
                "round",
                round,
                vec![("from", from.code().into()), ("to", to.code().into())],
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn round_cases(&self, round: Uuid) -> Result<Vec<RoundCase>, StoreError> {
        let rows: Vec<(String, i64, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT case_key, depth, record FROM round_cases WHERE round_id = $1 ORDER BY case_key")
            .bind(round).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(key, depth, record)| {
                Ok(RoundCase {
                    key,
                    depth: u8::try_from(depth).unwrap_or(1),
                    record: decode(&record)?,
                })
            })
            .collect()
    }

    pub async fn round_case(&self, round: Uuid, key: &str) -> Result<RoundCase, StoreError> {
        let row: Option<(String, i64, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT case_key, depth, record FROM round_cases WHERE round_id = $1 AND case_key = $2")
            .bind(round).bind(key).fetch_optional(pool).await)?;
        let (key, depth, record) = row.ok_or(StoreError::NotFound)?;
        Ok(RoundCase {
            key,
            depth: u8::try_from(depth).unwrap_or(1),
            record: decode(&record)?,
        })
    }

    pub async fn round_reviews(&self, round: Uuid) -> Result<Vec<Review>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLS} FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.round_id = $1 ORDER BY r.case_key, r.level"
        );
        let rows: Vec<ReviewRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(round).fetch_all(pool).await)?;
        rows.into_iter().map(review_from).collect()
    }

    pub async fn review(&self, id: Uuid) -> Result<Review, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLS} FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.id = $1"
        );
        let row: Option<ReviewRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        review_from(row.ok_or(StoreError::NotFound)?)
    }

    /// The reviews of one case in a round, level order.
    pub async fn case_reviews(&self, round: Uuid, key: &str) -> Result<Vec<Review>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLS} FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.round_id = $1 AND r.case_key = $2 ORDER BY r.level"
        );
        let rows: Vec<ReviewRow> = on_db!(&self.db, pool => sqlx::query_as(&sql)
            .bind(round).bind(key).fetch_all(pool).await)?;
        rows.into_iter().map(review_from).collect()
    }

    /// The reviews a person does or takes part in, in rounds that are not closed.
    pub async fn tasks_of(&self, user: UserId) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLS}, ro.name, ro.state FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id \
             JOIN rounds ro ON ro.id = r.round_id \
             WHERE (r.reviewer_id = $1 OR r.participants LIKE $2) AND ro.state <> 'closed' \
             ORDER BY r.status, r.due, r.case_key, r.level"
        );
        let like = format!("%\"{}\"%", user.0);
        type TaskRow = (
            Uuid,
            Uuid,
            String,
            i64,
            Option<Uuid>,
            Option<String>,
            String,
            Option<String>,
            String,
            String,
            i64,
            i64,
            i64,
            Option<Ts>,
            String,
            String,
        );
        let rows: Vec<TaskRow> = on_db!(&self.db, pool => sqlx::query_as(&sql)
            .bind(user.0).bind(like).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|r| {
                let round_name = r.14.clone();
                let state = RoundState::parse(&r.15).unwrap_or(RoundState::Draft);
                let review = review_from((
                    r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
                ))?;
                Ok(Task {
                    review,
                    round_name,
                    round_state: state,
                })
            })
            .collect()
    }

    /// Sets reviewer, participants and due date of reviews (automatic or bulk assignment).
    pub async fn assign_reviews(
        &self,
        actor: &Actor,
        round: Uuid,
        assignments: &[(Uuid, UserId, Vec<UserId>)],
        due: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for (review, reviewer, participants) in assignments {
            let ids: Vec<Uuid> = participants.iter().map(|u| u.0).collect();
            let n = on_tx!(&mut tx, conn => sqlx::query(
                "UPDATE reviews SET reviewer_id = $3, participants = $4, due = $5, version = version + 1, updated_at = $6 \
                 WHERE id = $1 AND round_id = $2 AND status = 'open'")
                .bind(review).bind(round).bind(reviewer.0).bind(encode(&ids)?)
                .bind(due.map(|d| d.to_string())).bind(Ts::now())
                .execute(conn).await.map(|r| r.rows_affected()))?;
            if n == 0 {
                return tx.fail(StoreError::Conflict("review-not-open")).await;
            }
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::ReviewsAssigned,
                "round",
                round,
                vec![("reviews", assignments.len().to_string())],
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn answers(
        &self,
        review: Uuid,
    ) -> Result<BTreeMap<String, StoredAnswer>, StoreError> {
        let sql = format!("SELECT {ANSWER_COLS} FROM answers WHERE review_id = $1");
        let rows: Vec<AnswerRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(review).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(answer_from).collect())
    }

    /// Saves changed answers of an open review. A change based on an older version than the
    /// stored one is a conflict (unless it asks for what is already stored); the other changes
    /// are saved. `progress` recomputes the review's progress from the answers after the save,
    /// inside the same transaction, so the stored count always matches the answers.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        by: &str,
        review: Uuid,
        changes: &[AnswerChange],
        progress: impl FnOnce(&BTreeMap<String, Entry>) -> Progress,
    ) -> Result<SaveOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let status: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "SELECT status FROM reviews WHERE id = $1").bind(review).fetch_optional(conn).await)?;
        match status.as_deref() {
            None => return tx.fail(StoreError::NotFound).await,
            Some("open") => {}
            Some(_) => return tx.fail(StoreError::Conflict("review-submitted")).await,
        }
        let mut stored = load_entries(&mut tx, review).await?;
        let mut out = SaveOutcome::default();
        let now = Ts::now();
        for c in changes {
            let current = stored.get(&c.item);
            let same = current.is_some_and(|(e, _)| {
                e.value == c.value && e.remark == c.remark && e.override_reason == c.override_reason
            }) || (current.is_none()
                && c.value.is_empty()
                && c.remark.is_empty()
                && c.override_reason.is_empty());
            if same {
                continue;
            }
            let version = current.map(|(_, v)| *v).unwrap_or(0);
            if version != c.base_version {
                if current.is_some() {
                    // Who saved it and when, for the conflict message: read only now.
                    let sql = format!(
                        "SELECT {ANSWER_COLS} FROM answers WHERE review_id = $1 AND item_key = $2"
                    );
                    let row: Option<AnswerRow> = on_tx!(&mut tx, conn => sqlx::query_as(&sql)
                        .bind(review).bind(&c.item).fetch_optional(conn).await)?;
                    if let Some(row) = row {
                        out.conflicts.push(SaveConflict {
                            item: c.item.clone(),
                            theirs: answer_from(row).1,
                        });
                    }
                }
                continue;
            }
            let next = version + 1;
            on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO answers (review_id, item_key, value, remark, prefill, override_reason, version, updated_by, updated_by_name, updated_at) \
                 VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9) \
                 ON CONFLICT (review_id, item_key) DO UPDATE SET value = excluded.value, remark = excluded.remark, \
                 override_reason = excluded.override_reason, version = excluded.version, updated_by = excluded.updated_by, \
                 updated_by_name = excluded.updated_by_name, updated_at = excluded.updated_at")
                .bind(review).bind(&c.item).bind(&c.value).bind(&c.remark).bind(&c.override_reason)
                .bind(next).bind(actor.user_id.map(|u| u.0)).bind(by).bind(now)
                .execute(conn).await.map(|_| ()))?;
            let prefill = current.and_then(|(e, _)| e.prefill.clone());
            stored.insert(
                c.item.clone(),
                (
                    Entry {
                        value: c.value.clone(),
                        remark: c.remark.clone(),
                        prefill,
                        override_reason: c.override_reason.clone(),
                    },
                    next,
                ),
            );
            out.saved.push((c.item.clone(), next));
        }
        let entries: BTreeMap<String, Entry> =
            stored.into_iter().map(|(k, (e, _))| (k, e)).collect();
        out.progress = progress(&entries);
        let bump = i64::from(!out.saved.is_empty());
        out.review_version = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "UPDATE reviews SET answered = $2, applicable = $3, version = version + $4, updated_at = $5 WHERE id = $1 RETURNING version")
            .bind(review).bind(i64::try_from(out.progress.answered).unwrap_or(0))
            .bind(i64::try_from(out.progress.applicable).unwrap_or(0)).bind(bump).bind(now)
            .fetch_one(conn).await)?;
        if !out.saved.is_empty() {
            let items: Vec<&str> = out.saved.iter().map(|(k, _)| k.as_str()).collect();
            record(
                &mut tx,
                actor,
                event(
                    AuditAction::ReviewSaved,
                    "review",
                    review,
                    vec![("items", items.join(", "))],
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Marks a section "ikke relevant" with a reason, or clears the mark (`reason` empty).
    pub async fn mark_section(
        &self,
        actor: &Actor,
        review: Uuid,
        section: &str,
        reason: &str,
        progress: impl FnOnce(&BTreeMap<String, Entry>, &BTreeMap<String, String>) -> Progress,
    ) -> Result<Progress, StoreError> {
        let mut tx = self.begin().await?;
        let row: Option<(String, String)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT status, marks FROM reviews WHERE id = $1").bind(review).fetch_optional(conn).await)?;
        let Some((status, marks)) = row else {
            return tx.fail(StoreError::NotFound).await;
        };
        if status != "open" {
            return tx.fail(StoreError::Conflict("review-submitted")).await;
        }
        let mut marks: BTreeMap<String, String> = decode(&marks)?;
        if reason.trim().is_empty() {
            marks.remove(section);
        } else {
            marks.insert(section.to_owned(), reason.trim().to_owned());
        }
        let entries: BTreeMap<String, Entry> = load_entries(&mut tx, review)
            .await?
            .into_iter()
            .map(|(k, (e, _))| (k, e))
            .collect();
        let p = progress(&entries, &marks);
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE reviews SET marks = $2, answered = $3, applicable = $4, version = version + 1, updated_at = $5 WHERE id = $1")
            .bind(review).bind(encode(&marks)?).bind(i64::try_from(p.answered).unwrap_or(0))
            .bind(i64::try_from(p.applicable).unwrap_or(0)).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::ReviewSaved,
                "review",
                review,
                vec![
                    ("section", section.to_owned()),
                    ("not_relevant", (!reason.trim().is_empty()).to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Submits a review if nothing changed since `version` (the answers the caller checked).
    pub async fn submit_review(
        &self,
        actor: &Actor,
        review: Uuid,
        version: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE reviews SET status = 'submitted', submitted_at = $3, version = version + 1, updated_at = $3 \
             WHERE id = $1 AND version = $2 AND status = 'open'")
            .bind(review).bind(version).bind(Ts::now()).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("review-changed")).await;
        }
        record(
            &mut tx,
            actor,
            event(AuditAction::ReviewSubmitted, "review", review, vec![]),
        )
        .await?;
        tx.commit().await
    }

    /// Opens a submitted review again; the reason is in the audit log.
    pub async fn reopen_review(
        &self,
        actor: &Actor,
        review: Uuid,
        reason: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE reviews SET status = 'open', submitted_at = NULL, version = version + 1, updated_at = $2 WHERE id = $1 AND status = 'submitted'")
            .bind(review).bind(Ts::now()).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("review-not-submitted")).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::ReviewReopened,
                "review",
                review,
                vec![("reason", reason.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Records that a review's answers were read (case-level data).
    pub async fn record_review_read(
        &self,
        actor: &Actor,
        review: Uuid,
        how: &str,
    ) -> Result<(), StoreError> {
        self.record_event(
            actor,
            event(
                AuditAction::ReviewViewed,
                "review",
                review,
                vec![("how", how.to_owned())],
            ),
        )
        .await
    }

    pub async fn agreed_answers(
        &self,
        round: Uuid,
        key: &str,
    ) -> Result<BTreeMap<String, AgreedAnswer>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>, Ts)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT item_key, value, note, decided_by_name, decided_at FROM agreed_answers WHERE round_id = $1 AND case_key = $2")
            .bind(round).bind(key).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.0.clone(),
                    AgreedAnswer {
                        item: r.0,
                        value: r.1,
                        note: r.2,
                        decided_by_name: r.3,
                        decided_at: r.4.0,
                    },
                )
            })
            .collect())
    }

    /// Records (or replaces) the agreed answer for an item; the levels' answers stay as given.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_agreed(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        key: &str,
        item: &str,
        value: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO agreed_answers (round_id, case_key, item_key, value, note, decided_by, decided_by_name, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (round_id, case_key, item_key) DO UPDATE SET \
             value = excluded.value, note = excluded.note, decided_by = excluded.decided_by, \
             decided_by_name = excluded.decided_by_name, decided_at = excluded.decided_at, \
             version = agreed_answers.version + 1")
            .bind(round).bind(key).bind(item).bind(value).bind(note)
            .bind(actor.user_id.map(|u| u.0)).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::AnswerReconciled,
                "round",
                round,
                vec![("case", key.to_owned()), ("item", item.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_escalation(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        key: &str,
        review: Option<Uuid>,
        reason: &str,
        owner: Option<UserId>,
        due: NaiveDate,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO escalations (id, round_id, case_key, review_id, reason, owner_id, due, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id).bind(round).bind(key).bind(review).bind(reason).bind(owner.map(|u| u.0))
            .bind(due.to_string()).bind(actor.user_id.map(|u| u.0)).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::EscalationCreated,
                "escalation",
                id,
                vec![
                    ("round", round.to_string()),
                    ("case", key.to_owned()),
                    ("due", due.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn close_escalation(
        &self,
        actor: &Actor,
        by: &str,
        id: Uuid,
        note: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE escalations SET closed_at = $2, closed_by_name = $3, closing_note = $4 WHERE id = $1 AND closed_at IS NULL")
            .bind(id).bind(Ts::now()).bind(by).bind(note).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::Conflict("escalation-closed")).await;
        }
        record(
            &mut tx,
            actor,
            event(AuditAction::EscalationClosed, "escalation", id, vec![]),
        )
        .await?;
        tx.commit().await
    }

    /// Escalations, open ones first: of a round (`round`), or owned by a person (`owner`).
    pub async fn escalations(
        &self,
        round: Option<Uuid>,
        owner: Option<UserId>,
    ) -> Result<Vec<Escalation>, StoreError> {
        let rows: Vec<EscalationRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT e.id, e.round_id, ro.name, e.case_key, e.reason, e.owner_id, u.full_name, e.due, e.created_by_name, e.created_at, e.closed_at, e.closing_note \
             FROM escalations e JOIN rounds ro ON ro.id = e.round_id LEFT JOIN users u ON u.id = e.owner_id \
             WHERE (CAST($1 AS TEXT) IS NULL OR e.round_id = $2) AND (CAST($3 AS TEXT) IS NULL OR e.owner_id = $4) \
             ORDER BY (e.closed_at IS NOT NULL), e.due, e.created_at")
            .bind(round.map(|r| r.to_string())).bind(round)
            .bind(owner.map(|o| o.0.to_string())).bind(owner.map(|o| o.0))
            .fetch_all(pool).await)?;
        Ok(rows.into_iter().map(escalation_from).collect())
    }

    pub async fn escalation(&self, id: Uuid) -> Result<Escalation, StoreError> {
        let row: Option<EscalationRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT e.id, e.round_id, ro.name, e.case_key, e.reason, e.owner_id, u.full_name, e.due, e.created_by_name, e.created_at, e.closed_at, e.closing_note \
             FROM escalations e JOIN rounds ro ON ro.id = e.round_id LEFT JOIN users u ON u.id = e.owner_id WHERE e.id = $1")
            .bind(id).fetch_optional(pool).await)?;
        Ok(escalation_from(row.ok_or(StoreError::NotFound)?))
    }

    pub async fn add_reply(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        key: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO replies (id, round_id, case_key, author_id, author_name, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id).bind(round).bind(key).bind(actor.user_id.map(|u| u.0)).bind(by).bind(text).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::ReplyAdded,
                "round",
                round,
                vec![("case", key.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn replies(&self, round: Uuid, key: &str) -> Result<Vec<Reply>, StoreError> {
        let rows: Vec<(Option<String>, String, Ts)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT author_name, text, created_at FROM replies WHERE round_id = $1 AND case_key = $2 ORDER BY created_at, id")
            .bind(round).bind(key).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| Reply {
                author_name: r.0,
                text: r.1,
                created_at: r.2.0,
            })
            .collect())
    }

    /// Loads answers into submitted reviews in one transaction (answers import): every review
    /// is created or completed, answered and submitted, or nothing is written.
    pub async fn import_answers(
        &self,
        actor: &Actor,
        by: &str,
        round: Uuid,
        reviews: &[ImportedReview],
        file_name: &str,
    ) -> Result<(), StoreError> {
        let now = Ts::now();
        let mut tx = self.begin().await?;
        let mut answers = 0;
        for r in reviews {
            let existing: Option<(Uuid, String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
                "SELECT id, status, version FROM reviews WHERE round_id = $1 AND case_key = $2 AND level = $3")
                .bind(round).bind(&r.case_key).bind(i64::from(r.level)).fetch_optional(conn).await)?;
            let id = match existing {
                Some((_, status, _)) if status == "submitted" => {
                    return tx
                        .fail(StoreError::Conflict("answers-import-submitted"))
                        .await;
                }
                Some((id, _, _)) => {
                    let saved: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
                        "SELECT COUNT(*) FROM answers WHERE review_id = $1 AND (prefill IS NULL OR version > 1)").bind(id).fetch_one(conn).await)?;
                    if saved > 0 {
                        return tx
                            .fail(StoreError::Conflict("answers-import-started"))
                            .await;
                    }
                    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM answers WHERE review_id = $1")
                        .bind(id).execute(conn).await.map(|_| ()))?;
                    id
                }
                None => return Err(StoreError::Conflict("answers-import-no-review")),
            };
            for (item, e) in &r.answers {
                on_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO answers (review_id, item_key, value, remark, prefill, override_reason, version, updated_by, updated_by_name, updated_at) \
                     VALUES ($1, $2, $3, $4, NULL, '', 1, $5, $6, $7)")
                    .bind(id).bind(item).bind(&e.value).bind(&e.remark)
                    .bind(actor.user_id.map(|u| u.0)).bind(by).bind(now)
                    .execute(conn).await.map(|_| ()))?;
                answers += 1;
            }
            on_tx!(&mut tx, conn => sqlx::query(
                "UPDATE reviews SET reviewer_id = COALESCE($2, reviewer_id), status = 'submitted', submitted_at = $3, answered = $4, applicable = $5, \
                 version = version + 1, updated_at = $3 WHERE id = $1")
                .bind(id).bind(r.reviewer.map(|u| u.0)).bind(now)
                .bind(i64::try_from(r.progress.answered).unwrap_or(0))
                .bind(i64::try_from(r.progress.applicable).unwrap_or(0))
                .execute(conn).await.map(|_| ()))?;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::AnswersImported,
                "round",
                round,
                vec![
                    ("file", file_name.to_owned()),
                    ("reviews", reviews.len().to_string()),
                    ("answers", answers.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await
    }
}

/// One review's answers from an answers import.
#[derive(Clone, Debug)]
pub struct ImportedReview {
    pub case_key: String,
    pub level: u8,
    pub reviewer: Option<UserId>,
    pub answers: BTreeMap<String, Entry>,
    pub progress: Progress,
}

type EscalationRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    Option<Uuid>,
    Option<String>,
    String,
    Option<String>,
    Ts,
    Option<Ts>,
    Option<String>,
);

fn escalation_from(r: EscalationRow) -> Escalation {
    Escalation {
        id: r.0,
        round_id: r.1,
        round_name: r.2,
        case_key: r.3,
        reason: r.4,
        owner: r.5.map(UserId),
        owner_name: r.6,
        due: date(Some(r.7)),
        created_by_name: r.8,
        created_at: r.9.0,
        closed_at: r.10.map(|t| t.0),
        closing_note: r.11,
    }
}

/// A review's answers with their versions, without who saved them when: what a save compares
/// against and counts. (Decoding the save times of a thousand answers costs more than the rest.)
async fn load_entries(
    tx: &mut Tx,
    review: Uuid,
) -> Result<BTreeMap<String, (Entry, i64)>, StoreError> {
    type Row = (String, String, String, Option<String>, String, i64);
    let rows: Vec<Row> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT item_key, value, remark, prefill, override_reason, version FROM answers WHERE review_id = $1")
        .bind(review).fetch_all(conn).await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                (
                    Entry {
                        value: r.1,
                        remark: r.2,
                        prefill: r.3,
                        override_reason: r.4,
                    },
                    r.5,
                ),
            )
        })
        .collect())
}
