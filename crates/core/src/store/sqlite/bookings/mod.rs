//! Bookings on SQLite: a status move is `UPDATE .. WHERE id = ? AND status = <from>`, row count
//! checked; the reads of a booking (row, items, travellers, history), its writes, the
//! housekeeping scans and reviews. Orders with suppliers are in `supplier.rs`.

mod supplier;

use crate::error::Result;
use crate::store::port::{
    AuditRow, BookingRow, Bookings, DateChangeRow, ItemChange, ItemRow, NewBooking, NewItem,
    NewReview, NewSupplierOrder, NewTraveller, OwnedBooking, PlacedOrder, SupplierOrderRow,
    TravellerRow,
};
use rusqlite::{Connection, OptionalExtension, params};

impl Bookings for Connection {
    fn status(&self, booking: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .prepare_cached("SELECT status, user_id FROM bookings WHERE id = ?1")?
            .query_row([booking], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool> {
        let moved = self
            .prepare_cached(
                "UPDATE bookings SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
            )?
            .execute(params![to, at, booking, from])?;
        if moved != 1 {
            return Ok(false);
        }
        self.prepare_cached(
            "INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![booking, from, to, reason, at])?;
        Ok(true)
    }

    fn audit_created(&self, booking: &str, at: i64) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             VALUES (?1, NULL, 'PENDING', 'created', ?2)",
        )?
        .execute(params![booking, at])?;
        Ok(())
    }

    fn resolve(&self, user: &str, id_or_code: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT id FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2")?.query_row(params![id_or_code, user], |r| r.get(0))
            .optional()?)
    }

    fn ids_of(&self, user: &str, status: Option<&str>) -> Result<Vec<String>> {
        Ok(self
            .prepare_cached("SELECT id FROM bookings WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY starts_on, created_at, rowid")?
            .query_map(params![user, status], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn find(&self, user: &str, id_or_code: &str) -> Result<Option<BookingRow>> {
        Ok(self
            .prepare_cached("SELECT id, status, confirmation_code, bg_open('booking.contact_email', contact_email), currency, total, list_total, points_redeemed, points_value,
                    amount_due, refunded, starts_on, ends_on, created_at, updated_at
             FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2")?
            .query_row(params![id_or_code, user], |r| {
                Ok(BookingRow {
                    id: r.get(0)?,
                    status: r.get(1)?,
                    confirmation_code: r.get(2)?,
                    contact_email: r.get(3)?,
                    currency: r.get(4)?,
                    total: r.get(5)?,
                    list_total: r.get(6)?,
                    points_redeemed: r.get(7)?,
                    points_value: r.get(8)?,
                    amount_due: r.get(9)?,
                    refunded: r.get(10)?,
                    starts_on: r.get(11)?,
                    ends_on: r.get(12)?,
                    created_at: r.get(13)?,
                    updated_at: r.get(14)?,
                })
            })
            .optional()?)
    }

    fn items(&self, booking: &str) -> Result<Vec<ItemRow>> {
        Ok(self
            .prepare_cached(
                "SELECT seq, kind, offer_id, provider, reference, description, price, tax, list_price, starts_at, payload
             FROM booking_items WHERE booking_id = ?1 ORDER BY seq",
            )?
            .query_map([booking], |r| {
                Ok(ItemRow {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    offer_id: r.get(2)?,
                    provider: r.get(3)?,
                    reference: r.get(4)?,
                    description: r.get(5)?,
                    price: r.get(6)?,
                    tax: r.get(7)?,
                    list_price: r.get(8)?,
                    starts_at: r.get(9)?,
                    payload: r.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn travellers(&self, booking: &str) -> Result<Vec<TravellerRow>> {
        Ok(self
            .prepare_cached("SELECT bg_open('traveller.given_name', given_name), bg_open('traveller.family_name', family_name),
                    bg_open('traveller.born_on', born_on), type, bg_open('traveller.document', document) FROM booking_passengers WHERE booking_id = ?1 ORDER BY seq")?
            .query_map([booking], |r| {
                Ok(TravellerRow {
                    given_name: r.get(0)?,
                    family_name: r.get(1)?,
                    born_on: r.get(2)?,
                    kind: r.get(3)?,
                    document: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn history(&self, booking: &str) -> Result<Vec<AuditRow>> {
        Ok(self
            .prepare_cached("SELECT from_status, to_status, reason, at FROM booking_audit WHERE booking_id = ?1 ORDER BY id")?
            .query_map([booking], |r| {
                Ok(AuditRow {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    reason: r.get(2)?,
                    at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn code_taken(&self, code: &str) -> Result<bool> {
        Ok(self
            .prepare_cached("SELECT 1 FROM bookings WHERE confirmation_code = ?1")?
            .query_row([code], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn insert(&self, b: &NewBooking<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO bookings(id, user_id, status, confirmation_code, contact_email, currency, total, list_total,
                     points_redeemed, points_value, amount_due, starts_on, ends_on, created_at, updated_at)
                 VALUES (?1, ?2, 'PENDING', ?3, bg_seal('booking.contact_email', ?4), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)")?.execute(
            params![b.id, b.user, b.confirmation_code, b.contact_email, b.currency, b.total, b.list_total, b.points_redeemed,
                b.points_value, b.amount_due, b.starts_on, b.ends_on, b.at],
        )?;
        Ok(())
    }

    fn add_item(&self, booking: &str, i: &NewItem<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO booking_items(booking_id, seq, kind, offer_id, provider, reference, description, price, tax,
                         list_price, continent, starts_at, payload)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")?.execute(
            params![booking, i.seq, i.kind, i.offer_id, i.provider, i.reference, i.description, i.price,
                i.tax, i.list_price, i.continent, i.starts_at, i.payload],
        )?;
        Ok(())
    }

    fn add_traveller(&self, booking: &str, p: &NewTraveller<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO booking_passengers(booking_id, seq, given_name, family_name, born_on, type, document)
                     VALUES (?1, ?2, bg_seal('traveller.given_name', ?3), bg_seal('traveller.family_name', ?4),
                             bg_seal('traveller.born_on', ?5), ?6, bg_seal('traveller.document', ?7))")?.execute(
            params![booking, p.seq, p.given_name, p.family_name, p.born_on, p.kind, p.document],
        )?;
        Ok(())
    }

    fn rename_traveller(
        &self,
        booking: &str,
        seq: i64,
        given_name: &str,
        family_name: &str,
        at: i64,
    ) -> Result<()> {
        self.prepare_cached("UPDATE booking_passengers SET given_name = bg_seal('traveller.given_name', ?3), family_name = bg_seal('traveller.family_name', ?4) WHERE booking_id = ?1 AND seq = ?2")?.execute(
            params![booking, seq, given_name, family_name],
        )?;
        self.prepare_cached("UPDATE bookings SET updated_at = ?2 WHERE id = ?1")?
            .execute(params![booking, at])?;
        Ok(())
    }

    fn replace_item(&self, c: &ItemChange<'_>) -> Result<()> {
        self.prepare_cached("UPDATE booking_items SET offer_id = ?3, description = ?4, price = ?5, tax = ?6, list_price = ?5, starts_at = ?7, payload = ?8
                 WHERE booking_id = ?1 AND seq = ?2")?.execute(
            params![c.booking, c.seq, c.offer_id, c.description, c.price, c.tax, c.starts_at, c.payload],
        )?;
        self.prepare_cached("UPDATE bookings SET total = total + ?2, list_total = list_total + ?2, amount_due = amount_due + ?2, updated_at = ?3,
                     starts_on = (SELECT date(min(starts_at), 'unixepoch') FROM booking_items WHERE booking_id = ?1),
                     ends_on = max(?4, (SELECT ends_on FROM bookings WHERE id = ?1))
                 WHERE id = ?1")?.execute(
            params![c.booking, c.delta, c.at, c.ends_on],
        )?;
        Ok(())
    }

    fn date_changes(&self, booking: &str) -> Result<Vec<DateChangeRow>> {
        Ok(self
            .prepare_cached(
                "SELECT number, from_date, to_date, fare_difference, fee, fee_waived, waived_for, at
                 FROM booking_date_changes WHERE booking_id = ?1 ORDER BY number",
            )?
            .query_map([booking], |r| {
                Ok(DateChangeRow {
                    number: r.get(0)?,
                    from_date: r.get(1)?,
                    to_date: r.get(2)?,
                    fare_difference: r.get(3)?,
                    fee: r.get(4)?,
                    fee_waived: r.get(5)?,
                    waived_for: r.get(6)?,
                    at: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn record_date_change(&self, booking: &str, c: &DateChangeRow) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "INSERT INTO booking_date_changes
                     (booking_id, number, from_date, to_date, fare_difference, fee, fee_waived, waived_for, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                booking,
                c.number,
                c.from_date,
                c.to_date,
                c.fare_difference,
                c.fee,
                c.fee_waived,
                c.waived_for,
                c.at
            ])?
            == 1)
    }

    fn lapsing_pending(&self, created_before: i64) -> Result<Vec<OwnedBooking>> {
        // Two index range scans (status, created_at) rather than one scan of every booking.
        Ok(self
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'PENDING' AND created_at < ?1",
            )?
            .query_map([created_before], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn lapsing_charges(
        &self,
        updated_before: i64,
        action_before: i64,
    ) -> Result<Vec<OwnedBooking>> {
        Ok(self
            .prepare_cached(
                "SELECT id, user_id FROM bookings b WHERE status = 'PAYMENT_PROCESSING' AND updated_at < ?1
                 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
                 AND (updated_at < ?2 OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'requires_action'))",
            )?
            .query_map([updated_before, action_before], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn lapsing_held(&self, now: i64, created_since: i64) -> Result<Vec<OwnedBooking>> {
        Ok(self
            .prepare_cached(
                "SELECT b.id, b.user_id FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
                 WHERE s.held = 1 AND s.status = 'confirmed' AND s.payment_required_by < ?1 AND b.status = 'PENDING' AND b.created_at >= ?2",
            )?
            .query_map([now, created_since], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn ending(&self, today: &str) -> Result<Vec<OwnedBooking>> {
        Ok(self
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'CONFIRMED' AND ends_on < ?1",
            )?
            .query_map([today], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn reviewed(&self, booking: &str) -> Result<bool> {
        Ok(self
            .prepare_cached("SELECT 1 FROM reviews WHERE booking_id = ?1")?
            .query_row([booking], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn add_review(&self, r: &NewReview<'_>) -> Result<()> {
        self.prepare_cached("INSERT INTO reviews(id, booking_id, package_id, user_id, rating, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
            params![r.id, r.booking, r.package, r.user, r.rating, r.text, r.at],
        )?;
        self.prepare_cached("UPDATE packages SET rating = round((rating * review_count + ?2) / (review_count + 1), 2), review_count = review_count + 1 WHERE id = ?1")?.execute(
            params![r.package, f64::from(r.rating)],
        )?;
        super::packages::catalogue_changed(self)?;
        Ok(())
    }

    fn order_intent(&self, order: &NewSupplierOrder<'_>) -> Result<()> {
        supplier::intent(self, order)
    }
    fn orders_cancelling(&self, booking: &str, at: i64) -> Result<()> {
        supplier::cancelling(self, booking, at)
    }
    fn unpaid_held_order(&self, booking: &str) -> Result<Option<String>> {
        supplier::unpaid_held(self, booking)
    }
    fn open_order(&self, booking: &str) -> Result<Option<(String, String)>> {
        supplier::open(self, booking)
    }
    fn held_until(&self, booking: &str, default: i64) -> Result<Option<i64>> {
        supplier::held_until(self, booking, default)
    }
    fn orders_pending(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        supplier::rows(self, "booking_id = ?1 AND status = 'pending'", booking)
    }
    fn orders_to_cancel(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        supplier::rows(
            self,
            "booking_id = ?1 AND status IN ('confirmed', 'cancelling')",
            booking,
        )
    }
    fn orders_unsettled(&self) -> Result<Vec<SupplierOrderRow>> {
        supplier::rows(self, "status IN ('pending', 'cancelling') AND ?1 = ?1", "")
    }
    fn held_flight_orders(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        supplier::held_flights(self, "booking_id = ?1", booking)
    }
    fn held_flight_orders_paid(&self) -> Result<Vec<SupplierOrderRow>> {
        supplier::held_flights(
            self,
            "booking_id IN (SELECT id FROM bookings WHERE status = 'CONFIRMED') AND ?1 = ?1",
            "",
        )
    }
    fn order_placed(
        &self,
        order: &SupplierOrderRow,
        placed: &PlacedOrder<'_>,
        at: i64,
    ) -> Result<()> {
        supplier::placed(self, order, placed, at)
    }
    fn order_failed(&self, order: &str, reason: &str, at: i64) -> Result<()> {
        supplier::failed(self, order, reason, at)
    }
    fn order_note(&self, order: &str, message: &str, at: i64) -> Result<()> {
        supplier::note(self, order, message, at)
    }
    fn order_paid(&self, order: &str, at: i64) -> Result<()> {
        supplier::paid(self, order, at)
    }
    fn order_cancel_quoted(
        &self,
        order: &str,
        cancellation: &str,
        refund: Option<(i64, &str)>,
        at: i64,
    ) -> Result<()> {
        supplier::cancel_quoted(self, order, cancellation, refund, at)
    }
    fn order_cancelled(&self, order: &str, at: i64) -> Result<()> {
        supplier::cancelled(self, order, at)
    }
    fn order_status(&self, order: &str) -> Result<String> {
        supplier::status(self, order)
    }
}
