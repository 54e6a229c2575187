//! One module per area; handlers are verbs. [`table`] lists every route once, and both the
//! router and the OpenAPI document are built from it.

mod accounts;
mod admin;
mod ai;
mod analytics;
mod bookings;
mod events;
mod health;
mod notifications;
pub mod openapi;
mod packages;
mod partner;
mod payments;
mod route;
mod search;
mod table;
mod watches;

use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use route::Access;
use serde::de::DeserializeOwned;

/// Every route of [`table::ROUTES`]. The rate-limited ones (the public search routes) have
/// [`crate::auth::limit_anonymous`] in front of their handler: anonymous callers get a budget
/// per address.
pub fn router(state: &AppState) -> Router<AppState> {
    // One shared copy for the limit's middleware: each request then clones one `Arc`, not the
    // whole state (the middleware's service and its `State` are cloned per request).
    let limit_state = std::sync::Arc::new(state.clone());
    table::ROUTES.iter().fold(Router::new(), |router, r| {
        let mut endpoint = (r.handler)(r.verb.filter());
        if r.access == Access::RateLimited {
            endpoint = endpoint.route_layer(axum::middleware::from_fn_with_state(
                limit_state.clone(),
                crate::auth::limit_anonymous,
            ));
        }
        router.route(r.path, endpoint)
    })
}

/// The OpenAPI document of [`table::ROUTES`], which `app` hands to every request as an
/// extension (for `GET /openapi.json`).
pub fn document() -> std::sync::Arc<serde_json::Value> {
    std::sync::Arc::new(openapi::build(table::ROUTES))
}

/// `Json<T>` whose rejections are our JSON errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !plainly_json(req.headers()) {
            // Every other content type (a `+json` suffix, a missing header) gets axum's own
            // check and its rejection.
            let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
            return Ok(ApiJson(v));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(axum::extract::rejection::JsonRejection::from)?;
        // A well-formed body is read once by serde_json alone. axum's reader tracks the path
        // of every field it enters (about a third of a cached search's parsing), which only a
        // broken body needs: that one is read again by it, for the message naming the field.
        match serde_json::from_slice(&bytes) {
            Ok(v) => Ok(ApiJson(v)),
            Err(_) => {
                let axum::Json(v) = axum::Json::<T>::from_bytes(&bytes)?;
                Ok(ApiJson(v))
            }
        }
    }
}

/// Whether the request says `application/json` itself (with parameters or not), the type
/// nearly every client sends.
fn plainly_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The raw body (`Bytes`) whose rejections (over [`crate::BODY_LIMIT`], a broken stream) are
/// our JSON errors.
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        Ok(ApiBytes(bytes))
    }
}

/// `Query<T>` whose rejections are our JSON errors.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(v))
    }
}
