//! A supplier on loopback: an axum server on port 0 that records every request and answers
//! from recorded responses (fixtures/suppliers/), scripted per route.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A recorded response file.
pub fn fixture(path: &str) -> String {
    // From the core crate's tests or from the root package's.
    let root = env!("CARGO_MANIFEST_DIR");
    let p = [
        format!("{root}/fixtures/suppliers/{path}"),
        format!("{root}/../../fixtures/suppliers/{path}"),
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .unwrap_or_else(|| format!("{root}/fixtures/suppliers/{path}"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// A form-encoded body as pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url_pairs(std::str::from_utf8(&self.body).unwrap())
    }
}

fn url_pairs(s: &str) -> Vec<(String, String)> {
    let decode = |t: &str| {
        let t = t.replace('+', " ");
        let b = t.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let h = u8::from_str_radix(&t[i + 1..i + 3], 16).unwrap();
                out.push(h);
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[derive(Clone, Debug)]
pub enum Reply {
    /// Status, body, extra headers.
    Json(u16, String, Vec<(&'static str, String)>),
    /// Never answers (the client's timeout decides).
    Hang,
    /// A Duffel order built from the recorded template, carrying the request's metadata; the
    /// order is kept for `GET /air/orders`.
    DuffelOrder(String),
    /// Like `DuffelOrder`, but the answer is lost: the order exists, the client times out.
    DuffelOrderThenHang(String),
    /// `{"data": [every order placed]}`.
    DuffelOrders,
}

impl Reply {
    pub fn ok(body: String) -> Reply {
        Reply::Json(200, body, vec![])
    }

    pub fn status(code: u16, body: String) -> Reply {
        Reply::Json(code, body, vec![])
    }
}

struct Route {
    method: Method,
    prefix: String,
    /// Played in order; the last one repeats.
    replies: VecDeque<Reply>,
}

#[derive(Default)]
pub struct State {
    pub requests: Mutex<Vec<Request>>,
    routes: Mutex<Vec<Route>>,
    orders: Mutex<Vec<serde_json::Value>>,
}

#[derive(Clone)]
pub struct Fake {
    pub base: String,
    pub state: Arc<State>,
}

impl Fake {
    pub async fn start() -> Fake {
        let state = Arc::new(State::default());
        let s = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let s = s.clone();
                async move { answer(s, method, uri, headers, body).await }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fake {
            base: format!("http://{addr}"),
            state,
        }
    }

    /// Scripts the replies for `method` on paths starting with `prefix` (later routes win).
    pub fn on(&self, method: &str, prefix: &str, replies: Vec<Reply>) {
        self.state.routes.lock().unwrap().insert(
            0,
            Route {
                method: method.parse().unwrap(),
                prefix: prefix.into(),
                replies: replies.into(),
            },
        );
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The requests to paths starting with `prefix`.
    pub fn to(&self, method: &str, prefix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .collect()
    }

    pub fn orders(&self) -> Vec<serde_json::Value> {
        self.state.orders.lock().unwrap().clone()
    }
}

async fn answer(
    s: Arc<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    s.requests.lock().unwrap().push(Request {
        method: method.to_string(),
        path: path.clone(),
        headers,
        body: body.clone(),
    });
    let reply = {
        let mut routes = s.routes.lock().unwrap();
        routes
            .iter_mut()
            .find(|r| r.method == method && path.starts_with(&r.prefix))
            .map(|r| {
                if r.replies.len() > 1 {
                    r.replies.pop_front().unwrap()
                } else {
                    r.replies.front().cloned().unwrap()
                }
            })
    };
    let place = |template: &str| {
        let mut order: serde_json::Value = serde_json::from_str(template).unwrap();
        let req: serde_json::Value = serde_json::from_slice(&body).unwrap();
        order["data"]["metadata"] = req["data"]["metadata"].clone();
        s.orders.lock().unwrap().push(order["data"].clone());
        order
    };
    match reply {
        None => (
            StatusCode::NOT_FOUND,
            format!("no route for {method} {path}"),
        )
            .into_response(),
        Some(Reply::Json(code, body, extra)) => {
            let mut r = (
                StatusCode::from_u16(code).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            for (k, v) in extra {
                r.headers_mut().insert(k, v.parse().unwrap());
            }
            r
        }
        Some(Reply::Hang) => std::future::pending().await,
        Some(Reply::DuffelOrder(t)) => {
            let order = place(&t);
            (
                StatusCode::CREATED,
                [("content-type", "application/json")],
                order.to_string(),
            )
                .into_response()
        }
        Some(Reply::DuffelOrderThenHang(t)) => {
            place(&t);
            std::future::pending().await
        }
        Some(Reply::DuffelOrders) => {
            let all = s.orders.lock().unwrap().clone();
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                serde_json::json!({ "data": all, "meta": {"limit": 200, "after": null} })
                    .to_string(),
            )
                .into_response()
        }
    }
}
