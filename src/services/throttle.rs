//! Counting events per key ("account:…", "client:…", "reset:…"), kept in the database so
//! every instance counts alike: sign-in failures and password reset requests. An event is
//! counted first, in one statement, and only then is the work done: a parallel burst cannot
//! slip past the limit between a check and a count.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value};

use crate::db;

/// As long as the longest window of any limit (reset requests, an hour): counts older than
/// this are removed.
pub const LONGEST_WINDOW: Duration = Duration::hours(1);

// The limits of everything that checks what a person types to sign in (a password, a code
// of the second factor): one count per account and per client address, shared by both.

/// An account (whatever the address typed, existing or not) has 5 free tries; then each
/// further try waits 15 s, 30 s, 1 min … up to 5 min after the one before, and the count
/// starts again after 15 quiet minutes. A stranger can thus slow the owner down by minutes
/// at most, never lock them out for long.
pub const SIGN_IN_PER_ACCOUNT: Backoff = Backoff {
    free: 5,
    first: Duration::seconds(15),
    longest: Duration::minutes(5),
    quiet: Duration::minutes(15),
};
/// A client address fails at most 30 times within 15 minutes, across accounts.
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    max: 30,
    window: Duration::minutes(15),
};

/// At most `max` events per key within a fixed `window` from the first one.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
}

/// `free` events per key, then each further one only after a pause since the one before,
/// doubling from `first` up to `longest`; the count starts again after `quiet` without any.
/// OWASP advises such a short, growing delay instead of a long lock, which a stranger
/// could use to keep the owner of an account out.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub free: i32,
    pub first: Duration,
    pub longest: Duration,
    pub quiet: Duration,
}

impl Backoff {
    /// The pause required before the event that follows `events` counted ones.
    pub fn pause_after(&self, events: i32) -> Duration {
        if events < self.free {
            return Duration::zero();
        }
        let doublings = u32::try_from(events - self.free).unwrap_or(0).min(20);
        (self.first * 2_i32.saturating_pow(doublings)).min(self.longest)
    }

    /// How many distinct pauses there are before the longest one is reached.
    fn steps(&self) -> i32 {
        let mut steps = 0;
        while self.pause_after(self.free + steps) < self.longest && steps < 20 {
            steps += 1;
        }
        steps
    }
}

/// Counts one event for `key` within `limit`; answers whether it is within the limit. Events
/// over the limit are counted too.
pub async fn take(db: &DatabaseConnection, key: &str, limit: Limit) -> Result<bool, DbErr> {
    let txn = db::begin_write(db).await?;
    let allowed = take_in(&txn, key, limit).await?;
    txn.commit().await?;
    Ok(allowed)
}

/// [`take`] inside a transaction the caller commits.
pub async fn take_in(db: &impl ConnectionTrait, key: &str, limit: Limit) -> Result<bool, DbErr> {
    let now = Utc::now();
    let floor = now - limit.window;
    let sql = "INSERT INTO sign_in_failures (key, failures, window_start) VALUES (?, 1, ?) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN sign_in_failures.window_start <= ? THEN 1 \
                    ELSE sign_in_failures.failures + 1 END, \
         window_start = CASE WHEN sign_in_failures.window_start <= ? THEN ? \
                        ELSE sign_in_failures.window_start END \
         RETURNING failures";
    let values: Vec<Value> = vec![
        key.into(),
        now.into(),
        floor.into(),
        floor.into(),
        now.into(),
    ];
    let row = db
        .query_one_raw(db::statement(db.get_database_backend(), sql, values))
        .await?;
    let events: i32 = match row {
        Some(row) => row.try_get("", "failures")?,
        None => 1,
    };
    Ok(events <= limit.max)
}

/// Counts one event for `key` if its pause has passed; answers whether it was counted. A
/// refused event is not counted, so hammering does not lengthen the pause.
pub async fn take_with_backoff(
    db: &impl ConnectionTrait,
    key: &str,
    backoff: Backoff,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let quiet_floor = now - backoff.quiet;
    // The pause depends on the stored count: one `WHEN` per step, the longest pause after.
    let mut gate = String::from("CASE");
    let mut gate_values: Vec<Value> = Vec::new();
    for step in 0..backoff.steps() {
        let events = backoff.free + step;
        gate.push_str(" WHEN sign_in_failures.failures <= ? THEN ?");
        gate_values.push(events.into());
        gate_values.push(at(now - backoff.pause_after(events)));
    }
    gate.push_str(" ELSE ? END");
    gate_values.push(at(now - backoff.longest));
    let sql = format!(
        "INSERT INTO sign_in_failures (key, failures, window_start) VALUES (?, 1, ?) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN sign_in_failures.window_start <= ? THEN 1 \
                    ELSE sign_in_failures.failures + 1 END, \
         window_start = ? \
         WHERE sign_in_failures.window_start <= ? \
            OR sign_in_failures.failures < ? \
            OR sign_in_failures.window_start <= ({gate}) \
         RETURNING failures"
    );
    let mut values: Vec<Value> = vec![
        key.into(),
        at(now),
        at(quiet_floor),
        at(now),
        at(quiet_floor),
        backoff.free.into(),
    ];
    values.extend(gate_values);
    let row = db
        .query_one_raw(db::statement(db.get_database_backend(), &sql, values))
        .await?;
    Ok(row.is_some())
}

fn at(moment: DateTime<Utc>) -> Value {
    moment.into()
}

/// Takes back one counted event (a sign-in that succeeded counts against nobody's address).
pub async fn give_back(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    db::sign_in_failures::decrement(db, key).await
}

/// Forgets a key's count (a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    db::sign_in_failures::clear(db, key).await
}

/// Removes counts older than `longest_window`: nothing is kept past its purpose.
pub async fn purge(db: &DatabaseConnection, longest_window: Duration) -> Result<u64, DbErr> {
    db::sign_in_failures::purge(db, Utc::now() - longest_window).await
}

/// The key under which events for a typed address are counted: a hash, so the table never
/// holds what strangers typed (and a 10 MB "address" costs 64 bytes).
pub fn address_key(prefix: &str, typed: &str) -> String {
    let normalized = typed.trim().to_lowercase();
    format!(
        "{prefix}:{}",
        crate::services::secrets::hash_token(&normalized)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff {
        free: 5,
        first: Duration::seconds(15),
        longest: Duration::minutes(5),
        quiet: Duration::minutes(15),
    };

    #[test]
    fn the_pause_doubles_after_the_free_events_up_to_the_longest() {
        assert_eq!(BACKOFF.pause_after(4), Duration::zero());
        assert_eq!(BACKOFF.pause_after(5), Duration::seconds(15));
        assert_eq!(BACKOFF.pause_after(6), Duration::seconds(30));
        assert_eq!(BACKOFF.pause_after(8), Duration::minutes(2));
        assert_eq!(BACKOFF.pause_after(9), Duration::minutes(4));
        assert_eq!(BACKOFF.pause_after(10), Duration::minutes(5));
        assert_eq!(BACKOFF.pause_after(1000), Duration::minutes(5));
        assert_eq!(BACKOFF.steps(), 5);
    }

    #[test]
    fn typed_addresses_are_stored_hashed() {
        let key = address_key("account", " Anna@Stadt.Example ");
        assert_eq!(key, address_key("account", "anna@stadt.example"));
        assert!(!key.contains("anna"));
        assert_eq!(key.len(), "account:".len() + 64);
    }
}
