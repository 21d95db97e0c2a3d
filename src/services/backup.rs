//! `kiwi backup` and `kiwi restore` for the embedded SQLite database. (PostgreSQL has its own
//! tools, `pg_dump` and `pg_restore`; the README gives the procedure.)

use std::path::{Path, PathBuf};

use crate::db;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "kiwi backup and restore are for SQLite; on PostgreSQL use pg_dump and pg_restore (see the README)"
    )]
    NotSqlite,
    #[error("{0} exists already; choose a new file")]
    TargetExists(PathBuf),
    #[error("{0} is not an SQLite database")]
    NotADatabase(PathBuf),
    #[error("{path} is damaged: {problems}")]
    Damaged { path: PathBuf, problems: String },
    #[error(
        "a database exists at {0}; stop kiwi first and pass --force to replace it with the backup"
    )]
    LiveDatabase(PathBuf),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// The file of an `sqlite://` database URL.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Takes a consistent copy of the database at `url` into `file` while kiwi may be serving,
/// and checks the copy. Returns its size in bytes.
pub async fn backup(url: &str, file: &Path) -> Result<u64, BackupError> {
    sqlite_file(url).ok_or(BackupError::NotSqlite)?;
    if file.exists() {
        return Err(BackupError::TargetExists(file.to_path_buf()));
    }
    let live = db::connect(url).await?;
    db::backup::vacuum_into(&live, file).await?;
    live.close().await?;
    check(file).await?;
    Ok(std::fs::metadata(file)?.len())
}

/// Puts the backup `file` in place of the database at `url`. An existing database is replaced
/// only with `force` (kiwi must be stopped: a running instance would keep writing to the old
/// file). The backup is checked first, and copied beside the target before it replaces it, so
/// an interrupted restore leaves the old database as it was.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<PathBuf, BackupError> {
    let target = sqlite_file(url).ok_or(BackupError::NotSqlite)?;
    check(file).await?;
    if target.exists() && !force {
        return Err(BackupError::LiveDatabase(target));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("restoring");
    std::fs::copy(file, &partial)?;
    // The old database's write-ahead log belongs to the old file: left beside the restored
    // one, SQLite would replay it into the backup.
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", target.display()));
        if companion.exists() {
            std::fs::remove_file(companion)?;
        }
    }
    std::fs::rename(&partial, &target)?;
    Ok(target)
}

/// The file is an SQLite database that passes `PRAGMA integrity_check`.
async fn check(file: &Path) -> Result<(), BackupError> {
    let mut header = [0u8; 16];
    let readable = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok();
    if !readable || &header != b"SQLite format 3\0" {
        return Err(BackupError::NotADatabase(file.to_path_buf()));
    }
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = sea_orm::Database::connect(url).await?;
    let verdict = db::backup::integrity(&copy).await?;
    copy.close().await?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::Damaged {
            path: file.to_path_buf(),
            problems: verdict,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_an_sqlite_url_is_found() {
        assert_eq!(
            sqlite_file("sqlite://./data/kiwi.sqlite?mode=rwc"),
            Some(PathBuf::from("./data/kiwi.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite:/var/lib/kiwi/kiwi.sqlite"),
            Some(PathBuf::from("/var/lib/kiwi/kiwi.sqlite"))
        );
        assert_eq!(sqlite_file("postgres://kiwi@db/kiwi"), None);
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
