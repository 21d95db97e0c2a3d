//! Queries for single sign-on: sign-ins on their way through the provider, the sessions
//! that came from it, and the roles a provider's groups give.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::domain::Roles;
use crate::entities::{oidc_session, oidc_sign_in, user};

pub async fn insert_sign_in(
    db: &impl ConnectionTrait,
    model: oidc_sign_in::ActiveModel,
) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

/// Takes the sign-in of a `state`: read and removed in one transaction of the caller's, so
/// a state works once.
pub async fn take_sign_in(
    db: &impl ConnectionTrait,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<oidc_sign_in::Model>, DbErr> {
    let Some(row) = oidc_sign_in::Entity::find_by_id(state_hash.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let removed = oidc_sign_in::Entity::delete_by_id(state_hash.to_owned())
        .exec(db)
        .await?;
    Ok((removed.rows_affected == 1 && row.expires_at > now).then_some(row))
}

pub async fn insert_session(
    db: &impl ConnectionTrait,
    model: oidc_session::ActiveModel,
) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

pub async fn session(
    db: &impl ConnectionTrait,
    session_id_hash: &str,
) -> Result<Option<oidc_session::Model>, DbErr> {
    oidc_session::Entity::find_by_id(session_id_hash.to_owned())
        .one(db)
        .await
}

/// The kiwi sessions of a provider session (`sid`), or else of a subject.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    subject: Option<&str>,
    sid: Option<&str>,
) -> Result<Vec<oidc_session::Model>, DbErr> {
    let mut query = oidc_session::Entity::find();
    match (sid, subject) {
        (Some(sid), Some(subject)) => {
            query = query
                .filter(oidc_session::Column::Sid.eq(sid))
                .filter(oidc_session::Column::Subject.eq(subject));
        }
        (Some(sid), None) => query = query.filter(oidc_session::Column::Sid.eq(sid)),
        (None, Some(subject)) => query = query.filter(oidc_session::Column::Subject.eq(subject)),
        (None, None) => return Ok(Vec::new()),
    }
    query.all(db).await
}

/// Sets a person's roles (from the provider's groups).
pub async fn set_roles(
    db: &impl ConnectionTrait,
    id: Uuid,
    roles: Roles,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        id: Set(id),
        is_manager: Set(roles.manager),
        is_hr: Set(roles.hr),
        is_admin: Set(roles.admin),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(db)
    .await
}

/// Removes sign-ins that never came back from the provider.
pub async fn purge_sign_ins(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    oidc_sign_in::Entity::delete_many()
        .filter(oidc_sign_in::Column::ExpiresAt.lte(now))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
