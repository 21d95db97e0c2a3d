//! Signing in with email and password, throttled per account and per client address.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::db;
use crate::entities::user;
use crate::services::passwords::{self, PasswordError};
use crate::services::sessions::{self, NewSession};

/// Failures counted within this window…
const WINDOW: Duration = Duration::minutes(15);
/// …lock an account (whatever the address typed, existing or not) after this many…
const MAX_FAILURES_PER_ACCOUNT: i32 = 5;
/// …and a client address after this many, across accounts.
const MAX_FAILURES_PER_CLIENT: i32 = 30;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email, wrong password, no password set or left the organisation: one answer
    /// for all, so the form never tells whether an address exists.
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    Throttled,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Checks the credentials and opens a session. Sign-in is refused while the account
/// or the client address is throttled, even with the right password.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: String,
    client: &str,
) -> Result<NewSession, SignInError> {
    let email_normalized = email.trim().to_lowercase();
    let account_key = format!("account:{email_normalized}");
    let client_key = format!("client:{client}");
    if is_throttled(db, &account_key, MAX_FAILURES_PER_ACCOUNT).await?
        || is_throttled(db, &client_key, MAX_FAILURES_PER_CLIENT).await?
    {
        return Err(SignInError::Throttled);
    }

    let person = db::users::by_email(db, &email_normalized).await?;
    let stored_hash = person.as_ref().and_then(|p| p.password_hash.clone());
    let password_ok = passwords::verify(password, stored_hash).await?;
    let person = person.filter(|p| password_ok && p.status == user::STATUS_ACTIVE);

    let Some(person) = person else {
        record_failure(db, &account_key).await?;
        record_failure(db, &client_key).await?;
        return Err(SignInError::InvalidCredentials);
    };
    let txn = db::begin_write(db).await?;
    db::sign_in_failures::clear(&txn, &account_key).await?;
    let session = sessions::create(&txn, person.id).await?;
    txn.commit().await?;
    Ok(session)
}

async fn is_throttled(db: &DatabaseConnection, key: &str, max: i32) -> Result<bool, DbErr> {
    Ok(match db::sign_in_failures::get(db, key).await? {
        Some(entry) => entry.failures >= max && entry.window_start + WINDOW > Utc::now(),
        None => false,
    })
}

/// Counts one failure. Two concurrent first failures may both try to insert the row;
/// the loser retries once as an update.
async fn record_failure(db: &DatabaseConnection, key: &str) -> Result<(), DbErr> {
    let mut result = Ok(());
    for _ in 0..2 {
        result = try_record_failure(db, key).await;
        if result.is_ok() {
            break;
        }
    }
    result
}

async fn try_record_failure(db: &DatabaseConnection, key: &str) -> Result<(), DbErr> {
    let now = Utc::now();
    let txn = db::begin_write(db).await?;
    let (failures, window_start, exists) = match db::sign_in_failures::get(&txn, key).await? {
        Some(entry) if entry.window_start + WINDOW > now => {
            (entry.failures + 1, entry.window_start, true)
        }
        Some(_) => (1, now, true),
        None => (1, now, false),
    };
    db::sign_in_failures::put(&txn, key, failures, window_start, exists).await?;
    txn.commit().await
}
