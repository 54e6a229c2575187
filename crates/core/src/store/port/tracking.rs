//! Analytics: what clients report (searches, offer views, clicks, bookings started) and the
//! bookings' facts the reports count.

use crate::error::Result;

/// One client event to keep.
#[derive(Debug, Clone)]
pub struct Tracked<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub name: &'a str,
    pub route: Option<&'a str>,
    pub provider: Option<&'a str>,
    pub package: Option<&'a str>,
    pub at: i64,
}

/// A kept client event, as a report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedRow {
    pub name: String,
    pub at: i64,
    pub route: Option<String>,
    pub provider: Option<String>,
    pub package: Option<String>,
}

/// A booking as the reports count it, with its first item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFact {
    pub id: String,
    pub created_at: i64,
    pub status: String,
    pub currency: String,
    /// Minor units.
    pub total: i64,
    pub refunded: i64,
    /// A payment succeeded for it.
    pub paid: bool,
    /// flight, hotel or package.
    pub kind: String,
    pub provider: String,
    pub offer_id: String,
    /// The first item's details as stored (JSON).
    pub details: String,
}

/// A package item of a booking, as a partner's sales report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSaleRow {
    pub booking_id: String,
    pub package_id: String,
    pub status: String,
    pub currency: String,
    /// The item's price (every traveller), minor units.
    pub price: i64,
    /// A payment succeeded for the booking.
    pub paid: bool,
    pub travellers: i64,
}

/// Promise: none beyond each call being one statement (reports read without a transaction).
pub trait Tracking {
    fn record(&self, events: &[Tracked<'_>]) -> Result<()>;
    /// Client events at `from` or later and before `to`, oldest first.
    fn tracked(&self, from: i64, to: i64) -> Result<Vec<TrackedRow>>;
    /// Bookings created at `from` or later and before `to`, oldest first.
    fn booking_facts(&self, from: i64, to: i64) -> Result<Vec<BookingFact>>;
    /// The packages `owner` owns: (id, title), by id.
    fn owned_packages(&self, owner: &str) -> Result<Vec<(String, String)>>;
    /// The package items of bookings created at `from` or later and before `to`, of the
    /// packages `owner` owns, oldest first.
    fn package_sales(&self, owner: &str, from: i64, to: i64) -> Result<Vec<PackageSaleRow>>;
    /// Paid bookings' totals less refunds, per currency, over all time (minor units).
    fn revenue_by_currency(&self) -> Result<Vec<(String, i64)>>;
    /// Searches reported by clients, per provider ("" when none was named), over all time.
    fn searches_by_provider(&self) -> Result<Vec<(String, i64)>>;
}
