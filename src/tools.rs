//! The internal AI tools (`tools.toml`) and what each requires before it opens.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::courses::{Catalog, Problem};
use crate::domain::Language;

#[derive(Debug, Clone)]
pub struct Tool {
    pub id: String,
    pub name: String,
    pub description: BTreeMap<String, String>,
    pub url: String,
    pub requires_courses: Vec<String>,
    pub requires_policy: bool,
}

impl Tool {
    pub fn description(&self, language: Language) -> &str {
        self.description
            .get(language.code())
            .or_else(|| self.description.get("de"))
            .map(String::as_str)
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolsFile {
    #[serde(default)]
    tool: Vec<ToolEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolEntry {
    id: String,
    name: String,
    #[serde(default)]
    description: BTreeMap<String, String>,
    url: String,
    #[serde(default)]
    requires_courses: Vec<String>,
    #[serde(default)]
    requires_policy: bool,
}

/// Loads and checks `tools.toml`: every required course must exist, every id be unique.
/// A missing file means no tools.
pub fn load(path: &Path, catalog: &Catalog, has_policy: bool) -> Result<Vec<Tool>, Vec<Problem>> {
    let Ok(text) = fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    let problem = |line: usize, message: String| Problem {
        path: path.to_path_buf(),
        line,
        message,
    };
    let file: ToolsFile = toml::from_str(&text).map_err(|error| {
        let line = error
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        vec![problem(line, error.message().to_owned())]
    })?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for entry in &file.tool {
        let id_line = line_of(&text, &format!("\"{}\"", entry.id), 1);
        if !seen.insert(entry.id.clone()) {
            problems.push(problem(
                id_line,
                format!("tool id \"{}\" is used twice", entry.id),
            ));
        }
        if entry.id.is_empty()
            || !entry
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(problem(
                id_line,
                "a tool id uses only letters, digits, - and _".into(),
            ));
        }
        for course in &entry.requires_courses {
            if catalog.get(course).is_none() {
                let line = line_of(&text, "requires_courses", id_line);
                problems.push(problem(
                    line,
                    format!(
                        "tool \"{}\" requires the unknown course \"{course}\"",
                        entry.id
                    ),
                ));
            }
        }
        if entry.requires_policy && !has_policy {
            let line = line_of(&text, "requires_policy", id_line);
            problems.push(problem(
                line,
                format!(
                    "tool \"{}\" requires the usage policy, but there is none",
                    entry.id
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(file
        .tool
        .into_iter()
        .map(|t| Tool {
            id: t.id,
            name: t.name,
            description: t.description,
            url: t.url,
            requires_courses: t.requires_courses,
            requires_policy: t.requires_policy,
        })
        .collect())
}

/// The first line at or after `from` (1-based) that contains `needle`.
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| line.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or(from)
}
