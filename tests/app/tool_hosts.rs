//! The way into a tool on its own host name: kiwi's one-time code, exchanged on the tool's
//! host for kiwi's cookie there, bound to the kiwi session and ending with it.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

use crate::helpers::{self, spawn_app};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The code in the redirect from kiwi's `/tools/{tool}/open` to the tool's host.
async fn code_for(browser: &helpers::Browser, tool: &str, next: &str) -> (String, String) {
    let response = browser
        .client
        .get(browser.url(&format!("/tools/{tool}/open")))
        .query(&[("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = location(&response);
    let (origin, code) = location
        .split_once("/.kiwi/callback?code=")
        .unwrap_or_else(|| panic!("a code for the tool's host, not {location}"));
    (origin.to_owned(), code.to_owned())
}

async fn exchange(app: &helpers::TestApp, host: &str, code: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/.kiwi/callback?code={code}", app.address))
        .header("Host", host)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_from_a_tool_comes_back_to_the_exact_url_on_the_tools_host() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;

    // The proxy sent a browser without kiwi's cookie here (X-Kiwi-Location of a 401).
    let browser = app.browser();
    let open = "/tools/testbot/open?next=/chat/42%3Fmodel%3Da%26x%3D1";
    let response = browser.get(open).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to_sign_in = location(&response);
    assert!(to_sign_in.starts_with("/login?next="), "{to_sign_in}");

    // Signing in goes on to the way into the tool, which hands over a code for its host…
    let response = browser
        .submit(
            &to_sign_in,
            "/login",
            &[
                ("email", anna.email.as_str()),
                ("password", helpers::PASSWORD),
                ("next", open),
            ],
        )
        .await;
    assert_eq!(location(&response), open);
    let (origin, code) = code_for(&browser, "testbot", "/chat/42?model=a&x=1").await;
    assert_eq!(origin, "https://testbot.example.internal");

    // …where kiwi sets its own cookie of that host and sends the person to where they were.
    let response = exchange(&app, "testbot.example.internal", &code).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/chat/42?model=a&x=1");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-kiwi_tool="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    // A code works once; a second try leads back to kiwi's page of the tool, no cookie.
    let again = exchange(&app, "testbot.example.internal", &code).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&again),
        format!("{}/tools/testbot?expired=1", app.address)
    );
    assert!(again.headers().get("set-cookie").is_none());
    let (_, page) = browser.get_text("/tools/testbot?expired=1").await;
    assert!(page.contains("war abgelaufen oder schon benutzt"), "{page}");
}

#[tokio::test]
async fn a_code_works_only_on_its_own_tools_host_and_only_for_a_minute() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Anna Beck").await;

    let (_, code) = code_for(&browser, "testbot", "/").await;
    let elsewhere = exchange(&app, "offen.example.internal", &code).await;
    assert!(elsewhere.headers().get("set-cookie").is_none());
    assert_eq!(
        location(&elsewhere),
        format!("{}/tools/offen?expired=1", app.address)
    );
    // Refused on the other host, and still good on its own (it was not spent there).
    let home = exchange(&app, "testbot.example.internal", &code).await;
    assert!(home.headers().get("set-cookie").is_some());

    let unknown = exchange(&app, "evil.example", &code).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let (_, code) = code_for(&browser, "testbot", "/").await;
    app.db
        .execute_unprepared(
            "UPDATE tool_sessions SET code_expires_at = created_at WHERE token_hash IS NULL",
        )
        .await
        .unwrap();
    let late = exchange(&app, "testbot.example.internal", &code).await;
    assert!(late.headers().get("set-cookie").is_none(), "expired");
}

#[tokio::test]
async fn a_person_who_may_not_use_the_tool_sees_what_is_missing_and_then_gets_in() {
    let app = spawn_app().await;
    let bernd = app.person("Bernd Cho", "Dezernat I", "").await;
    let browser = app.signed_in(&bernd).await;

    let response = browser.get("/tools/testbot/open?next=/chat").await;
    assert_eq!(location(&response), "/tools/testbot?next=/chat");
    let (status, page) = browser.get_text("/tools/testbot?next=/chat").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Testbot</h1>"), "{page}");
    assert!(page.contains("<a href=\"/courses/grundlagen\">der Kurs „Grundlagen (Testkurs)“</a>"));
    assert!(page.contains(
        "<a href=\"/policy?next=/tools/testbot%3Fnext%3D/chat\">Ihre Bestätigung der aktuellen Nutzungsregeln</a>"
    ), "{page}");
    assert!(!page.contains("/tools/testbot/open"), "no way in yet");
    assert!(browser.open_tool("testbot", "/chat").await.is_none());

    app.complete_course(&browser).await;
    browser.acknowledge_policy().await;
    let (_, page) = browser.get_text("/tools/testbot?next=/chat").await;
    assert!(page.contains("Sie dürfen dieses Werkzeug nutzen."));
    assert!(
        page.contains("href=\"/tools/testbot/open?next=/chat\""),
        "{page}"
    );
    let tool = browser.open_tool("testbot", "/chat").await.expect("now in");
    assert_eq!(tool.verify("testbot", &[]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_tools_own_sign_out_link_closes_it_and_offers_to_sign_out_of_kiwi() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Anna Beck").await;
    let tool = browser.open_tool("testbot", "/").await.unwrap();
    assert_eq!(tool.verify("testbot", &[]).await.status(), StatusCode::OK);

    let response = tool.get("/.kiwi/sign-out").await;
    assert_eq!(location(&response), format!("{}/logout", app.address));
    let removal = response.headers()["set-cookie"].to_str().unwrap();
    assert!(removal.starts_with("__Host-kiwi_tool=;"), "{removal}");
    assert_eq!(
        tool.verify("testbot", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // kiwi asks before signing out; the form signs out of kiwi and every tool.
    let (status, page) = browser.get_text("/logout").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Möchten Sie sich von kiwi abmelden?"),
        "{page}"
    );
    let other = browser.open_tool("offen", "/").await.unwrap();
    browser.submit("/logout", "/logout", &[]).await;
    assert_eq!(
        other.verify("offen", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = app.browser().get("/logout").await;
    assert_eq!(location(&response), "/login?signed_out=1");
}

#[tokio::test]
async fn a_sign_out_on_one_instance_closes_the_tool_on_another_within_a_second() {
    let app = spawn_app().await;
    let second = app.second_instance().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let browser = second.signed_in(&anna).await;
    let tool = browser.open_tool("testbot", "/").await.unwrap();
    // The tool's proxy asks the first instance; the person signs out on the second.
    let on_first = helpers::ToolCookie {
        address: app.address.clone(),
        ..tool
    };
    assert_eq!(
        on_first.verify("testbot", &[]).await.status(),
        StatusCode::OK
    );
    browser.submit("/", "/logout", &[]).await;
    let started = std::time::Instant::now();
    while on_first.verify("testbot", &[]).await.status() == StatusCode::OK {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the tool still opens after 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        on_first.verify("testbot", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_change_closes_the_tool() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Anna Beck").await;
    let tool = browser.open_tool("testbot", "/").await.unwrap();
    let response = browser
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", helpers::PASSWORD),
                ("new_password", "another long password"),
                ("new_password_repeat", "another long password"),
            ],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        tool.verify("testbot", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
