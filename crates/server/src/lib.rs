//! BooksyGo's team server: `app(state)` builds the axum `Router`, `serve(listener, shutdown)`
//! runs it. Every route is a thin HTTP skin over the core's `Agency`: no business rule lives
//! here. Errors are `{"error":{"code","message"}}` with the matching status.

#![forbid(unsafe_code)]

pub mod auth;
mod error;
pub mod metrics;
mod routes;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use booksygo_core::LocalAgency;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Largest request body accepted (JSON only; nothing we take is bigger).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may run before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How often due webhooks are sent.
pub const WEBHOOK_ROUND: Duration = Duration::from_secs(1);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The travel agency for requests without a traveller (search, the catalogue);
    /// `AuthUser` carries the one acting for the signed-in traveller.
    pub agency: std::sync::Arc<dyn booksygo_core::Agency>,
    /// Origins allowed to call the API from a browser; empty (the default) means no CORS.
    pub cors_origins: Vec<String>,
    pub keys: std::sync::Arc<auth::Keys>,
    /// Accounts and sessions (register, login within limits, refresh, logout).
    pub accounts: std::sync::Arc<dyn booksygo_core::accounts::Accounts>,
    /// Administration, the event feed, webhooks and health.
    pub team: std::sync::Arc<dyn booksygo_core::team::Team>,
    /// Conversations with the assistant, per user.
    pub chats: booksygo_core::ai::conversation::Chats,
    /// What anonymous callers may spend on search, per address.
    pub search_limit: std::sync::Arc<auth::RateLimit>,
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// The model behind `/api/ai/chat`; `None` answers with the offline assistant.
    pub llm: Option<std::sync::Arc<booksygo_core::ai::openai::LlmConfig>>,
}

impl AppState {
    /// A state signing tokens with `secret` (keep it stable across restarts, or every
    /// session ends when the server does).
    pub fn with_secret(agency: LocalAgency, secret: &[u8]) -> Self {
        AppState {
            accounts: agency.accounts(),
            team: agency.team(),
            chats: agency.chats(),
            agency: std::sync::Arc::new(agency),
            cors_origins: Vec::new(),
            keys: std::sync::Arc::new(auth::Keys::from_secret(secret)),
            search_limit: Default::default(),
            metrics: Default::default(),
            llm: None,
        }
    }

    /// A state with a fresh random signing secret (tests, throwaway servers).
    pub fn new(agency: LocalAgency) -> Self {
        Self::with_secret(agency, &random_secret())
    }
}

/// 32 random bytes from the operating system.
pub fn random_secret() -> [u8; 32] {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the operating system provides randomness");
    secret
}

/// The whole API as a router (tests drive it with `oneshot`, `serve` puts it on a socket).
pub fn app(state: AppState) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let cors = (!state.cors_origins.is_empty()).then(|| {
        let origins: Vec<axum::http::HeaderValue> = state
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        tower_http::cors::CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                axum::http::Method::GET,
                axum::http::Method::POST,
                axum::http::Method::PUT,
            ])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
            ])
    });
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    routes::router(&state)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower::util::option_layer(cors))
        // Every answer carries an x-request-id (the caller's, or a fresh one) for the logs.
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves `app` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Webhooks go out from the same process; at-least-once delivery makes stopping it at
    // any point safe.
    let team = state.team.clone();
    let courier = tokio::spawn(async move { team.run_webhooks(WEBHOOK_ROUND).await });
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    courier.abort();
    served
}
