//! The progress learners' pages show, kept in memory while the change feed says it holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::services::access::{AccessCache, ProgressVersion};
use crate::services::learning::LearnerProgress;

struct Entry {
    version: ProgressVersion,
    progress: Arc<LearnerProgress>,
    used: Instant,
}

/// Progress per person, read from the database once and again only after the change feed
/// reported a change of it (a module completed, a first attempt). It depends on the access
/// cache for the feed's versions, never the other way round.
pub struct ProgressCache {
    access: Arc<AccessCache>,
    entries: Mutex<HashMap<Uuid, Entry>>,
}

impl ProgressCache {
    pub fn new(access: Arc<AccessCache>) -> ProgressCache {
        ProgressCache {
            access,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// A person's progress for the learner's pages: from memory while the feed reported no
    /// change of it. A request that changed it and shows it at once reads the database
    /// instead (`learning::progress_in`).
    pub async fn of(
        &self,
        db: &DatabaseConnection,
        user: Uuid,
    ) -> Result<Arc<LearnerProgress>, DbErr> {
        let version = self.access.progress_version(user);
        if let Some(version) = version
            && let Some(entry) = self.lock().get_mut(&user)
            && entry.version == version
        {
            entry.used = Instant::now();
            return Ok(entry.progress.clone());
        }
        // The version is taken before reading: a change while reading makes the next look
        // read again.
        let progress = Arc::new(LearnerProgress::load(db, user).await?);
        if let Some(version) = version {
            self.lock().insert(
                user,
                Entry {
                    version,
                    progress: progress.clone(),
                    used: Instant::now(),
                },
            );
        }
        Ok(progress)
    }

    /// Forgets the progress of people who have not opened a page for `idle`.
    pub fn forget_unused(&self, idle: Duration) {
        self.lock().retain(|_, entry| entry.used.elapsed() < idle);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
