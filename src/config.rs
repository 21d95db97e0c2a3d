//! Settings: the only place that reads `KIWI_*` variables (each also a command-line flag).

use std::path::PathBuf;

use clap::Args;

use crate::domain::{Cidr, Credential, LocalTime, SecretText};

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
        }
    }
}
