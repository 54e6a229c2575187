//! The admin dashboard: bookings, revenue and conversion by day, and the top routes, all read
//! from the store (bookings and the events outbox).

use crate::error::Result;
use crate::store::Unit;
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

pub fn dashboard(unit: &dyn Unit, since: i64) -> Result<Dashboard> {
    let figures = unit.reports();
    let users = figures.user_count()?;
    let (bookings, confirmed) = figures.bookings_since(since)?;
    let mut days: BTreeMap<String, Day> = BTreeMap::new();
    for row in figures.bookings_by_day(since)? {
        let day = days.entry(row.date.clone()).or_insert(Day {
            date: row.date,
            created: 0,
            confirmed: 0,
            cancelled: 0,
            revenue: BTreeMap::new(),
        });
        day.created += row.created;
        day.confirmed += row.confirmed;
        day.cancelled += row.cancelled;
        let c = crate::model::Currency::parse(&row.currency)?;
        day.revenue.insert(
            row.currency,
            crate::model::Money::new(row.revenue, c).decimal(),
        );
    }
    let mut top: BTreeMap<String, i64> = BTreeMap::new();
    for payload in figures.live_flights_since(since)? {
        let v: serde_json::Value = serde_json::from_str(&payload)?;
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
    let events: BTreeMap<String, i64> = figures.events_by_type(since)?.into_iter().collect();
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
