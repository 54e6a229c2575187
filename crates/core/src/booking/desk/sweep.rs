//! Housekeeping: unpaid bookings lapse and release what they held, finished trips complete.

use super::*;

impl Desk {
    /// Housekeeping before reads and writes: lapse PENDING bookings whose hold expired, and
    /// complete CONFIRMED bookings whose trip has ended.
    pub fn sweep(&self) -> Result<()> {
        let now = self.now();
        let nows = now.as_second();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
        let (lapsed, ended) = self.store().read(|u| {
            let mut lapsed = u.bookings().lapsing_pending(nows - PENDING_HOLD_SECONDS)?;
            // A charge cut short lapses after the hold; one waiting for the cardholder's
            // confirmation (3-D Secure) gets a day.
            lapsed.extend(
                u.bookings()
                    .lapsing_charges(nows - PENDING_HOLD_SECONDS, nows - ACTION_HOLD_SECONDS)?,
            );
            // A held supplier order is released at its supplier's deadline, which may come
            // first.
            lapsed.extend(
                u.bookings()
                    .lapsing_held(nows, nows - PENDING_HOLD_SECONDS)?,
            );
            Ok((lapsed, u.bookings().ending(&today)?))
        })?;
        if lapsed.is_empty() && ended.is_empty() {
            return Ok(());
        }
        self.store().write(|tx| {
            // One instance at a time does the housekeeping; another one busy with it now will
            // have done this by the time it lets go (and the next request looks again).
            if !tx.try_turn("housekeeping")? {
                return Ok(());
            }
            for (id, user) in lapsed {
                // Another process may have moved it meanwhile: transition refuses stale moves.
                match self.cancel_in(tx, &user, &id, "not paid in time", nows) {
                    Ok(_) | Err(Error::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            for (id, user) in ended {
                if state::transition(tx, &id, BookingStatus::Completed, "trip ended", nows).is_ok()
                {
                    points::on_completed(tx, &user, &id, nows)?;
                }
            }
            Ok(())
        })
    }
}
