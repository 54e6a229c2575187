//! Reports on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Reports for PgUnit<'_> {
    fn user_count(&self) -> Result<i64> {
        Err(pending("Reports::user_count"))
    }

    fn bookings_since(&self, since: i64) -> Result<(i64, i64)> {
        Err(pending("Reports::bookings_since"))
    }

    fn bookings_by_day(&self, since: i64) -> Result<Vec<DayFigures>> {
        Err(pending("Reports::bookings_by_day"))
    }

    fn live_flights_since(&self, since: i64) -> Result<Vec<String>> {
        Err(pending("Reports::live_flights_since"))
    }

    fn events_by_type(&self, since: i64) -> Result<Vec<(String, i64)>> {
        Err(pending("Reports::events_by_type"))
    }

    fn all_bookings(&self, status: Option<&str>) -> Result<Vec<(String, String)>> {
        Err(pending("Reports::all_bookings"))
    }

    fn bookings_by_status(&self) -> Result<Vec<(String, i64)>> {
        Err(pending("Reports::bookings_by_status"))
    }

    fn answers(&self) -> Result<()> {
        Err(pending("Reports::answers"))
    }
}
