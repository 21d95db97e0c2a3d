//! The internal AI tools (`tools.toml`) and what each requires before it opens.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::courses::{Catalog, Problem};
use crate::directory;
use crate::domain::Language;
use crate::webhook::Webhook;

#[derive(Debug, Clone, Default)]
pub struct Tool {
    pub id: String,
    pub name: String,
    pub description: BTreeMap<String, String>,
    pub url: String,
    pub requires_courses: Vec<String>,
    pub requires_policy: bool,
    /// The directory group kiwi keeps: the people who may use the tool now.
    pub directory_group: Option<String>,
    /// Where the tool's entitlement events are posted: its own webhook, then the global one.
    pub webhooks: Vec<Arc<Webhook>>,
}

impl Tool {
    /// The host (and port, if not the scheme's default) the tool is served on, as browsers
    /// send it in `Host`.
    pub fn host(&self) -> &str {
        self.url.split_once("://").map_or("", |(_, host)| host)
    }

    /// Served over https: kiwi's cookie on its host is `Secure` and `__Host-` prefixed.
    pub fn is_secure(&self) -> bool {
        self.url.starts_with("https://")
    }

    /// Whether a request's `Host` header names this tool's host.
    pub fn serves_host(&self, host: &str) -> bool {
        let default_port = if self.is_secure() { ":443" } else { ":80" };
        let host = host.strip_suffix(default_port).unwrap_or(host);
        host.eq_ignore_ascii_case(self.host())
    }

    /// Whether a change of who may use the tool is told anywhere (a group, a webhook).
    pub fn is_announced(&self) -> bool {
        self.directory_group.is_some() || !self.webhooks.is_empty()
    }

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
    #[serde(default)]
    directory_group: Option<String>,
    #[serde(default)]
    webhook_url: Option<String>,
    #[serde(default)]
    webhook_secret_file: Option<String>,
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
        if origin(&entry.url).is_none() {
            problems.push(problem(
                line_of(&text, "url", id_line),
                format!(
                    "tool \"{}\": url must be the tool's origin, http(s)://host[:port], without a path",
                    entry.id
                ),
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
    let mut webhooks = Vec::new();
    for entry in &file.tool {
        let id_line = line_of(&text, &format!("\"{}\"", entry.id), 1);
        if let Some(group) = &entry.directory_group
            && !directory::is_dn(group)
        {
            problems.push(problem(
                line_of(&text, "directory_group", id_line),
                format!(
                    "tool \"{}\": directory_group must be the group's DN, e.g. cn=ki-tool,ou=groups,dc=stadt,dc=example",
                    entry.id
                ),
            ));
        }
        let webhook = match (&entry.webhook_url, &entry.webhook_secret_file) {
            (None, None) => None,
            (Some(url), Some(file)) => {
                // A relative secret file is read from beside the tools file.
                let file = path.parent().unwrap_or(Path::new(".")).join(file);
                match Webhook::of_tool(&entry.id, url, &file) {
                    Ok(webhook) => Some(Arc::new(webhook)),
                    Err(error) => {
                        problems.push(problem(
                            line_of(&text, "webhook_url", id_line),
                            format!("tool \"{}\": {error}", entry.id),
                        ));
                        None
                    }
                }
            }
            _ => {
                problems.push(problem(
                    line_of(&text, "webhook_", id_line),
                    format!(
                        "tool \"{}\": webhook_url and webhook_secret_file go together",
                        entry.id
                    ),
                ));
                None
            }
        };
        webhooks.push(webhook);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(file
        .tool
        .into_iter()
        .zip(webhooks)
        .map(|(t, webhook)| Tool {
            id: t.id,
            name: t.name,
            description: t.description,
            url: origin(&t.url).unwrap_or_default(),
            requires_courses: t.requires_courses,
            requires_policy: t.requires_policy,
            directory_group: t.directory_group.map(|g| g.trim().to_owned()),
            webhooks: webhook.into_iter().collect(),
        })
        .collect())
}

/// Adds the global webhook (`KIWI_WEBHOOK_URL`) to every tool, after the tool's own.
pub fn add_global_webhook(tools: &mut [Tool], webhook: Option<&Arc<Webhook>>) {
    if let Some(webhook) = webhook {
        for tool in tools {
            tool.webhooks.push(webhook.clone());
        }
    }
}

/// A tool's public origin, normalised (lower case, no default port, no trailing slash):
/// the only place kiwi sends a person to on the tool's host.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let host = rest.strip_suffix('/').unwrap_or(rest).to_ascii_lowercase();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host.as_str(), None),
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !name_ok || !port_ok {
        return None;
    }
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    Some(format!("{scheme}://{host}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_url_is_an_origin() {
        assert_eq!(
            origin("https://KreativBot.Stadt.example/").as_deref(),
            Some("https://kreativbot.stadt.example")
        );
        assert_eq!(
            origin("https://kreativbot.stadt.example:443").as_deref(),
            Some("https://kreativbot.stadt.example")
        );
        assert_eq!(
            origin("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        for bad in [
            "kreativbot.stadt.example",
            "ftp://kreativbot.stadt.example",
            "https://kreativbot.stadt.example/chat",
            "https://user@kreativbot.stadt.example",
            "https://kreativbot.stadt.example:http",
            "https://",
            "https://kreativbot.stadt.example?x=1",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_tool_serves_only_its_own_host() {
        let tool = Tool {
            id: "kreativbot".into(),
            name: "Kreativbot".into(),
            description: BTreeMap::new(),
            url: "https://kreativbot.stadt.example".into(),
            requires_courses: Vec::new(),
            requires_policy: false,
            ..Default::default()
        };
        assert!(tool.serves_host("kreativbot.stadt.example"));
        assert!(tool.serves_host("KREATIVBOT.stadt.example:443"));
        assert!(!tool.serves_host("recherche.stadt.example"));
        assert!(!tool.serves_host("kreativbot.stadt.example.evil.example"));
        assert!(!tool.serves_host("kreativbot.stadt.example:8443"));
        assert_eq!(tool.host(), "kreativbot.stadt.example");
    }
}
