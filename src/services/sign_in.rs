//! Signing in with email and password, throttled per account and per client address.

use sea_orm::{DatabaseConnection, DbErr};

use crate::db;
use crate::domain::ReturnPath;
use crate::entities::user;
use crate::services::passwords::{self, PasswordError};
use crate::services::second_factor::{self, SecondFactors};
use crate::services::sessions::{self, NewSession};
use crate::services::throttle::{self, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_CLIENT};

/// Who may sign in with a password (`KIWI_PASSWORD_SIGN_IN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSignIn {
    /// Everyone with a password (`true`, the default).
    Everyone,
    /// Nobody: single sign-on only (`false`).
    Nobody,
    /// Local administrators only, a way in when the identity provider fails (`admins`).
    Admins,
}

impl PasswordSignIn {
    /// Whether this person may sign in with their password.
    pub fn allows(self, person: &user::Model) -> bool {
        match self {
            PasswordSignIn::Everyone => true,
            PasswordSignIn::Nobody => false,
            PasswordSignIn::Admins => person.is_admin,
        }
    }
}

impl std::str::FromStr for PasswordSignIn {
    type Err = String;
    fn from_str(input: &str) -> Result<PasswordSignIn, String> {
        match input.trim().to_lowercase().as_str() {
            "true" => Ok(PasswordSignIn::Everyone),
            "false" => Ok(PasswordSignIn::Nobody),
            "admins" => Ok(PasswordSignIn::Admins),
            _ => Err(format!("{input} is not one of true, false, admins")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email, wrong password, no password set or left the organisation: one answer
    /// for all, so the form never tells whether an address exists.
    #[error("email or password is wrong")]
    InvalidCredentials,
    #[error("too many failed attempts")]
    Throttled,
    /// Passwords are switched off (`KIWI_PASSWORD_SIGN_IN=false`).
    #[error("password sign-in is off")]
    PasswordsOff,
    /// The password was right, but only administrators may use theirs here
    /// (`KIWI_PASSWORD_SIGN_IN=admins`).
    #[error("password sign-in is for administrators only")]
    AdministratorsOnly,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Where the right password leads.
pub enum SignedIn {
    /// A session, at once.
    Session(NewSession),
    /// The second step first: the token of the waiting sign-in, for its cookie.
    SecondFactor { challenge: String },
}

/// Checks the credentials and opens a session, or, for a person who needs a second factor,
/// a sign-in that waits for it. Each try is counted before the password is checked, in one
/// transaction, so parallel tries cannot pass the limits; a try over a limit is refused
/// without checking the password, even the right one. Where passwords are for
/// administrators only, anyone else is told so only after the right password: a wrong one
/// gets the same answer as ever.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: String,
    client: &str,
    passwords_for: PasswordSignIn,
    factors: &SecondFactors,
    next: &ReturnPath,
) -> Result<SignedIn, SignInError> {
    if passwords_for == PasswordSignIn::Nobody {
        return Err(SignInError::PasswordsOff);
    }
    let email_normalized = email.trim().to_lowercase();
    let account_key = throttle::address_key("account", &email_normalized);
    let client_key = format!("client:{client}");
    let txn = db::begin_write(db).await?;
    let client_within = throttle::take_in(&txn, &client_key, SIGN_IN_PER_CLIENT).await?;
    let account_within = client_within
        && throttle::take_with_backoff(&txn, &account_key, SIGN_IN_PER_ACCOUNT).await?;
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
    if !passwords_for.allows(&person) {
        return Err(SignInError::AdministratorsOnly);
    }
    let txn = db::begin_write(db).await?;
    throttle::clear(&txn, &account_key).await?;
    // Only failures count against an address: many people sign in from one office.
    throttle::give_back(&txn, &client_key).await?;
    let signed_in = if second_factor::asks(&txn, factors, &person).await? {
        SignedIn::SecondFactor {
            challenge: second_factor::begin_challenge(&txn, &person, next).await?,
        }
    } else {
        SignedIn::Session(sessions::create(&txn, person.id).await?)
    };
    txn.commit().await?;
    Ok(signed_in)
}
