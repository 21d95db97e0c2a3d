//! `kiwi courses check`: every problem in course content is reported as `path:line: message`.

use std::fs;
use std::path::Path;
use std::process::Command;

use kiwi::courses::assessment::Limits;
use kiwi::courses::check::check;
use kiwi::courses::load::load_catalog;
use reqwest::StatusCode;

use crate::helpers::{fixture_courses, spawn_app_with_courses};

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(file, text).unwrap();
}

const COURSE_TOML: &str = "id = \"kurs\"\nversion = \"1\"\nlanguages = [\"de\", \"en\"]\npass_percent = 80\nquestions_per_attempt = 2\nvalidity_months = 12\n[title]\nde = \"Kurs\"\nen = \"Course\"\n[summary]\nde = \"Kurs\"\nen = \"Course\"\n";

const GOOD_DE: &str = "+++\ntitle = \"Modul\"\nminutes = 5\nobjectives = [\"Ziel\"]\n+++\n\nText.\n\n## Quiz\n\n### Frage eins?\n- [x] Ja\n- [ ] Nein\n\n> Weil.\n\n### Frage zwei?\n- [ ] Ja\n- [x] Nein\n\n> Weil.\n";
const GOOD_EN: &str = "+++\ntitle = \"Module\"\nminutes = 5\nobjectives = [\"Goal\"]\n+++\n\nText.\n\n## Quiz\n\n### Question one?\n- [x] Yes\n- [ ] No\n\n> Because.\n\n### Question two?\n- [ ] Yes\n- [x] No\n\n> Because.\n";

/// Runs the loader on a course folder and returns its problems as printed lines.
fn problems(root: &Path) -> Vec<String> {
    match load_catalog(root) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|p| p.to_string().replace(&format!("{}/", root.display()), ""))
            .collect(),
    }
}

fn assert_reported(found: &[String], expected: &str) {
    assert!(
        found.iter().any(|line| line.starts_with(expected)),
        "expected a problem starting with {expected:?}, found:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_valid_course_loads() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(root.path(), "kurs/de/01-modul.md", GOOD_DE);
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    assert_eq!(problems(root.path()), Vec::<String>::new());
}

#[test]
fn course_toml_problems_name_the_line() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "syntax/course.toml",
        "id = \"syntax\"\nversion = 1.2.3\n",
    );
    write(
        root.path(),
        "falsch/course.toml",
        &COURSE_TOML.replace("id = \"kurs\"", "# course\nid = \"anders\""),
    );
    write(root.path(), "falsch/de/01-modul.md", GOOD_DE);
    write(root.path(), "falsch/en/01-modul.md", GOOD_EN);
    write(
        root.path(),
        "ohne/course.toml",
        &COURSE_TOML
            .replace("id = \"kurs\"", "id = \"ohne\"")
            .replace("version = \"1\"\n", ""),
    );
    let found = problems(root.path());
    assert_reported(&found, "syntax/course.toml:2: ");
    assert_reported(
        &found,
        "falsch/course.toml:2: id \"anders\" must equal the folder name \"falsch\"",
    );
    assert_reported(&found, "ohne/course.toml:1: missing field `version`");
}

#[test]
fn every_module_problem_is_reported_with_file_and_line() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "kurs/course.toml",
        &COURSE_TOML.replace("questions_per_attempt = 2", "questions_per_attempt = 9"),
    );
    // 01: no front matter. 02: bad front matter. 03: every quiz mistake at once.
    write(root.path(), "kurs/de/01-ohne.md", "# Nur Text\n");
    write(root.path(), "kurs/en/01-ohne.md", GOOD_EN);
    write(
        root.path(),
        "kurs/de/02-kopf.md",
        "+++\ntitle = \"Modul\"\nminutes = \"zehn\"\n+++\nText\n",
    );
    write(root.path(), "kurs/en/02-kopf.md", GOOD_EN);
    let broken = "+++\ntitle = \"Modul\"\nminutes = 5\nobjectives = [\"Ziel\"]\n+++\n\
        \n\
        ![Bild](bilder/fehlt.png) und [Anhang](../anhang.pdf) und [böse](javascript:alert(1))\n\
        \n\
        ## Quiz\n\
        \n\
        ### Ohne Optionen?\n\
        \n\
        > Erklärung.\n\
        \n\
        ### Ohne richtige Option?\n\
        - [ ] A\n\
        - [ ] B\n\
        \n\
        > Erklärung.\n\
        \n\
        ### Mit leerer Option?\n\
        - [x] A\n\
        - [ ] \n\
        \n\
        > Erklärung.\n\
        \n\
        ### Ohne richtige Option?\n\
        - [x] A\n\
        - [ ] B\n\
        \n\
        > Erklärung.\n";
    write(root.path(), "kurs/de/03-quiz.md", broken);
    write(root.path(), "kurs/en/03-quiz.md", GOOD_EN);
    // 04 exists only in German; 05 disagrees between the languages.
    write(root.path(), "kurs/de/04-nur-deutsch.md", GOOD_DE);
    write(root.path(), "kurs/de/05-anders.md", GOOD_DE);
    write(
        root.path(),
        "kurs/en/05-anders.md",
        &GOOD_EN.replace(
            "- [x] Yes\n- [ ] No\n\n> Because.\n\n### Question two",
            "- [ ] Yes\n- [x] No\n\n> Because.\n\n### Question two",
        ),
    );

    let found = problems(root.path());
    assert_reported(
        &found,
        "kurs/de/01-ohne.md:1: the file must start with front matter",
    );
    assert_reported(&found, "kurs/de/02-kopf.md:3: front matter:");
    assert_reported(
        &found,
        "kurs/de/03-quiz.md:7: link \"bilder/fehlt.png\" points to a missing file",
    );
    assert_reported(
        &found,
        "kurs/de/03-quiz.md:7: link \"../anhang.pdf\" points to a missing file",
    );
    assert_reported(
        &found,
        "kurs/de/03-quiz.md:7: link \"javascript:alert(1)\" is not allowed",
    );
    assert_reported(&found, "kurs/de/03-quiz.md:11: the question has no options");
    assert_reported(
        &found,
        "kurs/de/03-quiz.md:15: the question has no correct option",
    );
    assert_reported(&found, "kurs/de/03-quiz.md:23: an option has no text");
    assert_reported(
        &found,
        "kurs/de/03-quiz.md:27: duplicate question (the same as line 15)",
    );
    assert_reported(
        &found,
        "kurs/de/04-nur-deutsch.md:1: no en version of this module",
    );
    assert_reported(
        &found,
        "kurs/en/05-anders.md:11: question 1 differs from the de version",
    );
}

#[test]
fn a_pool_smaller_than_an_attempt_is_reported_in_course_toml() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "kurs/course.toml",
        &COURSE_TOML.replace("questions_per_attempt = 2", "questions_per_attempt = 3"),
    );
    write(root.path(), "kurs/de/01-modul.md", GOOD_DE);
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    assert_eq!(
        problems(root.path()),
        vec![
            "kurs/course.toml:5: questions_per_attempt is 3 but module 01-modul has only 2 questions"
        ]
    );
}

#[test]
fn the_check_command_fails_on_bad_content_and_passes_on_the_real_courses() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(
        root.path(),
        "kurs/de/01-modul.md",
        &GOOD_DE.replace("- [x] Ja", "- [ ] Ja"),
    );
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    let output = Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .args(["courses", "check"])
        .arg(root.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("kurs/de/01-modul.md:11: the question has no correct option"),
        "{stderr}"
    );

    // The test course is too small for the odds limits of real courses.
    for (dir, limits) in [
        (
            fixture_courses(),
            ["--max-longest-odds", "100", "--max-random-odds", "100"],
        ),
        (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("courses"),
            ["--max-longest-odds", "2", "--max-random-odds", "1"],
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_kiwi"))
            .args(["courses", "check"])
            .arg(&dir)
            .args(limits)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_server_refuses_to_start_on_invalid_content() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(root.path(), "kurs/de/01-modul.md", "kein front matter\n");
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .arg("serve")
        .env("KIWI_COURSES_DIR", root.path())
        .env("KIWI_DATA_DIR", data.path())
        .env("KIWI_BIND", "127.0.0.1:0")
        .env_remove("KIWI_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kiwi does not start"), "{stderr}");
    assert!(
        stderr.contains("kurs/de/01-modul.md:1: the file must start with front matter"),
        "{stderr}"
    );
}

/// Runs the whole check (as `kiwi courses check` does) and returns its problems as lines.
fn checked(root: &Path) -> Vec<String> {
    check(root, &root.join("contacts.toml"), &Limits::default())
        .problems
        .iter()
        .map(|p| p.to_string().replace(&format!("{}/", root.display()), ""))
        .collect()
}

#[test]
fn a_language_disagreement_is_reported_even_when_the_module_has_another_problem() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    // German: the second question lacks its explanation. English: the first question's
    // correct option sits elsewhere.
    write(
        root.path(),
        "kurs/de/01-modul.md",
        &GOOD_DE.replace("- [x] Nein\n\n> Weil.\n", "- [x] Nein\n"),
    );
    write(
        root.path(),
        "kurs/en/01-modul.md",
        &GOOD_EN.replacen("- [x] Yes\n- [ ] No", "- [ ] Yes\n- [x] No", 1),
    );
    let found = problems(root.path());
    assert_reported(
        &found,
        "kurs/de/01-modul.md:17: the question has no explanation",
    );
    assert_reported(
        &found,
        "kurs/en/01-modul.md:11: question 1 differs from the de version: 2 options with [x] at [2] here, 2 options with [x] at [1] there",
    );
}

#[tokio::test]
async fn a_symbolic_link_out_of_a_course_is_reported_and_never_served() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "geheim.txt", "a file elsewhere on the host");
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(
        root.path(),
        "kurs/de/01-modul.md",
        &GOOD_DE.replace("Text.", "Siehe [Anhang](anhang.txt)."),
    );
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    std::os::unix::fs::symlink(
        outside.path().join("geheim.txt"),
        root.path().join("kurs/de/anhang.txt"),
    )
    .unwrap();

    assert_reported(
        &checked(root.path()),
        "kurs/de/anhang.txt:1: symbolic link not allowed",
    );

    let app = spawn_app_with_courses(root.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (_, html) = browser.get_text("/courses/kurs/modules/modul").await;
    assert!(html.contains("/courses/kurs/files/de/anhang.txt"), "{html}");
    let (status, body) = browser.get_text("/courses/kurs/files/de/anhang.txt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("elsewhere on the host"));
}

#[test]
fn a_quiz_that_can_be_passed_without_knowing_is_reported_rule_by_rule() {
    let root = crate::helpers::fixtures().join("assessment");
    let found = checked(&root);
    let de = "schlecht/de/01-quiz.md";
    for expected in [
        format!("{de}:13: a single-choice question needs at least 3 options (this one has 2)"),
        format!("{de}:13: the correct option is the strictly longest (41 characters)"),
        format!("{de}:21: \"immer\" appears only in wrong options of this module"),
        format!("{de}:21: the question is nearly the same as the one at line 13"),
        format!("{de}:21: the explanation must end with a link to the lesson section it tests"),
        format!(
            "{de}:28: the explanation links to #gibt-es-nicht, but no heading of this module has that anchor (it has: #worum-es-geht)"
        ),
        format!(
            "{de}:11: the pool has 4 questions; at least twice the 3 drawn per attempt (6) are needed"
        ),
        format!("{de}:11: guessing at random passes 5.09 % of attempts (at most 1 % allowed)"),
        format!(
            "{de}:11: always picking the longest option passes 25.00 % of attempts (at most 2 % allowed)"
        ),
        "schlecht/en/01-quiz.md:21: \"always\" appears only in wrong options of this module"
            .to_owned(),
    ] {
        assert_reported(&found, &expected);
    }

    // Both odds are printed for every module and language, with their mean, and the
    // limits are flags.
    let output = Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .args(["courses", "check"])
        .arg(&root)
        .args(["--max-longest-odds", "30", "--max-random-odds", "6"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("schlecht/01-quiz (de): 4 questions, 3 drawn, 3 right needed; correct option strictly longest in 3 of 4 single-choice; guessing 5.09 %, longest option 25.00 %"),
        "{stdout}"
    );
    assert!(stdout.contains("schlecht/01-quiz (en):"), "{stdout}");
    assert!(
        stdout.contains("mean over 1 modules (de): guessing 5.09 %, longest option 25.00 %"),
        "{stdout}"
    );
    assert!(!stderr.contains("of attempts (at most"), "{stderr}");
    assert!(!output.status.success(), "the other rules still fail");
}

#[test]
fn a_contact_link_to_an_unknown_id_is_reported() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "contacts.toml",
        "[[contact]]\nid = \"data-protection\"\ntitle = { de = \"Datenschutz\", en = \"Data protection\" }\nname = { de = \"Dr. Petra Beispiel\", en = \"Dr Petra Beispiel\" }\nemail = \"datenschutz@musterstadt.example\"\n",
    );
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(
        root.path(),
        "kurs/de/01-modul.md",
        &GOOD_DE.replace(
            "Text.",
            "Fragen Sie [den Datenschutz](contact:data-protection) oder [den Hausmeister](contact:hausmeister).",
        ),
    );
    write(root.path(), "kurs/en/01-modul.md", GOOD_EN);
    let found = checked(root.path());
    assert_reported(
        &found,
        "kurs/de/01-modul.md:7: link \"contact:hausmeister\" names no contact of the contacts file (it has: data-protection)",
    );
    assert!(
        !found.iter().any(|p| p.contains("contact:data-protection")),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_lesson_names_the_configured_contact_and_the_policy_page_lists_whom_to_ask() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "kurs/course.toml", COURSE_TOML);
    write(
        root.path(),
        "kurs/de/01-modul.md",
        &GOOD_DE.replace(
            "Text.",
            "Im Zweifel fragen Sie [die Datenschutzbeauftragte](contact:data-protection).",
        ),
    );
    write(
        root.path(),
        "kurs/en/01-modul.md",
        &GOOD_EN.replace(
            "Text.",
            "When in doubt, ask [the data protection officer](contact:data-protection).",
        ),
    );
    let app = spawn_app_with_courses(root.path()).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (_, html) = browser.get_text("/courses/kurs/modules/modul").await;
    assert!(
        html.contains("Im Zweifel fragen Sie die Datenschutzbeauftragte (<a href=\"mailto:datenschutz@musterstadt.example\" title=\"Datenschutzbeauftragte\">Dr. Petra Beispiel</a>, Tel. 0511 000-1101)."),
        "{html}"
    );

    let (status, policy) = browser.get_text("/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        policy.contains("<h2 id=\"contacts-heading\">Wen frage ich?</h2>"),
        "{policy}"
    );
    for (title, email) in [
        ("Datenschutzbeauftragte", "datenschutz@musterstadt.example"),
        (
            "Informationssicherheit",
            "informationssicherheit@musterstadt.example",
        ),
        ("KI-Koordination", "ki-koordination@musterstadt.example"),
        ("Personalrat", "personalrat@musterstadt.example"),
        (
            "Fortbildung im Personalamt",
            "fortbildung@musterstadt.example",
        ),
    ] {
        assert!(policy.contains(&format!("<dt>{title}</dt>")), "{title}");
        assert!(
            policy.contains(&format!("<a href=\"mailto:{email}\">{email}</a>")),
            "{email}"
        );
    }
}
