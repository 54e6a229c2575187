//! Price watches and what they last saw.

use crate::error::Result;
use crate::model::watch::{NewWatch, Watch};

/// Promise: a watch is seen and changed only under its user's id, and each call is one
/// statement. A watch fires once per price drop whatever the number of checkers:
/// [`Watches::fired`] records an alert only below the last one, in one conditional statement,
/// and the rule writes the alert's event only when it did. One server instance sweeps every
/// account's watches at a time: [`Watches::take_sweep`] is a lease taken by one conditional
/// statement.
pub trait Watches {
    /// A new watch `id` of `user`, with places already resolved to codes; nothing when
    /// `user` already has the same watch (trip, travellers, cabin, price: a unique index),
    /// even one added by another connection at the same instant.
    fn add(&self, id: &str, user: &str, watch: &NewWatch, now: i64) -> Result<()>;
    fn get(&self, user: &str, id: &str) -> Result<Option<Watch>>;
    /// `user`'s watches, by departure date, then oldest first.
    fn list(&self, user: &str) -> Result<Vec<Watch>>;
    /// `false` when `user` had no such watch.
    fn remove(&self, user: &str, id: &str) -> Result<bool>;
    /// Records what a check of `id` saw at `at` (`None`: no fare found).
    fn checked(&self, id: &str, price: Option<i64>, at: i64) -> Result<()>;
    /// Records the price `id` fired an alert at, if it is below the last alert's (or there was
    /// none) and the watch still exists; `false` (nothing written) when another checker fired
    /// at that price or lower first.
    fn fired(&self, id: &str, price: i64) -> Result<bool>;
    /// Every account's watches departing on or after `from` (`YYYY-MM-DD`), with their owner:
    /// the least recently checked first (never checked before all), at most `limit`.
    fn due(&self, from: &str, limit: usize) -> Result<Vec<(String, Watch)>>;
    /// Leases the sweep of every account's watches to `owner` until `until`, if nobody holds
    /// it at `at` (or `owner` does): `false` when another sweeper holds it.
    fn take_sweep(&self, owner: &str, at: i64, until: i64) -> Result<bool>;
}
