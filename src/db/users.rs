//! Queries on people.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::user::{self, STATUS_ACTIVE, STATUS_LEFT};

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

pub async fn by_email(
    db: &impl ConnectionTrait,
    email_normalized: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(email_normalized))
        .one(db)
        .await
}

pub async fn by_personnel_number(
    db: &impl ConnectionTrait,
    personnel_number: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::PersonnelNumber.eq(personnel_number))
        .one(db)
        .await
}

/// Everyone, for the import's comparison with the HR file.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find().all(db).await
}

/// Up to `limit` people with an id after `after`, by id: a page of everyone that stays
/// stable while people are added.
pub async fn batch_after(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<user::Model>, DbErr> {
    let mut query = user::Entity::find().order_by_asc(user::Column::Id);
    if let Some(after) = after {
        query = query.filter(user::Column::Id.gt(after));
    }
    query.limit(limit).all(db).await
}

/// A person with their number in the transparency log (`users.record_no`, see
/// `db::record_views`).
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct Numbered {
    #[sea_orm(nested)]
    pub user: user::Model,
    pub record_no: i64,
}

/// Like `by_ids`, with each person's number.
pub async fn numbered_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<Numbered>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    user::Entity::find()
        .column_as(Expr::cust("record_no"), "record_no")
        .filter(user::Column::Id.is_in(ids))
        .into_model::<Numbered>()
        .all(db)
        .await
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find().count(db).await
}

pub async fn count_active_admins(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::Status.eq(STATUS_ACTIVE))
        .count(db)
        .await
}

/// One page of people ordered by name, optionally filtered by a search in name, email
/// or personnel number.
pub async fn page(
    db: &impl ConnectionTrait,
    search: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<user::Model>, u64), DbErr> {
    let mut query = user::Entity::find().order_by_asc(user::Column::Name);
    if let Some(term) = search {
        let term = term.to_lowercase();
        query = query.filter(
            Condition::any()
                .add(user::Column::EmailNormalized.contains(&term))
                .add(user::Column::PersonnelNumber.contains(&term))
                // Lower-cased on both sides: PostgreSQL's LIKE is case-sensitive.
                .add(
                    Expr::expr(Func::lower(Expr::col(user::Column::Name)))
                        .like(format!("%{term}%")),
                ),
        );
    }
    let total = query.clone().count(db).await?;
    let people = query
        .offset(page * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    Ok((people, total))
}

pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    id: Uuid,
    hash: String,
) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(id),
        password_hash: Set(Some(hash)),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

pub async fn set_language(
    db: &impl ConnectionTrait,
    id: Uuid,
    language: &str,
) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(id),
        language: Set(language.to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

pub async fn mark_left(
    db: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(id),
        status: Set(STATUS_LEFT.to_owned()),
        left_at: Set(Some(at)),
        updated_at: Set(at),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// Records when a person was added (the demo's people, whose training history is older).
pub async fn set_added_at(
    db: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(id),
        created_at: Set(at),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// The people with these ids.
pub async fn by_ids(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<user::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
}
