//! Awarding: after a booking, completion or review, which still-open badges and challenges the
//! traveller now qualifies for (only what the event can change is re-counted).

use super::challenges::challenges_where;
use super::{BADGES, CHALLENGE_COMPLETED, earn};
use crate::error::Result;
use crate::store::Unit;
use jiff::Timestamp;

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

fn stats(unit: &dyn Unit, user: &str, open: &[&str], trigger: Trigger) -> Result<Stats> {
    let need = |b: &str| open.contains(&b);
    let booking = match trigger {
        Trigger::Booking(id) => Some(id),
        _ => None,
    };
    let points = unit.points();
    // Savings (list price less price paid) are never negative, so their total over live
    // bookings only grows when a booking that saved something goes live: a booking that
    // saved nothing cannot complete "budget_master", and summing every booking the traveller
    // ever made (the cost of a frequent booker's every booking) is skipped.
    let savings_may_grow = match booking {
        Some(id) => points.booking_saved(id)?.unwrap_or(true),
        None => true,
    };
    let count_only = !(need("budget_master") && savings_may_grow);
    let bookings: i64 = if count_only && (need("first_traveler") || need("globe_trotter")) {
        // Enough to decide both badges.
        points.live_bookings_up_to_ten(user)?
    } else {
        0
    };
    let (bookings, savings): (i64, i64) = if count_only {
        (bookings, 0)
    } else {
        // Savings are summed per currency, then converted: a yen is not a euro cent.
        let fx = crate::model::FxTable::from_json(crate::fixtures::FX)?;
        let mut n = 0;
        let mut eur = 0;
        for (currency, count, saved) in points.live_savings(user)? {
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
        points.review_count(user)?
    } else {
        0
    };
    // Per-booking badges look at the booking that was just confirmed.
    let early = match booking {
        Some(id) if need("early_bird") => points.booked_ninety_days_ahead(id)?,
        _ => false,
    };
    let big_party = match booking {
        Some(id) if need("family_trip") => points.has_fourth_traveller(id)?,
        _ => false,
    };
    // Continents are only recounted when this booking goes somewhere new.
    let continents: i64 = match booking {
        Some(id) if need("continental") && points.reaches_new_continent(user, id)? => {
            points.live_continent_count(user)?
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
pub fn evaluate(unit: &dyn Unit, user: &str, trigger: Trigger, now: i64) -> Result<()> {
    let earned = unit.points().earned_badges(user)?;
    let open: Vec<&str> = BADGES
        .iter()
        .map(|b| b.0)
        .filter(|b| !earned.iter().any(|e| e == b))
        .collect();
    if !open.is_empty() {
        let s = stats(unit, user, &open, trigger)?;
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
            // Announced only by the writer that awarded it: another writer may have been first.
            if !unit.points().award_badge(user, badge, now)? {
                continue;
            }
            crate::events::emit(
                unit,
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
    let open_challenges = challenges_where(unit, user, today, |id| match (id, trigger) {
        ("critic", Trigger::Review) => true,
        // A failed read counts as "not to Asia".
        ("asia_explorer", Trigger::Booking(b)) => unit.points().goes_to_asia(b).unwrap_or(false),
        ("frequent_booker", Trigger::Booking(_)) => true,
        _ => false,
    })?;
    for c in open_challenges {
        // Paid only by the writer that completed it: another writer may have been first.
        if !c.completed
            && c.progress >= c.goal
            && unit.points().complete_challenge(user, &c.id, now)?
        {
            // Tied to no booking: it rests on the count, and cancelling any booking that
            // brings the count below the goal takes it back (`lifecycle::on_cancelled`).
            earn(
                unit,
                user,
                "CHALLENGE_COMPLETED",
                CHALLENGE_COMPLETED,
                None,
                &c.name,
                now,
            )?;
        }
    }
    Ok(())
}
