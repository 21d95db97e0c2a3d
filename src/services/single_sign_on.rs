//! Single sign-on with the administration's OpenID provider: who a sign-in is (matched by a
//! configured claim against the people HR imported, created only when configured), which
//! roles the provider's groups give (only with a mapping, each change audited), and the
//! provider's back-channel logout ending that person's kiwi sessions on every instance.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db;
use crate::db::access_changes::Change;
use crate::domain::{Email, Language, ReturnPath, Role, Roles, SingleLine};
use crate::entities::{oidc_session, oidc_sign_in, user};
use crate::oidc::{Claims, OidcError, Rules, SingleSignOn, jwt};
use crate::services::people::{self, NewPerson, PeopleError};
use crate::services::secrets;
use crate::services::sessions::{self, NewSession};
use crate::services::throttle::{self, Limit};

/// How long a sign-in may take at the provider.
pub const SIGN_IN_LIFETIME: Duration = Duration::minutes(10);
/// A client address starts at most this many sign-ins at the provider (each is stored until
/// it comes back or expires).
pub const STARTS_PER_CLIENT: Limit = Limit {
    max: 30,
    window: Duration::minutes(5),
};

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("the OpenID provider is unavailable: {0}")]
    Unavailable(String),
    /// A token or answer failed validation; the reason is for the log.
    #[error("sign-in refused: {0}")]
    Rejected(&'static str),
    /// The `state` is unknown, used or expired: a replayed or stale callback.
    #[error("unknown or used state")]
    Replayed,
    /// The provider answered with an error (the person cancelled, or was refused there).
    #[error("the provider refused: {0}")]
    Denied(String),
    /// No active kiwi person matches, and none may be created.
    #[error("no active person matches")]
    UnknownPerson,
    /// Too many sign-ins started from one client address.
    #[error("too many sign-ins started")]
    Throttled,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl From<OidcError> for SsoError {
    fn from(error: OidcError) -> Self {
        match error {
            OidcError::Unavailable(why) => SsoError::Unavailable(why),
            OidcError::Invalid(why) => SsoError::Rejected(why),
        }
    }
}

/// A sign-in sent to the provider: where the browser goes, and the token of the cookie
/// that binds the callback to this browser.
pub struct Begun {
    pub url: String,
    pub browser_token: String,
}

/// Starts a sign-in at the provider: a fresh `state`, `nonce` and PKCE verifier, stored
/// (state hashed) until the callback uses them once.
pub async fn begin(
    db: &DatabaseConnection,
    sso: &SingleSignOn,
    next: &ReturnPath,
    client: &str,
) -> Result<Begun, SsoError> {
    if !throttle::take(db, &format!("sso-start:{client}"), STARTS_PER_CLIENT).await? {
        return Err(SsoError::Throttled);
    }
    let state = secrets::new_token();
    let nonce = secrets::new_token();
    let verifier = secrets::new_token();
    let challenge = jwt::b64_encode(&Sha256::digest(verifier.as_bytes()));
    let url = sso
        .provider
        .authorization_url(&state, &nonce, &challenge)
        .await?;
    let browser_token = secrets::new_token();
    let now = Utc::now();
    db::oidc::insert_sign_in(
        db,
        oidc_sign_in::ActiveModel {
            state_hash: Set(secrets::hash_token(&state)),
            browser_hash: Set(secrets::hash_token(&browser_token)),
            nonce: Set(nonce),
            code_verifier: Set(verifier),
            next_path: Set(next.as_str().to_owned()),
            created_at: Set(now),
            expires_at: Set(now + SIGN_IN_LIFETIME),
        },
    )
    .await?;
    Ok(Begun { url, browser_token })
}

/// What the provider sent the browser back with.
pub struct Callback<'a> {
    pub state: &'a str,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
    /// RFC 9207: the issuer of the answer, when the provider names it.
    pub iss: Option<&'a str>,
    pub browser_token: Option<&'a str>,
}

/// A sign-in that succeeded: the new session and where to go.
pub struct Finished {
    pub session: NewSession,
    pub next: ReturnPath,
}

/// Finishes a sign-in: the state once and from the same browser, the code exchanged with the
/// PKCE verifier, the ID token validated (signature, issuer, audience, expiry, nonce), the
/// person matched (or created), the roles mapped, and a session opened.
pub async fn finish(
    db: &DatabaseConnection,
    sso: &SingleSignOn,
    callback: Callback<'_>,
) -> Result<Finished, SsoError> {
    if !secrets::is_token(callback.state) {
        return Err(SsoError::Replayed);
    }
    let now = Utc::now();
    let txn = db::begin_write(db).await?;
    let pending = db::oidc::take_sign_in(&txn, &secrets::hash_token(callback.state), now).await?;
    txn.commit().await?;
    let pending = pending.ok_or(SsoError::Replayed)?;
    let same_browser = callback.browser_token.is_some_and(|token| {
        secrets::is_token(token)
            && secrets::constant_time_eq(&secrets::hash_token(token), &pending.browser_hash)
    });
    if !same_browser {
        return Err(SsoError::Rejected("the sign-in began in another browser"));
    }
    if callback
        .iss
        .is_some_and(|iss| iss != sso.provider.config.issuer)
    {
        return Err(SsoError::Rejected("the answer names another issuer"));
    }
    if let Some(error) = callback.error {
        let code: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return Err(SsoError::Denied(code));
    }
    let code = callback
        .code
        .filter(|code| !code.is_empty() && code.len() <= 4096)
        .ok_or(SsoError::Rejected("the answer carries no code"))?;

    let tokens = sso.provider.exchange(code, &pending.code_verifier).await?;
    let id_token = tokens
        .id_token
        .as_deref()
        .ok_or(SsoError::Rejected("the token endpoint sent no ID token"))?;
    let mut claims = sso
        .provider
        .validate_id_token(id_token, &pending.nonce, now.timestamp())
        .await?;
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(access_token) = tokens.access_token.as_deref()
        && lacks_wanted_claims(&sso.rules, &claims)
    {
        for (name, value) in sso.provider.userinfo(access_token, &sub).await? {
            claims.entry(name).or_insert(value);
        }
    }

    let person = match find(db, &sso.rules, &claims).await? {
        Some(person) if person.status == user::STATUS_ACTIVE => person,
        Some(_) => return Err(SsoError::UnknownPerson),
        None if sso.rules.create_people => create(db, &sso.rules, &claims).await?,
        None => return Err(SsoError::UnknownPerson),
    };

    let txn = db::begin_write(db).await?;
    map_roles(&txn, &sso.rules, &claims, &person).await?;
    let session = sessions::create(&txn, person.id).await?;
    db::oidc::insert_session(
        &txn,
        oidc_session::ActiveModel {
            session_id_hash: Set(secrets::hash_token(&session.token)),
            user_id: Set(person.id),
            subject: Set(sub),
            sid: Set(claims.get("sid").and_then(Value::as_str).map(str::to_owned)),
            created_at: Set(now),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Finished {
        session,
        next: ReturnPath::or_home(Some(&pending.next_path)),
    })
}

/// Whether a claim kiwi needs is missing from the ID token (then the userinfo has it).
fn lacks_wanted_claims(rules: &Rules, claims: &Claims) -> bool {
    let mut wanted = vec![rules.user_claim.as_str()];
    if rules.create_people {
        wanted.extend(["email", rules.name_claim.as_str()]);
        if rules.user_claim == "email" {
            wanted.push(&rules.personnel_number_claim);
        }
        wanted.extend(rules.unit_claim.as_deref());
    }
    if !rules.role_map.is_empty() {
        wanted.extend(rules.role_claim.as_deref());
    }
    wanted.iter().any(|name| !claims.contains_key(*name))
}

/// A claim as one line of text: a string or a number, trimmed, without control characters,
/// at most 254 characters.
fn claim_text(claims: &Claims, name: &str) -> Option<String> {
    let text = match claims.get(name)? {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!text.is_empty() && text.chars().count() <= 254 && !text.chars().any(char::is_control))
        .then_some(text)
}

/// The address the provider says is the person's, refused if the provider says it is not
/// verified.
fn email_of(claims: &Claims) -> Result<Option<Email>, SsoError> {
    if claims.get("email_verified") == Some(&Value::Bool(false)) {
        return Err(SsoError::Rejected(
            "the provider has not verified the email address",
        ));
    }
    Ok(claim_text(claims, "email").and_then(|text| Email::parse(&text)))
}

/// The person the configured claim names: by email address, or by personnel number.
async fn find(
    db: &impl ConnectionTrait,
    rules: &Rules,
    claims: &Claims,
) -> Result<Option<user::Model>, SsoError> {
    if rules.user_claim == "email" {
        let email =
            email_of(claims)?.ok_or(SsoError::Rejected("the token carries no email address"))?;
        return Ok(db::users::by_email(db, &email.normalized()).await?);
    }
    let number = claim_text(claims, &rules.user_claim).ok_or(SsoError::Rejected(
        "the token lacks the configured user claim",
    ))?;
    Ok(db::users::by_personnel_number(db, &number).await?)
}

/// Creates a person at their first sign-in (`KIWI_OIDC_CREATE_PEOPLE`), with name, email
/// address, personnel number and unit from the token, no roles and no password. Someone
/// else holding the address or number is a refusal, never a merge.
async fn create(
    db: &DatabaseConnection,
    rules: &Rules,
    claims: &Claims,
) -> Result<user::Model, SsoError> {
    let email =
        email_of(claims)?.ok_or(SsoError::Rejected("a new person needs an email address"))?;
    let name = claim_text(claims, &rules.name_claim)
        .or_else(|| {
            let given = claim_text(claims, "given_name")?;
            Some(match claim_text(claims, "family_name") {
                Some(family) => format!("{given} {family}"),
                None => given,
            })
        })
        .and_then(|name| SingleLine::parse(&name).ok())
        .ok_or(SsoError::Rejected("a new person needs a name"))?;
    let number_claim = if rules.user_claim == "email" {
        &rules.personnel_number_claim
    } else {
        &rules.user_claim
    };
    let personnel_number = claim_text(claims, number_claim)
        .ok_or(SsoError::Rejected("a new person needs a personnel number"))?;
    let unit_path = rules
        .unit_claim
        .as_deref()
        .and_then(|claim| claim_text(claims, claim))
        .unwrap_or_else(|| rules.default_unit.clone());
    let org_unit: Vec<String> = unit_path
        .split(" / ")
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect();
    if org_unit.is_empty() {
        return Err(SsoError::Rejected("a new person needs a unit"));
    }
    let person = NewPerson {
        personnel_number,
        name,
        email,
        org_unit,
        roles: Roles::default(),
        language: Language::De,
    };
    match people::add(db, person, None).await {
        Ok(created) => {
            db::audit::record(
                db,
                None,
                "person.created_at_sign_in",
                &created.personnel_number,
            )
            .await?;
            Ok(created)
        }
        Err(PeopleError::EmailTaken(_) | PeopleError::PersonnelNumberTaken(_)) => {
            Err(SsoError::UnknownPerson)
        }
        Err(PeopleError::Database(e)) => Err(e.into()),
        Err(other) => Err(SsoError::Unavailable(other.to_string())),
    }
}

/// With a mapping, the roles it names follow the provider's groups at every sign-in (given
/// when a group gives them, taken when none does); the last active administrator keeps the
/// role. Each change is audited.
async fn map_roles(
    db: &impl ConnectionTrait,
    rules: &Rules,
    claims: &Claims,
    person: &user::Model,
) -> Result<(), DbErr> {
    let Some(claim) = rules.role_claim.as_deref() else {
        return Ok(());
    };
    if rules.role_map.is_empty() {
        return Ok(());
    }
    let groups: Vec<&str> = match claims.get(claim) {
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    let before = people::roles_of(person);
    let mut after = before;
    for (_, role) in &rules.role_map {
        let held = rules
            .role_map
            .iter()
            .any(|(group, r)| r == role && groups.contains(&group.as_str()));
        match role {
            Role::Manager => after.manager = held,
            Role::Hr => after.hr = held,
            Role::Admin => after.admin = held,
            Role::Employee => {}
        }
    }
    if before.admin && !after.admin && db::users::count_active_admins(db).await? <= 1 {
        tracing::warn!(
            person = %person.id,
            "the provider's groups would take the administrator role from the last active administrator; kept"
        );
        after.admin = true;
    }
    if after == before {
        return Ok(());
    }
    db::oidc::set_roles(db, person.id, after).await?;
    let detail = format!(
        "{}: {} -> {} (groups at the identity provider)",
        person.personnel_number,
        before.to_list(),
        after.to_list()
    );
    db::audit::record(db, None, "person.roles_changed", &detail).await?;
    db::access_changes::record(db, Change::Person(person.id)).await
}

/// The provider's back-channel logout: a valid logout token ends the kiwi sessions of that
/// provider session (or of that subject); every instance forgets them within a second.
/// Answers how many ended.
pub async fn back_channel_logout(
    db: &DatabaseConnection,
    sso: &SingleSignOn,
    token: &str,
) -> Result<usize, SsoError> {
    let logout = sso
        .provider
        .validate_logout_token(token, Utc::now().timestamp())
        .await?;
    let txn = db::begin_write(db).await?;
    let ended = db::oidc::sessions_of(&txn, logout.sub.as_deref(), logout.sid.as_deref()).await?;
    for session in &ended {
        sessions::end(&txn, &session.session_id_hash).await?;
    }
    txn.commit().await?;
    Ok(ended.len())
}

/// Where to send the browser after signing out of kiwi: the provider's sign-out page, for a
/// session that came from the provider and a provider that has one.
pub async fn provider_sign_out(
    db: &impl ConnectionTrait,
    sso: &SingleSignOn,
    session_id_hash: &str,
) -> Result<Option<String>, DbErr> {
    if db::oidc::session(db, session_id_hash).await?.is_none() {
        return Ok(None);
    }
    Ok(sso.provider.end_session_url().await)
}

/// Removes sign-ins that never came back from the provider.
pub async fn purge(db: &DatabaseConnection) -> Result<u64, DbErr> {
    db::oidc::purge_sign_ins(db, Utc::now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_maps_name_groups_and_privileged_roles() {
        let map = Rules::parse_role_map(&[
            "kiwi-admins=admin".into(),
            " /Stadt/Personal = hr ".into(),
            "".into(),
        ])
        .unwrap();
        assert_eq!(
            map,
            vec![
                ("kiwi-admins".to_owned(), Role::Admin),
                ("/Stadt/Personal".to_owned(), Role::Hr)
            ]
        );
        assert!(Rules::parse_role_map(&["kiwi=employee".into()]).is_err());
        assert!(Rules::parse_role_map(&["kiwi".into()]).is_err());
    }

    #[test]
    fn claims_are_one_line_of_text() {
        let claims: Claims =
            serde_json::from_str(r#"{"a": " 1001 ", "b": 1002, "c": "x\ny", "d": [1], "e": ""}"#)
                .unwrap();
        assert_eq!(claim_text(&claims, "a").as_deref(), Some("1001"));
        assert_eq!(claim_text(&claims, "b").as_deref(), Some("1002"));
        assert_eq!(claim_text(&claims, "c"), None);
        assert_eq!(claim_text(&claims, "d"), None);
        assert_eq!(claim_text(&claims, "e"), None);
        assert_eq!(claim_text(&claims, "f"), None);
    }
}
