//! The inbox (`/api/notifications`), the choices of where each kind goes, and, for admins,
//! the e-mails given up on. New notifications also arrive on the event stream
//! (`notification.created`).

use super::{ApiJson, ApiQuery};
use crate::auth::{Admin, AuthUser};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use booksygo_core::notify::{FailedMail, Inbox, Marked, Preference, PreferenceChange};
use serde::Deserialize;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// Only the unread ones.
    #[serde(default)]
    unread: bool,
    /// At most this many (1-200, 50 by default).
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn inbox(
    u: AuthUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(u.agency.inbox(p.unread, p.limit.unwrap_or(50)).await?))
}

pub async fn mark_read(u: AuthUser, Path(id): Path<String>) -> Result<Json<Marked>, ApiError> {
    let marked = u.agency.mark_read(Some(&id)).await?;
    Ok(Json(Marked { marked }))
}

pub async fn mark_all_read(u: AuthUser) -> Result<Json<Marked>, ApiError> {
    let marked = u.agency.mark_read(None).await?;
    Ok(Json(Marked { marked }))
}

pub async fn preferences(u: AuthUser) -> Result<Json<Vec<Preference>>, ApiError> {
    Ok(Json(u.agency.notification_preferences().await?))
}

pub async fn set_preference(
    u: AuthUser,
    ApiJson(b): ApiJson<PreferenceChange>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    Ok(Json(
        u.agency
            .set_notification_preference(&b.kind, &b.channel)
            .await?,
    ))
}

pub async fn failed(
    State(s): State<AppState>,
    Admin(u): Admin,
) -> Result<Json<Vec<FailedMail>>, ApiError> {
    Ok(Json(s.team.failed_notifications(&u.id).await?))
}

pub async fn retry(
    State(s): State<AppState>,
    Admin(u): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.team.retry_notification(&u.id, &id).await?;
    Ok(StatusCode::ACCEPTED)
}
