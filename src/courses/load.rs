//! Reading course folders: parse, render and validate everything, reporting every problem
//! as `path:line: message` rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::courses::contacts::Contacts;
use crate::courses::markdown::{self, LessonContext, render_inline, render_lesson_with};
use crate::courses::{Catalog, Course, Module, ModuleText, Problem, QuestionKey, QuestionText};
use crate::domain::Language;

/// Loads every course folder under `dir`, without contacts (a `contact:` link is a problem).
pub fn load_catalog(dir: &Path) -> Result<Catalog, Vec<Problem>> {
    load_catalog_with(dir, Contacts::default())
}

/// Loads every course folder under `dir`; lessons' `contact:` links name `contacts`. Any
/// problem anywhere means no catalog: kiwi does not serve half-valid content.
pub fn load_catalog_with(dir: &Path, contacts: Contacts) -> Result<Catalog, Vec<Problem>> {
    let mut problems = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            return Err(vec![Problem {
                path: dir.to_path_buf(),
                line: 1,
                message: format!("cannot read the courses directory: {error}"),
            }]);
        }
    };
    let mut folders: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut courses = Vec::new();
    for folder in folders {
        if let Some(course) = load_course(&folder, &contacts, &mut problems) {
            courses.push(course);
        }
    }
    if problems.is_empty() {
        Ok(Catalog::new(courses).with_contacts(contacts))
    } else {
        Err(problems)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseToml {
    id: String,
    version: String,
    languages: Vec<String>,
    #[serde(default = "default_order")]
    order: i64,
    pass_percent: u32,
    questions_per_attempt: usize,
    validity_months: u32,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default = "default_cooldown_after_failures")]
    cooldown_after_failures: u32,
    #[serde(default = "default_cooldown_minutes")]
    cooldown_minutes: u32,
    title: BTreeMap<String, String>,
    summary: BTreeMap<String, String>,
}

fn default_order() -> i64 {
    100
}

/// By default, two failed attempts in a row mean a pause of half an hour: enough to stop
/// clicking through, short enough not to hold anyone up who re-reads the lesson.
fn default_cooldown_after_failures() -> u32 {
    2
}

fn default_cooldown_minutes() -> u32 {
    30
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    minutes: u32,
    #[serde(default)]
    objectives: Vec<String>,
}

/// Collects problems for one file.
struct Report<'a> {
    path: &'a Path,
    lines: Vec<usize>,
    problems: &'a mut Vec<Problem>,
}

impl Report<'_> {
    fn new<'a>(path: &'a Path, text: &str, problems: &'a mut Vec<Problem>) -> Report<'a> {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Report {
            path,
            lines,
            problems,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|start| *start <= offset).max(1)
    }

    fn at_offset(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line_of(offset);
        self.at_line(line, message);
    }

    fn at_line(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            path: self.path.to_path_buf(),
            line,
            message: message.into(),
        });
    }
}

fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

fn load_course(dir: &Path, contacts: &Contacts, problems: &mut Vec<Problem>) -> Option<Course> {
    let folder = dir.file_name()?.to_string_lossy().into_owned();
    let toml_path = dir.join("course.toml");
    let text = match fs::read_to_string(&toml_path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(Problem {
                path: toml_path,
                line: 1,
                message: format!("cannot read course.toml: {error}"),
            });
            return None;
        }
    };
    let before = problems.len();
    let mut report = Report::new(&toml_path, &text, problems);
    let config: CourseToml = match toml::from_str(&text) {
        Ok(config) => config,
        Err(error) => {
            let line = error.span().map(|s| report.line_of(s.start)).unwrap_or(1);
            report.at_line(line, error.message().to_owned());
            return None;
        }
    };
    if config.id != folder {
        report.at_line(
            key_line(&text, "id"),
            format!(
                "id \"{}\" must equal the folder name \"{folder}\"",
                config.id
            ),
        );
    }
    if config.version.trim().is_empty() {
        report.at_line(key_line(&text, "version"), "version is empty");
    }
    if !(1..=100).contains(&config.pass_percent) {
        report.at_line(
            key_line(&text, "pass_percent"),
            "pass_percent must be between 1 and 100",
        );
    }
    let mut languages = Vec::new();
    for code in &config.languages {
        match Language::parse(code) {
            Some(language) if !languages.contains(&language) => languages.push(language),
            Some(_) => report.at_line(
                key_line(&text, "languages"),
                format!("language \"{code}\" is listed twice"),
            ),
            None => report.at_line(
                key_line(&text, "languages"),
                format!("unknown language \"{code}\" (kiwi speaks de and en)"),
            ),
        }
    }
    if languages.is_empty() {
        report.at_line(
            key_line(&text, "languages"),
            "languages must list at least one language",
        );
    }
    let mut title = HashMap::new();
    let mut summary = HashMap::new();
    for language in &languages {
        for (key, source, target) in [
            ("title", &config.title, &mut title),
            ("summary", &config.summary, &mut summary),
        ] {
            match source
                .get(language.code())
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
            {
                Some(value) => {
                    target.insert(*language, value.to_owned());
                }
                None => report.at_line(
                    key_line(&text, key).max(find_table_line(&text, key)),
                    format!("{key}.{} is missing", language.code()),
                ),
            }
        }
    }

    let files_url = format!("/courses/{folder}/files/");
    let modules = load_modules(dir, &languages, (&files_url, contacts), report.problems);
    let smallest_pool = modules
        .iter()
        .filter(|m| m.module.has_quiz())
        .map(|m| (m.module.questions.len(), m.stem.clone()))
        .min();
    if let Some((pool, stem)) = smallest_pool
        && config.questions_per_attempt > pool
    {
        report.at_line(
            key_line(&text, "questions_per_attempt"),
            format!(
                "questions_per_attempt is {} but module {stem} has only {pool} questions",
                config.questions_per_attempt
            ),
        );
    }
    let mut files = HashMap::new();
    for loaded in &modules {
        for (course_path, file) in &loaded.files {
            files.insert(course_path.clone(), file.clone());
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Course {
        id: config.id,
        version: config.version.trim().to_owned(),
        content_hash: content_hash(dir),
        root: dir.to_path_buf(),
        languages,
        order: config.order,
        pass_percent: config.pass_percent,
        questions_per_attempt: config.questions_per_attempt,
        validity_months: config.validity_months,
        max_attempts: config.max_attempts.filter(|n| *n > 0),
        cooldown_after_failures: config.cooldown_after_failures,
        cooldown_minutes: config.cooldown_minutes,
        title,
        summary,
        modules: modules.into_iter().map(|m| m.module).collect(),
        files,
    })
}

fn find_table_line(text: &str, table: &str) -> usize {
    text.lines()
        .position(|line| line.trim() == format!("[{table}]"))
        .map(|i| i + 1)
        .unwrap_or(1)
}

struct LoadedModule {
    stem: String,
    module: Module,
    files: Vec<(String, PathBuf)>,
}

/// One module as parsed from one language's file.
struct ParsedModule {
    text: ModuleText,
    keys: Vec<QuestionKey>,
    question_lines: Vec<usize>,
    quiz_line: usize,
    files: Vec<(String, PathBuf)>,
}

fn load_modules(
    dir: &Path,
    languages: &[Language],
    (files_url, contacts): (&str, &Contacts),
    problems: &mut Vec<Problem>,
) -> Vec<LoadedModule> {
    // stem ("01-was-ki-ist") → language → file
    let mut stems: BTreeMap<String, HashMap<Language, PathBuf>> = BTreeMap::new();
    for language in languages {
        let lang_dir = dir.join(language.code());
        let Ok(entries) = fs::read_dir(&lang_dir) else {
            problems.push(Problem {
                path: lang_dir.clone(),
                line: 1,
                message: format!("the folder for language {} is missing", language.code()),
            });
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.extension().and_then(|e| e.to_str()) != Some("md") {
                continue;
            }
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if split_stem(&stem).is_none() {
                problems.push(Problem {
                    path: path.clone(),
                    line: 1,
                    message: "a module file must be named NN-module-id.md (two digits, then lower-case letters, digits and dashes)".into(),
                });
                continue;
            }
            stems.entry(stem).or_default().insert(*language, path);
        }
    }
    let mut modules = Vec::new();
    let mut seen_ids: HashMap<String, String> = HashMap::new();
    for (stem, paths) in stems {
        let Some((number, id)) = split_stem(&stem) else {
            continue;
        };
        if let Some(other) = seen_ids.insert(id.clone(), stem.clone())
            && let Some(path) = paths.values().next()
        {
            problems.push(Problem {
                path: path.clone(),
                line: 1,
                message: format!("module id \"{id}\" is used twice ({other} and {stem})"),
            });
        }
        let mut parsed: Vec<(Language, PathBuf, ParsedModule)> = Vec::new();
        let mut all_clean = true;
        for language in languages {
            let Some(path) = paths.get(language) else {
                if let Some((_, existing)) = paths.iter().next() {
                    problems.push(Problem {
                        path: existing.clone(),
                        line: 1,
                        message: format!(
                            "no {} version of this module (expected {})",
                            language.code(),
                            dir.join(language.code())
                                .join(format!("{stem}.md"))
                                .display()
                        ),
                    });
                }
                continue;
            };
            if let Some((module, clean)) =
                parse_module_file(dir, path, (*language, &id), (files_url, contacts), problems)
            {
                all_clean &= clean;
                parsed.push((*language, path.clone(), module));
            }
        }
        // The languages are compared for every question that could be parsed, whatever
        // else is wrong in the module, so a disagreement is never hidden behind another problem.
        let Some((reference_language, _, reference)) = parsed.first() else {
            continue;
        };
        let reference_language = *reference_language;
        let reference_keys = reference.keys.clone();
        let mut consistent = true;
        for (language, path, other) in &parsed[1..] {
            let mut report = Report {
                path,
                lines: vec![0],
                problems,
            };
            if other.keys.len() != reference_keys.len() {
                report.at_line(
                    other.quiz_line,
                    format!(
                        "the {} version has {} questions, the {} version {}",
                        language.code(),
                        other.keys.len(),
                        reference_language.code(),
                        reference_keys.len()
                    ),
                );
                consistent = false;
            }
            for (n, (key, reference_key)) in other.keys.iter().zip(&reference_keys).enumerate() {
                if key != reference_key {
                    report.at_line(
                        other.question_lines[n],
                        format!(
                            "question {} differs from the {} version: {} options with [x] at {:?} here, {} options with [x] at {:?} there",
                            n + 1,
                            reference_language.code(),
                            key.options,
                            positions(&key.correct),
                            reference_key.options,
                            positions(&reference_key.correct)
                        ),
                    );
                    consistent = false;
                }
            }
        }
        if !consistent || !all_clean || parsed.len() != languages.len() {
            continue;
        }
        let mut files = Vec::new();
        let mut texts = HashMap::new();
        for (language, _, module) in parsed {
            files.extend(module.files);
            texts.insert(language, module.text);
        }
        modules.push(LoadedModule {
            stem,
            module: Module {
                id,
                number,
                questions: reference_keys,
                texts,
            },
            files,
        });
    }
    modules
}

fn positions(correct: &[usize]) -> Vec<usize> {
    correct.iter().map(|i| i + 1).collect()
}

/// "01-was-ki-ist" → (1, "was-ki-ist").
fn split_stem(stem: &str) -> Option<(u32, String)> {
    let (number, id) = stem.split_once('-')?;
    let valid = number.len() == 2
        && number.chars().all(|c| c.is_ascii_digit())
        && !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    valid.then(|| (number.parse().unwrap_or(0), id.to_owned()))
}

/// Parses one language's file of a module; `clean` tells whether it had no problem.
fn parse_module_file(
    course_dir: &Path,
    path: &Path,
    (language, module_id): (Language, &str),
    (files_url, contacts): (&str, &Contacts),
    problems: &mut Vec<Problem>,
) -> Option<(ParsedModule, bool)> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(Problem {
                path: path.to_path_buf(),
                line: 1,
                message: format!("cannot read the file: {error}"),
            });
            return None;
        }
    };
    let before = problems.len();
    let mut report = Report::new(path, &text, problems);
    let module_url = format!(
        "{}modules/{module_id}",
        files_url.trim_end_matches("files/")
    );
    let context = LessonContext {
        module_dir: language.code(),
        files_url,
        contacts,
        language,
    };
    let module = parse_module(&text, course_dir, &context, &module_url, &mut report);
    let clean = report.problems.len() == before;
    Some((module, clean))
}

/// The front matter, its text and where the body starts; None (reported) if it is missing
/// or broken.
fn front_matter<'t>(text: &'t str, report: &mut Report) -> Option<(FrontMatter, &'t str, usize)> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "+++" {
        report.at_line(
            1,
            "the file must start with front matter between +++ lines (title, minutes, objectives)",
        );
        return None;
    }
    let fm_start = first_line_end + 1;
    let Some(fm_len) = text[fm_start..]
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .find(|(_, line)| line.trim_end() == "+++")
        .map(|(start, _)| start)
    else {
        report.at_line(1, "the front matter is not closed by a +++ line");
        return None;
    };
    let fm_text = &text[fm_start..fm_start + fm_len];
    let body_start = (fm_start
        + fm_len
        + text[fm_start + fm_len..]
            .find('\n')
            .map(|i| i + 1)
            .unwrap_or(0))
    .min(text.len());
    match toml::from_str(fm_text) {
        Ok(front) => Some((front, fm_text, body_start)),
        Err(error) => {
            let offset = fm_start + error.span().map(|s| s.start).unwrap_or(0);
            report.at_offset(offset, format!("front matter: {}", error.message()));
            None
        }
    }
}

fn check_front_matter(front: &FrontMatter, fm_text: &str, report: &mut Report) {
    let fm_key_line = |key: &str| key_line(fm_text, key) + 1;
    if front.title.trim().is_empty() {
        report.at_line(fm_key_line("title"), "the title is empty");
    }
    if front.minutes == 0 {
        report.at_line(fm_key_line("minutes"), "minutes must be more than 0");
    }
    if front.objectives.is_empty() || front.objectives.iter().any(|o| o.trim().is_empty()) {
        report.at_line(
            fm_key_line("objectives"),
            "objectives must list at least one learning objective, none empty",
        );
    }
}

fn parse_module(
    text: &str,
    course_dir: &Path,
    context: &LessonContext,
    module_url: &str,
    report: &mut Report,
) -> ParsedModule {
    // Front matter between two `+++` lines. A broken front matter is reported, and the rest
    // of the file is still read, so every other problem (and the language comparison) shows.
    let (front, body_start) = match front_matter(text, report) {
        Some((front, fm_text, body_start)) => {
            check_front_matter(&front, fm_text, report);
            (front, body_start)
        }
        None => (
            FrontMatter {
                title: String::new(),
                minutes: 0,
                objectives: Vec::new(),
            },
            0,
        ),
    };

    // The lesson ends at `## Quiz`; everything after it is the question pool.
    let body = &text[body_start..];
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, markdown::options())
        .into_offset_iter()
        .collect();
    let mut quiz: Option<(usize, usize)> = None; // (heading start, heading end)
    let mut i = 0;
    while i < events.len() {
        if let (
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }),
            range,
        ) = &events[i]
        {
            let heading_text = plain_text(&events[i + 1..]);
            match quiz {
                None if heading_text.trim() == "Quiz" => quiz = Some((range.start, range.end)),
                Some(_) => report.at_offset(
                    body_start + range.start,
                    format!(
                        "\"## {}\" comes after \"## Quiz\": the quiz must be the last section",
                        heading_text.trim()
                    ),
                ),
                None => {}
            }
        }
        i += 1;
    }
    let lesson_end = quiz.map(|(start, _)| start).unwrap_or(body.len());
    let rendered = render_lesson_with(&body[..lesson_end], context);
    for unknown in &rendered.unknown_contacts {
        report.at_offset(
            body_start + unknown.offset,
            format!(
                "link \"{}\" names no contact of the contacts file (it has: {})",
                unknown.written,
                context.contacts.ids()
            ),
        );
    }
    for bad in &rendered.bad_links {
        report.at_offset(
            body_start + bad.offset,
            format!(
                "link \"{}\" is not allowed (use https://, mailto: or a file of the course)",
                bad.written
            ),
        );
    }
    let mut files = Vec::new();
    for link in &rendered.local_links {
        match &link.course_path {
            None => report.at_offset(
                body_start + link.offset,
                format!("link \"{}\" leaves the course folder", link.written),
            ),
            Some(course_path) => {
                let file = course_dir.join(course_path);
                if file.is_file() {
                    // A file reached through a symbolic link that leaves the course folder is
                    // never served (`kiwi courses check` reports the link itself).
                    if inside(course_dir, &file) {
                        files.push((course_path.clone(), file));
                    }
                } else {
                    report.at_offset(
                        body_start + link.offset,
                        format!("link \"{}\" points to a missing file", link.written),
                    );
                }
            }
        }
    }
    let (questions, keys, question_lines, quiz_line) = match quiz {
        None => (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            report.line_of(body_start + body.len()),
        ),
        Some((start, end)) => {
            let quiz_line = report.line_of(body_start + start);
            let parsed = parse_quiz(&body[end..], body_start + end, module_url, report);
            if parsed.is_empty() {
                report.at_line(
                    quiz_line,
                    "\"## Quiz\" has no questions (### headings with - [ ] options)",
                );
            }
            let lines = parsed.iter().map(|q| q.line).collect();
            let keys = parsed.iter().map(|q| q.key.clone()).collect();
            (
                parsed.into_iter().map(|q| q.text).collect(),
                keys,
                lines,
                quiz_line,
            )
        }
    };
    ParsedModule {
        text: ModuleText {
            title: front.title.trim().to_owned(),
            minutes: front.minutes,
            objectives: front
                .objectives
                .into_iter()
                .map(|o| o.trim().to_owned())
                .collect(),
            lesson_html: rendered.html,
            sections: rendered.headings,
            source: report.path.to_path_buf(),
            quiz_line,
            questions,
        },
        keys,
        question_lines,
        quiz_line,
        files,
    }
}

fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

struct ParsedQuestion {
    line: usize,
    key: QuestionKey,
    text: QuestionText,
}

/// Parses the quiz section: `###` questions, `- [ ]`/`- [x]` options, a `>` explanation.
fn parse_quiz(
    quiz: &str,
    base: usize,
    module_url: &str,
    report: &mut Report,
) -> Vec<ParsedQuestion> {
    struct Draft {
        line: usize,
        plain: String,
        text_html: String,
        /// (HTML, plain text, correct)
        options: Vec<(String, String, bool)>,
        has_list: bool,
        explanation: Option<String>,
        review: Option<String>,
    }
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(quiz, markdown::options())
        .into_offset_iter()
        .collect();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        let end = matching_end(&events, i);
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H3,
                ..
            }) => {
                let inner: Vec<Event> = events[i + 1..end].iter().map(|(e, _)| e.clone()).collect();
                drafts.push(Draft {
                    line: report.line_of(base + range.start),
                    plain: plain_text(&events[i + 1..=end]),
                    text_html: render_inline(inner),
                    options: Vec::new(),
                    has_list: false,
                    explanation: None,
                    review: None,
                });
            }
            Event::Start(Tag::List(None)) if !drafts.is_empty() => {
                let draft = drafts.last_mut().expect("checked above");
                if draft.has_list {
                    report.at_offset(
                        base + range.start,
                        "a question has a second option list; options belong in one list",
                    );
                }
                draft.has_list = true;
                let mut j = i + 1;
                while j < end {
                    let item_end = matching_end(&events, j);
                    if let (Event::Start(Tag::Item), item_range) = &events[j] {
                        let inner: Vec<Event> = events[j + 1..item_end]
                            .iter()
                            .map(|(e, _)| e.clone())
                            .filter(|e| {
                                !matches!(
                                    e,
                                    Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
                                )
                            })
                            .collect();
                        match inner.first() {
                            Some(Event::TaskListMarker(checked)) => {
                                let checked = *checked;
                                let plain = inline_text(&inner);
                                let html = render_inline(inner.into_iter().skip(1));
                                if html.is_empty() {
                                    report.at_offset(base + item_range.start, "an option has no text");
                                }
                                draft.options.push((html, plain, checked));
                            }
                            _ => report.at_offset(base + item_range.start, "an option must be a task-list item: \"- [ ] text\" or \"- [x] text\""),
                        }
                    }
                    j = item_end + 1;
                }
            }
            Event::Start(Tag::BlockQuote(_)) if !drafts.is_empty() => {
                let draft = drafts.last_mut().expect("checked above");
                if draft.explanation.is_some() {
                    report.at_offset(base + range.start, "a question has a second explanation");
                }
                let inner: Vec<Event> = events[i + 1..end].iter().map(|(e, _)| e.clone()).collect();
                draft.review = review_anchor(&inner);
                let html_out = markdown::render_explanation(inner, module_url);
                draft.explanation = Some(html_out);
            }
            Event::Start(_) => {
                report.at_offset(
                    base + range.start,
                    "unexpected content in the quiz: it holds only ### questions, - [ ] options and > explanations",
                );
            }
            _ => {}
        }
        i = end + 1;
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut questions = Vec::new();
    for draft in drafts {
        let normalized = draft.plain.trim().to_lowercase();
        if normalized.is_empty() {
            report.at_line(draft.line, "a question has no text");
        } else if let Some(first) = seen.get(&normalized) {
            report.at_line(
                draft.line,
                format!("duplicate question (the same as line {first})"),
            );
        } else {
            seen.insert(normalized, draft.line);
        }
        if draft.options.is_empty() {
            report.at_line(
                draft.line,
                "the question has no options (- [ ] … / - [x] …)",
            );
        } else if draft.options.len() < 2 {
            report.at_line(draft.line, "the question needs at least two options");
        }
        let correct: Vec<usize> = draft
            .options
            .iter()
            .enumerate()
            .filter(|(_, (_, _, c))| *c)
            .map(|(n, _)| n)
            .collect();
        if !draft.options.is_empty() && correct.is_empty() {
            report.at_line(
                draft.line,
                "the question has no correct option (mark it with - [x])",
            );
        }
        if !draft.options.is_empty() && correct.len() == draft.options.len() {
            report.at_line(
                draft.line,
                "every option is marked correct; a question needs at least one wrong option",
            );
        }
        if draft.explanation.is_none() {
            report.at_line(
                draft.line,
                "the question has no explanation (a > quote after its options)",
            );
        }
        questions.push(ParsedQuestion {
            line: draft.line,
            key: QuestionKey {
                options: draft.options.len(),
                correct,
            },
            text: QuestionText {
                line: draft.line,
                plain: draft.plain.trim().to_owned(),
                text_html: draft.text_html,
                options_plain: draft
                    .options
                    .iter()
                    .map(|(_, plain, _)| plain.clone())
                    .collect(),
                options_html: draft.options.into_iter().map(|(html, _, _)| html).collect(),
                explanation_html: draft.explanation.unwrap_or_default(),
                review: draft.review,
            },
        });
    }
    questions
}

/// The plain text of inline events (an option): what a reader sees, without markup.
fn inline_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// The anchor an explanation ends with: its last link, if that points at a section
/// (`#anchor`) and nothing but punctuation follows it in the last paragraph.
fn review_anchor(events: &[Event]) -> Option<String> {
    let mut last: Option<String> = None;
    let mut depth = 0usize;
    for event in events {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                last = Some(dest_url.to_string());
                depth += 1;
            }
            Event::End(TagEnd::Link) => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Event::Text(t) | Event::Code(t)
                if t.chars().any(|c| c.is_alphanumeric()) && last.is_some() =>
            {
                last = None;
            }
            Event::Start(_) if last.is_some() => last = None,
            _ => {}
        }
    }
    last?.strip_prefix('#').map(str::to_owned)
}

/// Index of the event that closes the one at `start` (itself if it opens nothing).
fn matching_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    if !matches!(events[start].0, Event::Start(_)) {
        return start;
    }
    let mut depth = 0usize;
    for (offset, (event, _)) in events[start..].iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return start + offset;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// Whether `file`, with every symbolic link resolved, lies inside the folder `dir`.
pub fn inside(dir: &Path, file: &Path) -> bool {
    match (dir.canonicalize(), file.canonicalize()) {
        (Ok(dir), Ok(file)) => file.starts_with(dir),
        _ => false,
    }
}

/// Every symbolic link under the courses directory: content is plain files and folders, so a
/// link can never make kiwi read or serve a file from elsewhere on the host.
pub fn symbolic_links(dir: &Path) -> Vec<Problem> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => found.push(Problem {
                    path,
                    line: 1,
                    message: "symbolic link not allowed (content must be plain files and folders)"
                        .into(),
                }),
                Ok(meta) if meta.is_dir() => pending.push(path),
                _ => {}
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// SHA-256 over course.toml and every module file, in path order.
fn content_hash(dir: &Path) -> String {
    let mut files = BTreeSet::new();
    files.insert(dir.join("course.toml"));
    if let Ok(entries) = fs::read_dir(dir) {
        for lang_dir in entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
        {
            if let Ok(modules) = fs::read_dir(&lang_dir) {
                files.extend(
                    modules
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "md")),
                );
            }
        }
    }
    let mut hasher = Sha256::new();
    for file in files {
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(fs::read(&file).unwrap_or_default());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
