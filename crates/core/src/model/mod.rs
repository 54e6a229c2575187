//! The nouns of the domain: money, places, offers, and the records every layer shares
//! (conversation messages, fares seen, ledger rows, price watches).

pub mod conversation;
pub mod fare;
pub mod fx;
pub mod ledger;
pub mod money;
pub mod offer;
pub mod package;
pub mod places;
pub mod season;
pub mod time;
pub mod traveller;
pub mod watch;

pub use fx::FxTable;
pub use money::{Currency, Money};
pub use offer::*;
pub use places::*;
