//! Entitlements that end without any write: a certificate that ends (noticed at its second)
//! and a new version of the usage policy (noticed when kiwi first serves it). What they
//! tell is queued with a dedupe key, so however many instances notice it, it is queued
//! once; and under the person's lock, re-judged from what the database holds then, so that
//! it keeps its order with a renewal or a revocation written at the same moment.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::access::rule;
use crate::db;
use crate::services::access;
use crate::services::integrations::{self, Ended, Entitlement, Holder};
use crate::tools::Tool;

/// Certificates that ended this long before an instance started are still noticed (a
/// notice missed while no instance ran); reconciliation catches anything older.
const GRACE: chrono::Duration = chrono::Duration::days(7);
/// The longest pause between two looks: a certificate issued elsewhere that ends before
/// the one this instance waits for is noticed within it.
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// People read per batch when a new policy is judged for everyone.
const PEOPLE_BATCH: u64 = 500;

/// Watches for as long as the server runs.
pub async fn run(db: &DatabaseConnection, tools: &[Tool], policy: Option<&str>) {
    let tools: Vec<&Tool> = tools.iter().filter(|t| t.is_announced()).collect();
    let mut policy_noted = false;
    let mut checked_until = Utc::now() - GRACE;
    loop {
        let now = Utc::now();
        if !policy_noted {
            match policy_changed(db, &tools, policy, now).await {
                Ok(queued) => {
                    policy_noted = true;
                    if queued > 0 {
                        tracing::info!(queued, "a new usage policy: entitlements told");
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "entitlement watch: judging the policy failed")
                }
            }
        }
        match certificates_ended(db, &tools, policy, checked_until, now).await {
            Ok(_) => checked_until = now,
            Err(error) => {
                tracing::warn!(%error, "entitlement watch: reading ended certificates failed")
            }
        }
        let pause = match db::certificates::next_end_after(db, now).await {
            Ok(Some(next)) => (next - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(LONGEST_PAUSE),
            _ => LONGEST_PAUSE,
        };
        // A few milliseconds past the end, so that it has ended when looked at.
        tokio::time::sleep(pause + Duration::from_millis(5)).await;
    }
}

/// The dedupe keys an entitlement change of `tool` is queued under, from its base key.
fn keys_of(tool: &Tool, base: &str) -> Vec<String> {
    tool.directory_group
        .iter()
        .map(|_| format!("{base}:directory"))
        .chain(
            tool.webhooks
                .iter()
                .map(|w| format!("{base}:webhook:{}", w.name)),
        )
        .collect()
}

/// A change one person's entitlement may have gone through, to be judged under their lock.
struct Candidate<'a> {
    tool: &'a Tool,
    key: String,
    cause: Cause<'a>,
}

enum Cause<'a> {
    /// A required certificate ended then.
    Expiry(DateTime<Utc>),
    /// A new policy version replaced this one.
    Policy(&'a str),
}

/// Certificates that ended after `from` and no later than `to` close the tools that
/// require them for those who could use them just before: each such end is queued once.
/// Returns how many operations were queued.
pub async fn certificates_ended(
    db: &DatabaseConnection,
    tools: &[&Tool],
    policy: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if tools.is_empty() {
        return Ok(0);
    }
    let ended = db::reminders::latest_certificates_ending(db, from, to).await?;
    if ended.is_empty() {
        return Ok(0);
    }
    let mut candidates: BTreeMap<Uuid, Vec<Candidate>> = BTreeMap::new();
    let mut keys = Vec::new();
    for c in &ended {
        for tool in tools
            .iter()
            .filter(|t| t.requires_courses.contains(&c.course_id))
        {
            let key = format!("expired:{}:{}", c.certificate_id, tool.id);
            keys.extend(keys_of(tool, &key));
            candidates.entry(c.user_id).or_default().push(Candidate {
                tool,
                key,
                cause: Cause::Expiry(c.valid_until),
            });
        }
    }
    let existing = db::operations::existing_keys(db, &keys).await?;
    for list in candidates.values_mut() {
        list.retain(|c| !keys_of(c.tool, &c.key).iter().all(|k| existing.contains(k)));
    }
    judge_under_lock(db, candidates, policy, to).await
}

/// Judges each person's candidates under their lock, from what the database holds now,
/// and queues what changed.
async fn judge_under_lock(
    db: &DatabaseConnection,
    candidates: BTreeMap<Uuid, Vec<Candidate<'_>>>,
    policy: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut queued = 0;
    for (user, list) in candidates {
        if list.is_empty() {
            continue;
        }
        let txn = db::begin_write(db).await?;
        let Some(person) = access::before_change(&txn, user).await? else {
            continue;
        };
        let holder = Holder::from(&person);
        for candidate in list {
            let is = rule::decide(candidate.tool, Some(&person), policy, now);
            let change = match candidate.cause {
                Cause::Expiry(ended_at) => {
                    let just_before = ended_at - chrono::Duration::seconds(1);
                    let was = rule::decide(candidate.tool, Some(&person), policy, just_before);
                    (was.allowed && !is.allowed).then_some(Entitlement::Ended(Ended::Expired))
                }
                Cause::Policy(previous) => {
                    let was = rule::decide(candidate.tool, Some(&person), Some(previous), now);
                    match (was.allowed, is.allowed) {
                        (true, false) => Some(Entitlement::Ended(Ended::Policy)),
                        (false, true) => Some(Entitlement::Granted {
                            valid_until: is.valid_until,
                        }),
                        _ => None,
                    }
                }
            };
            if let Some(change) = change {
                queued += integrations::queue_entitlement(
                    &txn,
                    candidate.tool,
                    &holder,
                    change,
                    Some(&candidate.key),
                    now,
                )
                .await?;
            }
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// The first time kiwi serves a new version of the usage policy, everyone who could use a
/// tool that requires it under the version served before, and has not acknowledged the new
/// one, loses it (and anyone for whom it is the other way round gains it). The version is
/// noted afterwards, so an instance that stops half-way is finished by the next start.
/// Returns how many operations were queued.
pub async fn policy_changed(
    db: &DatabaseConnection,
    tools: &[&Tool],
    policy: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let Some(current) = policy else {
        return Ok(0);
    };
    let versions = db::policy_versions::all(db).await?;
    if versions.iter().any(|v| v.version == current) {
        return Ok(0);
    }
    let tools: Vec<&Tool> = tools
        .iter()
        .copied()
        .filter(|t| t.requires_policy)
        .collect();
    let mut queued = 0;
    if let (Some(previous), false) = (versions.first(), tools.is_empty()) {
        let mut after = None;
        loop {
            let batch = db::users::batch_after(db, after, PEOPLE_BATCH).await?;
            let Some(last) = batch.last() else {
                break;
            };
            after = Some(last.id);
            let mut candidates: BTreeMap<Uuid, Vec<Candidate>> = BTreeMap::new();
            let mut keys = Vec::new();
            for person in access::entitlements_of_many(db, &batch).await? {
                for tool in &tools {
                    let was = rule::decide(tool, Some(&person), Some(&previous.version), now);
                    let is = rule::decide(tool, Some(&person), Some(current), now);
                    if was.allowed != is.allowed {
                        let key = format!("policy:{current}:{}:{}", tool.id, person.user_id);
                        keys.extend(keys_of(tool, &key));
                        candidates
                            .entry(person.user_id)
                            .or_default()
                            .push(Candidate {
                                tool,
                                key,
                                cause: Cause::Policy(&previous.version),
                            });
                    }
                }
            }
            let existing: HashSet<String> = db::operations::existing_keys(db, &keys).await?;
            for list in candidates.values_mut() {
                list.retain(|c| !keys_of(c.tool, &c.key).iter().all(|k| existing.contains(k)));
            }
            queued += judge_under_lock(db, candidates, Some(current), now).await?;
        }
    }
    db::policy_versions::note(db, current, now).await?;
    Ok(queued)
}
