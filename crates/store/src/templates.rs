//! Templates and their versions. A version's content is stored whole, as the JSON of the file
//! format, so export → import is exact; items and legal references are indexed beside it for
//! listing and search. Published versions are frozen by triggers as well as by these checks.

use crate::Store;
use crate::audit::record;
use crate::db::{Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::template::edit::Edit;
use tilsyn_domain::template::{
    ContentError, FILE_SCHEMA, ItemKind, TemplateContent, TemplateFile, TemplateKind, VersionStatus,
};
use uuid::Uuid;

/// Another version, named the way people refer to it: template key and number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionRef {
    pub id: Uuid,
    pub template_key: String,
    pub number: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VersionMeta {
    pub id: Uuid,
    pub template_id: Uuid,
    pub template_key: String,
    pub kind: TemplateKind,
    pub locked: bool,
    pub number: i32,
    pub status: VersionStatus,
    pub title: String,
    pub content_sha256: String,
    pub parent: Option<VersionRef>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl VersionMeta {
    pub fn editable(&self) -> bool {
        self.status == VersionStatus::Draft && !self.locked
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TemplateVersion {
    pub meta: VersionMeta,
    pub content: TemplateContent,
}

/// A template with all its versions, newest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TemplateSummary {
    pub key: String,
    pub kind: TemplateKind,
    pub locked: bool,
    /// The title of the newest version.
    pub title: String,
    /// The version this template was copied from.
    pub copied_from: Option<VersionRef>,
    pub versions: Vec<VersionMeta>,
}

impl TemplateSummary {
    pub fn latest_published(&self) -> Option<&VersionMeta> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Published)
    }

    pub fn draft(&self) -> Option<&VersionMeta> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Draft)
    }
}

/// One item found by a search, with where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemHit {
    pub template_key: String,
    pub version: i32,
    pub status: VersionStatus,
    pub item_key: String,
    pub text_da: String,
    pub section_key: String,
    pub scale_kind: String,
    pub theme_spot: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ItemQuery {
    /// Words in the key, text, help or criteria.
    pub text: Option<String>,
    /// A paragraph cited ("20" for § 20).
    pub paragraph: Option<String>,
    pub theme_spots_only: bool,
    pub include_retired: bool,
}

/// template key, version, status, item key, Danish text, section key, scale kind, item kind.
type HitRow = (String, i32, String, String, String, String, String, String);

#[derive(sqlx::FromRow)]
struct MetaRow {
    id: Uuid,
    template_id: Uuid,
    key: String,
    kind: String,
    locked: bool,
    number: i32,
    status: String,
    title: String,
    content_sha256: String,
    parent_version_id: Option<Uuid>,
    parent_key: Option<String>,
    parent_number: Option<i32>,
    created_at: Ts,
    published_at: Option<Ts>,
    retired_at: Option<Ts>,
    /// The version the template itself was copied from.
    origin_id: Option<Uuid>,
    origin_key: Option<String>,
    origin_number: Option<i32>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("template {what}").into()))
}

impl MetaRow {
    fn origin(&self) -> Option<VersionRef> {
        match (self.origin_id, &self.origin_key, self.origin_number) {
            (Some(id), Some(key), Some(number)) => Some(VersionRef {
                id,
                template_key: key.clone(),
                number,
            }),
            _ => None,
        }
    }

    fn into_meta(self) -> Result<VersionMeta, StoreError> {
        let parent = match (self.parent_version_id, self.parent_key, self.parent_number) {
            (Some(id), Some(template_key), Some(number)) => Some(VersionRef {
                id,
                template_key,
                number,
            }),
            _ => None,
        };
        Ok(VersionMeta {
            id: self.id,
            template_id: self.template_id,
            template_key: self.key,
            kind: TemplateKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?,
            locked: self.locked,
            number: self.number,
            status: VersionStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            title: self.title,
            content_sha256: self.content_sha256,
            parent,
            created_at: self.created_at.0,
            published_at: self.published_at.map(|t| t.0),
            retired_at: self.retired_at.map(|t| t.0),
        })
    }
}

const META_SELECT: &str = "SELECT v.id, v.template_id, t.key, t.kind, t.locked, v.number, v.status, v.title, \
    v.content_sha256, v.parent_version_id, pt.key AS parent_key, pv.number AS parent_number, \
    v.created_at, v.published_at, v.retired_at, \
    t.parent_version_id AS origin_id, ot.key AS origin_key, ov.number AS origin_number \
    FROM template_versions v JOIN templates t ON t.id = v.template_id \
    LEFT JOIN template_versions pv ON pv.id = v.parent_version_id \
    LEFT JOIN templates pt ON pt.id = pv.template_id \
    LEFT JOIN template_versions ov ON ov.id = t.parent_version_id \
    LEFT JOIN templates ot ON ot.id = ov.template_id";

/// The canonical JSON of a version's content (what is stored and hashed).
fn content_json(c: &TemplateContent) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A template file as text: pretty JSON with the format version, ending in a newline.
pub fn to_file_json(content: &TemplateContent) -> String {
    let file = TemplateFile {
        schema: FILE_SCHEMA.to_owned(),
        template: content.clone(),
    };
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads a template file: syntax, format version, the shape of every field, then the content
/// rules. All problems are reported; nothing is stored here.
pub fn parse_file(text: &str) -> Result<TemplateContent, Vec<ContentError>> {
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| {
            vec![ContentError::new(
                "",
                "file",
                "err-tpl-file-syntax",
                format!("{}:{}", e.line(), e.column()),
            )]
        })?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(FILE_SCHEMA) => {}
        other => {
            return Err(vec![ContentError::new(
                "",
                "schema",
                "err-tpl-file-schema",
                other.unwrap_or("-"),
            )]);
        }
    }
    let file: TemplateFile = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        vec![ContentError::new(
            &path,
            "file",
            "err-tpl-file-type",
            e.into_inner().to_string(),
        )]
    })?;
    let errs = file.template.check();
    if errs.is_empty() {
        Ok(file.template)
    } else {
        Err(errs)
    }
}

/// The search column: key, texts, help and criteria, lower-cased (Unicode) in Rust so both
/// engines search alike.
fn search_text(i: &tilsyn_domain::template::Item) -> String {
    let mut parts = vec![i.key.as_str(), &i.text.da, &i.text.en];
    for t in [&i.help, &i.criteria].into_iter().flatten() {
        parts.push(&t.da);
        parts.push(&t.en);
    }
    parts.join(" \u{1f} ").to_lowercase()
}

/// Escapes LIKE wildcards in user input (used with ESCAPE '\').
fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn event(
    action: AuditAction,
    meta_key: &str,
    number: i32,
    id: Uuid,
    extra: Vec<(&'static str, String)>,
) -> NewAuditEvent {
    let mut details = vec![
        ("template", meta_key.to_owned()),
        ("version", number.to_string()),
    ];
    details.extend(extra);
    NewAuditEvent {
        action,
        resource_kind: "template_version",
        resource_id: Some(id.to_string()),
        outcome: Outcome::Success,
        details,
    }
}

/// What a new version is made from.
struct NewVersion<'a> {
    template_id: Uuid,
    number: i32,
    status: VersionStatus,
    content: &'a TemplateContent,
    parent: Option<Uuid>,
}

impl Store {
    pub async fn list_templates(&self) -> Result<Vec<TemplateSummary>, StoreError> {
        self.summaries(None).await
    }

    pub async fn template(&self, key: &str) -> Result<TemplateSummary, StoreError> {
        self.summaries(Some(key))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Templates with their versions (newest first), all or the one with `key`, in one query.
    async fn summaries(&self, key: Option<&str>) -> Result<Vec<TemplateSummary>, StoreError> {
        let sql = format!(
            "{META_SELECT} WHERE (CAST($1 AS TEXT) IS NULL OR t.key = $1) ORDER BY t.key, v.number DESC"
        );
        let rows: Vec<MetaRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(key).fetch_all(pool).await)?;
        let mut out: Vec<TemplateSummary> = vec![];
        for r in rows {
            let origin = r.origin();
            let m = r.into_meta()?;
            match out.last_mut() {
                Some(t) if t.key == m.template_key => t.versions.push(m),
                _ => out.push(TemplateSummary {
                    key: m.template_key.clone(),
                    kind: m.kind,
                    locked: m.locked,
                    title: m.title.clone(),
                    copied_from: origin,
                    versions: vec![m],
                }),
            }
        }
        Ok(out)
    }

    pub async fn version_meta_by_id(&self, id: Uuid) -> Result<Option<VersionMeta>, StoreError> {
        let sql = format!("{META_SELECT} WHERE v.id = $1");
        let row: Option<MetaRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        row.map(MetaRow::into_meta).transpose()
    }

    /// One version with its content; `number` None means the newest published one.
    pub async fn template_version(
        &self,
        key: &str,
        number: Option<i32>,
    ) -> Result<TemplateVersion, StoreError> {
        let sql = format!(
            "{META_SELECT} WHERE t.key = $1 AND (CAST($2 AS INTEGER) IS NULL OR v.number = $2) \
             AND (CAST($2 AS INTEGER) IS NOT NULL OR v.status = 'published') \
             ORDER BY v.number DESC LIMIT 1"
        );
        let row: Option<MetaRow> = on_db!(&self.db, pool => sqlx::query_as(&sql)
            .bind(key).bind(number).fetch_optional(pool).await)?;
        let meta = row.ok_or(StoreError::NotFound)?.into_meta()?;
        let content = self.version_content(meta.id).await?;
        Ok(TemplateVersion { meta, content })
    }

    pub async fn template_version_by_id(&self, id: Uuid) -> Result<TemplateVersion, StoreError> {
        let meta = self
            .version_meta_by_id(id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let content = self.version_content(id).await?;
        Ok(TemplateVersion { meta, content })
    }

    async fn version_content(&self, id: Uuid) -> Result<TemplateContent, StoreError> {
        let (json,): (String,) = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT content FROM template_versions WHERE id = $1").bind(id).fetch_one(pool).await)?;
        serde_json::from_str(&json).map_err(|_| corrupt("content"))
    }

    /// Items across templates matching `q`, newest versions first.
    pub async fn search_items(&self, q: &ItemQuery) -> Result<Vec<ItemHit>, StoreError> {
        let text = q
            .text
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern);
        let paragraph = q
            .paragraph
            .as_deref()
            .and_then(tilsyn_domain::template::normalise_paragraph);
        let sql = "SELECT t.key, v.number, v.status, i.key, i.text_da, i.section_key, i.scale_kind, i.kind \
            FROM template_items i JOIN template_versions v ON v.id = i.version_id \
            JOIN templates t ON t.id = v.template_id \
            WHERE (CAST($1 AS TEXT) IS NULL OR i.search LIKE $1 ESCAPE '\\') \
            AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM template_item_refs r \
                 WHERE r.version_id = i.version_id AND r.item_key = i.key AND r.paragraph = $2)) \
            AND ($3 OR v.status <> 'retired') AND (NOT $4 OR i.kind = 'theme_spot') \
            ORDER BY t.key, v.number DESC, i.position LIMIT 1000";
        let rows: Vec<HitRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
                .bind(text).bind(paragraph).bind(q.include_retired).bind(q.theme_spots_only)
                .fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(tk, n, st, ik, text_da, sk, scale, kind)| {
                Ok(ItemHit {
                    template_key: tk,
                    version: n,
                    status: VersionStatus::parse(&st).ok_or_else(|| corrupt("status"))?,
                    item_key: ik,
                    text_da,
                    section_key: sk,
                    scale_kind: scale,
                    theme_spot: kind == ItemKind::ThemeSpot.code(),
                })
            })
            .collect()
    }

    async fn insert_version(&self, tx: &mut Tx, v: NewVersion<'_>) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let json = content_json(v.content)?;
        let now = Ts::now();
        let published = (v.status != VersionStatus::Draft).then_some(now);
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO template_versions (id, template_id, number, status, title, content, content_sha256, \
             parent_version_id, created_at, published_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, NULL)")
            .bind(id).bind(v.template_id).bind(v.number).bind(&v.content.title.da)
            .bind(&json).bind(sha256_hex(&json)).bind(v.parent).bind(now)
            .execute(conn).await.map(|_| ()))?;
        reindex(tx, id, v.content).await?;
        // Index first, then freeze: the triggers refuse index rows for a published version.
        if let Some(at) = published {
            on_tx!(tx, conn => sqlx::query(
                "UPDATE template_versions SET status = $2, published_at = $3 WHERE id = $1")
                .bind(id).bind(v.status.code()).bind(at).execute(conn).await.map(|_| ()))?;
        }
        Ok(id)
    }

    async fn insert_template(
        &self,
        tx: &mut Tx,
        content: &TemplateContent,
        locked: bool,
        copied_from: Option<Uuid>,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let res = on_tx!(tx, conn => sqlx::query(
            "INSERT INTO templates (id, key, kind, locked, parent_version_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(&content.key).bind(content.kind.code()).bind(locked).bind(copied_from)
            .bind(Ts::now()).execute(conn).await.map(|_| ()));
        match res {
            Err(e) if StoreError::is_unique_violation(&e) => {
                Err(StoreError::Content(vec![ContentError::new(
                    &content.key,
                    "key",
                    "err-tpl-key-taken",
                    &content.key,
                )]))
            }
            other => Ok(other.map(|_| id)?),
        }
    }

    /// Creates a new open template from imported content (its first version a draft), or adds
    /// a new draft version to an existing open template.
    pub async fn import_template(
        &self,
        actor: &Actor,
        content: &TemplateContent,
    ) -> Result<VersionMeta, StoreError> {
        let errs = content.check();
        if !errs.is_empty() {
            return Err(StoreError::Content(errs));
        }
        let existing = self.template(&content.key).await;
        let mut tx = self.begin().await?;
        let (template_id, number, parent) = match existing {
            Err(StoreError::NotFound) => {
                let id = self.insert_template(&mut tx, content, false, None).await?;
                (id, 1, None)
            }
            Err(e) => return Err(e),
            Ok(t) => {
                if t.locked {
                    return Err(StoreError::Conflict("err-tpl-locked"));
                }
                if t.draft().is_some() {
                    return Err(StoreError::Conflict("err-tpl-draft-exists"));
                }
                let newest = t.versions.first().ok_or(StoreError::NotFound)?;
                if newest.kind != content.kind {
                    return Err(StoreError::Content(vec![ContentError::new(
                        "",
                        "kind",
                        "err-tpl-kind-changed",
                        content.kind.code(),
                    )]));
                }
                let parent_content = self.version_content(newest.id).await?;
                let errs = content.check_against(&parent_content);
                if !errs.is_empty() {
                    return Err(StoreError::Content(errs));
                }
                (newest.template_id, newest.number + 1, Some(newest.id))
            }
        };
        let id = self
            .insert_version(
                &mut tx,
                NewVersion {
                    template_id,
                    number,
                    status: VersionStatus::Draft,
                    content,
                    parent,
                },
            )
            .await?;
        let action = if number == 1 {
            AuditAction::TemplateCreated
        } else {
            AuditAction::TemplateDraftCreated
        };
        record(
            &mut tx,
            actor,
            event(
                action,
                &content.key,
                number,
                id,
                vec![("how", "import".into())],
            ),
        )
        .await?;
        tx.commit().await?;
        self.version_meta_by_id(id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Starts the next version of an open template as a draft copy of its newest version.
    pub async fn new_draft(&self, actor: &Actor, key: &str) -> Result<VersionMeta, StoreError> {
        let t = self.template(key).await?;
        if t.locked {
            return Err(StoreError::Conflict("err-tpl-locked"));
        }
        if t.draft().is_some() {
            return Err(StoreError::Conflict("err-tpl-draft-exists"));
        }
        let newest = t.versions.first().ok_or(StoreError::NotFound)?;
        let content = self.version_content(newest.id).await?;
        let mut tx = self.begin().await?;
        let id = self
            .insert_version(
                &mut tx,
                NewVersion {
                    template_id: newest.template_id,
                    number: newest.number + 1,
                    status: VersionStatus::Draft,
                    content: &content,
                    parent: Some(newest.id),
                },
            )
            .await?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::TemplateDraftCreated,
                key,
                newest.number + 1,
                id,
                vec![],
            ),
        )
        .await?;
        tx.commit().await?;
        self.version_meta_by_id(id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// "Copy to own template": a new open template whose first version (a draft) keeps the
    /// source's items and keys and remembers where it came from.
    pub async fn copy_template(
        &self,
        actor: &Actor,
        from_key: &str,
        from_number: i32,
        new_key: &str,
        new_title: &str,
    ) -> Result<VersionMeta, StoreError> {
        let source = self.template_version(from_key, Some(from_number)).await?;
        let mut content = source.content.clone();
        content.key = new_key.trim().to_owned();
        if !new_title.trim().is_empty() {
            content.title = tilsyn_domain::template::Text::new(new_title.trim(), "");
        }
        content.source = Some(format!("{} v{}", from_key, from_number));
        let errs = content.check();
        if !errs.is_empty() {
            return Err(StoreError::Content(errs));
        }
        let mut tx = self.begin().await?;
        let tid = self
            .insert_template(&mut tx, &content, false, Some(source.meta.id))
            .await?;
        let id = self
            .insert_version(
                &mut tx,
                NewVersion {
                    template_id: tid,
                    number: 1,
                    status: VersionStatus::Draft,
                    content: &content,
                    parent: Some(source.meta.id),
                },
            )
            .await?;
        record(
            &mut tx,
            actor,
            event(
                AuditAction::TemplateCreated,
                new_key,
                1,
                id,
                vec![
                    ("how", "copy".into()),
                    ("from", format!("{from_key} v{from_number}")),
                ],
            ),
        )
        .await?;
        tx.commit().await?;
        self.version_meta_by_id(id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The draft of `key` number `number`, for a change: refused unless it is an editable draft.
    async fn editable(&self, key: &str, number: i32) -> Result<TemplateVersion, StoreError> {
        let v = self.template_version(key, Some(number)).await?;
        if v.meta.locked {
            return Err(StoreError::Conflict("err-tpl-locked"));
        }
        if v.meta.status != VersionStatus::Draft {
            return Err(StoreError::Conflict("err-tpl-not-draft"));
        }
        Ok(v)
    }

    /// Applies one edit to a draft; the whole content is checked before anything is written.
    pub async fn edit_draft(
        &self,
        actor: &Actor,
        key: &str,
        number: i32,
        edit: &Edit,
    ) -> Result<TemplateVersion, StoreError> {
        let mut v = self.editable(key, number).await?;
        v.content.apply(edit).map_err(StoreError::Content)?;
        self.write_draft(actor, &v.meta, &v.content, edit.code(), edit.target())
            .await?;
        self.template_version(key, Some(number)).await
    }

    /// Replaces a draft's whole content (the API's PUT and re-importing into a draft).
    pub async fn replace_draft(
        &self,
        actor: &Actor,
        key: &str,
        number: i32,
        content: &TemplateContent,
    ) -> Result<TemplateVersion, StoreError> {
        let v = self.editable(key, number).await?;
        if content.key != v.meta.template_key {
            return Err(StoreError::Content(vec![ContentError::new(
                "",
                "key",
                "err-tpl-key-mismatch",
                &content.key,
            )]));
        }
        if content.kind != v.meta.kind {
            return Err(StoreError::Content(vec![ContentError::new(
                "",
                "kind",
                "err-tpl-kind-changed",
                content.kind.code(),
            )]));
        }
        let errs = content.check();
        if !errs.is_empty() {
            return Err(StoreError::Content(errs));
        }
        self.write_draft(actor, &v.meta, content, "replace", String::new())
            .await?;
        self.template_version(key, Some(number)).await
    }

    async fn write_draft(
        &self,
        actor: &Actor,
        meta: &VersionMeta,
        content: &TemplateContent,
        op: &str,
        target: String,
    ) -> Result<(), StoreError> {
        if let Some(p) = &meta.parent {
            let parent = self.version_content(p.id).await?;
            let errs = content.check_against(&parent);
            if !errs.is_empty() {
                return Err(StoreError::Content(errs));
            }
        }
        let json = content_json(content)?;
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE template_versions SET content = $2, content_sha256 = $3, title = $4 \
             WHERE id = $1 AND status = 'draft'")
            .bind(meta.id).bind(&json).bind(sha256_hex(&json)).bind(&content.title.da)
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n != 1 {
            return Err(StoreError::Conflict("err-tpl-not-draft"));
        }
        reindex(&mut tx, meta.id, content).await?;
        let mut extra = vec![("op", op.to_owned())];
        if !target.is_empty() {
            extra.push(("target", target));
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::TemplateDraftEdited,
                &meta.template_key,
                meta.number,
                meta.id,
                extra,
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Publishes a draft after the publish checks; from then on it never changes.
    pub async fn publish_version(
        &self,
        actor: &Actor,
        key: &str,
        number: i32,
    ) -> Result<VersionMeta, StoreError> {
        let v = self.editable(key, number).await?;
        let mut errs = v.content.check_for_publish();
        if let Some(p) = &v.meta.parent {
            errs.extend(v.content.check_against(&self.version_content(p.id).await?));
        }
        if !errs.is_empty() {
            return Err(StoreError::Content(errs));
        }
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE template_versions SET status = 'published', published_at = $2 WHERE id = $1 AND status = 'draft'")
            .bind(v.meta.id).bind(Ts::now()).execute(conn).await.map(|r| r.rows_affected()))?;
        if n != 1 {
            return Err(StoreError::Conflict("err-tpl-not-draft"));
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::TemplatePublished,
                key,
                number,
                v.meta.id,
                vec![("sha256", v.meta.content_sha256.clone())],
            ),
        )
        .await?;
        tx.commit().await?;
        self.version_meta_by_id(v.meta.id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Retires a published version: kept for the rounds that used it, offered to no new one.
    pub async fn retire_version(
        &self,
        actor: &Actor,
        key: &str,
        number: i32,
    ) -> Result<VersionMeta, StoreError> {
        let v = self.template_version(key, Some(number)).await?;
        if v.meta.locked {
            return Err(StoreError::Conflict("err-tpl-locked"));
        }
        if v.meta.status != VersionStatus::Published {
            return Err(StoreError::Conflict("err-tpl-not-published"));
        }
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE template_versions SET status = 'retired', retired_at = $2 WHERE id = $1 AND status = 'published'")
            .bind(v.meta.id).bind(Ts::now()).execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            event(AuditAction::TemplateRetired, key, number, v.meta.id, vec![]),
        )
        .await?;
        tx.commit().await?;
        self.version_meta_by_id(v.meta.id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Throws a draft away (a published version can never be deleted).
    pub async fn discard_draft(
        &self,
        actor: &Actor,
        key: &str,
        number: i32,
    ) -> Result<(), StoreError> {
        let v = self.editable(key, number).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query("DELETE FROM template_item_refs WHERE version_id = $1")
            .bind(v.meta.id).execute(conn).await.map(|_| ()))?;
        on_tx!(&mut tx, conn => sqlx::query("DELETE FROM template_items WHERE version_id = $1")
            .bind(v.meta.id).execute(conn).await.map(|_| ()))?;
        let n = on_tx!(&mut tx, conn => sqlx::query("DELETE FROM template_versions WHERE id = $1 AND status = 'draft'")
            .bind(v.meta.id).execute(conn).await.map(|r| r.rows_affected()))?;
        if n != 1 {
            return Err(StoreError::Conflict("err-tpl-not-draft"));
        }
        if number == 1 {
            // A template with no versions left is gone too.
            on_tx!(&mut tx, conn => sqlx::query("DELETE FROM templates WHERE id = $1")
                .bind(v.meta.template_id).execute(conn).await.map(|_| ()))?;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::TemplateDraftDiscarded,
                key,
                number,
                v.meta.id,
                vec![],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Loads the standard templates shipped with tilsyn: new ones are created locked and
    /// published; a changed one gets a new published version and the old one is retired.
    /// Returns how many versions were added.
    pub async fn ensure_standard_templates(
        &self,
        contents: &[TemplateContent],
    ) -> Result<usize, StoreError> {
        let actor = Actor::cli(Some("tilsyn".into()));
        let mut added = 0;
        for content in contents {
            let json = content_json(content)?;
            let sha = sha256_hex(&json);
            let newest = match self.template(&content.key).await {
                Ok(t) => t.versions.first().cloned(),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            };
            if newest.as_ref().is_some_and(|n| n.content_sha256 == sha) {
                continue;
            }
            let mut tx = self.begin().await?;
            let (tid, number, parent) = match &newest {
                None => (
                    self.insert_template(&mut tx, content, true, None).await?,
                    1,
                    None,
                ),
                Some(n) => (n.template_id, n.number + 1, Some(n.id)),
            };
            if let Some(p) = parent {
                on_tx!(&mut tx, conn => sqlx::query(
                    "UPDATE template_versions SET status = 'retired', retired_at = $2 WHERE id = $1 AND status = 'published'")
                    .bind(p).bind(Ts::now()).execute(conn).await.map(|_| ()))?;
            }
            let id = self
                .insert_version(
                    &mut tx,
                    NewVersion {
                        template_id: tid,
                        number,
                        status: VersionStatus::Published,
                        content,
                        parent,
                    },
                )
                .await?;
            record(
                &mut tx,
                &actor,
                event(
                    AuditAction::TemplatePublished,
                    &content.key,
                    number,
                    id,
                    vec![("how", "standard".into()), ("sha256", sha)],
                ),
            )
            .await?;
            tx.commit().await?;
            added += 1;
        }
        Ok(added)
    }
}

async fn reindex(tx: &mut Tx, version: Uuid, content: &TemplateContent) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM template_item_refs WHERE version_id = $1")
        .bind(version).execute(conn).await.map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM template_items WHERE version_id = $1")
        .bind(version).execute(conn).await.map(|_| ()))?;
    for p in content.items() {
        let i = p.item;
        let scale_kind = content
            .scale(&i.scale)
            .map(|s| s.kind.code())
            .unwrap_or("unknown");
        let section = p.subsection.unwrap_or(p.section);
        let position = i32::try_from(p.position).unwrap_or(i32::MAX);
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO template_items (version_id, position, key, section_key, kind, scale_kind, bearing, text_da, search) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(version).bind(position).bind(&i.key).bind(&section.key).bind(i.kind.code())
            .bind(scale_kind).bind(i.bearing.map(|b| b.code())).bind(&i.text.da).bind(search_text(i))
            .execute(conn).await.map(|_| ()))?;
        for r in &i.legal_refs {
            let paragraph = tilsyn_domain::template::normalise_paragraph(&r.paragraph)
                .unwrap_or_else(|| r.paragraph.clone());
            on_tx!(tx, conn => sqlx::query(
                "INSERT INTO template_item_refs (version_id, item_key, law, paragraph, stk) VALUES ($1, $2, $3, $4, $5)")
                .bind(version).bind(&i.key).bind(&r.law).bind(paragraph).bind(&r.stk)
                .execute(conn).await.map(|_| ()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    /// The triggers hold even for SQL that bypasses the store's own checks.
    #[tokio::test]
    async fn the_database_refuses_changes_to_a_published_version() {
        let db = TestDb::new().await;
        let s = &db.store;
        let content: TemplateContent =
            parse_file(include_str!("../tests/fixtures/template.json")).unwrap();
        s.ensure_standard_templates(&[content]).await.unwrap();
        let v = s.template_version("FIXTURE", Some(1)).await.unwrap();
        let id = v.meta.id;
        let upd = on_db!(&s.db, pool => sqlx::query("UPDATE template_versions SET content = '{}' WHERE id = $1")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(upd.is_err());
        let back = on_db!(&s.db, pool => sqlx::query("UPDATE template_versions SET status = 'draft' WHERE id = $1")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(back.is_err());
        let del = on_db!(&s.db, pool => sqlx::query("DELETE FROM template_versions WHERE id = $1")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(del.is_err());
        let item = on_db!(&s.db, pool => sqlx::query("DELETE FROM template_items WHERE version_id = $1")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(item.is_err());
        let ins = on_db!(&s.db, pool => sqlx::query(
            "INSERT INTO template_items (version_id, position, key, section_key, kind, scale_kind, text_da, search) \
             VALUES ($1, 99, 'X', 'S', 'core', 'compliance', 'x', 'x')")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(ins.is_err());
        // Retiring is the one change allowed.
        let retire = on_db!(&s.db, pool => sqlx::query("UPDATE template_versions SET status = 'retired' WHERE id = $1")
            .bind(id).execute(pool).await.map(|_| ()));
        assert!(retire.is_ok());
        let after = s.template_version("FIXTURE", Some(1)).await.unwrap();
        assert_eq!(after.content, v.content);
    }
}
