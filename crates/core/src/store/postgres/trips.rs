//! Trips on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;
use jiff::civil::Date;

impl Trips for PgUnit<'_> {
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        id: &str,
        user: &str,
        name: &str,
        starts_on: Option<Date>,
        ends_on: Option<Date>,
        budget: Option<i64>,
        currency: &str,
        at: i64,
    ) -> Result<()> {
        Err(pending("Trips::create"))
    }

    fn is_owner(&self, trip: &str, user: &str) -> Result<bool> {
        Err(pending("Trips::is_owner"))
    }

    fn add_booking(&self, trip: &str, booking: &str) -> Result<bool> {
        Err(pending("Trips::add_booking"))
    }

    fn trip_ids(&self, user: &str) -> Result<Vec<String>> {
        Err(pending("Trips::trip_ids"))
    }

    #[allow(clippy::type_complexity)]
    fn trip(
        &self,
        id: &str,
        user: &str,
    ) -> Result<Option<(String, Option<String>, Option<String>, Option<i64>, String)>> {
        Err(pending("Trips::trip"))
    }

    fn booking_ids(&self, trip: &str) -> Result<Vec<String>> {
        Err(pending("Trips::booking_ids"))
    }
}
