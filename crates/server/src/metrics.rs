//! Prometheus metrics: request counts and latency histograms by route and status.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Series by method, then route, then status: nested so that a request finds its series by
/// borrowed names, allocating only the first time a series is seen.
type Series3 = BTreeMap<String, BTreeMap<String, BTreeMap<u16, Series>>>;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Series3>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            if !m.contains_key(method) {
                m.insert(method.to_string(), BTreeMap::new());
            }
            let Some(routes) = m.get_mut(method) else {
                return;
            };
            if !routes.contains_key(route) {
                routes.insert(route.to_string(), BTreeMap::new());
            }
            let Some(statuses) = routes.get_mut(route) else {
                return;
            };
            let s = statuses.entry(status).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// Every series, in (method, route, status) order.
    fn series(m: &Series3) -> impl Iterator<Item = (&str, &str, u16, &Series)> {
        m.iter().flat_map(|(method, routes)| {
            routes.iter().flat_map(move |(route, statuses)| {
                statuses
                    .iter()
                    .map(move |(status, s)| (method.as_str(), route.as_str(), *status, s))
            })
        })
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP booksygo_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE booksygo_http_requests_total counter");
        let Ok(m) = self.requests.lock() else {
            return out;
        };
        for (method, route, status, s) in Self::series(&m) {
            let _ = writeln!(
                out,
                "booksygo_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP booksygo_http_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(
            out,
            "# TYPE booksygo_http_request_duration_seconds histogram"
        );
        for (method, route, status, s) in Self::series(&m) {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "booksygo_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "booksygo_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "booksygo_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "booksygo_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

/// Times every request. Routes are labelled by their pattern (`/api/bookings/{id}`), never by
/// the raw path, so ids do not explode the series. Its state is the metrics alone, so a
/// request clones one `Arc` here, not the whole `AppState`; nothing is allocated per request
/// once a series exists.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = req.method().clone();
    let request_id = req.headers().get("x-request-id").cloned();
    let start = Instant::now();
    let res = next.run(req).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    metrics.observe(method.as_str(), route, status, seconds);
    // One line per request; never the body, the query string or headers (tokens, cards).
    tracing::info!(
        target: "booksygo::http",
        method = %method.as_str(),
        route = %route,
        status,
        ms = (seconds * 1000.0 * 100.0).round() / 100.0,
        // A string field: quoted and escaped in text logs, a plain string in JSON ones
        // (and only safe ids get this far, see `app`).
        request_id = request_id
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        "request"
    );
    res
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut body = state.metrics.render();
    // Domain counters from the core.
    let counts = state.team.bookings_by_status().await.unwrap_or_default();
    let _ = writeln!(
        body,
        "# HELP booksygo_bookings Bookings in the store by status."
    );
    let _ = writeln!(body, "# TYPE booksygo_bookings gauge");
    for (status, n) in counts {
        let _ = writeln!(body, "booksygo_bookings{{status=\"{status}\"}} {n}");
    }
    if let Ok(booksygo_core::analytics::BusinessCounters { revenue, searches }) =
        state.team.business_counters().await
    {
        let _ = writeln!(
            body,
            "# HELP booksygo_revenue Paid bookings' totals less refunds, by currency (major units)."
        );
        let _ = writeln!(body, "# TYPE booksygo_revenue gauge");
        for (currency, amount) in revenue {
            let _ = writeln!(body, "booksygo_revenue{{currency=\"{currency}\"}} {amount}");
        }
        let _ = writeln!(
            body,
            "# HELP booksygo_searches Searches clients reported, by provider."
        );
        let _ = writeln!(body, "# TYPE booksygo_searches counter");
        for (provider, n) in searches {
            let _ = writeln!(body, "booksygo_searches{{provider=\"{provider}\"}} {n}");
        }
    }
    if let Some(pool) = state.team.database_pool() {
        for (name, kind, help, value) in [
            (
                "booksygo_db_pool_max",
                "gauge",
                "The PostgreSQL connection pool's bound.",
                pool.max_size as u64,
            ),
            (
                "booksygo_db_pool_open",
                "gauge",
                "PostgreSQL connections open.",
                pool.open as u64,
            ),
            (
                "booksygo_db_pool_in_use",
                "gauge",
                "PostgreSQL connections lent to requests now.",
                pool.in_use as u64,
            ),
            (
                "booksygo_db_pool_waiting",
                "gauge",
                "Requests waiting for a PostgreSQL connection now.",
                pool.waiting as u64,
            ),
            (
                "booksygo_db_pool_errors_total",
                "counter",
                "Times a PostgreSQL connection could not be had (timeout, refused, unreachable).",
                pool.errors,
            ),
        ] {
            let _ = writeln!(body, "# HELP {name} {help}");
            let _ = writeln!(body, "# TYPE {name} {kind}");
            let _ = writeln!(body, "{name} {value}");
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
        .into_response()
}
