//! A person's progress through courses: which modules are done, what comes next.

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::courses::{Catalog, Course, Module};
use crate::db;
use crate::entities::{access_change, module_completion};
use crate::services::certification;
use crate::services::mails::Composer;
use crate::services::progress::{CourseProgress, progress_of};

#[derive(Debug, thiserror::Error)]
pub enum LearningError {
    #[error("no such course or module")]
    NotFound,
    #[error("this module ends with a quiz; reading alone does not complete it")]
    HasQuiz,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Every course of the catalog with the person's progress, in two queries.
pub async fn overview<'c>(
    db: &DatabaseConnection,
    catalog: &'c Catalog,
    user: Uuid,
) -> Result<Vec<(&'c Course, CourseProgress)>, DbErr> {
    let completions = db::completions::of_user(db, user).await?;
    let attempted_in = db::attempts::courses_of_user(db, user).await?;
    Ok(catalog
        .courses()
        .iter()
        .map(|course| {
            let attempted = attempted_on_current_version(&attempted_in, course);
            (course, progress_of(course, &completions, attempted))
        })
        .collect())
}

/// The person's progress in one course.
pub async fn progress_in(
    db: &DatabaseConnection,
    course: &Course,
    user: Uuid,
) -> Result<CourseProgress, DbErr> {
    let completions = db::completions::of_user(db, user).await?;
    let attempted_in = db::attempts::courses_of_user(db, user).await?;
    let attempted = attempted_on_current_version(&attempted_in, course);
    Ok(progress_of(course, &completions, attempted))
}

/// Whether `course`'s current version is among the (course, version) pairs attempted.
fn attempted_on_current_version(attempted_in: &[(String, String)], course: &Course) -> bool {
    attempted_in
        .iter()
        .any(|(id, version)| *id == course.id && *version == course.version)
}

/// Whether a person completed one module on the course's current version.
pub async fn module_completed(
    db: &DatabaseConnection,
    course: &Course,
    module: &Module,
    user: Uuid,
) -> Result<bool, DbErr> {
    db::completions::exists(db, user, &course.id, &course.version, &module.id).await
}

/// A module without quiz is completed by confirming it was read; confirming twice changes
/// nothing. Confirming the last open module issues the course's certificate.
pub async fn confirm_read(
    db: &DatabaseConnection,
    mail: &Composer,
    course: &Course,
    module_id: &str,
    user: Uuid,
) -> Result<(), LearningError> {
    let module = course.module(module_id).ok_or(LearningError::NotFound)?;
    if module.has_quiz() {
        return Err(LearningError::HasQuiz);
    }
    let now = Utc::now();
    let txn = db::begin_write(db).await?;
    // The first module read in a course makes it "in progress" in every report.
    if !db::records::has_started(&txn, user, &course.id).await? {
        db::access_changes::record(&txn, access_change::KIND_STARTED, Some(user)).await?;
    }
    db::completions::insert_once(
        &txn,
        module_completion::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user),
            course_id: Set(course.id.clone()),
            module_id: Set(module.id.clone()),
            course_version: Set(course.version.clone()),
            kind: Set(module_completion::KIND_READ.to_owned()),
            attempt_id: Set(None),
            completed_at: Set(now),
        },
    )
    .await?;
    certification::certify_if_complete(&txn, mail, course, user, now).await?;
    txn.commit().await?;
    Ok(())
}
