//! The in-memory index that answers the access rule (`access::rule`) on every request of a
//! tool without a database round trip, fed by the change feed. The same index holds the
//! training records that reports are computed from; beside it, a small cache resolves
//! sessions for every page.
//!
//! The index is an immutable snapshot behind an atomic pointer: a check or a report takes
//! the current snapshot and works on it without a lock, so a report over the whole
//! administration never holds up a tool's check, and the feed follower builds the next
//! snapshot beside it and swaps it in. Snapshots share what did not change (see
//! `SharedMap`), so a change costs what it touches, not the size of the administration.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};
use uuid::Uuid;

use crate::access::rule::{
    self, CertificateFact, Decision, Entitlements, Interner, Rules, Transition,
};
use crate::db;
use crate::db::access_changes::Change;
use crate::db::records::{RecordQuery, RecordRow};
use crate::entities::{access_change, user};
use crate::services::integrations;
use crate::services::secrets;
use crate::services::sessions::{self, ActiveSession};
use crate::services::tool_sessions;
use crate::tools::Tool;

/// What the rule knows about a person before a change, read in the transaction that makes
/// it. The person is locked first (PostgreSQL), so that two changes of one person are
/// judged one after the other and their grants and denials follow each other.
pub async fn before_change(
    txn: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Option<Entitlements>, DbErr> {
    db::access_changes::lock_person(txn, user).await?;
    match db::users::by_id(txn, user).await? {
        Some(person) => Ok(Some(entitlements_of(txn, &person).await?)),
        None => Ok(None),
    }
}

/// Writes every grant and denial a change causes to the audit log, in the transaction that
/// makes the change: each is written exactly once, however many instances follow the feed
/// and however they batch it; what they tell other systems (directory groups, webhooks) is
/// queued with them. Returns the transitions (for the mails they cause).
pub async fn audit_change<'a>(
    txn: &impl ConnectionTrait,
    rules: Rules<'a>,
    user: Uuid,
    before: Option<&Entitlements>,
) -> Result<Vec<Transition<'a>>, DbErr> {
    let Some(person) = db::users::by_id(txn, user).await? else {
        return Ok(Vec::new());
    };
    let after = entitlements_of(txn, &person).await?;
    let now = Utc::now();
    let changed = rule::transitions(rules, before, Some(&after), now);
    for transition in &changed {
        let action = if transition.allowed {
            "access.granted"
        } else {
            "access.denied"
        };
        let detail = format!("{} {}", transition.tool.id, person.personnel_number);
        db::audit::record(txn, None, action, &detail).await?;
    }
    integrations::queue_transitions(txn, rules, &after, &changed, now).await?;
    Ok(changed)
}

/// Loads what the rule needs about one person.
pub async fn entitlements_of(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<Entitlements, DbErr> {
    let certificates = db::certificates::of_user(db, person.id).await?;
    let acknowledged = db::policy_acknowledgements::of_user(db, person.id).await?;
    let started = db::records::started_courses(db, Some(&[person.id])).await?;
    Ok(Entitlements {
        certificates: certificates.iter().map(CertificateFact::from).collect(),
        acknowledged: acknowledged.into_iter().map(|a| a.policy_version).collect(),
        started: started.into_iter().map(|(_, course)| course).collect(),
        ..Entitlements::of(person)
    })
}

/// A signed-in session as the database last confirmed it, for pages and forward auth. The
/// person is held without their password hash; nothing here prints (no `Debug`).
#[derive(Clone)]
struct CachedSession {
    active: Arc<ActiveSession>,
    checked_at: DateTime<Utc>,
}

impl CachedSession {
    /// Answered from memory for a minute after the database confirmed it; the next look
    /// at the database also keeps the session alive.
    fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.active.expires_at > now && self.checked_at + sessions::TOUCH_INTERVAL > now
    }
}

#[derive(Debug, Clone)]
struct CachedKey {
    tool_id: String,
    revoked: bool,
}

/// Where this instance stands in the change feed.
///
/// Ids are handed out when a change is inserted, but transactions commit in their own order.
/// On SQLite there is one writer at a time, so ids commit in order and the last id read is a
/// cursor without gaps. On PostgreSQL a transaction that took a smaller id may commit after
/// a larger id was read; an `id > cursor` reader would skip it for good. There the cursor is
/// a commit-order watermark instead: the snapshot's xmin (`pg_current_snapshot()`), below
/// which every transaction has ended. Each read takes the changes of every transaction at or
/// above the last watermark and skips the ids it already applied. This is exact whatever
/// the length of a transaction, where a re-read window of fixed length would miss a
/// transaction longer than the window; the price is re-reading the few changes of
/// transactions that were still open at the last read.
#[derive(Clone, Debug)]
enum Cursor {
    /// The last id applied (SQLite).
    Id(i64),
    /// The watermark and the ids applied at or above it, with their transactions (PostgreSQL).
    CommitOrder {
        horizon: u64,
        applied: HashMap<i64, u64>,
    },
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor::Id(0)
    }
}

/// How many shards a `SharedMap` has: a change copies one shard, about 1/64 of the map.
const SHARDS: usize = 64;

/// A hash map split into shards that snapshots share: cloning it copies 64 pointers, and a
/// change copies only the shard it touches (copy on write), so building the next snapshot
/// after one person changed costs a few thousand entries even with 166,000 people.
#[derive(Clone)]
struct SharedMap<K, V> {
    shards: Vec<Arc<HashMap<K, V>>>,
    hasher: RandomState,
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap {
            shards: (0..SHARDS).map(|_| Arc::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> SharedMap<K, V> {
    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> usize {
        (self.hasher.hash_one(key) % SHARDS as u64) as usize
    }

    fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[self.shard(key)].get(key)
    }

    fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard(key);
        if !self.shards[shard].contains_key(key) {
            return None;
        }
        Arc::make_mut(&mut self.shards[shard]).get_mut(key)
    }

    fn insert(&mut self, key: K, value: V) {
        let shard = self.shard(&key);
        Arc::make_mut(&mut self.shards[shard]).insert(key, value);
    }

    fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard(key);
        if self.shards[shard].contains_key(key) {
            Arc::make_mut(&mut self.shards[shard]).remove(key);
        }
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(|shard| shard.values())
    }
}

/// What the index knows at one point of the change feed. Never changed once published:
/// the next state is a new snapshot.
#[derive(Clone, Default)]
struct Snapshot {
    ready: bool,
    /// Shared, so that a check can hold a person without copying them.
    people: SharedMap<Uuid, Arc<Entitlements>>,
    /// The people of each unit, so that a unit's report reads only its own people.
    members: HashMap<Uuid, Arc<HashSet<Uuid>>>,
    by_email: SharedMap<String, Uuid>,
    by_personnel_number: SharedMap<String, Uuid>,
    keys: Arc<HashMap<String, CachedKey>>,
    /// How often the progress of the people of each bucket (by id) changed, and how often
    /// everything was loaded: a page's cached progress is good while its version holds
    /// (`ProgressVersion`). A fixed number of buckets keeps this small; a change in a bucket
    /// only makes its other people's progress be read again.
    progress_changes: Arc<Vec<u64>>,
    progress_epoch: u64,
}

impl Snapshot {
    /// The people of these units, everyone without a list; active or not.
    fn people_in<'a>(
        &'a self,
        units: Option<&'a [Uuid]>,
    ) -> Box<dyn Iterator<Item = &'a Arc<Entitlements>> + 'a> {
        match units {
            Some(units) => Box::new(
                units
                    .iter()
                    .filter_map(|unit| self.members.get(unit))
                    .flat_map(|members| members.iter())
                    .filter_map(|id| self.people.get(id)),
            ),
            None => Box::new(self.people.values()),
        }
    }

    /// Adds or replaces a person with their look-ups by email and personnel number and
    /// their unit's members: the one way people come into the index.
    fn index_person(&mut self, person: Entitlements) {
        if let Some(before) = self.people.get(&person.user_id).cloned() {
            self.by_email.remove(&before.email_normalized);
            self.by_personnel_number.remove(&before.personnel_number);
            if before.org_unit_id != person.org_unit_id
                && let Some(members) = self.members.get_mut(&before.org_unit_id)
            {
                Arc::make_mut(members).remove(&person.user_id);
            }
        }
        self.by_email
            .insert(person.email_normalized.clone(), person.user_id);
        self.by_personnel_number
            .insert(person.personnel_number.clone(), person.user_id);
        let members = self.members.entry(person.org_unit_id).or_default();
        if !members.contains(&person.user_id) {
            Arc::make_mut(members).insert(person.user_id);
        }
        self.people.insert(person.user_id, Arc::new(person));
    }
}

/// Sessions resolved from the database, for a minute each (see `CachedSession`).
#[derive(Default)]
struct SessionCache {
    sessions: HashMap<String, CachedSession>,
    /// Counts the times sessions were forgotten, so that a session resolved from the
    /// database while a change was applied is not cached over that change.
    generation: u64,
}

/// Everything the access check reads, in memory: people (with their unit and the courses
/// they started), their certificates and policy acknowledgements, the tools' keys and
/// resolved sessions. Every instance follows the `access_changes` feed, so a change made
/// anywhere reaches it within a fraction of a second.
pub struct AccessCache {
    snapshot: ArcSwap<Snapshot>,
    sessions: RwLock<SessionCache>,
    /// One sync (or load) at a time, holding where the feed was last read: a sync that
    /// started before a change was noted must not stand for one after it, and an older sync
    /// must not apply over a newer one.
    sync_turn: tokio::sync::Mutex<Cursor>,
    /// When the last successful read of the feed (or load) began, in nanoseconds after
    /// `epoch`; 0 for never. Entitlements are confirmed as of that instant.
    confirmed: AtomicU64,
    epoch: Instant,
    /// How long entitlements may go unconfirmed before every check fails closed.
    max_staleness: Duration,
    /// Whether the follower has logged that entitlements are unconfirmed.
    unconfirmed: AtomicBool,
}

/// How often the feed is read: a revocation is enforced everywhere well within a second.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(200);

/// At most this many changes are applied per read on SQLite (the rest at the next one).
const BATCH: u64 = 1000;

/// An instance that could not read the feed for this long loads everything again rather
/// than trusting its cursor: the feed keeps a day of changes (`db::access_changes::purge`),
/// so a cursor this old is still covered with a wide margin.
const RELOAD_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The cache has not loaded yet (or failed to): the check fails closed.
    #[error("the access cache is not ready")]
    NotReady,
    /// The feed could not be read for longer than the bound: what the cache holds may be
    /// out of date (a revocation elsewhere), so the check fails closed.
    #[error("entitlements not confirmed for {0:?}")]
    Unconfirmed(Duration),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// People whose facts one statement reads when changed people are read again.
const LOAD_BATCH: usize = 500;

/// What the rule needs about a batch of people, in a fixed number of statements per 500
/// people (the people, their certificates, acknowledgements and started courses).
pub async fn entitlements_of_many(
    db: &impl ConnectionTrait,
    people: &[user::Model],
) -> Result<Vec<Entitlements>, DbErr> {
    let mut found: HashMap<Uuid, Entitlements> =
        people.iter().map(|p| (p.id, Entitlements::of(p))).collect();
    let mut names = Interner::default();
    for chunk in people.chunks(LOAD_BATCH) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.id).collect();
        for certificate in db::reminders::certificates_of(db, &ids).await? {
            if let Some(person) = found.get_mut(&certificate.user_id) {
                person
                    .certificates
                    .push(CertificateFact::interned(&certificate, &mut names));
            }
        }
        for acknowledgement in db::reminders::acknowledgements_of(db, &ids).await? {
            if let Some(person) = found.get_mut(&acknowledgement.user_id) {
                person
                    .acknowledged
                    .insert(names.name(&acknowledgement.policy_version));
            }
        }
        for (user, course) in db::records::started_courses(db, Some(&ids)).await? {
            if let Some(person) = found.get_mut(&user) {
                person.started.insert(names.name(&course));
            }
        }
    }
    Ok(shrunk(found).collect())
}

/// The people loaded, each holding only what they need: their vectors grew by doubling
/// while rows arrived, and an index of 50,000 people keeps what they hold.
fn shrunk(found: HashMap<Uuid, Entitlements>) -> impl Iterator<Item = Entitlements> {
    found.into_values().map(|mut person| {
        person.certificates.shrink_to_fit();
        person
    })
}

/// `entitlements_of_many` with each person's number in the transparency log, for the index.
async fn numbered_entitlements(
    db: &impl ConnectionTrait,
    batch: Vec<db::users::Numbered>,
) -> Result<Vec<Entitlements>, DbErr> {
    let numbers: HashMap<Uuid, i64> = batch.iter().map(|n| (n.user.id, n.record_no)).collect();
    let people: Vec<user::Model> = batch.into_iter().map(|n| n.user).collect();
    let mut loaded = entitlements_of_many(db, &people).await?;
    for person in &mut loaded {
        person.record_no = numbers.get(&person.user_id).copied().unwrap_or_default();
    }
    Ok(loaded)
}

/// What the rule needs about everyone, one streamed statement per table (see
/// `db::entitlements`).
async fn load_everyone(db: &DatabaseConnection) -> Result<HashMap<Uuid, Entitlements>, DbErr> {
    let mut found: HashMap<Uuid, Entitlements> = HashMap::new();
    db::entitlements::people(db, |p| {
        found.insert(
            p.id,
            Entitlements {
                user_id: p.id,
                personnel_number: p.personnel_number,
                email: p.email,
                email_normalized: p.email_normalized,
                name: p.name,
                org_unit_id: p.org_unit_id,
                active: p.active,
                record_no: p.record_no,
                ..Default::default()
            },
        );
    })
    .await?;
    let mut names = Interner::default();
    db::entitlements::certificates(db, |c| {
        if let Some(person) = found.get_mut(&c.user_id) {
            person.certificates.push(CertificateFact {
                course_id: names.name(&c.course_id),
                serial: c.serial,
                course_version: names.name(&c.course_version),
                sequence: c.sequence,
                issued_at: c.issued_at,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                revoked: c.revoked,
            });
        }
    })
    .await?;
    db::entitlements::acknowledgements(db, |(user, version)| {
        if let Some(person) = found.get_mut(&user) {
            person.acknowledged.insert(names.name(&version));
        }
    })
    .await?;
    db::entitlements::started_courses(db, |(user, course)| {
        if let Some(person) = found.get_mut(&user) {
            person.started.insert(names.name(&course));
        }
    })
    .await?;
    Ok(found)
}

/// How many buckets `progress_version` keeps.
const PROGRESS_BUCKETS: usize = 4096;

fn progress_bucket(user: Uuid) -> usize {
    (user.as_u128() % PROGRESS_BUCKETS as u128) as usize
}

/// Stands for a person's progress as of some point of the change feed (see
/// `AccessCache::progress_version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressVersion(u64, u64);

/// Who a tool asks about: an email address or a personnel number.
pub enum PersonRef<'a> {
    Email(&'a str),
    PersonnelNumber(&'a str),
}

impl AccessCache {
    pub fn new(max_staleness: Duration) -> AccessCache {
        AccessCache {
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            sessions: RwLock::default(),
            sync_turn: tokio::sync::Mutex::new(Cursor::default()),
            confirmed: AtomicU64::new(0),
            epoch: Instant::now(),
            max_staleness,
            unconfirmed: AtomicBool::new(false),
        }
    }

    /// When entitlements were last confirmed from the database (the start of the last
    /// successful read of the feed), or None before the first load. For readiness checks.
    pub fn last_confirmed(&self) -> Option<Instant> {
        match self.confirmed.load(Ordering::Acquire) {
            0 => None,
            nanos => Some(self.epoch + Duration::from_nanos(nanos)),
        }
    }

    /// How long entitlements may go unconfirmed before the check fails closed.
    pub fn max_staleness(&self) -> Duration {
        self.max_staleness
    }

    /// How long ago entitlements were last confirmed (None: never), for administrators.
    pub fn unconfirmed_for(&self) -> Option<Duration> {
        self.last_confirmed().map(|at| at.elapsed())
    }

    /// Whether this instance may answer from its cache: loaded, and confirmed within the
    /// bound. Reads no database, so it answers even while the database does not.
    pub fn confirmed(&self) -> Result<(), AccessError> {
        let Some(at) = self.last_confirmed() else {
            return Err(AccessError::NotReady);
        };
        let age = at.elapsed();
        if age > self.max_staleness {
            return Err(AccessError::Unconfirmed(age));
        }
        if !self.is_ready() {
            return Err(AccessError::NotReady);
        }
        Ok(())
    }

    /// Notes a successful read of the database that began at `started`.
    fn confirm(&self, started: Instant) {
        let nanos = u64::try_from(started.duration_since(self.epoch).as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        self.confirmed.fetch_max(nanos, Ordering::AcqRel);
    }

    /// Loads everything; until this succeeds every check fails closed.
    pub async fn load(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let mut cursor = self.sync_turn.lock().await;
        self.load_in_turn(db, &mut cursor).await
    }

    async fn load_in_turn(
        &self,
        db: &DatabaseConnection,
        cursor: &mut Cursor,
    ) -> Result<(), DbErr> {
        let started = Instant::now();
        // The cursor is taken before anything is read: a change that commits while the
        // load runs is read (again) by the next sync.
        let from = match db.get_database_backend() {
            DbBackend::Postgres => Cursor::CommitOrder {
                horizon: db::access_changes::commit_horizon(db).await?,
                applied: HashMap::new(),
            },
            _ => Cursor::Id(db::access_changes::latest_id(db).await?),
        };
        let mut next = Snapshot::default();
        for person in shrunk(load_everyone(db).await?) {
            next.index_person(person);
        }
        next.keys = Arc::new(load_keys(db).await?);
        next.ready = true;
        next.progress_epoch = self.snapshot.load().progress_epoch + 1;
        next.progress_changes = Arc::new(vec![0; PROGRESS_BUCKETS]);
        self.snapshot.store(Arc::new(next));
        self.forget_sessions(|_| true);
        *cursor = from;
        self.confirm(started);
        crate::allocator::release_freed_memory();
        Ok(())
    }

    /// Applies the changes recorded since the last sync; returns how many it applied. A
    /// cursor the feed no longer covers (the instance could not read it for long, or the
    /// changes after it were purged) loads everything instead.
    pub async fn sync(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let mut cursor = self.sync_turn.lock().await;
        let started = Instant::now();
        if self
            .last_confirmed()
            .is_none_or(|at| at.elapsed() > RELOAD_AFTER)
        {
            self.load_in_turn(db, &mut cursor).await?;
            return Ok(0);
        }
        let applied = match self.apply_changes(db, &mut cursor).await? {
            Some(applied) => applied,
            None => {
                tracing::warn!(
                    "access cache: changes were purged before they were read; loading everything"
                );
                self.load_in_turn(db, &mut cursor).await?;
                0
            }
        };
        self.confirm(started);
        Ok(applied)
    }

    /// Reads the changes after the cursor: the changes not applied yet and the cursor after
    /// them, or None when the feed no longer holds every change after the cursor.
    async fn read_changes(
        db: &DatabaseConnection,
        cursor: &Cursor,
    ) -> Result<Option<(Vec<access_change::Model>, Cursor)>, DbErr> {
        match cursor {
            &Cursor::Id(after) => {
                let changes = db::access_changes::since(db, after, BATCH).await?;
                // Ids on SQLite have no holes (AUTOINCREMENT, one writer): a hole right
                // after the cursor means the purge took changes this instance never read.
                if changes
                    .first()
                    .is_some_and(|c| after > 0 && c.id > after + 1)
                {
                    return Ok(None);
                }
                let next = changes.last().map_or(after, |c| c.id);
                Ok(Some((changes, Cursor::Id(next))))
            }
            Cursor::CommitOrder { horizon, applied } => {
                let read = db::access_changes::since_horizon(db, *horizon).await?;
                let mut fresh = Vec::new();
                let mut still_open = HashMap::new();
                for (change, txid) in read.changes {
                    if txid >= read.horizon {
                        still_open.insert(change.id, txid);
                    }
                    if !applied.contains_key(&change.id) {
                        fresh.push(change);
                    }
                }
                let next = Cursor::CommitOrder {
                    horizon: read.horizon,
                    applied: still_open,
                };
                Ok(Some((fresh, next)))
            }
        }
    }

    /// Applies what the feed holds after the cursor; None when it no longer covers it.
    async fn apply_changes(
        &self,
        db: &DatabaseConnection,
        cursor: &mut Cursor,
    ) -> Result<Option<usize>, DbErr> {
        let Some((changes, read_up_to)) = Self::read_changes(db, cursor).await? else {
            return Ok(None);
        };
        if changes.is_empty() {
            *cursor = read_up_to;
            return Ok(Some(0));
        }
        let mut people: HashSet<Uuid> = HashSet::new();
        let mut learners: HashSet<Uuid> = HashSet::new();
        let mut keys = false;
        for change in changes.iter().filter_map(Change::of) {
            match change {
                Change::Person(user) => {
                    people.insert(user);
                }
                Change::Progress(user) => {
                    learners.insert(user);
                }
                Change::Keys => keys = true,
            }
        }
        let changed = db::users::numbered_by_ids(db, people.iter().copied().collect()).await?;
        let loaded = numbered_entitlements(db, changed).await?;
        // People whose progress alone changed: their started courses, in one statement.
        let starters: Vec<Uuid> = learners.difference(&people).copied().collect();
        let mut started: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (user, course) in db::records::started_courses(db, Some(&starters)).await? {
            started.entry(user).or_default().push(course);
        }
        let new_keys = if keys {
            Some(load_keys(db).await?)
        } else {
            None
        };
        // Only this task writes snapshots (it holds the turn): the next one starts as a copy
        // of the current one that shares everything this batch does not touch.
        let mut next = Snapshot::clone(&self.snapshot.load());
        for entitlements in loaded {
            next.index_person(entitlements);
        }
        for (user, courses) in started {
            if let Some(person) = next.people.get_mut(&user) {
                Arc::make_mut(person).started = courses.into_iter().collect();
            }
        }
        if !next.progress_changes.is_empty() && !learners.is_empty() {
            let buckets = Arc::make_mut(&mut next.progress_changes);
            for user in &learners {
                buckets[progress_bucket(*user)] += 1;
            }
        }
        if let Some(new_keys) = new_keys {
            next.keys = Arc::new(new_keys);
        }
        self.snapshot.store(Arc::new(next));
        // Sessions of changed people are resolved afresh (sign-out, password change, leaving).
        if !people.is_empty() {
            self.forget_sessions(|session| people.contains(&session.active.user.id));
        }
        *cursor = read_up_to;
        Ok(Some(changes.len()))
    }

    /// Forgets the cached sessions `which` picks; a session being resolved meanwhile is not
    /// cached afterwards.
    fn forget_sessions(&self, which: impl Fn(&CachedSession) -> bool) {
        let mut cache = self.sessions_mut();
        cache.sessions.retain(|_, session| !which(session));
        cache.generation += 1;
    }

    fn sessions_read(&self) -> std::sync::RwLockReadGuard<'_, SessionCache> {
        self.sessions.read().unwrap_or_else(|e| e.into_inner())
    }

    fn sessions_mut(&self) -> std::sync::RwLockWriteGuard<'_, SessionCache> {
        self.sessions.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_ready(&self) -> bool {
        self.snapshot.load().ready
    }

    /// The tool an API key belongs to, if the key exists and is not revoked.
    pub fn tool_of_key(&self, key: &str) -> Result<Option<String>, AccessError> {
        self.confirmed()?;
        Ok(self
            .snapshot
            .load()
            .keys
            .get(&secrets::hash_token(key))
            .filter(|k| !k.revoked)
            .map(|k| k.tool_id.clone()))
    }

    /// Decides for a person named by email or personnel number.
    pub fn decide_for(
        &self,
        tool: &Tool,
        who: PersonRef,
        policy: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Decision, AccessError> {
        self.confirmed()?;
        let snapshot = self.snapshot.load();
        let id = match who {
            PersonRef::Email(email) => snapshot.by_email.get(email.trim().to_lowercase().as_str()),
            PersonRef::PersonnelNumber(number) => snapshot.by_personnel_number.get(number.trim()),
        };
        let person = id.and_then(|id| snapshot.people.get(id));
        Ok(rule::decide(tool, person.map(Arc::as_ref), policy, now))
    }

    /// The transparency-log numbers of everyone whose records `query` reads without a date
    /// range (every active person of its units), from memory and after reading the feed up
    /// to now, so that a change this instance has not applied yet is not missed. None when
    /// the index cannot say so for certain (not loaded, not confirmed, the feed unreadable,
    /// a date range, a person without a number): the caller asks the database instead.
    pub async fn numbers_of_records(
        &self,
        db: &DatabaseConnection,
        query: &RecordQuery,
    ) -> Option<Vec<i64>> {
        if query.completed_from.is_some() || query.completed_until.is_some() {
            return None;
        }
        if query.courses.is_empty() {
            return Some(Vec::new());
        }
        self.sync(db).await.ok()?;
        self.confirmed().ok()?;
        let snapshot = self.snapshot.load_full();
        let people = snapshot.people_in(query.units.as_deref());
        let mut numbers = Vec::new();
        for person in people.filter(|p| p.active) {
            if person.record_no == 0 {
                return None;
            }
            numbers.push(person.record_no);
        }
        Some(numbers)
    }

    /// The training records of `query` from memory, the same rows as `db::records::all`
    /// reads from the database (unordered); None while the cache is not loaded. Works on
    /// the snapshot current when it starts, holding no lock: checks go on meanwhile.
    pub fn records(&self, query: &RecordQuery) -> Option<Vec<RecordRow>> {
        let snapshot = self.snapshot.load_full();
        if !snapshot.ready {
            return None;
        }
        let people = snapshot.people_in(query.units.as_deref());
        let mut rows = Vec::new();
        for person in people.filter(|p| p.active) {
            for course in &query.courses {
                let certificate = person
                    .certificates
                    .iter()
                    .filter(|c| *c.course_id == **course && !c.revoked)
                    .max_by_key(|c| c.sequence);
                let issued_at = certificate.map(|c| c.issued_at);
                // A date range keeps only certificates issued within it, as the query does.
                let in_range = match issued_at {
                    Some(at) => {
                        query.completed_from.is_none_or(|from| at >= from)
                            && query.completed_until.is_none_or(|until| at < until)
                    }
                    None => query.completed_from.is_none() && query.completed_until.is_none(),
                };
                if !in_range {
                    continue;
                }
                rows.push(RecordRow {
                    user_id: person.user_id,
                    personnel_number: person.personnel_number.clone(),
                    name: person.name.clone(),
                    email: person.email.clone(),
                    org_unit_id: person.org_unit_id,
                    course_id: course.clone(),
                    certificate_serial: certificate.map(|c| c.serial.clone()),
                    certificate_version: certificate.map(|c| c.course_version.to_string()),
                    issued_at,
                    valid_until: certificate.map(|c| c.valid_until),
                    started: certificate.is_none() && person.started.contains(course),
                });
            }
        }
        Some(rows)
    }

    /// Publishes the changes a request of this instance committed: they are applied here
    /// before its response goes out, so the next request sees them (read-your-writes), while
    /// other instances read them from the feed. Waits no longer than the staleness bound.
    pub async fn publish_local_changes(&self, db: &DatabaseConnection) {
        match tokio::time::timeout(self.max_staleness, self.sync(db)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "access cache: applying a change made here failed")
            }
            Err(_) => tracing::warn!("access cache: applying a change made here timed out"),
        }
    }

    /// Resolves a session cookie: from memory while the database confirmed it less than a
    /// minute ago, else from the database. Sign-out, a password change and leaving reach
    /// the cache through the change feed; changes made by this instance are applied before
    /// the response of the request that made them. Works (from the database) while the
    /// cache is not loaded.
    pub async fn session(
        &self,
        db: &DatabaseConnection,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<ActiveSession>>, DbErr> {
        let key = secrets::hash_token(token);
        self.cached_session(key, now, sessions::resolve(db, token, now))
            .await
    }

    /// Resolves the cookie kiwi set on a tool's own host to the kiwi session it belongs to,
    /// for that tool only; cached and forgotten like kiwi's own sessions, under a key that
    /// no kiwi session cookie has.
    pub async fn tool_session(
        &self,
        db: &DatabaseConnection,
        tool: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<ActiveSession>>, DbErr> {
        let key = tool_sessions::cache_key(tool, token);
        self.cached_session(key, now, tool_sessions::resolve(db, tool, token, now))
            .await
    }

    async fn cached_session(
        &self,
        key: String,
        now: DateTime<Utc>,
        resolve: impl Future<Output = Result<Option<ActiveSession>, DbErr>>,
    ) -> Result<Option<Arc<ActiveSession>>, DbErr> {
        let generation = {
            let cache = self.sessions_read();
            if let Some(cached) = cache.sessions.get(&key).filter(|s| s.is_fresh(now)) {
                return Ok(Some(cached.active.clone()));
            }
            cache.generation
        };
        // Runs only now, after the generation was read: a change applied meanwhile wins.
        let resolved = resolve.await?.map(|mut active| {
            // Pages never need the hash (a password change reads it afresh); the cache
            // and every request's session go without it.
            active.user.password_hash = None;
            Arc::new(active)
        });
        let ready = self.is_ready();
        let mut cache = self.sessions_mut();
        if ready && cache.generation == generation {
            match &resolved {
                Some(active) => {
                    let cached = CachedSession {
                        active: active.clone(),
                        checked_at: now,
                    };
                    cache.sessions.insert(key, cached);
                }
                None => {
                    cache.sessions.remove(&key);
                }
            }
        }
        Ok(resolved)
    }

    /// Forgets sessions not confirmed for longer than the idle timeout.
    pub fn forget_idle_sessions(&self, now: DateTime<Utc>) {
        self.sessions_mut()
            .sessions
            .retain(|_, s| s.checked_at + sessions::IDLE_TIMEOUT > now);
    }

    /// The version of a person's progress as the change feed last told: progress read while
    /// it holds is current. None while the cache is not loaded (nothing may be kept).
    pub fn progress_version(&self, user: Uuid) -> Option<ProgressVersion> {
        let snapshot = self.snapshot.load();
        let changes = snapshot.progress_changes.get(progress_bucket(user))?;
        Some(ProgressVersion(snapshot.progress_epoch, *changes))
    }

    /// Resolves a tool host's cookie to the person's entitlements, or None for no valid
    /// session of that tool.
    pub async fn tool_session_person(
        &self,
        db: &DatabaseConnection,
        tool: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Entitlements>>, AccessError> {
        self.confirmed()?;
        // A session not confirmed for a minute is read from the database; one that does not
        // answer within the bound fails closed like the feed does.
        let Ok(session) =
            tokio::time::timeout(self.max_staleness, self.tool_session(db, tool, token, now)).await
        else {
            return Err(AccessError::Unconfirmed(self.max_staleness));
        };
        let Some(session) = session? else {
            return Ok(None);
        };
        let user_id = session.user.id;
        if let Some(person) = self.snapshot.load().people.get(&user_id).cloned() {
            return Ok(Some(person));
        }
        // Someone added elsewhere a moment ago: read the feed now, the one way people come
        // into the cache.
        self.sync(db).await?;
        Ok(self.snapshot.load().people.get(&user_id).cloned())
    }

    /// Decides for a person already looked up.
    pub fn decide_person(
        &self,
        tool: &Tool,
        person: &Entitlements,
        policy: Option<&str>,
        now: DateTime<Utc>,
    ) -> Decision {
        rule::decide(tool, Some(person), policy, now)
    }
}

async fn load_keys(db: &DatabaseConnection) -> Result<HashMap<String, CachedKey>, DbErr> {
    Ok(db::api_keys::all(db)
        .await?
        .into_iter()
        .map(|k| {
            (
                k.key_hash,
                CachedKey {
                    tool_id: k.tool_id,
                    revoked: k.revoked_at.is_some(),
                },
            )
        })
        .collect())
}

/// Follows the change feed for as long as the server runs; a failed load is retried. A read
/// that hangs (a database behind a cut connection) is given up after a while, so that the
/// next tick tries again and the instance recovers by itself once the database answers. On
/// PostgreSQL the feed's notifications wake it at once and polling is the safety net.
pub async fn follow_changes(cache: &AccessCache, db: &DatabaseConnection) {
    let wake = tokio::sync::Notify::new();
    if db.get_database_backend() == DbBackend::Postgres {
        tokio::join!(
            poll_changes(cache, db, &wake, POLL_INTERVAL_LISTENING),
            listen_for_changes(db, &wake)
        );
    } else {
        poll_changes(cache, db, &wake, SYNC_INTERVAL).await;
    }
}

/// How often an instance that listens for notifications reads the feed anyway: a lost
/// notification (the listening connection dropped) still arrives within a second.
const POLL_INTERVAL_LISTENING: Duration = Duration::from_secs(1);

/// The channel the feed's trigger notifies on PostgreSQL.
const CHANGES_CHANNEL: &str = "kiwi_access_changes";

/// A listening connection that heard nothing for this long is opened afresh: one behind a
/// cut connection may wait for ever without an error.
const LISTEN_RENEW_AFTER: Duration = Duration::from_secs(60);

async fn poll_changes(
    cache: &AccessCache,
    db: &DatabaseConnection,
    wake: &tokio::sync::Notify,
    every: Duration,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A sync reads a few rows; a load reads everything and may take seconds on a large
    // administration.
    let sync_timeout = (cache.max_staleness / 2).clamp(SYNC_INTERVAL, Duration::from_secs(2));
    let load_timeout = Duration::from_secs(120);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = wake.notified() => {
                // A burst of changes (an import) wakes many times: read them together.
                tokio::time::sleep(Duration::from_millis(10)).await;
                interval.reset();
            }
        }
        let result = if cache.is_ready() {
            match tokio::time::timeout(sync_timeout, cache.sync(db)).await {
                Ok(result) => result.map(|_| ()),
                Err(_) => Err(DbErr::Custom("reading the change feed timed out".into())),
            }
        } else {
            match tokio::time::timeout(load_timeout, cache.load(db)).await {
                Ok(result) => result,
                Err(_) => Err(DbErr::Custom("loading the access cache timed out".into())),
            }
        };
        if let Err(error) = &result {
            tracing::debug!(%error, "access cache: reading changes failed");
        }
        note_confirmation(cache, result.err());
    }
}

/// Wakes the follower whenever another instance (or this one) committed a change; opens
/// its connection again after an error or a long silence. Never ends.
async fn listen_for_changes(db: &DatabaseConnection, wake: &tokio::sync::Notify) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
            listener.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = match tokio::time::timeout(LISTEN_RENEW_AFTER, listener).await {
            Ok(Ok(listener)) => listener,
            Ok(Err(error)) => {
                tracing::debug!(%error, "access cache: listening for changes failed; polling");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(_) => continue,
        };
        // Anything committed while no connection listened is read by the next poll.
        wake.notify_one();
        loop {
            match tokio::time::timeout(LISTEN_RENEW_AFTER, listener.recv()).await {
                Ok(Ok(_)) => wake.notify_one(),
                Ok(Err(error)) => {
                    tracing::debug!(%error, "access cache: the listening connection failed");
                    break;
                }
                Err(_) => break,
            }
        }
    }
}

/// Logs once when entitlements become unconfirmed (and why), and once when they are again.
fn note_confirmation(cache: &AccessCache, error: Option<DbErr>) {
    let stale = cache.last_confirmed().map(|at| at.elapsed());
    match stale {
        Some(age) if age <= cache.max_staleness => {
            if cache.unconfirmed.swap(false, Ordering::AcqRel) {
                tracing::info!("access cache: entitlements confirmed again; access checks answer");
            }
        }
        _ => {
            if !cache.unconfirmed.swap(true, Ordering::AcqRel) {
                let error = error.map(|e| e.to_string()).unwrap_or_default();
                tracing::error!(
                    bound = ?cache.max_staleness,
                    unconfirmed_for = ?stale,
                    %error,
                    "access cache: entitlements not confirmed within the bound; access checks \
                     answer 503 until the change feed is read again"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_copy_of_a_shared_map_leaves_the_original_and_copies_one_shard() {
        let mut original: SharedMap<String, u32> = SharedMap::default();
        for n in 0..10_000 {
            original.insert(format!("person-{n}"), n);
        }
        let mut next = original.clone();
        next.insert("person-7".into(), 70);
        next.remove("person-8");
        next.insert("someone new".into(), 1);

        // A report still working on the original sees it as it was.
        assert_eq!(original.get("person-7"), Some(&7));
        assert_eq!(original.get("person-8"), Some(&8));
        assert_eq!(original.get("someone new"), None);
        assert_eq!(original.values().count(), 10_000);
        // The next snapshot sees the changes.
        assert_eq!(next.get("person-7"), Some(&70));
        assert_eq!(next.get("person-8"), None);
        assert_eq!(next.get("someone new"), Some(&1));
        assert_eq!(next.values().count(), 10_000);

        // Only the shards of the three changed keys were copied.
        let copied = original
            .shards
            .iter()
            .zip(&next.shards)
            .filter(|(a, b)| !Arc::ptr_eq(a, b))
            .count();
        assert!((1..=3).contains(&copied), "{copied} shards copied");
        // Removing or changing a key that is not there copies nothing.
        let mut unchanged = next.clone();
        unchanged.remove("nobody");
        assert!(unchanged.get_mut("nobody").is_none());
        assert!(
            unchanged
                .shards
                .iter()
                .zip(&next.shards)
                .all(|(a, b)| Arc::ptr_eq(a, b))
        );
    }
}
