//! "May this person use this tool now?": the API for tools, forward auth, and the page
//! that tells a person what is missing.

use std::path::Path;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

use crate::helpers::{self, TestConfig, fixtures, spawn_app, spawn_app_with};
use kiwi::entities::certificate;

#[tokio::test]
async fn a_tool_learns_who_may_use_it_and_what_is_missing() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let bernd = app.person("Bernd Cho", "Dezernat I", "").await;
    let key = app.api_key("testbot").await;

    let (status, answer) = app.ask(&key, "testbot", &anna.email).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["tool"], "testbot");
    assert!(
        answer["valid_until"]
            .as_str()
            .unwrap()
            .starts_with(&(Utc::now() + Duration::days(365)).format("%Y").to_string()[..2])
    );
    assert_eq!(answer["missing"], serde_json::json!([]));

    let (_, answer) = app.ask(&key, "testbot", &bernd.email).await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["valid_until"], serde_json::Value::Null);
    let kinds: Vec<&str> = answer["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["course", "policy"]);
    assert_eq!(answer["missing"][0]["id"], "grundlagen");
    assert!(
        answer["missing"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/courses/grundlagen")
    );

    let (_, answer) = app.ask(&key, "testbot", "nobody@stadt.example").await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["missing"][0]["kind"], "account");
}

#[tokio::test]
async fn wrong_revoked_and_other_tools_keys_are_refused() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    let other = app.api_key("offen").await;

    assert_eq!(
        app.ask("kiwi_wrong", "testbot", &anna.email).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.ask("", "testbot", &anna.email).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.ask(&other, "testbot", &anna.email).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.ask(&key, "gibt-es-nicht", &anna.email).await.0,
        StatusCode::NOT_FOUND
    );

    // The admin page lists keys by tool: "offen" first. Revoke that one.
    let admin = app
        .signed_in(&app.person("Jonas Beck", "IT", "admin").await)
        .await;
    let (_, keys_page) = admin.get_text("/admin/keys").await;
    assert!(
        !keys_page.contains(&other),
        "the page never shows a whole key"
    );
    let id = keys_page
        .split("/admin/keys/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let response = admin
        .submit("/admin/keys", &format!("/admin/keys/{id}/revoke"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.ask(&other, "offen", &anna.email).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.ask(&key, "testbot", &anna.email).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_person_can_be_named_by_personnel_number() {
    let app = spawn_app().await;
    app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    let number = kiwi::entities::user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .personnel_number;
    let (_, answer) = app.ask(&key, "testbot", &number).await;
    assert_eq!(answer["allowed"], true);
}

#[tokio::test]
async fn access_ends_at_the_second_the_certificate_expires_without_any_write() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    let ending = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let holder = ending.user_id;
    let mut ending = ending.into_active_model();
    ending.valid_until = Set(Utc::now() + Duration::seconds(2));
    ending.update(&app.db).await.unwrap();
    // The server learns the new end; from here on nothing is written.
    app.changed_in_database(holder).await;
    assert_eq!(
        app.ask(&key, "testbot", &anna.email).await.1["allowed"],
        true
    );

    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let (_, answer) = app.ask(&key, "testbot", &anna.email).await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["missing"][0]["kind"], "certificate_expired");
}

#[tokio::test]
async fn revocation_closes_access_at_once_and_on_every_instance_within_a_second() {
    let app = spawn_app().await;
    let second = app.second_instance().await;
    let (anna, browser) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    second.wait_for_feed().await;
    assert_eq!(
        second.ask(&key, "testbot", &anna.email).await.1["allowed"],
        true
    );
    let tool = browser
        .open_tool("testbot", "/")
        .await
        .expect("Anna may open it");
    assert_eq!(tool.verify("testbot", &[]).await.status(), StatusCode::OK);

    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let hr = app
        .signed_in(&app.person("Petra Hoff", "Personal", "hr").await)
        .await;
    hr.submit(
        "/hr/certificates/revoke",
        "/hr/certificates/revoke",
        &[("serial", &serial), ("reason", "Test")],
    )
    .await;

    // On the instance that revoked: at once.
    assert_eq!(
        app.ask(&key, "testbot", &anna.email).await.1["allowed"],
        false
    );
    assert_eq!(
        tool.verify("testbot", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    // On the other instance: within a second, by its own timer.
    let started = std::time::Instant::now();
    while second.ask(&key, "testbot", &anna.email).await.1["allowed"] == true {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "still allowed after 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn on_postgres_a_change_wakes_the_other_instances_before_their_next_poll() {
    let app = spawn_app().await;
    if !app.is_postgres() {
        return; // SQLite has no notifications; its instances poll (the test above).
    }
    let second = app.second_instance().await;
    let key = app.api_key("testbot").await;
    let hr = app
        .signed_in(&app.person("Petra Hoff", "Personal", "hr").await)
        .await;
    // Three revocations in a row: the other instance polls only once a second, so by
    // polling alone it would see all three within a quarter of a second once in 60 runs.
    for name in ["Anna Beck", "Bert Brösel", "Cem Çelik"] {
        let (person, _) = app.certified_person(name).await;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while second.ask(&key, "testbot", &person.email).await.1["allowed"] != true {
            assert!(std::time::Instant::now() < until, "{name} never allowed");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let serial = kiwi::db::certificates::of_user(&app.db, user_id(&app, &person).await)
            .await
            .unwrap()[0]
            .serial
            .clone();
        hr.submit(
            "/hr/certificates/revoke",
            "/hr/certificates/revoke",
            &[("serial", &serial), ("reason", "Test")],
        )
        .await;
        let revoked = std::time::Instant::now();
        while second.ask(&key, "testbot", &person.email).await.1["allowed"] == true {
            assert!(
                revoked.elapsed() < std::time::Duration::from_millis(250),
                "{name}: the other instance still allowed after 250 ms: not woken"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

async fn user_id(app: &helpers::TestApp, person: &helpers::Person) -> uuid::Uuid {
    kiwi::db::users::by_email(&app.db, &person.email.to_lowercase())
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_new_policy_version_closes_access_until_acknowledged() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    assert_eq!(
        app.ask(&key, "testbot", &anna.email).await.1["allowed"],
        true
    );

    // kiwi restarts with version 2 of the policy, on the same database.
    let policy = tempfile::tempdir().unwrap();
    for lang in ["de", "en"] {
        let text =
            std::fs::read_to_string(fixtures().join("policy").join(format!("{lang}.md"))).unwrap();
        std::fs::write(
            Path::new(policy.path()).join(format!("{lang}.md")),
            text.replace("test-1", "test-2"),
        )
        .unwrap();
    }
    let updated = spawn_app_with(TestConfig {
        database_url: Some(app.database_url.clone()),
        policy: policy.path().to_path_buf(),
        ..Default::default()
    })
    .await;
    let (_, answer) = updated.ask(&key, "testbot", &anna.email).await;
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["missing"][0]["kind"], "policy");
    assert_eq!(answer["missing"][0]["id"], "test-2");

    let browser = updated.signed_in(&anna).await;
    let (_, tools) = browser.get_text("/tools").await;
    assert!(tools.contains("Ihre Bestätigung der aktuellen Nutzungsregeln"));
    browser.acknowledge_policy().await;
    assert_eq!(
        updated.ask(&key, "testbot", &anna.email).await.1["allowed"],
        true
    );
}

#[tokio::test]
async fn forward_auth_answers_from_kiwis_cookie_on_the_tool_host_alone() {
    let app = spawn_app().await;
    let (anna, browser) = app.certified_person("Anna Beck").await;
    let tool = browser
        .open_tool("testbot", "/chat")
        .await
        .expect("Anna may open it");
    let response = tool.verify("testbot", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-kiwi-user"], anna.email.as_str());
    assert_eq!(response.headers()["x-kiwi-name"], "Anna%20Beck");
    assert_eq!(response.headers()["x-kiwi-groups"], "testbot,grundlagen");

    // Identity headers a client writes count for nothing; nor does kiwi's own session
    // cookie (it never belongs on a tool's host).
    let forged = [
        ("X-Kiwi-User", anna.email.as_str()),
        ("X-Forwarded-User", anna.email.as_str()),
        ("X-Remote-User", anna.email.as_str()),
    ];
    let response = helpers::verify_without_cookie(&app, "testbot", &forged).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get("x-kiwi-user").is_none());
    let signed_in = app.browser().sign_in(&anna.email, helpers::PASSWORD).await;
    let session = signed_in.headers()["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("kiwi_session="));
    let session = session.split(';').next().unwrap();
    let response = helpers::verify_without_cookie(&app, "testbot", &[("Cookie", session)]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // The cookie of one tool opens no other.
    let response = tool.verify("offen", &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Refused: where the browser goes next, back to the URL asked for on the tool's host.
    let response = helpers::verify_without_cookie(
        &app,
        "testbot",
        &[("X-Forwarded-Uri", "/chat/42?model=a&x=1")],
    )
    .await;
    assert_eq!(
        response.headers()["x-kiwi-location"],
        format!(
            "{}/tools/testbot/open?next=/chat/42%3Fmodel%3Da%26x%3D1",
            app.address
        )
        .as_str()
    );
    // …never elsewhere: a return address is a path on the tool's own host.
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let response =
            helpers::verify_without_cookie(&app, "testbot", &[("X-Forwarded-Uri", evil)]).await;
        assert_eq!(
            response.headers()["x-kiwi-location"],
            format!("{}/tools/testbot/open?next=/", app.address).as_str(),
            "{evil}"
        );
    }
    // For Caddy and Traefik, which hand the answer to the browser: a redirect.
    let response = helpers::verify_without_cookie(&app, "testbot&redirect=true", &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        format!("{}/tools/testbot/open?next=/", app.address).as_str()
    );

    // Entitled no longer: 403, with what is missing.
    app.revoke_certificate_of(&anna).await;
    let response = tool.verify("testbot", &forged).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["x-kiwi-missing"], "course:grundlagen");
    assert!(response.headers().get("x-kiwi-user").is_none());
}

#[tokio::test]
async fn signing_out_of_kiwi_closes_every_tool_host() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Anna Beck").await;
    let tool = browser
        .open_tool("testbot", "/")
        .await
        .expect("Anna may open it");
    let other = browser
        .open_tool("offen", "/")
        .await
        .expect("and the other");
    assert_eq!(tool.verify("testbot", &[]).await.status(), StatusCode::OK);
    assert_eq!(other.verify("offen", &[]).await.status(), StatusCode::OK);
    browser.submit("/", "/logout", &[]).await;
    assert_eq!(
        tool.verify("testbot", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.verify("offen", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_tools_page_says_exactly_what_is_missing_with_links() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (_, page) = browser.get_text("/tools").await;
    assert!(page.contains("Testbot"));
    assert!(
        page.contains("<a href=\"/courses/grundlagen\">der Kurs „Grundlagen (Testkurs)“</a>"),
        "{page}"
    );
    assert!(page.contains(
        "<a href=\"/policy?next=/tools\">Ihre Bestätigung der aktuellen Nutzungsregeln</a>"
    ));

    app.complete_course(&browser).await;
    browser.acknowledge_policy().await;
    let (_, page) = browser.get_text("/tools").await;
    assert!(page.contains("Sie dürfen dieses Werkzeug nutzen."));
    assert!(page.contains("href=\"/tools/testbot/open\""), "{page}");
}

#[tokio::test]
async fn grants_and_denials_caused_by_a_change_are_audited_once() {
    use kiwi::entities::audit_log;
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app().await;
    let second = app.second_instance().await;
    let (_, _) = app.certified_person("Anna Beck").await;
    second.wait_for_feed().await;
    let granted = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("access.granted"))
        .all(&app.db)
        .await
        .unwrap();
    // Testbot opened with the certificate and the policy; "offen" with the policy alone.
    let mut tools: Vec<String> = granted
        .iter()
        .map(|e| e.detail.split(' ').next().unwrap().to_owned())
        .collect();
    tools.sort();
    assert_eq!(tools, ["offen", "testbot"], "{granted:?}");

    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let hr = app
        .signed_in(&app.person("Petra Hoff", "Personal", "hr").await)
        .await;
    hr.submit(
        "/hr/certificates/revoke",
        "/hr/certificates/revoke",
        &[("serial", &serial), ("reason", "Test")],
    )
    .await;
    second.wait_for_feed().await;
    let denied = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("access.denied"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(denied.len(), 1);
    assert!(denied[0].detail.starts_with("testbot "));
}

/// Polls `check` every 50 ms until it holds, failing after `within`.
async fn eventually<F, Fut>(within: std::time::Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !check().await {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Revokes the certificate of the person with `email` inside `txn`, recording the change.
async fn revoke_in(txn: &sea_orm::DatabaseTransaction, email: &str) {
    use kiwi::db::access_changes::Change;
    use kiwi::entities::user;
    use sea_orm::{ColumnTrait, QueryFilter};
    let holder = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(txn)
        .await
        .unwrap()
        .unwrap();
    let certificate = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(holder.id))
        .one(txn)
        .await
        .unwrap()
        .unwrap();
    kiwi::db::certificates::revoke(txn, certificate.id, holder.id, "Test", Utc::now())
        .await
        .unwrap();
    kiwi::db::access_changes::record(txn, Change::Person(holder.id))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_change_that_commits_after_a_later_one_is_still_applied_on_every_instance() {
    use sea_orm::TransactionTrait;
    let app = spawn_app().await;
    if !app.is_postgres() {
        // On SQLite one writer at a time commits ids in order; the case cannot arise.
        return;
    }
    let second = app.second_instance().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let (bernd, _) = app.certified_person("Bernd Cho").await;
    let key = app.api_key("testbot").await;
    let allowed = |who: &str| {
        let (second, key, who) = (&second, key.clone(), who.to_owned());
        async move { second.ask(&key, "testbot", &who).await.1["allowed"] == true }
    };
    eventually(
        std::time::Duration::from_secs(2),
        "both allowed",
        || async { allowed(&anna.email).await && allowed(&bernd.email).await },
    )
    .await;

    // T1 takes the smaller id and stays open; T2 takes a larger one and commits.
    let t1 = app.db.begin().await.unwrap();
    revoke_in(&t1, &anna.email).await;
    let t2 = app.db.begin().await.unwrap();
    revoke_in(&t2, &bernd.email).await;
    t2.commit().await.unwrap();
    // The second instance reads T2's change (past T1's id) while T1 is still open.
    eventually(
        std::time::Duration::from_secs(1),
        "Bernd denied",
        || async { !allowed(&bernd.email).await },
    )
    .await;
    assert!(allowed(&anna.email).await, "T1 has not committed yet");

    t1.commit().await.unwrap();
    eventually(
        std::time::Duration::from_secs(1),
        "Anna denied after T1 committed",
        || async { !allowed(&anna.email).await },
    )
    .await;
}

#[tokio::test]
async fn an_instance_cut_off_from_postgres_stops_granting_within_the_bound_and_recovers() {
    let app = spawn_app().await;
    if !app.is_postgres() {
        return;
    }
    let (cut_off, proxy) = app.instance_behind_proxy().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    eventually(
        std::time::Duration::from_secs(2),
        "allowed there",
        || async { cut_off.ask(&key, "testbot", &anna.email).await.1["allowed"] == true },
    )
    .await;
    let anna_cookie = cut_off
        .signed_in(&anna)
        .await
        .open_tool("testbot", "/")
        .await
        .expect("Anna may open it");
    assert_eq!(
        anna_cookie.verify("testbot", &[]).await.status(),
        StatusCode::OK
    );

    proxy.cut();
    let cut_at = std::time::Instant::now();
    app.revoke_certificate_of(&anna).await;
    assert_eq!(
        app.ask(&key, "testbot", &anna.email).await.1["allowed"],
        false
    );
    // Never "allowed" past the bound (5 s): 503 with the reason, by API and forward auth.
    let bound = std::time::Duration::from_secs(5);
    loop {
        let (status, answer) = cut_off.ask(&key, "testbot", &anna.email).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(answer["error"], "entitlements_unconfirmed");
            break;
        }
        assert!(
            cut_at.elapsed() < bound + std::time::Duration::from_millis(500),
            "still answering {status} {answer} after {:?}",
            cut_at.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let response = anna_cookie.verify("testbot", &[]).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers()["x-kiwi-reason"],
        "entitlements_unconfirmed"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");

    // The connection returns: the instance reads the feed again by itself, revocation included.
    proxy.restore();
    eventually(
        std::time::Duration::from_secs(10),
        "the cut-off instance recovers and denies",
        || async {
            let (status, answer) = cut_off.ask(&key, "testbot", &anna.email).await;
            status == StatusCode::OK && answer["allowed"] == false
        },
    )
    .await;
    assert_eq!(
        anna_cookie.verify("testbot", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_instance_whose_sqlite_file_cannot_be_read_stops_granting_and_recovers() {
    let app = spawn_app().await;
    if app.is_postgres() {
        return;
    }
    let second = app.second_instance().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    eventually(
        std::time::Duration::from_secs(2),
        "allowed there",
        || async { second.ask(&key, "testbot", &anna.email).await.1["allowed"] == true },
    )
    .await;

    let browser = app.signed_in(&anna).await;
    let (_, page) = browser.get_text("/tools").await;
    assert!(page.contains("Sie dürfen dieses Werkzeug nutzen."));
    let admin = app
        .signed_in(&app.person("Jonas Beck", "IT", "admin").await)
        .await;
    let (_, admin_page) = admin.get_text("/admin").await;
    assert!(
        admin_page.contains("Zugangsprüfung: Berechtigungen vor"),
        "{admin_page}"
    );

    let block = helpers::SqliteReadBlock::start(&app.database_url);
    let blocked_at = std::time::Instant::now();
    let bound = std::time::Duration::from_secs(5);
    loop {
        let (status, answer) = app.ask(&key, "testbot", &anna.email).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(answer["error"], "entitlements_unconfirmed");
            break;
        }
        assert!(
            blocked_at.elapsed() < bound + std::time::Duration::from_millis(500),
            "still answering {status} {answer} after {:?}",
            blocked_at.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The person's page says so rather than showing a tool as open.
    let (status, page) = browser.get_text("/tools").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("kiwi kann Ihren Zugang gerade nicht bestätigen"),
        "{page}"
    );
    assert!(!page.contains("Sie dürfen dieses Werkzeug nutzen."));

    drop(block);
    eventually(
        std::time::Duration::from_secs(15),
        "the instance recovers",
        || async { app.ask(&key, "testbot", &anna.email).await.0 == StatusCode::OK },
    )
    .await;
    // And follows changes again: a revocation on the other instance closes access here.
    second.revoke_certificate_of(&anna).await;
    eventually(std::time::Duration::from_secs(2), "denied", || async {
        app.ask(&key, "testbot", &anna.email).await.1["allowed"] == false
    })
    .await;
}

#[tokio::test]
async fn each_grant_and_denial_is_audited_once_however_instances_batch_the_feed() {
    use kiwi::entities::audit_log;
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app().await;
    // One instance follows every change as it comes; one starts after all of them and
    // reads them at once.
    let follower = app.second_instance().await;
    let key = app.api_key("testbot").await;
    let (anna, browser) = app.certified_person("Anna Beck").await;
    app.revoke_certificate_of(&anna).await;
    eventually(
        std::time::Duration::from_secs(2),
        "denied there",
        || async { follower.ask(&key, "testbot", &anna.email).await.1["allowed"] == false },
    )
    .await;
    // A new certificate opens the tool again.
    app.complete_course(&browser).await;
    let late = app.second_instance().await;
    for instance in [&app, &follower, &late] {
        eventually(
            std::time::Duration::from_secs(2),
            "allowed again",
            || async { instance.ask(&key, "testbot", &anna.email).await.1["allowed"] == true },
        )
        .await;
    }
    // Give every follower a few more reads of the feed.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;

    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(["access.granted", "access.denied"]))
        .all(&app.db)
        .await
        .unwrap();
    let mut seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e.action.clone(),
                e.detail.split(' ').next().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    let expected = [
        ("access.denied", "testbot"),
        ("access.granted", "offen"),
        ("access.granted", "testbot"),
        ("access.granted", "testbot"),
    ];
    assert_eq!(
        seen,
        expected.map(|(a, t)| (a.to_owned(), t.to_owned())),
        "{entries:?}"
    );
}

#[tokio::test]
async fn a_person_added_on_the_command_line_beside_a_running_instance_is_found_within_one_poll() {
    let app = spawn_app().await;
    let key = app.api_key("testbot").await;
    let email = format!("clara.neu.{}@stadt.example", uuid::Uuid::now_v7().simple());
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kiwi"));
    command
        .args(["users", "add", "--personnel-number", "P-CLI-1"])
        .args(["--name", "Clara Neu", "--email", &email])
        .args(["--org-unit", "Dezernat I"])
        .env("KIWI_DATABASE_URL", &app.database_url)
        .env("KIWI_DATA_DIR", data_dir.path())
        .env("KIWI_COURSES_DIR", helpers::fixture_courses())
        .env("KIWI_TOOLS_FILE", fixtures().join("tools.toml"))
        .env("KIWI_POLICY_DIR", fixtures().join("policy"))
        .env("KIWI_LOG", "warn");
    // Run beside the server without blocking it.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let added_at = std::time::Instant::now();
    // One poll is 0.2 s; allow for a slow machine, but no more than one more poll.
    loop {
        let (_, answer) = app.ask(&key, "testbot", &email).await;
        if answer["missing"][0]["kind"] == "course" {
            break;
        }
        assert_eq!(answer["missing"][0]["kind"], "account");
        assert!(
            added_at.elapsed() < std::time::Duration::from_millis(450),
            "not found after {:?}",
            added_at.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_instance_started_on_existing_records_answers_as_the_one_that_wrote_them() {
    use sea_orm::TransactionTrait;
    // The start-up load reads every table in one pass; what it builds must be what the
    // writing instance built change by change.
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let (bernd, _) = app.certified_person("Bernd Cho").await;
    let clara = app.person("Clara Dorn", "Dezernat I", "").await;
    let key = app.api_key("testbot").await;
    let txn = app.db.begin().await.unwrap();
    revoke_in(&txn, &bernd.email).await;
    txn.commit().await.unwrap();
    app.wait_for_feed().await;

    let started = app.second_instance().await;
    // The answers without the links, which name each instance's own address.
    let answer = |(status, mut answer): (StatusCode, serde_json::Value)| {
        for missing in answer["missing"].as_array_mut().unwrap() {
            missing.as_object_mut().unwrap().remove("url");
        }
        (status, answer)
    };
    for person in [&anna, &bernd, &clara] {
        let written = answer(app.ask(&key, "testbot", &person.email).await);
        let loaded = answer(started.ask(&key, "testbot", &person.email).await);
        assert_eq!(loaded, written, "{}", person.email);
    }
    let (_, anna_answer) = started.ask(&key, "testbot", &anna.email).await;
    assert_eq!(anna_answer["allowed"], true);
    assert!(anna_answer["valid_until"].is_string());
    let (_, bernd_answer) = started.ask(&key, "testbot", &bernd.email).await;
    assert_eq!(bernd_answer["allowed"], false);
    assert_eq!(bernd_answer["missing"][0]["kind"], "course");
}
