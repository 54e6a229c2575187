//! Ledger on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::ledger::LedgerEntry;
use crate::store::port::*;

impl Ledger for PgUnit<'_> {
    fn append(&self, row: &LedgerRow<'_>) -> Result<bool> {
        Err(pending("Ledger::append"))
    }

    fn sums(&self, user: &str) -> Result<(i64, i64)> {
        Err(pending("Ledger::sums"))
    }

    fn history(&self, user: &str) -> Result<Vec<LedgerEntry>> {
        Err(pending("Ledger::history"))
    }

    fn has_first_booking_bonus(&self, user: &str) -> Result<bool> {
        Err(pending("Ledger::has_first_booking_bonus"))
    }

    fn booking_points(&self, user: &str, booking: &str) -> Result<(i64, i64)> {
        Err(pending("Ledger::booking_points"))
    }
}
