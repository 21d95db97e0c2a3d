//! What a hostile review found and must not come back: a line break that stopped all mail,
//! sign-in bursts, redirects to other sites, HR making itself administrator, forged client
//! addresses, reset races, framework error texts and numbers that lost their zeros.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{PASSWORD, TestApp, TestConfig, location, spawn_app, spawn_app_with};
use kiwi::domain::Language;
use kiwi::entities::{audit_log, outbox_mail, user};
use kiwi::services::mails::{MailKind, NewMail};
use kiwi::services::outbox;

async fn person_by_number(app: &TestApp, number: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::PersonnelNumber.eq(number))
        .one(&app.db)
        .await
        .unwrap()
}

async fn audit_entries(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
}

/// Waits (at most 15 s) until the outbox row `id` has left the queue, and returns it.
async fn settled_mail(app: &TestApp, id: uuid::Uuid) -> outbox_mail::Model {
    let started = Instant::now();
    loop {
        let row = outbox_mail::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .expect("the mail is in the outbox");
        if row.status != outbox_mail::STATUS_QUEUED && row.status != outbox_mail::STATUS_SENDING {
            return row;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the mail was not handled: {}",
            row.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn mail_to(name: &str, address: &str) -> NewMail {
    NewMail {
        kind: MailKind::Invitation,
        dedupe_key: None,
        user_id: None,
        recipient_name: name.to_owned(),
        recipient: address.to_owned(),
        language: Language::De,
        subject: "Willkommen".to_owned(),
        text: "Hallo".to_owned(),
        html: "<p>Hallo</p>".to_owned(),
    }
}

#[tokio::test]
async fn a_line_break_in_an_imported_name_is_refused_with_its_row() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    // Alt+Enter in a spreadsheet cell: a bare line feed inside a quoted field.
    let file = "personnel_number,name,email,org_unit,roles\n\
                1001,Anna Beck,anna.beck@stadt.example,Dezernat I,\n\
                1002,\"Jürgen\nGroß\",juergen.gross@stadt.example,Dezernat I,\n";
    let (status, html) = app.signed_in(&hr).await.upload_import(file, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Zeile 3"), "{html}");
    assert!(html.contains("Zeilenumbruch"), "{html}");
    assert!(person_by_number(&app, "1001").await.is_none());
    assert!(person_by_number(&app, "1002").await.is_none());
}

#[tokio::test]
async fn a_mail_that_cannot_be_built_fails_alone_and_the_next_one_is_sent() {
    let app = spawn_app().await;
    // A row written before names were checked: its name would break the To header.
    outbox::queue(&app.db, vec![mail_to("Anna\nBeck", "anna@stadt.example")])
        .await
        .unwrap();
    let poisoned = outbox_mail::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let failed = settled_mail(&app, poisoned.id).await;
    assert_eq!(failed.status, outbox_mail::STATUS_GAVE_UP);
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("line break")),
        "{:?}",
        failed.last_error
    );

    // The worker lives on: the next mail is sent.
    outbox::queue(&app.db, vec![mail_to("Bernd Cho", "bernd@stadt.example")])
        .await
        .unwrap();
    let next = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Recipient.eq("bernd@stadt.example"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        settled_mail(&app, next.id).await.status,
        outbox_mail::STATUS_SENT
    );
}

#[tokio::test]
async fn a_parallel_burst_of_guesses_checks_no_more_passwords_than_the_limit() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let guesses = (0..40).map(|i| {
        let browser = app.browser();
        let email = anna.email.clone();
        async move {
            let token = browser.csrf_token("/login").await;
            browser
                .client
                .post(browser.url("/login"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", email.as_str()),
                    ("password", &format!("guess number {i}")),
                ])
                .send()
                .await
                .unwrap()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| a.status() == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|a| a.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(checked + refused.len(), 40);
    assert!(
        refused
            .iter()
            .all(|a| a.headers().contains_key("retry-after"))
    );
    // Even the right password waits for the pause now.
    let owner = app.browser().sign_in(&anna.email, PASSWORD).await;
    assert_eq!(owner.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_return_address_never_leads_to_another_site() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    for next in [
        "/%09/evil.example",
        "/%5C/evil.example",
        "//evil.example",
        "/%252F/evil.example",
        "/%0D%0ASet-Cookie:%20x=1",
        "https://evil.example",
    ] {
        let response = browser.get(&format!("/login?next={next}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&response), "/", "{next}");
    }
    // Signing in with a hostile `next` signs in and stays here.
    for next in ["/\t/evil.example", "/\r\n/evil.example", "/\\evil.example"] {
        let response = app
            .browser()
            .submit(
                "/login",
                "/login",
                &[
                    ("email", &anna.email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&response), "/", "{next:?}");
    }
    let fine = browser.get("/login?next=/courses").await;
    assert_eq!(location(&fine), "/courses");
}

#[tokio::test]
async fn hr_can_neither_make_itself_administrator_nor_change_an_administrator() {
    let app = spawn_app().await;
    let admin_file = "personnel_number,name,email,org_unit,roles\n\
                      9001,Jonas Beck,jonas.beck@stadt.example,IT,admin\n\
                      9002,Petra Hoff,petra.hoff@stadt.example,Personal,hr\n";
    let admin = app.person("Ada Admin", "IT", "hr;admin").await;
    let (status, html) = app
        .signed_in(&admin)
        .await
        .upload_import(admin_file, false)
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let petra = kiwi::services::people::roles_of(&person_by_number(&app, "9002").await.unwrap());
    assert!(petra.hr && !petra.admin);

    let hr = app.person("Hanna Roth", "Personal", "hr").await;
    let hr = app.signed_in(&hr).await;

    // Granting a colleague (or herself) the administrator role is refused…
    let escalate = "personnel_number,name,email,org_unit,roles\n\
                    9002,Petra Hoff,petra.hoff@stadt.example,Personal,hr;admin\n";
    let (status, html) = hr.upload_import(escalate, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Zeile 2"), "{html}");
    assert!(html.contains("Rolle „admin“"), "{html}");
    // …and so is redirecting an administrator's account to another address.
    let takeover = "personnel_number,name,email,org_unit,roles\n\
                    9001,Jonas Beck,petra.hoff.privat@stadt.example,IT,admin\n";
    let (status, html) = hr.upload_import(takeover, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Administratorin oder Administrator"),
        "{html}"
    );

    let jonas = person_by_number(&app, "9001").await.unwrap();
    assert_eq!(jonas.email, "jonas.beck@stadt.example");
    assert!(!person_by_number(&app, "9002").await.unwrap().is_admin);

    // What the administrator did is audited with before and after.
    let granted: Vec<String> = audit_entries(&app, "person.roles_changed")
        .await
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(
        granted.contains(&"9001: (new) -> admin".to_owned()),
        "{granted:?}"
    );
    assert!(
        granted.contains(&"9002: (new) -> hr".to_owned()),
        "{granted:?}"
    );
}

#[tokio::test]
async fn role_and_email_changes_are_audited_with_actor_before_and_after() {
    let app = spawn_app().await;
    let hr = app.person("Hanna Roth", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    let first = "personnel_number,name,email,org_unit,roles\n\
                 1001,Anna Beck,anna.beck@stadt.example,Dezernat I,\n";
    assert_eq!(browser.upload_import(first, false).await.0, StatusCode::OK);
    let changed = "personnel_number,name,email,org_unit,roles\n\
                   1001,Anna Beck,anna.neu@stadt.example,Dezernat I,manager\n";
    assert_eq!(
        browser.upload_import(changed, false).await.0,
        StatusCode::OK
    );

    let hanna = user::Entity::find()
        .filter(user::Column::Email.eq(hr.email.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let roles = audit_entries(&app, "person.roles_changed").await;
    let role_change = roles
        .iter()
        .find(|e| e.detail == "1001: employee -> manager")
        .expect("the role change is audited");
    assert_eq!(role_change.actor_id, Some(hanna.id));
    let emails = audit_entries(&app, "person.email_changed").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(
        emails[0].detail,
        "1001: anna.beck@stadt.example -> anna.neu@stadt.example"
    );
    assert_eq!(emails[0].actor_id, Some(hanna.id));
}

#[tokio::test]
async fn a_client_sent_forwarded_header_cannot_dodge_the_per_client_limit() {
    let app = spawn_app_with(TestConfig {
        trust_proxy: Some("x-forwarded-for"),
        ..Default::default()
    })
    .await;
    let mut last = StatusCode::OK;
    for i in 0..31 {
        let browser = app.browser();
        let token = browser.csrf_token("/login").await;
        // The client invents a `Forwarded` and the left part of `X-Forwarded-For`; the proxy
        // (here: the test, on 127.0.0.1) appends the address it saw.
        let response = browser
            .client
            .post(browser.url("/login"))
            .header("Forwarded", format!("for=198.51.100.{i}"))
            .header("X-Forwarded-For", format!("192.0.2.{i}, 203.0.113.9"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", &format!("person{i}@stadt.example")),
                ("password", "wrong"),
            ])
            .send()
            .await
            .unwrap();
        last = response.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not affected.
    let browser = app.browser();
    let token = browser.csrf_token("/login").await;
    let other = browser
        .client
        .post(browser.url("/login"))
        .header("X-Forwarded-For", "203.0.113.10")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "someone@stadt.example"),
            ("password", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn parallel_reset_requests_send_no_more_links_than_the_limit() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let requests = (0..25).map(|_| {
        let browser = app.browser();
        let email = anna.email.clone();
        async move {
            browser
                .submit("/password/forgot", "/password/forgot", &[("email", &email)])
                .await
                .status()
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    let accepted = answers
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(accepted, 3, "{answers:?}");
    // The links are made after the answers; give them a moment, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resets = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Kind.eq(MailKind::PasswordReset.as_str()))
        .all(&app.db)
        .await
        .unwrap();
    assert!(resets.len() <= 3, "{} reset mails", resets.len());
}

#[tokio::test]
async fn unreadable_requests_get_kiwis_error_page_or_plain_text_for_tools() {
    let app = spawn_app().await;
    let hr = app.person("Hanna Roth", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    let response = browser.get("/attempts/not-an-attempt").await;
    assert!(response.status().is_client_error());
    let html = response.text().await.unwrap();
    assert!(!html.contains("deserialize"), "{html}");
    assert!(html.contains("<html"), "{html}");

    let (status, html) = browser.get_text("/hr/report?page=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("<html"), "{html}");
    assert!(!html.to_lowercase().contains("query deserialize"), "{html}");

    let tool = app
        .browser()
        .client
        .get(format!("{}/api/v1/access?user=anna", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(tool.status(), StatusCode::BAD_REQUEST);
    assert_eq!(tool.headers()["cache-control"], "no-store");
    assert_eq!(tool.headers()["x-content-type-options"], "nosniff");
    assert!(!tool.text().await.unwrap().contains("deserialize"));
}

#[tokio::test]
async fn a_personnel_number_keeps_its_leading_zeros() {
    let app = spawn_app().await;
    let hr = app.person("Hanna Roth", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    let first = "personnel_number,name,email,org_unit,roles\n\
                 00012345,Anna Beck,anna.beck@stadt.example,Dezernat I,\n";
    assert_eq!(browser.upload_import(first, false).await.0, StatusCode::OK);
    assert!(person_by_number(&app, "00012345").await.is_some());
    // A new person with Anna's address: the error names Anna's number as it is.
    let clash = "personnel_number,name,email,org_unit,roles\n\
                 777,Bernd Cho,anna.beck@stadt.example,Dezernat I,\n";
    let (status, html) = browser.upload_import(clash, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Personalnummer 00012345"), "{html}");
}
