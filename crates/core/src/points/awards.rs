//! Awarding: after a booking, completion or review, which still-open badges and challenges the
//! traveller now qualifies for (only what the event can change is re-counted).

use super::challenges::challenges_where;
use super::{BADGES, CHALLENGE_COMPLETED, earn};
use crate::error::Result;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

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
