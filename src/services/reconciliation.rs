//! Reconciliation: every configured directory group compared with who may use its tool now.
//! Missing members are added and members without entitlement removed (both through the
//! operations outbox, in order with every other change of the same person); members that no
//! kiwi person matches are left alone and reported, like entitled people the directory does
//! not know. Run by `kiwi directory sync [--dry-run]` and every night by one instance.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::rule::{self, Entitlements};
use crate::db;
use crate::directory::{
    Directory, DirectoryError, MatchField, MemberAttribute, PersonEntry, normalize_dn,
};
use crate::domain::LocalTime;
use crate::entities::directory_reconciliation::{TRIGGER_COMMAND, TRIGGER_NIGHTLY};
use crate::entities::outbox_operation::KIND_DIRECTORY;
use crate::services::access;
use crate::services::integrations::{self, Holder, directory_sequence};
use crate::tools::Tool;

/// The nightly run starts at this local hour (or later that day, if no instance ran then).
const NIGHTLY_HOUR: u32 = 2;
/// How often an instance looks whether tonight's run is due.
const NIGHTLY_CHECK: Duration = Duration::from_secs(5 * 60);
/// People read per batch.
const PEOPLE_BATCH: u64 = 500;

/// What a reconciliation found and did, per group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub dry_run: bool,
    pub groups: Vec<GroupReport>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupReport {
    pub tool: String,
    pub group: String,
    /// Members before.
    pub members: usize,
    /// People who may use the tool now.
    pub entitled: usize,
    /// Entitled people added (or, in a dry run, to add): email and entry.
    pub added: Vec<String>,
    /// Members without entitlement removed (or to remove).
    pub removed: Vec<String>,
    /// Members no kiwi person matches: left alone.
    pub unmanaged: Vec<String>,
    /// Entitled people the directory does not have (or has more than once).
    pub not_found: Vec<String>,
    /// Differences left to operations already waiting in the outbox.
    pub pending: usize,
    /// Why the group could not be compared (it does not exist, the directory refused).
    pub error: Option<String>,
    /// The operations queued, to apply and print them at once (not stored).
    #[serde(skip)]
    pub operations: Vec<i64>,
}

impl Report {
    pub fn added(&self) -> usize {
        self.groups.iter().map(|g| g.added.len()).sum()
    }
    pub fn removed(&self) -> usize {
        self.groups.iter().map(|g| g.removed.len()).sum()
    }
    pub fn unmanaged(&self) -> usize {
        self.groups.iter().map(|g| g.unmanaged.len()).sum()
    }
    pub fn not_found(&self) -> usize {
        self.groups.iter().map(|g| g.not_found.len()).sum()
    }
    pub fn operations(&self) -> Vec<i64> {
        self.groups
            .iter()
            .flat_map(|g| g.operations.iter().copied())
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The people of the directory, looked up by what kiwi matches them with and by what
/// groups hold for them.
struct DirectoryPeople {
    by_value: HashMap<String, Vec<PersonEntry>>,
    by_member: HashMap<String, PersonEntry>,
}

fn member_key(value: &str, attribute: MemberAttribute) -> String {
    match attribute {
        MemberAttribute::Member => normalize_dn(value),
        MemberAttribute::MemberUid => value.trim().to_lowercase(),
    }
}

fn match_key(value: &str, field: MatchField) -> String {
    match field {
        MatchField::Email => value.trim().to_lowercase(),
        MatchField::PersonnelNumber => value.trim().to_owned(),
    }
}

impl DirectoryPeople {
    fn new(entries: Vec<PersonEntry>, field: MatchField, attribute: MemberAttribute) -> Self {
        let mut by_value: HashMap<String, Vec<PersonEntry>> = HashMap::new();
        let mut by_member = HashMap::new();
        for entry in entries {
            for value in &entry.values {
                by_value
                    .entry(match_key(value, field))
                    .or_default()
                    .push(entry.clone());
            }
            if let Some(member) = entry.member_value(attribute) {
                by_member.insert(member_key(member, attribute), entry.clone());
            }
        }
        DirectoryPeople {
            by_value,
            by_member,
        }
    }
}

/// kiwi's people, looked up by what the directory matches.
struct KiwiPeople {
    people: Vec<Entitlements>,
    by_value: HashMap<String, usize>,
}

impl KiwiPeople {
    async fn load(db: &DatabaseConnection, field: MatchField) -> Result<KiwiPeople, DbErr> {
        let mut people = Vec::new();
        let mut after = None;
        loop {
            let batch = db::users::batch_after(db, after, PEOPLE_BATCH).await?;
            let Some(last) = batch.last() else {
                break;
            };
            after = Some(last.id);
            people.extend(access::entitlements_of_many(db, &batch).await?);
        }
        let by_value = people
            .iter()
            .enumerate()
            .map(|(index, p)| (match_key(value_of(p, field), field), index))
            .collect();
        Ok(KiwiPeople { people, by_value })
    }
}

fn value_of(person: &Entitlements, field: MatchField) -> &str {
    match field {
        MatchField::Email => &person.email,
        MatchField::PersonnelNumber => &person.personnel_number,
    }
}

/// A difference to change: a person made a member (or not) of a tool's group.
struct Difference<'a> {
    tool: &'a Tool,
    person: usize,
    member: bool,
    label: String,
}

/// Compares every tool's group with who may use the tool now and (unless `dry_run`) queues
/// the differences, each under the person's lock and judged again then. Recorded, with a
/// dedupe key for the nightly run: None when another instance has started that one.
pub async fn reconcile(
    db: &DatabaseConnection,
    directory: &Directory,
    tools: &[Tool],
    policy: Option<&str>,
    dry_run: bool,
    trigger: &str,
    dedupe_key: Option<String>,
) -> Result<Option<Report>, ReconcileError> {
    let id = Uuid::now_v7();
    let started = Utc::now();
    if !db::reconciliations::start(db, id, dedupe_key, trigger, dry_run, started).await? {
        return Ok(None);
    }
    let result = compare_and_queue(db, directory, tools, policy, dry_run).await;
    let (report, error) = match &result {
        Ok(report) => (report.clone(), None),
        Err(error) => (
            Report {
                dry_run,
                groups: Vec::new(),
            },
            Some(error.to_string()),
        ),
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    db::reconciliations::finish(
        db,
        id,
        db::reconciliations::Finished {
            at: Utc::now(),
            added: count(report.added()),
            removed: count(report.removed()),
            unmanaged: count(report.unmanaged()),
            not_found: count(report.not_found()),
            report: &json,
            error: error.as_deref(),
        },
    )
    .await?;
    if !dry_run {
        let detail = format!(
            "{trigger}: added {}, removed {}, unmanaged {}, not in the directory {}{}",
            report.added(),
            report.removed(),
            report.unmanaged(),
            report.not_found(),
            error
                .as_deref()
                .map(|e| format!("; failed: {e}"))
                .unwrap_or_default()
        );
        db::audit::record(db, None, "directory.reconciled", &detail).await?;
    }
    result.map(Some)
}

async fn compare_and_queue(
    db: &DatabaseConnection,
    directory: &Directory,
    tools: &[Tool],
    policy: Option<&str>,
    dry_run: bool,
) -> Result<Report, ReconcileError> {
    let config = directory.config();
    let (field, attribute) = (config.match_field, config.member_attribute);
    let now = Utc::now();
    let kiwi = KiwiPeople::load(db, field).await?;
    let mut session = directory.connect().await?;
    let found = match session.people().await {
        Ok(entries) => DirectoryPeople::new(entries, field, attribute),
        Err(error) => {
            session.close().await;
            return Err(error.into());
        }
    };
    let pending_keys = db::operations::unfinished_keys(db, KIND_DIRECTORY).await?;
    let mut report = Report {
        dry_run,
        groups: Vec::new(),
    };
    let mut differences: Vec<(usize, Difference)> = Vec::new();
    for tool in tools.iter() {
        let Some(group) = &tool.directory_group else {
            continue;
        };
        let mut group_report = GroupReport {
            tool: tool.id.clone(),
            group: group.clone(),
            ..Default::default()
        };
        let members = match session.members(group).await {
            Ok(members) => members,
            Err(error) => {
                group_report.error = Some(error.to_string());
                report.groups.push(group_report);
                continue;
            }
        };
        group_report.members = members.len();
        let member_set: HashSet<String> =
            members.iter().map(|m| member_key(m, attribute)).collect();
        let entitled: HashSet<usize> = kiwi
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| rule::decide(tool, Some(p), policy, now).allowed)
            .map(|(index, _)| index)
            .collect();
        group_report.entitled = entitled.len();
        let index = report.groups.len();
        let mut sorted: Vec<usize> = entitled.iter().copied().collect();
        sorted.sort_by(|a, b| kiwi.people[*a].email.cmp(&kiwi.people[*b].email));
        for person in sorted {
            let p = &kiwi.people[person];
            let value = value_of(p, field);
            let entry = match found
                .by_value
                .get(&match_key(value, field))
                .map(Vec::as_slice)
            {
                Some([entry]) => entry,
                Some(several) if several.len() > 1 => {
                    group_report
                        .not_found
                        .push(format!("{value} ({} entries)", several.len()));
                    continue;
                }
                _ => {
                    group_report.not_found.push(value.to_owned());
                    continue;
                }
            };
            let Some(member) = entry.member_value(attribute) else {
                group_report.not_found.push(format!("{value} (no uid)"));
                continue;
            };
            if member_set.contains(&member_key(member, attribute)) {
                continue;
            }
            if pending_keys.contains(&directory_sequence(&tool.id, p.user_id)) {
                group_report.pending += 1;
                continue;
            }
            differences.push((
                index,
                Difference {
                    tool,
                    person,
                    member: true,
                    label: format!("{} ({member})", p.email),
                },
            ));
        }
        for member in &members {
            let person = found
                .by_member
                .get(&member_key(member, attribute))
                .and_then(|entry| {
                    entry
                        .values
                        .iter()
                        .find_map(|v| kiwi.by_value.get(&match_key(v, field)).copied())
                });
            let Some(person) = person else {
                group_report.unmanaged.push(member.clone());
                continue;
            };
            if entitled.contains(&person) {
                continue;
            }
            if pending_keys.contains(&directory_sequence(&tool.id, kiwi.people[person].user_id)) {
                group_report.pending += 1;
                continue;
            }
            differences.push((
                index,
                Difference {
                    tool,
                    person,
                    member: false,
                    label: format!("{} ({member})", kiwi.people[person].email),
                },
            ));
        }
        report.groups.push(group_report);
    }
    session.close().await;

    for (index, difference) in differences {
        let group = &mut report.groups[index];
        if dry_run {
            match difference.member {
                true => group.added.push(difference.label),
                false => group.removed.push(difference.label),
            }
            continue;
        }
        if let Some(operation) = queue_difference(db, &kiwi, &difference, policy, now).await? {
            group.operations.push(operation);
            match difference.member {
                true => group.added.push(difference.label),
                false => group.removed.push(difference.label),
            }
        } else {
            // Changed since it was read: the change's own operation tells the group.
            group.pending += 1;
        }
    }
    Ok(report)
}

/// Queues one difference under the person's lock, if the rule still decides so.
async fn queue_difference(
    db: &DatabaseConnection,
    kiwi: &KiwiPeople,
    difference: &Difference<'_>,
    policy: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let user = kiwi.people[difference.person].user_id;
    let txn = db::begin_write(db).await?;
    let Some(person) = access::before_change(&txn, user).await? else {
        return Ok(None);
    };
    let allowed = rule::decide(difference.tool, Some(&person), policy, now).allowed;
    if allowed != difference.member {
        return Ok(None);
    }
    let queued = integrations::queue_reconciliation(
        &txn,
        difference.tool,
        &Holder::from(&person),
        difference.member,
        now,
    )
    .await?;
    let action = if difference.member {
        "directory.member_added"
    } else {
        "directory.member_removed"
    };
    let detail = format!(
        "{} {} (reconciliation)",
        difference.tool.id, person.personnel_number
    );
    db::audit::record(&txn, None, action, &detail).await?;
    txn.commit().await?;
    Ok(queued)
}

/// Runs the reconciliation once a night on one instance (the first that finds it due
/// after `NIGHTLY_HOUR` local time), for as long as the server runs. (Old operations are
/// deleted by `services::retention`.)
pub async fn run_nightly(
    db: &DatabaseConnection,
    directory: &Directory,
    tools: &[Tool],
    policy: Option<&str>,
    local: LocalTime,
) {
    let mut interval = tokio::time::interval(NIGHTLY_CHECK);
    loop {
        interval.tick().await;
        let now = Utc::now();
        if local.naive(now).hour() < NIGHTLY_HOUR {
            continue;
        }
        let key = format!("{TRIGGER_NIGHTLY}:{}", local.day(now));
        match db::reconciliations::exists(db, &key).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "nightly reconciliation: reading the record failed");
                continue;
            }
        }
        match reconcile(
            db,
            directory,
            tools,
            policy,
            false,
            TRIGGER_NIGHTLY,
            Some(key),
        )
        .await
        {
            Ok(Some(report)) => tracing::info!(
                added = report.added(),
                removed = report.removed(),
                unmanaged = report.unmanaged(),
                not_found = report.not_found(),
                "nightly reconciliation of the directory groups done"
            ),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "nightly reconciliation failed"),
        }
    }
}

/// The trigger of a reconciliation started from the command line.
pub const COMMAND: &str = TRIGGER_COMMAND;
