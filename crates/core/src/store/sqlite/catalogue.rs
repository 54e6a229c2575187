//! The market's catalogue: airports, airlines, routes, hotels, and the small key-value meta table, on SQLite.

use crate::store::port::Catalogue;
use rusqlite::Connection;

impl Catalogue for Connection {}
