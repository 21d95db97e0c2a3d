//! Markdown to safe HTML: raw HTML is shown as text, only http(s)/mailto/relative links
//! survive, headings get anchors, and links to course files point at kiwi's file route.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::courses::contacts::{Contact, Contacts};
use crate::domain::Language;

/// A link or image in a lesson that points at a file of the course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalLink {
    /// The target as written, e.g. `../bilder/ablauf.png`.
    pub written: String,
    /// The path inside the course folder, or None if it leaves the folder.
    pub course_path: Option<String>,
    /// Byte offset of the link in the rendered text.
    pub offset: usize,
}

/// A link whose scheme kiwi does not allow (e.g. `javascript:`); it is rendered as `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLink {
    pub written: String,
    pub offset: usize,
}

pub struct Rendered {
    pub html: String,
    pub local_links: Vec<LocalLink>,
    pub bad_links: Vec<BadLink>,
    /// `contact:` links whose id the contacts do not have.
    pub unknown_contacts: Vec<BadLink>,
    /// Every heading of the lesson, in order, with the anchor it got.
    pub headings: Vec<Heading>,
}

/// A heading of a lesson: the anchor (`id`) it is linked by, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub anchor: String,
    pub title: String,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH
}

/// Where a lesson is rendered: its folder inside the course (e.g. `de`), the URL prefix
/// under which course files are served, and the contacts its `contact:` links name.
pub struct LessonContext<'a> {
    pub module_dir: &'a str,
    pub files_url: &'a str,
    pub contacts: &'a Contacts,
    pub language: Language,
}

/// Renders Markdown outside a course (no contacts). `module_dir` is the file's folder
/// inside the course (e.g. `de`); `files_url` the URL prefix under which files are served.
pub fn render_lesson(markdown: &str, module_dir: &str, files_url: &str) -> Rendered {
    let none = Contacts::default();
    render_lesson_with(
        markdown,
        &LessonContext {
            module_dir,
            files_url,
            contacts: &none,
            language: Language::default(),
        },
    )
}

/// Renders a lesson. A link `[text](contact:id)` becomes the text followed by the contact's
/// name as a mail link (and phone number), so the real office is named.
pub fn render_lesson_with(markdown: &str, context: &LessonContext) -> Rendered {
    let (module_dir, files_url) = (context.module_dir, context.files_url);
    let mut local_links = Vec::new();
    let mut bad_links = Vec::new();
    let mut unknown_contacts = Vec::new();
    let mut in_contact: Option<Option<&Contact>> = None;
    let mut events: Vec<Event> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link { dest_url, .. })
                if dest_url.to_ascii_lowercase().starts_with("contact:") =>
            {
                let id = dest_url["contact:".len()..].trim();
                let contact = context.contacts.get(id);
                if contact.is_none() {
                    unknown_contacts.push(BadLink {
                        written: dest_url.to_string(),
                        offset: range.start,
                    });
                }
                in_contact = Some(contact);
                continue;
            }
            Event::End(TagEnd::Link) if in_contact.is_some() => {
                if let Some(Some(contact)) = in_contact.take() {
                    events.extend(contact_events(contact, context.language));
                }
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite(
                    &dest_url,
                    range.start,
                    module_dir,
                    files_url,
                    &mut local_links,
                    &mut bad_links,
                );
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite(
                    &dest_url,
                    range.start,
                    module_dir,
                    files_url,
                    &mut local_links,
                    &mut bad_links,
                );
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => sanitize(other),
        };
        events.push(event);
    }
    let headings = add_heading_ids(&mut events);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        local_links,
        bad_links,
        unknown_contacts,
        headings,
    }
}

/// " (Name, Tel. 0511 …)" after a contact link's text, the name a mail link.
fn contact_events(contact: &Contact, language: Language) -> Vec<Event<'static>> {
    let mut events = vec![
        Event::Text(CowStr::from(" (")),
        Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(format!("mailto:{}", contact.email)),
            title: CowStr::from(contact.title(language).to_owned()),
            id: CowStr::from(""),
        }),
        Event::Text(CowStr::from(contact.name(language).to_owned())),
        Event::End(TagEnd::Link),
    ];
    if let Some(phone) = &contact.phone {
        let label = match language {
            Language::De => "Tel.",
            Language::En => "phone",
        };
        events.push(Event::Text(CowStr::from(format!(", {label} {phone}"))));
    }
    events.push(Event::Text(CowStr::from(")")));
    events
}

/// Renders inline events (a question, an option) to HTML, sanitised the same way.
pub fn render_inline<'a>(events: impl IntoIterator<Item = Event<'a>>) -> String {
    render_sanitised(events, |_| None).trim().to_owned()
}

/// Renders events with raw HTML shown as text. A link that is not an allowed absolute one
/// (https, http, mailto) goes where `local_link` says, or to `#` when it says nothing.
fn render_sanitised<'a>(
    events: impl IntoIterator<Item = Event<'a>>,
    local_link: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        events.into_iter().map(|event| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if is_allowed_absolute(&dest_url) {
                    dest_url
                } else {
                    CowStr::from(local_link(&dest_url).unwrap_or_else(|| "#".to_owned()))
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => sanitize(other),
        }),
    );
    out
}

/// Raw HTML becomes visible text: nothing an author writes can run in a browser.
fn sanitize(event: Event) -> Event {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    }
}

fn is_allowed_absolute(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
}

fn rewrite<'a>(
    dest: &CowStr<'a>,
    offset: usize,
    module_dir: &str,
    files_url: &str,
    local_links: &mut Vec<LocalLink>,
    bad_links: &mut Vec<BadLink>,
) -> CowStr<'a> {
    if is_allowed_absolute(dest) {
        return dest.clone();
    }
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || dest.starts_with("//") || dest.starts_with('/') {
        bad_links.push(BadLink {
            written: dest.to_string(),
            offset,
        });
        return CowStr::from("#");
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest.as_ref(), None),
    };
    let course_path = normalize(module_dir, path);
    local_links.push(LocalLink {
        written: dest.to_string(),
        course_path: course_path.clone(),
        offset,
    });
    match course_path {
        Some(path) => {
            let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
            CowStr::from(format!("{files_url}{path}{fragment}"))
        }
        None => CowStr::from("#"),
    }
}

/// Resolves `target` relative to `dir` inside the course; None if it climbs out.
fn normalize(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Gives every heading an id made from its text, so sections can be linked.
fn add_heading_ids(events: &mut [Event]) -> Vec<Heading> {
    let mut headings = Vec::new();
    let mut used = HashSet::new();
    for i in 0..events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for event in &events[i + 1..] {
                match event {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = slug(&text);
            let mut candidate = base.clone();
            let mut n = 2;
            while !used.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(candidate.clone()));
            }
            headings.push(Heading {
                anchor: candidate,
                title: text.trim().to_owned(),
            });
        }
    }
    headings
}

/// A quiz explanation, rendered as HTML. Links to a section of the lesson (`#anchor`) point
/// at the module page, as the explanation is shown on the result page; links with other
/// schemes than https, http and mailto are rendered as `#`.
pub fn render_explanation<'a>(
    events: impl IntoIterator<Item = Event<'a>>,
    module_url: &str,
) -> String {
    render_sanitised(events, |dest_url| {
        dest_url
            .starts_with('#')
            .then(|| format!("{module_url}{dest_url}"))
    })
}

/// "Woher das „Wissen“ kommt" → "woher-das-wissen-kommt".
pub fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "abschnitt".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn context<'a>(files_url: &'a str, contacts: &'a Contacts) -> LessonContext<'a> {
        LessonContext {
            module_dir: "de",
            files_url,
            contacts,
            language: Language::De,
        }
    }

    #[test]
    fn a_contact_link_names_the_configured_office_with_a_mail_link() {
        let contacts = Contacts::new(vec![Contact {
            id: "data-protection".into(),
            title: HashMap::from([(Language::De, "Datenschutzbeauftragte".to_owned())]),
            name: HashMap::from([(Language::De, "Dr. Petra Beispiel".to_owned())]),
            email: "datenschutz@stadt.example".into(),
            phone: Some("0511 1".into()),
        }]);
        let rendered = render_lesson_with(
            "Fragen Sie [die Datenschutzbeauftragte](contact:data-protection). Oder [wen](contact:niemand).",
            &context("/f/", &contacts),
        );
        assert!(
            rendered.html.contains("Fragen Sie die Datenschutzbeauftragte (<a href=\"mailto:datenschutz@stadt.example\" title=\"Datenschutzbeauftragte\">Dr. Petra Beispiel</a>, Tel. 0511 1)."),
            "{}",
            rendered.html
        );
        assert!(!rendered.html.contains("contact:"), "{}", rendered.html);
        assert_eq!(rendered.unknown_contacts.len(), 1);
        assert_eq!(rendered.unknown_contacts[0].written, "contact:niemand");
        assert!(rendered.bad_links.is_empty());
    }

    #[test]
    fn raw_html_and_script_links_cannot_run() {
        let rendered = render_lesson_with(
            "Hallo <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[klick](javascript:alert(3))\n\n<div onclick=\"x()\">block</div>\n",
            &context("/courses/c/files/", &Contacts::default()),
        );
        assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        assert!(!rendered.html.contains("<img"), "{}", rendered.html);
        assert!(!rendered.html.contains("<div"), "{}", rendered.html);
        assert!(!rendered.html.contains("javascript:"), "{}", rendered.html);
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert_eq!(rendered.bad_links.len(), 1);
    }

    #[test]
    fn relative_links_point_at_the_course_file_route() {
        let none = Contacts::default();
        let rendered = render_lesson_with(
            "![Ablauf](../bilder/ablauf.png) [Vorlage](vorlage.pdf#s2)",
            &context("/courses/c/files/", &none),
        );
        assert!(
            rendered
                .html
                .contains("src=\"/courses/c/files/bilder/ablauf.png\""),
            "{}",
            rendered.html
        );
        assert!(
            rendered
                .html
                .contains("href=\"/courses/c/files/de/vorlage.pdf#s2\""),
            "{}",
            rendered.html
        );
        let escaping = render_lesson_with(
            "[x](../../../etc/passwd)",
            &context("/courses/c/files/", &none),
        );
        assert_eq!(escaping.local_links[0].course_path, None);
        assert!(escaping.html.contains("href=\"#\""));
    }

    #[test]
    fn headings_get_unique_anchors() {
        let rendered = render_lesson_with(
            "## Woher das „Wissen“ kommt\n\n## Übung\n\n## Übung\n",
            &context("/f/", &Contacts::default()),
        );
        assert!(
            rendered.html.contains("<h2 id=\"woher-das-wissen-kommt\">"),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("<h2 id=\"übung\">"));
        assert!(rendered.html.contains("<h2 id=\"übung-2\">"));
    }
}
