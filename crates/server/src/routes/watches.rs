//! Price watches over HTTP: the signed-in traveller's watches (another traveller's is 404,
//! never 403), and a check of them on demand. The server also sweeps every account's watches
//! on its own ([`crate::AppState::watch_sweep`]); an alert is the outbox event
//! `price_alert.triggered`, so webhooks and the event stream carry it.

use super::ApiJson;
use crate::ApiError;
use crate::auth::AuthUser;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use booksygo_core::model::watch::{Alert, Watch, WatchRequest};

/// `POST /api/watches`: 201 with the watch, its places resolved to codes.
pub async fn create(
    u: AuthUser,
    ApiJson(b): ApiJson<WatchRequest>,
) -> Result<(StatusCode, Json<Watch>), ApiError> {
    let new = b.parse()?;
    Ok((StatusCode::CREATED, Json(u.agency.add_watch(&new).await?)))
}

/// `GET /api/watches`: yours, by departure date.
pub async fn list(u: AuthUser) -> Result<Json<Vec<Watch>>, ApiError> {
    Ok(Json(u.agency.watches().await?))
}

/// `DELETE /api/watches/{id}`: 204; 404 when it is not yours.
pub async fn remove(u: AuthUser, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    u.agency.remove_watch(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/watches/check`: searches each of your watches now; the alerts that fired.
pub async fn check(u: AuthUser) -> Result<Json<Vec<Alert>>, ApiError> {
    Ok(Json(u.agency.check_watches().await?))
}
