//! The statements of retention (`services::retention`): each removes what has passed its
//! period in one set-based statement, or, for a dry run, counts it with the same condition.
//! Erasure works on a batch of people with a few statements per batch and per person.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Value,
};
use uuid::Uuid;

use crate::db::statement;
use crate::entities::{
    audit_log, directory_reconciliation, oidc_session, outbox_mail, outbox_operation,
    password_link, quiz_attempt, record_view, recovery_code, second_factor, session,
    sign_in_challenge, sign_in_failure, user,
};

/// Deletes the rows of `E` that match `condition`, or counts them for a dry run.
async fn remove<E>(
    db: &impl ConnectionTrait,
    condition: Condition,
    dry_run: bool,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    if dry_run {
        return E::find().filter(condition).count(db).await;
    }
    E::delete_many()
        .filter(condition)
        .exec(db)
        .await
        .map(|result| result.rows_affected)
}

/// Removes the chosen options of attempts submitted before `before`; the score and whether
/// the attempt passed stay.
pub async fn clear_answers(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all()
        .add(quiz_attempt::Column::Answers.is_not_null())
        .add(quiz_attempt::Column::SubmittedAt.lt(before));
    if dry_run {
        return quiz_attempt::Entity::find()
            .filter(condition)
            .count(db)
            .await;
    }
    quiz_attempt::Entity::update_many()
        .col_expr(
            quiz_attempt::Column::Answers,
            Expr::value(Option::<String>::None),
        )
        .filter(condition)
        .exec(db)
        .await
        .map(|result| result.rows_affected)
}

/// Mails sent or given up before `before` (their dedupe keys are no longer needed by then).
pub async fn mails(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all()
        .add(
            outbox_mail::Column::Status
                .is_in([outbox_mail::STATUS_SENT, outbox_mail::STATUS_GAVE_UP]),
        )
        .add(outbox_mail::Column::CreatedAt.lt(before));
    remove::<outbox_mail::Entity>(db, condition, dry_run).await
}

/// Directory operations and webhook deliveries done or given up before `before`.
pub async fn operations(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all()
        .add(outbox_operation::Column::Status.is_in([
            outbox_operation::STATUS_DONE,
            outbox_operation::STATUS_GAVE_UP,
        ]))
        .add(outbox_operation::Column::CreatedAt.lt(before));
    remove::<outbox_operation::Entity>(db, condition, dry_run).await
}

/// Password links that ended before `before`.
pub async fn password_links(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all().add(password_link::Column::ExpiresAt.lt(before));
    remove::<password_link::Entity>(db, condition, dry_run).await
}

/// Sign-in throttle counts whose window started before `before`.
pub async fn sign_in_failures(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all().add(sign_in_failure::Column::WindowStart.lt(before));
    remove::<sign_in_failure::Entity>(db, condition, dry_run).await
}

/// Audit entries written before `before`.
pub async fn audit_entries(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all().add(audit_log::Column::At.lt(before));
    remove::<audit_log::Entity>(db, condition, dry_run).await
}

/// Entries of the transparency log written before `before`, with whom they included (first,
/// so that no entry is ever left without its people).
pub async fn record_views(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    if !dry_run {
        db.execute_raw(crate::db::statement(
            db.get_database_backend(),
            "DELETE FROM record_view_people \
             WHERE view_id IN (SELECT id FROM record_views WHERE at < ?)",
            vec![before.into()],
        ))
        .await?;
    }
    let condition = Condition::all().add(record_view::Column::At.lt(before));
    remove::<record_view::Entity>(db, condition, dry_run).await
}

/// Records of directory reconciliations started before `before`.
pub async fn reconciliations(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64, DbErr> {
    let condition = Condition::all().add(directory_reconciliation::Column::StartedAt.lt(before));
    remove::<directory_reconciliation::Entity>(db, condition, dry_run).await
}

/// People who left before `left_before` and are not erased yet, oldest departure first, at
/// most `limit`.
pub async fn left_before(
    db: &impl ConnectionTrait,
    left_before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<user::Model>, DbErr> {
    use sea_orm::QuerySelect;
    user::Entity::find()
        .filter(user::Column::Status.eq(user::STATUS_LEFT))
        .filter(user::Column::LeftAt.lt(left_before))
        .filter(user::Column::ErasedAt.is_null())
        .order_by_asc(user::Column::LeftAt)
        .order_by_asc(user::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many people who left before `left_before` are not erased yet.
pub async fn count_left_before(
    db: &impl ConnectionTrait,
    left_before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::Status.eq(user::STATUS_LEFT))
        .filter(user::Column::LeftAt.lt(left_before))
        .filter(user::Column::ErasedAt.is_null())
        .count(db)
        .await
}

/// One person to erase: what names them now, and what replaces it.
pub struct Erasure {
    pub id: Uuid,
    pub email: String,
    pub email_normalized: String,
    pub personnel_number: String,
    /// Stands for the person from now on (personnel number and name).
    pub pseudonym: String,
    /// An address that reaches nobody (`.invalid`, RFC 2606), unique like the pseudonym.
    pub pseudonym_email: String,
}

/// Removes what belongs to these people and exists only for them (sessions, second factors,
/// links, mail, the outbox of other systems, their quiz answers), in a few statements for the
/// whole batch.
pub async fn remove_belongings(db: &impl ConnectionTrait, batch: &[Erasure]) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = batch.iter().map(|p| p.id).collect();
    let addresses: Vec<String> = batch
        .iter()
        .flat_map(|p| [p.email.clone(), p.email_normalized.clone()])
        .collect();
    // Sessions take their tool sessions along (ON DELETE CASCADE).
    session::Entity::delete_many()
        .filter(session::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    oidc_session::Entity::delete_many()
        .filter(oidc_session::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    sign_in_challenge::Entity::delete_many()
        .filter(sign_in_challenge::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    second_factor::Entity::delete_many()
        .filter(second_factor::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    password_link::Entity::delete_many()
        .filter(password_link::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    outbox_mail::Entity::delete_many()
        .filter(
            Condition::any()
                .add(outbox_mail::Column::UserId.is_in(ids.clone()))
                .add(outbox_mail::Column::Recipient.is_in(addresses)),
        )
        .exec(db)
        .await?;
    outbox_operation::Entity::delete_many()
        .filter(outbox_operation::Column::UserId.is_in(ids.clone()))
        .exec(db)
        .await?;
    quiz_attempt::Entity::update_many()
        .col_expr(
            quiz_attempt::Column::Answers,
            Expr::value(Option::<String>::None),
        )
        .filter(quiz_attempt::Column::UserId.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces a person's name, addresses and personnel number by the pseudonym, removes the
/// password and every role, and marks them erased. Their unit, status and dates stay, so
/// that their records count where they counted.
pub async fn pseudonymise(
    db: &impl ConnectionTrait,
    person: &Erasure,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::PersonnelNumber,
            Expr::value(person.pseudonym.as_str()),
        )
        .col_expr(user::Column::Name, Expr::value(person.pseudonym.as_str()))
        .col_expr(
            user::Column::Email,
            Expr::value(person.pseudonym_email.as_str()),
        )
        .col_expr(
            user::Column::EmailNormalized,
            Expr::value(person.pseudonym_email.as_str()),
        )
        .col_expr(
            user::Column::PasswordHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::IsManager, Expr::value(false))
        .col_expr(user::Column::IsHr, Expr::value(false))
        .col_expr(user::Column::IsAdmin, Expr::value(false))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(user::Column::ErasedAt, Expr::value(Some(now)))
        .filter(user::Column::Id.eq(person.id))
        .exec(db)
        .await
        .map(|_| ())
}

/// `value` for a LIKE pattern, with its wildcards taken literally (`ESCAPE '\'`).
fn like_literal(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Rewrites what names the person in audit details and reconciliation reports: their
/// addresses wherever they appear, their personnel number where an entry names it (alone,
/// before a colon, after a space), and the whole detail of their email changes, which name
/// former addresses. Each statement reads the table once (LIKE cannot use an index); people
/// are erased a few at a time, once a day.
pub async fn scrub_mentions(db: &impl ConnectionTrait, person: &Erasure) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let number = like_literal(&person.personnel_number);
    let run = |sql: &'static str, values: Vec<Value>| {
        let stmt = statement(backend, sql, values);
        async move { db.execute_raw(stmt).await.map(|_| ()) }
    };
    run(
        "UPDATE audit_log SET detail = ? \
         WHERE action = 'person.email_changed' AND detail LIKE ? ESCAPE '\\'",
        vec![
            format!("{}: (erased)", person.pseudonym).into(),
            format!("{number}: %").into(),
        ],
    )
    .await?;
    let mut addresses = vec![person.email.clone()];
    if person.email_normalized != person.email {
        addresses.push(person.email_normalized.clone());
    }
    for address in &addresses {
        run(
            "UPDATE audit_log SET detail = REPLACE(detail, ?, ?) WHERE detail LIKE ? ESCAPE '\\'",
            vec![
                address.clone().into(),
                person.pseudonym_email.clone().into(),
                format!("%{}%", like_literal(address)).into(),
            ],
        )
        .await?;
        run(
            "UPDATE directory_reconciliations SET report = REPLACE(report, ?, ?) \
             WHERE report LIKE ? ESCAPE '\\'",
            vec![
                address.clone().into(),
                person.pseudonym_email.clone().into(),
                format!("%{}%", like_literal(address)).into(),
            ],
        )
        .await?;
    }
    run(
        "UPDATE audit_log SET detail = REPLACE(detail, ?, ?) \
         WHERE detail = ? OR detail LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\' \
            OR detail LIKE ? ESCAPE '\\'",
        vec![
            person.personnel_number.clone().into(),
            person.pseudonym.clone().into(),
            person.personnel_number.clone().into(),
            format!("{number}: %").into(),
            format!("% {number}").into(),
            format!("% {number} %").into(),
        ],
    )
    .await?;
    // In a report's JSON a personnel number is a string of its own, or one followed by a
    // remark ("4711 (2 entries)").
    for (from, to) in [
        (
            format!("\"{}\"", person.personnel_number),
            format!("\"{}\"", person.pseudonym),
        ),
        (
            format!("\"{} (", person.personnel_number),
            format!("\"{} (", person.pseudonym),
        ),
    ] {
        run(
            "UPDATE directory_reconciliations SET report = REPLACE(report, ?, ?) \
             WHERE report LIKE ? ESCAPE '\\'",
            vec![
                from.clone().into(),
                to.into(),
                format!("%{}%", like_literal(&from)).into(),
            ],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::like_literal;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_literal("a_b%c\\d"), "a\\_b\\%c\\\\d");
    }
}
