//! Fare history on SQLite: one row per route, date, cabin and second (`INSERT OR REPLACE`).

use crate::error::Result;
use crate::model::fare::Observation;
use crate::model::{Cabin, Money};
use crate::store::port::{FareSeen, Fares};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, params};

impl Fares for Connection {
    fn record(&self, f: &FareSeen<'_>) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO fare_observations(origin, destination, departure_date, cabin, observed_at, days_ahead, cheapest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![f.origin, f.destination, f.date.to_string(), f.cabin.as_str(), f.observed_at, f.days_ahead, f.cheapest],
        )?;
        Ok(())
    }

    fn history(
        &self,
        origin: &str,
        destination: &str,
        date: Date,
        cabin: Cabin,
    ) -> Result<Vec<Observation>> {
        let mut stmt = self.prepare(
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
}
