//! What a person can do to the organisation, each as one function that asks the policy,
//! parses the input and calls the store. Pages and the API both call these, so a rule is
//! enforced the same way whichever door is used.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::Deserialize;
use tilsyn_domain::audit::{AuditAction, AuditEvent, AuditFilter, Outcome};
use tilsyn_domain::org::{
    FullName, Grant, NewPassword, OrgTree, Unit, UnitKind, UnitName, User, Username,
};
use tilsyn_domain::policy::Action;
use tilsyn_domain::{GrantId, Problem, Role, UnitId, UserId};
use tilsyn_store::Store;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewUnitInput {
    /// Id of the unit the new unit sits below.
    #[serde(default)]
    pub parent_id: String,
    /// administration | department | unit | team
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewUserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    /// At least 10 characters. Leave out for an account that cannot sign in with a password yet.
    #[serde(default)]
    pub password: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewGrantInput {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit_id: String,
}

fn parse_id<T: std::str::FromStr>(
    field: &'static str,
    key: &'static str,
    s: &str,
) -> Result<T, tilsyn_domain::FieldError> {
    s.trim()
        .parse::<T>()
        .map_err(|_| tilsyn_domain::FieldError::new(field, key))
}

pub async fn organisation(store: &Store, ctx: &Ctx) -> AppResult<(OrgTree, Vec<User>, Vec<Grant>)> {
    let who = ctx.authorize(&Action::ViewOrganisation).await?;
    let tree = who.tree.clone();
    let users = store.list_users().await?;
    let grants = store.list_grants().await?;
    Ok((tree, users, grants))
}

pub async fn create_unit(store: &Store, ctx: &Ctx, input: &NewUnitInput) -> AppResult<Unit> {
    let who = ctx.authorize(&Action::ViewOrganisation).await?;
    let mut p = Problem::default();
    let parent: Option<UnitId> = p.take(parse_id(
        "parent_id",
        "err-unit-parent-unknown",
        &input.parent_id,
    ));
    let kind = p.take(UnitKind::parse(&input.kind));
    let name = p.take(UnitName::parse(&input.name));
    let tree = &who.tree;
    let path = parent.and_then(|id| tree.path(id));
    if parent.is_some() && path.is_none() {
        p.push(tilsyn_domain::FieldError::new(
            "parent_id",
            "err-unit-parent-unknown",
        ));
    }
    if let Some(path) = &path {
        ctx.authorize(&Action::CreateUnit { parent: path }).await?;
    }
    p.clone().into_result()?;
    let (Some(path), Some(kind), Some(name)) = (path, kind, name) else {
        return Err(AppError::Invalid(p));
    };
    Ok(store
        .create_unit(&ctx.actor(), path.id, kind, &name)
        .await?)
}

pub async fn create_user(store: &Store, ctx: &Ctx, input: &NewUserInput) -> AppResult<User> {
    ctx.authorize(&Action::CreateUser).await?;
    let mut p = Problem::default();
    let username = p.take(Username::parse(&input.username));
    let full_name = p.take(FullName::parse(&input.full_name));
    let password = if input.password.is_empty() {
        None
    } else {
        p.take(NewPassword::parse(&input.password))
    };
    p.clone().into_result()?;
    let (Some(username), Some(full_name)) = (username, full_name) else {
        return Err(AppError::Invalid(p));
    };
    Ok(store
        .create_user(&ctx.actor(), &username, &full_name, password.as_ref())
        .await?)
}

pub async fn grant_role(
    store: &Store,
    ctx: &Ctx,
    user: UserId,
    input: &NewGrantInput,
) -> AppResult<Grant> {
    let who = ctx.authorize(&Action::ViewOrganisation).await?;
    store.get_user(user).await?;
    let mut p = Problem::default();
    let role = p.take(Role::parse(&input.role));
    let unit: Option<UnitId> = p.take(parse_id("unit_id", "err-unit-unknown", &input.unit_id));
    let tree = &who.tree;
    let path = unit.and_then(|u| tree.path(u));
    if unit.is_some() && path.is_none() {
        p.push(tilsyn_domain::FieldError::new(
            "unit_id",
            "err-unit-unknown",
        ));
    }
    if let Some(path) = &path {
        ctx.authorize(&Action::ChangeGrant { unit: path }).await?;
    }
    p.clone().into_result()?;
    let (Some(role), Some(path)) = (role, path) else {
        return Err(AppError::Invalid(p));
    };
    Ok(store.grant_role(&ctx.actor(), user, role, path.id).await?)
}

pub async fn revoke_grant(
    store: &Store,
    ctx: &Ctx,
    user: UserId,
    grant: GrantId,
) -> AppResult<Grant> {
    let who = ctx.authorize(&Action::ViewOrganisation).await?;
    let g = store.get_grant(grant).await?;
    if g.user_id != user {
        return Err(AppError::NotFound);
    }
    let tree = &who.tree;
    let path = tree.path(g.unit_id).ok_or(AppError::NotFound)?;
    ctx.authorize(&Action::ChangeGrant { unit: &path }).await?;
    store.revoke_grant(&ctx.actor(), &g).await?;
    Ok(g)
}

pub async fn set_user_disabled(
    store: &Store,
    ctx: &Ctx,
    user: UserId,
    disabled: bool,
) -> AppResult<()> {
    let who = ctx.authorize(&Action::ViewOrganisation).await?;
    let grants = store.grants_of(user).await?;
    store.get_user(user).await?;
    let tree = &who.tree;
    let units: Vec<_> = grants.iter().filter_map(|g| tree.path(g.unit_id)).collect();
    ctx.authorize(&Action::ChangeUserStatus {
        target: user,
        target_units: &units,
    })
    .await?;
    Ok(store
        .set_user_disabled(&ctx.actor(), user, disabled)
        .await?)
}

/// Filter as typed into the audit page or the API query string.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Action code, e.g. `login.failed`.
    #[serde(default)]
    pub action: String,
    /// Username of the person who acted.
    #[serde(default)]
    pub actor: String,
    /// success | failure | denied
    #[serde(default)]
    pub outcome: String,
    /// First day, yyyy-mm-dd (Danish time).
    #[serde(default)]
    pub since: String,
    /// Last day, inclusive, yyyy-mm-dd (Danish time).
    #[serde(default)]
    pub until: String,
    /// Id of the last event on the previous page.
    #[serde(default)]
    pub before: String,
}

/// Start of a calendar day in Danish time, as UTC.
pub fn danish_day_start(d: NaiveDate) -> chrono::DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Midnight always exists in Copenhagen (the clocks change at 02:00/03:00).
    match Copenhagen.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&midnight),
    }
}

/// A time as Danish wall-clock text, for pages.
pub fn danish_time(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl AuditQuery {
    pub fn to_filter(&self, limit: u32) -> Result<AuditFilter, Problem> {
        let mut p = Problem::default();
        let date = |field: &'static str,
                    s: &str|
         -> Result<Option<NaiveDate>, tilsyn_domain::FieldError> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            // Years outside this range are typing mistakes, and past 9999 the engines would
            // also disagree on how to compare them.
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| (1970..=9998).contains(&d.year()))
                .map(Some)
                .ok_or(tilsyn_domain::FieldError::new(field, "err-date-invalid"))
        };
        let since = p.take(date("since", &self.since)).flatten();
        let until = p.take(date("until", &self.until)).flatten();
        let action = if self.action.trim().is_empty() {
            None
        } else {
            let a = AuditAction::parse(self.action.trim());
            if a.is_none() {
                p.push(tilsyn_domain::FieldError::new(
                    "action",
                    "err-action-unknown",
                ));
            }
            a
        };
        let outcome = if self.outcome.trim().is_empty() {
            None
        } else {
            let o = Outcome::parse(self.outcome.trim());
            if o.is_none() {
                p.push(tilsyn_domain::FieldError::new(
                    "outcome",
                    "err-outcome-unknown",
                ));
            }
            o
        };
        let before = if self.before.trim().is_empty() {
            None
        } else {
            p.take(parse_id("before", "err-id-invalid", &self.before))
        };
        let actor = self.actor.trim().to_lowercase();
        if actor.chars().count() > 200 || actor.chars().any(char::is_control) {
            p.push(tilsyn_domain::FieldError::new("actor", "err-actor-invalid"));
        }
        p.into_result()?;
        Ok(AuditFilter {
            since: since.map(danish_day_start),
            until: until.and_then(|d| d.succ_opt()).map(danish_day_start),
            action,
            actor_username: Some(actor).filter(|s| !s.is_empty()),
            outcome,
            before,
            limit,
        })
    }
}

pub async fn audit_events(
    store: &Store,
    ctx: &Ctx,
    q: &AuditQuery,
    limit: u32,
) -> AppResult<Vec<AuditEvent>> {
    ctx.authorize(&Action::ViewAuditLog).await?;
    let filter = q.to_filter(limit)?;
    Ok(store.list_audit_events(&filter).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_days_start_at_local_midnight() {
        let winter = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        assert_eq!(
            danish_day_start(winter).to_rfc3339(),
            "2026-01-14T23:00:00+00:00"
        );
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
        assert_eq!(
            danish_day_start(summer).to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
        // 2026: summer time from Sunday 29 March to Sunday 25 October
        let switch_on = NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
        assert_eq!(
            danish_day_start(switch_on).to_rfc3339(),
            "2026-03-28T23:00:00+00:00"
        );
        let after = NaiveDate::from_ymd_opt(2026, 3, 30).expect("date");
        assert_eq!(
            danish_day_start(after).to_rfc3339(),
            "2026-03-29T22:00:00+00:00"
        );
        let back = NaiveDate::from_ymd_opt(2026, 10, 26).expect("date");
        assert_eq!(
            danish_day_start(back).to_rfc3339(),
            "2026-10-25T23:00:00+00:00"
        );
    }

    #[test]
    fn times_are_shown_in_danish_wall_clock() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z")
            .expect("t")
            .to_utc();
        assert_eq!(danish_time(t), "2026-07-01 12:00:00");
        let w = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .expect("t")
            .to_utc();
        assert_eq!(danish_time(w), "2026-12-01 11:00:00");
    }

    #[test]
    fn audit_query_reports_every_bad_field() {
        let far = AuditQuery {
            until: "9999-12-31".into(),
            actor: "a\u{0}".into(),
            ..Default::default()
        };
        let p = far.to_filter(10).expect_err("invalid");
        assert_eq!(
            p.0.iter().map(|e| e.field).collect::<Vec<_>>(),
            vec!["until", "actor"]
        );
        let q = AuditQuery {
            since: "31-01-2026".into(),
            action: "nope".into(),
            outcome: "maybe".into(),
            ..Default::default()
        };
        let p = q.to_filter(10).expect_err("invalid");
        let fields: Vec<_> = p.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["since", "action", "outcome"]);
        let ok = AuditQuery {
            until: "2026-01-31".into(),
            actor: " Admin ".into(),
            ..Default::default()
        }
        .to_filter(10)
        .expect("valid");
        assert_eq!(ok.actor_username.as_deref(), Some("admin"));
        assert_eq!(
            ok.until.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-01-31T23:00:00+00:00")
        );
    }
}
