//! The points ledger on PostgreSQL. The balance check is the `WHERE` of the `INSERT ..
//! SELECT`, as on SQLite; but writers are not serialised here, and under READ COMMITTED two
//! spenders would each check a sum that does not count the other's uncommitted row. So a row
//! that takes points away first locks its user's row (`FOR NO KEY UPDATE`, in its own
//! statement, so that the check that follows reads with a snapshot taken after the lock):
//! spenders of one user take turns, and each sees what the one before committed. Rows that
//! add points take no lock: they can only make a check pass that was refused.
//! (The lock lasts until the unit ends: [`crate::store::Store::write`]'s transaction.)

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::model::ledger::LedgerEntry;
use crate::store::port::{Ledger, LedgerRow};
use jiff::Timestamp;

impl Ledger for PgUnit<'_> {
    fn append(&self, row: &LedgerRow<'_>) -> Result<bool> {
        if row.available_delta < 0 {
            // Keeps "never below zero, never double-spent": spenders of one user queue here.
            // FOR NO KEY UPDATE does not block the foreign-key checks (KEY SHARE) of rows
            // written meanwhile for this user (bookings, badges, ledger rows that earn).
            self.query(
                "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE",
                &[&row.user],
            )?;
        }
        let written = self
            .execute(
                "INSERT INTO points_ledger(user_id, kind, total_delta, available_delta, booking_id, note, created_at)
                 SELECT $1::TEXT, $2::TEXT, $3::BIGINT, $4::BIGINT, $5::TEXT, $6::TEXT, $7::BIGINT
                 WHERE $4::BIGINT >= 0
                    OR (SELECT coalesce(sum(available_delta), 0) FROM points_ledger WHERE user_id = $1::TEXT) + $4::BIGINT >= 0",
                &[
                    &row.user,
                    &row.kind,
                    &row.total_delta,
                    &row.available_delta,
                    &row.booking,
                    &row.note,
                    &row.at,
                ],
            )?;
        Ok(written == 1)
    }

    fn sums(&self, user: &str) -> Result<(i64, i64)> {
        let row = self.query_one(
            "SELECT coalesce(sum(total_delta), 0)::BIGINT, coalesce(sum(available_delta), 0)::BIGINT
             FROM points_ledger WHERE user_id = $1",
            &[&user],
        )?;
        Ok((get(&row, 0)?, get(&row, 1)?))
    }

    fn history(&self, user: &str) -> Result<Vec<LedgerEntry>> {
        self.query(
            "SELECT kind, total_delta, available_delta, booking_id, note, created_at FROM points_ledger
             WHERE user_id = $1 ORDER BY id",
            &[&user],
        )?
        .iter()
        .map(|r| {
            Ok(LedgerEntry {
                kind: get(r, 0)?,
                total_delta: get(r, 1)?,
                available_delta: get(r, 2)?,
                booking_id: get(r, 3)?,
                note: get(r, 4)?,
                at: Timestamp::from_second(get(r, 5)?).unwrap_or(Timestamp::UNIX_EPOCH),
            })
        })
        .collect()
    }

    fn has_first_booking_bonus(&self, user: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM points_ledger WHERE user_id = $1 AND kind = 'FIRST_BOOKING' LIMIT 1",
                &[&user],
            )?
            .is_some())
    }

    fn booking_points(&self, user: &str, booking: &str) -> Result<(i64, i64)> {
        let row = self.query_one(
            "SELECT coalesce(-sum(CASE WHEN kind IN ('REDEEMED', 'REDEMPTION_RETURNED') THEN available_delta END), 0)::BIGINT,
                    coalesce(sum(CASE WHEN kind IN ('FIRST_BOOKING', 'BOOKING_COMPLETED', 'CHALLENGE_COMPLETED', 'CLAWBACK') THEN total_delta END), 0)::BIGINT
             FROM points_ledger WHERE user_id = $1 AND booking_id = $2",
            &[&user, &booking],
        )?;
        Ok((get(&row, 0)?, get(&row, 1)?))
    }
}
