//! A person: an employee of the administration, with roles and a sign-in.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub personnel_number: String,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub org_unit_id: Uuid,
    pub language: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub is_manager: bool,
    pub is_hr: bool,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
    /// When their personal data was replaced by a pseudonym (`services::retention`).
    pub erased_at: Option<DateTimeUtc>,
}

/// Never shows the password hash (only whether there is one).
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("personnel_number", &self.personnel_number)
            .field("org_unit_id", &self.org_unit_id)
            .field("status", &self.status)
            .field("has_password", &self.password_hash.is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_LEFT: &str = "left";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password_hash() {
        let person = Model {
            id: Uuid::nil(),
            personnel_number: "4711".into(),
            name: "Anna Schmidt".into(),
            email: "anna@example.org".into(),
            email_normalized: "anna@example.org".into(),
            org_unit_id: Uuid::nil(),
            language: "de".into(),
            status: STATUS_ACTIVE.into(),
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            is_manager: false,
            is_hr: false,
            is_admin: false,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            left_at: None,
            erased_at: None,
        };
        let shown = format!("{person:?}");
        assert!(!shown.contains("argon2"), "{shown}");
        assert!(shown.contains("has_password: true"), "{shown}");
    }
}
