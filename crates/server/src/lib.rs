//! BooksyGo's team server: `app(state)` builds the axum `Router`, `serve(listener, shutdown)`
//! runs it. Every route is a thin HTTP skin over the core's `Agency`: no business rule lives
//! here. Errors are `{"error":{"code","message"}}` with the matching status.

#![forbid(unsafe_code)]

mod error;
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

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub agency: LocalAgency,
}

impl AppState {
    pub fn new(agency: LocalAgency) -> Self {
        AppState { agency }
    }
}

/// The whole API as a router (tests drive it with `oneshot`, `serve` puts it on a socket).
pub fn app(state: AppState) -> Router {
    routes::router()
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// Serves `app` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
