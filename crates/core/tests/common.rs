//! Shared helpers for the core's integration tests.
#![allow(dead_code)]

use booksygo_core::LocalAgency;
use booksygo_core::agency::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use jiff::Timestamp;

/// The instant every test prices against: fares depend on how far ahead one books.
pub fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// A local agency on a fresh SQLite file in a temp dir, with the clock pinned.
pub fn agency() -> (tempfile::TempDir, LocalAgency) {
    agency_with(|_| {})
}

pub fn agency_with(tweak: impl FnOnce(&mut LocalOptions)) -> (tempfile::TempDir, LocalAgency) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = LocalOptions::new(Paths::in_dir(dir.path()));
    options.clock = Clock::fixed(now());
    tweak(&mut options);
    let agency = LocalAgency::open(options).unwrap();
    (dir, agency)
}

pub fn date(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}
