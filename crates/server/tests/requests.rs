//! What a hostile client can do with one request: forge log lines through `x-request-id`,
//! learn a route's fields without the role to call it, probe reviews of others' bookings,
//! send an oversized body to the payment webhook, read parser details in token errors, or
//! present a token signed for ten years.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_server::{AppState, app};
use common::{call, call_auth, local, sign_up, state};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Everything the server logs while the test runs (the subscriber is this thread's).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// `/healthz` with `x-request-id: id`; the id the answer carries.
async fn with_request_id(s: &AppState, id: &str) -> String {
    let res = app(s.clone())
        .oneshot(
            Request::builder()
                .uri("/healthz")
                .header("x-request-id", id)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()["x-request-id"].to_str().unwrap().to_string()
}

fn is_safe_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[tokio::test]
async fn fresh_request_ids_differ_and_are_safe() {
    let (_d, s) = state();
    let router = app(s);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let res = router
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/healthz")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        ids.push(res.headers()["x-request-id"].to_str().unwrap().to_string());
    }
    for id in &ids {
        assert!(is_safe_id(id), "{id}");
    }
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}"
    );
    // Another server (or a restart) draws another prefix.
    let (_d2, s2) = state();
    let other = with_request_id(&s2, "").await;
    let prefix = |id: &str| id.split('-').next().unwrap_or_default().to_string();
    assert_ne!(prefix(&other), prefix(&ids[0]), "{other} {ids:?}");
}

#[tokio::test]
async fn request_ids_are_short_and_safe_and_logged_quoted() {
    let (_d, s) = state();
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A short safe id is kept, and logged quoted.
    let max = "A".repeat(60) + "._-9";
    for id in ["trace-42", "abc.DEF_1-2", max.as_str()] {
        assert_eq!(with_request_id(&s, id).await, id);
        assert!(
            logs.text().contains(&format!("request_id=\"{id}\"")),
            "{}",
            logs.text()
        );
    }
    // The reproduction: an id that forges the rest of a log line is replaced.
    let forged = "abc method=DELETE route=/api/admin/users status=200";
    let given = with_request_id(&s, forged).await;
    assert_ne!(given, forged);
    assert!(is_safe_id(&given), "{given}");
    assert!(
        !logs.text().contains("route=/api/admin/users"),
        "{}",
        logs.text()
    );
    // Too long, or with characters outside [A-Za-z0-9._-]: a fresh id.
    let long = "a".repeat(65);
    let huge = "a".repeat(8000);
    for id in [
        long.as_str(),
        huge.as_str(),
        "a\"b",
        "a/b",
        "id with spaces",
        "é",
    ] {
        let given = with_request_id(&s, id).await;
        assert_ne!(given, id);
        assert!(is_safe_id(&given), "{given}");
        assert!(logs.text().contains(&format!("request_id=\"{given}\"")));
    }
    assert!(!logs.text().contains(&long));
}

#[tokio::test]
async fn json_logs_carry_the_request_id_as_a_plain_string() {
    let (_d, s) = state();
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    assert_eq!(with_request_id(&s, "trace-42").await, "trace-42");
    let line: Value = serde_json::from_str(logs.text().lines().last().unwrap()).unwrap();
    assert_eq!(line["request_id"], "trace-42", "{line}");
}

/// An admin, a partner and a plain traveller on one server; their access tokens.
async fn roles(d: &std::path::Path, s: &AppState) -> (String, String, String) {
    {
        let server = local(d);
        let c = server.store().conn().unwrap();
        for (email, role) in [
            ("admin@example.com", "admin"),
            ("partner@example.com", "partner"),
        ] {
            booksygo_core::accounts::register(&c, email, common::PASSWORD, "", "", role, 0)
                .unwrap();
        }
    }
    let login = |email: &'static str| {
        let s = s.clone();
        async move {
            let body = json!({"email": email, "password": common::PASSWORD}).to_string();
            let (st, t) = call(&s, "POST", "/api/auth/login", Some(&body)).await;
            assert_eq!(st, StatusCode::OK, "{t}");
            t["access_token"].as_str().unwrap().to_string()
        }
    };
    let user = sign_up(s, "ada@example.com", "Ada", "L").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (
        login("admin@example.com").await,
        login("partner@example.com").await,
        user,
    )
}

#[tokio::test]
async fn the_role_is_checked_before_the_body() {
    let (d, s) = state();
    let (admin, partner, user) = roles(d.path(), &s).await;
    let (_, me) = call_auth(&s, "GET", "/api/users/profile", &user, None, None).await;
    let me = me["id"].as_str().unwrap().to_string();
    let role = format!("/api/admin/users/{me}/role");
    // Malformed or invalid bodies (and queries) from a plain traveller: 403, never the
    // field list or a validation message.
    let probes: [(&str, &str, Option<&str>); 7] = [
        ("PUT", role.as_str(), Some(r#"{"nope":1}"#)),
        ("PUT", role.as_str(), Some("not json")),
        ("POST", "/api/admin/points", Some(r#"{"user_id":5}"#)),
        ("POST", "/api/admin/webhooks", Some(r#"{"url":[]}"#)),
        ("GET", "/api/admin/bookings?status=NOPE", None),
        (
            "POST",
            "/api/packages",
            Some(r#"{"id":"pkg_x","rating":99}"#),
        ),
        (
            "PUT",
            "/api/packages",
            Some(r#"{"id":"pkg_x","rating":99}"#),
        ),
    ];
    for (method, uri, body) in probes {
        let (st, answer) = call_auth(&s, method, uri, &user, body, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{method} {uri}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(!message.contains("field"), "{message}");
        assert!(!message.contains("rating"), "{message}");
    }
    // Those allowed still get the body checked.
    for (token, method, uri, body) in [
        (&admin, "PUT", role.as_str(), r#"{"nope":1}"#),
        (&admin, "POST", "/api/admin/points", r#"{"user_id":5}"#),
        (
            &partner,
            "POST",
            "/api/packages",
            r#"{"id":"pkg_x","rating":99}"#,
        ),
        (&admin, "POST", "/api/packages", "not json"),
    ] {
        let (st, answer) = call_auth(&s, method, uri, token, Some(body), None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{method} {uri}: {answer}");
    }
    let (st, answer) = call_auth(
        &s,
        "GET",
        "/api/admin/bookings?status=NOPE",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{answer}");
    // And the routes still work for them.
    let (st, answer) = call_auth(
        &s,
        "PUT",
        &role,
        &admin,
        Some(r#"{"role":"premium"}"#),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    assert_eq!(answer["role"], "premium");
}

#[tokio::test]
async fn a_review_of_someone_elses_booking_is_not_found_before_it_is_validated() {
    let (_d, s) = state();
    let ada = sign_up(&s, "ada@example.com", "Ada", "L").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = sign_up(&s, "bob@example.com", "Bob", "B").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let search = json!({"slices": [{"origin": "LHR", "destination": "CDG", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}], "max_connections": 0});
    let (_, offers) = call(&s, "POST", "/api/search/flights", Some(&search.to_string())).await;
    let offer = offers["offers"][0]["id"].as_str().unwrap();
    let booking = json!({
        "selected_offers": [offer],
        "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
        "contact_email": "ada@example.com"
    });
    let (st, b) = call_auth(
        &s,
        "POST",
        "/api/bookings",
        &ada,
        Some(&booking.to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap();
    for (rating, text) in [(99, "great"), (5, ""), (0, "x")] {
        let review = json!({"booking_id": id, "rating": rating, "text": text}).to_string();
        let (st, answer) = call_auth(&s, "POST", "/api/reviews", &bob, Some(&review), None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{answer}");
        assert_eq!(answer["error"]["code"], "not_found");
        // Ada's own booking is validated as before.
        let (st, answer) = call_auth(&s, "POST", "/api/reviews", &ada, Some(&review), None).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
}

#[tokio::test]
async fn an_oversized_webhook_body_is_a_json_error() {
    let (_d, s) = state();
    let big = format!(
        "{{\"pad\":\"{}\"}}",
        "x".repeat(booksygo_server::BODY_LIMIT)
    );
    let res = app(s.clone())
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/api/payments/webhook")
                .header("content-type", "application/json")
                .header("stripe-signature", "t=1,v1=00")
                .body(Body::from(big.clone()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "body_too_large", "{body}");
    // The same as any other route's.
    let (st, other) = call(&s, "POST", "/api/auth/login", Some(&big)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(other["error"]["code"], "body_too_large");
}

#[tokio::test]
async fn token_errors_are_plain_and_long_lived_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret = b"a-test-secret-that-is-32-bytes-long!";
    let s = AppState::with_secret(local(dir.path()), secret);
    let t = sign_up(&s, "ada@example.com", "Ada", "L").await;
    let good = t["access_token"].as_str().unwrap();
    let (st, me) = call_auth(&s, "GET", "/api/users/profile", good, None, None).await;
    assert_eq!(st, StatusCode::OK);
    let user = me["id"].as_str().unwrap();
    // The login's live session, so that each refusal below is for the token's lifetime.
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&[booksygo_server::auth::AUDIENCE]);
    let sid = jsonwebtoken::decode::<serde_json::Value>(
        good,
        &jsonwebtoken::DecodingKey::from_secret(secret),
        &v,
    )
    .unwrap()
    .claims["sid"]
        .clone();
    let now = jiff::Timestamp::now().as_second();
    let sign = |iat: i64, exp: i64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &json!({"sub": user, "role": "user", "sid": sid, "aud": booksygo_server::auth::AUDIENCE,
                    "iss": booksygo_server::auth::ISSUER, "iat": iat, "exp": exp}),
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    let ttl = booksygo_server::auth::ACCESS_TTL_SECONDS;
    // A token of the configured lifetime is accepted...
    let (st, _) = call_auth(
        &s,
        "GET",
        "/api/users/profile",
        &sign(now - 60, now - 60 + ttl),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // ...one that claims to live longer is not, however it was signed.
    let ten_years = 10 * 365 * 24 * 3600;
    for (iat, exp) in [
        (now, now + ten_years),
        (now - 60, now - 59 + ttl),
        (now - ten_years, now + 60),
    ] {
        let (st, body) =
            call_auth(&s, "GET", "/api/users/profile", &sign(iat, exp), None, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "iat {iat} exp {exp}: {body}");
        assert_eq!(body["error"]["message"], "invalid token", "{body}");
    }
    // Garbage, a bad signature, a token with a claim missing: the same plain message, no
    // parser details.
    let mut bad = good.to_string();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    let no_iat = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": user, "role": "user", "aud": booksygo_server::auth::AUDIENCE,
                "iss": booksygo_server::auth::ISSUER, "exp": now + 60}),
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap();
    for token in [
        "not.a.token",
        "abc",
        "e30.e30.e30",
        bad.as_str(),
        no_iat.as_str(),
    ] {
        let (st, body) = call_auth(&s, "GET", "/api/users/profile", token, None, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(body["error"]["code"], "auth_required");
        assert_eq!(body["error"]["message"], "invalid token", "{token}: {body}");
    }
    // An expired token still says what to do.
    let (_, body) = call_auth(
        &s,
        "GET",
        "/api/users/profile",
        &sign(now - ttl - 10, now - 10),
        None,
        None,
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
}
