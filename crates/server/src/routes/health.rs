//! Liveness and readiness.

use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match state.team.ready().await {
        Ok(()) => Ok(Json(json!({"status": "ready", "database": "ok"}))),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("database: {e}"),
        )),
    }
}

/// What the server's market holds (the same answer as `booksygo info`, without the server's
/// file paths).
pub async fn info(
    State(state): State<AppState>,
) -> Result<Json<booksygo_core::agency::MarketInfo>, ApiError> {
    let mut info = state.agency.info().await?;
    info.mode = "server".into();
    info.data_dir = String::new();
    info.database = String::new();
    Ok(Json(info))
}
