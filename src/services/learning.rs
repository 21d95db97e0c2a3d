//! A person's progress through courses: which modules are done, what comes next.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::courses::{Catalog, Course};
use crate::db;
use crate::entities::module_completion;
use crate::services::certification;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseStatus {
    NotStarted,
    InProgress,
    Completed,
}

impl CourseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::NotStarted => "not-started",
            CourseStatus::InProgress => "in-progress",
            CourseStatus::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CourseProgress {
    pub status: CourseStatus,
    /// Modules completed on the course's current version.
    pub completed: HashSet<String>,
    /// Where to go on: the first module not yet completed.
    pub next_module: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LearningError {
    #[error("no such course or module")]
    NotFound,
    #[error("this module ends with a quiz; reading alone does not complete it")]
    HasQuiz,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A course is completed when every module of its current version is passed or confirmed
/// read; progress on an earlier version stays in the records but does not count.
pub fn progress_of(
    course: &Course,
    completions: &[module_completion::Model],
    attempted: bool,
) -> CourseProgress {
    let completed: HashSet<String> = completions
        .iter()
        .filter(|c| c.course_id == course.id && c.course_version == course.version)
        .map(|c| c.module_id.clone())
        .collect();
    let next_module = course
        .modules
        .iter()
        .find(|m| !completed.contains(&m.id))
        .map(|m| m.id.clone());
    let status = if next_module.is_none() && !course.modules.is_empty() {
        CourseStatus::Completed
    } else if !completed.is_empty() || attempted {
        CourseStatus::InProgress
    } else {
        CourseStatus::NotStarted
    };
    CourseProgress {
        status,
        completed,
        next_module,
    }
}

/// Every course of the catalog with the person's progress, in two queries.
pub async fn overview<'c>(
    db: &DatabaseConnection,
    catalog: &'c Catalog,
    user: Uuid,
) -> Result<Vec<(&'c Course, CourseProgress)>, DbErr> {
    let completions = db::completions::of_user(db, user).await?;
    let attempts = db::attempts::of_user(db, user).await?;
    Ok(catalog
        .courses()
        .iter()
        .map(|course| {
            let attempted = attempts
                .iter()
                .any(|a| a.course_id == course.id && a.course_version == course.version);
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
    let attempted = db::attempts::of_user(db, user)
        .await?
        .iter()
        .any(|a| a.course_id == course.id && a.course_version == course.version);
    Ok(progress_of(course, &completions, attempted))
}

/// A module without quiz is completed by confirming it was read; confirming twice changes
/// nothing. Confirming the last open module issues the course's certificate.
pub async fn confirm_read(
    db: &DatabaseConnection,
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
    certification::certify_if_complete(&txn, course, user, now).await?;
    txn.commit().await?;
    Ok(())
}
