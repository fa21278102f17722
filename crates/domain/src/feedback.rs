//! Feedback around a round: the department's meetings (information before, results after,
//! stop-op), each caseworker's written feedback that they acknowledge and may answer, and the
//! caseworker's consent before one of their cases is used as an example in shared material.

use crate::error::{FieldError, Problem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest key points, feedback, answer or note: the same paragraph as an action's text.
pub const MAX_TEXT: usize = crate::action::MAX_TEXT;
/// The longest participant name, and the most participants one meeting lists.
pub const MAX_NAME: usize = 200;
pub const MAX_PARTICIPANTS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Department meeting before the round: its frame and timetable.
    Information,
    /// Department meeting after the round: the general findings.
    Results,
    /// Stop-op meeting during the round.
    StopOp,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 3] = [
        MeetingKind::Information,
        MeetingKind::StopOp,
        MeetingKind::Results,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Information => "information",
            MeetingKind::Results => "results",
            MeetingKind::StopOp => "stop_op",
        }
    }

    pub fn parse(s: &str) -> Option<MeetingKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("meeting-kind-{}", self.code().replace('_', "-"))
    }
}

/// A meeting as typed into the form or the API, before it is parsed.
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    pub kind: String,
    /// `YYYY-MM-DD`
    pub held_on: String,
    /// Names, one per line.
    pub participants: String,
    pub key_points: String,
}

/// A meeting that passed [`parse_meeting`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub key_points: String,
}

/// Names one per line, trimmed, empty lines dropped.
pub fn participant_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a meeting, or says everything wrong with it in the order of the form.
pub fn parse_meeting(i: &MeetingInput) -> Result<NewMeeting, Problem> {
    let mut p = Problem::default();
    let kind = MeetingKind::parse(i.kind.trim());
    if kind.is_none() {
        p.push(FieldError::new("kind", "meeting-kind-unknown"));
    }
    let held_on = if i.held_on.trim().is_empty() {
        p.push(FieldError::new("held_on", "meeting-date-needed"));
        None
    } else {
        let d = NaiveDate::parse_from_str(i.held_on.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            p.push(FieldError::new("held_on", "meeting-date-invalid"));
        }
        d
    };
    let participants = participant_lines(&i.participants);
    if participants.is_empty() {
        p.push(FieldError::new(
            "participants",
            "meeting-participants-needed",
        ));
    } else if participants.len() > MAX_PARTICIPANTS
        || participants.iter().any(|n| n.chars().count() > MAX_NAME)
    {
        p.push(FieldError::new("participants", "meeting-participants-long"));
    }
    text(
        &mut p,
        "key_points",
        &i.key_points,
        "meeting-key-points-needed",
    );
    match (kind, held_on) {
        (Some(kind), Some(held_on)) if p.is_empty() => Ok(NewMeeting {
            kind,
            held_on,
            participants,
            key_points: i.key_points.trim().to_owned(),
        }),
        _ => Err(p),
    }
}

fn text(p: &mut Problem, field: &'static str, v: &str, needed: &'static str) {
    if v.trim().is_empty() {
        p.push(FieldError::new(field, needed));
    } else if v.chars().count() > MAX_TEXT {
        p.push(FieldError::new(field, "feedback-text-long"));
    }
}

/// Whether `username` is the caseworker a case record names (the case system writes initials
/// or usernames in any case, sometimes padded).
pub fn is_caseworker(record_caseworker: Option<&str>, username: &str) -> bool {
    record_caseworker.is_some_and(|cw| cw.trim().eq_ignore_ascii_case(username.trim()))
}

/// A caseworker's answer to whether a case may be used as an example in shared material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Given,
    Withdrawn,
}

impl Consent {
    pub fn code(self) -> &'static str {
        match self {
            Consent::Given => "given",
            Consent::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Consent> {
        [Consent::Given, Consent::Withdrawn]
            .into_iter()
            .find(|c| c.code() == s)
    }
}

/// The one rule for examples: a case is used (added, and shown) as an example in shared
/// material only while its caseworker's consent stands. Never asked counts as no.
pub fn may_use_as_example(consent: Option<Consent>) -> bool {
    consent == Some(Consent::Given)
}

/// Checks a case to be added as an example to a meeting: only a results meeting presents
/// examples, only a case of the round, only with the caseworker's consent.
pub fn check_example(
    kind: MeetingKind,
    case_in_round: bool,
    consent: Option<Consent>,
    note: &str,
) -> Result<(), Problem> {
    let mut p = Problem::default();
    if kind != MeetingKind::Results {
        p.push(FieldError::new("meeting", "example-results-only"));
    }
    if !case_in_round {
        p.push(FieldError::new("case", "example-case-unknown"));
    } else if !may_use_as_example(consent) {
        p.push(FieldError::new("case", "example-no-consent"));
    }
    if note.chars().count() > MAX_TEXT {
        p.push(FieldError::new("note", "feedback-text-long"));
    }
    p.into_result()
}

/// Checks the leader's written feedback to one caseworker. Once the caseworker has
/// acknowledged it, it stands as read: a later rewrite would change what they confirmed.
pub fn check_note(body: &str, acknowledged: bool) -> Result<(), Problem> {
    if acknowledged {
        return Err(Problem::one("body", "note-acknowledged"));
    }
    let mut p = Problem::default();
    text(&mut p, "body", body, "note-text-needed");
    p.into_result()
}

/// Checks a caseworker's answer to their feedback.
pub fn check_answer(answer: &str) -> Result<(), Problem> {
    let mut p = Problem::default();
    text(&mut p, "answer", answer, "note-answer-needed");
    p.into_result()
}

/// Where one caseworker's written feedback stands, for the round owner's overview.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    /// Nothing written yet.
    Missing,
    Written,
    Acknowledged,
    Answered,
}

impl NoteStatus {
    /// `note`: whether written, acknowledged, and answered (with text).
    pub fn of(written: bool, acknowledged: bool, answered: bool) -> NoteStatus {
        match (written, acknowledged, answered) {
            (false, _, _) => NoteStatus::Missing,
            (true, _, true) => NoteStatus::Answered,
            (true, true, false) => NoteStatus::Acknowledged,
            (true, false, false) => NoteStatus::Written,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            NoteStatus::Missing => "missing",
            NoteStatus::Written => "written",
            NoteStatus::Acknowledged => "acknowledged",
            NoteStatus::Answered => "answered",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<T>(r: Result<T, Problem>) -> Vec<(&'static str, &'static str)> {
        r.err()
            .map(|p| p.0.into_iter().map(|e| (e.field, e.key)).collect())
            .unwrap_or_default()
    }

    fn input(kind: &str, date: &str, who: &str, points: &str) -> MeetingInput {
        MeetingInput {
            kind: kind.into(),
            held_on: date.into(),
            participants: who.into(),
            key_points: points.into(),
        }
    }

    #[test]
    fn a_meeting_parses_with_names_one_per_line() {
        let m = parse_meeting(&input(
            "results",
            "2026-05-18",
            " Lise Holm \n\n  Rikke Dam\n",
            "  Børnesamtalen dokumenteres oftere. ",
        ))
        .expect("valid");
        assert_eq!(m.kind, MeetingKind::Results);
        assert_eq!(m.held_on, NaiveDate::from_ymd_opt(2026, 5, 18).expect("d"));
        assert_eq!(m.participants, vec!["Lise Holm", "Rikke Dam"]);
        assert_eq!(m.key_points, "Børnesamtalen dokumenteres oftere.");
        assert_eq!(
            parse_meeting(&input("stop_op", "2026-04-27", "A", "B"))
                .expect("valid")
                .kind,
            MeetingKind::StopOp
        );
    }

    #[test]
    fn a_bad_meeting_is_refused_with_every_problem_in_form_order() {
        assert_eq!(
            keys(parse_meeting(&input("party", "", " \n ", "  "))),
            [
                ("kind", "meeting-kind-unknown"),
                ("held_on", "meeting-date-needed"),
                ("participants", "meeting-participants-needed"),
                ("key_points", "meeting-key-points-needed"),
            ]
        );
        assert_eq!(
            keys(parse_meeting(&input("information", "18-05-2026", "A", "B"))),
            [("held_on", "meeting-date-invalid")]
        );
        assert_eq!(
            keys(parse_meeting(&input("information", "2026-02-30", "A", "B"))),
            [("held_on", "meeting-date-invalid")]
        );
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(
            keys(parse_meeting(&input("results", "2026-05-18", "A", &long))),
            [("key_points", "feedback-text-long")]
        );
        let name = "n".repeat(MAX_NAME + 1);
        assert_eq!(
            keys(parse_meeting(&input("results", "2026-05-18", &name, "B"))),
            [("participants", "meeting-participants-long")]
        );
    }

    #[test]
    fn an_example_needs_a_results_meeting_a_case_of_the_round_and_consent() {
        use Consent::*;
        assert_eq!(
            keys(check_example(MeetingKind::Results, true, Some(Given), "")),
            []
        );
        for consent in [None, Some(Withdrawn)] {
            assert_eq!(
                keys(check_example(MeetingKind::Results, true, consent, "")),
                [("case", "example-no-consent")],
                "{consent:?}"
            );
        }
        assert_eq!(
            keys(check_example(MeetingKind::Information, false, None, "")),
            [
                ("meeting", "example-results-only"),
                ("case", "example-case-unknown")
            ]
        );
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(
            keys(check_example(
                MeetingKind::Results,
                true,
                Some(Given),
                &long
            )),
            [("note", "feedback-text-long")]
        );
        // The same rule decides what is shown: withdrawn consent hides the example.
        assert!(may_use_as_example(Some(Given)));
        assert!(!may_use_as_example(Some(Withdrawn)));
        assert!(!may_use_as_example(None));
    }

    #[test]
    fn feedback_is_not_rewritten_once_acknowledged() {
        assert_eq!(keys(check_note("Godt arbejde med planen.", false)), []);
        assert_eq!(
            keys(check_note("  ", false)),
            [("body", "note-text-needed")]
        );
        assert_eq!(
            keys(check_note("Ny tekst", true)),
            [("body", "note-acknowledged")]
        );
        assert_eq!(keys(check_answer("")), [("answer", "note-answer-needed")]);
        assert_eq!(keys(check_answer("Tak, det tager jeg med.")), []);
    }

    #[test]
    fn the_caseworker_of_a_case_is_matched_without_case_or_padding() {
        assert!(is_caseworker(Some(" RAADGIVER "), "raadgiver"));
        assert!(!is_caseworker(Some("AB"), "raadgiver"));
        assert!(!is_caseworker(None, "raadgiver"));
    }

    #[test]
    fn statuses_and_codes() {
        assert_eq!(NoteStatus::of(false, false, false), NoteStatus::Missing);
        assert_eq!(NoteStatus::of(true, false, false), NoteStatus::Written);
        assert_eq!(NoteStatus::of(true, true, false), NoteStatus::Acknowledged);
        assert_eq!(NoteStatus::of(true, true, true), NoteStatus::Answered);
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.code()), Some(k));
        }
        assert_eq!(MeetingKind::StopOp.label_key(), "meeting-kind-stop-op");
        assert_eq!(Consent::parse("given"), Some(Consent::Given));
        assert_eq!(Consent::parse("ja"), None);
    }
}
