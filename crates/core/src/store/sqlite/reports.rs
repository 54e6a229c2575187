//! Figures over many rows for analytics and the admin's view, on SQLite.

use crate::store::port::Reports;
use rusqlite::Connection;

impl Reports for Connection {}
