//! Fuzzing what suppliers send us (`scripts/fuzz.sh` runs the ignored test for a bounded
//! time): the recorded Duffel, Amadeus and Stripe answers and Stripe's webhook events, each
//! changed in a few places (a value replaced by one of another type or an extreme one, a field
//! removed), then read as the adapters read them. A malformed answer must be an error, never
//! a panic, and never slow; so must a signature header of any shape.

use crate::fuzzing::Slowest;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Recorded answers, by name.
const RECORDED: &[(&str, &str)] = &[
    (
        "duffel/offer",
        include_str!("../../../../fixtures/suppliers/duffel/offer.json"),
    ),
    (
        "duffel/offer_hold",
        include_str!("../../../../fixtures/suppliers/duffel/offer_hold.json"),
    ),
    (
        "duffel/offer_request",
        include_str!("../../../../fixtures/suppliers/duffel/offer_request.json"),
    ),
    (
        "duffel/order",
        include_str!("../../../../fixtures/suppliers/duffel/order.json"),
    ),
    (
        "duffel/order_hold",
        include_str!("../../../../fixtures/suppliers/duffel/order_hold.json"),
    ),
    (
        "duffel/order_cancellation",
        include_str!("../../../../fixtures/suppliers/duffel/order_cancellation.json"),
    ),
    (
        "duffel/error_422_offer",
        include_str!("../../../../fixtures/suppliers/duffel/error_422_offer.json"),
    ),
    (
        "amadeus/flight_offers",
        include_str!("../../../../fixtures/suppliers/amadeus/flight_offers.json"),
    ),
    (
        "amadeus/pricing",
        include_str!("../../../../fixtures/suppliers/amadeus/pricing.json"),
    ),
    (
        "amadeus/flight_order",
        include_str!("../../../../fixtures/suppliers/amadeus/flight_order.json"),
    ),
    (
        "amadeus/error_401",
        include_str!("../../../../fixtures/suppliers/amadeus/error_401.json"),
    ),
    (
        "stripe/payment_intent_succeeded",
        include_str!("../../../../fixtures/suppliers/stripe/payment_intent_succeeded.json"),
    ),
    (
        "stripe/payment_intent_requires_action",
        include_str!("../../../../fixtures/suppliers/stripe/payment_intent_requires_action.json"),
    ),
    (
        "stripe/event_payment_intent_succeeded",
        include_str!("../../../../fixtures/suppliers/stripe/event_payment_intent_succeeded.json"),
    ),
    (
        "stripe/event_payment_intent_payment_failed",
        include_str!(
            "../../../../fixtures/suppliers/stripe/event_payment_intent_payment_failed.json"
        ),
    ),
    (
        "stripe/event_charge_refunded",
        include_str!("../../../../fixtures/suppliers/stripe/event_charge_refunded.json"),
    ),
];

/// Strings that look almost right: amounts, currencies, times, durations, zones, codes.
const ODD: &[&str] = &[
    "",
    "0",
    "-1",
    "412.37",
    "-412.37",
    "0.001",
    "99999999999999999999.99",
    "1e400",
    "NaN",
    "EUR",
    "GBP",
    "eur",
    "XXX",
    "€",
    "2027-03-14T08:00:00",
    "2027-03-14T08:00:00Z",
    "2027-02-30T25:61:00",
    "9999-12-31T23:59:59",
    "-009999-01-01T00:00:00",
    "2027-03-14",
    "PT2H30M",
    "PT0M",
    "P9999999D",
    "PT-5H",
    "Europe/London",
    "Nowhere/City",
    "LHR",
    "XX",
    "checked",
    "economy",
    "business",
    "succeeded",
    "requires_action",
    "processing",
    "255",
    "256",
];

fn odd_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::sample::select(vec![0i64, -1, 1, 255, 256, 65_536, i64::MAX, i64::MIN])
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,24}".prop_map(Value::from),
        prop::sample::select(ODD).prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path in `v` (as JSON pointers), the root included.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// One change: at a path chosen by `at`, a new value, or the field removed (`None`).
type Change = (prop::sample::Index, Option<Value>);

fn changed(recorded: &str, changes: &[Change]) -> Value {
    let mut v: Value = serde_json::from_str(recorded).unwrap();
    for (at, new) in changes {
        let mut all = Vec::new();
        pointers(&v, String::new(), &mut all);
        let path = at.get(&all).clone();
        match new {
            Some(new) => {
                if let Some(slot) = v.pointer_mut(&path) {
                    *slot = new.clone();
                }
            }
            None => {
                if let Some((parent, key)) = path.rsplit_once('/')
                    && let Some(p) = v.pointer_mut(parent)
                {
                    match p {
                        Value::Object(m) => {
                            m.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Value::Array(a) => {
                            if let Ok(i) = key.parse::<usize>()
                                && i < a.len()
                            {
                                a.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    v
}

/// The values under `data` that are offers, orders, intents or events, as each adapter reads
/// them; errors are fine, panics are not.
fn read(name: &str, v: Value, adapters: &Adapters) {
    use crate::providers::duffel::{Duffel, wire};
    let data = v.get("data").cloned().unwrap_or(Value::Null);
    let bytes = serde_json::to_vec(&v).unwrap();
    match name.split_once('/').map_or(name, |(s, _)| s) {
        "duffel" => {
            let offers = match data.get("offers") {
                Some(Value::Array(a)) => a.clone(),
                _ => vec![data.clone()],
            };
            for raw in offers {
                if let Ok(o) = serde_json::from_value::<wire::WireOffer>(raw) {
                    let _ = wire::offer(o, "Duffel", crate::model::Cabin::Economy, &|_| None);
                }
            }
            if let Ok(o) = serde_json::from_value::<wire::WireOrder>(data.clone()) {
                let _ = Duffel::map_order(o);
            }
            if let Ok(c) = serde_json::from_value::<wire::WireCancellation>(data) {
                let _ = Duffel::map_cancellation(c);
            }
            let _ = adapters.duffel.error(422, &bytes);
        }
        "amadeus" => {
            let offers = match (&data, data.get("flightOffers")) {
                (Value::Array(a), _) => a.clone(),
                (_, Some(Value::Array(a))) => a.clone(),
                _ => vec![data.clone()],
            };
            let now = "2026-11-25T12:00:00Z".parse().unwrap();
            for raw in &offers {
                let _ = adapters.amadeus.map_offer(raw, now);
            }
            let _ = crate::providers::amadeus::Amadeus::map_order(&v);
            let _ = adapters.amadeus.error(400, &bytes);
        }
        _ => {
            use crate::booking::payment::stripe::{PaymentIntent, StripePayments};
            if let Ok(pi) = serde_json::from_value::<PaymentIntent>(v.clone()) {
                let _ = StripePayments::outcome(&pi);
            }
            webhook(&bytes);
        }
    }
}

/// A webhook body as the desk reads it once its signature holds.
fn webhook(body: &[u8]) {
    use crate::booking::payment::webhook::Event;
    if let Ok(event) = serde_json::from_slice::<Event>(body) {
        let object = &event.data.object;
        let _ = match event.kind.as_str() {
            "charge.refunded" => object["payment_intent"].as_str(),
            _ => object["id"].as_str(),
        };
        let _ = object["last_payment_error"]["message"].as_str();
    }
}

struct Adapters {
    duffel: crate::providers::duffel::Duffel,
    amadeus: crate::providers::amadeus::Amadeus,
}

fn adapters() -> Adapters {
    use crate::providers::{amadeus, duffel};
    use crate::secrets::Secret;
    Adapters {
        duffel: duffel::Duffel::new(duffel::DuffelConfig::new(Secret::new("duffel_test_x")))
            .unwrap(),
        amadeus: amadeus::Amadeus::new(
            amadeus::AmadeusConfig::new(Secret::new("id"), Secret::new("secret")),
            amadeus::Amadeus::fixture_zones(),
        )
        .unwrap(),
    }
}

fn answers(cases: Option<u32>) {
    let adapters = adapters();
    let slowest = Slowest::new("suppliers.answers");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    let changes = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            prop::option::weighted(0.8, odd_value()),
        ),
        1..6,
    );
    proptest!(config, |(which in 0..RECORDED.len(), changes in changes)| {
        let (name, recorded) = RECORDED[which];
        let v = changed(recorded, &changes);
        slowest.time(&(name, &v), || read(name, v.clone(), &adapters));
    });
    slowest.report();
}

/// `Stripe-Signature` headers of any shape, and well-signed ones with any timestamp.
fn signatures(cases: Option<u32>) {
    // Found by this fuzzing: a signed timestamp far from now overflowed the age.
    let far = crate::signature::header("whsec_test", i64::MIN, b"{}");
    assert!(matches!(
        crate::signature::verify("whsec_test", &far, b"{}", 1_800_000_000),
        Err(crate::signature::Refused::Stale(i64::MAX))
    ));
    let slowest = Slowest::new("webhooks.signature");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    let header = prop_oneof![
        "\\PC{0,200}",
        (any::<i64>(), "[0-9a-fA-F]{0,70}").prop_map(|(t, v)| format!("t={t},v1={v}")),
        (
            prop::sample::select(vec![i64::MIN, i64::MAX, -1, 0]),
            any::<bool>()
        )
            .prop_map(|(t, _)| format!("t={t}")),
    ];
    let body = prop::collection::vec(any::<u8>(), 0..512);
    let t = prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX)];
    proptest!(config, |(header in header, body in body, t in t, now in any::<i64>())| {
        slowest.time(&(&header, &body, t, now), || {
            let _ = crate::signature::verify("whsec_test", &header, &body, now);
            // A genuine signature with an extreme timestamp: stale, not an overflow.
            let signed = crate::signature::header("whsec_test", t, &body);
            let _ = crate::signature::verify("whsec_test", &signed, &body, now);
            webhook(&body);
        });
    });
    slowest.report();
}

#[test]
fn odd_supplier_answers_and_signatures_are_errors_not_panics() {
    // Seen by reading while writing this: checked bags were summed in a u8, so two entries
    // of 200 overflowed.
    let mut offer: Value = serde_json::from_str(RECORDED[0].1).unwrap();
    offer["data"]["slices"][0]["segments"][0]["passengers"][0]["baggages"] = json!([
        {"type": "checked", "quantity": 200}, {"type": "checked", "quantity": 200}
    ]);
    let raw = serde_json::from_value(offer["data"].clone()).unwrap();
    let mapped =
        crate::providers::duffel::wire::offer(raw, "Duffel", crate::model::Cabin::Economy, &|_| {
            None
        });
    assert!(mapped.is_ok(), "{:?}", mapped.err());
    answers(Some(64));
    signatures(Some(64));
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_supplier_answers() {
    answers(None);
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_webhook_signatures() {
    signatures(None);
}
