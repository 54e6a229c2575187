//! Outbox on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Outbox for PgUnit<'_> {
    fn append(&self, event: &NewEvent<'_>) -> Result<()> {
        Err(pending("Outbox::append"))
    }

    fn since(&self, after_seq: i64, user: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        Err(pending("Outbox::since"))
    }

    fn last_seq(&self) -> Result<i64> {
        Err(pending("Outbox::last_seq"))
    }
}
