//! Idempotency keys: who claimed a key, for which request, tied to which booking, answered
//! how.

use crate::error::Result;

/// One key: whose, and for what (`create`, `pay`, `cancel`).
#[derive(Debug, Clone, Copy)]
pub struct KeyRef<'a> {
    pub scope: &'a str,
    pub user: &'a str,
    pub key: &'a str,
}

/// A key's record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub request_hash: String,
    /// `in_progress`, `interrupted`, or the answer to replay (JSON).
    pub response: String,
    /// When the request running under the key took it.
    pub taken_at: i64,
    /// The booking the key acts on, once known.
    pub booking: Option<String>,
}

/// Promise: of any number of writers claiming one key at once, exactly one gets it; every
/// later change to a key is conditional on the record its writer holds (its `taken_at`, its
/// `response`), so a request whose claim was taken over can no longer write under the key.
pub trait Keys {
    /// Claims a key nobody holds (`in_progress`, tied to `booking` when known up front);
    /// `false` when the key exists.
    fn claim(&self, k: &KeyRef<'_>, hash: &str, booking: Option<&str>, at: i64) -> Result<bool>;
    fn record(&self, k: &KeyRef<'_>) -> Result<Option<KeyRecord>>;
    /// Takes over a key whose record is still `seen`: running from `at` for `hash`, tied to
    /// `booking`. `false` when another writer changed it first.
    fn take_over(
        &self,
        k: &KeyRef<'_>,
        seen: &KeyRecord,
        hash: &str,
        booking: Option<&str>,
        at: i64,
    ) -> Result<bool>;
    /// Ties the key, claimed at `taken_at`, still running and tied to nothing, to `booking`.
    fn tie(&self, k: &KeyRef<'_>, taken_at: i64, booking: &str) -> Result<bool>;
    /// Records `response` for the request that claimed the key at `taken_at`, if it still
    /// runs under it.
    fn answer(&self, k: &KeyRef<'_>, taken_at: i64, response: &str) -> Result<bool>;
    /// Frees the key claimed at `taken_at` if it is still running and nothing was written
    /// under it (tied to no booking); `false` otherwise.
    fn free(&self, k: &KeyRef<'_>, taken_at: i64) -> Result<bool>;
}
