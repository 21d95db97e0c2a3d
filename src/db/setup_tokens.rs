//! The first-admin setup token.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::entities::setup_token;

/// Replaces any earlier token: only the link printed last works.
pub async fn replace(db: &impl ConnectionTrait, token_hash: String) -> Result<(), DbErr> {
    setup_token::Entity::delete_many().exec(db).await?;
    setup_token::ActiveModel {
        token_hash: Set(token_hash),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map(|_| ())
}

pub async fn exists(db: &impl ConnectionTrait, token_hash: &str) -> Result<bool, DbErr> {
    Ok(setup_token::Entity::find_by_id(token_hash.to_owned())
        .one(db)
        .await?
        .is_some())
}

pub async fn delete_all(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    setup_token::Entity::delete_many()
        .exec(db)
        .await
        .map(|_| ())
}
