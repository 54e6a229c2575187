//! The PayPal adapter against a PayPal stand-in on loopback answering with recorded responses
//! in PayPal's format: an order with its approval link, a capture, a declined capture, a
//! capture not yet approved, a capture whose answer was lost (reconciled on the next try), a
//! refund, rejected credentials, and webhook verification by PayPal's own call.

mod fake;

use booksygo_core::ErrorKind;
use booksygo_core::booking::payment::ChargeOutcome;
use booksygo_core::booking::payment::paypal::{PayPalConfig, PayPalPayments, WebhookHeaders};
use booksygo_core::model::{Currency, Money};
use booksygo_core::providers::Secret;
use fake::{Fake, Reply, fixture};

async fn setup() -> (Fake, PayPalPayments) {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        "/v1/oauth2/token",
        vec![Reply::ok(fixture("paypal/oauth_token.json"))],
    );
    let mut cfg = PayPalConfig::new("AeA1QIZXiflr1", Secret::new("EC4-sandbox-secret"));
    cfg.base_url = fake.base.clone();
    cfg.webhook_id = Some("1JE4291016473214C".into());
    cfg.timeout = std::time::Duration::from_secs(2);
    (fake, PayPalPayments::new(cfg).unwrap())
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

#[tokio::test]
async fn an_order_waits_for_the_payer_then_its_capture_takes_the_money() {
    let (fake, paypal) = setup().await;
    // Later routes win: the order's capture after the orders.
    fake.on(
        "POST",
        "/v2/checkout/orders",
        vec![Reply::status(201, fixture("paypal/order_created.json"))],
    );
    fake.on(
        "POST",
        "/v2/checkout/orders/5O190127TN364715T/capture",
        vec![Reply::status(201, fixture("paypal/order_captured.json"))],
    );
    let order = paypal
        .create_order(eur(25_000), "bkg_1", "pay-bkg_1-1")
        .await
        .unwrap();
    assert_eq!(order.id, "5O190127TN364715T");
    assert_eq!(
        order.approve_url,
        "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T"
    );
    let created = &fake.to("POST", "/v2/checkout/orders")[0];
    let body = created.json();
    assert_eq!(body["intent"], "CAPTURE");
    assert_eq!(body["purchase_units"][0]["amount"]["value"], "250.00");
    assert_eq!(body["purchase_units"][0]["amount"]["currency_code"], "EUR");
    assert_eq!(
        created.header("paypal-request-id").as_deref(),
        Some("pay-bkg_1-1")
    );
    assert!(
        created
            .header("authorization")
            .unwrap()
            .starts_with("Bearer A21AAF")
    );
    // The token was asked for once, with the app's credentials, and is reused.
    let token = &fake.to("POST", "/v1/oauth2/token")[0];
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(
        token.form(),
        [("grant_type".to_string(), "client_credentials".to_string())]
    );

    let captured = paypal.capture(&order.id).await.unwrap();
    assert_eq!(
        captured,
        ChargeOutcome::Succeeded {
            reference: "3C679366HH908993F".into()
        }
    );
    let capture = &fake.to("POST", "/v2/checkout/orders/5O190127TN364715T/capture")[0];
    assert_eq!(
        capture.header("paypal-request-id").as_deref(),
        Some("capture-5O190127TN364715T")
    );
    assert_eq!(fake.to("POST", "/v1/oauth2/token").len(), 1);
}

#[tokio::test]
async fn a_declined_capture_is_a_decline_with_paypals_reason() {
    let (fake, paypal) = setup().await;
    fake.on(
        "POST",
        "/v2/checkout/orders/5O190127TN364715T/capture",
        vec![
            Reply::status(422, fixture("paypal/error_instrument_declined.json")),
            Reply::status(201, fixture("paypal/order_capture_declined.json")),
        ],
    );
    match paypal.capture("5O190127TN364715T").await.unwrap() {
        ChargeOutcome::Declined { reason } => assert!(reason.contains("declined"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match paypal.capture("5O190127TN364715T").await.unwrap() {
        ChargeOutcome::Declined { reason } => assert!(reason.contains("DECLINED"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_capture_before_approval_says_so_and_leaves_the_order_waiting() {
    let (fake, paypal) = setup().await;
    fake.on(
        "POST",
        "/v2/checkout/orders/5O190127TN364715T/capture",
        vec![Reply::status(
            422,
            fixture("paypal/error_order_not_approved.json"),
        )],
    );
    let e = paypal.capture("5O190127TN364715T").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("not approved"), "{e}");
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_reconciled_on_the_next_try() {
    let (fake, paypal) = setup().await;
    fake.on(
        "POST",
        "/v2/checkout/orders/5O190127TN364715T/capture",
        vec![
            Reply::Hang,
            Reply::status(422, fixture("paypal/error_order_already_captured.json")),
        ],
    );
    fake.on(
        "GET",
        "/v2/checkout/orders/5O190127TN364715T",
        vec![Reply::ok(fixture("paypal/order_captured.json"))],
    );
    // The first capture times out: we do not know, and say so (the payment keeps waiting).
    let e = paypal.capture("5O190127TN364715T").await.unwrap_err();
    assert!(
        e.to_string().contains("PayPal did not answer in time"),
        "{e}"
    );
    // The next run captures again under the same request id; PayPal says it is done, and the
    // order tells which capture took the money.
    assert_eq!(
        paypal.capture("5O190127TN364715T").await.unwrap(),
        ChargeOutcome::Succeeded {
            reference: "3C679366HH908993F".into()
        }
    );
    let captures = fake.to("POST", "/v2/checkout/orders/5O190127TN364715T/capture");
    assert_eq!(captures.len(), 2);
    assert_eq!(
        captures[0].header("paypal-request-id"),
        captures[1].header("paypal-request-id")
    );
}

#[tokio::test]
async fn a_refund_gives_back_part_of_a_capture_once() {
    let (fake, paypal) = setup().await;
    fake.on(
        "POST",
        "/v2/payments/captures/3C679366HH908993F/refund",
        vec![Reply::status(201, fixture("paypal/refund.json"))],
    );
    let id = paypal
        .refund_capture("3C679366HH908993F", eur(4_700), "refund-ref_1")
        .await
        .unwrap();
    assert_eq!(id, "1JU08902781691411");
    let sent = &fake.to("POST", "/v2/payments/captures/3C679366HH908993F/refund")[0];
    assert_eq!(sent.json()["amount"]["value"], "47.00");
    assert_eq!(
        sent.header("paypal-request-id").as_deref(),
        Some("refund-ref_1")
    );
    // Ids are checked before they go into a path.
    assert!(paypal.refund_capture("../x", eur(1), "k").await.is_err());
}

#[tokio::test]
async fn rejected_credentials_say_how_to_fix_them() {
    let fake = Fake::start().await;
    fake.on(
        "POST",
        "/v1/oauth2/token",
        vec![Reply::status(401, fixture("paypal/error_401.json"))],
    );
    let mut cfg = PayPalConfig::new("wrong", Secret::new("wrong"));
    cfg.base_url = fake.base.clone();
    let paypal = PayPalPayments::new(cfg).unwrap();
    let e = paypal.create_order(eur(100), "bkg", "k").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRequired);
    assert!(e.to_string().contains("BOOKSYGO_PAYPAL_SECRET"), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");
}

#[tokio::test]
async fn webhooks_are_verified_by_paypal() {
    let (fake, paypal) = setup().await;
    fake.on(
        "POST",
        "/v1/notifications/verify-webhook-signature",
        vec![
            Reply::ok(fixture("paypal/verify_success.json")),
            Reply::ok(fixture("paypal/verify_failure.json")),
        ],
    );
    let event: serde_json::Value =
        serde_json::from_str(&fixture("paypal/event_capture_completed.json")).unwrap();
    let headers = WebhookHeaders::from_lookup(|name| {
        Some(
            match name {
                "paypal-auth-algo" => "SHA256withRSA",
                "paypal-cert-url" => "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
                "paypal-transmission-id" => "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
                "paypal-transmission-sig" => "lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3",
                "paypal-transmission-time" => "2026-11-25T12:00:06Z",
                _ => return None,
            }
            .to_string(),
        )
    })
    .unwrap();
    assert!(paypal.verify_webhook(&headers, &event).await.unwrap());
    let asked = &fake.to("POST", "/v1/notifications/verify-webhook-signature")[0];
    let body = asked.json();
    assert_eq!(body["webhook_id"], "1JE4291016473214C");
    assert_eq!(
        body["transmission_id"],
        "69cd13f0-d67a-11e5-baa3-778b53f4ae55"
    );
    assert_eq!(
        body["webhook_event"]["event_type"],
        "PAYMENT.CAPTURE.COMPLETED"
    );
    // PayPal says no: not genuine.
    assert!(!paypal.verify_webhook(&headers, &event).await.unwrap());
    // A delivery without its signature headers cannot even be asked about.
    assert!(WebhookHeaders::from_lookup(|_| None).is_none());
}
