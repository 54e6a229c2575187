//! The real binary with Duffel pointed at a Duffel on loopback: search shows Duffel's offers,
//! `book` orders through the adapter, `bookings cancel` cancels in two steps; `providers`
//! lists and checks without ever printing the token.

mod common;
#[path = "../crates/core/tests/fake/mod.rs"]
mod fake;

use common::Env;
use fake::{Fake, Reply, fixture};

const TOKEN: &str = "duffel_test_cli_t0ken_never_printed";
const BA: &str = "off_0000AEdGRhtp5AUUdJqMxo";

struct Duffel {
    // Keeps the loopback server running while the binary talks to it.
    _rt: tokio::runtime::Runtime,
    fake: Fake,
}

fn duffel() -> Duffel {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(Fake::start());
    fake.on(
        "POST",
        "/air/offer_requests",
        vec![Reply::ok(fixture("duffel/offer_request.json"))],
    );
    fake.on(
        "GET",
        &format!("/air/offers/{BA}"),
        vec![Reply::ok(fixture("duffel/offer.json"))],
    );
    fake.on(
        "POST",
        "/air/orders",
        vec![Reply::DuffelOrder(fixture("duffel/order.json"))],
    );
    fake.on("GET", "/air/orders", vec![Reply::DuffelOrders]);
    fake.on(
        "POST",
        "/air/order_cancellations",
        vec![Reply::ok(fixture("duffel/order_cancellation.json"))],
    );
    fake.on(
        "POST",
        "/air/order_cancellations/ore_00009qzZWzjDipIkqpaUAj/actions/confirm",
        vec![Reply::ok(fixture(
            "duffel/order_cancellation_confirmed.json",
        ))],
    );
    fake.on(
        "GET",
        "/air/airlines",
        vec![Reply::ok(r#"{"data": [], "meta": {}}"#.into())],
    );
    Duffel { _rt: rt, fake }
}

fn with_duffel(env: &Env, d: &Duffel) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("BOOKSYGO_DUFFEL_TOKEN", TOKEN)
        .env("BOOKSYGO_DUFFEL_BASE_URL", &d.fake.base)
        .env("BOOKSYGO_KEYRING", "off");
    c
}

fn json(c: &mut assert_cmd::Command, args: &[&str]) -> serde_json::Value {
    let out = c
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains(TOKEN));
    assert!(!String::from_utf8(out.stderr).unwrap().contains(TOKEN));
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn search_book_and_cancel_go_through_duffel() {
    let env = Env::new();
    let d = duffel();
    let offers = json(
        &mut with_duffel(&env, &d),
        &[
            "flights",
            "search",
            "LHR",
            "JFK",
            "--date",
            "2027-03-14",
            "--max-stops",
            "0",
            "--airline",
            "BA",
            "--limit",
            "50",
        ],
    );
    let ba = offers
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == BA)
        .expect("Duffel's BA117 offer among the results");
    assert_eq!(ba["provider"], "duffel");
    assert_eq!(ba["total_amount"], "412.37");
    assert_eq!(ba["total_currency"], "GBP");

    let b = json(
        &mut with_duffel(&env, &d),
        &[
            "book",
            BA,
            "--passenger",
            "Ada,Lovelace,1990-12-10,adult,f",
            "--email",
            "ada@example.com",
            "--phone",
            "+442080160508",
            "--card",
            "4242424242424242",
        ],
    );
    assert_eq!(b["status"], "CONFIRMED");
    assert_eq!(b["items"][0]["reference"], "RZPNX8");
    let order = d.fake.to("POST", "/air/orders");
    assert_eq!(order.len(), 1);
    assert_eq!(order[0].json()["data"]["passengers"][0]["gender"], "f");
    let id = b["id"].as_str().unwrap().to_string();

    let c = json(
        &mut with_duffel(&env, &d),
        &["bookings", "cancel", &id, "--yes"],
    );
    assert_eq!(c["status"], "REFUNDED");
    assert_eq!(d.fake.to("POST", "/air/order_cancellations").len(), 2);
}

#[test]
fn without_a_token_nothing_changes_and_providers_say_so() {
    let env = Env::new();
    let d = duffel();
    let mut c = env.cmd();
    c.env("BOOKSYGO_KEYRING", "off")
        .env_remove("BOOKSYGO_DUFFEL_TOKEN");
    let offers = json(
        &mut c,
        &["flights", "search", "LHR", "JFK", "--date", "2027-03-14"],
    );
    assert!(
        offers
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["provider"] == "sandbox")
    );
    assert!(d.fake.requests().is_empty());

    let list = json(&mut with_duffel(&env, &d), &["providers", "list"]);
    let duffel = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "duffel")
        .unwrap();
    assert_eq!(duffel["enabled"], true);
    assert_eq!(duffel["mode"], "test");

    let checks = json(&mut with_duffel(&env, &d), &["providers", "check"]);
    assert_eq!(checks[0]["ok"], true, "{checks}");
    // A rejected token: exit 5, the fix named, the token never shown.
    d.fake.on(
        "GET",
        "/air/airlines",
        vec![Reply::status(401, fixture("duffel/error_401.json"))],
    );
    let out = with_duffel(&env, &d)
        .args(["providers", "check"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BOOKSYGO_DUFFEL_TOKEN"), "{text}");
    assert!(!text.contains(TOKEN));
}
