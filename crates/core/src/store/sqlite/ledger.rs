//! The points ledger on SQLite: the balance check is the `WHERE` of the `INSERT .. SELECT`.

use crate::error::Result;
use crate::model::ledger::LedgerEntry;
use crate::store::port::{Ledger, LedgerRow};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

impl Ledger for Connection {
    fn append(&self, row: &LedgerRow<'_>) -> Result<bool> {
        let written = self
            .prepare_cached(
                "INSERT INTO points_ledger(user_id, kind, total_delta, available_delta, booking_id, note, created_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                 WHERE ?4 >= 0 OR (SELECT coalesce(sum(available_delta), 0) FROM points_ledger WHERE user_id = ?1) + ?4 >= 0",
            )?
            .execute(params![
                row.user,
                row.kind,
                row.total_delta,
                row.available_delta,
                row.booking,
                row.note,
                row.at
            ])?;
        Ok(written == 1)
    }

    fn sums(&self, user: &str) -> Result<(i64, i64)> {
        Ok(self
            .prepare_cached(
                "SELECT coalesce(sum(total_delta), 0), coalesce(sum(available_delta), 0)
                 FROM points_ledger WHERE user_id = ?1",
            )?
            .query_row([user], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn history(&self, user: &str) -> Result<Vec<LedgerEntry>> {
        let mut stmt = self.prepare_cached(
            "SELECT kind, total_delta, available_delta, booking_id, note, created_at FROM points_ledger WHERE user_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([user], |r| {
            Ok(LedgerEntry {
                kind: r.get(0)?,
                total_delta: r.get(1)?,
                available_delta: r.get(2)?,
                booking_id: r.get(3)?,
                note: r.get(4)?,
                at: Timestamp::from_second(r.get(5)?).unwrap_or(Timestamp::UNIX_EPOCH),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn has_first_booking_bonus(&self, user: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "SELECT 1 FROM points_ledger WHERE user_id = ?1 AND kind = 'FIRST_BOOKING'",
            )?
            .query_row([user], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn booking_points(&self, user: &str, booking: &str) -> Result<(i64, i64)> {
        Ok(self.prepare_cached("SELECT coalesce(-sum(CASE WHEN kind IN ('REDEEMED', 'REDEMPTION_RETURNED') THEN available_delta END), 0),
                coalesce(sum(CASE WHEN kind IN ('FIRST_BOOKING', 'BOOKING_COMPLETED', 'CHALLENGE_COMPLETED', 'CLAWBACK') THEN total_delta END), 0)
         FROM points_ledger WHERE user_id = ?1 AND booking_id = ?2")?.query_row(
        params![user, booking],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
    }
}
