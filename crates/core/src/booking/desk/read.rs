//! Reading bookings back: by id or confirmation code, lists, and one booking whole.

use super::*;
use crate::booking::DateChange;

impl Desk {
    /// A booking id from an id or a confirmation code the traveller owns.
    pub fn resolve_id(&self, user: &str, id: &str) -> Result<String> {
        self.store()
            .read(|u| u.bookings().resolve(user, id))?
            .ok_or_else(|| Error::NotFound(format!("no booking {id}")))
    }

    pub fn get_booking_as(&self, user: &str, id: &str) -> Result<Booking> {
        self.sweep()?;
        self.store().read(|u| load(u, user, id))
    }

    pub fn list_bookings_as(
        &self,
        user: &str,
        status: Option<BookingStatus>,
    ) -> Result<Vec<Booking>> {
        self.sweep()?;
        self.store().read(|u| {
            let ids = u.bookings().ids_of(user, status.map(|s| s.as_str()))?;
            ids.iter().map(|id| load(u, user, id)).collect()
        })
    }
}

/// The booking holding payment `payment_id`, if the user owns it (else "not found").
pub fn booking_of_payment(unit: &dyn Unit, user: &str, payment_id: &str) -> Result<Booking> {
    let booking = unit.payments().booking_of(payment_id, user)?;
    let booking = booking.ok_or_else(|| Error::NotFound(format!("no payment {payment_id}")))?;
    load(unit, user, &booking)
}

/// Reads a booking the user owns; another user's booking is "not found", never "forbidden".
pub fn load(unit: &dyn Unit, user: &str, id: &str) -> Result<Booking> {
    let row = unit
        .bookings()
        .find(user, id)?
        .ok_or_else(|| Error::NotFound(format!("no booking {id}")))?;
    let id = row.id;
    let currency = Currency::parse(&row.currency)?;
    let m = |v: i64| Money::new(v, currency);
    let items: Vec<BookingItem> = unit
        .bookings()
        .items(&id)?
        .into_iter()
        .map(|r| BookingItem {
            seq: r.seq,
            kind: r.kind,
            offer_id: r.offer_id,
            provider: r.provider,
            reference: r.reference,
            description: r.description,
            price: m(r.price),
            tax: m(r.tax),
            list_price: m(r.list_price),
            starts_at: ts(r.starts_at),
            details: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    let passengers: Vec<PassengerInput> = unit
        .bookings()
        .travellers(&id)?
        .into_iter()
        .map(|r| {
            Ok(PassengerInput {
                given_name: r.given_name,
                family_name: r.family_name,
                born_on: r.born_on.parse().map_err(Error::internal)?,
                kind: serde_json::from_value(serde_json::Value::String(r.kind))?,
                document: r.document,
                gender: None,
            })
        })
        .collect::<Result<_>>()?;
    let payments: Vec<PaymentRecord> = unit
        .payments()
        .of_booking(&id)?
        .into_iter()
        .map(|r| PaymentRecord {
            id: r.id,
            method: r.method,
            status: r.status,
            amount: m(r.amount),
            card: r
                .card_brand
                .zip(r.card_last4)
                .map(|(b, l)| format!("{b} **** {l}")),
            message: r.message,
            created_at: ts(r.created_at),
        })
        .collect();
    let history: Vec<AuditEntry> = unit
        .bookings()
        .history(&id)?
        .into_iter()
        .map(|r| {
            Ok(AuditEntry {
                from: r.from.as_deref().map(BookingStatus::parse).transpose()?,
                to: BookingStatus::parse(&r.to)?,
                reason: r.reason,
                at: ts(r.at),
            })
        })
        .collect::<Result<_>>()?;
    let status = BookingStatus::parse(&row.status)?;
    let created = row.created_at;
    let supplier_note = super::supplier::pending_note(unit, &id)?;
    // A PayPal order waiting for its payer: where to approve it.
    let paypal_url = payments
        .iter()
        .rev()
        .filter(|p| p.status == "requires_action" && p.method == "paypal")
        .find_map(|p| super::paypal::approve_url(p.message.as_deref()));
    let next_action = match status {
        _ if supplier_note.is_some() => supplier_note,
        BookingStatus::Pending => Some(match held_until(unit, &id, created)? {
            Some(by) => format!(
                "pay by {by} (the seats are held until then): booksygo bookings pay {id} --card NUMBER"
            ),
            None => format!("pay within 30 minutes: booksygo bookings pay {id} --card NUMBER"),
        }),
        BookingStatus::PaymentProcessing if paypal_url.is_some() => Some(format!(
            "approve the payment on PayPal ({}), then: booksygo bookings confirm-payment {id}",
            paypal_url.unwrap_or_default()
        )),
        BookingStatus::PaymentProcessing
            if payments.iter().any(|p| p.status == "requires_action") =>
        {
            Some(format!(
                "the bank asks you to confirm: booksygo bookings confirm-payment {id}"
            ))
        }
        BookingStatus::Cancelled if unit.payments().refund_owed(&id)? => Some(
            "a refund is owed and will be paid automatically as soon as the card network answers"
                .to_string(),
        ),
        _ => None,
    };
    let tax: i64 = items.iter().map(|i| i.tax.minor).sum();
    // Only a flight moves to another date.
    let date_changes = if items.iter().any(|i| i.kind == "flight") {
        unit.bookings()
            .date_changes(&id)?
            .into_iter()
            .map(|c| {
                Ok(DateChange {
                    number: c.number,
                    from: c.from_date.parse().map_err(Error::internal)?,
                    to: c.to_date.parse().map_err(Error::internal)?,
                    fare_difference: m(c.fare_difference),
                    change_fee: m(c.fee),
                    fee_waived: (c.fee_waived > 0).then(|| m(c.fee_waived)),
                    waived_for: c.waived_for,
                    at: ts(c.at),
                })
            })
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    Ok(Booking {
        id,
        status,
        confirmation_code: row.confirmation_code,
        contact_email: row.contact_email,
        total: m(row.total),
        tax: m(tax),
        list_total: m(row.list_total),
        points_redeemed: row.points_redeemed,
        points_value: m(row.points_value),
        amount_due: m(row.amount_due),
        refunded: m(row.refunded),
        starts_on: row.starts_on.parse().map_err(Error::internal)?,
        ends_on: row.ends_on.parse().map_err(Error::internal)?,
        items,
        passengers,
        payments,
        history,
        date_changes,
        created_at: ts(created),
        updated_at: ts(row.updated_at),
        next_action,
    })
}

/// For a booking with held supplier orders: when it lapses (the earlier of our hold and the
/// supplier's `payment_required_by`).
fn held_until(unit: &dyn Unit, booking_id: &str, created: i64) -> Result<Option<Timestamp>> {
    let by = unit
        .bookings()
        .held_until(booking_id, created + PENDING_HOLD_SECONDS)?;
    Ok(by.map(|b| ts(b.min(created + PENDING_HOLD_SECONDS))))
}
