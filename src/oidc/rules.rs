//! Who signs in through the OpenID provider, and how their claims become a kiwi person: the
//! settings of single sign-on (`KIWI_OIDC_*`), read by the configuration and applied by the
//! sign-in service.

use crate::domain::Role;
use crate::oidc::Provider;

/// The provider and the rules for who signs in through it.
#[derive(Debug)]
pub struct SingleSignOn {
    pub provider: Provider,
    pub rules: Rules,
}

#[derive(Debug, Clone)]
pub struct Rules {
    /// `email`, or a claim matched against the personnel number.
    pub user_claim: String,
    pub create_people: bool,
    pub name_claim: String,
    pub personnel_number_claim: String,
    pub unit_claim: Option<String>,
    /// The unit path of created people whose token names none.
    pub default_unit: String,
    pub role_claim: Option<String>,
    /// Group → role; roles never come from the token without it.
    pub role_map: Vec<(String, Role)>,
}

impl Rules {
    /// Parses `KIWI_OIDC_ROLE_MAP` entries (`group=role`, role one of manager, hr, admin).
    pub fn parse_role_map(entries: &[String]) -> Result<Vec<(String, Role)>, String> {
        entries
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (group, role) = entry
                    .rsplit_once('=')
                    .ok_or_else(|| format!("KIWI_OIDC_ROLE_MAP: {entry} is not group=role"))?;
                match Role::parse(role) {
                    Some(role @ (Role::Manager | Role::Hr | Role::Admin)) => {
                        Ok((group.trim().to_owned(), role))
                    }
                    _ => Err(format!(
                        "KIWI_OIDC_ROLE_MAP: {role} is not one of manager, hr, admin"
                    )),
                }
            })
            .collect()
    }
}
