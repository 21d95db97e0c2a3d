//! Password hashing with argon2id (OWASP parameters), always off the async threads, and
//! never more at once than there are CPUs.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::domain::NewPassword;

/// How long a password check waits for a free CPU before the request is turned away.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// Each argon2 run takes 19 MiB and a CPU for tens of milliseconds: running more at once
/// than there are CPUs makes no one faster and lets a burst of sign-ins (or guesses) use
/// gigabytes. The permits are the process's CPUs, so they are one per process.
fn turn() -> &'static Semaphore {
    static CPUS: OnceLock<Semaphore> = OnceLock::new();
    CPUS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cpus)
    })
}

async fn wait_for_turn() -> Result<SemaphorePermit<'static>, PasswordError> {
    match tokio::time::timeout(LONGEST_WAIT, turn().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(PasswordError::Busy),
    }
}

/// Hashes a new password as argon2id (m=19 MiB, t=2, p=1: the OWASP recommendation).
pub async fn hash(password: NewPassword) -> Result<String, PasswordError> {
    let password = password.into_inner();
    let _turn = wait_for_turn().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash: PasswordHash| hash.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))?
}

/// Checks a password against a stored hash. With no hash (a person who never set a
/// password) it still does the work of one check, so timing does not tell them apart.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    let _turn = wait_for_turn().await?;
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && stored != DUMMY_HASH)
    })
    .await
    .map_err(|e| PasswordError::Hash(e.to_string()))?
}

/// An argon2id hash of a random string nobody knows; verified against when there is no hash.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$a2l3aS1kdW1teS1zYWx0$0ttLbLdV3Gz9Xg6iTQ0I2H+8yAKGRwRyH0lrL3w5q5k";

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Every CPU was busy with password checks for a while: try again in a moment.
    #[error("too many password checks at once")]
    Busy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_well_formed_argon2id_hash() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
    }
}
