//! Storage: the port (`port`: one repository trait per area and the unit of work that holds
//! them) and its SQLite side (`sqlite`): one file, WAL, foreign keys on, versioned migrations,
//! a small pool of connections. Every call is blocking: async callers go through
//! `spawn_blocking` (`Store::call`).

mod checks;
pub(crate) mod copy;
pub mod port;
pub mod postgres;
pub(crate) mod sealed;
mod sqlite;

pub use sealed::Resealed;

pub use sqlite::backup;

pub use port::{
    Bookings, Catalogue, Conversations, Delivered, Event, Fares, Inventory, KeyRecord, KeyRef,
    Keys, Ledger, LedgerRow, Limits, Need, NewEvent, Outbox, PackageIndex, Payments, Points,
    Reports, Subscriptions, Trips, Unit, Users, Watches, Webhook,
};

use crate::crypto::DataKeys;
use crate::error::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A connection pool's state, for the server's metrics (PostgreSQL only: SQLite's
/// connections are a handful of idle handles in one process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// The pool's bound.
    pub max_size: usize,
    /// Connections open now.
    pub open: usize,
    /// Connections lent out now.
    pub in_use: usize,
    /// Callers waiting for a connection now.
    pub waiting: usize,
    /// Times a connection could not be had (timeouts, refused, unreachable) since start.
    pub errors: u64,
}

/// Where a database is, as a setting names it.
pub(crate) enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://...` (or `postgresql://`), `sqlite:PATH` (or `sqlite://PATH`), or a plain
    /// path to a SQLite file; anything else (another scheme, an empty path) is invalid input.
    pub(crate) fn parse(url: &str) -> Result<Location> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            let shown = if url.is_empty() {
                "an empty database URL".to_string()
            } else {
                format!("'{}'", postgres::redact(url))
            };
            return Err(Error::invalid(format!(
                "{shown} is not a database this booksygo can open: write sqlite:PATH or postgres://USER@HOST:PORT/DATABASE"
            )));
        }
        Ok(Location::Sqlite(PathBuf::from(path)))
    }
}

/// The database: a SQLite file (the default, and all the offline faces use) or PostgreSQL
/// (`booksygo serve --database-url postgres://...`). Rules see only the port ([`Unit`]); this
/// chooses the engine. Cheap to clone; connections are pooled.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    /// The keys personal columns are sealed with (`sealed`); none: written plain.
    keys: DataKeys,
}

#[derive(Clone)]
enum Engine {
    Sqlite(Arc<Sqlite>),
    Postgres(postgres::PgStore),
}

struct Sqlite {
    path: PathBuf,
    /// Closed over by each connection's sealing functions.
    keys: DataKeys,
    idle: Mutex<Vec<Connection>>,
    /// Taken around this process's write transactions: writers queue here and wake the
    /// moment the lock is free, instead of in SQLite's busy handler, which sleeps and polls
    /// (1, 2, 5, 10 ms and up). Other processes on the same file still meet the busy timeout.
    /// It holds the writers' own connection: its page cache and prepared statements stay
    /// warm from one write to the next, where a pooled one has its cache reset by every
    /// other connection's write, and writers waiting their turn hold no connection each.
    writer: Mutex<Option<Connection>>,
}

/// The write-ahead log a store leaves behind when it closes, at most (bytes): past it, the
/// last close folds the log into the database and empties it. Small, because the first
/// connection of the next process reads the whole log back and checks its checksums (SQLite
/// rebuilds its index of the log when nobody has the file open): a flight search writes
/// some 40 KB, so about one command in six pays the checkpoint.
const WAL_KEPT: u64 = 256 << 10;

impl Drop for Sqlite {
    /// Connections close without SQLite's checkpoint (see `open_connection`): a command line
    /// that wrote an offer or two leaves them in the log for the next one instead of paying
    /// a checkpoint and its fsyncs (about a millisecond) on every run. A log grown past
    /// [`WAL_KEPT`] is folded in and truncated here, by the last user of the store in this
    /// process; if another process is reading, the checkpoint does what it can and the next
    /// close finishes it.
    fn drop(&mut self) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let big = std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_KEPT);
        let mut idle = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        idle.extend(self.writer.get_mut().ok().and_then(Option::take));
        if let (true, Some(conn)) = (big, idle.first()) {
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

/// A pooled SQLite connection; goes back to the pool on drop.
pub struct Conn<'a> {
    conn: Option<Connection>,
    store: &'a Sqlite,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("connection present until drop")
    }
}

// A pooled connection is a unit of work on its own (each statement its own transaction).
sqlite::unit_through_deref!(Conn<'_>);

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.store.idle.lock())
            && idle.len() < 8
        {
            idle.push(conn);
        }
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and brings its schema up to
    /// date. Without data keys: personal columns are written plain (tests, embedding); the
    /// faces open it with [`Store::open_sealed`].
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_sealed(path, DataKeys::none())
    }

    /// [`Store::open`] sealing personal columns with `keys`; values written plain before are
    /// sealed the first time a keyed store opens the database.
    pub fn open_sealed(path: &Path, keys: DataKeys) -> Result<Store> {
        // Personal data: a folder made here is 0700 and a new database file 0600 (on unix),
        // created before SQLite opens it, so its -wal and -shm files are 0600 too (SQLite
        // gives them the main file's permissions). Existing ones are left as they are.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir).map_err(|e| {
                Error::internal(format!(
                    "cannot create data directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        crate::files::create_private_file(path).map_err(|e| {
            Error::internal(format!("cannot create database {}: {e}", path.display()))
        })?;
        let store = Store {
            engine: Engine::Sqlite(Arc::new(Sqlite {
                path: path.to_path_buf(),
                keys: keys.clone(),
                idle: Mutex::new(Vec::new()),
                writer: Mutex::new(None),
            })),
            keys,
        };
        let Engine::Sqlite(sqlite) = &store.engine else {
            unreachable!("just made")
        };
        let mut conn = sqlite.pooled()?;
        migrate(&mut conn)?;
        drop(conn);
        sealed::seal_plain_once(&store)?;
        Ok(store)
    }

    /// Connects to the PostgreSQL database at `url` (see [`postgres::PgStore::connect`]) and
    /// brings its schema up to date under the migration lock, so instances started together
    /// are safe. Blocking.
    pub fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, None)
    }

    /// [`Store::connect`] with the password kept apart from the URL.
    pub fn connect_with(url: &str, password: Option<&crate::secrets::Secret>) -> Result<Store> {
        Store::connect_sealed(url, password, DataKeys::none())
    }

    /// [`Store::connect_with`] sealing personal columns with `keys` (the same on every
    /// instance).
    pub fn connect_sealed(
        url: &str,
        password: Option<&crate::secrets::Secret>,
        keys: DataKeys,
    ) -> Result<Store> {
        let pg = postgres::PgStore::connect_with(url, password)?;
        pg.migrate()?;
        Store::on_postgres(pg, keys)
    }

    /// The store over an already migrated PostgreSQL database.
    pub(crate) fn on_postgres(pg: postgres::PgStore, keys: DataKeys) -> Result<Store> {
        let store = Store {
            engine: Engine::Postgres(pg),
            keys,
        };
        sealed::seal_plain_once(&store)?;
        Ok(store)
    }

    /// Opens the database a setting names: `postgres://...` (or `postgresql://`) connects to
    /// PostgreSQL, `sqlite:PATH` or a plain path opens that SQLite file.
    pub fn open_url(url: &str) -> Result<Store> {
        Store::open_url_with(url, None)
    }

    /// [`Store::open_url`] with PostgreSQL's password kept apart from the URL.
    pub fn open_url_with(url: &str, password: Option<&crate::secrets::Secret>) -> Result<Store> {
        Store::open_url_sealed(url, password, DataKeys::none())
    }

    /// [`Store::open_url_with`] sealing personal columns with `keys`.
    pub fn open_url_sealed(
        url: &str,
        password: Option<&crate::secrets::Secret>,
        keys: DataKeys,
    ) -> Result<Store> {
        match Location::parse(url)? {
            Location::Postgres(url) => Store::connect_sealed(&url, password, keys),
            Location::Sqlite(path) => Store::open_sealed(&path, keys),
        }
    }

    /// Without keys, the database `database` names, else the SQLite file at `default`: to
    /// look before a key exists ([`Store::sealed_with`]).
    pub(crate) fn open_at(
        default: &Path,
        database: Option<&crate::config::Database>,
    ) -> Result<Store> {
        match database {
            Some(db) => Store::open_url_with(&db.url, db.password.as_ref()),
            None => Store::open(default),
        }
    }

    /// Refuses a SQLite file that is not there: what a command that only looks at a store
    /// (`admin check`, `admin report`) asks before opening it, so a mistyped path is an
    /// error instead of a new, empty store that passes every check. A PostgreSQL database
    /// is not made by opening it: asked for, it is there or the connection says so.
    pub fn must_exist(default: &Path, database: Option<&crate::config::Database>) -> Result<()> {
        let path = match database.map(|db| Location::parse(&db.url)).transpose()? {
            Some(Location::Postgres(_)) => return Ok(()),
            Some(Location::Sqlite(path)) => path,
            None => default.to_path_buf(),
        };
        if path.is_file() {
            return Ok(());
        }
        Err(Error::NotFound(format!(
            "no database at {}: nothing to look at (is --data-dir or --database-url mistyped?)",
            path.display()
        )))
    }

    /// The id of a key some personal value in this database is sealed with (the latest
    /// booking's, else any), or `None` when nothing is sealed.
    pub fn sealed_with(&self) -> Result<Option<String>> {
        sealed::some_key_id(self)
    }

    /// The keys personal columns are sealed with (none: written plain).
    pub fn data_keys(&self) -> &DataKeys {
        &self.keys
    }

    /// Seals every personal value again with the current data key (values sealed with an
    /// older key, and plain ones), in one unit: `booksygo admin rotate-data-key`, once the
    /// new key is current. Afterwards the older keys can be dropped.
    pub fn reseal(&self) -> Result<Resealed> {
        if self.keys.is_empty() {
            return Err(Error::invalid(
                "no data key is configured: nothing to seal with",
            ));
        }
        sealed::pass(self, true)?.ok_or_else(|| Error::internal("a rotation always runs"))
    }

    /// The SQLite file, or `None` on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.engine {
            Engine::Sqlite(s) => Some(&s.path),
            Engine::Postgres(_) => None,
        }
    }

    /// Where the data lives, safe to print: the SQLite file's path, or
    /// `postgres://user@host:port/db` (never a password).
    pub fn describe(&self) -> String {
        match &self.engine {
            Engine::Sqlite(s) => s.path.display().to_string(),
            Engine::Postgres(pg) => format!("postgres://{}", pg.shown()),
        }
    }

    /// The PostgreSQL store behind this one, for what only several instances need (their
    /// shared locks and notifications); `None` on SQLite.
    pub fn postgres(&self) -> Option<&postgres::PgStore> {
        match &self.engine {
            Engine::Postgres(pg) => Some(pg),
            Engine::Sqlite(_) => None,
        }
    }

    /// Rings soon after any instance commits an event (PostgreSQL's `LISTEN`); `None` on
    /// SQLite, where readers poll the outbox.
    pub fn event_signal(&self) -> Option<tokio::sync::broadcast::Receiver<()>> {
        self.postgres().map(postgres::PgStore::event_signal)
    }

    /// The connection pool's state on PostgreSQL; `None` on SQLite.
    pub fn pool_stats(&self) -> Option<PoolStats> {
        self.postgres().map(postgres::PgStore::pool_stats)
    }

    /// Runs `work` as one unit of work: one write transaction, committed when `work` returns
    /// `Ok`, rolled back otherwise. On SQLite this process's writers take turns on the writer
    /// lock first and other processes wait on the busy timeout; on PostgreSQL writers run side
    /// by side (READ COMMITTED) and each repository keeps its promise in its statements.
    /// Blocking: async callers go through [`Store::writing`].
    pub fn write<T>(&self, work: impl FnOnce(&dyn Unit) -> Result<T>) -> Result<T> {
        match &self.engine {
            Engine::Sqlite(sqlite) => {
                let mut writer = sqlite.write_lock();
                if writer.is_none() {
                    *writer = Some(sqlite.idle_or_open()?);
                }
                let conn = writer.as_mut().expect("just set");
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let out = work(&tx)?;
                tx.commit()?;
                Ok(out)
            }
            Engine::Postgres(pg) => {
                let mut conn = pg.conn()?;
                conn.transaction(|tx| {
                    let unit = postgres::PgUnit::in_transaction(tx, &self.keys);
                    let out = work(&unit)?;
                    // The unit's events, numbered and written as the last statement.
                    postgres::flush_events(&unit)?;
                    Ok(out)
                })
            }
        }
    }

    /// Runs `work` on a pooled connection outside any explicit transaction: reads, and single
    /// statements that keep their promise on their own. Blocking: async callers go through
    /// [`Store::reading`].
    pub fn read<T>(&self, work: impl FnOnce(&dyn Unit) -> Result<T>) -> Result<T> {
        match &self.engine {
            Engine::Sqlite(sqlite) => {
                let conn = sqlite.pooled()?;
                work(&conn)
            }
            Engine::Postgres(pg) => {
                let conn = pg.conn()?;
                work(&postgres::PgUnit::new(&conn, &self.keys))
            }
        }
    }

    /// [`Store::read`] for at most `budget`: the engine stops the statement running when
    /// time is up (SQLite's progress handler, PostgreSQL's `statement_timeout`), so a costly
    /// query really stops instead of running on after its caller has gone; `what` names the
    /// work in the error.
    pub fn read_within<T>(
        &self,
        budget: std::time::Duration,
        what: &str,
        work: impl FnOnce(&dyn Unit) -> Result<T>,
    ) -> Result<T> {
        match &self.engine {
            Engine::Sqlite(sqlite) => {
                let conn = sqlite.pooled()?;
                with_budget(&conn, budget, what, |c| work(c))
            }
            Engine::Postgres(pg) => {
                let mut conn = pg.conn()?;
                conn.transaction(|tx| {
                    // SET LOCAL ends with the transaction: the pooled connection keeps no limit.
                    tx.batch_execute(&format!(
                        "SET LOCAL statement_timeout = {}",
                        budget.as_millis().max(1)
                    ))?;
                    work(&postgres::PgUnit::in_transaction(tx, &self.keys))
                })
                .map_err(|e| over_budget(e, budget, what))
            }
        }
    }

    /// [`Store::read`] on the blocking pool: how async code reads.
    pub async fn reading<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn Unit) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read(work)).await?
    }

    /// [`Store::write`] on the blocking pool: how async code writes.
    pub async fn writing<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn Unit) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write(work)).await?
    }

    /// A pooled SQLite connection, for this workspace's tests and benchmarks, which set up
    /// and inspect the database directly. Rules go through [`Store::read`] and
    /// [`Store::write`]. On PostgreSQL: an error (tests there go through the port).
    #[cfg(any(test, feature = "test-support"))]
    pub fn conn(&self) -> Result<Conn<'_>> {
        match &self.engine {
            Engine::Sqlite(sqlite) => sqlite.pooled(),
            Engine::Postgres(_) => Err(Error::internal(
                "Store::conn() is SQLite's: on PostgreSQL, go through the port",
            )),
        }
    }
}

impl Sqlite {
    /// The process-wide writer's turn, with the writers' connection (`None` until the first
    /// write): hold it (declared before the transaction, so it is released after it) around
    /// `BEGIN IMMEDIATE ... COMMIT`. No `.await` while holding it.
    fn write_lock(&self) -> std::sync::MutexGuard<'_, Option<Connection>> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().ok().and_then(|mut idle| idle.pop())
    }

    /// An idle connection, or a new one.
    fn idle_or_open(&self) -> Result<Connection> {
        self.take_idle()
            .map_or_else(|| open_connection(&self.path, &self.keys), Ok)
    }

    /// A connection for reads: an idle one; else the writers' own while nobody writes (a
    /// command line that reads, writes and reads again opens one connection, not two); else
    /// a new one.
    fn pooled(&self) -> Result<Conn<'_>> {
        let spare = || self.writer.try_lock().ok().and_then(|mut w| w.take());
        let conn = match self.take_idle().or_else(spare) {
            Some(c) => c,
            None => open_connection(&self.path, &self.keys)?,
        };
        Ok(Conn {
            conn: Some(conn),
            store: self,
        })
    }
}

/// An interrupted statement of work that had `budget` is the budget spent: told as
/// unavailable, naming `what`.
fn over_budget(e: Error, budget: std::time::Duration, what: &str) -> Error {
    match e {
        Error::Storage {
            interrupted: true, ..
        } => Error::Unavailable(format!(
            // Debug reads "2s", "250ms": a budget under a second is not "0s".
            "{what} took longer than {budget:?} and was stopped: try fewer or longer words"
        )),
        e => e,
    }
}

/// Runs `work` on `conn` for at most `budget`: SQLite's progress handler interrupts the
/// statement running when time is up (it is called every few thousand virtual-machine steps),
/// so a costly query really stops instead of running on after its caller has gone. The
/// handler is removed afterwards, whatever happened, before the connection goes back to the
/// pool. `what` names the work in the error: "the package search took longer than 2s".
pub(crate) fn with_budget<T>(
    conn: &Connection,
    budget: std::time::Duration,
    what: &str,
    work: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    /// Removes the handler when dropped: also if `work` panics, so no pooled connection
    /// keeps a deadline that has passed.
    struct Unhook<'c>(&'c Connection);
    impl Drop for Unhook<'_> {
        fn drop(&mut self) {
            let _ = self.0.progress_handler(0, None::<fn() -> bool>);
        }
    }
    let deadline = std::time::Instant::now() + budget;
    conn.progress_handler(10_000, Some(move || std::time::Instant::now() >= deadline))?;
    let unhook = Unhook(conn);
    let outcome = work(conn);
    drop(unhook);
    outcome.map_err(|e| over_budget(e, budget, what))
}

/// SQLite's errors leave the storage port as `Error::Storage`: no rusqlite type crosses it.
/// A write that refers to a row that is gone (a foreign key: an account deleted while its
/// token is still in use, a booking removed meanwhile) is a conflict with the present state,
/// told without the engine's text.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // A sealed value that does not open (a data key missing or wrong), told by the
        // sealing function inside the statement: its own message, not a database error.
        let told = match &e {
            rusqlite::Error::SqliteFailure(_, Some(message)) => Some(message.clone()),
            rusqlite::Error::UserFunctionError(inner) => Some(inner.to_string()),
            _ => None,
        };
        if let Some(message) = told
            && let Some(at) = message.find(crate::crypto::ERROR_LEAD)
        {
            return Error::Internal(message[at..].to_string());
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
        {
            return Error::Conflict(
                "this change refers to something that no longer exists: reload and try again"
                    .into(),
            );
        }
        let interrupted = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::OperationInterrupted);
        Error::Storage {
            message: e.to_string(),
            interrupted,
        }
    }
}

fn open_connection(path: &Path, keys: &DataKeys) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::internal(format!("cannot open database {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // No checkpoint when a connection closes: `Drop for Sqlite` keeps the log small instead.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    // A checkpoint runs inside the commit that crosses the threshold (with an fsync): every
    // 8,000 pages (32 MB of WAL) instead of SQLite's 1,000, so the pages a booking writes
    // again and again (the bookings table's and its indexes' last leaves) are copied back
    // once per 8,000 instead of once per 1,000, and the bookings between pay no fsync.
    // The booking path alone runs ~40 distinct statements: with rusqlite's default cache of
    // 16 they evicted each other and were parsed again on every booking.
    conn.set_prepared_statement_cache_capacity(256);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = FAST;
         PRAGMA wal_autocheckpoint = 8000;",
    )?;
    sealed::register(&conn, keys)?;
    Ok(conn)
}

/// The schema version this build expects.
pub fn schema_version() -> usize {
    sqlite::migrations::MIGRATIONS.len()
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    let target = schema_version();
    if current > target {
        return Err(Error::internal(format!(
            "database schema {current} is newer than this booksygo ({target}); upgrade booksygo"
        )));
    }
    for (i, sql) in sqlite::migrations::MIGRATIONS
        .iter()
        .enumerate()
        .skip(current)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now as usize > i {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_stops_a_runaway_query_and_leaves_the_connection_clean() {
        let conn = Connection::open_in_memory().unwrap();
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
        let err = with_budget(
            &conn,
            std::time::Duration::from_millis(50),
            "the test query",
            |c| Ok(c.query_row(endless, [], |r| r.get::<_, i64>(0))?),
        )
        .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Unavailable);
        assert!(
            err.to_string()
                .starts_with("the test query took longer than 50ms and was stopped"),
            "{err}"
        );
        // The handler is gone: later work on the connection runs unbounded.
        let n: i64 = conn
            .query_row("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT count(*) FROM n", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 200_000);
    }

    #[test]
    fn a_small_log_outlives_the_store_and_a_big_one_is_folded_in_at_its_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let wal = dir.path().join("t.db-wal");
        let write = |bytes: usize| {
            let store = Store::open(&path).unwrap();
            let blob = vec![7u8; bytes];
            store
                .conn()
                .unwrap()
                .execute(
                    "INSERT OR REPLACE INTO route_table(id, body) VALUES (1, ?1)",
                    [blob],
                )
                .unwrap();
        };
        // A fresh store, its schema folded into the database.
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        // A command's few pages stay in the log for the next one (no checkpoint, no fsync).
        write(10_000);
        let left = std::fs::metadata(&wal).unwrap().len();
        assert!(left > 10_000 && left < WAL_KEPT, "{left}");
        // What was left is read back by the next store.
        let stored = || -> i64 {
            Store::open(&path)
                .unwrap()
                .conn()
                .unwrap()
                .query_row("SELECT length(body) FROM route_table", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(stored(), 10_000);
        // Past the bound, the last close folds it into the database and empties it.
        write(WAL_KEPT as usize + 100_000);
        assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
        assert_eq!(stored() as u64, WAL_KEPT + 100_000);
    }

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn()
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, schema_version());
        drop(store);
        let store = Store::open(&path).unwrap();
        let mode: String = store
            .conn()
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn()
            .unwrap()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn migration_21_keeps_the_first_of_identical_watches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        // A store at schema 20, with a watch added three times and another one.
        let mut conn = Connection::open(&path).unwrap();
        for sql in &sqlite::migrations::MIGRATIONS[..20] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 20).unwrap();
        let tx = conn.transaction().unwrap();
        for (id, below, at) in [
            ("wch_c", 400, 30),
            ("wch_b", 400, 10),
            ("wch_a", 400, 10),
            ("wch_d", 300, 5),
        ] {
            tx.execute(
                "INSERT INTO price_watches(id, user_id, origin, destination, departure_date, cabin, adults, below, currency, created_at)
                 VALUES (?1, 'usr_a', 'LHR', 'JFK', '2027-03-14', 'economy', 1, ?2, 'EUR', ?3)",
                rusqlite::params![id, below, at],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let ids: Vec<String> = store
            .conn()
            .unwrap()
            .prepare("SELECT id FROM price_watches ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // The earliest copy (the lower id on a tie) stays; another price is another watch.
        assert_eq!(ids, vec!["wch_a", "wch_d"]);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Store::open(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        drop(conn);
        let err = Store::open(&path).err().unwrap();
        assert!(err.to_string().contains("newer"));
    }
}
