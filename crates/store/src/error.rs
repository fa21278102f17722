//! Store errors: few variants, each with a clear consequence at the edge.

use tilsyn_domain::Problem;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL or its options are wrong: a configuration error (exit 2).
    #[error("invalid database URL: {0}")]
    Config(String),
    /// The database cannot be reached or opened.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("not found")]
    NotFound,
    /// Input that the database refuses because of existing data (a taken username, a sibling
    /// unit with the same name), expressed as field errors.
    #[error(transparent)]
    Invalid(#[from] Problem),
    /// Template content that breaks a rule, each error naming the item or section.
    #[error("invalid template content ({} errors)", .0.len())]
    Content(Vec<tilsyn_domain::template::ContentError>),
    /// The request is valid but the state of the data forbids it (e.g. editing a published
    /// version); the catalogue key says why.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
    }
}
