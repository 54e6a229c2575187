//! Referrals over HTTP: your code, registering with it, and the refusals (an unknown code,
//! a malformed one) as 4xx JSON that make no account.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, call, call_auth, sign_up, state};
use serde_json::json;

#[tokio::test]
async fn registering_with_a_code_links_the_accounts() {
    let (_dir, s) = state();
    let grace = sign_up(&s, "grace@team.test", "Grace", "Hopper").await;
    let token = grace["access_token"].as_str().unwrap();
    let (st, r) = call_auth(&s, "GET", "/api/gamification/referral", token, None, None).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let code = r["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    assert_eq!(r["points_each"], 200);
    assert_eq!(r["monthly_limit"], 20);
    assert_eq!(r["referred"], json!([]));
    let (st, _) = call(&s, "GET", "/api/gamification/referral", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // An unknown code: 422 with the reason, and no account.
    let body = |email: &str, code: serde_json::Value| {
        json!({"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "referral_code": code})
            .to_string()
    };
    let (st, e) = call(
        &s,
        "POST",
        "/api/auth/register",
        Some(&body("ada@example.com", json!("ACDEFGHJ"))),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "invalid_input");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("ACDEFGHJ"),
        "{e}"
    );
    let (st, e) = call(
        &s,
        "POST",
        "/api/auth/register",
        Some(&body("ada@example.com", json!("not a code"))),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a referral code"),
        "{e}"
    );
    let (st, e) = call(
        &s,
        "POST",
        "/api/auth/register",
        Some(&body("ada@example.com", json!(12345678))),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let login = json!({"email": "ada@example.com", "password": PASSWORD}).to_string();
    let (st, _) = call(&s, "POST", "/api/auth/login", Some(&login)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "no account was made");

    // The right code, in any case: 201, and Grace sees Ada waiting for her first trip.
    let (st, p) = call(
        &s,
        "POST",
        "/api/auth/register",
        Some(&body("ada@example.com", json!(code.to_lowercase()))),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let (_, r) = call_auth(&s, "GET", "/api/gamification/referral", token, None, None).await;
    assert_eq!(r["code"], code.as_str(), "the same code");
    assert_eq!(r["referred"][0]["name"], "Ada L.");
    assert_eq!(r["referred"][0]["status"], "pending");
    // The same e-mail again: the account exists (409), whatever the code.
    let (st, e) = call(
        &s,
        "POST",
        "/api/auth/register",
        Some(&body("ada@example.com", json!(code))),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (_, r) = call_auth(&s, "GET", "/api/gamification/referral", token, None, None).await;
    assert_eq!(r["referred"].as_array().unwrap().len(), 1);
}
