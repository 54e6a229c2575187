//! The storage port on SQLite: the unit of work is the connection inside its transaction, and
//! each repository is a set of statements on it. The catalogue (`market`) and the migrations
//! live here too.

mod inventory;
mod ledger;
mod limits;
pub(crate) mod market;
pub(crate) mod migrations;
mod outbox;

use super::port::{Inventory, Ledger, Limits, Outbox, Unit};
use rusqlite::{Connection, Transaction};

impl Unit for Connection {
    fn inventory(&self) -> &dyn Inventory {
        self
    }
    fn outbox(&self) -> &dyn Outbox {
        self
    }
    fn ledger(&self) -> &dyn Ledger {
        self
    }
    fn limits(&self) -> &dyn Limits {
        self
    }
}

/// A transaction is its connection's unit of work.
impl Unit for Transaction<'_> {
    fn inventory(&self) -> &dyn Inventory {
        &**self
    }
    fn outbox(&self) -> &dyn Outbox {
        &**self
    }
    fn ledger(&self) -> &dyn Ledger {
        &**self
    }
    fn limits(&self) -> &dyn Limits {
        &**self
    }
}
