//! Counting events per key within a window ("account:…", "client:…"), kept in the database
//! so every instance counts alike: sign-in failures and password reset requests.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::db;

/// At most `max` events per key within `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
}

/// Answers whether `key` has used up its limit in the current window.
pub async fn exceeded(db: &DatabaseConnection, key: &str, limit: Limit) -> Result<bool, DbErr> {
    Ok(match db::sign_in_failures::get(db, key).await? {
        Some(entry) => {
            entry.failures >= limit.max && entry.window_start + limit.window > Utc::now()
        }
        None => false,
    })
}

/// Counts one event. Two concurrent first events may both try to insert the row; the
/// loser retries once as an update.
pub async fn count(db: &DatabaseConnection, key: &str, limit: Limit) -> Result<(), DbErr> {
    let mut result = Ok(());
    for _ in 0..2 {
        result = try_count(db, key, limit).await;
        if result.is_ok() {
            break;
        }
    }
    result
}

async fn try_count(db: &DatabaseConnection, key: &str, limit: Limit) -> Result<(), DbErr> {
    let now = Utc::now();
    let txn = db::begin_write(db).await?;
    let (events, window_start, exists) = match db::sign_in_failures::get(&txn, key).await? {
        Some(entry) if entry.window_start + limit.window > now => {
            (entry.failures + 1, entry.window_start, true)
        }
        Some(_) => (1, now, true),
        None => (1, now, false),
    };
    db::sign_in_failures::put(&txn, key, events, window_start, exists).await?;
    txn.commit().await
}

/// Forgets a key's count (a successful sign-in).
pub async fn clear(db: &impl sea_orm::ConnectionTrait, key: &str) -> Result<(), DbErr> {
    db::sign_in_failures::clear(db, key).await
}
