//! A traveller's trips: named groups of their bookings, with dates and a budget, read for the
//! trips view.

use crate::error::Result;
use jiff::civil::Date;

/// Promise: a booking is in a trip at most once, whatever the number of writers ((trip,
/// booking) is the primary key and adding is an `INSERT OR IGNORE`); a trip is read only
/// with its owner, so another traveller's trip reads as none.
pub trait Trips {
    /// A new trip `id` of `user`.
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        id: &str,
        user: &str,
        name: &str,
        starts_on: Option<Date>,
        ends_on: Option<Date>,
        budget: Option<i64>,
        currency: &str,
        at: i64,
    ) -> Result<()>;
    /// Whether `trip` exists and is `user`'s.
    fn is_owner(&self, trip: &str, user: &str) -> Result<bool>;
    /// Puts `booking` in `trip`; `false` (nothing written) when it already was.
    fn add_booking(&self, trip: &str, booking: &str) -> Result<bool>;
    /// The user's trips, by start date (undated last), then oldest first.
    fn trip_ids(&self, user: &str) -> Result<Vec<String>>;
    /// Trip `id` as stored, if it is `user`'s: (name, starts on, ends on, budget, currency).
    /// Dates are as stored (`YYYY-MM-DD`), when the traveller gave them; the budget is in
    /// minor units of the currency, which is also what the trip's spending is counted in.
    #[allow(clippy::type_complexity)]
    fn trip(
        &self,
        id: &str,
        user: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>, Option<i64>, String)>>;
    /// The bookings in `trip`.
    fn booking_ids(&self, trip: &str) -> Result<Vec<String>>;
}
