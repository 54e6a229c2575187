//! What a booking's confirmation, completion, review and cancellation do to the traveller's
//! points (and, through `evaluate`, to badges and challenges).

use super::{
    BOOKING_COMPLETED, FIRST_BOOKING, REVIEW_WRITTEN, Trigger, balance, earn, evaluate, record,
};
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

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
