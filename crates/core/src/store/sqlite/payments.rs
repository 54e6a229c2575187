//! Payments and refunds of bookings, as stored, on SQLite.

use crate::store::port::Payments;
use rusqlite::Connection;

impl Payments for Connection {}
