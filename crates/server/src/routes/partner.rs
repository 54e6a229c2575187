//! Partners: the sales report of the packages they own (`GET /api/partner/sales`).

use super::ApiQuery;
use crate::auth::Seller;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use booksygo_core::Error;
use booksygo_core::sales::{SalesQuery, SalesReport};
use serde::Deserialize;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesParams {
    /// First day (YYYY-MM-DD, UTC); 29 days before `to` when absent.
    #[serde(default)]
    from: Option<String>,
    /// Last day, included; today when absent.
    #[serde(default)]
    to: Option<String>,
    /// Another partner's account id (admins only); your own packages when absent.
    #[serde(default)]
    partner: Option<String>,
}

fn day(field: &str, text: &str) -> Result<jiff::civil::Date, Error> {
    text.parse()
        .map_err(|_| Error::invalid(format!("{field} '{text}' is not a day: write YYYY-MM-DD")))
}

/// The role is checked (partners and admins) before the query is read; whose sales may be
/// read, by the core.
pub async fn sales(
    State(s): State<AppState>,
    Seller(u): Seller,
    ApiQuery(p): ApiQuery<SalesParams>,
) -> Result<Json<SalesReport>, ApiError> {
    let to = match &p.to {
        Some(t) => day("to", t)?,
        None => s.team.today(),
    };
    let from = match &p.from {
        Some(f) => day("from", f)?,
        None => to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to),
    };
    let query = SalesQuery::new(from, to, p.partner)?;
    Ok(Json(u.agency.partner_sales(&query).await?))
}
