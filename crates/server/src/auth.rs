//! Access tokens (JWT, HS256, 15 minutes) and the extractor that turns a Bearer token into
//! the agency acting for that traveller. Refresh tokens and passwords are core's business.

use crate::{ApiError, AppState};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// The `aud` claim of our access tokens.
pub const AUDIENCE: &str = "booksygo";
/// The `iss` claim of our access tokens.
pub const ISSUER: &str = "booksygo-server";

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    /// The session (refresh-token family) the token belongs to; tokens made before sessions
    /// were checked have none and are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    aud: String,
    iss: String,
    iat: i64,
    exp: i64,
}

/// An access token for `user` in `session` (the refresh-token family of its login).
pub fn issue(
    keys: &Keys,
    user: &str,
    role: &str,
    session: &str,
    now: i64,
) -> Result<String, ApiError> {
    let claims = Claims {
        sub: user.into(),
        role: role.into(),
        sid: Some(session.into()),
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
        iat: now,
        exp: now + ACCESS_TTL_SECONDS,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot sign a token: {e}"),
        )
    })
}

fn verify(keys: &Keys, token: &str) -> Result<Claims, ApiError> {
    // Only HS256 is accepted: a token claiming `alg: none` or another algorithm is refused.
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[AUDIENCE]);
    v.set_issuer(&[ISSUER]);
    v.leeway = 0;
    // Why a token was refused (which claim, which parser step) is the log's business; the
    // caller learns only that it was, or that it expired.
    let invalid = || ApiError::new(StatusCode::UNAUTHORIZED, "auth_required", "invalid token");
    let claims = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &v)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth_required",
                "the access token expired: refresh it",
            ),
            _ => {
                tracing::debug!(error = %e, "access token refused");
                invalid()
            }
        })?;
    // We never issue a token that lives longer than ACCESS_TTL_SECONDS: one that claims to
    // (a ten-year `exp`) was not made by this server's rules.
    if claims.exp.saturating_sub(claims.iat) > ACCESS_TTL_SECONDS {
        tracing::debug!("access token refused: lifetime over {ACCESS_TTL_SECONDS} s");
        return Err(invalid());
    }
    Ok(claims)
}

/// Refuses a token whose session ended (logout, a revoked refresh-token family, an account
/// deleted or unable to log in), or that names no session (made before sessions were
/// checked). Answered through core's short cache, so not a query per request.
async fn check_session(state: &AppState, claims: &Claims) -> Result<(), ApiError> {
    let Some(sid) = claims.sid.as_deref() else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth_required",
            "this access token names no session (an older format): log in again",
        ));
    };
    if state.accounts.session_live(&claims.sub, sid).await? {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth_required",
            "this session ended (logged out, revoked, or the account is gone): log in again",
        ))
    }
}

/// The traveller a request acts for.
pub struct AuthUser {
    pub id: String,
    pub role: String,
    pub agency: std::sync::Arc<dyn booksygo_core::Agency>,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "auth_required",
                    "log in: send Authorization: Bearer <access_token>",
                )
            })?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth_required",
                "the Authorization header must be `Bearer <token>`",
            )
        })?;
        let claims = verify(&state.keys, token.trim())?;
        check_session(state, &claims).await?;
        Ok(AuthUser {
            agency: state.team.agency_for(&claims.sub),
            id: claims.sub,
            role: claims.role,
        })
    }
}

/// The agency a request on an open route acts through: the signed-in traveller's when it
/// carries a valid token of a live session (so that what their role changes, member prices,
/// shows), the public one otherwise. A missing, bad or ended token is anonymous here, as for
/// the anonymous search limit: an open route never refuses one.
pub struct Caller(pub std::sync::Arc<dyn booksygo_core::Agency>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(|t| verify(&state.keys, t.trim()).ok());
        if let Some(c) = claims
            && check_session(state, &c).await.is_ok()
        {
            return Ok(Caller(state.team.agency_for(&c.sub)));
        }
        Ok(Caller(state.agency.clone()))
    }
}

/// An extractor for a signed-in caller whose role, read from the database (not the token)
/// before the request's body or query is looked at, holds a permission of core's table: so
/// that nobody else learns a route's fields by probing it. The core checks again when it acts.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $permission:ident) => {
        $(#[$doc])*
        pub struct $name(pub AuthUser);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                let user = AuthUser::from_request_parts(parts, state).await?;
                require_role(&user, booksygo_core::roles::Permission::$permission).await?;
                Ok($name(user))
            }
        }
    };
}

role_extractor!(
    /// A signed-in admin.
    Admin,
    Administer
);
role_extractor!(
    /// A signed-in admin or partner (who may manage packages).
    Publisher,
    ManageOwnPackages
);
role_extractor!(
    /// A signed-in partner or admin (who may read sales reports).
    Seller,
    SalesReport
);

async fn require_role(
    user: &AuthUser,
    permission: booksygo_core::roles::Permission,
) -> Result<(), ApiError> {
    let role = user.agency.profile().await?.role;
    if booksygo_core::roles::can(&role, permission) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            booksygo_core::roles::refusal(permission),
        ))
    }
}

/// A budget of requests per client address, refilled continuously (a token bucket): what
/// anonymous callers may spend on search, so that nobody can keep the server busy without an
/// account. Signed-in travellers are not counted.
pub struct RateLimit {
    /// Requests per minute, sustained; 0 turns the limit off.
    per_minute: u32,
    /// Requests one address may make at once before the sustained rate applies.
    burst: f64,
    buckets: Mutex<HashMap<std::net::IpAddr, (f64, Instant)>>,
}

/// Anonymous searches per minute and address, unless `server.anonymous_search_rate` says.
pub const ANONYMOUS_SEARCH_PER_MINUTE: u32 = 300;

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::per_minute(ANONYMOUS_SEARCH_PER_MINUTE)
    }
}

impl RateLimit {
    /// `n` requests a minute, in bursts of up to a third of that (at least one).
    pub fn per_minute(n: u32) -> RateLimit {
        RateLimit {
            per_minute: n,
            burst: f64::from((n / 3).max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `ip`'s budget; `Err(seconds)` says how long until the next.
    pub fn take(&self, ip: std::net::IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let per_second = f64::from(self.per_minute) / 60.0;
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Addresses idle long enough to be full again carry no information: forget them
        // rather than grow without bound.
        if buckets.len() > 10_000 {
            let full = Duration::from_secs_f64(self.burst / per_second);
            buckets.retain(|_, (_, at)| now.duration_since(*at) < full);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil() as u64)
        }
    }
}

/// The client's address: the peer of the connection, or, when the peer is a trusted proxy,
/// the address its forwarding headers name (see `booksygo_core::proxies`). `None` when the
/// request did not come over a socket (`oneshot` tests).
pub fn client_address(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    proxies: &booksygo_core::proxies::TrustedProxies,
) -> Option<std::net::IpAddr> {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    if !proxies.trusts(peer) {
        return Some(peer.to_canonical());
    }
    // A header that is not text is no address: left out, as if absent.
    let values = |name: axum::http::header::HeaderName| -> Vec<&str> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    Some(proxies.client_address(
        peer,
        &values(axum::http::HeaderName::from_static("x-forwarded-for")),
        &values(axum::http::header::FORWARDED),
    ))
}

/// Middleware for the public search routes: a caller without a valid access token spends
/// from its address's [`RateLimit`]; past it, 429 with `Retry-After`.
pub async fn limit_anonymous(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let claims = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| verify(&state.keys, t.trim()).ok());
    // A token of an ended session is anonymous too.
    let signed_in = match claims {
        Some(c) => check_session(&state, &c).await.is_ok(),
        None => false,
    };
    let addr = client_address(req.headers(), req.extensions(), &state.trusted_proxies);
    if !signed_in
        && let Some(ip) = addr
        && let Err(wait) = state.search_limit.take(ip)
    {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "too many searches without logging in: try again in {wait} s, or log in (signed-in travellers are not limited)"
            ),
        )
        .into_response();
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(wait),
        );
        return response;
    }
    next.run(req).await
}
