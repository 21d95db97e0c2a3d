//! Courses: Markdown folders loaded and validated once at start into an in-memory catalog.

pub mod assessment;
pub mod check;
pub mod contacts;
pub mod load;
pub mod markdown;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use crate::courses::contacts::Contacts;
use crate::courses::markdown::Heading;
use crate::domain::Language;

/// Every course, loaded at start; nothing is read from disk or rendered per request.
#[derive(Debug, Default)]
pub struct Catalog {
    courses: Vec<Course>,
    contacts: Contacts,
}

impl Catalog {
    pub fn new(mut courses: Vec<Course>) -> Catalog {
        courses.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
        Catalog {
            courses,
            contacts: Contacts::default(),
        }
    }

    /// The catalog with the contacts its lessons were rendered with.
    pub fn with_contacts(self, contacts: Contacts) -> Catalog {
        Catalog { contacts, ..self }
    }

    /// The administration's central contacts ("Wen frage ich?").
    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    pub fn courses(&self) -> &[Course] {
        &self.courses
    }

    pub fn get(&self, id: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.id == id)
    }
}

#[derive(Debug)]
pub struct Course {
    pub id: String,
    pub version: String,
    /// SHA-256 of the course's files (first 16 hex digits): changes with any edit.
    pub content_hash: String,
    /// The first is the course's default language.
    pub languages: Vec<Language>,
    pub order: i64,
    pub pass_percent: u32,
    /// How many questions an attempt draws from a module's pool; 0 means all.
    pub questions_per_attempt: usize,
    pub validity_months: u32,
    /// Attempts allowed per module and course version (None: unlimited).
    pub max_attempts: Option<u32>,
    /// After this many failed attempts in a row on a module (and again after as many more),
    /// the person waits `cooldown_minutes` before the next attempt.
    pub cooldown_after_failures: u32,
    /// Minutes to wait then (0: no cooldown).
    pub cooldown_minutes: u32,
    pub title: HashMap<Language, String>,
    pub summary: HashMap<Language, String>,
    pub modules: Vec<Module>,
    /// Files the lessons link to, by path inside the course folder; only these are served.
    pub files: HashMap<String, PathBuf>,
    /// The course folder: a file is served only if its real path lies inside it.
    pub root: PathBuf,
}

impl Course {
    /// The language to show: the person's if the course has it, else the course's default.
    pub fn language_for(&self, wanted: Language) -> Language {
        if self.languages.contains(&wanted) {
            wanted
        } else {
            self.languages.first().copied().unwrap_or_default()
        }
    }

    pub fn title(&self, language: Language) -> &str {
        text_in(&self.title, self.language_for(language))
    }

    pub fn summary(&self, language: Language) -> &str {
        text_in(&self.summary, self.language_for(language))
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    pub fn minutes(&self) -> u32 {
        let language = self.languages.first().copied().unwrap_or_default();
        self.modules.iter().map(|m| m.text(language).minutes).sum()
    }
}

fn text_in(texts: &HashMap<Language, String>, language: Language) -> &str {
    texts.get(&language).map(String::as_str).unwrap_or_default()
}

#[derive(Debug)]
pub struct Module {
    /// The name after the number: `01-was-ki-ist.md` → `was-ki-ist`.
    pub id: String,
    pub number: u32,
    /// Per question of the pool: how many options, and which (0-based) are correct.
    /// The same in every language, so an answer counts the same whatever the language.
    pub questions: Vec<QuestionKey>,
    pub texts: HashMap<Language, ModuleText>,
}

impl Module {
    pub fn has_quiz(&self) -> bool {
        !self.questions.is_empty()
    }

    /// The text in `language`; every module has every language of its course (checked at load).
    pub fn text(&self, language: Language) -> &ModuleText {
        self.texts
            .get(&language)
            .or_else(|| self.texts.values().next())
            .expect("a loaded module has at least one language")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionKey {
    pub options: usize,
    pub correct: Vec<usize>,
}

impl QuestionKey {
    pub fn is_multiple_choice(&self) -> bool {
        self.correct.len() > 1
    }
}

#[derive(Debug)]
pub struct ModuleText {
    pub title: String,
    pub minutes: u32,
    pub objectives: Vec<String>,
    /// Sanitised HTML, rendered once at load.
    pub lesson_html: String,
    /// The lesson's headings with their anchors, the sections an explanation can point to.
    pub sections: Vec<Heading>,
    /// The file this text was read from, and the line of its `## Quiz`, for reports.
    pub source: PathBuf,
    pub quiz_line: usize,
    pub questions: Vec<QuestionText>,
}

impl ModuleText {
    /// The lesson section with this anchor.
    pub fn section(&self, anchor: &str) -> Option<&Heading> {
        self.sections.iter().find(|s| s.anchor == anchor)
    }
}

#[derive(Debug)]
pub struct QuestionText {
    /// The line of the question's `###` heading in its file.
    pub line: usize,
    /// The question and its options as plain text, for the assessment check.
    pub plain: String,
    pub options_plain: Vec<String>,
    pub text_html: String,
    pub options_html: Vec<String>,
    pub explanation_html: String,
    /// The lesson section the explanation ends by pointing to (`#anchor`), if it does.
    pub review: Option<String>,
}

/// A problem in the course content, reported as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}
