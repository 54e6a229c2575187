//! Fares over time: every one-way flight search records the cheapest fare it saw, and price
//! predictions read the record of a route and date.

use crate::error::Result;
use crate::model::{Cabin, Currency, FxTable, Money};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, params};
use serde::Serialize;

/// Records the cheapest fare per traveller a search saw (converted to EUR).
#[allow(clippy::too_many_arguments)]
pub fn observe(
    conn: &Connection,
    origin: &str,
    destination: &str,
    date: Date,
    cabin: Cabin,
    cheapest_total: Money,
    travellers: u32,
    fx: &FxTable,
    now: Timestamp,
) -> Result<()> {
    let eur = fx.convert(cheapest_total, Currency::EUR)?;
    let per = eur.minor / i64::from(travellers.max(1));
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let ahead = crate::model::season::days_between(today, date);
    conn.execute(
        "INSERT OR REPLACE INTO fare_observations(origin, destination, departure_date, cabin, observed_at, days_ahead, cheapest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![origin, destination, date.to_string(), cabin.as_str(), now.as_second(), ahead, per],
    )?;
    Ok(())
}

/// One recorded fare of a date.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Observation {
    pub observed_at: Timestamp,
    pub days_ahead: i64,
    /// Per traveller.
    pub cheapest: Money,
}

pub fn history(
    conn: &Connection,
    origin: &str,
    destination: &str,
    date: Date,
    cabin: Cabin,
) -> Result<Vec<Observation>> {
    let mut stmt = conn.prepare(
        "SELECT observed_at, days_ahead, cheapest FROM fare_observations
         WHERE origin = ?1 AND destination = ?2 AND departure_date = ?3 AND cabin = ?4 ORDER BY observed_at",
    )?;
    let rows = stmt.query_map(
        params![origin, destination, date.to_string(), cabin.as_str()],
        |r| {
            Ok(Observation {
                observed_at: Timestamp::from_second(r.get(0)?).unwrap_or(Timestamp::UNIX_EPOCH),
                days_ahead: r.get(1)?,
                cheapest: Money::eur(r.get(2)?),
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
