//! Moving a team from SQLite to PostgreSQL (`booksygo admin migrate-data`): every table of
//! the SQLite store copied into an empty PostgreSQL database in one transaction, then
//! counted and summed on both sides before it commits.
//!
//! The copy is driven by PostgreSQL's schema: for each of its tables (parents before the
//! tables that refer to them), each column that is not generated is read from the SQLite
//! column of the same name, converted to the PostgreSQL type (`BIGINT`, `BOOLEAN`, `DOUBLE
//! PRECISION`, `TEXT`), and written in batches through `UNNEST` of one array per column.
//! Two kinds of columns exist only on PostgreSQL: identity columns that stand for SQLite's
//! `rowid` (`ord`, and `id` where SQLite had none), filled with the rowid so that insertion
//! order is kept, and the package search text that SQLite keeps in its FTS5 table.

use super::postgres::{PgStore, PgTx, Row};
use crate::error::{Error, Result};
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tokio_postgres::types::ToSql;

/// What a move copied and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub from: String,
    pub to: String,
    /// Rows per table, the same on both sides.
    pub tables: BTreeMap<String, i64>,
    pub rows: i64,
    /// Money (minor units) and points summed on both sides, the same.
    pub sums: BTreeMap<String, i64>,
}

/// Rows written per statement.
const BATCH: usize = 1000;

/// Tables whose rows a migration writes itself (the notifier's cursor, a single row): a fresh
/// target holds them, and the copy replaces them with the source's.
const SEEDED: &[&str] = &["notifier"];

/// Tables made from others (the compact route table, `places::routes`): not copied, since
/// the catalogue's copy drops them anyway; the first market that opens makes them again.
const DERIVED: &[&str] = &["route_table"];

/// Sums that must come out equal: money in minor units and points.
const SUMS: &[(&str, &str)] = &[
    (
        "bookings.total",
        "SELECT CAST(coalesce(sum(total), 0) AS BIGINT) FROM bookings",
    ),
    (
        "bookings.amount_due",
        "SELECT CAST(coalesce(sum(amount_due), 0) AS BIGINT) FROM bookings",
    ),
    (
        "bookings.refunded",
        "SELECT CAST(coalesce(sum(refunded), 0) AS BIGINT) FROM bookings",
    ),
    (
        "payments.amount",
        "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM payments",
    ),
    (
        "refunds.amount",
        "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM refunds",
    ),
    (
        "points_ledger.total_delta",
        "SELECT CAST(coalesce(sum(total_delta), 0) AS BIGINT) FROM points_ledger",
    ),
    (
        "points_ledger.available_delta",
        "SELECT CAST(coalesce(sum(available_delta), 0) AS BIGINT) FROM points_ledger",
    ),
];

/// Copies the SQLite store at `from` (brought up to this build's schema first) into the
/// PostgreSQL database at `to` (migrated first), which must hold no rows. Refused, with
/// nothing written, when the target is not empty or when a count or sum differs afterwards.
pub fn sqlite_to_postgres(
    from: &Path,
    to: &str,
    password: Option<&crate::secrets::Secret>,
) -> Result<Moved> {
    if !from.exists() {
        return Err(Error::NotFound(format!(
            "no SQLite store at {}: nothing to move",
            from.display()
        )));
    }
    // Opening migrates the source to this build's schema, which PostgreSQL's mirrors.
    super::Store::open(from)?;
    let source =
        rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let pg = PgStore::connect_with(to, password)?;
    pg.migrate()?;
    let mut conn = pg.conn()?;
    let moved = conn.transaction(|tx| {
        // One snapshot of the source for the whole copy.
        source.execute_batch("BEGIN")?;
        let outcome = copy_all(&source, tx);
        let _ = source.execute_batch("COMMIT");
        outcome
    })?;
    Ok(Moved {
        from: from.display().to_string(),
        to: format!("postgres://{}", pg.shown()),
        ..moved
    })
}

fn copy_all(source: &rusqlite::Connection, tx: &PgTx<'_>) -> Result<Moved> {
    let mut tables = tables_in_order(tx)?;
    tables.retain(|t| !DERIVED.contains(&t.as_str()));
    for table in tables.iter().filter(|t| !SEEDED.contains(&t.as_str())) {
        let taken = tx.query(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])?;
        if taken.first().is_some_and(|r| r.get::<_, bool>(0)) {
            return Err(Error::Conflict(format!(
                "the target database already holds data (table {table}): move into an empty database"
            )));
        }
    }
    for table in SEEDED {
        tx.execute(&format!("DELETE FROM {table}"), &[])?;
    }
    let mut counts = BTreeMap::new();
    for table in &tables {
        let n = copy_table(source, tx, table)?;
        counts.insert(table.clone(), n);
    }
    restart_identities(tx)?;
    // Counted and summed on both sides, inside the transaction: a difference rolls it back.
    for (table, copied) in &counts {
        let there: i64 = one_i64(tx.query(&format!("SELECT count(*) FROM {table}"), &[])?)?;
        let here: i64 =
            source.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if there != here || *copied != here {
            return Err(Error::internal(format!(
                "{table}: {here} rows in SQLite, {there} in PostgreSQL after the copy; nothing was moved"
            )));
        }
    }
    let mut sums = BTreeMap::new();
    for (name, sql) in SUMS {
        let there = one_i64(tx.query(sql, &[])?)?;
        let here: i64 = source.query_row(sql, [], |r| r.get(0))?;
        if there != here {
            return Err(Error::internal(format!(
                "{name}: {here} in SQLite, {there} in PostgreSQL after the copy; nothing was moved"
            )));
        }
        sums.insert(name.to_string(), here);
    }
    Ok(Moved {
        from: String::new(),
        to: String::new(),
        rows: counts.values().sum(),
        tables: counts,
        sums,
    })
}

fn one_i64(rows: Vec<Row>) -> Result<i64> {
    rows.first()
        .and_then(|r| r.try_get::<_, i64>(0).ok())
        .ok_or_else(|| Error::internal("a count returned nothing"))
}

/// PostgreSQL's tables (but its migration record), each after the tables it refers to.
fn tables_in_order(tx: &PgTx<'_>) -> Result<Vec<String>> {
    let names: BTreeSet<String> = tx
        .query(
            "SELECT table_name::TEXT FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
               AND table_name <> 'schema_migrations'",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in tx.query(
        "SELECT conrelid::regclass::TEXT, confrelid::regclass::TEXT FROM pg_constraint
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        &[],
    )? {
        let (child, parent): (String, String) = (r.get(0), r.get(1));
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    let mut ordered: Vec<String> = Vec::new();
    let mut left: BTreeSet<String> = names;
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                parents
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| !left.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(Error::internal(format!(
                "the tables {left:?} refer to each other: no order to copy them in"
            )));
        }
        for t in ready {
            left.remove(&t);
            ordered.push(t);
        }
    }
    Ok(ordered)
}

/// A PostgreSQL column to fill: its name, type, and the SQLite expression that gives it.
struct Column {
    name: String,
    kind: Kind,
    source: String,
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Bool,
    Float,
    Text,
}

impl Kind {
    fn array(self) -> &'static str {
        match self {
            Kind::Int => "BIGINT[]",
            Kind::Bool => "BOOLEAN[]",
            Kind::Float => "DOUBLE PRECISION[]",
            Kind::Text => "TEXT[]",
        }
    }
}

/// One column's values for a batch, as the array PostgreSQL unnests.
enum Values {
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Kind::Int => Values::Int(Vec::new()),
            Kind::Bool => Values::Bool(Vec::new()),
            Kind::Float => Values::Float(Vec::new()),
            Kind::Text => Values::Text(Vec::new()),
        }
    }

    fn push(&mut self, table: &str, column: &str, v: Value) -> Result<()> {
        let wrong = |v: &Value| {
            Error::internal(format!(
                "{table}.{column}: the SQLite value {v:?} does not fit its PostgreSQL column"
            ))
        };
        match (self, v) {
            (Values::Int(a), Value::Null) => a.push(None),
            (Values::Int(a), Value::Integer(i)) => a.push(Some(i)),
            (Values::Bool(a), Value::Null) => a.push(None),
            (Values::Bool(a), Value::Integer(i)) => a.push(Some(i != 0)),
            (Values::Float(a), Value::Null) => a.push(None),
            (Values::Float(a), Value::Real(f)) => a.push(Some(f)),
            (Values::Float(a), Value::Integer(i)) => a.push(Some(i as f64)),
            (Values::Text(a), Value::Null) => a.push(None),
            (Values::Text(a), Value::Text(s)) => a.push(Some(s)),
            (Values::Text(a), Value::Integer(i)) => a.push(Some(i.to_string())),
            (_, v) => return Err(wrong(&v)),
        }
        Ok(())
    }

    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Values::Int(a) => a,
            Values::Bool(a) => a,
            Values::Float(a) => a,
            Values::Text(a) => a,
        }
    }
}

/// The columns of `table` to fill and where each comes from in SQLite.
fn columns(source: &rusqlite::Connection, tx: &PgTx<'_>, table: &str) -> Result<Vec<Column>> {
    let in_sqlite: BTreeSet<String> = {
        let mut stmt = source.prepare(&format!("PRAGMA table_info({table})"))?;
        stmt.query_map([], |r| r.get::<_, String>(1))?
            .collect::<rusqlite::Result<_>>()?
    };
    if in_sqlite.is_empty() {
        return Err(Error::internal(format!(
            "the SQLite store has no table {table}: is it a BooksyGo store of this version?"
        )));
    }
    let mut out = Vec::new();
    for r in tx.query(
        "SELECT column_name::TEXT, data_type::TEXT, is_identity::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
         ORDER BY ordinal_position",
        &[&table],
    )? {
        let (name, data_type, identity): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let kind = match data_type.as_str() {
            "bigint" | "integer" => Kind::Int,
            "boolean" => Kind::Bool,
            "double precision" | "real" => Kind::Float,
            "text" => Kind::Text,
            other => {
                return Err(Error::internal(format!(
                    "{table}.{name} is {other}: the copy knows BIGINT, BOOLEAN, DOUBLE PRECISION and TEXT"
                )));
            }
        };
        let source = if in_sqlite.contains(&name) {
            format!("\"{name}\"")
        } else if identity == "YES" {
            // PostgreSQL's stand-in for the rowid SQLite orders and addresses rows by.
            "rowid".to_string()
        } else if table == "packages" && name == "search_destination" {
            "(SELECT f.destination FROM packages_fts f WHERE f.rowid = packages.rowid)".into()
        } else if table == "packages" && name == "search_activities" {
            "(SELECT f.activities FROM packages_fts f WHERE f.rowid = packages.rowid)".into()
        } else {
            return Err(Error::internal(format!(
                "{table}.{name} has no counterpart in the SQLite store"
            )));
        };
        out.push(Column { name, kind, source });
    }
    Ok(out)
}

/// Copies one table in batches; the rows copied.
fn copy_table(source: &rusqlite::Connection, tx: &PgTx<'_>, table: &str) -> Result<i64> {
    let columns = columns(source, tx, table)?;
    // Insertion order where SQLite keeps one (a WITHOUT ROWID table has none to keep).
    let order = if source
        .prepare(&format!("SELECT rowid FROM {table} LIMIT 0"))
        .is_ok()
    {
        " ORDER BY rowid"
    } else {
        ""
    };
    let select = format!(
        "SELECT {} FROM {table}{order}",
        columns
            .iter()
            .map(|c| c.source.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let insert = format!(
        "INSERT INTO {table} ({}) OVERRIDING SYSTEM VALUE SELECT * FROM UNNEST({})",
        columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", "),
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("${}::{}", i + 1, c.kind.array()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = source.prepare(&select)?;
    let mut rows = stmt.query([])?;
    let mut batch: Vec<Values> = columns.iter().map(|c| Values::new(c.kind)).collect();
    let (mut pending, mut copied) = (0usize, 0i64);
    let flush = |batch: &mut Vec<Values>| -> Result<()> {
        let params: Vec<&(dyn ToSql + Sync)> = batch.iter().map(Values::param).collect();
        tx.execute(&insert, &params)?;
        for (values, c) in batch.iter_mut().zip(&columns) {
            *values = Values::new(c.kind);
        }
        Ok(())
    };
    while let Some(row) = rows.next()? {
        for (i, (values, c)) in batch.iter_mut().zip(&columns).enumerate() {
            values.push(table, &c.name, row.get::<_, Value>(i)?)?;
        }
        pending += 1;
        copied += 1;
        if pending == BATCH {
            flush(&mut batch)?;
            pending = 0;
        }
    }
    if pending > 0 {
        flush(&mut batch)?;
    }
    Ok(copied)
}

/// Identity columns continue after the ids copied into them.
fn restart_identities(tx: &PgTx<'_>) -> Result<()> {
    for r in tx.query(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
        &[],
    )? {
        let (table, column): (String, String) = (r.get(0), r.get(1));
        tx.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                               coalesce(max(\"{column}\"), 0) + 1, false) FROM {table}"
            ),
            &[],
        )?;
    }
    Ok(())
}
