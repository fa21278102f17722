//! The pure core of tilsyn: types that parse instead of validate, and the rules every adapter
//! calls (who may do what, when a session is alive, when logins are throttled). No IO here.

pub mod action;
pub mod analysis;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod deadline;
pub mod error;
pub mod feedback;
pub mod ids;
pub mod learning_audit;
pub mod numfmt;
pub mod org;
pub mod policy;
pub mod report;
pub mod review;
pub mod role;
pub mod round;
pub mod sampling;
pub mod stats;
pub mod suppression;
pub mod template;
pub mod yearwheel;

pub use error::{FieldError, Problem};
pub use ids::{GrantId, UnitId, UserId};
pub use role::Role;
