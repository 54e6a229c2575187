//! Fare history on PostgreSQL: one row per route, date, cabin and second (an upsert).

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::model::fare::Observation;
use crate::model::{Cabin, Money};
use crate::store::port::{FareSeen, Fares};
use jiff::Timestamp;
use jiff::civil::Date;

impl Fares for PgUnit<'_> {
    fn record(&self, f: &FareSeen<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO fare_observations(origin, destination, departure_date, cabin, observed_at,
                 days_ahead, cheapest)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (origin, destination, departure_date, cabin, observed_at)
             DO UPDATE SET days_ahead = excluded.days_ahead, cheapest = excluded.cheapest",
            &[
                &f.origin,
                &f.destination,
                &f.date.to_string(),
                &f.cabin.as_str(),
                &f.observed_at,
                &f.days_ahead,
                &f.cheapest,
            ],
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
        self.query(
            "SELECT observed_at, days_ahead, cheapest FROM fare_observations
             WHERE origin = $1 AND destination = $2 AND departure_date = $3 AND cabin = $4
             ORDER BY observed_at",
            &[&origin, &destination, &date.to_string(), &cabin.as_str()],
        )?
        .iter()
        .map(|r| {
            Ok(Observation {
                observed_at: Timestamp::from_second(get(r, 0)?).unwrap_or(Timestamp::UNIX_EPOCH),
                days_ahead: get(r, 1)?,
                cheapest: Money::eur(get(r, 2)?),
            })
        })
        .collect()
    }
}
