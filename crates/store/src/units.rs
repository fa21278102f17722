//! The unit tree.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::org::{OrgTree, Unit, UnitKind, UnitName};
use tilsyn_domain::{Problem, UnitId};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: Uuid,
    parent_id: Option<Uuid>,
    kind: String,
    name: String,
    created_at: Ts,
}

impl UnitRow {
    fn into_unit(self) -> Result<Unit, StoreError> {
        Ok(Unit {
            id: UnitId(self.id),
            parent_id: self.parent_id.map(UnitId),
            kind: UnitKind::parse(&self.kind)
                .map_err(|_| StoreError::Database(sqlx::Error::Decode("unit kind".into())))?,
            name: self.name,
            created_at: self.created_at.0,
        })
    }
}

const INSERT: &str = "INSERT INTO units (id, parent_id, kind, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    pub async fn list_units(&self) -> Result<Vec<Unit>, StoreError> {
        let rows: Vec<UnitRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, parent_id, kind, name, created_at FROM units ORDER BY name")
            .fetch_all(pool).await)?;
        rows.into_iter().map(UnitRow::into_unit).collect()
    }

    pub async fn org_tree(&self) -> Result<OrgTree, StoreError> {
        Ok(OrgTree::new(self.list_units().await?))
    }

    /// Creates the root unit (the municipality). Refused when one exists.
    pub async fn create_municipality(
        &self,
        actor: &Actor,
        name: &UnitName,
    ) -> Result<Unit, StoreError> {
        let unit = Unit {
            id: UnitId::new(),
            parent_id: None,
            kind: UnitKind::Municipality,
            name: name.as_str().to_owned(),
            created_at: Ts::now().0,
        };
        self.insert_unit(actor, &unit).await?;
        Ok(unit)
    }

    /// Creates a unit below `parent`. The kind must sit below the parent's kind.
    pub async fn create_unit(
        &self,
        actor: &Actor,
        parent: UnitId,
        kind: UnitKind,
        name: &UnitName,
    ) -> Result<Unit, StoreError> {
        let tree = self.org_tree().await?;
        let Some(p) = tree.get(parent) else {
            return Err(Problem::one("parent_id", "err-unit-parent-unknown").into());
        };
        if !kind.may_sit_below(p.kind) {
            return Err(Problem::one("kind", "err-unit-kind-below").into());
        }
        let unit = Unit {
            id: UnitId::new(),
            parent_id: Some(parent),
            kind,
            name: name.as_str().to_owned(),
            created_at: Ts::now().0,
        };
        self.insert_unit(actor, &unit).await?;
        Ok(unit)
    }

    async fn insert_unit(&self, actor: &Actor, unit: &Unit) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let res = on_tx!(&mut tx, conn => sqlx::query(INSERT)
            .bind(unit.id.0)
            .bind(unit.parent_id.map(|p| p.0))
            .bind(unit.kind.code())
            .bind(&unit.name)
            .bind(unit.name.to_lowercase())
            .bind(Ts(unit.created_at))
            .execute(conn).await.map(|_| ()));
        if let Err(e) = res {
            return Err(if StoreError::is_unique_violation(&e) {
                if unit.parent_id.is_none() {
                    Problem::one("name", "err-municipality-exists").into()
                } else {
                    Problem::one("name", "err-unit-name-taken").into()
                }
            } else {
                e.into()
            });
        }
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::UnitCreated,
                resource_kind: "unit",
                resource_id: Some(unit.id.to_string()),
                outcome: Outcome::Success,
                details: vec![
                    ("name", unit.name.clone()),
                    ("kind", unit.kind.code().into()),
                ],
            },
        )
        .await?;
        tx.commit().await
    }
}
