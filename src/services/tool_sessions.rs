//! The handshake that lets a kiwi session reach a tool on its own host name.
//!
//! kiwi's session cookie belongs to kiwi's host; the browser never sends it to
//! `kreativbot.stadt.example`. So after sign-in kiwi hands the person's browser a one-time
//! code for that tool (valid 60 s, bound to the kiwi session), the tool's proxy routes
//! `/.kiwi/callback` on the tool's host to kiwi, and there kiwi exchanges the code for a
//! cookie of that host. The cookie names a tool session, which belongs to the kiwi session
//! and ends with it (sign-out, expiry, a person leaving, a password change).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use crate::db;
use crate::db::access_changes::Change;
use crate::domain::ReturnPath;
use crate::entities::tool_session;
use crate::services::secrets;
use crate::services::sessions::{self, ActiveSession};

/// How long a code may travel from kiwi's host to the tool's.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);

/// A code exchanged on the tool's host: the cookie token and where to go on that host.
pub struct Exchanged {
    pub token: String,
    pub next: ReturnPath,
}

/// Issues a one-time code for `tool`, bound to the kiwi session `session_id_hash`.
pub async fn issue_code(
    db: &impl ConnectionTrait,
    tool: &str,
    session_id_hash: &str,
    next: &ReturnPath,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let code = secrets::new_token();
    db::tool_sessions::insert(
        db,
        tool_session::ActiveModel {
            id: Set(Uuid::now_v7()),
            session_id_hash: Set(session_id_hash.to_owned()),
            tool: Set(tool.to_owned()),
            code_hash: Set(Some(secrets::hash_token(&code))),
            code_expires_at: Set(now + CODE_LIFETIME),
            next_path: Set(next.as_str().to_owned()),
            token_hash: Set(None),
            created_at: Set(now),
        },
    )
    .await?;
    Ok(code)
}

/// Exchanges a code on the host of `tool`: once, within its lifetime, and only for the tool
/// it was issued for (a code for one tool is worthless on another's host).
pub async fn exchange(
    db: &impl ConnectionTrait,
    tool: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<Exchanged>, DbErr> {
    if !secrets::is_token(code) {
        return Ok(None);
    }
    let token = secrets::new_token();
    let token_hash = secrets::hash_token(&token);
    if !db::tool_sessions::exchange(db, tool, &secrets::hash_token(code), &token_hash, now).await? {
        return Ok(None);
    }
    let Some(row) = db::tool_sessions::by_token_hash(db, &token_hash).await? else {
        return Ok(None);
    };
    Ok(Some(Exchanged {
        token,
        next: ReturnPath::or_home(Some(&row.next_path)),
    }))
}

/// Resolves a tool host's cookie to the live kiwi session it belongs to, for this tool only.
pub async fn resolve(
    db: &impl ConnectionTrait,
    tool: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ActiveSession>, DbErr> {
    if !secrets::is_token(token) {
        return Ok(None);
    }
    let Some(row) = db::tool_sessions::by_token_hash(db, &secrets::hash_token(token)).await? else {
        return Ok(None);
    };
    if row.tool != tool {
        return Ok(None);
    }
    sessions::resolve_hash(db, row.session_id_hash, now).await
}

/// Ends one tool host's session (its own sign-out link); the kiwi session goes on. Every
/// instance forgets it within a second, as it does a sign-out.
pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    let token_hash = secrets::hash_token(token);
    let Some(row) = db::tool_sessions::by_token_hash(db, &token_hash).await? else {
        return Ok(());
    };
    db::tool_sessions::delete_by_token_hash(db, &token_hash).await?;
    if let Some(session) = db::sessions::by_id_hash(db, &row.session_id_hash).await? {
        db::access_changes::record(db, Change::Person(session.user_id)).await?;
    }
    Ok(())
}

/// Removes codes never exchanged; run periodically. (Exchanged ones end with their kiwi
/// session, which the database deletes them with.)
pub async fn purge_unused_codes(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    db::tool_sessions::delete_unused_codes(db, Utc::now()).await
}

/// The hash key of a tool host's cookie in the access cache: never equal to a kiwi
/// session's, so a tool cookie can't pass for kiwi's own.
pub fn cache_key(tool: &str, token: &str) -> String {
    secrets::hash_token(&format!("tool:{tool}:{token}"))
}
