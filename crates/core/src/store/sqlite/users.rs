//! Accounts, their roles and profiles, and their sessions (refresh tokens), on SQLite.

use crate::store::port::Users;
use rusqlite::Connection;

impl Users for Connection {}
