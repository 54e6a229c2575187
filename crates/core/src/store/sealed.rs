//! Personal columns sealed at rest (see [`crate::crypto`] for the format and the keys).
//!
//! Sealed: a booking's `contact_email`; a traveller's `given_name`, `family_name`, `born_on`
//! and `document`; an account's `first_name` and `last_name`. Each column has a label,
//! bound to its values as associated data.
//!
//! On SQLite every pooled connection carries three SQL functions closed over the store's
//! keys, so a repository seals and opens inside its statements: `bg_seal(label, value)`,
//! `bg_open(label, value)` and `bg_reseal(label, value)` (NULL stays NULL). On PostgreSQL the
//! unit holds the keys and a repository seals the values it binds and opens the values it
//! reads ([`PgUnit::seal`], [`PgUnit::open`]).
//!
//! Not sealed, and why: an account's e-mail is its login name, found by equality and kept
//! unique (case-insensitively) by the engine's own index, which a sealed value (random nonce)
//! cannot serve; a keyed blind index would, but would also have to be rotated with the key,
//! and the account table of a team server is not traveller data. Dates of travel, prices,
//! routes and hotel names are not personal data on their own and are what reports and
//! housekeeping filter on.

use crate::crypto::{DataKeys, SEALED_PREFIX};
use crate::error::Result;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

pub(crate) const CONTACT_EMAIL: &str = "booking.contact_email";
pub(crate) const GIVEN_NAME: &str = "traveller.given_name";
pub(crate) const FAMILY_NAME: &str = "traveller.family_name";
pub(crate) const BORN_ON: &str = "traveller.born_on";
pub(crate) const DOCUMENT: &str = "traveller.document";
pub(crate) const FIRST_NAME: &str = "account.first_name";
pub(crate) const LAST_NAME: &str = "account.last_name";

/// A table with sealed columns.
pub(crate) struct SealedTable {
    pub(crate) table: &'static str,
    /// The columns that name a row.
    pub(crate) keys: &'static [&'static str],
    /// (column, label) pairs.
    pub(crate) columns: &'static [(&'static str, &'static str)],
}

/// Every sealed column, per table.
pub(crate) const SEALED: &[SealedTable] = &[
    SealedTable {
        table: "bookings",
        keys: &["id"],
        columns: &[("contact_email", CONTACT_EMAIL)],
    },
    SealedTable {
        table: "booking_passengers",
        keys: &["booking_id", "seq"],
        columns: &[
            ("given_name", GIVEN_NAME),
            ("family_name", FAMILY_NAME),
            ("born_on", BORN_ON),
            ("document", DOCUMENT),
        ],
    },
    SealedTable {
        table: "users",
        keys: &["id"],
        columns: &[("first_name", FIRST_NAME), ("last_name", LAST_NAME)],
    },
];

/// The `meta` key set once the values written before sealing have been sealed.
const SEALED_FLAG: &str = "personal_data_sealed";

/// What a pass of sealing did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Resealed {
    /// The key every value is now sealed with.
    pub key: Option<String>,
    /// Rows written again, per table.
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Registers the sealing functions on a SQLite connection.
pub(crate) fn register(conn: &Connection, keys: &DataKeys) -> Result<()> {
    type Work = fn(&DataKeys, &str, &str) -> Result<Option<String>>;
    let functions: [(&str, FunctionFlags, Work); 3] = [
        ("bg_seal", FunctionFlags::SQLITE_UTF8, |k, l, v| {
            k.seal(l, v).map(Some)
        }),
        (
            "bg_open",
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |k, l, v| k.open(l, v).map(Some),
        ),
        ("bg_reseal", FunctionFlags::SQLITE_UTF8, |k, l, v| {
            k.reseal(l, v)
        }),
    ];
    for (name, flags, work) in functions {
        let keys = keys.clone();
        conn.create_scalar_function(name, 2, flags, move |ctx| {
            let label: String = ctx.get(0)?;
            let Some(value) = ctx.get::<Option<String>>(1)? else {
                return Ok(None);
            };
            match work(&keys, &label, &value) {
                Ok(Some(out)) => Ok(Some(out)),
                Ok(None) => Ok(Some(value)),
                Err(e) => Err(rusqlite::Error::UserFunctionError(Box::new(e))),
            }
        })?;
    }
    Ok(())
}

/// What the values a pass leaves alone start with: the current key's prefix (`rotate`: every
/// other value is sealed again), or the prefix of any sealed value (only plain values are
/// sealed). `None` without keys: nothing to do.
fn fresh_prefix(keys: &DataKeys, rotate: bool) -> Option<String> {
    let current = keys.current_prefix()?;
    Some(if rotate {
        current
    } else {
        SEALED_PREFIX.to_string()
    })
}

/// Seals again, on SQLite, every value not sealed with the current key (`rotate`), or only
/// the plain ones; inside the caller's transaction.
pub(crate) fn reseal_sqlite(conn: &Connection, keys: &DataKeys, rotate: bool) -> Result<Resealed> {
    let mut out = Resealed {
        key: keys.current_id().map(str::to_string),
        ..Default::default()
    };
    let Some(prefix) = fresh_prefix(keys, rotate) else {
        return Ok(out);
    };
    for SealedTable { table, columns, .. } in SEALED {
        let sets: Vec<String> = columns
            .iter()
            .map(|(c, l)| format!("{c} = bg_reseal('{l}', {c})"))
            .collect();
        let stale: Vec<String> = columns
            .iter()
            .map(|(c, _)| format!("({c} IS NOT NULL AND substr({c}, 1, length(?1)) != ?1)"))
            .collect();
        let n = conn.execute(
            &format!(
                "UPDATE {table} SET {} WHERE {}",
                sets.join(", "),
                stale.join(" OR ")
            ),
            [&prefix],
        )?;
        out.rows.insert(table.to_string(), n as u64);
    }
    Ok(out)
}

/// [`reseal_sqlite`] on PostgreSQL: the stale rows read, sealed here, written back by key.
pub(crate) fn reseal_postgres(
    unit: &super::postgres::PgUnit<'_>,
    rotate: bool,
) -> Result<Resealed> {
    let keys = unit.data_keys();
    let mut out = Resealed {
        key: keys.current_id().map(str::to_string),
        ..Default::default()
    };
    let Some(prefix) = fresh_prefix(keys, rotate) else {
        return Ok(out);
    };
    for SealedTable {
        table,
        keys: key_columns,
        columns,
    } in SEALED
    {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let stale: Vec<String> = names
            .iter()
            .map(|c| format!("({c} IS NOT NULL AND left({c}, length($1)) <> $1)"))
            .collect();
        // Key columns are read as text (a seq as its decimal form) and compared as text.
        let keys_read: Vec<String> = key_columns.iter().map(|k| format!("{k}::TEXT")).collect();
        let rows = unit.query(
            &format!(
                "SELECT {}, {} FROM {table} WHERE {}",
                keys_read.join(", "),
                names.join(", "),
                stale.join(" OR ")
            ),
            &[&prefix],
        )?;
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let wheres: Vec<String> = key_columns
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k}::TEXT = ${}", names.len() + i + 1))
            .collect();
        let update = format!(
            "UPDATE {table} SET {} WHERE {}",
            sets.join(", "),
            wheres.join(" AND ")
        );
        let mut n = 0;
        for row in &rows {
            let ids: Vec<String> = (0..key_columns.len())
                .map(|i| super::postgres::get(row, i))
                .collect::<Result<_>>()?;
            let mut values: Vec<Option<String>> = Vec::with_capacity(columns.len());
            for (i, (_, label)) in columns.iter().enumerate() {
                let stored: Option<String> = super::postgres::get(row, key_columns.len() + i)?;
                values.push(match stored {
                    Some(v) => Some(keys.reseal(label, &v)?.unwrap_or(v)),
                    None => None,
                });
            }
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
            for v in &values {
                params.push(v);
            }
            for id in &ids {
                params.push(id);
            }
            n += unit.execute(&update, &params)?;
        }
        out.rows.insert(table.to_string(), n);
    }
    Ok(out)
}

/// The key id of one sealed value of `store`, if any (`Store::sealed_with`).
pub(crate) fn some_key_id(store: &super::Store) -> Result<Option<String>> {
    let prefix = format!("{SEALED_PREFIX}%");
    let found: Option<String> = match &store.engine {
        super::Engine::Sqlite(sqlite) => {
            use rusqlite::OptionalExtension;
            let conn = sqlite.pooled()?;
            let mut found = None;
            for SealedTable { table, columns, .. } in SEALED {
                let (column, _) = columns[0];
                found = conn
                    .query_row(
                        &format!(
                            "SELECT {column} FROM {table} WHERE {column} LIKE ?1 ORDER BY rowid DESC LIMIT 1"
                        ),
                        [&prefix],
                        |r| r.get(0),
                    )
                    .optional()?;
                if found.is_some() {
                    break;
                }
            }
            found
        }
        super::Engine::Postgres(pg) => {
            let conn = pg.conn()?;
            let mut found = None;
            for SealedTable { table, columns, .. } in SEALED {
                let (column, _) = columns[0];
                if let Some(row) = conn.query_opt(
                    &format!("SELECT {column} FROM {table} WHERE {column} LIKE $1 LIMIT 1"),
                    &[&prefix],
                )? {
                    found = Some(super::postgres::get(&row, 0)?);
                    break;
                }
            }
            found
        }
    };
    Ok(found.and_then(|v| {
        v.strip_prefix(SEALED_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .map(|(id, _)| id.to_string())
    }))
}

/// Seals, once per database, the values written before sealing existed (or by a store
/// opened without keys). Later rows are sealed as they are written. Nothing to do without
/// keys.
pub(crate) fn seal_plain_once(store: &super::Store) -> Result<()> {
    if store.keys.is_empty() {
        return Ok(());
    }
    // Read first: once the flag is set, opening a store takes no write lock.
    if store
        .read(|unit| unit.catalogue().meta(SEALED_FLAG))?
        .is_none()
    {
        pass(store, false)?;
    }
    Ok(())
}

/// One sealing pass in one transaction: `rotate`, every value not sealed with the current
/// key; otherwise the plain values, once per database (the `meta` flag is written with
/// them; `None` when it was already set). Under a turn, so several instances starting
/// together seal once. On SQLite, with `secure_delete` on for the pass and the WAL
/// checkpointed after it, so the plain text it replaced does not linger in free pages.
pub(crate) fn pass(store: &super::Store, rotate: bool) -> Result<Option<Resealed>> {
    use super::port::Catalogue;
    match &store.engine {
        super::Engine::Sqlite(sqlite) => {
            let mut conn = sqlite.pooled()?;
            let out = {
                let _writer = sqlite.write_lock();
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                if !rotate && tx.meta(SEALED_FLAG)?.is_some() {
                    return Ok(None);
                }
                tx.pragma_update(None, "secure_delete", "ON")?;
                reseal_sqlite(&tx, &store.keys, rotate).and_then(|out| {
                    if !rotate {
                        tx.set_meta(SEALED_FLAG, "1")?;
                    }
                    tx.commit()?;
                    Ok(out)
                })
            };
            conn.pragma_update(None, "secure_delete", "FAST")?;
            let out = out?;
            if out.rows.values().any(|n| *n > 0) {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            }
            Ok(Some(out))
        }
        super::Engine::Postgres(pg) => {
            let mut conn = pg.conn()?;
            conn.transaction(|tx| {
                let unit = super::postgres::PgUnit::in_transaction(tx, &store.keys);
                super::port::Unit::take_turn(&unit, "seal-personal-data")?;
                if !rotate && unit.meta(SEALED_FLAG)?.is_some() {
                    return Ok(None);
                }
                let out = reseal_postgres(&unit, rotate)?;
                if !rotate {
                    unit.set_meta(SEALED_FLAG, "1")?;
                }
                Ok(Some(out))
            })
        }
    }
}
