//! PayPal through the team server on a loopback port, with PayPal itself a stand-in on
//! loopback answering in PayPal's format: a traveller's client (`RemoteAgency`) pays a
//! booking with PayPal, gets the approval link, confirms (the server captures), cancels (the
//! server refunds through PayPal); PayPal's webhook is put to PayPal's verification call,
//! refused when PayPal does not vouch for it, applied once when it does. Both routes are in
//! the OpenAPI document.

mod common;
#[path = "../../core/tests/fake/mod.rs"]
mod fake;

use booksygo_core::booking::BookingStatus;
use booksygo_core::booking::payment::paypal::{PayPalConfig, PayPalPayments};
use booksygo_core::providers::Secret;
use booksygo_core::remote::{self, RemoteAgency};
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use booksygo_server::AppState;
use common::{PASSWORD, serve};
use fake::{Fake, Reply, fixture};
use std::sync::Arc;

const ORDER: &str = "5O190127TN364715T";
const CAPTURE: &str = "3C679366HH908993F";

async fn paypal() -> Fake {
    let f = Fake::start().await;
    f.on(
        "POST",
        "/v1/oauth2/token",
        vec![Reply::ok(fixture("paypal/oauth_token.json"))],
    );
    f.on(
        "POST",
        "/v2/checkout/orders",
        vec![Reply::status(201, fixture("paypal/order_created.json"))],
    );
    f.on(
        "POST",
        &format!("/v2/checkout/orders/{ORDER}/capture"),
        vec![Reply::status(201, fixture("paypal/order_captured.json"))],
    );
    f.on(
        "POST",
        &format!("/v2/payments/captures/{CAPTURE}/refund"),
        vec![Reply::status(201, fixture("paypal/refund.json"))],
    );
    f
}

/// A server with PayPal on `f`, and Ada's client logged in to it.
async fn server(dir: &std::path::Path, f: &Fake) -> (String, RemoteAgency) {
    let mut o = common::options(&dir.join("server"));
    let mut cfg = PayPalConfig::new("AeA1QIZXiflr1", Secret::new("EC4-sandbox-secret"));
    cfg.base_url = f.base.clone();
    cfg.webhook_id = Some("1JE4291016473214C".into());
    o.paypal = Some(Arc::new(PayPalPayments::new(cfg).unwrap()));
    let local = LocalAgency::open(o).unwrap();
    local
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                "ada@team.test",
                PASSWORD,
                "Ada",
                "Lovelace",
                "user",
                jiff::Timestamp::now().as_second(),
            )
        })
        .unwrap();
    let (url, _task) = serve(AppState::new(local)).await;
    let session = remote::login(&url, "ada@team.test", PASSWORD)
        .await
        .unwrap();
    (url.clone(), RemoteAgency::new(session, None, None).unwrap())
}

async fn pending(a: &RemoteAgency) -> booksygo_core::booking::Booking {
    use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
    use booksygo_core::search::{FlightQuery, FlightSort};
    let mut q = FlightQuery::one_way("LHR", "JFK", "2027-03-14".parse().unwrap());
    q.max_stops = Some(0);
    q.sort = FlightSort::Price;
    let offer = a.search_flights(&q).await.unwrap().offers.remove(0);
    let b = a
        .create_booking(BookingRequest {
            items: vec![ItemRequest::Offer { offer_id: offer.id }],
            passengers: vec![PassengerInput {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                born_on: "1990-12-10".parse().unwrap(),
                kind: Some(booksygo_core::model::PassengerType::Adult),
                document: None,
                gender: None,
            }],
            contact_email: "ada@example.com".into(),
            contact_phone: None,
            payment: PaymentInput::default(),
            idempotency_key: None,
        })
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_pays_with_paypal_confirms_and_cancels_through_the_server() {
    let f = paypal().await;
    let dir = tempfile::tempdir().unwrap();
    let (_url, a) = server(dir.path(), &f).await;
    let b = pending(&a).await;

    let c = a.pay_with_paypal(&b.id).await.unwrap();
    assert_eq!(c.order_id, ORDER);
    assert_eq!(
        c.approve_url,
        "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T"
    );
    assert_eq!(c.status, BookingStatus::PaymentProcessing);
    assert_eq!(c.amount, b.amount_due);

    let confirmed = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(confirmed.payments[0].method, "paypal");

    let cancelled = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Refunded);
    let refunds = f.to("POST", &format!("/v2/payments/captures/{CAPTURE}/refund"));
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].json()["amount"]["value"],
        cancelled.refunded.decimal()
    );
    // A booking no longer PENDING cannot be paid again.
    let e = a.pay_with_paypal(&b.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paypal_webhooks_are_verified_by_paypal_and_applied_once() {
    let f = paypal().await;
    f.on(
        "POST",
        "/v1/notifications/verify-webhook-signature",
        vec![
            Reply::ok(fixture("paypal/verify_failure.json")),
            Reply::ok(fixture("paypal/verify_success.json")),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let (url, a) = server(dir.path(), &f).await;
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();

    let http = reqwest::Client::new();
    let body = fixture("paypal/event_capture_completed.json");
    let deliver = |signed: bool| {
        let mut r = http
            .post(format!("{url}/api/payments/paypal/webhook"))
            .header("content-type", "application/json")
            .body(body.clone());
        if signed {
            r = r
                .header("PAYPAL-AUTH-ALGO", "SHA256withRSA")
                .header(
                    "PAYPAL-CERT-URL",
                    "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42",
                )
                .header(
                    "PAYPAL-TRANSMISSION-ID",
                    "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
                )
                .header(
                    "PAYPAL-TRANSMISSION-SIG",
                    "lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9",
                )
                .header("PAYPAL-TRANSMISSION-TIME", "2026-11-25T12:00:06Z");
        }
        r.send()
    };
    // Without PayPal's headers: refused without asking PayPal.
    let r = deliver(false).await.unwrap();
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "bad_signature");
    assert!(
        f.to("POST", "/v1/notifications/verify-webhook-signature")
            .is_empty()
    );
    // PayPal does not vouch for it: refused, nothing changes.
    let r = deliver(true).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        a.get_booking(&b.id).await.unwrap().status,
        BookingStatus::PaymentProcessing
    );
    // Verified: applied once; sent again, a duplicate.
    let r = deliver(true).await.unwrap();
    assert_eq!(r.status(), 200);
    let applied: serde_json::Value = r.json().await.unwrap();
    assert_eq!(applied["action"], "confirmed");
    assert_eq!(applied["booking_id"], b.id.as_str());
    let r = deliver(true).await.unwrap();
    let again: serde_json::Value = r.json().await.unwrap();
    assert_eq!(again["action"], "duplicate");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Confirmed);
    assert_eq!(
        after
            .history
            .iter()
            .filter(|h| h.to == BookingStatus::Confirmed)
            .count(),
        1
    );

    // Both routes are documented.
    let doc: serde_json::Value = http
        .get(format!("{url}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/payments/paypal/order"]["post"].is_object());
    assert!(doc["paths"]["/api/payments/paypal/webhook"]["post"].is_object());
    assert!(
        doc["paths"]["/api/payments/paypal/webhook"]["post"]
            .get("security")
            .is_none()
    );
}
