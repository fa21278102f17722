//! The vocabulary of the audit log: what happened, to what, and how it ended. Rows are
//! append-only; the store enforces that, this module only names things.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    AccessDenied,
    UnitCreated,
    UserCreated,
    UserDisabled,
    UserEnabled,
    PasswordSet,
    RoleGranted,
    RoleRevoked,
    TokenCreated,
    TokenRevoked,
    AuditLogExported,
    DemoSeeded,
    TemplateCreated,
    TemplateDraftCreated,
    TemplateDraftEdited,
    TemplateDraftDiscarded,
    TemplatePublished,
    TemplateRetired,
    CasesImported,
    SampleDrawn,
    /// An extract was checked against the register without importing it.
    CasesChecked,
    /// Case-level data was read: the case register or a sample's cases.
    CasesViewed,
    SampleViewed,
    RoundCreated,
    RoundPlanChanged,
    RoundStateChanged,
    ReviewsAssigned,
    ReviewViewed,
    ReviewSaved,
    ReviewSubmitted,
    ReviewReopened,
    AnswerReconciled,
    EscalationCreated,
    EscalationClosed,
    ReplyAdded,
    AnswersImported,
    ReportCreated,
    ResultsViewed,
    ActionCreated,
    ActionUpdated,
    MeetingRecorded,
    MeetingExampleAdded,
    FeedbackWritten,
    FeedbackAcknowledged,
    FeedbackAnswered,
    ConsentGiven,
    ConsentWithdrawn,
    LearningAuditCreated,
    LearningAuditPanelChanged,
    LearningAuditMaterialAdded,
    LearningAuditMaterialRead,
    LearningAuditNominated,
    LearningAuditMinutesSaved,
    LearningAuditReportMade,
}

impl AuditAction {
    pub const ALL: [AuditAction; 58] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::LoginThrottled,
        AuditAction::Logout,
        AuditAction::AccessDenied,
        AuditAction::UnitCreated,
        AuditAction::UserCreated,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::PasswordSet,
        AuditAction::RoleGranted,
        AuditAction::RoleRevoked,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::AuditLogExported,
        AuditAction::DemoSeeded,
        AuditAction::TemplateCreated,
        AuditAction::TemplateDraftCreated,
        AuditAction::TemplateDraftEdited,
        AuditAction::TemplateDraftDiscarded,
        AuditAction::TemplatePublished,
        AuditAction::TemplateRetired,
        AuditAction::CasesImported,
        AuditAction::SampleDrawn,
        AuditAction::CasesChecked,
        AuditAction::CasesViewed,
        AuditAction::SampleViewed,
        AuditAction::RoundCreated,
        AuditAction::RoundPlanChanged,
        AuditAction::RoundStateChanged,
        AuditAction::ReviewsAssigned,
        AuditAction::ReviewViewed,
        AuditAction::ReviewSaved,
        AuditAction::ReviewSubmitted,
        AuditAction::ReviewReopened,
        AuditAction::AnswerReconciled,
        AuditAction::EscalationCreated,
        AuditAction::EscalationClosed,
        AuditAction::ReplyAdded,
        AuditAction::AnswersImported,
        AuditAction::ReportCreated,
        AuditAction::ResultsViewed,
        AuditAction::ActionCreated,
        AuditAction::ActionUpdated,
        AuditAction::MeetingRecorded,
        AuditAction::MeetingExampleAdded,
        AuditAction::FeedbackWritten,
        AuditAction::FeedbackAcknowledged,
        AuditAction::FeedbackAnswered,
        AuditAction::ConsentGiven,
        AuditAction::ConsentWithdrawn,
        AuditAction::LearningAuditCreated,
        AuditAction::LearningAuditPanelChanged,
        AuditAction::LearningAuditMaterialAdded,
        AuditAction::LearningAuditMaterialRead,
        AuditAction::LearningAuditNominated,
        AuditAction::LearningAuditMinutesSaved,
        AuditAction::LearningAuditReportMade,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "login.succeeded",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::LoginThrottled => "login.throttled",
            AuditAction::Logout => "logout",
            AuditAction::AccessDenied => "access.denied",
            AuditAction::UnitCreated => "unit.created",
            AuditAction::UserCreated => "user.created",
            AuditAction::UserDisabled => "user.disabled",
            AuditAction::UserEnabled => "user.enabled",
            AuditAction::PasswordSet => "user.password_set",
            AuditAction::RoleGranted => "grant.created",
            AuditAction::RoleRevoked => "grant.revoked",
            AuditAction::TokenCreated => "token.created",
            AuditAction::TokenRevoked => "token.revoked",
            AuditAction::AuditLogExported => "audit_log.exported",
            AuditAction::DemoSeeded => "demo.seeded",
            AuditAction::TemplateCreated => "template.created",
            AuditAction::TemplateDraftCreated => "template.draft_created",
            AuditAction::TemplateDraftEdited => "template.draft_edited",
            AuditAction::TemplateDraftDiscarded => "template.draft_discarded",
            AuditAction::TemplatePublished => "template.published",
            AuditAction::TemplateRetired => "template.retired",
            AuditAction::CasesImported => "cases.imported",
            AuditAction::SampleDrawn => "sample.drawn",
            AuditAction::CasesChecked => "cases.checked",
            AuditAction::CasesViewed => "cases.viewed",
            AuditAction::SampleViewed => "sample.viewed",
            AuditAction::RoundCreated => "round.created",
            AuditAction::RoundPlanChanged => "round.plan_changed",
            AuditAction::RoundStateChanged => "round.state_changed",
            AuditAction::ReviewsAssigned => "reviews.assigned",
            AuditAction::ReviewViewed => "review.viewed",
            AuditAction::ReviewSaved => "review.saved",
            AuditAction::ReviewSubmitted => "review.submitted",
            AuditAction::ReviewReopened => "review.reopened",
            AuditAction::AnswerReconciled => "answer.reconciled",
            AuditAction::EscalationCreated => "escalation.created",
            AuditAction::EscalationClosed => "escalation.closed",
            AuditAction::ReplyAdded => "reply.added",
            AuditAction::AnswersImported => "answers.imported",
            AuditAction::ReportCreated => "report.created",
            AuditAction::ResultsViewed => "results.viewed",
            AuditAction::ActionCreated => "action.created",
            AuditAction::ActionUpdated => "action.updated",
            AuditAction::MeetingRecorded => "meeting.recorded",
            AuditAction::MeetingExampleAdded => "meeting.example_added",
            AuditAction::FeedbackWritten => "feedback.written",
            AuditAction::FeedbackAcknowledged => "feedback.acknowledged",
            AuditAction::FeedbackAnswered => "feedback.answered",
            AuditAction::ConsentGiven => "consent.given",
            AuditAction::ConsentWithdrawn => "consent.withdrawn",
            AuditAction::LearningAuditCreated => "learning_audit.created",
            AuditAction::LearningAuditPanelChanged => "learning_audit.panel_changed",
            AuditAction::LearningAuditMaterialAdded => "learning_audit.material_added",
            AuditAction::LearningAuditMaterialRead => "learning_audit.material_read",
            AuditAction::LearningAuditNominated => "learning_audit.nominated",
            AuditAction::LearningAuditMinutesSaved => "learning_audit.minutes_saved",
            AuditAction::LearningAuditReportMade => "learning_audit.report_made",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("audit-action-{}", self.code().replace(['.', '_'], "-"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Success, Outcome::Failure, Outcome::Denied]
            .into_iter()
            .find(|o| o.code() == s)
    }
}

/// Who acted and from where: carried from the edge (request, CLI) into every write.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub user_id: Option<crate::ids::UserId>,
    /// Username at the time, kept so the log stays readable if the account changes.
    pub username: Option<String>,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli(username: Option<String>) -> Self {
        Self {
            user_id: None,
            username,
            client_addr: Some("cli".into()),
            request_id: None,
        }
    }
}

/// One event to append.
#[derive(Clone, Debug)]
pub struct NewAuditEvent {
    pub action: AuditAction,
    pub resource_kind: &'static str,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
    pub details: serde_json_lite::Details,
}

/// Details are a flat list of key/value strings: enough for the log, and no JSON crate in the
/// domain.
pub mod serde_json_lite {
    pub type Details = Vec<(&'static str, String)>;
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_username: Option<String>,
    pub action: String,
    pub resource_kind: String,
    pub resource_id: Option<String>,
    pub outcome: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub details: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub action: Option<AuditAction>,
    pub actor_username: Option<String>,
    pub outcome: Option<Outcome>,
    /// Return events older than this id (paging backwards in time).
    pub before: Option<Uuid>,
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
            assert!(seen.insert(a.code()), "duplicate code {}", a.code());
        }
        assert_eq!(
            AuditAction::LoginFailed.label_key(),
            "audit-action-login-failed"
        );
    }
}
