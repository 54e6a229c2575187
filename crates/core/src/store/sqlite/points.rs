//! Badges, challenges and the leaderboard on SQLite: awards are `INSERT OR IGNORE` on the
//! (user, badge) and (user, challenge) primary keys; counts stop at what the rule needs.

use crate::error::Result;
use crate::store::port::{LeaderRow, Points};
use rusqlite::{Connection, OptionalExtension, params};

/// A booking counts while it is confirmed or completed.
const LIVE: &str = "status IN ('CONFIRMED', 'COMPLETED')";
/// The same, for challenges: on `bookings b`, made in `[?2, ?3)`.
const LIVE_BETWEEN: &str =
    "b.status IN ('CONFIRMED', 'COMPLETED') AND b.created_at >= ?2 AND b.created_at < ?3";

impl Points for Connection {
    fn earned_badges(&self, user: &str) -> Result<Vec<String>> {
        Ok(self
            .prepare_cached("SELECT badge FROM badges WHERE user_id = ?1")?
            .query_map([user], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn badge_awarded_at(&self, user: &str, badge: &str) -> Result<Option<i64>> {
        Ok(self
            .prepare_cached("SELECT awarded_at FROM badges WHERE user_id = ?1 AND badge = ?2")?
            .query_row(params![user, badge], |r| r.get(0))
            .optional()?)
    }

    fn award_badge(&self, user: &str, badge: &str, at: i64) -> Result<bool> {
        let written = self
            .prepare_cached(
                "INSERT OR IGNORE INTO badges(user_id, badge, awarded_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![user, badge, at])?;
        Ok(written == 1)
    }

    fn challenge_completed(&self, user: &str, challenge: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "SELECT 1 FROM challenge_completions WHERE user_id = ?1 AND challenge = ?2",
            )?
            .query_row(params![user, challenge], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn complete_challenge(&self, user: &str, challenge: &str, at: i64) -> Result<bool> {
        let written = self.prepare_cached("INSERT OR IGNORE INTO challenge_completions(user_id, challenge, completed_at) VALUES (?1, ?2, ?3)")?.execute(
                params![user, challenge, at],
            )?;
        Ok(written == 1)
    }

    fn reopen_challenge(&self, user: &str, challenge: &str) -> Result<bool> {
        let removed = self
            .prepare_cached(
                "DELETE FROM challenge_completions WHERE user_id = ?1 AND challenge = ?2",
            )?
            .execute(params![user, challenge])?;
        Ok(removed == 1)
    }

    fn asia_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        count_between(
            self,
            &format!(
                "SELECT count(*) FROM (SELECT DISTINCT b.id FROM bookings b JOIN booking_items i ON i.booking_id = b.id WHERE b.user_id = ?1 AND {LIVE_BETWEEN} AND i.continent = 'Asia' LIMIT ?4)"
            ),
            user,
            from,
            to,
            up_to,
        )
    }

    fn live_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        count_between(
            self,
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM bookings b WHERE b.user_id = ?1 AND {LIVE_BETWEEN} LIMIT ?4)"
            ),
            user,
            from,
            to,
            up_to,
        )
    }

    fn reviews_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        count_between(
            self,
            "SELECT count(*) FROM (SELECT 1 FROM reviews r WHERE r.user_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3 LIMIT ?4)",
            user,
            from,
            to,
            up_to,
        )
    }

    fn booking_saved(&self, booking: &str) -> Result<Option<bool>> {
        Ok(self
            .prepare_cached("SELECT list_total > total FROM bookings WHERE id = ?1")?
            .query_row([booking], |r| r.get::<_, bool>(0))
            .optional()?)
    }

    fn live_bookings_up_to_ten(&self, user: &str) -> Result<i64> {
        // Enough to decide "first booking" and "ten bookings": at most ten rows of the
        // (user, status) index.
        Ok(self
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM bookings WHERE user_id = ?1 AND {LIVE} LIMIT 10)"
            ))?
            .query_row([user], |r| r.get(0))?)
    }

    fn live_savings(&self, user: &str) -> Result<Vec<(String, i64, i64)>> {
        let mut stmt = self.prepare_cached(&format!(
            "SELECT currency, count(*), coalesce(sum(list_total - total), 0) FROM bookings WHERE user_id = ?1 AND {LIVE} GROUP BY currency"
        ))?;
        Ok(stmt
            .query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn review_count(&self, user: &str) -> Result<i64> {
        Ok(self
            .prepare_cached("SELECT count(*) FROM reviews WHERE user_id = ?1")?
            .query_row([user], |r| r.get(0))?)
    }

    fn booked_ninety_days_ahead(&self, booking: &str) -> Result<bool> {
        exists(
            self,
            "SELECT 1 FROM bookings WHERE id = ?1 AND julianday(starts_on) - julianday(created_at, 'unixepoch') >= 90",
            booking,
        )
    }

    fn has_fourth_traveller(&self, booking: &str) -> Result<bool> {
        exists(
            self,
            "SELECT 1 FROM booking_passengers WHERE booking_id = ?1 AND seq = 4",
            booking,
        )
    }

    fn reaches_new_continent(&self, user: &str, booking: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(&format!(
                    "SELECT 1 FROM booking_items i WHERE i.booking_id = ?1 AND i.continent != '' AND NOT EXISTS (
                             SELECT 1 FROM booking_items j JOIN bookings b ON b.id = j.booking_id
                             WHERE b.user_id = ?2 AND b.{LIVE} AND j.continent = i.continent AND j.booking_id != ?1)"
                ))?.query_row(params![booking, user],
                |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn live_continent_count(&self, user: &str) -> Result<i64> {
        Ok(self.prepare_cached(&format!("SELECT count(DISTINCT i.continent) FROM booking_items i JOIN bookings b ON b.id = i.booking_id WHERE b.user_id = ?1 AND b.{LIVE} AND i.continent != ''"))?.query_row([user],
            |r| r.get(0))?)
    }

    fn goes_to_asia(&self, booking: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "SELECT 1 FROM booking_items WHERE booking_id = ?1 AND continent = 'Asia'",
            )?
            .query_row([booking], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn leaderboard(&self, viewer: &str, limit: usize) -> Result<Vec<LeaderRow>> {
        // An opted-out account says `"leaderboard": false` (json_extract reads it as 0); a
        // preferences text that is not JSON opts nobody out.
        let mut stmt = self.prepare_cached(
            "WITH shown AS (
                 SELECT u.id, u.first_name, u.last_name, u.created_at,
                        coalesce(sum(l.total_delta), 0) AS total
                 FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id
                 WHERE u.id = ?2 OR (u.password_hash IS NOT NULL AND coalesce(
                     CASE WHEN json_valid(u.preferences)
                          THEN json_extract(u.preferences, '$.leaderboard') END, 1) != 0)
                 GROUP BY u.id
             ), ranked AS (
                 SELECT id, first_name, last_name, total,
                        row_number() OVER (ORDER BY total DESC, created_at, id) AS rank
                 FROM shown
             )
             SELECT rank, id, bg_open('account.first_name', first_name), bg_open('account.last_name', last_name), total
             FROM ranked WHERE rank <= ?1 OR id = ?2 ORDER BY rank",
        )?;
        Ok(stmt
            .query_map(params![limit as i64, viewer], |r| {
                Ok(LeaderRow {
                    rank: r.get(0)?,
                    user: r.get(1)?,
                    first_name: r.get(2)?,
                    last_name: r.get(3)?,
                    total: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }
}

/// A count over `[from, to)` for `user`, stopped at `up_to`: `?1` user, `?2`/`?3` the period,
/// `?4` the cap.
fn count_between(
    conn: &Connection,
    sql: &str,
    user: &str,
    from: i64,
    to: i64,
    up_to: i64,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params![user, from, to, up_to], |r| r.get(0))?)
}

/// Whether `sql` finds a row for `id`.
fn exists(conn: &Connection, sql: &str, id: &str) -> Result<bool> {
    Ok(conn.query_row(sql, [id], |_| Ok(())).optional()?.is_some())
}
