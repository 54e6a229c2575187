//! Referrals on PostgreSQL: the code is a column of `users` under a unique index, set by an
//! `UPDATE .. WHERE referral_code IS NULL` (a concurrent writer waits for the row's lock and
//! re-checks it); a referral is a row keyed by the referee (`ON CONFLICT DO NOTHING`),
//! settled by an `UPDATE .. WHERE status = 'pending'` (likewise re-checked after the wait).

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::{ReferralRow, Referrals};

impl Referrals for PgUnit<'_> {
    fn code(&self, user: &str) -> Result<Option<String>> {
        match self.query_opt("SELECT referral_code FROM users WHERE id = $1", &[&user])? {
            Some(r) => get(&r, 0),
            None => Ok(None),
        }
    }

    fn set_code(&self, user: &str, code: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE users SET referral_code = $2
             WHERE id = $1 AND referral_code IS NULL
               AND NOT EXISTS (SELECT 1 FROM users WHERE referral_code = $2)",
            &[&user, &code],
        )? == 1)
    }

    fn owner_of(&self, code: &str) -> Result<Option<String>> {
        self.query_opt("SELECT id FROM users WHERE referral_code = $1", &[&code])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn link(&self, referee: &str, referrer: &str, at: i64) -> Result<bool> {
        let n = self.execute(
            "INSERT INTO referrals(referee_id, referrer_id, status, created_at)
             VALUES ($1, $2, 'pending', $3) ON CONFLICT (referee_id) DO NOTHING",
            &[&referee, &referrer, &at],
        )?;
        if n == 1 {
            self.execute(
                "UPDATE users SET referred_by = $2 WHERE id = $1",
                &[&referee, &referrer],
            )?;
        }
        Ok(n == 1)
    }

    fn pending_referrer(&self, referee: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT referrer_id FROM referrals WHERE referee_id = $1 AND status = 'pending'",
            &[&referee],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn settle(&self, referee: &str, status: &str, booking: &str, at: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE referrals SET status = $2, booking_id = $3, settled_at = $4
             WHERE referee_id = $1 AND status = 'pending'",
            &[&referee, &status, &booking, &at],
        )? == 1)
    }

    fn rewarded_between(&self, referrer: &str, from: i64, to: i64) -> Result<i64> {
        get(
            &self.query_one(
                "SELECT count(*)::BIGINT FROM referrals
                 WHERE referrer_id = $1 AND status = 'rewarded' AND settled_at >= $2 AND settled_at < $3",
                &[&referrer, &from, &to],
            )?,
            0,
        )
    }

    fn referred(&self, referrer: &str) -> Result<Vec<ReferralRow>> {
        self.query(
            "SELECT referee_id, status, booking_id, created_at, settled_at FROM referrals
             WHERE referrer_id = $1 ORDER BY created_at DESC, referee_id COLLATE \"C\"",
            &[&referrer],
        )?
        .iter()
        .map(|r| {
            Ok(ReferralRow {
                referee: get(r, 0)?,
                status: get(r, 1)?,
                booking: get(r, 2)?,
                created_at: get(r, 3)?,
                settled_at: get(r, 4)?,
            })
        })
        .collect()
    }

    fn shares_card(&self, referrer: &str, booking: &str) -> Result<bool> {
        get(
            &self.query_one(
                "SELECT EXISTS (
                     SELECT 1 FROM payments theirs
                     JOIN payments mine ON mine.card_brand = theirs.card_brand
                                       AND mine.card_last4 = theirs.card_last4
                     JOIN bookings b ON b.id = mine.booking_id
                     WHERE theirs.booking_id = $2 AND theirs.status = 'succeeded'
                       AND theirs.card_last4 IS NOT NULL
                       AND mine.status = 'succeeded' AND b.user_id = $1)",
                &[&referrer, &booking],
            )?,
            0,
        )
    }
}
