//! Notifications on SQLite. The notifier's cursor and each e-mail carry a lease (`lease_owner`,
//! `lease_until`) taken, renewed and settled by conditional updates, as webhooks do.

use crate::error::Result;
use crate::store::port::notices::stamp;
use crate::store::port::{FailedMail, Mail, NewNotice, Notice, Notices, Recipient, Sent};
use rusqlite::{Connection, OptionalExtension, params};

impl Notices for Connection {
    fn recipient(&self, user: &str) -> Result<Option<Recipient>> {
        Ok(self
            .query_row(
                "SELECT email, locale, time_zone FROM users WHERE id = ?1",
                [user],
                |r| {
                    Ok(Recipient {
                        email: r.get(0)?,
                        locale: r.get(1)?,
                        time_zone: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn set_locale(&self, user: &str, locale: &str, time_zone: &str) -> Result<()> {
        self.execute(
            "UPDATE users SET locale = ?2, time_zone = ?3 WHERE id = ?1",
            params![user, locale, time_zone],
        )?;
        Ok(())
    }

    fn cursor(&self) -> Result<i64> {
        Ok(self.query_row("SELECT cursor FROM notifier WHERE id = 1", [], |r| r.get(0))?)
    }

    fn lease_cursor(&self, owner: &str, at: i64, until: i64) -> Result<Option<i64>> {
        let taken = self.execute(
            "UPDATE notifier SET lease_owner = ?1, lease_until = ?2
             WHERE id = 1 AND (lease_until <= ?3 OR lease_owner = ?1)",
            params![owner, until, at],
        )? == 1;
        if !taken {
            return Ok(None);
        }
        Ok(Some(self.query_row(
            "SELECT cursor FROM notifier WHERE id = 1",
            [],
            |r| r.get(0),
        )?))
    }

    fn settle_cursor(&self, owner: &str, cursor: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE notifier SET cursor = ?2, lease_until = 0 WHERE id = 1 AND lease_owner = ?1",
            params![owner, cursor],
        )? == 1)
    }

    fn add(&self, n: &NewNotice<'_>) -> Result<bool> {
        let added = self.execute(
            "INSERT INTO notices (id, user_id, kind, dedupe, subject, body, in_app, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (dedupe, user_id, kind) DO NOTHING",
            params![
                n.id, n.user, n.kind, n.dedupe, n.subject, n.body, n.in_app, n.at
            ],
        )? == 1;
        if let (true, Some(m)) = (added, &n.mail) {
            self.execute(
                "INSERT INTO notice_mail (notice_id, to_addr, locale, html, booking_id, status, next_attempt_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
                params![n.id, m.to, m.locale, m.html, m.booking, n.at],
            )?;
        }
        Ok(added)
    }

    fn inbox(&self, user: &str, unread_only: bool, limit: usize) -> Result<Vec<Notice>> {
        let mut stmt = self.prepare_cached(
            "SELECT id, kind, subject, body, created_at, read_at FROM notices
             WHERE user_id = ?1 AND in_app AND (?2 = 0 OR read_at IS NULL)
             ORDER BY created_at DESC, rowid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![user, unread_only, limit as i64], |r| {
            Ok(Notice {
                id: r.get(0)?,
                kind: r.get(1)?,
                subject: r.get(2)?,
                body: r.get(3)?,
                created_at: stamp(r.get(4)?),
                read_at: r.get::<_, Option<i64>>(5)?.map(stamp),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn unread(&self, user: &str) -> Result<i64> {
        Ok(self.query_row(
            "SELECT COUNT(*) FROM notices WHERE user_id = ?1 AND in_app AND read_at IS NULL",
            [user],
            |r| r.get(0),
        )?)
    }

    fn mark_read(&self, user: &str, id: Option<&str>, at: i64) -> Result<usize> {
        Ok(self.execute(
            "UPDATE notices SET read_at = ?3
             WHERE user_id = ?1 AND in_app AND read_at IS NULL AND (?2 IS NULL OR id = ?2)",
            params![user, id, at],
        )?)
    }

    fn has(&self, user: &str, id: &str) -> Result<bool> {
        Ok(self
            .query_row(
                "SELECT 1 FROM notices WHERE user_id = ?1 AND id = ?2 AND in_app",
                [user, id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn preferences(&self, user: &str) -> Result<Vec<(String, String)>> {
        let mut stmt =
            self.prepare_cached("SELECT kind, channel FROM notice_prefs WHERE user_id = ?1")?;
        let rows = stmt.query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_preference(&self, user: &str, kind: &str, channel: &str) -> Result<()> {
        self.execute(
            "INSERT INTO notice_prefs (user_id, kind, channel) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel",
            params![user, kind, channel],
        )?;
        Ok(())
    }

    fn due_mail(&self, now: i64, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.prepare_cached(
            "SELECT notice_id FROM notice_mail
             WHERE status = 'pending' AND next_attempt_at <= ?1 AND lease_until <= ?1
             ORDER BY next_attempt_at, notice_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lease_mail(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<Option<Mail>> {
        let taken = self.execute(
            "UPDATE notice_mail SET lease_owner = ?2, lease_until = ?3
             WHERE notice_id = ?1 AND status = 'pending' AND (lease_until <= ?4 OR lease_owner = ?2)",
            params![id, owner, until, at],
        )? == 1;
        if !taken {
            return Ok(None);
        }
        Ok(self
            .query_row(
                "SELECT n.id, n.user_id, n.kind, m.to_addr, m.locale, n.subject, n.body, m.html, m.booking_id, m.attempts, n.created_at
                 FROM notice_mail m JOIN notices n ON n.id = m.notice_id WHERE m.notice_id = ?1",
                [id],
                |r| {
                    Ok(Mail {
                        id: r.get(0)?,
                        user: r.get(1)?,
                        kind: r.get(2)?,
                        to: r.get(3)?,
                        locale: r.get(4)?,
                        subject: r.get(5)?,
                        text: r.get(6)?,
                        html: r.get(7)?,
                        booking: r.get(8)?,
                        attempts: r.get(9)?,
                        created_at: r.get(10)?,
                    })
                },
            )
            .optional()?)
    }

    fn settle_mail(&self, id: &str, owner: &str, outcome: &Sent, at: i64) -> Result<bool> {
        let changed = match outcome {
            Sent::Delivered { at: sent } => self.execute(
                "UPDATE notice_mail SET status = 'sent', sent_at = ?3, attempts = attempts + 1,
                 last_error = NULL, lease_until = 0, updated_at = ?4
                 WHERE notice_id = ?1 AND lease_owner = ?2 AND status = 'pending'",
                params![id, owner, sent, at],
            )?,
            Sent::Retry { why, retry_at } => self.execute(
                "UPDATE notice_mail SET attempts = attempts + 1, last_error = ?3,
                 next_attempt_at = ?4, lease_until = 0, updated_at = ?5
                 WHERE notice_id = ?1 AND lease_owner = ?2 AND status = 'pending'",
                params![id, owner, why, retry_at, at],
            )?,
            Sent::GaveUp { status, why } => self.execute(
                "UPDATE notice_mail SET status = ?3, attempts = attempts + 1, last_error = ?4,
                 lease_until = 0, updated_at = ?5
                 WHERE notice_id = ?1 AND lease_owner = ?2 AND status = 'pending'",
                params![id, owner, status, why, at],
            )?,
        };
        Ok(changed == 1)
    }

    fn failed_mail(&self, limit: usize) -> Result<Vec<FailedMail>> {
        let mut stmt = self.prepare_cached(
            "SELECT n.id, n.user_id, n.kind, m.to_addr, n.subject, m.status, m.attempts, m.last_error, m.updated_at
             FROM notice_mail m JOIN notices n ON n.id = m.notice_id
             WHERE m.status IN ('failed', 'dead') ORDER BY m.updated_at DESC, n.id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(FailedMail {
                id: r.get(0)?,
                user_id: r.get(1)?,
                kind: r.get(2)?,
                to: r.get(3)?,
                subject: r.get(4)?,
                status: r.get(5)?,
                attempts: r.get(6)?,
                last_error: r.get(7)?,
                updated_at: stamp(r.get(8)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn retry_mail(&self, id: &str, at: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE notice_mail SET status = 'pending', attempts = 0, next_attempt_at = ?2,
             lease_until = 0, updated_at = ?2
             WHERE notice_id = ?1 AND status IN ('failed', 'dead')",
            params![id, at],
        )? == 1)
    }

    fn departing(&self, from: &str, to: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.prepare_cached(
            "SELECT id, user_id FROM bookings
             WHERE status = 'CONFIRMED' AND starts_on BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.dedupe = 'reminder:' || bookings.id)
             ORDER BY starts_on, id",
        )?;
        let rows = stmt.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
