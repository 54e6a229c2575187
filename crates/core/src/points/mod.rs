//! Loyalty points: an append-only ledger (balances are derived), levels, badges, challenges
//! and the leaderboard. Available points never go negative: the ledger refuses such a row.

use crate::error::{Error, Result};
use crate::store::{LedgerRow, Unit};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub const FIRST_BOOKING: i64 = 500;
pub const BOOKING_COMPLETED: i64 = 100;
pub const REVIEW_WRITTEN: i64 = 50;
pub const REFERRAL: i64 = 200;
pub const CHALLENGE_COMPLETED: i64 = 300;

/// Levels by total points earned.
pub const LEVELS: &[(&str, i64)] = &[
    ("Explorer", 0),
    ("Adventurer", 1000),
    ("Voyager", 2500),
    ("Globetrotter", 5000),
    ("Legend", 10000),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Balance {
    pub user_id: String,
    /// Everything earned, less clawbacks: decides the level.
    pub total: i64,
    /// What can be redeemed now.
    pub available: i64,
    pub level: String,
    pub next_level: Option<String>,
    /// Points still needed for the next level.
    pub to_next_level: Option<i64>,
    /// 0-100 through the current level.
    pub level_progress: u8,
}

pub fn level_for(total: i64) -> (usize, &'static str) {
    let i = LEVELS.iter().rposition(|(_, at)| total >= *at).unwrap_or(0);
    (i, LEVELS[i].0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerEntry {
    pub kind: String,
    pub total_delta: i64,
    pub available_delta: i64,
    pub booking_id: Option<String>,
    pub note: String,
    pub at: Timestamp,
}

pub fn balance(unit: &dyn Unit, user: &str) -> Result<Balance> {
    let (total, available) = unit.ledger().sums(user)?;
    let (i, level) = level_for(total);
    let next = LEVELS.get(i + 1);
    let progress = match next {
        Some((_, at)) => ((total - LEVELS[i].1) * 100 / (at - LEVELS[i].1)).clamp(0, 100) as u8,
        None => 100,
    };
    Ok(Balance {
        user_id: user.to_string(),
        total,
        available,
        level: level.to_string(),
        next_level: next.map(|(n, _)| n.to_string()),
        to_next_level: next.map(|(_, at)| at - total),
        level_progress: progress,
    })
}

/// Appends a ledger row; refuses one that would take available points below zero. The check
/// and the append are one statement, so two writers spending the same points at once cannot
/// both succeed (points are never double-spent).
/// (One argument per ledger column keeps call sites readable as rows.)
#[allow(clippy::too_many_arguments)]
pub fn record(
    unit: &dyn Unit,
    user: &str,
    kind: &str,
    total_delta: i64,
    available_delta: i64,
    booking: Option<&str>,
    note: &str,
    now: i64,
) -> Result<()> {
    let row = LedgerRow {
        user,
        kind,
        total_delta,
        available_delta,
        booking,
        note,
        at: now,
    };
    if !unit.ledger().append(&row)? {
        let (_, available) = unit.ledger().sums(user)?;
        return Err(Error::invalid(format!(
            "only {available} points are available, {} asked",
            -available_delta
        )));
    }
    Ok(())
}

/// Earns points (counted in total and available).
pub fn earn(
    conn: &Connection,
    user: &str,
    kind: &str,
    points: i64,
    booking: Option<&str>,
    note: &str,
    now: i64,
) -> Result<()> {
    record(conn, user, kind, points, points, booking, note, now)?;
    crate::events::emit(
        conn,
        "points.earned",
        user,
        Some(user),
        &serde_json::json!({"kind": kind, "points": points, "booking_id": booking}),
        now,
    )
}

/// Points a new booking would earn for a traveller with this ledger, for a summary before
/// booking: the first-booking bonus (paid on confirmation, once) and the points for travelling.
pub fn earn_preview(history: &[LedgerEntry]) -> Vec<(&'static str, i64)> {
    let mut earn = Vec::new();
    if !history.iter().any(|e| e.kind == "FIRST_BOOKING") {
        earn.push(("first-booking bonus on confirmation", FIRST_BOOKING));
    }
    earn.push(("once you have travelled", BOOKING_COMPLETED));
    earn
}

/// Booking confirmed: first-booking bonus, then badges and challenges.
pub fn on_confirmed(conn: &Connection, user: &str, booking: &str, now: i64) -> Result<()> {
    let had_first: bool = conn
        .prepare_cached(
            "SELECT 1 FROM points_ledger WHERE user_id = ?1 AND kind = 'FIRST_BOOKING'",
        )?
        .query_row([user], |_| Ok(()))
        .optional()?
        .is_some();
    if !had_first {
        earn(
            conn,
            user,
            "FIRST_BOOKING",
            FIRST_BOOKING,
            Some(booking),
            "your first booking",
            now,
        )?;
    }
    evaluate(conn, user, Trigger::Booking(booking), now)
}

pub fn on_completed(conn: &Connection, user: &str, booking: &str, now: i64) -> Result<()> {
    earn(
        conn,
        user,
        "BOOKING_COMPLETED",
        BOOKING_COMPLETED,
        Some(booking),
        "trip completed",
        now,
    )?;
    evaluate(conn, user, Trigger::Completed, now)
}

pub fn on_review(conn: &Connection, user: &str, booking: &str, now: i64) -> Result<()> {
    earn(
        conn,
        user,
        "REVIEW_WRITTEN",
        REVIEW_WRITTEN,
        Some(booking),
        "review written",
        now,
    )?;
    evaluate(conn, user, Trigger::Review, now)
}

/// Cancelling: redeemed points come back, points earned by the booking go (as far as the
/// available balance allows: it never goes negative). Returns (returned, clawed back).
pub fn on_cancelled(conn: &Connection, user: &str, booking: &str, now: i64) -> Result<(i64, i64)> {
    let (redeemed, earned): (i64, i64) = conn.prepare_cached("SELECT coalesce(-sum(CASE WHEN kind IN ('REDEEMED', 'REDEMPTION_RETURNED') THEN available_delta END), 0),
                coalesce(sum(CASE WHEN kind IN ('FIRST_BOOKING', 'BOOKING_COMPLETED', 'CHALLENGE_COMPLETED', 'CLAWBACK') THEN total_delta END), 0)
         FROM points_ledger WHERE user_id = ?1 AND booking_id = ?2")?.query_row(
        params![user, booking],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if redeemed > 0 {
        record(
            conn,
            user,
            "REDEMPTION_RETURNED",
            0,
            redeemed,
            Some(booking),
            "booking cancelled",
            now,
        )?;
    }
    let mut clawed = 0;
    if earned > 0 {
        let available = balance(conn, user)?.available;
        clawed = earned.min(available);
        record(
            conn,
            user,
            "CLAWBACK",
            -earned,
            -clawed,
            Some(booking),
            "booking cancelled",
            now,
        )?;
    }
    Ok((redeemed, clawed))
}

/// What cancelling would do to points, without doing it.
pub fn cancel_effect(conn: &Connection, user: &str, booking: &str) -> Result<(i64, i64)> {
    let (redeemed, earned): (i64, i64) = conn.prepare_cached("SELECT coalesce(-sum(CASE WHEN kind IN ('REDEEMED', 'REDEMPTION_RETURNED') THEN available_delta END), 0),
                coalesce(sum(CASE WHEN kind IN ('FIRST_BOOKING', 'BOOKING_COMPLETED', 'CHALLENGE_COMPLETED', 'CLAWBACK') THEN total_delta END), 0)
         FROM points_ledger WHERE user_id = ?1 AND booking_id = ?2")?.query_row(
        params![user, booking],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let available = balance(conn, user)?.available + redeemed;
    Ok((redeemed, earned.max(0).min(available)))
}

pub fn history(conn: &Connection, user: &str) -> Result<Vec<LedgerEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, total_delta, available_delta, booking_id, note, created_at FROM points_ledger WHERE user_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(LedgerEntry {
            kind: r.get(0)?,
            total_delta: r.get(1)?,
            available_delta: r.get(2)?,
            booking_id: r.get(3)?,
            note: r.get(4)?,
            at: Timestamp::from_second(r.get(5)?).unwrap_or(Timestamp::UNIX_EPOCH),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Badges: the brief's four, and three of ours.
pub const BADGES: &[(&str, &str, &str)] = &[
    (
        "first_traveler",
        "First Traveler",
        "Confirm your first booking",
    ),
    ("globe_trotter", "Globe Trotter", "Confirm 10 bookings"),
    (
        "budget_master",
        "Budget Master",
        "Save EUR 500 against undiscounted prices",
    ),
    ("social_butterfly", "Social Butterfly", "Write 5 reviews"),
    (
        "early_bird",
        "Early Bird",
        "Book a trip 90 days or more ahead",
    ),
    ("continental", "Continental", "Book trips to 3 continents"),
    (
        "family_trip",
        "Family Trip",
        "Book for 4 or more travellers at once",
    ),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BadgeStatus {
    pub id: String,
    pub name: String,
    pub description: String,
    pub earned_at: Option<Timestamp>,
}

struct Stats {
    bookings: i64,
    savings_eur_cents: i64,
    reviews: i64,
    early: bool,
    continents: i64,
    big_party: bool,
}

/// What just happened: only what it can change is re-counted, so a frequent traveller's
/// thousands of bookings are not scanned on every new one.
#[derive(Debug, Clone, Copy)]
pub enum Trigger<'a> {
    /// A booking was confirmed.
    Booking(&'a str),
    Completed,
    Review,
}

fn stats(conn: &Connection, user: &str, open: &[&str], trigger: Trigger) -> Result<Stats> {
    let need = |b: &str| open.contains(&b);
    let booking = match trigger {
        Trigger::Booking(id) => Some(id),
        _ => None,
    };
    let live = "status IN ('CONFIRMED', 'COMPLETED')";
    // Savings (list price less price paid) are never negative, so their total over live
    // bookings only grows when a booking that saved something goes live: a booking that
    // saved nothing cannot complete "budget_master", and summing every booking the traveller
    // ever made (the cost of a frequent booker's every booking) is skipped.
    let savings_may_grow = match booking {
        Some(id) => conn
            .prepare_cached("SELECT list_total > total FROM bookings WHERE id = ?1")?
            .query_row([id], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(true),
        None => true,
    };
    let count_only = !(need("budget_master") && savings_may_grow);
    let bookings: i64 = if count_only && (need("first_traveler") || need("globe_trotter")) {
        // Enough to decide both badges: at most ten rows of the (user, status) index.
        conn.prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM bookings WHERE user_id = ?1 AND {live} LIMIT 10)"
        ))?
        .query_row([user], |r| r.get(0))?
    } else {
        0
    };
    let (bookings, savings): (i64, i64) = if count_only {
        (bookings, 0)
    } else {
        // Savings are summed per currency, then converted: a yen is not a euro cent.
        let fx = crate::model::FxTable::from_json(crate::fixtures::FX)?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT currency, count(*), coalesce(sum(list_total - total), 0) FROM bookings WHERE user_id = ?1 AND {live} GROUP BY currency"
        ))?;
        let rows: Vec<(String, i64, i64)> = stmt
            .query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut n = 0;
        let mut eur = 0;
        for (currency, count, saved) in rows {
            n += count;
            let c = crate::model::Currency::parse(&currency)?;
            eur += fx
                .convert(
                    crate::model::Money::new(saved, c),
                    crate::model::Currency::EUR,
                )?
                .minor;
        }
        (n, eur)
    };
    let reviews: i64 = if need("social_butterfly") && matches!(trigger, Trigger::Review) {
        conn.prepare_cached("SELECT count(*) FROM reviews WHERE user_id = ?1")?
            .query_row([user], |r| r.get(0))?
    } else {
        0
    };
    let exists = |sql: &str, id: &str| -> Result<bool> {
        Ok(conn.query_row(sql, [id], |_| Ok(())).optional()?.is_some())
    };
    // Per-booking badges look at the booking that was just confirmed.
    let early = match booking {
        Some(id) if need("early_bird") => exists(
            "SELECT 1 FROM bookings WHERE id = ?1 AND julianday(starts_on) - julianday(created_at, 'unixepoch') >= 90",
            id,
        )?,
        _ => false,
    };
    let big_party = match booking {
        Some(id) if need("family_trip") => exists(
            "SELECT 1 FROM booking_passengers WHERE booking_id = ?1 AND seq = 4",
            id,
        )?,
        _ => false,
    };
    // Continents are only recounted when this booking goes somewhere new.
    let continents: i64 = match booking {
        Some(id) if need("continental") => {
            let new_place: bool = conn
                .query_row(
                    &format!(
                        "SELECT 1 FROM booking_items i WHERE i.booking_id = ?1 AND i.continent != '' AND NOT EXISTS (
                             SELECT 1 FROM booking_items j JOIN bookings b ON b.id = j.booking_id
                             WHERE b.user_id = ?2 AND b.{live} AND j.continent = i.continent AND j.booking_id != ?1)"
                    ),
                    params![id, user],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if new_place {
                conn.query_row(
                    &format!("SELECT count(DISTINCT i.continent) FROM booking_items i JOIN bookings b ON b.id = i.booking_id WHERE b.user_id = ?1 AND b.{live} AND i.continent != ''"),
                    [user],
                    |r| r.get(0),
                )?
            } else {
                0
            }
        }
        _ => 0,
    };
    Ok(Stats {
        bookings,
        savings_eur_cents: savings,
        reviews,
        early,
        continents,
        big_party,
    })
}

/// Awards badges and completes challenges the user now qualifies for. Only what is still
/// open is computed, so a frequent traveller's bookings are not re-counted for earned badges.
pub fn evaluate(conn: &Connection, user: &str, trigger: Trigger, now: i64) -> Result<()> {
    let earned: Vec<String> = conn
        .prepare_cached("SELECT badge FROM badges WHERE user_id = ?1")?
        .query_map([user], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let open: Vec<&str> = BADGES
        .iter()
        .map(|b| b.0)
        .filter(|b| !earned.iter().any(|e| e == b))
        .collect();
    if !open.is_empty() {
        let s = stats(conn, user, &open, trigger)?;
        let qualifies = |badge: &str| match badge {
            "first_traveler" => s.bookings >= 1,
            "globe_trotter" => s.bookings >= 10,
            "budget_master" => s.savings_eur_cents >= 50_000, // EUR 500
            "social_butterfly" => s.reviews >= 5,
            "early_bird" => s.early,
            "continental" => s.continents >= 3,
            "family_trip" => s.big_party,
            _ => false,
        };
        for badge in open.into_iter().filter(|b| qualifies(b)) {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO badges(user_id, badge, awarded_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![user, badge, now])?;
            crate::events::emit(
                conn,
                "badge.awarded",
                user,
                Some(user),
                &serde_json::json!({"badge": badge}),
                now,
            )?;
        }
    }
    let today = Timestamp::from_second(now)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let open_challenges = challenges_where(conn, user, today, |id| match (id, trigger) {
        ("critic", Trigger::Review) => true,
        ("asia_explorer", Trigger::Booking(b)) => conn
            .prepare_cached(
                "SELECT 1 FROM booking_items WHERE booking_id = ?1 AND continent = 'Asia'",
            )
            .and_then(|mut s| s.query_row([b], |_| Ok(())).optional())
            .ok()
            .flatten()
            .is_some(),
        ("frequent_booker", Trigger::Booking(_)) => true,
        _ => false,
    })?;
    for c in open_challenges {
        if !c.completed && c.progress >= c.goal {
            conn.prepare_cached("INSERT OR IGNORE INTO challenge_completions(user_id, challenge, completed_at) VALUES (?1, ?2, ?3)")?.execute(
                params![user, c.id, now],
            )?;
            // Tied to the booking that completed it, so cancelling that booking takes it back.
            let by = match trigger {
                Trigger::Booking(b) => Some(b),
                _ => None,
            };
            earn(
                conn,
                user,
                "CHALLENGE_COMPLETED",
                CHALLENGE_COMPLETED,
                by,
                &c.name,
                now,
            )?;
        }
    }
    Ok(())
}

pub fn badges(conn: &Connection, user: &str) -> Result<Vec<BadgeStatus>> {
    let mut stmt =
        conn.prepare_cached("SELECT awarded_at FROM badges WHERE user_id = ?1 AND badge = ?2")?;
    BADGES
        .iter()
        .map(|(id, name, description)| {
            let at: Option<i64> = stmt.query_row(params![user, id], |r| r.get(0)).optional()?;
            Ok(BadgeStatus {
                id: id.to_string(),
                name: name.to_string(),
                description: description.to_string(),
                earned_at: at.and_then(|s| Timestamp::from_second(s).ok()),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Challenge {
    /// Includes the period, so each quarter's challenge is its own.
    pub id: String,
    pub name: String,
    pub description: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub progress: i64,
    pub goal: i64,
    pub completed: bool,
    pub reward_points: i64,
}

/// The current time-boxed challenges and the user's progress in each.
pub fn challenges(conn: &Connection, user: &str, today: Date) -> Result<Vec<Challenge>> {
    challenges_where(conn, user, today, |_| true)
}

/// The challenges whose kind `wanted` accepts (by the id before the colon).
fn challenges_where(
    conn: &Connection,
    user: &str,
    today: Date,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<Challenge>> {
    let q = (today.month() - 1) / 3;
    let q_start = Date::new(today.year(), q * 3 + 1, 1).map_err(Error::internal)?;
    let q_end = Date::new(today.year(), q * 3 + 3, 1)
        .map_err(Error::internal)?
        .last_of_month();
    let m_start = today.first_of_month();
    let m_end = today.last_of_month();
    let period_q = format!("{}Q{}", today.year(), q + 1);
    let period_m = today.strftime("%Y-%m").to_string();
    let count = |sql: &str, from: Date, to: Date, goal: i64| -> Result<i64> {
        let start = from
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(Error::internal)?
            .timestamp()
            .as_second();
        let end = to
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(Error::internal)?
            .timestamp()
            .as_second()
            + 86_400;
        // Progress stops at the goal, so the count stops there too: a frequent booker's
        // every booking must not re-count the whole month.
        Ok(conn
            .prepare_cached(sql)?
            .query_row(params![user, start, end, goal], |r| r.get(0))?)
    };
    let live =
        "b.status IN ('CONFIRMED', 'COMPLETED') AND b.created_at >= ?2 AND b.created_at < ?3";
    let specs: [(String, &str, &str, Date, Date, i64, String); 3] = [
        (
            format!("asia_explorer:{period_q}"),
            "Asia Explorer",
            "Book 2 trips to Asia this quarter",
            q_start,
            q_end,
            2,
            format!("SELECT count(*) FROM (SELECT DISTINCT b.id FROM bookings b JOIN booking_items i ON i.booking_id = b.id WHERE b.user_id = ?1 AND {live} AND i.continent = 'Asia' LIMIT ?4)"),
        ),
        (
            format!("frequent_booker:{period_m}"),
            "Frequent Booker",
            "Confirm 3 bookings this month",
            m_start,
            m_end,
            3,
            format!("SELECT count(*) FROM (SELECT 1 FROM bookings b WHERE b.user_id = ?1 AND {live} LIMIT ?4)"),
        ),
        (
            format!("critic:{period_q}"),
            "Critic",
            "Write 2 reviews this quarter",
            q_start,
            q_end,
            2,
            "SELECT count(*) FROM (SELECT 1 FROM reviews r WHERE r.user_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3 LIMIT ?4)".to_string(),
        ),
    ];
    let mut done = conn.prepare_cached(
        "SELECT 1 FROM challenge_completions WHERE user_id = ?1 AND challenge = ?2",
    )?;
    specs
        .into_iter()
        .filter(|spec| wanted(spec.0.split(':').next().unwrap_or("")))
        .map(|(id, name, description, from, to, goal, sql)| {
            let progress = count(&sql, from, to, goal)?.min(goal);
            let completed = done
                .query_row(params![user, id], |_| Ok(()))
                .optional()?
                .is_some();
            Ok(Challenge {
                id,
                name: name.into(),
                description: description.into(),
                starts_on: from,
                ends_on: to,
                progress,
                goal,
                completed,
                reward_points: CHALLENGE_COMPLETED,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeaderboardEntry {
    pub rank: u32,
    pub user_id: String,
    pub name: String,
    pub total: i64,
    pub level: String,
}

/// The team's ranking by points earned: every account (users who can log in) and the
/// viewer, so the offline user sees themselves and a server's board has no placeholder.
pub fn leaderboard(conn: &Connection, viewer: &str, limit: usize) -> Result<Vec<LeaderboardEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, trim(u.first_name || ' ' || u.last_name), u.email, coalesce(sum(l.total_delta), 0) AS total
         FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id
         WHERE u.password_hash IS NOT NULL OR u.id = ?2
         GROUP BY u.id ORDER BY total DESC, u.created_at LIMIT ?1",
    )?;
    let rows = stmt.query_map(rusqlite::params![limit as i64, viewer], |r| {
        let name: String = r.get(1)?;
        let email: String = r.get(2)?;
        Ok((
            r.get::<_, String>(0)?,
            if name.is_empty() { email } else { name },
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let (user_id, name, total) = row?;
        out.push(LeaderboardEntry {
            rank: i as u32 + 1,
            user_id,
            name,
            total,
            level: level_for(total).1.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn conn() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("p.db")).unwrap();
        store
            .conn()
            .unwrap()
            .execute(
                "INSERT INTO users(id, email, created_at) VALUES ('usr_a', 'a@example.com', 0)",
                [],
            )
            .unwrap();
        (dir, store)
    }

    #[test]
    fn levels() {
        assert_eq!(level_for(0).1, "Explorer");
        assert_eq!(level_for(999).1, "Explorer");
        assert_eq!(level_for(1000).1, "Adventurer");
        assert_eq!(level_for(50_000).1, "Legend");
    }

    #[test]
    fn earn_preview_offers_the_first_booking_bonus_only_once() {
        let (_dir, store) = conn();
        let c = store.conn().unwrap();
        let before = earn_preview(&history(&c, "usr_a").unwrap());
        assert_eq!(
            before.iter().map(|e| e.1).collect::<Vec<_>>(),
            [FIRST_BOOKING, BOOKING_COMPLETED]
        );
        earn(
            &c,
            "usr_a",
            "FIRST_BOOKING",
            FIRST_BOOKING,
            None,
            "first",
            1,
        )
        .unwrap();
        let after = earn_preview(&history(&c, "usr_a").unwrap());
        assert_eq!(
            after.iter().map(|e| e.1).collect::<Vec<_>>(),
            [BOOKING_COMPLETED]
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Earn(i64),
        Redeem(i64),
        Cancel,
    }

    proptest! {
        /// Whatever happens, available points never go negative and never exceed what was
        /// earned less what is redeemed; the ledger refuses what would break it.
        #[test]
        fn available_never_negative(ops in proptest::collection::vec(prop_oneof![
            (1i64..2000).prop_map(Op::Earn),
            (1i64..3000).prop_map(Op::Redeem),
            Just(Op::Cancel),
        ], 1..30)) {
            let (_d, store) = conn();
            let c = store.conn().unwrap();
            for (i, op) in ops.iter().enumerate() {
                let booking = format!("bkg_{i}");
                match op {
                    Op::Earn(p) => { earn(&c, "usr_a", "FIRST_BOOKING", *p, Some(&booking), "", 0).unwrap(); }
                    Op::Redeem(p) => {
                        let before = balance(&c, "usr_a").unwrap().available;
                        let r = record(&c, "usr_a", "REDEEMED", 0, -p, Some(&booking), "", 0);
                        prop_assert_eq!(r.is_ok(), *p <= before);
                    }
                    Op::Cancel => {
                        let target = format!("bkg_{}", i / 2);
                        on_cancelled(&c, "usr_a", &target, 0).unwrap();
                    }
                }
                let b = balance(&c, "usr_a").unwrap();
                prop_assert!(b.available >= 0, "{:?}", b);
            }
        }
    }
}
