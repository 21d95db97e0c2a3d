//! The demo's way into an AI tool on its own host name, on this machine: without
//! `KIWI_BASE_URL`, the demo serves each tool at `http://<id>.localhost:8088` (browsers
//! resolve `*.localhost` to this machine) while kiwi stays where it is, and prints the nginx
//! server block that puts the first tool there, with a stand-in page that shows whom kiwi
//! let in. (kiwi itself needs no proxy here; its production block is in the README.)

use std::path::{Path, PathBuf};

use crate::tools::Tool;

/// The port nginx listens on for the demo's host names.
pub const PORT: u16 = 8088;

/// Moves every tool to its local host name.
pub fn localise(tools: &mut [Tool]) {
    for tool in tools {
        tool.url = format!("http://{}.localhost:{PORT}", tool.id);
    }
}

/// Writes the stand-in page of a tool (nginx fills in the person with SSI) into the data
/// directory; returns its folder.
pub fn write_stand_in(data_dir: &Path, tool: &Tool) -> std::io::Result<PathBuf> {
    let dir = data_dir.join("demo-tool");
    std::fs::create_dir_all(&dir)?;
    let page = format!(
        "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\n\
         <body><main><h1>{name} (Platzhalter)</h1>\n\
         <p>kiwi hat <strong><!--# echo var=\"kiwi_user\" --></strong> hereingelassen.</p>\n\
         <p><a href=\"/.kiwi/sign-out\">Abmelden</a></p></main></body></html>\n",
        name = escape(&tool.name)
    );
    std::fs::write(dir.join("index.html"), page)?;
    Ok(dir)
}

/// nginx's server block for the demo's tool, as the README's "Connecting an AI tool" has it,
/// on plain http and a local name.
pub fn nginx_blocks(tool: &Tool, kiwi: &str, stand_in: &Path) -> String {
    let host = tool.host();
    let id = &tool.id;
    let root = stand_in.display();
    format!(
        r#"# In nginx's http {{}} (for example /etc/nginx/conf.d/kiwi-demo.conf):
server {{
    listen {PORT};
    server_name {name};
    location / {{
        auth_request /.kiwi/verify;
        auth_request_set $kiwi_user $upstream_http_x_kiwi_user;
        auth_request_set $kiwi_location $upstream_http_x_kiwi_location;
        error_page 401 403 = @kiwi;
        # The stand-in for the tool: a page that names whom kiwi let in.
        ssi on;
        root {root};
        try_files /index.html =404;
    }}
    location = /.kiwi/verify {{
        internal;
        proxy_pass http://{kiwi}/auth/verify?tool={id};
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Forwarded-Uri $request_uri;
    }}
    location @kiwi {{
        return 302 $kiwi_location;
    }}
    location /.kiwi/ {{
        proxy_pass http://{kiwi}/.kiwi/;
        proxy_set_header Host $http_host;
    }}
}}
"#,
        name = host.split(':').next().unwrap_or(host),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
