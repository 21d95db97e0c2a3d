//! A real nginx with `auth_request` in front of a dummy tool, asking kiwi on every request.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// nginx on a free loopback port: `/` is the dummy tool, guarded by kiwi's forward auth.
struct Nginx {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM lets the master stop its workers too (a KILL would leave them behind).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn start_nginx(kiwi: &str) -> Nginx {
    let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("nginx is installed (Debian package nginx; .ci/run installs it)");
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kiwi_host = kiwi.trim_start_matches("http://");
    let prefix = dir.path().display();
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
    upstream kiwi {{ server {kiwi_host}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            auth_request /_kiwi;
            auth_request_set $kiwi_user $upstream_http_x_kiwi_user;
            add_header X-Tool-User $kiwi_user always;
            # The dummy tool is a static page (a `return` would answer before the access check).
            root {prefix}/tool;
            try_files /index.html =404;
        }}
        location = /_kiwi {{
            internal;
            proxy_pass http://kiwi/auth/verify?tool=testbot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Kiwi-User "";
        }}
    }}
}}
"#
    );
    std::fs::create_dir_all(dir.path().join("tool")).unwrap();
    std::fs::write(dir.path().join("tool/index.html"), "dummy tool\n").unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, config).unwrap();
    let child = Command::new(binary)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Nginx {
        child,
        address: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

#[tokio::test]
async fn nginx_lets_the_certified_in_and_keeps_the_others_out() {
    let app = spawn_app().await;
    let nginx = start_nginx(&app.address);
    let (anna, certified) = app.certified_person("Anna Beck").await;
    let uncertified = app
        .signed_in(&app.person("Bernd Cho", "Dezernat I", "").await)
        .await;
    let stranger = app.browser();

    // The browsers hold kiwi's cookie for 127.0.0.1, which nginx shares as host.
    let response = certified
        .client
        .get(format!("{}/chat", nginx.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-tool-user"], anna.email.as_str());
    assert_eq!(response.text().await.unwrap(), "dummy tool\n");

    let response = uncertified
        .client
        .get(format!("{}/chat", nginx.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = stranger
        .client
        .get(format!("{}/chat", nginx.address))
        .header("X-Kiwi-User", anna.email.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
