//! Remote mode through the real binary: `login` to a server on a loopback port, the same
//! commands with `--remote`, the offline copy when the server is gone, and `logout`.

use predicates::prelude::*;

mod common;

use common::Env;

/// A team server on port 0 with one account, running on its own thread until the handle drops.
struct Server {
    url: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut o = booksygo_core::agency::LocalOptions::new(booksygo_core::config::Paths::in_dir(
            dir.path(),
        ));
        o.clock = booksygo_core::config::Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
        let agency = booksygo_core::LocalAgency::open(o).unwrap();
        booksygo_core::accounts::register(
            &agency.store().conn().unwrap(),
            "grace@team.test",
            "correct horse battery",
            "Grace",
            "Hopper",
            "user",
            jiff::Timestamp::now().as_second(),
        )
        .unwrap();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", std_listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                booksygo_server::serve(
                    listener,
                    booksygo_server::AppState::new(agency),
                    async move {
                        let _ = stopped.await;
                    },
                )
                .await
                .unwrap();
            });
        });
        Server {
            url,
            _dir: dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

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
    assert_eq!(board[0]["name"], "Grace Hopper");
    assert_eq!(
        board.as_array().unwrap().len(),
        1,
        "no placeholder user on a team board"
    );

    // The local store never saw that booking...
    let local = env.json(&["bookings", "list"]);
    assert_eq!(local.as_array().unwrap().len(), 0);

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

    // Logging out always works locally, even with the server down.
    env.cmd().args(["logout"]).assert().success();
    env.cmd().args(["whoami"]).assert().code(4);
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
