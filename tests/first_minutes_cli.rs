//! What a new user meets in the first ten minutes, through the real binary: one way of writing
//! money, dates and counts; the type of a traveller from the birth date; short flags and
//! relative dates; hints that only suggest what would change the answer; a closed pipe.

use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::Env;

fn stdout(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().args(args).assert().success().get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

/// `251.00 EUR` or a bare `251.00`: an amount not preceded by its currency code.
fn money_not_written_the_one_way(text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_matches(|c: char| c == ',' || c == ')' || c == '(' || c == ';');
            let (int, frac) = w.split_once('.').unwrap_or(("", ""));
            let is_amount = !int.is_empty()
                && int.chars().all(|c| c.is_ascii_digit())
                && frac.len() == 2
                && frac.chars().all(|c| c.is_ascii_digit());
            let after_code = i > 0
                && words[i - 1].len() == 3
                && words[i - 1].chars().all(|c| c.is_ascii_uppercase());
            if is_amount && !after_code {
                bad.push(line.to_string());
            }
        }
    }
    bad
}

#[test]
fn money_dates_and_counts_are_written_one_way() {
    let env = Env::new();
    let mut seen = String::new();
    for args in [
        &["flights", "search", "LHR", "JFK", "--date", "2027-03-14"][..],
        &["flights", "explore", "LHR", "--month", "2027-03"],
        &[
            "hotels",
            "search",
            "LON",
            "--checkin",
            "2027-03-14",
            "--checkout",
            "2027-03-17",
            "--rooms",
            "2",
            "--guests",
            "3",
        ],
        &["packages", "list", "trek"],
        &["packages", "deals"],
        &["packages", "calendar", "pkg_iceland_fire_and_ice_7d"],
    ] {
        seen.push_str(&stdout(&env, args));
    }
    let offer = env.first_offer();
    let booking = env.book_ada(&offer, Some("4242424242424242"));
    let id = booking["id"].as_str().unwrap();
    seen.push_str(&stdout(&env, &["bookings", "show", id]));
    seen.push_str(&stdout(&env, &["bookings", "list"]));
    let bad = money_not_written_the_one_way(&seen);
    assert!(
        bad.is_empty(),
        "money not written as `EUR 251.00`:\n{}",
        bad.join("\n")
    );
    assert!(!seen.contains("(s)"), "{seen}");
    // Travel dates in tables and headings read `Sun 14 Mar 2027`, never ISO.
    assert!(
        seen.contains("Sun 14 Mar 2027 → Wed 17 Mar 2027 (3 nights)"),
        "{seen}"
    );
    let list = stdout(&env, &["bookings", "list"]);
    assert!(list.contains("Sun 14 Mar 2027"), "{list}");
    assert!(!list.contains("2027-03-14"), "{list}");
    // One calendar event is one event, not "1 events".
    env.cmd()
        .args(["bookings", "export", id, "--ics"])
        .arg(env.home.path().join("trip.ics"))
        .assert()
        .success()
        .stderr(predicate::str::contains("(1 event)"));
}

#[test]
fn hotel_room_night_is_per_room_like_max_price() {
    let env = Env::new();
    let args = [
        "hotels",
        "search",
        "LON",
        "--checkin",
        "2027-03-14",
        "--checkout",
        "2027-03-17",
        "--rooms",
        "2",
        "--guests",
        "3",
        "--limit",
        "1",
    ];
    let offers = env.json(&args);
    let nightly_all_rooms: f64 = offers[0]["nightly_amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let table = stdout(&env, &args);
    let per_room = format!("EUR {:.2}", nightly_all_rooms / 2.0);
    assert!(table.contains("ROOM/NIGHT"), "{table}");
    assert!(table.contains(&per_room), "{per_room} in {table}");
    // The filter agrees: a room at exactly that price passes, a cent less does not.
    let cap = format!("{:.2}", nightly_all_rooms / 2.0);
    let under = format!("{:.2}", nightly_all_rooms / 2.0 - 0.01);
    let mut with_cap = args.to_vec();
    with_cap.extend(["--max-price", &cap]);
    assert_eq!(env.json(&with_cap)[0]["id"], offers[0]["id"]);
    let mut with_under = args.to_vec();
    with_under.extend(["--max-price", &under]);
    assert_ne!(env.json(&with_under)[0]["id"], offers[0]["id"]);
}

#[test]
fn a_family_books_without_typing_passenger_types() {
    let env = Env::new();
    let offers = env.json(&[
        "flights",
        "search",
        "LHR",
        "JFK",
        "--date",
        "2027-07-10",
        "--adults",
        "2",
        "--children",
        "1",
        "--infants",
        "1",
        "--max-stops",
        "0",
    ]);
    let offer = offers[0]["id"].as_str().unwrap();
    let booking = env.json(&[
        "book",
        offer,
        "--passenger",
        "Ana,Lopez,1990-04-02",
        "--passenger",
        "Luis,Lopez,1988-09-30",
        "--passenger",
        "Alex,Lopez,2019-03-01",
        "--passenger",
        "Sol,Lopez,2026-06-01",
        "--email",
        "ana@example.com",
    ]);
    let types: Vec<&str> = booking["passengers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["adult", "adult", "child", "infant"]);
    // A type given must still agree with the age.
    env.cmd()
        .args([
            "book",
            offer,
            "--passenger",
            "Ana,Lopez,1990-04-02",
            "--passenger",
            "Luis,Lopez,1988-09-30",
            "--passenger",
            "Alex,Lopez,2019-03-01,adult",
            "--passenger",
            "Sol,Lopez,2026-06-01",
            "--email",
            "ana@example.com",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "passenger 3 is 8 on 2027-07-10 and cannot travel as adult",
        ));
}

#[test]
fn a_confirmed_payment_no_longer_waits_for_the_bank() {
    let env = Env::new();
    let offer = env.first_offer();
    let booking = env.book_ada(&offer, Some("4000002760003184"));
    let id = booking["id"].as_str().unwrap();
    assert_eq!(booking["status"], "PAYMENT_PROCESSING");
    let shown = stdout(&env, &["bookings", "show", id]);
    assert!(shown.contains("asks the cardholder to confirm"), "{shown}");
    let done = stdout(&env, &["bookings", "confirm-payment", id]);
    assert!(done.contains("CONFIRMED"), "{done}");
    let paid = format!(
        "{} {} succeeded",
        booking["total"]["currency"].as_str().unwrap(),
        booking["total"]["amount"].as_str().unwrap()
    );
    assert!(done.contains(&paid), "{paid} in {done}");
    assert!(!done.contains("cardholder"), "{done}");
}

#[test]
fn short_flags_and_relative_dates() {
    let env = Env::new();
    // The clock says Wednesday 2026-11-25.
    let relative = env.json(&[
        "flights", "search", "LHR", "JFK", "-d", "+14d", "-a", "2", "-n", "3",
    ]);
    let absolute = env.json(&[
        "flights",
        "search",
        "LHR",
        "JFK",
        "--date",
        "2026-12-09",
        "--adults",
        "2",
        "--limit",
        "3",
    ]);
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["total_amount"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(relative.as_array().unwrap().len(), 3);
    assert_eq!(ids(&relative), ids(&absolute));
    let friday = env.json(&["flights", "search", "LHR", "JFK", "-d", "fri", "-r", "+1w"]);
    let slices = friday[0]["slices"].as_array().unwrap();
    assert!(
        slices[0]["segments"][0]["departing_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-27")
    );
    assert!(
        slices[1]["segments"][0]["departing_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-02")
    );
    let hotels = env.json(&[
        "hotels", "search", "LON", "-i", "tomorrow", "-o", "+3d", "-n", "1",
    ]);
    assert_eq!(hotels[0]["nights"], 2);
    env.cmd()
        .args(["flights", "search", "LHR", "JFK", "-d", "someday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'someday' is not a date"))
        .stderr(predicate::str::contains("+14d"));
    // A birth date stays a real date.
    env.cmd()
        .args([
            "book",
            "off_x",
            "--passenger",
            "Ada,Lovelace,+14d",
            "--email",
            "a@b.co",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("date of birth"));
}

#[test]
fn an_empty_search_suggests_only_what_would_change_it() {
    let env = Env::new();
    let filtered = stdout(
        &env,
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
            "LH",
        ],
    );
    assert!(
        filtered.contains("Try without --max-stops, --airline"),
        "{filtered}"
    );
    // Reykjavik's domestic airport and Cusco: nothing within two stops, any day.
    let plain = stdout(
        &env,
        &["flights", "search", "RKV", "CUZ", "--date", "2027-03-14"],
    );
    assert!(
        plain.contains("No flights match from RKV to CUZ"),
        "{plain}"
    );
    assert!(!plain.contains("--max-stops"), "{plain}");
}

#[test]
fn completions_survive_a_closed_pipe() {
    Env::new().assert_quiet_on_a_closed_pipe(&["completions", "bash"]);
}

#[test]
fn a_missing_import_folder_is_named_in_full() {
    let env = Env::new();
    let cwd = tempfile::tempdir().unwrap();
    env.cmd()
        .current_dir(cwd.path())
        .args(["import", "openflights", "no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            cwd.path()
                .join("no/such/folder/airports.dat")
                .display()
                .to_string(),
        ))
        .stderr(predicate::str::contains("openflights.org"));
}
