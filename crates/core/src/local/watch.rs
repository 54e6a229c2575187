//! Price watches: "tell me when LHR-JFK on 14 December is below 400". [`check`] searches each
//! live watch and fires when the cheapest fare is below the limit and lower than the last
//! alert (a price that stays low alerts once). Each alert is a `price_alert.triggered` event,
//! written in the same transaction as the watch's new state.

use super::LocalAgency;
use crate::Agency;
use crate::error::{Error, Result};
use crate::model::{Cabin, Currency, Money, Passengers};
use crate::search::{FlightQuery, FlightSort};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Watch {
    pub id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub cabin: Cabin,
    pub adults: u8,
    /// Alert when the cheapest total for the travellers is below this.
    pub below: Money,
    pub last_price: Option<Money>,
    pub last_checked_at: Option<Timestamp>,
    /// The price of the last alert.
    pub fired_price: Option<Money>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub watch_id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub price: Money,
    pub below: Money,
    pub offer_id: String,
}

/// What `watch add` asks for.
#[derive(Debug, Clone)]
pub struct NewWatch {
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub below: Money,
    pub adults: u8,
    pub cabin: Cabin,
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

const COLUMNS: &str = "id, origin, destination, departure_date, cabin, adults, below, last_price, currency, last_checked_at, fired_price, created_at";

/// Adds a watch after checking the places, the date and the limit.
pub fn add(agency: &LocalAgency, new: &NewWatch) -> Result<Watch> {
    let net = agency.network();
    let origin = net.places.resolve(&new.origin)?.code;
    let destination = net.places.resolve(&new.destination)?.code;
    if origin == destination {
        return Err(Error::invalid("origin and destination are the same place"));
    }
    if new.date < agency.today() {
        return Err(Error::invalid(format!(
            "{} is in the past: watch a future date",
            new.date
        )));
    }
    if new.below.minor <= 0 {
        return Err(Error::invalid("--below must be a positive amount"));
    }
    agency.fx().supports(new.below.currency)?;
    Passengers {
        adults: new.adults,
        ..Passengers::default()
    }
    .validate()?;
    let id = crate::ids::new("wch");
    let conn = agency.store().conn()?;
    conn.execute(
        "INSERT INTO price_watches(id, user_id, origin, destination, departure_date, cabin, adults, below, currency, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            agency.user(),
            origin,
            destination,
            new.date.to_string(),
            new.cabin.as_str(),
            new.adults,
            new.below.minor,
            new.below.currency.as_str(),
            agency.now().as_second()
        ],
    )?;
    get(agency, &id)
}

pub fn get(agency: &LocalAgency, id: &str) -> Result<Watch> {
    let conn = agency.store().conn()?;
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM price_watches WHERE id = ?1 AND user_id = ?2"),
        params![id, agency.user()],
        row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("no price watch {id}")))
}

pub fn list(agency: &LocalAgency) -> Result<Vec<Watch>> {
    let conn = agency.store().conn()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM price_watches WHERE user_id = ?1 ORDER BY departure_date, created_at"
    ))?;
    let rows = stmt.query_map([agency.user()], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn remove(agency: &LocalAgency, id: &str) -> Result<()> {
    let n = agency.store().conn()?.execute(
        "DELETE FROM price_watches WHERE id = ?1 AND user_id = ?2",
        params![id, agency.user()],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!("no price watch {id}")));
    }
    Ok(())
}

/// Searches every watch whose date is still ahead; returns the alerts that fired.
pub async fn check(agency: &LocalAgency) -> Result<Vec<Alert>> {
    let today = agency.today();
    let mut alerts = Vec::new();
    for w in list(agency)?.into_iter().filter(|w| w.date >= today) {
        let mut q = FlightQuery::one_way(&w.origin, &w.destination, w.date);
        q.passengers.adults = w.adults;
        q.cabin = w.cabin;
        q.sort = FlightSort::Price;
        q.limit = Some(1);
        q.currency = Some(w.below.currency);
        let found = agency.search_flights(&q).await?;
        let now = agency.now().as_second();
        let cheapest = found.offers.first();
        let price = cheapest.map(|o| o.total());
        let fires = price.is_some_and(|p| {
            p.minor < w.below.minor && w.fired_price.is_none_or(|f| p.minor < f.minor)
        });
        let mut conn = agency.store().conn()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE price_watches SET last_price = ?1, last_checked_at = ?2 WHERE id = ?3",
            params![price.map(|p| p.minor), now, w.id],
        )?;
        if fires && let (Some(p), Some(o)) = (price, cheapest) {
            tx.execute(
                "UPDATE price_watches SET fired_price = ?1 WHERE id = ?2",
                params![p.minor, w.id],
            )?;
            let alert = Alert {
                watch_id: w.id.clone(),
                origin: w.origin.clone(),
                destination: w.destination.clone(),
                date: w.date,
                price: p,
                below: w.below,
                offer_id: o.id.clone(),
            };
            crate::events::emit(
                &tx,
                "price_alert.triggered",
                &w.id,
                Some(agency.user()),
                &serde_json::to_value(&alert)?,
                now,
            )?;
            alerts.push(alert);
        }
        tx.commit()?;
    }
    Ok(alerts)
}
