//! The storage port on SQLite: the unit of work is the connection inside its transaction, and
//! each repository is a set of statements on it. The catalogue (`market`) and the migrations
//! live here too.

mod bookings;
mod inventory;
mod keys;
mod ledger;
mod limits;
pub(crate) mod market;
pub(crate) mod migrations;
mod outbox;
mod subscriptions;

use super::port::{Bookings, Inventory, Keys, Ledger, Limits, Outbox, Subscriptions, Unit};
use rusqlite::{Connection, Transaction};

impl Unit for Connection {
    fn bookings(&self) -> &dyn Bookings {
        self
    }
    fn inventory(&self) -> &dyn Inventory {
        self
    }
    fn keys(&self) -> &dyn Keys {
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
    fn subscriptions(&self) -> &dyn Subscriptions {
        self
    }
}

/// A transaction is its connection's unit of work.
impl Unit for Transaction<'_> {
    fn bookings(&self) -> &dyn Bookings {
        &**self
    }
    fn inventory(&self) -> &dyn Inventory {
        &**self
    }
    fn keys(&self) -> &dyn Keys {
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
    fn subscriptions(&self) -> &dyn Subscriptions {
        &**self
    }
}
