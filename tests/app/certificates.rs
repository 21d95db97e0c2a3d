//! Certificates: issued exactly once, listed, verified in public, revoked by HR.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

use crate::helpers::spawn_app;
use kiwi::entities::certificate;

#[tokio::test]
async fn completing_a_course_issues_one_certificate_listed_for_its_holder() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (_, before) = browser.get_text("/certificates").await;
    assert!(before.contains("Sie haben noch kein Zertifikat"));

    app.complete_course(&browser).await;
    let certificates = certificate::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(certificates.len(), 1);
    let issued = &certificates[0];
    assert_eq!(issued.course_version, "1");
    assert!(issued.serial.starts_with("KIWI-20"));
    assert_eq!((issued.valid_until - issued.valid_from).num_days() / 30, 12);

    let (_, list) = browser.get_text("/certificates").await;
    assert!(list.contains(&issued.serial));
    assert!(list.contains("gültig"));
    let (status, page) = browser
        .get_text(&format!("/certificates/{}", issued.serial))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Anna Beck hat diesen Kurs erfolgreich abgeschlossen."));

    // Taking the quiz again does not issue another one.
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;
    assert_eq!(
        certificate::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn twenty_concurrent_final_submissions_issue_exactly_one_certificate() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    browser
        .submit(
            "/courses/grundlagen/modules/lesen",
            "/courses/grundlagen/modules/lesen/read",
            &[],
        )
        .await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let token = browser.csrf_token(&format!("/attempts/{attempt}")).await;
    let answers = app.answers(&attempt, true).await;
    let submissions = (0..20).map(|_| browser.post_answers(&attempt, &token, &answers));
    futures_util::future::join_all(submissions).await;
    assert_eq!(
        certificate::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn concurrent_certification_in_separate_transactions_yields_one_certificate() {
    // The database constraint, not only the code, keeps it to one.
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    app.complete_course(&browser).await;
    let catalog = kiwi::courses::load::load_catalog(&crate::helpers::fixture_courses()).unwrap();
    let course = catalog.get("grundlagen").unwrap();
    let holder = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // Expire the one issued, so every racer below believes a new period starts.
    let mut expired = holder.clone().into_active_model();
    expired.valid_until = Set(Utc::now() - Duration::seconds(1));
    expired.update(&app.db).await.unwrap();

    let racers = (0..20).map(|_| async {
        let txn = kiwi::db::begin_write(&app.db).await.unwrap();
        let issued = kiwi::services::certification::certify_if_complete(
            &txn,
            &app.state.mail,
            course,
            holder.user_id,
            Utc::now(),
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
        issued.is_some()
    });
    let issued = futures_util::future::join_all(racers).await;
    assert_eq!(issued.iter().filter(|i| **i).count(), 1);
    assert_eq!(
        certificate::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn the_verification_page_shows_valid_expired_revoked_and_unknown_serials() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Anna Beck").await;
    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let visitor = app.browser();

    let (status, page) = visitor.get_text(&format!("/verify/{serial}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Anna Beck")
            && page.contains("gültig")
            && page.contains("Grundlagen (Testkurs)")
    );
    assert!(
        !page.contains("@stadt.example"),
        "the verifier sees no email address"
    );

    let (status, page) = visitor.get_text("/verify/KIWI-2026-0000-0000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Es gibt kein Zertifikat mit der Nummer KIWI-2026-0000-0000."));

    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let hr_browser = app.signed_in(&hr).await;
    let response = hr_browser
        .submit(
            "/hr/certificates/revoke",
            "/hr/certificates/revoke",
            &[
                ("serial", &serial),
                ("reason", "Kurs nicht selbst absolviert"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, page) = visitor.get_text(&format!("/verify/{serial}")).await;
    assert!(page.contains("widerrufen"));
    let (_, own) = browser.get_text(&format!("/certificates/{serial}")).await;
    assert!(own.contains("Kurs nicht selbst absolviert"));

    let mut expired = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    expired.revoked_at = Set(None);
    expired.valid_until = Set(Utc::now() - Duration::days(1));
    expired.update(&app.db).await.unwrap();
    let (_, page) = visitor.get_text(&format!("/verify/{serial}")).await;
    assert!(page.contains("abgelaufen"));
}

#[tokio::test]
async fn the_verification_page_is_rate_limited() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let mut statuses = Vec::new();
    for n in 0..35 {
        statuses.push(
            visitor
                .get(&format!("/verify/KIWI-2026-AAAA-{n:04}"))
                .await
                .status(),
        );
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::NOT_FOUND));
    assert_eq!(statuses[34], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn only_hr_and_administrators_can_revoke_and_only_with_a_reason() {
    let app = spawn_app().await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let employee = app
        .signed_in(&app.person("Bernd Cho", "Dezernat I", "").await)
        .await;
    assert_eq!(
        employee.get("/hr/certificates/revoke").await.status(),
        StatusCode::FORBIDDEN
    );

    let admin = app
        .signed_in(&app.person("Jonas Beck", "IT", "admin").await)
        .await;
    let response = admin
        .submit(
            "/hr/certificates/revoke",
            "/hr/certificates/revoke",
            &[("serial", &serial), ("reason", " ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"reason-error\"")
    );
    assert!(
        certificate::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    let _ = anna;
}

#[tokio::test]
async fn nobody_sees_another_persons_certificate_page() {
    let app = spawn_app().await;
    app.certified_person("Anna Beck").await;
    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let bernd = app
        .signed_in(&app.person("Bernd Cho", "Dezernat I", "").await)
        .await;
    assert_eq!(
        bernd.get(&format!("/certificates/{serial}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Runs a command-line tool on a file and returns its standard output.
fn run(tool: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} runs (Debian packages poppler-utils and zbar-tools): {e}")
        });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_pdf_is_a_valid_pdf_with_the_serial_and_a_qr_code_of_the_verification_url() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Jürgen Groß").await;
    let serial = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let response = browser.get(&format!("/certificates/{serial}/pdf")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("certificate.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let pdf = pdf.to_str().unwrap();
    let text = run("pdftotext", &[pdf, "-"]);
    assert!(text.contains(&serial), "{text}");
    assert!(text.contains("Jürgen Groß"), "{text}");
    assert!(text.contains("Grundlagen (Testkurs)"), "{text}");
    let fonts = run("pdffonts", &[pdf]);
    assert!(
        fonts.lines().skip(2).all(|line| line.contains(" yes yes ")),
        "fonts are embedded: {fonts}"
    );

    let image = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-singlefile",
            pdf,
            image.to_str().unwrap(),
        ],
    );
    let decoded = run(
        "zbarimg",
        &["--raw", "-q", &format!("{}.png", image.display())],
    );
    assert_eq!(decoded.trim(), format!("{}/verify/{serial}", app.address));

    // Nobody else gets it.
    let bernd = app
        .signed_in(&app.person("Bernd Cho", "Dezernat I", "").await)
        .await;
    assert_eq!(
        bernd
            .get(&format!("/certificates/{serial}/pdf"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_refresher_within_sixty_days_of_expiry_renews_the_certificate_seamlessly() {
    let app = spawn_app().await;
    let (anna, browser) = app.certified_person("Anna Beck").await;
    let key = app.api_key("testbot").await;
    let first = certificate::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();

    // Too early: no renewal offered, and none possible.
    let (_, course) = browser.get_text("/courses/grundlagen").await;
    assert!(!course.contains("Zertifikat erneuern"));
    let early = browser
        .submit("/courses/grundlagen", "/courses/grundlagen/refresher", &[])
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);

    // Thirty days before the end.
    let ends = Utc::now() + Duration::days(30);
    let mut ending = first.clone().into_active_model();
    ending.valid_until = Set(ends);
    ending.update(&app.db).await.unwrap();
    let (_, course) = browser.get_text("/courses/grundlagen").await;
    assert!(course.contains("Zertifikat erneuern"), "{course}");

    let response = browser
        .submit("/courses/grundlagen", "/courses/grundlagen/refresher", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let attempt = crate::helpers::location(&response)
        .trim_start_matches("/attempts/")
        .to_owned();
    let (_, quiz) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(quiz.contains("Auffrischung"));
    browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;

    let mut all = certificate::Entity::find().all(&app.db).await.unwrap();
    all.sort_by_key(|c| c.sequence);
    assert_eq!(all.len(), 2);
    let renewed = &all[1];
    assert_eq!(renewed.renewal_of, Some(first.id));
    assert_eq!(
        renewed.valid_from.timestamp(),
        ends.timestamp(),
        "the new one starts when the old one ends"
    );
    assert_eq!(all[0].serial, first.serial, "the earlier certificate stays");

    // Access holds through both: until the end of the renewed one.
    let (_, answer) = app.ask(&key, "testbot", &anna.email).await;
    assert_eq!(answer["allowed"], true);
    assert!(
        answer["valid_until"]
            .as_str()
            .unwrap()
            .starts_with(&renewed.valid_until.format("%Y-%m-%d").to_string())
    );
}
