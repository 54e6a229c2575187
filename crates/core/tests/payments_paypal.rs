//! Paying bookings with PayPal through the facade, against a PayPal on loopback answering
//! with recorded responses in PayPal's format (fixtures/suppliers/paypal/): the order and its
//! approval link, the capture that confirms the booking, a declined capture (nothing lost,
//! payable again), a capture whose answer was lost (reconciled on the next confirm, or read
//! back once the booking lapsed), a cancellation refunded through PayPal once, and webhooks
//! verified by PayPal's own call and applied once.

mod common;
mod fake;

use booksygo_core::booking::BookingStatus;
use booksygo_core::booking::payment::paypal::{PayPalConfig, PayPalPayments, WebhookHeaders};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::providers::Secret;
use booksygo_core::{Agency, ErrorKind, LocalAgency, LocalOptions};
use common::now;
use fake::{Fake, Reply, fixture};
use jiff::{Timestamp, ToSpan};
use std::sync::Arc;

const ORDER: &str = "5O190127TN364715T";
const CAPTURE: &str = "3C679366HH908993F";
const APPROVE: &str = "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T";

/// A PayPal on loopback that gives tokens and creates orders; each test scripts the rest.
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
    f
}

fn open(dir: &std::path::Path, f: &Fake, at: Timestamp) -> LocalAgency {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(at);
    with_paypal(f, &mut o);
    LocalAgency::open(o).unwrap()
}

/// PayPal on `f` beside the sandbox cards.
fn with_paypal(f: &Fake, o: &mut LocalOptions) {
    let mut cfg = PayPalConfig::new("AeA1QIZXiflr1", Secret::new("EC4-sandbox-secret"));
    cfg.base_url = f.base.clone();
    cfg.webhook_id = Some("1JE4291016473214C".into());
    cfg.timeout = std::time::Duration::from_secs(2);
    o.paypal = Some(Arc::new(PayPalPayments::new(cfg).unwrap()));
}

/// A booking of Ada's, PENDING (made without a card).
async fn pending(a: &LocalAgency) -> booksygo_core::booking::Booking {
    let offer = common::ba_offer(a).await;
    let b = a
        .create_booking(common::ada_request(&offer.id, None))
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    b
}

/// The orders created (not their captures, which share the prefix).
fn orders(f: &Fake) -> Vec<fake::Request> {
    f.to("POST", "/v2/checkout/orders")
        .into_iter()
        .filter(|r| r.path == "/v2/checkout/orders")
        .collect()
}

fn capture_path() -> String {
    format!("/v2/checkout/orders/{ORDER}/capture")
}

common::on_engines!(
    #[tokio::test]
    an_approved_order_is_captured_and_a_cancellation_is_refunded_through_paypal_once,
    a_webhook_paypal_does_not_verify_is_refused_and_a_verified_one_applies_once,
);

async fn an_approved_order_is_captured_and_a_cancellation_is_refunded_through_paypal_once(
    engine: &str,
) {
    let f = paypal().await;
    f.on(
        "POST",
        &capture_path(),
        vec![Reply::status(201, fixture("paypal/order_captured.json"))],
    );
    f.on(
        "POST",
        &format!("/v2/payments/captures/{CAPTURE}/refund"),
        vec![Reply::status(201, fixture("paypal/refund.json"))],
    );
    let (_kept, a) = common::agency_on(engine, |o| with_paypal(&f, o));
    let b = pending(&a).await;

    let c = a.pay_with_paypal(&b.id).await.unwrap();
    assert_eq!(c.order_id, ORDER);
    assert_eq!(c.approve_url, APPROVE);
    assert_eq!(c.amount, b.amount_due);
    assert_eq!(c.status, BookingStatus::PaymentProcessing);
    assert!(
        c.next_action.contains("confirm-payment"),
        "{}",
        c.next_action
    );
    let sent = orders(&f);
    assert_eq!(sent.len(), 1);
    let body = sent[0].json();
    assert_eq!(
        body["purchase_units"][0]["amount"]["value"],
        b.amount_due.decimal()
    );
    assert_eq!(
        body["purchase_units"][0]["amount"]["currency_code"],
        b.amount_due.currency.as_str()
    );
    assert_eq!(
        sent[0].header("paypal-request-id"),
        Some(format!("{}-0", b.id))
    );

    // The booking waits for the payer, says where to approve, and shows a PayPal attempt.
    let waiting = a.get_booking(&b.id).await.unwrap();
    assert_eq!(waiting.status, BookingStatus::PaymentProcessing);
    assert!(
        waiting.next_action.as_deref().unwrap().contains(APPROVE),
        "{:?}",
        waiting.next_action
    );
    assert_eq!(waiting.payments.len(), 1);
    assert_eq!(waiting.payments[0].method, "paypal");
    assert_eq!(waiting.payments[0].status, "requires_action");
    assert_eq!(waiting.payments[0].card, None);
    // Asked again, the same order, and no second order at PayPal.
    let again = a.pay_with_paypal(&b.id).await.unwrap();
    assert_eq!(
        (again.order_id.as_str(), again.approve_url.as_str()),
        (ORDER, APPROVE)
    );
    assert_eq!(orders(&f).len(), 1);

    let confirmed = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(confirmed.payments[0].status, "succeeded");
    assert_eq!(f.to("POST", &capture_path()).len(), 1);

    let cancelled = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Refunded);
    assert!(cancelled.refunded.minor > 0);
    let refunds = f.to("POST", &format!("/v2/payments/captures/{CAPTURE}/refund"));
    assert_eq!(refunds.len(), 1);
    let refund = refunds[0].json();
    assert_eq!(refund["amount"]["value"], cancelled.refunded.decimal());
    assert_eq!(
        refund["amount"]["currency_code"],
        cancelled.refunded.currency.as_str()
    );
    assert!(refunds[0].header("paypal-request-id").is_some());
    // Later reads pay nothing twice.
    a.list_bookings(None).await.unwrap();
    a.get_booking(&b.id).await.unwrap();
    assert_eq!(
        f.to("POST", &format!("/v2/payments/captures/{CAPTURE}/refund"))
            .len(),
        1
    );
}

#[tokio::test]
async fn a_declined_capture_loses_nothing_and_the_booking_can_be_paid_again() {
    let f = paypal().await;
    f.on(
        "POST",
        &capture_path(),
        vec![
            Reply::status(422, fixture("paypal/error_instrument_declined.json")),
            Reply::status(201, fixture("paypal/order_captured.json")),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), &f, now());
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();

    let e = a.confirm_payment(&b.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("PayPal declined"), "{e}");
    assert!(e.to_string().contains("--paypal"), "{e}");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Pending);
    assert_eq!(after.payments[0].status, "failed");
    assert_eq!(after.refunded.minor, 0);

    // Payable again: a new order under the next request id, captured this time.
    let c = a.pay_with_paypal(&b.id).await.unwrap();
    assert_eq!(c.status, BookingStatus::PaymentProcessing);
    let made = orders(&f);
    assert_eq!(made.len(), 2);
    assert_eq!(
        made[1].header("paypal-request-id"),
        Some(format!("{}-1", b.id))
    );
    let confirmed = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
}

#[tokio::test]
async fn a_capture_before_approval_says_so_and_keeps_waiting() {
    let f = paypal().await;
    f.on(
        "POST",
        &capture_path(),
        vec![Reply::status(
            422,
            fixture("paypal/error_order_not_approved.json"),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), &f, now());
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();
    let e = a.confirm_payment(&b.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("not approved"), "{e}");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::PaymentProcessing);
    assert_eq!(after.payments[0].status, "requires_action");
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_reconciled_on_the_next_confirm() {
    let f = paypal().await;
    f.on(
        "POST",
        &capture_path(),
        vec![
            Reply::Hang,
            Reply::status(422, fixture("paypal/error_order_already_captured.json")),
        ],
    );
    f.on(
        "GET",
        &format!("/v2/checkout/orders/{ORDER}"),
        vec![Reply::ok(fixture("paypal/order_captured.json"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), &f, now());
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();

    let e = a.confirm_payment(&b.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SuppliersFailed);
    assert!(e.to_string().contains("did not answer in time"), "{e}");
    assert!(e.to_string().contains("nothing is lost"), "{e}");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::PaymentProcessing);

    // The next run: PayPal says the order is captured already, and the order names the
    // capture; the booking is confirmed, and the capture was asked for once more only.
    let confirmed = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    let captures = f.to("POST", &capture_path());
    assert_eq!(captures.len(), 2);
    assert_eq!(
        captures[0].header("paypal-request-id"),
        captures[1].header("paypal-request-id")
    );
}

#[tokio::test]
async fn a_lost_capture_on_a_booking_that_lapsed_is_found_and_refunded() {
    let f = paypal().await;
    f.on("POST", &capture_path(), vec![Reply::Hang]);
    f.on(
        "GET",
        &format!("/v2/checkout/orders/{ORDER}"),
        vec![Reply::ok(fixture("paypal/order_captured.json"))],
    );
    f.on(
        "POST",
        &format!("/v2/payments/captures/{CAPTURE}/refund"),
        vec![Reply::status(201, fixture("paypal/refund.json"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), &f, now());
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();
    assert!(a.confirm_payment(&b.id).await.is_err());
    drop(a);

    // A day and more later nobody confirmed: the booking lapses, the order is read back,
    // its capture found, and the money given back through PayPal, once.
    let later = open(dir.path(), &f, now() + 25.hours());
    let lapsed = later.get_booking(&b.id).await.unwrap();
    assert_eq!(lapsed.status, BookingStatus::Cancelled);
    let read = later.get_booking(&b.id).await.unwrap();
    assert_eq!(read.status, BookingStatus::Refunded, "{:?}", read.history);
    assert_eq!(read.refunded, b.amount_due);
    later.list_bookings(None).await.unwrap();
    let refunds = f.to("POST", &format!("/v2/payments/captures/{CAPTURE}/refund"));
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].json()["amount"]["value"], b.amount_due.decimal());
}

fn headers() -> WebhookHeaders {
    WebhookHeaders {
        auth_algo: "SHA256withRSA".into(),
        cert_url: "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42".into(),
        transmission_id: "69cd13f0-d67a-11e5-baa3-778b53f4ae55".into(),
        transmission_sig: "lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz".into(),
        transmission_time: "2026-11-25T12:00:06Z".into(),
    }
}

async fn a_webhook_paypal_does_not_verify_is_refused_and_a_verified_one_applies_once(engine: &str) {
    let f = paypal().await;
    f.on(
        "POST",
        "/v1/notifications/verify-webhook-signature",
        vec![
            Reply::ok(fixture("paypal/verify_failure.json")),
            Reply::ok(fixture("paypal/verify_success.json")),
        ],
    );
    let (_kept, a) = common::agency_on(engine, |o| with_paypal(&f, o));
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();
    let desk = a.desk();
    let body = fixture("paypal/event_capture_completed.json");

    let e = desk
        .handle_paypal_webhook(body.as_bytes(), &headers())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        a.get_booking(&b.id).await.unwrap().status,
        BookingStatus::PaymentProcessing
    );

    let first = desk
        .handle_paypal_webhook(body.as_bytes(), &headers())
        .await
        .unwrap();
    assert_eq!(first.action, "confirmed");
    assert_eq!(first.booking_id.as_deref(), Some(b.id.as_str()));
    let second = desk
        .handle_paypal_webhook(body.as_bytes(), &headers())
        .await
        .unwrap();
    assert_eq!(second.action, "duplicate");
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
    // Every delivery was put to PayPal, with the event as received.
    let asked = f.to("POST", "/v1/notifications/verify-webhook-signature");
    assert_eq!(asked.len(), 3);
    assert_eq!(asked[0].json()["webhook_event"]["resource"]["id"], CAPTURE);
    // Captured by the webhook: nothing left to capture.
    assert!(f.to("POST", &capture_path()).is_empty());
}

#[tokio::test]
async fn without_paypal_configured_the_error_says_what_to_set() {
    let (_d, a) = common::agency();
    let b = pending(&a).await;
    let e = a.pay_with_paypal(&b.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let m = e.to_string();
    assert!(m.contains("paypal.client_id"), "{m}");
    assert!(m.contains("BOOKSYGO_PAYPAL_SECRET"), "{m}");
    assert!(m.contains("set-secret paypal.secret"), "{m}");
    assert_eq!(
        a.get_booking(&b.id).await.unwrap().status,
        BookingStatus::Pending
    );
}

#[tokio::test]
async fn a_denied_capture_webhook_makes_the_booking_payable_again_and_a_refund_event_is_recorded() {
    let f = paypal().await;
    f.on(
        "POST",
        "/v1/notifications/verify-webhook-signature",
        vec![Reply::ok(fixture("paypal/verify_success.json"))],
    );
    f.on(
        "POST",
        &capture_path(),
        vec![Reply::status(201, fixture("paypal/order_captured.json"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), &f, now());
    let b = pending(&a).await;
    a.pay_with_paypal(&b.id).await.unwrap();
    let desk = a.desk();

    let denied = fixture("paypal/event_capture_denied.json");
    let out = desk
        .handle_paypal_webhook(denied.as_bytes(), &headers())
        .await
        .unwrap();
    assert_eq!(out.action, "declined");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Pending);
    assert_eq!(after.payments[0].status, "failed");

    a.pay_with_paypal(&b.id).await.unwrap();
    assert_eq!(
        a.confirm_payment(&b.id).await.unwrap().status,
        BookingStatus::Confirmed
    );
    let refunded = fixture("paypal/event_capture_refunded.json");
    let out = desk
        .handle_paypal_webhook(refunded.as_bytes(), &headers())
        .await
        .unwrap();
    assert_eq!(out.action, "recorded");
    assert_eq!(out.booking_id.as_deref(), Some(b.id.as_str()));
    let again = desk
        .handle_paypal_webhook(refunded.as_bytes(), &headers())
        .await
        .unwrap();
    assert_eq!(again.action, "duplicate");
}
