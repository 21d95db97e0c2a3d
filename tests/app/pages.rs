//! The frame around every page: headers, errors, health, language.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let response = app.browser().get("/login").await;
    let headers = response.headers();
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin");
}

#[tokio::test]
async fn an_unknown_page_answers_404_with_a_readable_page() {
    let app = spawn_app().await;
    let (status, html) = app.browser().get_text("/does-not-exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<h1>Seite nicht gefunden</h1>"));
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn_app().await;
    let (status, body) = app.browser().get_text("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn visitors_get_pages_in_their_browsers_language() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .client
        .get(format!("{}/login", app.address))
        .header("Accept-Language", "en-GB,en;q=0.9,de;q=0.5")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>Sign in</h1>"));
}

#[tokio::test]
async fn names_are_escaped_in_pages() {
    let app = spawn_app().await;
    let mallory = app
        .person("Mallory <script>alert(1)</script>", "Dezernat I", "")
        .await;
    let (_, html) = app.signed_in(&mallory).await.get_text("/").await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn every_page_links_to_the_accessibility_statement_with_its_contact() {
    let app = spawn_app().await;
    let (_, login) = app.browser().get_text("/login").await;
    assert!(login.contains("<a href=\"/accessibility\">Erklärung zur Barrierefreiheit</a>"));
    let (status, statement) = app.browser().get_text("/accessibility").await;
    assert_eq!(status, StatusCode::OK);
    assert!(statement.contains("mailto:barrierefreiheit@musterstadt.example"));
}
