//! Integrity checks (`booksygo admin check`): the promises of the other areas, verified on
//! the data as it stands.

use crate::error::Result;
use serde::Serialize;

/// A promise the data breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// engine, inventory, holds, payments or points.
    pub area: String,
    /// What it is about: a flight and cabin, a booking, an account.
    pub subject: String,
    /// One line saying what is wrong.
    pub detail: String,
}

/// Reads only: safe while the server runs.
pub trait Checks {
    /// Every problem found: the engine's own check first (SQLite's `quick_check` and
    /// `foreign_key_check`; PostgreSQL enforces its keys itself), then inventory against the
    /// holds of bookings, holds of ended bookings, payments against bookings, and the points
    /// ledger. Empty when all is well.
    fn problems(&self) -> Result<Vec<Problem>>;
}
