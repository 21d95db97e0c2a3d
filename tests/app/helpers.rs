//! spawn_app(): a real kiwi server on port 0 with a fresh database, and a browser-like client.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kiwi::app;
use kiwi::config::Settings;
use kiwi::content::Content;
use kiwi::courses::load::load_catalog;
use kiwi::db;
use kiwi::domain::{Email, Language, NewPassword, Roles, SingleLine};
use kiwi::services::access::AccessCache;
use kiwi::services::people::{self, NewPerson};
use kiwi::services::second_factor::MfaMode;
use kiwi::services::sign_in::PasswordSignIn;
use kiwi::state::AppState;
use kiwi::{policy, tools};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    /// The database URL, to start a second instance on the same data.
    pub database_url: String,
    /// The running server's access cache, to apply changes without waiting for its timer.
    pub access: Arc<AccessCache>,
    /// The running server's state: its mail composer, outbox worker and schedule.
    pub state: Arc<AppState>,
    _data_dir: tempfile::TempDir,
}

/// A change of settings a test makes before its server starts.
pub type Adjust = Arc<dyn Fn(&mut Settings) + Send + Sync>;

/// What a test app is started with; the defaults are the fixtures and a fresh database.
pub struct TestConfig {
    pub courses: PathBuf,
    pub policy: PathBuf,
    /// Start on this existing database instead of a fresh one (a second instance).
    pub database_url: Option<String>,
    /// Send mail to this SMTP server (default: `.eml` files in the data directory).
    pub smtp_url: Option<String>,
    pub mail_max_tries: u32,
    pub manager_digest: bool,
    /// Behind a reverse proxy on 127.0.0.1 (`KIWI_TRUST_PROXY`), with this forwarding header.
    pub trust_proxy: Option<&'static str>,
    /// `KIWI_METRICS_TOKEN`.
    pub metrics_token: Option<&'static str>,
    /// The tools file (default: the fixtures' `tools.toml`).
    pub tools: PathBuf,
    /// `KIWI_BASE_URL` (default: the server's own address), e.g. behind a proxy.
    pub base_url: Option<String>,
    /// Changes any other setting (the directory, webhooks) before the server starts.
    pub adjust: Option<Adjust>,
    /// `KIWI_MFA` (default here: off, so that other tests sign privileged people in with a
    /// password alone; tests/app/second_factor.rs tests the second factor).
    pub mfa: MfaMode,
    /// `KIWI_PASSWORD_SIGN_IN`.
    pub password_sign_in: PasswordSignIn,
    /// Any other settings, changed last (e.g. the OpenID provider of tests/app/oidc.rs).
    pub configure: Option<ConfigureSettings>,
}

/// Changes settings after the others are set.
pub type ConfigureSettings = Box<dyn FnOnce(&mut Settings)>;

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            courses: fixture_courses(),
            policy: fixtures().join("policy"),
            database_url: None,
            smtp_url: None,
            mail_max_tries: 10,
            manager_digest: false,
            trust_proxy: None,
            metrics_token: None,
            tools: fixtures().join("tools.toml"),
            base_url: None,
            adjust: None,
            mfa: MfaMode::Off,
            password_sign_in: PasswordSignIn::Everyone,
            configure: None,
        }
    }
}

/// Starts kiwi on a free port with a fresh database: a temporary SQLite file, or, when
/// `KIWI_TEST_DATABASE_URL` names a PostgreSQL server, a new database of its own there.
pub async fn spawn_app() -> TestApp {
    spawn_app_with_courses(&fixture_courses()).await
}

/// The fixtures the tests use instead of the real content.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture_courses() -> PathBuf {
    fixtures().join("courses")
}

/// Like `spawn_app`, with the courses of `courses_dir`.
pub async fn spawn_app_with_courses(courses_dir: &Path) -> TestApp {
    // The fixture tools require the fixture course; courses of a test's own without it run
    // without tools (a tools file that does not exist).
    let tools = match courses_dir.join("grundlagen").exists() {
        true => fixtures().join("tools.toml"),
        false => courses_dir.join("no-tools.toml"),
    };
    spawn_app_with(TestConfig {
        courses: courses_dir.to_path_buf(),
        tools,
        ..Default::default()
    })
    .await
}

pub async fn spawn_app_with(config: TestConfig) -> TestApp {
    let courses_dir = config.courses.as_path();
    let contacts = kiwi::courses::contacts::load(&fixtures().join("contacts.toml"))
        .expect("the test contacts are valid");
    let catalog = kiwi::courses::load::load_catalog_with(courses_dir, contacts)
        .expect("the test courses are valid");
    let policy = policy::load(&config.policy).expect("the test policy is valid");
    let tools = tools::load(&config.tools, &catalog, true).expect("the test tools are valid");
    let content = Content {
        catalog,
        policy,
        tools,
    };
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let url = match config.database_url {
        Some(existing) => existing,
        None => empty_database(data_dir.path()).await,
    };
    let db = db::connect(&url).await.expect("database opens");
    db::migrate(&db).await.expect("migrations run");
    let mut settings = Settings::for_data_dir(data_dir.path().to_path_buf());
    settings.courses_dir = courses_dir.to_path_buf();
    settings.database_url = Some(url.clone());
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    settings.base_url = Some(config.base_url.unwrap_or_else(|| address.clone()));
    settings.smtp_url = config.smtp_url;
    settings.mail_max_tries = config.mail_max_tries;
    settings.manager_digest = config.manager_digest;
    // Tests run retention themselves; the server's daily run would race them.
    settings.retention_daily = false;
    settings.mfa = Some(config.mfa);
    settings.password_sign_in = config.password_sign_in;
    if let Some(configure) = config.configure {
        configure(&mut settings);
    }
    settings.metrics_token = config.metrics_token.and_then(|t| t.parse().ok());
    if let Some(header) = config.trust_proxy {
        settings.trust_proxy = true;
        settings.proxy_header = header.to_owned();
    }
    if let Some(adjust) = &config.adjust {
        adjust(&mut settings);
    }
    let state = Arc::new(AppState::new(db.clone(), content, settings).expect("app state"));
    let access = state.access.clone();
    let server = app::start(state.clone(), listener)
        .await
        .expect("server starts");
    tokio::spawn(server);
    TestApp {
        address,
        db,
        database_url: url,
        access,
        state,
        _data_dir: data_dir,
    }
}

/// The URL of a new, empty database: a SQLite file in `dir`, or, when
/// `KIWI_TEST_DATABASE_URL` names a PostgreSQL server, a database of its own there.
pub async fn empty_database(dir: &Path) -> String {
    match std::env::var("KIWI_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => fresh_postgres_database(&server).await,
        _ => format!("sqlite://{}?mode=rwc", dir.join("kiwi.sqlite").display()),
    }
}

async fn fresh_postgres_database(server: &str) -> String {
    let admin = Database::connect(server).await.expect("PostgreSQL answers");
    let name = format!("kiwi_test_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("test database created");
    let (base, _) = server
        .rsplit_once('/')
        .expect("a database URL ends in /name");
    format!("{base}/{name}")
}

impl TestApp {
    /// Today where this instance's people live: due dates are days there, not in UTC.
    pub fn today(&self) -> chrono::NaiveDate {
        self.state.settings.local_time().today()
    }

    /// A second kiwi instance on this one's database.
    pub async fn second_instance(&self) -> TestApp {
        spawn_app_with(TestConfig {
            database_url: Some(self.database_url.clone()),
            ..Default::default()
        })
        .await
    }

    /// Adds a person with `PASSWORD` in the given unit path and roles (";"-separated).
    pub async fn person(&self, name: &str, unit: &str, roles: &str) -> Person {
        let local: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' { '.' } else { c })
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let suffix = uuid::Uuid::now_v7().simple().to_string();
        let email = format!("{local}.{}@stadt.example", &suffix[suffix.len() - 6..]);
        let person = NewPerson {
            personnel_number: format!("P-{}", uuid::Uuid::now_v7().simple()),
            name: SingleLine::parse(name).unwrap(),
            email: Email::parse(&email).unwrap(),
            org_unit: unit.split(" / ").map(str::to_owned).collect(),
            roles: Roles::parse_list(roles).unwrap(),
            language: Language::De,
        };
        people::add(&self.db, person, None)
            .await
            .expect("person added");
        let email = Email::parse(&email).unwrap();
        people::set_password(&self.db, &email, NewPassword::parse(PASSWORD).unwrap())
            .await
            .expect("password set");
        // Added beside the server, as by the command line: its follower reads the change
        // feed within a fraction of a second; tests look once it has.
        self.wait_for_feed().await;
        Person {
            email: email.to_string(),
        }
    }

    /// A browser that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            address: self.address.clone(),
        }
    }

    /// A browser signed in as `person`.
    pub async fn signed_in(&self, person: &Person) -> Browser {
        let browser = self.browser();
        let response = browser.sign_in(&person.email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {} failed",
            person.email
        );
        browser
    }
}

pub struct Person {
    pub email: String,
}

pub struct Browser {
    pub client: reqwest::Client,
    pub address: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    /// The CSRF token in the form on the page at `path`.
    pub async fn csrf_token(&self, path: &str) -> String {
        let (_, html) = self.get_text(path).await;
        csrf_token_in(&html)
    }

    /// Submits a form on `form_page` to `action`, with the page's CSRF token.
    pub async fn submit(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(form_page).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Uploads a CSV file to the HR import, as the HR page's form does.
    pub async fn upload_import(
        &self,
        csv: &str,
        mark_missing_as_left: bool,
    ) -> (StatusCode, String) {
        let token = self.csrf_token("/hr").await;
        self.upload_import_with_token(token, csv, mark_missing_as_left)
            .await
    }

    /// Tries the import with a valid token taken from the start page (for people who
    /// cannot open the HR page).
    pub async fn upload_import_without_page(&self, csv: &str) -> StatusCode {
        let token = self.csrf_token("/").await;
        self.upload_import_with_token(token, csv, false).await.0
    }

    async fn upload_import_with_token(
        &self,
        token: String,
        csv: &str,
        mark_missing_as_left: bool,
    ) -> (StatusCode, String) {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("staff.csv"),
            );
        if mark_missing_as_left {
            form = form.text("mark_missing_as_left", "1");
        }
        let response = self
            .client
            .post(self.url("/hr/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

pub fn csrf_token_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .expect("the page has a form with a CSRF token")
        + marker.len();
    html[start..start + 64].to_owned()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Headers carrying only a session cookie, to replay a cookie outside the browser.
pub fn cookie_header(name: &str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        HeaderValue::from_str(&format!("{name}={value}")).unwrap(),
    );
    headers
}

/// The value of the cookie `name` set by `response`.
pub fn set_cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        })
}

impl TestApp {
    /// The form fields that answer every question of an attempt correctly (or, with
    /// `right == false`, wrongly), read from the stored draw and the course content.
    pub async fn answers(&self, attempt_id: &str, right: bool) -> Vec<(String, String)> {
        use kiwi::entities::quiz_attempt;
        use sea_orm::EntityTrait;
        let attempt = quiz_attempt::Entity::find_by_id(uuid::Uuid::parse_str(attempt_id).unwrap())
            .one(&self.db)
            .await
            .unwrap()
            .expect("the attempt exists");
        let catalog = load_catalog(&fixture_courses()).unwrap();
        let course = catalog.get(&attempt.course_id).unwrap();
        let draw = kiwi::services::grading::drawn_questions(&attempt).unwrap();
        let mut fields = Vec::new();
        for (n, drawn) in draw.iter().enumerate() {
            let correct = &kiwi::services::grading::question_key(course, &attempt, drawn)
                .unwrap()
                .correct;
            for (position, original) in drawn.options.iter().enumerate() {
                if correct.contains(original) == right {
                    fields.push((format!("q{n}"), position.to_string()));
                }
            }
        }
        fields
    }
}

impl Browser {
    /// Starts the quiz of a module and returns the attempt id from the redirect.
    pub async fn start_quiz(&self, course: &str, module: &str) -> String {
        let page = format!("/courses/{course}/modules/{module}");
        let response = self.submit(&page, &format!("{page}/attempts"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location(&response)
            .trim_start_matches("/attempts/")
            .to_owned()
    }

    /// Submits answers to an attempt, with the CSRF token of the attempt page.
    pub async fn answer(&self, attempt: &str, answers: &[(String, String)]) -> reqwest::Response {
        let token = self.csrf_token(&format!("/attempts/{attempt}")).await;
        self.post_answers(attempt, &token, answers).await
    }

    pub async fn post_answers(
        &self,
        attempt: &str,
        token: &str,
        answers: &[(String, String)],
    ) -> reqwest::Response {
        let mut form = vec![("csrf_token".to_owned(), token.to_owned())];
        form.extend_from_slice(answers);
        self.client
            .post(self.url(&format!("/attempts/{attempt}")))
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

impl TestApp {
    /// Waits until the server's own follower has read the change feed after this moment, so
    /// that what a test wrote beside the server (as the command line does) is in its index.
    /// The test drives nothing: it waits for what every instance does by itself.
    pub async fn wait_for_feed(&self) {
        let asked = std::time::Instant::now();
        let until = asked + std::time::Duration::from_secs(10);
        while self.access.last_confirmed().is_none_or(|at| at <= asked) {
            assert!(
                std::time::Instant::now() < until,
                "the server did not read the change feed within 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Tells every instance that a test changed a person's rows directly in the database (as
    /// kiwi's own writes do, in the change feed), and waits until this server has read it.
    pub async fn changed_in_database(&self, user: uuid::Uuid) {
        kiwi::db::access_changes::record(&self.db, kiwi::db::access_changes::Change::Person(user))
            .await
            .expect("change recorded");
        self.wait_for_feed().await;
    }

    /// Completes the fixture course: reads module 2, passes the quiz of module 1.
    pub async fn complete_course(&self, browser: &Browser) {
        browser
            .submit(
                "/courses/grundlagen/modules/lesen",
                "/courses/grundlagen/modules/lesen/read",
                &[],
            )
            .await;
        let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
        let answers = self.answers(&attempt, true).await;
        let response = browser.answer(&attempt, &answers).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    /// A person with the fixture course's certificate and the usage policy acknowledged.
    pub async fn certified_person(&self, name: &str) -> (Person, Browser) {
        let person = self.person(name, "Dezernat I", "").await;
        let browser = self.signed_in(&person).await;
        self.complete_course(&browser).await;
        browser.acknowledge_policy().await;
        self.wait_for_feed().await;
        (person, browser)
    }

    /// Creates an API key for a tool of the fixture tools file.
    pub async fn api_key(&self, tool: &str) -> String {
        let catalog = load_catalog(&fixture_courses()).unwrap();
        let tools = tools::load(&fixtures().join("tools.toml"), &catalog, true).unwrap();
        let key = kiwi::services::api_keys::create(&self.db, &tools, tool, None)
            .await
            .unwrap();
        self.wait_for_feed().await;
        key
    }

    /// Asks the access API as a tool would.
    pub async fn ask(&self, key: &str, tool: &str, user: &str) -> (StatusCode, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/access", self.address))
            .query(&[("tool", tool), ("user", user)])
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

impl Browser {
    pub async fn acknowledge_policy(&self) {
        let html = self.get_text("/policy").await.1;
        let version = html
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the policy page offers to acknowledge")
            .to_owned();
        let response = self
            .submit("/policy", "/policy/acknowledge", &[("version", &version)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    /// Walks the way into a tool as a browser does: kiwi's `/tools/{tool}/open` hands a
    /// one-time code to the tool's host, whose `/.kiwi/callback` (kiwi, asked with that
    /// host's `Host`) sets kiwi's cookie there. None when kiwi shows the tool's page instead
    /// (the person may not use it).
    pub async fn open_tool(&self, tool: &str, next: &str) -> Option<ToolCookie> {
        let response = self
            .client
            .get(self.url(&format!("/tools/{tool}/open")))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let (origin, callback) = location.split_once("/.kiwi/callback")?;
        let host = origin.split_once("://").unwrap().1.to_owned();
        let response = ToolCookie::tool_host_client()
            .get(self.url(&format!("/.kiwi/callback{callback}")))
            .header("Host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the code is taken"
        );
        assert_eq!(response.headers()["location"], next, "back where asked");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        Some(ToolCookie {
            pair: set_cookie.split(';').next().unwrap().to_owned(),
            address: self.address.clone(),
            host,
        })
    }
}

/// kiwi's cookie on a tool's host, as the browser holds it after the handshake.
pub struct ToolCookie {
    /// `name=value`, as the browser sends it back.
    pub pair: String,
    pub address: String,
    /// The tool's host, as the browser names it in `Host`.
    pub host: String,
}

impl ToolCookie {
    fn tool_host_client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The forward-auth answer to a request of the tool's host bearing this cookie, with
    /// extra request headers.
    pub async fn verify(&self, tool: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = Self::tool_host_client()
            .get(format!("{}/auth/verify?tool={tool}", self.address))
            .header("Cookie", &self.pair);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// Like `verify`, on the tool's host's own paths (`/.kiwi/…`).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        Self::tool_host_client()
            .get(format!("{}{path}", self.address))
            .header("Host", &self.host)
            .header("Cookie", &self.pair)
            .send()
            .await
            .unwrap()
    }
}

/// The forward-auth answer to a request without any kiwi cookie, with request headers.
pub async fn verify_without_cookie(
    app: &TestApp,
    tool: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request =
        ToolCookie::tool_host_client().get(format!("{}/auth/verify?tool={tool}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// A TCP proxy in front of the database that a test can cut (every connection through it
/// hangs, as behind a broken network) and restore (the hung connections are closed, new
/// ones pass again).
pub struct CutProxy {
    pub port: u16,
    cut: tokio::sync::watch::Sender<bool>,
}

impl CutProxy {
    pub async fn start(upstream: String) -> CutProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port for the proxy");
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = tokio::sync::watch::channel(false);
        let watcher = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(proxy_connection(
                    client,
                    upstream.clone(),
                    watcher.subscribe(),
                ));
            }
        });
        CutProxy { port, cut }
    }

    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    pub fn restore(&self) {
        self.cut.send_replace(false);
    }
}

async fn proxy_connection(
    mut client: tokio::net::TcpStream,
    upstream: String,
    mut cut: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if *cut.borrow_and_update() {
        let _ = cut.wait_for(|cut| !*cut).await;
        return;
    }
    let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let mut up = vec![0u8; 16384];
    let mut down = vec![0u8; 16384];
    loop {
        tokio::select! {
            changed = cut.changed() => {
                if changed.is_err() {
                    return;
                }
                if *cut.borrow_and_update() {
                    // Hang until restored, then drop both sides.
                    let _ = cut.wait_for(|cut| !*cut).await;
                    return;
                }
            }
            read = client_read.read(&mut up) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if server_write.write_all(&up[..n]).await.is_err() { return },
            },
            read = server_read.read(&mut down) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if client_write.write_all(&down[..n]).await.is_err() { return },
            },
        }
    }
}

/// Holds every read lock of a SQLite database in WAL mode from another process, as a
/// stuck backup tool or a broken disk would leave it: no connection can read until it is
/// released (dropped). File permissions would not do, since the tests may run as root.
pub struct SqliteReadBlock {
    child: std::process::Child,
}

impl SqliteReadBlock {
    /// Blocks reads of the SQLite database at `database_url` (kiwi opens it in WAL mode).
    pub fn start(database_url: &str) -> SqliteReadBlock {
        use std::io::BufRead;
        let path = database_url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        // The WAL index keeps its locks at byte 120: write, checkpoint, recover, then the
        // five read marks (123 to 127) a reader must share to begin a read.
        let script = "import fcntl, os, sys\n\
                      fd = os.open(sys.argv[1], os.O_RDWR)\n\
                      fcntl.lockf(fd, fcntl.LOCK_EX, 5, 123, 0)\n\
                      print('locked', flush=True)\n\
                      sys.stdin.read()\n";
        let mut child = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(format!("{path}-shm"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs (it holds the SQLite locks)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked", "the read locks are held");
        SqliteReadBlock { child }
    }
}

impl Drop for SqliteReadBlock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// A second kiwi instance on this one's PostgreSQL database, reaching it through a
    /// proxy the test can cut.
    pub async fn instance_behind_proxy(&self) -> (TestApp, CutProxy) {
        let (scheme_user, rest) = self.database_url.split_once('@').expect("user@host");
        let (host, database) = rest.split_once('/').expect("host/database");
        let proxy = CutProxy::start(host.to_owned()).await;
        let url = format!("{scheme_user}@127.0.0.1:{}/{database}", proxy.port);
        let app = spawn_app_with(TestConfig {
            database_url: Some(url),
            ..Default::default()
        })
        .await;
        (app, proxy)
    }

    /// Revokes the first certificate of `person` as HR would, on this instance.
    pub async fn revoke_certificate_of(&self, person: &Person) {
        use kiwi::entities::{certificate, user};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let holder = user::Entity::find()
            .filter(user::Column::Email.eq(person.email.as_str()))
            .one(&self.db)
            .await
            .unwrap()
            .expect("the person exists");
        let serial = certificate::Entity::find()
            .filter(certificate::Column::UserId.eq(holder.id))
            .one(&self.db)
            .await
            .unwrap()
            .expect("the person holds a certificate")
            .serial;
        let hr = self
            .signed_in(&self.person("Petra Hoff", "Personal", "hr").await)
            .await;
        let response = hr
            .submit(
                "/hr/certificates/revoke",
                "/hr/certificates/revoke",
                &[("serial", &serial), ("reason", "Test")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}
