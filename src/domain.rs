//! Value types parsed once at the edge and trusted inside.

use std::fmt;

/// An email address, trimmed; compared and stored for lookup in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` without spaces; deliberately no full RFC 5322 parser:
    /// HR data holds ordinary work addresses.
    pub fn parse(input: &str) -> Option<Email> {
        let email = input.trim();
        let (local, domain) = email.split_once('@')?;
        let valid = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        valid.then(|| Email(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a person may do beyond learning. Everyone is an employee; the others add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Employee,
    Manager,
    Hr,
    Admin,
}

impl Role {
    pub fn parse(input: &str) -> Option<Role> {
        match input.trim().to_lowercase().as_str() {
            "employee" => Some(Role::Employee),
            "manager" => Some(Role::Manager),
            "hr" => Some(Role::Hr),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The roles a person holds beyond employee.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    pub manager: bool,
    pub hr: bool,
    pub admin: bool,
}

impl Roles {
    /// Parses a `;`-separated list (empty means employee only); returns the unknown entry on error.
    pub fn parse_list(input: &str) -> Result<Roles, String> {
        let mut roles = Roles::default();
        for part in input.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match Role::parse(part) {
                Some(Role::Employee) => {}
                Some(Role::Manager) => roles.manager = true,
                Some(Role::Hr) => roles.hr = true,
                Some(Role::Admin) => roles.admin = true,
                None => return Err(part.to_owned()),
            }
        }
        Ok(roles)
    }

    /// The roles as the import file writes them (`manager;hr`), `employee` for none.
    pub fn to_list(self) -> String {
        let held: Vec<&str> = [
            (self.manager, "manager"),
            (self.hr, "hr"),
            (self.admin, "admin"),
        ]
        .into_iter()
        .filter_map(|(held, name)| held.then_some(name))
        .collect();
        if held.is_empty() {
            "employee".to_owned()
        } else {
            held.join(";")
        }
    }

    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Employee => true,
            Role::Manager => self.manager,
            Role::Hr => self.hr,
            Role::Admin => self.admin,
        }
    }
}

/// Who makes a change: a signed-in person with the roles they hold, or an operator at the
/// command line (who can reach the database anyway and is trusted with everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Operator,
    Person { id: uuid::Uuid, roles: Roles },
}

impl Actor {
    pub fn id(self) -> Option<uuid::Uuid> {
        match self {
            Actor::Operator => None,
            Actor::Person { id, .. } => Some(id),
        }
    }

    /// Granting the administrator role, and changing an administrator, is for administrators
    /// (and operators): otherwise HR could make itself administrator, or take over an
    /// administrator's account by changing its email address and asking for a reset.
    pub fn may_manage_administrators(self) -> bool {
        match self {
            Actor::Operator => true,
            Actor::Person { roles, .. } => roles.admin,
        }
    }
}

/// The languages kiwi speaks. German first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::De, Language::En];

    pub fn parse(input: &str) -> Option<Language> {
        match input.trim().to_lowercase().as_str() {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }

    /// A day as people who read this language write it: 26.11.2026 or 2026-11-26.
    pub fn format_date(self, day: chrono::NaiveDate) -> String {
        match self {
            Language::De => day.format("%d.%m.%Y").to_string(),
            Language::En => day.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A place on this site to return to after a form (the `next` of sign-in and the like).
/// Only `/` followed by a character that is not `/`, `\`, whitespace or a control character,
/// checked on the text as given and again after percent-decoding, so that neither a browser
/// dropping a tab (`/\t/evil.example`) nor an encoding (`/%2F/evil.example`) can turn it into
/// a link to another site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPath(String);

impl ReturnPath {
    const MAX_LEN: usize = 2048;

    pub fn parse(input: &str) -> Option<ReturnPath> {
        let acceptable = |path: &str| {
            let mut chars = path.chars();
            chars.next() == Some('/')
                && !matches!(chars.next(), Some('/' | '\\'))
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        let valid = input.len() <= Self::MAX_LEN
            // It goes into a `Location` header as it is: visible ASCII only.
            && input.bytes().all(|b| b.is_ascii_graphic())
            && acceptable(input)
            && acceptable(&percent_decoded(input));
        valid.then(|| ReturnPath(input.to_owned()))
    }

    /// The given path when it is acceptable, the start page otherwise.
    pub fn or_home(input: Option<&str>) -> ReturnPath {
        input
            .and_then(ReturnPath::parse)
            .unwrap_or_else(|| ReturnPath("/".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `%XX` sequences decoded to bytes (invalid UTF-8 replaced); anything else left as it is.
fn percent_decoded(input: &str) -> String {
    let bytes = input.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let pair = (
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        );
        match (bytes[i], pair) {
            (b'%', (Some(hi), Some(lo))) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A line of text that a person or a file supplies and that may end up in a mail header, a
/// PDF or a CSV cell: a name, a unit's name. Trimmed; control characters (line breaks, tabs,
/// NUL) are refused, as is an empty or overlong text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleLine(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SingleLineError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {} characters", SingleLine::MAX_CHARS)]
    TooLong,
    #[error("holds a line break or another control character")]
    ControlCharacter,
}

impl SingleLine {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<SingleLine, SingleLineError> {
        let text = input.trim();
        if text.is_empty() {
            Err(SingleLineError::Empty)
        } else if text
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            Err(SingleLineError::ControlCharacter)
        } else if text.chars().count() > Self::MAX_CHARS {
            Err(SingleLineError::TooLong)
        } else {
            Ok(SingleLine(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password as typed; checked for length only (BSI and NIST advise length over rules).
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Option<NewPassword> {
        let chars = input.chars().count();
        (Self::MIN_CHARS..=Self::MAX_CHARS)
            .contains(&chars)
            .then(|| NewPassword(input.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(
            Email::parse(" Anna.Beck@Stadt.Example ")
                .unwrap()
                .normalized(),
            "anna.beck@stadt.example"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@stadt.example",
            "anna@stadt",
            "an na@stadt.example",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad} should be rejected");
        }
    }

    #[test]
    fn role_lists_accept_known_roles_only() {
        let roles = Roles::parse_list("manager; HR").unwrap();
        assert!(roles.manager && roles.hr && !roles.admin);
        assert_eq!(Roles::parse_list("").unwrap(), Roles::default());
        assert_eq!(Roles::parse_list("boss").unwrap_err(), "boss");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        for good in ["/", "/courses", "/courses/prompting?x=1#top", "/a%20b"] {
            assert_eq!(ReturnPath::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "courses",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%5cevil.example",
            "/ /evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/x%0d%0aSet-Cookie:a=b",
            "https://evil.example",
            "/café",
        ] {
            assert!(ReturnPath::parse(bad).is_none(), "{bad:?} should be refused");
        }
        assert_eq!(ReturnPath::or_home(Some("//evil.example")).as_str(), "/");
        assert_eq!(ReturnPath::or_home(None).as_str(), "/");
    }

    #[test]
    fn single_lines_refuse_line_breaks_and_control_characters() {
        assert_eq!(SingleLine::parse("  Anna Beck ").unwrap().as_str(), "Anna Beck");
        assert_eq!(
            SingleLine::parse("Jürgen <b>Groß</b>").unwrap().as_str(),
            "Jürgen <b>Groß</b>"
        );
        for (bad, error) in [
            ("Anna\nBeck", SingleLineError::ControlCharacter),
            ("Anna\r\nBeck", SingleLineError::ControlCharacter),
            ("Anna\tBeck", SingleLineError::ControlCharacter),
            ("A\u{0}B", SingleLineError::ControlCharacter),
            ("A\u{85}B", SingleLineError::ControlCharacter),
            (" \n ", SingleLineError::Empty),
        ] {
            assert_eq!(SingleLine::parse(bad), Err(error), "{bad:?}");
        }
        assert_eq!(
            SingleLine::parse(&"x".repeat(201)),
            Err(SingleLineError::TooLong)
        );
    }
}
