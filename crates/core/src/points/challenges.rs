//! Time-boxed challenges (per quarter or month) and a traveller's progress in each.

use super::CHALLENGE_COMPLETED;
use crate::error::{Error, Result};
use crate::store::Unit;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

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

/// What a challenge counts in its period: the traveller's live bookings to Asia, live
/// bookings, or reviews written.
#[derive(Debug, Clone, Copy)]
enum Tally {
    AsiaBookings,
    Bookings,
    Reviews,
}

/// The current time-boxed challenges and the user's progress in each.
pub fn challenges(unit: &dyn Unit, user: &str, today: Date) -> Result<Vec<Challenge>> {
    challenges_where(unit, user, today, |_| true)
}

/// The challenges whose kind `wanted` accepts (by the id before the colon).
pub(super) fn challenges_where(
    unit: &dyn Unit,
    user: &str,
    today: Date,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<Challenge>> {
    Ok(tallied(unit, user, today, wanted)?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

/// The completed booking challenges that `booking` (made at `made_at`) counts towards and
/// that fall short of their goal without it: cancelling it takes them back. `still_counted`
/// says whether the booking is still live (a preview of the cancellation) or already
/// cancelled.
pub(super) fn lost_without(
    unit: &dyn Unit,
    user: &str,
    booking: &str,
    made_at: i64,
    still_counted: bool,
) -> Result<Vec<Challenge>> {
    let made_on = jiff::Timestamp::from_second(made_at)
        .map_err(Error::internal)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let asia = unit.points().goes_to_asia(booking)?;
    let without = i64::from(still_counted);
    Ok(tallied(unit, user, made_on, |id| {
        id == "frequent_booker" || (asia && id == "asia_explorer")
    })?
    .into_iter()
    .filter(|(c, count)| c.completed && count - without < c.goal)
    .map(|(c, _)| c)
    .collect())
}

/// Each challenge with its count, counted up to one past its goal.
fn tallied(
    unit: &dyn Unit,
    user: &str,
    today: Date,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<(Challenge, i64)>> {
    let q = (today.month() - 1) / 3;
    let q_start = Date::new(today.year(), q * 3 + 1, 1).map_err(Error::internal)?;
    let q_end = Date::new(today.year(), q * 3 + 3, 1)
        .map_err(Error::internal)?
        .last_of_month();
    let m_start = today.first_of_month();
    let m_end = today.last_of_month();
    let period_q = format!("{}Q{}", today.year(), q + 1);
    let period_m = today.strftime("%Y-%m").to_string();
    let count = |tally: Tally, from: Date, to: Date, goal: i64| -> Result<i64> {
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
        let points = unit.points();
        match tally {
            Tally::AsiaBookings => points.asia_bookings_between(user, start, end, goal),
            Tally::Bookings => points.live_bookings_between(user, start, end, goal),
            Tally::Reviews => points.reviews_between(user, start, end, goal),
        }
    };
    let specs: [(String, &str, &str, Date, Date, i64, Tally); 3] = [
        (
            format!("asia_explorer:{period_q}"),
            "Asia Explorer",
            "Book 2 trips to Asia this quarter",
            q_start,
            q_end,
            2,
            Tally::AsiaBookings,
        ),
        (
            format!("frequent_booker:{period_m}"),
            "Frequent Booker",
            "Confirm 3 bookings this month",
            m_start,
            m_end,
            3,
            Tally::Bookings,
        ),
        (
            format!("critic:{period_q}"),
            "Critic",
            "Write 2 reviews this quarter",
            q_start,
            q_end,
            2,
            Tally::Reviews,
        ),
    ];
    specs
        .into_iter()
        .filter(|spec| wanted(spec.0.split(':').next().unwrap_or("")))
        .map(|(id, name, description, from, to, goal, tally)| {
            let counted = count(tally, from, to, goal + 1)?;
            let completed = unit.points().challenge_completed(user, &id)?;
            let challenge = Challenge {
                id,
                name: name.into(),
                description: description.into(),
                starts_on: from,
                ends_on: to,
                progress: counted.min(goal),
                goal,
                completed,
                reward_points: CHALLENGE_COMPLETED,
            };
            Ok((challenge, counted))
        })
        .collect()
}
