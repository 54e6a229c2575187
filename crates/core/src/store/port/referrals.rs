//! Referrals: each account's code, who referred whom, and how each referral was settled.

use crate::error::Result;

/// One referral as stored: the account referred (`referee`), its status (`pending` until the
/// referee completes a booking, then `rewarded`, `over_limit` or `same_card`), the booking
/// that settled it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub referee: String,
    pub status: String,
    pub booking: Option<String>,
    pub created_at: i64,
    pub settled_at: Option<i64>,
}

/// Promise, whatever the number of writers: a code belongs to one account (a unique index,
/// and an account's code is set once, by a statement conditional on it having none); an
/// account is referred once (its referral's primary key); a referral is settled once (one
/// statement conditional on it still being pending), so its reward is paid once by the
/// writer that settled it.
pub trait Referrals {
    /// The account's referral code, if it has one yet.
    fn code(&self, user: &str) -> Result<Option<String>>;
    /// Gives the account `code` if it has none: `false` (nothing written) when it already had
    /// one; a `Conflict` when another account holds `code`.
    fn set_code(&self, user: &str, code: &str) -> Result<bool>;
    /// The account whose code is `code` (as stored: upper case).
    fn owner_of(&self, code: &str) -> Result<Option<String>>;
    /// Records that `referrer` referred `referee` (`users.referred_by` too), pending;
    /// `false` (nothing written) when `referee` was already referred.
    fn link(&self, referee: &str, referrer: &str, at: i64) -> Result<bool>;
    /// Who referred `referee`, while that referral waits for a completed booking.
    fn pending_referrer(&self, referee: &str) -> Result<Option<String>>;
    /// Settles `referee`'s pending referral as `status` by `booking` at `at`: `false`
    /// (nothing written) when it was no longer pending.
    fn settle(&self, referee: &str, status: &str, booking: &str, at: i64) -> Result<bool>;
    /// `referrer`'s referrals rewarded in `[from, to)` (seconds).
    fn rewarded_between(&self, referrer: &str, from: i64, to: i64) -> Result<i64>;
    /// The accounts `referrer` referred, newest first.
    fn referred(&self, referrer: &str) -> Result<Vec<ReferralRow>>;
    /// Whether a card that paid `booking` (a succeeded card payment) also paid one of
    /// `referrer`'s bookings, as far as the store knows a card: its brand and last four digits.
    fn shares_card(&self, referrer: &str, booking: &str) -> Result<bool>;
}
