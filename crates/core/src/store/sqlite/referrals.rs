//! Referrals on SQLite: the code is a column of `users` under a unique index, set by an
//! `UPDATE .. WHERE referral_code IS NULL`; a referral is a row keyed by the referee, settled
//! by an `UPDATE .. WHERE status = 'pending'`.

use crate::error::Result;
use crate::store::port::{ReferralRow, Referrals};
use rusqlite::{Connection, OptionalExtension, params};

impl Referrals for Connection {
    fn code(&self, user: &str) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT referral_code FROM users WHERE id = ?1",
                [user],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    fn set_code(&self, user: &str, code: &str) -> Result<bool> {
        // A code another account holds is left alone (the rule draws another): the unique
        // index is the last word, the NOT EXISTS keeps the common case from being an error.
        Ok(self.execute(
            "UPDATE users SET referral_code = ?2
             WHERE id = ?1 AND referral_code IS NULL
               AND NOT EXISTS (SELECT 1 FROM users WHERE referral_code = ?2)",
            params![user, code],
        )? == 1)
    }

    fn owner_of(&self, code: &str) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT id FROM users WHERE referral_code = ?1",
                [code],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn link(&self, referee: &str, referrer: &str, at: i64) -> Result<bool> {
        let n = self.execute(
            "INSERT INTO referrals(referee_id, referrer_id, status, created_at)
             VALUES (?1, ?2, 'pending', ?3) ON CONFLICT(referee_id) DO NOTHING",
            params![referee, referrer, at],
        )?;
        if n == 1 {
            self.execute(
                "UPDATE users SET referred_by = ?2 WHERE id = ?1",
                params![referee, referrer],
            )?;
        }
        Ok(n == 1)
    }

    fn pending_referrer(&self, referee: &str) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT referrer_id FROM referrals WHERE referee_id = ?1 AND status = 'pending'",
                [referee],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn settle(&self, referee: &str, status: &str, booking: &str, at: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE referrals SET status = ?2, booking_id = ?3, settled_at = ?4
             WHERE referee_id = ?1 AND status = 'pending'",
            params![referee, status, booking, at],
        )? == 1)
    }

    fn rewarded_between(&self, referrer: &str, from: i64, to: i64) -> Result<i64> {
        Ok(self.query_row(
            "SELECT count(*) FROM referrals
             WHERE referrer_id = ?1 AND status = 'rewarded' AND settled_at >= ?2 AND settled_at < ?3",
            params![referrer, from, to],
            |r| r.get(0),
        )?)
    }

    fn referred(&self, referrer: &str) -> Result<Vec<ReferralRow>> {
        let mut stmt = self.prepare(
            "SELECT referee_id, status, booking_id, created_at, settled_at FROM referrals
             WHERE referrer_id = ?1 ORDER BY created_at DESC, referee_id",
        )?;
        let rows = stmt.query_map([referrer], |r| {
            Ok(ReferralRow {
                referee: r.get(0)?,
                status: r.get(1)?,
                booking: r.get(2)?,
                created_at: r.get(3)?,
                settled_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn shares_card(&self, referrer: &str, booking: &str) -> Result<bool> {
        Ok(self.query_row(
            "SELECT EXISTS (
                 SELECT 1 FROM payments theirs
                 JOIN payments mine ON mine.card_brand = theirs.card_brand
                                   AND mine.card_last4 = theirs.card_last4
                 JOIN bookings b ON b.id = mine.booking_id
                 WHERE theirs.booking_id = ?2 AND theirs.status = 'succeeded'
                   AND theirs.card_last4 IS NOT NULL
                   AND mine.status = 'succeeded' AND b.user_id = ?1)",
            params![referrer, booking],
            |r| r.get(0),
        )?)
    }
}
