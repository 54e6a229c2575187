//! The real binary paying with PayPal, pointed at a PayPal on loopback answering with recorded
//! responses in PayPal's format: `bookings pay --paypal` prints the approval link and how to
//! finish, `confirm-payment` captures (a declined capture is exit 2 and the booking can be
//! paid again), `cancel --yes` refunds through PayPal; without PayPal configured the error
//! says what to set; `providers list` shows PayPal; the secret is never printed.

mod common;
#[path = "../crates/core/tests/fake/mod.rs"]
mod fake;

use common::Env;
use fake::{Fake, Reply, fixture};
use serde_json::Value;

const SECRET: &str = "EC4_paypal_cli_secret_never_printed";
const ORDER: &str = "5O190127TN364715T";
const CAPTURE: &str = "3C679366HH908993F";
const APPROVE: &str = "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T";

struct PayPal {
    // Keeps the loopback server running while the binary talks to it.
    _rt: tokio::runtime::Runtime,
    fake: Fake,
}

fn paypal() -> PayPal {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(Fake::start());
    fake.on(
        "POST",
        "/v1/oauth2/token",
        vec![Reply::ok(fixture("paypal/oauth_token.json"))],
    );
    fake.on(
        "POST",
        "/v2/checkout/orders",
        vec![Reply::status(201, fixture("paypal/order_created.json"))],
    );
    // The first capture is declined, the next one goes through.
    fake.on(
        "POST",
        &format!("/v2/checkout/orders/{ORDER}/capture"),
        vec![
            Reply::status(422, fixture("paypal/error_instrument_declined.json")),
            Reply::status(201, fixture("paypal/order_captured.json")),
        ],
    );
    fake.on(
        "POST",
        &format!("/v2/payments/captures/{CAPTURE}/refund"),
        vec![Reply::status(201, fixture("paypal/refund.json"))],
    );
    PayPal { _rt: rt, fake }
}

fn with_paypal(env: &Env, p: &PayPal) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("BOOKSYGO_PAYPAL_CLIENT_ID", "AeA1QIZXiflr1")
        .env("BOOKSYGO_PAYPAL_SECRET", SECRET)
        .env("BOOKSYGO_PAYPAL_BASE_URL", &p.fake.base);
    c
}

/// Runs `args`; (exit code, stdout, stderr), checking the secret is in neither.
fn run(mut c: assert_cmd::Command, args: &[&str]) -> (i32, String, String) {
    let out = c.args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    (out.status.code().unwrap(), stdout, stderr)
}

fn json(c: assert_cmd::Command, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let (code, stdout, stderr) = run(c, &args);
    assert_eq!(code, 0, "{}: {stderr}", args.join(" "));
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn pay_with_paypal_approve_confirm_and_cancel_from_the_command_line() {
    let env = Env::new();
    let p = paypal();
    let offer = env.first_offer();
    let booking = env.book_ada(&offer, None);
    let id = booking["id"].as_str().unwrap();
    assert_eq!(booking["status"], "PENDING");

    // For people: the link and what to run next.
    let (code, stdout, stderr) = run(with_paypal(&env, &p), &["bookings", "pay", id, "--paypal"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(APPROVE), "{stdout}");
    assert!(
        stdout.contains(&format!("booksygo bookings confirm-payment {id}")),
        "{stdout}"
    );
    // For scripts: the link and the order id; asked again, the same order.
    let c = json(with_paypal(&env, &p), &["bookings", "pay", id, "--paypal"]);
    assert_eq!(c["order_id"], ORDER);
    assert_eq!(c["approve_url"], APPROVE);
    assert_eq!(c["booking_id"], id);
    assert_eq!(c["status"], "PAYMENT_PROCESSING");
    assert_eq!(c["amount"], booking["amount_due"]);
    let shown = json(with_paypal(&env, &p), &["bookings", "show", id]);
    assert!(
        shown["next_action"].as_str().unwrap().contains(APPROVE),
        "{shown}"
    );

    // PayPal declines the capture: exit 2, nothing taken, the booking payable again.
    let (code, _, stderr) = run(with_paypal(&env, &p), &["bookings", "confirm-payment", id]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("PayPal declined"), "{stderr}");
    assert!(stderr.contains("--paypal"), "{stderr}");
    let shown = json(with_paypal(&env, &p), &["bookings", "show", id]);
    assert_eq!(shown["status"], "PENDING");

    json(with_paypal(&env, &p), &["bookings", "pay", id, "--paypal"]);
    let confirmed = json(with_paypal(&env, &p), &["bookings", "confirm-payment", id]);
    assert_eq!(confirmed["status"], "CONFIRMED");

    let cancelled = json(with_paypal(&env, &p), &["bookings", "cancel", id, "--yes"]);
    assert_eq!(cancelled["status"], "REFUNDED");
    let refunds = p
        .fake
        .to("POST", &format!("/v2/payments/captures/{CAPTURE}/refund"));
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].json()["amount"]["value"],
        cancelled["refunded"]["amount"]
    );
    // Every call to PayPal carried the token, never the secret itself.
    for r in p.fake.requests() {
        if r.path.starts_with("/v2/") {
            let auth = r.header("authorization").unwrap();
            assert!(auth.starts_with("Bearer A21AAF"), "{auth}");
        }
    }
}

#[test]
fn without_paypal_the_error_says_what_to_set_and_providers_say_so() {
    let env = Env::new();
    let offer = env.first_offer();
    let booking = env.book_ada(&offer, None);
    let id = booking["id"].as_str().unwrap();
    let (code, _, stderr) = run(env.cmd(), &["bookings", "pay", id, "--paypal"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("paypal.client_id"), "{stderr}");
    assert!(stderr.contains("BOOKSYGO_PAYPAL_SECRET"), "{stderr}");
    // --paypal and a card do not go together.
    let (code, _, _) = run(
        env.cmd(),
        &[
            "bookings",
            "pay",
            id,
            "--paypal",
            "--card",
            "4242424242424242",
        ],
    );
    assert_eq!(code, 2);

    let list = env.json(&["providers", "list"]);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "paypal")
        .unwrap();
    assert_eq!(entry["enabled"], false);
    assert!(
        entry["note"]
            .as_str()
            .unwrap()
            .contains("BOOKSYGO_PAYPAL_SECRET")
    );

    let p = paypal();
    let list = json(with_paypal(&env, &p), &["providers", "list"]);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "paypal")
        .unwrap()
        .clone();
    assert_eq!(entry["enabled"], true);
    assert_eq!(entry["base_url"], p.fake.base.as_str());
    let (code, stdout, stderr) = run(with_paypal(&env, &p), &["providers", "check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("paypal"), "{stdout}");
}
