//! The directory (LDAP: Active Directory, OpenLDAP) whose groups kiwi keeps for the tools
//! that sign people in themselves: finding a person, adding and removing a group member
//! (idempotent: adding a member who is there, or removing one who is not, counts as done),
//! and reading a group and the people for the reconciliation. The one place that speaks
//! LDAP; what to change and when is the services' business.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use ldap3::adapters::{EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Mod, Scope, SearchEntry, ldap_escape};

use crate::config::Settings;
use crate::domain::Credential;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one operation (a search, a change) may take.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(15);
/// Entries per page when all people are read.
const PAGE_SIZE: i32 = 500;

/// Which kiwi field the match attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchField {
    Email,
    PersonnelNumber,
}

/// How a group names its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAttribute {
    /// The person's DN (groupOfNames, Active Directory groups).
    Member,
    /// The person's `uid` (posixGroup).
    MemberUid,
}

impl MemberAttribute {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberAttribute::Member => "member",
            MemberAttribute::MemberUid => "memberUid",
        }
    }
}

/// The directory settings, checked once at start.
#[derive(Debug, Clone)]
pub struct DirectoryConfig {
    pub url: String,
    pub bind_dn: String,
    password: Credential,
    pub people_base: String,
    pub match_attribute: String,
    pub match_field: MatchField,
    pub member_attribute: MemberAttribute,
}

/// An attribute name as LDAP writes it (no options, nothing to escape).
fn is_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A distinguished name as kiwi accepts it in the settings and the tools file: one line,
/// `attribute=value` parts separated by commas.
pub fn is_dn(dn: &str) -> bool {
    !dn.trim().is_empty()
        && !dn.chars().any(char::is_control)
        && dn.split(',').all(|part| {
            part.split_once('=')
                .is_some_and(|(name, value)| is_attribute_name(name.trim()) && !value.is_empty())
        })
}

impl DirectoryConfig {
    /// The directory of the settings, if `KIWI_LDAP_URL` is set; every other setting it
    /// needs must be set too.
    pub fn from_settings(settings: &Settings) -> Result<Option<DirectoryConfig>, String> {
        let Some(url) = settings.ldap_url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if !(url.starts_with("ldap://") || url.starts_with("ldaps://")) {
            return Err(format!(
                "KIWI_LDAP_URL must start with ldap:// or ldaps://, not {url}"
            ));
        }
        let bind_dn = settings
            .ldap_bind_dn
            .as_deref()
            .map(str::trim)
            .filter(|dn| is_dn(dn))
            .ok_or("KIWI_LDAP_BIND_DN must name the account kiwi binds as (a DN)")?;
        let password = match (
            &settings.ldap_bind_password,
            &settings.ldap_bind_password_file,
        ) {
            (Some(password), None) => password.clone(),
            (None, Some(file)) => Credential::from_file(file)?,
            (Some(_), Some(_)) => {
                return Err(
                    "set KIWI_LDAP_BIND_PASSWORD or KIWI_LDAP_BIND_PASSWORD_FILE, not both".into(),
                );
            }
            (None, None) => {
                return Err("KIWI_LDAP_URL needs KIWI_LDAP_BIND_PASSWORD(_FILE)".into());
            }
        };
        let people_base = settings
            .ldap_people_base
            .as_deref()
            .map(str::trim)
            .filter(|dn| is_dn(dn))
            .ok_or("KIWI_LDAP_PEOPLE_BASE must name where people are (a DN)")?;
        let match_attribute = settings.ldap_match_attribute.trim();
        if !is_attribute_name(match_attribute) {
            return Err(format!(
                "KIWI_LDAP_MATCH_ATTRIBUTE is not an attribute name: {match_attribute}"
            ));
        }
        let match_field = match match_attribute.to_ascii_lowercase().as_str() {
            "mail" | "userprincipalname" => MatchField::Email,
            _ => MatchField::PersonnelNumber,
        };
        let member_attribute = match settings.ldap_member_attribute.as_str() {
            "memberUid" => MemberAttribute::MemberUid,
            _ => MemberAttribute::Member,
        };
        Ok(Some(DirectoryConfig {
            url: url.to_owned(),
            bind_dn: bind_dn.to_owned(),
            password,
            people_base: people_base.to_owned(),
            match_attribute: match_attribute.to_owned(),
            match_field,
            member_attribute,
        }))
    }
}

/// Why a directory operation did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DirectoryError {
    /// The directory cannot be reached or does not answer now (also a refused bind, which
    /// an operator fixes in the settings): tried again later.
    #[error("the directory is unavailable: {0}")]
    Unavailable(String),
    /// The directory refused the operation for good (no such group, no right to change it,
    /// a schema rule): reported, not tried again.
    #[error("the directory refused: {0}")]
    Refused(String),
}

impl DirectoryError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, DirectoryError::Refused(_))
    }
}

/// Result codes that mean "not now" (RFC 4511): busy, unavailable, time or size limits,
/// other; everything else is the directory's final word.
fn is_transient(rc: u32) -> bool {
    matches!(rc, 3 | 11 | 51 | 52 | 80)
}

fn classify(error: LdapError) -> DirectoryError {
    match error {
        LdapError::LdapResult { result } if !is_transient(result.rc) => {
            DirectoryError::Refused(result.to_string())
        }
        other => DirectoryError::Unavailable(other.to_string()),
    }
}

/// A person as the directory has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEntry {
    pub dn: String,
    pub uid: Option<String>,
    /// The values of the match attribute.
    pub values: Vec<String>,
}

impl PersonEntry {
    /// What a group holds for this person, by the member attribute (None: a posixGroup
    /// member without a uid).
    pub fn member_value(&self, attribute: MemberAttribute) -> Option<&str> {
        match attribute {
            MemberAttribute::Member => Some(&self.dn),
            MemberAttribute::MemberUid => self.uid.as_deref(),
        }
    }
}

/// The person a match value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(PersonEntry),
    NotFound,
    /// Several entries carry the value: kiwi changes none of them.
    Ambiguous(usize),
}

/// What a change of a group came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The directory made the change.
    Made,
    /// It was so already (a member already there, or absent already).
    AlreadySo,
}

/// A DN compared as directories do for the common cases: case and blanks after separators
/// do not count.
pub fn normalize_dn(dn: &str) -> String {
    dn.split(',')
        .map(|part| match part.split_once('=') {
            Some((name, value)) => format!("{}={}", name.trim(), value.trim()),
            None => part.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// The directory of the settings: connects (and binds) per batch of work.
pub struct Directory {
    config: DirectoryConfig,
    tls: Arc<rustls::ClientConfig>,
}

impl Directory {
    pub fn new(config: DirectoryConfig) -> Result<Directory, String> {
        Ok(Directory {
            config,
            tls: Arc::new(tls_config()?),
        })
    }

    pub fn config(&self) -> &DirectoryConfig {
        &self.config
    }

    /// Connects and binds.
    pub async fn connect(&self) -> Result<Session, DirectoryError> {
        let settings = LdapConnSettings::new()
            .set_conn_timeout(CONNECT_TIMEOUT)
            .set_config(self.tls.clone());
        let (connection, mut ldap) = LdapConnAsync::with_settings(settings, &self.config.url)
            .await
            .map_err(|e| DirectoryError::Unavailable(e.to_string()))?;
        tokio::spawn(async move {
            if let Err(error) = connection.drive().await {
                tracing::debug!(%error, "directory: the connection ended");
            }
        });
        let bound = timed(ldap.simple_bind(&self.config.bind_dn, self.config.password.expose()))
            .await
            .and_then(|result| {
                result
                    .success()
                    .map_err(|e| DirectoryError::Unavailable(format!("bind refused: {e}")))
            });
        if let Err(error) = bound {
            let _ = ldap.unbind().await;
            return Err(match error {
                DirectoryError::Refused(text) => DirectoryError::Unavailable(text),
                other => other,
            });
        }
        Ok(Session {
            ldap,
            config: self.config.clone(),
        })
    }
}

/// The system's certificate store for `ldaps://` (an internal CA installed on the host
/// works); certificates that cannot be read are skipped, and the rest still count.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "directory: a certificate of the system store could not be read");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::warn!(
            added,
            ignored,
            "directory: some system certificates were not usable"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS for the directory: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// An operation within the operation timeout.
async fn timed<T>(
    operation: impl Future<Output = Result<T, LdapError>>,
) -> Result<T, DirectoryError> {
    match tokio::time::timeout(OPERATION_TIMEOUT, operation).await {
        Ok(result) => result.map_err(classify),
        Err(_) => Err(DirectoryError::Unavailable(
            "the directory did not answer in time".into(),
        )),
    }
}

/// An entry of a search, read without letting a malformed answer panic.
fn entry(raw: ldap3::ResultEntry) -> Option<SearchEntry> {
    std::panic::catch_unwind(AssertUnwindSafe(|| SearchEntry::construct(raw))).ok()
}

/// A bound connection.
pub struct Session {
    ldap: ldap3::Ldap,
    config: DirectoryConfig,
}

impl Session {
    /// Reads a search to its end; a malformed entry ends it with an error.
    async fn search_all(
        &mut self,
        base: &str,
        scope: Scope,
        filter: &str,
        attributes: Vec<String>,
        paged: bool,
    ) -> Result<Vec<SearchEntry>, DirectoryError> {
        let adapters: Vec<Box<dyn ldap3::adapters::Adapter<'_, String, Vec<String>>>> = if paged {
            vec![
                Box::new(EntriesOnly::new()),
                Box::new(PagedResults::new(PAGE_SIZE)),
            ]
        } else {
            vec![Box::new(EntriesOnly::new())]
        };
        let mut stream = timed(
            self.ldap
                .streaming_search_with(adapters, base, scope, filter, attributes),
        )
        .await?;
        let mut entries = Vec::new();
        while let Some(raw) = timed(stream.next()).await? {
            entries.push(entry(raw).ok_or_else(|| {
                DirectoryError::Unavailable("the directory sent an unreadable entry".into())
            })?);
        }
        let result = stream.finish().await;
        // 32 (noSuchObject) for a base that does not exist is the directory's final word.
        result.success().map_err(classify)?;
        Ok(entries)
    }

    fn person_of(&self, found: SearchEntry) -> PersonEntry {
        let attribute = self.config.match_attribute.to_ascii_lowercase();
        let mut values = Vec::new();
        let mut uid = None;
        for (name, list) in found.attrs {
            let name = name.to_ascii_lowercase();
            if name == attribute {
                values.extend(list.iter().cloned());
            }
            if name == "uid" {
                uid = list.into_iter().next();
            }
        }
        PersonEntry {
            dn: found.dn,
            uid,
            values,
        }
    }

    fn person_attributes(&self) -> Vec<String> {
        vec![self.config.match_attribute.clone(), "uid".to_owned()]
    }

    /// The entry whose match attribute is `value`, under the people base.
    pub async fn find_person(&mut self, value: &str) -> Result<Lookup, DirectoryError> {
        let filter = format!(
            "({}={})",
            self.config.match_attribute,
            ldap_escape(value.trim())
        );
        let base = self.config.people_base.clone();
        let attributes = self.person_attributes();
        let mut found = self
            .search_all(&base, Scope::Subtree, &filter, attributes, false)
            .await?;
        Ok(match found.len() {
            0 => Lookup::NotFound,
            1 => Lookup::Found(self.person_of(found.remove(0))),
            n => Lookup::Ambiguous(n),
        })
    }

    /// Every entry under the people base that has the match attribute (paged).
    pub async fn people(&mut self) -> Result<Vec<PersonEntry>, DirectoryError> {
        let filter = format!("({}=*)", self.config.match_attribute);
        let base = self.config.people_base.clone();
        let attributes = self.person_attributes();
        let found = self
            .search_all(&base, Scope::Subtree, &filter, attributes, true)
            .await?;
        Ok(found.into_iter().map(|e| self.person_of(e)).collect())
    }

    /// The values of a group's member attribute. Active Directory hands out large groups
    /// in ranges (`member;range=0-1499`); they are read to the end.
    pub async fn members(&mut self, group: &str) -> Result<Vec<String>, DirectoryError> {
        let attribute = self.config.member_attribute.as_str().to_owned();
        let mut members = Vec::new();
        let mut asked = attribute.clone();
        loop {
            let mut found = self
                .search_all(
                    group,
                    Scope::Base,
                    "(objectClass=*)",
                    vec![asked.clone()],
                    false,
                )
                .await?;
            let Some(entry) = found.pop() else {
                return Err(DirectoryError::Refused(format!("no group {group}")));
            };
            let mut next = None;
            for (name, values) in entry.attrs {
                let lower = name.to_ascii_lowercase();
                if lower == attribute.to_ascii_lowercase() {
                    members.extend(values);
                } else if let Some(range) = lower
                    .strip_prefix(&format!("{};range=", attribute.to_ascii_lowercase()))
                    .map(str::to_owned)
                {
                    members.extend(values);
                    if let Some((_, end)) = range.split_once('-')
                        && end != "*"
                        && let Ok(end) = end.parse::<u64>()
                    {
                        next = Some(format!("{attribute};range={}-*", end + 1));
                    }
                }
            }
            match next {
                Some(range) => asked = range,
                None => return Ok(members),
            }
        }
    }

    /// Whether a group holds `value` in its member attribute.
    async fn holds(&mut self, group: &str, value: &str) -> Result<bool, DirectoryError> {
        let attribute = self.config.member_attribute.as_str();
        timed(self.ldap.compare(group, attribute, value))
            .await?
            .equal()
            .map_err(classify)
    }

    /// Makes `value` a member of `group`, or not (`member == false`). A directory that
    /// refuses because it is so already (the value there, or absent; codes differ between
    /// directories) is asked, and it counts as done.
    pub async fn set_member(
        &mut self,
        group: &str,
        value: &str,
        member: bool,
    ) -> Result<Change, DirectoryError> {
        let attribute = self.config.member_attribute.as_str();
        let values = HashSet::from([value]);
        let change = if member {
            Mod::Add(attribute, values)
        } else {
            Mod::Delete(attribute, values)
        };
        let result = timed(self.ldap.modify(group, vec![change])).await?;
        if result.rc == 0 {
            return Ok(Change::Made);
        }
        let refusal = result.to_string();
        if is_transient(result.rc) {
            return Err(DirectoryError::Unavailable(refusal));
        }
        // 20 (value exists), 16 (no such value), 68 and 53 (Active Directory's answers to
        // the same): if the group is as asked, it is done.
        if self.holds(group, value).await.ok() == Some(member) {
            return Ok(Change::AlreadySo);
        }
        Err(DirectoryError::Refused(refusal))
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ldap.unbind()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        let mut settings = Settings::for_data_dir(std::env::temp_dir());
        settings.ldap_url = Some("ldaps://dc1.stadt.example".into());
        settings.ldap_bind_dn = Some("cn=kiwi,ou=services,dc=stadt,dc=example".into());
        settings.ldap_bind_password = Some("geheim".parse().unwrap());
        settings.ldap_people_base = Some("ou=people,dc=stadt,dc=example".into());
        settings
    }

    #[test]
    fn the_settings_name_a_complete_directory() {
        let config = DirectoryConfig::from_settings(&settings())
            .unwrap()
            .unwrap();
        assert_eq!(config.match_field, MatchField::Email);
        assert_eq!(config.member_attribute, MemberAttribute::Member);
        assert!(
            !format!("{config:?}").contains("geheim"),
            "no password in Debug"
        );

        let mut by_number = settings();
        by_number.ldap_match_attribute = "employeeNumber".into();
        by_number.ldap_member_attribute = "memberUid".into();
        let config = DirectoryConfig::from_settings(&by_number).unwrap().unwrap();
        assert_eq!(config.match_field, MatchField::PersonnelNumber);
        assert_eq!(config.member_attribute, MemberAttribute::MemberUid);

        let mut none = Settings::for_data_dir(std::env::temp_dir());
        assert!(DirectoryConfig::from_settings(&none).unwrap().is_none());
        none.ldap_url = Some("http://dc1".into());
        assert!(DirectoryConfig::from_settings(&none).is_err());
        for broken in [
            |s: &mut Settings| s.ldap_bind_dn = None,
            |s: &mut Settings| s.ldap_bind_password = None,
            |s: &mut Settings| s.ldap_people_base = Some("people".into()),
            |s: &mut Settings| s.ldap_match_attribute = "mail)(uid=*".into(),
            |s: &mut Settings| s.ldap_bind_password_file = Some("/nonexistent".into()),
        ] {
            let mut settings = settings();
            broken(&mut settings);
            assert!(DirectoryConfig::from_settings(&settings).is_err());
        }
    }

    #[test]
    fn dns_compare_without_case_and_blanks() {
        assert_eq!(
            normalize_dn("CN=Anna Beck, OU=People,DC=stadt, DC=example"),
            "cn=anna beck,ou=people,dc=stadt,dc=example"
        );
        assert!(is_dn("cn=ki-kreativbot,ou=groups,dc=stadt,dc=example"));
        assert!(!is_dn("ki-kreativbot"));
        assert!(!is_dn("cn=x\n,dc=y"));
        assert!(!is_dn(""));
    }
}
