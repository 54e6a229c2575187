//! Team administration: accounts and roles, every booking, manual points, webhooks. The
//! core checks the caller is an admin (from the database, not the token).

use super::{ApiJson, ApiQuery, blocking};
use crate::ApiError;
use crate::auth::AuthUser;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use booksygo_core::booking::{Booking, BookingStatus};
use booksygo_core::points::Balance;
use booksygo_core::profile::Profile;
use booksygo_core::webhooks::{self, Webhook};
use booksygo_core::{admin, store::Store};
use serde::Deserialize;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn store(u: &AuthUser) -> Store {
    u.agency.store().clone()
}

pub async fn users(u: AuthUser) -> Result<Json<Vec<Profile>>, ApiError> {
    let s = store(&u);
    Ok(Json(
        blocking(move || admin::users(&*s.conn()?, &u.id)).await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

pub async fn set_role(
    u: AuthUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> Result<Json<Profile>, ApiError> {
    let s = store(&u);
    Ok(Json(
        blocking(move || admin::set_role(&*s.conn()?, &u.id, &id, &b.role, now())).await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingsParams {
    #[serde(default)]
    status: Option<BookingStatus>,
}

pub async fn bookings(
    u: AuthUser,
    ApiQuery(p): ApiQuery<BookingsParams>,
) -> Result<Json<Vec<Booking>>, ApiError> {
    let s = store(&u);
    Ok(Json(
        blocking(move || admin::bookings(&*s.conn()?, &u.id, p.status)).await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardBody {
    user_id: String,
    points: i64,
    reason: String,
}

pub async fn award_points(
    u: AuthUser,
    ApiJson(b): ApiJson<AwardBody>,
) -> Result<Json<Balance>, ApiError> {
    let s = store(&u);
    Ok(Json(
        blocking(move || {
            admin::award_points(&*s.conn()?, &u.id, &b.user_id, b.points, &b.reason, now())
        })
        .await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    url: String,
    #[serde(default)]
    events: Vec<String>,
}

/// Subscribes a URL; the answer carries the signing secret, shown this once.
pub async fn create_webhook(
    u: AuthUser,
    ApiJson(b): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<Webhook>), ApiError> {
    let s = store(&u);
    let w =
        blocking(move || webhooks::create(&*s.conn()?, &u.id, &b.url, &b.events, now())).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

pub async fn webhooks(u: AuthUser) -> Result<Json<Vec<Webhook>>, ApiError> {
    let s = store(&u);
    Ok(Json(
        blocking(move || webhooks::list(&*s.conn()?, &u.id)).await?,
    ))
}

pub async fn delete_webhook(u: AuthUser, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let s = store(&u);
    blocking(move || webhooks::delete(&*s.conn()?, &u.id, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
