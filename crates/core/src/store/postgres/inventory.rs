//! Inventory on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Inventory for PgUnit<'_> {
    fn take(&self, booking: &str, needs: &[Need]) -> Result<()> {
        Err(pending("Inventory::take"))
    }

    fn release(&self, booking: &str, seats_only: bool) -> Result<()> {
        Err(pending("Inventory::release"))
    }
}
