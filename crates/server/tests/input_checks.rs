//! The smaller refusals of the hardening pass, checked on a real listener on loopback: an
//! e-mail address is held to SMTP's limits and sane labels (a 5,000-character address,
//! `ada@x..com`, a 65-character local part are refused), unknown fields on travellers and
//! trips are refused as everywhere else, and an offer request for nobody is refused instead
//! of becoming one adult.

mod common;

use common::{Remote, state};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(r: &Remote, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut req = r.http.post(format!("{}{path}", r.base)).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn register(email: &str) -> Value {
    json!({"email": email, "password": common::PASSWORD, "first_name": "Ada", "last_name": "L"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_beyond_smtp_limits_or_with_empty_labels_are_refused() {
    let (_d, s) = state();
    let r = Remote::serve(s).await;
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long_label = format!("ada@{}.com", "b".repeat(64));
    let huge = format!("{}@example.com", "a".repeat(5000));
    for bad in [
        "ada@x..com",
        "ada@.example.com",
        "ada@example.com.",
        "ada@example..com",
        "ada..l@example.com",
        ".ada@example.com",
        "ada.@example.com",
        "ada@-example.com",
        "ada@example-.com",
        "ada@exa_mple.com",
        "ada@example.c",
        "ada@@example.com",
        "ada@example",
        long_local.as_str(),
        long_label.as_str(),
        huge.as_str(),
    ] {
        let (st, body) = post(&r, "/api/auth/register", None, &register(bad)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input", "{bad}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.len() < 400,
            "the refusal does not echo a huge address"
        );
    }
    // The limits themselves are fine: a 64-character local part, a 63-character label.
    let at_limits = format!("{}@{}.example.com", "a".repeat(64), "b".repeat(63));
    for good in [
        "ada.lovelace+trips@example.co.uk",
        "a@b.io",
        at_limits.as_str(),
    ] {
        let (st, body) = post(&r, "/api/auth/register", None, &register(good)).await;
        assert_eq!(st, StatusCode::CREATED, "{good}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_on_travellers_and_trips_and_nobody_travelling_are_refused() {
    let (_d, s) = state();
    let r = Remote::serve(s).await;
    let (st, body) = post(&r, "/api/auth/register", None, &register("ada@example.com")).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let token = r.login("ada@example.com").await;
    // An offer request for nobody.
    let (st, body) = post(
        &r,
        "/api/search/flights",
        None,
        &json!({"slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
                "passengers": []}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("passenger"),
        "{body}"
    );
    // A traveller with a field nobody reads.
    let (st, body) = post(
        &r,
        "/api/bookings",
        Some(&token),
        &json!({"selected_offers": ["off_x"],
                "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10",
                                "nickname": "Countess"}],
                "contact_email": "ada@example.com"}),
    )
    .await;
    assert!(st.is_client_error(), "{st}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nickname"),
        "{body}"
    );
    // A trip with one.
    let (st, body) = post(
        &r,
        "/api/trips",
        Some(&token),
        &json!({"name": "New York", "colour": "blue"}),
    )
    .await;
    assert!(st.is_client_error(), "{st}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );
    let (st, body) = post(&r, "/api/trips", Some(&token), &json!({"name": "New York"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}
