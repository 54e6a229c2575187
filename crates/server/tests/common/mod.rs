//! What the server's tests share: a state on a fresh database with the clock pinned, one way
//! to send a request through the router (`oneshot`) and read the answer, and a server on a
//! loopback port with a client for it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_server::{AppState, app};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const NOW: &str = "2026-11-25T12:00:00Z";

/// The password every test account has.
pub const PASSWORD: &str = "correct horse battery";

/// Options for an agency on `dir` with the clock pinned (change them before opening).
pub fn options(dir: &std::path::Path) -> LocalOptions {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(NOW.parse().unwrap());
    o
}

/// The server's database seen from another process, with the clock pinned: for setting up
/// what no route does (the first admin is made on the server's machine).
pub fn local(dir: &std::path::Path) -> LocalAgency {
    LocalAgency::open(options(dir)).unwrap()
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
    let mut headers = Vec::new();
    if let Some(t) = token {
        headers.push(("authorization", format!("Bearer {t}")));
    }
    if body.is_some() {
        headers.push(("content-type", "application/json".to_string()));
    }
    if let Some(k) = key {
        headers.push(("idempotency-key", k.to_string()));
    }
    send_with_headers(state, method, uri, &headers, body).await
}

/// One request with exactly `headers` (no content type unless among them); the answer's
/// status and bytes.
pub async fn send_with_headers(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, value);
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

/// A signed-in request; the answer as text (an event stream, a calendar file).
pub async fn call_text(
    state: &AppState,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<&str>,
) -> (StatusCode, String) {
    let (status, bytes) = send(state, method, uri, Some(token), body, None).await;
    (status, String::from_utf8(bytes).unwrap())
}

/// Registers `email` (with [`PASSWORD`]) and logs in: the login answer, tokens and all.
pub async fn sign_up(state: &AppState, email: &str, first_name: &str, last_name: &str) -> Value {
    let register = json!({"email": email, "password": PASSWORD, "first_name": first_name, "last_name": last_name});
    let (st, body) = call(
        state,
        "POST",
        "/api/auth/register",
        Some(&register.to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let login = json!({"email": email, "password": PASSWORD});
    let (st, tokens) = call(state, "POST", "/api/auth/login", Some(&login.to_string())).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    tokens
}

/// `state` served on a loopback port until the task is aborted or the test ends; its base URL.
pub async fn serve(state: AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        booksygo_server::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    (base, task)
}

/// A client of a server on a loopback port.
pub struct Remote {
    pub base: String,
    pub http: reqwest::Client,
}

impl Remote {
    /// A client of `state` served on a loopback port (until the test ends).
    pub async fn serve(state: AppState) -> Remote {
        let (base, _) = serve(state).await;
        Remote {
            base,
            http: reqwest::Client::new(),
        }
    }

    /// One request over the socket; the answer as JSON (`null` when it is not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Logs in with [`PASSWORD`]; the access token.
    pub async fn login(&self, email: &str) -> String {
        let (st, t) = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(st, 200, "{t}");
        t["access_token"].as_str().unwrap().to_string()
    }
}

/// What keeps an engine's database alive while a test uses it: nothing more than the data
/// directory on SQLite, a PostgreSQL database of its own (dropped afterwards) on PostgreSQL.
pub enum Kept {
    Sqlite,
    Database(booksygo_core::store::postgres::testing::TestDatabase),
}

/// An agency on `dir` with the clock pinned, on `engine`: `"sqlite"` (the SQLite file in
/// `dir`, as [`local`]) or `"postgres"` (a fresh PostgreSQL database, `dir` for the rest).
pub fn local_on(engine: &str, dir: &std::path::Path) -> (Kept, LocalAgency) {
    match engine {
        "sqlite" => (Kept::Sqlite, local(dir)),
        "postgres" => {
            let db = booksygo_core::store::postgres::testing::TestDatabase::create();
            let mut o = options(dir);
            o.database_url = Some(db.url().to_string());
            let agency = LocalAgency::open(o).unwrap();
            (Kept::Database(db), agency)
        }
        other => panic!("no engine {other}"),
    }
}

/// Makes the test bodies `$name(engine: &str)` tests on each engine: `$name::sqlite` and
/// `$name::postgres`, each under the test attribute given (so `cargo test postgres` runs
/// every PostgreSQL variant, and a failure names its engine).
// Not every test file that shares these helpers runs on both engines.
#[allow(unused_macros)]
macro_rules! on_engines {
    (#[$test:meta] $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[$test]
            async fn sqlite() {
                super::$name("sqlite").await
            }

            #[$test]
            async fn postgres() {
                super::$name("postgres").await
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use on_engines;
