//! What a booking's confirmation, completion, review and cancellation do to the traveller's
//! points (and, through `evaluate`, to badges and challenges).

use super::challenges::lost_without;
use super::{
    BOOKING_COMPLETED, CHALLENGE_COMPLETED, FIRST_BOOKING, REVIEW_WRITTEN, Trigger, balance, earn,
    evaluate, record,
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
            crate::roles::travel_points(unit, user, FIRST_BOOKING)?,
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
        crate::roles::travel_points(unit, user, BOOKING_COMPLETED)?,
        Some(booking),
        "trip completed",
        now,
    )?;
    // The traveller's first completed booking pays whoever referred them.
    super::referrals::on_completed(unit, user, booking, now)?;
    evaluate(unit, user, Trigger::Completed, now)
}

pub fn on_review(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<()> {
    earn(
        unit,
        user,
        "REVIEW_WRITTEN",
        crate::roles::travel_points(unit, user, REVIEW_WRITTEN)?,
        Some(booking),
        "review written",
        now,
    )?;
    evaluate(unit, user, Trigger::Review, now)
}

/// Cancelling: redeemed points come back, points earned by the booking go, and so does a
/// challenge it counted towards that now falls short of its goal (as far as the available
/// balance allows: it never goes negative). Returns (returned, clawed back).
pub fn on_cancelled(unit: &dyn Unit, user: &str, booking: &str, now: i64) -> Result<(i64, i64)> {
    let (redeemed, earned) = unit.ledger().booking_points(user, booking)?;
    let mut clawed = 0;
    if let Some(row) = unit.bookings().find(user, booking)? {
        for c in lost_without(unit, user, booking, row.created_at, false)? {
            // Taken back by the writer that reopened it: another may have been first.
            if !unit.points().reopen_challenge(user, &c.id)? {
                continue;
            }
            let available = balance(unit, user)?.available;
            let back = CHALLENGE_COMPLETED.min(available);
            record(
                unit,
                user,
                "CLAWBACK",
                -CHALLENGE_COMPLETED,
                -back,
                None,
                &format!("{}: a booking it counted was cancelled", c.name),
                now,
            )?;
            clawed += back;
        }
    }
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
    if earned > 0 {
        let available = balance(unit, user)?.available;
        let back = earned.min(available);
        clawed += back;
        record(
            unit,
            user,
            "CLAWBACK",
            -earned,
            -back,
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
    let lost = match unit.bookings().find(user, booking)? {
        Some(row) => {
            let live = matches!(row.status.as_str(), "CONFIRMED" | "COMPLETED");
            lost_without(unit, user, booking, row.created_at, live)?.len() as i64
        }
        None => 0,
    };
    let available = balance(unit, user)?.available + redeemed;
    Ok((
        redeemed,
        (earned.max(0) + lost * CHALLENGE_COMPLETED).min(available),
    ))
}
