//! Fares on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::Cabin;
use crate::model::fare::Observation;
use crate::store::port::*;
use jiff::civil::Date;

impl Fares for PgUnit<'_> {
    fn record(&self, fare: &FareSeen<'_>) -> Result<()> {
        Err(pending("Fares::record"))
    }

    fn history(
        &self,
        origin: &str,
        destination: &str,
        date: Date,
        cabin: Cabin,
    ) -> Result<Vec<Observation>> {
        Err(pending("Fares::history"))
    }
}
