//! Follow-up actions (tiltag): what a round (or later a learning audit) decided to change, who
//! owns it, by when, and whether it was done. A status is changed, never erased: dropping an
//! action takes a reason, finishing it takes a note on what shows it is done.

use crate::error::{FieldError, Problem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest description, reason or evidence note (a paragraph, not a document).
pub const MAX_TEXT: usize = 2000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// planlagt
    #[default]
    Planned,
    /// i gang
    InProgress,
    /// udført
    Done,
    /// opgivet
    Dropped,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Planned,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Dropped,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    /// Still to be done: planned or under way.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }
}

/// An open action past its due date. The due date itself is the last day to do it.
pub fn is_overdue(status: ActionStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status.is_open() && due < today
}

/// What an action is about, beyond its round: all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLinks {
    /// Question keys of the round's template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Section (pejlemærke, sagsskridt) keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<String>,
    /// Unit names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
    /// A recommendation (of a learning audit, or the national ones) in words or by code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recommendation: String,
    /// An escalation of the round the action answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<uuid::Uuid>,
}

/// A new action as entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAction {
    pub description: String,
    pub due: NaiveDate,
    pub links: ActionLinks,
    /// Review the linked questions again in a later round.
    pub reaudit: bool,
}

/// Checks a new action; `known_items` and `known_sections` are the round template's keys.
pub fn check_new(
    a: &NewAction,
    today: NaiveDate,
    known_items: &[&str],
    known_sections: &[&str],
) -> Result<(), Problem> {
    let mut p = Problem::default();
    text(&mut p, "description", &a.description, true);
    if a.due < today {
        p.push(FieldError::new("due", "action-due-past"));
    }
    if a.links
        .items
        .iter()
        .any(|i| !known_items.contains(&i.as_str()))
    {
        p.push(FieldError::new("items", "action-unknown-item"));
    }
    if a.links
        .sections
        .iter()
        .any(|s| !known_sections.contains(&s.as_str()))
    {
        p.push(FieldError::new("sections", "action-unknown-section"));
    }
    if a.reaudit && a.links.items.is_empty() && a.links.sections.is_empty() {
        p.push(FieldError::new("reaudit", "action-reaudit-needs-items"));
    }
    if a.links.recommendation.chars().count() > MAX_TEXT {
        p.push(FieldError::new("recommendation", "action-text-long"));
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// A change of status as entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub status: ActionStatus,
    pub reason: String,
    pub evidence: String,
}

/// Checks a change of status from `from`. Dropping takes a reason, and so does reopening a
/// finished action; finishing takes an evidence note (what shows it was done: tracking
/// actions to completion is what makes an audit change practice, domain.md § 4.4).
pub fn check_change(from: ActionStatus, c: &StatusChange) -> Result<(), Problem> {
    let mut p = Problem::default();
    text(&mut p, "reason", &c.reason, false);
    text(&mut p, "evidence", &c.evidence, false);
    let reason = !c.reason.trim().is_empty();
    match c.status {
        ActionStatus::Dropped if !reason => {
            p.push(FieldError::new("reason", "action-reason-needed"))
        }
        ActionStatus::Done if c.evidence.trim().is_empty() => {
            p.push(FieldError::new("evidence", "action-evidence-needed"))
        }
        s if s.is_open() && !from.is_open() && !reason => {
            p.push(FieldError::new("reason", "action-reopen-reason"))
        }
        _ => {}
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

fn text(p: &mut Problem, field: &'static str, v: &str, required: bool) {
    if required && v.trim().is_empty() {
        p.push(FieldError::new(field, "action-text-needed"));
    } else if v.chars().count() > MAX_TEXT {
        p.push(FieldError::new(field, "action-text-long"));
    }
}

/// How many actions are in each status, and how many open ones are overdue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub planned: u64,
    pub in_progress: u64,
    pub done: u64,
    pub dropped: u64,
    pub overdue: u64,
}

impl StatusCounts {
    pub fn of(
        actions: impl IntoIterator<Item = (ActionStatus, NaiveDate)>,
        today: NaiveDate,
    ) -> StatusCounts {
        let mut c = StatusCounts::default();
        for (s, due) in actions {
            *match s {
                ActionStatus::Planned => &mut c.planned,
                ActionStatus::InProgress => &mut c.in_progress,
                ActionStatus::Done => &mut c.done,
                ActionStatus::Dropped => &mut c.dropped,
            } += 1;
            if is_overdue(s, due, today) {
                c.overdue += 1;
            }
        }
        c
    }

    pub fn total(&self) -> u64 {
        self.planned + self.in_progress + self.done + self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn new(desc: &str, due: &str) -> NewAction {
        NewAction {
            description: desc.into(),
            due: d(due),
            links: ActionLinks::default(),
            reaudit: false,
        }
    }

    fn change(s: ActionStatus, reason: &str, evidence: &str) -> StatusChange {
        StatusChange {
            status: s,
            reason: reason.into(),
            evidence: evidence.into(),
        }
    }

    fn keys(r: Result<(), Problem>) -> Vec<(&'static str, &'static str)> {
        r.err()
            .map(|p| p.0.into_iter().map(|e| (e.field, e.key)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn overdue_is_open_and_past_the_due_day() {
        let today = d("2026-11-23");
        assert!(!is_overdue(ActionStatus::Planned, d("2026-11-23"), today));
        assert!(is_overdue(ActionStatus::Planned, d("2026-11-22"), today));
        assert!(is_overdue(ActionStatus::InProgress, d("2026-01-01"), today));
        assert!(!is_overdue(ActionStatus::Done, d("2026-01-01"), today));
        assert!(!is_overdue(ActionStatus::Dropped, d("2026-01-01"), today));
    }

    #[test]
    fn a_new_action_needs_a_description_and_a_due_date_not_past() {
        let today = d("2026-11-23");
        assert_eq!(
            keys(check_new(
                &new("Brug tjeklisten", "2026-11-23"),
                today,
                &[],
                &[]
            )),
            []
        );
        assert_eq!(
            keys(check_new(&new("  ", "2026-11-22"), today, &[], &[])),
            [
                ("description", "action-text-needed"),
                ("due", "action-due-past")
            ]
        );
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(
            keys(check_new(&new(&long, "2027-01-01"), today, &[], &[])),
            [("description", "action-text-long")]
        );
    }

    #[test]
    fn links_must_name_the_rounds_own_questions_and_reaudit_needs_some() {
        let today = d("2026-11-23");
        let mut a = new("Genmål børnesamtalen", "2027-03-01");
        a.reaudit = true;
        assert_eq!(
            keys(check_new(&a, today, &["q1"], &["s1"])),
            [("reaudit", "action-reaudit-needs-items")]
        );
        a.links.items = vec!["q1".into(), "q9".into()];
        a.links.sections = vec!["s2".into()];
        assert_eq!(
            keys(check_new(&a, today, &["q1"], &["s1"])),
            [
                ("items", "action-unknown-item"),
                ("sections", "action-unknown-section")
            ]
        );
        a.links.items.pop();
        a.links.sections = vec!["s1".into()];
        assert_eq!(keys(check_new(&a, today, &["q1"], &["s1"])), []);
    }

    #[test]
    fn dropping_needs_a_reason_finishing_needs_evidence_reopening_a_reason() {
        use ActionStatus::*;
        assert_eq!(keys(check_change(Planned, &change(InProgress, "", ""))), []);
        assert_eq!(
            keys(check_change(Planned, &change(Dropped, " ", ""))),
            [("reason", "action-reason-needed")]
        );
        assert_eq!(
            keys(check_change(Planned, &change(Dropped, "Ny lovgivning", ""))),
            []
        );
        assert_eq!(
            keys(check_change(InProgress, &change(Done, "", ""))),
            [("evidence", "action-evidence-needed")]
        );
        assert_eq!(
            keys(check_change(InProgress, &change(Done, "", "Referat 3/3"))),
            []
        );
        assert_eq!(
            keys(check_change(Done, &change(InProgress, "", ""))),
            [("reason", "action-reopen-reason")]
        );
        assert_eq!(
            keys(check_change(Dropped, &change(Planned, "Alligevel", ""))),
            []
        );
    }

    #[test]
    fn counts_by_status_and_overdue() {
        let today = d("2026-11-23");
        let c = StatusCounts::of(
            [
                (ActionStatus::Planned, d("2026-11-01")),
                (ActionStatus::Planned, d("2026-12-01")),
                (ActionStatus::InProgress, d("2026-10-01")),
                (ActionStatus::Done, d("2026-10-01")),
                (ActionStatus::Dropped, d("2026-10-01")),
            ],
            today,
        );
        assert_eq!(
            c,
            StatusCounts {
                planned: 2,
                in_progress: 1,
                done: 1,
                dropped: 1,
                overdue: 2
            }
        );
        assert_eq!(c.total(), 5);
        assert_eq!(
            ActionStatus::parse("in_progress"),
            Some(ActionStatus::InProgress)
        );
        assert_eq!(ActionStatus::parse("udført"), None);
    }
}
