//! Price watches on PostgreSQL: one row per watch, with what its checks last saw. Every call
//! is one statement; a watch fires once per price drop because `fired` is one `UPDATE ..
//! WHERE fired_price IS NULL OR fired_price > $price`: a concurrent checker waits for the
//! first one's row lock, re-checks the condition on the committed row and updates nothing.

use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::model::watch::{NewWatch, Watch};
use crate::model::{Cabin, Currency, Money};
use crate::store::port::*;
use jiff::Timestamp;
use tokio_postgres::Row;

const COLUMNS: &str = "id, origin, destination, departure_date, cabin, adults, below, last_price, currency, last_checked_at, fired_price, created_at";

impl Watches for PgUnit<'_> {
    fn add(&self, id: &str, user: &str, new: &NewWatch, now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO price_watches(id, user_id, origin, destination, departure_date, cabin, adults, below, currency, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT DO NOTHING",
            &[
                &id,
                &user,
                &new.origin,
                &new.destination,
                &new.date.to_string(),
                &new.cabin.as_str(),
                &i64::from(new.adults),
                &new.below.minor,
                &new.below.currency.as_str(),
                &now,
            ],
        )?;
        Ok(())
    }

    fn get(&self, user: &str, id: &str) -> Result<Option<Watch>> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM price_watches WHERE id = $1 AND user_id = $2"),
            &[&id, &user],
        )?
        .map(|r| row(&r))
        .transpose()
    }

    fn list(&self, user: &str) -> Result<Vec<Watch>> {
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM price_watches WHERE user_id = $1
                 ORDER BY departure_date COLLATE \"C\", created_at"
            ),
            &[&user],
        )?
        .iter()
        .map(row)
        .collect()
    }

    fn remove(&self, user: &str, id: &str) -> Result<bool> {
        Ok(self.execute(
            "DELETE FROM price_watches WHERE id = $1 AND user_id = $2",
            &[&id, &user],
        )? > 0)
    }

    fn checked(&self, id: &str, price: Option<i64>, at: i64) -> Result<()> {
        self.execute(
            "UPDATE price_watches SET last_price = $1, last_checked_at = $2 WHERE id = $3",
            &[&price, &at, &id],
        )?;
        Ok(())
    }

    fn fired(&self, id: &str, price: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE price_watches SET fired_price = $1
             WHERE id = $2 AND (fired_price IS NULL OR fired_price > $1)",
            &[&price, &id],
        )? == 1)
    }

    fn due(&self, from: &str, limit: usize) -> Result<Vec<(String, Watch)>> {
        self.query(
            &format!(
                "SELECT {COLUMNS}, user_id FROM price_watches WHERE departure_date >= $1
                 ORDER BY coalesce(last_checked_at, 0), created_at, id COLLATE \"C\" LIMIT $2"
            ),
            &[&from, &(limit as i64)],
        )?
        .iter()
        .map(|r| Ok((get::<String>(r, 12)?, row(r)?)))
        .collect()
    }

    fn take_sweep(&self, owner: &str, at: i64, until: i64) -> Result<bool> {
        // One statement: a concurrent sweeper waits for the row's lock, then re-checks the
        // WHERE on the committed row and updates nothing (or, inserting at once, meets the
        // conflict and does the same).
        Ok(self.execute(
            "INSERT INTO leases(name, owner, until) VALUES ('watch_sweep', $1, $2)
             ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until
             WHERE leases.until <= $3 OR leases.owner = excluded.owner",
            &[&owner, &until, &at],
        )? == 1)
    }
}

fn ts(s: Option<i64>) -> Option<Timestamp> {
    s.and_then(|s| Timestamp::from_second(s).ok())
}

fn row(r: &Row) -> Result<Watch> {
    let currency: String = get(r, 8)?;
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let money = |m: Option<i64>| m.map(|m| Money::new(m, currency));
    let date: String = get(r, 3)?;
    let cabin: String = get(r, 4)?;
    let adults: i64 = get(r, 5)?;
    Ok(Watch {
        id: get(r, 0)?,
        origin: get(r, 1)?,
        destination: get(r, 2)?,
        date: date.parse().unwrap_or_default(),
        cabin: Cabin::parse(&cabin).unwrap_or(Cabin::Economy),
        adults: u8::try_from(adults).map_err(|_| Error::Storage {
            message: format!("a watch's adults {adults} is out of range"),
            interrupted: false,
        })?,
        below: Money::new(get(r, 6)?, currency),
        last_price: money(get(r, 7)?),
        last_checked_at: ts(get(r, 9)?),
        fired_price: money(get(r, 10)?),
        created_at: ts(Some(get(r, 11)?)).unwrap_or(Timestamp::UNIX_EPOCH),
    })
}
