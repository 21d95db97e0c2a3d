//! What other systems are told when who may use a tool changes: the tool's directory group
//! (add, remove) and webhooks (`entitlement.granted`, `entitlement.ended`,
//! `certificate.issued`, `certificate.revoked`). Everything is written to the operations
//! outbox in the transaction of the change that causes it, so a change and what it tells
//! exist together or not at all; workers apply them (`services::operations`).

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DbErr, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::rule::{self, Entitlements, Rules, Transition};
use crate::db;
use crate::entities::outbox_operation::{self, ACTION_ADD, ACTION_REMOVE};
use crate::entities::{certificate, user};
use crate::tools::Tool;
use crate::webhook::Webhook;

/// Why an entitlement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// A required certificate ended (noticed at its second, without a write).
    Expired,
    /// A required certificate was revoked.
    Revoked,
    /// The person left the organisation.
    Left,
    /// A new version of the usage policy that the person has not acknowledged.
    Policy,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Expired => "expired",
            Ended::Revoked => "revoked",
            Ended::Left => "left",
            Ended::Policy => "policy",
        }
    }
}

/// A change of who may use a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entitlement {
    Granted { valid_until: Option<DateTime<Utc>> },
    Ended(Ended),
}

/// The person a change concerns, as other systems know them.
#[derive(Debug, Clone)]
pub struct Holder {
    pub user_id: Uuid,
    pub email: String,
    pub personnel_number: String,
}

impl From<&user::Model> for Holder {
    fn from(person: &user::Model) -> Holder {
        Holder {
            user_id: person.id,
            email: person.email.clone(),
            personnel_number: person.personnel_number.clone(),
        }
    }
}

impl From<&Entitlements> for Holder {
    fn from(person: &Entitlements) -> Holder {
        Holder {
            user_id: person.user_id,
            email: person.email.clone(),
            personnel_number: person.personnel_number.clone(),
        }
    }
}

/// What a directory operation needs to find the person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectoryPayload {
    pub email: String,
    pub personnel_number: String,
}

/// A webhook's body: the Standard Webhooks envelope.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: T,
}

#[derive(Serialize)]
struct EntitlementData<'a> {
    tool: &'a str,
    email: &'a str,
    personnel_number: &'a str,
    valid_until: Option<String>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct CertificateData<'a> {
    email: &'a str,
    personnel_number: &'a str,
    course: &'a str,
    serial: &'a str,
    valid_until: String,
}

pub const EVENT_GRANTED: &str = "entitlement.granted";
pub const EVENT_ENDED: &str = "entitlement.ended";
pub const EVENT_CERTIFICATE_ISSUED: &str = "certificate.issued";
pub const EVENT_CERTIFICATE_REVOKED: &str = "certificate.revoked";

/// Why reconciliation queued a directory operation.
pub const REASON_RECONCILIATION: &str = "reconciliation";

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The sequence key of a person's operations of one tool's group.
pub fn directory_sequence(tool: &str, user: Uuid) -> String {
    format!("directory|{tool}|{user}")
}

fn webhook_sequence(webhook: &str, user: Uuid) -> String {
    format!("webhook|{webhook}|{user}")
}

/// A new operation, waiting for its first try.
struct NewOperation<'a> {
    kind: &'static str,
    dedupe_key: Option<String>,
    sequence_key: String,
    target: &'a str,
    action: &'a str,
    tool_id: Option<&'a str>,
    user_id: Uuid,
    reason: Option<&'a str>,
    payload: String,
}

impl NewOperation<'_> {
    fn into_row(self, now: DateTime<Utc>) -> outbox_operation::ActiveModel {
        outbox_operation::ActiveModel {
            id: Default::default(),
            message_id: Set(Uuid::now_v7()),
            kind: Set(self.kind.to_owned()),
            dedupe_key: Set(self.dedupe_key),
            sequence_key: Set(self.sequence_key),
            target: Set(self.target.to_owned()),
            action: Set(self.action.to_owned()),
            tool_id: Set(self.tool_id.map(str::to_owned)),
            user_id: Set(Some(self.user_id)),
            reason: Set(self.reason.map(str::to_owned)),
            payload: Set(self.payload),
            status: Set(outbox_operation::STATUS_QUEUED.to_owned()),
            tries: Set(0),
            next_try_at: Set(now),
            last_error: Set(None),
            outcome: Set(None),
            claimed_by: Set(None),
            claimed_until: Set(None),
            created_at: Set(now),
            done_at: Set(None),
        }
    }
}

fn json<T: Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Queues what a change of one person's entitlement to `tool` tells: the group operation
/// (if the tool has a group) and an event to each of its webhooks. With a dedupe key (an
/// expiry or a new policy, which several instances notice), it is queued once however often
/// it is noticed. Returns how many operations were queued.
pub async fn queue_entitlement(
    db: &impl ConnectionTrait,
    tool: &Tool,
    holder: &Holder,
    change: Entitlement,
    dedupe_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let (action, event, reason, valid_until) = match change {
        Entitlement::Granted { valid_until } => (ACTION_ADD, EVENT_GRANTED, None, valid_until),
        Entitlement::Ended(why) => (ACTION_REMOVE, EVENT_ENDED, Some(why.as_str()), None),
    };
    let mut rows = Vec::new();
    if let Some(group) = &tool.directory_group {
        let payload = DirectoryPayload {
            email: holder.email.clone(),
            personnel_number: holder.personnel_number.clone(),
        };
        rows.push(
            NewOperation {
                kind: outbox_operation::KIND_DIRECTORY,
                dedupe_key: dedupe_key.map(|k| format!("{k}:directory")),
                sequence_key: directory_sequence(&tool.id, holder.user_id),
                target: group,
                action,
                tool_id: Some(&tool.id),
                user_id: holder.user_id,
                reason,
                payload: json(&payload)?,
            }
            .into_row(now),
        );
    }
    for webhook in &tool.webhooks {
        let body = Envelope {
            kind: event,
            timestamp: instant(now),
            data: EntitlementData {
                tool: &tool.id,
                email: &holder.email,
                personnel_number: &holder.personnel_number,
                valid_until: valid_until.map(instant),
                reason,
            },
        };
        rows.push(
            NewOperation {
                kind: outbox_operation::KIND_WEBHOOK,
                dedupe_key: dedupe_key.map(|k| format!("{k}:webhook:{}", webhook.name)),
                sequence_key: webhook_sequence(&webhook.name, holder.user_id),
                target: &webhook.name,
                action: event,
                tool_id: Some(&tool.id),
                user_id: holder.user_id,
                reason,
                payload: json(&body)?,
            }
            .into_row(now),
        );
    }
    db::operations::insert_once(db, rows).await
}

/// Queues what the transitions of a write tell (the caller holds the person's lock): a
/// grant with how long it holds, an end because the person left or (any other write that
/// closes a tool) because a certificate was revoked.
pub async fn queue_transitions(
    db: &impl ConnectionTrait,
    rules: Rules<'_>,
    after: &Entitlements,
    transitions: &[Transition<'_>],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let holder = Holder::from(after);
    for transition in transitions.iter().filter(|t| t.tool.is_announced()) {
        let change = if transition.allowed {
            let decision = rule::decide(transition.tool, Some(after), rules.policy, now);
            Entitlement::Granted {
                valid_until: decision.valid_until,
            }
        } else if !after.active {
            Entitlement::Ended(Ended::Left)
        } else {
            Entitlement::Ended(Ended::Revoked)
        };
        queue_entitlement(db, transition.tool, &holder, change, None, now).await?;
    }
    Ok(())
}

/// A certificate was issued or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateEvent {
    Issued,
    Revoked,
}

/// Queues the certificate event to the global webhook, in the transaction of the change.
pub async fn queue_certificate(
    db: &impl ConnectionTrait,
    webhook: Option<&Arc<Webhook>>,
    holder: &user::Model,
    certificate: &certificate::Model,
    event: CertificateEvent,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(webhook) = webhook else {
        return Ok(());
    };
    let kind = match event {
        CertificateEvent::Issued => EVENT_CERTIFICATE_ISSUED,
        CertificateEvent::Revoked => EVENT_CERTIFICATE_REVOKED,
    };
    let body = Envelope {
        kind,
        timestamp: instant(now),
        data: CertificateData {
            email: &holder.email,
            personnel_number: &holder.personnel_number,
            course: &certificate.course_id,
            serial: &certificate.serial,
            valid_until: instant(certificate.valid_until),
        },
    };
    let row = NewOperation {
        kind: outbox_operation::KIND_WEBHOOK,
        dedupe_key: Some(format!("{kind}:{}:{}", certificate.id, webhook.name)),
        sequence_key: webhook_sequence(&webhook.name, holder.id),
        target: &webhook.name,
        action: kind,
        tool_id: None,
        user_id: holder.id,
        reason: None,
        payload: json(&body)?,
    }
    .into_row(now);
    db::operations::insert_once(db, vec![row]).await.map(|_| ())
}

/// Queues a group change that reconciliation found missing (no webhook: nothing changed
/// for the person, only the group caught up).
pub async fn queue_reconciliation(
    db: &impl ConnectionTrait,
    tool: &Tool,
    holder: &Holder,
    member: bool,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let Some(group) = &tool.directory_group else {
        return Ok(None);
    };
    let payload = DirectoryPayload {
        email: holder.email.clone(),
        personnel_number: holder.personnel_number.clone(),
    };
    let row = NewOperation {
        kind: outbox_operation::KIND_DIRECTORY,
        dedupe_key: None,
        sequence_key: directory_sequence(&tool.id, holder.user_id),
        target: group,
        action: if member { ACTION_ADD } else { ACTION_REMOVE },
        tool_id: Some(&tool.id),
        user_id: holder.user_id,
        reason: Some(REASON_RECONCILIATION),
        payload: json(&payload)?,
    }
    .into_row(now);
    let inserted = sea_orm::EntityTrait::insert(row).exec(db).await?;
    Ok(Some(inserted.last_insert_id))
}
