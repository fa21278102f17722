//! People, their role grants, and their passwords (argon2id; only the hash is stored).

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use std::sync::LazyLock;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::org::{FullName, Grant, NewPassword, OrgTree, User, Username};
use tilsyn_domain::policy::Subject;
use tilsyn_domain::{GrantId, Problem, Role, UnitId, UserId};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    full_name: String,
    disabled: bool,
    created_at: Ts,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            username: r.username,
            full_name: r.full_name,
            disabled: r.disabled,
            created_at: r.created_at.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: Uuid,
    user_id: Uuid,
    role: String,
    unit_id: Uuid,
}

impl GrantRow {
    fn into_grant(self) -> Result<Grant, StoreError> {
        Ok(Grant {
            id: GrantId(self.id),
            user_id: UserId(self.user_id),
            role: Role::parse(&self.role)
                .map_err(|_| StoreError::Database(sqlx::Error::Decode("role".into())))?,
            unit_id: UnitId(self.unit_id),
        })
    }
}

const USER_COLS: &str = "id, username, full_name, disabled, created_at";

/// Verified against when the username is unknown, so a wrong username costs the same time as a
/// wrong password and response times do not reveal which accounts exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password_blocking("dummy password for timing").unwrap_or_default());

fn hash_password_blocking(pw: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Unavailable(format!("password hashing failed: {e}")))
}

fn verify_blocking(hash: &str, pw: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

async fn hash_password(pw: &NewPassword) -> Result<String, StoreError> {
    let pw = pw.expose().to_owned();
    tokio::task::spawn_blocking(move || hash_password_blocking(&pw))
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
}

/// Username and unit name for an audit event, read in the event's own transaction.
async fn names(
    tx: &mut crate::db::Tx,
    user: UserId,
    unit: UnitId,
) -> Result<(String, String), StoreError> {
    let row: Option<(String, String)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT u.username, n.name FROM users u, units n WHERE u.id = $1 AND n.id = $2")
        .bind(user.0).bind(unit.0).fetch_optional(conn).await)?;
    Ok(row.unwrap_or_default())
}

/// Inserts a grant and its audit event into the caller's transaction.
async fn insert_grant(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    grant: &Grant,
) -> Result<(), StoreError> {
    let res = on_tx!(tx, conn => sqlx::query(
            "INSERT INTO grants (id, user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(grant.id.0).bind(grant.user_id.0).bind(grant.role.code()).bind(grant.unit_id.0).bind(Ts::now())
            .execute(conn).await.map(|_| ()));
    if let Err(e) = res {
        return Err(match &e {
            _ if StoreError::is_unique_violation(&e) => {
                Problem::one("role", "err-grant-exists").into()
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            _ => e.into(),
        });
    }
    record_grant_event(tx, actor, AuditAction::RoleGranted, grant).await
}

/// The event for a grant given or taken, naming the person and the unit.
async fn record_grant_event(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    action: AuditAction,
    grant: &Grant,
) -> Result<(), StoreError> {
    let (username, unit_name) = names(tx, grant.user_id, grant.unit_id).await?;
    record(
        tx,
        actor,
        NewAuditEvent {
            action,
            resource_kind: "grant",
            resource_id: Some(grant.id.to_string()),
            outcome: Outcome::Success,
            details: vec![
                ("username", username),
                ("role", grant.role.code().into()),
                ("unit", unit_name),
                ("user_id", grant.user_id.to_string()),
                ("unit_id", grant.unit_id.to_string()),
            ],
        },
    )
    .await
}

/// Ends every session of a person whose access just changed, inside the change's transaction.
async fn end_sessions_of(tx: &mut crate::db::Tx, user: UserId) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0).execute(conn).await.map(|_| ()))?;
    Ok(())
}

impl Store {
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &Username,
        full_name: &FullName,
        password: Option<&NewPassword>,
    ) -> Result<User, StoreError> {
        self.create_user_with_role(actor, username, full_name, password, None)
            .await
    }

    /// Creates a user and, if given, their first role, in one transaction: both or neither.
    pub async fn create_user_with_role(
        &self,
        actor: &Actor,
        username: &Username,
        full_name: &FullName,
        password: Option<&NewPassword>,
        role: Option<(Role, UnitId)>,
    ) -> Result<User, StoreError> {
        let hash = match password {
            Some(p) => Some(hash_password(p).await?),
            None => None,
        };
        let user = User {
            id: UserId::new(),
            username: username.as_str().to_owned(),
            full_name: full_name.as_str().to_owned(),
            disabled: false,
            created_at: Ts::now().0,
        };
        let mut tx = self.begin().await?;
        let res = on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO users (id, username, full_name, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(user.id.0).bind(&user.username).bind(&user.full_name).bind(hash)
            .bind(false).bind(Ts(user.created_at))
            .execute(conn).await.map(|_| ()));
        if let Err(e) = res {
            return Err(if StoreError::is_unique_violation(&e) {
                Problem::one("username", "err-username-taken").into()
            } else {
                e.into()
            });
        }
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::UserCreated,
                resource_kind: "user",
                resource_id: Some(user.id.to_string()),
                outcome: Outcome::Success,
                details: vec![("username", user.username.clone())],
            },
        )
        .await?;
        if let Some((role, unit)) = role {
            let grant = Grant {
                id: GrantId::new(),
                user_id: user.id,
                role,
                unit_id: unit,
            };
            insert_grant(&mut tx, actor, &grant).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    pub async fn get_user(&self, id: UserId) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row: Option<UserRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)?;
        row.map(User::from).ok_or(StoreError::NotFound)
    }

    pub async fn find_user(&self, username: &str) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let name = username.trim().to_lowercase();
        let row: Option<UserRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(name).fetch_optional(pool).await)?;
        row.map(User::from).ok_or(StoreError::NotFound)
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        let rows: Vec<UserRow> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub async fn list_grants(&self) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, user_id, role, unit_id FROM grants ORDER BY created_at, id")
            .fetch_all(pool).await)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    pub async fn grants_of(&self, user: UserId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, user_id, role, unit_id FROM grants WHERE user_id = $1 ORDER BY created_at, id")
            .bind(user.0).fetch_all(pool).await)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    pub async fn get_grant(&self, id: GrantId) -> Result<Grant, StoreError> {
        let row: Option<GrantRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, user_id, role, unit_id FROM grants WHERE id = $1")
            .bind(id.0).fetch_optional(pool).await)?;
        row.ok_or(StoreError::NotFound)?.into_grant()
    }

    /// The person as the access policy sees them, with the unit tree their grant paths came
    /// from (so a request needs to read the tree once), or `NotFound`.
    pub async fn subject(&self, id: UserId) -> Result<(User, Subject, OrgTree), StoreError> {
        let user = self.get_user(id).await?;
        let grants = self.grants_of(id).await?;
        let tree = self.org_tree().await?;
        let grants = grants
            .into_iter()
            .filter_map(|g| tree.path(g.unit_id).map(|p| (g.role, p)))
            .collect();
        let subject = Subject {
            user_id: user.id,
            disabled: user.disabled,
            grants,
        };
        Ok((user, subject, tree))
    }

    pub async fn grant_role(
        &self,
        actor: &Actor,
        user: UserId,
        role: Role,
        unit: UnitId,
    ) -> Result<Grant, StoreError> {
        let grant = Grant {
            id: GrantId::new(),
            user_id: user,
            role,
            unit_id: unit,
        };
        let mut tx = self.begin().await?;
        insert_grant(&mut tx, actor, &grant).await?;
        tx.commit().await?;
        Ok(grant)
    }

    pub async fn revoke_grant(&self, actor: &Actor, grant: &Grant) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query("DELETE FROM grants WHERE id = $1")
            .bind(grant.id.0).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        record_grant_event(&mut tx, actor, AuditAction::RoleRevoked, grant).await?;
        tx.commit().await
    }

    /// Disabling also ends the person's sessions, so it takes effect at once.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user: UserId,
        disabled: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled).bind(user.0).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            end_sessions_of(&mut tx, user).await?;
        }
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: if disabled {
                    AuditAction::UserDisabled
                } else {
                    AuditAction::UserEnabled
                },
                resource_kind: "user",
                resource_id: Some(user.to_string()),
                outcome: Outcome::Success,
                details: vec![],
            },
        )
        .await?;
        tx.commit().await
    }

    pub async fn set_password(
        &self,
        actor: &Actor,
        user: UserId,
        password: &NewPassword,
    ) -> Result<(), StoreError> {
        let hash = hash_password(password).await?;
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash).bind(user.0).execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // A new password is often the answer to a leaked one: end every session at once.
        end_sessions_of(&mut tx, user).await?;
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::PasswordSet,
                resource_kind: "user",
                resource_id: Some(user.to_string()),
                outcome: Outcome::Success,
                details: vec![],
            },
        )
        .await?;
        tx.commit().await
    }

    /// The user if `password` is theirs and the account is active; `None` for every other case
    /// (unknown user, wrong password, disabled, no password), each taking the same time.
    pub async fn verify_login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Cred {
            id: Uuid,
            password_hash: Option<String>,
            disabled: bool,
        }
        // A name that cannot be a username never reaches the database (control characters,
        // absurd lengths), but costs the same time as any other miss.
        let Ok(name) = Username::parse(username) else {
            let pw = password.to_owned();
            tokio::task::spawn_blocking(move || verify_blocking(&DUMMY_HASH, &pw))
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            return Ok(None);
        };
        let name = name.as_str().to_owned();
        let cred: Option<Cred> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, password_hash, disabled FROM users WHERE username = $1")
            .bind(name).fetch_optional(pool).await)?;
        let (hash, candidate) = match &cred {
            Some(Cred {
                id,
                password_hash: Some(h),
                disabled: false,
            }) => (h.clone(), Some(*id)),
            _ => (DUMMY_HASH.clone(), None),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&hash, &pw))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        match (ok, candidate) {
            (true, Some(id)) => Ok(Some(self.get_user(UserId(id)).await?)),
            _ => Ok(None),
        }
    }
}
