//! Badges, challenges and the leaderboard on PostgreSQL: an award is `INSERT .. ON CONFLICT
//! DO NOTHING` on the (user, badge) and (user, challenge) primary keys, so of writers awarding
//! one badge at once the later ones wait on the key, then write nothing and say `false`.
//! Counts stop at what the rule needs, as on SQLite. Text orders SQLite gives by its indexes
//! (badges by name, savings by currency) are asked for here with `COLLATE "C"` (bytes).

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::port::{LeaderRow, Points};
use crate::store::sealed::{FIRST_NAME, LAST_NAME};

/// A booking counts while it is confirmed or completed.
const LIVE: &str = "status IN ('CONFIRMED', 'COMPLETED')";
/// The same, for challenges: on `bookings b`, made in `[$2, $3)`.
const LIVE_BETWEEN: &str =
    "b.status IN ('CONFIRMED', 'COMPLETED') AND b.created_at >= $2 AND b.created_at < $3";

/// A count over `[from, to)` for `user`, stopped at `up_to`: `$1` user, `$2`/`$3` the period,
/// `$4` the cap.
fn count_between(
    u: &PgUnit<'_>,
    sql: &str,
    user: &str,
    from: i64,
    to: i64,
    up_to: i64,
) -> Result<i64> {
    get(&u.query_one(sql, &[&user, &from, &to, &up_to])?, 0)
}

/// Whether `sql` finds a row for `id`.
fn exists(u: &PgUnit<'_>, sql: &str, id: &str) -> Result<bool> {
    Ok(u.query_opt(sql, &[&id])?.is_some())
}

impl Points for PgUnit<'_> {
    fn earned_badges(&self, user: &str) -> Result<Vec<String>> {
        self.query(
            "SELECT badge FROM badges WHERE user_id = $1 ORDER BY badge COLLATE \"C\"",
            &[&user],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn badge_awarded_at(&self, user: &str, badge: &str) -> Result<Option<i64>> {
        self.query_opt(
            "SELECT awarded_at FROM badges WHERE user_id = $1 AND badge = $2",
            &[&user, &badge],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn award_badge(&self, user: &str, badge: &str, at: i64) -> Result<bool> {
        // Keeps "a badge once per user": the conflict on (user_id, badge).
        let written = self.execute(
            "INSERT INTO badges(user_id, badge, awarded_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, badge) DO NOTHING",
            &[&user, &badge, &at],
        )?;
        Ok(written == 1)
    }

    fn challenge_completed(&self, user: &str, challenge: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM challenge_completions WHERE user_id = $1 AND challenge = $2",
                &[&user, &challenge],
            )?
            .is_some())
    }

    fn complete_challenge(&self, user: &str, challenge: &str, at: i64) -> Result<bool> {
        // Keeps "a challenge once per user": the conflict on (user_id, challenge).
        let written = self
            .execute(
                "INSERT INTO challenge_completions(user_id, challenge, completed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, challenge) DO NOTHING",
                &[&user, &challenge, &at],
            )?;
        Ok(written == 1)
    }

    fn reopen_challenge(&self, user: &str, challenge: &str) -> Result<bool> {
        let removed = self.execute(
            "DELETE FROM challenge_completions WHERE user_id = $1 AND challenge = $2",
            &[&user, &challenge],
        )?;
        Ok(removed == 1)
    }

    fn asia_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        count_between(
            self,
            &format!(
                "SELECT count(*) FROM (SELECT DISTINCT b.id FROM bookings b JOIN booking_items i ON i.booking_id = b.id
                 WHERE b.user_id = $1 AND {LIVE_BETWEEN} AND i.continent = 'Asia' LIMIT $4) s"
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
                "SELECT count(*) FROM (SELECT 1 FROM bookings b WHERE b.user_id = $1 AND {LIVE_BETWEEN} LIMIT $4) s"
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
            "SELECT count(*) FROM (SELECT 1 FROM reviews r WHERE r.user_id = $1 AND r.created_at >= $2 AND r.created_at < $3 LIMIT $4) s",
            user,
            from,
            to,
            up_to,
        )
    }

    fn booking_saved(&self, booking: &str) -> Result<Option<bool>> {
        self.query_opt(
            "SELECT list_total > total FROM bookings WHERE id = $1",
            &[&booking],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn live_bookings_up_to_ten(&self, user: &str) -> Result<i64> {
        get(
            &self.query_one(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM bookings WHERE user_id = $1 AND {LIVE} LIMIT 10) s"
                ),
                &[&user],
            )?,
            0,
        )
    }

    fn live_savings(&self, user: &str) -> Result<Vec<(String, i64, i64)>> {
        self.query(
            &format!(
                "SELECT currency, count(*), coalesce(sum(list_total - total), 0)::BIGINT FROM bookings
                 WHERE user_id = $1 AND {LIVE} GROUP BY currency ORDER BY currency COLLATE \"C\""
            ),
            &[&user],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
        .collect()
    }

    fn review_count(&self, user: &str) -> Result<i64> {
        get(
            &self.query_one("SELECT count(*) FROM reviews WHERE user_id = $1", &[&user])?,
            0,
        )
    }

    fn booked_ninety_days_ahead(&self, booking: &str) -> Result<bool> {
        // SQLite's julianday(starts_on) - julianday(created_at, 'unixepoch') >= 90, in whole
        // seconds: the start date's midnight (UTC) is at least 90 days after the booking.
        exists(
            self,
            "SELECT 1 FROM bookings WHERE id = $1
             AND (starts_on::DATE - DATE '1970-01-01')::BIGINT * 86400 - created_at >= 90 * 86400",
            booking,
        )
    }

    fn has_fourth_traveller(&self, booking: &str) -> Result<bool> {
        exists(
            self,
            "SELECT 1 FROM booking_passengers WHERE booking_id = $1 AND seq = 4",
            booking,
        )
    }

    fn reaches_new_continent(&self, user: &str, booking: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                &format!(
                    "SELECT 1 FROM booking_items i WHERE i.booking_id = $1 AND i.continent != '' AND NOT EXISTS (
                         SELECT 1 FROM booking_items j JOIN bookings b ON b.id = j.booking_id
                         WHERE b.user_id = $2 AND b.{LIVE} AND j.continent = i.continent AND j.booking_id != $1)
                     LIMIT 1"
                ),
                &[&booking, &user],
            )?
            .is_some())
    }

    fn live_continent_count(&self, user: &str) -> Result<i64> {
        get(
            &self.query_one(
                &format!(
                    "SELECT count(DISTINCT i.continent) FROM booking_items i JOIN bookings b ON b.id = i.booking_id
                     WHERE b.user_id = $1 AND b.{LIVE} AND i.continent != ''"
                ),
                &[&user],
            )?,
            0,
        )
    }

    fn goes_to_asia(&self, booking: &str) -> Result<bool> {
        exists(
            self,
            "SELECT 1 FROM booking_items WHERE booking_id = $1 AND continent = 'Asia' LIMIT 1",
            booking,
        )
    }

    fn leaderboard(&self, viewer: &str, limit: usize) -> Result<Vec<LeaderRow>> {
        // The order of SQLite's side, its last key (the id) in bytes. An opted-out account
        // says `"leaderboard": false` in its preferences (always JSON: written by the rules).
        self.query(
            "WITH shown AS (
                 SELECT u.id, u.first_name, u.last_name, u.created_at,
                        coalesce(sum(l.total_delta), 0)::BIGINT AS total
                 FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id
                 WHERE u.id = $2 OR (u.password_hash IS NOT NULL
                     AND coalesce(u.preferences::jsonb ->> 'leaderboard', 'true') <> 'false')
                 GROUP BY u.id
             ), ranked AS (
                 SELECT id, first_name, last_name, total,
                        row_number() OVER (ORDER BY total DESC, created_at, id COLLATE \"C\") AS rank
                 FROM shown
             )
             SELECT rank, id, first_name, last_name, total FROM ranked
             WHERE rank <= $1 OR id = $2 ORDER BY rank",
            &[&i64::try_from(limit).unwrap_or(i64::MAX), &viewer],
        )?
        .iter()
        .map(|r| {
            Ok(LeaderRow {
                rank: get(r, 0)?,
                user: get(r, 1)?,
                first_name: self.open(FIRST_NAME, &get::<String>(r, 2)?)?,
                last_name: self.open(LAST_NAME, &get::<String>(r, 3)?)?,
                total: get(r, 4)?,
            })
        })
        .collect()
    }
}
