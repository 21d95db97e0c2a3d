//! The one translation layer: Fluent messages per language, used by templates, mails and
//! the command line alike.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::Language;

const SOURCES: [(Language, &str); 2] = [
    (Language::De, include_str!("../templates/locales/de.ftl")),
    (Language::En, include_str!("../templates/locales/en.ftl")),
];

pub struct Translations {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TranslationError {
    #[error("{language}.ftl does not parse: {detail}")]
    Syntax {
        language: &'static str,
        detail: String,
    },
    #[error("no message {id} in {language}.ftl")]
    Missing { language: &'static str, id: String },
    #[error("message {id} in {language}.ftl: {detail}")]
    Format {
        language: &'static str,
        id: String,
        detail: String,
    },
}

impl Translations {
    pub fn load() -> Result<Translations, TranslationError> {
        let mut bundles = HashMap::new();
        for (language, source) in SOURCES {
            let syntax = |detail: String| TranslationError::Syntax {
                language: language.code(),
                detail,
            };
            let resource = FluentResource::try_new(source.to_owned())
                .map_err(|(_, errors)| syntax(format!("{errors:?}")))?;
            let locale = language
                .code()
                .parse()
                .map_err(|e| syntax(format!("{e:?}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![locale]);
            // No Unicode isolation marks: the output is HTML and plain text, not mixed-direction UI.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| syntax(format!("{errors:?}")))?;
            bundles.insert(language, bundle);
        }
        Ok(Translations { bundles })
    }

    /// The text of message `id` in `language`, with `args` filled in.
    pub fn text(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, String)],
    ) -> Result<String, TranslationError> {
        let missing = || TranslationError::Missing {
            language: language.code(),
            id: id.to_owned(),
        };
        let bundle = self.bundles.get(&language).ok_or_else(missing)?;
        let pattern = bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(missing)?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            // Numbers stay numbers so plural rules apply; text that merely looks like one
            // (a personnel number such as 00012345) stays text, leading zeros and all.
            match value.parse::<i64>() {
                Ok(n) if n.to_string() == *value => fluent_args.set(*name, FluentValue::from(n)),
                _ => fluent_args.set(*name, FluentValue::from(value.clone())),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if let Some(error) = errors.first() {
            return Err(TranslationError::Format {
                language: language.code(),
                id: id.to_owned(),
                detail: error.to_string(),
            });
        }
        Ok(text.into_owned())
    }

    /// The message ids of a language, to check that every language has every message.
    pub fn ids(&self, language: Language) -> Vec<String> {
        let source = SOURCES
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        source
            .lines()
            .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        let translations = Translations::load().unwrap();
        let de = translations.ids(Language::De);
        let en = translations.ids(Language::En);
        let only_de: Vec<_> = de.iter().filter(|id| !en.contains(id)).collect();
        let only_en: Vec<_> = en.iter().filter(|id| !de.contains(id)).collect();
        assert!(only_de.is_empty(), "missing in en.ftl: {only_de:?}");
        assert!(only_en.is_empty(), "missing in de.ftl: {only_en:?}");
        for id in &de {
            for language in Language::ALL {
                translations
                    .text(language, id, &[])
                    .unwrap_or_else(|e| match e {
                        TranslationError::Format { .. } => String::new(),
                        other => panic!("{other}"),
                    });
            }
        }
    }
}
