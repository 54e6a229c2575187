//! Access tokens end with their session (hardening issue, item 9): each carries the session it
//! belongs to (`sid`, the refresh-token family of its login), and every authenticated request
//! checks that the session is still live. Driven over a real loopback server.

mod common;

use booksygo_server::AppState;
use common::{PASSWORD, Remote, local};
use serde_json::{Value, json};

const SECRET: &[u8] = b"a-test-secret-a-test-secret-0123";

/// A server on a fresh database signing with [`SECRET`], and its data directory.
async fn server() -> (tempfile::TempDir, Remote) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::with_secret(local(dir.path()), SECRET);
    (dir, Remote::serve(state).await)
}

async fn register(r: &Remote, email: &str) {
    let (st, body) = r
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(json!({"email": email, "password": PASSWORD, "first_name": "Ada"})),
        )
        .await;
    assert_eq!(st, 201, "{body}");
}

/// A login: its access and refresh tokens.
async fn login(r: &Remote, email: &str) -> (String, String) {
    let (st, t) = r
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    (
        t["access_token"].as_str().unwrap().to_string(),
        t["refresh_token"].as_str().unwrap().to_string(),
    )
}

async fn profile(r: &Remote, token: &str) -> (u16, Value) {
    r.call("GET", "/api/users/profile", Some(token), None).await
}

fn refused_because_ended(answer: &(u16, Value)) {
    assert_eq!(answer.0, 401, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], "auth_required");
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("session ended"), "{message}");
}

#[tokio::test]
async fn after_logout_the_access_token_is_refused_at_once() {
    let (_d, r) = server().await;
    register(&r, "ada@example.com").await;
    let (access, refresh) = login(&r, "ada@example.com").await;
    // Used once, so this instance's cache knows the session as live.
    assert_eq!(profile(&r, &access).await.0, 200);
    let (st, body) = r
        .call(
            "POST",
            "/api/auth/logout",
            None,
            Some(json!({"refresh_token": refresh})),
        )
        .await;
    assert_eq!(st, 204, "{body}");
    refused_because_ended(&profile(&r, &access).await);
    refused_because_ended(&r.call("GET", "/api/bookings", Some(&access), None).await);
    refused_because_ended(
        &r.call("GET", "/api/gamification/points", Some(&access), None)
            .await,
    );
}

#[tokio::test]
async fn another_session_of_the_same_traveller_logging_out_leaves_this_one() {
    let (_d, r) = server().await;
    register(&r, "ada@example.com").await;
    let (laptop, _) = login(&r, "ada@example.com").await;
    let (phone, phone_refresh) = login(&r, "ada@example.com").await;
    assert_eq!(profile(&r, &laptop).await.0, 200);
    assert_eq!(profile(&r, &phone).await.0, 200);
    let (st, _) = r
        .call(
            "POST",
            "/api/auth/logout",
            None,
            Some(json!({"refresh_token": phone_refresh})),
        )
        .await;
    assert_eq!(st, 204);
    refused_because_ended(&profile(&r, &phone).await);
    let (st, me) = profile(&r, &laptop).await;
    assert_eq!(st, 200, "{me}");
    assert_eq!(me["email"], "ada@example.com");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_session_and_its_access_tokens_at_once() {
    let (_d, r) = server().await;
    register(&r, "ada@example.com").await;
    let (first, stolen) = login(&r, "ada@example.com").await;
    assert_eq!(profile(&r, &first).await.0, 200);
    // A renewal keeps the session: the renewed access token works, and so does the first.
    let (st, renewed) = r
        .call(
            "POST",
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": stolen})),
        )
        .await;
    assert_eq!(st, 200, "{renewed}");
    let second = renewed["access_token"].as_str().unwrap();
    assert_eq!(profile(&r, second).await.0, 200);
    assert_eq!(profile(&r, &first).await.0, 200);
    // The old refresh token again: the family is revoked, every access token of it stops.
    let (st, body) = r
        .call(
            "POST",
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": stolen})),
        )
        .await;
    assert_eq!(st, 401, "{body}");
    refused_because_ended(&profile(&r, &first).await);
    refused_because_ended(&profile(&r, second).await);
}

#[tokio::test]
async fn a_deleted_account_and_one_that_cannot_log_in_are_refused() {
    let (dir, r) = server().await;
    register(&r, "ada@example.com").await;
    register(&r, "bob@example.com").await;
    let (ada, _) = login(&r, "ada@example.com").await;
    let (bob, _) = login(&r, "bob@example.com").await;
    // There is no route that deletes an account: the row goes from the database directly,
    // as an operator would (foreign keys off, as in the sqlite3 shell), before this server
    // has cached anything about the session.
    let db = local(dir.path());
    let conn = db.store().conn().unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM users WHERE email = 'ada@example.com';
         UPDATE users SET password_hash = NULL WHERE email = 'bob@example.com';
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    for path in ["/api/bookings", "/api/gamification/points"] {
        refused_because_ended(&r.call("GET", path, Some(&ada), None).await);
    }
    for (path, body) in [
        ("/api/trips", json!({"name": "x"})),
        ("/api/ai/chat", json!({"message": "hello"})),
    ] {
        refused_because_ended(&r.call("POST", path, Some(&ada), Some(body)).await);
    }
    refused_because_ended(&profile(&r, &bob).await);
}

#[tokio::test]
async fn a_token_without_a_session_is_refused_with_a_clear_message() {
    let (_d, r) = server().await;
    register(&r, "ada@example.com").await;
    let (access, _) = login(&r, "ada@example.com").await;
    let (_, me) = profile(&r, &access).await;
    // The old format: the same claims and signature, without `sid`.
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({
        "sub": me["id"], "role": "user", "aud": booksygo_server::auth::AUDIENCE,
        "iss": booksygo_server::auth::ISSUER, "iat": now, "exp": now + 600,
    });
    let old = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let (st, body) = profile(&r, &old).await;
    assert_eq!(st, 401, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("names no session"), "{message}");
    assert!(message.contains("log in again"), "{message}");
    // The same claims with a session that was never started are refused too.
    let mut forged = claims.clone();
    forged["sid"] = json!("fam_never");
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &forged,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    refused_because_ended(&profile(&r, &forged).await);
}
