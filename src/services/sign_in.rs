//! Signing in with email and password, throttled per account and per client address.

use chrono::Duration;
use sea_orm::{DatabaseConnection, DbErr};

use crate::db;
use crate::entities::user;
use crate::services::passwords::{self, PasswordError};
use crate::services::sessions::{self, NewSession};
use crate::services::throttle::{self, Limit};

/// Failures lock an account (whatever the address typed, existing or not) after 5 within
/// 15 minutes…
const PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::minutes(15),
};
/// …and a client address after 30, across accounts.
const PER_CLIENT: Limit = Limit {
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
    if throttle::exceeded(db, &account_key, PER_ACCOUNT).await?
        || throttle::exceeded(db, &client_key, PER_CLIENT).await?
    {
        return Err(SignInError::Throttled);
    }

    let person = db::users::by_email(db, &email_normalized).await?;
    let stored_hash = person.as_ref().and_then(|p| p.password_hash.clone());
    let password_ok = passwords::verify(password, stored_hash).await?;
    let person = person.filter(|p| password_ok && p.status == user::STATUS_ACTIVE);

    let Some(person) = person else {
        throttle::count(db, &account_key, PER_ACCOUNT).await?;
        throttle::count(db, &client_key, PER_CLIENT).await?;
        return Err(SignInError::InvalidCredentials);
    };
    let txn = db::begin_write(db).await?;
    throttle::clear(&txn, &account_key).await?;
    let session = sessions::create(&txn, person.id).await?;
    txn.commit().await?;
    Ok(session)
}
