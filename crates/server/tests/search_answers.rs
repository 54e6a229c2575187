//! `POST /api/search/flights` on a loopback server: the answer is kept serialised (and
//! compressed) with core's cached answer, so a repeated search is a lookup. What a client sees:
//! the same JSON whatever the encoding, `X-Cache: hit` for a repeat, a fresh answer for any
//! query that differs, for a booking that changed inventory, and the same limits as before.

mod common;

use booksygo_server::auth::RateLimit;
use common::{Remote, sign_up, state};
use serde_json::{Value, json};
use std::io::Read;
use std::sync::Arc;

fn query() -> Value {
    json!({
        "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
        "passengers": [{"type": "adult"}]
    })
}

struct Answer {
    status: u16,
    encoding: Option<String>,
    vary: Option<String>,
    cache: Option<String>,
    /// The body as sent (compressed when `encoding` says so).
    raw: Vec<u8>,
}

impl Answer {
    /// The body decoded as its `Content-Encoding` says.
    fn plain(&self) -> Vec<u8> {
        match self.encoding.as_deref() {
            None => self.raw.clone(),
            Some("gzip") => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&self.raw[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            Some("zstd") => zstd::stream::decode_all(&self.raw[..]).unwrap(),
            Some(other) => panic!("unexpected content-encoding {other}"),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.plain()).unwrap()
    }
}

async fn search(
    remote: &Remote,
    body: &Value,
    accept: Option<&str>,
    token: Option<&str>,
) -> Answer {
    let mut req = remote
        .http
        .post(format!("{}/api/search/flights", remote.base))
        .json(body);
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, encoding, vary, cache) = (
        res.status().as_u16(),
        header("content-encoding"),
        header("vary"),
        header("x-cache"),
    );
    Answer {
        status,
        encoding,
        vary,
        cache,
        raw: res.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn every_encoding_decodes_to_exactly_the_plain_answer() {
    let (_d, s) = state();
    let remote = Remote::serve(s).await;
    let plain = search(&remote, &query(), None, None).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.encoding, None);
    assert_eq!(plain.vary.as_deref(), Some("accept-encoding"));
    let offers = plain.json()["offers"].as_array().unwrap().len();
    assert!(offers > 10, "{offers} offers");
    for (accept, expected) in [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "gzip"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "zstd"),
        ("zstd;q=0.1, gzip", "gzip"),
    ] {
        let packed = search(&remote, &query(), Some(accept), None).await;
        assert_eq!(packed.status, 200, "{accept}");
        assert_eq!(packed.encoding.as_deref(), Some(expected), "{accept}");
        assert_eq!(packed.vary.as_deref(), Some("accept-encoding"));
        assert!(
            packed.raw.len() * 4 < plain.raw.len(),
            "{accept}: {} of {} bytes",
            packed.raw.len(),
            plain.raw.len()
        );
        assert!(packed.plain() == plain.raw, "{accept}: not the same JSON");
    }
    // Codings we do not make, or refused ones, get the plain answer.
    for accept in ["br", "identity", "gzip;q=0", "*;q=0"] {
        let answer = search(&remote, &query(), Some(accept), None).await;
        assert_eq!(answer.encoding, None, "{accept}");
        assert!(answer.raw == plain.raw, "{accept}");
    }
}

#[tokio::test]
async fn a_repeated_search_is_served_from_the_cache_with_the_same_bytes() {
    let (_d, s) = state();
    let remote = Remote::serve(s).await;
    let first = search(&remote, &query(), None, None).await;
    assert_eq!(first.cache.as_deref(), Some("miss"));
    let second = search(&remote, &query(), None, None).await;
    assert_eq!(second.cache.as_deref(), Some("hit"));
    assert!(first.raw == second.raw);
    // The compressed copy is made once and kept too.
    let gz1 = search(&remote, &query(), Some("gzip"), None).await;
    let gz2 = search(&remote, &query(), Some("gzip"), None).await;
    assert_eq!(gz1.cache.as_deref(), Some("hit"));
    assert!(gz1.raw == gz2.raw);
    // A body written differently (key order, spelled-out defaults) is the same query.
    let same = json!({
        "passengers": [{"type": "adult"}],
        "cabin_class": "economy",
        "slices": [{"departure_date": "2027-03-14", "destination": "JFK", "origin": "LHR"}]
    });
    let third = search(&remote, &same, None, None).await;
    assert_eq!(third.cache.as_deref(), Some("hit"));
    assert!(third.raw == first.raw);
}

#[tokio::test]
async fn queries_that_differ_never_share_an_answer() {
    let (_d, s) = state();
    let remote = Remote::serve(s).await;
    let base = search(&remote, &query(), None, None).await.json();
    let with = |patch: Value| {
        let mut q = query();
        for (k, v) in patch.as_object().unwrap() {
            q[k] = v.clone();
        }
        q
    };
    let variants = [
        ("currency", with(json!({"currency": "USD"}))),
        (
            "passengers",
            with(json!({"passengers": [{"type": "adult"}, {"type": "adult"}]})),
        ),
        (
            "child",
            with(json!({"passengers": [{"type": "adult"}, {"age": 7}]})),
        ),
        ("cabin", with(json!({"cabin_class": "business"}))),
        ("stops", with(json!({"max_connections": 0}))),
        ("sort", with(json!({"sort": "price"}))),
        ("limit", with(json!({"limit": 5}))),
        ("max price", with(json!({"max_price": "300.00"}))),
        (
            "self-transfer",
            with(json!({"filters": {"no_self_transfer": true}})),
        ),
        ("airline", with(json!({"filters": {"airlines": ["BA"]}}))),
        (
            "date",
            json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-15"}], "passengers": [{"type": "adult"}]}),
        ),
        (
            "route",
            json!({"slices": [{"origin": "LHR", "destination": "EWR", "departure_date": "2027-03-14"}], "passengers": [{"type": "adult"}]}),
        ),
    ];
    for (what, q) in &variants {
        let answer = search(&remote, q, None, None).await;
        assert_eq!(answer.status, 200, "{what}");
        assert_eq!(
            answer.cache.as_deref(),
            Some("miss"),
            "{what}: shared an entry"
        );
        let v = answer.json();
        let offers = v["offers"].as_array().unwrap();
        assert!(!offers.is_empty(), "{what}: {v}");
        let first = &offers[0];
        match *what {
            "currency" => assert_eq!(first["total_currency"], "USD"),
            "passengers" => assert_eq!(first["passengers"].as_array().unwrap().len(), 2),
            "child" => assert_eq!(first["passengers"][1]["type"], "child"),
            "cabin" => assert_eq!(first["cabin_class"], "business"),
            "stops" => assert!(
                offers
                    .iter()
                    .all(|o| { o["slices"][0]["segments"].as_array().unwrap().len() == 1 })
            ),
            "sort" => {
                let totals: Vec<f64> = offers
                    .iter()
                    .map(|o| o["total_amount"].as_str().unwrap().parse().unwrap())
                    .collect();
                assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
            }
            "limit" => assert_eq!(offers.len(), 5),
            "max price" => {
                assert!(offers.iter().all(|o| {
                    o["total_amount"].as_str().unwrap().parse::<f64>().unwrap() <= 300.0
                }))
            }
            "airline" => assert!(
                offers.iter().all(|o| {
                    o["slices"][0]["segments"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|s| s["marketing_carrier"] == "BA")
                }),
                "{v}"
            ),
            "date" => assert!(
                first["slices"][0]["departing_at"]
                    .as_str()
                    .unwrap()
                    .starts_with("2027-03-15")
            ),
            "route" => assert_eq!(first["slices"][0]["destination"], "EWR"),
            _ => {}
        }
        if *what != "self-transfer" {
            assert_ne!(v, base, "{what}: the same answer as the plain query");
        }
        // And its own repeat is a hit.
        let again = search(&remote, q, None, None).await;
        assert_eq!(again.cache.as_deref(), Some("hit"), "{what}");
    }
}

#[tokio::test]
async fn a_booking_forgets_the_kept_answers() {
    let (_d, s) = state();
    let token = sign_up(&s, "ada@example.com", "Ada", "L").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let remote = Remote::serve(s).await;
    let first = search(&remote, &query(), None, Some(&token)).await;
    assert_eq!(first.cache.as_deref(), Some("miss"));
    let offer = first.json()["offers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        search(&remote, &query(), None, Some(&token))
            .await
            .cache
            .as_deref(),
        Some("hit")
    );
    let (st, booking) = remote
        .call(
            "POST",
            "/api/bookings",
            Some(&token),
            Some(json!({
                "selected_offers": [offer],
                "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
                "contact_email": "ada@example.com"
            })),
        )
        .await;
    assert_eq!(st, 201, "{booking}");
    // Seats were taken: the next search asks the market again.
    assert_eq!(
        search(&remote, &query(), None, Some(&token))
            .await
            .cache
            .as_deref(),
        Some("miss")
    );
}

#[tokio::test]
async fn a_cached_answer_still_spends_the_anonymous_budget() {
    let (_d, mut s) = state();
    // Six a minute: a burst of two, then about one every ten seconds.
    s.search_limit = Arc::new(RateLimit::per_minute(6));
    let token = sign_up(&s, "ada@example.com", "Ada", "L").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let remote = Remote::serve(s).await;
    assert_eq!(
        search(&remote, &query(), None, None).await.cache.as_deref(),
        Some("miss")
    );
    assert_eq!(
        search(&remote, &query(), Some("gzip"), None)
            .await
            .cache
            .as_deref(),
        Some("hit")
    );
    let refused = search(&remote, &query(), Some("gzip"), None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.encoding, None);
    assert_eq!(refused.json()["error"]["code"], "rate_limited");
    // A signed-in traveller is not counted, and gets the kept answer.
    let signed_in = search(&remote, &query(), None, Some(&token)).await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.cache.as_deref(), Some("hit"));
    // Bad input is still refused before any lookup.
    let mut past = query();
    past["slices"][0]["departure_date"] = json!("2020-03-14");
    let refused = search(&remote, &past, None, Some(&token)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json()["error"]["code"], "invalid_input");
}
