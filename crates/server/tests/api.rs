//! The API through its router (`oneshot`) and once on a real socket: JSON in and out, the
//! error shape and statuses, bad bodies.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_core::LocalAgency;
use booksygo_core::agency::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_server::{AppState, app};
use serde_json::{Value, json};
use tower::ServiceExt;

fn state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let mut o = LocalOptions::new(Paths::in_dir(dir.path()));
    o.clock = Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
    (dir, AppState::new(LocalAgency::open(o).unwrap()))
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header("content-type", "application/json");
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
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn health_and_readiness() {
    let (_d, s) = state();
    assert_eq!(
        call(&s, "GET", "/healthz", None).await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    let (status, body) = call(&s, "GET", "/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn flight_search_takes_duffels_offer_request_shape() {
    let (_d, s) = state();
    let body = json!({
        "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
        "passengers": [{"type": "adult"}, {"age": 7}],
        "cabin_class": "economy",
        "max_connections": 0
    });
    let (status, v) = call(&s, "POST", "/api/search/flights", Some(&body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let offers = v["offers"].as_array().unwrap();
    assert!(!offers.is_empty());
    for o in offers {
        assert_eq!(o["passengers"].as_array().unwrap().len(), 2);
        assert_eq!(o["slices"][0]["segments"].as_array().unwrap().len(), 1);
        assert!(o["total_amount"].is_string());
    }
}

#[tokio::test]
async fn errors_are_json_with_the_right_status() {
    let (_d, s) = state();
    let cases: Vec<(&str, &str, Option<String>, StatusCode, &str)> = vec![
        ("POST", "/api/search/flights", Some("{not json".into()), StatusCode::BAD_REQUEST, "malformed_json"),
        ("POST", "/api/search/flights", Some(r#"{"slices": "LHR"}"#.into()), StatusCode::BAD_REQUEST, "malformed_json"),
        ("POST", "/api/search/flights", Some(r#"{"slices": [], "passengers": [], "surprise": 1}"#.into()), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            "POST",
            "/api/search/flights",
            Some(json!({"slices": [{"origin": "XQZ", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}]}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            "POST",
            "/api/search/flights",
            Some(json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2020-03-14"}], "passengers": [{"type": "adult"}]}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        ("POST", "/api/search/flights", Some(format!(r#"{{"pad": "{}"}}"#, "x".repeat(100_000))), StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        ("GET", "/api/packages/pkg_nope", None, StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/no/such/route", None, StatusCode::NOT_FOUND, "not_found"),
        ("GET", "/api/packages?min_days=lots", None, StatusCode::BAD_REQUEST, "bad_query"),
        ("GET", "/api/packages?type=cruise", None, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
    ];
    for (method, uri, body, status, code) in cases {
        let (got, v) = call(&s, method, uri, body.as_deref()).await;
        assert_eq!(got, status, "{method} {uri}: {v}");
        assert_eq!(v["error"]["code"], code, "{method} {uri}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (_, v) = call(
        &s,
        "POST",
        "/api/search/flights",
        Some(&json!({"slices": [{"origin": "Lodnon", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}]}).to_string()),
    )
    .await;
    assert!(
        v["error"]["suggestions"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{v}"
    );
}

#[tokio::test]
async fn hotels_packages_and_suggestions() {
    let (_d, s) = state();
    let body = json!({"location": "LON", "check_in_date": "2027-03-14", "check_out_date": "2027-03-17", "guests": 2});
    let (status, v) = call(&s, "POST", "/api/search/hotels", Some(&body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["offers"].as_array().unwrap().len() >= 5);
    let (status, v) = call(
        &s,
        "GET",
        "/api/packages?text=safari&sort=price&limit=5",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["facets"]["type"].is_object());
    let id = v["packages"][0]["id"].as_str().unwrap().to_string();
    let (status, v) = call(&s, "GET", &format!("/api/packages/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["itinerary"].as_array().unwrap().len() >= 3);
    let (status, v) = call(
        &s,
        "POST",
        "/api/search/packages",
        Some(r#"{"type": "luxury", "limit": 3}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["type"] == "luxury")
    );
    let (status, v) = call(&s, "GET", "/api/packages/featured", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!v.as_array().unwrap().is_empty());
    let (status, v) = call(&s, "GET", "/api/search/suggestions?q=lond", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v[0]["code"], "LON");
}

/// One real listener on port 0, spoken to with a raw HTTP/1.1 request, then shut down.
#[tokio::test]
async fn serves_on_a_real_socket_and_shuts_down_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_d, s) = state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(booksygo_server::serve(listener, s, async {
        let _ = rx.await;
    }));
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        b"GET /api/search/suggestions?q=heathrow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut raw = String::new();
    conn.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    assert!(raw.contains("\"LHR\""));
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}
