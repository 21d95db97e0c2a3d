//! How far a person is in a course, from their completed modules: a pure rule.

use std::collections::HashSet;

use crate::courses::Course;
use crate::entities::module_completion;

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
