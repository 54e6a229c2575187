//! Price watches and what they last saw, on SQLite.

use crate::store::port::Watches;
use rusqlite::Connection;

impl Watches for Connection {}
