//! Remote mode through the real binary: `login` to a server on a loopback port, the same
//! commands with `--remote`, the offline copy when the server is gone, and `logout`.

use predicates::prelude::*;

mod common;

use common::Env;
use common::server::Server;

#[test]
fn login_book_remotely_then_read_bookings_offline() {
    let mut server = Server::start();
    let env = Env::new();

    // Remote mode before logging in: exit 4 and the command that fixes it.
    env.cmd()
        .args(["--remote", "points"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("booksygo login"));

    // A wrong password: exit 4, nothing stored.
    env.cmd()
        .args([
            "login",
            &server.url,
            "--email",
            "grace@team.test",
            "--password-stdin",
        ])
        .write_stdin("wrong password\n")
        .assert()
        .code(4);
    assert!(!env.home.path().join("secrets.json").exists());

    env.cmd()
        .args([
            "login",
            &server.url,
            "--email",
            "grace@team.test",
            "--password-stdin",
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("grace@team.test"));
    let who = env.json(&["whoami"]);
    assert_eq!(who["server"], server.url.as_str());
    assert_eq!(who["user"]["email"], "grace@team.test");

    // The session file holds tokens: private, and never printed by `config show`.
    let secrets = std::fs::read_to_string(env.home.path().join("secrets.json")).unwrap();
    assert!(secrets.contains("refresh_token"));
    let shown = env.cmd().args(["config", "show"]).assert().success();
    assert!(!String::from_utf8_lossy(&shown.get_output().stdout).contains("eyJ"));

    let offers = env.json(&[
        "--remote",
        "flights",
        "search",
        "LHR",
        "JFK",
        "--date",
        "2027-03-14",
        "--max-stops",
        "0",
    ]);
    let offer = offers[0]["id"].as_str().unwrap();
    let booked = env.json(&[
        "--remote",
        "book",
        offer,
        "--passenger",
        "Grace,Hopper,1980-12-09",
        "--email",
        "grace@team.test",
        "--card",
        "4242424242424242",
        "--card-expiry",
        "12/30",
    ]);
    assert_eq!(booked["status"], "CONFIRMED");
    let points = env.json(&["--remote", "points"]);
    assert_eq!(
        points["available"], 500,
        "first booking points, on the server"
    );
    let board = env.json(&["--remote", "points", "leaderboard"]);
    assert_eq!(board[0]["name"], "Grace H.");
    assert_eq!(
        board.as_array().unwrap().len(),
        1,
        "no placeholder user on a team board"
    );

    // The local store never saw that booking, and says where to look...
    let local = env.json(&["bookings", "list"]);
    assert_eq!(local.as_array().unwrap().len(), 0);
    env.cmd()
        .args(["bookings", "list"])
        .assert()
        .success()
        .stderr(predicate::str::contains("--remote bookings list"));

    // ...but the offline copy did, and it works with the server gone.
    server.stop();
    env.cmd()
        .args(["--remote", "bookings", "list"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("--offline"));
    let offline = env.json(&["--offline", "bookings", "list"]);
    assert_eq!(offline[0]["id"], booked["id"]);
    assert_eq!(offline[0]["status"], "CONFIRMED");
    // The copy answers `show` (by id or confirmation code) and `export` too.
    let code = booked["confirmation_code"].as_str().unwrap();
    let shown = env.json(&["--offline", "bookings", "show", code]);
    assert_eq!(shown["id"], booked["id"]);
    let ics = env.home.path().join("trip.ics");
    env.cmd()
        .args(["--offline", "bookings", "export", code, "--ics"])
        .arg(&ics)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&ics)
            .unwrap()
            .contains("BEGIN:VEVENT")
    );
    env.cmd()
        .args(["--offline", "bookings", "export", code, "--receipt"])
        .assert()
        .success()
        .stdout(predicate::str::contains(code));
    env.cmd()
        .args(["--offline", "bookings", "show", "NOSUCH"])
        .assert()
        .code(3);

    // Logging out always works locally, even with the server down.
    env.cmd().args(["logout"]).assert().success();
    env.cmd().args(["whoami"]).assert().code(4);
}

#[test]
fn register_creates_the_account_and_logs_in() {
    let server = Server::start();
    let env = Env::new();
    env.cmd()
        .args([
            "register",
            &server.url,
            "--email",
            "ada@team.test",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
            "--password-stdin",
        ])
        .write_stdin("analytical engine 1843\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("logged in"));
    let who = env.json(&["whoami"]);
    assert_eq!(who["user"]["email"], "ada@team.test");
    assert_eq!(who["user"]["first_name"], "Ada");
    // The same email again: the server's refusal, as a conflict (exit 2), nothing stored anew.
    let other = Env::new();
    other
        .cmd()
        .args([
            "register",
            &server.url,
            "--email",
            "ada@team.test",
            "--password-stdin",
        ])
        .write_stdin("another long password\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    other.cmd().args(["whoami"]).assert().code(4);
    // A short password is refused by the server's rule.
    other
        .cmd()
        .args([
            "register",
            &server.url,
            "--email",
            "bob@team.test",
            "--password-stdin",
        ])
        .write_stdin("short\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("password"));
}

#[test]
fn a_bad_server_url_is_refused() {
    let env = Env::new();
    env.cmd()
        .args(["login", "not a url", "--email", "a@b.c", "--password-stdin"])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a server URL"));
}

/// Logs `env` in to `server` as its account.
fn login_grace(env: &Env, server: &Server) {
    env.cmd()
        .args([
            "login",
            &server.url,
            "--email",
            "grace@team.test",
            "--password-stdin",
        ])
        .write_stdin("correct horse battery\n")
        .assert()
        .success();
}

#[test]
fn watches_and_predictions_live_on_the_server_with_remote() {
    let server = Server::start();
    let env = Env::new();
    login_grace(&env, &server);

    // The server's prediction: today's cheapest fare for one adult, in EUR.
    let p = env.json(&["--remote", "predict", "LHR", "JFK", "--date", "2026-12-14"]);
    let current = p["current"]["amount"].as_str().unwrap().to_string();
    assert_eq!(p["current"]["currency"], "EUR");
    let cents: i64 = current.replace('.', "").parse().unwrap();
    let above = format!("{}.{:02}", (cents + 1) / 100, (cents + 1) % 100);

    let added = env.json(&[
        "--remote",
        "watch",
        "add",
        "LHR",
        "JFK",
        "--date",
        "2026-12-14",
        "--below",
        &above,
    ]);
    let id = added["id"].as_str().unwrap().to_string();
    let listed = env.json(&["--remote", "watch", "list"]);
    assert_eq!(listed[0]["id"], id.as_str());
    // It lives on the server, not on this machine.
    let local = env.json(&["--offline", "watch", "list"]);
    assert_eq!(local, serde_json::json!([]));

    // Checked on the server: exit 10 once, then 0.
    env.cmd()
        .args(["--remote", "watch", "check"])
        .assert()
        .code(10)
        .stdout(predicate::str::contains(format!("ALERT {id}")))
        .stdout(predicate::str::contains(&current));
    env.cmd()
        .args(["--remote", "watch", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());

    // The server's refusals keep their exit codes.
    env.cmd()
        .args([
            "--remote",
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
            "--remote",
            "watch",
            "add",
            "LHR",
            "JFK",
            "--date",
            "2026-12-14",
            "--below",
            "400",
            "--currency",
            "XYZ",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown currency"));

    env.cmd()
        .args(["--remote", "watch", "remove", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("stopped watching {id}")));
    env.cmd()
        .args(["--remote", "watch", "remove", &id])
        .assert()
        .code(3);
    assert_eq!(
        env.json(&["--remote", "watch", "list"]),
        serde_json::json!([])
    );
}

#[test]
fn register_with_a_referral_code_from_the_cli() {
    let server = Server::start();
    let grace = Env::new();
    login_grace(&grace, &server);
    let r = grace.json(&["--remote", "points", "referral"]);
    let code = r["code"].as_str().unwrap().to_string();
    grace
        .cmd()
        .args(["--remote", "points", "referral"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "your referral code: {code}"
        )));

    let ada = Env::new();
    // An unknown code: exit 2, the reason, and no account (so no session either).
    ada.cmd()
        .args([
            "register",
            &server.url,
            "--email",
            "ada@team.test",
            "--referral-code",
            "ACDEFGHJ",
            "--password-stdin",
        ])
        .write_stdin("analytical engine 1843\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no account has the referral code ACDEFGHJ",
        ));
    ada.cmd().args(["whoami"]).assert().code(4);
    ada.cmd()
        .args([
            "register",
            &server.url,
            "--email",
            "ada@team.test",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
            "--referral-code",
            &code,
            "--password-stdin",
        ])
        .write_stdin("analytical engine 1843\n")
        .assert()
        .success();
    let r = grace.json(&["--remote", "points", "referral"]);
    assert_eq!(r["referred"][0]["name"], "Ada L.");
    assert_eq!(r["referred"][0]["status"], "pending");
}

#[test]
fn a_premium_member_sees_member_prices_and_no_sales_report() {
    let server = Server::start_as("premium");
    let env = Env::new();
    login_grace(&env, &server);
    env.cmd()
        .args([
            "--remote",
            "packages",
            "show",
            "pkg_iceland_fire_and_ice_7d",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("per person (members EUR"))
        .stdout(predicate::str::contains("MEMBERS"));
    let list = env.json(&["--remote", "packages", "list", "--limit", "3"]);
    for p in list["packages"].as_array().unwrap() {
        assert!(p["member_price"]["amount"].is_string(), "{p}");
    }
    // The same command offline: this machine's traveller is no member.
    env.cmd()
        .args(["packages", "show", "pkg_iceland_fire_and_ice_7d"])
        .assert()
        .success()
        .stdout(predicate::str::contains("members").not());
    env.cmd()
        .args(["--remote", "packages", "sales"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("only partners and admins"));
}
