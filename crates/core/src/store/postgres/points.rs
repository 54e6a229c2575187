//! Points on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Points for PgUnit<'_> {
    fn earned_badges(&self, user: &str) -> Result<Vec<String>> {
        Err(pending("Points::earned_badges"))
    }

    fn badge_awarded_at(&self, user: &str, badge: &str) -> Result<Option<i64>> {
        Err(pending("Points::badge_awarded_at"))
    }

    fn award_badge(&self, user: &str, badge: &str, at: i64) -> Result<bool> {
        Err(pending("Points::award_badge"))
    }

    fn challenge_completed(&self, user: &str, challenge: &str) -> Result<bool> {
        Err(pending("Points::challenge_completed"))
    }

    fn complete_challenge(&self, user: &str, challenge: &str, at: i64) -> Result<bool> {
        Err(pending("Points::complete_challenge"))
    }

    fn asia_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        Err(pending("Points::asia_bookings_between"))
    }

    fn live_bookings_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        Err(pending("Points::live_bookings_between"))
    }

    fn reviews_between(&self, user: &str, from: i64, to: i64, up_to: i64) -> Result<i64> {
        Err(pending("Points::reviews_between"))
    }

    fn booking_saved(&self, booking: &str) -> Result<Option<bool>> {
        Err(pending("Points::booking_saved"))
    }

    fn live_bookings_up_to_ten(&self, user: &str) -> Result<i64> {
        Err(pending("Points::live_bookings_up_to_ten"))
    }

    fn live_savings(&self, user: &str) -> Result<Vec<(String, i64, i64)>> {
        Err(pending("Points::live_savings"))
    }

    fn review_count(&self, user: &str) -> Result<i64> {
        Err(pending("Points::review_count"))
    }

    fn booked_ninety_days_ahead(&self, booking: &str) -> Result<bool> {
        Err(pending("Points::booked_ninety_days_ahead"))
    }

    fn has_fourth_traveller(&self, booking: &str) -> Result<bool> {
        Err(pending("Points::has_fourth_traveller"))
    }

    fn reaches_new_continent(&self, user: &str, booking: &str) -> Result<bool> {
        Err(pending("Points::reaches_new_continent"))
    }

    fn live_continent_count(&self, user: &str) -> Result<i64> {
        Err(pending("Points::live_continent_count"))
    }

    fn goes_to_asia(&self, booking: &str) -> Result<bool> {
        Err(pending("Points::goes_to_asia"))
    }

    fn leaderboard(
        &self,
        viewer: &str,
        limit: usize,
    ) -> Result<Vec<(String, String, String, i64)>> {
        Err(pending("Points::leaderboard"))
    }
}
