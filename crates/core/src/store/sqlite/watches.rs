//! Price watches on SQLite: one row per watch, with what its checks last saw.

use crate::error::Result;
use crate::model::watch::{NewWatch, Watch};
use crate::model::{Cabin, Currency, Money};
use crate::store::port::Watches;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

const COLUMNS: &str = "id, origin, destination, departure_date, cabin, adults, below, last_price, currency, last_checked_at, fired_price, created_at";

impl Watches for Connection {
    fn add(&self, id: &str, user: &str, new: &NewWatch, now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO price_watches(id, user_id, origin, destination, departure_date, cabin, adults, below, currency, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT DO NOTHING",
            params![
                id,
                user,
                new.origin,
                new.destination,
                new.date.to_string(),
                new.cabin.as_str(),
                new.adults,
                new.below.minor,
                new.below.currency.as_str(),
                now
            ],
        )?;
        Ok(())
    }

    fn get(&self, user: &str, id: &str) -> Result<Option<Watch>> {
        Ok(self
            .query_row(
                &format!("SELECT {COLUMNS} FROM price_watches WHERE id = ?1 AND user_id = ?2"),
                params![id, user],
                row,
            )
            .optional()?)
    }

    fn list(&self, user: &str) -> Result<Vec<Watch>> {
        let mut stmt = self.prepare(&format!(
            "SELECT {COLUMNS} FROM price_watches WHERE user_id = ?1 ORDER BY departure_date, created_at"
        ))?;
        let rows = stmt.query_map([user], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn remove(&self, user: &str, id: &str) -> Result<bool> {
        let n = self.execute(
            "DELETE FROM price_watches WHERE id = ?1 AND user_id = ?2",
            params![id, user],
        )?;
        Ok(n > 0)
    }

    fn checked(&self, id: &str, price: Option<i64>, at: i64) -> Result<()> {
        self.execute(
            "UPDATE price_watches SET last_price = ?1, last_checked_at = ?2 WHERE id = ?3",
            params![price, at, id],
        )?;
        Ok(())
    }

    fn fired(&self, id: &str, price: i64) -> Result<bool> {
        let written = self.execute(
            "UPDATE price_watches SET fired_price = ?1
             WHERE id = ?2 AND (fired_price IS NULL OR fired_price > ?1)",
            params![price, id],
        )?;
        Ok(written == 1)
    }

    fn due(&self, from: &str, limit: usize) -> Result<Vec<(String, Watch)>> {
        let mut stmt = self.prepare(&format!(
            "SELECT {COLUMNS}, user_id FROM price_watches WHERE departure_date >= ?1
             ORDER BY coalesce(last_checked_at, 0), created_at, id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![from, limit as i64], |r| {
            Ok((r.get::<_, String>(12)?, row(r)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn take_sweep(&self, owner: &str, at: i64, until: i64) -> Result<bool> {
        // One statement: the row is made, or taken over when its lease has run out (or is
        // already ours); SQLite runs one writer at a time, so two sweepers cannot both win.
        let n = self.execute(
            "INSERT INTO leases(name, owner, until) VALUES ('watch_sweep', ?1, ?2)
             ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until
             WHERE leases.until <= ?3 OR leases.owner = excluded.owner",
            params![owner, until, at],
        )?;
        Ok(n == 1)
    }
}

fn ts(s: Option<i64>) -> Option<Timestamp> {
    s.and_then(|s| Timestamp::from_second(s).ok())
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<Watch> {
    let currency: String = r.get(8)?;
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let money = |m: Option<i64>| m.map(|m| Money::new(m, currency));
    let date: String = r.get(3)?;
    let cabin: String = r.get(4)?;
    Ok(Watch {
        id: r.get(0)?,
        origin: r.get(1)?,
        destination: r.get(2)?,
        date: date.parse().unwrap_or_default(),
        cabin: Cabin::parse(&cabin).unwrap_or(Cabin::Economy),
        adults: r.get(5)?,
        below: Money::new(r.get(6)?, currency),
        last_price: money(r.get(7)?),
        last_checked_at: ts(r.get(9)?),
        fired_price: money(r.get(10)?),
        created_at: ts(Some(r.get(11)?)).unwrap_or(Timestamp::UNIX_EPOCH),
    })
}
