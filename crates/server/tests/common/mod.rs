//! What the server's tests share: a state on a fresh database with the clock pinned, and one
//! way to send a request through the router (`oneshot`) and read the answer.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_server::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

pub const NOW: &str = "2026-11-25T12:00:00Z";

/// The server's database seen from another process, with the clock pinned: for setting up
/// what no route does (the first admin is made on the server's machine).
pub fn local(dir: &std::path::Path) -> LocalAgency {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(NOW.parse().unwrap());
    LocalAgency::open(o).unwrap()
}

/// A server state on a fresh database in a temp dir.
pub fn state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let s = AppState::new(local(dir.path()));
    (dir, s)
}

/// One request: a bearer `token`, a JSON `body` and an `Idempotency-Key` when given.
pub async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
    key: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let req = req
        .body(
            body.map(|b| Body::from(b.to_string()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// An anonymous request; the answer as JSON (`null` when it is not JSON).
pub async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let (status, bytes) = send(state, method, uri, None, body, None).await;
    (status, json(&bytes))
}

/// A signed-in request; the answer as JSON.
pub async fn call_auth(
    state: &AppState,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<&str>,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let (status, bytes) = send(state, method, uri, Some(token), body, key).await;
    (status, json(&bytes))
}
