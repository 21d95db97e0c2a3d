//! Quizzes: drawing questions for an attempt, and grading it exactly once.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use sea_orm::{DatabaseConnection, DbErr, Set, SqlErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::courses::{Course, Module, QuestionKey};
use crate::db;
use crate::db::access_changes::Change;
use crate::domain::Language;
use crate::entities::{module_completion, quiz_attempt};
use crate::services::certification;
use crate::services::mails::Composer;

/// The module id of refresher attempts, which draw from every module of a course (module
/// ids cannot contain `_`, so it never clashes with a real module).
pub const REFRESHER: &str = "_refresher";

/// One question of an attempt: its module (refreshers only; otherwise the attempt's module),
/// its index in that module's pool and the order its options are shown in (original indices).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DrawnQuestion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub question: usize,
    pub options: Vec<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum QuizError {
    #[error("no such module or attempt")]
    NotFound,
    #[error("this module has no quiz")]
    NoQuiz,
    #[error("no attempts left for this module")]
    NoAttemptsLeft,
    #[error("the next attempt is possible from {0}")]
    CoolingDown(DateTime<Utc>),
    #[error("the course changed since this attempt was started")]
    Outdated,
    /// Positions (0-based) of questions without an answer.
    #[error("questions without an answer")]
    Unanswered(Vec<usize>),
    #[error("there is no certificate to renew yet")]
    NotRenewable,
    #[error("the stored attempt cannot be read: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Starts an attempt, or returns the person's open one for this module. The questions and
/// the order of their options are drawn at random and stored with the attempt.
pub async fn start(
    db: &DatabaseConnection,
    course: &Course,
    module: &Module,
    user: Uuid,
) -> Result<quiz_attempt::Model, QuizError> {
    if !module.has_quiz() {
        return Err(QuizError::NoQuiz);
    }
    let earlier =
        db::attempts::of_module(db, user, &course.id, &course.version, &module.id).await?;
    if let Some(open) = reusable_open_attempt(db, course, &earlier).await? {
        return Ok(open);
    }
    let submitted: Vec<&quiz_attempt::Model> = earlier
        .iter()
        .filter(|a| a.submitted_at.is_some())
        .collect();
    if let Some(max) = course.max_attempts
        && submitted.len() >= max as usize
    {
        return Err(QuizError::NoAttemptsLeft);
    }
    if let Some(until) = cooldown_until(course, &submitted)
        && until > Utc::now()
    {
        return Err(QuizError::CoolingDown(until));
    }
    insert_attempt(db, course, &module.id, user, draw(course, module)).await
}

/// When the next attempt may start after failures in a row: every `cooldown_after_failures`
/// failed attempts without a pass in between (on this course version), the person waits
/// `cooldown_minutes` after the last one, and uses the time to read the module again.
pub fn cooldown_until(
    course: &Course,
    submitted: &[&quiz_attempt::Model],
) -> Option<DateTime<Utc>> {
    if course.cooldown_minutes == 0 || course.cooldown_after_failures == 0 {
        return None;
    }
    let mut by_time: Vec<(DateTime<Utc>, bool)> = submitted
        .iter()
        .filter_map(|a| Some((a.submitted_at?, a.passed == Some(true))))
        .collect();
    by_time.sort_unstable();
    let failures_in_a_row = by_time
        .iter()
        .rev()
        .take_while(|(_, passed)| !passed)
        .count();
    let every = course.cooldown_after_failures as usize;
    if failures_in_a_row == 0 || failures_in_a_row % every != 0 {
        return None;
    }
    let (last, _) = by_time.last()?;
    Some(*last + Duration::minutes(i64::from(course.cooldown_minutes)))
}

/// Starts a refresher, or returns the open one: a person whose certificate ends within the
/// renewal window (or has ended) renews it by passing questions drawn from every module
/// of the course, rather than taking the whole course again.
pub async fn start_refresher(
    db: &DatabaseConnection,
    course: &Course,
    user: Uuid,
) -> Result<quiz_attempt::Model, QuizError> {
    let certificates = db::certificates::of_user_and_course(db, user, &course.id).await?;
    if certification::renewable(&certificates, Utc::now()).is_none() {
        return Err(QuizError::NotRenewable);
    }
    let earlier = db::attempts::of_module(db, user, &course.id, &course.version, REFRESHER).await?;
    if let Some(open) = reusable_open_attempt(db, course, &earlier).await? {
        return Ok(open);
    }
    let mut rng = rand::rng();
    let mut pool: Vec<(String, usize)> = course
        .modules
        .iter()
        .flat_map(|m| (0..m.questions.len()).map(move |q| (m.id.clone(), q)))
        .collect();
    pool.shuffle(&mut rng);
    let count = match course.questions_per_attempt {
        0 => pool.len(),
        n => n.min(pool.len()),
    };
    pool.truncate(count);
    let draw = pool
        .into_iter()
        .filter_map(|(module_id, question)| {
            let options = course.module(&module_id)?.questions.get(question)?.options;
            let mut order: Vec<usize> = (0..options).collect();
            order.shuffle(&mut rng);
            Some(DrawnQuestion {
                module: Some(module_id),
                question,
                options: order,
            })
        })
        .collect();
    insert_attempt(db, course, REFRESHER, user, draw).await
}

async fn insert_attempt(
    db: &DatabaseConnection,
    course: &Course,
    module_id: &str,
    user: Uuid,
    draw: Vec<DrawnQuestion>,
) -> Result<quiz_attempt::Model, QuizError> {
    let txn = db::begin_write(db).await?;
    // The first attempt on a course version makes the course "in progress".
    let first = !db::attempts::exists_on_version(&txn, user, &course.id, &course.version).await?;
    let inserted = db::attempts::insert(
        &txn,
        quiz_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user),
            course_id: Set(course.id.clone()),
            module_id: Set(module_id.to_owned()),
            course_version: Set(course.version.clone()),
            content_hash: Set(course.content_hash.clone()),
            draw: Set(serde_json::to_string(&draw).map_err(|e| QuizError::Corrupt(e.to_string()))?),
            started_at: Set(Utc::now()),
            submitted_at: Set(None),
            answers: Set(None),
            score_percent: Set(None),
            passed: Set(None),
        },
    )
    .await;
    match inserted {
        Ok(attempt) => {
            if first {
                db::access_changes::record(&txn, Change::Progress(user)).await?;
            }
            txn.commit().await?;
            Ok(attempt)
        }
        // A second click won the race: both get the attempt it opened.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            db::attempts::of_module(db, user, &course.id, &course.version, module_id)
                .await?
                .into_iter()
                .find(|a| a.submitted_at.is_none())
                .ok_or(QuizError::Database(error))
        }
        Err(error) => Err(error.into()),
    }
}

/// The person's open attempt, if it was drawn from the current content; an open attempt
/// from content that has changed since can never be submitted and is discarded.
async fn reusable_open_attempt(
    db: &DatabaseConnection,
    course: &Course,
    earlier: &[quiz_attempt::Model],
) -> Result<Option<quiz_attempt::Model>, QuizError> {
    let Some(open) = earlier.iter().find(|a| a.submitted_at.is_none()) else {
        return Ok(None);
    };
    if open.content_hash == course.content_hash {
        return Ok(Some(open.clone()));
    }
    db::attempts::delete_open(db, open.id).await?;
    Ok(None)
}

fn draw(course: &Course, module: &Module) -> Vec<DrawnQuestion> {
    let mut rng = rand::rng();
    let mut pool: Vec<usize> = (0..module.questions.len()).collect();
    pool.shuffle(&mut rng);
    let count = match course.questions_per_attempt {
        0 => pool.len(),
        n => n.min(pool.len()),
    };
    pool.truncate(count);
    pool.into_iter()
        .map(|question| {
            let mut options: Vec<usize> = (0..module.questions[question].options).collect();
            options.shuffle(&mut rng);
            DrawnQuestion {
                module: None,
                question,
                options,
            }
        })
        .collect()
}

/// The key of a drawn question: from its own module (refreshers) or the attempt's module.
pub fn question_key<'c>(
    course: &'c Course,
    attempt: &quiz_attempt::Model,
    drawn: &DrawnQuestion,
) -> Option<&'c QuestionKey> {
    let module = course.module(drawn.module.as_deref().unwrap_or(&attempt.module_id))?;
    module.questions.get(drawn.question)
}

/// A lesson section to read again: the module it is in, its anchor and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub module: String,
    pub anchor: String,
    pub title: String,
}

/// After a failed attempt: the lesson sections the wrongly answered questions test (the
/// anchors their explanations end with), each once, in the order of the questions.
pub fn sections_to_reread(
    course: &Course,
    attempt: &quiz_attempt::Model,
    language: Language,
) -> Result<Vec<Section>, QuizError> {
    if attempt.passed != Some(false) {
        return Ok(Vec::new());
    }
    let answers = stored_answers(attempt)?;
    let mut sections: Vec<Section> = Vec::new();
    for (drawn, answer) in drawn_questions(attempt)?.iter().zip(&answers) {
        let module_id = drawn.module.as_deref().unwrap_or(&attempt.module_id);
        let Some(module) = course.module(module_id) else {
            continue;
        };
        let right = module
            .questions
            .get(drawn.question)
            .is_some_and(|key| &key.correct == answer);
        let text = module.text(course.language_for(language));
        let section = text
            .questions
            .get(drawn.question)
            .and_then(|q| q.review.as_deref())
            .and_then(|anchor| text.section(anchor));
        if let (false, Some(section)) = (right, section) {
            let found = Section {
                module: module.id.clone(),
                anchor: section.anchor.clone(),
                title: section.title.clone(),
            };
            if !sections.contains(&found) {
                sections.push(found);
            }
        }
    }
    Ok(sections)
}

/// A person's own attempt; anyone else's is "not found" (not even its existence leaks).
pub async fn attempt_of(
    db: &DatabaseConnection,
    id: Uuid,
    user: Uuid,
) -> Result<quiz_attempt::Model, QuizError> {
    match db::attempts::by_id(db, id).await? {
        Some(attempt) if attempt.user_id == user => Ok(attempt),
        _ => Err(QuizError::NotFound),
    }
}

pub fn drawn_questions(attempt: &quiz_attempt::Model) -> Result<Vec<DrawnQuestion>, QuizError> {
    serde_json::from_str(&attempt.draw).map_err(|e| QuizError::Corrupt(e.to_string()))
}

/// The chosen original option indices per drawn question, once submitted.
pub fn stored_answers(attempt: &quiz_attempt::Model) -> Result<Vec<Vec<usize>>, QuizError> {
    match &attempt.answers {
        Some(json) => serde_json::from_str(json).map_err(|e| QuizError::Corrupt(e.to_string())),
        None => Ok(Vec::new()),
    }
}

/// Grades and records an attempt exactly once: a second submission (double click, back
/// button, replay, another tab, a concurrent request) changes nothing and gets the stored
/// result. `chosen` holds, per drawn question, the positions of the options as shown.
/// Passing completes the module on the attempt's course version, and passing the last
/// module issues the course's certificate in the same transaction; passing a refresher
/// issues the next certificate.
pub async fn submit(
    db: &DatabaseConnection,
    mail: &Composer,
    course: &Course,
    attempt: quiz_attempt::Model,
    chosen: Vec<Vec<usize>>,
) -> Result<quiz_attempt::Model, QuizError> {
    if attempt.submitted_at.is_some() {
        return Ok(attempt);
    }
    if attempt.content_hash != course.content_hash || attempt.course_version != course.version {
        return Err(QuizError::Outdated);
    }
    let draw = drawn_questions(&attempt)?;
    let unanswered: Vec<usize> = (0..draw.len())
        .filter(|n| chosen.get(*n).is_none_or(|c| c.is_empty()))
        .collect();
    if !unanswered.is_empty() {
        return Err(QuizError::Unanswered(unanswered));
    }
    let answers: Vec<Vec<usize>> = draw
        .iter()
        .zip(&chosen)
        .map(|(drawn, positions)| {
            let mut original: Vec<usize> = positions
                .iter()
                .filter_map(|p| drawn.options.get(*p).copied())
                .collect();
            original.sort_unstable();
            original.dedup();
            original
        })
        .collect();
    let correct = answers
        .iter()
        .zip(&draw)
        .filter(|(answer, drawn)| {
            question_key(course, &attempt, drawn).is_some_and(|q| &q.correct == *answer)
        })
        .count();
    let score = i32::try_from(correct * 100 / draw.len().max(1)).unwrap_or(0);
    let passed = score >= i32::try_from(course.pass_percent).unwrap_or(100);
    let now = Utc::now();
    let answers_json =
        serde_json::to_string(&answers).map_err(|e| QuizError::Corrupt(e.to_string()))?;

    let txn = db::begin_write(db).await?;
    let recorded =
        db::attempts::submit_if_open(&txn, attempt.id, now, answers_json.clone(), score, passed)
            .await?;
    if recorded && passed && attempt.module_id == REFRESHER {
        certification::renew(&txn, mail, course, attempt.user_id, now).await?;
    } else if recorded && passed {
        let completed = db::completions::insert_once(
            &txn,
            module_completion::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(attempt.user_id),
                course_id: Set(attempt.course_id.clone()),
                module_id: Set(attempt.module_id.clone()),
                course_version: Set(attempt.course_version.clone()),
                kind: Set(module_completion::KIND_PASSED.to_owned()),
                attempt_id: Set(Some(attempt.id)),
                completed_at: Set(now),
            },
        )
        .await?;
        if completed {
            db::access_changes::record(&txn, Change::Progress(attempt.user_id)).await?;
        }
        certification::certify_if_complete(&txn, mail, course, attempt.user_id, now).await?;
    }
    txn.commit().await?;
    if recorded {
        return Ok(quiz_attempt::Model {
            submitted_at: Some(now),
            answers: Some(answers_json),
            score_percent: Some(score),
            passed: Some(passed),
            ..attempt
        });
    }
    // Submitted before (a double click, another tab): the result stored then.
    db::attempts::by_id(db, attempt.id)
        .await?
        .ok_or(QuizError::NotFound)
}
