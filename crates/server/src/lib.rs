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
/// How often the server announces new events and sends due e-mail.
pub const NOTIFY_ROUND: Duration = Duration::from_secs(1);

/// How often the server sweeps every account's price watches, unless
/// `server.watch_sweep_minutes` says.
pub const WATCH_SWEEP: Duration = Duration::from_secs(15 * 60);

/// What every handler can reach: [`Shared`] behind one `Arc`, so the copy each request's
/// extractors take is one reference count, not one per field. Set fields before [`app`]
/// (`state.llm = ...`): a state still shared with a running app is copied first.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

/// The fields of [`AppState`].
#[derive(Clone)]
pub struct Shared {
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
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client (for the
    /// limits by address); none by default, and then those headers are ignored.
    pub trusted_proxies: std::sync::Arc<booksygo_core::proxies::TrustedProxies>,
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// The model behind `/api/ai/chat`; `None` answers with the offline assistant.
    pub llm: Option<std::sync::Arc<booksygo_core::ai::openai::LlmConfig>>,
    /// How often [`serve`] sweeps every account's price watches (first one period after
    /// start); `None` turns the sweep off.
    pub watch_sweep: Option<Duration>,
}

impl AppState {
    /// A state signing tokens with `secret` (keep it stable across restarts, or every
    /// session ends when the server does).
    pub fn with_secret(agency: LocalAgency, secret: &[u8]) -> Self {
        AppState(std::sync::Arc::new(Shared {
            accounts: agency.accounts(),
            team: agency.team(),
            chats: agency.chats(),
            agency: std::sync::Arc::new(agency),
            cors_origins: Vec::new(),
            keys: std::sync::Arc::new(auth::Keys::from_secret(secret)),
            search_limit: Default::default(),
            trusted_proxies: Default::default(),
            metrics: Default::default(),
            llm: None,
            watch_sweep: Some(WATCH_SWEEP),
        }))
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
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
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
                axum::http::Method::DELETE,
            ])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
            ])
    });
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    // Metrics label requests by the route they matched, so they run inside the router.
    let routes = routes::router(&state)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .with_state(state);
    // The rest does not depend on the route: it wraps the router once, as one service.
    // (`Router::layer` wraps every route in a boxed service per layer, each cloned and
    // dropped on every request.) The outermost comes first.
    let outer = tower::ServiceBuilder::new()
        .layer(axum::middleware::map_request(drop_unsafe_request_id))
        // Every answer carries an x-request-id (the caller's if it is a safe one, else a
        // fresh one) for the logs.
        .layer(SetRequestIdLayer::new(
            request_id.clone(),
            RequestIds::new(),
        ))
        .layer(PropagateRequestIdLayer::new(request_id))
        .option_layer(cors)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::Extension(routes::document()))
        .service(routes);
    Router::new().fallback_service(outer)
}

/// Fresh request ids: a prefix drawn at random when the server starts, and a counter
/// (`3f9a1c0742d1e5b8-1a`). Unique within the instance, told apart across instances and
/// restarts by the prefix, safe by [`is_safe_request_id`], and made without a system call (a
/// random UUID per request asks the kernel for randomness every time).
#[derive(Clone)]
struct RequestIds {
    prefix: std::sync::Arc<str>,
    next: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        RequestIds {
            prefix: format!("{:016x}", u64::from_le_bytes(bytes)).into(),
            next: Default::default(),
        }
    }
}

impl tower_http::request_id::MakeRequestId for RequestIds {
    fn make_request_id<B>(
        &mut self,
        _: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        axum::http::HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}

/// Longest `x-request-id` kept from a caller.
pub const REQUEST_ID_MAX: usize = 64;

/// Whether a caller's request id is kept: 1 to [`REQUEST_ID_MAX`] characters of
/// `[A-Za-z0-9._-]`, which can neither forge a log line nor fill the log.
pub fn is_safe_request_id(id: &[u8]) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Removes a caller's `x-request-id` that is not [`is_safe_request_id`] (every one, when sent
/// several times), so that a fresh id is made in its place.
async fn drop_unsafe_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    let headers = req.headers_mut();
    if headers
        .get_all("x-request-id")
        .iter()
        .any(|v| !is_safe_request_id(v.as_bytes()))
    {
        headers.remove("x-request-id");
    }
    req
}

/// How the server treats connections (slow, idle or too many clients).
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Longest the server waits for a request's line and headers, from the moment it starts
    /// waiting for them: on a new connection, and again after each answer on a kept-alive
    /// one. A client that sends half a request, or keeps a connection idle, is disconnected
    /// after this (the keep-alive idle timeout is this one).
    pub header_timeout: Duration,
    /// Connections served at once; more wait in the listener's backlog until one closes.
    pub max_connections: usize,
}

/// Headers within 10 s (so an idle kept-alive connection closes after 10 s).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_timeout: HEADER_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `app` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, ServeOptions::default()).await
}

/// [`serve`] with connection settings other than the defaults.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> std::io::Result<()> {
    // Webhooks go out from the same process; at-least-once delivery makes stopping it at
    // any point safe.
    let team = state.team.clone();
    let courier = tokio::spawn(async move { team.run_webhooks(WEBHOOK_ROUND).await });
    // So do notifications: each event is announced once whichever instance gets to it.
    let team = state.team.clone();
    let notifier = tokio::spawn(async move { team.run_notifications(NOTIFY_ROUND).await });
    // So does the price-watch sweep (leased: one instance sweeps at a time).
    let sweep = state.watch_sweep.map(|every| {
        let team = state.team.clone();
        tokio::spawn(async move { team.run_watch_sweep(every).await })
    });
    let router = app(state);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first, then a connection: past the cap, clients wait in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        );
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(options.header_timeout);
            let connection = http.serve_connection(
                hyper_util::rt::TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            );
            let mut connection = std::pin::pin!(connection);
            loop {
                tokio::select! {
                    // Errors here are the client's (gone, too slow, malformed): nothing to do.
                    _ = connection.as_mut() => break,
                    changed = stopping.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        // Finish the request in flight, then close.
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
        // Forget the connections that are done.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    courier.abort();
    notifier.abort();
    if let Some(sweep) = sweep {
        sweep.abort();
    }
    Ok(())
}
