//! Admin routes and signed outgoing webhooks, against a real server on a loopback port and a
//! real receiver on another.

mod common;

use axum::http::HeaderMap;
use booksygo_core::LocalAgency;
use booksygo_core::webhooks::{self, Allow, Courier};
use booksygo_server::AppState;
use common::{PASSWORD, Remote, options};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The receivers listen on loopback, which webhooks may not reach unless an admin allows it:
/// the test setup allows it, as `server.webhook_allow = "127.0.0.1"` would.
fn allow() -> Allow {
    Allow::parse("127.0.0.1").unwrap()
}

/// The server's agency on `dir`, with the receivers' address allowed.
fn local(dir: &std::path::Path) -> LocalAgency {
    let mut o = options(dir);
    o.webhook_allow = allow();
    LocalAgency::open(o).unwrap()
}

fn admin(a: &LocalAgency) -> String {
    booksygo_core::accounts::register(
        &a.store().conn().unwrap(),
        "root@team.test",
        PASSWORD,
        "Root",
        "Admin",
        "admin",
        0,
    )
    .unwrap()
    .id
}

/// A webhook receiver: records every delivery; answers 500 to the first `failures` calls.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let left = Arc::new(Mutex::new(failures));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            let left = left.clone();
            async move {
                tx.send((headers, body)).unwrap();
                let mut left = left.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teammates_booking_reaches_the_admins_webhook_signed() {
    let dir = tempfile::tempdir().unwrap();
    let a = local(dir.path());
    admin(&a);
    let api = Remote::serve(AppState::new(a)).await;
    let (hook_url, mut deliveries) = receiver(0).await;

    let root = api.login("root@team.test").await;
    let (st, hook) = api
        .call(
            "POST",
            "/api/admin/webhooks",
            Some(&root),
            Some(json!({"url": hook_url, "events": ["booking.*"]})),
        )
        .await;
    assert_eq!(st, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));

    // A teammate registers and books.
    let (st, _) = api
        .call("POST", "/api/auth/register", None, Some(json!({"email": "ada@team.test", "password": PASSWORD, "first_name": "Ada", "last_name": "L"})))
        .await;
    assert_eq!(st, 201);
    let ada = api.login("ada@team.test").await;

    // Not an admin: no webhooks, no user list, nothing written.
    let (st, e) = api
        .call(
            "POST",
            "/api/admin/webhooks",
            Some(&ada),
            Some(json!({"url": "http://127.0.0.1:9/x"})),
        )
        .await;
    assert_eq!((st, e["error"]["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(
        api.call("GET", "/api/admin/users", Some(&ada), None)
            .await
            .0,
        403
    );

    let (_, offers) = api
        .call("POST", "/api/search/flights", Some(&ada), Some(json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}], "max_connections": 0})))
        .await;
    let offer = offers["offers"][0]["id"].as_str().unwrap();
    let (st, booking) = api
        .call("POST", "/api/bookings", Some(&ada), Some(json!({
            "selected_offers": [offer],
            "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
            "contact_email": "ada@team.test",
            "payment": {"method": "card", "card_number": "4242424242424242", "expiry": "12/30"}
        })))
        .await;
    assert_eq!(st, 201, "{booking}");

    // The deliveries arrive (the courier runs every second); each is signed and verifies.
    let mut types = Vec::new();
    while !types.iter().any(|t| t == "booking.confirmed") {
        let (headers, body) =
            tokio::time::timeout(std::time::Duration::from_secs(20), deliveries.recv())
                .await
                .expect("a webhook within 20 s")
                .unwrap();
        let sig = headers[webhooks::SIGNATURE_HEADER].to_str().unwrap();
        webhooks::verify_signature(&secret, sig, &body, jiff::Timestamp::now().as_second())
            .unwrap();
        assert!(
            webhooks::verify_signature(
                "whsec_wrong",
                sig,
                &body,
                jiff::Timestamp::now().as_second()
            )
            .is_err()
        );
        let event: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            headers[webhooks::EVENT_ID_HEADER].to_str().unwrap(),
            event["id"]
        );
        assert!(
            event["type"].as_str().unwrap().starts_with("booking."),
            "only subscribed types: {event}"
        );
        assert_eq!(event["subject_id"], booking["id"]);
        types.push(event["type"].as_str().unwrap().to_string());
    }

    // The admin sees every booking, and the webhook's cursor moved.
    let (_, all) = api
        .call("GET", "/api/admin/bookings", Some(&root), None)
        .await;
    assert_eq!(all[0]["id"], booking["id"]);
    let (_, hooks) = api
        .call("GET", "/api/admin/webhooks", Some(&root), None)
        .await;
    assert!(
        hooks[0]["secret"].is_null(),
        "the secret is shown only at creation"
    );
    assert_eq!(hooks[0]["failures"], 0);

    // Manual points, with a reason; roles.
    let (_, users) = api.call("GET", "/api/admin/users", Some(&root), None).await;
    let ada_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "ada@team.test")
        .unwrap()["id"]
        .clone();
    let (st, bal) = api
        .call(
            "POST",
            "/api/admin/points",
            Some(&root),
            Some(json!({"user_id": ada_id, "points": 250, "reason": "team quiz"})),
        )
        .await;
    assert_eq!(st, 200, "{bal}");
    assert_eq!(bal["available"], 750);
    let (st, p) = api
        .call(
            "PUT",
            &format!("/api/admin/users/{}/role", ada_id.as_str().unwrap()),
            Some(&root),
            Some(json!({"role": "partner"})),
        )
        .await;
    assert_eq!((st, p["role"].as_str()), (200, Some("partner")));
    let (st, _) = api
        .call(
            "POST",
            "/api/admin/webhooks",
            Some(&root),
            Some(json!({"url": "ftp://nope"})),
        )
        .await;
    assert_eq!(st, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_retried_with_backoff_and_gets_every_event_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = local(dir.path());
    let root = admin(&a);
    let (url, mut deliveries) = receiver(2).await;
    let store = a.store().clone();
    let hook = webhooks::create(&store.conn().unwrap(), &root, &url, &["*".into()], 0).unwrap();
    let secret = hook.secret.unwrap();
    for i in 0..3 {
        booksygo_core::events::emit(
            &store.conn().unwrap(),
            "test.ping",
            &format!("s{i}"),
            None,
            &json!({"n": i}),
            0,
        )
        .unwrap();
    }
    let courier = Courier::with_allow(allow());
    let t0 = 1_900_000_000;

    // First round: the receiver fails; one attempt, then a 5 s backoff.
    let r = courier.deliver_due(&store, t0).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    let first = deliveries.recv().await.unwrap().1;
    let w = &webhooks::list(&store.conn().unwrap(), &root).unwrap()[0];
    assert_eq!((w.failures, w.next_attempt_at), (1, t0 + 5));
    assert!(w.last_error.as_deref().unwrap().contains("500"));

    // Not due yet: nothing is sent.
    let r = courier.deliver_due(&store, t0 + 4).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 0));
    assert!(deliveries.try_recv().is_err());

    // Second failure doubles the wait; then the receiver recovers and gets all three, in order,
    // the first one again (at least once).
    courier.deliver_due(&store, t0 + 5).await.unwrap();
    let w = &webhooks::list(&store.conn().unwrap(), &root).unwrap()[0];
    assert_eq!((w.failures, w.next_attempt_at), (2, t0 + 5 + 10));
    let r = courier.deliver_due(&store, t0 + 15).await.unwrap();
    assert_eq!((r.delivered, r.failed), (3, 0));
    let mut got = Vec::new();
    while let Ok((headers, body)) = deliveries.try_recv() {
        let sig = headers[webhooks::SIGNATURE_HEADER]
            .to_str()
            .unwrap()
            .to_string();
        got.push((body, sig));
    }
    let ns: Vec<i64> = got
        .iter()
        .map(|(b, _)| {
            serde_json::from_str::<Value>(b).unwrap()["data"]["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        ns,
        vec![0, 0, 1, 2],
        "the failed event again, then the rest in order"
    );
    assert_eq!(got[1].0, first, "a retry sends the same body");
    for (body, sig) in &got {
        webhooks::verify_signature(&secret, sig, body, t0 + 15).unwrap();
    }
    let w = &webhooks::list(&store.conn().unwrap(), &root).unwrap()[0];
    assert_eq!((w.failures, w.last_error.as_deref()), (0, None));

    // Nothing pending: the next round sends nothing.
    let r = courier.deliver_due(&store, t0 + 16).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_couriers_on_one_database_deliver_each_event_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (local(dir.path()), local(dir.path()));
    let root = admin(&a);
    let (url, mut deliveries) = receiver(0).await;
    webhooks::create(&a.store().conn().unwrap(), &root, &url, &["*".into()], 0).unwrap();
    for i in 0..20 {
        booksygo_core::events::emit(
            &a.store().conn().unwrap(),
            "test.ping",
            &format!("s{i}"),
            None,
            &json!({"n": i}),
            0,
        )
        .unwrap();
    }
    // Two server processes (two stores on one file), each with its courier, in rounds at
    // the same moments.
    let (one, two) = (Courier::with_allow(allow()), Courier::with_allow(allow()));
    let t0 = 1_900_000_000;
    for round in 0..3 {
        let (sa, sb) = (a.store().clone(), b.store().clone());
        let (r1, r2) = tokio::join!(
            one.deliver_due(&sa, t0 + round),
            two.deliver_due(&sb, t0 + round)
        );
        r1.unwrap();
        r2.unwrap();
    }
    let mut seen = Vec::new();
    while let Ok((_, body)) = deliveries.try_recv() {
        let v: Value = serde_json::from_str(&body).unwrap();
        seen.push(v["data"]["n"].as_i64().unwrap());
    }
    assert_eq!(
        seen,
        (0..20).collect::<Vec<_>>(),
        "each event once, in order"
    );
}
