//! Email through the outbox, against a real SMTP server: invitations, password resets,
//! assignment mails and reminders, certificate notices, retries, restarts and concurrency.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, TestConfig, location, spawn_app_with};
use crate::smtp::{Received, SmtpServer};
use kiwi::domain::Language;
use kiwi::entities::{assignment, certificate, org_unit, outbox_mail, password_link, user};
use kiwi::services::mails::{MailKind, NewMail};
use kiwi::services::{outbox, reminders};

/// A kiwi server that sends its mail to `smtp`.
async fn app_with_smtp(smtp: &SmtpServer) -> TestApp {
    spawn_app_with(TestConfig {
        smtp_url: Some(smtp.url()),
        ..Default::default()
    })
    .await
}

async fn person_record(app: &TestApp, email: &str) -> user::Model {
    kiwi::db::users::by_email(&app.db, &email.to_lowercase())
        .await
        .unwrap()
        .expect("the person exists")
}

async fn outbox_rows(app: &TestApp) -> Vec<outbox_mail::Model> {
    outbox_mail::Entity::find()
        .order_by_asc(outbox_mail::Column::CreatedAt)
        .all(&app.db)
        .await
        .unwrap()
}

async fn rows_of_kind(app: &TestApp, kind: MailKind) -> Vec<outbox_mail::Model> {
    outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Kind.eq(kind.as_str()))
        .all(&app.db)
        .await
        .unwrap()
}

/// Waits (at most 15 s) until the outbox satisfies `done`.
async fn wait_for_outbox(
    app: &TestApp,
    done: impl Fn(&[outbox_mail::Model]) -> bool,
) -> Vec<outbox_mail::Model> {
    let started = Instant::now();
    loop {
        let rows = outbox_rows(app).await;
        if done(&rows) {
            return rows;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the outbox did not get there: {:?}",
            rows.iter()
                .map(|r| (&r.kind, &r.status, r.tries))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn to<'a>(mails: &'a [Received], address: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.to.eq_ignore_ascii_case(address))
        .collect()
}

/// The "tool closed" mails to `address`.
fn tool_closed<'a>(mails: &'a [Received], address: &str) -> Vec<&'a Received> {
    to(mails, address)
        .into_iter()
        .filter(|m| m.subject.contains("gesperrt"))
        .collect()
}

async fn run_scheduler(app: &TestApp, now: chrono::DateTime<Utc>) -> reminders::Queued {
    reminders::run_once(
        &app.db,
        &app.state.mail,
        &app.state.catalog,
        &app.state.schedule,
        now,
    )
    .await
    .expect("the scheduler runs")
}

async fn unit_id(app: &TestApp, path: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Path.eq(path))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the unit exists")
        .id
}

/// Inserts an assignment of the fixture course, as the assignment pages will.
async fn assign(
    app: &TestApp,
    by: Uuid,
    unit: Option<Uuid>,
    person: Option<Uuid>,
    due_on: NaiveDate,
) -> assignment::Model {
    assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set("grundlagen".into()),
        org_unit_id: Set(unit),
        user_id: Set(person),
        due_on: Set(due_on),
        assigned_by: Set(by),
        assigned_at: Set(Utc::now() - chrono::Duration::days(30)),
        withdrawn_at: Set(None),
        withdrawn_by: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap()
}

/// A day counted from today where people live (the default time zone, Europe/Berlin).
fn days_from_today(days: i64) -> NaiveDate {
    kiwi::config::Settings::for_data_dir(".".into())
        .local_time()
        .today()
        + chrono::Duration::days(days)
}

const STAFF: &str = "personnel_number,name,email,org_unit,roles\n\
    2001,Jürgen Größe,juergen.groesse@stadt.example,Dezernat I / Fachbereich 10,\n";

#[tokio::test]
async fn an_invitation_link_sets_the_first_password_once_and_only_once() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let (status, html) = app.signed_in(&hr).await.upload_import(STAFF, false).await;
    assert_eq!(status, StatusCode::OK, "{html}");

    let mails = smtp.settled(1).await;
    let invitations = to(&mails, "juergen.groesse@stadt.example");
    assert_eq!(invitations.len(), 1, "{mails:?}");
    let invitation = invitations[0];
    // Umlauts travel as encoded words and arrive intact.
    assert!(
        invitation.raw_subject.is_ascii(),
        "{}",
        invitation.raw_subject
    );
    assert_eq!(
        invitation.subject,
        "Willkommen bei kiwi – legen Sie Ihr Passwort fest"
    );
    assert_eq!(invitation.to_name, "Jürgen Größe");
    assert_eq!(invitation.from, "kiwi@musterstadt.example");
    assert!(
        invitation.text.contains("Guten Tag Jürgen Größe,"),
        "{}",
        invitation.text
    );
    assert!(
        invitation.html.contains("Jürgen Größe"),
        "{}",
        invitation.html
    );

    // The outbox and the links table keep no usable link.
    let link = invitation.link(&app.address, "/invite/");
    let token = link.trim_start_matches("/invite/");
    let row = &rows_of_kind(&app, MailKind::Invitation).await[0];
    assert_eq!(row.status, outbox_mail::STATUS_SENT);
    assert!(!row.text_body.contains(token) && !row.html_body.contains(token));
    let stored = password_link::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|l| l.token_hash != token));

    let browser = app.browser();
    let (status, page) = browser.get_text(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Jürgen Größe"));
    let response = browser
        .submit(
            &link,
            &link,
            &[("password", PASSWORD), ("password_repeat", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?password_set=1");
    let response = browser
        .sign_in("juergen.groesse@stadt.example", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // A second use changes nothing and says why.
    let stranger = app.browser();
    let (status, page) = stranger.get_text(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("Dieser Link gilt nicht mehr"));
    let response = stranger
        .submit(
            "/login",
            &link,
            &[
                ("password", "another password entirely"),
                ("password_repeat", "another password entirely"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    let response = app
        .browser()
        .sign_in("juergen.groesse@stadt.example", PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_expired_invitation_link_is_refused() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    app.signed_in(&hr).await.upload_import(STAFF, false).await;
    let mails = smtp.wait_for(1).await;
    let link = mails[0].link(&app.address, "/invite/");

    for link_row in password_link::Entity::find().all(&app.db).await.unwrap() {
        let mut expired = link_row.into_active_model();
        expired.expires_at = Set(Utc::now() - chrono::Duration::minutes(1));
        expired.update(&app.db).await.unwrap();
    }
    let browser = app.browser();
    let (status, page) = browser.get_text(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("abgelaufen"));
    let response = browser
        .submit(
            "/login",
            &link,
            &[("password", PASSWORD), ("password_repeat", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(
        person_record(&app, "juergen.groesse@stadt.example")
            .await
            .password_hash
            .is_none()
    );
}

#[tokio::test]
async fn the_command_line_adds_a_person_with_an_invitation() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let data = tempfile::tempdir().unwrap();
    let (url, smtp_url) = (app.database_url.clone(), smtp.url());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kiwi"))
            .args([
                "users",
                "add",
                "--personnel-number",
                "3001",
                "--name",
                "Ülkü Weiß",
                "--email",
                "uelkue.weiss@stadt.example",
                "--org-unit",
                "Dezernat II",
                "--language",
                "en",
                "--invite",
            ])
            .env("KIWI_DATABASE_URL", url)
            .env("KIWI_SMTP_URL", smtp_url)
            .env("KIWI_DATA_DIR", data.path())
            .env("KIWI_BASE_URL", "https://kiwi.stadt.example")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to_name, "Ülkü Weiß");
    assert_eq!(mails[0].subject, "Welcome to kiwi – set your password");
    assert!(mails[0].text.contains("https://kiwi.stadt.example/invite/"));
}

#[tokio::test]
async fn a_reset_for_an_unknown_address_sends_nothing_and_answers_the_same() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let elsewhere = app.signed_in(&anna).await;

    let known = app
        .browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &anna.email)],
        )
        .await;
    let unknown = app
        .browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "niemand@stadt.example")],
        )
        .await;
    assert_eq!(known.status(), StatusCode::SEE_OTHER);
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), location(&unknown));
    let (_, page) = app.browser().get_text(&location(&known)).await;
    assert!(page.contains("Wenn diese Adresse zu einem kiwi-Konto gehört"));

    let mails = smtp.settled(1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, anna.email);
    assert_eq!(rows_of_kind(&app, MailKind::PasswordReset).await.len(), 1);

    // The link sets a new password once and ends every session of the person.
    let link = mails[0].link(&app.address, "/password/reset/");
    let browser = app.browser();
    let new_password = "ein ganz neues Passwort für Anna";
    let response = browser
        .submit(
            &link,
            &link,
            &[
                ("password", new_password),
                ("password_repeat", new_password),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(elsewhere.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().sign_in(&anna.email, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.browser()
            .sign_in(&anna.email, new_password)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(browser.get(&link).await.status(), StatusCode::GONE);
}

#[tokio::test]
async fn password_reset_requests_are_throttled_alike_for_known_and_unknown_addresses() {
    let app = spawn_app_with(TestConfig::default()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    for address in [anna.email.as_str(), "niemand@stadt.example"] {
        let browser = app.browser();
        for _ in 0..3 {
            let response = browser
                .submit(
                    "/password/forgot",
                    "/password/forgot",
                    &[("email", address)],
                )
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        let response = browser
            .submit(
                "/password/forgot",
                "/password/forgot",
                &[("email", address)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let page = response.text().await.unwrap();
        assert!(page.contains("zu viele Links angefordert"), "{page}");
    }
    // Links are made after the answer: wait until the known address's three are there.
    wait_for_outbox(&app, |rows| {
        let resets = rows
            .iter()
            .filter(|r| r.kind == MailKind::PasswordReset.as_str());
        resets.count() >= 3
    })
    .await;
    assert_eq!(rows_of_kind(&app, MailKind::PasswordReset).await.len(), 3);
}

#[tokio::test]
async fn the_reminder_is_sent_once_even_if_the_scheduler_runs_twice() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let hr_id = person_record(&app, &hr.email).await.id;
    let jurgen = app
        .person("Jürgen Größe", "Dezernat I / Fachbereich 10", "")
        .await;
    let (certified, _) = app.certified_person("Clara Zertifiziert").await;
    smtp.wait_for(1).await; // Clara's certificate mail
    let unit = unit_id(&app, "Dezernat I").await;
    let due_on = days_from_today(14);
    assign(&app, hr_id, Some(unit), None, due_on).await;

    let now = Utc::now();
    let (first, second) = tokio::join!(run_scheduler(&app, now), run_scheduler(&app, now));
    let third = run_scheduler(&app, now).await;
    assert_eq!(first.reminders + second.reminders + third.reminders, 1);

    let mails = smtp.settled(2).await;
    let reminders = to(&mails, &jurgen.email);
    assert_eq!(reminders.len(), 1, "{mails:?}");
    assert_eq!(
        reminders[0].subject,
        format!(
            "Erinnerung: „Grundlagen (Testkurs)“ bis zum {}",
            due_on.format("%d.%m.%Y")
        )
    );
    assert!(reminders[0].text.contains("in 14 Tagen"));
    assert!(
        to(&mails, &certified.email)
            .iter()
            .all(|m| !m.subject.starts_with("Erinnerung")),
        "a certified person is not reminded"
    );
    assert!(rows_of_kind(&app, MailKind::Digest).await.is_empty());
}

#[tokio::test]
async fn a_new_assignment_is_announced_in_each_persons_language_and_overdue_once() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let hr_id = person_record(&app, &hr.email).await.id;
    let jurgen = app
        .person("Jürgen Größe", "Dezernat I / Fachbereich 10", "")
        .await;
    let uemit = app
        .person(
            "Ümit Öztürk",
            "Dezernat I / Fachbereich 10 / Abteilung 10.1",
            "",
        )
        .await;
    let outside = app.person("Olaf Außen", "Dezernat II", "").await;
    let uemit_record = person_record(&app, &uemit.email).await;
    kiwi::db::users::set_language(&app.db, uemit_record.id, Language::En.code())
        .await
        .unwrap();

    let unit = unit_id(&app, "Dezernat I / Fachbereich 10").await;
    let due_on = days_from_today(30);
    let txn = kiwi::db::begin_write(&app.db).await.unwrap();
    let assignment = assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set("grundlagen".into()),
        org_unit_id: Set(Some(unit)),
        user_id: Set(None),
        due_on: Set(due_on),
        assigned_by: Set(hr_id),
        assigned_at: Set(Utc::now()),
        withdrawn_at: Set(None),
        withdrawn_by: Set(None),
    }
    .insert(&txn)
    .await
    .unwrap();
    let queued =
        reminders::queue_assignment_mails(&txn, &app.state.mail, &app.state.catalog, &assignment)
            .await
            .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(queued, 2);

    let mails = smtp.settled(2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_eq!(
        to(&mails, &jurgen.email)[0].subject,
        "Neuer Kurs für Sie: Grundlagen (Testkurs)"
    );
    let english = to(&mails, &uemit.email)[0];
    assert_eq!(
        english.subject,
        "A new course for you: Basics (test course)"
    );
    assert!(
        english
            .text
            .contains(&due_on.format("%Y-%m-%d").to_string())
    );
    assert!(to(&mails, &outside.email).is_empty());

    // Jürgen is also assigned the course by name, due yesterday: one overdue notice.
    assign(
        &app,
        hr_id,
        None,
        Some(person_record(&app, &jurgen.email).await.id),
        days_from_today(-1),
    )
    .await;
    run_scheduler(&app, Utc::now()).await;
    run_scheduler(&app, Utc::now()).await;
    let mails = smtp.settled(3).await;
    let overdue: Vec<_> = to(&mails, &jurgen.email)
        .into_iter()
        .filter(|m| m.subject.starts_with("Überfällig"))
        .collect();
    assert_eq!(overdue.len(), 1, "{mails:?}");
    assert_eq!(overdue[0].subject, "Überfällig: „Grundlagen (Testkurs)“");
}

#[tokio::test]
async fn department_heads_get_a_weekly_digest_when_it_is_switched_on() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(smtp.url()),
        manager_digest: true,
        ..Default::default()
    })
    .await;
    let head = app.person("Sabine Wolf", "Dezernat I", "manager").await;
    let other_head = app.person("Bernd Fremd", "Dezernat II", "manager").await;
    let jurgen = app
        .person("Jürgen Größe", "Dezernat I / Fachbereich 10", "")
        .await;
    let jurgen_id = person_record(&app, &jurgen.email).await.id;
    let head_id = person_record(&app, &head.email).await.id;
    assign(&app, head_id, None, Some(jurgen_id), days_from_today(-3)).await;

    run_scheduler(&app, Utc::now()).await;
    run_scheduler(&app, Utc::now()).await;
    let mails = smtp.settled(2).await;
    let digests = to(&mails, &head.email);
    assert_eq!(digests.len(), 1, "{mails:?}");
    assert_eq!(
        digests[0].subject,
        "Wochenübersicht: überfällige Kurse in Dezernat I"
    );
    assert!(
        digests[0]
            .text
            .contains("Jürgen Größe: „Grundlagen (Testkurs)“")
    );
    assert!(to(&mails, &other_head.email).is_empty());
}

#[tokio::test]
async fn certificates_issued_ending_and_ended_are_announced_once() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let (clara, _) = app.certified_person("Clara Größe").await;
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].subject, "Ihr Zertifikat: Grundlagen (Testkurs)");
    assert!(mails[0].link(&app.address, "/certificates/KIWI-").len() > 20);

    let held = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut ending = held.clone().into_active_model();
    ending.valid_from = Set(Utc::now() - chrono::Duration::days(300));
    ending.valid_until = Set(Utc::now() + chrono::Duration::days(10));
    ending.update(&app.db).await.unwrap();
    run_scheduler(&app, Utc::now()).await;
    run_scheduler(&app, Utc::now()).await;
    let mails = smtp.settled(2).await;
    let notices: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Ihr Zertifikat „"))
        .collect();
    assert_eq!(notices.len(), 1, "{mails:?}");
    assert!(
        notices[0]
            .text
            .contains(&format!("{}/courses/grundlagen", app.address))
    );

    // It ends without renewal: the tool that required it closes, and Clara hears of it once.
    let mut ended = held.into_active_model();
    ended.valid_from = Set(Utc::now() - chrono::Duration::days(400));
    ended.valid_until = Set(Utc::now() - chrono::Duration::hours(1));
    ended.update(&app.db).await.unwrap();
    run_scheduler(&app, Utc::now()).await;
    run_scheduler(&app, Utc::now()).await;
    let mails = smtp.settled(3).await;
    let closed = tool_closed(&mails, &clara.email);
    assert_eq!(closed.len(), 1, "{mails:?}");
    assert_eq!(closed[0].subject, "Testbot ist für Sie gesperrt");
    assert!(closed[0].text.contains("abgelaufen"));
}

#[tokio::test]
async fn a_revocation_that_closes_a_tool_tells_the_holder() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp).await;
    let (clara, _) = app.certified_person("Clara Größe").await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let response = app
        .signed_in(&hr)
        .await
        .submit(
            "/hr/certificates/revoke",
            "/hr/certificates/revoke",
            &[("serial", &serial), ("reason", "Täuschung")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mails = smtp.settled(2).await;
    let closed = tool_closed(&mails, &clara.email);
    // Testbot requires the course; the other tool only the policy, and stays open.
    assert_eq!(closed.len(), 1, "{mails:?}");
    assert_eq!(closed[0].subject, "Testbot ist für Sie gesperrt");
    assert!(closed[0].text.contains("widerrufen"));
}

#[tokio::test]
async fn a_mail_queued_while_the_smtp_server_is_down_arrives_once_it_is_up() {
    let mut smtp = SmtpServer::down_at_first();
    let app = app_with_smtp(&smtp).await;
    let anna = app.person("Anna Größe", "Dezernat I", "").await;
    app.browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &anna.email)],
        )
        .await;
    let rows = wait_for_outbox(&app, |rows| {
        rows.iter().any(|r| r.status == outbox_mail::STATUS_FAILED)
    })
    .await;
    let failed = rows
        .iter()
        .find(|r| r.status == outbox_mail::STATUS_FAILED)
        .unwrap();
    assert_eq!(failed.tries, 1);
    assert!(failed.last_error.is_some());
    assert!(failed.next_try_at > Utc::now());

    smtp.up();
    // The next try is due after the pause; a pass at that time sends it.
    let delivery = app
        .state
        .outbox
        .deliver_due(&app.db, Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(delivery.sent, 1);
    let mails = smtp.settled(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "Ihr neues Passwort für kiwi");
    let row = &rows_of_kind(&app, MailKind::PasswordReset).await[0];
    assert_eq!(row.status, outbox_mail::STATUS_SENT);
    assert_eq!(row.tries, 2);
}

#[tokio::test]
async fn unsent_mail_survives_a_restart_and_a_crashed_workers_claim() {
    let mut smtp = SmtpServer::down_at_first();
    let first = app_with_smtp(&smtp).await;
    let anna = first.person("Anna Größe", "Dezernat I", "").await;
    first
        .browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &anna.email)],
        )
        .await;
    wait_for_outbox(&first, |rows| {
        rows.iter().any(|r| r.status == outbox_mail::STATUS_FAILED)
    })
    .await;
    // A second mail is claimed by a worker that dies before it sends anything.
    let recipient =
        kiwi::services::mails::Recipient::from(&person_record(&first, &anna.email).await);
    let mut notice = first
        .state
        .mail
        .password_reset(&recipient, "not-a-real-token")
        .unwrap();
    notice.subject = "Zweite Nachricht für Anna Größe".into();
    let txn = kiwi::db::begin_write(&first.db).await.unwrap();
    outbox::queue(&txn, vec![notice]).await.unwrap();
    let now = Utc::now();
    let claimed = kiwi::db::outbox::claim(
        &txn,
        "worker-that-crashes",
        now,
        now + chrono::Duration::minutes(5),
        10,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    // The first instance goes away: it can no longer reach its database.
    first.db.clone().close().await.unwrap();

    smtp.up();
    let second = spawn_app_with(TestConfig {
        database_url: Some(first.database_url.clone()),
        smtp_url: Some(smtp.url()),
        ..Default::default()
    })
    .await;
    // While the crashed worker's claim holds, nobody sends its mail…
    let early = second
        .state
        .outbox
        .deliver_due(&second.db, now)
        .await
        .unwrap();
    assert_eq!(early.sent, 0);
    // …after it (and after the failed mail's pause), the new instance sends both.
    second
        .state
        .outbox
        .deliver_all_due(&second.db, now + chrono::Duration::minutes(10))
        .await
        .unwrap();
    let mails = smtp.settled(2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "Zweite Nachricht für Anna Größe")
    );
    assert!(
        outbox_rows(&second)
            .await
            .iter()
            .all(|r| r.status == outbox_mail::STATUS_SENT)
    );
}

/// Worker passes until nothing is due.
async fn drain(app: &TestApp) {
    loop {
        let pass = app
            .state
            .outbox
            .deliver_due(&app.db, Utc::now())
            .await
            .unwrap();
        if pass.handled() == 0 {
            break;
        }
    }
}

#[tokio::test]
async fn two_workers_never_send_a_mail_twice() {
    let smtp = SmtpServer::start();
    let first = app_with_smtp(&smtp).await;
    let second = spawn_app_with(TestConfig {
        database_url: Some(first.database_url.clone()),
        smtp_url: Some(smtp.url()),
        ..Default::default()
    })
    .await;
    let anna = first.person("Anna Größe", "Dezernat I", "").await;
    let anna_id = person_record(&first, &anna.email).await.id;
    const MAILS: usize = 60;
    let mails: Vec<NewMail> = (0..MAILS)
        .map(|n| NewMail {
            kind: MailKind::Reminder,
            dedupe_key: Some(format!("test:{n}")),
            user_id: Some(anna_id),
            recipient_name: "Anna Größe".into(),
            recipient: anna.email.clone(),
            language: Language::De,
            subject: format!("Nachricht {n} für Anna Größe"),
            text: format!("Nachricht {n}"),
            html: format!("<p>Nachricht {n}</p>"),
        })
        .collect();
    outbox::queue(&first.db, mails).await.unwrap();

    // Both instances' background workers run; two more passes race them from each instance.
    tokio::join!(drain(&first), drain(&second), drain(&first), drain(&second));

    let received = smtp.settled(MAILS).await;
    assert_eq!(received.len(), MAILS);
    let ids: std::collections::HashSet<&str> =
        received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), MAILS, "a mail arrived twice");
    let rows = outbox_rows(&first).await;
    assert!(
        rows.iter()
            .all(|r| r.status == outbox_mail::STATUS_SENT && r.tries == 1),
        "every mail was claimed exactly once"
    );
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_given_up_and_shown_to_administrators() {
    let smtp = SmtpServer::down_at_first();
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(smtp.url()),
        mail_max_tries: 3,
        ..Default::default()
    })
    .await;
    let admin = app.person("Jonas Becker", "IT", "admin").await;
    let jurgen = app.person("Jürgen Größe", "Dezernat I", "").await;
    app.browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &jurgen.email)],
        )
        .await;
    // The link is made after the answer.
    wait_for_outbox(&app, |rows| {
        rows.iter()
            .any(|r| r.kind == MailKind::PasswordReset.as_str())
    })
    .await;
    let mut later = Utc::now();
    for _ in 0..10 {
        later += chrono::Duration::hours(5);
        app.state.outbox.deliver_due(&app.db, later).await.unwrap();
        let rows = rows_of_kind(&app, MailKind::PasswordReset).await;
        if rows[0].status == outbox_mail::STATUS_GAVE_UP {
            break;
        }
    }
    let row = rows_of_kind(&app, MailKind::PasswordReset).await.remove(0);
    assert_eq!(row.status, outbox_mail::STATUS_GAVE_UP);
    assert_eq!(row.tries, 3);
    assert!(row.last_error.is_some());

    let browser = app.signed_in(&admin).await;
    let (status, page) = browser.get_text("/admin/mail").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aufgegeben"), "{page}");
    assert!(page.contains("Ihr neues Passwort für kiwi"));
    assert!(page.contains(&jurgen.email));
    assert!(!page.contains("/password/reset/"), "no link in clear");

    let response = browser
        .submit("/admin/mail", &format!("/admin/mail/{}/retry", row.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let row = rows_of_kind(&app, MailKind::PasswordReset).await.remove(0);
    assert!(row.tries <= 1 && row.status != outbox_mail::STATUS_GAVE_UP);

    let employee = app.signed_in(&jurgen).await;
    assert_eq!(
        employee.get("/admin/mail").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn without_smtp_mails_are_written_as_files() {
    let app = spawn_app_with(TestConfig::default()).await;
    let anna = app.person("Anna Größe", "Dezernat I", "").await;
    app.browser()
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", &anna.email)],
        )
        .await;
    wait_for_outbox(&app, |rows| {
        rows.iter().any(|r| r.status == outbox_mail::STATUS_SENT)
    })
    .await;
    let dir = app.state.settings.mail_dir();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(message.subject(), Some("Ihr neues Passwort für kiwi"));
    assert_eq!(
        message.to().and_then(|t| t.first()).and_then(|a| a.name()),
        Some("Anna Größe")
    );
}
