//! Quoting, booking and cancelling: what money a call would move, and the confirmation rule
//! (a first call returns a quote and a token, only a confirmed second call acts).

use super::args::{BookArgs, CancelArgs, PassengerArgs, PayArgs};
use super::{Session, ToolError, Toolbox};
use crate::booking::payment::Card;
use crate::booking::{
    Booking, BookingRequest, BookingStatus, ItemRequest, PassengerInput, PaymentInput,
};
use crate::model::Money;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};

impl Toolbox<'_> {
    /// Prices what would be booked, from offers this conversation has seen or a package.
    pub(super) async fn quote(
        &self,
        session: &Session,
        offer_ids: &[String],
        package_id: Option<&str>,
        date: Option<Date>,
        travellers: Option<u32>,
    ) -> Result<Quote, ToolError> {
        if offer_ids.is_empty() && package_id.is_none() {
            return Err(ToolError::invalid(
                "nothing to quote: give offer_ids from a search or a package_id with a date",
            ));
        }
        let mut items = Vec::new();
        let mut travellers_needed = travellers;
        for id in offer_ids {
            let seen = session.offers.get(id).ok_or_else(|| {
                ToolError::new(
                    "not_found",
                    format!("offer {id} was not found in this conversation's searches: search first, then quote its id"),
                )
            })?;
            if seen.kind == "flight" {
                travellers_needed = Some(seen.travellers);
            }
            items.push(QuoteItem {
                kind: seen.kind.clone(),
                id: id.clone(),
                description: seen.description.clone(),
                price: seen.total,
            });
        }
        if let Some(pid) = package_id {
            let date = date.ok_or_else(|| {
                ToolError::invalid("a package booking needs the departure 'date'")
            })?;
            let p = self.agency.get_package(pid).await?;
            let dep = p
                .departures
                .iter()
                .find(|d| d.date == date)
                .ok_or_else(|| ToolError {
                    code: "not_found".into(),
                    message: format!("{pid} has no departure on {date}"),
                    suggestions: p
                        .departures
                        .iter()
                        .filter(|d| d.slots_left > 0)
                        .take(5)
                        .map(|d| d.date.to_string())
                        .collect(),
                })?;
            let n = travellers_needed.unwrap_or(1).max(1);
            if dep.slots_left < n {
                return Err(ToolError::new(
                    "conflict",
                    format!("only {} places left on {date}", dep.slots_left),
                ));
            }
            items.push(QuoteItem {
                kind: "package".into(),
                id: pid.to_string(),
                description: format!("package {} departing {date}", p.summary.title),
                price: Money::new(dep.price.minor * i64::from(n), dep.price.currency),
            });
            travellers_needed = Some(n);
        }
        let currency = items[0].price.currency;
        if items.iter().any(|i| i.price.currency != currency) {
            return Err(ToolError::invalid(
                "these offers are priced in different currencies: search them in one currency",
            ));
        }
        let total = Money::new(items.iter().map(|i| i.price.minor).sum(), currency);
        Ok(Quote {
            items,
            total,
            travellers: travellers_needed.unwrap_or(1),
            note: "Prices are re-checked when booking; payment is taken separately (bookings pay)."
                .into(),
        })
    }

    pub(super) async fn create_booking(
        &self,
        session: &mut Session,
        a: BookArgs,
    ) -> Result<Value, ToolError> {
        if a.passengers.is_empty() {
            return Err(ToolError::invalid(
                "passengers: at least one traveller (given_name, family_name, born_on)",
            ));
        }
        let quote = self
            .quote(
                session,
                &a.offer_ids,
                a.package_id.as_deref(),
                a.date,
                Some(a.passengers.len() as u32),
            )
            .await?;
        if quote.travellers as usize != a.passengers.len() {
            return Err(ToolError::invalid(format!(
                "the offer is priced for {} travellers but {} passengers were given",
                quote.travellers,
                a.passengers.len()
            )));
        }
        let fingerprint = canonical(&a);
        let Some(token) = a.confirmation_token.as_deref() else {
            let summary = format!(
                "{} for {} ({}), total {}",
                quote
                    .items
                    .iter()
                    .map(|i| i.description.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                a.passengers
                    .iter()
                    .map(PassengerArgs::name)
                    .collect::<Vec<_>>()
                    .join(", "),
                a.contact_email,
                quote.total
            );
            let token = session
                .confirmations
                .issue("create_booking", fingerprint, summary.clone());
            return Ok(json!({
                "status": "confirmation_required",
                "confirmation_token": token,
                "quote": quote,
                "summary": summary,
                "instructions": "Nothing is booked yet. Show this quote to the person and ask them to confirm; after their explicit yes, call create_booking again with the same arguments and this confirmation_token.",
            }));
        };
        if session.reply_via_argument
            && let Some(reply) = &a.user_reply
        {
            session.confirmations.user_said(reply);
        }
        session
            .confirmations
            .redeem("create_booking", &fingerprint, token)
            .map_err(|m| ToolError::new("confirmation_required", m))?;
        let mut items: Vec<ItemRequest> = a
            .offer_ids
            .iter()
            .map(|id| ItemRequest::Offer {
                offer_id: id.clone(),
            })
            .collect();
        if let (Some(pid), Some(date)) = (&a.package_id, a.date) {
            items.push(ItemRequest::Package {
                package_id: pid.clone(),
                date,
            });
        }
        let booking = self
            .agency
            .create_booking(BookingRequest {
                items,
                passengers: a.passengers.into_iter().map(PassengerInput::from).collect(),
                contact_email: a.contact_email,
                contact_phone: a.contact_phone,
                payment: PaymentInput::default(),
                // The token makes a repeated confirmed call replay, not book twice.
                idempotency_key: Some(token.to_string()),
            })
            .await?;
        session.last_booking = Some(booking.id.clone());
        Ok(json!({
            "status": "booked",
            "booking": booking_view(&booking),
        }))
    }

    /// Pays a PENDING booking by card, behind the same confirmation as booking: the first
    /// call quotes what the card will be charged and hands out a token.
    pub(super) async fn pay_booking(
        &self,
        session: &mut Session,
        a: PayArgs,
    ) -> Result<Value, ToolError> {
        let card = Card::new(&a.card_number, &a.expiry);
        card.validate(self.today)?;
        let booking = self.agency.get_booking(&a.booking_id).await?;
        if booking.status != BookingStatus::Pending {
            return Err(ToolError::new(
                "conflict",
                format!(
                    "booking {} is {}: only a PENDING booking can be paid",
                    booking.id,
                    booking.status.as_str()
                ),
            ));
        }
        // The card number itself is never kept in the conversation: the fingerprint holds
        // its last four digits and expiry.
        let fingerprint = canonical(&json!({
            "booking_id": booking.id,
            "card": card.last4(),
            "expiry": card.expiry,
        }));
        let Some(token) = a.confirmation_token.as_deref() else {
            let summary = format!(
                "charge {} to {} **** {} for booking {} ({})",
                booking.amount_due,
                card.brand(),
                card.last4(),
                booking.id,
                booking.confirmation_code
            );
            let token = session
                .confirmations
                .issue("pay_booking", fingerprint, summary.clone());
            return Ok(json!({
                "status": "confirmation_required",
                "confirmation_token": token,
                "amount_due": booking.amount_due,
                "summary": summary,
                "instructions": "Nothing is charged yet. Show the amount to the person and ask them to confirm; after their explicit yes, call pay_booking again with the same arguments and this confirmation_token.",
            }));
        };
        if session.reply_via_argument
            && let Some(reply) = &a.user_reply
        {
            session.confirmations.user_said(reply);
        }
        session
            .confirmations
            .redeem("pay_booking", &fingerprint, token)
            .map_err(|m| ToolError::new("confirmation_required", m))?;
        let paid = self
            .agency
            .pay_booking(&booking.id, card, Some(token.to_string()))
            .await?;
        Ok(json!({
            "status": if paid.status == BookingStatus::Confirmed { "paid" } else { "payment_pending" },
            "booking": booking_view(&paid),
        }))
    }

    pub(super) async fn cancel_booking(
        &self,
        session: &mut Session,
        a: CancelArgs,
    ) -> Result<Value, ToolError> {
        let quote = self.agency.quote_cancellation(&a.booking_id).await?;
        let fingerprint = canonical(&a);
        let Some(token) = a.confirmation_token.as_deref() else {
            let summary = format!(
                "cancel {}: refund {}, kept {}",
                quote.booking_id, quote.refund, quote.kept
            );
            let token = session
                .confirmations
                .issue("cancel_booking", fingerprint, summary.clone());
            return Ok(json!({
                "status": "confirmation_required",
                "confirmation_token": token,
                "refund_quote": quote,
                "summary": summary,
                "instructions": "Nothing is cancelled yet. Show the refund quote and ask the person to confirm; after their explicit yes, call cancel_booking again with this confirmation_token.",
            }));
        };
        if session.reply_via_argument
            && let Some(reply) = &a.user_reply
        {
            session.confirmations.user_said(reply);
        }
        session
            .confirmations
            .redeem("cancel_booking", &fingerprint, token)
            .map_err(|m| ToolError::new("confirmation_required", m))?;
        let b = self
            .agency
            .cancel_booking(&a.booking_id, Some(token.to_string()))
            .await?;
        Ok(json!({
            "status": "cancelled",
            "booking": booking_view(&b),
            "refund": quote.refund,
        }))
    }
}

/// A booking as tool results show it: the fields of `bookings show --json` that matter in a
/// conversation, with the same names and shapes.
fn booking_view(b: &Booking) -> Value {
    json!({
        "id": b.id,
        "status": b.status,
        "confirmation_code": b.confirmation_code,
        "total": b.total,
        "amount_due": b.amount_due,
        "refunded": b.refunded,
        "starts_on": b.starts_on,
        "items": items(b),
        "next_action": b.next_action,
    })
}

/// A booking's items as `bookings show --json` names them, without the offer as booked.
pub(super) fn items(b: &Booking) -> Vec<Value> {
    b.items
        .iter()
        .map(|i| {
            json!({
                "seq": i.seq,
                "kind": i.kind,
                "description": i.description,
                "reference": i.reference,
                "price": i.price,
                "starts_at": i.starts_at,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuoteItem {
    pub kind: String,
    pub id: String,
    pub description: String,
    pub price: Money,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Quote {
    pub items: Vec<QuoteItem>,
    pub total: Money,
    pub travellers: u32,
    pub note: String,
}

/// Canonical JSON of a value (object keys sorted), for comparing calls.
fn canonical(v: &impl Serialize) -> String {
    // serde_json's Map is ordered by key (BTreeMap) without the preserve_order feature.
    serde_json::to_value(v)
        .map(|v| v.to_string())
        .unwrap_or_default()
}
