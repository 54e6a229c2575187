//! `POST /api/search/flights/stream`: one SSE event per provider as it answers, then the
//! merged result; a failing supplier is an event with its error, not a failed search.

mod common;

use async_trait::async_trait;
use booksygo_core::LocalAgency;
use booksygo_core::model::FlightOffer;
use booksygo_core::providers::{FlightProvider, FlightRequest};
use booksygo_server::AppState;
use serde_json::{Value, json};
use std::sync::Arc;

struct Down;

#[async_trait]
impl FlightProvider for Down {
    fn name(&self) -> &str {
        "down"
    }
    async fn search_flights(&self, _: &FlightRequest) -> booksygo_core::Result<Vec<FlightOffer>> {
        Err(booksygo_core::Error::internal("HTTP 503 from upstream"))
    }
}

/// Splits an SSE body into (event, data) pairs.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            (name, serde_json::from_str(&data).unwrap_or(Value::Null))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_provider_streams_then_the_merged_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = common::options(dir.path());
    o.flight_providers = vec![Arc::new(Down)];
    let (base, _) = common::serve(AppState::new(LocalAgency::open(o).unwrap())).await;
    let http = reqwest::Client::new();
    let body = json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}], "max_connections": 0});

    let resp = http
        .post(format!("{base}/api/search/flights/stream"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let got = events(&resp.text().await.unwrap());

    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.last(), Some(&"done"), "{names:?}");
    let providers: Vec<&Value> = got
        .iter()
        .filter(|(n, _)| n == "provider")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(providers.len(), 2, "one event per provider: {providers:?}");
    let sandbox = providers
        .iter()
        .find(|p| p["provider"] == "sandbox")
        .unwrap();
    let down = providers.iter().find(|p| p["provider"] == "down").unwrap();
    assert!(!sandbox["offers"].as_array().unwrap().is_empty());
    assert!(down["error"].as_str().unwrap().contains("503"));

    // The final event is the same answer as the plain endpoint, warning included.
    let done = &got.last().unwrap().1;
    let plain: Value = http
        .post(format!("{base}/api/search/flights"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["offers"], plain["offers"]);
    assert!(done["warnings"][0].as_str().unwrap().contains("down"));

    // Bad input is a plain 4xx JSON error, before any stream.
    let bad = http
        .post(format!("{base}/api/search/flights/stream"))
        .json(&json!({"slices": [{"origin": "LHR", "destination": "XXX", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let e: Value = bad.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_input");
}
