//! The one schema history of kiwi, run unchanged on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_people;
mod m20261126_000002_learning;
mod m20261126_000003_certificates;
mod m20261126_000004_assignments;
mod m20261126_000005_mail;
mod m20261202_000006_readiness;
mod m20261202_000010_feed_commit_order;
mod m20261203_000011_tool_sessions;
mod m20261204_000012_integrations;
mod m20261209_000020_second_factor;
mod m20261209_000021_single_sign_on;
mod m20261210_000022_feed_notify;
mod m20261211_000023_erasure;
mod m20261211_000024_record_views;
mod m20261212_000025_record_view_people;
mod m20261213_000026_record_view_words;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_people::Migration),
            Box::new(m20261126_000002_learning::Migration),
            Box::new(m20261126_000003_certificates::Migration),
            Box::new(m20261126_000004_assignments::Migration),
            Box::new(m20261126_000005_mail::Migration),
            Box::new(m20261202_000006_readiness::Migration),
            Box::new(m20261202_000010_feed_commit_order::Migration),
            Box::new(m20261203_000011_tool_sessions::Migration),
            Box::new(m20261204_000012_integrations::Migration),
            Box::new(m20261209_000020_second_factor::Migration),
            Box::new(m20261209_000021_single_sign_on::Migration),
            Box::new(m20261210_000022_feed_notify::Migration),
            Box::new(m20261211_000023_erasure::Migration),
            Box::new(m20261211_000024_record_views::Migration),
            Box::new(m20261212_000025_record_view_people::Migration),
            Box::new(m20261213_000026_record_view_words::Migration),
        ]
    }
}
