//! A second factor for password sign-ins: an authenticator app (TOTP, RFC 6238) and ten
//! single-use recovery codes. Required for privileged people (`KIWI_MFA`), open to anyone
//! with a password. Secrets are stored encrypted (AES-256-GCM) with kiwi's second-factor key,
//! bound to their person, so a database dump alone gives none away; recovery codes are
//! stored as hashes. Every code works once, within ±1 step of 30 s, and the second step is
//! throttled like the password step.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db;
use crate::domain::ReturnPath;
use crate::entities::{second_factor, sign_in_challenge, user};
use crate::services::secrets;
use crate::services::sessions::{self, NewSession};
use crate::services::throttle::{self, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_CLIENT};
use crate::services::totp::{self, TotpSecret};

/// Who must use a second factor when signing in with a password (`KIWI_MFA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaMode {
    /// No second factor at all.
    Off,
    /// Administrators and HR (the default for `kiwi serve`).
    Privileged,
    /// Administrators, HR and department heads.
    Managers,
    /// Everyone with a password.
    All,
}

impl std::str::FromStr for MfaMode {
    type Err = String;
    fn from_str(input: &str) -> Result<MfaMode, String> {
        match input.trim().to_lowercase().as_str() {
            "off" => Ok(MfaMode::Off),
            "privileged" => Ok(MfaMode::Privileged),
            "managers" => Ok(MfaMode::Managers),
            "all" => Ok(MfaMode::All),
            _ => Err(format!(
                "{input} is not one of privileged, managers, all, off"
            )),
        }
    }
}

/// How long the second step may wait after the password was right.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(10);
/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code: 16 of Crockford's base32, 80 bits.
const RECOVERY_CHARS: usize = 16;
const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    /// A wrong, malformed or already used code: one answer for all.
    #[error("the code is wrong or was used already")]
    WrongCode,
    #[error("too many failed attempts")]
    Throttled,
    /// The waiting sign-in is gone (expired, finished, or its person left).
    #[error("the sign-in has expired")]
    Expired,
    /// Second factors are off, or this person cannot have one (no password).
    #[error("no second factor here")]
    NotAvailable,
    #[error("the second-factor key: {0}")]
    Key(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The key that encrypts TOTP secrets. Its `Debug` shows only its fingerprint.
pub struct SecretKey {
    key: LessSafeKey,
    /// Stored with each secret, so a secret sealed with another key is named as such.
    fingerprint: String,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.fingerprint)
    }
}

/// The file in the data directory that holds the key when no key is configured.
pub const KEY_FILE: &str = "second-factor.key";

impl SecretKey {
    /// The key derived from a configured text (at least 32 characters).
    pub fn from_text(text: &str) -> Result<SecretKey, String> {
        let text = text.trim();
        if text.chars().count() < 32 {
            return Err("the second-factor key needs at least 32 characters".into());
        }
        let mut hasher = Sha256::new();
        hasher.update(b"kiwi second factor key v1\0");
        hasher.update(text.as_bytes());
        SecretKey::from_bytes(&hasher.finalize())
    }

    fn from_bytes(bytes: &[u8]) -> Result<SecretKey, String> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| "bad key length")?;
        let mut hasher = Sha256::new();
        hasher.update(b"kiwi key fingerprint\0");
        hasher.update(bytes);
        let fingerprint = secrets::hash_token(&format!("{:x}", hasher.finalize()))[..8].to_owned();
        Ok(SecretKey {
            key: LessSafeKey::new(unbound),
            fingerprint,
        })
    }

    /// Reads the key file, or creates one with a fresh random key (readable by kiwi only).
    pub fn load_or_create(path: &Path) -> Result<SecretKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::from_text(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let text = secrets::new_token();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                write_private(path, &text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                SecretKey::from_text(&text)
            }
            Err(error) => Err(format!("cannot read {}: {error}", path.display())),
        }
    }

    /// Encrypts a secret for one person: `v1.<fingerprint>.<hex of nonce and sealed text>`.
    fn seal(&self, user_id: Uuid, secret: &TotpSecret) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .expect("the operating system's random generator is unavailable");
        let mut sealed = secret.as_bytes().to_vec();
        // Sealing fails only for texts of gigabytes.
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(user_id.as_bytes()),
                &mut sealed,
            )
            .is_err()
        {
            sealed.clear();
        }
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("v1.{}.{}", self.fingerprint, hex(&bytes))
    }

    /// Decrypts a person's secret; a secret of another person or key does not open.
    fn open(&self, user_id: Uuid, stored: &str) -> Result<TotpSecret, SecondFactorError> {
        let mut parts = stored.splitn(3, '.');
        let (Some("v1"), Some(fingerprint), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(SecondFactorError::Key(
                "a stored secret has an unknown form".into(),
            ));
        };
        if fingerprint != self.fingerprint {
            return Err(SecondFactorError::Key(format!(
                "a stored secret was encrypted with another key ({fingerprint}, this one is {}): \
                 every instance needs the same KIWI_MFA_KEY",
                self.fingerprint
            )));
        }
        let bytes = unhex(body)
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(|| SecondFactorError::Key("a stored secret is damaged".into()))?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| SecondFactorError::Key("a stored secret is damaged".into()))?;
        let mut sealed = sealed.to_vec();
        let opened = self
            .key
            .open_in_place(nonce, Aad::from(user_id.as_bytes()), &mut sealed)
            .map_err(|_| SecondFactorError::Key("a stored secret does not open".into()))?;
        Ok(TotpSecret::from_bytes(opened.to_vec()))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// The second factor as configured: who needs one, and the key of the secrets.
#[derive(Debug)]
pub struct SecondFactors {
    pub mode: MfaMode,
    /// `None` when the mode is off.
    key: Option<SecretKey>,
    /// The issuer authenticator apps show next to the code.
    issuer: String,
}

impl SecondFactors {
    pub fn new(mode: MfaMode, key: Option<SecretKey>, issuer: String) -> SecondFactors {
        let key = key.filter(|_| mode != MfaMode::Off);
        let mode = if key.is_some() { mode } else { MfaMode::Off };
        SecondFactors { mode, key, issuer }
    }

    pub fn enabled(&self) -> bool {
        self.mode != MfaMode::Off
    }

    /// Whether this person must have a second factor to sign in with a password.
    pub fn required_for(&self, person: &user::Model) -> bool {
        match self.mode {
            MfaMode::Off => false,
            MfaMode::Privileged => person.is_admin || person.is_hr,
            MfaMode::Managers => person.is_admin || person.is_hr || person.is_manager,
            MfaMode::All => true,
        }
    }

    fn key(&self) -> Result<&SecretKey, SecondFactorError> {
        self.key.as_ref().ok_or(SecondFactorError::NotAvailable)
    }
}

/// A factor being set up: what the enrolment page shows. Its `Debug` shows nothing of it.
pub struct Enrolment {
    /// The secret in base32, in groups of four for typing.
    pub secret_text: String,
    /// The QR code of the `otpauth://` URI, as SVG.
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment([redacted])")
    }
}

/// A person's second factor as their profile shows it.
#[derive(Debug, Clone)]
pub struct Status {
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unused_recovery_codes: u64,
}

pub async fn status(db: &impl ConnectionTrait, person: &user::Model) -> Result<Status, DbErr> {
    let confirmed = db::second_factors::confirmed_of(db, person.id).await?;
    let unused = match confirmed {
        Some(_) => db::second_factors::unused_recovery_codes(db, person.id).await?,
        None => 0,
    };
    Ok(Status {
        confirmed_at: confirmed.and_then(|f| f.confirmed_at),
        unused_recovery_codes: unused,
    })
}

/// Whether a person may set up a factor: only with a password of their own (read from the
/// database: a session holds the person without it).
pub async fn available_to(
    db: &impl ConnectionTrait,
    factors: &SecondFactors,
    person: &user::Model,
) -> Result<bool, DbErr> {
    if !factors.enabled() {
        return Ok(false);
    }
    Ok(db::users::by_id(db, person.id)
        .await?
        .is_some_and(|p| p.password_hash.is_some()))
}

/// Whether a password sign-in of this person goes on to the second step.
pub async fn asks(
    db: &impl ConnectionTrait,
    factors: &SecondFactors,
    person: &user::Model,
) -> Result<bool, DbErr> {
    if !factors.enabled() {
        return Ok(false);
    }
    if factors.required_for(person) {
        return Ok(true);
    }
    Ok(db::second_factors::confirmed_of(db, person.id)
        .await?
        .is_some())
}

/// The factor this person is setting up, begun now if there is none: reloading the page
/// shows the same secret, so a code from the app scanned first still fits.
pub async fn enrolment(
    db: &DatabaseConnection,
    factors: &SecondFactors,
    person: &user::Model,
) -> Result<Enrolment, SecondFactorError> {
    let key = factors.key()?;
    let secret = match db::second_factors::pending_of(db, person.id).await? {
        Some(pending) => key.open(person.id, &pending.secret)?,
        None => {
            let secret = TotpSecret::generate();
            db::second_factors::insert(
                db,
                second_factor::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(person.id),
                    secret: Set(key.seal(person.id, &secret)),
                    confirmed_at: Set(None),
                    last_step: Set(None),
                    created_at: Set(Utc::now()),
                },
            )
            .await?;
            secret
        }
    };
    let uri = secret.uri(&factors.issuer, &person.email);
    let secret_text = secret
        .base32()
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Enrolment {
        secret_text,
        qr_svg: qr_svg(&uri),
    })
}

/// Fresh recovery codes, shown once: kiwi keeps only their hashes.
pub struct RecoveryCodes(pub Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.0.len())
    }
}

/// Confirms the factor being set up with a code from the app, inside the caller's
/// transaction; replaces any earlier factor and its recovery codes, and audits it.
async fn confirm_in(
    txn: &impl ConnectionTrait,
    factors: &SecondFactors,
    person: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<RecoveryCodes, SecondFactorError> {
    let key = factors.key()?;
    let code = totp::parse_code(code).ok_or(SecondFactorError::WrongCode)?;
    let pending = db::second_factors::pending_of(txn, person.id)
        .await?
        .ok_or(SecondFactorError::WrongCode)?;
    let secret = key.open(person.id, &pending.secret)?;
    let step = secret
        .matching_step(&code, now.timestamp())
        .ok_or(SecondFactorError::WrongCode)?;
    if !db::second_factors::confirm(txn, &pending, step, now).await? {
        return Err(SecondFactorError::WrongCode);
    }
    let codes = new_recovery_codes();
    let hashes = codes
        .0
        .iter()
        .map(|code| recovery_hash(person.id, &normalize_recovery(code).unwrap_or_default()))
        .collect();
    db::second_factors::replace_recovery_codes(txn, person.id, hashes, now).await?;
    db::audit::record(
        txn,
        Some(person.id),
        "person.second_factor_enrolled",
        &person.personnel_number,
    )
    .await?;
    Ok(codes)
}

/// Confirms the factor a signed-in person set up on their profile.
pub async fn confirm(
    db: &DatabaseConnection,
    factors: &SecondFactors,
    person: &user::Model,
    code: &str,
) -> Result<RecoveryCodes, SecondFactorError> {
    if !available_to(db, factors, person).await? {
        return Err(SecondFactorError::NotAvailable);
    }
    let txn = db::begin_write(db).await?;
    let codes = confirm_in(&txn, factors, person, code, Utc::now()).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Begins the second step of a sign-in whose password was right: the token goes into a
/// cookie and nowhere else.
pub async fn begin_challenge(
    db: &impl ConnectionTrait,
    person: &user::Model,
    next: &ReturnPath,
) -> Result<String, DbErr> {
    let token = secrets::new_token();
    let now = Utc::now();
    db::second_factors::insert_challenge(
        db,
        sign_in_challenge::ActiveModel {
            token_hash: Set(secrets::hash_token(&token)),
            user_id: Set(person.id),
            next_path: Set(next.as_str().to_owned()),
            created_at: Set(now),
            expires_at: Set(now + CHALLENGE_LIFETIME),
        },
    )
    .await?;
    Ok(token)
}

/// A sign-in waiting for its second step, and whether its person has a factor yet (else the
/// step sets one up).
#[derive(Debug)]
pub struct Challenge {
    pub person: user::Model,
    pub enrolled: bool,
    pub next: ReturnPath,
}

/// The waiting sign-in of a cookie token, if it is still open and its person active.
pub async fn challenge(db: &impl ConnectionTrait, token: &str) -> Result<Option<Challenge>, DbErr> {
    if !secrets::is_token(token) {
        return Ok(None);
    }
    let Some(row) =
        db::second_factors::challenge(db, &secrets::hash_token(token), Utc::now()).await?
    else {
        return Ok(None);
    };
    let Some(person) = db::users::by_id(db, row.user_id)
        .await?
        .filter(|p| p.status == user::STATUS_ACTIVE)
    else {
        return Ok(None);
    };
    let enrolled = db::second_factors::confirmed_of(db, person.id)
        .await?
        .is_some();
    Ok(Some(Challenge {
        person,
        enrolled,
        next: ReturnPath::or_home(Some(&row.next_path)),
    }))
}

/// A second step that succeeded: the new session, where to go, and the recovery codes if
/// the factor was set up in this step.
pub struct Answered {
    pub session: NewSession,
    pub next: ReturnPath,
    pub recovery_codes: Option<RecoveryCodes>,
}

/// Answers the second step with a code from the app or a recovery code (or, for a person
/// setting up their factor, the confirming code). Each try is counted before the code is
/// checked, per person and per client address, with the limits of the password step.
pub async fn answer(
    db: &DatabaseConnection,
    factors: &SecondFactors,
    token: &str,
    code: &str,
    client: &str,
) -> Result<Answered, SecondFactorError> {
    let challenge = challenge(db, token)
        .await?
        .ok_or(SecondFactorError::Expired)?;
    let person = challenge.person;
    let account_key = format!("second-factor:{}", person.id);
    let client_key = format!("client:{client}");
    let txn = db::begin_write(db).await?;
    let client_within = throttle::take_in(&txn, &client_key, SIGN_IN_PER_CLIENT).await?;
    let account_within = client_within
        && throttle::take_with_backoff(&txn, &account_key, SIGN_IN_PER_ACCOUNT).await?;
    txn.commit().await?;
    if !account_within {
        return Err(SecondFactorError::Throttled);
    }

    let now = Utc::now();
    let token_hash = secrets::hash_token(token);
    let txn = db::begin_write(db).await?;
    let recovery_codes = if challenge.enrolled {
        check_code(&txn, factors, &person, code, now).await?;
        None
    } else {
        Some(confirm_in(&txn, factors, &person, code, now).await?)
    };
    if !db::second_factors::take_challenge(&txn, &token_hash, now).await? {
        return Err(SecondFactorError::Expired);
    }
    throttle::clear(&txn, &account_key).await?;
    throttle::give_back(&txn, &client_key).await?;
    let session = sessions::create(&txn, person.id).await?;
    txn.commit().await?;
    Ok(Answered {
        session,
        next: challenge.next,
        recovery_codes,
    })
}

/// Checks a code from the app (each step's code once) or a recovery code (each once).
async fn check_code(
    txn: &impl ConnectionTrait,
    factors: &SecondFactors,
    person: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), SecondFactorError> {
    let factor = db::second_factors::confirmed_of(txn, person.id)
        .await?
        .ok_or(SecondFactorError::Expired)?;
    if let Some(code) = totp::parse_code(code) {
        let secret = factors.key()?.open(person.id, &factor.secret)?;
        let step = secret
            .matching_step(&code, now.timestamp())
            .ok_or(SecondFactorError::WrongCode)?;
        if !db::second_factors::use_step(txn, factor.id, step).await? {
            return Err(SecondFactorError::WrongCode);
        }
        return Ok(());
    }
    let code = normalize_recovery(code).ok_or(SecondFactorError::WrongCode)?;
    if !db::second_factors::use_recovery_code(txn, person.id, &recovery_hash(person.id, &code), now)
        .await?
    {
        return Err(SecondFactorError::WrongCode);
    }
    db::audit::record(
        txn,
        Some(person.id),
        "person.recovery_code_used",
        &person.personnel_number,
    )
    .await?;
    Ok(())
}

/// An administrator removes another person's second factor and recovery codes (a lost
/// phone): that person's sessions end, and their next sign-in sets up a new factor. Audited.
/// False when the person had none.
pub async fn reset(
    db: &DatabaseConnection,
    admin: &user::Model,
    person: &user::Model,
) -> Result<bool, DbErr> {
    let txn = db::begin_write(db).await?;
    if db::second_factors::confirmed_of(&txn, person.id)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    db::second_factors::delete_all_of(&txn, person.id).await?;
    sessions::end_all(&txn, person.id).await?;
    db::audit::record(
        &txn,
        Some(admin.id),
        "person.second_factor_reset",
        &person.personnel_number,
    )
    .await?;
    let admin_viewer = crate::services::record_views::Viewer {
        id: Some(admin.id),
        role: crate::services::record_views::ViewerRole::Admin,
    };
    crate::services::record_views::record_listed(
        &txn,
        admin_viewer,
        crate::services::record_views::Kind::SecondFactorReset,
        "",
        &[person.id],
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Removes waiting sign-ins that expired and factors never confirmed.
pub async fn purge(db: &DatabaseConnection) -> Result<u64, DbErr> {
    db::second_factors::purge(db, Utc::now()).await
}

fn new_recovery_codes() -> RecoveryCodes {
    let codes = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CHARS];
            getrandom::fill(&mut bytes)
                .expect("the operating system's random generator is unavailable");
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(CROCKFORD[usize::from(b & 0x1f)]))
                .collect();
            chars
                .chunks(4)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect();
    RecoveryCodes(codes)
}

/// A recovery code as typed: case, spaces and dashes do not matter, nor the letters
/// Crockford's alphabet reads as digits (O, I, L).
fn normalize_recovery(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect();
    (code.len() == RECOVERY_CHARS && code.bytes().all(|b| CROCKFORD.contains(&b))).then_some(code)
}

/// The stored hash of a recovery code: bound to its person.
fn recovery_hash(user_id: Uuid, code: &str) -> String {
    secrets::hash_token(&format!("{user_id}:{code}"))
}

/// A QR code as SVG: one path of dark modules, with a quiet zone of four.
fn qr_svg(text: &str) -> String {
    let Ok(qr) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let width = qr.width();
    let size = width + 8;
    let mut path = String::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\" aria-hidden=\"true\" \
         focusable=\"false\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>",
        px = size * 5
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_text("a test key of at least thirty-two characters").unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_for_its_person_only() {
        let key = key();
        let (anna, bernd) = (Uuid::now_v7(), Uuid::now_v7());
        let secret = TotpSecret::generate();
        let stored = key.seal(anna, &secret);
        assert!(!stored.contains(&secret.base32()));
        assert_eq!(key.open(anna, &stored).unwrap(), secret);
        assert!(key.open(bernd, &stored).is_err());
        let other = SecretKey::from_text("another key of at least thirty-two characters").unwrap();
        let error = other.open(anna, &stored).unwrap_err().to_string();
        assert!(error.contains("another key"), "{error}");
        assert!(!format!("{key:?}").contains("test key"));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(SecretKey::from_text("short").is_err());
    }

    #[test]
    fn recovery_codes_are_80_bits_and_forgive_typing() {
        let codes = new_recovery_codes();
        assert_eq!(codes.0.len(), 10);
        for code in &codes.0 {
            assert_eq!(code.len(), 19, "{code}");
            assert!(normalize_recovery(code).is_some());
            assert_eq!(
                normalize_recovery(&code.to_uppercase().replace('-', " ")),
                normalize_recovery(code)
            );
        }
        assert_eq!(
            normalize_recovery("OIL0-1111-2222-3333").as_deref(),
            Some("0110111122223333")
        );
        assert_eq!(normalize_recovery("123456"), None);
        assert_eq!(normalize_recovery("uuuu-uuuu-uuuu-uuuu"), None);
    }

    #[test]
    fn the_qr_code_is_an_svg_path() {
        let svg = qr_svg("otpauth://totp/kiwi:anna@stadt.example?secret=ABC");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<path d=\"M"));
    }
}
