//! Settings: the only place that reads `KIWI_*` variables (each also a command-line flag).

use std::path::PathBuf;

use clap::Args;

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

    /// Take the client address for sign-in throttling from `X-Forwarded-For`; set only when
    /// kiwi runs behind a reverse proxy that sets that header.
    #[arg(long, env = "KIWI_TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// Log filter, e.g. `info` or `kiwi=debug,info`.
    #[arg(long, env = "KIWI_LOG", default_value = "info", global = true)]
    pub log: String,
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
            log: "info".into(),
        }
    }
}
