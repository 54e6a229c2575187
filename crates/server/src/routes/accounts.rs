//! Accounts: register, login, refresh, logout; profile and preferences.

use super::ApiJson;
use crate::auth::{self, AuthUser};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use booksygo_core::accounts::Session;
use booksygo_core::profile::{Preferences, Profile, ProfileUpdate};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    email: String,
    password: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    /// The referral code someone gave you (`GET /api/gamification/referral` shows theirs):
    /// they earn points when your first booking is completed. An unknown code is 422.
    #[serde(default)]
    referral_code: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    email: String,
    password: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    refresh_token: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct Tokens {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: i64,
}

/// The answer to a login or a refresh: a fresh access token beside the session's refresh
/// token.
fn tokens(state: &AppState, session: Session) -> Result<Json<Tokens>, ApiError> {
    // Access tokens follow the wall clock (their verifier does), not the market's clock,
    // which BOOKSYGO_NOW may pin.
    let now = jiff::Timestamp::now().as_second();
    Ok(Json(Tokens {
        access_token: auth::issue(
            &state.keys,
            &session.user,
            &session.role,
            &session.session,
            now,
        )?,
        refresh_token: session.refresh_token,
        token_type: "Bearer",
        expires_in: auth::ACCESS_TTL_SECONDS,
    }))
}

pub async fn register(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Register>,
) -> Result<(StatusCode, Json<Profile>), ApiError> {
    let p = match &b.referral_code {
        Some(code) => {
            s.accounts
                .register_referred(&b.email, &b.password, &b.first_name, &b.last_name, code)
                .await?
        }
        None => {
            s.accounts
                .register(&b.email, &b.password, &b.first_name, &b.last_name)
                .await?
        }
    };
    Ok((StatusCode::CREATED, Json(p)))
}

/// `GET /api/gamification/referral`: your code (given now if you had none) and whom it
/// brought.
pub async fn referral(u: AuthUser) -> Result<Json<booksygo_core::points::Referral>, ApiError> {
    Ok(Json(u.agency.referral().await?))
}

/// The client's address (see [`auth::client_address`]; absent under `oneshot` tests).
pub struct ClientAddr(Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(auth::client_address(
            &parts.headers,
            &parts.extensions,
            &state.trusted_proxies,
        )))
    }
}

pub async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(b): ApiJson<Login>,
) -> Result<Json<Tokens>, ApiError> {
    let session = s.accounts.login(&b.email, &b.password, addr).await?;
    tokens(&s, session)
}

pub async fn refresh(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Refresh>,
) -> Result<Json<Tokens>, ApiError> {
    let session = s.accounts.refresh(&b.refresh_token).await?;
    tokens(&s, session)
}

pub async fn logout(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Refresh>,
) -> Result<StatusCode, ApiError> {
    s.accounts.logout(&b.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn profile(u: AuthUser) -> Result<Json<Profile>, ApiError> {
    Ok(Json(u.agency.profile().await?))
}

pub async fn update_profile(
    u: AuthUser,
    ApiJson(b): ApiJson<ProfileUpdate>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(u.agency.update_profile(&b).await?))
}

pub async fn preferences(u: AuthUser) -> Result<Json<Preferences>, ApiError> {
    Ok(Json(u.agency.profile().await?.preferences))
}

pub async fn update_preferences(
    u: AuthUser,
    ApiJson(p): ApiJson<Preferences>,
) -> Result<Json<Preferences>, ApiError> {
    let update = ProfileUpdate {
        preferences: Some(p),
        ..Default::default()
    };
    Ok(Json(u.agency.update_profile(&update).await?.preferences))
}

/// `GET /api/analytics/dashboard`: admins only (checked from the database); the last 30 days.
pub async fn dashboard(
    State(s): State<AppState>,
    u: AuthUser,
) -> Result<Json<booksygo_core::analytics::Dashboard>, ApiError> {
    Ok(Json(s.team.dashboard(&u.id).await?))
}
