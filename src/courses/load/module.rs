//! The grammar of one module file: front matter, then the lesson in Markdown, then the
//! `## Quiz` section (see `quiz`).

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::courses::contacts::Contacts;
use crate::courses::markdown::{self, LessonContext, render_lesson_with};
use crate::courses::{ModuleText, Problem, QuestionKey};
use crate::domain::Language;

use super::front_matter::{FrontMatter, check_front_matter, front_matter};
use super::quiz::parse_quiz;
use super::{Report, inside};

/// One module as parsed from one language's file.
pub(super) struct ParsedModule {
    pub(super) text: ModuleText,
    pub(super) keys: Vec<QuestionKey>,
    pub(super) question_lines: Vec<usize>,
    pub(super) quiz_line: usize,
    pub(super) files: Vec<(String, PathBuf)>,
}

/// Parses one language's file of a module; `clean` tells whether it had no problem.
pub(super) fn parse_module_file(
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

pub(super) fn parse_module(
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

pub(super) fn plain_text(events: &[(Event, Range<usize>)]) -> String {
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

/// Index of the event that closes the one at `start` (itself if it opens nothing).
pub(super) fn matching_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
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
