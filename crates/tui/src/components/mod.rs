//! The app's views, one module each: its state, its key handler (commands out, or an
//! action the app runs) and its drawing. `App` holds them and dispatches to them.

pub mod book;
pub mod chat;
pub mod detail;
pub mod form;
pub mod inbox;
pub(crate) mod outcome;
pub mod palette;
pub mod points;
pub mod results;
pub mod search;
pub mod trips;
pub mod watches;
