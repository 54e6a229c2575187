//! The unit of work on PostgreSQL: a pooled connection (each statement its own transaction)
//! or a transaction, seen through [`Exec`], with every repository implemented on it (one file
//! per area beside this one, mirroring `store/sqlite`).
//!
//! Rules for the repositories, learnt the hard way:
//! - parameters and columns are typed strictly: every SQLite `INTEGER` is `BIGINT` here, so
//!   pass and read `i64` (a `u32` or `usize` is converted first: tokio-postgres sends a `u32`
//!   as an OID and the statement fails); flags are `bool`.
//! - read columns with [`get`], never `Row::get`, which panics on a type mismatch.
//! - a parameter PostgreSQL cannot type from its use (`$2 IS NULL OR user_id = $2`) gets a
//!   cast: `$2::TEXT IS NULL`.
//! - a check and the write it guards are one statement (`INSERT .. ON CONFLICT`, `UPDATE ..
//!   WHERE` the state read, `.. RETURNING`): writers are not serialised here as on SQLite.

use super::{PgConn, PgTx, Row};
use crate::error::{Error, Result};
use crate::store::port::{
    Bookings, Catalogue, Checks, Conversations, Fares, Inventory, Keys, Ledger, Limits, Notices,
    Outbox, PackageIndex, Payments, Points, Reports, Subscriptions, Tracking, Trips, Unit, Users,
    Watches,
};
use tokio_postgres::types::{FromSql, ToSql};

/// Runs statements: a connection or a transaction.
pub(crate) trait Exec {
    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64>;
    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>>;
    fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>>;
    fn batch_execute(&self, sql: &str) -> Result<()>;
}

impl Exec for PgConn<'_> {
    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        PgConn::execute(self, sql, params)
    }
    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        PgConn::query(self, sql, params)
    }
    fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        PgConn::query_opt(self, sql, params)
    }
    fn batch_execute(&self, sql: &str) -> Result<()> {
        PgConn::batch_execute(self, sql)
    }
}

impl Exec for PgTx<'_> {
    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        PgTx::execute(self, sql, params)
    }
    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        PgTx::query(self, sql, params)
    }
    fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        PgTx::query_opt(self, sql, params)
    }
    fn batch_execute(&self, sql: &str) -> Result<()> {
        PgTx::batch_execute(self, sql)
    }
}

/// One unit of work on PostgreSQL: the repositories over one connection or transaction.
pub struct PgUnit<'a> {
    exec: &'a dyn Exec,
    /// The keys personal columns are sealed with (`store::sealed`).
    keys: &'a crate::crypto::DataKeys,
    in_transaction: bool,
    /// Events appended in this transaction, written just before it commits (see
    /// `outbox.rs`: the seq lock is then held for one statement and the commit).
    pub(super) events: std::cell::RefCell<Vec<super::outbox::Pending>>,
}

impl<'a> PgUnit<'a> {
    /// The unit of a pooled connection: each statement its own transaction.
    pub(crate) fn new(exec: &'a dyn Exec, keys: &'a crate::crypto::DataKeys) -> PgUnit<'a> {
        PgUnit {
            exec,
            keys,
            in_transaction: false,
            events: Default::default(),
        }
    }

    /// The unit of a transaction (`Store::write`).
    pub(crate) fn in_transaction(
        exec: &'a dyn Exec,
        keys: &'a crate::crypto::DataKeys,
    ) -> PgUnit<'a> {
        PgUnit {
            exec,
            keys,
            in_transaction: true,
            events: Default::default(),
        }
    }

    /// The keys personal columns are sealed with.
    pub(crate) fn data_keys(&self) -> &crate::crypto::DataKeys {
        self.keys
    }

    /// A personal value sealed for its column `label`, to bind.
    pub(crate) fn seal(&self, label: &str, plain: &str) -> Result<String> {
        self.keys.seal(label, plain)
    }

    pub(crate) fn seal_opt(&self, label: &str, plain: Option<&str>) -> Result<Option<String>> {
        self.keys.seal_opt(label, plain)
    }

    /// A personal value of column `label` as read, opened.
    pub(crate) fn open(&self, label: &str, stored: &str) -> Result<String> {
        self.keys.open(label, stored)
    }

    pub(crate) fn open_opt(&self, label: &str, stored: Option<&str>) -> Result<Option<String>> {
        self.keys.open_opt(label, stored)
    }

    /// Whether the statements run inside one transaction (a transaction-scoped lock then
    /// lasts until the unit ends).
    pub(crate) fn is_transaction(&self) -> bool {
        self.in_transaction
    }

    pub(crate) fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.exec.execute(sql, params)
    }

    pub(crate) fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        self.exec.query(sql, params)
    }

    pub(crate) fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>> {
        self.exec.query_opt(sql, params)
    }

    /// The one row a statement returns; a storage error when it returns none.
    pub(crate) fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        self.exec
            .query_opt(sql, params)?
            .ok_or_else(|| Error::Storage {
                message: "a statement expected to return one row returned none".into(),
                interrupted: false,
            })
    }

    pub(crate) fn batch_execute(&self, sql: &str) -> Result<()> {
        self.exec.batch_execute(sql)
    }
}

/// PostgreSQL's refusal of a duplicate in a unique index.
pub(crate) const UNIQUE_VIOLATION: &str = "23505";

/// Whether `e` is PostgreSQL's error `code` (SQLSTATE). `Error::Storage` keeps only the
/// server's message, which `postgres::text` ends with `(SQLSTATE xxxxx)`; foreign-key
/// refusals, deadlocks and cancellations are already told apart in `From<tokio_postgres::Error>`.
pub(crate) fn is_sqlstate(e: &Error, code: &str) -> bool {
    matches!(e, Error::Storage { message, .. } if message.ends_with(&format!("(SQLSTATE {code})")))
}

/// Column `i` of `row` as `T`; a type mismatch is a storage error, not a panic.
pub(crate) fn get<'r, T: FromSql<'r>>(row: &'r Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(|e| Error::Storage {
        message: format!("reading column {i}: {e}"),
        interrupted: false,
    })
}

impl Unit for PgUnit<'_> {
    fn bookings(&self) -> &dyn Bookings {
        self
    }
    fn inventory(&self) -> &dyn Inventory {
        self
    }
    fn keys(&self) -> &dyn Keys {
        self
    }
    fn outbox(&self) -> &dyn Outbox {
        self
    }
    fn ledger(&self) -> &dyn Ledger {
        self
    }
    fn limits(&self) -> &dyn Limits {
        self
    }
    fn subscriptions(&self) -> &dyn Subscriptions {
        self
    }
    fn users(&self) -> &dyn Users {
        self
    }
    fn reports(&self) -> &dyn Reports {
        self
    }
    fn payments(&self) -> &dyn Payments {
        self
    }
    fn points(&self) -> &dyn Points {
        self
    }
    fn trips(&self) -> &dyn Trips {
        self
    }
    fn conversations(&self) -> &dyn Conversations {
        self
    }
    fn watches(&self) -> &dyn Watches {
        self
    }
    fn notices(&self) -> &dyn Notices {
        self
    }
    fn tracking(&self) -> &dyn Tracking {
        self
    }
    fn fares(&self) -> &dyn Fares {
        self
    }
    fn packages(&self) -> &dyn PackageIndex {
        self
    }
    fn catalogue(&self) -> &dyn Catalogue {
        self
    }
    fn checks(&self) -> &dyn Checks {
        self
    }
    fn referrals(&self) -> &dyn crate::store::port::Referrals {
        self
    }
    fn take_turn(&self, topic: &str) -> Result<()> {
        self.query(
            "SELECT pg_advisory_xact_lock($1)",
            &[&crate::store::port::turn_key(topic)],
        )?;
        Ok(())
    }
    fn try_turn(&self, topic: &str) -> Result<bool> {
        let row = self.query_one(
            "SELECT pg_try_advisory_xact_lock($1)",
            &[&crate::store::port::turn_key(topic)],
        )?;
        get(&row, 0)
    }
}
