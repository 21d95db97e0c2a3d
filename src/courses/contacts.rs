//! The administration's central contacts ("Wen frage ich?"), read from `contacts.toml`:
//! lessons name them with `contact:` links, and the policy page lists them.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use serde::Deserialize;

use crate::courses::Problem;
use crate::domain::{Email, Language};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// What lessons write after `contact:`, e.g. `data-protection`.
    pub id: String,
    /// The office, e.g. "Datenschutzbeauftragte".
    pub title: HashMap<Language, String>,
    /// The person or unit, e.g. "Dr. Petra Beispiel".
    pub name: HashMap<Language, String>,
    pub email: String,
    pub phone: Option<String>,
}

impl Contact {
    pub fn title(&self, language: Language) -> &str {
        in_language(&self.title, language)
    }

    pub fn name(&self, language: Language) -> &str {
        in_language(&self.name, language)
    }
}

fn in_language(texts: &HashMap<Language, String>, language: Language) -> &str {
    texts
        .get(&language)
        .or_else(|| texts.get(&Language::default()))
        .map(String::as_str)
        .unwrap_or_default()
}

/// Every contact, in the order of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts(Vec<Contact>);

impl Contacts {
    pub fn new(contacts: Vec<Contact>) -> Contacts {
        Contacts(contacts)
    }

    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.0.iter().find(|c| c.id == id)
    }

    pub fn all(&self) -> &[Contact] {
        &self.0
    }

    /// The ids, for a message that names what exists.
    pub fn ids(&self) -> String {
        self.0
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactsToml {
    #[serde(default)]
    contact: Vec<ContactToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactToml {
    id: String,
    title: BTreeMap<String, String>,
    name: BTreeMap<String, String>,
    email: String,
    #[serde(default)]
    phone: Option<String>,
}

/// Reads the contacts file; a missing file means no contacts (then every `contact:` link is
/// reported). Every problem is reported as `path:line: message`.
pub fn load(path: &Path) -> Result<Contacts, Vec<Problem>> {
    let problem = |line: usize, message: String| Problem {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Contacts::default()),
        Err(error) => return Err(vec![problem(1, format!("cannot read the file: {error}"))]),
    };
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let parsed: ContactsToml = toml::from_str(&text).map_err(|error| {
        let line = error.span().map(|s| line_of(s.start)).unwrap_or(1);
        vec![problem(line, error.message().to_owned())]
    })?;
    let id_line = |id: &str| text.find(&format!("\"{id}\"")).map(line_of).unwrap_or(1);
    let mut problems = Vec::new();
    let mut contacts: Vec<Contact> = Vec::new();
    for entry in parsed.contact {
        let line = id_line(&entry.id);
        let id = entry.id.trim().to_owned();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            problems.push(problem(
                line,
                format!("contact id \"{id}\" must be lower-case letters and dashes"),
            ));
        }
        if contacts.iter().any(|c| c.id == id) {
            problems.push(problem(line, format!("contact id \"{id}\" is used twice")));
        }
        let Some(email) = Email::parse(&entry.email) else {
            problems.push(problem(
                line,
                format!("contact \"{id}\": \"{}\" is no email address", entry.email),
            ));
            continue;
        };
        let mut title = HashMap::new();
        let mut name = HashMap::new();
        for language in Language::ALL {
            for (key, source, target) in [
                ("title", &entry.title, &mut title),
                ("name", &entry.name, &mut name),
            ] {
                match source
                    .get(language.code())
                    .map(|t| t.trim())
                    .filter(|t| !t.is_empty())
                {
                    Some(value) => {
                        target.insert(language, value.to_owned());
                    }
                    None => problems.push(problem(
                        line,
                        format!("contact \"{id}\": {key}.{} is missing", language.code()),
                    )),
                }
            }
        }
        contacts.push(Contact {
            id,
            title,
            name,
            email: email.as_str().to_owned(),
            phone: entry
                .phone
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
        });
    }
    if problems.is_empty() {
        Ok(Contacts(contacts))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contacts_of_the_repository_are_valid_and_complete() {
        let contacts = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("contacts.toml"))
            .expect("contacts.toml is valid");
        for id in [
            "data-protection",
            "information-security",
            "ai-coordination",
            "staff-council",
            "training-office",
        ] {
            let contact = contacts.get(id).expect(id);
            assert!(!contact.name(Language::En).is_empty());
        }
    }

    #[test]
    fn a_missing_email_or_language_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.toml");
        fs::write(
            &path,
            "[[contact]]\nid = \"dpo\"\ntitle = { de = \"Datenschutz\" }\nname = { de = \"A\", en = \"A\" }\nemail = \"keine\"\n\n[[contact]]\nid = \"ok\"\ntitle = { de = \"T\" }\nname = { de = \"N\", en = \"N\" }\nemail = \"ok@stadt.example\"\n",
        )
        .unwrap();
        let problems: Vec<String> = load(&path)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string().replace(&format!("{}", path.display()), "f"))
            .collect();
        assert_eq!(
            problems,
            vec![
                "f:2: contact \"dpo\": \"keine\" is no email address",
                "f:8: contact \"ok\": title.en is missing"
            ]
        );
    }
}
