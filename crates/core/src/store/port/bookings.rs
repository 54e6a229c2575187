//! Bookings' status and their audit trail, in the form they are stored (statuses by name).

use crate::error::Result;

/// Promise: a booking leaves a status once, whatever the number of writers: a move is
/// conditional on the status it was read in, and its audit row is written with it.
pub trait Bookings {
    /// A booking's status and owner, as stored; `None` when there is no such booking.
    fn status(&self, booking: &str) -> Result<Option<(String, String)>>;
    /// Moves `booking` from `from` to `to` and writes the audit row, if it is still `from`;
    /// `false` (nothing written) when another writer moved it first.
    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool>;
    /// Writes the audit row of a new booking (PENDING, "created").
    fn audit_created(&self, booking: &str, at: i64) -> Result<()>;
}
