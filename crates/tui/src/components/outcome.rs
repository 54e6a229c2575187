//! What a view's key handler hands back to the app: nothing (not its key), commands, or an
//! action that reaches past the view (navigation, another view's state), which `App` runs.

use crate::msg::Cmd;
use booksygo_core::search::packages::PackageQuery;
use booksygo_core::search::{FlightQuery, HotelQuery};

/// What a view did with a key.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Not this view's key: the app's global keys may take it.
    Ignored,
    /// Taken; these commands run (often none).
    Done(Vec<Cmd>),
    /// Taken; the app does this.
    Ask(Action),
}

/// Something only the app can do, asked for by a view.
#[derive(Debug)]
pub(crate) enum Action {
    /// Back to the previous view (quit on the first).
    Back,
    /// Run this search and show its results.
    Search(Query),
    /// Open the selected result.
    Open,
    /// Select this result and open it.
    OpenAt(usize),
    /// Book the selected result (a package: its chosen departure).
    Book,
}

/// A search the results view answers, as the search form built it.
#[derive(Debug)]
pub(crate) enum Query {
    Flights(FlightQuery),
    Hotels(HotelQuery),
    Packages(PackageQuery),
}
