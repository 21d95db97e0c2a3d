//! Directory groups against a real OpenLDAP: kiwi keeps a tool's group as who may use the
//! tool now. Completing the courses adds a person; a revocation, an expiry (noticed at its
//! second, with no write), leaving and an unacknowledged new policy remove them; a
//! directory that is down catches up; two instances never apply an operation twice;
//! reconciliation adds, removes and leaves alone what it does not manage.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::helpers::{self, Browser, Person, TestApp, TestConfig, fixtures, spawn_app_with};
use crate::ldap::{ADMIN_DN, Slapd, group_dn};
use kiwi::domain::Actor;
use kiwi::entities::outbox_operation::{self, STATUS_DONE, STATUS_FAILED, STATUS_GAVE_UP};
use kiwi::entities::{certificate, user};
use kiwi::services::import::{self, ImportOptions};
use kiwi::services::integrations::{self, Entitlement, Holder};

const GROUP: &str = "ki-testbot";
const METRICS_TOKEN: &str = "directory-metrics-token";

/// The fixtures' tools, the test bot with a directory group.
fn tools_with_group(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::fs::read_to_string(fixtures().join("tools.toml")).unwrap();
    let with_group = fixtures.replacen(
        "requires_courses = [\"grundlagen\"]\n",
        &format!(
            "requires_courses = [\"grundlagen\"]\ndirectory_group = \"{}\"\n{extra}",
            group_dn(GROUP)
        ),
        1,
    );
    assert_ne!(with_group, fixtures);
    let path = dir.path().join("tools.toml");
    std::fs::write(&path, with_group).unwrap();
    (dir, path)
}

struct Setup {
    app: TestApp,
    slapd: Slapd,
    tools: PathBuf,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_with(Slapd::start(&[GROUP])).await
}

async fn setup_with(slapd: Slapd) -> Setup {
    let (dir, tools) = tools_with_group("");
    let app = spawn_app_with(TestConfig {
        tools: tools.clone(),
        adjust: Some(slapd.settings()),
        metrics_token: Some(METRICS_TOKEN),
        ..Default::default()
    })
    .await;
    Setup {
        app,
        slapd,
        tools,
        _dir: dir,
    }
}

impl Setup {
    fn group(&self) -> String {
        group_dn(GROUP)
    }

    /// Another instance on the same database and directory, with these settings.
    async fn instance(&self, policy: Option<PathBuf>) -> TestApp {
        spawn_app_with(TestConfig {
            database_url: Some(self.app.database_url.clone()),
            tools: self.tools.clone(),
            policy: policy.unwrap_or_else(|| fixtures().join("policy")),
            adjust: Some(self.slapd.settings()),
            ..Default::default()
        })
        .await
    }

    /// A kiwi person who is in the directory too (matched by mail); their DN.
    async fn person_in_directory(&self, name: &str) -> (Person, String) {
        let person = self.app.person(name, "Dezernat I", "").await;
        let record = record_of(&self.app, &person).await;
        let uid = person.email.split('@').next().unwrap().to_owned();
        let dn = self
            .slapd
            .add_person(&uid, &person.email, &record.personnel_number);
        (person, dn)
    }

    /// Completes the course and acknowledges the policy: the tool opens.
    async fn certify(&self, person: &Person) -> Browser {
        let browser = self.app.signed_in(person).await;
        self.app.complete_course(&browser).await;
        browser.acknowledge_policy().await;
        self.app.wait_for_feed().await;
        browser
    }

    async fn members(&self, check: impl Fn(&[String]) -> bool) -> Vec<String> {
        self.slapd
            .wait_for_members(&self.group(), "member", check)
            .await
    }
}

async fn record_of(app: &TestApp, person: &Person) -> user::Model {
    kiwi::db::users::by_email(&app.db, &person.email.to_lowercase())
        .await
        .unwrap()
        .expect("the person exists")
}

async fn operations_of(app: &TestApp, person: &Person) -> Vec<outbox_operation::Model> {
    let id = record_of(app, person).await.id;
    kiwi::db::operations::of_user(&app.db, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == outbox_operation::KIND_DIRECTORY)
        .collect()
}

/// Waits until the person's directory operations satisfy `check`.
async fn wait_for_operations(
    app: &TestApp,
    person: &Person,
    check: impl Fn(&[outbox_operation::Model]) -> bool,
) -> Vec<outbox_operation::Model> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let operations = operations_of(app, person).await;
        if check(&operations) {
            return operations;
        }
        assert!(
            Instant::now() < deadline,
            "the operations never got there: {:?}",
            operations
                .iter()
                .map(|o| (&o.action, &o.status, o.tries, &o.last_error))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn summary(operations: &[outbox_operation::Model]) -> Vec<(String, Option<String>, String)> {
    operations
        .iter()
        .map(|o| (o.action.clone(), o.reason.clone(), o.status.clone()))
        .collect()
}

fn done(action: &str, reason: Option<&str>) -> (String, Option<String>, String) {
    (
        action.to_owned(),
        reason.map(str::to_owned),
        STATUS_DONE.to_owned(),
    )
}

#[tokio::test]
async fn completing_the_courses_makes_a_member_and_a_revocation_removes_them() {
    let s = setup().await;
    let (anna, dn) = s.person_in_directory("Anna Beck").await;
    s.certify(&anna).await;
    let members = s.members(|m| m.contains(&dn)).await;
    assert!(members.contains(&ADMIN_DN.to_owned()), "unmanaged kept");
    let operations = wait_for_operations(&s.app, &anna, |o| {
        o.len() == 1 && o[0].status == STATUS_DONE
    })
    .await;
    assert_eq!(operations[0].action, "add");
    assert_eq!(operations[0].outcome.as_deref(), Some("added"));
    assert_eq!(operations[0].tries, 1);
    assert_eq!(operations[0].tool_id.as_deref(), Some("testbot"));

    s.app.revoke_certificate_of(&anna).await;
    s.members(|m| !m.contains(&dn)).await;
    let operations = wait_for_operations(&s.app, &anna, |o| {
        o.len() == 2 && o[1].status == STATUS_DONE
    })
    .await;
    assert_eq!(
        summary(&operations),
        [done("add", None), done("remove", Some("revoked"))]
    );
    assert_eq!(operations[1].outcome.as_deref(), Some("removed"));
    // The tool without a group (offen) and the mail outbox are not involved.
    assert!(operations.iter().all(|o| o.target == s.group()));
}

#[tokio::test]
async fn an_expiry_removes_the_member_at_its_second_without_any_write() {
    let s = setup().await;
    let (anna, dn) = s.person_in_directory("Anna Beck").await;
    s.certify(&anna).await;
    s.members(|m| m.contains(&dn)).await;
    wait_for_operations(&s.app, &anna, |o| {
        o.len() == 1 && o[0].status == STATUS_DONE
    })
    .await;

    // The certificate now ends in three seconds; from here on kiwi writes nothing that
    // would tell it, and no request is made.
    let ends = Utc::now() + chrono::Duration::seconds(3);
    let ends = ends - chrono::Duration::nanoseconds(i64::from(ends.timestamp_subsec_nanos()));
    let mut ending = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(record_of(&s.app, &anna).await.id))
        .one(&s.app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    ending.valid_until = Set(ends);
    ending.update(&s.app.db).await.unwrap();

    let operations = wait_for_operations(&s.app, &anna, |o| o.len() == 2).await;
    let removal = &operations[1];
    assert_eq!(removal.action, "remove");
    assert_eq!(removal.reason.as_deref(), Some("expired"));
    assert!(removal.created_at >= ends, "not before its end");
    assert!(
        removal.created_at < ends + chrono::Duration::milliseconds(1500),
        "at its second: queued {} after the end",
        removal.created_at - ends
    );
    s.members(|m| !m.contains(&dn)).await;
    // Noticed once, however often the watch looks (and on however many instances).
    let second = s.instance(None).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(operations_of(&second, &anna).await.len(), 2);
}

#[tokio::test]
async fn a_person_who_leaves_is_removed() {
    let s = setup().await;
    let (anna, dn) = s.person_in_directory("Anna Beck").await;
    s.certify(&anna).await;
    s.members(|m| m.contains(&dn)).await;

    // HR's file no longer has Anna: everyone not in it leaves.
    let csv = "personnel_number,name,email,org_unit,roles\nP-NEW-1,Neu Person,neu.person@stadt.example,Dezernat I,\n";
    let options = ImportOptions {
        mark_missing_as_left: true,
    };
    let report = import::import_csv(
        &s.app.db,
        &s.app.state.mail,
        csv.as_bytes(),
        options,
        Actor::Operator,
    )
    .await
    .unwrap();
    assert!(report.marked_left >= 1);
    s.members(|m| !m.contains(&dn)).await;
    let operations = wait_for_operations(&s.app, &anna, |o| {
        o.len() == 2 && o[1].status == STATUS_DONE
    })
    .await;
    assert_eq!(
        summary(&operations),
        [done("add", None), done("remove", Some("left"))]
    );
}

#[tokio::test]
async fn a_new_policy_that_a_member_has_not_acknowledged_removes_them() {
    let s = setup().await;
    let (anna, dn) = s.person_in_directory("Anna Beck").await;
    s.certify(&anna).await;
    s.members(|m| m.contains(&dn)).await;

    // A new version of the policy is published: an instance starts with it.
    let policy = tempfile::tempdir().unwrap();
    for language in ["de", "en"] {
        let text = std::fs::read_to_string(fixtures().join(format!("policy/{language}.md")))
            .unwrap()
            .replace("version = \"test-1\"", "version = \"test-2\"");
        std::fs::write(policy.path().join(format!("{language}.md")), text).unwrap();
    }
    let second = s.instance(Some(policy.path().to_path_buf())).await;
    s.members(|m| !m.contains(&dn)).await;
    let operations = wait_for_operations(&second, &anna, |o| {
        o.len() == 2 && o[1].status == STATUS_DONE
    })
    .await;
    assert_eq!(
        summary(&operations),
        [done("add", None), done("remove", Some("policy"))]
    );
    // Acknowledging the new version opens the tool again.
    let browser = second.signed_in(&anna).await;
    browser.acknowledge_policy().await;
    s.members(|m| m.contains(&dn)).await;
    // A restart with the same version tells nothing again.
    let third = s.instance(Some(policy.path().to_path_buf())).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(operations_of(&third, &anna).await.len(), 3);
}

#[tokio::test]
async fn a_directory_that_is_down_catches_up_in_order_when_it_returns() {
    let mut s = setup().await;
    let (anna, anna_dn) = s.person_in_directory("Anna Beck").await;
    let (bernd, bernd_dn) = s.person_in_directory("Bernd Cho").await;
    s.slapd.down();

    // While the directory is down Anna gains and loses the tool, Bernd gains it.
    s.certify(&anna).await;
    s.certify(&bernd).await;
    wait_for_operations(&s.app, &anna, |o| {
        o.len() == 1 && o[0].status == STATUS_FAILED
    })
    .await;
    s.app.revoke_certificate_of(&anna).await;
    let waiting = wait_for_operations(&s.app, &anna, |o| o.len() == 2).await;
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("unavailable")
    );
    assert!(waiting[0].next_try_at > Utc::now(), "retried after a pause");

    s.slapd.up();
    // The next try is due after the pause; a pass at that time catches up, in order.
    let worker = s.app.state.directory_worker.as_ref().unwrap();
    let later = Utc::now() + chrono::Duration::minutes(20);
    worker.apply_all_due(&s.app.db, later).await.unwrap();
    let members = s.members(|m| m.contains(&bernd_dn)).await;
    assert!(
        !members.contains(&anna_dn),
        "added, then removed: {members:?}"
    );
    let operations = operations_of(&s.app, &anna).await;
    assert_eq!(
        summary(&operations),
        [done("add", None), done("remove", Some("revoked"))]
    );
    assert!(operations[0].tries >= 2);
}

#[tokio::test]
async fn two_instances_never_apply_the_same_operation_twice() {
    let s = setup().await;
    let second = s.instance(None).await;
    const PEOPLE: usize = 30;
    let now = Utc::now();
    let tool = s
        .app
        .state
        .tools
        .iter()
        .find(|t| t.id == "testbot")
        .unwrap()
        .clone();
    let mut dns = Vec::new();
    let txn = kiwi::db::begin_write(&s.app.db).await.unwrap();
    for n in 0..PEOPLE {
        let email = format!("person{n}@stadt.example");
        dns.push(
            s.slapd
                .add_person(&format!("person{n}"), &email, &n.to_string()),
        );
        let holder = Holder {
            user_id: uuid::Uuid::now_v7(),
            email,
            personnel_number: n.to_string(),
        };
        let granted = Entitlement::Granted { valid_until: None };
        integrations::queue_entitlement(&txn, &tool, &holder, granted, None, now)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();

    // Both instances' background workers run; two more passes race them from each.
    let first_worker = s.app.state.directory_worker.as_ref().unwrap();
    let second_worker = second.state.directory_worker.as_ref().unwrap();
    let (a, b, c, d) = tokio::join!(
        first_worker.apply_all_due(&s.app.db, now),
        second_worker.apply_all_due(&second.db, now),
        first_worker.apply_all_due(&s.app.db, now),
        second_worker.apply_all_due(&second.db, now),
    );
    for pass in [a, b, c, d] {
        pass.unwrap();
    }
    let members = s.members(|m| m.len() == PEOPLE + 1).await;
    for dn in &dns {
        assert!(members.contains(dn));
    }
    let operations = wait_until_all_done(&s.app).await;
    assert_eq!(operations.len(), PEOPLE);
    assert!(
        operations
            .iter()
            .all(|o| o.tries == 1 && o.outcome.as_deref() == Some("added")),
        "each operation was claimed once and made the change itself: {:?}",
        operations
            .iter()
            .map(|o| (o.tries, &o.outcome))
            .collect::<Vec<_>>()
    );
}

async fn wait_until_all_done(app: &TestApp) -> Vec<outbox_operation::Model> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = outbox_operation::Entity::find().all(&app.db).await.unwrap();
        if all.iter().all(|o| o.status == STATUS_DONE) {
            return all;
        }
        assert!(Instant::now() < deadline, "not all done");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_person_not_in_the_directory_is_reported_not_retried() {
    let s = setup().await;
    let admin = s.app.person("Jonas Becker", "IT", "admin").await;
    let clara = s.app.person("Clara Fehlt", "Dezernat I", "").await;
    s.certify(&clara).await;
    let operations = wait_for_operations(&s.app, &clara, |o| {
        o.len() == 1 && o[0].status == STATUS_GAVE_UP
    })
    .await;
    assert_eq!(operations[0].tries, 1);
    let error = operations[0].last_error.clone().unwrap();
    assert!(error.contains("not in the directory"), "{error}");
    assert!(error.contains(&clara.email), "{error}");

    // Counted by kind and status for the metrics.
    let metrics = reqwest::Client::new()
        .get(format!("{}/metrics", s.app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |channel: &str, status: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("kiwi_outbox_items{")
                    && l.contains(&format!("channel=\"{channel}\""))
                    && l.contains(&format!("status=\"{status}\""))
            })
            .map(|l| l.rsplit(' ').next().unwrap().to_owned())
    };
    assert_eq!(
        line("directory", "gave_up").as_deref(),
        Some("1"),
        "{metrics}"
    );
    assert_eq!(
        line("directory", "queued").as_deref(),
        Some("0"),
        "{metrics}"
    );
    assert_eq!(line("webhook", "failed").as_deref(), Some("0"), "{metrics}");

    let browser = s.app.signed_in(&admin).await;
    let (status, page) = browser.get_text("/admin/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Verzeichnisgruppen und Webhooks"), "{page}");
    assert!(page.contains(&clara.email));
    assert!(page.contains("not in the directory"), "the error is shown");
    assert!(page.contains(&s.group()));
    assert!(!page.contains(crate::ldap::KIWI_PASSWORD), "no password");
    // Once she is in the directory, the administrator queues it again.
    let uid = "clara";
    let number = record_of(&s.app, &clara).await.personnel_number;
    let dn = s.slapd.add_person(uid, &clara.email, &number);
    let response = browser
        .submit(
            "/admin/integrations",
            &format!("/admin/integrations/{}/retry", operations[0].id),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    s.members(|m| m.contains(&dn)).await;

    let employee = s.app.signed_in(&clara).await;
    assert_eq!(
        employee.get("/admin/integrations").await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = employee
        .client
        .post(employee.url(&format!("/admin/integrations/{}/retry", operations[0].id)))
        .form(&[("csrf_token", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn groups_of_uids_are_kept_too() {
    let slapd = Slapd::start(&[]);
    let group = slapd.add_posix_group("ki-posix");
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::fs::read_to_string(fixtures().join("tools.toml")).unwrap();
    let tools = dir.path().join("tools.toml");
    std::fs::write(
        &tools,
        fixtures.replacen(
            "requires_courses = [\"grundlagen\"]\n",
            &format!("requires_courses = [\"grundlagen\"]\ndirectory_group = \"{group}\"\n"),
            1,
        ),
    )
    .unwrap();
    let ldap = slapd.settings();
    let app = spawn_app_with(TestConfig {
        tools,
        adjust: Some(std::sync::Arc::new(move |settings| {
            ldap(settings);
            settings.ldap_member_attribute = "memberUid".into();
            settings.ldap_match_attribute = "employeeNumber".into();
        })),
        ..Default::default()
    })
    .await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let number = record_of(&app, &anna).await.personnel_number;
    // Matched by personnel number: the directory's mail differs.
    slapd.add_person("abeck", "a.beck@elsewhere.example", &number);
    let browser = app.signed_in(&anna).await;
    app.complete_course(&browser).await;
    browser.acknowledge_policy().await;
    slapd
        .wait_for_members(&group, "memberUid", |m| m == ["abeck"])
        .await;
    app.revoke_certificate_of(&anna).await;
    slapd
        .wait_for_members(&group, "memberUid", |m| m.is_empty())
        .await;
}

/// Runs `kiwi directory sync` as an operator would, against the test's database and
/// directory.
async fn sync_command(s: &Setup, dry_run: bool) -> (bool, String, String) {
    sync_command_with(s, dry_run, &[]).await
}

async fn sync_command_with(
    s: &Setup,
    dry_run: bool,
    env: &[(&str, &std::path::Path)],
) -> (bool, String, String) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kiwi"));
    command.args(["directory", "sync"]);
    if dry_run {
        command.arg("--dry-run");
    }
    command
        .env("KIWI_DATABASE_URL", &s.app.database_url)
        .env("KIWI_DATA_DIR", data_dir.path())
        .env("KIWI_COURSES_DIR", helpers::fixture_courses())
        .env("KIWI_TOOLS_FILE", &s.tools)
        .env("KIWI_POLICY_DIR", fixtures().join("policy"))
        .env("KIWI_CONTACTS", fixtures().join("contacts.toml"))
        .env("KIWI_LDAP_URL", s.slapd.url())
        .env("KIWI_LDAP_BIND_DN", crate::ldap::KIWI_DN)
        .env("KIWI_LDAP_BIND_PASSWORD", crate::ldap::KIWI_PASSWORD)
        .env("KIWI_LDAP_PEOPLE_BASE", crate::ldap::PEOPLE)
        .env("KIWI_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test]
async fn reconciliation_adds_the_missing_removes_the_unentitled_and_leaves_the_unmanaged() {
    let s = setup().await;
    let admin = s.app.person("Jonas Becker", "IT", "admin").await;
    let (anna, anna_dn) = s.person_in_directory("Anna Beck").await;
    let (bernd, bernd_dn) = s.person_in_directory("Bernd Cho").await;
    s.certify(&anna).await;
    s.members(|m| m.contains(&anna_dn)).await;
    wait_for_operations(&s.app, &anna, |o| {
        o.len() == 1 && o[0].status == STATUS_DONE
    })
    .await;
    // By hand: Anna (entitled) taken out, Bernd (not entitled) and a service account that
    // is no kiwi person put in.
    let group = s.group();
    s.slapd.change_member(&group, "member", &anna_dn, false);
    s.slapd.change_member(&group, "member", &bernd_dn, true);
    let robot = s
        .slapd
        .add_person("svc-robot", "robot@it.stadt.example", "R-1");
    s.slapd.change_member(&group, "member", &robot, true);

    let (ok, out, err) = sync_command(&s, true).await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!("+ {} ({anna_dn}): to add", anna.email)),
        "{out}"
    );
    assert!(
        out.contains(&format!("- {} ({bernd_dn}): to remove", bernd.email)),
        "{out}"
    );
    assert!(
        out.contains(&format!("? {robot}: no kiwi person; left alone")),
        "{out}"
    );
    assert!(
        out.contains(&format!("? {ADMIN_DN}: no kiwi person")),
        "{out}"
    );
    assert!(out.contains("dry run, nothing changed"), "{out}");
    let members = s.slapd.members(&group, "member");
    assert!(
        !members.contains(&anna_dn) && members.contains(&bernd_dn),
        "dry run"
    );

    let (ok, out, err) = sync_command(&s, false).await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!("+ {} ({anna_dn}): added (added)", anna.email)),
        "{out}"
    );
    assert!(
        out.contains(&format!("- {} ({bernd_dn}): removed", bernd.email)),
        "{out}"
    );
    assert!(
        out.contains("reconciled: 1 added, 1 removed, 2 unmanaged"),
        "{out}"
    );
    let members = s.slapd.members(&group, "member");
    assert!(members.contains(&anna_dn), "{members:?}");
    assert!(!members.contains(&bernd_dn), "{members:?}");
    assert!(members.contains(&robot) && members.contains(&ADMIN_DN.to_owned()));

    // Audited, and shown to administrators.
    let audit: Vec<(String, String)> = kiwi::entities::audit_log::Entity::find()
        .all(&s.app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("directory."))
        .map(|e| (e.action, e.detail))
        .collect();
    let bernd_number = record_of(&s.app, &bernd).await.personnel_number;
    assert!(
        audit.contains(&(
            "directory.member_removed".into(),
            format!("testbot {bernd_number} (reconciliation)")
        )),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|(a, d)| a == "directory.reconciled" && d.contains("added 1, removed 1")),
        "{audit:?}"
    );
    let browser = s.app.signed_in(&admin).await;
    let (_, page) = browser.get_text("/admin/integrations").await;
    assert!(page.contains("Abgleich von der Kommandozeile"), "{page}");
    assert!(
        page.contains(&robot),
        "the unmanaged member is reported: {page}"
    );

    // Nothing differs any more.
    let (ok, out, _) = sync_command(&s, false).await;
    assert!(ok);
    assert!(
        out.contains("reconciled: 0 added, 0 removed, 2 unmanaged"),
        "{out}"
    );
}

#[tokio::test]
async fn ldaps_is_checked_against_the_system_certificate_store() {
    let s = setup_with(Slapd::start_with_tls(&[GROUP])).await;
    let (bernd, bernd_dn) = s.person_in_directory("Bernd Cho").await;
    let group = s.group();
    s.slapd.change_member(&group, "member", &bernd_dn, true);

    // A store without the directory's CA (another CA's): refused, nothing changes.
    let unrelated = Slapd::start_with_tls(&[]);
    let (ok, out, err) =
        sync_command_with(&s, false, &[("SSL_CERT_FILE", &unrelated.ca_file())]).await;
    assert!(!ok, "{out}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(s.slapd.members(&group, "member").contains(&bernd_dn));

    // With the CA in the store (an internal CA installed on the host), it works.
    let (ok, out, err) =
        sync_command_with(&s, false, &[("SSL_CERT_FILE", &s.slapd.ca_file())]).await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!("- {} ({bernd_dn}): removed", bernd.email)),
        "{out}"
    );
    assert!(!s.slapd.members(&group, "member").contains(&bernd_dn));
}
