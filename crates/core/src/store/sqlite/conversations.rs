//! The assistant's conversations and their messages, on SQLite.

use crate::store::port::Conversations;
use rusqlite::Connection;

impl Conversations for Connection {}
