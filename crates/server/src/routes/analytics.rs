//! Analytics: clients report what their travellers did (`POST /api/analytics/events`), admins
//! read the reports (`GET /api/analytics/reports`, JSON or CSV).

use super::{ApiJson, ApiQuery};
use crate::auth::{Admin, AuthUser};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use booksygo_core::Error;
use booksygo_core::analytics::{Accepted, ClientEvents, GroupBy, ReportQuery};
use serde::Deserialize;

pub async fn record(
    u: AuthUser,
    ApiJson(b): ApiJson<ClientEvents>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    Ok((StatusCode::ACCEPTED, Json(u.agency.track(&b).await?)))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// First day (YYYY-MM-DD, UTC); 30 days before `to` when absent.
    #[serde(default)]
    from: Option<String>,
    /// Last day, included; today when absent.
    #[serde(default)]
    to: Option<String>,
    /// day (default), week, route or provider.
    #[serde(default)]
    group_by: Option<String>,
    /// json (default) or csv; `Accept: text/csv` asks for CSV too.
    #[serde(default)]
    format: Option<String>,
}

fn day(field: &str, text: &str) -> Result<jiff::civil::Date, Error> {
    text.parse()
        .map_err(|_| Error::invalid(format!("{field} '{text}' is not a day: write YYYY-MM-DD")))
}

pub async fn report(
    State(s): State<AppState>,
    Admin(u): Admin,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    let to = match &p.to {
        Some(t) => day("to", t)?,
        None => s.team.today(),
    };
    let from = match &p.from {
        Some(f) => day("from", f)?,
        None => to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to),
    };
    let group_by = GroupBy::parse(p.group_by.as_deref().unwrap_or("day"))?;
    let csv = match p.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(Error::invalid(format!("format '{other}': use json or csv")).into());
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv")),
    };
    let report = s
        .team
        .analytics_report(&u.id, &ReportQuery::new(from, to, group_by)?)
        .await?;
    if csv {
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"booksygo-{from}-{to}.csv\""),
                ),
            ],
            booksygo_core::analytics::to_csv(&report),
        )
            .into_response())
    } else {
        Ok(Json(report).into_response())
    }
}
