//! Stripe against a Stripe on loopback answering with recorded responses
//! (fixtures/suppliers/stripe/): PaymentIntents, 3-D Secure, declines, refunds with
//! idempotency keys, and webhooks (signatures checked, events mapped onto bookings).

mod common;
mod fake;

use booksygo_core::LocalOptions;
use booksygo_core::booking::BookingStatus;
use booksygo_core::booking::payment::webhook::{TOLERANCE_SECONDS, sign, verify};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::local::Suppliers;
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::now;
use fake::{Fake, Reply, fixture};

const KEY: &str = "sk_test_51HiddenKeyValue";
const WHSEC: &str = "whsec_test_endpoint_secret";
const PI: &str = "pi_3MtwBwLkdIwHu7ix28a3tqPa";

async fn setup() -> (tempfile::TempDir, Fake, LocalAgency) {
    let f = Fake::start().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture("stripe/payment_intent_succeeded.json"))],
    );
    f.on(
        "POST",
        "/v1/refunds",
        vec![Reply::ok(fixture("stripe/refund.json"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut o = LocalOptions::new(Paths::in_dir(dir.path()));
    o.clock = Clock::fixed(now());
    let kv = [
        ("stripe.secret_key", KEY.to_string()),
        ("stripe.base_url", f.base.clone()),
        ("stripe.webhook_secret", WHSEC.to_string()),
    ];
    let get = |k: &str| kv.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    Suppliers::from_lookup(&get).unwrap().apply(&mut o);
    let a = LocalAgency::open(o).unwrap();
    (dir, f, a)
}

async fn book(
    a: &LocalAgency,
    card: &str,
) -> booksygo_core::Result<booksygo_core::booking::Booking> {
    let offer = common::ba_offer(a).await;
    a.create_booking(common::ada_request(&offer.id, Some(card)))
        .await
}

fn form_value(form: &[(String, String)], key: &str) -> Option<String> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// A webhook body signed as Stripe signs it, at `t`.
fn signed(body: &str, t: i64) -> String {
    format!("t={t},v1={}", sign(WHSEC, t, body.as_bytes()))
}

#[tokio::test]
async fn a_card_payment_creates_a_confirmed_intent_and_a_cancellation_refunds_it() {
    let (_d, f, a) = setup().await;
    let b = book(&a, "4242 4242 4242 4242").await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    let sent = f.to("POST", "/v1/payment_intents");
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(
        r.header("authorization").as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let form = r.form();
    assert_eq!(
        form_value(&form, "amount"),
        Some(b.amount_due.minor.to_string())
    );
    assert_eq!(
        form_value(&form, "currency"),
        Some(b.total.currency.as_str().to_ascii_lowercase())
    );
    assert_eq!(form_value(&form, "confirm").as_deref(), Some("true"));
    assert_eq!(
        form_value(&form, "payment_method").as_deref(),
        Some("pm_card_visa")
    );
    assert_eq!(
        form_value(&form, "payment_method_types[]").as_deref(),
        Some("card")
    );
    let key = r.header("idempotency-key").expect("an Idempotency-Key");
    assert_eq!(key, format!("{}-0", b.id));
    assert_eq!(form_value(&form, "metadata[booksygo_key]"), Some(key));
    // The card number itself never goes to Stripe in test mode.
    assert!(
        !std::str::from_utf8(&r.body)
            .unwrap()
            .contains("4242424242424242")
    );

    let c = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(c.status, BookingStatus::Refunded);
    let refunds = f.to("POST", "/v1/refunds");
    assert_eq!(refunds.len(), 1);
    let form = refunds[0].form();
    assert_eq!(form_value(&form, "payment_intent").as_deref(), Some(PI));
    assert_eq!(
        form_value(&form, "amount"),
        Some(c.refunded.minor.to_string())
    );
    assert!(
        refunds[0]
            .header("idempotency-key")
            .is_some_and(|k| k.starts_with("ref_"))
    );
}

#[tokio::test]
async fn a_declined_card_cancels_the_booking_with_stripes_reason() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::status(
            402,
            fixture("stripe/error_card_declined.json"),
        )],
    );
    let e = book(&a, "4000000000000002").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("Your card was declined."), "{e}");
    assert_eq!(
        form_value(
            &f.to("POST", "/v1/payment_intents")[0].form(),
            "payment_method"
        )
        .as_deref(),
        Some("pm_card_chargeDeclined")
    );
    let list = a.list_bookings(None).await.unwrap();
    assert_eq!(list[0].status, BookingStatus::Cancelled);
}

#[tokio::test]
async fn a_rejected_key_leaves_the_booking_pending_and_says_how_to_fix_it() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::status(401, fixture("stripe/error_401.json"))],
    );
    let e = book(&a, "4242424242424242").await.unwrap_err();
    let m = e.to_string();
    assert!(m.contains("BOOKSYGO_STRIPE_SECRET_KEY"), "{m}");
    assert!(!m.contains(KEY));
    let list = a.list_bookings(None).await.unwrap();
    assert_eq!(list[0].status, BookingStatus::Pending);
}

#[tokio::test]
async fn three_d_secure_then_the_succeeded_webhook_confirms_once() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture(
            "stripe/payment_intent_requires_action.json",
        ))],
    );
    let e = book(&a, "4000002760003184").await;
    let b = e.unwrap();
    assert_eq!(b.status, BookingStatus::PaymentProcessing);
    assert_eq!(
        form_value(
            &f.to("POST", "/v1/payment_intents")[0].form(),
            "payment_method"
        )
        .as_deref(),
        Some("pm_card_authenticationRequired")
    );

    let body = fixture("stripe/event_payment_intent_succeeded.json");
    // Stripe signs with the wall clock, whatever clock the market prices against.
    let t = jiff::Timestamp::now().as_second();
    let out = a
        .desk()
        .handle_payment_webhook(body.as_bytes(), &signed(&body, t))
        .await
        .unwrap();
    assert_eq!(out.action, "confirmed");
    assert_eq!(out.booking_id.as_deref(), Some(b.id.as_str()));
    assert_eq!(
        a.get_booking(&b.id).await.unwrap().status,
        BookingStatus::Confirmed
    );
    // Stripe redelivers: nothing happens twice.
    let again = a
        .desk()
        .handle_payment_webhook(body.as_bytes(), &signed(&body, t))
        .await
        .unwrap();
    assert_eq!(again.action, "duplicate");

    let refunded = fixture("stripe/event_charge_refunded.json");
    let out = a
        .desk()
        .handle_payment_webhook(refunded.as_bytes(), &signed(&refunded, t))
        .await
        .unwrap();
    assert_eq!(
        (out.action.as_str(), out.booking_id.as_deref()),
        ("recorded", Some(b.id.as_str()))
    );
}

/// A payment that succeeds after its booking was cancelled is settled like any late charge:
/// written down as a refund owed and paid back through Stripe's refunds.
#[tokio::test]
async fn a_succeeded_webhook_for_a_cancelled_booking_refunds_the_charge() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture(
            "stripe/payment_intent_requires_action.json",
        ))],
    );
    let b = book(&a, "4000002760003184").await.unwrap();
    assert_eq!(b.status, BookingStatus::PaymentProcessing);
    // The cardholder confirmed just before the traveller cancelled: Stripe refuses to cancel
    // an intent that already succeeded, and says so in the webhook that follows.
    f.on(
        "POST",
        &format!("/v1/payment_intents/{PI}/cancel"),
        vec![Reply::status(
            400,
            fixture("stripe/error_card_declined.json"),
        )],
    );
    let cancelled = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let refunds_before = f.to("POST", "/v1/refunds").len();

    let body = fixture("stripe/event_payment_intent_succeeded.json");
    let t = jiff::Timestamp::now().as_second();
    let out = a
        .desk()
        .handle_payment_webhook(body.as_bytes(), &signed(&body, t))
        .await
        .unwrap();
    assert_eq!(out.action, "refund_owed");
    assert_eq!(f.to("POST", "/v1/refunds").len(), refunds_before + 1);
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Refunded);
    assert_eq!(after.payments.last().unwrap().status, "refunded");
    assert_eq!(after.refunded, after.amount_due);
}

/// A booking whose card asks for 3-D Secure, and Stripe ready to confirm it `times` times.
async fn waiting_for_confirmation(
    f: &Fake,
    a: &LocalAgency,
    times: usize,
) -> booksygo_core::booking::Booking {
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture(
            "stripe/payment_intent_requires_action.json",
        ))],
    );
    let b = book(a, "4000002760003184").await.unwrap();
    let replies = |name: &str| (0..times).map(|_| Reply::ok(fixture(name))).collect();
    f.on(
        "GET",
        &format!("/v1/payment_intents/{PI}"),
        replies("stripe/payment_intent_requires_confirmation.json"),
    );
    f.on(
        "POST",
        &format!("/v1/payment_intents/{PI}/confirm"),
        replies("stripe/payment_intent_succeeded.json"),
    );
    b
}

#[tokio::test]
async fn confirm_payment_confirms_an_intent_waiting_for_confirmation() {
    let (_d, f, a) = setup().await;
    let b = waiting_for_confirmation(&f, &a, 1).await;
    let c = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(c.status, BookingStatus::Confirmed);
    let confirm = f.to("POST", &format!("/v1/payment_intents/{PI}/confirm"));
    assert_eq!(confirm.len(), 1);
    assert_eq!(
        confirm[0].header("idempotency-key"),
        Some(format!("{PI}-confirm"))
    );
}

/// Two confirmations of one 3-D Secure payment at once (a double click), then Stripe's own
/// webhook: the payment is applied once. Nothing is refunded on the confirmed booking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_confirmed_twice_and_by_webhook_is_applied_once() {
    let (_d, f, a) = setup().await;
    let b = waiting_for_confirmation(&f, &a, 2).await;
    let (one, two) = tokio::join!(a.confirm_payment(&b.id), a.confirm_payment(&b.id));
    let confirmed = [&one, &two].iter().filter(|r| r.is_ok()).count();
    assert!(confirmed >= 1, "{one:?} {two:?}");
    for r in [one, two] {
        match r {
            Ok(c) => assert_eq!(c.status, BookingStatus::Confirmed),
            Err(e) => assert!(e.to_string().contains("no payment waiting"), "{e}"),
        }
    }
    let body = fixture("stripe/event_payment_intent_succeeded.json");
    let t = jiff::Timestamp::now().as_second();
    let out = a
        .desk()
        .handle_payment_webhook(body.as_bytes(), &signed(&body, t))
        .await
        .unwrap();
    assert_eq!(out.action, "ignored", "already applied");
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Confirmed);
    assert_eq!(after.refunded.minor, 0);
    assert!(f.to("POST", "/v1/refunds").is_empty(), "nothing refunded");
    assert_eq!(
        after
            .payments
            .iter()
            .filter(|p| p.status == "succeeded")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_failed_payment_webhook_cancels_the_waiting_booking() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture(
            "stripe/payment_intent_requires_action.json",
        ))],
    );
    let b = book(&a, "4000002760003184").await.unwrap();
    let body = fixture("stripe/event_payment_intent_payment_failed.json");
    let out = a
        .desk()
        .handle_payment_webhook(
            body.as_bytes(),
            &signed(&body, jiff::Timestamp::now().as_second()),
        )
        .await
        .unwrap();
    assert_eq!(out.action, "cancelled");
    let b = a.get_booking(&b.id).await.unwrap();
    assert_eq!(b.status, BookingStatus::Cancelled);
    assert!(b.history.last().unwrap().reason.contains("3-D Secure"));
}

#[tokio::test]
async fn webhook_signatures_are_checked_before_anything_changes() {
    let (_d, _f, a) = setup().await;
    let body = fixture("stripe/event_payment_intent_succeeded.json");
    // Stripe signs with the wall clock, whatever clock the market prices against.
    let t = jiff::Timestamp::now().as_second();
    // Tampered body: same header, one byte changed.
    let tampered = body.replace("61953", "61954");
    let e = a
        .desk()
        .handle_payment_webhook(tampered.as_bytes(), &signed(&body, t))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("does not match"));
    // Nothing was recorded: the genuine event still applies afterwards.
    let ok = a
        .desk()
        .handle_payment_webhook(body.as_bytes(), &signed(&body, t))
        .await
        .unwrap();
    assert_eq!(
        ok.action, "ignored",
        "no booking paid with that intent here"
    );
}

#[test]
fn signature_rules() {
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    let t = 1_795_608_000;
    let good = sign(WHSEC, t, body);
    let header = format!("t={t},v1={good}");
    assert!(verify(WHSEC, &header, body, t).is_ok());
    // Within the tolerance either way, not beyond it.
    assert!(verify(WHSEC, &header, body, t + TOLERANCE_SECONDS).is_ok());
    let stale = verify(WHSEC, &header, body, t + TOLERANCE_SECONDS + 1).unwrap_err();
    assert!(stale.to_string().contains("301 s"), "{stale}");
    // Wrong secret.
    assert!(verify("whsec_other", &header, body, t).is_err());
    // Tampered body.
    assert!(verify(WHSEC, &header, br#"{"id":"evt_2"}"#, t).is_err());
    // Several v1 entries (a secret being rolled): any match is enough, in any position.
    let wrong = sign("whsec_old", t, body);
    assert!(verify(WHSEC, &format!("t={t},v1={wrong},v1={good}"), body, t).is_ok());
    assert!(verify(WHSEC, &format!("t={t},v1={good},v1={wrong}"), body, t).is_ok());
    assert!(verify(WHSEC, &format!("t={t},v1={wrong},v1=zz"), body, t).is_err());
    // Other schemes are ignored: a v0 entry alone is no signature.
    let e = verify(WHSEC, &format!("t={t},v0={good}"), body, t).unwrap_err();
    assert!(e.to_string().contains("no v1"));
    assert!(verify(WHSEC, &format!("v1={good}"), body, t).is_err());
    // The signature covers the timestamp: another t with the same v1 fails.
    assert!(verify(WHSEC, &format!("t={},v1={good}", t + 1), body, t).is_err());
}

#[tokio::test]
async fn cancelling_a_booking_waiting_for_3_d_secure_cancels_the_intent() {
    let (_d, f, a) = setup().await;
    f.on(
        "POST",
        "/v1/payment_intents",
        vec![Reply::ok(fixture(
            "stripe/payment_intent_requires_action.json",
        ))],
    );
    f.on(
        "POST",
        &format!("/v1/payment_intents/{PI}/cancel"),
        vec![Reply::ok(
            fixture("stripe/payment_intent_requires_action.json")
                .replace("requires_action", "canceled"),
        )],
    );
    let b = book(&a, "4000002760003184").await.unwrap();
    let c = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(c.status, BookingStatus::Cancelled);
    let sent = f.to("POST", &format!("/v1/payment_intents/{PI}/cancel"));
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].header("idempotency-key"),
        Some(format!("{PI}-cancel"))
    );
    assert_eq!(c.payments[0].status, "canceled");
    assert!(f.to("POST", "/v1/refunds").is_empty(), "nothing was taken");
}
