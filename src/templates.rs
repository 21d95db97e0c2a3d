//! The one render helper: tera templates compiled into the binary, with `t()` for text.

use std::sync::Arc;

use tera::{Context, Kwargs, State, Tera};

use crate::domain::Language;
use crate::i18n::Translations;

/// Every template, embedded so the binary runs from any directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("sign_out.html", include_str!("../templates/sign_out.html")),
    (
        "tools/card.html",
        include_str!("../templates/tools/card.html"),
    ),
    (
        "tools/show.html",
        include_str!("../templates/tools/show.html"),
    ),
    ("setup.html", include_str!("../templates/setup.html")),
    ("profile.html", include_str!("../templates/profile.html")),
    ("privacy.html", include_str!("../templates/privacy.html")),
    (
        "my_data/page.html",
        include_str!("../templates/my_data/page.html"),
    ),
    (
        "my_data/download.html",
        include_str!("../templates/my_data/download.html"),
    ),
    (
        "my_data/sections.html",
        include_str!("../templates/my_data/sections.html"),
    ),
    (
        "reports/report.html",
        include_str!("../templates/reports/report.html"),
    ),
    (
        "reports/evidence.html",
        include_str!("../templates/reports/evidence.html"),
    ),
    (
        "reports/council_report.html",
        include_str!("../templates/reports/council_report.html"),
    ),
    (
        "assignments/list.html",
        include_str!("../templates/assignments/list.html"),
    ),
    (
        "admin/index.html",
        include_str!("../templates/admin/index.html"),
    ),
    ("hr/index.html", include_str!("../templates/hr/index.html")),
    (
        "form_errors.html",
        include_str!("../templates/form_errors.html"),
    ),
    (
        "new_password_fields.html",
        include_str!("../templates/new_password_fields.html"),
    ),
    (
        "courses/list.html",
        include_str!("../templates/courses/list.html"),
    ),
    (
        "courses/catalog.html",
        include_str!("../templates/courses/catalog.html"),
    ),
    (
        "courses/course.html",
        include_str!("../templates/courses/course.html"),
    ),
    (
        "courses/module.html",
        include_str!("../templates/courses/module.html"),
    ),
    (
        "quizzes/attempt.html",
        include_str!("../templates/quizzes/attempt.html"),
    ),
    (
        "certificates/status.html",
        include_str!("../templates/certificates/status.html"),
    ),
    (
        "certificates/list.html",
        include_str!("../templates/certificates/list.html"),
    ),
    (
        "certificates/show.html",
        include_str!("../templates/certificates/show.html"),
    ),
    (
        "certificates/verify.html",
        include_str!("../templates/certificates/verify.html"),
    ),
    (
        "certificates/revoke.html",
        include_str!("../templates/certificates/revoke.html"),
    ),
    (
        "tools/list.html",
        include_str!("../templates/tools/list.html"),
    ),
    (
        "tools/policy.html",
        include_str!("../templates/tools/policy.html"),
    ),
    (
        "admin/keys.html",
        include_str!("../templates/admin/keys.html"),
    ),
    (
        "accessibility.html",
        include_str!("../templates/accessibility.html"),
    ),
    (
        "passwords/forgot.html",
        include_str!("../templates/passwords/forgot.html"),
    ),
    (
        "passwords/set.html",
        include_str!("../templates/passwords/set.html"),
    ),
    (
        "passwords/invalid.html",
        include_str!("../templates/passwords/invalid.html"),
    ),
    (
        "admin/mail.html",
        include_str!("../templates/admin/mail.html"),
    ),
    (
        "admin/integrations.html",
        include_str!("../templates/admin/integrations.html"),
    ),
    (
        "admin/second_factor.html",
        include_str!("../templates/admin/second_factor.html"),
    ),
    (
        "second_factor/code.html",
        include_str!("../templates/second_factor/code.html"),
    ),
    (
        "second_factor/enrol.html",
        include_str!("../templates/second_factor/enrol.html"),
    ),
    (
        "second_factor/recovery_codes.html",
        include_str!("../templates/second_factor/recovery_codes.html"),
    ),
    (
        "single_sign_on/failed.html",
        include_str!("../templates/single_sign_on/failed.html"),
    ),
    // Mails: plain text (not escaped) and HTML (escaped), in the recipient's language.
    (
        "mail/letter.txt",
        include_str!("../templates/mail/letter.txt"),
    ),
    (
        "mail/letter.html",
        include_str!("../templates/mail/letter.html"),
    ),
];

pub const STYLESHEET: &str = include_str!("../templates/static/kiwi.css");

pub struct Templates {
    tera: Tera,
}

#[derive(Debug, thiserror::Error)]
#[error("template {template}: {detail}")]
pub struct RenderError {
    template: String,
    detail: String,
}

impl Templates {
    pub fn load(translations: Arc<Translations>) -> Result<Templates, RenderError> {
        let mut tera = Tera::new();
        // `{{ t(id="nav-home", name=person.name) }}`: the text in the page's `lang`.
        tera.register_function("t", move |kwargs: Kwargs, state: &State| {
            let language = state
                .get::<String>("lang")?
                .and_then(|code| Language::parse(&code))
                .unwrap_or_default();
            let id: String = kwargs.must_get("id")?;
            let args: Vec<(&str, String)> = kwargs
                .iter()
                .filter(|(key, _)| key.as_str() != Some("id"))
                .filter_map(|(key, value)| Some((key.as_str()?, value.to_string())))
                .collect();
            translations
                .text(language, &id, &args)
                .map_err(|e| tera::Error::message(e.to_string()))
        });
        // Functions first: tera checks at this point that every function a template calls exists.
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .map_err(|e| RenderError {
                template: "*".into(),
                detail: format!("{e:?}"),
            })?;
        Ok(Templates { tera })
    }

    /// Renders `template` with the fields of `value` in `language`: for callers that build no
    /// page (mails), so they need not know tera.
    pub fn render_value(
        &self,
        template: &str,
        language: Language,
        value: &impl serde::Serialize,
    ) -> Result<String, RenderError> {
        let mut context = Context::from_serialize(value).map_err(|e| RenderError {
            template: template.to_owned(),
            detail: format!("{e:?}"),
        })?;
        context.insert("lang", language.code());
        self.render(template, &context)
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<String, RenderError> {
        self.tera
            .render(template, context)
            .map_err(|e| RenderError {
                template: template.to_owned(),
                detail: format!("{e:?}"),
            })
    }
}

/// What differs between two people who see the same page: it goes into a `Skeleton` as a
/// hole and is filled in, escaped, for each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hole {
    Name,
    Email,
    CsrfToken,
}

impl Hole {
    const ALL: [Hole; 3] = [Hole::Name, Hole::Email, Hole::CsrfToken];

    /// The stand-in rendered where the value goes. Private-use characters around a random
    /// per-process nonce: no lesson, name or translation can contain it.
    pub fn marker(self) -> String {
        format!("{MARKER_START}{}{}{MARKER_END}", marker_nonce(), self as u8)
    }
}

const MARKER_START: char = '\u{E000}';
const MARKER_END: char = '\u{E001}';

fn marker_nonce() -> &'static str {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NONCE.get_or_init(crate::services::secrets::new_token)
}

/// A page rendered once, with markers where each person's own values go: serving it again
/// is a copy with those values filled in, not a render.
#[derive(Debug)]
pub struct Skeleton {
    pieces: Vec<Piece>,
    text_len: usize,
}

#[derive(Debug)]
enum Piece {
    Text(Box<str>),
    Hole(Hole),
}

impl Skeleton {
    /// Splits a page rendered with `Hole::marker` values at its markers.
    pub fn from_rendered(html: &str) -> Skeleton {
        let prefix = format!("{MARKER_START}{}", marker_nonce());
        let mut pieces = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(&prefix) {
            let after = &rest[start + prefix.len()..];
            let hole = Hole::ALL
                .into_iter()
                .find(|hole| after.starts_with(&format!("{}{MARKER_END}", *hole as u8)));
            let Some(hole) = hole else { break };
            pieces.push(Piece::Text(rest[..start].into()));
            pieces.push(Piece::Hole(hole));
            rest = &after[1 + MARKER_END.len_utf8()..];
        }
        pieces.push(Piece::Text(rest.into()));
        let text_len = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(text) => text.len(),
                Piece::Hole(_) => 0,
            })
            .sum();
        Skeleton { pieces, text_len }
    }

    /// The page with `value` of each hole, HTML-escaped as the template would have done.
    pub fn fill<'v>(&self, value: impl Fn(Hole) -> &'v str) -> String {
        let values = Hole::ALL.map(|hole| {
            let mut escaped = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = tera::escape_html(value(hole), &mut escaped);
            String::from_utf8(escaped).unwrap_or_default()
        });
        let mut page = String::with_capacity(self.text_len + 256);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => page.push_str(text),
                Piece::Hole(hole) => page.push_str(&values[*hole as usize]),
            }
        }
        page
    }
}

/// Skeletons of the pages rendered so far, by what makes them differ (template, path,
/// language, roles, the page's own state). Bounded: when full, it starts afresh.
#[derive(Default)]
pub struct PageCache {
    pages: std::sync::RwLock<std::collections::HashMap<String, Arc<Skeleton>>>,
}

/// Enough for every module of a large catalog in both languages, both states and the usual
/// roles; a flood of odd paths costs renders, not memory.
const PAGE_CACHE_LIMIT: usize = 4096;

impl PageCache {
    pub fn get(&self, key: &str) -> Option<Arc<Skeleton>> {
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        pages.get(key).cloned()
    }

    pub fn put(&self, key: String, skeleton: Arc<Skeleton>) {
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= PAGE_CACHE_LIMIT {
            pages.clear();
        }
        pages.insert(key, skeleton);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skeleton_fills_every_hole_escaped_and_keeps_the_rest() {
        let html = format!(
            "<p>{}</p><input value=\"{}\"><a href=\"mailto:{}\">{}</a>",
            Hole::Name.marker(),
            Hole::CsrfToken.marker(),
            Hole::Email.marker(),
            Hole::Name.marker()
        );
        let page = Skeleton::from_rendered(&html).fill(|hole| match hole {
            Hole::Name => "A & <B>",
            Hole::Email => "a'b@stadt.example",
            Hole::CsrfToken => "t\"1",
        });
        assert_eq!(
            page,
            "<p>A &amp; &lt;B&gt;</p><input value=\"t&quot;1\">\
             <a href=\"mailto:a&#39;b@stadt.example\">A &amp; &lt;B&gt;</a>"
        );
    }

    #[test]
    fn text_that_only_looks_like_a_marker_stays_as_it_is() {
        let html = "<p>\u{E000}0\u{E001} and \u{E000}</p>";
        let page = Skeleton::from_rendered(html).fill(|_| "X");
        assert_eq!(page, html);
    }
}
