//! What a booking's confirmation, completion, review and cancellation do to the traveller's
//! points (and, through `evaluate`, to badges and challenges).

use super::{
    BOOKING_COMPLETED, FIRST_BOOKING, REVIEW_WRITTEN, Trigger, balance, earn, evaluate, record,
};
use crate::error::Result;
use crate::store::Unit;

/// Booking confirmed: first-booking bonus, then badges and challenges.
pub fn on_confirmed(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<()> {
    // The bonus is paid once however many bookings confirm at the same moment.
    unit.take_turn(&super::turn(user))?;
    if !unit.ledger().has_first_booking_bonus(user)? {
        earn(
            unit,
            user,
            "FIRST_BOOKING",
            FIRST_BOOKING,
            Some(booking),
            "your first booking",
            now,
        )?;
    }
    evaluate(unit, user, Trigger::Booking(booking), now)
}

pub fn on_completed(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<()> {
    earn(
        unit,
        user,
        "BOOKING_COMPLETED",
        BOOKING_COMPLETED,
        Some(booking),
        "trip completed",
        now,
    )?;
    evaluate(unit, user, Trigger::Completed, now)
}

pub fn on_review(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<()> {
    earn(
        unit,
        user,
        "REVIEW_WRITTEN",
        REVIEW_WRITTEN,
        Some(booking),
        "review written",
        now,
    )?;
    evaluate(unit, user, Trigger::Review, now)
}

/// Cancelling: redeemed points come back, points earned by the booking go (as far as the
/// available balance allows: it never goes negative). Returns (returned, clawed back).
pub fn on_cancelled(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<(i64, i64)> {
    let (redeemed, earned) = unit.ledger().booking_points(user, booking)?;
    if redeemed > 0 {
        record(
            unit,
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
        let available = balance(unit, user)?.available;
        clawed = earned.min(available);
        record(
            unit,
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
pub fn cancel_effect(unit: &dyn Unit, user: &str, booking: &str) -> Result<(i64, i64)> {
    let (redeemed, earned) = unit.ledger().booking_points(user, booking)?;
    let available = balance(unit, user)?.available + redeemed;
    Ok((redeemed, earned.max(0).min(available)))
}
