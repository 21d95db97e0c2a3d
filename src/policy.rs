//! The AI usage policy (Nutzungsregeln): a versioned Markdown document per language.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::courses::Problem;
use crate::courses::markdown::render_lesson;
use crate::domain::Language;

#[derive(Debug)]
pub struct Policy {
    /// The same in every language; a new version needs a new acknowledgement.
    pub version: String,
    pub effective: String,
    pub texts: HashMap<Language, PolicyText>,
}

#[derive(Debug)]
pub struct PolicyText {
    pub title: String,
    pub html: String,
}

impl Policy {
    /// The text in `language`, falling back to German.
    pub fn text(&self, language: Language) -> Option<&PolicyText> {
        self.texts
            .get(&language)
            .or_else(|| self.texts.get(&Language::De))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    version: String,
    title: String,
    #[serde(default)]
    effective: String,
}

/// Loads `de.md` and `en.md` from `dir`. No folder means no policy (tools cannot require one).
pub fn load(dir: &Path) -> Result<Option<Policy>, Vec<Problem>> {
    if !dir.exists() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let mut texts = HashMap::new();
    let mut versions: Vec<(String, String, std::path::PathBuf)> = Vec::new();
    for language in Language::ALL {
        let path = dir.join(format!("{}.md", language.code()));
        let problem = |line: usize, message: String| Problem {
            path: path.clone(),
            line,
            message,
        };
        let Ok(text) = fs::read_to_string(&path) else {
            problems.push(problem(
                1,
                format!("the {} version of the policy is missing", language.code()),
            ));
            continue;
        };
        let Some(rest) = text.strip_prefix("+++\n") else {
            problems.push(problem(
                1,
                "the policy must start with front matter between +++ lines (version, title)".into(),
            ));
            continue;
        };
        let Some(end) = rest.find("\n+++") else {
            problems.push(problem(
                1,
                "the front matter is not closed by a +++ line".into(),
            ));
            continue;
        };
        let front: FrontMatter = match toml::from_str(&rest[..end]) {
            Ok(front) => front,
            Err(error) => {
                let line = error
                    .span()
                    .map(|s| rest[..s.start].matches('\n').count() + 2)
                    .unwrap_or(1);
                problems.push(problem(line, format!("front matter: {}", error.message())));
                continue;
            }
        };
        let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
        let rendered = render_lesson(body, "", "/policy/files/");
        if !rendered.local_links.is_empty() || !rendered.bad_links.is_empty() {
            problems.push(problem(
                1,
                "the policy may link only to https:// or mailto: addresses".into(),
            ));
        }
        versions.push((front.version.clone(), front.effective.clone(), path.clone()));
        texts.insert(
            language,
            PolicyText {
                title: front.title,
                html: rendered.html,
            },
        );
    }
    if let Some((first, _, _)) = versions.first() {
        for (version, _, path) in &versions[1..] {
            if version != first {
                problems.push(Problem {
                    path: path.clone(),
                    line: 2,
                    message: format!(
                        "version \"{version}\" differs from the German version \"{first}\""
                    ),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (version, effective, _) = versions.into_iter().next().unwrap_or_default();
    Ok(Some(Policy {
        version,
        effective,
        texts,
    }))
}
