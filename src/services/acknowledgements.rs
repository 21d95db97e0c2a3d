//! Acknowledging the AI usage policy.

use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::access::rule::Rules;
use crate::db;
use crate::db::access_changes::Change;
use crate::services::access;

/// Records that a person acknowledged this version of the policy; tools that require the
/// policy open (if nothing else is missing) once every instance has seen the change, and
/// the tools it opens are audited with it.
pub async fn acknowledge(
    db: &DatabaseConnection,
    rules: Rules<'_>,
    user: Uuid,
    version: &str,
) -> Result<(), DbErr> {
    let txn = db::begin_write(db).await?;
    let before = access::before_change(&txn, user).await?;
    db::policy_acknowledgements::insert_once(&txn, user, version).await?;
    access::audit_change(&txn, rules, user, before.as_ref()).await?;
    db::access_changes::record(&txn, Change::Person(user)).await?;
    db::audit::record(&txn, Some(user), "policy.acknowledged", version).await?;
    txn.commit().await
}

/// Whether a person acknowledged this version.
pub async fn has_acknowledged(
    db: &DatabaseConnection,
    user: Uuid,
    version: &str,
) -> Result<bool, DbErr> {
    Ok(db::policy_acknowledgements::of_user(db, user)
        .await?
        .iter()
        .any(|a| a.policy_version == version))
}
