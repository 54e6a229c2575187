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

/// A search's `--max-price`, refused unless positive: no offer costs nothing or less, so the
/// answer would be an empty list read as "nothing found".
pub fn check_max_price(max: Option<crate::model::Money>) -> crate::error::Result<()> {
    if max.is_some_and(|m| m.minor <= 0) {
        return Err(crate::error::Error::invalid("--max-price must be positive"));
    }
    Ok(())
}

/// The last day on sale for a traveller whose today is `today`: [`flights::BOOKING_HORIZON_DAYS`]
/// ahead (airlines and hotels alike).
pub fn sale_horizon(today: jiff::civil::Date) -> jiff::civil::Date {
    use jiff::ToSpan;
    today
        .checked_add(flights::BOOKING_HORIZON_DAYS.days())
        .unwrap_or(today)
}

/// A flight or hotel search's limit, refused at 0: an empty answer would read as "nothing
/// found" and its hint would send the traveller looking elsewhere.
pub fn check_limit(limit: Option<usize>) -> crate::error::Result<()> {
    if limit == Some(0) {
        return Err(crate::error::Error::invalid(
            "--limit 0 would show nothing: ask for 1 or more",
        ));
    }
    Ok(())
}
