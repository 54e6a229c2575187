//! Search: queries and their validation, fan-out over providers, filters and sorts, the
//! flexible-date calendar and explore.

pub mod aggregate;
pub mod cache;
pub mod flights;
pub mod history;
pub mod hotels;
pub mod packages;
pub mod results;
pub mod searcher;
pub mod wire;

pub use flights::{FlightFilters, FlightQuery, FlightSort, SliceQuery};
pub use hotels::{HotelQuery, HotelSort};
pub use results::{
    CalendarDay, CalendarQuery, Destination, ExploreQuery, FlightResults, HotelResults, Progress,
    ProviderUpdate,
};
pub use searcher::Searcher;

/// How many offers a search shows when its query gives no limit.
pub const DEFAULT_LIMIT: usize = 50;
