//! Server-side sessions: created at sign-in, resolved on every request, ended on demand.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use crate::db;
use crate::db::access_changes::Change;
use crate::entities::{session, user};
use crate::services::secrets;

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::hours(2);
/// …and in any case this long after sign-in.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, so reading a page is not a write.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// A session just created: the token goes into the cookie and nowhere else.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A signed-in person and their session, as resolved from the cookie. Its `Debug` shows
/// neither the session's hash nor its CSRF token.
#[derive(Clone)]
pub struct ActiveSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
}

impl std::fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSession")
            .field("user_id", &self.user.id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Opens a new session for a person; a fresh random id at every sign-in (no fixation).
pub async fn create(db: &impl ConnectionTrait, user_id: Uuid) -> Result<NewSession, DbErr> {
    let token = secrets::new_token();
    let csrf_token = secrets::new_token();
    let now = Utc::now();
    db::sessions::insert(
        db,
        session::ActiveModel {
            id_hash: Set(secrets::hash_token(&token)),
            user_id: Set(user_id),
            csrf_token: Set(csrf_token.clone()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + ABSOLUTE_TIMEOUT),
        },
    )
    .await?;
    Ok(NewSession { token, csrf_token })
}

/// Resolves a cookie token to a live session of an active person; anything expired,
/// idle too long, ended or belonging to someone who left resolves to nothing.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ActiveSession>, DbErr> {
    resolve_hash(db, secrets::hash_token(token), now).await
}

/// Resolves a session by the hash of its token (a tool host's session knows only that).
pub async fn resolve_hash(
    db: &impl ConnectionTrait,
    id_hash: String,
    now: DateTime<Utc>,
) -> Result<Option<ActiveSession>, DbErr> {
    let Some(session) = db::sessions::by_id_hash(db, &id_hash).await? else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen_at + IDLE_TIMEOUT <= now {
        db::sessions::delete(db, &id_hash).await?;
        return Ok(None);
    }
    let Some(user) = db::users::by_id(db, session.user_id).await? else {
        return Ok(None);
    };
    if user.status != user::STATUS_ACTIVE {
        db::sessions::delete_all_of(db, user.id).await?;
        return Ok(None);
    }
    if session.last_seen_at + TOUCH_INTERVAL <= now {
        db::sessions::touch(db, &id_hash, now).await?;
    }
    Ok(Some(ActiveSession {
        id_hash,
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
        user,
    }))
}

/// Ends one session (sign-out); every kiwi instance forgets it within a second.
pub async fn end(db: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbErr> {
    if let Some(session) = db::sessions::by_id_hash(db, id_hash).await? {
        db::sessions::delete(db, id_hash).await?;
        db::access_changes::record(db, Change::Person(session.user_id)).await?;
    }
    Ok(())
}

/// Ends every session of a person (password change, leaving the organisation).
pub async fn end_all(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    db::sessions::delete_all_of(db, user_id).await?;
    db::access_changes::record(db, Change::Person(user_id)).await
}

/// Removes expired and idle sessions; run periodically.
pub async fn purge_stale(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let now = Utc::now();
    db::sessions::delete_stale(db, now, now - IDLE_TIMEOUT).await
}
