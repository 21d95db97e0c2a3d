//! Queries on acknowledgements of the AI usage policy.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::policy_acknowledgement;

/// Records that a person acknowledged a version; doing it twice changes nothing.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    user: Uuid,
    version: &str,
) -> Result<(), DbErr> {
    policy_acknowledgement::Entity::insert(policy_acknowledgement::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user),
        policy_version: Set(version.to_owned()),
        acknowledged_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([
        policy_acknowledgement::Column::UserId,
        policy_acknowledgement::Column::PolicyVersion,
    ])
    .exec(db)
    .await
    .map(|_| ())
}

pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find()
        .filter(policy_acknowledgement::Column::UserId.eq(user))
        .all(db)
        .await
}

/// Everyone who acknowledged `version`.
pub async fn of_version(
    db: &impl ConnectionTrait,
    version: &str,
) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find()
        .filter(policy_acknowledgement::Column::PolicyVersion.eq(version))
        .all(db)
        .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find().all(db).await
}

/// How many active people in the subtree of `lineage` (everyone for `None`) acknowledged
/// `version`.
pub async fn count_in_scope(
    db: &impl ConnectionTrait,
    version: &str,
    lineage: Option<&str>,
) -> Result<i64, DbErr> {
    use sea_orm::{DatabaseBackend, Statement, Value};
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![version.into(), crate::entities::user::STATUS_ACTIVE.into()];
    let placeholder = |n: usize| match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let mut sql = format!(
        "SELECT COUNT(*) AS acknowledged FROM policy_acknowledgements p \
         JOIN users u ON u.id = p.user_id JOIN org_units o ON o.id = u.org_unit_id \
         WHERE p.policy_version = {} AND u.status = {}",
        placeholder(1),
        placeholder(2)
    );
    if let Some(lineage) = lineage {
        values.push((lineage.len() as i32).into());
        values.push(lineage.to_owned().into());
        sql.push_str(&format!(
            " AND substr(o.lineage, 1, {}) = {}",
            placeholder(3),
            placeholder(4)
        ));
    }
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    match row {
        Some(row) => row.try_get("", "acknowledged"),
        None => Ok(0),
    }
}
