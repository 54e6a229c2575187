//! Bookings on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Bookings for PgUnit<'_> {
    fn status(&self, booking: &str) -> Result<Option<(String, String)>> {
        Err(pending("Bookings::status"))
    }

    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool> {
        Err(pending("Bookings::move_status"))
    }

    fn audit_created(&self, booking: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::audit_created"))
    }

    fn resolve(&self, user: &str, id_or_code: &str) -> Result<Option<String>> {
        Err(pending("Bookings::resolve"))
    }

    fn ids_of(&self, user: &str, status: Option<&str>) -> Result<Vec<String>> {
        Err(pending("Bookings::ids_of"))
    }

    fn find(&self, user: &str, id_or_code: &str) -> Result<Option<BookingRow>> {
        Err(pending("Bookings::find"))
    }

    fn items(&self, booking: &str) -> Result<Vec<ItemRow>> {
        Err(pending("Bookings::items"))
    }

    fn travellers(&self, booking: &str) -> Result<Vec<TravellerRow>> {
        Err(pending("Bookings::travellers"))
    }

    fn history(&self, booking: &str) -> Result<Vec<AuditRow>> {
        Err(pending("Bookings::history"))
    }

    fn code_taken(&self, code: &str) -> Result<bool> {
        Err(pending("Bookings::code_taken"))
    }

    fn insert(&self, booking: &NewBooking<'_>) -> Result<()> {
        Err(pending("Bookings::insert"))
    }

    fn add_item(&self, booking: &str, item: &NewItem<'_>) -> Result<()> {
        Err(pending("Bookings::add_item"))
    }

    fn add_traveller(&self, booking: &str, traveller: &NewTraveller<'_>) -> Result<()> {
        Err(pending("Bookings::add_traveller"))
    }

    fn rename_traveller(
        &self,
        booking: &str,
        seq: i64,
        given_name: &str,
        family_name: &str,
        at: i64,
    ) -> Result<()> {
        Err(pending("Bookings::rename_traveller"))
    }

    fn replace_item(&self, change: &ItemChange<'_>) -> Result<()> {
        Err(pending("Bookings::replace_item"))
    }

    fn lapsing_pending(&self, created_before: i64) -> Result<Vec<OwnedBooking>> {
        Err(pending("Bookings::lapsing_pending"))
    }

    fn lapsing_charges(
        &self,
        updated_before: i64,
        action_before: i64,
    ) -> Result<Vec<OwnedBooking>> {
        Err(pending("Bookings::lapsing_charges"))
    }

    fn lapsing_held(&self, now: i64, created_since: i64) -> Result<Vec<OwnedBooking>> {
        Err(pending("Bookings::lapsing_held"))
    }

    fn ending(&self, today: &str) -> Result<Vec<OwnedBooking>> {
        Err(pending("Bookings::ending"))
    }

    fn reviewed(&self, booking: &str) -> Result<bool> {
        Err(pending("Bookings::reviewed"))
    }

    fn add_review(&self, review: &NewReview<'_>) -> Result<()> {
        Err(pending("Bookings::add_review"))
    }

    fn order_intent(&self, order: &NewSupplierOrder<'_>) -> Result<()> {
        Err(pending("Bookings::order_intent"))
    }

    fn orders_cancelling(&self, booking: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::orders_cancelling"))
    }

    fn unpaid_held_order(&self, booking: &str) -> Result<Option<String>> {
        Err(pending("Bookings::unpaid_held_order"))
    }

    fn open_order(&self, booking: &str) -> Result<Option<(String, String)>> {
        Err(pending("Bookings::open_order"))
    }

    fn held_until(&self, booking: &str, default: i64) -> Result<Option<i64>> {
        Err(pending("Bookings::held_until"))
    }

    fn orders_pending(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        Err(pending("Bookings::orders_pending"))
    }

    fn orders_to_cancel(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        Err(pending("Bookings::orders_to_cancel"))
    }

    fn orders_unsettled(&self) -> Result<Vec<SupplierOrderRow>> {
        Err(pending("Bookings::orders_unsettled"))
    }

    fn held_flight_orders(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        Err(pending("Bookings::held_flight_orders"))
    }

    fn held_flight_orders_paid(&self) -> Result<Vec<SupplierOrderRow>> {
        Err(pending("Bookings::held_flight_orders_paid"))
    }

    fn order_placed(
        &self,
        order: &SupplierOrderRow,
        placed: &PlacedOrder<'_>,
        at: i64,
    ) -> Result<()> {
        Err(pending("Bookings::order_placed"))
    }

    fn order_failed(&self, order: &str, reason: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::order_failed"))
    }

    fn order_note(&self, order: &str, message: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::order_note"))
    }

    fn order_paid(&self, order: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::order_paid"))
    }

    fn order_cancel_quoted(
        &self,
        order: &str,
        cancellation: &str,
        refund: Option<(i64, &str)>,
        at: i64,
    ) -> Result<()> {
        Err(pending("Bookings::order_cancel_quoted"))
    }

    fn order_cancelled(&self, order: &str, at: i64) -> Result<()> {
        Err(pending("Bookings::order_cancelled"))
    }

    fn order_status(&self, order: &str) -> Result<String> {
        Err(pending("Bookings::order_status"))
    }
}
