//! The real binary's terminal app driven in tmux: search LHR -> JFK, open an offer, book it
//! with the sandbox test card, see it in Trips, quit with Ctrl-C, and find the terminal
//! restored; a round trip from a place suggestion, with both legs listed and `q` back to the
//! form typing nothing. Skips (saying why) only when tmux is not installed.

mod common;

use common::Env;
use common::server::Server;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "app"];
        args.extend(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "app", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "app"]).stdout).into()
    }

    /// Polls the screen until `ready` holds; fails with the last screen after the deadline.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if ready(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn format(&self, f: &str) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "app", f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn tmux_missing() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipping the terminal app test: tmux is not installed");
        return true;
    }
    false
}

/// Starts `booksygo [args] tui` at 80x24 in a fresh tmux server, in `env`'s home.
fn open_app(env: &Env, args: &str, name: &str) -> Tmux {
    let bin = Path::new(env!("CARGO_BIN_EXE_booksygo"));
    let tmux = Tmux {
        socket: format!("booksygo-e2e-{name}-{}", std::process::id()),
    };
    let script = format!(
        "env -u XDG_DATA_HOME -u XDG_CONFIG_HOME BOOKSYGO_HOME={} BOOKSYGO_KEYRING=off BOOKSYGO_NOW=2026-11-25T12:00:00Z {} {args} tui; echo EXIT=$?; exec sleep 600",
        quote(env.home.path()),
        quote(bin)
    );
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "app",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
    tmux
}

/// Search LHR -> JFK, open the first offer, book it with the sandbox card, see it in Trips,
/// quit with Ctrl-C and check the terminal is restored. Returns the first screen.
fn search_book_quit(tmux: &Tmux) -> String {
    let first = tmux.wait_for("the search form", |s| {
        s.contains("From") && s.contains("Flights")
    });
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "the app uses the alternate screen"
    );
    tmux.text("LHR");
    tmux.keys(&["Tab"]);
    tmux.text("JFK");
    tmux.keys(&["Tab"]);
    tmux.text("2027-03-14");
    tmux.keys(&["Enter"]);
    tmux.wait_for("results with both codes", |s| {
        s.contains("LHR-JFK") && s.contains("found") && s.contains("EUR")
    });

    tmux.keys(&["Enter"]);
    tmux.wait_for("the offer's detail", |s| s.contains("Fare conditions"));
    tmux.keys(&["b"]);
    tmux.wait_for("the booking form", |s| s.contains("Travellers and payment"));
    for field in [
        "Ada",
        "Lovelace",
        "1990-12-10",
        "ada@example.com",
        "4242 4242 4242 4242",
    ] {
        tmux.text(field);
        tmux.keys(&["Tab"]);
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for("the confirm step", |s| s.contains("y: confirm and pay"));
    // q goes back to the form and types nothing into it.
    tmux.keys(&["q"]);
    let form = tmux.wait_for("the form again", |s| {
        s.contains("Enter review") && !s.contains("y: confirm and pay")
    });
    assert!(
        form.lines()
            .filter(|l| l.contains("Lovelace") || l.contains("4242") || l.contains('@'))
            .all(|l| !l.contains('q')),
        "{form}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("the confirm step again", |s| {
        s.contains("y: confirm and pay")
    });
    tmux.keys(&["y"]);
    let trips = tmux.wait_for("the trip in Trips", |s| {
        s.contains("Booked: confirmation") && s.contains("CONFIRMED")
    });
    assert!(trips.contains("LHR→JFK"), "{trips}");
    assert!(trips.contains("Ada Lovelace"), "{trips}");

    tmux.keys(&["C-c"]);
    let after = tmux.wait_for("the app to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");
    assert_eq!(tmux.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor shown again");
    assert_eq!(tmux.format("#{mouse_any_flag}"), "0", "mouse capture off");
    first
}

#[test]
fn search_book_and_see_the_trip_in_the_terminal_app() {
    if tmux_missing() {
        return;
    }
    let env = Env::new();
    let tmux = open_app(&env, "", "local");
    let first = search_book_quit(&tmux);
    assert!(
        first.contains("offline"),
        "status bar shows the mode:\n{first}"
    );

    // The log went to a file, and the card number never reached it.
    let log = std::fs::read_to_string(env.home.path().join("tui.log")).unwrap();
    assert!(log.contains("cmd: book"), "{log}");
    // The whole number (a timestamp's nanoseconds may hold "4242" by chance).
    assert!(!log.contains("42424242"), "{log}");

    // The booking is real: the CLI sees it in the same home.
    let list = env.json(&["bookings", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "CONFIRMED");
    assert_eq!(list[0]["passengers"][0]["family_name"], "Lovelace");
}

#[test]
fn the_terminal_app_in_remote_mode_books_on_the_team_server() {
    if tmux_missing() {
        return;
    }
    let server = Server::start();
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
    let tmux = open_app(&env, "--remote", "remote");
    let first = search_book_quit(&tmux);
    assert!(
        first.contains(&server.url) && first.contains("grace@team.test"),
        "status bar shows the server and the user:\n{first}"
    );
    // The booking lives on the server: the same account sees it remotely.
    let list = env.json(&["--remote", "bookings", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["passengers"][0]["family_name"], "Lovelace");
}

#[test]
fn the_terminal_app_refuses_without_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_booksygo"))
        .arg("tui")
        .env("BOOKSYGO_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn plain_booksygo_without_a_terminal_prints_usage() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_booksygo"))
        .env("BOOKSYGO_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Usage: booksygo"), "{err}");
}

#[test]
fn a_chat_exchange_in_the_terminal_app_books_only_after_yes() {
    if tmux_missing() {
        return;
    }
    let env = Env::new();
    let tmux = open_app(&env, "--offline", "chat");
    tmux.wait_for("the search form", |s| s.contains("From"));
    tmux.keys(&["Escape"]);
    tmux.text("m");
    tmux.wait_for("the chat view", |s| s.contains("Assistant (offline)"));
    tmux.text("flights from LHR to JFK on 2027-03-14");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the reply with its tool card", |s| {
        s.contains("search_flights") && s.contains("book option N")
    });
    tmux.text("book option 1 for Ada Lovelace born 1990-12-10, ada@example.com");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the pending quote", |s| s.contains("Waiting for your yes"));
    assert_eq!(env.json(&["bookings", "list"]).as_array().unwrap().len(), 0);
    tmux.text("yes");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the booking", |s| s.contains("Booked:"));
    tmux.keys(&["C-c"]);
    let after = tmux.wait_for("the app to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");

    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["passengers"][0]["family_name"], "Lovelace");
    // The conversation was kept where `booksygo chat` keeps it.
    let convs = env.json(&["chat", "--list"]);
    assert_eq!(convs.as_array().unwrap().len(), 1, "{convs}");
    assert_eq!(convs[0]["messages"], 6, "{convs}");
}

/// The form field `label`'s line on the screen (label, value and any hint), trimmed.
fn field<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .map(str::trim)
        .find(|l| {
            l.strip_prefix(label)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
        .unwrap_or_else(|| panic!("no {label} field on the screen:\n{screen}"))
}

/// A place suggestion taken and then Tab goes to the next field (not past it); a round trip
/// lists each offer with both legs; `q` from the results back to the form types nothing into
/// it, and a second `q` quits.
#[test]
fn a_round_trip_from_a_suggestion_and_q_back_in_the_terminal_app() {
    if tmux_missing() {
        return;
    }
    let env = Env::new();
    let tmux = open_app(&env, "--offline", "roundtrip");
    tmux.wait_for("the search form", |s| {
        s.contains("From") && s.contains("Flights")
    });
    tmux.text("Lon");
    tmux.wait_for("place suggestions", |s| s.contains("LHR London Heathrow"));
    // The first suggestion is London (all airports), the second Heathrow.
    tmux.keys(&["Down", "Down", "Enter"]);
    tmux.wait_for("Heathrow taken, the list closed", |s| {
        field(s, "From").starts_with("From          LHR▏") && !s.contains("London Heathrow")
    });
    tmux.keys(&["Tab"]);
    tmux.text("JFK");
    let s = tmux.wait_for("JFK in To", |s| field(s, "To").contains("JFK"));
    assert_eq!(field(&s, "Date"), "Date", "nothing typed into Date:\n{s}");
    tmux.keys(&["Tab"]);
    tmux.text("2027-03-14");
    tmux.keys(&["Tab"]);
    tmux.text("2027-03-21");
    tmux.keys(&["Enter"]);
    let results = tmux.wait_for("round-trip results", |s| {
        s.contains("found") && s.contains("JFK-LHR")
    });
    let lines: Vec<&str> = results.lines().collect();
    let out: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("LHR-JFK"))
        .collect();
    assert!(out.len() > 1, "{results}");
    for i in out {
        // The way back is the line under the way out, with its own time and no price.
        let back = lines[i + 1];
        assert!(
            back.contains("JFK-LHR") && !back.contains("EUR"),
            "{results}"
        );
    }

    tmux.keys(&["q"]);
    let form = tmux.wait_for("the form again", |s| s.contains("q quit"));
    assert_eq!(field(&form, "From"), "From          LHR", "{form}");
    assert_eq!(field(&form, "To"), "To            JFK", "{form}");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("the app to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");
}
