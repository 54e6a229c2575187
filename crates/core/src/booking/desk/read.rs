//! Reading bookings back: by id or confirmation code, lists, and one booking whole.

use super::*;

impl Desk {
    /// A booking id from an id or a confirmation code the traveller owns.
    pub fn resolve_id(&self, user: &str, id: &str) -> Result<String> {
        self.store()
            .conn()?
            .query_row("SELECT id FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2", params![id, user], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no booking {id}")))
    }

    pub fn get_booking_as(&self, user: &str, id: &str) -> Result<Booking> {
        self.sweep()?;
        let conn = self.store().conn()?;
        load(&conn, user, id)
    }

    pub fn list_bookings_as(
        &self,
        user: &str,
        status: Option<BookingStatus>,
    ) -> Result<Vec<Booking>> {
        self.sweep()?;
        let conn = self.store().conn()?;
        let ids: Vec<String> = conn
            .prepare_cached("SELECT id FROM bookings WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY starts_on, created_at, rowid")?
            .query_map(params![user, status.map(|s| s.as_str())], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| load(&conn, user, id)).collect()
    }
}

/// The booking holding payment `payment_id`, if the user owns it (else "not found").
pub fn booking_of_payment(conn: &Connection, user: &str, payment_id: &str) -> Result<Booking> {
    let booking: Option<String> = conn
        .prepare_cached(
            "SELECT p.booking_id FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.id = ?1 AND b.user_id = ?2",
        )?
        .query_row(params![payment_id, user], |r| r.get(0))
        .optional()?;
    let booking = booking.ok_or_else(|| Error::NotFound(format!("no payment {payment_id}")))?;
    load(conn, user, &booking)
}

/// Reads a booking the user owns; another user's booking is "not found", never "forbidden".
pub fn load(conn: &Connection, user: &str, id: &str) -> Result<Booking> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        String,
        i64,
        i64,
    );
    let row: Option<Row> = conn
        .prepare_cached("SELECT status, confirmation_code, contact_email, currency, total, list_total, points_redeemed, points_value,
                    amount_due, refunded, starts_on, ends_on, created_at, updated_at
             FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2")?
        .query_row(
            params![id, user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?)),
        )
        .optional()?;
    let (
        status,
        code,
        email,
        currency,
        total,
        list_total,
        points,
        points_value,
        due,
        refunded,
        starts,
        ends,
        created,
        updated,
    ) = row.ok_or_else(|| Error::NotFound(format!("no booking {id}")))?;
    let id: String = conn
        .prepare_cached("SELECT id FROM bookings WHERE id = ?1 OR confirmation_code = ?1")?
        .query_row([id], |r| r.get(0))?;
    let currency = Currency::parse(&currency)?;
    let m = |v: i64| Money::new(v, currency);
    let items: Vec<BookingItem> = conn
        .prepare_cached(
            "SELECT seq, kind, offer_id, provider, reference, description, price, tax, list_price, starts_at, payload
             FROM booking_items WHERE booking_id = ?1 ORDER BY seq",
        )?
        .query_map([&id], |r| {
            let payload: String = r.get(10)?;
            Ok(BookingItem {
                seq: r.get(0)?,
                kind: r.get(1)?,
                offer_id: r.get(2)?,
                provider: r.get(3)?,
                reference: r.get(4)?,
                description: r.get(5)?,
                price: m(r.get(6)?),
                tax: m(r.get(7)?),
                list_price: m(r.get(8)?),
                starts_at: ts(r.get(9)?),
                details: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let passengers: Vec<PassengerInput> = conn
        .prepare_cached("SELECT given_name, family_name, born_on, type, document FROM booking_passengers WHERE booking_id = ?1 ORDER BY seq")?
        .query_map([&id], |r| {
            let born: String = r.get(2)?;
            let kind: String = r.get(3)?;
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, born, kind, r.get::<_, Option<String>>(4)?))
        })?
        .map(|row| {
            let (given_name, family_name, born, kind, document) = row?;
            Ok(PassengerInput {
                given_name,
                family_name,
                born_on: born.parse().map_err(Error::internal)?,
                kind: serde_json::from_value(serde_json::Value::String(kind))?,
                document,
                gender: None,
            })
        })
        .collect::<Result<_>>()?;
    let payments: Vec<PaymentRecord> = conn
        .prepare_cached("SELECT id, method, status, amount, card_brand, card_last4, message, created_at FROM payments WHERE booking_id = ?1 ORDER BY created_at, rowid")?
        .query_map([&id], |r| {
            let brand: Option<String> = r.get(4)?;
            let last4: Option<String> = r.get(5)?;
            Ok(PaymentRecord {
                id: r.get(0)?,
                method: r.get(1)?,
                status: r.get(2)?,
                amount: m(r.get(3)?),
                card: brand.zip(last4).map(|(b, l)| format!("{b} **** {l}")),
                message: r.get(6)?,
                created_at: ts(r.get(7)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let history: Vec<AuditEntry> = conn
        .prepare_cached("SELECT from_status, to_status, reason, at FROM booking_audit WHERE booking_id = ?1 ORDER BY id")?
        .query_map([&id], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?
        .map(|row| {
            let (from, to, reason, at) = row?;
            Ok(AuditEntry { from: from.as_deref().map(BookingStatus::parse).transpose()?, to: BookingStatus::parse(&to)?, reason, at: ts(at) })
        })
        .collect::<Result<_>>()?;
    let status = BookingStatus::parse(&status)?;
    let supplier_note = super::supplier::pending_note(conn, &id)?;
    let next_action = match status {
        _ if supplier_note.is_some() => supplier_note,
        BookingStatus::Pending => Some(match held_until(conn, &id, created)? {
            Some(by) => format!(
                "pay by {by} (the seats are held until then): booksygo bookings pay {id} --card NUMBER"
            ),
            None => format!("pay within 30 minutes: booksygo bookings pay {id} --card NUMBER"),
        }),
        BookingStatus::PaymentProcessing
            if payments.iter().any(|p| p.status == "requires_action") =>
        {
            Some(format!(
                "the bank asks you to confirm: booksygo bookings confirm-payment {id}"
            ))
        }
        BookingStatus::Cancelled
            if conn
                .prepare_cached("SELECT 1 FROM refunds WHERE booking_id = ?1 AND status = 'pending'")?
                .query_row( [&id], |_| Ok(()))
                .optional()?
                .is_some() =>
        {
            Some("a refund is owed and will be paid automatically as soon as the card network answers".to_string())
        }
        _ => None,
    };
    let tax: i64 = items.iter().map(|i| i.tax.minor).sum();
    Ok(Booking {
        id,
        status,
        confirmation_code: code,
        contact_email: email,
        total: m(total),
        tax: m(tax),
        list_total: m(list_total),
        points_redeemed: points,
        points_value: m(points_value),
        amount_due: m(due),
        refunded: m(refunded),
        starts_on: starts.parse().map_err(Error::internal)?,
        ends_on: ends.parse().map_err(Error::internal)?,
        items,
        passengers,
        payments,
        history,
        created_at: ts(created),
        updated_at: ts(updated),
        next_action,
    })
}

/// The refund rules, item by item:
/// - flight: refundable fares give back the price less the fee; non-refundable fares give
///   back the taxes only; nothing once the first flight has left.
/// - hotel: everything until the free-cancellation deadline, nothing after.
/// - package: 90 % thirty days or more before departure, 50 % from seven days, nothing after.
///
/// For a booking with held supplier orders: when it lapses (the earlier of our hold and the
/// supplier's `payment_required_by`).
fn held_until(conn: &Connection, booking_id: &str, created: i64) -> Result<Option<Timestamp>> {
    let by: Option<i64> = conn.query_row(
        "SELECT min(coalesce(payment_required_by, ?2)) FROM supplier_orders WHERE booking_id = ?1 AND status = 'confirmed' AND held = 1",
        params![booking_id, created + PENDING_HOLD_SECONDS],
        |r| r.get(0),
    )?;
    Ok(by.map(|b| ts(b.min(created + PENDING_HOLD_SECONDS))))
}
