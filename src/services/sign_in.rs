//! Signing in with email and password, throttled per account and per client address.

use chrono::Duration;
use sea_orm::{DatabaseConnection, DbErr};

use crate::db;
use crate::entities::user;
use crate::services::passwords::{self, PasswordError};
use crate::services::sessions::{self, NewSession};
use crate::services::throttle::{self, Backoff, Limit};

/// An account (whatever the address typed, existing or not) has 5 free tries; then each
/// further try waits 15 s, 30 s, 1 min … up to 5 min after the one before, and the count
/// starts again after 15 quiet minutes. A stranger can thus slow the owner down by minutes
/// at most, never lock them out for long.
pub const PER_ACCOUNT: Backoff = Backoff {
    free: 5,
    first: Duration::seconds(15),
    longest: Duration::minutes(5),
    quiet: Duration::minutes(15),
};
/// A client address fails at most 30 times within 15 minutes, across accounts.
pub const PER_CLIENT: Limit = Limit {
    max: 30,
    window: Duration::minutes(15),
};

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

/// Checks the credentials and opens a session. Each try is counted before the password is
/// checked, in one transaction, so parallel tries cannot pass the limits; a try over a
/// limit is refused without checking the password, even the right one.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: String,
    client: &str,
) -> Result<NewSession, SignInError> {
    let email_normalized = email.trim().to_lowercase();
    let account_key = throttle::address_key("account", &email_normalized);
    let client_key = format!("client:{client}");
    let txn = db::begin_write(db).await?;
    let client_within = throttle::take_in(&txn, &client_key, PER_CLIENT).await?;
    let account_within =
        client_within && throttle::take_with_backoff(&txn, &account_key, PER_ACCOUNT).await?;
    txn.commit().await?;
    if !account_within {
        return Err(SignInError::Throttled);
    }

    let person = db::users::by_email(db, &email_normalized).await?;
    let stored_hash = person.as_ref().and_then(|p| p.password_hash.clone());
    let password_ok = passwords::verify(password, stored_hash).await?;
    let Some(person) = person.filter(|p| password_ok && p.status == user::STATUS_ACTIVE) else {
        return Err(SignInError::InvalidCredentials);
    };
    let txn = db::begin_write(db).await?;
    throttle::clear(&txn, &account_key).await?;
    // Only failures count against an address: many people sign in from one office.
    throttle::give_back(&txn, &client_key).await?;
    let session = sessions::create(&txn, person.id).await?;
    txn.commit().await?;
    Ok(session)
}
