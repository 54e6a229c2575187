//! The package catalogue: search with facets, details, featured and deals.

use super::{ApiJson, ApiQuery};
use crate::ApiError;
use crate::auth::Caller;
use axum::Json;
use axum::extract::Path;
use booksygo_core::model::Money;
use booksygo_core::search::packages::{
    Deal, PackageDetail, PackageQuery, PackageResults, PackageSort, PackageSummary,
};
use jiff::civil::Date;
use serde::Deserialize;

/// `GET /api/packages` filters, as query parameters (prices in EUR, month as YYYY-MM).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    text: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    destination: Option<String>,
    min_price: Option<String>,
    max_price: Option<String>,
    min_days: Option<u32>,
    max_days: Option<u32>,
    min_rating: Option<f32>,
    month: Option<String>,
    sort: Option<PackageSort>,
    limit: Option<usize>,
    offset: Option<usize>,
}

fn eur(s: Option<&str>) -> Result<Option<Money>, ApiError> {
    Ok(
        s.map(|p| Money::from_decimal(p, booksygo_core::model::Currency::EUR))
            .transpose()?,
    )
}

pub async fn list(
    Caller(agency): Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<PackageResults>, ApiError> {
    let month = match p.month.as_deref() {
        Some(m) => Some(format!("{m}-01").parse::<Date>().map_err(|_| {
            ApiError::from(booksygo_core::Error::invalid(format!(
                "month '{m}' is not YYYY-MM"
            )))
        })?),
        None => None,
    };
    let q = PackageQuery {
        text: p.text,
        kind: p.kind,
        destination: p.destination,
        min_price: eur(p.min_price.as_deref())?,
        max_price: eur(p.max_price.as_deref())?,
        min_days: p.min_days,
        max_days: p.max_days,
        min_rating: p.min_rating,
        month,
        sort: p.sort.unwrap_or_default(),
        limit: Some(p.limit.unwrap_or(20).min(200)),
        offset: p.offset,
    };
    Ok(Json(agency.search_packages(&q).await?))
}

pub async fn search(
    Caller(agency): Caller,
    ApiJson(q): ApiJson<PackageQuery>,
) -> Result<Json<PackageResults>, ApiError> {
    Ok(Json(agency.search_packages(&q).await?))
}

pub async fn get(
    Caller(agency): Caller,
    Path(id): Path<String>,
) -> Result<Json<PackageDetail>, ApiError> {
    Ok(Json(agency.get_package(&id).await?))
}

pub async fn featured(Caller(agency): Caller) -> Result<Json<Vec<PackageSummary>>, ApiError> {
    Ok(Json(agency.featured_packages(20).await?))
}

pub async fn deals(Caller(agency): Caller) -> Result<Json<Vec<Deal>>, ApiError> {
    Ok(Json(agency.package_deals(20).await?))
}

/// Adds or replaces a package: admins for any package, partners for their own. The role is
/// checked before the body is read; whose package it is, by the core.
pub async fn save(
    crate::auth::Publisher(u): crate::auth::Publisher,
    ApiJson(spec): ApiJson<booksygo_core::model::package::PackageSpec>,
) -> Result<(axum::http::StatusCode, Json<PackageDetail>), ApiError> {
    Ok((
        axum::http::StatusCode::OK,
        Json(u.agency.save_package(&spec).await?),
    ))
}
