//! Limits on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Limits for PgUnit<'_> {
    fn count(&self, key: &str, now: i64, window: i64) -> Result<(i64, i64)> {
        Err(pending("Limits::count"))
    }

    fn forget(&self, key: &str) -> Result<()> {
        Err(pending("Limits::forget"))
    }

    fn give_back(&self, key: &str) -> Result<()> {
        Err(pending("Limits::give_back"))
    }
}
