//! The grammar of `course.toml`: a course's id, version, languages, titles and quiz rules.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CourseToml {
    pub(super) id: String,
    pub(super) version: String,
    pub(super) languages: Vec<String>,
    #[serde(default = "default_order")]
    pub(super) order: i64,
    pub(super) pass_percent: u32,
    pub(super) questions_per_attempt: usize,
    pub(super) validity_months: u32,
    #[serde(default)]
    pub(super) max_attempts: Option<u32>,
    #[serde(default = "default_cooldown_after_failures")]
    pub(super) cooldown_after_failures: u32,
    #[serde(default = "default_cooldown_minutes")]
    pub(super) cooldown_minutes: u32,
    pub(super) title: BTreeMap<String, String>,
    pub(super) summary: BTreeMap<String, String>,
}

pub(super) fn default_order() -> i64 {
    100
}

/// By default, two failed attempts in a row mean a pause of half an hour: enough to stop
/// clicking through, short enough not to hold anyone up who re-reads the lesson.
pub(super) fn default_cooldown_after_failures() -> u32 {
    2
}

pub(super) fn default_cooldown_minutes() -> u32 {
    30
}
