//! The points ledger: append-only; balances are sums of its rows.

use crate::error::Result;

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
}
