//! The storage port: what the rules need from a database, one trait per area, each stating the
//! promise it keeps whatever the number of writers (threads, processes, server instances). A
//! [`Unit`] of work gives every repository over one transaction; `store::sqlite` implements
//! them on SQLite today, and another engine implements the same traits without touching a rule.

use crate::error::Result;

mod bookings;
mod catalogue;
mod checks;
mod conversations;
mod fares;
mod inventory;
mod keys;
mod ledger;
mod limits;
pub mod notices;
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

pub use bookings::{
    AuditRow, BookingRow, Bookings, DateChangeRow, ItemChange, ItemRow, NewBooking, NewItem,
    NewReview, NewSupplierOrder, NewTraveller, OwnedBooking, PlacedOrder, SupplierOrderRow,
    TravellerRow,
};
pub use catalogue::{Catalogue, CityRow, HotelRow, RemoteCopy, RoomRow};
pub use checks::{Checks, Problem};
pub use conversations::{Conversations, StoredConversation};
pub use fares::{FareSeen, Fares};
pub use inventory::{Inventory, Need};
pub use keys::{KeyRecord, KeyRef, Keys};
pub use ledger::{Ledger, LedgerRow};
pub use limits::Limits;
pub use notices::{FailedMail, Mail, NewMail, NewNotice, Notice, Notices, Recipient, Sent};
pub use outbox::{Event, NewEvent, Outbox};
pub use packages::{
    DepartureRow, FacetCount, Filing, Found, IndexDeparture, IndexQuery, IndexRow, IndexVersions,
    PackageIndex, PlaceFilter, StoredPackage, Word,
};
pub use payments::{
    Attempt, ChargeBasis, ExtraCharge, NewAttempt, NewRefund, OwedRefund, PaymentRow, Payments,
    ReferencedPayment,
};
pub use points::{LeaderRow, Points};
pub use referrals::{ReferralRow, Referrals};
pub use reports::{DayFigures, Reports};
pub use subscriptions::{Delivered, Subscriptions, Webhook};
pub use tracking::{BookingFact, PackageSaleRow, Tracked, TrackedRow, Tracking};
pub use trips::Trips;
pub use users::{NewAccount, RefreshToken, StoredProfile, Users};
pub use watches::Watches;

/// One unit of work: the repositories, all inside the caller's transaction, so what they write
/// commits or rolls back together. A rule takes `&dyn Unit` (or calls these on the transaction
/// it holds) and never sees the engine.
pub trait Unit {
    fn bookings(&self) -> &dyn Bookings;
    fn inventory(&self) -> &dyn Inventory;
    fn keys(&self) -> &dyn Keys;
    fn outbox(&self) -> &dyn Outbox;
    fn ledger(&self) -> &dyn Ledger;
    fn limits(&self) -> &dyn Limits;
    fn subscriptions(&self) -> &dyn Subscriptions;
    fn users(&self) -> &dyn Users;
    fn reports(&self) -> &dyn Reports;
    fn payments(&self) -> &dyn Payments;
    fn points(&self) -> &dyn Points;
    fn trips(&self) -> &dyn Trips;
    fn conversations(&self) -> &dyn Conversations;
    fn watches(&self) -> &dyn Watches;
    fn notices(&self) -> &dyn Notices;
    fn tracking(&self) -> &dyn Tracking;
    fn fares(&self) -> &dyn Fares;
    fn packages(&self) -> &dyn PackageIndex;
    fn catalogue(&self) -> &dyn Catalogue;
    fn checks(&self) -> &dyn Checks;
    fn referrals(&self) -> &dyn Referrals;
    /// Makes the writers of `topic` take turns until this unit ends, so that a check and the
    /// writes that depend on it (fixtures loaded once, ...) are not interleaved with another
    /// writer's. SQLite's writers already take turns (one at a time); PostgreSQL takes a
    /// transaction-scoped advisory lock named by the topic. Only meaningful in a write unit.
    fn take_turn(&self, topic: &str) -> Result<()>;
    /// [`Unit::take_turn`] without waiting: `false` when another writer holds the turn now
    /// (work that one writer is enough for, such as housekeeping, is then left to it).
    fn try_turn(&self, topic: &str) -> Result<bool>;
}

/// The 64-bit key of an advisory lock named `topic` (FNV-1a): the same on every instance.
pub fn turn_key(topic: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in topic.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}
