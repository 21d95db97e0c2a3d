//! Links that set a password: the invitation of a new person and the reset of a forgotten
//! password. A link's token is random, stored only as its SHA-256, works once and expires.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::db;
use crate::domain::{Email, NewPassword};
use crate::entities::password_link::{self, PURPOSE_INVITATION, PURPOSE_RESET};
use crate::entities::user;
use crate::services::mails::{Composer, INVITATION_VALID, MailError, RESET_VALID, Recipient};
use crate::services::passwords::{self, PasswordError};
use crate::services::throttle::{self, Limit};
use crate::services::{outbox, secrets, sessions};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => PURPOSE_INVITATION,
            Purpose::Reset => PURPOSE_RESET,
        }
    }
}

/// A new link for `token`: only its hash is stored.
fn link(
    token: &str,
    person: &user::Model,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> password_link::Model {
    let valid = match purpose {
        Purpose::Invitation => INVITATION_VALID,
        Purpose::Reset => RESET_VALID,
    };
    password_link::Model {
        token_hash: secrets::hash_token(token),
        user_id: person.id,
        purpose: purpose.as_str().to_owned(),
        created_at: now,
        expires_at: now + valid,
        used_at: None,
    }
}

/// Reset requests per typed address (whether it exists or not) within an hour…
const RESETS_PER_ADDRESS: Limit = Limit {
    max: 3,
    window: Duration::hours(1),
};
/// …and per client address, across addresses.
const RESETS_PER_CLIENT: Limit = Limit {
    max: 20,
    window: Duration::hours(1),
};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Unknown, used, expired, or its person left: one answer for all.
    #[error("this link is not valid (any more)")]
    Invalid,
    #[error("too many requests")]
    Throttled,
    #[error("no active person has this email address")]
    UnknownPerson,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Invites a person: a new link to set their first password (earlier invitation links stop
/// working), mailed through the outbox in the caller's transaction.
pub async fn invite(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    person: &user::Model,
    now: DateTime<Utc>,
) -> Result<(), MailError> {
    let token = secrets::new_token();
    db::password_links::delete_unused(txn, person.id, Some(PURPOSE_INVITATION)).await?;
    db::password_links::insert(txn, link(&token, person, Purpose::Invitation, now)).await?;
    let invitation = mail.invitation(&Recipient::from(person), &token, now + INVITATION_VALID)?;
    outbox::queue(txn, vec![invitation]).await?;
    Ok(())
}

/// Mails an active person a new invitation (an operator's `kiwi users invite`).
pub async fn invite_again(
    db: &DatabaseConnection,
    mail: &Composer,
    email: &Email,
) -> Result<(), LinkError> {
    let person = db::users::by_email(db, &email.normalized())
        .await?
        .filter(|p| p.status == user::STATUS_ACTIVE)
        .ok_or(LinkError::UnknownPerson)?;
    let txn = db::begin_write(db).await?;
    invite(&txn, mail, &person, Utc::now()).await?;
    db::audit::record(&txn, None, "person.invited", &person.personnel_number).await?;
    txn.commit().await?;
    Ok(())
}

/// Someone asks for a new password: counts the request per typed address and per client,
/// atomically, whether the address belongs to anyone. `Throttled` past either limit. The
/// link itself is made by [`send_reset`], which the caller runs without waiting for it, so
/// the answer takes as long for a known address as for an unknown one.
pub async fn take_reset_turn(
    db: &DatabaseConnection,
    email: &Email,
    client: &str,
) -> Result<(), LinkError> {
    let address_key = throttle::address_key("reset", email.as_str());
    let client_key = format!("reset-client:{client}");
    let txn = db::begin_write(db).await?;
    let address_within = throttle::take_in(&txn, &address_key, RESETS_PER_ADDRESS).await?;
    let client_within = throttle::take_in(&txn, &client_key, RESETS_PER_CLIENT).await?;
    txn.commit().await?;
    if address_within && client_within {
        Ok(())
    } else {
        Err(LinkError::Throttled)
    }
}

/// Mails a reset link if the address belongs to an active person (after [`take_reset_turn`]).
pub async fn send_reset(
    db: &DatabaseConnection,
    mail: &Composer,
    email: &Email,
) -> Result<(), LinkError> {
    let Some(person) = db::users::by_email(db, &email.normalized())
        .await?
        .filter(|p| p.status == user::STATUS_ACTIVE)
    else {
        return Ok(());
    };
    let now = Utc::now();
    let token = secrets::new_token();
    let txn = db::begin_write(db).await?;
    db::password_links::delete_unused(&txn, person.id, Some(PURPOSE_RESET)).await?;
    db::password_links::insert(&txn, link(&token, &person, Purpose::Reset, now)).await?;
    let reset = mail.password_reset(&Recipient::from(&person), &token)?;
    outbox::queue(&txn, vec![reset]).await?;
    db::audit::record(&txn, Some(person.id), "person.reset_requested", "").await?;
    txn.commit().await?;
    Ok(())
}

/// The person a link belongs to, while it can still be used (the form is shown only then).
pub async fn person_of(
    db: &DatabaseConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Option<user::Model>, DbErr> {
    let Some(link) = db::password_links::live(
        db,
        &secrets::hash_token(token),
        purpose.as_str(),
        Utc::now(),
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(db::users::by_id(db, link.user_id)
        .await?
        .filter(|p| p.status == user::STATUS_ACTIVE))
}

/// Sets the password through a link, once: the link is used up in the same transaction,
/// the person's other links and every session of theirs end.
pub async fn set_password(
    db: &DatabaseConnection,
    purpose: Purpose,
    token: &str,
    password: NewPassword,
) -> Result<user::Model, LinkError> {
    // Checked first, so a wrong link costs no password hashing.
    let person = person_of(db, purpose, token)
        .await?
        .ok_or(LinkError::Invalid)?;
    let hash = passwords::hash(password).await?;
    let txn = db::begin_write(db).await?;
    if !db::password_links::use_up(
        &txn,
        &secrets::hash_token(token),
        purpose.as_str(),
        Utc::now(),
    )
    .await?
    {
        return Err(LinkError::Invalid);
    }
    db::users::set_password_hash(&txn, person.id, hash).await?;
    db::password_links::delete_unused(&txn, person.id, None).await?;
    sessions::end_all(&txn, person.id).await?;
    let action = match purpose {
        Purpose::Invitation => "person.invitation_accepted",
        Purpose::Reset => "person.password_reset",
    };
    db::audit::record(&txn, Some(person.id), action, &person.personnel_number).await?;
    txn.commit().await?;
    Ok(person)
}
