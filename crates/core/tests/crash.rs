//! Crash safety: a process booking in a loop is killed with SIGKILL; afterwards every booking
//! is either fully present (items, travellers, audit, inventory holds, ledger rows) or absent,
//! and inventory counts agree with the holds.
//!
//! SQLite only: it kills a process writing to a SQLite file in the middle of its transactions
//! and checks what the file holds afterwards (SQLite's journal and recovery). On PostgreSQL a
//! killed client is a closed connection whose open transaction the server rolls back; the
//! multi-instance test of the server kills a `booksygo serve` there.

mod common;

use booksygo_core::Agency;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use booksygo_core::model::PassengerType;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "BOOKSYGO_CRASH_CHILD_DIR";

/// The child side: books packages forever in the directory it is given. Does nothing in a
/// normal test run.
#[tokio::test]
async fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD) else {
        return;
    };
    let mut o = booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(&dir));
    o.clock = booksygo_core::config::Clock::fixed(common::now());
    let a = booksygo_core::LocalAgency::open(o).unwrap();
    let packages = a
        .search_packages(&Default::default())
        .await
        .unwrap()
        .packages;
    let mut i = 0usize;
    loop {
        for p in &packages {
            let d = a.get_package(&p.id).await.unwrap();
            let Some(dep) = d.departures.iter().find(|d| d.slots_left > 0) else {
                continue;
            };
            i += 1;
            let req = BookingRequest {
                items: vec![ItemRequest::Package {
                    package_id: p.id.clone(),
                    date: dep.date,
                }],
                passengers: vec![PassengerInput {
                    given_name: "Crash".into(),
                    family_name: format!("Test{}", "x".repeat(i % 7 + 1)),
                    born_on: common::date("1980-01-01"),
                    kind: Some(PassengerType::Adult),
                    document: None,
                    gender: None,
                }],
                contact_email: "crash@example.com".into(),
                contact_phone: None,
                payment: PaymentInput {
                    card: (!i.is_multiple_of(3)).then(|| Card::new("4242424242424242", "12/30")),
                    points: 0,
                },
                idempotency_key: None,
            };
            let _ = a.create_booking(req).await;
            if i.is_multiple_of(5)
                && let Ok(list) = a.list_bookings(None).await
                && let Some(b) = list
                    .iter()
                    .find(|b| b.status == booksygo_core::booking::BookingStatus::Confirmed)
            {
                let _ = a.cancel_booking(&b.id, None).await;
            }
        }
    }
}

#[test]
fn sigkill_mid_load_leaves_every_booking_whole_or_absent() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Create the store first so the child does not race the migrations with us.
    drop(common::agency_with(|o| {
        o.paths = booksygo_core::config::Paths::in_dir(dir.path())
    }));
    let db = dir.path().join("booksygo.db");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child has written a good number of bookings, then kill it mid-flight.
        let started = Instant::now();
        let target = 25 * (round + 1);
        loop {
            let n: i64 = rusqlite::Connection::open(&db)
                .and_then(|c| c.query_row("SELECT count(*) FROM bookings", [], |r| r.get(0)))
                .unwrap_or(0);
            if n >= target {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the child made no progress"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
    }
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(q("SELECT count(*) FROM bookings") >= 75);
    // Whole or absent: every booking has its items, travellers, first audit row and holds.
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_items i WHERE i.booking_id = b.id)"
        ),
        0
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_passengers p WHERE p.booking_id = b.id)"
        ),
        0
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_holds h WHERE h.booking_id = b.id)"
        ),
        0
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_audit a WHERE a.booking_id = b.id AND a.from_status IS NULL)"
        ),
        0
    );
    // Status always equals the last audited move.
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE b.status != (SELECT to_status FROM booking_audit a WHERE a.booking_id = b.id ORDER BY id DESC LIMIT 1)"
        ),
        0
    );
    // Inventory equals what live holds take.
    assert_eq!(
        q(
            "SELECT count(*) FROM package_departures d WHERE d.sold != (SELECT coalesce(sum(h.quantity), 0) FROM booking_holds h WHERE h.kind = 'slots' AND h.key = d.package_id AND h.detail = d.date AND h.released = 0)"
        ),
        0
    );
    // Released holds belong to cancelled bookings only; live ones to live bookings.
    assert_eq!(
        q(
            "SELECT count(*) FROM booking_holds h JOIN bookings b ON b.id = h.booking_id WHERE h.released = 1 AND b.status NOT IN ('CANCELLED', 'REFUNDED')"
        ),
        0
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM booking_holds h JOIN bookings b ON b.id = h.booking_id WHERE h.released = 0 AND b.status IN ('CANCELLED', 'REFUNDED')"
        ),
        0
    );
    // Every confirmed booking has its succeeded payment; points never negative.
    assert_eq!(
        q(
            "SELECT count(*) FROM bookings b WHERE b.status = 'CONFIRMED' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')"
        ),
        0
    );
    assert!(q("SELECT coalesce(sum(available_delta), 0) FROM points_ledger") >= 0);
}
