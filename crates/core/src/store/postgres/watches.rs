//! Watches on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::watch::{NewWatch, Watch};
use crate::store::port::*;

impl Watches for PgUnit<'_> {
    fn add(&self, id: &str, user: &str, watch: &NewWatch, now: i64) -> Result<()> {
        Err(pending("Watches::add"))
    }

    fn get(&self, user: &str, id: &str) -> Result<Option<Watch>> {
        Err(pending("Watches::get"))
    }

    fn list(&self, user: &str) -> Result<Vec<Watch>> {
        Err(pending("Watches::list"))
    }

    fn remove(&self, user: &str, id: &str) -> Result<bool> {
        Err(pending("Watches::remove"))
    }

    fn checked(&self, id: &str, price: Option<i64>, at: i64) -> Result<()> {
        Err(pending("Watches::checked"))
    }

    fn fired(&self, id: &str, price: i64) -> Result<bool> {
        Err(pending("Watches::fired"))
    }
}
