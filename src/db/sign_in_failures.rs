//! Counting failed sign-ins per key ("account:…" or "client:…").

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::entities::sign_in_failure;

pub async fn get(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<sign_in_failure::Model>, DbErr> {
    sign_in_failure::Entity::find_by_id(key.to_owned())
        .one(db)
        .await
}

pub async fn put(
    db: &impl ConnectionTrait,
    key: &str,
    failures: i32,
    window_start: DateTime<Utc>,
    exists: bool,
) -> Result<(), DbErr> {
    let model = sign_in_failure::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(failures),
        window_start: Set(window_start),
    };
    if exists {
        model.update(db).await.map(|_| ())
    } else {
        model.insert(db).await.map(|_| ())
    }
}

pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    sign_in_failure::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}
