//! Assignments: a course that HR or a department head asks a unit (with every unit below
//! it) or a single person to complete by a due date.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(pk_uuid(Assignments::Id))
                    .col(string(Assignments::CourseId))
                    // Exactly one of the two targets is set.
                    .col(uuid_null(Assignments::OrgUnitId))
                    .col(uuid_null(Assignments::UserId))
                    .col(date(Assignments::DueOn))
                    .col(uuid(Assignments::AssignedBy))
                    .col(timestamp_with_time_zone(Assignments::AssignedAt))
                    .col(timestamp_with_time_zone_null(Assignments::WithdrawnAt))
                    .col(uuid_null(Assignments::WithdrawnBy))
                    .check(
                        Expr::col(Assignments::OrgUnitId)
                            .is_null()
                            .ne(Expr::col(Assignments::UserId).is_null()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::OrgUnitId)
                            .to(OrgUnits::Table, OrgUnits::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::AssignedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The training-records query looks assignments up per course.
        manager
            .create_index(
                Index::create()
                    .name("idx_assignments_course")
                    .table(Assignments::Table)
                    .col(Assignments::CourseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignments_user")
                    .table(Assignments::Table)
                    .col(Assignments::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Assignments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OrgUnits {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    CourseId,
    OrgUnitId,
    UserId,
    DueOn,
    AssignedBy,
    AssignedAt,
    WithdrawnAt,
    WithdrawnBy,
}
