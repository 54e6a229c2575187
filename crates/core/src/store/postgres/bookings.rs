//! Bookings on PostgreSQL: the reads of a booking (row, items, travellers, history), its
//! writes, the housekeeping scans, reviews, and the orders placed with real suppliers
//! (`supplier_orders`).
//!
//! Writers run side by side here (READ COMMITTED), where SQLite has one at a time. What keeps
//! each promise:
//! - a status is read in a write unit with `SELECT .. FOR NO KEY UPDATE` ([`Bookings::status`]):
//!   the booking's row stays locked until the unit ends, so a rule that reads the status and
//!   acts on it (a transition, a change of flight) acts on the status as it is, and another
//!   writer of that booking waits for it, as on SQLite; `FOR NO KEY UPDATE` (not `FOR
//!   UPDATE`) lets rows that only refer to the booking (payments, events) be written
//!   meanwhile.
//! - a move is one statement: the `UPDATE .. WHERE status = <from> RETURNING` and its audit
//!   row, in one `WITH` ([`Bookings::move_status`]): two writers cannot both move it.
//! - replacing an item locks its booking's row first, so the totals and dates it derives
//!   from the items read every item as committed by the writer before it.
//! - a review is one per booking through `INSERT .. ON CONFLICT (booking_id) DO NOTHING`:
//!   the writer that finds the review written meanwhile gets the same conflict the rule gives
//!   when it sees it first, and the package's rating moves once.

use super::Row;
use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::store::port::*;
use crate::store::sealed;

/// The columns of a supplier order, in the order [`order_row`] reads them.
const ORDER_COLUMNS: &str =
    "id, booking_id, seq, kind, provider, offer_id, offer, status, order_id, created_at";

/// The columns of a booking, in the order [`booking_row`] reads them.
const BOOKING_COLUMNS: &str = "id, status, confirmation_code, contact_email, currency, total, list_total, points_redeemed, points_value,
     amount_due, refunded, starts_on, ends_on, created_at, updated_at";

fn booking_row(r: &Row) -> Result<BookingRow> {
    Ok(BookingRow {
        id: get(r, 0)?,
        status: get(r, 1)?,
        confirmation_code: get(r, 2)?,
        contact_email: get(r, 3)?,
        currency: get(r, 4)?,
        total: get(r, 5)?,
        list_total: get(r, 6)?,
        points_redeemed: get(r, 7)?,
        points_value: get(r, 8)?,
        amount_due: get(r, 9)?,
        refunded: get(r, 10)?,
        starts_on: get(r, 11)?,
        ends_on: get(r, 12)?,
        created_at: get(r, 13)?,
        updated_at: get(r, 14)?,
    })
}

fn order_row(r: &Row) -> Result<SupplierOrderRow> {
    Ok(SupplierOrderRow {
        id: get(r, 0)?,
        booking_id: get(r, 1)?,
        seq: get(r, 2)?,
        kind: get(r, 3)?,
        provider: get(r, 4)?,
        offer_id: get(r, 5)?,
        offer: get(r, 6)?,
        status: get(r, 7)?,
        order_id: get(r, 8)?,
        created_at: get(r, 9)?,
    })
}

fn owned(rows: Vec<Row>) -> Result<Vec<OwnedBooking>> {
    rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
}

/// An item's seq as the port gives it (`u32`); a stored seq out of range is a storage error.
fn seq(r: &Row, i: usize) -> Result<u32> {
    let seq: i64 = get(r, i)?;
    u32::try_from(seq).map_err(|_| Error::Storage {
        message: format!("an item's seq {seq} is out of range"),
        interrupted: false,
    })
}

impl PgUnit<'_> {
    /// Supplier orders among those `filter` selects, oldest first (as on SQLite: by creation,
    /// then item; the id breaks what is left of a tie).
    fn orders(
        &self,
        filter: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<SupplierOrderRow>> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM supplier_orders WHERE {filter} ORDER BY created_at, seq, id COLLATE \"C\""
        );
        self.query(&sql, params)?.iter().map(order_row).collect()
    }
}

impl Bookings for PgUnit<'_> {
    fn status(&self, booking: &str) -> Result<Option<(String, String)>> {
        // Locks the row until the unit ends (a read outside a unit: for this statement only).
        self.query_opt(
            "SELECT status, user_id FROM bookings WHERE id = $1 FOR NO KEY UPDATE",
            &[&booking],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?)))
        .transpose()
    }

    fn move_status(
        &self,
        booking: &str,
        from: &str,
        to: &str,
        reason: &str,
        at: i64,
    ) -> Result<bool> {
        // One statement: the conditional update (a writer that waited for the row sees it
        // moved and updates nothing) and the audit row of what it moved.
        let written = self.execute(
            "WITH moved AS (
                 UPDATE bookings SET status = $3, updated_at = $5 WHERE id = $1 AND status = $2 RETURNING id
             )
             INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             SELECT id, $2, $3, $4, $5 FROM moved",
            &[&booking, &from, &to, &reason, &at],
        )?;
        Ok(written == 1)
    }

    fn audit_created(&self, booking: &str, at: i64) -> Result<()> {
        self.execute(
            "INSERT INTO booking_audit(booking_id, from_status, to_status, reason, at)
             VALUES ($1, NULL, 'PENDING', 'created', $2)",
            &[&booking, &at],
        )?;
        Ok(())
    }

    fn resolve(&self, user: &str, id_or_code: &str) -> Result<Option<String>> {
        // A booking whose id is the text wins over one whose code is (SQLite's first row).
        self.query_opt(
            "SELECT id FROM bookings WHERE (id = $1 OR confirmation_code = $1) AND user_id = $2
             ORDER BY id = $1 DESC LIMIT 1",
            &[&id_or_code, &user],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn ids_of(&self, user: &str, status: Option<&str>) -> Result<Vec<String>> {
        self.query(
            "SELECT id FROM bookings WHERE user_id = $1 AND ($2::TEXT IS NULL OR status = $2)
             ORDER BY starts_on COLLATE \"C\", created_at, ord",
            &[&user, &status],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn find(&self, user: &str, id_or_code: &str) -> Result<Option<BookingRow>> {
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE (id = $1 OR confirmation_code = $1) AND user_id = $2
             ORDER BY id = $1 DESC LIMIT 1"
        );
        self.query_opt(&sql, &[&id_or_code, &user])?
            .map(|r| {
                let mut row = booking_row(&r)?;
                row.contact_email = self.open(sealed::CONTACT_EMAIL, &row.contact_email)?;
                Ok(row)
            })
            .transpose()
    }

    fn items(&self, booking: &str) -> Result<Vec<ItemRow>> {
        self.query(
            "SELECT seq, kind, offer_id, provider, reference, description, price, tax, list_price, starts_at, payload
             FROM booking_items WHERE booking_id = $1 ORDER BY seq",
            &[&booking],
        )?
        .iter()
        .map(|r| {
            Ok(ItemRow {
                seq: seq(r, 0)?,
                kind: get(r, 1)?,
                offer_id: get(r, 2)?,
                provider: get(r, 3)?,
                reference: get(r, 4)?,
                description: get(r, 5)?,
                price: get(r, 6)?,
                tax: get(r, 7)?,
                list_price: get(r, 8)?,
                starts_at: get(r, 9)?,
                payload: get(r, 10)?,
            })
        })
        .collect()
    }

    fn travellers(&self, booking: &str) -> Result<Vec<TravellerRow>> {
        self.query(
            "SELECT given_name, family_name, born_on, type, document FROM booking_passengers
             WHERE booking_id = $1 ORDER BY seq",
            &[&booking],
        )?
        .iter()
        .map(|r| {
            Ok(TravellerRow {
                given_name: self.open(sealed::GIVEN_NAME, &get::<String>(r, 0)?)?,
                family_name: self.open(sealed::FAMILY_NAME, &get::<String>(r, 1)?)?,
                born_on: self.open(sealed::BORN_ON, &get::<String>(r, 2)?)?,
                kind: get(r, 3)?,
                document: self
                    .open_opt(sealed::DOCUMENT, get::<Option<String>>(r, 4)?.as_deref())?,
            })
        })
        .collect()
    }

    fn history(&self, booking: &str) -> Result<Vec<AuditRow>> {
        self.query(
            "SELECT from_status, to_status, reason, at FROM booking_audit WHERE booking_id = $1 ORDER BY id",
            &[&booking],
        )?
        .iter()
        .map(|r| {
            Ok(AuditRow {
                from: get(r, 0)?,
                to: get(r, 1)?,
                reason: get(r, 2)?,
                at: get(r, 3)?,
            })
        })
        .collect()
    }

    fn date_changes(&self, booking: &str) -> Result<Vec<DateChangeRow>> {
        self.query(
            "SELECT number, from_date, to_date, fare_difference, fee, fee_waived, waived_for, at
             FROM booking_date_changes WHERE booking_id = $1 ORDER BY number",
            &[&booking],
        )?
        .iter()
        .map(|r| {
            Ok(DateChangeRow {
                number: u32::try_from(get::<i64>(r, 0)?).map_err(Error::internal)?,
                from_date: get(r, 1)?,
                to_date: get(r, 2)?,
                fare_difference: get(r, 3)?,
                fee: get(r, 4)?,
                fee_waived: get(r, 5)?,
                waived_for: get(r, 6)?,
                at: get(r, 7)?,
            })
        })
        .collect()
    }

    fn record_date_change(&self, booking: &str, c: &DateChangeRow) -> Result<bool> {
        Ok(self.execute(
            "INSERT INTO booking_date_changes
                 (booking_id, number, from_date, to_date, fare_difference, fee, fee_waived, waived_for, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            &[
                &booking,
                &i64::from(c.number),
                &c.from_date,
                &c.to_date,
                &c.fare_difference,
                &c.fee,
                &c.fee_waived,
                &c.waived_for,
                &c.at,
            ],
        )? == 1)
    }

    fn code_taken(&self, code: &str) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM bookings WHERE confirmation_code = $1",
                &[&code],
            )?
            .is_some())
    }

    fn insert(&self, b: &NewBooking<'_>) -> Result<()> {
        let contact_email = self.seal(sealed::CONTACT_EMAIL, b.contact_email)?;
        self.execute(
            "INSERT INTO bookings(id, user_id, status, confirmation_code, contact_email, currency, total, list_total,
                 points_redeemed, points_value, amount_due, starts_on, ends_on, created_at, updated_at)
             VALUES ($1, $2, 'PENDING', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            &[
                &b.id,
                &b.user,
                &b.confirmation_code,
                &contact_email,
                &b.currency,
                &b.total,
                &b.list_total,
                &b.points_redeemed,
                &b.points_value,
                &b.amount_due,
                &b.starts_on,
                &b.ends_on,
                &b.at,
            ],
        )?;
        Ok(())
    }

    fn add_item(&self, booking: &str, i: &NewItem<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO booking_items(booking_id, seq, kind, offer_id, provider, reference, description, price, tax,
                 list_price, continent, starts_at, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &booking,
                &i.seq,
                &i.kind,
                &i.offer_id,
                &i.provider,
                &i.reference,
                &i.description,
                &i.price,
                &i.tax,
                &i.list_price,
                &i.continent,
                &i.starts_at,
                &i.payload,
            ],
        )?;
        Ok(())
    }

    fn add_traveller(&self, booking: &str, p: &NewTraveller<'_>) -> Result<()> {
        let given_name = self.seal(sealed::GIVEN_NAME, p.given_name)?;
        let family_name = self.seal(sealed::FAMILY_NAME, p.family_name)?;
        let born_on = self.seal(sealed::BORN_ON, p.born_on)?;
        let document = self.seal_opt(sealed::DOCUMENT, p.document)?;
        self.execute(
            "INSERT INTO booking_passengers(booking_id, seq, given_name, family_name, born_on, type, document)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &booking,
                &p.seq,
                &given_name,
                &family_name,
                &born_on,
                &p.kind,
                &document,
            ],
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
        let given_name = self.seal(sealed::GIVEN_NAME, given_name)?;
        let family_name = self.seal(sealed::FAMILY_NAME, family_name)?;
        self.execute(
            "UPDATE booking_passengers SET given_name = $3, family_name = $4 WHERE booking_id = $1 AND seq = $2",
            &[&booking, &seq, &given_name, &family_name],
        )?;
        self.execute(
            "UPDATE bookings SET updated_at = $2 WHERE id = $1",
            &[&booking, &at],
        )?;
        Ok(())
    }

    fn replace_item(&self, c: &ItemChange<'_>) -> Result<()> {
        // The booking's row is locked before its items are read: a writer replacing another
        // item of it waits here until this unit ends, then derives the dates from items as
        // this one left them. (Without the lock, its `UPDATE bookings` would wait for the row
        // and then compute `starts_on` from items as they were before this unit.)
        self.query(
            "SELECT 1 FROM bookings WHERE id = $1 FOR NO KEY UPDATE",
            &[&c.booking],
        )?;
        self.execute(
            "UPDATE booking_items SET offer_id = $3, description = $4, price = $5, tax = $6, list_price = $5, starts_at = $7, payload = $8
             WHERE booking_id = $1 AND seq = $2",
            &[
                &c.booking,
                &i64::from(c.seq),
                &c.offer_id,
                &c.description,
                &c.price,
                &c.tax,
                &c.starts_at,
                &c.payload,
            ],
        )?;
        self.execute(
            "UPDATE bookings SET total = total + $2, list_total = list_total + $2, amount_due = amount_due + $2, updated_at = $3,
                 starts_on = (SELECT to_char(to_timestamp(min(starts_at)) AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                              FROM booking_items WHERE booking_id = $1),
                 ends_on = GREATEST($4 COLLATE \"C\", ends_on COLLATE \"C\")
             WHERE id = $1",
            &[&c.booking, &c.delta, &c.at, &c.ends_on],
        )?;
        Ok(())
    }

    // The scans below have no order on SQLite (they follow its index); here they follow the
    // same index order, so both list the same bookings in the same order.

    fn lapsing_pending(&self, created_before: i64) -> Result<Vec<OwnedBooking>> {
        owned(self.query(
            "SELECT id, user_id FROM bookings WHERE status = 'PENDING' AND created_at < $1
             ORDER BY created_at, ord",
            &[&created_before],
        )?)
    }

    fn lapsing_charges(
        &self,
        updated_before: i64,
        action_before: i64,
    ) -> Result<Vec<OwnedBooking>> {
        owned(self.query(
            "SELECT id, user_id FROM bookings b WHERE status = 'PAYMENT_PROCESSING' AND updated_at < $1
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
             AND (updated_at < $2 OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'requires_action'))
             ORDER BY created_at, ord",
            &[&updated_before, &action_before],
        )?)
    }

    fn lapsing_held(&self, now: i64, created_since: i64) -> Result<Vec<OwnedBooking>> {
        // One row per held order, as on SQLite (a booking holding two is listed twice).
        owned(self.query(
            "SELECT b.id, b.user_id FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
             WHERE s.held = true AND s.status = 'confirmed' AND s.payment_required_by < $1
               AND b.status = 'PENDING' AND b.created_at >= $2
             ORDER BY b.created_at, b.ord, s.created_at, s.seq",
            &[&now, &created_since],
        )?)
    }

    fn ending(&self, today: &str) -> Result<Vec<OwnedBooking>> {
        owned(self.query(
            "SELECT id, user_id FROM bookings WHERE status = 'CONFIRMED' AND ends_on < $1 COLLATE \"C\"
             ORDER BY ends_on COLLATE \"C\", ord",
            &[&today],
        )?)
    }

    fn reviewed(&self, booking: &str) -> Result<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM reviews WHERE booking_id = $1", &[&booking])?
            .is_some())
    }

    fn add_review(&self, r: &NewReview<'_>) -> Result<()> {
        // The rule checks `reviewed` first; a writer that passed that check while another
        // wrote its review finds the review here (the insert waits for the other unit and then
        // inserts nothing), and is refused as the rule would have refused it.
        let written = self.execute(
            "INSERT INTO reviews(id, booking_id, package_id, user_id, rating, text, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (booking_id) DO NOTHING",
            &[
                &r.id,
                &r.booking,
                &r.package,
                &r.user,
                &i64::from(r.rating),
                &r.text,
                &r.at,
            ],
        )?;
        if written != 1 {
            return Err(Error::Conflict(format!(
                "booking {} is already reviewed",
                r.booking
            )));
        }
        // One statement on the package's row: a writer that waits for it recomputes from the
        // rating and count the other left (SQLite's round(x, 2) is numeric rounding here).
        self.execute(
            "UPDATE packages SET rating = round(((rating * review_count + $2) / (review_count + 1))::NUMERIC, 2)::DOUBLE PRECISION,
                 review_count = review_count + 1
             WHERE id = $1",
            &[&r.package, &f64::from(r.rating)],
        )?;
        Ok(())
    }

    fn order_intent(&self, o: &NewSupplierOrder<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO supplier_orders(id, booking_id, seq, kind, provider, offer_id, offer, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
            &[
                &o.id,
                &o.booking,
                &o.seq,
                &o.kind,
                &o.provider,
                &o.supplier_ref,
                &o.offer,
                &o.at,
            ],
        )?;
        Ok(())
    }

    fn orders_cancelling(&self, booking: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET status = 'cancelling', updated_at = $2 WHERE booking_id = $1 AND status = 'confirmed'",
            &[&booking, &at],
        )?;
        Ok(())
    }

    fn unpaid_held_order(&self, booking: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT s.provider FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
             WHERE s.booking_id = $1 AND s.status = 'confirmed' AND s.held = true AND b.status = 'CONFIRMED'
             ORDER BY s.created_at, s.seq LIMIT 1",
            &[&booking],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn open_order(&self, booking: &str) -> Result<Option<(String, String)>> {
        self.query_opt(
            "SELECT provider, status FROM supplier_orders WHERE booking_id = $1 AND status IN ('pending', 'cancelling')
             ORDER BY created_at, seq LIMIT 1",
            &[&booking],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?)))
        .transpose()
    }

    fn held_until(&self, booking: &str, default: i64) -> Result<Option<i64>> {
        let row = self.query_one(
            "SELECT min(coalesce(payment_required_by, $2)) FROM supplier_orders
             WHERE booking_id = $1 AND status = 'confirmed' AND held = true",
            &[&booking, &default],
        )?;
        get(&row, 0)
    }

    fn orders_pending(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        self.orders("booking_id = $1 AND status = 'pending'", &[&booking])
    }

    fn orders_to_cancel(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        self.orders(
            "booking_id = $1 AND status IN ('confirmed', 'cancelling')",
            &[&booking],
        )
    }

    fn orders_unsettled(&self) -> Result<Vec<SupplierOrderRow>> {
        self.orders("status IN ('pending', 'cancelling')", &[])
    }

    fn held_flight_orders(&self, booking: &str) -> Result<Vec<SupplierOrderRow>> {
        self.orders(
            "status = 'confirmed' AND held = true AND kind = 'flight' AND booking_id = $1",
            &[&booking],
        )
    }

    fn held_flight_orders_paid(&self) -> Result<Vec<SupplierOrderRow>> {
        self.orders(
            "status = 'confirmed' AND held = true AND kind = 'flight'
             AND booking_id IN (SELECT id FROM bookings WHERE status = 'CONFIRMED')",
            &[],
        )
    }

    fn order_placed(&self, order: &SupplierOrderRow, p: &PlacedOrder<'_>, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET status = $2, order_id = $3, booking_reference = $4, updated_at = $5, held = $6,
                 payment_required_by = $7
             WHERE id = $1",
            &[
                &order.id,
                &p.status,
                &p.order_id,
                &p.booking_reference,
                &at,
                &p.held,
                &p.payment_required_by,
            ],
        )?;
        self.execute(
            "UPDATE booking_items SET reference = $3 WHERE booking_id = $1 AND seq = $2",
            &[&order.booking_id, &order.seq, &p.booking_reference],
        )?;
        Ok(())
    }

    fn order_failed(&self, order: &str, reason: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET status = 'failed', message = $2, updated_at = $3 WHERE id = $1",
            &[&order, &reason, &at],
        )?;
        Ok(())
    }

    fn order_note(&self, order: &str, message: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET message = $2, updated_at = $3 WHERE id = $1",
            &[&order, &message, &at],
        )?;
        Ok(())
    }

    fn order_paid(&self, order: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET held = false, message = NULL, updated_at = $2 WHERE id = $1",
            &[&order, &at],
        )?;
        Ok(())
    }

    fn order_cancel_quoted(
        &self,
        order: &str,
        cancellation: &str,
        refund: Option<(i64, &str)>,
        at: i64,
    ) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET cancellation_id = $2, refund_amount = $3, refund_currency = $4, updated_at = $5
             WHERE id = $1",
            &[
                &order,
                &cancellation,
                &refund.map(|r| r.0),
                &refund.map(|r| r.1),
                &at,
            ],
        )?;
        Ok(())
    }

    fn order_cancelled(&self, order: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE supplier_orders SET status = 'cancelled', message = NULL, updated_at = $2 WHERE id = $1",
            &[&order, &at],
        )?;
        Ok(())
    }

    fn order_status(&self, order: &str) -> Result<String> {
        // No such order is a storage error, as on SQLite (its query_row finds no row).
        let row = self.query_one(
            "SELECT status FROM supplier_orders WHERE id = $1",
            &[&order],
        )?;
        get(&row, 0)
    }
}
