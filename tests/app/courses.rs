//! The learner's path: catalog, course, module, progress and resuming.

use reqwest::StatusCode;

use crate::helpers::{csrf_token_in, location, spawn_app, spawn_app_with_courses};

#[tokio::test]
async fn the_catalog_shows_each_course_with_the_persons_status() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (status, html) = browser.get_text("/courses").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Grundlagen (Testkurs)"));
    assert!(html.contains("noch nicht begonnen"));
    assert!(html.contains("0 von 2 Modulen erledigt"));
}

#[tokio::test]
async fn a_module_page_shows_lesson_objectives_and_the_next_step() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let (status, html) = app
        .signed_in(&anna)
        .await
        .get_text("/courses/grundlagen/modules/erste-schritte")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Erste Schritte</h1>"));
    assert!(html.contains("<h2 id=\"worum-es-geht\">Worum es geht</h2>"));
    assert!(html.contains("Sie kennen den Testkurs."));
    assert!(html.contains("Quiz starten"));
    // The quiz is not on the lesson page.
    assert!(!html.contains("Welche Farbe hat eine reife Kiwi"));
}

#[tokio::test]
async fn an_unknown_course_or_module_is_404() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    assert_eq!(
        browser.get("/courses/gibt-es-nicht").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get("/courses/grundlagen/modules/gibt-es-nicht")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_module_without_quiz_is_completed_by_confirming_it_was_read() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let page = "/courses/grundlagen/modules/lesen";
    let response = browser.submit(page, &format!("{page}/read"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Next stop: the module still open.
    assert_eq!(
        location(&response),
        "/courses/grundlagen/modules/erste-schritte"
    );
    let (_, html) = browser.get_text("/courses/grundlagen").await;
    assert!(html.contains("1 von 2 Modulen erledigt"));
    assert!(html.contains("begonnen"));
    // Resuming leads to the open module.
    assert!(html.contains("href=\"/courses/grundlagen/modules/erste-schritte\">Weiterlernen</a>"));
}

#[tokio::test]
async fn a_course_is_completed_when_every_module_is_done() {
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
    let answers = app.answers(&attempt, true).await;
    browser.answer(&attempt, &answers).await;
    let (_, html) = browser.get_text("/courses/grundlagen").await;
    assert!(html.contains("2 von 2 Modulen erledigt"));
    assert!(html.contains("Sie haben alle Module dieses Kurses abgeschlossen."));
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains("abgeschlossen"));
}

#[tokio::test]
async fn lessons_cannot_run_script_and_only_linked_course_files_are_served() {
    let root = tempfile::tempdir().unwrap();
    let course = root.path().join("kurs");
    for lang in ["de", "en"] {
        std::fs::create_dir_all(course.join(lang)).unwrap();
        std::fs::write(
            course.join(lang).join("01-text.md"),
            "+++\ntitle = \"Text\"\nminutes = 1\nobjectives = [\"Ziel\"]\n+++\n\n<script>alert('x')</script>\n\n<a href=\"#\" onclick=\"steal()\">Klick</a>\n\n![Ablauf](ablauf.png)\n",
        )
        .unwrap();
        std::fs::write(course.join(lang).join("ablauf.png"), b"\x89PNG fake").unwrap();
    }
    std::fs::write(course.join("geheim.txt"), "not linked").unwrap();
    std::fs::write(
        course.join("course.toml"),
        "id = \"kurs\"\nversion = \"1\"\nlanguages = [\"de\", \"en\"]\npass_percent = 80\nquestions_per_attempt = 0\nvalidity_months = 12\n[title]\nde = \"Kurs\"\nen = \"Course\"\n[summary]\nde = \"K\"\nen = \"C\"\n",
    )
    .unwrap();
    let app = spawn_app_with_courses(root.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;

    let (_, html) = browser.get_text("/courses/kurs/modules/text").await;
    let lesson = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
    assert!(!lesson.contains("<script"), "{lesson}");
    assert!(!lesson.contains("<a href=\"#\" onclick"), "{lesson}");
    assert!(lesson.contains("&lt;script&gt;"));
    assert!(lesson.contains("src=\"/courses/kurs/files/de/ablauf.png\""));

    let image = browser.get("/courses/kurs/files/de/ablauf.png").await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    for path in [
        "/courses/kurs/files/geheim.txt",
        "/courses/kurs/files/../kurs/course.toml",
        "/courses/kurs/files/de/..%2F..%2Fcourse.toml",
    ] {
        assert_eq!(
            browser.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_module_page_rendered_once_still_shows_each_person_their_own_name_token_and_menu() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let ben = app.person("Ben <i>Kurz</i>&Co", "Dezernat I", "").await;
    let chef = app.person("Carla Chef", "Dezernat I", "manager").await;
    let page = "/courses/grundlagen/modules/erste-schritte";
    let mut tokens = Vec::new();
    for (person, name) in [
        (&anna, "Anna Beck"),
        (&ben, "Ben &lt;i&gt;Kurz&lt;/i&gt;&amp;Co"),
        (&anna, "Anna Beck"),
        (&chef, "Carla Chef"),
    ] {
        let browser = app.signed_in(person).await;
        let (status, html) = browser.get_text(page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(name), "{name} is not on their page");
        assert!(!html.contains("<i>Kurz"), "a name is not escaped");
        // The token of the page's forms is the one of this person's session.
        let token = csrf_token_in(&html);
        assert_eq!(token, browser.csrf_token("/profile").await);
        assert!(!tokens.contains(&token));
        tokens.push(token);
        let others = ["Anna Beck", "Ben &lt;i&gt;Kurz", "Carla Chef"];
        assert_eq!(
            others.iter().filter(|n| html.contains(*n)).count(),
            1,
            "another person's name is on {name}'s page"
        );
        assert_eq!(html.contains("Mein Team"), name == "Carla Chef");
    }
}

#[tokio::test]
async fn progress_made_on_one_instance_shows_on_another_within_a_second() {
    let app = spawn_app().await;
    let second = app.second_instance().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let here = app.signed_in(&anna).await;
    let there = second.signed_in(&anna).await;
    let page = "/courses/grundlagen/modules/lesen";
    let (_, before) = there.get_text(page).await;
    assert!(before.contains("Gelesen – Modul abschließen"));

    let read = here.submit(page, &format!("{page}/read"), &[]).await;
    assert_eq!(read.status(), StatusCode::SEE_OTHER);
    // At once on the instance that recorded it.
    let (_, html) = here.get_text(page).await;
    assert!(!html.contains("Gelesen – Modul abschließen"));
    let started = std::time::Instant::now();
    loop {
        let (_, html) = there.get_text(page).await;
        if !html.contains("Gelesen – Modul abschließen") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the other instance still shows the module as open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_, course) = there.get_text("/courses/grundlagen").await;
    assert!(course.contains("1 von 2 Modulen erledigt"));
}
