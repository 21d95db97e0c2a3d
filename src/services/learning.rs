//! A person's progress through courses: which modules are done, what comes next.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::courses::{Catalog, Course, Module};
use crate::db;
use crate::db::access_changes::Change;
use crate::entities::module_completion;
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

/// What a person did in every course, on every version: the modules they completed and
/// the course versions they attempted a quiz in. Pages read it from the access cache.
#[derive(Debug, Default)]
pub struct LearnerProgress {
    completions: Vec<module_completion::Model>,
    attempted_in: Vec<(String, String)>,
}

impl LearnerProgress {
    /// Reads a person's progress from the database, in two queries.
    pub async fn load(db: &impl ConnectionTrait, user: Uuid) -> Result<LearnerProgress, DbErr> {
        Ok(LearnerProgress {
            completions: db::completions::of_user(db, user).await?,
            attempted_in: db::attempts::courses_of_user(db, user).await?,
        })
    }

    /// The person's progress in one course.
    pub fn in_course(&self, course: &Course) -> CourseProgress {
        let attempted = self
            .attempted_in
            .iter()
            .any(|(id, version)| *id == course.id && *version == course.version);
        progress_of(course, &self.completions, attempted)
    }

    /// Every course of the catalog with the person's progress.
    pub fn overview<'c>(&self, catalog: &'c Catalog) -> Vec<(&'c Course, CourseProgress)> {
        catalog
            .courses()
            .iter()
            .map(|course| (course, self.in_course(course)))
            .collect()
    }

    /// Whether the person completed one module on the course's current version.
    pub fn module_completed(&self, course: &Course, module: &Module) -> bool {
        self.completions.iter().any(|c| {
            c.course_id == course.id
                && c.course_version == course.version
                && c.module_id == module.id
        })
    }
}

/// The person's progress in one course, read from the database: for the page that follows
/// a change of it within the same request.
pub async fn progress_in(
    db: &DatabaseConnection,
    course: &Course,
    user: Uuid,
) -> Result<CourseProgress, DbErr> {
    Ok(LearnerProgress::load(db, user).await?.in_course(course))
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
    let inserted = db::completions::insert_once(
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
    if inserted {
        db::access_changes::record(&txn, Change::Progress(user)).await?;
    }
    certification::certify_if_complete(&txn, mail, course, user, now).await?;
    txn.commit().await?;
    Ok(())
}
