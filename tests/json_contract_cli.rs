//! The JSON contract (`booksygo schema`), held against the real binary: every command it lists
//! is run here with `--json` and its output validated against its schema, with objects closed
//! (a field the schema does not name fails), so the documented shape and the printed one
//! cannot drift apart.

use serde_json::{Value, json};
use std::collections::BTreeSet;

mod common;
#[path = "../crates/core/tests/fake/mod.rs"]
mod fake;

use common::Env;

/// Closes every object schema that names its properties: an undocumented field is an error.
fn closed(mut schema: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                for child in map.values_mut() {
                    walk(child);
                }
            }
            Value::Array(list) => list.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut schema);
    schema
}

struct Contract<'a> {
    env: &'a Env,
    checked: BTreeSet<String>,
    now: Option<&'a str>,
    /// Extra environment (a supplier on loopback) for the commands run.
    vars: Vec<(&'static str, String)>,
}

impl Contract<'_> {
    /// Runs `args` with `--json` and checks the output against the schema of `name`.
    fn check(&mut self, name: &str, args: &[&str]) -> Value {
        let mut schema_args = vec!["--json", "schema"];
        schema_args.extend(name.split(' '));
        let schema = self.run(&schema_args);
        let mut cmd = vec!["--json"];
        cmd.extend(args);
        let output = self.run(&cmd);
        let validator = jsonschema::validator_for(&closed(schema)).expect("a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(&output)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(10)
            .collect();
        assert!(
            errors.is_empty(),
            "`{}` does not match the contract of '{name}':\n{}",
            args.join(" "),
            errors.join("\n")
        );
        self.checked.insert(name.to_string());
        output
    }

    fn run(&self, args: &[&str]) -> Value {
        let mut cmd = self.env.cmd();
        if let Some(now) = self.now {
            cmd.env("BOOKSYGO_NOW", now);
        }
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().unwrap();
        // `watch check` says with exit 10 that an alert fired.
        let fired = args.contains(&"watch") && out.status.code() == Some(10);
        assert!(
            out.status.success() || fired,
            "{}: {:?} {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let out = out.stdout;
        serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{}: not JSON: {e}", args.join(" ")))
    }
}

#[test]
fn every_command_prints_what_its_schema_says() {
    let env = Env::new();
    let mut c = Contract {
        env: &env,
        checked: BTreeSet::new(),
        now: None,
        vars: Vec::new(),
    };
    let listed: BTreeSet<String> = serde_json::from_value(c.run(&["--json", "schema"])).unwrap();

    c.check("info", &["info"]);
    c.check("places suggest", &["places", "suggest", "lon"]);
    let offers = c.check(
        "flights search",
        &[
            "flights",
            "search",
            "LHR",
            "JFK",
            "--date",
            "2027-03-14",
            "--max-stops",
            "0",
        ],
    );
    c.check(
        "flights search",
        &[
            "flights",
            "search",
            "LON",
            "TYO",
            "-d",
            "2027-04-02",
            "-r",
            "2027-04-12",
            "-n",
            "3",
        ],
    );
    c.check(
        "flights calendar",
        &[
            "flights",
            "calendar",
            "LHR",
            "JFK",
            "--date",
            "2027-03-14",
            "--flex",
            "2",
        ],
    );
    c.check(
        "flights explore",
        &["flights", "explore", "LHR", "--month", "2027-03"],
    );
    let hotels = c.check(
        "hotels search",
        &[
            "hotels",
            "search",
            "LON",
            "--checkin",
            "2027-03-14",
            "--checkout",
            "2027-03-17",
        ],
    );
    c.check("packages list", &["packages", "list", "trek"]);
    c.check(
        "packages show",
        &["packages", "show", "pkg_iceland_fire_and_ice_7d"],
    );
    c.check("packages featured", &["packages", "featured"]);
    c.check("packages deals", &["packages", "deals"]);

    // A package of one's own, from the fixtures' first one under a new id.
    let fixtures: Value = serde_json::from_str(include_str!("../fixtures/packages.json")).unwrap();
    let mut mine = fixtures[0].clone();
    mine["id"] = json!("pkg_contract_test_7d");
    mine["slug"] = json!("contract-test");
    let file = env.home.path().join("package.json");
    std::fs::write(&file, mine.to_string()).unwrap();
    c.check("packages add", &["packages", "add", file.to_str().unwrap()]);
    // Its sales (offline, this machine's traveller owns what it adds): none yet.
    let sales = c.check("packages sales", &["packages", "sales"]);
    assert_eq!(sales["packages"][0]["package_id"], "pkg_contract_test_7d");

    // Book, pay, show, list, export, quote and cancel.
    let flight = offers[0]["id"].as_str().unwrap();
    let pax = [
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ];
    let mut book = vec!["book", flight];
    book.extend(pax);
    let pending = c.check("book", &book);
    let id = pending["id"].as_str().unwrap().to_string();
    c.check(
        "bookings pay",
        &["bookings", "pay", &id, "--card", "4242424242424242"],
    );
    c.check("bookings show", &["bookings", "show", &id]);
    c.check("bookings list", &["bookings", "list"]);
    c.check(
        "bookings export --receipt",
        &["bookings", "export", &id, "--receipt"],
    );
    let ics = env.home.path().join("trip.ics");
    c.check(
        "bookings export --ics",
        &["bookings", "export", &id, "--ics", ics.to_str().unwrap()],
    );
    c.check(
        "bookings modify",
        &[
            "bookings",
            "modify",
            &id,
            "--passenger-name",
            "1:Augusta,Lovelace",
        ],
    );
    let hotel = hotels[0]["id"].as_str().unwrap();
    let mut book_hotel = vec!["book", hotel, "--card", "4000002760003184"];
    book_hotel.extend(pax);
    let waiting = c.check("book", &book_hotel);
    let waiting = waiting["id"].as_str().unwrap();
    c.check(
        "bookings confirm-payment",
        &["bookings", "confirm-payment", waiting],
    );
    // Paying with PayPal (a PayPal on loopback answering in its format).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let paypal = rt.block_on(fake::Fake::start());
    paypal.on(
        "POST",
        "/v1/oauth2/token",
        vec![fake::Reply::ok(fake::fixture("paypal/oauth_token.json"))],
    );
    paypal.on(
        "POST",
        "/v2/checkout/orders",
        vec![fake::Reply::status(
            201,
            fake::fixture("paypal/order_created.json"),
        )],
    );
    let unpaid = c.check("book", &book);
    c.vars = vec![
        ("BOOKSYGO_PAYPAL_CLIENT_ID", "AeA1QIZXiflr1".into()),
        ("BOOKSYGO_PAYPAL_SECRET", "EC4-sandbox-secret".into()),
        ("BOOKSYGO_PAYPAL_BASE_URL", paypal.base.clone()),
    ];
    c.check(
        "bookings pay --paypal",
        &[
            "bookings",
            "pay",
            unpaid["id"].as_str().unwrap(),
            "--paypal",
        ],
    );
    c.vars.clear();
    c.check("bookings cancel", &["bookings", "cancel", waiting]);
    c.check(
        "bookings cancel --yes",
        &["bookings", "cancel", waiting, "--yes"],
    );

    // A package trip, travelled and reviewed (the clock moves past its end).
    let deps = c.run(&[
        "--json",
        "packages",
        "calendar",
        "pkg_iceland_fire_and_ice_7d",
    ]);
    let date = deps
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["slots_left"].as_u64().unwrap() > 0)
        .unwrap()["date"]
        .as_str()
        .unwrap()
        .to_string();
    let mut book_package = vec![
        "book",
        "package",
        "pkg_iceland_fire_and_ice_7d",
        "--date",
        &date,
        "--card",
        "4242424242424242",
    ];
    book_package.extend(pax);
    let trip = c.check("book", &book_package);
    let trip_id = trip["id"].as_str().unwrap().to_string();

    c.check("points", &["points"]);
    c.check("points history", &["points", "history"]);
    c.check("points badges", &["points", "badges"]);
    c.check("points challenges", &["points", "challenges"]);
    c.check("points leaderboard", &["points", "leaderboard"]);
    c.check("points referral", &["points", "referral"]);
    let t = c.check(
        "trips create",
        &["trips", "create", "Spring", "--budget", "5000"],
    );
    let t = t["id"].as_str().unwrap().to_string();
    c.check("trips add", &["trips", "add", &t, &trip_id]);
    c.check("trips show", &["trips", "show", &t]);
    c.check("trips list", &["trips", "list"]);
    c.check(
        "profile set",
        &[
            "profile",
            "set",
            "--first-name",
            "Ada",
            "--interest",
            "hiking",
        ],
    );
    c.check("profile", &["profile"]);
    // The bookings above were announced in this machine's inbox.
    let inbox = c.check("inbox", &["inbox"]);
    let notice = inbox["notices"][0]["id"]
        .as_str()
        .expect("the bookings made above are in the inbox")
        .to_string();
    c.check("inbox show", &["inbox", "show", &notice]);
    c.check("inbox read", &["inbox", "read", "--all"]);
    c.check("admin report", &["admin", "report", "--group-by", "route"]);
    c.check("inbox prefs", &["inbox", "prefs", "refund", "in_app"]);
    c.check("inbox prefs", &["inbox", "prefs"]);
    c.check("recommend", &["recommend"]);
    c.check(
        "plan",
        &[
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
        ],
    );
    c.check(
        "predict",
        &["predict", "LHR", "JFK", "--date", "2027-01-20"],
    );
    c.check(
        "watch add",
        &[
            "watch",
            "add",
            "LHR",
            "JFK",
            "--date",
            "2027-01-14",
            "--below",
            "9000",
        ],
    );
    c.check("watch list", &["watch", "list"]);
    c.check("watch check", &["watch", "check"]);
    c.check("providers list", &["providers", "list"]);

    let import = env.home.path().join("openflights");
    std::fs::create_dir_all(&import).unwrap();
    std::fs::write(
        import.join("airports.dat"),
        "9001,\"Goroka\",\"Goroka\",\"Papua New Guinea\",\"GKA\",\"AYGA\",-6.08,145.39,5282,10,\"U\",\"Pacific/Port_Moresby\",\"airport\",\"OurAirports\"\n",
    )
    .unwrap();
    std::fs::write(import.join("airlines.dat"), "").unwrap();
    std::fs::write(import.join("routes.dat"), "").unwrap();
    c.check(
        "import openflights",
        &["import", "openflights", import.to_str().unwrap()],
    );

    let end: jiff::civil::Date = date.parse().unwrap();
    let after = format!(
        "{}T12:00:00Z",
        end.checked_add(jiff::Span::new().days(30)).unwrap()
    );
    c.now = Some(&after);
    c.check(
        "packages review",
        &[
            "packages",
            "review",
            &trip_id,
            "--rating",
            "5",
            "--text",
            "Wonderful guides",
        ],
    );

    let missed: Vec<&String> = listed.difference(&c.checked).collect();
    assert!(missed.is_empty(), "listed but never run: {missed:?}");
}

#[test]
fn an_unknown_command_has_no_contract() {
    let env = Env::new();
    env.cmd()
        .args(["schema", "flights", "fly"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "no JSON contract for 'flights fly'",
        ));
}
