//! The first start: a one-time link that creates the first administrator, and nothing else.

use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, IntoActiveModel, Set};

use crate::db;
use crate::domain::{Email, Language, NewPassword, Roles, SingleLine};
use crate::entities::user;
use crate::services::org_units::UnitIndex;
use crate::services::passwords::{self, PasswordError};
use crate::services::people::{self, NewPerson};
use crate::services::secrets;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// An administrator exists or the link is not the one printed last.
    #[error("this setup link is not valid")]
    InvalidLink,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The first administrator as entered on the setup page.
pub struct FirstAdmin {
    pub name: SingleLine,
    pub email: Email,
    pub password: NewPassword,
    pub language: Language,
}

/// If there is no active administrator, makes a new setup token and returns it (to be
/// printed as a link); earlier tokens stop working.
pub async fn token_if_needed(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    if db::users::count_active_admins(db).await? > 0 {
        return Ok(None);
    }
    let token = secrets::new_token();
    db::setup_tokens::replace(db, secrets::hash_token(&token)).await?;
    Ok(Some(token))
}

/// Answers whether a setup link may still be used.
pub async fn link_is_valid(db: &DatabaseConnection, token: &str) -> Result<bool, DbErr> {
    Ok(db::users::count_active_admins(db).await? == 0
        && db::setup_tokens::exists(db, &secrets::hash_token(token)).await?)
}

/// Creates the first administrator with the token, which is used up by it.
pub async fn create_first_admin(
    db: &DatabaseConnection,
    token: &str,
    admin: FirstAdmin,
) -> Result<user::Model, SetupError> {
    let hash = passwords::hash(admin.password).await?;
    let txn = db::begin_write(db).await?;
    if db::users::count_active_admins(&txn).await? > 0
        || !db::setup_tokens::exists(&txn, &secrets::hash_token(token)).await?
    {
        return Err(SetupError::InvalidLink);
    }
    let person = NewPerson {
        personnel_number: format!("admin-{}", &secrets::new_token()[..8]),
        name: admin.name,
        email: admin.email,
        org_unit: vec!["Administration".to_owned()],
        roles: Roles {
            admin: true,
            ..Roles::default()
        },
        language: admin.language,
    };
    let created = match db::users::by_email(&txn, &person.email.normalized()).await? {
        // A person imported before setup becomes the administrator.
        Some(found) => {
            let mut model = found.into_active_model();
            model.is_admin = Set(true);
            model.status = Set(user::STATUS_ACTIVE.to_owned());
            model.left_at = Set(None);
            model.update(&txn).await?
        }
        None => {
            let unit = UnitIndex::load(&txn)
                .await?
                .find_or_create(&txn, &person.org_unit)
                .await?;
            people::insert(&txn, &person, unit.id).await?
        }
    };
    db::users::set_password_hash(&txn, created.id, hash).await?;
    db::setup_tokens::delete_all(&txn).await?;
    db::audit::record(&txn, Some(created.id), "setup.first_admin", &created.email).await?;
    txn.commit().await?;
    Ok(created)
}
