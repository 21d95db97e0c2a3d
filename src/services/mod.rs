//! Business rules: no actix, no tera. Each function states the rule it enforces.

pub mod access;
pub mod acknowledgements;
pub mod api_keys;
pub mod assignments;
pub mod certification;
pub mod demo;
pub mod exports;
pub mod grading;
pub mod import;
pub mod large_demo;
pub mod learning;
pub mod mails;
pub mod org_units;
pub mod outbox;
pub mod password_links;
pub mod passwords;
pub mod people;
pub mod progress;
pub mod records;
pub mod reminders;
pub mod reports;
pub mod secrets;
pub mod sessions;
pub mod setup;
pub mod sign_in;
pub mod throttle;
