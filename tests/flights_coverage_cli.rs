//! Interline and self-transfer itineraries through the real binary: their marker in the
//! table, the warning under it, the JSON fields, --no-self-transfer, and an empty search that
//! names the nearby dates that connect.

use serde_json::Value;

mod common;
use common::Env;

fn stdout(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().args(args).assert().success().get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn self_transfers_are_marked_warned_and_can_be_hidden() {
    let env = Env::new();
    let search = ["flights", "search", "BGY", "JFK", "--date", "2027-03-14"];
    let text = stdout(&env, &search);
    assert!(text.contains("· self-transfer"), "{text}");
    assert!(text.contains("#1 Self-transfer"), "{text}");
    assert!(text.contains("not protected"), "{text}");
    assert!(text.contains("checked in again"), "{text}");
    // An airport change names both airports.
    assert!(text.contains("land at STN, leave from LGW"), "{text}");

    let json: Value =
        serde_json::from_str(&stdout(&env, &[&search[..], &["--json"]].concat())).unwrap();
    let offers = json.as_array().unwrap();
    assert!(!offers.is_empty());
    for o in offers {
        assert_eq!(o["ticketing"], "self_transfer", "{o}");
        assert!(o["tickets"].as_array().unwrap().len() >= 2, "{o}");
        assert!(o["tickets"][0]["conditions"]["refund_before_departure"].is_object());
        assert!(o["warnings"][0].as_str().unwrap().contains("not protected"));
    }

    let hidden = stdout(&env, &[&search[..], &["--no-self-transfer"]].concat());
    assert!(
        hidden.contains("No flights match from BGY to JFK"),
        "{hidden}"
    );
    assert!(
        hidden.contains("Try without --no-self-transfer"),
        "{hidden}"
    );
}

#[test]
fn interline_offers_are_marked_and_one_ticket() {
    let env = Env::new();
    let search = ["flights", "search", "BRS", "SYD", "--date", "2027-03-14"];
    let text = stdout(&env, &search);
    assert!(text.contains("· interline"), "{text}");
    let json: Value =
        serde_json::from_str(&stdout(&env, &[&search[..], &["--json"]].concat())).unwrap();
    let interline: Vec<&Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["ticketing"] == "interline")
        .collect();
    assert!(!interline.is_empty());
    for o in interline {
        assert!(o.get("tickets").is_none(), "one ticket: {o}");
        assert!(o.get("warnings").is_none(), "{o}");
    }
}

#[test]
fn an_empty_search_names_the_nearby_dates_that_connect() {
    let env = Env::new();
    // The non-stop Arequipa-Cusco does not fly on Mondays or Tuesdays in the sandbox.
    let text = stdout(
        &env,
        &[
            "flights",
            "search",
            "AQP",
            "CUZ",
            "--date",
            "2027-03-15",
            "--max-stops",
            "0",
        ],
    );
    assert!(text.contains("No flights match from AQP to CUZ"), "{text}");
    assert!(
        text.contains("Try without --max-stops, or another date: this search finds flights on Sun 14 Mar and Wed 17 Mar (--date 2027-03-14)"),
        "{text}"
    );
}

#[test]
fn the_calendar_prices_a_day_when_search_would_sell_it() {
    // BRS-SYD needs two stops: the calendar used to stop at one and showed every day empty.
    let env = Env::new();
    let days = env.json(&[
        "flights",
        "calendar",
        "BRS",
        "SYD",
        "--date",
        "2027-03-14",
        "--flex",
        "1",
    ]);
    let day = days
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2027-03-14")
        .unwrap();
    let offers = env.json(&[
        "flights",
        "search",
        "BRS",
        "SYD",
        "--date",
        "2027-03-14",
        "--sort",
        "price",
    ]);
    assert!(!offers.as_array().unwrap().is_empty());
    assert!(!day["cheapest"].is_null(), "{days}");
    assert_eq!(day["cheapest"]["currency"], offers[0]["total_currency"]);
}
