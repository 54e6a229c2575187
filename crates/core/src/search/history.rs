//! Fares over time: every one-way flight search records the cheapest fare it saw, and price
//! predictions read the record of a route and date.

use crate::error::Result;
pub use crate::model::fare::Observation;
use crate::model::{Cabin, Currency, FxTable, Money};
use crate::store::Unit;
use crate::store::port::FareSeen;
use jiff::Timestamp;
use jiff::civil::Date;

/// Records the cheapest fare per traveller a search saw (converted to EUR).
#[allow(clippy::too_many_arguments)]
pub fn observe(
    unit: &dyn Unit,
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
    unit.fares().record(&FareSeen {
        origin,
        destination,
        date,
        cabin,
        observed_at: now.as_second(),
        days_ahead: ahead,
        cheapest: per,
    })
}

/// What searches saw for a route, date and cabin, oldest first.
pub fn history(
    unit: &dyn Unit,
    origin: &str,
    destination: &str,
    date: Date,
    cabin: Cabin,
) -> Result<Vec<Observation>> {
    unit.fares().history(origin, destination, date, cabin)
}
