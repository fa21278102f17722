//! Persistence for tilsyn: one SQL text over SQLite (the embedded default) and PostgreSQL,
//! returning domain types. Every state change writes its audit event in the same transaction.

pub mod actions;
mod audit;
pub mod cases;
mod db;
pub mod demo;
mod error;
pub mod feedback;
pub mod learning_audits;
pub mod reports;
pub mod rounds;
pub mod samples;
mod sessions;
pub mod standard;
pub mod templates;
pub mod testing;
mod throttle;
mod time;
mod tokens;
mod units;
mod users;

pub use audit::AUDIT_EXPORT_LIMIT;
pub use db::{Backend, Store, redact};
pub use error::StoreError;
pub use sessions::SessionRecord;
pub use throttle::login_key;
pub use time::Ts;
