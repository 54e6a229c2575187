//! Counted attempts under a key in a time window (failed logins per account and address).

use crate::error::Result;

/// Promise: attempts made at the same moment are each counted, whatever the number of writers
/// (threads, processes, server instances): one statement takes the count.
pub trait Limits {
    /// Counts one attempt under `key` at `now`, in a window of `window` seconds that starts
    /// at the first attempt after the last window ended: (attempts in this window, its start).
    fn count(&self, key: &str, now: i64, window: i64) -> Result<(i64, i64)>;
    /// Forgets every attempt of `key`.
    fn forget(&self, key: &str) -> Result<()>;
    /// Gives back one attempt of `key` (never below zero).
    fn give_back(&self, key: &str) -> Result<()>;
}
