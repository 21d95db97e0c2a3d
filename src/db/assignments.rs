//! Queries on assignments.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Statement,
};
use uuid::Uuid;

use crate::entities::assignment;

pub async fn insert(
    db: &impl ConnectionTrait,
    model: assignment::ActiveModel,
) -> Result<assignment::Model, DbErr> {
    model.insert(db).await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<assignment::Model>, DbErr> {
    assignment::Entity::find_by_id(id).one(db).await
}

/// Every assignment not withdrawn, the earliest due first.
pub async fn open(db: &impl ConnectionTrait) -> Result<Vec<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::WithdrawnAt.is_null())
        .order_by_asc(assignment::Column::DueOn)
        .order_by_asc(assignment::Column::CourseId)
        .all(db)
        .await
}

/// Withdraws an open assignment; returns whether it was open.
pub async fn withdraw(db: &impl ConnectionTrait, id: Uuid, by: Uuid) -> Result<bool, DbErr> {
    let result = assignment::Entity::update_many()
        .col_expr(assignment::Column::WithdrawnAt, Utc::now().into())
        .col_expr(assignment::Column::WithdrawnBy, Some(by).into())
        .filter(assignment::Column::Id.eq(id))
        .filter(assignment::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// An open assignment with the lineage of the unit it names (if it names one).
#[derive(Debug, Clone, FromQueryResult)]
pub struct OpenAssignment {
    pub course_id: String,
    pub user_id: Option<Uuid>,
    pub unit_lineage: Option<String>,
    pub due_on: NaiveDate,
}

/// Every open assignment, with the lineage of its unit: few rows, read once per report.
pub async fn open_with_lineage(db: &impl ConnectionTrait) -> Result<Vec<OpenAssignment>, DbErr> {
    OpenAssignment::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT a.course_id, a.user_id, ao.lineage AS unit_lineage, a.due_on \
         FROM assignments a LEFT JOIN org_units ao ON ao.id = a.org_unit_id \
         WHERE a.withdrawn_at IS NULL",
    ))
    .all(db)
    .await
}

/// Every assignment that applies to a person, withdrawn ones too: their own, and those of
/// `units` (their unit and every unit above it). The earliest due first.
pub async fn applying_to(
    db: &impl ConnectionTrait,
    user: Uuid,
    units: Vec<Uuid>,
) -> Result<Vec<assignment::Model>, DbErr> {
    use sea_orm::Condition;
    assignment::Entity::find()
        .filter(
            Condition::any()
                .add(assignment::Column::UserId.eq(user))
                .add(assignment::Column::OrgUnitId.is_in(units)),
        )
        .order_by_asc(assignment::Column::DueOn)
        .order_by_asc(assignment::Column::AssignedAt)
        .all(db)
        .await
}
