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

/// A unit of work for anything that derefs to a connection (a transaction, a pooled
/// connection): the connection's repositories.
macro_rules! unit_through_deref {
    ($t:ty) => {
        impl $crate::store::port::Unit for $t {
            fn bookings(&self) -> &dyn $crate::store::port::Bookings {
                &**self
            }
            fn inventory(&self) -> &dyn $crate::store::port::Inventory {
                &**self
            }
            fn keys(&self) -> &dyn $crate::store::port::Keys {
                &**self
            }
            fn outbox(&self) -> &dyn $crate::store::port::Outbox {
                &**self
            }
            fn ledger(&self) -> &dyn $crate::store::port::Ledger {
                &**self
            }
            fn limits(&self) -> &dyn $crate::store::port::Limits {
                &**self
            }
            fn subscriptions(&self) -> &dyn $crate::store::port::Subscriptions {
                &**self
            }
        }
    };
}
pub(crate) use unit_through_deref;

unit_through_deref!(Transaction<'_>);
