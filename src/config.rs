//! Settings: the only place that reads `KIWI_*` variables (each also a command-line flag).

use std::path::PathBuf;

use clap::Args;

use crate::domain::{Cidr, Credential, LocalTime, SecretText};
use crate::oidc::{ClientConfig, Provider, Rules, SingleSignOn};
use crate::services::second_factor::{self, MfaMode, SecondFactors, SecretKey};
use crate::services::sign_in::PasswordSignIn;

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address and port the web server listens on.
    #[arg(
        long,
        env = "KIWI_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Database URL: `sqlite://…` or `postgres://…` (default: an SQLite file in the data directory).
    #[arg(long, env = "KIWI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Directory for kiwi's own files (the SQLite database, mails written without SMTP).
    #[arg(long, env = "KIWI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Directory with the course folders.
    #[arg(
        long,
        env = "KIWI_COURSES_DIR",
        default_value = "./courses",
        global = true
    )]
    pub courses_dir: PathBuf,

    /// File listing the internal AI tools and what they require.
    #[arg(
        long,
        env = "KIWI_TOOLS_FILE",
        default_value = "./tools.toml",
        global = true
    )]
    pub tools_file: PathBuf,

    /// The administration's central contacts, named by lessons' `contact:` links and listed
    /// on the policy page.
    #[arg(
        long,
        env = "KIWI_CONTACTS",
        default_value = "./contacts.toml",
        global = true
    )]
    pub contacts_file: PathBuf,

    /// Directory with the AI usage policy (`de.md`, `en.md`, version in front matter).
    #[arg(
        long,
        env = "KIWI_POLICY_DIR",
        default_value = "./policies/ai-usage",
        global = true
    )]
    pub policy_dir: PathBuf,

    /// Name of the administration, printed on certificates.
    #[arg(
        long,
        env = "KIWI_ORGANISATION",
        default_value = "Stadt Musterstadt",
        global = true
    )]
    pub organisation: String,

    /// Where people report accessibility barriers (shown in the accessibility statement).
    #[arg(
        long,
        env = "KIWI_ACCESSIBILITY_CONTACT",
        default_value = "barrierefreiheit@musterstadt.example",
        global = true
    )]
    pub accessibility_contact: String,

    /// Public URL of kiwi as people reach it, used in links and to mark cookies Secure on https
    /// (default: http://<bind>).
    #[arg(long, env = "KIWI_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// Take the client address for throttling from the proxy's forwarding header; set only
    /// when kiwi runs behind a reverse proxy that sets that header.
    #[arg(long, env = "KIWI_TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// The reverse proxies whose forwarding header is believed (with `KIWI_TRUST_PROXY`):
    /// comma-separated addresses or CIDR blocks. The client is the right-most address in the
    /// header that is not one of them.
    #[arg(
        long,
        env = "KIWI_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "127.0.0.1/32,::1/128",
        value_parser = parse_cidr,
        global = true
    )]
    pub trusted_proxies: Vec<Cidr>,

    /// The forwarding header the proxy sets: `x-forwarded-for` (default) or `forwarded`
    /// (RFC 7239). The other one is ignored, so a client cannot send it past the proxy.
    #[arg(
        long,
        env = "KIWI_PROXY_HEADER",
        default_value = "x-forwarded-for",
        value_parser = ["x-forwarded-for", "forwarded"],
        global = true
    )]
    pub proxy_header: String,

    /// The time zone people live in: due dates, overdue, reminders, cooldowns and every time
    /// shown or mailed follow it (times are stored in UTC).
    #[arg(
        long,
        env = "KIWI_TIMEZONE",
        default_value = "Europe/Berlin",
        value_parser = parse_timezone,
        global = true
    )]
    pub timezone: chrono_tz::Tz,

    /// SMTP server for kiwi's mails: `smtp://relay:25` (plain), `smtp://relay:587?tls=required`
    /// (STARTTLS), `smtps://user:password@relay:465` (TLS). Without one, mails are written as
    /// `.eml` files into `outbox-mail/` in the data directory.
    #[arg(long, env = "KIWI_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of kiwi's mails, e.g. `kiwi <kiwi@stadt.example>`.
    #[arg(
        long,
        env = "KIWI_MAIL_FROM",
        default_value = "kiwi <kiwi@musterstadt.example>",
        global = true
    )]
    pub mail_from: String,

    /// How often a mail is tried before kiwi gives up on it (administrators see it then).
    #[arg(long, env = "KIWI_MAIL_MAX_TRIES", default_value_t = 10, global = true)]
    pub mail_max_tries: u32,

    /// Days before an assignment's due date on which a reminder is sent (comma-separated).
    #[arg(
        long,
        env = "KIWI_REMINDER_DAYS",
        value_delimiter = ',',
        default_value = "14,3",
        global = true
    )]
    pub reminder_days: Vec<u32>,

    /// Days before a certificate ends on which its holder is reminded to renew it.
    #[arg(
        long,
        env = "KIWI_EXPIRY_REMINDER_DAYS",
        value_delimiter = ',',
        default_value = "60,14",
        global = true
    )]
    pub expiry_reminder_days: Vec<u32>,

    /// Send department heads a weekly digest of the overdue people in their unit (off unless
    /// the staff council agreed).
    #[arg(
        long,
        env = "KIWI_MANAGER_DIGEST",
        default_value_t = false,
        global = true
    )]
    pub manager_digest: bool,

    /// The smallest group the council report shows figures of: smaller units are merged
    /// into "other units" (or, if the whole administration is smaller, left out).
    #[arg(
        long,
        env = "KIWI_MIN_GROUP_SIZE",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub min_group_size: u32,

    /// Seconds an instance may go without confirming entitlements from the change feed;
    /// past it the access check answers 503 (fail closed) until the feed is read again.
    #[arg(
        long,
        env = "KIWI_FEED_MAX_STALENESS",
        default_value_t = 5.0,
        global = true
    )]
    pub feed_max_staleness: f64,

    /// Log filter, e.g. `info` or `kiwi=debug,info`.
    #[arg(long, env = "KIWI_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Serve `/metrics` (Prometheus) on this extra address only, e.g. `127.0.0.1:9090`.
    #[arg(long, env = "KIWI_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,

    /// Serve `/metrics` on the main address to requests with `Authorization: Bearer <token>`
    /// (at least 16 characters). Without this or `KIWI_METRICS_BIND`, there is no `/metrics`.
    #[arg(
        long,
        env = "KIWI_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<SecretText>,

    /// The directory whose groups kiwi keeps (tools' `directory_group`): `ldap://host:389`,
    /// or `ldaps://host:636` with the certificate checked against the system's store.
    #[arg(long, env = "KIWI_LDAP_URL", global = true)]
    pub ldap_url: Option<String>,

    /// The account kiwi binds as; it may change the tools' groups and read people.
    #[arg(long, env = "KIWI_LDAP_BIND_DN", global = true)]
    pub ldap_bind_dn: Option<String>,

    /// Its password (prefer `KIWI_LDAP_BIND_PASSWORD_FILE`).
    #[arg(
        long,
        env = "KIWI_LDAP_BIND_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub ldap_bind_password: Option<Credential>,

    /// A file holding the bind password (a mounted secret).
    #[arg(long, env = "KIWI_LDAP_BIND_PASSWORD_FILE", global = true)]
    pub ldap_bind_password_file: Option<PathBuf>,

    /// Where people are searched (the whole subtree), e.g. `ou=people,dc=stadt,dc=example`.
    #[arg(long, env = "KIWI_LDAP_PEOPLE_BASE", global = true)]
    pub ldap_people_base: Option<String>,

    /// The attribute that names a kiwi person in the directory: `mail` (or
    /// `userPrincipalName`) is matched against the email address, any other attribute (e.g.
    /// `employeeNumber`) against the personnel number.
    #[arg(
        long,
        env = "KIWI_LDAP_MATCH_ATTRIBUTE",
        default_value = "mail",
        global = true
    )]
    pub ldap_match_attribute: String,

    /// How groups name their members: `member` (the person's DN: groupOfNames, Active
    /// Directory) or `memberUid` (the person's uid: posixGroup).
    #[arg(
        long,
        env = "KIWI_LDAP_MEMBER_ATTRIBUTE",
        default_value = "member",
        value_parser = ["member", "memberUid"],
        global = true
    )]
    pub ldap_member_attribute: String,

    /// Where every entitlement and certificate event is posted (Standard Webhooks); a tool
    /// can have a webhook of its own in the tools file.
    #[arg(long, env = "KIWI_WEBHOOK_URL", global = true)]
    pub webhook_url: Option<String>,

    /// The signing secret of that webhook, `whsec_<base64>` (prefer the file).
    #[arg(
        long,
        env = "KIWI_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub webhook_secret: Option<Credential>,

    /// A file holding that signing secret.
    #[arg(long, env = "KIWI_WEBHOOK_SECRET_FILE", global = true)]
    pub webhook_secret_file: Option<PathBuf>,
    /// Who may sign in with a password: `true` (everyone, the default), `false` (nobody:
    /// single sign-on only) or `admins` (local administrators only, a way in when the
    /// identity provider fails).
    #[arg(
        long,
        env = "KIWI_PASSWORD_SIGN_IN",
        default_value = "true",
        value_parser = parse_password_sign_in,
        global = true
    )]
    pub password_sign_in: PasswordSignIn,

    /// The OpenID provider for single sign-on, e.g.
    /// `https://login.stadt.example/realms/stadt` (Keycloak). Without it, there is none.
    #[arg(long, env = "KIWI_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,

    /// kiwi's client id at the provider.
    #[arg(long, env = "KIWI_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,

    /// kiwi's client secret at the provider (a confidential client).
    #[arg(
        long,
        env = "KIWI_OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<SecretText>,

    /// A file holding the client secret, instead of `KIWI_OIDC_CLIENT_SECRET`.
    #[arg(long, env = "KIWI_OIDC_CLIENT_SECRET_FILE", global = true)]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// The scopes kiwi asks for (space-separated; `openid` is always among them).
    #[arg(
        long,
        env = "KIWI_OIDC_SCOPES",
        default_value = "openid email profile",
        global = true
    )]
    pub oidc_scopes: String,

    /// The claim that finds the kiwi person: `email` (against the email address), any other
    /// claim (e.g. `personnel_number`, `employeeNumber`) against the personnel number.
    #[arg(
        long,
        env = "KIWI_OIDC_USER_CLAIM",
        default_value = "email",
        global = true
    )]
    pub oidc_user_claim: String,

    /// The text of the sign-in button, e.g. "Mit Stadt-Konto anmelden" (default: kiwi's
    /// own words, in the visitor's language).
    #[arg(long, env = "KIWI_OIDC_LABEL", global = true)]
    pub oidc_label: Option<String>,

    /// Create a person at their first sign-in when no active person matches (off: HR's
    /// import is the only way in).
    #[arg(
        long,
        env = "KIWI_OIDC_CREATE_PEOPLE",
        default_value_t = false,
        global = true
    )]
    pub oidc_create_people: bool,

    /// The claim of a created person's name (else `given_name` and `family_name`).
    #[arg(
        long,
        env = "KIWI_OIDC_NAME_CLAIM",
        default_value = "name",
        global = true
    )]
    pub oidc_name_claim: String,

    /// The claim of a created person's personnel number, when people are matched by email.
    #[arg(
        long,
        env = "KIWI_OIDC_PERSONNEL_NUMBER_CLAIM",
        default_value = "personnel_number",
        global = true
    )]
    pub oidc_personnel_number_claim: String,

    /// The claim of a created person's unit path (`Dezernat I / Fachbereich 10`).
    #[arg(long, env = "KIWI_OIDC_UNIT_CLAIM", global = true)]
    pub oidc_unit_claim: Option<String>,

    /// The unit path of created people whose token names no unit (default: the
    /// organisation's name, the root).
    #[arg(long, env = "KIWI_OIDC_DEFAULT_UNIT", global = true)]
    pub oidc_default_unit: Option<String>,

    /// The claim holding the person's groups, for `KIWI_OIDC_ROLE_MAP` (roles never come
    /// from the token without both).
    #[arg(long, env = "KIWI_OIDC_ROLE_CLAIM", global = true)]
    pub oidc_role_claim: Option<String>,

    /// Groups and the kiwi roles they give, e.g. `kiwi-admins=admin,kiwi-hr=hr`.
    #[arg(long, env = "KIWI_OIDC_ROLE_MAP", value_delimiter = ',', global = true)]
    pub oidc_role_map: Vec<String>,

    /// The contact (an id of the contacts file) the page for people not yet in kiwi names.
    #[arg(
        long,
        env = "KIWI_OIDC_HR_CONTACT",
        default_value = "training-office",
        global = true
    )]
    pub oidc_hr_contact: String,

    /// Who must confirm a password sign-in with a second factor (TOTP): `privileged`
    /// (administrators and HR; the default of `kiwi serve`), `managers` (department heads
    /// too), `all` or `off` (the default of `kiwi demo`).
    #[arg(long, env = "KIWI_MFA", value_parser = parse_mfa, global = true)]
    pub mfa: Option<MfaMode>,

    /// The key that encrypts second-factor secrets in the database (at least 32
    /// characters; the same on every instance). Without it, or `KIWI_MFA_KEY_FILE`, kiwi
    /// keeps a generated key in `second-factor.key` in the data directory.
    #[arg(long, env = "KIWI_MFA_KEY", global = true, hide_env_values = true)]
    pub mfa_key: Option<SecretText>,

    /// A file holding that key, instead of `KIWI_MFA_KEY`.
    #[arg(long, env = "KIWI_MFA_KEY_FILE", global = true)]
    pub mfa_key_file: Option<PathBuf>,

    /// Days after which the answers of a submitted quiz attempt (the options chosen) are
    /// removed; its score and whether it passed stay.
    #[arg(
        long,
        env = "KIWI_RETAIN_ANSWERS_DAYS",
        default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retain_answers_days: u32,

    /// Days after leaving after which a person's personal data is erased (replaced by a
    /// pseudonym); their training records stay, pseudonymised.
    #[arg(
        long,
        env = "KIWI_RETAIN_LEFT_DAYS",
        default_value_t = 1095,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retain_left_days: u32,

    /// Days after which audit entries (and records of directory reconciliations) are deleted.
    #[arg(
        long,
        env = "KIWI_RETAIN_AUDIT_DAYS",
        default_value_t = 1095,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub retain_audit_days: u32,

    /// Whether the server runs retention itself once a day (after 03:00 local time, on one
    /// instance); `false` where `kiwi retention run` is scheduled otherwise (cron, a timer).
    #[arg(
        long,
        env = "KIWI_RETENTION_DAILY",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub retention_daily: bool,

    /// `text` (default) or `json`: one JSON object per line, for a log collector.
    #[arg(
        long,
        env = "KIWI_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"],
        global = true
    )]
    pub log_format: String,
}

fn parse_password_sign_in(input: &str) -> Result<PasswordSignIn, String> {
    input.parse()
}

fn parse_mfa(input: &str) -> Result<MfaMode, String> {
    input.parse()
}

fn parse_cidr(input: &str) -> Result<Cidr, String> {
    Cidr::parse(input).ok_or_else(|| format!("{input} is not an address or CIDR block"))
}

fn parse_timezone(input: &str) -> Result<chrono_tz::Tz, String> {
    input
        .trim()
        .parse()
        .map_err(|_| format!("{input} is not a time zone name such as Europe/Berlin"))
}

impl Settings {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("kiwi.sqlite").display()
            ),
        }
    }

    pub fn base_url(&self) -> String {
        let url = match &self.base_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.bind),
        };
        url.trim_end_matches('/').to_owned()
    }

    /// Where mails go when no SMTP server is configured.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("outbox-mail")
    }

    pub fn local_time(&self) -> LocalTime {
        LocalTime::new(self.timezone)
    }

    /// How long entitlements may go unconfirmed before the access check fails closed.
    pub fn feed_max_staleness(&self) -> std::time::Duration {
        std::time::Duration::try_from_secs_f64(self.feed_max_staleness)
            .unwrap_or(std::time::Duration::from_secs(5))
    }

    pub fn secure_cookies(&self) -> bool {
        self.base_url().starts_with("https://")
    }

    /// Who needs a second factor, and the key of its secrets (read or created now).
    pub fn second_factors(&self) -> Result<SecondFactors, String> {
        let mode = self.mfa.unwrap_or(MfaMode::Privileged);
        let issuer = format!("kiwi ({})", self.organisation);
        if mode == MfaMode::Off {
            return Ok(SecondFactors::new(mode, None, issuer));
        }
        let key = match (&self.mfa_key, &self.mfa_key_file) {
            (Some(text), _) => SecretKey::from_text(text.expose())?,
            (None, Some(file)) => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                SecretKey::from_text(&text).map_err(|e| format!("{}: {e}", file.display()))?
            }
            (None, None) => {
                if self.database_url().starts_with("postgres") {
                    tracing::warn!(
                        "KIWI_MFA_KEY is not set: second-factor secrets are sealed with a key in \
                         the data directory; several instances need the same KIWI_MFA_KEY"
                    );
                }
                SecretKey::load_or_create(&self.data_dir.join(second_factor::KEY_FILE))?
            }
        };
        Ok(SecondFactors::new(mode, Some(key), issuer))
    }

    /// The OpenID provider and the rules of single sign-on, if `KIWI_OIDC_ISSUER` is set.
    pub fn single_sign_on(&self) -> Result<Option<SingleSignOn>, String> {
        let Some(issuer) = self.oidc_issuer.clone().filter(|i| !i.trim().is_empty()) else {
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .ok_or("KIWI_OIDC_ISSUER needs KIWI_OIDC_CLIENT_ID")?;
        let client_secret = match (&self.oidc_client_secret, &self.oidc_client_secret_file) {
            (Some(secret), _) => Some(secret.clone()),
            (None, Some(file)) => Some(
                std::fs::read_to_string(file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?
                    .parse::<SecretText>()
                    .map_err(|e| format!("{}: {e}", file.display()))?,
            ),
            (None, None) => None,
        };
        let base = self.base_url();
        let provider = Provider::new(ClientConfig {
            issuer,
            client_id,
            client_secret,
            scopes: self.oidc_scopes.clone(),
            redirect_uri: format!("{base}/login/oidc/callback"),
            post_logout_redirect_uri: format!("{base}/login?signed_out=1"),
        })?;
        let rules = Rules {
            user_claim: self.oidc_user_claim.trim().to_owned(),
            create_people: self.oidc_create_people,
            name_claim: self.oidc_name_claim.trim().to_owned(),
            personnel_number_claim: self.oidc_personnel_number_claim.trim().to_owned(),
            unit_claim: self
                .oidc_unit_claim
                .clone()
                .filter(|c| !c.trim().is_empty()),
            default_unit: self
                .oidc_default_unit
                .clone()
                .unwrap_or_else(|| self.organisation.clone()),
            role_claim: self
                .oidc_role_claim
                .clone()
                .filter(|c| !c.trim().is_empty()),
            role_map: Rules::parse_role_map(&self.oidc_role_map)?,
        };
        Ok(Some(SingleSignOn { provider, rules }))
    }

    /// Settings for tests and tools that build them in code.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        Settings {
            bind: "127.0.0.1:0".into(),
            database_url: None,
            data_dir,
            courses_dir: "./courses".into(),
            tools_file: "./tools.toml".into(),
            contacts_file: "./contacts.toml".into(),
            policy_dir: "./policies/ai-usage".into(),
            organisation: "Stadt Musterstadt".into(),
            accessibility_contact: "barrierefreiheit@musterstadt.example".into(),
            base_url: None,
            trust_proxy: false,
            trusted_proxies: ["127.0.0.1/32", "::1/128"]
                .into_iter()
                .filter_map(Cidr::parse)
                .collect(),
            proxy_header: "x-forwarded-for".into(),
            timezone: chrono_tz::Europe::Berlin,
            smtp_url: None,
            mail_from: "kiwi <kiwi@musterstadt.example>".into(),
            mail_max_tries: 10,
            reminder_days: vec![14, 3],
            expiry_reminder_days: vec![60, 14],
            manager_digest: false,
            min_group_size: 5,
            feed_max_staleness: 5.0,
            log: "info".into(),
            log_format: "text".into(),
            metrics_bind: None,
            metrics_token: None,
            ldap_url: None,
            ldap_bind_dn: None,
            ldap_bind_password: None,
            ldap_bind_password_file: None,
            ldap_people_base: None,
            ldap_match_attribute: "mail".into(),
            ldap_member_attribute: "member".into(),
            webhook_url: None,
            webhook_secret: None,
            webhook_secret_file: None,
            password_sign_in: PasswordSignIn::Everyone,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_client_secret_file: None,
            oidc_scopes: "openid email profile".into(),
            oidc_user_claim: "email".into(),
            oidc_label: None,
            oidc_create_people: false,
            oidc_name_claim: "name".into(),
            oidc_personnel_number_claim: "personnel_number".into(),
            oidc_unit_claim: None,
            oidc_default_unit: None,
            oidc_role_claim: None,
            oidc_role_map: Vec::new(),
            oidc_hr_contact: "training-office".into(),
            mfa: None,
            mfa_key: None,
            mfa_key_file: None,
            retain_answers_days: 90,
            retain_left_days: 1095,
            retain_audit_days: 1095,
            retention_daily: true,
        }
    }
}
