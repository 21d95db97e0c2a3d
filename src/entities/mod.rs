//! SeaORM entities, one file per table, no behaviour.

pub mod audit_log;
pub mod module_completion;
pub mod org_unit;
pub mod quiz_attempt;
pub mod session;
pub mod setup_token;
pub mod sign_in_failure;
pub mod user;
