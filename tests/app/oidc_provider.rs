//! A real OpenID provider for the tests: npm `oidc-provider` run by tests/oidc/provider.mjs
//! (Node.js; `(cd tests/oidc && npm ci)` installs its packages, `./test` does it) on a free
//! loopback port, with its own client configuration and signing keys; and a browser's way
//! through its pages.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use kiwi::config::Settings;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp, location};

pub const CLIENT_ID: &str = "kiwi";
pub const CLIENT_SECRET: &str = "a client secret for the tests only";

pub struct TestProvider {
    pub issuer: String,
    child: Child,
    control: reqwest::Client,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

impl TestProvider {
    /// Starts the provider and waits until it listens.
    pub fn start() -> TestProvider {
        let dir = script_dir();
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the single sign-on tests need the test provider's npm packages: \
             (cd tests/oidc && npm ci) — ./test does it"
        );
        let mut child = Command::new("node")
            .arg(dir.join("provider.mjs"))
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the single sign-on tests need Node.js (apt-get install nodejs)");
        let mut stdout = BufReader::new(child.stdout.take().expect("the provider's output"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the provider says where it listens");
        // Read on, so the provider never writes into a closed pipe; its errors go to the
        // test's output, but for oidc-provider's warnings about the runtime and its
        // in-memory store (both meant for production).
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let stderr = BufReader::new(child.stderr.take().expect("the provider's errors"));
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if !line.starts_with("oidc-provider WARNING") {
                    eprintln!("test provider: {line}");
                }
            }
        });
        let started: Value = serde_json::from_str(&line).expect("the provider prints JSON");
        TestProvider {
            issuer: started["issuer"].as_str().unwrap().to_owned(),
            child,
            control: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .control
            .post(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }

    /// Registers kiwi (at `app`'s address) as the client and these accounts (login →
    /// claims; every password is the login followed by "-password").
    pub async fn register(&self, app: &TestApp, accounts: Value) {
        let base = &app.address;
        let accounts: serde_json::Map<String, Value> = accounts
            .as_object()
            .unwrap()
            .iter()
            .map(|(login, claims)| {
                (
                    login.clone(),
                    json!({ "password": format!("{login}-password"), "claims": claims }),
                )
            })
            .collect();
        self.post(
            "/_test/setup",
            json!({
                "clients": [{
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [format!("{base}/login/oidc/callback")],
                    "post_logout_redirect_uris": [format!("{base}/login?signed_out=1")],
                    "backchannel_logout_uri": format!("{base}/login/oidc/backchannel-logout"),
                    "backchannel_logout_session_required": true,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                }],
                "accounts": accounts,
            }),
        )
        .await;
    }

    /// A new signing key (with a new key id) replaces the old one.
    pub async fn rotate_keys(&self) -> String {
        self.post("/_test/rotate", json!({})).await["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The next ID token is altered: `issuer`, `audience`, `signature`, `expired`, `nonce`.
    pub async fn tamper_next_id_token(&self, mode: &str) {
        self.post("/_test/tamper", json!({ "mode": mode })).await;
    }

    /// kiwi's settings for this provider, with `more` changed after.
    pub fn settings(
        &self,
        more: impl FnOnce(&mut Settings) + 'static,
    ) -> Box<dyn FnOnce(&mut Settings)> {
        let issuer = self.issuer.clone();
        Box::new(move |settings: &mut Settings| {
            settings.oidc_issuer = Some(issuer);
            settings.oidc_client_id = Some(CLIENT_ID.into());
            settings.oidc_client_secret = Some(CLIENT_SECRET.parse().unwrap());
            settings.oidc_scopes = "openid email profile kiwi".into();
            more(settings);
        })
    }

    /// Signs out at the provider (as on its own sign-out page), which sends the back-channel
    /// logout to kiwi before it answers.
    pub async fn sign_out_there(&self, browser: &Browser) {
        let page = browser
            .client
            .get(format!("{}/session/end", self.issuer))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let xsrf = value_of(&html, "name=\"xsrf\" value=\"");
        let action = value_of(&html, "action=\"");
        let confirmed = browser
            .client
            .post(absolute(&self.issuer, &action))
            .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
            .send()
            .await
            .unwrap();
        assert!(
            confirmed.status().is_redirection() || confirmed.status().is_success(),
            "{}",
            confirmed.status()
        );
    }
}

fn value_of(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

/// Walks a browser from kiwi's sign-in button through the provider (its log-in form, if it
/// does not know the browser yet) until the provider sends it back to kiwi; answers the
/// callback URL, not yet visited.
pub async fn through_provider(browser: &Browser, start: &str, login: &str) -> String {
    let mut url = browser.url(start);
    for _ in 0..12 {
        let response = browser.client.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            let next = absolute(&url, &location(&response));
            if next.contains("/login/oidc/callback") {
                return next;
            }
            url = next;
            continue;
        }
        assert_eq!(response.status(), StatusCode::OK, "at {url}");
        let html = response.text().await.unwrap();
        let action = absolute(&url, &value_of(&html, "action=\""));
        let password = format!("{login}-password");
        let submitted = browser
            .client
            .post(&action)
            .form(&[("login", login), ("password", password.as_str())])
            .send()
            .await
            .unwrap();
        assert!(
            submitted.status().is_redirection(),
            "the provider refused the log-in of {login}: {}",
            submitted.text().await.unwrap()
        );
        url = absolute(&action, &location(&submitted));
    }
    panic!("the provider never sent the browser back to kiwi");
}
