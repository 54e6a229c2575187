//! The booking flow as a script runs it: search -> book -> pay -> export -> cancel, plus the
//! packages, points, trips and profile commands and their error exit codes.

use predicates::prelude::*;

mod common;

use common::Env;

#[test]
fn search_book_pay_export_cancel() {
    let env = Env::new();
    let offer = env.first_offer();
    // Book without a card: PENDING, waiting for payment.
    let b = env.json(&[
        "book",
        &offer,
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ]);
    assert_eq!(b["status"], "PENDING");
    let id = b["id"].as_str().unwrap().to_string();
    let paid = env.json(&[
        "bookings",
        "pay",
        &id,
        "--card",
        "4242 4242 4242 4242",
        "--card-expiry",
        "12/30",
    ]);
    assert_eq!(paid["status"], "CONFIRMED");
    assert_eq!(paid["payments"][0]["card"], "visa **** 4242");
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    env.cmd()
        .args(["bookings", "show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("CONFIRMED"))
        .stdout(predicate::str::contains("PNR"));
    let ics = env.home.path().join("trip.ics");
    env.cmd()
        .args(["bookings", "export", &id, "--ics", ics.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.contains("SUMMARY:Flight"));
    env.cmd()
        .args(["bookings", "export", &id, "--receipt"])
        .assert()
        .success()
        .stdout(predicate::str::contains("BooksyGo receipt"));
    // Corrections and date changes.
    let renamed = env.json(&[
        "bookings",
        "modify",
        &id,
        "--passenger-name",
        "1:Augusta Ada,King",
    ]);
    assert_eq!(renamed["passengers"][0]["family_name"], "King");
    let moved = env.json(&[
        "bookings",
        "modify",
        &id,
        "--date",
        "2027-03-16",
        "--card",
        "4242424242424242",
    ]);
    assert_eq!(moved["starts_on"], "2027-03-16");
    env.cmd()
        .args(["bookings", "modify", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--date"));
    // Cancel shows the refund first and changes nothing without --yes.
    let quote = env.json(&["bookings", "cancel", &id]);
    assert!(quote["refund"]["amount"].is_string());
    assert_eq!(env.json(&["bookings", "show", &id])["status"], "CONFIRMED");
    let cancelled = env.json(&["bookings", "cancel", &id, "--yes"]);
    assert!(["CANCELLED", "REFUNDED"].contains(&cancelled["status"].as_str().unwrap()));
    env.cmd()
        .args(["bookings", "cancel", &id, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already"));
}

#[test]
fn booking_errors_have_exit_codes_and_write_nothing() {
    let env = Env::new();
    let offer = env.first_offer();
    let pax = [
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ];
    let run = |extra: &[&str]| {
        let mut c = env.cmd();
        c.arg("book").arg(&offer).args(pax).args(extra);
        c.assert()
    };
    run(&["--card", "4000000000000002"])
        .code(2)
        .stderr(predicate::str::contains("declined"));
    run(&["--card", "4242424242424241"])
        .code(2)
        .stderr(predicate::str::contains("checksum"));
    run(&["--card", "4242424242424242", "--card-expiry", "01/20"])
        .code(2)
        .stderr(predicate::str::contains("expired"));
    run(&["--card", "4242424242424242", "--points", "1000"])
        .code(2)
        .stderr(predicate::str::contains("points available"));
    env.cmd()
        .args(["book", "off_0000000000000000"])
        .args(pax)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no offer"));
    env.cmd()
        .args([
            "book",
            &offer,
            "--passenger",
            "Ada,Lovelace",
            "--email",
            "a@b.co",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a passenger"));
    env.cmd()
        .args([
            "book",
            &offer,
            "--passenger",
            "Ada,Lovelace,2024-01-01,adult",
            "--email",
            "a@b.co",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot travel as adult"));
    // Without a type, a three-year-old is a child: the adult-only offer says so.
    env.cmd()
        .args([
            "book",
            &offer,
            "--passenger",
            "Ada,Lovelace,2024-01-01",
            "--email",
            "a@b.co",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is for 1 adult"));
    env.cmd()
        .args(["bookings", "show", "bkg_nope"])
        .assert()
        .code(3);
    // Only the declined attempt exists, cancelled.
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "CANCELLED");
}

#[test]
fn idempotency_key_replays_a_retried_booking() {
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
        "k-1",
    ];
    let a = env.json(&args);
    let b = env.json(&args);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(env.json(&["bookings", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn packages_points_trips_and_profile() {
    let env = Env::new();
    let r = env.json(&["packages", "list", "trek", "--sort", "price"]);
    assert!(r["total"].as_u64().unwrap() >= 1);
    assert!(r["facets"]["type"].is_object());
    let id = r["packages"][0]["id"].as_str().unwrap().to_string();
    env.cmd()
        .args(["packages", "show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("Day 1:"));
    let deps = env.json(&["packages", "calendar", &id]);
    let date = deps
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slots_left"].as_u64().unwrap() > 0)
        .unwrap()["date"]
        .as_str()
        .unwrap()
        .to_string();
    let b = env.json(&[
        "book",
        "package",
        &id,
        "--date",
        &date,
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
        "--card",
        "4242424242424242",
    ]);
    assert_eq!(b["status"], "CONFIRMED");
    env.cmd()
        .args([
            "book",
            "package",
            &id,
            "--date",
            "2027-02-30",
            "--passenger",
            "Ada,Lovelace,1990-12-10",
            "--email",
            "a@b.co",
        ])
        .assert()
        .code(2);
    env.cmd()
        .args([
            "packages",
            "review",
            b["id"].as_str().unwrap(),
            "--rating",
            "5",
            "--text",
            "Lovely",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("completed"));
    let p = env.json(&["points"]);
    assert_eq!(p["total"], 500);
    env.cmd()
        .args(["points", "badges"])
        .assert()
        .success()
        .stdout(predicate::str::contains("First Traveler"));
    env.cmd().args(["points", "challenges"]).assert().success();
    assert_eq!(env.json(&["points", "leaderboard"])[0]["total"], 500);
    env.cmd()
        .args(["points", "history"])
        .assert()
        .success()
        .stdout(predicate::str::contains("FIRST_BOOKING"));
    let t = env.json(&["trips", "create", "Spring", "--budget", "5000"]);
    let tid = t["id"].as_str().unwrap();
    let t = env.json(&["trips", "add", tid, b["id"].as_str().unwrap()]);
    assert_eq!(t["bookings"].as_array().unwrap().len(), 1);
    env.cmd()
        .args(["trips", "show", tid])
        .assert()
        .success()
        .stdout(predicate::str::contains("Spring"));
    env.cmd()
        .args(["trips", "export", tid])
        .assert()
        .success()
        .stdout(predicate::str::contains("BEGIN:VEVENT"));
    // A start without an end is said as such, not "no dates yet".
    let open = env.json(&["trips", "create", "Open-ended", "--start", "2027-03-10"]);
    env.cmd()
        .args(["trips", "show", open["id"].as_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Open-ended  from 2027-03-10"));
    let prof = env.json(&[
        "profile",
        "set",
        "--first-name",
        "Ada",
        "--style",
        "comfort",
        "--interest",
        "hiking",
    ]);
    assert_eq!(prof["first_name"], "Ada");
    assert_eq!(prof["preferences"]["travel_style"], "comfort");
    env.cmd()
        .args(["profile", "set", "--style", "lavish"])
        .assert()
        .code(2);
    // A malformed package file: every problem at once, exit 2, nothing written.
    let file = env.home.path().join("pkg.json");
    std::fs::write(
        &file,
        r#"{"id":"bad","duration_days":"five","base_price":100,"colour":"red"}"#,
    )
    .unwrap();
    env.cmd()
        .args(["packages", "add", file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("14 problems in package bad"))
        .stderr(predicate::str::contains("slug: missing"))
        .stderr(predicate::str::contains("max_group: missing"))
        .stderr(predicate::str::contains("duration_days: invalid type"))
        .stderr(predicate::str::contains("colour: not a field of a package"));
    env.cmd().args(["packages", "show", "bad"]).assert().code(3);
}
