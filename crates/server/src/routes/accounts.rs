//! Accounts: register, login, refresh, logout; profile and preferences.

use super::{ApiJson, blocking};
use crate::auth::{self, AuthUser};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use booksygo_core::Agency;
use booksygo_core::accounts;
use booksygo_core::profile::{Preferences, Profile, ProfileUpdate};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    email: String,
    password: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
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

/// Runs blocking core work (argon2, SQLite) off the async executor.
fn tokens(
    state: &AppState,
    user: &str,
    role: &str,
    refresh: String,
) -> Result<Json<Tokens>, ApiError> {
    // Access tokens follow the wall clock (their verifier does), not the market's clock,
    // which BOOKSYGO_NOW may pin.
    let now = jiff::Timestamp::now().as_second();
    Ok(Json(Tokens {
        access_token: auth::issue(&state.keys, user, role, now)?,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: auth::ACCESS_TTL_SECONDS,
    }))
}

pub async fn register(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Register>,
) -> Result<(StatusCode, Json<Profile>), ApiError> {
    let store = s.agency.store().clone();
    let now = s.agency.now().as_second();
    let p = blocking(move || {
        accounts::register(
            &*store.conn()?,
            &b.email,
            &b.password,
            &b.first_name,
            &b.last_name,
            "user",
            now,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// The peer's address when the server runs on a socket (absent under `oneshot` tests).
pub struct ClientAddr(Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

pub async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(b): ApiJson<Login>,
) -> Result<Json<Tokens>, ApiError> {
    let mut keys = vec![format!("acct:{}", b.email.trim().to_ascii_lowercase())];
    if let Some(a) = addr {
        keys.push(format!("ip:{}", a.ip()));
    }
    s.limiter.check(&keys)?;
    let store = s.agency.store().clone();
    let now = s.agency.now().as_second();
    let result = blocking(move || {
        let conn = store.conn()?;
        let p = accounts::login(&conn, &b.email, &b.password)?;
        let refresh = accounts::issue_refresh(&conn, &p.id, None, now)?;
        Ok((p, refresh))
    })
    .await;
    match result {
        Ok((p, refresh)) => {
            s.limiter.succeed(&keys[..1]);
            tokens(&s, &p.id, &p.role, refresh)
        }
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED {
                s.limiter.fail(&keys);
            }
            Err(e)
        }
    }
}

pub async fn refresh(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Refresh>,
) -> Result<Json<Tokens>, ApiError> {
    let store = s.agency.store().clone();
    let now = s.agency.now().as_second();
    let (user, role, next) = blocking(move || {
        let conn = store.conn()?;
        let (user, next) = accounts::rotate(&conn, &b.refresh_token, now)?;
        let role = accounts::role(&conn, &user)?;
        Ok((user, role, next))
    })
    .await?;
    tokens(&s, &user, &role, next)
}

pub async fn logout(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<Refresh>,
) -> Result<StatusCode, ApiError> {
    let store = s.agency.store().clone();
    let now = s.agency.now().as_second();
    blocking(move || accounts::logout(&*store.conn()?, &b.refresh_token, now)).await?;
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

/// `GET /api/analytics/dashboard`: admins only; the last 30 days by default.
pub async fn dashboard(
    State(s): State<AppState>,
    u: AuthUser,
) -> Result<Json<booksygo_core::analytics::Dashboard>, ApiError> {
    if u.role != "admin" {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the dashboard is for admins",
        ));
    }
    let store = s.agency.store().clone();
    let since = s.agency.now().as_second() - 30 * 86_400;
    Ok(Json(
        blocking(move || booksygo_core::analytics::dashboard(&*store.conn()?, since)).await?,
    ))
}
