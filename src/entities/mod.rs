//! SeaORM entities, one file per table, no behaviour.

pub mod access_change;
pub mod api_key;
pub mod assignment;
pub mod audit_log;
pub mod certificate;
pub mod directory_reconciliation;
pub mod module_completion;
pub mod oidc_session;
pub mod oidc_sign_in;
pub mod org_unit;
pub mod outbox_mail;
pub mod outbox_operation;
pub mod password_link;
pub mod policy_acknowledgement;
pub mod policy_version;
pub mod quiz_attempt;
pub mod record_view;
pub mod recovery_code;
pub mod second_factor;
pub mod session;
pub mod setup_token;
pub mod sign_in_challenge;
pub mod sign_in_failure;
pub mod tool_session;
pub mod user;
