//! A paid booking killed at every step, then retried under the same idempotency key once the
//! key counts as abandoned: one booking, one successful charge, whatever the step. The
//! process is stopped by the fault switch (`BOOKSYGO_FAULT=<step>` aborts it there, as
//! abruptly as `kill -9`).

mod common;

use common::Env;
use serde_json::Value;

const START: &str = "2026-11-25T12:00:00Z";
/// After the 5 minutes that make an unfinished request's key count as abandoned.
const LATER: &str = "2026-11-25T12:06:00Z";

/// Runs `args` with the fault armed at `step` and checks the process died there.
fn crash_at(env: &Env, step: &str, args: &[&str]) {
    let out = env
        .cmd()
        .env("BOOKSYGO_FAULT", step)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.code().is_none(),
        "the process should have been stopped at {step}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("aborting at step {step}")));
}

/// The retry's answer at `now`.
fn retry(env: &Env, now: &str, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .env("BOOKSYGO_NOW", now)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "retry failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn succeeded_payments(booking: &Value) -> usize {
    booking["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "succeeded")
        .count()
}

fn only_booking(env: &Env) -> Value {
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "one booking: {list}");
    let id = list[0]["id"].as_str().unwrap().to_string();
    env.json(&["bookings", "show", &id])
}

#[test]
fn a_paid_booking_killed_at_any_step_is_booked_and_charged_once() {
    for step in [
        "idempotency.claimed",
        "booking.committed",
        "idempotency.finished",
    ] {
        let env = Env::new();
        let offer = env.first_offer();
        let args = [
            "book",
            &offer,
            "--passenger",
            "Ada,Lovelace,1990-12-10",
            "--email",
            "ada@example.com",
            "--card",
            "4242424242424242",
            "--idempotency-key",
            "crash-2-200",
        ];
        crash_at(&env, step, &args);
        if step != "idempotency.finished" {
            // Right after the crash the key is still taken: refused, nothing written.
            env.cmd()
                .env("BOOKSYGO_NOW", START)
                .args(args)
                .assert()
                .code(2)
                .stderr(predicates::str::contains("still in progress"));
        }
        let first = retry(&env, LATER, &args);
        assert_eq!(first["status"], "CONFIRMED", "after a crash at {step}");
        let again = retry(&env, LATER, &args);
        assert_eq!(first["id"], again["id"], "the retry replays ({step})");
        let booking = only_booking(&env);
        assert_eq!(booking["status"], "CONFIRMED");
        assert_eq!(succeeded_payments(&booking), 1, "one charge after {step}");
    }
}

#[test]
fn a_payment_killed_at_any_step_charges_once() {
    for step in [
        "idempotency.claimed",
        "charge.started",
        "charge.answered",
        "charge.settled",
        "idempotency.finished",
    ] {
        let env = Env::new();
        let offer = env.first_offer();
        let booked = env.book_ada(&offer, None);
        assert_eq!(booked["status"], "PENDING");
        let id = booked["id"].as_str().unwrap();
        let args = [
            "bookings",
            "pay",
            id,
            "--card",
            "4242424242424242",
            "--idempotency-key",
            "pay-1",
        ];
        crash_at(&env, step, &args);
        let paid = retry(&env, LATER, &args);
        assert_eq!(paid["status"], "CONFIRMED", "after a crash at {step}");
        let booking = only_booking(&env);
        assert_eq!(succeeded_payments(&booking), 1, "one charge after {step}");
        assert!(
            booking["payments"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["status"] == "succeeded"),
            "no attempt left half-done after {step}: {}",
            booking["payments"]
        );
    }
}

#[test]
fn a_cancellation_killed_at_any_step_refunds_once() {
    for step in [
        "idempotency.claimed",
        "cancel.committed",
        "idempotency.finished",
    ] {
        let env = Env::new();
        let offer = env.first_offer();
        let booked = env.book_ada(&offer, Some("4242424242424242"));
        let id = booked["id"].as_str().unwrap();
        let quote = env.json(&["bookings", "cancel", id]);
        let args = [
            "bookings",
            "cancel",
            id,
            "--yes",
            "--idempotency-key",
            "cancel-1",
        ];
        crash_at(&env, step, &args);
        let cancelled = retry(&env, LATER, &args);
        assert!(
            matches!(cancelled["status"].as_str(), Some("CANCELLED" | "REFUNDED")),
            "after a crash at {step}: {}",
            cancelled["status"]
        );
        let booking = only_booking(&env);
        assert_eq!(
            booking["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["to"] == "CANCELLED")
                .count(),
            1,
            "cancelled once after {step}"
        );
        assert_eq!(
            booking["refunded"], quote["refund"],
            "refunded exactly the quote after {step}"
        );
    }
}
