//! The storage port on SQLite: the unit of work is the connection inside its transaction, and
//! each repository is a set of statements on it. The migrations live here too.

pub mod backup;
mod bookings;
mod catalogue;
mod checks;
mod conversations;
mod fares;
mod inventory;
mod keys;
mod ledger;
mod limits;
pub(crate) mod migrations;
mod notices;
mod outbox;
mod packages;
mod payments;
mod points;
mod referrals;
mod reports;
mod subscriptions;
mod tracking;
mod trips;
mod users;
mod watches;

use super::port::{
    Bookings, Catalogue, Checks, Conversations, Fares, Inventory, Keys, Ledger, Limits, Notices,
    Outbox, PackageIndex, Payments, Points, Referrals, Reports, Subscriptions, Tracking, Trips,
    Unit, Users, Watches,
};
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
    fn users(&self) -> &dyn Users {
        self
    }
    fn reports(&self) -> &dyn Reports {
        self
    }
    fn payments(&self) -> &dyn Payments {
        self
    }
    fn points(&self) -> &dyn Points {
        self
    }
    fn trips(&self) -> &dyn Trips {
        self
    }
    fn conversations(&self) -> &dyn Conversations {
        self
    }
    fn watches(&self) -> &dyn Watches {
        self
    }
    fn notices(&self) -> &dyn Notices {
        self
    }
    fn tracking(&self) -> &dyn Tracking {
        self
    }
    fn fares(&self) -> &dyn Fares {
        self
    }
    fn packages(&self) -> &dyn PackageIndex {
        self
    }
    fn catalogue(&self) -> &dyn Catalogue {
        self
    }
    fn checks(&self) -> &dyn Checks {
        self
    }
    fn referrals(&self) -> &dyn Referrals {
        self
    }
    fn take_turn(&self, _topic: &str) -> crate::error::Result<()> {
        // A write unit on SQLite already holds the one writer's turn.
        Ok(())
    }
    fn try_turn(&self, _topic: &str) -> crate::error::Result<bool> {
        Ok(true)
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
            fn users(&self) -> &dyn $crate::store::port::Users {
                &**self
            }
            fn reports(&self) -> &dyn $crate::store::port::Reports {
                &**self
            }
            fn payments(&self) -> &dyn $crate::store::port::Payments {
                &**self
            }
            fn points(&self) -> &dyn $crate::store::port::Points {
                &**self
            }
            fn trips(&self) -> &dyn $crate::store::port::Trips {
                &**self
            }
            fn conversations(&self) -> &dyn $crate::store::port::Conversations {
                &**self
            }
            fn watches(&self) -> &dyn $crate::store::port::Watches {
                &**self
            }
            fn notices(&self) -> &dyn $crate::store::port::Notices {
                &**self
            }
            fn tracking(&self) -> &dyn $crate::store::port::Tracking {
                &**self
            }
            fn fares(&self) -> &dyn $crate::store::port::Fares {
                &**self
            }
            fn packages(&self) -> &dyn $crate::store::port::PackageIndex {
                &**self
            }
            fn catalogue(&self) -> &dyn $crate::store::port::Catalogue {
                &**self
            }
            fn checks(&self) -> &dyn $crate::store::port::Checks {
                &**self
            }
            fn referrals(&self) -> &dyn $crate::store::port::Referrals {
                &**self
            }
            fn take_turn(&self, topic: &str) -> $crate::error::Result<()> {
                $crate::store::port::Unit::take_turn(&**self, topic)
            }
            fn try_turn(&self, topic: &str) -> $crate::error::Result<bool> {
                $crate::store::port::Unit::try_turn(&**self, topic)
            }
        }
    };
}
pub(crate) use unit_through_deref;

unit_through_deref!(Transaction<'_>);
