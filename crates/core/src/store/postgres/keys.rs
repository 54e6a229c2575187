//! Keys on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Keys for PgUnit<'_> {
    fn claim(&self, k: &KeyRef<'_>, hash: &str, booking: Option<&str>, at: i64) -> Result<bool> {
        Err(pending("Keys::claim"))
    }

    fn record(&self, k: &KeyRef<'_>) -> Result<Option<KeyRecord>> {
        Err(pending("Keys::record"))
    }

    fn take_over(
        &self,
        k: &KeyRef<'_>,
        seen: &KeyRecord,
        hash: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        Err(pending("Keys::take_over"))
    }

    fn tie(&self, k: &KeyRef<'_>, taken_at: i64, booking: &str) -> Result<bool> {
        Err(pending("Keys::tie"))
    }

    fn answer(&self, k: &KeyRef<'_>, taken_at: i64, response: &str) -> Result<bool> {
        Err(pending("Keys::answer"))
    }

    fn free(&self, k: &KeyRef<'_>, taken_at: i64) -> Result<bool> {
        Err(pending("Keys::free"))
    }
}
