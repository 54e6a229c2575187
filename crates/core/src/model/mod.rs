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

/// A count with its noun, for people: `1 adult`, `2 adults`, `0 rooms`. Never `adult(s)`.
pub fn counted(n: impl TryInto<i64>, one: &str, many: &str) -> String {
    let n: i64 = n.try_into().unwrap_or(i64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

pub use fx::FxTable;
pub use money::{Currency, Money};
pub use offer::*;
pub use places::*;
