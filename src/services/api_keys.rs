//! API keys with which the tools ask kiwi about access.

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::db;
use crate::db::access_changes::Change;
use crate::entities::api_key;
use crate::services::secrets;
use crate::tools::Tool;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no tool with the id {0} in the tools file")]
    UnknownTool(String),
    #[error("no such key")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Creates a key for a tool. The key is returned once and stored only as a hash.
pub async fn create(
    db: &DatabaseConnection,
    tools: &[Tool],
    tool_id: &str,
    actor: Option<Uuid>,
) -> Result<String, KeyError> {
    if !tools.iter().any(|t| t.id == tool_id) {
        return Err(KeyError::UnknownTool(tool_id.to_owned()));
    }
    let key = format!("kiwi_{}", secrets::new_token());
    let prefix = key[..13].to_owned();
    let txn = db::begin_write(db).await?;
    db::api_keys::insert(&txn, tool_id, secrets::hash_token(&key), prefix.clone()).await?;
    db::access_changes::record(&txn, Change::Keys).await?;
    db::audit::record(
        &txn,
        actor,
        "api_key.created",
        &format!("{tool_id} {prefix}…"),
    )
    .await?;
    txn.commit().await?;
    Ok(key)
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<api_key::Model>, DbErr> {
    db::api_keys::all(db).await
}

/// Revokes a key; the tool's requests with it are refused within a second everywhere.
pub async fn revoke(
    db: &DatabaseConnection,
    id: Uuid,
    actor: Option<Uuid>,
) -> Result<(), KeyError> {
    let txn = db::begin_write(db).await?;
    let key = db::api_keys::by_id(&txn, id)
        .await?
        .ok_or(KeyError::NotFound)?;
    if key.revoked_at.is_none() {
        db::api_keys::revoke(&txn, id, Utc::now()).await?;
        db::access_changes::record(&txn, Change::Keys).await?;
        db::audit::record(
            &txn,
            actor,
            "api_key.revoked",
            &format!("{} {}…", key.tool_id, key.prefix),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
