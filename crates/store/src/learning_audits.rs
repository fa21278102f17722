//! Learning audits: the audit and its indicators, organisations, panel and material, the
//! participants' nominations, and the meeting's minutes and attention points. Every write is
//! audited in its own transaction; material files are read only through
//! [`Store::learning_audit_file`], which logs the read.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::learning_audit::{
    FileType, IndicatorMinutes, MaterialKind, NewAudit, Nomination, PanelRole,
};
use tilsyn_domain::{Problem, UserId};
use uuid::Uuid;

/// An audit as lists show it.
#[derive(Clone, Debug, Serialize)]
pub struct AuditSummary {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub framework: String,
    pub theme: u8,
    pub created_at: DateTime<Utc>,
    pub members: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditIndicator {
    pub code: String,
    pub included: bool,
    pub reason: String,
    pub notes: String,
    pub recommendation: String,
    pub version: i64,
    pub updated_by_name: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditOrganisation {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditMember {
    pub user: UserId,
    pub name: String,
    pub username: String,
    pub organisation: Option<Uuid>,
    pub role: PanelRole,
}

/// A material without its file content.
#[derive(Clone, Debug, Serialize)]
pub struct AuditMaterial {
    pub id: Uuid,
    pub organisation: Uuid,
    pub title: String,
    pub kind: MaterialKind,
    pub reference: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    pub only_indicator: Option<String>,
    pub added_by_name: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// A whole audit: everything but nominations, points and files.
#[derive(Clone, Debug, Serialize)]
pub struct LearningAudit {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub framework: String,
    pub theme: u8,
    pub purpose: String,
    pub questions: Vec<String>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub indicators: Vec<AuditIndicator>,
    pub organisations: Vec<AuditOrganisation>,
    pub members: Vec<AuditMember>,
    pub materials: Vec<AuditMaterial>,
}

impl LearningAudit {
    pub fn member(&self, user: UserId) -> Option<&AuditMember> {
        self.members.iter().find(|m| m.user == user)
    }

    pub fn included(&self) -> Vec<&str> {
        self.indicators
            .iter()
            .filter(|i| i.included)
            .map(|i| i.code.as_str())
            .collect()
    }

    pub fn organisation_name(&self, id: Option<Uuid>) -> &str {
        id.and_then(|id| self.organisations.iter().find(|o| o.id == id))
            .map_or("", |o| o.name.as_str())
    }
}

/// A stored nomination with who made it.
#[derive(Clone, Debug, Serialize)]
pub struct StoredNomination {
    pub user: UserId,
    pub user_name: String,
    pub nomination: Nomination,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AttentionPoint {
    pub id: Uuid,
    pub indicator: String,
    pub heading: String,
    pub point: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A material to add: a reference, a file, or both.
#[derive(Clone, Debug)]
pub struct NewMaterial {
    pub organisation: Uuid,
    pub title: String,
    pub kind: MaterialKind,
    pub reference: String,
    pub file: Option<(String, FileType, Vec<u8>)>,
    pub only_indicator: Option<String>,
}

/// A material's file as it was uploaded.
pub struct MaterialFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn event(action: AuditAction, audit: Uuid, details: Vec<(&'static str, String)>) -> NewAuditEvent {
    NewAuditEvent {
        action,
        resource_kind: "learning_audit",
        resource_id: Some(audit.to_string()),
        outcome: Outcome::Success,
        details,
    }
}

fn bad(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("learning audit {what}").into()))
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    code: String,
    title: String,
    framework: String,
    theme: i64,
    purpose: String,
    questions: String,
    created_by_name: Option<String>,
    created_at: Ts,
}

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    code: String,
    included: bool,
    reason: String,
    notes: String,
    recommendation: String,
    version: i64,
    updated_by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: Uuid,
    full_name: String,
    username: String,
    organisation_id: Option<Uuid>,
    panel_role: String,
}

#[derive(sqlx::FromRow)]
struct MaterialRow {
    id: Uuid,
    organisation_id: Uuid,
    title: String,
    kind: String,
    reference: String,
    file_name: Option<String>,
    content_type: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
    only_indicator: Option<String>,
    added_by_name: Option<String>,
    added_at: Ts,
}

#[derive(sqlx::FromRow)]
struct NominationRow {
    user_id: Uuid,
    full_name: String,
    indicator: String,
    material_id: Uuid,
    excerpt: String,
    answers: String,
    updated_at: Ts,
}

#[derive(sqlx::FromRow)]
struct PointRow {
    id: Uuid,
    indicator: String,
    heading: String,
    point: String,
    created_by_name: Option<String>,
    created_at: Ts,
}

impl Store {
    /// Creates an audit with every indicator of its theme (included or left out with the
    /// reason); the caller has checked it ([`tilsyn_domain::learning_audit::check_new`]).
    /// A code in use is refused as a field error.
    pub async fn create_learning_audit(
        &self,
        actor: &Actor,
        by: &str,
        a: &NewAudit,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let questions: Vec<&str> = a
            .questions
            .iter()
            .map(|q| q.trim())
            .filter(|q| !q.is_empty())
            .collect();
        let questions = serde_json::to_string(&questions).map_err(|_| bad("questions"))?;
        let mut tx = self.begin().await?;
        let inserted = on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audits (id, code, title, framework, theme, purpose, questions, \
             created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id).bind(a.code.trim()).bind(a.title.trim()).bind(&a.framework)
            .bind(i64::from(a.theme)).bind(a.purpose.trim()).bind(&questions).bind(by)
            .bind(Ts::now()).execute(conn).await.map(|_| ()));
        if let Err(e) = inserted {
            let e = if StoreError::is_unique_violation(&e) {
                StoreError::Invalid(Problem::one("code", "la-code-taken"))
            } else {
                e.into()
            };
            return tx.fail(e).await;
        }
        for (pos, i) in a.indicators.iter().enumerate() {
            on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO learning_audit_indicators (audit_id, code, position, included, reason) \
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(&i.code).bind(pos as i64).bind(i.included)
                .bind(if i.included { "" } else { i.reason.trim() })
                .execute(conn).await.map(|_| ()))?;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditCreated,
                id,
                vec![("code", a.code.trim().to_owned())],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Audits, newest first; with `member`, only those the person is on the panel of.
    pub async fn learning_audits(
        &self,
        member: Option<UserId>,
    ) -> Result<Vec<AuditSummary>, StoreError> {
        type R = (Uuid, String, String, String, i64, Ts, i64);
        let rows: Vec<R> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT a.id, a.code, a.title, a.framework, CAST(a.theme AS BIGINT), a.created_at, \
             (SELECT COUNT(*) FROM learning_audit_members m WHERE m.audit_id = a.id) \
             FROM learning_audits a \
             WHERE CAST($1 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM learning_audit_members m \
               WHERE m.audit_id = a.id AND m.user_id = $2) \
             ORDER BY a.created_at DESC")
            .bind(member.map(|m| m.0.to_string())).bind(member.map(|m| m.0))
            .fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditSummary {
                id: r.0,
                code: r.1,
                title: r.2,
                framework: r.3,
                theme: u8::try_from(r.4).unwrap_or(0),
                created_at: r.5.0,
                members: r.6,
            })
            .collect())
    }

    /// One audit by its code, with indicators, organisations, panel and material.
    pub async fn learning_audit(&self, code: &str) -> Result<LearningAudit, StoreError> {
        let row: Option<AuditRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, code, title, framework, CAST(theme AS BIGINT) AS theme, purpose, \
             questions, created_by_name, created_at FROM learning_audits WHERE code = $1")
            .bind(code.trim()).fetch_optional(pool).await)?;
        let a = row.ok_or(StoreError::NotFound)?;
        let id = a.id;
        let (indicators, organisations, members, materials) = tokio::try_join!(
            async {
                let r: Vec<IndicatorRow> = on_db!(&self.db, pool => sqlx::query_as(
                    "SELECT code, included, reason, notes, recommendation, \
                     CAST(version AS BIGINT) AS version, updated_by_name \
                     FROM learning_audit_indicators WHERE audit_id = $1 ORDER BY position")
                    .bind(id).fetch_all(pool).await)?;
                Ok::<_, StoreError>(r)
            },
            async {
                let r: Vec<(Uuid, String)> = on_db!(&self.db, pool => sqlx::query_as(
                    "SELECT id, name FROM learning_audit_organisations WHERE audit_id = $1 \
                     ORDER BY position")
                    .bind(id).fetch_all(pool).await)?;
                Ok::<_, StoreError>(r)
            },
            async {
                let r: Vec<MemberRow> = on_db!(&self.db, pool => sqlx::query_as(
                    "SELECT m.user_id, u.full_name, u.username, m.organisation_id, m.panel_role \
                     FROM learning_audit_members m JOIN users u ON u.id = m.user_id \
                     LEFT JOIN learning_audit_organisations o ON o.id = m.organisation_id \
                     WHERE m.audit_id = $1 \
                     ORDER BY CASE WHEN o.position IS NULL THEN -1 ELSE o.position END, \
                     u.full_name")
                    .bind(id).fetch_all(pool).await)?;
                Ok::<_, StoreError>(r)
            },
            async {
                let r: Vec<MaterialRow> = on_db!(&self.db, pool => sqlx::query_as(
                    "SELECT m.id, m.organisation_id, m.title, m.kind, m.reference, m.file_name, \
                     m.content_type, CAST(m.size AS BIGINT) AS size, m.sha256, m.only_indicator, \
                     m.added_by_name, m.added_at FROM learning_audit_materials m \
                     JOIN learning_audit_organisations o ON o.id = m.organisation_id \
                     WHERE m.audit_id = $1 ORDER BY o.position, m.added_at, m.title")
                    .bind(id).fetch_all(pool).await)?;
                Ok::<_, StoreError>(r)
            },
        )?;
        Ok(LearningAudit {
            id,
            code: a.code,
            title: a.title,
            framework: a.framework,
            theme: u8::try_from(a.theme).map_err(|_| bad("theme"))?,
            purpose: a.purpose,
            questions: serde_json::from_str(&a.questions).map_err(|_| bad("questions"))?,
            created_by_name: a.created_by_name,
            created_at: a.created_at.0,
            indicators: indicators
                .into_iter()
                .map(|i| AuditIndicator {
                    code: i.code,
                    included: i.included,
                    reason: i.reason,
                    notes: i.notes,
                    recommendation: i.recommendation,
                    version: i.version,
                    updated_by_name: i.updated_by_name,
                })
                .collect(),
            organisations: organisations
                .into_iter()
                .map(|(id, name)| AuditOrganisation { id, name })
                .collect(),
            members: members
                .into_iter()
                .map(|m| {
                    Ok(AuditMember {
                        user: UserId(m.user_id),
                        name: m.full_name,
                        username: m.username,
                        organisation: m.organisation_id,
                        role: PanelRole::parse(&m.panel_role).ok_or_else(|| bad("role"))?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            materials: materials
                .into_iter()
                .map(|m| {
                    Ok(AuditMaterial {
                        id: m.id,
                        organisation: m.organisation_id,
                        title: m.title,
                        kind: MaterialKind::parse(&m.kind).ok_or_else(|| bad("kind"))?,
                        reference: m.reference,
                        file_name: m.file_name,
                        content_type: m.content_type,
                        size: m.size,
                        sha256: m.sha256,
                        only_indicator: m.only_indicator,
                        added_by_name: m.added_by_name,
                        added_at: m.added_at.0,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    /// Adds a participating organisation; a name the audit already has is refused.
    pub async fn add_audit_organisation(
        &self,
        actor: &Actor,
        audit: Uuid,
        name: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        let r = on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audit_organisations (id, audit_id, name, position) \
             VALUES ($1, $2, $3, (SELECT COUNT(*) FROM learning_audit_organisations WHERE audit_id = $2))")
            .bind(id).bind(audit).bind(name.trim()).execute(conn).await.map(|_| ()));
        if let Err(e) = r {
            let e = if StoreError::is_unique_violation(&e) {
                StoreError::Invalid(Problem::one("name", "la-organisation-taken"))
            } else {
                e.into()
            };
            return tx.fail(e).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditPanelChanged,
                audit,
                vec![("organisation", name.trim().to_owned())],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Puts a person on the panel with a role (or changes their role and organisation).
    pub async fn set_audit_member(
        &self,
        actor: &Actor,
        audit: Uuid,
        user: UserId,
        organisation: Option<Uuid>,
        role: PanelRole,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audit_members (audit_id, user_id, organisation_id, panel_role) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (audit_id, user_id) DO UPDATE SET \
             organisation_id = excluded.organisation_id, panel_role = excluded.panel_role")
            .bind(audit).bind(user.0).bind(organisation).bind(role.code())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditPanelChanged,
                audit,
                vec![
                    ("member", user.0.to_string()),
                    ("panel_role", role.code().to_owned()),
                ],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Adds a material; a file is kept in the database with its checksum.
    pub async fn add_audit_material(
        &self,
        actor: &Actor,
        by: &str,
        audit: Uuid,
        m: &NewMaterial,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let (file_name, content_type, size, sha, content) = match &m.file {
            Some((name, kind, bytes)) => (
                Some(name.clone()),
                Some(kind.content_type()),
                Some(bytes.len() as i64),
                Some(format!("{:x}", Sha256::digest(bytes))),
                Some(bytes.as_slice()),
            ),
            None => (None, None, None, None, None),
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audit_materials (id, audit_id, organisation_id, title, kind, \
             reference, file_name, content_type, size, sha256, content, only_indicator, \
             added_by_name, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
            .bind(id).bind(audit).bind(m.organisation).bind(m.title.trim()).bind(m.kind.code())
            .bind(m.reference.trim()).bind(&file_name).bind(content_type).bind(size)
            .bind(&sha).bind(content).bind(&m.only_indicator).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        let mut details = vec![("material", id.to_string())];
        if let Some(s) = sha {
            details.push(("sha256", s));
        }
        record(
            &mut tx,
            actor,
            event(AuditAction::LearningAuditMaterialAdded, audit, details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A material's file, the read logged first: without a log entry nobody gets the file.
    pub async fn learning_audit_file(
        &self,
        actor: &Actor,
        audit: Uuid,
        material: Uuid,
    ) -> Result<MaterialFile, StoreError> {
        type R = (Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<R> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT file_name, content_type, content FROM learning_audit_materials \
             WHERE id = $1 AND audit_id = $2")
            .bind(material).bind(audit).fetch_optional(pool).await)?;
        let (Some(file_name), Some(content_type), Some(bytes)) = row.ok_or(StoreError::NotFound)?
        else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.begin().await?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditMaterialRead,
                audit,
                vec![("material", material.to_string())],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(MaterialFile {
            file_name,
            content_type,
            bytes,
        })
    }

    /// Every nomination of the audit, by indicator and then in the order they were made.
    pub async fn audit_nominations(
        &self,
        audit: Uuid,
    ) -> Result<Vec<StoredNomination>, StoreError> {
        let rows: Vec<NominationRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT n.user_id, u.full_name, n.indicator, n.material_id, n.excerpt, n.answers, \
             n.updated_at FROM learning_audit_nominations n JOIN users u ON u.id = n.user_id \
             WHERE n.audit_id = $1 ORDER BY n.indicator, n.updated_at, u.full_name")
            .bind(audit).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredNomination {
                    user: UserId(r.user_id),
                    user_name: r.full_name,
                    nomination: Nomination {
                        indicator: r.indicator,
                        material: Some(r.material_id),
                        excerpt: r.excerpt,
                        answers: serde_json::from_str(&r.answers).map_err(|_| bad("answers"))?,
                    },
                    updated_at: r.updated_at.0,
                })
            })
            .collect()
    }

    /// Saves a participant's nomination for an indicator (replacing their earlier one for it);
    /// the caller has checked it ([`tilsyn_domain::learning_audit::check_nomination`]).
    pub async fn save_nomination(
        &self,
        actor: &Actor,
        audit: Uuid,
        user: UserId,
        n: &Nomination,
    ) -> Result<(), StoreError> {
        let material = n.material.ok_or(StoreError::Invalid(Problem::one(
            "material",
            "la-material-choose",
        )))?;
        let answers: Vec<&str> = n.answers.iter().map(|a| a.trim()).collect();
        let answers = serde_json::to_string(&answers).map_err(|_| bad("answers"))?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audit_nominations (audit_id, user_id, indicator, material_id, \
             excerpt, answers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (audit_id, user_id, indicator) DO UPDATE SET \
             material_id = excluded.material_id, excerpt = excluded.excerpt, \
             answers = excluded.answers, updated_at = excluded.updated_at")
            .bind(audit).bind(user.0).bind(&n.indicator).bind(material)
            .bind(n.excerpt.trim()).bind(&answers).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditNominated,
                audit,
                vec![
                    ("indicator", n.indicator.clone()),
                    ("material", material.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Saves the meeting's notes and recommendation for an indicator as seen at `version`; a
    /// save made on an older version is refused (`Conflict("la-minutes-changed")`).
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        by: &str,
        audit: Uuid,
        indicator: &str,
        version: i64,
        m: &IndicatorMinutes,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE learning_audit_indicators SET notes = $4, recommendation = $5, \
             version = version + 1, updated_by_name = $6 \
             WHERE audit_id = $1 AND code = $2 AND version = $3 AND included")
            .bind(audit).bind(indicator).bind(version).bind(m.notes.trim())
            .bind(m.recommendation.trim()).bind(by)
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            let exists: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
                "SELECT CAST(version AS BIGINT) FROM learning_audit_indicators \
                 WHERE audit_id = $1 AND code = $2 AND included")
                .bind(audit).bind(indicator).fetch_optional(conn).await)?;
            let e = match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict("la-minutes-changed"),
            };
            return tx.fail(e).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditMinutesSaved,
                audit,
                vec![("indicator", indicator.to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Adds an attention point under a heading for an included indicator.
    pub async fn add_attention_point(
        &self,
        actor: &Actor,
        by: &str,
        audit: Uuid,
        indicator: &str,
        heading: &str,
        point: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO learning_audit_points (id, audit_id, indicator, heading, point, \
             created_by_name, created_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
             WHERE EXISTS (SELECT 1 FROM learning_audit_indicators \
               WHERE audit_id = $2 AND code = $3 AND included)")
            .bind(id).bind(audit).bind(indicator).bind(heading.trim()).bind(point.trim())
            .bind(by).bind(Ts::now()).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return tx.fail(StoreError::NotFound).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::LearningAuditMinutesSaved,
                audit,
                vec![
                    ("indicator", indicator.to_owned()),
                    ("point", id.to_string()),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn attention_points(&self, audit: Uuid) -> Result<Vec<AttentionPoint>, StoreError> {
        let rows: Vec<PointRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, indicator, heading, point, created_by_name, created_at \
             FROM learning_audit_points WHERE audit_id = $1 ORDER BY created_at, id")
            .bind(audit).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| AttentionPoint {
                id: r.id,
                indicator: r.indicator,
                heading: r.heading,
                point: r.point,
                created_by_name: r.created_by_name,
                created_at: r.created_at.0,
            })
            .collect())
    }

    /// Logs that an audit report was made (the PDF itself is made again from the data).
    pub async fn log_audit_report(&self, actor: &Actor, audit: Uuid) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        record(
            &mut tx,
            actor,
            event(AuditAction::LearningAuditReportMade, audit, vec![]),
        )
        .await?;
        tx.commit().await
    }
}
