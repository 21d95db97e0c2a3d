//! Quizzes: drawn on the server, graded once, private to the person who took them.

use std::collections::HashSet;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{location, spawn_app};
use kiwi::entities::{module_completion, quiz_attempt};

#[tokio::test]
async fn the_quiz_page_reveals_nothing_about_the_correct_options() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let (status, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches("<fieldset").count(),
        2,
        "two questions are drawn"
    );
    assert!(html.contains("<legend>"));
    for hint in [
        "checked",
        "correct",
        "option-correct",
        "[x]",
        "Das Fruchtfleisch",
        "teilbar",
        "sieben Tage",
    ] {
        assert!(!html.contains(hint), "the quiz page contains {hint:?}");
    }
    // Option values are display positions 0, 1, 2, the same for every question.
    for (start, _) in html.match_indices("name=\"q") {
        let input = &html[start..start + html[start..].find('>').unwrap()];
        let value = input
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(["0", "1", "2"].contains(&value), "{input}");
    }
}

#[tokio::test]
async fn right_answers_pass_the_module_and_show_the_explanations() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let response = browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/attempts/{attempt}#result"));

    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(html.contains("Bestanden"));
    assert!(html.contains("Sie haben 100 Prozent erreicht"));
    assert!(html.contains("Erklärung"));
    let completions = module_completion::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(completions.len(), 1);
    assert_eq!(completions[0].course_version, "1");
}

#[tokio::test]
async fn wrong_answers_fail_and_complete_nothing() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(html.contains("Nicht bestanden"));
    assert!(html.contains("Sie haben 0 Prozent erreicht"));
    assert!(
        module_completion::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    // A new attempt can be started afterwards, with its own draw.
    let again = browser.start_quiz("grundlagen", "erste-schritte").await;
    assert_ne!(again, attempt);
}

#[tokio::test]
async fn an_unanswered_question_is_marked_and_nothing_is_stored() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let mut answers = app.answers(&attempt, true).await;
    answers.retain(|(field, _)| field != "q1");
    let response = browser.answer(&attempt, &answers).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"q1-error\""));
    assert!(html.contains("Bitte beantworten Sie diese Frage."));
    assert!(html.contains(" checked"), "the given answer is kept");
    let stored = quiz_attempt::Entity::find().all(&app.db).await.unwrap();
    assert!(stored[0].submitted_at.is_none());
}

#[tokio::test]
async fn a_double_submitted_quiz_counts_once() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;
    // The back button and a second click: now with wrong answers.
    let second = browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(html.contains("Bestanden"));
    let attempts = quiz_attempt::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].score_percent, Some(100));
}

#[tokio::test]
async fn twenty_concurrent_submissions_of_one_attempt_grade_it_exactly_once() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let token = browser.csrf_token(&format!("/attempts/{attempt}")).await;
    let right = app.answers(&attempt, true).await;
    let wrong = app.answers(&attempt, false).await;
    let submissions = (0..20).map(|n| {
        let answers = if n % 2 == 0 {
            right.clone()
        } else {
            wrong.clone()
        };
        let (browser, attempt, token) = (&browser, attempt.clone(), token.clone());
        async move {
            browser
                .post_answers(&attempt, &token, &answers)
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(submissions).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );

    let attempts = quiz_attempt::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].submitted_at.is_some());
    let completions = module_completion::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        completions.len(),
        usize::from(attempts[0].passed == Some(true))
    );
    // The page shows the one stored result, whichever submission won.
    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    let expected = format!(
        "Sie haben {} Prozent erreicht",
        attempts[0].score_percent.unwrap()
    );
    assert!(html.contains(&expected));
}

#[tokio::test]
async fn nobody_can_open_or_submit_another_persons_attempt() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let bernd = app.person("Bernd Cho", "Dezernat I", "").await;
    let annas = app.signed_in(&anna).await;
    let attempt = annas.start_quiz("grundlagen", "erste-schritte").await;

    let bernds = app.signed_in(&bernd).await;
    assert_eq!(
        bernds.get(&format!("/attempts/{attempt}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let token = bernds.csrf_token("/").await;
    let response = bernds
        .post_answers(&attempt, &token, &app.answers(&attempt, true).await)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let stored = quiz_attempt::Entity::find().all(&app.db).await.unwrap();
    assert!(stored[0].submitted_at.is_none());
}

#[tokio::test]
async fn switching_language_mid_course_keeps_progress() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let (_, german) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(german.contains("<html lang=\"de\">"));

    browser
        .submit("/", "/language", &[("language", "en")])
        .await;
    let (_, english) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(english.contains("Submit answers"));
    browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;

    let (_, course) = browser.get_text("/courses/grundlagen").await;
    assert!(course.contains("1 of 2 modules done"), "{course}");
    assert!(course.contains("First steps"));
}

#[tokio::test]
async fn an_open_attempt_is_resumed_rather_than_drawn_again() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let first = browser.start_quiz("grundlagen", "erste-schritte").await;
    let second = browser.start_quiz("grundlagen", "erste-schritte").await;
    assert_eq!(first, second);
    let draws: HashSet<String> = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::Id.is_not_null())
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.draw)
        .collect();
    assert_eq!(draws.len(), 1);
}

/// A copy of the fixture course with extra lines in its course.toml.
fn fixture_with(extra: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let source = crate::helpers::fixture_courses().join("grundlagen");
    let target = root.path().join("grundlagen");
    for lang in ["de", "en"] {
        std::fs::create_dir_all(target.join(lang)).unwrap();
        for entry in std::fs::read_dir(source.join(lang)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(lang).join(entry.file_name())).unwrap();
        }
    }
    // Without the fixture's `cooldown_minutes = 0`, the defaults apply unless `extra` sets them.
    let toml = std::fs::read_to_string(source.join("course.toml"))
        .unwrap()
        .replace("cooldown_minutes = 0\n", "");
    let toml = toml.replace(
        "validity_months = 12",
        &format!("validity_months = 12\n{extra}"),
    );
    std::fs::write(target.join("course.toml"), toml).unwrap();
    root
}

#[tokio::test]
async fn an_attempt_limit_refuses_further_attempts() {
    let courses = fixture_with("max_attempts = 1");
    let app = crate::helpers::spawn_app_with_courses(courses.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    let page = "/courses/grundlagen/modules/erste-schritte";
    let response = browser.submit(page, &format!("{page}/attempts"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("keine weiteren Versuche")
    );
}

#[tokio::test]
async fn a_cooldown_after_a_failed_attempt_says_when_to_try_again() {
    let courses = fixture_with("cooldown_minutes = 30\ncooldown_after_failures = 1");
    let app = crate::helpers::spawn_app_with_courses(courses.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    let page = "/courses/grundlagen/modules/erste-schritte";
    let response = browser.submit(page, &format!("{page}/attempts"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Der nächste Versuch ist ab")
    );
}

#[tokio::test]
async fn starting_a_quiz_twice_at_once_opens_one_attempt() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let page = "/courses/grundlagen/modules/erste-schritte";
    let token = browser.csrf_token(page).await;
    let starts = (0..10).map(|_| {
        browser
            .client
            .post(browser.url(&format!("{page}/attempts")))
            .form(&[("csrf_token", token.as_str())])
            .send()
    });
    let responses = futures_util::future::join_all(starts).await;
    let targets: HashSet<String> = responses
        .iter()
        .map(|r| location(r.as_ref().unwrap()))
        .collect();
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(
        quiz_attempt::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Fails an attempt of the fixture module and returns its id.
async fn fail_once(app: &crate::helpers::TestApp, browser: &crate::helpers::Browser) -> String {
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    attempt
}

/// Moves every submitted attempt back in time, as if `minutes` had passed.
async fn let_time_pass(app: &crate::helpers::TestApp, minutes: i64) {
    use sea_orm::{ActiveModelTrait, Set};
    for attempt in quiz_attempt::Entity::find().all(&app.db).await.unwrap() {
        let Some(at) = attempt.submitted_at else {
            continue;
        };
        let mut earlier: quiz_attempt::ActiveModel = attempt.into();
        earlier.submitted_at = Set(Some(at - chrono::Duration::minutes(minutes)));
        earlier.update(&app.db).await.unwrap();
    }
}

#[tokio::test]
async fn two_failed_attempts_in_a_row_mean_half_an_hour_to_re_read_before_the_third() {
    let courses = fixture_with("");
    let app = crate::helpers::spawn_app_with_courses(courses.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    fail_once(&app, &browser).await;
    let second = fail_once(&app, &browser).await;

    let page = "/courses/grundlagen/modules/erste-schritte";
    let response = browser.submit(page, &format!("{page}/attempts"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let submitted = quiz_attempt::Entity::find_by_id(uuid::Uuid::parse_str(&second).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .submitted_at
        .unwrap();
    // In the administration's time zone (KIWI_TIMEZONE), as every time shown.
    let retry = app
        .state
        .settings
        .local_time()
        .clock(submitted + chrono::Duration::minutes(30));
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("Der nächste Versuch ist ab {retry} Uhr möglich")),
        "{html}"
    );

    let_time_pass(&app, 29).await;
    let response = browser.submit(page, &format!("{page}/attempts"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "29 minutes later");
    let_time_pass(&app, 2).await;
    let third = browser.start_quiz("grundlagen", "erste-schritte").await;
    assert_ne!(third, second);
}

#[tokio::test]
async fn a_pass_in_between_resets_the_failures_in_a_row() {
    let courses = fixture_with("");
    let app = crate::helpers::spawn_app_with_courses(courses.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    fail_once(&app, &browser).await;
    let passed = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&passed, &app.answers(&passed, true).await)
        .await;
    fail_once(&app, &browser).await;
    // One failure since the pass: no pause yet.
    let next = browser.start_quiz("grundlagen", "erste-schritte").await;
    assert_ne!(next, passed);
}

#[tokio::test]
async fn cooldown_minutes_zero_switches_the_pause_off() {
    let courses = fixture_with("cooldown_minutes = 0");
    let app = crate::helpers::spawn_app_with_courses(courses.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    for _ in 0..3 {
        fail_once(&app, &browser).await;
    }
    browser.start_quiz("grundlagen", "erste-schritte").await;
}

#[tokio::test]
async fn a_failed_attempt_lists_the_lesson_sections_to_re_read() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(
        html.contains("Lesen Sie diese Abschnitte noch einmal:"),
        "{html}"
    );

    // Question 1 and 4 of the pool test "Worum es geht", 2 and 3 "Zahlen und Tage".
    let stored = quiz_attempt::Entity::find_by_id(uuid::Uuid::parse_str(&attempt).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let drawn: HashSet<usize> = kiwi::services::grading::drawn_questions(&stored)
        .unwrap()
        .iter()
        .map(|d| d.question)
        .collect();
    let result = &html[html.find("id=\"result\"").unwrap()..html.find("</section>").unwrap()];
    for (questions, anchor, title) in [
        ([0, 3], "worum-es-geht", "Worum es geht"),
        ([1, 2], "zahlen-und-tage", "Zahlen und Tage"),
    ] {
        let link =
            format!("<a href=\"/courses/grundlagen/modules/erste-schritte#{anchor}\">{title}</a>");
        assert_eq!(
            result.contains(&link),
            questions.iter().any(|q| drawn.contains(q)),
            "{link} for the drawn questions {drawn:?}: {result}"
        );
    }
    // The explanation's own link leads to the lesson section too.
    assert!(html.contains("href=\"/courses/grundlagen/modules/erste-schritte#"));
}

#[tokio::test]
async fn a_passed_attempt_lists_nothing_to_re_read() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    browser
        .answer(&attempt, &app.answers(&attempt, true).await)
        .await;
    let (_, html) = browser.get_text(&format!("/attempts/{attempt}")).await;
    assert!(html.contains("Bestanden"));
    assert!(!html.contains("Lesen Sie diese Abschnitte noch einmal"));
}
