//! Badges, challenges and the leaderboard: what the points rules read and record beside the ledger, on SQLite.

use crate::store::port::Points;
use rusqlite::Connection;

impl Points for Connection {}
