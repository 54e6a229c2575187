//! Fare history: the prices searches have seen, for trends and predictions, on SQLite.

use crate::store::port::Fares;
use rusqlite::Connection;

impl Fares for Connection {}
