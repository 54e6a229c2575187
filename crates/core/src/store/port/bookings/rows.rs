//! The rows the bookings repository reads and writes, in the form they are stored: statuses,
//! currencies and dates by name, money in minor units, times in Unix seconds.

/// A booking as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRow {
    pub id: String,
    pub status: String,
    pub confirmation_code: String,
    pub contact_email: String,
    pub currency: String,
    pub total: i64,
    pub list_total: i64,
    pub points_redeemed: i64,
    pub points_value: i64,
    pub amount_due: i64,
    pub refunded: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A booking to write (PENDING).
#[derive(Debug, Clone, Copy)]
pub struct NewBooking<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub confirmation_code: &'a str,
    pub contact_email: &'a str,
    pub currency: &'a str,
    pub total: i64,
    pub list_total: i64,
    pub points_redeemed: i64,
    pub points_value: i64,
    pub amount_due: i64,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub at: i64,
}

/// A booked item as stored; `payload` is the offer or departure as booked (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub seq: u32,
    pub kind: String,
    pub offer_id: String,
    pub provider: String,
    pub reference: Option<String>,
    pub description: String,
    pub price: i64,
    pub tax: i64,
    pub list_price: i64,
    pub starts_at: i64,
    pub payload: String,
}

/// An item to write with its booking.
#[derive(Debug, Clone, Copy)]
pub struct NewItem<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub offer_id: &'a str,
    pub provider: &'a str,
    pub reference: Option<&'a str>,
    pub description: &'a str,
    pub price: i64,
    pub tax: i64,
    pub list_price: i64,
    pub continent: &'a str,
    pub starts_at: i64,
    pub payload: &'a str,
}

/// An item replaced by another (a flight moved to another date), and what it does to its
/// booking: `delta` on the totals, `ends_on` at least this late.
#[derive(Debug, Clone, Copy)]
pub struct ItemChange<'a> {
    pub booking: &'a str,
    pub seq: u32,
    pub offer_id: &'a str,
    pub description: &'a str,
    pub price: i64,
    pub tax: i64,
    pub starts_at: i64,
    pub payload: &'a str,
    pub delta: i64,
    pub ends_on: &'a str,
    pub at: i64,
}

/// A flight's date change as written: its number on the booking (1 for the first), the dates,
/// the fare difference, the fee paid and the fee waived (minor units of the booking's
/// currency), and why it was waived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateChangeRow {
    pub number: u32,
    pub from_date: String,
    pub to_date: String,
    pub fare_difference: i64,
    pub fee: i64,
    pub fee_waived: i64,
    pub waived_for: Option<String>,
    pub at: i64,
}

/// A traveller as stored (`kind`: adult, child, infant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravellerRow {
    pub given_name: String,
    pub family_name: String,
    pub born_on: String,
    pub kind: String,
    pub document: Option<String>,
}

/// A traveller to write with a booking.
#[derive(Debug, Clone, Copy)]
pub struct NewTraveller<'a> {
    pub seq: i64,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub born_on: &'a str,
    pub kind: &'a str,
    pub document: Option<&'a str>,
}

/// One move in a booking's history (`from` is `None` for its creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub at: i64,
}

/// A review to write.
#[derive(Debug, Clone, Copy)]
pub struct NewReview<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub package: &'a str,
    pub user: &'a str,
    pub rating: u8,
    pub text: &'a str,
    pub at: i64,
}

/// An item ordered from a real supplier, as stored. `offer_id` is what is ordered (the
/// supplier's offer id, or its quote id for a stay), `offer` the JSON as priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierOrderRow {
    pub id: String,
    pub booking_id: String,
    pub seq: i64,
    pub kind: String,
    pub provider: String,
    pub offer_id: String,
    pub offer: String,
    pub status: String,
    pub order_id: Option<String>,
    pub created_at: i64,
}

/// The intent to order an item from a supplier, written before the supplier is called.
#[derive(Debug, Clone, Copy)]
pub struct NewSupplierOrder<'a> {
    pub id: &'a str,
    pub booking: &'a str,
    pub seq: i64,
    pub kind: &'a str,
    pub provider: &'a str,
    pub supplier_ref: &'a str,
    pub offer: &'a str,
    pub at: i64,
}

/// What a supplier answered for an order, to write on its row (status chosen by the rule).
#[derive(Debug, Clone, Copy)]
pub struct PlacedOrder<'a> {
    pub status: &'a str,
    pub order_id: &'a str,
    pub booking_reference: &'a str,
    pub held: bool,
    pub payment_required_by: Option<i64>,
}
