//! The nouns of the domain: money, places, offers.

pub mod fx;
pub mod money;
pub mod offer;
pub mod package;
pub mod places;
pub mod season;
pub mod time;
pub mod traveller;

pub use fx::FxTable;
pub use money::{Currency, Money};
pub use offer::*;
pub use places::*;
