//! Bookings as stored: the booking rows with their items, travellers and audit trail, their
//! statuses (by name), reviews, and the orders placed for them with real suppliers.

mod rows;

pub use rows::{
    AuditRow, BookingRow, DateChangeRow, ItemChange, ItemRow, NewBooking, NewItem, NewReview,
    NewSupplierOrder, NewTraveller, PlacedOrder, SupplierOrderRow, TravellerRow,
};

use crate::error::Result;

/// A booking id and its owner, as the housekeeping reads them.
pub type OwnedBooking = (String, String);

/// Promise: a booking leaves a status once, whatever the number of writers: a move is
/// conditional on the status it was read in, and its audit row is written with it. A booking
/// is written whole (row, items, travellers) inside its writer's unit, and the statements
/// that always go together (a traveller renamed and the booking touched, an item replaced and
/// the totals moved, an order confirmed and its item's reference) are one call. A review is
/// one per booking only because the rule checks first inside its own write unit.
pub trait Bookings {
    /// A booking's status and owner, as stored; `None` when there is no such booking.
    fn status(&self, booking: &str) -> Result<Option<(String, String)>>;
    /// Moves `booking` from `from` to `to` and writes the audit row, if it is still `from`;
    /// `false` (nothing written) when another writer moved it first.
    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool>;
    /// Writes the audit row of a new booking (PENDING, "created").
    fn audit_created(&self, booking: &str, at: i64) -> Result<()>;

    // --- reading ---

    /// The id of `user`'s booking named by its id or its confirmation code.
    fn resolve(&self, user: &str, id_or_code: &str) -> Result<Option<String>>;
    /// `user`'s booking ids (only those in `status` when given), by start date then creation.
    fn ids_of(&self, user: &str, status: Option<&str>) -> Result<Vec<String>>;
    /// `user`'s booking named by its id or its confirmation code.
    fn find(&self, user: &str, id_or_code: &str) -> Result<Option<BookingRow>>;
    /// A booking's items, in order.
    fn items(&self, booking: &str) -> Result<Vec<ItemRow>>;
    /// A booking's travellers, in order.
    fn travellers(&self, booking: &str) -> Result<Vec<TravellerRow>>;
    /// A booking's history, oldest first.
    fn history(&self, booking: &str) -> Result<Vec<AuditRow>>;

    // --- writing ---

    /// Whether a booking already has this confirmation code.
    fn code_taken(&self, code: &str) -> Result<bool>;
    /// Writes a new booking's row (PENDING).
    fn insert(&self, booking: &NewBooking<'_>) -> Result<()>;
    fn add_item(&self, booking: &str, item: &NewItem<'_>) -> Result<()>;
    fn add_traveller(&self, booking: &str, traveller: &NewTraveller<'_>) -> Result<()>;
    /// Renames traveller `seq` (1-based) and marks the booking changed at `at`.
    fn rename_traveller(
        &self,
        booking: &str,
        seq: i64,
        given_name: &str,
        family_name: &str,
        at: i64,
    ) -> Result<()>;
    /// Replaces an item and moves its booking's totals by `change.delta`; the booking starts
    /// with its earliest item and ends no earlier than `change.ends_on`.
    fn replace_item(&self, change: &ItemChange<'_>) -> Result<()>;
    /// A booking's flight date changes, the first first.
    fn date_changes(&self, booking: &str) -> Result<Vec<DateChangeRow>>;
    /// Writes `booking`'s date change number `change.number`; `false` (nothing written) when
    /// that number is already taken (another change of the booking came first).
    fn record_date_change(&self, booking: &str, change: &DateChangeRow) -> Result<bool>;

    // --- housekeeping ---

    /// PENDING bookings created before `created_before`.
    fn lapsing_pending(&self, created_before: i64) -> Result<Vec<OwnedBooking>>;
    /// PAYMENT_PROCESSING bookings untouched since `updated_before` with no successful
    /// payment, and (unless untouched since `action_before` too) none waiting for the
    /// cardholder.
    fn lapsing_charges(&self, updated_before: i64, action_before: i64)
    -> Result<Vec<OwnedBooking>>;
    /// PENDING bookings created since `created_since` holding a supplier order whose supplier
    /// deadline is before `now`.
    fn lapsing_held(&self, now: i64, created_since: i64) -> Result<Vec<OwnedBooking>>;
    /// CONFIRMED bookings that ended before `today` (YYYY-MM-DD).
    fn ending(&self, today: &str) -> Result<Vec<OwnedBooking>>;

    // --- reviews ---

    fn reviewed(&self, booking: &str) -> Result<bool>;
    /// Writes a review and folds its rating into its package's rating and review count.
    fn add_review(&self, review: &NewReview<'_>) -> Result<()>;

    // --- orders with real suppliers ---

    /// Records the intent to order an item (status `pending`).
    fn order_intent(&self, order: &NewSupplierOrder<'_>) -> Result<()>;
    /// A booking's confirmed orders are to be cancelled with their suppliers.
    fn orders_cancelling(&self, booking: &str, at: i64) -> Result<()>;
    /// The supplier of a confirmed booking's order still held unpaid, if any.
    fn unpaid_held_order(&self, booking: &str) -> Result<Option<String>>;
    /// A booking's order still pending or cancelling: (provider, status).
    fn open_order(&self, booking: &str) -> Result<Option<(String, String)>>;
    /// The earliest deadline of a booking's held orders (`default` for those without one);
    /// `None` when it holds none.
    fn held_until(&self, booking: &str, default: i64) -> Result<Option<i64>>;
    /// A booking's orders not placed yet.
    fn orders_pending(&self, booking: &str) -> Result<Vec<SupplierOrderRow>>;
    /// A booking's orders confirmed or being cancelled.
    fn orders_to_cancel(&self, booking: &str) -> Result<Vec<SupplierOrderRow>>;
    /// Every order pending or being cancelled.
    fn orders_unsettled(&self) -> Result<Vec<SupplierOrderRow>>;
    /// A booking's flight orders held unpaid.
    fn held_flight_orders(&self, booking: &str) -> Result<Vec<SupplierOrderRow>>;
    /// The flight orders held unpaid of CONFIRMED bookings.
    fn held_flight_orders_paid(&self) -> Result<Vec<SupplierOrderRow>>;
    /// Writes what the supplier answered on the order and the booking reference on its item.
    fn order_placed(
        &self,
        order: &SupplierOrderRow,
        placed: &PlacedOrder<'_>,
        at: i64,
    ) -> Result<()>;
    fn order_failed(&self, order: &str, reason: &str, at: i64) -> Result<()>;
    /// Notes why the last call to the supplier about an order did not go through.
    fn order_note(&self, order: &str, message: &str, at: i64) -> Result<()>;
    /// A held order is paid.
    fn order_paid(&self, order: &str, at: i64) -> Result<()>;
    /// The supplier's quote to cancel an order.
    fn order_cancel_quoted(
        &self,
        order: &str,
        cancellation: &str,
        refund: Option<(i64, &str)>,
        at: i64,
    ) -> Result<()>;
    fn order_cancelled(&self, order: &str, at: i64) -> Result<()>;
    fn order_status(&self, order: &str) -> Result<String>;
}
