//! Subscriptions on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Subscriptions for PgUnit<'_> {
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        id: &str,
        url: &str,
        events: &[String],
        secret: &str,
        start: i64,
        created_by: &str,
        at: i64,
    ) -> Result<()> {
        Err(pending("Subscriptions::insert"))
    }

    fn get(&self, id: &str) -> Result<Option<Webhook>> {
        Err(pending("Subscriptions::get"))
    }

    fn list(&self) -> Result<Vec<Webhook>> {
        Err(pending("Subscriptions::list"))
    }

    fn delete(&self, id: &str) -> Result<bool> {
        Err(pending("Subscriptions::delete"))
    }

    fn due(&self, now: i64) -> Result<Vec<(String, String)>> {
        Err(pending("Subscriptions::due"))
    }

    fn lease(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Err(pending("Subscriptions::lease"))
    }

    fn renew(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Err(pending("Subscriptions::renew"))
    }

    fn settle(&self, id: &str, owner: &str, cursor: i64, outcome: &Delivered) -> Result<()> {
        Err(pending("Subscriptions::settle"))
    }
}
