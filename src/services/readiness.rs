//! Whether this instance may take traffic: each check named, so an operator sees which failed.

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::db;

/// How long the probe's write may take before the database counts as not writable.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// What went wrong, for the operator (never a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Check {
    fn passed(name: &'static str) -> Check {
        Check {
            name,
            ok: true,
            detail: None,
        }
    }

    fn failed(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            detail: Some(detail.into()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<Check>,
}

impl Readiness {
    pub fn of(checks: Vec<Check>) -> Readiness {
        Readiness {
            ready: checks.iter().all(|c| c.ok),
            checks,
        }
    }
}

/// The database takes a real write (this instance's row in `readiness_probes`) within 2 s.
pub async fn database_writable(db: &DatabaseConnection, instance: &str) -> Check {
    let write = async {
        let txn = db::begin_write(db).await?;
        db::readiness::touch(&txn, instance, Utc::now()).await?;
        txn.commit().await
    };
    match tokio::time::timeout(WRITE_TIMEOUT, write).await {
        Ok(Ok(())) => Check::passed("database_writable"),
        Ok(Err(error)) => Check::failed("database_writable", error.to_string()),
        Err(_) => Check::failed("database_writable", "the write took longer than 2 s"),
    }
}

/// Every migration this build knows has run (an older instance beside a newer schema is fine;
/// a newer instance on an old schema is not).
pub async fn migrations_current(db: &DatabaseConnection) -> Check {
    match tokio::time::timeout(WRITE_TIMEOUT, db::readiness::pending_migrations(db)).await {
        Ok(Ok(0)) => Check::passed("migrations_current"),
        Ok(Ok(n)) => Check::failed("migrations_current", format!("{n} migrations pending")),
        Ok(Err(error)) => Check::failed("migrations_current", error.to_string()),
        Err(_) => Check::failed("migrations_current", "the database did not answer in 2 s"),
    }
}

/// The access index read the change feed within its bound (`KIWI_FEED_MAX_STALENESS`): an
/// instance that cannot confirm entitlements takes no traffic.
pub fn feed_confirmed(unconfirmed_for: Option<Duration>, bound: Duration) -> Check {
    match unconfirmed_for {
        None => Check::failed("feed_synced", "the access index is not loaded yet"),
        Some(age) if age > bound => Check::failed(
            "feed_synced",
            format!(
                "last read {:.1} s ago, more than the bound of {:.1} s",
                age.as_secs_f64(),
                bound.as_secs_f64()
            ),
        ),
        Some(_) => Check::passed("feed_synced"),
    }
}

/// The course catalog holds at least one course.
pub fn catalog_loaded(courses: usize) -> Check {
    if courses > 0 {
        Check::passed("catalog_loaded")
    } else {
        Check::failed("catalog_loaded", "no course is loaded")
    }
}
