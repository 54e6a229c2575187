//! The API through its router (`oneshot`) and once on a real socket: JSON in and out, the
//! error shape and statuses, bad bodies.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_server::{AppState, app};
use common::{call, call_auth, local, send_with_headers, state};
use serde_json::{Value, json};
use tower::ServiceExt;

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
        (
            "POST",
            "/api/search/flights",
            Some(json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}], "limit": 0}).to_string()),
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

/// A body is read the same whatever JSON content type names it: a good one is searched, a
/// broken one gets the message naming the field at fault, and a body that does not say JSON
/// at all is turned away with 415.
#[tokio::test]
async fn every_json_content_type_reads_the_body_alike() {
    let (_d, s) = state();
    let good = json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}]}).to_string();
    let broken = r#"{"slices": [{"origin": "LHR", "destination": 7}]}"#;
    let post = |content_type: Option<&'static str>, body: String| {
        let s = s.clone();
        async move {
            let headers: Vec<_> = content_type
                .map(|t| ("content-type", t.to_string()))
                .into_iter()
                .collect();
            let (status, bytes) =
                send_with_headers(&s, "POST", "/api/search/flights", &headers, Some(&body)).await;
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    for content_type in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/vnd.api+json",
    ] {
        let (status, v) = post(Some(content_type), good.clone()).await;
        assert_eq!(status, StatusCode::OK, "{content_type}: {v}");
        assert!(
            !v["offers"].as_array().unwrap().is_empty(),
            "{content_type}"
        );

        let (status, v) = post(Some(content_type), broken.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{content_type}: {v}");
        assert_eq!(v["error"]["code"], "malformed_json", "{content_type}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("slices[0].destination") && message.contains("integer `7`"),
            "{content_type}: {message}"
        );
    }
    for content_type in [None, Some("text/plain"), Some("application/jsonx")] {
        let (status, v) = post(content_type, good.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {v}"
        );
        assert_eq!(v["error"]["code"], "unsupported_media_type");
    }
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

/// The first non-stop offer between two airports on the test date.
async fn first_offer(s: &AppState, from: &str, to: &str) -> String {
    let search = json!({"slices": [{"origin": from, "destination": to, "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}], "max_connections": 0});
    call(s, "POST", "/api/search/flights", Some(&search.to_string()))
        .await
        .1["offers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A booking request for Ada on `offer`, paid with `card` when given.
fn booking_body(offer: &str, card: Option<&str>) -> Value {
    let mut body = json!({
        "selected_offers": [offer],
        "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
        "contact_email": "ada@example.com"
    });
    if let Some(number) = card {
        body["payment"] = json!({"method": "card", "card_number": number, "expiry": "12/30"});
    }
    body
}

async fn login_as(s: &AppState, email: &str) -> Value {
    let t = common::sign_up(s, email, "Ada", "L").await;
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    t
}

#[tokio::test]
async fn register_login_refresh_logout() {
    let (_d, s) = state();
    let t = login_as(&s, "ada@example.com").await;
    let access = t["access_token"].as_str().unwrap();
    let (st, p) = call_auth(&s, "GET", "/api/users/profile", access, None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p["email"], "ada@example.com");
    // Same answer for a wrong password and an unknown email.
    let (a, x) = call(
        &s,
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "ada@example.com", "password": "wrong wrong wrong"}"#),
    )
    .await;
    let (b, y) = call(
        &s,
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "nobody@example.com", "password": "wrong wrong wrong"}"#),
    )
    .await;
    assert_eq!((a, b), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(x["error"]["message"], y["error"]["message"]);
    // Rotation, then reuse of the old refresh token revokes the family.
    let r1 = t["refresh_token"].as_str().unwrap();
    let (st, t2) = call(
        &s,
        "POST",
        "/api/auth/refresh",
        Some(&json!({"refresh_token": r1}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let r2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let (st, e) = call(
        &s,
        "POST",
        "/api/auth/refresh",
        Some(&json!({"refresh_token": r1}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(e["error"]["message"].as_str().unwrap().contains("reused"));
    let (st, _) = call(
        &s,
        "POST",
        "/api/auth/refresh",
        Some(&json!({"refresh_token": r2}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the whole family is revoked");
    // Logout.
    let t3 = call(
        &s,
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "ada@example.com", "password": "correct horse battery"}"#),
    )
    .await
    .1;
    let (st, _) = call(
        &s,
        "POST",
        "/api/auth/logout",
        Some(&json!({"refresh_token": t3["refresh_token"]}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = call(
        &s,
        "POST",
        "/api/auth/refresh",
        Some(&json!({"refresh_token": t3["refresh_token"]}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forged_and_missing_tokens_are_refused() {
    let (_d, s) = state();
    let t = login_as(&s, "ada@example.com").await;
    let good = t["access_token"].as_str().unwrap().to_string();
    let (st, _) = call(&s, "GET", "/api/users/profile", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Wrong signature: flip the last character.
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        call_auth(&s, "GET", "/api/users/profile", &bad, None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // alg: none with the same claims.
    let parts: Vec<&str> = good.split('.').collect();
    let none = format!(
        "{}.{}.",
        base64url(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    assert_eq!(
        call_auth(&s, "GET", "/api/users/profile", &none, None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A token signed by another server (other secret) is refused.
    let other = booksygo_server::auth::issue(
        &booksygo_server::auth::Keys::from_secret(b"another-secret-another-secret-xx"),
        "usr_x",
        "admin",
        "fam_x",
        1_800_000_000,
    )
    .unwrap();
    assert_eq!(
        call_auth(&s, "GET", "/api/users/profile", &other, None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

fn base64url(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn book_over_http_and_keep_bookings_private() {
    let (_d, s) = state();
    let ada = login_as(&s, "ada@example.com").await;
    let eve = login_as(&s, "eve@example.com").await;
    let (a, e) = (
        ada["access_token"].as_str().unwrap(),
        eve["access_token"].as_str().unwrap(),
    );
    let offer = first_offer(&s, "LHR", "JFK").await;
    let body = booking_body(&offer, Some("4242424242424242"));
    let (st, b) = call_auth(
        &s,
        "POST",
        "/api/bookings",
        a,
        Some(&body.to_string()),
        Some("k1"),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"], "CONFIRMED");
    let id = b["id"].as_str().unwrap();
    let (_, again) = call_auth(
        &s,
        "POST",
        "/api/bookings",
        a,
        Some(&body.to_string()),
        Some("k1"),
    )
    .await;
    assert_eq!(again["id"], b["id"], "the Idempotency-Key replays");
    assert_eq!(
        call_auth(&s, "GET", &format!("/api/bookings/{id}"), e, None, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call_auth(
            &s,
            "PUT",
            &format!("/api/bookings/{id}/cancel"),
            e,
            None,
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call_auth(&s, "GET", "/api/bookings", e, None, None).await.1,
        json!([])
    );
    assert_eq!(
        call_auth(&s, "GET", "/api/gamification/points", a, None, None)
            .await
            .1["total"],
        500
    );
    let (st, board) = call_auth(&s, "GET", "/api/gamification/leaderboard", e, None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(board[0]["total"], 500);
    let (st, c) = call_auth(
        &s,
        "PUT",
        &format!("/api/bookings/{id}/cancel"),
        a,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let (st, err) = call_auth(
        &s,
        "PUT",
        &format!("/api/bookings/{id}/cancel"),
        a,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{err}");
    let declined = booking_body(&offer, Some("4000000000000002"));
    let (st, _) = call_auth(
        &s,
        "POST",
        "/api/bookings",
        a,
        Some(&declined.to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited() {
    let (_d, s) = state();
    login_as(&s, "ada@example.com").await;
    for _ in 0..booksygo_core::accounts::MAX_LOGIN_ATTEMPTS {
        let (st, _) = call(
            &s,
            "POST",
            "/api/auth/login",
            Some(r#"{"email": "ada@example.com", "password": "wrong wrong wrong"}"#),
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, v) = call(
        &s,
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "ada@example.com", "password": "correct horse battery"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
}

#[tokio::test]
async fn pay_modify_quote_trips_and_reviews_over_http() {
    let (_d, s) = state();
    let t = login_as(&s, "ada@example.com").await;
    let a = t["access_token"].as_str().unwrap();
    let offer = first_offer(&s, "LHR", "CDG").await;
    let body = booking_body(&offer, None);
    let (st, b) = call_auth(
        &s,
        "POST",
        "/api/bookings",
        a,
        Some(&body.to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(b["status"], "PENDING");
    let id = b["id"].as_str().unwrap();
    let (st, b) = call_auth(
        &s,
        "POST",
        &format!("/api/bookings/{id}/pay"),
        a,
        Some(r#"{"card_number": "4242424242424242", "expiry": "12/30"}"#),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "CONFIRMED");
    let change = json!({"change": "passenger_name", "passenger": 1, "given_name": "Augusta", "family_name": "King"});
    let (st, b) = call_auth(
        &s,
        "POST",
        &format!("/api/bookings/{id}/modify"),
        a,
        Some(&change.to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["passengers"][0]["family_name"], "King");
    let (st, q) = call_auth(
        &s,
        "GET",
        &format!("/api/bookings/{id}/refund-quote"),
        a,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(q["refund"]["amount"].is_string());
    let (st, trip) = call_auth(
        &s,
        "POST",
        "/api/trips",
        a,
        Some(r#"{"name": "Paris"}"#),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{trip}");
    let tid = trip["id"].as_str().unwrap();
    let (st, trip) = call_auth(
        &s,
        "POST",
        &format!("/api/trips/{tid}/bookings"),
        a,
        Some(&json!({"booking_id": id}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(trip["bookings"].as_array().unwrap().len(), 1);
    let (st, e) = call_auth(
        &s,
        "POST",
        "/api/reviews",
        a,
        Some(&json!({"booking_id": id, "rating": 5, "text": "Lovely"}).to_string()),
        None,
    )
    .await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "reviews wait for a completed trip: {e}"
    );
    // A booking that is not yours is not found before the rating is judged; yours is judged.
    for (booking, status) in [
        ("bkg_nope", StatusCode::NOT_FOUND),
        (id, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let body = json!({"booking_id": booking, "rating": 9, "text": "Lovely"});
        let (st, e) = call_auth(&s, "POST", "/api/reviews", a, Some(&body.to_string()), None).await;
        assert_eq!(st, status, "{booking}: {e}");
    }
    let (st, h) = call_auth(&s, "GET", "/api/gamification/history", a, None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[0]["kind"], "FIRST_BOOKING");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let (_d, s) = state();
    call(&s, "GET", "/api/packages/pkg_nope", None).await;
    call(&s, "GET", "/api/packages/pkg_other", None).await;
    call(&s, "GET", "/healthz", None).await;
    let req = Request::builder()
        .uri("/metrics")
        .body(Body::empty())
        .unwrap();
    let res = app(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(
        axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains(r#"booksygo_http_requests_total{method="GET",route="/api/packages/{id}",status="404"} 2"#), "{text}");
    assert!(
        text.contains(
            r#"booksygo_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        )
    );
    assert!(text.contains("booksygo_http_request_duration_seconds_bucket"));
    assert!(!text.contains("pkg_nope"), "ids never become labels");
}

#[tokio::test]
async fn package_management_follows_roles() {
    let (d, s) = state();
    let now = 0;
    {
        let server = local(d.path());
        let c = server.store().conn().unwrap();
        booksygo_core::accounts::register(
            &c,
            "admin@example.com",
            "admin password 123",
            "",
            "",
            "admin",
            now,
        )
        .unwrap();
        booksygo_core::accounts::register(
            &c,
            "partner@example.com",
            "partner password 1",
            "",
            "",
            "partner",
            now,
        )
        .unwrap();
    }
    let token = |email: &'static str, pw: &'static str| {
        let s = s.clone();
        async move {
            call(
                &s,
                "POST",
                "/api/auth/login",
                Some(&json!({"email": email, "password": pw}).to_string()),
            )
            .await
            .1["access_token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let user = login_as(&s, "ada@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = token("admin@example.com", "admin password 123").await;
    let partner = token("partner@example.com", "partner password 1").await;
    let fixture = call(&s, "GET", "/api/packages/pkg_iceland_fire_and_ice_7d", None)
        .await
        .1;
    let mut spec = json!({
        "id": "pkg_partner_lisbon_3d", "slug": "partner-lisbon", "title": "Lisbon long weekend",
        "description": "Three days of trams, tiles and pasteis de nata in Lisbon's old quarters.",
        "type": "budget", "destination": "LIS", "duration_days": 1, "base_price": 39000, "currency": "EUR",
        "rating": 4.4, "review_count": 0, "includes": ["2 nights"],
        "itinerary": [{"day": 1, "title": "Alfama", "description": "Walk.", "activities": ["Tram 28"], "meals": []}],
        "departures": [{"date": "2027-04-09", "slots": 12}], "featured": false, "max_group": 12, "tags": []
    });
    let body = spec.to_string();
    assert_eq!(
        call_auth(&s, "POST", "/api/packages", &user, Some(&body), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call_auth(&s, "POST", "/api/packages", &partner, Some(&body), None)
            .await
            .0,
        StatusCode::OK
    );
    spec["title"] = json!("Lisbon, partner's edit");
    assert_eq!(
        call_auth(
            &s,
            "PUT",
            "/api/packages",
            &partner,
            Some(&spec.to_string()),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    // The catalogue's packages are the admins'.
    let mut theirs = json!({
        "id": fixture["id"], "slug": fixture["slug"], "title": "Hijacked", "description": fixture["description"],
        "type": fixture["type"], "destination": fixture["destination"], "duration_days": 1, "base_price": 100, "currency": "EUR",
        "rating": 5.0, "review_count": 0, "includes": ["x"],
        "itinerary": [{"day": 1, "title": "x", "description": "x", "activities": [], "meals": []}],
        "departures": [{"date": "2027-05-12", "slots": 4}], "featured": false, "max_group": 30, "tags": []
    });
    assert_eq!(
        call_auth(
            &s,
            "PUT",
            "/api/packages",
            &partner,
            Some(&theirs.to_string()),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    theirs["title"] = json!(fixture["title"]);
    assert_eq!(
        call_auth(
            &s,
            "PUT",
            "/api/packages",
            &admin,
            Some(&theirs.to_string()),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_event_stream_sends_a_travellers_own_events() {
    use futures_util::StreamExt;
    let (_d, s) = state();
    let ada = login_as(&s, "ada@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let eve = login_as(&s, "eve@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let offer = first_offer(&s, "LHR", "CDG").await;
    let body = booking_body(&offer, Some("4242424242424242"));
    assert_eq!(
        call_auth(
            &s,
            "POST",
            "/api/bookings",
            &ada,
            Some(&body.to_string()),
            None
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let read = |token: String, want: &'static str| {
        let s = s.clone();
        async move {
            let req = Request::builder()
                .uri("/api/events/stream?after=0")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let res = app(s).oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/event-stream")
            );
            let mut body = res.into_body().into_data_stream();
            // Everything already in the outbox comes at once, a frame per chunk; read frames
            // until `want` shows up (the timeout only guards against a hang).
            let mut text = String::new();
            while !text.contains(want) {
                match tokio::time::timeout(std::time::Duration::from_secs(10), body.next()).await {
                    Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                    _ => break,
                }
            }
            text
        }
    };
    let mine = read(ada, "event: booking.confirmed").await;
    assert!(mine.contains("event: booking.created"), "{mine}");
    assert!(mine.contains("event: booking.confirmed"), "{mine}");
    // Eve's stream starts with her own registration: Ada's earlier events are not hers to see.
    let theirs = read(eve, "event: user.registered").await;
    let first = theirs.lines().find(|l| l.starts_with("data: ")).unwrap();
    let v: Value = serde_json::from_str(&first[6..]).unwrap();
    assert_eq!(v["type"], "user.registered");
    assert_eq!(v["user_id"], v["subject_id"]);
    assert_ne!(v["seq"], 1, "seq 1 is Ada's registration");
    assert!(!theirs.contains("booking."), "{theirs}");
}

#[tokio::test]
async fn the_dashboard_is_for_admins() {
    let (d, s) = state();
    booksygo_core::accounts::register(
        &local(d.path()).store().conn().unwrap(),
        "admin@example.com",
        "admin password 123",
        "",
        "",
        "admin",
        0,
    )
    .unwrap();
    let ada = login_as(&s, "ada@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = call(
        &s,
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "admin@example.com", "password": "admin password 123"}"#),
    )
    .await
    .1["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let offer = first_offer(&s, "LHR", "CDG").await;
    let body = booking_body(&offer, Some("4242424242424242"));
    call_auth(
        &s,
        "POST",
        "/api/bookings",
        &ada,
        Some(&body.to_string()),
        None,
    )
    .await;
    assert_eq!(
        call_auth(&s, "GET", "/api/analytics/dashboard", &ada, None, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (st, d) = call_auth(&s, "GET", "/api/analytics/dashboard", &admin, None, None).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["bookings"], 1);
    assert_eq!(d["conversion"], 1.0);
    assert_eq!(d["top_routes"][0]["route"], "LHR-CDG");
    assert_eq!(d["days"][0]["confirmed"], 1);
    assert!(d["events"]["booking.confirmed"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn request_ids_and_cors_off_by_default() {
    let (_d, s) = state();
    let res = app(s.clone())
        .oneshot(
            Request::builder()
                .uri("/healthz")
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(
        res.headers()
            .get("x-request-id")
            .is_some_and(|v| !v.is_empty())
    );
    assert!(
        res.headers().get("access-control-allow-origin").is_none(),
        "no CORS unless configured"
    );
    let res = app(s.clone())
        .oneshot(
            Request::builder()
                .uri("/healthz")
                .header("x-request-id", "trace-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        res.headers()["x-request-id"],
        "trace-42",
        "a caller's id is kept"
    );
    let mut with_cors = s.clone();
    with_cors.cors_origins = vec!["https://team.example".into()];
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/api/bookings")
        .header("origin", "https://team.example")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    let res = app(with_cors).oneshot(preflight).await.unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://team.example"
    );
}

/// Tokens signed with the server's own key but for another audience or issuer, or expired,
/// are refused too.
#[tokio::test]
async fn expired_and_misaddressed_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = b"a-test-secret-that-is-32-bytes-long!";
    let s = AppState::with_secret(local(dir.path()), secret);
    let t = login_as(&s, "ada@example.com").await;
    let good = t["access_token"].as_str().unwrap();
    let (st, me) = call_auth(&s, "GET", "/api/users/profile", good, None, None).await;
    assert_eq!(st, StatusCode::OK);
    let user = me["id"].as_str().unwrap();
    // The session the login started: a live one, so each refusal below is for its claim.
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&[booksygo_server::auth::AUDIENCE]);
    let sid =
        jsonwebtoken::decode::<Value>(good, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
            .unwrap()
            .claims["sid"]
            .clone();
    assert!(sid.as_str().unwrap().starts_with("fam"), "{sid}");
    let now = jiff::Timestamp::now().as_second();
    let sign = |aud: &str, iss: &str, exp: i64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &json!({"sub": user, "role": "user", "sid": sid, "aud": aud, "iss": iss, "iat": now - 60, "exp": exp}),
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    let aud = booksygo_server::auth::AUDIENCE;
    let iss = booksygo_server::auth::ISSUER;
    // Sanity: the same recipe with the right claims works, so each refusal below is for its
    // one wrong claim.
    let (st, _) = call_auth(
        &s,
        "GET",
        "/api/users/profile",
        &sign(aud, iss, now + 600),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    for (token, why) in [
        (sign("another-app", iss, now + 600), "wrong audience"),
        (sign(aud, "someone-else", now + 600), "wrong issuer"),
        (sign(aud, iss, now - 1), "expired"),
    ] {
        let (st, body) = call_auth(&s, "GET", "/api/users/profile", &token, None, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{why}");
        assert_eq!(body["error"]["code"], "auth_required", "{why}");
    }
}

/// The payments routes: an intent for a PENDING booking, confirmed by card; the payment
/// record; a refund; and the provider's webhook, which only signed bodies get through.
#[tokio::test]
async fn payments_intent_confirm_get_refund_and_the_signed_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = LocalOptions::new(Paths::in_dir(dir.path()));
    o.clock = Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
    o.payment_webhook_secret = Some(booksygo_core::secrets::Secret::new("whsec_test"));
    let s = AppState::new(LocalAgency::open(o).unwrap());
    let ada = login_as(&s, "ada@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = login_as(&s, "bob@example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let offer = first_offer(&s, "LHR", "JFK").await;
    let body = booking_body(&offer, None).to_string();
    let (st, b) = call_auth(&s, "POST", "/api/bookings", &ada, Some(&body), None).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = b["id"].as_str().unwrap();

    let ask = json!({"booking_id": id}).to_string();
    let (st, intent) = call_auth(&s, "POST", "/api/payments/intent", &ada, Some(&ask), None).await;
    assert_eq!(st, StatusCode::OK, "{intent}");
    assert_eq!(intent["status"], "requires_payment_method");
    assert_eq!(intent["amount"], b["amount_due"]);
    // Someone else's booking does not exist for them.
    let (st, _) = call_auth(&s, "POST", "/api/payments/intent", &bob, Some(&ask), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let half = json!({"booking_id": id, "card_number": "4242424242424242"}).to_string();
    let (st, _) = call_auth(&s, "POST", "/api/payments/confirm", &ada, Some(&half), None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let pay =
        json!({"booking_id": id, "card_number": "4242424242424242", "expiry": "12/30"}).to_string();
    let (st, paid) = call_auth(
        &s,
        "POST",
        "/api/payments/confirm",
        &ada,
        Some(&pay),
        Some("pay-1"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "succeeded");
    let payment = paid["payment_id"].as_str().unwrap();

    let (st, rec) = call_auth(
        &s,
        "GET",
        &format!("/api/payments/{payment}"),
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (rec["status"].as_str(), rec["card"].as_str()),
        (Some("succeeded"), Some("visa **** 4242"))
    );
    let (st, _) = call_auth(
        &s,
        "GET",
        &format!("/api/payments/{payment}"),
        &bob,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, refunded) = call_auth(
        &s,
        "POST",
        "/api/payments/refund",
        &ada,
        Some(&ask),
        Some("refund-1"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{refunded}");
    assert!(
        matches!(refunded["status"].as_str(), Some("CANCELLED" | "REFUNDED")),
        "{refunded}"
    );
    let (st, again) = call_auth(&s, "POST", "/api/payments/refund", &ada, Some(&ask), None).await;
    assert_eq!(st, StatusCode::CONFLICT, "{again}");

    // The webhook: a signed event is accepted (this one concerns no booking of ours); a
    // missing, tampered, wrongly keyed or stale signature is 400 and changes nothing.
    let event = json!({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_unknown", "object": "payment_intent"}}}).to_string();
    let now = booksygo_core::LocalAgency::open(LocalOptions::new(Paths::in_dir(dir.path())))
        .unwrap()
        .now()
        .as_second();
    let post = |sig: Option<String>, body: String| {
        let s = s.clone();
        async move {
            let mut headers = vec![("content-type", "application/json".to_string())];
            headers.extend(sig.map(|sig| ("stripe-signature", sig)));
            let (status, bytes) =
                send_with_headers(&s, "POST", "/api/payments/webhook", &headers, Some(&body)).await;
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let good = booksygo_core::signature::header("whsec_test", now, event.as_bytes());
    let (st, out) = post(Some(good.clone()), event.clone()).await;
    assert_eq!(st, StatusCode::OK, "{out}");
    assert_eq!(out["event_id"], "evt_1");
    let (st, e) = post(None, event.clone()).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_signature"))
    );
    assert_eq!(
        post(Some(good), event.replace("evt_1", "evt_2")).await.0,
        StatusCode::BAD_REQUEST
    );
    let wrong = booksygo_core::signature::header("whsec_other", now, event.as_bytes());
    assert_eq!(
        post(Some(wrong), event.clone()).await.0,
        StatusCode::BAD_REQUEST
    );
    let stale = booksygo_core::signature::header("whsec_test", now - 3600, event.as_bytes());
    assert_eq!(post(Some(stale), event).await.0, StatusCode::BAD_REQUEST);
}
