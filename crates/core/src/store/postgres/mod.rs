//! PostgreSQL, started (issue 12): the connection pool, a synchronous way to run statements
//! on it, and the schema with its migrations. The repositories of the storage port are not
//! implemented on PostgreSQL yet: nothing serves from here so far.
//!
//! # Why a dedicated runtime and `block_on`
//!
//! The storage port is synchronous: rules call `store.write(|u| ...)` from blocking code, and
//! async callers reach it through `spawn_blocking`. The blocking `postgres` crate would fit
//! that shape, but it cannot be used here: it panics ("Cannot start a runtime from within a
//! runtime") when called on a tokio worker thread AND on a `spawn_blocking` thread, which is
//! exactly where the server's store calls run.
//!
//! So [`PgStore`] owns a small tokio runtime of its own (one worker thread, named
//! `booksygo-pg`) that drives the connections: deadpool spawns each connection's task with
//! `tokio::spawn`, and we enter this runtime's handle while the pool opens connections, so
//! those tasks (and the pool's timers and sockets) live on it. A caller then waits for a
//! client future with `futures_executor::block_on`, which parks the calling thread and never
//! enters a tokio runtime: it is safe from any thread (a plain thread, a `spawn_blocking`
//! closure, a current-thread runtime's blocking pool). The client futures only exchange
//! messages with the connection task, so the caller's thread needs no reactor.

// Until the repositories run on PostgreSQL, only the migrations use the statement API in a
// face's build; the workspace's tests (feature test-support) use all of it.
#![cfg_attr(not(feature = "test-support"), allow(dead_code))]

pub mod admin;
mod bookings;
mod catalogue;
mod checks;
mod conversations;
mod fares;
mod inventory;
mod keys;
mod ledger;
mod limits;
pub(crate) mod migrations;
mod notices;
mod outbox;
mod packages;
mod payments;
mod points;
mod referrals;
mod reports;
mod subscriptions;
#[cfg(feature = "test-support")]
pub mod testing;
mod tls;
mod tracking;
mod trips;
mod unit;
mod users;
mod watches;

pub(crate) use outbox::flush as flush_events;
pub use unit::PgUnit;
pub(crate) use unit::get;

pub use migrations::Migrated;
#[cfg(feature = "test-support")]
pub use migrations::migrate_these;

use crate::error::{Error, Result};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::types::ToSql;

pub use tokio_postgres::Row;

/// Connections in the pool when the URL does not say (`?pool_max_size=N`).
pub const DEFAULT_POOL_SIZE: usize = 16;
/// How long a caller waits for a free connection, for a new connection to be made, and for
/// an idle one to be checked, before the database counts as unavailable.
pub const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL database: a bounded pool of connections driven by this store's own runtime.
/// Cheap to clone; the runtime stops when the last clone goes.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    handle: tokio::runtime::Handle,
    /// Taken on drop and shut down in the background: dropping a runtime the ordinary way
    /// panics when it happens on an async thread.
    runtime: Option<tokio::runtime::Runtime>,
    /// Where the database is, for messages: `user@host:port/db`, never a password.
    shown: String,
    /// Times a connection could not be had (timeouts, refused, unreachable) since start.
    errors: std::sync::atomic::AtomicU64,
    /// The driver's configuration and TLS, for the connection that listens for new events.
    config: tokio_postgres::Config,
    connector: tls::Connector,
    /// Rings when an event is appended by any instance: fed by one `LISTEN` connection,
    /// started by the first caller of [`PgStore::event_signal`].
    events: std::sync::OnceLock<tokio::sync::broadcast::Sender<()>>,
}

/// The channel the outbox notifies on commit (`pg_notify` in the appending transaction).
pub const EVENTS_CHANNEL: &str = "booksygo_events";

impl Drop for Inner {
    fn drop(&mut self) {
        self.pool.close();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A connection URL taken apart: the driver's configuration, the pool size, and how to name
/// the database in messages.
pub(crate) struct Target {
    pub(crate) config: tokio_postgres::Config,
    /// How the server's certificate is checked (`sslmode`, `sslrootcert`).
    pub(crate) tls: tls::Check,
    pub(crate) pool_size: usize,
    pub(crate) shown: String,
}

impl PgStore {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB[?options]`; the option
    /// `pool_max_size=N` sets the pool's bound, 16 by default) and checks that the database
    /// answers. A malformed URL is invalid input (see [`tls`] for `sslmode` and `sslrootcert`); a
    /// server that cannot be reached, refuses the login or lacks the database is
    /// `Unavailable`. Messages never show the password.
    /// Blocking. Does not migrate: see [`PgStore::migrate`].
    pub fn connect(url: &str) -> Result<PgStore> {
        PgStore::connect_with(url, None)
    }

    /// [`PgStore::connect`] with the password kept apart from the URL (the environment or
    /// the secret store), used when the URL has none.
    pub fn connect_with(url: &str, password: Option<&crate::secrets::Secret>) -> Result<PgStore> {
        let mut target = parse_url(url)?;
        if let Some(password) = password
            && target.config.get_password().is_none()
        {
            target.config.password(password.expose());
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(2)
            .thread_name("booksygo-pg")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| Error::internal(format!("cannot start the PostgreSQL runtime: {e}")))?;
        let listen_config = target.config.clone();
        let connector = tls::connector(&target.tls)?;
        let manager = Manager::from_config(
            target.config,
            connector.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(target.pool_size)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| Error::internal(format!("cannot build the PostgreSQL pool: {e}")))?;
        let store = PgStore {
            inner: Arc::new(Inner {
                pool,
                handle: runtime.handle().clone(),
                runtime: Some(runtime),
                shown: target.shown,
                errors: Default::default(),
                config: listen_config,
                connector,
                events: std::sync::OnceLock::new(),
            }),
        };
        // Fail now, with a clear message, rather than at the first request.
        store.conn()?;
        Ok(store)
    }

    /// `user@host:port/db`: where this store points, safe to print.
    pub fn shown(&self) -> &str {
        &self.inner.shown
    }

    /// The pool's bound.
    pub fn pool_size(&self) -> usize {
        self.inner.pool.status().max_size
    }

    /// Brings the schema up to date under the migration lock (see [`migrations`]). Blocking.
    pub fn migrate(&self) -> Result<Migrated> {
        migrations::migrate(self)
    }

    /// A pooled connection; back to the pool on drop. Waits at most [`POOL_TIMEOUT`] for one.
    pub fn conn(&self) -> Result<PgConn<'_>> {
        // Connections made now spawn their task, sockets and timers on our runtime.
        let client = self
            .block(self.inner.pool.get())
            .map_err(|e| self.pool_error(e))?;
        Ok(PgConn {
            client: Some(client),
            store: self,
        })
    }

    /// Waits for `work` on the calling thread, with this store's runtime entered (so anything
    /// it creates that needs tokio lives on that runtime). Never starts or blocks a tokio
    /// runtime: safe from any thread.
    ///
    /// Two things matter when the caller is a worker of a multi-thread runtime (the server's
    /// handlers call the store from async code): the wait is announced with `block_in_place`,
    /// so the runtime hands its other tasks (the accept loop, health checks) to another
    /// thread instead of stalling behind PostgreSQL; and `work` runs `unconstrained`, outside
    /// tokio's cooperative budget. Without that, a caller whose task had spent its budget got
    /// `Pending` from the pool's semaphore with its wake-up deferred to the worker's own
    /// queue, which the blocked worker never ran: the request, and soon the server, hung.
    fn block<F: Future>(&self, work: F) -> F::Output {
        let wait = move || {
            let _inside = self.inner.handle.enter();
            futures_executor::block_on(tokio::task::unconstrained(work))
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
    }

    /// The pool now: its bound, connections open, in use, callers waiting, and errors so far.
    pub fn pool_stats(&self) -> crate::store::PoolStats {
        let status = self.inner.pool.status();
        crate::store::PoolStats {
            max_size: status.max_size,
            open: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
            errors: self.inner.errors.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// A receiver that rings (`()`) soon after any instance commits a new event, and also
    /// after the listening connection was lost and made again (events may have been missed
    /// meanwhile: read the outbox). One `LISTEN` connection per store, made on first use and
    /// made again after a second whenever it is lost.
    pub fn event_signal(&self) -> tokio::sync::broadcast::Receiver<()> {
        self.inner
            .events
            .get_or_init(|| {
                let (tx, _) = tokio::sync::broadcast::channel(16);
                let (config, ring) = (self.inner.config.clone(), tx.clone());
                let connector = self.inner.connector.clone();
                self.inner.handle.spawn(listen(config, connector, ring));
                tx
            })
            .subscribe()
    }

    fn pool_error(&self, e: deadpool_postgres::PoolError) -> Error {
        use deadpool_postgres::PoolError;
        self.inner
            .errors
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let shown = &self.inner.shown;
        match e {
            PoolError::Timeout(kind) => Error::Unavailable(format!(
                "PostgreSQL at {shown} did not answer in time ({}s, {kind:?}): is it running, is the pool ({}) exhausted?",
                POOL_TIMEOUT.as_secs(),
                self.pool_size(),
            )),
            // The server answered and refused (no such database, login refused, too many
            // connections): its reason is the message.
            PoolError::Backend(e) if e.as_db_error().is_some() => Error::Unavailable(format!(
                "PostgreSQL at {shown} refused the connection: {}",
                text(&e)
            )),
            PoolError::Backend(e) => {
                Error::Unavailable(format!("PostgreSQL not reachable at {shown}: {}", text(&e)))
            }
            PoolError::Closed => {
                Error::Unavailable(format!("the PostgreSQL pool for {shown} is closed"))
            }
            e => Error::internal(format!("PostgreSQL pool for {shown}: {e}")),
        }
    }
}

/// Listens on [`EVENTS_CHANNEL`] and rings `ring` for each notification, for the store's
/// life (its runtime ends the task); reconnects after a second when the connection is lost.
async fn listen(
    config: tokio_postgres::Config,
    connector: tls::Connector,
    ring: tokio::sync::broadcast::Sender<()>,
) {
    use futures_util::StreamExt;
    loop {
        if let Ok((client, mut connection)) = config.connect(connector.clone()).await {
            let signal = ring.clone();
            let driver = tokio::spawn(async move {
                let mut messages = futures_util::stream::poll_fn(|cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if matches!(message, tokio_postgres::AsyncMessage::Notification(_)) {
                        let _ = signal.send(());
                    }
                }
            });
            if client
                .batch_execute(&format!("LISTEN {EVENTS_CHANNEL}"))
                .await
                .is_ok()
            {
                // Listening again: whatever was committed while we were not is read now.
                let _ = ring.send(());
                let _ = driver.await;
            } else {
                driver.abort();
            }
            drop(client);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A pooled connection: statements run one by one (each its own transaction), or together
/// in [`PgConn::transaction`]. Every call blocks the calling thread until PostgreSQL answers.
pub struct PgConn<'a> {
    client: Option<deadpool_postgres::Object>,
    store: &'a PgStore,
}

impl PgConn<'_> {
    fn client(&self) -> &deadpool_postgres::Object {
        self.client.as_ref().expect("client present until drop")
    }

    /// Runs one statement; the number of rows it touched.
    pub fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        execute(self.store, self.client(), sql, params)
    }

    pub fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        query(self.store, self.client(), sql, params)
    }

    pub fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        query_one(self.store, self.client(), sql, params)
    }

    pub fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        query_opt(self.store, self.client(), sql, params)
    }

    /// Several statements without parameters, in one round trip.
    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        self.store
            .block(self.client().batch_execute(sql))
            .map_err(Error::from)
    }

    /// Runs `work` in one transaction (READ COMMITTED): committed when it returns `Ok`,
    /// rolled back otherwise.
    pub fn transaction<T>(&mut self, work: impl FnOnce(&PgTx<'_>) -> Result<T>) -> Result<T> {
        let store = self.store;
        let client = self.client.as_mut().expect("client present until drop");
        let tx = store.block(client.transaction())?;
        let tx = PgTx { tx, store };
        match work(&tx) {
            Ok(out) => {
                store.block(tx.tx.commit())?;
                Ok(out)
            }
            Err(e) => {
                // A failed rollback leaves nothing behind: PostgreSQL rolls back an aborted
                // transaction when the connection is reused or closed.
                let _ = store.block(tx.tx.rollback());
                Err(e)
            }
        }
    }

    /// Takes this connection out of the pool for good: it closes when dropped, ending its
    /// session (and any session-level lock it still holds).
    pub(crate) fn discard(mut self) {
        if let Some(client) = self.client.take() {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}

/// Statements inside a transaction of [`PgConn::transaction`].
pub struct PgTx<'a> {
    tx: deadpool_postgres::Transaction<'a>,
    store: &'a PgStore,
}

impl PgTx<'_> {
    pub fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        execute(self.store, &self.tx, sql, params)
    }

    pub fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        query(self.store, &self.tx, sql, params)
    }

    pub fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        query_one(self.store, &self.tx, sql, params)
    }

    pub fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        query_opt(self.store, &self.tx, sql, params)
    }

    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        self.store
            .block(self.tx.batch_execute(sql))
            .map_err(Error::from)
    }
}

// Statements are prepared once per connection (deadpool's statement cache), then run.
fn execute<C: GenericClient>(
    store: &PgStore,
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64> {
    store
        .block(async {
            let statement = client.prepare_cached(sql).await?;
            client.execute(&statement, params).await
        })
        .map_err(Error::from)
}

fn query<C: GenericClient>(
    store: &PgStore,
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>> {
    store
        .block(async {
            let statement = client.prepare_cached(sql).await?;
            client.query(&statement, params).await
        })
        .map_err(Error::from)
}

fn query_one<C: GenericClient>(
    store: &PgStore,
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Row> {
    store
        .block(async {
            let statement = client.prepare_cached(sql).await?;
            client.query_one(&statement, params).await
        })
        .map_err(Error::from)
}

fn query_opt<C: GenericClient>(
    store: &PgStore,
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>> {
    store
        .block(async {
            let statement = client.prepare_cached(sql).await?;
            client.query_opt(&statement, params).await
        })
        .map_err(Error::from)
}

/// PostgreSQL's errors leave the storage port as `Error::Storage` (a statement cancelled by
/// `statement_timeout` is `interrupted`), or `Unavailable` when the connection is gone: no
/// tokio-postgres type crosses it.
impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.is_closed() {
            // The driver's words go to the log, not to a client.
            tracing::warn!(error = %e, "the connection to PostgreSQL was lost");
            return Error::Unavailable("the connection to the database was lost: try again".into());
        }
        use tokio_postgres::error::SqlState;
        let code = e.as_db_error().map(|db| db.code().clone());
        // Told as SQLite tells it: a write that refers to a row that is gone is a conflict
        // with the present state.
        if code == Some(SqlState::FOREIGN_KEY_VIOLATION) {
            return Error::Conflict(
                "this change refers to something that no longer exists: reload and try again"
                    .into(),
            );
        }
        // PostgreSQL undid this change to let another through (writers waiting on each
        // other): nothing was written, and the same request sent again goes through.
        if matches!(
            code,
            Some(SqlState::T_R_DEADLOCK_DETECTED | SqlState::T_R_SERIALIZATION_FAILURE)
        ) {
            return Error::Unavailable(
                "the database undid this change because another was writing the same rows at the same moment; nothing was written: try again".into(),
            );
        }
        // A transaction already aborted (25P02) was stopped too. PostgreSQL can raise
        // `statement_timeout` just after describing a statement being prepared, and
        // tokio-postgres stops reading a prepare's answer at that description: the error goes
        // unread and the next statement is the one refused. Every other error is returned where
        // it happens, so an aborted transaction means such a stop.
        let interrupted = matches!(
            code,
            Some(SqlState::QUERY_CANCELED | SqlState::IN_FAILED_SQL_TRANSACTION)
        );
        Error::Storage {
            message: text(&e),
            interrupted,
        }
    }
}

/// One line for an error: the server's message with its SQLSTATE when it sent one, else the
/// driver's error with its cause. The server's DETAIL is left out: it quotes row values
/// ("Failing row contains ..."), which may be personal data or token hashes.
fn text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        );
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !s.contains(&cause_text) {
            s.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    s
}

/// Takes a connection URL apart. Only URLs (`postgres://` or `postgresql://`) are accepted;
/// our own option `pool_max_size` is taken out before the driver reads the rest. Defaults
/// added: a 5 s connect timeout, `application_name=booksygo`.
pub(crate) fn parse_url(url: &str) -> Result<Target> {
    let url = url.trim();
    let shown_url = redact(url);
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        // Text without `://` is not repeated: where a password sits in it cannot be known.
        let shown = if url.contains("://") {
            format!("'{shown_url}'")
        } else {
            "the database URL".to_string()
        };
        return Err(Error::invalid(format!(
            "{shown} is not a PostgreSQL URL: write postgres://USER@HOST:PORT/DATABASE"
        )));
    }
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut pool_size = DEFAULT_POOL_SIZE;
    let (mut sslmode, mut rootcert) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", m)) => sslmode = Some(m.to_string()),
            Some(("sslrootcert", f)) => rootcert = Some(f.to_string()),
            Some(("pool_max_size", n)) => {
                pool_size = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "pool_max_size={n} in the database URL: give a number of connections from 1 to 1000"
                        ))
                    })?;
            }
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config =
        rebuilt.parse().map_err(|e: tokio_postgres::Error| {
            Error::invalid(format!(
                "cannot read the database URL '{shown_url}': {}",
                text(&e)
            ))
        })?;
    if config.get_hosts().is_empty() {
        return Err(Error::invalid(format!(
            "the database URL '{shown_url}' names no host: write postgres://USER@HOST:PORT/DATABASE"
        )));
    }
    let (ssl_mode, tls) = tls::mode(sslmode.as_deref(), rootcert.as_deref())?;
    config.ssl_mode(ssl_mode);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(POOL_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("booksygo");
    }
    let shown = describe(&config);
    Ok(Target {
        config,
        tls,
        pool_size,
        shown,
    })
}

/// `user@host:port/db` from a configuration: what messages name, never with a password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "?".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("{user}{host}:{port}/{db}")
}

/// The URL with its password (in the user part or as `password=`) replaced by `***`: the
/// only form of a URL that may reach a message or a log.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            let start = scheme_end + 3 + colon + 1;
            let end = scheme_end + 3 + at;
            out.replace_range(start..end, "***");
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{base}{}", query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5433/team?sslmode=require"),
            "postgres://app:***@db.example:5433/team?sslmode=require"
        );
        assert_eq!(
            redact("postgres://app@db/team?password=s3cret&pool_max_size=4"),
            "postgres://app@db/team?password=***&pool_max_size=4"
        );
        assert_eq!(redact("postgres://db/team"), "postgres://db/team");
        let target = parse_url("postgres://app:s3cret@db.example:5433/team").unwrap();
        assert_eq!(target.shown, "app@db.example:5433/team");
    }

    #[test]
    fn the_pool_size_comes_from_the_url_or_defaults_to_16() {
        assert_eq!(parse_url("postgres://u@h/d").unwrap().pool_size, 16);
        let t = parse_url("postgres://u@h:1/d?pool_max_size=3&sslmode=disable").unwrap();
        assert_eq!(t.pool_size, 3);
        assert_eq!(t.shown, "u@h:1/d");
        let e = parse_url("postgres://u@h/d?pool_max_size=0").err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn a_url_that_is_not_postgres_is_invalid_input_and_keeps_its_password_out() {
        let e = parse_url("mysql://u:hunter2@h/d").err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = parse_url("postgres://u:hunter2@h/d?sslmode=sometimes")
            .err()
            .unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("sslmode=sometimes"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = parse_url("postgres://u:hunter2@h:notaport/d")
            .err()
            .unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(!e.to_string().contains("hunter2"), "{e}");
        // Text that is not a URL at all is not repeated: its password cannot be found in it.
        for text in ["host=h user=u password=hunter2", "postgres:/u:hunter2@h/d"] {
            let e = parse_url(text).err().unwrap();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }
}
