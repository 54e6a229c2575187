//! `/api/ai/*`: the assistant over HTTP (offline backend), with the confirmation rule for
//! booking, conversations kept per user, and recommend / itinerary / predict-price.

mod common;

use axum::http::StatusCode;
use booksygo_server::AppState;
use common::{call_auth, call_text, sign_up, state};
use serde_json::{Value, json};

async fn login(s: &AppState, email: &str) -> String {
    sign_up(s, email, "Ana", "Lopez").await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The `reply` event of a chat stream, after checking the `text` events spell the reply.
fn reply_of(sse: &str) -> Value {
    let mut text = String::new();
    let mut reply = Value::Null;
    for block in sse.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let name = block
            .lines()
            .find_map(|l| l.strip_prefix("event:"))
            .unwrap_or("")
            .trim()
            .to_string();
        let data: Vec<&str> = block
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        match name.as_str() {
            "text" => text.push_str(&data.join("\n")),
            "reply" => reply = serde_json::from_str(&data.join("\n")).unwrap(),
            other => panic!("unexpected event {other}: {block}"),
        }
    }
    assert_eq!(
        reply["reply"].as_str().unwrap(),
        text,
        "the streamed pieces make the reply"
    );
    reply
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_searches_and_books_only_after_yes() {
    let (_d, s) = state();
    let ana = login(&s, "ana@team.test").await;
    let bob = login(&s, "bob@team.test").await;

    let (st, sse) = call_text(
        &s,
        "POST",
        "/api/ai/chat",
        &ana,
        Some(&json!({"message": "flights from Paris to Rome on 14 December"}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{sse}");
    let first = reply_of(&sse);
    assert_eq!(first["backend"], "offline");
    assert_eq!(first["tool_calls"][0]["name"], "search_flights");
    let conv = first["conversation_id"].as_str().unwrap().to_string();

    let (_, sse) = call_text(&s, "POST", "/api/ai/chat", &ana, Some(&json!({"message": "book option 1 for Ana Lopez born 1990-04-02, ana@example.com", "conversation_id": conv}).to_string())).await;
    let quoted = reply_of(&sse);
    assert_eq!(quoted["awaiting_confirmation"], true, "{quoted}");
    let (_, list) = call_auth(&s, "GET", "/api/bookings", &ana, None, None).await;
    assert_eq!(list, json!([]), "nothing is booked before the yes");

    // Bob cannot continue Ana's conversation.
    let (st, _) = call_text(
        &s,
        "POST",
        "/api/ai/chat",
        &bob,
        Some(&json!({"message": "yes", "conversation_id": conv}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (_, sse) = call_text(
        &s,
        "POST",
        "/api/ai/chat",
        &ana,
        Some(&json!({"message": "yes", "conversation_id": conv}).to_string()),
    )
    .await;
    let booked = reply_of(&sse);
    assert_eq!(
        booked["tool_calls"][0]["name"], "create_booking",
        "{booked}"
    );
    let (_, list) = call_auth(&s, "GET", "/api/bookings", &ana, None, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["passengers"][0]["family_name"], "Lopez");

    let (st, e) = call_text(
        &s,
        "POST",
        "/api/ai/chat",
        &ana,
        Some(&json!({"message": "   "}).to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommend_itinerary_and_predict_price() {
    let (_d, s) = state();
    let ana = login(&s, "ana@team.test").await;

    let (st, recs) = call_auth(
        &s,
        "POST",
        "/api/ai/recommend",
        &ana,
        Some(&json!({"limit": 3}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{recs}");
    assert_eq!(recs.as_array().unwrap().len(), 3);
    assert!(
        recs[0]["reason"].is_string() || recs[0]["why"].is_string(),
        "{recs}"
    );

    let (st, plan) = call_auth(&s, "POST", "/api/ai/itinerary", &ana, Some(&json!({"origin": "LON", "destination": "Rome", "start": "2027-04-10", "days": 4, "budget": {"amount": "900.00", "currency": "EUR"}}).to_string()), None).await;
    assert_eq!(st, StatusCode::OK, "{plan}");
    let total: f64 = plan["total"]["amount"].as_str().unwrap().parse().unwrap();
    assert!(total <= 900.0, "{plan}");
    assert_eq!(plan["days"].as_array().unwrap().len(), 4);

    let (st, p) = call_auth(
        &s,
        "POST",
        "/api/ai/predict-price",
        &ana,
        Some(&json!({"origin": "LHR", "destination": "JFK", "date": "2027-03-14"}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert!(p["advice"].is_string() && p["trend"].is_string(), "{p}");

    let (st, body) = call_auth(
        &s,
        "POST",
        "/api/ai/predict-price",
        &ana,
        Some(&json!({"origin": "LHR", "destination": "XXX", "date": "2027-03-14"}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (st, _) = call_auth(
        &s,
        "POST",
        "/api/ai/itinerary",
        &ana,
        Some(&json!({"destination": "Rome"}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}
