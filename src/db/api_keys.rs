//! Queries on the tools' API keys.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set};
use uuid::Uuid;

use crate::entities::api_key;

pub async fn insert(
    db: &impl ConnectionTrait,
    tool: &str,
    key_hash: String,
    prefix: String,
) -> Result<api_key::Model, DbErr> {
    api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        tool_id: Set(tool.to_owned()),
        key_hash: Set(key_hash),
        prefix: Set(prefix),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<api_key::Model>, DbErr> {
    api_key::Entity::find()
        .order_by_asc(api_key::Column::ToolId)
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<api_key::Model>, DbErr> {
    api_key::Entity::find_by_id(id).one(db).await
}

pub async fn revoke(db: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<(), DbErr> {
    api_key::ActiveModel {
        id: Set(id),
        revoked_at: Set(Some(at)),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}
