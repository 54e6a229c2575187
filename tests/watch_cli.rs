//! `booksygo predict` and `booksygo watch`: the real binary, a throwaway home, a pinned clock.

mod common;

use common::Env;
use predicates::prelude::*;

#[test]
fn watch_check_exits_10_once_when_a_fare_is_below_the_limit() {
    let env = Env::new();
    let search = env.json(&[
        "flights",
        "search",
        "LHR",
        "JFK",
        "--date",
        "2026-12-14",
        "--sort",
        "price",
    ]);
    let offers = search["offers"]
        .as_array()
        .unwrap_or_else(|| search.as_array().unwrap());
    let cheapest: f64 = offers[0]["total_amount"].as_str().unwrap().parse().unwrap();
    let high = format!("{:.2}", cheapest + 1.0);
    let added = env.json(&[
        "watch",
        "add",
        "LHR",
        "JFK",
        "--date",
        "2026-12-14",
        "--below",
        &high,
    ]);
    let id = added["id"].as_str().unwrap().to_string();
    env.json(&[
        "watch",
        "add",
        "LHR",
        "JFK",
        "--date",
        "2026-12-14",
        "--below",
        "1",
    ]);

    env.cmd()
        .args(["watch", "check"])
        .assert()
        .code(10)
        .stdout(predicate::str::contains(format!("ALERT {id}")))
        .stdout(predicate::str::contains(
            offers[0]["total_amount"].as_str().unwrap(),
        ));
    // Nothing new: exit 0, nothing on stdout.
    env.cmd()
        .args(["watch", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let list = env.json(&["watch", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    env.cmd()
        .args([
            "watch",
            "add",
            "LHR",
            "JFK",
            "--date",
            "2026-01-01",
            "--below",
            "400",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in the past"));
    env.cmd()
        .args([
            "watch",
            "add",
            "LHR",
            "JFK",
            "--date",
            "2026-12-14",
            "--below",
            "four hundred",
        ])
        .assert()
        .code(2);
    env.cmd()
        .args(["watch", "remove", "wch_nope"])
        .assert()
        .code(3);
    env.cmd().args(["watch", "remove", &id]).assert().success();
    assert_eq!(env.json(&["watch", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn predict_answers_book_now_or_wait_with_its_basis() {
    let env = Env::new();
    let p = env.json(&["predict", "LHR", "JFK", "--date", "2027-01-20"]);
    assert_eq!(p["origin"], "LHR");
    assert_eq!(p["days_ahead"], 56);
    assert!(["book_now", "wait"].contains(&p["advice"].as_str().unwrap()));
    assert!(["rising", "falling", "flat"].contains(&p["trend"].as_str().unwrap()));
    assert!(["low", "medium", "high"].contains(&p["confidence"].as_str().unwrap()));
    assert!(p["expected_change"]["amount"].is_string());
    env.cmd()
        .args(["predict", "LHR", "JFK", "--date", "2027-01-20"])
        .assert()
        .success()
        .stdout(predicate::str::contains("advice:"));
    env.cmd()
        .args(["predict", "Atlantis", "JFK", "--date", "2027-01-20"])
        .assert()
        .code(2);
}

#[test]
fn plan_fits_the_budget_and_recommend_explains_its_picks() {
    let env = Env::new();
    let it = env.json(&[
        "plan",
        "Rome",
        "--from",
        "London",
        "--start",
        "2027-03-10",
        "--days",
        "4",
        "--budget",
        "900",
    ]);
    let total: f64 = it["total"]["amount"].as_str().unwrap().parse().unwrap();
    assert!(total <= 900.0, "{it}");
    assert_eq!(it["days"].as_array().unwrap().len(), 4);
    assert_eq!(it["end"], "2027-03-13");
    // Five travellers take two rooms; the hotel line says so.
    let group = env.json(&[
        "plan",
        "Rome",
        "--start",
        "2027-03-10",
        "--days",
        "4",
        "--budget",
        "5000",
        "--travellers",
        "5",
    ]);
    let hotel = group["hotel"]["description"].as_str().unwrap();
    assert!(
        hotel.contains("3 nights") && hotel.ends_with(" (2 rooms)"),
        "{group}"
    );
    env.cmd()
        .args([
            "plan",
            "Rome",
            "--from",
            "London",
            "--start",
            "2027-03-10",
            "--days",
            "4",
            "--budget",
            "20",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing fits"));
    env.cmd()
        .args([
            "plan",
            "Rome",
            "--start",
            "2027-03-10",
            "--days",
            "40",
            "--budget",
            "900",
        ])
        .assert()
        .code(2);
    let recs = env.json(&["recommend", "--limit", "3"]);
    let recs = recs.as_array().unwrap();
    assert_eq!(recs.len(), 3);
    assert!(recs.iter().all(|r| !r["why"].as_str().unwrap().is_empty()));
}

#[test]
fn serve_refuses_a_watch_sweep_period_it_cannot_use() {
    let env = Env::new();
    env.cmd()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--watch-sweep-minutes",
            "20000",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("more than a week"));
    env.cmd()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("BOOKSYGO_WATCH_SWEEP_MINUTES", "soon")
        .assert()
        .code(2);
}
