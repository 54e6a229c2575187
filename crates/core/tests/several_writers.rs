//! The promises that must hold with several writers on one database, checked with two
//! `LocalAgency` instances on one database (two stores, two pools: they meet only in the
//! database, as two server processes would) and many tasks at once: no oversell on a first
//! sale, one booking per idempotency key, one move out of each status, an outbox without gaps,
//! points never spent twice, login limits that parallel attempts cannot slip past, and a team
//! that keeps an admin when two step down at once. Each test runs from one body on one SQLite
//! file and on one PostgreSQL database (`name::sqlite`, `name::postgres`).

mod common;

use booksygo_core::booking::{BookingRequest, BookingStatus};
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{Kept, on_engines};
use tokio::task::JoinSet;

const VISA: &str = "4242424242424242";

/// Two agencies on one database (two stores, two pools): on SQLite one file, on PostgreSQL
/// one database.
fn two_writers(engine: &str) -> (Kept, LocalAgency, LocalAgency) {
    let (kept, a) = common::agency_on(engine, |_| {});
    let b = common::agency_on_at(&kept, common::now());
    (kept, a, b)
}

/// Ada books `offer_id` with a Visa, under `key` when given, redeeming `points`.
fn request(offer_id: &str, key: Option<&str>, points: i64) -> BookingRequest {
    let mut r = common::ada_request(offer_id, Some(VISA));
    r.idempotency_key = key.map(str::to_string);
    r.payment.points = points;
    r
}

fn one(a: &LocalAgency, sql: &str) -> i64 {
    common::number(a, sql, &[])
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    first_sales_from_two_writers_all_count_and_the_outbox_has_no_gaps
);
async fn first_sales_from_two_writers_all_count_and_the_outbox_has_no_gaps(engine: &str) {
    let (_kept, a, b) = two_writers(engine);
    let o = common::ba_offer(&a).await;
    assert_eq!(one(&a, "SELECT count(*) FROM flight_inventory"), 0);
    let mut tasks = JoinSet::new();
    for i in 0..12 {
        let agency = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = o.id.clone();
        tasks.spawn(async move { agency.create_booking(request(&id, None, 0)).await });
    }
    while let Some(r) = tasks.join_next().await {
        assert_eq!(r.unwrap().unwrap().status, BookingStatus::Confirmed);
    }
    assert_eq!(one(&a, "SELECT count(*) FROM flight_inventory"), 1);
    assert_eq!(one(&b, "SELECT sum(sold) FROM flight_inventory"), 12);
    // Every event the writers appended, numbered 1..n.
    let (n, lo, hi) = (
        one(&a, "SELECT count(*) FROM events"),
        one(&a, "SELECT min(seq) FROM events"),
        one(&a, "SELECT max(seq) FROM events"),
    );
    assert!(n >= 12 * 4, "{n} events");
    assert_eq!((lo, hi), (1, n), "seqs without gaps or repeats");
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    one_idempotency_key_from_two_writers_books_once
);
async fn one_idempotency_key_from_two_writers_books_once(engine: &str) {
    let (_kept, a, b) = two_writers(engine);
    let o = common::ba_offer(&a).await;
    let mut tasks = JoinSet::new();
    for i in 0..8 {
        let agency = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = o.id.clone();
        tasks.spawn(async move { agency.create_booking(request(&id, Some("once"), 0)).await });
    }
    // The first request books; the others wait for its answer and replay it.
    let mut ids = std::collections::BTreeSet::new();
    while let Some(r) = tasks.join_next().await {
        ids.insert(r.unwrap().expect("every request gets the booking").id);
    }
    assert_eq!(ids.len(), 1, "every answer is the one booking");
    assert_eq!(one(&a, "SELECT count(*) FROM bookings"), 1);
    assert_eq!(
        one(
            &a,
            "SELECT count(*) FROM payments WHERE status = 'succeeded'"
        ),
        1
    );
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    a_booking_leaves_a_status_once_whoever_moves_it
);
async fn a_booking_leaves_a_status_once_whoever_moves_it(engine: &str) {
    let (_kept, a, b) = two_writers(engine);
    let o = common::ba_offer(&a).await;
    let booking = a.create_booking(request(&o.id, None, 0)).await.unwrap();
    let mut tasks = JoinSet::new();
    for i in 0..6 {
        let agency = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = booking.id.clone();
        tasks.spawn(async move { agency.cancel_booking(&id, None).await });
    }
    let mut cancelled = 0;
    while let Some(r) = tasks.join_next().await {
        match r.unwrap() {
            Ok(_) => cancelled += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(cancelled, 1);
    assert_eq!(
        one(
            &a,
            "SELECT count(*) FROM booking_audit WHERE to_status = 'CANCELLED'"
        ),
        1
    );
    assert_eq!(one(&a, "SELECT count(*) FROM refunds"), 1);
    assert_eq!(
        one(&a, "SELECT coalesce(sum(sold), 0) FROM flight_inventory"),
        0
    );
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    points_are_never_spent_twice
);
async fn points_are_never_spent_twice(engine: &str) {
    let (_kept, a, b) = two_writers(engine);
    let o = common::ba_offer(&a).await;
    // 1,000 points to spend: enough for one redemption of 1,000, not two.
    common::execute(
        &a,
        "INSERT INTO points_ledger(user_id, kind, total_delta, available_delta, note, created_at) VALUES ('usr_local', 'ADJUSTED', 1000, 1000, 'test', 0)",
        &[],
    );
    let mut tasks = JoinSet::new();
    for i in 0..6 {
        let agency = if i % 2 == 0 { a.clone() } else { b.clone() };
        let id = o.id.clone();
        tasks.spawn(async move { agency.create_booking(request(&id, None, 1000)).await });
    }
    let mut redeemed = 0;
    while let Some(r) = tasks.join_next().await {
        match r.unwrap() {
            Ok(booking) => {
                assert_eq!(booking.points_redeemed, 1000);
                redeemed += 1;
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}"),
        }
    }
    assert_eq!(redeemed, 1, "1,000 points pay once");
    let available = one(
        &a,
        "SELECT sum(available_delta) FROM points_ledger WHERE user_id = 'usr_local'",
    );
    assert!(available >= 0, "available points {available}");
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    parallel_wrong_passwords_cannot_slip_past_the_login_limit
);
async fn parallel_wrong_passwords_cannot_slip_past_the_login_limit(engine: &str) {
    let (_kept, a, b) = two_writers(engine);
    let (ua, ub) = (a.accounts(), b.accounts());
    ua.register("ada@example.com", "correct horse battery", "Ada", "L")
        .await
        .unwrap();
    let mut tasks = JoinSet::new();
    for i in 0..20 {
        let accounts = if i % 2 == 0 { ua.clone() } else { ub.clone() };
        let ip = std::net::IpAddr::from([127, 0, 0, 10 + i as u8]);
        tasks.spawn(async move {
            accounts
                .login("ada@example.com", "wrong password!", Some(ip))
                .await
        });
    }
    let (mut wrong, mut limited) = (0, 0);
    while let Some(r) = tasks.join_next().await {
        match r.unwrap().unwrap_err().kind() {
            ErrorKind::AuthRequired => wrong += 1,
            ErrorKind::RateLimited => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    // Each from its own address: the account's own limit, whatever the address, holds.
    assert_eq!(
        (wrong, limited),
        (
            booksygo_core::accounts::MAX_LOGIN_ATTEMPTS_PER_ACCOUNT,
            20 - booksygo_core::accounts::MAX_LOGIN_ATTEMPTS_PER_ACCOUNT
        )
    );
    // The account is locked for the window, even with the right password.
    let err = ua
        .login("ada@example.com", "correct horse battery", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    two_admins_stepping_down_at_once_leave_one_admin
);
async fn two_admins_stepping_down_at_once_leave_one_admin(engine: &str) {
    for round in 0..8 {
        let (_kept, a, b) = two_writers(engine);
        let (ua, ub) = (a.accounts(), b.accounts());
        let ann = ua
            .create_account(
                "ann@example.com",
                "correct horse battery",
                "Ann",
                "A",
                "admin",
            )
            .await
            .unwrap();
        let bob = ub
            .create_account(
                "bob@example.com",
                "correct horse battery",
                "Bob",
                "B",
                "admin",
            )
            .await
            .unwrap();
        // Each demotes the other, from a different agency, at the same moment.
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let mut tasks = JoinSet::new();
        for (team, actor, target) in [(a.team(), &ann.id, &bob.id), (b.team(), &bob.id, &ann.id)] {
            let (actor, target, barrier) = (actor.clone(), target.clone(), barrier.clone());
            tasks.spawn(async move {
                barrier.wait().await;
                team.set_role(&actor, &target, "user").await
            });
        }
        let (mut ok, mut refused) = (0, 0);
        while let Some(r) = tasks.join_next().await {
            match r.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => {
                    // Refused as the last admin, or no longer an admin at all.
                    assert!(
                        matches!(e.kind(), ErrorKind::Conflict | ErrorKind::Forbidden),
                        "round {round}: {e}"
                    );
                    refused += 1;
                }
            }
        }
        assert_eq!((ok, refused), (1, 1), "round {round}");
        assert_eq!(
            one(&a, "SELECT count(*) FROM users WHERE role = 'admin'"),
            1,
            "round {round}"
        );
    }
}
