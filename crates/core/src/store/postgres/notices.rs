//! Notifications on PostgreSQL: the same conditional updates as SQLite's. A second notifier or
//! courier waits for the first one's row lock, re-checks the lease on the committed row and
//! changes nothing.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::notices::stamp;
use crate::store::port::*;
use tokio_postgres::Row;

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Notices for PgUnit<'_> {
    fn recipient(&self, user: &str) -> Result<Option<Recipient>> {
        self.query_opt(
            "SELECT email, locale, time_zone FROM users WHERE id = $1",
            &[&user],
        )?
        .map(|r| {
            Ok(Recipient {
                email: get(&r, 0)?,
                locale: get(&r, 1)?,
                time_zone: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn set_locale(&self, user: &str, locale: &str, time_zone: &str) -> Result<()> {
        self.execute(
            "UPDATE users SET locale = $2, time_zone = $3 WHERE id = $1",
            &[&user, &locale, &time_zone],
        )?;
        Ok(())
    }

    fn cursor(&self) -> Result<i64> {
        get(
            &self.query_one("SELECT cursor FROM notifier WHERE id = 1", &[])?,
            0,
        )
    }

    fn lease_cursor(&self, owner: &str, at: i64, until: i64) -> Result<Option<i64>> {
        self.query_opt(
            "UPDATE notifier SET lease_owner = $1, lease_until = $2
             WHERE id = 1 AND (lease_until <= $3 OR lease_owner = $1) RETURNING cursor",
            &[&owner, &until, &at],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn settle_cursor(&self, owner: &str, cursor: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE notifier SET cursor = $2, lease_until = 0 WHERE id = 1 AND lease_owner = $1",
            &[&owner, &cursor],
        )? == 1)
    }

    fn add(&self, n: &NewNotice<'_>) -> Result<bool> {
        let added = self.execute(
            "INSERT INTO notices (id, user_id, kind, dedupe, subject, body, in_app, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (dedupe, user_id, kind) DO NOTHING",
            &[
                &n.id, &n.user, &n.kind, &n.dedupe, &n.subject, &n.body, &n.in_app, &n.at,
            ],
        )? == 1;
        if let (true, Some(m)) = (added, &n.mail) {
            self.execute(
                "INSERT INTO notice_mail (notice_id, to_addr, locale, html, booking_id, status, next_attempt_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)",
                &[&n.id, &m.to, &m.locale, &m.html, &m.booking, &n.at],
            )?;
        }
        Ok(added)
    }

    fn inbox(&self, user: &str, unread_only: bool, limit: usize) -> Result<Vec<Notice>> {
        self.query(
            "SELECT id, kind, subject, body, created_at, read_at FROM notices
             WHERE user_id = $1 AND in_app AND (NOT $2 OR read_at IS NULL)
             ORDER BY created_at DESC, id DESC LIMIT $3",
            &[&user, &unread_only, &(limit as i64)],
        )?
        .iter()
        .map(|r: &Row| {
            Ok(Notice {
                id: get(r, 0)?,
                kind: get(r, 1)?,
                subject: get(r, 2)?,
                body: get(r, 3)?,
                created_at: stamp(get(r, 4)?),
                read_at: get::<Option<i64>>(r, 5)?.map(stamp),
            })
        })
        .collect()
    }

    fn unread(&self, user: &str) -> Result<i64> {
        get(
            &self.query_one(
                "SELECT COUNT(*) FROM notices WHERE user_id = $1 AND in_app AND read_at IS NULL",
                &[&user],
            )?,
            0,
        )
    }

    fn mark_read(&self, user: &str, id: Option<&str>, at: i64) -> Result<usize> {
        Ok(self.execute(
            "UPDATE notices SET read_at = $3
             WHERE user_id = $1 AND in_app AND read_at IS NULL AND ($2::TEXT IS NULL OR id = $2)",
            &[&user, &id, &at],
        )? as usize)
    }

    fn has(&self, user: &str, id: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM notices WHERE user_id = $1 AND id = $2 AND in_app",
                &[&user, &id],
            )?
            .is_some())
    }

    fn preferences(&self, user: &str) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT kind, channel FROM notice_prefs WHERE user_id = $1",
            &[&user],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn set_preference(&self, user: &str, kind: &str, channel: &str) -> Result<()> {
        self.execute(
            "INSERT INTO notice_prefs (user_id, kind, channel) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel",
            &[&user, &kind, &channel],
        )?;
        Ok(())
    }

    fn due_mail(&self, now: i64, limit: usize) -> Result<Vec<String>> {
        self.query(
            "SELECT notice_id FROM notice_mail
             WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
             ORDER BY next_attempt_at, notice_id LIMIT $2",
            &[&now, &(limit as i64)],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn lease_mail(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<Option<Mail>> {
        let taken = self.execute(
            "UPDATE notice_mail SET lease_owner = $2, lease_until = $3
             WHERE notice_id = $1 AND status = 'pending' AND (lease_until <= $4 OR lease_owner = $2)",
            &[&id, &owner, &until, &at],
        )? == 1;
        if !taken {
            return Ok(None);
        }
        self.query_opt(
            "SELECT n.id, n.user_id, n.kind, m.to_addr, m.locale, n.subject, n.body, m.html, m.booking_id, m.attempts, n.created_at
             FROM notice_mail m JOIN notices n ON n.id = m.notice_id WHERE m.notice_id = $1",
            &[&id],
        )?
        .map(|r| {
            Ok(Mail {
                id: get(&r, 0)?,
                user: get(&r, 1)?,
                kind: get(&r, 2)?,
                to: get(&r, 3)?,
                locale: get(&r, 4)?,
                subject: get(&r, 5)?,
                text: get(&r, 6)?,
                html: get(&r, 7)?,
                booking: get(&r, 8)?,
                attempts: count(get(&r, 9)?),
                created_at: get(&r, 10)?,
            })
        })
        .transpose()
    }

    fn settle_mail(&self, id: &str, owner: &str, outcome: &Sent, at: i64) -> Result<bool> {
        let changed = match outcome {
            Sent::Delivered { at: sent } => self.execute(
                "UPDATE notice_mail SET status = 'sent', sent_at = $3, attempts = attempts + 1,
                 last_error = NULL, lease_until = 0, updated_at = $4
                 WHERE notice_id = $1 AND lease_owner = $2 AND status = 'pending'",
                &[&id, &owner, sent, &at],
            )?,
            Sent::Retry { why, retry_at } => self.execute(
                "UPDATE notice_mail SET attempts = attempts + 1, last_error = $3,
                 next_attempt_at = $4, lease_until = 0, updated_at = $5
                 WHERE notice_id = $1 AND lease_owner = $2 AND status = 'pending'",
                &[&id, &owner, why, retry_at, &at],
            )?,
            Sent::GaveUp { status, why } => self.execute(
                "UPDATE notice_mail SET status = $3, attempts = attempts + 1, last_error = $4,
                 lease_until = 0, updated_at = $5
                 WHERE notice_id = $1 AND lease_owner = $2 AND status = 'pending'",
                &[&id, &owner, status, why, &at],
            )?,
        };
        Ok(changed == 1)
    }

    fn failed_mail(&self, limit: usize) -> Result<Vec<FailedMail>> {
        self.query(
            "SELECT n.id, n.user_id, n.kind, m.to_addr, n.subject, m.status, m.attempts, m.last_error, m.updated_at
             FROM notice_mail m JOIN notices n ON n.id = m.notice_id
             WHERE m.status IN ('failed', 'dead') ORDER BY m.updated_at DESC, n.id LIMIT $1",
            &[&(limit as i64)],
        )?
        .iter()
        .map(|r| {
            Ok(FailedMail {
                id: get(r, 0)?,
                user_id: get(r, 1)?,
                kind: get(r, 2)?,
                to: get(r, 3)?,
                subject: get(r, 4)?,
                status: get(r, 5)?,
                attempts: count(get(r, 6)?),
                last_error: get(r, 7)?,
                updated_at: stamp(get(r, 8)?),
            })
        })
        .collect()
    }

    fn retry_mail(&self, id: &str, at: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE notice_mail SET status = 'pending', attempts = 0, next_attempt_at = $2,
             lease_until = 0, updated_at = $2
             WHERE notice_id = $1 AND status IN ('failed', 'dead')",
            &[&id, &at],
        )? == 1)
    }

    fn departing(&self, from: &str, to: &str) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT id, user_id FROM bookings
             WHERE status = 'CONFIRMED' AND starts_on BETWEEN $1 AND $2
               AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.dedupe = 'reminder:' || bookings.id)
             ORDER BY starts_on COLLATE \"C\", id",
            &[&from, &to],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }
}
