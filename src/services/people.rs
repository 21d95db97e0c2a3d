//! People: adding one, passwords, language; the rules around a person's account.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::db;
use crate::db::access_changes::Change;
use crate::domain::{Email, Language, NewPassword, Roles, SingleLine};
use crate::entities::user;
use crate::services::mails::{Composer, MailError};
use crate::services::org_units::UnitIndex;
use crate::services::password_links;
use crate::services::passwords::{self, PasswordError};
use crate::services::sessions::{self, NewSession};

/// A person as entered by an operator or HR, already parsed.
pub struct NewPerson {
    pub personnel_number: String,
    pub name: SingleLine,
    pub email: Email,
    pub org_unit: Vec<String>,
    pub roles: Roles,
    pub language: Language,
}

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("the personnel number {0} is already taken")]
    PersonnelNumberTaken(String),
    #[error("the email address {0} is already taken")]
    EmailTaken(String),
    #[error("no person with the email address {0}")]
    UnknownEmail(String),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Adds one person; personnel number and email must be new.
pub async fn add(
    db: &DatabaseConnection,
    person: NewPerson,
    actor: Option<Uuid>,
) -> Result<user::Model, PeopleError> {
    add_with_invitation(db, person, actor, None).await
}

/// Adds one person and, with a composer, invites them by mail to set their password (in the
/// same transaction).
pub async fn add_with_invitation(
    db: &DatabaseConnection,
    person: NewPerson,
    actor: Option<Uuid>,
    invitation: Option<&Composer>,
) -> Result<user::Model, PeopleError> {
    let txn = db::begin_write(db).await?;
    if db::users::by_personnel_number(&txn, &person.personnel_number)
        .await?
        .is_some()
    {
        return Err(PeopleError::PersonnelNumberTaken(person.personnel_number));
    }
    if db::users::by_email(&txn, &person.email.normalized())
        .await?
        .is_some()
    {
        return Err(PeopleError::EmailTaken(person.email.to_string()));
    }
    let unit = UnitIndex::load(&txn)
        .await?
        .find_or_create(&txn, &person.org_unit)
        .await?;
    let created = insert(&txn, &person, unit.id).await?;
    if let Some(mail) = invitation {
        password_links::invite(&txn, mail, &created, Utc::now()).await?;
    }
    db::audit::record(&txn, actor, "person.added", &created.personnel_number).await?;
    audit_changes(&txn, actor, None, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Inserts a person without a password (they set one through a link or an operator), and
/// tells the access caches about them.
pub(crate) async fn insert(
    db: &impl sea_orm::ConnectionTrait,
    person: &NewPerson,
    org_unit_id: Uuid,
) -> Result<user::Model, DbErr> {
    let now = Utc::now();
    let created = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        personnel_number: Set(person.personnel_number.clone()),
        name: Set(person.name.as_str().to_owned()),
        email: Set(person.email.to_string()),
        email_normalized: Set(person.email.normalized()),
        org_unit_id: Set(org_unit_id),
        language: Set(person.language.code().to_owned()),
        status: Set(user::STATUS_ACTIVE.to_owned()),
        password_hash: Set(None),
        is_manager: Set(person.roles.manager),
        is_hr: Set(person.roles.hr),
        is_admin: Set(person.roles.admin),
        created_at: Set(now),
        updated_at: Set(now),
        left_at: Set(None),
        erased_at: Set(None),
    }
    .insert(db)
    .await?;
    db::access_changes::record(db, Change::Person(created.id)).await?;
    Ok(created)
}

/// Sets a person's password (operator command); every open session of theirs ends.
pub async fn set_password(
    db: &DatabaseConnection,
    email: &Email,
    password: NewPassword,
) -> Result<(), PeopleError> {
    let person = db::users::by_email(db, &email.normalized())
        .await?
        .ok_or_else(|| PeopleError::UnknownEmail(email.to_string()))?;
    let hash = passwords::hash(password).await?;
    let txn = db::begin_write(db).await?;
    db::users::set_password_hash(&txn, person.id, hash).await?;
    sessions::end_all(&txn, person.id).await?;
    db::audit::record(&txn, None, "person.password_set", &person.personnel_number).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one's own password after checking the current one. All sessions end, and the
/// session returned replaces the one the change was made from.
pub async fn change_password(
    db: &DatabaseConnection,
    person: &user::Model,
    current: String,
    new: NewPassword,
) -> Result<NewSession, PeopleError> {
    // The stored hash, read now: a session holds the person without it.
    let stored = db::users::by_id(db, person.id)
        .await?
        .and_then(|p| p.password_hash);
    if !passwords::verify(current, stored).await? {
        return Err(PeopleError::WrongPassword);
    }
    let hash = passwords::hash(new).await?;
    let txn = db::begin_write(db).await?;
    db::users::set_password_hash(&txn, person.id, hash).await?;
    sessions::end_all(&txn, person.id).await?;
    let session = sessions::create(&txn, person.id).await?;
    db::audit::record(&txn, Some(person.id), "person.password_changed", "").await?;
    txn.commit().await?;
    Ok(session)
}

/// Stores the language a person reads kiwi in; every instance reads the person afresh.
pub async fn set_language(
    db: &DatabaseConnection,
    person: &user::Model,
    language: Language,
) -> Result<(), DbErr> {
    let txn = db::begin_write(db).await?;
    db::users::set_language(&txn, person.id, language.code()).await?;
    db::access_changes::record(&txn, Change::Person(person.id)).await?;
    txn.commit().await
}

/// Audits what changed in a person's roles and email address, with before and after, so that
/// a grant of rights or a redirected account can be traced to who did it. A new person
/// (`before` is `None`) is audited only for roles beyond employee.
pub async fn audit_changes(
    db: &impl sea_orm::ConnectionTrait,
    actor: Option<Uuid>,
    before: Option<&user::Model>,
    after: &user::Model,
) -> Result<(), DbErr> {
    let number = &after.personnel_number;
    let roles_after = roles_of(after);
    let roles_before = before.map(roles_of).unwrap_or_default();
    if roles_before != roles_after {
        let from = before.map_or("(new)".to_owned(), |_| roles_before.to_list());
        let detail = format!("{number}: {from} -> {}", roles_after.to_list());
        db::audit::record(db, actor, "person.roles_changed", &detail).await?;
    }
    if let Some(before) = before
        && before.email_normalized != after.email_normalized
    {
        let detail = format!("{number}: {} -> {}", before.email, after.email);
        db::audit::record(db, actor, "person.email_changed", &detail).await?;
    }
    Ok(())
}

/// The roles stored for a person.
pub fn roles_of(person: &user::Model) -> Roles {
    Roles {
        manager: person.is_manager,
        hr: person.is_hr,
        admin: person.is_admin,
    }
}
