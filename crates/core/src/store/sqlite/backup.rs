//! Copies of a SQLite store taken while it serves, through SQLite's online backup API: the
//! copy is taken in one step, inside one read transaction on the source, so it is the store
//! as it stood at one instant (writers in WAL mode carry on meanwhile).

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::Path;

/// What a backup or a restore copied.
#[derive(Debug, Clone, Serialize)]
pub struct Copied {
    pub from: String,
    pub to: String,
    /// The schema version of the copy.
    pub schema: i64,
    pub bytes: u64,
    /// Bookings in the copy, as a quick sign of what it holds.
    pub bookings: i64,
}

/// Copies the store at `database` to a new file `to` (refused when `to` exists), created
/// owner-only (0600).
pub fn backup(database: &Path, to: &Path) -> Result<Copied> {
    if !database.exists() {
        return Err(Error::NotFound(format!(
            "no database at {}: nothing to back up",
            database.display()
        )));
    }
    if to.exists() {
        return Err(Error::Conflict(format!(
            "{} already exists: give a new file name (a backup never overwrites)",
            to.display()
        )));
    }
    let source = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::internal(format!("cannot open {}: {e}", database.display())))?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    create_private(to)?;
    let outcome = (|| {
        let mut target = Connection::open(to)?;
        copy(&source, &mut target)?;
        describe(database, to, &target)
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(to);
    }
    outcome
}

/// Replaces the store at `database` with the backup `from`, after checking that `from` is a
/// sound BooksyGo store this build can open. Stop the server first: its open connections
/// would keep serving what they had read.
pub fn restore(from: &Path, database: &Path) -> Result<Copied> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::invalid(format!("cannot open {}: {e}", from.display())))?;
    let sound: String = source
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| {
            Error::invalid(format!("{} is not a SQLite database ({e})", from.display()))
        })?;
    if sound != "ok" {
        return Err(Error::invalid(format!(
            "{} is damaged ({sound}): not restored",
            from.display()
        )));
    }
    let version: i64 = source.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let has_bookings: bool = source.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'bookings'",
        [],
        |r| r.get(0),
    )?;
    if version == 0 || !has_bookings {
        return Err(Error::invalid(format!(
            "{} is not a BooksyGo store",
            from.display()
        )));
    }
    if version as usize > super::migrations::MIGRATIONS.len() {
        return Err(Error::invalid(format!(
            "{} has schema {version}, newer than this booksygo ({}): upgrade booksygo first",
            from.display(),
            super::migrations::MIGRATIONS.len()
        )));
    }
    if let Some(dir) = database.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if !database.exists() {
        create_private(database)?;
    }
    let mut target = Connection::open(database)
        .map_err(|e| Error::internal(format!("cannot open {}: {e}", database.display())))?;
    target.busy_timeout(std::time::Duration::from_secs(10))?;
    copy(&source, &mut target)?;
    describe(from, database, &target)
}

/// The whole of `source` into `target`, in one step (one read transaction on the source:
/// in WAL mode it does not hold writers up). A step that finds the database busy is tried
/// again, for up to about ten seconds, like the store's busy timeout.
fn copy(source: &Connection, target: &mut Connection) -> Result<()> {
    use rusqlite::backup::StepResult;
    let backup = rusqlite::backup::Backup::new(source, target)?;
    for _ in 0..1000 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => {}
        }
    }
    Err(Error::Unavailable(
        "the database stayed busy for ten seconds: the copy was not taken, try again".into(),
    ))
}

fn describe(from: &Path, to: &Path, copy: &Connection) -> Result<Copied> {
    let schema: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let bookings: i64 = copy.query_row("SELECT count(*) FROM bookings", [], |r| r.get(0))?;
    Ok(Copied {
        from: from.display().to_string(),
        to: to.display().to_string(),
        schema,
        bytes: std::fs::metadata(to).map(|m| m.len()).unwrap_or(0),
        bookings,
    })
}

/// Creates `path` empty, readable by its owner only.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(|e| match e.kind() {
        // The user named a folder that is not there: their input, not our failure.
        std::io::ErrorKind::NotFound => Error::invalid(format!(
            "cannot create {}: its folder does not exist",
            path.display()
        )),
        _ => Error::internal(format!("cannot create {}: {e}", path.display())),
    })
}
