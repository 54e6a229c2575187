//! Housekeeping: unpaid bookings lapse and release what they held, finished trips complete.

use super::*;

impl Desk {
    /// Housekeeping before reads and writes: lapse PENDING bookings whose hold expired, and
    /// complete CONFIRMED bookings whose trip has ended.
    pub fn sweep(&self) -> Result<()> {
        let now = self.now();
        let nows = now.as_second();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
        let mut conn = self.store().conn()?;
        // Two index range scans (status, created_at) rather than one scan of every booking.
        let mut lapsed: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'PENDING' AND created_at < ?1",
            )?
            .query_map([nows - PENDING_HOLD_SECONDS], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let interrupted: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings b WHERE status = 'PAYMENT_PROCESSING' AND updated_at < ?1
                 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
                 AND (updated_at < ?2 OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'requires_action'))",
            )?
            // A charge cut short lapses after the hold; one waiting for the cardholder's
            // confirmation (3-D Secure) gets a day.
            .query_map([nows - PENDING_HOLD_SECONDS, nows - ACTION_HOLD_SECONDS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        lapsed.extend(interrupted);
        // A held supplier order is released at its supplier's deadline, which may come first.
        let released: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT b.id, b.user_id FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
                 WHERE s.held = 1 AND s.status = 'confirmed' AND s.payment_required_by < ?1 AND b.status = 'PENDING' AND b.created_at >= ?2",
            )?
            .query_map([nows, nows - PENDING_HOLD_SECONDS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        lapsed.extend(released);
        let ended: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'CONFIRMED' AND ends_on < ?1",
            )?
            .query_map([&today], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if lapsed.is_empty() && ended.is_empty() {
            return Ok(());
        }
        let _writer = self.store().write_lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, user) in lapsed {
            // Another process may have moved it meanwhile: transition refuses stale moves.
            match self.cancel_in(&tx, &user, &id, "not paid in time", nows) {
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for (id, user) in ended {
            if state::transition(&tx, &id, BookingStatus::Completed, "trip ended", nows).is_ok() {
                points::on_completed(&tx, &user, &id, nows)?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
