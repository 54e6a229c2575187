//! Price watches and what they last saw.

use crate::error::Result;
use crate::local::watch::{NewWatch, Watch};

/// Promise: a watch is seen and changed only under its user's id, and each call is one
/// statement. What a check saw ([`Watches::checked`]) and the price of an alert
/// ([`Watches::fired`]) are written as they are given, not on a condition: a watch fires once
/// per price drop while one checker runs at a time (the rule compares with the last alert it
/// read, and writes the alert in the unit that writes its event), but two checkers that read
/// the same last alert at once may both fire on one drop.
pub trait Watches {
    /// A new watch `id` of `user`, with places already resolved to codes.
    fn add(&self, id: &str, user: &str, watch: &NewWatch, now: i64) -> Result<()>;
    fn get(&self, user: &str, id: &str) -> Result<Option<Watch>>;
    /// `user`'s watches, by departure date, then oldest first.
    fn list(&self, user: &str) -> Result<Vec<Watch>>;
    /// `false` when `user` had no such watch.
    fn remove(&self, user: &str, id: &str) -> Result<bool>;
    /// Records what a check of `id` saw at `at` (`None`: no fare found).
    fn checked(&self, id: &str, price: Option<i64>, at: i64) -> Result<()>;
    /// Records the price `id` fired an alert at.
    fn fired(&self, id: &str, price: i64) -> Result<()>;
}
