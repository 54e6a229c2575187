//! The points ledger on SQLite: the balance check is the `WHERE` of the `INSERT .. SELECT`.

use crate::error::Result;
use crate::store::port::{Ledger, LedgerRow};
use rusqlite::{Connection, params};

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
}
