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

    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Employee => true,
            Role::Manager => self.manager,
            Role::Hr => self.hr,
            Role::Admin => self.admin,
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

    /// A moment as people who read this language write it, on the clock of `zone` (the
    /// administration's time zone): "02.12.2026, 14:30" or "2026-12-02 14:30". Every time of
    /// day kiwi shows goes through here.
    pub fn format_date_time<Z: chrono::TimeZone>(
        self,
        at: chrono::DateTime<chrono::Utc>,
        zone: &Z,
    ) -> String
    where
        Z::Offset: std::fmt::Display,
    {
        let local = at.with_timezone(zone);
        match self {
            Language::De => local.format("%d.%m.%Y, %H:%M").to_string(),
            Language::En => local.format("%Y-%m-%d %H:%M").to_string(),
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
}
