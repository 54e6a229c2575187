//! Team administration: accounts and roles, every booking, manual points, webhooks. The
//! [`Admin`] extractor checks the caller is an admin (from the database, not the token)
//! before the body or query is read; the core checks again when it acts.

use super::{ApiJson, ApiQuery};
use crate::auth::Admin;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use booksygo_core::booking::{Booking, BookingStatus};
use booksygo_core::points::Balance;
use booksygo_core::profile::Profile;
use booksygo_core::webhooks::Webhook;
use serde::Deserialize;

pub async fn users(
    State(s): State<AppState>,
    Admin(u): Admin,
) -> Result<Json<Vec<Profile>>, ApiError> {
    Ok(Json(s.team.users(&u.id).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

pub async fn set_role(
    State(s): State<AppState>,
    Admin(u): Admin,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(s.team.set_role(&u.id, &id, &b.role).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingsParams {
    #[serde(default)]
    status: Option<BookingStatus>,
}

pub async fn bookings(
    State(s): State<AppState>,
    Admin(u): Admin,
    ApiQuery(p): ApiQuery<BookingsParams>,
) -> Result<Json<Vec<Booking>>, ApiError> {
    Ok(Json(s.team.all_bookings(&u.id, p.status).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardBody {
    user_id: String,
    points: i64,
    reason: String,
}

pub async fn award_points(
    State(s): State<AppState>,
    Admin(u): Admin,
    ApiJson(b): ApiJson<AwardBody>,
) -> Result<Json<Balance>, ApiError> {
    Ok(Json(
        s.team
            .award_points(&u.id, &b.user_id, b.points, &b.reason)
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
    State(s): State<AppState>,
    Admin(u): Admin,
    ApiJson(b): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<Webhook>), ApiError> {
    let w = s.team.create_webhook(&u.id, &b.url, &b.events).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

pub async fn webhooks(
    State(s): State<AppState>,
    Admin(u): Admin,
) -> Result<Json<Vec<Webhook>>, ApiError> {
    Ok(Json(s.team.webhooks(&u.id).await?))
}

pub async fn delete_webhook(
    State(s): State<AppState>,
    Admin(u): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.team.delete_webhook(&u.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
