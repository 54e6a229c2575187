//! The Duffel adapter against a Duffel on loopback answering with recorded responses
//! (fixtures/suppliers/duffel/): search, refresh, order, two-step cancellation, every error
//! mapping, and an order whose answer was lost, recovered on the next run.

mod common;
mod fake;

use booksygo_core::LocalOptions;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{
    BookingRequest, BookingStatus, Gender, ItemRequest, PassengerInput, PaymentInput,
};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::local::Suppliers;
use booksygo_core::model::{Cabin, PassengerType, Passengers};
use booksygo_core::search::{FlightQuery, SliceQuery};
use booksygo_core::{Agency, Error, ErrorKind, LocalAgency};
use common::{date, now};
use fake::{Fake, Reply, fixture};

const TOKEN: &str = "duffel_test_s3cr3t_t0ken_value";
const BA: &str = "off_0000AEdGRhtp5AUUdJqMxo";
const ORDER: &str = "ord_0000AEdGRhuuQYvD4PCs2f";

fn duffel_answers(f: &Fake) {
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::ok(fixture("duffel/offer_request.json"))],
    );
    f.on(
        "GET",
        &format!("/air/offers/{BA}"),
        vec![Reply::ok(fixture("duffel/offer.json"))],
    );
    f.on(
        "POST",
        "/air/orders",
        vec![Reply::DuffelOrder(fixture("duffel/order.json"))],
    );
    f.on("GET", "/air/orders", vec![Reply::DuffelOrders]);
    f.on(
        "POST",
        "/air/order_cancellations",
        vec![Reply::ok(fixture("duffel/order_cancellation.json"))],
    );
    f.on(
        "POST",
        "/air/order_cancellations/ore_00009qzZWzjDipIkqpaUAj/actions/confirm",
        vec![Reply::ok(fixture(
            "duffel/order_cancellation_confirmed.json",
        ))],
    );
}

fn options(dir: &std::path::Path, f: &Fake, extra: &[(&str, &str)], sandbox: bool) -> LocalOptions {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(now());
    o.sandbox = sandbox;
    let mut kv: Vec<(String, String)> = vec![
        ("duffel.token".into(), TOKEN.into()),
        ("duffel.base_url".into(), f.base.clone()),
    ];
    kv.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let get = move |k: &str| kv.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Suppliers::from_lookup(&get).unwrap().apply(&mut o);
    o
}

async fn setup(extra: &[(&str, &str)], sandbox: bool) -> (tempfile::TempDir, Fake, LocalAgency) {
    let f = Fake::start().await;
    duffel_answers(&f);
    let dir = tempfile::tempdir().unwrap();
    let a = LocalAgency::open(options(dir.path(), &f, extra, sandbox)).unwrap();
    (dir, f, a)
}

fn query() -> FlightQuery {
    let mut q = FlightQuery::one_way("LHR", "JFK", date("2027-03-14"));
    q.max_stops = Some(0);
    q
}

fn ada() -> PassengerInput {
    PassengerInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        born_on: date("1990-12-10"),
        kind: PassengerType::Adult,
        document: None,
        gender: Some(Gender::F),
    }
}

fn request(offer: &str) -> BookingRequest {
    BookingRequest {
        items: vec![ItemRequest::Offer {
            offer_id: offer.into(),
        }],
        passengers: vec![ada()],
        contact_email: "ada@example.com".into(),
        contact_phone: Some("+442080160508".into()),
        payment: PaymentInput {
            card: Some(Card::new("4242424242424242", "12/30")),
            points: 0,
        },
        idempotency_key: None,
    }
}

fn supplier_rows(a: &LocalAgency) -> Vec<(String, Option<String>, Option<String>)> {
    let conn = a.store().conn().unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT status, order_id, booking_reference FROM supplier_orders ORDER BY created_at",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn search_sends_the_documented_request_and_maps_amounts_to_minor_units() {
    let (_d, f, a) = setup(&[], false).await;
    let found = a.search_flights(&query()).await.unwrap();
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.offers.len(), 2);
    let ba = found.offers.iter().find(|o| o.id == BA).unwrap();
    assert_eq!(ba.provider, "duffel");
    assert_eq!(ba.total().minor, 41237);
    assert_eq!(ba.total().currency.as_str(), "GBP");
    assert_eq!(ba.price.tax.minor, 9812);
    assert_eq!(ba.price.base.minor, 31425);
    let seg = &ba.slices[0].segments[0];
    assert_eq!(seg.flight_number, "BA117");
    assert_eq!(seg.aircraft, "789");
    assert_eq!(seg.distance_km, 5555);
    // Local times in each airport's zone: New York is on summer time from 14 March 2027.
    let json = serde_json::to_value(ba).unwrap();
    assert_eq!(
        json["slices"][0]["departing_at"],
        "2027-03-14T08:25:00+00:00"
    );
    assert_eq!(
        json["slices"][0]["arriving_at"],
        "2027-03-14T11:20:00-04:00"
    );
    assert_eq!(ba.duration_minutes(), 6 * 60 + 55);
    assert_eq!(ba.checked_bags, 1);
    assert_eq!(
        ba.conditions.refund_before_departure.fee().unwrap().minor,
        15000
    );
    // The offer without taxes or conditions: all base, nothing allowed.
    let vs = found.offers.iter().find(|o| o.owner == "VS").unwrap();
    assert_eq!((vs.price.base.minor, vs.price.tax.minor), (38810, 0));
    assert!(vs.conditions.refund_before_departure.fee().is_none());

    let sent = f.to("POST", "/air/offer_requests");
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!(
        r.path,
        "/air/offer_requests?return_offers=true&supplier_timeout=10000"
    );
    assert_eq!(r.header("duffel-version").as_deref(), Some("v2"));
    assert_eq!(
        r.header("authorization").as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let body = r.json();
    assert_eq!(
        body,
        serde_json::json!({"data": {
            "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
            "passengers": [{"type": "adult"}],
            "cabin_class": "economy",
            "max_connections": 0,
        }})
    );
}

#[tokio::test]
async fn multi_city_searches_send_every_slice_passengers_by_age_and_the_cabin() {
    let (_d, f, a) = setup(&[], false).await;
    let mut q = query();
    q.slices.push(SliceQuery {
        origin: "JFK".into(),
        destination: "LAX".into(),
        departure_date: date("2027-03-18"),
    });
    q.passengers = Passengers {
        adults: 1,
        children: 1,
        infants: 1,
    };
    q.cabin = Cabin::Business;
    q.max_stops = Some(1);
    a.search_flights(&q).await.unwrap();
    let body = f.to("POST", "/air/offer_requests")[0].json();
    assert_eq!(body["data"]["slices"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"]["slices"][1]["origin"], "JFK");
    assert_eq!(body["data"]["slices"][1]["destination"], "LAX");
    assert_eq!(body["data"]["slices"][1]["departure_date"], "2027-03-18");
    assert_eq!(
        body["data"]["passengers"],
        serde_json::json!([{"type": "adult"}, {"age": 8}, {"age": 1}])
    );
    assert_eq!(body["data"]["cabin_class"], "business");
    assert_eq!(body["data"]["max_connections"], 1);
}

#[tokio::test]
async fn search_refresh_order_then_cancel_in_two_steps() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    let b = a.create_booking(request(BA)).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.total.minor, 41237);
    let item = &b.items[0];
    assert_eq!(item.provider, "duffel");
    assert_eq!(item.reference.as_deref(), Some("RZPNX8"));
    assert_eq!(
        supplier_rows(&a),
        vec![(
            "confirmed".to_string(),
            Some(ORDER.to_string()),
            Some("RZPNX8".to_string())
        )]
    );

    // The offer was priced again before ordering, then ordered exactly as documented.
    assert_eq!(f.to("GET", &format!("/air/offers/{BA}")).len(), 1);
    let orders = f.to("POST", "/air/orders");
    assert_eq!(orders.len(), 1);
    let body = orders[0].json();
    let d = &body["data"];
    assert_eq!(d["type"], "instant");
    assert_eq!(d["selected_offers"], serde_json::json!([BA]));
    assert_eq!(
        d["payments"],
        serde_json::json!([{"type": "balance", "amount": "412.37", "currency": "GBP"}])
    );
    assert_eq!(
        d["passengers"],
        serde_json::json!([{
            "id": "pas_0000AEdGRhsgH3tYqbbnh0", "given_name": "Ada", "family_name": "Lovelace",
            "born_on": "1990-12-10", "gender": "f", "title": "ms",
            "email": "ada@example.com", "phone_number": "+442080160508"
        }])
    );
    assert_eq!(d["metadata"]["booksygo_booking"], b.id.as_str());
    assert!(
        d["metadata"]["booksygo_intent"]
            .as_str()
            .unwrap()
            .starts_with("sor_")
    );

    let cancelled = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Refunded);
    // Refundable fare: the price less the GBP 150 fee comes back to the card.
    assert_eq!(cancelled.refunded.minor, 41237 - 15000);
    let quote = f.to("POST", "/air/order_cancellations");
    assert_eq!(quote.len(), 2, "create, then confirm");
    assert_eq!(quote[0].path, "/air/order_cancellations");
    assert_eq!(
        quote[0].json(),
        serde_json::json!({"data": {"order_id": ORDER}})
    );
    assert_eq!(
        quote[1].path,
        "/air/order_cancellations/ore_00009qzZWzjDipIkqpaUAj/actions/confirm"
    );
    assert_eq!(supplier_rows(&a)[0].0, "cancelled");
}

#[tokio::test]
async fn a_price_rise_on_refresh_stops_before_any_order() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    f.on(
        "GET",
        &format!("/air/offers/{BA}"),
        vec![Reply::ok(fixture("duffel/offer_price_up.json"))],
    );
    let e = a.create_booking(request(BA)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("went up"), "{e}");
    assert!(f.to("POST", "/air/orders").is_empty());
    assert!(a.list_bookings(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_offer_no_longer_available_says_search_again() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    f.on(
        "GET",
        &format!("/air/offers/{BA}"),
        vec![Reply::status(422, fixture("duffel/error_422_offer.json"))],
    );
    let e = a.create_booking(request(BA)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let m = e.to_string();
    assert!(m.contains("Duffel") && m.contains("search again"), "{m}");
    assert!(f.to("POST", "/air/orders").is_empty());
}

#[tokio::test]
async fn an_order_the_airline_refuses_cancels_the_booking_and_charges_nothing() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    f.on(
        "POST",
        "/air/orders",
        vec![Reply::status(
            422,
            fixture("duffel/error_422_validation.json"),
        )],
    );
    let e = a.create_booking(request(BA)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("E.164"), "{e}");
    let list = a.list_bookings(None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, BookingStatus::Cancelled);
    assert!(list[0].payments.is_empty(), "no card was charged");
    assert_eq!(supplier_rows(&a)[0].0, "failed");
}

#[tokio::test]
async fn missing_gender_or_phone_is_refused_before_calling_duffel() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    let mut r = request(BA);
    r.passengers[0].gender = None;
    let e = a.create_booking(r).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("gender"), "{e}");
    let mut r = request(BA);
    r.contact_phone = Some("020 8016 0508".into());
    let e = a.create_booking(r).await.unwrap_err();
    assert!(e.to_string().contains("--phone"), "{e}");
    assert!(f.to("POST", "/air/orders").is_empty());
    assert!(a.list_bookings(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_rejected_token_says_how_to_fix_it_and_never_shows_it() {
    // With the sandbox on: partial results and a warning naming Duffel.
    let (_d, f, a) = setup(&[], true).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::status(401, fixture("duffel/error_401.json"))],
    );
    let found = a.search_flights(&query()).await.unwrap();
    assert!(!found.offers.is_empty(), "the sandbox still answers");
    assert!(found.offers.iter().all(|o| o.provider == "sandbox"));
    let w = found.warnings.join("\n");
    assert!(w.contains("Duffel rejected the token"), "{w}");
    assert!(w.contains("BOOKSYGO_DUFFEL_TOKEN"), "{w}");
    assert!(w.contains("booksygo config set-secret duffel.token"), "{w}");
    assert!(!w.contains(TOKEN));

    // Duffel alone: the search fails, and says the same.
    let (_d, f, a) = setup(&[], false).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::status(403, fixture("duffel/error_401.json"))],
    );
    let e = a.search_flights(&query()).await.unwrap_err();
    assert!(matches!(e, Error::SuppliersFailed(_)));
    assert!(e.to_string().contains("BOOKSYGO_DUFFEL_TOKEN"), "{e}");
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn rate_limits_are_retried_as_retry_after_says_then_give_partial_results() {
    // 429 then 200: retried once, offers come back.
    let (_d, f, a) = setup(&[], false).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![
            Reply::Json(
                429,
                fixture("duffel/error_429.json"),
                vec![("retry-after", "0".into())],
            ),
            Reply::ok(fixture("duffel/offer_request.json")),
        ],
    );
    let found = a.search_flights(&query()).await.unwrap();
    assert_eq!(found.offers.len(), 2);
    assert_eq!(f.to("POST", "/air/offer_requests").len(), 2);

    // Always 429: three attempts, then a partial result naming Duffel.
    let (_d, f, a) = setup(&[], true).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::Json(
            429,
            fixture("duffel/error_429.json"),
            vec![("retry-after", "0".into())],
        )],
    );
    let found = a.search_flights(&query()).await.unwrap();
    assert_eq!(f.to("POST", "/air/offer_requests").len(), 3);
    let w = found.warnings.join("\n");
    assert!(
        w.contains("partial results") && w.contains("Duffel is rate limiting"),
        "{w}"
    );

    // A wait longer than the deadline is not waited for: one attempt, at once.
    let (_d, f, a) = setup(&[], true).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::Json(
            429,
            fixture("duffel/error_429.json"),
            vec![("retry-after", "3600".into())],
        )],
    );
    let found = a.search_flights(&query()).await.unwrap();
    assert_eq!(f.to("POST", "/air/offer_requests").len(), 1);
    assert!(found.warnings.join("\n").contains("wait 3600 s"));
}

#[tokio::test]
async fn server_errors_and_timeouts_give_partial_results_naming_duffel() {
    let (_d, f, a) = setup(&[], true).await;
    f.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::status(500, fixture("duffel/error_500.json"))],
    );
    let found = a.search_flights(&query()).await.unwrap();
    assert!(!found.offers.is_empty());
    let w = found.warnings.join("\n");
    assert!(
        w.contains("partial results: duffel: Duffel failed (500)"),
        "{w}"
    );
    assert!(w.contains("request FZW0H3HdJwKk5HMAAKxB"), "{w}");

    // A Duffel that never answers is cut off at its own deadline.
    let (_d, f, a) = setup(&[("duffel.deadline_secs", "1")], true).await;
    f.on("POST", "/air/offer_requests", vec![Reply::Hang]);
    let found = a.search_flights(&query()).await.unwrap();
    assert!(!found.offers.is_empty());
    let w = found.warnings.join("\n");
    assert!(
        w.contains("duffel did not answer within 1 s")
            || w.contains("Duffel did not answer in time"),
        "{w}"
    );
}

#[tokio::test]
async fn an_order_whose_answer_was_lost_is_found_on_the_next_run() {
    let f = Fake::start().await;
    duffel_answers(&f);
    // Duffel places the order but the answer never comes; the immediate look-up fails too.
    f.on(
        "POST",
        "/air/orders",
        vec![Reply::DuffelOrderThenHang(fixture("duffel/order.json"))],
    );
    f.on(
        "GET",
        "/air/orders",
        vec![
            Reply::status(500, fixture("duffel/error_500.json")),
            Reply::DuffelOrders,
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let extra = [("duffel.order_timeout_secs", "1")];
    let booking_id = {
        let a = LocalAgency::open(options(dir.path(), &f, &extra, false)).unwrap();
        a.search_flights(&query()).await.unwrap();
        // The booking is kept PENDING, uncharged, saying what it waits for.
        let mut req = request(BA);
        req.idempotency_key = Some("retry-me".into());
        let b = a.create_booking(req.clone()).await.unwrap();
        assert_eq!(b.status, BookingStatus::Pending);
        assert!(b.payments.is_empty());
        assert!(
            b.next_action
                .as_deref()
                .unwrap()
                .contains("waiting for duffel"),
            "{:?}",
            b.next_action
        );
        assert_eq!(b.items[0].reference, None);
        assert_eq!(supplier_rows(&a)[0].0, "pending");
        // A retry under the same key gets the same booking back: no second order.
        let again = a.create_booking(req).await.unwrap();
        assert_eq!(again.id, b.id);
        assert_eq!(f.to("POST", "/air/orders").len(), 1);
        let conn = a.store().conn().unwrap();
        conn.query_row("SELECT booking_id FROM supplier_orders", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
    };
    assert_eq!(f.orders().len(), 1, "Duffel holds the order");

    // The next run (a new process on the same database) asks Duffel and records the order.
    let a = LocalAgency::open(options(dir.path(), &f, &extra, false)).unwrap();
    let b = a.get_booking(&booking_id).await.unwrap();
    assert_eq!(b.items[0].reference.as_deref(), Some("RZPNX8"));
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(supplier_rows(&a)[0].1.as_deref(), Some(ORDER));
    let paid = a
        .pay_booking(&b.id, Card::new("4242424242424242", "12/30"), None)
        .await
        .unwrap();
    assert_eq!(paid.status, BookingStatus::Confirmed);
}

#[tokio::test]
async fn an_intent_duffel_never_saw_cancels_its_booking_after_the_grace_period() {
    let f = Fake::start().await;
    duffel_answers(&f);
    f.on("POST", "/air/orders", vec![Reply::Hang]);
    f.on(
        "GET",
        "/air/orders",
        vec![Reply::ok(r#"{"data": [], "meta": {}}"#.into())],
    );
    let dir = tempfile::tempdir().unwrap();
    let extra = [("duffel.order_timeout_secs", "1")];
    let a = LocalAgency::open(options(dir.path(), &f, &extra, false)).unwrap();
    a.search_flights(&query()).await.unwrap();
    a.create_booking(request(BA)).await.unwrap();
    // Within the grace period the intent stays open.
    let b = &a.list_bookings(None).await.unwrap()[0];
    assert_eq!(b.status, BookingStatus::Pending);
    assert!(b.next_action.is_some());

    let mut later = options(dir.path(), &f, &extra, false);
    later.clock = Clock::fixed(
        now()
            .checked_add(jiff::SignedDuration::from_mins(11))
            .unwrap(),
    );
    let a = LocalAgency::open(later).unwrap();
    let b = &a.list_bookings(None).await.unwrap()[0];
    assert_eq!(b.status, BookingStatus::Cancelled);
    assert_eq!(supplier_rows(&a)[0].0, "failed");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_provider_listings() {
    let f = Fake::start().await;
    let kv = [
        ("duffel.token", TOKEN),
        ("duffel.base_url", f.base.as_str()),
        ("stripe.secret_key", "sk_test_51Hidden"),
        ("stripe.webhook_secret", "whsec_hidden"),
    ];
    let get = |k: &str| kv.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    let s = Suppliers::from_lookup(&get).unwrap();
    let listed = serde_json::to_string(&s.list()).unwrap();
    let debug = format!(
        "{:?} {:?}",
        s.duffel.as_ref().unwrap().config(),
        s.stripe_webhook_secret
    );
    for text in [&listed, &debug] {
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("51Hidden"), "{text}");
        assert!(!text.contains("whsec_hidden"), "{text}");
    }
    assert!(listed.contains(r#""name":"duffel","kind":"flights","enabled":true,"mode":"test""#));
    assert!(listed.contains(r#""name":"stripe","kind":"payments","enabled":true,"mode":"test""#));

    f.on(
        "GET",
        "/air/airlines",
        vec![Reply::status(401, fixture("duffel/error_401.json"))],
    );
    let checks = s.check().await;
    let duffel = checks.iter().find(|c| c.name == "duffel").unwrap();
    assert!(!duffel.ok);
    assert!(duffel.message.contains("BOOKSYGO_DUFFEL_TOKEN"));
    assert_eq!(
        f.to("GET", "/air/airlines")[0]
            .header("authorization")
            .as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

const HOLD: &str = "ord_0000AEdHoLd1BpR3XqW9zK";

/// Duffel answering for an offer that may be held: the refreshed offer says so, an order
/// without payment comes back held (`order`), and a payment goes through.
fn hold_answers(f: &Fake, order: &str) {
    f.on(
        "GET",
        &format!("/air/offers/{BA}"),
        vec![Reply::ok(fixture("duffel/offer_hold.json"))],
    );
    f.on(
        "POST",
        "/air/orders",
        vec![Reply::DuffelOrder(fixture(order))],
    );
    f.on(
        "GET",
        &format!("/air/orders/{HOLD}"),
        vec![Reply::ok(fixture(order))],
    );
    f.on(
        "POST",
        "/air/payments",
        vec![Reply::ok(fixture("duffel/payment.json"))],
    );
    f.on(
        "POST",
        "/air/order_cancellations",
        vec![Reply::ok(fixture("duffel/order_cancellation_hold.json"))],
    );
    f.on(
        "POST",
        "/air/order_cancellations/ore_0000AEdHoLdCnC1x2y3z4w/actions/confirm",
        vec![Reply::ok(fixture(
            "duffel/order_cancellation_hold_confirmed.json",
        ))],
    );
}

fn without_card(offer: &str) -> BookingRequest {
    let mut r = request(offer);
    r.payment.card = None;
    r
}

fn held(a: &LocalAgency) -> Vec<(String, bool, Option<i64>)> {
    let conn = a.store().conn().unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT status, held, payment_required_by FROM supplier_orders ORDER BY created_at",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_booking_without_a_card_holds_the_order_and_paying_pays_duffel_the_exact_amount() {
    let (_d, f, a) = setup(&[], false).await;
    hold_answers(&f, "duffel/order_hold.json");
    a.search_flights(&query()).await.unwrap();
    let b = a.create_booking(without_card(BA)).await.unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(b.items[0].reference.as_deref(), Some("RZPNX8"));

    // Ordered as a hold: no payment with the order.
    let orders = f.to("POST", "/air/orders");
    assert_eq!(orders.len(), 1);
    let d = &orders[0].json()["data"];
    assert_eq!(d["type"], "hold");
    assert!(d.get("payments").is_none(), "{d}");
    assert_eq!(d["selected_offers"], serde_json::json!([BA]));
    let deadline: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
    assert_eq!(
        held(&a),
        vec![("confirmed".to_string(), true, Some(deadline.as_second()))]
    );
    assert!(f.to("POST", "/air/payments").is_empty());

    let paid = a
        .pay_booking(&b.id, Card::new("4242424242424242", "12/30"), None)
        .await
        .unwrap();
    assert_eq!(paid.status, BookingStatus::Confirmed);
    assert_eq!(paid.next_action, None);
    assert_eq!(paid.payments.len(), 1);
    assert_eq!(paid.payments[0].status, "succeeded");

    // The held price was checked first, then Duffel was paid exactly what it held.
    let all: Vec<String> = f
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let check = all
        .iter()
        .position(|r| r == &format!("GET /air/orders/{HOLD}"))
        .expect("the held order is looked at");
    let pay = all
        .iter()
        .position(|r| r == "POST /air/payments")
        .expect("Duffel is paid");
    assert!(check < pay, "{all:?}");
    let payments = f.to("POST", "/air/payments");
    assert_eq!(payments.len(), 1);
    assert_eq!(
        payments[0].json(),
        serde_json::json!({"data": {"order_id": HOLD,
            "payment": {"type": "balance", "amount": "412.37", "currency": "GBP"}}})
    );
    assert_eq!(payments[0].header("duffel-version").as_deref(), Some("v2"));
    assert!(!held(&a)[0].1);
    // Nothing left to retry.
    assert!(a.reconcile_suppliers().await.is_empty());
    assert_eq!(f.to("POST", "/air/payments").len(), 1);
}

#[tokio::test]
async fn a_held_order_whose_price_changed_is_refused_before_the_card_is_charged() {
    let (_d, f, a) = setup(&[], false).await;
    hold_answers(&f, "duffel/order_hold.json");
    a.search_flights(&query()).await.unwrap();
    let b = a.create_booking(without_card(BA)).await.unwrap();
    f.on(
        "GET",
        &format!("/air/orders/{HOLD}"),
        vec![Reply::ok(fixture("duffel/order_hold_price_changed.json"))],
    );
    let e = a
        .pay_booking(&b.id, Card::new("4242424242424242", "12/30"), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let msg = e.to_string();
    assert!(msg.contains("went from GBP 412.37 to GBP 437.90"), "{msg}");
    assert!(msg.contains("nothing was charged"), "{msg}");
    assert!(f.to("POST", "/air/payments").is_empty());
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Pending);
    assert!(after.payments.is_empty(), "the card was never charged");
}

#[tokio::test]
async fn an_offer_that_requires_instant_payment_is_still_ordered_paid_without_a_card() {
    let (_d, f, a) = setup(&[], false).await;
    a.search_flights(&query()).await.unwrap();
    let b = a.create_booking(without_card(BA)).await.unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    let d = &f.to("POST", "/air/orders")[0].json()["data"];
    assert_eq!(d["type"], "instant");
    assert_eq!(d["payments"][0]["amount"], "412.37");
    assert!(!held(&a)[0].1);
}

async fn lapse_cancels_the_hold(order: &str, minutes: i64) {
    let f = Fake::start().await;
    duffel_answers(&f);
    hold_answers(&f, order);
    let dir = tempfile::tempdir().unwrap();
    let a = LocalAgency::open(options(dir.path(), &f, &[], false)).unwrap();
    a.search_flights(&query()).await.unwrap();
    let b = a.create_booking(without_card(BA)).await.unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    let by = now()
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap();
    let next = b.next_action.unwrap();
    assert!(next.starts_with(&format!("pay by {by} ")), "{next}");

    let at = |m: i64| {
        let mut o = options(dir.path(), &f, &[], false);
        o.clock = Clock::fixed(
            now()
                .checked_add(jiff::SignedDuration::from_mins(m))
                .unwrap(),
        );
        LocalAgency::open(o).unwrap()
    };
    // A minute before the deadline it is still held.
    let a = at(minutes - 1);
    assert_eq!(
        a.get_booking(&b.id).await.unwrap().status,
        BookingStatus::Pending
    );
    assert!(a.reconcile_suppliers().await.is_empty());
    assert!(f.to("POST", "/air/order_cancellations").is_empty());

    let a = at(minutes + 1);
    let lapsed = a.get_booking(&b.id).await.unwrap();
    assert_eq!(lapsed.status, BookingStatus::Cancelled);
    assert!(a.reconcile_suppliers().await.is_empty());
    let calls = f.to("POST", "/air/order_cancellations");
    assert_eq!(calls.len(), 2, "quote, then confirm");
    assert_eq!(
        calls[0].json(),
        serde_json::json!({"data": {"order_id": HOLD}})
    );
    assert_eq!(held(&a)[0].0, "cancelled");
    assert!(f.to("POST", "/air/payments").is_empty());
}

#[tokio::test]
async fn an_unpaid_hold_lapses_after_our_30_minutes_and_is_cancelled_at_duffel() {
    lapse_cancels_the_hold("duffel/order_hold.json", 30).await;
}

#[tokio::test]
async fn a_hold_duffel_releases_sooner_lapses_at_its_payment_required_by() {
    // payment_required_by is 12:10, before our own 30 minutes.
    lapse_cancels_the_hold("duffel/order_hold_due_soon.json", 10).await;
}
