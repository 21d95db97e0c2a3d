//! The grammar of a module's quiz section: `###` questions, `- [ ]` / `- [x]` options and
//! a `>` explanation that may end with a link back to a lesson section.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::courses::markdown::{self, render_inline};
use crate::courses::{QuestionKey, QuestionText};

use super::Report;
use super::module::{matching_end, plain_text};

pub(super) fn positions(correct: &[usize]) -> Vec<usize> {
    correct.iter().map(|i| i + 1).collect()
}

pub(super) struct ParsedQuestion {
    pub(super) line: usize,
    pub(super) key: QuestionKey,
    pub(super) text: QuestionText,
}

/// Parses the quiz section: `###` questions, `- [ ]`/`- [x]` options, a `>` explanation.
pub(super) fn parse_quiz(
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
pub(super) fn inline_text(events: &[Event]) -> String {
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
pub(super) fn review_anchor(events: &[Event]) -> Option<String> {
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
