//! Use cases for feedback around a round: its meetings and their example cases, each
//! caseworker's written feedback with their acknowledgement and answer, and consent to cases
//! being used as examples. Meetings are read and recorded by who runs the round; a
//! caseworker's written feedback is read by them and by who runs the round, nobody else.

use crate::actions::manages;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::rounds::{Org, deny};
use std::collections::BTreeMap;
use tilsyn_domain::feedback::{
    self, Consent, MeetingInput, NoteStatus, is_caseworker, may_use_as_example,
};
use tilsyn_domain::policy::Action as Can;
use tilsyn_domain::{FieldError, Problem};
use tilsyn_store::Store;
use tilsyn_store::feedback::{Meeting, Note};
use tilsyn_store::rounds::{Round, RoundCase};
use uuid::Uuid;

/// Whether the caller records the round's meetings and writes its caseworkers' feedback: the
/// same people who create its actions.
pub fn records(ctx: &Ctx, round: &Round) -> bool {
    manages(ctx, round) && ctx.can(&Can::PlanRounds)
}

/// A meeting as shared material shows it: examples whose caseworker's consent no longer
/// stands are left out, and counted so the round's owners know some were.
pub struct SharedMeeting {
    pub meeting: Meeting,
    pub withdrawn: usize,
}

/// The standing consent per case key of a round.
async fn consents(store: &Store, round: Uuid) -> AppResult<BTreeMap<String, Consent>> {
    Ok(store
        .consents(round)
        .await?
        .into_iter()
        .map(|c| (c.case_key, c.consent))
        .collect())
}

/// A round's meetings for who runs it, each example shown only while its consent stands.
pub async fn meetings(store: &Store, ctx: &Ctx, round: &Round) -> AppResult<Vec<SharedMeeting>> {
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "view_meetings").await);
    }
    // The examples name cases of the round: a case-level read, logged like the others.
    let ev = tilsyn_domain::audit::NewAuditEvent {
        action: tilsyn_domain::audit::AuditAction::CasesViewed,
        resource_kind: "round",
        resource_id: Some(round.id.to_string()),
        outcome: tilsyn_domain::audit::Outcome::Success,
        details: vec![("how", "meetings".to_owned())],
    };
    store.record_event(&ctx.actor(), ev).await?;
    let consent = consents(store, round.id).await?;
    Ok(store
        .meetings(round.id)
        .await?
        .into_iter()
        .map(|mut m| {
            let before = m.examples.len();
            m.examples
                .retain(|e| may_use_as_example(consent.get(&e.case_key).copied()));
            SharedMeeting {
                withdrawn: before - m.examples.len(),
                meeting: m,
            }
        })
        .collect())
}

/// Records a meeting; refused whole, with every field's problem, when anything is wrong.
pub async fn record_meeting(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    input: &MeetingInput,
) -> AppResult<Uuid> {
    let who = ctx.authorize(&Can::PlanRounds).await?;
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "record_meeting").await);
    }
    let m = feedback::parse_meeting(input)?;
    Ok(store
        .create_meeting(&ctx.actor(), &who.user.full_name, round.id, &m)
        .await?)
}

/// Adds a case of the round as an example to one of its meetings: a results meeting, and
/// only with the case's caseworker's consent (the domain's rule).
pub async fn add_example(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    meeting: Uuid,
    case_key: &str,
    note: &str,
) -> AppResult<Uuid> {
    let who = ctx.authorize(&Can::PlanRounds).await?;
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "add_example").await);
    }
    let meetings = store.meetings(round.id).await?;
    let m = meetings
        .iter()
        .find(|m| m.id == meeting)
        .ok_or(AppError::NotFound)?;
    let in_round = store
        .round_cases(round.id)
        .await?
        .iter()
        .any(|c| c.key == case_key);
    let consent = consents(store, round.id).await?.get(case_key).copied();
    feedback::check_example(m.kind, in_round, consent, note)?;
    // A withdrawal between this check and the insert only hides the example again: what is
    // shown is decided by the same rule when it is read.
    Ok(store
        .add_example(&ctx.actor(), &who.user.full_name, meeting, case_key, note)
        .await?)
}

/// One caseworker of a round, for the owners' overview of who has had written feedback.
pub struct CaseworkerLine {
    /// As the case records name them.
    pub caseworker: String,
    /// Their name when they are a tilsyn user.
    pub name: String,
    pub cases: usize,
    pub status: NoteStatus,
    pub note: Option<Note>,
}

/// Every caseworker with a case in the round and where their written feedback stands,
/// missing ones first so a leader with thirty caseworkers sees who is left.
pub async fn overview(store: &Store, ctx: &Ctx, round: &Round) -> AppResult<Vec<CaseworkerLine>> {
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "view_feedback_overview").await);
    }
    let mut cases: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for c in store.round_cases(round.id).await? {
        let Some(cw) = c.record.caseworker.as_deref().map(str::trim) else {
            continue;
        };
        if cw.is_empty() {
            continue;
        }
        cases
            .entry(cw.to_lowercase())
            .or_insert_with(|| (cw.to_owned(), 0))
            .1 += 1;
    }
    let mut notes: BTreeMap<String, Note> = store
        .notes(round.id)
        .await?
        .into_iter()
        .map(|n| (n.caseworker.clone(), n))
        .collect();
    let org = Org::load(store).await?;
    let mut out: Vec<CaseworkerLine> = cases
        .into_iter()
        .map(|(key, (shown, n))| {
            let note = notes.remove(&key);
            let status = NoteStatus::of(
                note.is_some(),
                note.as_ref().is_some_and(|n| n.acknowledged_at.is_some()),
                note.as_ref().is_some_and(|n| !n.answer.is_empty()),
            );
            CaseworkerLine {
                name: org
                    .users
                    .iter()
                    .find(|u| u.username.eq_ignore_ascii_case(&key))
                    .map(|u| u.full_name.clone())
                    .unwrap_or_default(),
                caseworker: shown,
                cases: n,
                status,
                note,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then(a.caseworker.cmp(&b.caseworker))
    });
    Ok(out)
}

/// The cases of the round whose caseworker `username` is.
fn cases_of<'a>(cases: &'a [RoundCase], username: &str) -> Vec<&'a RoundCase> {
    cases
        .iter()
        .filter(|c| is_caseworker(c.record.caseworker.as_deref(), username))
        .collect()
}

/// One's own case in a round with the consent standing for it.
pub struct OwnCase {
    pub key: String,
    pub case_type: String,
    pub consent: Option<Consent>,
}

/// What a feedback page shows of the written feedback: for the caseworker themselves or who
/// runs the round (`show_feedback` has let only them in; asked again here all the same).
pub struct NotePanel {
    pub note: Option<Note>,
    pub cases: Vec<OwnCase>,
    /// The caller writes it (runs the round and plans rounds, and is not the caseworker).
    pub writes: bool,
}

pub async fn panel(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    caseworker: &str,
) -> AppResult<NotePanel> {
    let who = ctx.signed_in()?;
    let own = who.user.username.eq_ignore_ascii_case(caseworker.trim());
    if !own && !manages(ctx, round) {
        return Err(deny(store, ctx, "view_feedback").await);
    }
    let all = store.round_cases(round.id).await?;
    let mine = cases_of(&all, caseworker);
    if mine.is_empty() {
        return Err(deny(store, ctx, "view_feedback").await);
    }
    let consent = consents(store, round.id).await?;
    Ok(NotePanel {
        note: store.note(round.id, caseworker).await?,
        cases: mine
            .into_iter()
            .map(|c| OwnCase {
                key: c.key.clone(),
                case_type: c.record.case_type.clone(),
                consent: consent.get(&c.key).copied(),
            })
            .collect(),
        writes: !own && records(ctx, round),
    })
}

/// Writes or rewrites a caseworker's feedback (`version`: the one the writer saw, `None` for a
/// new one). Refused once the caseworker has acknowledged it, and when it changed meanwhile.
pub async fn write_note(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    caseworker: &str,
    version: Option<i64>,
    body: &str,
) -> AppResult<()> {
    let who = ctx.authorize(&Can::PlanRounds).await?;
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "write_feedback").await);
    }
    // Nobody writes their own feedback, even a leader with cases of their own in the round.
    if cases_of(&store.round_cases(round.id).await?, caseworker).is_empty()
        || feedback::is_caseworker(Some(caseworker), &who.user.username)
    {
        return Err(deny(store, ctx, "write_feedback").await);
    }
    let existing = store.note(round.id, caseworker).await?;
    feedback::check_note(
        body,
        existing
            .as_ref()
            .is_some_and(|n| n.acknowledged_at.is_some()),
    )?;
    // Checked against what the writer saw: a newer one is someone else's change.
    if existing.as_ref().map(|n| n.version) != version {
        return Err(AppError::Conflict("note-changed"));
    }
    Ok(store
        .write_note(
            &ctx.actor(),
            &who.user.full_name,
            round.id,
            caseworker,
            version,
            body,
        )
        .await?)
}

/// The caller's own feedback in the round, for acknowledging or answering it.
async fn own_note(store: &Store, ctx: &Ctx, round: &Round, version: i64) -> AppResult<String> {
    let who = ctx.authorize(&Can::ViewOwn).await?;
    let me = who.user.username.clone();
    if cases_of(&store.round_cases(round.id).await?, &me).is_empty() {
        return Err(deny(store, ctx, "answer_feedback").await);
    }
    let note = store.note(round.id, &me).await?.ok_or(AppError::NotFound)?;
    // Acknowledging a text one has not seen would confirm the wrong thing.
    if note.version != version {
        return Err(AppError::Conflict("note-changed"));
    }
    Ok(me)
}

/// The caseworker confirms having read their feedback as it stood at `version`.
pub async fn acknowledge(store: &Store, ctx: &Ctx, round: &Round, version: i64) -> AppResult<()> {
    let me = own_note(store, ctx, round, version).await?;
    Ok(store
        .acknowledge_note(&ctx.actor(), round.id, &me, version)
        .await?)
}

/// The caseworker answers their feedback (which also acknowledges it).
pub async fn answer(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    version: i64,
    text: &str,
) -> AppResult<()> {
    let me = own_note(store, ctx, round, version).await?;
    feedback::check_answer(text)?;
    Ok(store
        .answer_note(&ctx.actor(), round.id, &me, version, text)
        .await?)
}

/// The caseworker gives or withdraws consent to one of their cases being used as an example.
pub async fn set_consent(
    store: &Store,
    ctx: &Ctx,
    round: &Round,
    case_key: &str,
    consent: &str,
) -> AppResult<Consent> {
    let who = ctx.authorize(&Can::ViewOwn).await?;
    let me = who.user.username.clone();
    let theirs = match store.round_case(round.id, case_key).await {
        Ok(c) => is_caseworker(c.record.caseworker.as_deref(), &me),
        Err(tilsyn_store::StoreError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    // Only the case's own caseworker can agree for it; anyone else learns nothing of it.
    if !theirs {
        return Err(deny(store, ctx, "set_consent").await);
    }
    let Some(c) = Consent::parse(consent) else {
        return Err(Problem(vec![FieldError::new("consent", "consent-unknown")]).into());
    };
    store
        .set_consent(
            &ctx.actor(),
            &who.user.full_name,
            round.id,
            case_key,
            &me,
            c,
        )
        .await?;
    Ok(c)
}
