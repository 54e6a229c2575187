//! Webhook subscriptions on PostgreSQL: the lease is two columns (`lease_owner`,
//! `lease_until`) taken, renewed and given back by conditional updates. Each is one `UPDATE ..
//! WHERE` the lease state it needs: a concurrent courier blocks on the row's lock, then
//! re-checks the condition on the committed row (READ COMMITTED), so of two couriers taking a
//! free lease at once one gets it and the other updates nothing.

use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::store::port::*;
use tokio_postgres::Row;

const COLUMNS: &str =
    "id, url, events, delivered_seq, failures, last_error, next_attempt_at, created_at";

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
        self.execute(
            "INSERT INTO webhooks (id, url, events, secret, delivered_seq, failures, next_attempt_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7)",
            &[&id, &url, &events.join(","), &secret, &start, &created_by, &at],
        )?;
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Webhook>> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"),
            &[&id],
        )?
        .map(|r| from_row(&r))
        .transpose()
    }

    fn list(&self) -> Result<Vec<Webhook>> {
        self.query(
            &format!("SELECT {COLUMNS} FROM webhooks ORDER BY created_at, id COLLATE \"C\""),
            &[],
        )?
        .iter()
        .map(from_row)
        .collect()
    }

    fn delete(&self, id: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM webhooks WHERE id = $1", &[&id])? == 1)
    }

    fn due(&self, now: i64) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT id, secret FROM webhooks WHERE next_attempt_at <= $1 ORDER BY id COLLATE \"C\"",
            &[&now],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn lease(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE webhooks SET lease_owner = $2, lease_until = $3
             WHERE id = $1 AND (lease_until <= $4 OR lease_owner = $2)",
            &[&id, &owner, &until, &at],
        )? == 1)
    }

    fn renew(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE webhooks SET lease_until = $3
             WHERE id = $1 AND lease_owner = $2 AND lease_until > $4",
            &[&id, &owner, &until, &at],
        )? == 1)
    }

    fn settle(&self, id: &str, owner: &str, cursor: i64, outcome: &Delivered) -> Result<()> {
        match outcome {
            Delivered::All => self.execute(
                "UPDATE webhooks SET delivered_seq = $2, failures = 0, last_error = NULL, next_attempt_at = 0, lease_until = 0
                 WHERE id = $1 AND lease_owner = $3",
                &[&id, &cursor, &owner],
            )?,
            Delivered::Failed {
                why,
                failures,
                retry_at,
            } => self.execute(
                "UPDATE webhooks SET delivered_seq = $2, failures = $3, last_error = $4, next_attempt_at = $5, lease_until = 0
                 WHERE id = $1 AND lease_owner = $6",
                &[&id, &cursor, &i64::from(*failures), why, retry_at, &owner],
            )?,
        };
        Ok(())
    }
}

fn from_row(r: &Row) -> Result<Webhook> {
    let events: String = get(r, 2)?;
    let failures: i64 = get(r, 4)?;
    Ok(Webhook {
        id: get(r, 0)?,
        url: get(r, 1)?,
        events: events.split(',').map(str::to_string).collect(),
        secret: None,
        delivered_seq: get(r, 3)?,
        failures: u32::try_from(failures).map_err(|_| Error::Storage {
            message: format!("webhook failures {failures} is out of range"),
            interrupted: false,
        })?,
        last_error: get(r, 5)?,
        next_attempt_at: get(r, 6)?,
        created_at: get(r, 7)?,
    })
}
