//! The app's views and the pieces they share.

pub mod form;
