//! Reading course folders: parse, render and validate everything, reporting every problem
//! as `path:line: message` rather than stopping at the first.

mod course_file;
mod front_matter;
mod module;
mod quiz;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::courses::contacts::Contacts;
use crate::courses::{Catalog, Course, Module, Problem};
use crate::domain::Language;

use course_file::CourseToml;
use module::{ParsedModule, parse_module_file};
use quiz::positions;

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

/// Collects problems for one file.
pub(super) struct Report<'a> {
    path: &'a Path,
    lines: Vec<usize>,
    problems: &'a mut Vec<Problem>,
}

impl Report<'_> {
    pub(super) fn new<'a>(
        path: &'a Path,
        text: &str,
        problems: &'a mut Vec<Problem>,
    ) -> Report<'a> {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Report {
            path,
            lines,
            problems,
        }
    }

    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|start| *start <= offset).max(1)
    }

    pub(super) fn at_offset(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line_of(offset);
        self.at_line(line, message);
    }

    pub(super) fn at_line(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            path: self.path.to_path_buf(),
            line,
            message: message.into(),
        });
    }
}

pub(super) fn key_line(text: &str, key: &str) -> usize {
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

pub(super) fn find_table_line(text: &str, table: &str) -> usize {
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

/// "01-was-ki-ist" → (1, "was-ki-ist").
pub(super) fn split_stem(stem: &str) -> Option<(u32, String)> {
    let (number, id) = stem.split_once('-')?;
    let valid = number.len() == 2
        && number.chars().all(|c| c.is_ascii_digit())
        && !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    valid.then(|| (number.parse().unwrap_or(0), id.to_owned()))
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
