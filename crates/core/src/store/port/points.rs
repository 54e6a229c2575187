//! Badges, challenges and the leaderboard: what the points rules read and record beside the
//! ledger, and what they count of a traveller's bookings and reviews to award them. A booking
//! counts ("live") while it is confirmed or completed.

use crate::error::Result;

/// Promise: a badge is awarded once per user, and a challenge completed once per user,
/// whatever the number of writers: (user, badge) and (user, challenge) are primary keys and an
/// award is an `INSERT OR IGNORE`, so a second award writes nothing (and says `false`). What an
/// award brings beside its row (the challenge's points, the `badge.awarded` event) is paid once
/// when the rule reads, awards and pays in one write unit.
pub trait Points {
    /// The badges the user has earned.
    fn earned_badges(&self, user: &str) -> Result<Vec<String>>;
    /// When the user earned `badge`; `None` when they have not.
    fn badge_awarded_at(&self, user: &str, badge: &str) -> Result<Option<i64>>;
    /// Awards `badge` to the user at `at`; `false` (nothing written) when they already had it.
    fn award_badge(&self, user: &str, badge: &str, at: i64) -> Result<bool>;

    /// Whether the user has completed `challenge` (an id with its period).
    fn challenge_completed(&self, user: &str, challenge: &str) -> Result<bool>;
    /// Records `challenge` completed at `at`; `false` (nothing written) when it already was.
    fn complete_challenge(&self, user: &str, challenge: &str, at: i64) -> Result<bool>;
    /// Takes a completion back (a booking it counted was cancelled); `false` when there was
    /// none, so its points are taken back once whatever the number of writers.
    fn reopen_challenge(&self, user: &str, challenge: &str) -> Result<bool>;
    /// Live bookings with an item in Asia, made in `[from, to)` (seconds), counted up to `up_to`.
    fn asia_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64>;
    /// Live bookings made in `[from, to)` (seconds), counted up to `up_to`.
    fn live_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64>;
    /// Reviews written in `[from, to)` (seconds), counted up to `up_to`.
    fn reviews_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64>;

    /// Whether `booking` cost less than its list price; `None` when there is no such booking.
    fn booking_saved(&self, booking: &str) -> Result<Option<bool>>;
    /// The user's live bookings, counted up to ten.
    fn live_bookings_up_to_ten(&self, user: &str) -> Result<i64>;
    /// The user's live bookings and their savings (list price less price paid), per currency:
    /// (currency, bookings, saved in minor units of the currency).
    fn live_savings(&self, user: &str) -> Result<Vec<(String, i64, i64)>>;
    /// Reviews the user has written.
    fn review_count(&self, user: &str) -> Result<i64>;
    /// Whether `booking` starts 90 days or more after it was made.
    fn booked_ninety_days_ahead(&self, booking: &str) -> Result<bool>;
    /// Whether `booking` has a fourth traveller.
    fn has_fourth_traveller(&self, booking: &str) -> Result<bool>;
    /// Whether `booking` goes to a continent none of the user's other live bookings goes to.
    fn reaches_new_continent(&self, user: &str, booking: &str) -> Result<bool>;
    /// The continents the user's live bookings go to.
    fn live_continent_count(&self, user: &str) -> Result<i64>;
    /// Whether `booking` has an item in Asia.
    fn goes_to_asia(&self, booking: &str) -> Result<bool>;

    /// The leaderboard as `viewer` sees it: the accounts that can log in and have not opted
    /// out (their preferences JSON says `"leaderboard": false`), and `viewer` whatever their
    /// choice, ranked by points ever earned (most first, then the oldest account, then the id
    /// in bytes); the first `limit` of them, and the viewer's own row at its rank when it is
    /// not among them. No e-mail: the rule shows names.
    fn leaderboard(&self, viewer: &str, limit: usize) -> Result<Vec<LeaderRow>>;
}

/// One row of the leaderboard as stored: rank (from 1), the account, its names (as stored,
/// perhaps empty), and its points ever earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderRow {
    pub rank: i64,
    pub user: String,
    pub first_name: String,
    pub last_name: String,
    pub total: i64,
}
