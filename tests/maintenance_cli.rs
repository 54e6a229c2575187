//! `booksygo admin backup`, `admin restore`, `admin check` and `admin report` on a SQLite
//! store, driven as an operator would: copies taken while bookings are being written restore
//! to stores that pass the check, the check finds what breaks a promise, and the report counts
//! what was booked.

use predicates::prelude::*;

mod common;

use common::Env;

fn database(env: &Env) -> std::path::PathBuf {
    let info = env.json(&["info"]);
    std::path::PathBuf::from(info["database"].as_str().unwrap())
}

fn check(env: &Env, data_dir: &std::path::Path) -> (i32, serde_json::Value) {
    let out = env
        .cmd()
        .args(["admin", "check", "--json", "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

#[test]
fn check_passes_on_sound_data_and_names_each_broken_promise() {
    let env = Env::new();
    let offer = env.first_offer();
    let paid = env.book_ada(&offer, Some("4242424242424242"));
    assert_eq!(paid["status"], "CONFIRMED");
    let id = paid["id"].as_str().unwrap().to_string();
    let db = database(&env);
    let data_dir = db.parent().unwrap().to_path_buf();
    let (code, report) = check(&env, &data_dir);
    assert_eq!(
        (code, &report["ok"]),
        (0, &serde_json::json!(true)),
        "{report}"
    );

    // Break three promises behind the program's back: a seat sold that no booking holds, a
    // second successful charge, and a doubled first-booking bonus.
    let store = booksygo_core::store::Store::open(&db).unwrap();
    let conn = store.conn().unwrap();
    conn.execute("UPDATE flight_inventory SET sold = sold + 1", [])
        .unwrap();
    conn.execute(
        "INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, created_at)
         SELECT 'pay_twice', booking_id, provider, method, status, amount, currency, created_at
         FROM payments WHERE booking_id = ?1",
        [&id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO points_ledger(user_id, kind, total_delta, available_delta, booking_id, note, created_at)
         SELECT user_id, kind, total_delta, available_delta, booking_id, note, created_at
         FROM points_ledger WHERE kind = 'FIRST_BOOKING'",
        [],
    )
    .unwrap();
    drop(conn);
    let (code, report) = check(&env, &data_dir);
    assert_eq!(code, 6, "{report}");
    let areas: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["area"].as_str().unwrap())
        .collect();
    assert_eq!(areas, ["inventory", "payments", "points"], "{report}");
    let details = report["problems"].to_string();
    assert!(
        details.contains("2 seats sold, 1 held by bookings"),
        "{details}"
    );
    assert!(
        details.contains(&format!("{id} was charged 2 times")),
        "{details}"
    );
    assert!(
        details.contains("got the first-booking bonus 2 times"),
        "{details}"
    );

    // Without --json: the list, one line each, and the same exit code.
    env.cmd()
        .args(["admin", "check", "--data-dir"])
        .arg(&data_dir)
        .assert()
        .code(6)
        .stdout(predicate::str::contains("3 problems found"))
        .stdout(predicate::str::contains("was charged 2 times"));
}

#[test]
fn check_and_report_on_a_mistyped_store_say_so_and_make_nothing() {
    let env = Env::new();
    let nowhere = tempfile::tempdir().unwrap();
    let missing = nowhere.path().join("no-such-dir");
    let file = missing.join("booksygo.db");
    let sqlite_url = format!("sqlite:{}", file.display());
    let cases: [(&str, &[&str]); 4] = [
        (
            "check",
            &["admin", "check", "--data-dir", missing.to_str().unwrap()],
        ),
        (
            "check",
            &["admin", "check", "--database-url", file.to_str().unwrap()],
        ),
        ("check", &["admin", "check", "--database-url", &sqlite_url]),
        (
            "report",
            &["admin", "report", "--data-dir", missing.to_str().unwrap()],
        ),
    ];
    for (what, args) in cases {
        env.cmd()
            .args(args)
            .assert()
            .code(3)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "no database at {}: nothing to look at",
                file.display()
            )));
        assert!(!missing.exists(), "{what} made {}", missing.display());
    }
}

#[test]
fn a_backup_taken_while_bookings_are_written_restores_to_a_sound_store() {
    let env = Env::new();
    let offer = env.first_offer();
    let db = database(&env);
    let backups = tempfile::tempdir().unwrap();
    // Bookings go on being written (paid, unpaid, cancelled) while three backups are taken.
    let written = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut ids = Vec::new();
            for i in 0..6 {
                let b = env.book_ada(&offer, (i % 2 == 0).then_some("4242424242424242"));
                let id = b["id"].as_str().unwrap().to_string();
                if i % 3 == 2 {
                    env.cmd()
                        .args(["bookings", "cancel", &id, "--yes"])
                        .assert()
                        .success();
                }
                ids.push(id);
            }
            ids
        });
        for n in 0..3 {
            let file = backups.path().join(format!("copy-{n}.db"));
            let copied = env.json(&["admin", "backup", file.to_str().unwrap()]);
            assert_eq!(copied["to"], file.to_str().unwrap());
            assert!(copied["bytes"].as_u64().unwrap() > 0);
        }
        writer.join().unwrap()
    });
    assert_eq!(written.len(), 6);
    // One more once the writer is done: it holds every booking.
    let last = backups.path().join("copy-last.db");
    let copied = env.json(&["admin", "backup", last.to_str().unwrap()]);
    assert_eq!(copied["bookings"], 6);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&last).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup holds personal data: owner only");
    }

    for entry in std::fs::read_dir(backups.path()).unwrap() {
        let file = entry.unwrap().path();
        let target = tempfile::tempdir().unwrap();
        let restored = env.json(&[
            "admin",
            "restore",
            file.to_str().unwrap(),
            "--data-dir",
            target.path().to_str().unwrap(),
        ]);
        let (code, report) = check(&env, target.path());
        assert_eq!(code, 0, "{} restored: {report}", file.display());
        assert!(restored["bookings"].as_i64().unwrap() <= 6);
    }
    assert!(db.exists());
}

#[test]
fn backup_and_restore_refuse_what_would_lose_data() {
    let env = Env::new();
    let _ = env.first_offer();
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("taken.db");
    std::fs::write(&taken, b"precious").unwrap();
    env.cmd()
        .args(["admin", "backup", taken.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&taken).unwrap(), b"precious");
    env.cmd()
        .args(["admin", "backup", "/nonexistent/folder/copy.db"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("its folder does not exist"));
    let target = tempfile::tempdir().unwrap();
    env.cmd()
        .args(["admin", "restore", taken.to_str().unwrap(), "--data-dir"])
        .arg(target.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a SQLite database"));
    env.cmd()
        .args(["admin", "restore", "/nonexistent/backup.db", "--data-dir"])
        .arg(target.path())
        .assert()
        .code(2);
}

#[test]
fn the_report_counts_what_was_booked_in_charts_json_and_csv() {
    let env = Env::new();
    let offer = env.first_offer();
    let booking = env.book_ada(&offer, Some("4242424242424242"));
    let report = env.json(&["admin", "report", "--group-by", "route"]);
    assert_eq!(report["totals"]["bookings_created"], 1);
    assert_eq!(report["totals"]["bookings_paid"], 1);
    assert_eq!(
        report["totals"]["revenue"]["EUR"], booking["total"]["amount"],
        "{report}"
    );
    assert_eq!(report["groups"][0]["key"], "LHR-JFK");
    env.cmd()
        .args(["admin", "report"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Funnel"))
        .stdout(predicate::str::contains("bookings  "))
        .stdout(predicate::str::contains("█"));
    env.cmd()
        .args(["admin", "report", "--csv", "--group-by", "provider"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("group,searches,"))
        .stdout(predicate::str::contains("TOTAL,0,0,0,0,1,1,"));
    env.cmd()
        .args(["admin", "report", "--group-by", "month"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("day, week, route or provider"));
    env.cmd()
        .args([
            "admin",
            "report",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("after"));
    env.cmd()
        .args(["admin", "report", "--csv", "--json"])
        .assert()
        .code(2);
}
