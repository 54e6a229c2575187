//! The points ledger: append-only; balances are sums of its rows.

use crate::error::Result;
use crate::model::ledger::LedgerEntry;

/// One ledger row.
#[derive(Debug, Clone, Copy)]
pub struct LedgerRow<'a> {
    pub user: &'a str,
    /// earn, redeem, refund, adjust, ...
    pub kind: &'a str,
    /// Change to the points ever earned (levels).
    pub total_delta: i64,
    /// Change to the points that can be spent.
    pub available_delta: i64,
    pub booking: Option<&'a str>,
    pub note: &'a str,
    pub at: i64,
}

/// Promise: available points never go below zero and are never double-spent, whatever the
/// number of writers: the balance check and the row are one statement.
pub trait Ledger {
    /// Appends `row` unless it would take the user's available points below zero; `false`
    /// when refused (nothing written).
    fn append(&self, row: &LedgerRow<'_>) -> Result<bool>;
    /// (points ever earned, points available) of a user.
    fn sums(&self, user: &str) -> Result<(i64, i64)>;
    /// A user's rows, oldest first.
    fn history(&self, user: &str) -> Result<Vec<LedgerEntry>>;
    /// Whether the user has been paid the first-booking bonus.
    fn has_first_booking_bonus(&self, user: &str) -> Result<bool>;
    /// What a booking did to the user's points: (points redeemed on it, less those already
    /// returned; points it earned, less those already clawed back).
    fn booking_points(&self, user: &str, booking: &str) -> Result<(i64, i64)>;
}
