//! The admin dashboard: bookings, revenue and conversion by day, and the top routes, all read
//! from the store (bookings and the events outbox).

use crate::error::Result;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Day {
    pub date: String,
    /// Bookings created that day.
    pub created: i64,
    /// Of those, confirmed or completed.
    pub confirmed: i64,
    pub cancelled: i64,
    /// Confirmed revenue per currency, as decimal strings.
    pub revenue: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteCount {
    pub route: String,
    pub bookings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dashboard {
    pub users: i64,
    pub bookings: i64,
    /// Confirmed or completed over all created, 0-1.
    pub conversion: f64,
    pub days: Vec<Day>,
    pub top_routes: Vec<RouteCount>,
    pub events: BTreeMap<String, i64>,
}

pub fn dashboard(conn: &Connection, since: i64) -> Result<Dashboard> {
    let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
    let live = "status IN ('CONFIRMED', 'COMPLETED')";
    let (bookings, confirmed): (i64, i64) = conn.query_row(
        &format!("SELECT count(*), coalesce(sum(CASE WHEN {live} THEN 1 ELSE 0 END), 0) FROM bookings WHERE created_at >= ?1"),
        [since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut days: BTreeMap<String, Day> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT date(created_at, 'unixepoch') AS d, currency, count(*),
                sum(CASE WHEN {live} THEN 1 ELSE 0 END),
                sum(CASE WHEN status IN ('CANCELLED', 'REFUNDED') THEN 1 ELSE 0 END),
                sum(CASE WHEN {live} THEN total ELSE 0 END)
         FROM bookings WHERE created_at >= ?1 GROUP BY d, currency ORDER BY d"
    ))?;
    let rows = stmt.query_map(params![since], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (date, currency, created, conf, cancelled, revenue) = row?;
        let day = days.entry(date.clone()).or_insert(Day {
            date,
            created: 0,
            confirmed: 0,
            cancelled: 0,
            revenue: BTreeMap::new(),
        });
        day.created += created;
        day.confirmed += conf;
        day.cancelled += cancelled;
        let c = crate::model::Currency::parse(&currency)?;
        day.revenue
            .insert(currency, crate::model::Money::new(revenue, c).decimal());
    }
    let mut top: BTreeMap<String, i64> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT i.payload FROM booking_items i JOIN bookings b ON b.id = i.booking_id
         WHERE i.kind = 'flight' AND b.{live} AND b.created_at >= ?1"
    ))?;
    for payload in stmt.query_map([since], |r| r.get::<_, String>(0))? {
        let v: serde_json::Value = serde_json::from_str(&payload?)?;
        if let (Some(o), Some(d)) = (
            v["slices"][0]["origin"].as_str(),
            v["slices"][0]["destination"].as_str(),
        ) {
            *top.entry(format!("{o}-{d}")).or_default() += 1;
        }
    }
    let mut top_routes: Vec<RouteCount> = top
        .into_iter()
        .map(|(route, bookings)| RouteCount { route, bookings })
        .collect();
    top_routes.sort_by(|a, b| b.bookings.cmp(&a.bookings).then(a.route.cmp(&b.route)));
    top_routes.truncate(10);
    let mut events = BTreeMap::new();
    let mut stmt =
        conn.prepare("SELECT type, count(*) FROM events WHERE created_at >= ?1 GROUP BY type")?;
    for row in stmt.query_map([since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (k, n) = row?;
        events.insert(k, n);
    }
    Ok(Dashboard {
        users,
        bookings,
        conversion: if bookings == 0 {
            0.0
        } else {
            confirmed as f64 / bookings as f64
        },
        days: days.into_values().collect(),
        top_routes,
        events,
    })
}
