//! Price watches on the team server: per account over HTTP on a loopback port, bad input as
//! 4xx JSON, and the server's sweep (once per drop, one instance at a time, the alert as an
//! outbox event), on SQLite and PostgreSQL.

mod common;

use booksygo_core::Agency;
use booksygo_core::model::{Cabin, Currency};
use booksygo_core::search::{FlightQuery, FlightSort};
use booksygo_server::AppState;
use common::{Remote, local_on, on_engines, sign_up};
use serde_json::{Value, json};

const DATE: &str = "2026-12-14";

/// The cheapest LHR-JFK total for one adult in EUR on [`DATE`], as the sweep will see it.
async fn cheapest(agency: &dyn Agency) -> booksygo_core::model::Money {
    let mut q = FlightQuery::one_way("LHR", "JFK", DATE.parse().unwrap());
    q.sort = FlightSort::Price;
    q.limit = Some(1);
    q.currency = Some(Currency::EUR);
    q.cabin = Cabin::Economy;
    agency.search_flights(&q).await.unwrap().offers[0].total()
}

fn token(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_string()
}

async fn two_travellers(state: &AppState) -> (String, String) {
    let a = sign_up(state, "ada@example.com", "Ada", "Lovelace").await;
    let b = sign_up(state, "bob@example.com", "Bob", "Builder").await;
    (token(&a), token(&b))
}

#[tokio::test]
async fn watches_are_per_account_and_removed_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(common::local(dir.path()));
    let (ada, bob) = two_travellers(&state).await;
    let server = Remote::serve(state).await;

    let (st, w) = server
        .call(
            "POST",
            "/api/watches",
            Some(&ada),
            Some(json!({"origin": "London", "destination": "JFK", "date": DATE, "below": "399.50", "currency": "gbp", "adults": 2})),
        )
        .await;
    assert_eq!(st, 201, "{w}");
    let id = w["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("wch_"), "{w}");
    assert_eq!(w["origin"], "LON", "places are resolved to codes");
    assert_eq!(w["destination"], "JFK");
    assert_eq!(w["below"], json!({"amount": "399.50", "currency": "GBP"}));
    assert_eq!(w["adults"], 2);
    assert_eq!(w["cabin"], "economy");
    assert_eq!(w["last_price"], Value::Null);

    let (st, list) = server.call("GET", "/api/watches", Some(&ada), None).await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());

    // Bob sees none of Ada's watches, and cannot remove them: 404, as if it did not exist.
    let (st, list) = server.call("GET", "/api/watches", Some(&bob), None).await;
    assert_eq!(st, 200);
    assert_eq!(list, json!([]));
    let (st, e) = server
        .call("DELETE", &format!("/api/watches/{id}"), Some(&bob), None)
        .await;
    assert_eq!(st, 404, "{e}");
    assert_eq!(e["error"]["code"], "not_found");
    let (_, list) = server.call("GET", "/api/watches", Some(&ada), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "still Ada's");

    // Without a session: 401.
    let (st, _) = server.call("GET", "/api/watches", None, None).await;
    assert_eq!(st, 401);

    let (st, _) = server
        .call("DELETE", &format!("/api/watches/{id}"), Some(&ada), None)
        .await;
    assert_eq!(st, 204);
    let (st, e) = server
        .call("DELETE", &format!("/api/watches/{id}"), Some(&ada), None)
        .await;
    assert_eq!(st, 404, "{e}");
    let (_, list) = server.call("GET", "/api/watches", Some(&ada), None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn bad_watches_are_4xx_json_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(common::local(dir.path()));
    let (ada, _) = two_travellers(&state).await;
    let server = Remote::serve(state).await;
    let good = json!({"origin": "LHR", "destination": "JFK", "date": DATE, "below": "400"});
    let with = |field: &str, value: Value| {
        let mut b = good.clone();
        b[field] = value;
        b
    };
    let cases = [
        (with("origin", json!("Atlantis")), 422, "Atlantis"),
        (with("destination", json!("LHR")), 422, "same place"),
        (with("date", json!("2026-11-01")), 422, "in the past"),
        (with("date", json!("2026-13-45")), 400, "date"),
        (with("below", json!("-5")), 422, "positive"),
        (with("below", json!("0")), 422, "positive"),
        (with("below", json!("abc")), 422, "abc"),
        (with("below", json!("1.234")), 422, "1.234"),
        (with("below", json!(400)), 400, "string"),
        (with("currency", json!("XYZ")), 422, "unknown currency"),
        (with("currency", json!("euros")), 422, "not a currency"),
        (with("adults", json!(0)), 422, "passenger"),
        (with("adults", json!(300)), 400, "adults"),
        (with("cabin", json!("hammock")), 400, "cabin"),
        (with("colour", json!("red")), 400, "colour"),
    ];
    for (body, status, says) in cases {
        let (st, e) = server
            .call("POST", "/api/watches", Some(&ada), Some(body.clone()))
            .await;
        assert_eq!(st, status, "{body} -> {e}");
        let message = e["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(says),
            "{body}: '{message}' should mention '{says}'"
        );
        assert!(e["error"]["code"].is_string(), "{e}");
    }
    let (_, list) = server.call("GET", "/api/watches", Some(&ada), None).await;
    assert_eq!(list, json!([]), "nothing stored");
    let (st, _) = server
        .call("POST", "/api/watches", Some(&ada), Some(good))
        .await;
    assert_eq!(st, 201);
}

/// The sweep checks every account's watches, fires each once per drop and writes the alert
/// as `price_alert.triggered` in the owner's event feed; a second instance on the same
/// database leaves the sweep to the one holding it.
async fn the_sweep_fires_once_per_drop_and_one_instance_sweeps(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_kept, agency) = local_on(engine, dir.path());
    let state = AppState::new(agency.clone());
    let (ada, bob) = two_travellers(&state).await;
    let price = cheapest(&agency).await;
    let server = Remote::serve(state.clone()).await;
    let above = booksygo_core::model::Money::new(price.minor + 1, Currency::EUR).decimal();
    let (st, hit) = server
        .call(
            "POST",
            "/api/watches",
            Some(&ada),
            Some(json!({"origin": "LHR", "destination": "JFK", "date": DATE, "below": above})),
        )
        .await;
    assert_eq!(st, 201, "{hit}");
    // Exactly at the price is not below it.
    let at = price.decimal();
    let (st, miss) = server
        .call(
            "POST",
            "/api/watches",
            Some(&bob),
            Some(json!({"origin": "LHR", "destination": "JFK", "date": DATE, "below": at})),
        )
        .await;
    assert_eq!(st, 201, "{miss}");

    let before = state.team.last_event().await.unwrap();
    let alerts = state
        .team
        .sweep_watches()
        .await
        .unwrap()
        .expect("the sweep is free");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert.watch_id, hit["id"].as_str().unwrap());
    assert_eq!(alert.price, price);
    assert!(
        alert
            .book_command
            .starts_with(&format!("booksygo book {}", alert.offer_id))
    );

    // The alert is in Ada's feed (what SSE and webhooks carry), with everything to act on.
    let ada_id = alert.user_id.clone();
    let events = state.team.events_for(&ada_id, before, 100).await.unwrap();
    let fired: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "price_alert.triggered")
        .collect();
    assert_eq!(fired.len(), 1, "{events:?}");
    let p = &fired[0].payload;
    assert_eq!(fired[0].subject_id, alert.watch_id);
    assert_eq!(p["watch_id"], alert.watch_id.as_str());
    assert_eq!(p["user_id"], ada_id.as_str());
    assert_eq!(p["origin"], "LHR");
    assert_eq!(p["destination"], "JFK");
    assert_eq!(p["date"], DATE);
    assert_eq!(
        p["price"],
        json!({"amount": price.decimal(), "currency": "EUR"})
    );
    assert_eq!(p["below"]["amount"], above.as_str());
    assert_eq!(p["offer_id"], alert.offer_id.as_str());
    assert_eq!(p["book_command"], alert.book_command.as_str());

    // The same price again: no second alert.
    let again = state.team.sweep_watches().await.unwrap().unwrap();
    assert!(again.is_empty(), "{again:?}");
    let (_, list) = server.call("GET", "/api/watches", Some(&bob), None).await;
    assert_eq!(
        list[0]["last_price"]["amount"],
        price.decimal().as_str(),
        "checked"
    );
    assert_eq!(list[0]["fired_price"], Value::Null);
    let (_, list) = server.call("GET", "/api/watches", Some(&ada), None).await;
    assert_eq!(list[0]["fired_price"]["amount"], price.decimal().as_str());
    let after = state.team.last_event().await.unwrap();
    let all = state.team.events_for(&ada_id, before, 100).await.unwrap();
    assert_eq!(
        all.iter()
            .filter(|e| e.kind == "price_alert.triggered")
            .count(),
        1
    );
    assert!(after > before);

    // Another instance on the same database: the first one holds the sweep.
    let other = agency.team();
    assert_eq!(other.sweep_watches().await.unwrap(), None);
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    the_sweep_fires_once_per_drop_and_one_instance_sweeps
);

#[tokio::test]
async fn a_check_on_demand_and_a_prediction_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let agency = common::local(dir.path());
    let state = AppState::new(agency.clone());
    let (ada, bob) = two_travellers(&state).await;
    let price = cheapest(&agency).await;
    let server = Remote::serve(state).await;
    let above = booksygo_core::model::Money::new(price.minor + 1, Currency::EUR).decimal();
    let (st, _) = server
        .call(
            "POST",
            "/api/watches",
            Some(&ada),
            Some(json!({"origin": "LHR", "destination": "JFK", "date": DATE, "below": above})),
        )
        .await;
    assert_eq!(st, 201);
    // Bob's check searches Bob's watches only.
    let (st, none) = server
        .call("POST", "/api/watches/check", Some(&bob), None)
        .await;
    assert_eq!((st, none), (200, json!([])));
    let (st, fired) = server
        .call("POST", "/api/watches/check", Some(&ada), None)
        .await;
    assert_eq!(st, 200, "{fired}");
    assert_eq!(fired.as_array().unwrap().len(), 1);
    let (_, again) = server
        .call("POST", "/api/watches/check", Some(&ada), None)
        .await;
    assert_eq!(again, json!([]));

    let (st, p) = server
        .call(
            "POST",
            "/api/ai/predict-price",
            Some(&ada),
            Some(json!({"origin": "LHR", "destination": "JFK", "date": DATE})),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["current"]["amount"], price.decimal().as_str());
    assert!(["book_now", "wait"].contains(&p["advice"].as_str().unwrap()));
}
