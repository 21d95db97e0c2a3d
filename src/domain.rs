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
                && !chars
                    .next()
                    .is_some_and(|c| c == '/' || c == '\\' || c.is_whitespace() || c.is_control())
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
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

/// A block of network addresses (`10.0.0.0/8`, `::1/128`, or one address), e.g. the reverse
/// proxies whose forwarding headers kiwi believes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: std::net::IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(input: &str) -> Option<Cidr> {
        let input = input.trim();
        let (address, prefix) = match input.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (input, None),
        };
        let network: std::net::IpAddr = address.parse().ok()?;
        let longest = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(longest);
        (prefix <= longest).then_some(Cidr { network, prefix })
    }

    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let bits = |address: std::net::IpAddr| -> u128 {
            match address {
                std::net::IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
                std::net::IpAddr::V6(v6) => u128::from(v6),
            }
        };
        // An IPv4 address seen as IPv6 (`::ffff:10.0.0.1`) is the same address.
        let address = match address {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
            v4 => v4,
        };
        if address.is_ipv4() != self.network.is_ipv4() {
            return false;
        }
        // IPv4 addresses sit in the top 32 bits, so the prefix counts from the top for both.
        let prefix = u32::from(self.prefix);
        let mask = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - prefix)
        };
        bits(address) & mask == bits(self.network) & mask
    }
}

/// The time zone people live in (`KIWI_TIMEZONE`): where an instant becomes the day and the
/// clock time people read. kiwi stores and compares instants in UTC; every day it counts
/// (due dates, overdue, reminders) and every time it shows is local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime(chrono_tz::Tz);

impl LocalTime {
    pub fn new(zone: chrono_tz::Tz) -> LocalTime {
        LocalTime(zone)
    }

    /// The local day of an instant.
    pub fn day(self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// Today, here.
    pub fn today(self) -> chrono::NaiveDate {
        self.day(chrono::Utc::now())
    }

    /// The instant a local day begins (the first moment after a summer-time gap, if any).
    pub fn start_of(self, day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        let midnight = day.and_time(chrono::NaiveTime::MIN);
        let local = self
            .0
            .from_local_datetime(&midnight)
            .earliest()
            .or_else(|| {
                self.0
                    .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                    .earliest()
            });
        local.map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&chrono::Utc))
    }

    /// An instant as the local date and time, without the zone (for spreadsheet cells).
    pub fn naive(self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// The clock time of an instant, `14:05`.
    pub fn clock(self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.0).format("%H:%M").to_string()
    }

    /// Day and clock time as people who read `language` write them: `02.12.2026, 14:05`.
    pub fn date_time(self, at: chrono::DateTime<chrono::Utc>, language: Language) -> String {
        format!("{}, {}", language.format_date(self.day(at)), self.clock(at))
    }
}

/// A secret from the configuration (a token): compared, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([redacted])")
    }
}

impl std::str::FromStr for SecretText {
    type Err = String;
    fn from_str(input: &str) -> Result<SecretText, String> {
        let input = input.trim();
        if input.len() < 16 {
            Err("a token has at least 16 characters".to_owned())
        } else {
            Ok(SecretText(input.to_owned()))
        }
    }
}

/// A credential from the configuration (the directory's bind password, a webhook's signing
/// secret): handed to the one place that uses it, never printed.
#[derive(Clone)]
pub struct Credential(String);

impl Credential {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a credential from a file (a mounted secret), without its final line break.
    pub fn from_file(path: &std::path::Path) -> Result<Credential, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        text.trim_end_matches(['\r', '\n'])
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential([redacted])")
    }
}

impl std::str::FromStr for Credential {
    type Err = String;
    fn from_str(input: &str) -> Result<Credential, String> {
        if input.is_empty() {
            Err("the credential is empty".to_owned())
        } else {
            Ok(Credential(input.to_owned()))
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
            assert!(
                ReturnPath::parse(bad).is_none(),
                "{bad:?} should be refused"
            );
        }
        assert_eq!(ReturnPath::or_home(Some("//evil.example")).as_str(), "/");
        assert_eq!(ReturnPath::or_home(None).as_str(), "/");
    }

    #[test]
    fn single_lines_refuse_line_breaks_and_control_characters() {
        assert_eq!(
            SingleLine::parse("  Anna Beck ").unwrap().as_str(),
            "Anna Beck"
        );
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

    #[test]
    fn address_blocks_contain_what_their_prefix_says() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(
            !Cidr::parse("127.0.0.1")
                .unwrap()
                .contains("127.0.0.2".parse().unwrap())
        );
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("proxy.stadt.example").is_none());
    }

    #[test]
    fn local_days_and_times_follow_the_time_zone_and_its_summer_time() {
        let berlin = LocalTime::new(chrono_tz::Europe::Berlin);
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Winter: UTC+1. 23:30 UTC on 2 December is already 3 December in Berlin.
        assert_eq!(berlin.day(at("2026-12-02T23:30:00Z")), day("2026-12-03"));
        assert_eq!(berlin.day(at("2026-12-02T22:59:59Z")), day("2026-12-02"));
        assert_eq!(berlin.clock(at("2026-12-02T13:05:00Z")), "14:05");
        // Summer: UTC+2, from 29 March 2026 01:00 UTC to 25 October 2026 01:00 UTC.
        assert_eq!(berlin.clock(at("2026-03-29T00:59:00Z")), "01:59");
        assert_eq!(berlin.clock(at("2026-03-29T01:00:00Z")), "03:00");
        assert_eq!(berlin.day(at("2026-07-01T22:30:00Z")), day("2026-07-02"));
        assert_eq!(berlin.clock(at("2026-10-25T00:59:00Z")), "02:59");
        assert_eq!(berlin.clock(at("2026-10-25T01:00:00Z")), "02:00");
        assert_eq!(
            berlin.date_time(at("2026-12-02T13:05:00Z"), Language::De),
            "02.12.2026, 14:05"
        );
    }
}
