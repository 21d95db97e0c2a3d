//! The one render helper: tera templates compiled into the binary, with `t()` for text.

use std::sync::Arc;

use tera::{Context, Kwargs, State, Tera};

use crate::domain::Language;
use crate::i18n::Translations;

/// Every template, embedded so the binary runs from any directory.
const TEMPLATES: [(&str, &str); 33] = [
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("setup.html", include_str!("../templates/setup.html")),
    ("profile.html", include_str!("../templates/profile.html")),
    (
        "reports/report.html",
        include_str!("../templates/reports/report.html"),
    ),
    (
        "reports/evidence.html",
        include_str!("../templates/reports/evidence.html"),
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
        tera.add_raw_templates(TEMPLATES).map_err(|e| RenderError {
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
