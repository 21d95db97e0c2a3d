//! Queries on the org unit tree.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::org_unit;

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Path)
        .all(db)
        .await
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<org_unit::Model>, DbErr> {
    org_unit::Entity::find_by_id(id).one(db).await
}

pub async fn by_path(
    db: &impl ConnectionTrait,
    path: &str,
) -> Result<Option<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Path.eq(path))
        .one(db)
        .await
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    org_unit::Entity::find().count(db).await
}

/// Creates a unit below `parent` (or a root unit); `path` is the parent's path plus the name.
pub async fn insert(
    db: &impl ConnectionTrait,
    parent: Option<&org_unit::Model>,
    name: &str,
    path: String,
) -> Result<org_unit::Model, DbErr> {
    let id = Uuid::now_v7();
    let lineage = match parent {
        Some(p) => format!("{}{}/", p.lineage, id),
        None => format!("/{id}/"),
    };
    org_unit::ActiveModel {
        id: Set(id),
        parent_id: Set(parent.map(|p| p.id)),
        name: Set(name.to_owned()),
        path: Set(path),
        lineage: Set(lineage),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
}

/// Number of people per unit, for the admin overview.
pub async fn member_counts(db: &impl ConnectionTrait) -> Result<Vec<(Uuid, i64)>, DbErr> {
    use crate::entities::user;
    use sea_orm::QuerySelect;
    user::Entity::find()
        .select_only()
        .column(user::Column::OrgUnitId)
        .column_as(user::Column::Id.count(), "members")
        .filter(user::Column::Status.eq(user::STATUS_ACTIVE))
        .group_by(user::Column::OrgUnitId)
        .into_tuple()
        .all(db)
        .await
}

/// A unit and every unit below it, found by the unit's id in one statement.
pub async fn subtree_of(
    db: &impl ConnectionTrait,
    unit_id: Uuid,
) -> Result<Vec<org_unit::Model>, DbErr> {
    use sea_orm::{DatabaseBackend, Statement};
    let backend = db.get_database_backend();
    let placeholder = if backend == DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    org_unit::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT u.* FROM org_units u JOIN org_units top \
                 ON substr(u.lineage, 1, length(top.lineage)) = top.lineage \
                 WHERE top.id = {placeholder} ORDER BY u.path"
            ),
            [unit_id.into()],
        ))
        .all(db)
        .await
}
