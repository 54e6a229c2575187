//! Notifications from the real binary: a price alert from `watch check` by e-mail to a real
//! SMTP server on loopback (aiosmtpd) and in the inbox, a dead SMTP server that loses nothing,
//! a half-written SMTP setting refused, wrong input at `inbox`, and the inbox of a team server
//! in remote mode.

mod common;

#[path = "smtp/sink.rs"]
mod sink;

use assert_cmd::Command;
use common::Env;
use predicates::prelude::*;
use sink::Sink;

fn with_smtp(env: &Env, url: &str) -> Command {
    let mut c = env.cmd();
    c.env("BOOKSYGO_SMTP_URL", url)
        .env("BOOKSYGO_NOTIFY_FROM", "BooksyGo <alerts@booksygo.test>");
    c
}

#[test]
fn a_price_alert_is_mailed_and_kept_in_the_inbox() {
    let sink = Sink::start();
    let env = Env::new();
    let run = |args: &[&str]| with_smtp(&env, &sink.url()).args(args).assert();
    run(&[
        "profile",
        "set",
        "--email",
        "ada@example.com",
        "--locale",
        "de",
    ])
    .success();
    run(&[
        "watch",
        "add",
        "LHR",
        "JFK",
        "-d",
        "2027-03-14",
        "--below",
        "5000",
    ])
    .success();
    // Exit 10: an alert fired (cron-friendly), and it went out at once.
    run(&["watch", "check"]).code(10);

    let mails = sink.messages();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let subject = mails[0]["headers"]["Subject"].as_str().unwrap();
    assert!(
        subject.starts_with("LHR-JFK am Sonntag, 14. März 2027: jetzt "),
        "{subject}"
    );
    assert_eq!(mails[0]["headers"]["Content-Language"], "de");
    assert_eq!(mails[0]["rcpt_tos"][0], "ada@example.com");
    let text = mails[0]["parts"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("booksygo flights search LHR JFK -d 2027-03-14"),
        "{text}"
    );

    let inbox = env.json(&["inbox"]);
    assert_eq!(inbox["unread"], 1);
    assert_eq!(inbox["notices"][0]["kind"], "price_alert");
    // Checking again finds no new drop: nothing more is sent.
    run(&["watch", "check"]).code(0);
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn the_receipt_notice_names_a_command_that_prints_the_receipt() {
    let env = Env::new();
    let offer = env.first_offer();
    let paid = env.book_ada(&offer, Some("4242424242424242"));
    let code = paid["confirmation_code"].as_str().unwrap();
    let inbox = env.json(&["inbox"]);
    let receipt = inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "payment_receipt")
        .unwrap_or_else(|| panic!("{inbox}"));
    let notice = env.json(&["inbox", "show", receipt["id"].as_str().unwrap()]);
    let body = notice["body"].as_str().unwrap();
    let command = body
        .lines()
        .find_map(|l| l.strip_prefix("Your receipt: booksygo "))
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(command, format!("bookings export {code} --receipt"));
    env.line(command)
        .assert()
        .success()
        .stdout(predicate::str::contains(code));

    // When it came is told in the traveller's zone, as its body is (12:00 UTC is 07:00 EST).
    env.cmd()
        .args(["profile", "set", "--time-zone", "America/New_York"])
        .assert()
        .success();
    env.cmd()
        .arg("inbox")
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-11-25 07:00 EST"));
    env.cmd()
        .args(["inbox", "show", receipt["id"].as_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("\n2026-11-25 07:00 EST\n"));
}

#[test]
fn a_dead_mail_server_loses_nothing() {
    let env = Env::new();
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    with_smtp(&env, &url)
        .args(["profile", "set", "--email", "ada@example.com"])
        .assert()
        .success();
    with_smtp(&env, &url)
        .args([
            "watch",
            "add",
            "LHR",
            "JFK",
            "-d",
            "2027-03-14",
            "--below",
            "5000",
        ])
        .assert()
        .success();
    with_smtp(&env, &url)
        .args(["watch", "check"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("1 e-mail not sent yet"));
    // The alert is in the inbox all the same; its e-mail waits for the next try.
    let inbox = env.json(&["inbox"]);
    assert_eq!(inbox["notices"][0]["kind"], "price_alert");
}

#[test]
fn half_an_smtp_setting_is_refused_saying_what_is_missing() {
    let env = Env::new();
    env.cmd()
        .env("BOOKSYGO_SMTP_URL", "smtp://127.0.0.1:2525")
        .args(["inbox"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notify.from"));
    env.cmd()
        .env("BOOKSYGO_SMTP_URL", "smtp://me:hunter2@127.0.0.1:2525")
        .env("BOOKSYGO_NOTIFY_FROM", "a@b.test")
        .args(["inbox"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds a password"))
        .stderr(predicate::str::contains("hunter2").not());
}

#[test]
fn wrong_input_at_the_inbox_is_named() {
    let env = Env::new();
    env.cmd()
        .args(["inbox"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No notifications yet"));
    env.cmd()
        .args(["inbox", "prefs", "gossip", "none"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("price_alert"));
    env.cmd()
        .args(["inbox", "prefs", "refund", "pigeon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("email, in_app, both or none"));
    env.cmd()
        .args(["inbox", "read", "ntc_nope"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no notification ntc_nope"));
    env.cmd()
        .args(["profile", "set", "--locale", "klingon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("en, es, fr, de"));
    let prefs = env.json(&["inbox", "prefs", "refund", "in-app"]);
    assert!(
        prefs
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "refund", "channel": "in_app"}))
    );
}

#[test]
fn the_team_servers_inbox_in_remote_mode() {
    let server = common::server::Server::start();
    let env = Env::new();
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
    // The server announces the account's welcome on its own, within a second or so: wait for
    // it (no timing is asserted).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let inbox = loop {
        let inbox = env.json(&["--remote", "inbox"]);
        if inbox["unread"] == 1 {
            break inbox;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no welcome within 30 s: {inbox}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(inbox["notices"][0]["kind"], "welcome");
    let id = inbox["notices"][0]["id"].as_str().unwrap();
    env.cmd()
        .args(["--remote", "inbox", "show", id])
        .assert()
        .success()
        .stdout(predicate::str::contains("Welcome to BooksyGo"));
    assert_eq!(env.json(&["--remote", "inbox"])["unread"], 0);
    assert_eq!(
        env.json(&["--remote", "inbox", "read", "--all"])["marked"],
        0
    );
    let profile = env.json(&["--remote", "profile", "set", "--locale", "fr"]);
    assert_eq!(profile["locale"], "fr");
    env.cmd()
        .args(["--remote", "inbox", "read", "ntc_nope"])
        .assert()
        .code(3);
}
