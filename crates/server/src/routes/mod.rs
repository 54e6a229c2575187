//! One module per area; handlers are verbs.

mod accounts;
mod admin;
mod ai;
mod bookings;
mod events;
mod health;
pub mod openapi;
mod packages;
mod payments;
mod search;

use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use serde::de::DeserializeOwned;

/// Every route. The public search routes are open to anonymous callers within a rate limit
/// per address ([`crate::auth::limit_anonymous`] in front of each of them).
pub fn router(state: &AppState) -> Router<AppState> {
    let limited =
        || axum::middleware::from_fn_with_state(state.clone(), crate::auth::limit_anonymous);
    Router::new()
        .route(
            "/api/search/suggestions",
            get(search::suggestions).route_layer(limited()),
        )
        .route(
            "/api/search/flights",
            post(search::flights).route_layer(limited()),
        )
        .route(
            "/api/search/flights/stream",
            post(search::flights_stream).route_layer(limited()),
        )
        .route(
            "/api/search/flights/calendar",
            post(search::calendar).route_layer(limited()),
        )
        .route(
            "/api/search/flights/explore",
            post(search::explore).route_layer(limited()),
        )
        .route(
            "/api/search/hotels",
            post(search::hotels).route_layer(limited()),
        )
        .route(
            "/api/search/packages",
            post(packages::search).route_layer(limited()),
        )
        .route(
            "/api/packages",
            get(packages::list)
                .route_layer(limited())
                .post(packages::save)
                .put(packages::save),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/info", get(health::info))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/packages/featured", get(packages::featured))
        .route("/api/packages/deals", get(packages::deals))
        .route("/api/packages/{id}", get(packages::get))
        .route("/api/auth/register", post(accounts::register))
        .route("/api/auth/login", post(accounts::login))
        .route("/api/auth/refresh", post(accounts::refresh))
        .route("/api/auth/logout", post(accounts::logout))
        .route(
            "/api/users/profile",
            get(accounts::profile).put(accounts::update_profile),
        )
        .route(
            "/api/users/preferences",
            get(accounts::preferences).put(accounts::update_preferences),
        )
        .route("/api/bookings", post(bookings::create).get(bookings::list))
        .route("/api/bookings/{id}", get(bookings::get))
        .route("/api/bookings/{id}/cancel", put(bookings::cancel))
        .route("/api/bookings/{id}/ics", get(bookings::ics))
        .route("/api/bookings/{id}/receipt", get(bookings::receipt))
        .route("/api/bookings/{id}/modify", post(bookings::modify))
        .route("/api/bookings/{id}/pay", post(bookings::pay))
        .route(
            "/api/bookings/{id}/confirm-payment",
            post(bookings::confirm_payment),
        )
        .route(
            "/api/bookings/{id}/refund-quote",
            get(bookings::quote_cancel),
        )
        .route("/api/payments/intent", post(payments::intent))
        .route("/api/payments/confirm", post(payments::confirm))
        .route("/api/payments/refund", post(payments::refund))
        .route("/api/payments/webhook", post(payments::webhook))
        .route("/api/payments/{id}", get(payments::get))
        .route("/api/ai/chat", post(ai::chat))
        .route("/api/ai/recommend", post(ai::recommend))
        .route("/api/ai/itinerary", post(ai::itinerary))
        .route("/api/ai/predict-price", post(ai::predict_price))
        .route("/api/reviews", post(bookings::review))
        .route(
            "/api/trips",
            get(bookings::trips).post(bookings::create_trip),
        )
        .route("/api/trips/{id}", get(bookings::trip))
        .route("/api/trips/{id}/ics", get(bookings::trip_ics))
        .route("/api/trips/{id}/bookings", post(bookings::add_to_trip))
        .route("/api/gamification/history", get(bookings::points_history))
        .route("/api/events/stream", get(events::stream))
        .route("/api/analytics/dashboard", get(accounts::dashboard))
        .route("/api/admin/users", get(admin::users))
        .route("/api/admin/users/{id}/role", put(admin::set_role))
        .route("/api/admin/bookings", get(admin::bookings))
        .route("/api/admin/points", post(admin::award_points))
        .route(
            "/api/admin/webhooks",
            get(admin::webhooks).post(admin::create_webhook),
        )
        .route(
            "/api/admin/webhooks/{id}",
            axum::routing::delete(admin::delete_webhook),
        )
        .route("/api/gamification/points", get(bookings::points))
        .route("/api/gamification/badges", get(bookings::badges))
        .route("/api/gamification/challenges", get(bookings::challenges))
        .route("/api/gamification/leaderboard", get(bookings::leaderboard))
}

/// `Json<T>` whose rejections are our JSON errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(v))
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
