//! Bookings over HTTP: the same desk as the CLI, for the authenticated traveller. Another
//! traveller's booking is 404, never 403.

use super::ApiJson;
use crate::ApiError;
use crate::auth::AuthUser;
use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{Booking, BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use serde::Deserialize;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaymentBody {
    Card {
        card_number: String,
        expiry: String,
        #[serde(default)]
        points: i64,
    },
    Points {
        points: i64,
    },
}

/// A package departure to book (our extension beside Duffel-style `selected_offers`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageChoice {
    package_id: String,
    date: jiff::civil::Date,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBooking {
    #[serde(default)]
    selected_offers: Vec<String>,
    #[serde(default)]
    packages: Vec<PackageChoice>,
    passengers: Vec<PassengerInput>,
    contact_email: String,
    #[serde(default)]
    contact_phone: Option<String>,
    #[serde(default)]
    payment: Option<PaymentBody>,
}

pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(s.to_string())).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_header",
                "Idempotency-Key must be visible ASCII",
            )
        }),
    }
}

pub async fn create(
    u: AuthUser,
    headers: HeaderMap,
    ApiJson(b): ApiJson<CreateBooking>,
) -> Result<(StatusCode, Json<Booking>), ApiError> {
    let payment = match b.payment {
        None => PaymentInput::default(),
        Some(PaymentBody::Card {
            card_number,
            expiry,
            points,
        }) => PaymentInput {
            card: Some(Card::new(&card_number, &expiry)),
            points,
        },
        Some(PaymentBody::Points { points }) => PaymentInput { card: None, points },
    };
    let req = BookingRequest {
        items: b
            .selected_offers
            .into_iter()
            .map(|offer_id| ItemRequest::Offer { offer_id })
            .chain(b.packages.into_iter().map(|p| ItemRequest::Package {
                package_id: p.package_id,
                date: p.date,
            }))
            .collect(),
        passengers: b.passengers,
        contact_email: b.contact_email,
        contact_phone: b.contact_phone,
        payment,
        idempotency_key: idempotency_key(&headers)?,
    };
    Ok((
        StatusCode::CREATED,
        Json(u.agency.create_booking(req).await?),
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    status: Option<booksygo_core::booking::BookingStatus>,
}

pub async fn list(
    u: AuthUser,
    super::ApiQuery(p): super::ApiQuery<ListParams>,
) -> Result<Json<Vec<Booking>>, ApiError> {
    Ok(Json(u.agency.list_bookings(p.status).await?))
}

pub async fn get(u: AuthUser, Path(id): Path<String>) -> Result<Json<Booking>, ApiError> {
    Ok(Json(u.agency.get_booking(&id).await?))
}

pub async fn cancel(
    u: AuthUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(
        u.agency
            .cancel_booking(&id, idempotency_key(&headers)?)
            .await?,
    ))
}

pub async fn ics(u: AuthUser, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let cal = u.agency.booking_calendar(&id).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        cal,
    ))
}

pub async fn receipt(u: AuthUser, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let text = u.agency.booking_receipt(&id).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text))
}

pub async fn trip_ics(u: AuthUser, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let cal = u.agency.trip_calendar(&id).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        cal,
    ))
}

pub async fn points(u: AuthUser) -> Result<Json<booksygo_core::points::Balance>, ApiError> {
    Ok(Json(u.agency.points().await?))
}

pub async fn badges(
    u: AuthUser,
) -> Result<Json<Vec<booksygo_core::points::BadgeStatus>>, ApiError> {
    Ok(Json(u.agency.badges().await?))
}

pub async fn challenges(
    u: AuthUser,
) -> Result<Json<Vec<booksygo_core::points::Challenge>>, ApiError> {
    Ok(Json(u.agency.challenges().await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn leaderboard(
    u: AuthUser,
    super::ApiQuery(l): super::ApiQuery<Limit>,
) -> Result<Json<Vec<booksygo_core::points::LeaderboardEntry>>, ApiError> {
    Ok(Json(
        u.agency.leaderboard(l.limit.unwrap_or(20).min(100)).await?,
    ))
}

pub async fn modify(
    u: AuthUser,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<booksygo_core::booking::desk::Modification>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(u.agency.modify_booking(&id, change).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pay {
    card_number: String,
    expiry: String,
}

/// Pays a PENDING booking by card (the sandbox's test cards apply).
pub async fn pay(
    u: AuthUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<Pay>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(
        u.agency
            .pay_booking(
                &id,
                Card::new(&p.card_number, &p.expiry),
                idempotency_key(&headers)?,
            )
            .await?,
    ))
}

/// Finishes a payment the bank asked the cardholder to confirm.
pub async fn confirm_payment(
    u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(u.agency.confirm_payment(&id).await?))
}

pub async fn quote_cancel(
    u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<booksygo_core::booking::RefundQuote>, ApiError> {
    Ok(Json(u.agency.quote_cancellation(&id).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    booking_id: String,
    rating: u8,
    text: String,
}

pub async fn review(
    u: AuthUser,
    ApiJson(r): ApiJson<ReviewBody>,
) -> Result<(StatusCode, Json<booksygo_core::booking::desk::Review>), ApiError> {
    // Another traveller's booking is 404 before its rating or text is judged, so that a
    // review tells nothing about bookings that are not yours.
    u.agency.get_booking(&r.booking_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(u.agency.review(&r.booking_id, r.rating, &r.text).await?),
    ))
}

pub async fn trips(u: AuthUser) -> Result<Json<Vec<booksygo_core::trips::Trip>>, ApiError> {
    Ok(Json(u.agency.list_trips().await?))
}

pub async fn create_trip(
    u: AuthUser,
    ApiJson(t): ApiJson<booksygo_core::trips::NewTrip>,
) -> Result<(StatusCode, Json<booksygo_core::trips::Trip>), ApiError> {
    Ok((StatusCode::CREATED, Json(u.agency.create_trip(&t).await?)))
}

pub async fn trip(
    u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<booksygo_core::trips::Trip>, ApiError> {
    Ok(Json(u.agency.get_trip(&id).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddBooking {
    booking_id: String,
}

pub async fn add_to_trip(
    u: AuthUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AddBooking>,
) -> Result<Json<booksygo_core::trips::Trip>, ApiError> {
    Ok(Json(u.agency.add_to_trip(&id, &b.booking_id).await?))
}

pub async fn points_history(
    u: AuthUser,
) -> Result<Json<Vec<booksygo_core::points::LedgerEntry>>, ApiError> {
    Ok(Json(u.agency.points_history().await?))
}
