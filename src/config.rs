//! Settings: the only place that reads `KIWI_*` variables (each also a command-line flag).

use std::path::PathBuf;

use clap::Args;

use crate::domain::{Cidr, LocalTime};

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

    /// Log filter, e.g. `info` or `kiwi=debug,info`.
    #[arg(long, env = "KIWI_LOG", default_value = "info", global = true)]
    pub log: String,
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
            log: "info".into(),
        }
    }
}
