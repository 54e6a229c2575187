//! A traveller's trips: bookings grouped and read for the trips view, on SQLite.

use crate::store::port::Trips;
use rusqlite::Connection;

impl Trips for Connection {}
