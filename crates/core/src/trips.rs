//! Trips group bookings under a name, dates and a budget, with a day-by-day timeline and the
//! amount spent against the budget.

use crate::booking::{Booking, BookingStatus, desk};
use crate::error::{Error, Result};
use crate::model::{Currency, FxTable, Money};
use crate::store::Unit;
use jiff::civil::Date;
// Reading a trip's bookings goes through `desk::load`, which still takes a connection.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrip {
    pub name: String,
    #[serde(default)]
    pub starts_on: Option<Date>,
    #[serde(default)]
    pub ends_on: Option<Date>,
    #[serde(default)]
    pub budget: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimelineEntry {
    pub date: Date,
    pub booking_id: String,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trip {
    pub id: String,
    pub name: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub budget: Option<Money>,
    /// What the trip's bookings cost, in the trip's currency: a live booking its total, a
    /// cancelled one what was paid for it and not given back.
    pub spent: Money,
    /// Budget left (negative when over).
    pub remaining: Option<Money>,
    pub bookings: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
}

pub fn create(unit: &dyn Unit, user: &str, t: &NewTrip, fx: &FxTable, now: i64) -> Result<String> {
    let name = t.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid("a trip name is 1 to 80 characters"));
    }
    if let (Some(a), Some(b)) = (t.starts_on, t.ends_on)
        && b < a
    {
        return Err(Error::invalid(format!(
            "the trip ends ({b}) before it starts ({a})"
        )));
    }
    if let Some(budget) = t.budget {
        if budget.minor <= 0 {
            return Err(Error::invalid("a budget must be positive"));
        }
        // Bookings in other currencies are counted against it converted.
        fx.supports(budget.currency)?;
    }
    if unit.users().role(user)?.is_none() {
        return Err(Error::AuthRequired(
            "this account no longer exists: sign in with an existing account".into(),
        ));
    }
    let id = crate::ids::new("trp");
    let currency = t.budget.map_or(Currency::EUR, |b| b.currency);
    unit.trips().create(
        &id,
        user,
        name,
        t.starts_on,
        t.ends_on,
        t.budget.map(|b| b.minor),
        currency.as_str(),
        now,
    )?;
    Ok(id)
}

pub fn add(unit: &dyn Unit, user: &str, trip: &str, booking: &str) -> Result<()> {
    let b = desk::load(unit, user, booking)?;
    if !unit.trips().is_owner(trip, user)? {
        return Err(Error::NotFound(format!("no trip {trip}")));
    }
    unit.trips().add_booking(trip, &b.id)?;
    Ok(())
}

pub fn list(unit: &dyn Unit, user: &str, fx: &FxTable) -> Result<Vec<Trip>> {
    let ids = unit.trips().trip_ids(user)?;
    ids.iter()
        .map(|id| get(unit, user, id, fx).map(|(t, _)| t))
        .collect()
}

/// A trip with its bookings.
pub fn get(unit: &dyn Unit, user: &str, id: &str, fx: &FxTable) -> Result<(Trip, Vec<Booking>)> {
    let row = unit.trips().trip(id, user)?;
    let (name, starts, ends, budget, currency) =
        row.ok_or_else(|| Error::NotFound(format!("no trip {id}")))?;
    let currency = Currency::parse(&currency)?;
    let ids = unit.trips().booking_ids(id)?;
    let bookings: Vec<Booking> = ids
        .iter()
        .map(|b| desk::load(unit, user, b))
        .collect::<Result<_>>()?;
    let live =
        |b: &&Booking| !matches!(b.status, BookingStatus::Cancelled | BookingStatus::Refunded);
    let mut spent = 0;
    for b in &bookings {
        let cost = if live(&b) {
            b.total
        } else {
            Money::new((b.paid().minor - b.refunded.minor).max(0), b.total.currency)
        };
        spent += fx.convert(cost, currency)?.minor;
    }
    let mut timeline = Vec::new();
    for b in bookings.iter().filter(live) {
        for item in &b.items {
            let date = item.starts_on();
            timeline.push(TimelineEntry {
                date,
                booking_id: b.id.clone(),
                kind: item.kind.clone(),
                text: item.description.clone(),
            });
        }
    }
    timeline.sort_by(|a, b| (a.date, &a.text).cmp(&(b.date, &b.text)));
    let parse = |d: Option<String>| d.and_then(|d| d.parse().ok());
    let starts_on =
        parse(starts).or_else(|| bookings.iter().filter(live).map(|b| b.starts_on).min());
    let ends_on = parse(ends).or_else(|| bookings.iter().filter(live).map(|b| b.ends_on).max());
    let budget = budget.map(|b| Money::new(b, currency));
    Ok((
        Trip {
            id: id.to_string(),
            name,
            starts_on,
            ends_on,
            budget,
            spent: Money::new(spent, currency),
            remaining: budget.map(|b| Money::new(b.minor - spent, currency)),
            bookings: bookings.iter().map(|b| b.id.clone()).collect(),
            timeline,
        },
        bookings,
    ))
}
