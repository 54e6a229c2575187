//! Payments in the shape payment APIs use, over the same booking state machine:
//! an intent is a booking's amount due, confirming pays it (or finishes 3-D Secure),
//! refunding cancels with the fare rules' refund. The provider's webhook lands here too.

use super::{ApiBytes, ApiJson};
use crate::auth::AuthUser;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::payment::paypal::WebhookHeaders;
use booksygo_core::booking::payment::webhook::WebhookOutcome;
use booksygo_core::booking::{Booking, PayPalCheckout, PaymentIntent, PaymentRecord};
use serde::Deserialize;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentBody {
    booking_id: String,
}

/// `POST /api/payments/intent`: what the booking still needs paid, and how.
pub async fn intent(
    u: AuthUser,
    ApiJson(b): ApiJson<IntentBody>,
) -> Result<Json<PaymentIntent>, ApiError> {
    Ok(Json(
        u.agency.get_booking(&b.booking_id).await?.payment_intent(),
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    booking_id: String,
    /// The card, for an intent that `requires_payment_method`; leave both out to finish one
    /// that `requires_action` (3-D Secure).
    #[serde(default)]
    card_number: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
}

/// `POST /api/payments/confirm` (honours `Idempotency-Key`).
pub async fn confirm(
    u: AuthUser,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> Result<Json<PaymentIntent>, ApiError> {
    let booking = match (b.card_number, b.expiry) {
        (Some(number), Some(expiry)) => {
            u.agency
                .pay_booking(
                    &b.booking_id,
                    Card::new(&number, &expiry),
                    super::bookings::idempotency_key(&headers)?,
                )
                .await?
        }
        (None, None) => u.agency.confirm_payment(&b.booking_id).await?,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "give both card_number and expiry, or neither to finish a 3-D Secure payment",
            ));
        }
    };
    Ok(Json(booking.payment_intent()))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    booking_id: String,
}

/// `POST /api/payments/refund`: cancels the booking and refunds what its fare rules allow
/// (see `GET /api/bookings/{id}/refund-quote` first). Honours `Idempotency-Key`.
pub async fn refund(
    u: AuthUser,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RefundBody>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(
        u.agency
            .cancel_booking(&b.booking_id, super::bookings::idempotency_key(&headers)?)
            .await?,
    ))
}

/// `GET /api/payments/{id}`: one of your payment attempts.
pub async fn get(u: AuthUser, Path(id): Path<String>) -> Result<Json<PaymentRecord>, ApiError> {
    Ok(Json(u.agency.get_payment(&id).await?))
}

/// `POST /api/payments/webhook`: the payment provider's events (Stripe), checked against the
/// `Stripe-Signature` header over the raw body. No user session: the signature is the proof.
pub async fn webhook(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<WebhookOutcome>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_signature",
                "the Stripe-Signature header is missing",
            )
        })?;
    s.team
        .payment_webhook(&body, signature)
        .await
        .map(Json)
        .map_err(|e| match e.kind() {
            booksygo_core::ErrorKind::InvalidInput => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_signature", e.to_string())
            }
            _ => ApiError::from(e),
        })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayPalOrderBody {
    booking_id: String,
}

/// `POST /api/payments/paypal/order`: pays a PENDING booking with PayPal. The answer holds
/// the link where the payer approves the order; `POST /api/bookings/{id}/confirm-payment`
/// (or `/api/payments/confirm` with the booking id alone) captures it afterwards. Asked again
/// while the booking waits, the same order.
pub async fn paypal_order(
    u: AuthUser,
    ApiJson(b): ApiJson<PayPalOrderBody>,
) -> Result<Json<PayPalCheckout>, ApiError> {
    Ok(Json(u.agency.pay_with_paypal(&b.booking_id).await?))
}

/// `POST /api/payments/paypal/webhook`: PayPal's events, each put to PayPal's own
/// verification call with its `PAYPAL-*` transmission headers. No user session: PayPal's word
/// is the proof. A delivery PayPal does not vouch for is refused (400 `bad_signature`).
pub async fn paypal_webhook(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<WebhookOutcome>, ApiError> {
    let signed = WebhookHeaders::from_lookup(|name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    })
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_signature",
            "a PayPal transmission header (PAYPAL-TRANSMISSION-SIG, ...) is missing",
        )
    })?;
    s.team
        .paypal_webhook(&body, &signed)
        .await
        .map(Json)
        .map_err(|e| match e.kind() {
            booksygo_core::ErrorKind::InvalidInput => {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_signature", e.to_string())
            }
            _ => ApiError::from(e),
        })
}
