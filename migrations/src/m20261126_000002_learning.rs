//! Learning: quiz attempts and completed modules, each recording the course version.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuizAttempts::Table)
                    .col(pk_uuid(QuizAttempts::Id))
                    .col(uuid(QuizAttempts::UserId))
                    .col(string(QuizAttempts::CourseId))
                    .col(string(QuizAttempts::ModuleId))
                    .col(string(QuizAttempts::CourseVersion))
                    .col(string(QuizAttempts::ContentHash))
                    // The questions and option order drawn for this attempt (JSON).
                    .col(text(QuizAttempts::Draw))
                    .col(timestamp_with_time_zone(QuizAttempts::StartedAt))
                    .col(timestamp_with_time_zone_null(QuizAttempts::SubmittedAt))
                    .col(text_null(QuizAttempts::Answers))
                    .col(integer_null(QuizAttempts::ScorePercent))
                    .col(boolean_null(QuizAttempts::Passed))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuizAttempts::Table, QuizAttempts::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quiz_attempts_user_module")
                    .table(QuizAttempts::Table)
                    .col(QuizAttempts::UserId)
                    .col(QuizAttempts::CourseId)
                    .col(QuizAttempts::ModuleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModuleCompletions::Table)
                    .col(pk_uuid(ModuleCompletions::Id))
                    .col(uuid(ModuleCompletions::UserId))
                    .col(string(ModuleCompletions::CourseId))
                    .col(string(ModuleCompletions::ModuleId))
                    .col(string(ModuleCompletions::CourseVersion))
                    // "passed" (quiz) or "read" (a module without quiz, confirmed).
                    .col(string_len(ModuleCompletions::Kind, 16))
                    .col(uuid_null(ModuleCompletions::AttemptId))
                    .col(timestamp_with_time_zone(ModuleCompletions::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ModuleCompletions::Table, ModuleCompletions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A module is completed once per course version, however often it is passed.
        manager
            .create_index(
                Index::create()
                    .name("uq_module_completions")
                    .table(ModuleCompletions::Table)
                    .col(ModuleCompletions::UserId)
                    .col(ModuleCompletions::CourseId)
                    .col(ModuleCompletions::CourseVersion)
                    .col(ModuleCompletions::ModuleId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // At most one open attempt per person, module and course version: two clicks on
        // "start" at once cannot open two. (A partial index: the same SQL on both databases.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_quiz_attempts_open ON quiz_attempts \
                 (user_id, course_id, course_version, module_id) WHERE submitted_at IS NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ModuleCompletions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(QuizAttempts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum QuizAttempts {
    Table,
    Id,
    UserId,
    CourseId,
    ModuleId,
    CourseVersion,
    ContentHash,
    Draw,
    StartedAt,
    SubmittedAt,
    Answers,
    ScorePercent,
    Passed,
}

#[derive(DeriveIden)]
enum ModuleCompletions {
    Table,
    Id,
    UserId,
    CourseId,
    ModuleId,
    CourseVersion,
    Kind,
    AttemptId,
    CompletedAt,
}
