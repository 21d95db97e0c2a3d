//! The grammar of a module file's front matter (between `+++` lines): title, minutes,
//! learning objectives.

use serde::Deserialize;

use super::{Report, key_line};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrontMatter {
    pub(super) title: String,
    pub(super) minutes: u32,
    #[serde(default)]
    pub(super) objectives: Vec<String>,
}

/// The front matter, its text and where the body starts; None (reported) if it is missing
/// or broken.
pub(super) fn front_matter<'t>(
    text: &'t str,
    report: &mut Report,
) -> Option<(FrontMatter, &'t str, usize)> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "+++" {
        report.at_line(
            1,
            "the file must start with front matter between +++ lines (title, minutes, objectives)",
        );
        return None;
    }
    // A file of the opening line alone has nothing after it.
    let fm_start = (first_line_end + 1).min(text.len());
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

pub(super) fn check_front_matter(front: &FrontMatter, fm_text: &str, report: &mut Report) {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn an_opening_line_and_nothing_else_is_reported_as_not_closed() {
        for text in ["+++", "+++\n", "+++\r\n"] {
            let mut problems = Vec::new();
            let mut report = Report::new(Path::new("01-modul.md"), text, &mut problems);
            assert!(front_matter(text, &mut report).is_none(), "{text:?}");
            assert_eq!(problems.len(), 1, "{text:?}");
            assert!(
                problems[0].to_string().contains("not closed by a +++ line"),
                "{text:?}: {}",
                problems[0]
            );
        }
    }
}
