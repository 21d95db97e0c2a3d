//! The whole way into a tool on its own host name, through a real nginx and a real Caddy
//! configured with the README's blocks (only ports, certificates and upstreams replaced):
//! `https://kreativbot.stadt.example` in front of a stand-in tool that echoes what it
//! receives, and kiwi at `https://kiwi.stadt.example`, both resolved to this machine.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

use crate::helpers::{self, TestApp, TestConfig, spawn_app_with};

const KIWI_HOST: &str = "kiwi.stadt.example";
const TOOL_HOST: &str = "kreativbot.stadt.example";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The fenced block after `<!-- marker -->` in the README.
fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README");
    let after = readme
        .split_once(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("the README has a block marked {marker}"))
        .1;
    let body = after.split_once("```").unwrap().1;
    let body = body.split_once('\n').unwrap().1;
    body.split_once("\n```").unwrap().0.to_owned()
}

/// A process stopped (TERM, then waited for) when the test ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, what: &str) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{what} does not listen on {port}");
}

/// A certificate for both host names (the proxies' TLS; the client trusts it by choice).
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=stadt.example", "-addext"])
        .arg(format!("subjectAltName=DNS:{KIWI_HOST},DNS:{TOOL_HOST}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success());
    (cert, key)
}

/// The stand-in tool: answers every request with the headers it received, one per line.
async fn stand_in_tool() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request).to_lowercase();
                let body = format!("the tool\n{head}");
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

/// kiwi behind the proxy on `port`, with the test tool at the tool's host name.
async fn kiwi_behind(port: u16, dir: &Path) -> TestApp {
    let fixtures = std::fs::read_to_string(helpers::fixtures().join("tools.toml")).unwrap();
    let tools = dir.join("tools.toml");
    std::fs::write(
        &tools,
        fixtures
            .replace(
                "https://testbot.example.internal",
                &format!("https://{TOOL_HOST}:{port}"),
            )
            .replace("id = \"testbot\"", "id = \"kreativbot\""),
    )
    .unwrap();
    spawn_app_with(TestConfig {
        tools,
        base_url: Some(format!("https://{KIWI_HOST}:{port}")),
        ..Default::default()
    })
    .await
}

fn start_nginx(dir: &Path, port: u16, kiwi: &str, tool: u16) -> Process {
    let (cert, key) = certificate(dir);
    let adapt = |block: String| {
        block
            .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
            .replace("127.0.0.1:8080", kiwi)
            .replace("127.0.0.1:3000", &format!("127.0.0.1:{tool}"))
            .replace(
                &format!("/etc/ssl/{KIWI_HOST}.pem"),
                &cert.display().to_string(),
            )
            .replace(
                &format!("/etc/ssl/{TOOL_HOST}.pem"),
                &cert.display().to_string(),
            )
            .replace(
                &format!("/etc/ssl/{KIWI_HOST}.key"),
                &key.display().to_string(),
            )
            .replace(
                &format!("/etc/ssl/{TOOL_HOST}.key"),
                &key.display().to_string(),
            )
    };
    let kiwi_block = adapt(readme_block("kiwi:nginx"));
    let tool_block = adapt(readme_block("tool-host:nginx"));
    let prefix = dir.display();
    let config = format!(
        r#"
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{kiwi_block}
{tool_block}
}}
"#
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, config).unwrap();
    let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is installed (Debian package nginx; ./test installs it)");
    let child = Command::new(binary)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    wait_for_port(port, "nginx");
    Process(child)
}

fn start_caddy(dir: &Path, port: u16, kiwi: &str, tool: u16) -> Process {
    let sites = readme_block("tool-host:caddy")
        .replace("127.0.0.1:8080", kiwi)
        .replace("127.0.0.1:3000", &format!("127.0.0.1:{tool}"));
    // Test-only global options: no admin API, certificates from Caddy's own local CA (no
    // ACME, no network), no port 80, state in the test's directory.
    let config = format!(
        "{{\n    admin off\n    https_port {port}\n    auto_https disable_redirects\n    local_certs\n    skip_install_trust\n    storage file_system {}\n}}\n\n{sites}\n",
        dir.join("caddy").display()
    );
    let file = dir.join("Caddyfile");
    std::fs::write(&file, config).unwrap();
    let binary = ["/usr/bin/caddy", "/usr/local/bin/caddy"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Caddy is installed (Debian package caddy; ./test installs it)");
    let child = Command::new(binary)
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("caddy starts");
    wait_for_port(port, "caddy");
    Process(child)
}

/// A browser that resolves both host names to the proxy and follows redirects, with a
/// cookie of the tool's own.
fn browser(port: u16) -> reqwest::Client {
    let proxy = SocketAddr::from(([127, 0, 0, 1], port));
    let jar = reqwest::cookie::Jar::default();
    let tool = format!("https://{TOOL_HOST}:{port}/").parse().unwrap();
    jar.add_cookie_str("theme=dark; Path=/", &tool);
    reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .resolve(KIWI_HOST, proxy)
        .resolve(TOOL_HOST, proxy)
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
        .unwrap()
}

async fn sign_in_on(
    client: &reqwest::Client,
    page: reqwest::Response,
    email: &str,
) -> reqwest::Response {
    let url = page.url().clone();
    if url.host_str() != Some(KIWI_HOST) {
        let status = page.status();
        let headers = format!("{:?}", page.headers());
        panic!(
            "not on kiwi's sign-in page: {url} {status} {headers} {}",
            page.text().await.unwrap()
        );
    }
    assert_eq!(url.path(), "/login");
    let html = page.text().await.unwrap();
    let field = |name: &str| {
        html.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("the sign-in form has {name}"))
            .replace("&#x2F;", "/")
            .replace("&amp;", "&")
            .replace("&#x3D;", "=")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
    };
    let (csrf_token, next) = (field("csrf_token"), field("next"));
    client
        .post(url.join("/login").unwrap())
        .form(&[
            ("csrf_token", csrf_token.as_str()),
            ("next", next.as_str()),
            ("email", email),
            ("password", helpers::PASSWORD),
        ])
        .send()
        .await
        .unwrap()
}

/// Steps 1 to 5 of the journey through the proxy on `port`.
async fn walk_the_journey(app: &TestApp, port: u16) {
    let tool = format!("https://{TOOL_HOST}:{port}");
    let (anna, _) = app.certified_person("Anna Beck").await;
    let bernd = app.person("Bernd Cho", "Dezernat I", "").await;

    // 1. Unsigned, any URL of the tool leads to kiwi's sign-in…
    let client = browser(port);
    let page = client
        .get(format!("{tool}/chat/42?model=a&x=1"))
        .header("X-Kiwi-User", "mallory@stadt.example")
        .send()
        .await
        .unwrap();
    // 2. …and after it, back at the exact URL, the tool told who it is.
    let response = sign_in_on(&client, page, &anna.email).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.url().as_str(),
        format!("{tool}/chat/42?model=a&x=1")
    );
    let seen = response.text().await.unwrap();
    assert!(seen.starts_with("the tool\n"), "{seen}");
    assert!(
        seen.contains(&format!("x-kiwi-user: {}\r\n", anna.email)),
        "{seen}"
    );
    assert!(seen.contains("x-kiwi-name: anna%20beck\r\n"), "{seen}");
    assert!(
        seen.contains("x-kiwi-groups: kreativbot,grundlagen\r\n"),
        "{seen}"
    );
    assert!(
        !seen.contains("mallory"),
        "a client's identity header passed: {seen}"
    );
    assert!(
        !seen.contains("kiwi_"),
        "a kiwi cookie reached the tool: {seen}"
    );

    // 3. Later visits go straight in, with a forged header even.
    let response = client
        .get(format!("{tool}/other"))
        .header("X-Kiwi-User", "mallory@stadt.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().as_str(), format!("{tool}/other"));
    let seen = response.text().await.unwrap();
    assert!(seen.contains(&format!("x-kiwi-user: {}\r\n", anna.email)));
    assert!(
        !seen.contains("mallory") && !seen.contains("kiwi_"),
        "{seen}"
    );
    assert!(
        seen.contains("theme=dark"),
        "the tool's own cookie passes: {seen}"
    );

    // 4. Someone who may not use the tool lands on kiwi's page of it, which says what is
    // missing.
    let other = browser(port);
    let page = other.get(format!("{tool}/chat")).send().await.unwrap();
    let response = sign_in_on(&other, page, &bernd.email).await;
    assert_eq!(response.url().host_str(), Some(KIWI_HOST));
    assert_eq!(response.url().path(), "/tools/kreativbot");
    let html = response.text().await.unwrap();
    assert!(html.contains("der Kurs „Grundlagen (Testkurs)“"), "{html}");

    // 5. Signing out of kiwi closes the tool on its next request.
    let kiwi_page = client
        .get(format!("https://{KIWI_HOST}:{port}/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf_token = kiwi_page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    client
        .post(format!("https://{KIWI_HOST}:{port}/logout"))
        .form(&[("csrf_token", csrf_token.as_str())])
        .send()
        .await
        .unwrap();
    let response = client.get(format!("{tool}/chat")).send().await.unwrap();
    assert_eq!(response.url().host_str(), Some(KIWI_HOST));
    assert_eq!(response.url().path(), "/login");
}

#[tokio::test]
async fn through_nginx_a_certified_person_reaches_the_tool_on_its_own_host() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let app = kiwi_behind(port, dir.path()).await;
    let tool = stand_in_tool().await;
    let _nginx = start_nginx(
        dir.path(),
        port,
        app.address.trim_start_matches("http://"),
        tool,
    );
    walk_the_journey(&app, port).await;
}

#[tokio::test]
async fn through_caddy_a_certified_person_reaches_the_tool_on_its_own_host() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let app = kiwi_behind(port, dir.path()).await;
    let tool = stand_in_tool().await;
    let _caddy = start_caddy(
        dir.path(),
        port,
        app.address.trim_start_matches("http://"),
        tool,
    );
    walk_the_journey(&app, port).await;
}

/// `kiwi demo` prints the nginx block that puts the Kreativbot on a local host name; with
/// exactly that, the way into the tool works here.
#[tokio::test]
async fn the_demo_prints_the_nginx_block_that_makes_the_way_into_its_tool_work() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    // nginx's workers run as another user: they must read the stand-in page.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let kiwi_port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .arg("demo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("KIWI_DATA_DIR", dir.path())
        .env("KIWI_BIND", format!("127.0.0.1:{kiwi_port}"))
        .env("KIWI_LOG", "warn")
        .env_remove("KIWI_BASE_URL")
        .env_remove("KIWI_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kiwi demo starts");
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.starts_with("kiwi is serving") {
            break;
        }
        printed.push_str(&line);
        printed.push('\n');
    }
    let _kiwi = Process(child);
    let blocks = printed
        .split_once("# In nginx's http {}")
        .expect("the demo prints nginx blocks")
        .1
        .split_once('\n')
        .unwrap()
        .1
        .trim_end();
    assert!(
        blocks.contains("server_name kreativbot.localhost;"),
        "{blocks}"
    );
    assert!(blocks.contains(&format!(
        "proxy_pass http://127.0.0.1:{kiwi_port}/auth/verify?tool=kreativbot;"
    )));
    wait_for_port(kiwi_port, "kiwi demo");

    // nginx with the printed blocks, on the demo's port.
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let prefix = nginx_dir.display();
    let conf = nginx_dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes 1;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n\
             events {{}}\nhttp {{\n    access_log off;\n    client_body_temp_path {prefix}/body;\n    \
             proxy_temp_path {prefix}/proxy;\n    fastcgi_temp_path {prefix}/fastcgi;\n    \
             uwsgi_temp_path {prefix}/uwsgi;\n    scgi_temp_path {prefix}/scgi;\n{blocks}\n}}\n"
        ),
    )
    .unwrap();
    let port = kiwi::services::demo_tool_hosts::PORT;
    let nginx = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(&nginx_dir)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    let _nginx = Process(nginx);
    wait_for_port(port, "nginx on the demo's port");

    let proxy = SocketAddr::from(([127, 0, 0, 1], port));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .resolve("kreativbot.localhost", proxy)
        .build()
        .unwrap();
    let tool = format!("http://kreativbot.localhost:{port}");
    let page = client.get(format!("{tool}/chat")).send().await.unwrap();
    assert_eq!(page.url().port(), Some(kiwi_port), "at kiwi's sign-in");
    let html = page.text().await.unwrap();
    let csrf_token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let response = client
        .post(format!("http://127.0.0.1:{kiwi_port}/login"))
        .form(&[
            ("csrf_token", csrf_token.as_str()),
            ("next", "/tools/kreativbot/open?next=/chat"),
            ("email", "sabine.wolf@musterstadt.example"),
            ("password", kiwi::services::demo::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().as_str(), format!("{tool}/chat"));
    let page = response.text().await.unwrap();
    assert!(
        page.contains("kiwi hat <strong>sabine.wolf@musterstadt.example</strong> hereingelassen."),
        "{page}"
    );
}
