//! Figures over many rows for analytics and the admin's view.

use crate::error::Result;

/// One day's bookings in one currency, as counted by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFigures {
    /// `YYYY-MM-DD` (UTC) of the bookings' creation.
    pub date: String,
    pub currency: String,
    pub created: i64,
    /// Confirmed or completed.
    pub confirmed: i64,
    /// Cancelled or refunded.
    pub cancelled: i64,
    /// The total of the confirmed or completed ones, in minor units.
    pub revenue: i64,
}

/// Promise: none beyond each figure being read by one statement. Figures are read without a
/// transaction, so two figures of one report may see different moments.
pub trait Reports {
    /// How many accounts there are (travellers with or without a password).
    fn user_count(&self) -> Result<i64>;
    /// Bookings created since `since`: (all, confirmed or completed).
    fn bookings_since(&self, since: i64) -> Result<(i64, i64)>;
    /// Bookings created since `since`, by day and currency, oldest day first.
    fn bookings_by_day(&self, since: i64) -> Result<Vec<DayFigures>>;
    /// The stored offers (JSON) of the flights of confirmed or completed bookings created
    /// since `since`.
    fn live_flights_since(&self, since: i64) -> Result<Vec<String>>;
    /// Events appended since `since`, counted by type.
    fn events_by_type(&self, since: i64) -> Result<Vec<(String, i64)>>;
    /// Every booking (its owner, its id), of one status when given (by name), by start date.
    fn all_bookings(&self, status: Option<&str>) -> Result<Vec<(String, String)>>;
    /// How many bookings are in each status (by name), statuses in name order.
    fn bookings_by_status(&self) -> Result<Vec<(String, i64)>>;
    /// The database answers a trivial query.
    fn answers(&self) -> Result<()>;
}
