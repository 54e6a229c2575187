//! The money side of the storage port on both engines: payments and refunds, the points
//! ledger, badges and challenges, idempotency keys and login limits. Each body runs on a fresh
//! SQLite store, then on a fresh PostgreSQL database (`common::each_engine`), through the
//! port only; rows of other areas (accounts, bookings) are written with minimal raw SQL.
//! The promises that must hold with several writers are raced by eight threads at once: on
//! PostgreSQL every thread's transaction is open before any runs the statement under test.

mod common;

use booksygo_core::ErrorKind;
use booksygo_core::error::{Error, Result};
use booksygo_core::store::port::{
    Attempt, ChargeBasis, ExtraCharge, KeyRecord, KeyRef, LedgerRow, NewAttempt, NewRefund,
    OwedRefund, ReferencedPayment,
};
use booksygo_core::store::{Store, Unit};
use std::sync::Barrier;

const THREADS: usize = 8;

/// Runs `sql` (statements without parameters, valid on both engines) on the store's engine.
fn exec(store: &Store, sql: &str) {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().batch_execute(sql).unwrap(),
        None => store.conn().unwrap().execute_batch(sql).unwrap(),
    }
}

/// The one integer `sql` reads.
fn one(store: &Store, sql: &str) -> i64 {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().query_one(sql, &[]).unwrap().get(0),
        None => store
            .conn()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

/// An account that can log in (`password`) or not, made at `at`.
fn user(store: &Store, id: &str, first: &str, last: &str, password: bool, at: i64) {
    let hash = if password { "'h'" } else { "NULL" };
    exec(
        store,
        &format!(
            "INSERT INTO users(id, email, first_name, last_name, created_at, password_hash)
             VALUES ('{id}', '{id}@example.com', '{first}', '{last}', {at}, {hash})"
        ),
    );
}

/// A booking of `owner` in `status`, made at `at`.
#[allow(clippy::too_many_arguments)]
fn booking(
    store: &Store,
    id: &str,
    owner: &str,
    status: &str,
    currency: &str,
    total: i64,
    list_total: i64,
    starts_on: &str,
    at: i64,
) {
    exec(
        store,
        &format!(
            "INSERT INTO bookings(id, user_id, status, confirmation_code, contact_email, currency, total, list_total,
                                  amount_due, starts_on, ends_on, created_at, updated_at)
             VALUES ('{id}', '{owner}', '{status}', 'C{id}', 'x@example.com', '{currency}', {total}, {list_total},
                     {total}, '{starts_on}', '{starts_on}', {at}, {at})"
        ),
    );
}

/// Item `seq` of a booking, on `continent`.
fn item(store: &Store, booking: &str, seq: i64, continent: &str) {
    exec(
        store,
        &format!(
            "INSERT INTO booking_items(booking_id, seq, kind, offer_id, provider, description, price, tax, list_price,
                                       continent, starts_at, payload)
             VALUES ('{booking}', {seq}, 'hotel', 'off', 'local', 'a room', 100, 0, 100, '{continent}', 0, '{{}}')"
        ),
    );
}

/// Runs `work` on [`THREADS`] threads at once, each in a write unit of its own, and gives back
/// what each said. On PostgreSQL every transaction is open before any of them runs `work`;
/// SQLite serialises writers, so there the threads start together and queue for the writer.
fn race<T: Send>(
    engine: &str,
    store: &Store,
    work: impl Fn(usize, &dyn Unit) -> Result<T> + Sync,
) -> Vec<Result<T>> {
    let barrier = Barrier::new(THREADS);
    let inside = engine == "postgres";
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let (barrier, work) = (&barrier, &work);
                s.spawn(move || {
                    if inside {
                        store.write(|u| {
                            // A first statement, so the transaction is really open.
                            u.limits().give_back("race.nothing")?;
                            barrier.wait();
                            work(i, u)
                        })
                    } else {
                        barrier.wait();
                        store.write(|u| work(i, u))
                    }
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

/// How many of `outcomes` are `Ok(true)`; any error fails the test.
fn yeses(outcomes: Vec<Result<bool>>) -> usize {
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|e| panic!("a racer failed: {e}")))
        .filter(|yes| *yes)
        .count()
}

fn is_gone(e: Error) {
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert_eq!(
        e.to_string(),
        "this change refers to something that no longer exists: reload and try again"
    );
}

// ---------------------------------------------------------------- idempotency keys

const K: KeyRef<'static> = KeyRef {
    scope: "create",
    user: "usr_a",
    key: "k1",
};

#[test]
fn a_key_is_claimed_once_then_changed_only_by_the_claim_that_holds_it() {
    common::each_engine(|engine, store| {
        let keys = |f: &dyn Fn(&dyn Unit) -> Result<bool>| store.write(|u| f(u)).unwrap();
        let record = |k: &KeyRef<'_>| store.read(|u| u.keys().record(k)).unwrap();
        assert_eq!(record(&K), None, "{engine}");
        assert!(keys(&|u| u.keys().claim(&K, "h1", None, 100)));
        assert!(!keys(&|u| u.keys().claim(&K, "h2", Some("bk_x"), 101)));
        assert_eq!(
            record(&K),
            Some(KeyRecord {
                request_hash: "h1".into(),
                response: "in_progress".into(),
                taken_at: 100,
                booking: None,
            })
        );
        // The key is per scope and per user.
        for other in [
            KeyRef { scope: "pay", ..K },
            KeyRef { user: "usr_b", ..K },
            KeyRef { key: "k2", ..K },
        ] {
            assert_eq!(record(&other), None);
        }

        // Tied once, by the claim that holds it.
        assert!(!keys(&|u| u.keys().tie(&K, 99, "bk_1")));
        assert!(keys(&|u| u.keys().tie(&K, 100, "bk_1")));
        assert!(!keys(&|u| u.keys().tie(&K, 100, "bk_2")));
        assert_eq!(record(&K).unwrap().booking.as_deref(), Some("bk_1"));
        // Something was written under it: it cannot be freed.
        assert!(!keys(&|u| u.keys().free(&K, 100)));

        // Answered once, by the claim that holds it.
        assert!(!keys(&|u| u.keys().answer(&K, 99, "{\"ok\":1}")));
        assert!(keys(&|u| u.keys().answer(&K, 100, "{\"ok\":1}")));
        assert!(!keys(&|u| u.keys().answer(&K, 100, "{\"ok\":2}")));
        let seen = record(&K).unwrap();
        assert_eq!(seen.response, "{\"ok\":1}");

        // Taken over only from the record as seen.
        let stale = KeyRecord {
            response: "in_progress".into(),
            ..seen.clone()
        };
        assert!(!keys(&|u| u.keys().take_over(&K, &stale, "h3", None, 500)));
        assert!(keys(&|u| u.keys().take_over(
            &K,
            &seen,
            "h3",
            Some("bk_1"),
            500
        )));
        assert!(!keys(&|u| u.keys().take_over(&K, &seen, "h4", None, 600)));
        assert_eq!(
            record(&K),
            Some(KeyRecord {
                request_hash: "h3".into(),
                response: "in_progress".into(),
                taken_at: 500,
                booking: Some("bk_1".into()),
            })
        );
        // The claim taken over can no longer write under the key.
        assert!(!keys(&|u| u.keys().answer(&K, 100, "late")));

        // A key tied up front cannot be freed; one tied to nothing is, by its claim only.
        let tied = KeyRef { key: "k2", ..K };
        assert!(keys(&|u| u.keys().claim(&tied, "h", Some("bk_9"), 10)));
        assert_eq!(record(&tied).unwrap().booking.as_deref(), Some("bk_9"));
        assert!(!keys(&|u| u.keys().free(&tied, 10)));
        let free = KeyRef { key: "k3", ..K };
        assert!(keys(&|u| u.keys().claim(&free, "h", None, 10)));
        assert!(!keys(&|u| u.keys().free(&free, 11)));
        assert!(keys(&|u| u.keys().free(&free, 10)));
        assert_eq!(record(&free), None);
        assert!(keys(&|u| u.keys().claim(&free, "h5", None, 20)));
    });
}

#[test]
fn of_writers_claiming_one_key_at_once_exactly_one_gets_it() {
    common::each_engine(|engine, store| {
        let claims = race(engine, store, |i, u| {
            u.keys().claim(&K, &format!("h{i}"), None, 1000 + i as i64)
        });
        assert_eq!(yeses(claims), 1, "{engine}");
        assert_eq!(
            one(store, "SELECT count(*) FROM idempotency"),
            1,
            "{engine}"
        );

        // Of retries taking over one abandoned record at once, exactly one does.
        let seen = store.read(|u| u.keys().record(&K)).unwrap().unwrap();
        let takes = race(engine, store, |i, u| {
            u.keys()
                .take_over(&K, &seen, "retry", None, 2000 + i as i64)
        });
        assert_eq!(yeses(takes), 1, "{engine}");
        let now = store.read(|u| u.keys().record(&K)).unwrap().unwrap();
        assert_eq!(now.request_hash, "retry");
        assert!((2000..2000 + THREADS as i64).contains(&now.taken_at));

        // And of writers tying the key at once, one ties it.
        let ties = race(engine, store, |i, u| {
            u.keys().tie(&K, now.taken_at, &format!("bk_{i}"))
        });
        assert_eq!(yeses(ties), 1, "{engine}");
    });
}

// ---------------------------------------------------------------- login limits

#[test]
fn attempts_are_counted_in_windows_given_back_and_forgotten() {
    common::each_engine(|engine, store| {
        let count = |key: &str, now: i64| store.write(|u| u.limits().count(key, now, 60)).unwrap();
        assert_eq!(count("a", 1000), (1, 1000), "{engine}");
        assert_eq!(count("a", 1010), (2, 1000));
        assert_eq!(count("a", 1059), (3, 1000));
        // Another key counts apart.
        assert_eq!(count("b", 1020), (1, 1020));
        // The window is over at its start plus its length: a new one opens.
        assert_eq!(count("a", 1060), (1, 1060));
        assert_eq!(count("a", 1061), (2, 1060));
        // Given back one by one, never below zero.
        for _ in 0..3 {
            store.write(|u| u.limits().give_back("a")).unwrap();
        }
        assert_eq!(
            one(store, "SELECT attempts FROM login_attempts WHERE key = 'a'"),
            0
        );
        assert_eq!(count("a", 1062), (1, 1060));
        store.write(|u| u.limits().give_back("nobody")).unwrap();
        // Forgotten: the next attempt opens a window of its own.
        store.write(|u| u.limits().forget("a")).unwrap();
        assert_eq!(count("a", 1063), (1, 1063));
        assert_eq!(count("b", 1064), (2, 1020));
    });
}

#[test]
fn attempts_made_at_the_same_moment_are_each_counted() {
    common::each_engine(|engine, store| {
        let mut seen = Vec::new();
        for _ in 0..5 {
            for counted in race(engine, store, |_, u| u.limits().count("ada", 5000, 900)) {
                let (attempts, since) = counted.unwrap();
                assert_eq!(since, 5000, "{engine}");
                seen.push(attempts);
            }
        }
        seen.sort_unstable();
        let expected: Vec<i64> = (1..=5 * THREADS as i64).collect();
        assert_eq!(seen, expected, "{engine}: each attempt counted once");
    });
}

// ---------------------------------------------------------------- the points ledger

fn row<'a>(user: &'a str, kind: &'a str, total: i64, available: i64) -> LedgerRow<'a> {
    LedgerRow {
        user,
        kind,
        total_delta: total,
        available_delta: available,
        booking: None,
        note: "",
        at: 1_700_000_000,
    }
}

#[test]
fn the_ledger_appends_sums_and_refuses_to_go_below_zero() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "Lovelace", true, 1);
        let append = |r: LedgerRow<'_>| store.write(|u| u.ledger().append(&r)).unwrap();
        let sums = |who: &str| store.read(|u| u.ledger().sums(who)).unwrap();
        assert_eq!(sums("usr_a"), (0, 0), "{engine}");
        assert!(
            store
                .read(|u| u.ledger().history("usr_a"))
                .unwrap()
                .is_empty()
        );

        assert!(append(LedgerRow {
            note: "welcome",
            at: 100,
            ..row("usr_a", "EARNED", 100, 100)
        }));
        assert!(append(LedgerRow {
            booking: Some("bk_1"),
            at: 200,
            ..row("usr_a", "REDEEMED", 0, -30)
        }));
        // 70 available: spending 80 is refused and writes nothing.
        assert!(!append(row("usr_a", "REDEEMED", 0, -80)));
        assert_eq!(sums("usr_a"), (100, 70));
        // Exactly down to zero is allowed.
        assert!(append(LedgerRow {
            at: 300,
            ..row("usr_a", "REDEEMED", 0, -70)
        }));
        assert!(!append(row("usr_a", "REDEEMED", 0, -1)));
        assert_eq!(sums("usr_a"), (100, 0));
        // A row that takes away no available points passes whatever the balance.
        assert!(append(LedgerRow {
            at: 400,
            ..row("usr_a", "ADJUST", -5, 0)
        }));

        let history = store.read(|u| u.ledger().history("usr_a")).unwrap();
        let seen: Vec<_> = history
            .iter()
            .map(|e| {
                (
                    e.kind.as_str(),
                    e.total_delta,
                    e.available_delta,
                    e.booking_id.as_deref(),
                    e.note.as_str(),
                    e.at.as_second(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("EARNED", 100, 100, None, "welcome", 100),
                ("REDEEMED", 0, -30, Some("bk_1"), "", 200),
                ("REDEEMED", 0, -70, None, "", 300),
                ("ADJUST", -5, 0, None, "", 400),
            ],
            "{engine}: oldest first"
        );

        // A user who does not exist: a conflict, as SQLite's foreign key says it.
        is_gone(
            store
                .write(|u| u.ledger().append(&row("usr_gone", "EARNED", 1, 1)))
                .unwrap_err(),
        );
        assert_eq!(sums("usr_gone"), (0, 0));
    });
}

#[test]
fn what_a_booking_did_to_the_points_and_the_first_booking_bonus() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "", true, 1);
        user(store, "usr_b", "Bob", "", true, 2);
        let on = |kind: &'static str, total: i64, available: i64, booking: &'static str| {
            let r = LedgerRow {
                booking: Some(booking),
                ..row("usr_a", kind, total, available)
            };
            assert!(store.write(|u| u.ledger().append(&r)).unwrap());
        };
        assert!(
            !store
                .read(|u| u.ledger().has_first_booking_bonus("usr_a"))
                .unwrap()
        );
        assert_eq!(
            store
                .read(|u| u.ledger().booking_points("usr_a", "bk_1"))
                .unwrap(),
            (0, 0),
            "{engine}"
        );
        on("FIRST_BOOKING", 50, 50, "bk_1");
        on("BOOKING_COMPLETED", 120, 120, "bk_1");
        on("REDEEMED", 0, -100, "bk_1");
        on("REDEMPTION_RETURNED", 0, 40, "bk_1");
        on("CLAWBACK", -20, -20, "bk_1");
        on("CHALLENGE_COMPLETED", 10, 10, "bk_1");
        on("ADJUST", 999, 0, "bk_1");
        on("REDEEMED", 0, -7, "bk_2");
        assert_eq!(
            store
                .read(|u| u.ledger().booking_points("usr_a", "bk_1"))
                .unwrap(),
            (60, 160),
            "{engine}: redeemed 100 less 40 returned; earned 50 + 120 + 10 less 20 clawed back"
        );
        assert_eq!(
            store
                .read(|u| u.ledger().booking_points("usr_b", "bk_1"))
                .unwrap(),
            (0, 0)
        );
        assert!(
            store
                .read(|u| u.ledger().has_first_booking_bonus("usr_a"))
                .unwrap()
        );
        assert!(
            !store
                .read(|u| u.ledger().has_first_booking_bonus("usr_b"))
                .unwrap()
        );
    });
}

#[test]
fn points_spent_at_once_by_several_writers_are_never_spent_twice() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "", true, 1);
        assert!(
            store
                .write(|u| u.ledger().append(&row("usr_a", "EARNED", 100, 100)))
                .unwrap()
        );
        let spent = race(engine, store, |_, u| {
            u.ledger().append(&row("usr_a", "REDEEMED", 0, -30))
        });
        assert_eq!(
            yeses(spent),
            3,
            "{engine}: 100 points pay for three spends of 30"
        );
        assert_eq!(
            store.read(|u| u.ledger().sums("usr_a")).unwrap(),
            (100, 10),
            "{engine}"
        );
        // Earning while others spend: every earn lands, no spend goes below zero.
        let mixed = race(engine, store, |i, u| {
            if i % 2 == 0 {
                u.ledger().append(&row("usr_a", "EARNED", 10, 10))
            } else {
                u.ledger().append(&row("usr_a", "REDEEMED", 0, -25))
            }
        });
        let mixed: Vec<bool> = mixed.into_iter().map(|r| r.unwrap()).collect();
        let spends = mixed
            .iter()
            .enumerate()
            .filter(|(i, ok)| i % 2 == 1 && **ok)
            .count() as i64;
        let (total, available) = store.read(|u| u.ledger().sums("usr_a")).unwrap();
        assert_eq!(total, 100 + 10 * (THREADS as i64 / 2), "{engine}");
        assert_eq!(available, 10 + 10 * (THREADS as i64 / 2) - 25 * spends);
        assert!(available >= 0, "{engine}: {available}");
    });
}

// ---------------------------------------------------------------- payments and refunds

fn attempt_of<'a>(id: &'a str, booking: &'a str, key: &'a str, at: i64) -> NewAttempt<'a> {
    NewAttempt {
        id,
        booking,
        provider: "stripe",
        method: "card",
        amount: 5000,
        currency: "EUR",
        card_brand: Some("visa"),
        card_last4: Some("4242"),
        provider_key: key,
        at,
    }
}

fn change<'a>(id: &'a str, reference: &'a str, at: i64) -> ExtraCharge<'a> {
    ExtraCharge {
        id,
        booking: "bk_1",
        provider: "stripe",
        amount: 700,
        currency: "EUR",
        card_brand: "visa",
        card_last4: "4242",
        reference,
        at,
    }
}

fn payments_setup(store: &Store) {
    user(store, "usr_a", "Ada", "", true, 1);
    user(store, "usr_b", "Bob", "", true, 2);
    booking(
        store,
        "bk_1",
        "usr_a",
        "PAYMENT_PROCESSING",
        "EUR",
        5000,
        5000,
        "2027-03-14",
        10,
    );
    booking(
        store,
        "bk_2",
        "usr_a",
        "CANCELLED",
        "EUR",
        3000,
        3000,
        "2027-03-14",
        20,
    );
}

#[test]
fn charge_attempts_are_written_down_found_and_settled() {
    common::each_engine(|engine, store| {
        payments_setup(store);
        let w = |f: &dyn Fn(&dyn Unit) -> Result<()>| store.write(|u| f(u)).unwrap();
        let p = |f: &dyn Fn(&dyn Unit) -> Result<Option<Attempt>>| store.read(|u| f(u)).unwrap();
        assert!(
            store
                .read(|u| u.payments().of_booking("bk_1"))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .read(|u| u.payments().charge_basis("bk_1", "usr_a"))
                .unwrap(),
            Some(ChargeBasis {
                status: "PAYMENT_PROCESSING".into(),
                amount_due: 5000,
                currency: "EUR".into(),
                attempts: 0,
            }),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.payments().charge_basis("bk_1", "usr_b"))
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .read(|u| u.payments().charge_basis("bk_9", "usr_a"))
                .unwrap(),
            None
        );
        assert_eq!(p(&|u| u.payments().unanswered("bk_1")), None);

        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_1", "bk_1", "key_1", 100))
        });
        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_2", "bk_1", "key_2", 200))
        });
        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_0", "bk_1", "key_0", 100))
        });
        // Oldest first; written at the same second, in the order written.
        let ids: Vec<String> = store
            .read(|u| u.payments().of_booking("bk_1"))
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, ["pay_1", "pay_0", "pay_2"], "{engine}");
        assert_eq!(
            store
                .read(|u| u.payments().charge_basis("bk_1", "usr_a"))
                .unwrap()
                .unwrap()
                .attempts,
            3
        );
        assert_eq!(
            store
                .read(|u| u.payments().booking_of("pay_1", "usr_a"))
                .unwrap(),
            Some("bk_1".into())
        );
        assert_eq!(
            store
                .read(|u| u.payments().booking_of("pay_1", "usr_b"))
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .read(|u| u.payments().booking_of("pay_9", "usr_a"))
                .unwrap(),
            None
        );

        // The newest attempt never answered, by its provider key.
        assert_eq!(
            p(&|u| u.payments().unanswered("bk_1")),
            Some(Attempt {
                id: "pay_2".into(),
                reference: "key_2".into(),
                amount: 5000,
                currency: "EUR".into(),
            })
        );
        assert_eq!(
            store.read(|u| u.payments().settling("pay_2")).unwrap(),
            (true, "PAYMENT_PROCESSING".to_string())
        );
        w(&|u| {
            u.payments()
                .record_outcome("pay_0", "failed", None, Some("declined"))
        });
        w(&|u| {
            u.payments().record_outcome(
                "pay_2",
                "requires_action",
                Some("pi_2"),
                Some("the bank asks"),
            )
        });
        assert_eq!(p(&|u| u.payments().unanswered("bk_1")).unwrap().id, "pay_1");
        assert_eq!(
            p(&|u| u.payments().awaiting_cardholder("bk_1")),
            Some(Attempt {
                id: "pay_2".into(),
                reference: "pi_2".into(),
                amount: 5000,
                currency: "EUR".into(),
            })
        );
        assert_eq!(p(&|u| u.payments().awaiting_cardholder("bk_2")), None);
        assert_eq!(
            store.read(|u| u.payments().settling("pay_2")).unwrap(),
            (true, "PAYMENT_PROCESSING".to_string())
        );
        assert_eq!(
            store.read(|u| u.payments().settling("pay_0")).unwrap(),
            (false, "PAYMENT_PROCESSING".to_string())
        );
        // No reference given keeps the one stored; the message is replaced.
        assert_eq!(
            store.read(|u| u.payments().card_payment("bk_1")).unwrap(),
            None
        );
        w(&|u| {
            u.payments()
                .record_outcome("pay_2", "succeeded", None, None)
        });
        assert!(!store.read(|u| u.payments().settling("pay_2")).unwrap().0);
        let rows = store.read(|u| u.payments().of_booking("bk_1")).unwrap();
        let two = rows.iter().find(|r| r.id == "pay_2").unwrap();
        assert_eq!(
            (
                two.status.as_str(),
                two.message.as_deref(),
                two.method.as_str()
            ),
            ("succeeded", None, "card")
        );
        assert_eq!(
            (
                two.card_brand.as_deref(),
                two.card_last4.as_deref(),
                two.amount,
                two.created_at
            ),
            (Some("visa"), Some("4242"), 5000, 200)
        );
        assert_eq!(
            rows.iter()
                .find(|r| r.id == "pay_0")
                .unwrap()
                .message
                .as_deref(),
            Some("declined")
        );

        // A date change's charge: applied (succeeded) or given back (refunded).
        w(&|u| {
            u.payments()
                .record_change_charge(&change("chg_1", "ch_1", 300), true)
        });
        w(&|u| {
            u.payments()
                .record_change_charge(&change("chg_2", "ch_2", 400), false)
        });
        let rows = store.read(|u| u.payments().of_booking("bk_1")).unwrap();
        let tail: Vec<_> = rows[3..]
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.status.as_str(),
                    r.message.as_deref(),
                    r.amount,
                )
            })
            .collect();
        assert_eq!(
            tail,
            vec![
                ("chg_1", "succeeded", Some("flight date change"), 700),
                (
                    "chg_2",
                    "refunded",
                    Some("flight date change not applied"),
                    700
                ),
            ],
            "{engine}"
        );
        // The first successful card payment is still the charge.
        assert_eq!(
            store.read(|u| u.payments().card_payment("bk_1")).unwrap(),
            Some("pay_2".into())
        );

        // A webhook finds the newest payment with a reference, with its booking.
        let by = |r: &str| store.read(|u| u.payments().by_reference(r)).unwrap();
        assert_eq!(
            by("pi_2"),
            Some(ReferencedPayment {
                id: "pay_2".into(),
                booking: "bk_1".into(),
                status: "succeeded".into(),
                booking_status: "PAYMENT_PROCESSING".into(),
                user: "usr_a".into(),
                amount: 5000,
                currency: "EUR".into(),
            })
        );
        w(&|u| {
            u.payments()
                .record_change_charge(&change("chg_3", "pi_2", 500), true)
        });
        assert_eq!(by("pi_2").unwrap().id, "chg_3");
        assert_eq!(by("pi_none"), None);

        // A payment for a booking that does not exist: a conflict, as on SQLite.
        is_gone(
            store
                .write(|u| u.payments().start(&attempt_of("pay_x", "bk_gone", "k", 1)))
                .unwrap_err(),
        );
    });
}

#[test]
fn refunds_are_owed_paid_once_and_waiting_charges_abandoned() {
    common::each_engine(|engine, store| {
        payments_setup(store);
        let w = |f: &dyn Fn(&dyn Unit) -> Result<()>| store.write(|u| f(u)).unwrap();
        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_1", "bk_1", "key_1", 100))
        });
        w(&|u| {
            u.payments()
                .record_outcome("pay_1", "succeeded", Some("pi_1"), None)
        });
        assert!(!store.read(|u| u.payments().refund_owed("bk_1")).unwrap());
        assert_eq!(
            store.read(|u| u.payments().refunded_total("bk_1")).unwrap(),
            0
        );
        assert!(
            store
                .read(|u| u.payments().owed_refunds())
                .unwrap()
                .is_empty()
        );

        let refund = |id: &'static str, amount: i64, at: i64| NewRefund {
            id,
            booking: "bk_1",
            payment: "pay_1",
            amount,
            currency: "EUR",
            at,
        };
        w(&|u| u.payments().owe_refund(&refund("ref_2", 300, 700)));
        w(&|u| u.payments().owe_refund(&refund("ref_1", 1000, 600)));
        assert!(store.read(|u| u.payments().refund_owed("bk_1")).unwrap());
        // Every refund owed; in no promised order (SQLite gives its insertion order,
        // PostgreSQL oldest first), so compared by id.
        let mut owed = store.read(|u| u.payments().owed_refunds()).unwrap();
        owed.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(
            owed,
            vec![
                OwedRefund {
                    id: "ref_1".into(),
                    booking: "bk_1".into(),
                    provider: "stripe".into(),
                    reference: "pi_1".into(),
                    amount: 1000,
                    currency: "EUR".into(),
                },
                OwedRefund {
                    id: "ref_2".into(),
                    booking: "bk_1".into(),
                    provider: "stripe".into(),
                    reference: "pi_1".into(),
                    amount: 300,
                    currency: "EUR".into(),
                },
            ],
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.payments().refunded_total("bk_1")).unwrap(),
            1300
        );

        let paid = |id: &str, amount: i64| {
            store
                .write(|u| u.payments().refund_paid(id, "bk_1", amount))
                .unwrap()
        };
        assert!(paid("ref_1", 1000));
        assert!(!paid("ref_1", 1000), "{engine}: paid once");
        assert!(!paid("ref_none", 1000));
        assert_eq!(
            one(store, "SELECT refunded FROM bookings WHERE id = 'bk_1'"),
            1000
        );
        assert_eq!(
            store
                .read(|u| u.payments().owed_refunds())
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            ["ref_2"]
        );
        assert!(paid("ref_2", 300));
        assert!(!store.read(|u| u.payments().refund_owed("bk_1")).unwrap());
        assert_eq!(
            one(store, "SELECT refunded FROM bookings WHERE id = 'bk_1'"),
            1300
        );
        assert_eq!(
            store.read(|u| u.payments().refunded_total("bk_1")).unwrap(),
            1300
        );
        // A refund of a payment that does not exist: a conflict, as on SQLite.
        is_gone(
            store
                .write(|u| {
                    u.payments().owe_refund(&NewRefund {
                        payment: "pay_gone",
                        ..refund("ref_x", 1, 1)
                    })
                })
                .unwrap_err(),
        );

        // Charges waiting for the cardholder on cancelled bookings, then abandoned.
        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_3", "bk_2", "key_3", 300))
        });
        w(&|u| {
            u.payments()
                .start(&attempt_of("pay_4", "bk_1", "key_4", 300))
        });
        assert!(
            store
                .read(|u| u.payments().waiting_on_cancelled())
                .unwrap()
                .is_empty()
        );
        w(&|u| {
            u.payments()
                .record_outcome("pay_3", "requires_action", Some("pi_3"), None)
        });
        w(&|u| {
            u.payments()
                .record_outcome("pay_4", "requires_action", Some("pi_4"), None)
        });
        assert_eq!(
            store.read(|u| u.payments().waiting_on_cancelled()).unwrap(),
            vec![("pay_3".to_string(), "pi_3".to_string())],
            "{engine}"
        );
        store.read(|u| u.payments().abandon("pay_3")).unwrap();
        store.read(|u| u.payments().abandon("pay_1")).unwrap();
        assert!(
            store
                .read(|u| u.payments().waiting_on_cancelled())
                .unwrap()
                .is_empty()
        );
        let status = |booking: &str, id: &str| {
            let rows = store.read(|u| u.payments().of_booking(booking)).unwrap();
            let r = rows.into_iter().find(|r| r.id == id).unwrap();
            (r.status, r.message)
        };
        assert_eq!(
            status("bk_2", "pay_3"),
            (
                "canceled".to_string(),
                Some("abandoned: the booking was cancelled".to_string())
            )
        );
        assert_eq!(status("bk_1", "pay_1"), ("succeeded".to_string(), None));
    });
}

#[test]
fn a_provider_event_is_taken_once() {
    common::each_engine(|engine, store| {
        let take = |id: &str, booking: Option<&str>| {
            store
                .write(|u| {
                    u.payments().take_provider_event(
                        "stripe",
                        id,
                        "payment_intent.succeeded",
                        booking,
                        700,
                    )
                })
                .unwrap()
        };
        assert!(take("evt_1", Some("bk_1")), "{engine}");
        assert!(!take("evt_1", Some("bk_1")));
        assert!(!take("evt_1", None));
        assert!(take("evt_2", None));
        let takes = race(engine, store, |_, u| {
            u.payments()
                .take_provider_event("stripe", "evt_3", "charge.refunded", None, 800)
        });
        assert_eq!(yeses(takes), 1, "{engine}");
        assert_eq!(one(store, "SELECT count(*) FROM payment_events"), 3);
    });
}

#[test]
fn a_refund_paid_by_several_writers_at_once_is_added_once() {
    common::each_engine(|engine, store| {
        payments_setup(store);
        store
            .write(|u| {
                u.payments()
                    .start(&attempt_of("pay_1", "bk_1", "key_1", 100))?;
                u.payments().owe_refund(&NewRefund {
                    id: "ref_1",
                    booking: "bk_1",
                    payment: "pay_1",
                    amount: 1500,
                    currency: "EUR",
                    at: 200,
                })
            })
            .unwrap();
        let paid = race(engine, store, |_, u| {
            u.payments().refund_paid("ref_1", "bk_1", 1500)
        });
        assert_eq!(yeses(paid), 1, "{engine}");
        assert_eq!(
            one(store, "SELECT refunded FROM bookings WHERE id = 'bk_1'"),
            1500,
            "{engine}"
        );
    });
}

#[test]
fn an_outcome_is_applied_by_one_writer_only_whatever_the_number_of_writers() {
    common::each_engine(|engine, store| {
        payments_setup(store);
        store
            .write(|u| {
                u.payments()
                    .start(&attempt_of("pay_1", "bk_1", "key_1", 100))
            })
            .unwrap();
        // As the charge desk settles: read the attempt open, then write its outcome and what
        // follows from it (here: a refund owed) in the same unit.
        let applied = race(engine, store, |i, u| {
            let (open, status) = u.payments().settling("pay_1")?;
            assert_eq!(status, "PAYMENT_PROCESSING");
            if open {
                u.payments().record_outcome(
                    "pay_1",
                    "succeeded",
                    Some(&format!("pi_{i}")),
                    None,
                )?;
                u.payments().owe_refund(&NewRefund {
                    id: &format!("ref_{i}"),
                    booking: "bk_1",
                    payment: "pay_1",
                    amount: 5000,
                    currency: "EUR",
                    at: 200,
                })?;
            }
            Ok(open)
        });
        assert_eq!(yeses(applied), 1, "{engine}");
        assert_eq!(one(store, "SELECT count(*) FROM refunds"), 1, "{engine}");
        assert_eq!(
            store.read(|u| u.payments().settling("pay_1")).unwrap(),
            (false, "PAYMENT_PROCESSING".to_string())
        );
    });
}

// ---------------------------------------------------------------- badges, challenges, counts

#[test]
fn a_badge_and_a_challenge_are_awarded_once() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "", true, 1);
        user(store, "usr_b", "Bob", "", true, 2);
        let award = |who: &str, badge: &str, at: i64| {
            store
                .write(|u| u.points().award_badge(who, badge, at))
                .unwrap()
        };
        assert!(
            store
                .read(|u| u.points().earned_badges("usr_a"))
                .unwrap()
                .is_empty()
        );
        assert!(award("usr_a", "globetrotter", 100), "{engine}");
        assert!(!award("usr_a", "globetrotter", 200));
        assert!(award("usr_a", "Zeta", 300));
        assert!(award("usr_a", "early_bird", 300));
        assert!(award("usr_b", "globetrotter", 400));
        // By name, in bytes (upper case first).
        assert_eq!(
            store.read(|u| u.points().earned_badges("usr_a")).unwrap(),
            ["Zeta", "early_bird", "globetrotter"],
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.points().badge_awarded_at("usr_a", "globetrotter"))
                .unwrap(),
            Some(100)
        );
        assert_eq!(
            store
                .read(|u| u.points().badge_awarded_at("usr_b", "early_bird"))
                .unwrap(),
            None
        );
        is_gone(
            store
                .write(|u| u.points().award_badge("usr_gone", "x", 1))
                .unwrap_err(),
        );

        let complete = |who: &str, c: &str| {
            store
                .write(|u| u.points().complete_challenge(who, c, 500))
                .unwrap()
        };
        let completed = |who: &str, c: &str| {
            store
                .read(|u| u.points().challenge_completed(who, c))
                .unwrap()
        };
        assert!(!completed("usr_a", "asia-2026-12"));
        assert!(complete("usr_a", "asia-2026-12"));
        assert!(!complete("usr_a", "asia-2026-12"));
        assert!(completed("usr_a", "asia-2026-12"));
        assert!(!completed("usr_a", "asia-2027-01"));
        assert!(!completed("usr_b", "asia-2026-12"));
        is_gone(
            store
                .write(|u| u.points().complete_challenge("usr_gone", "x", 1))
                .unwrap_err(),
        );

        let awards = race(engine, store, |i, u| {
            u.points().award_badge("usr_b", "explorer", i as i64)
        });
        assert_eq!(yeses(awards), 1, "{engine}");
        let completions = race(engine, store, |i, u| {
            u.points().complete_challenge("usr_b", "streak", i as i64)
        });
        assert_eq!(yeses(completions), 1, "{engine}");
    });
}

/// Midnight UTC of `date`, in seconds.
fn midnight(date: &str) -> i64 {
    format!("{date}T00:00:00Z")
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

#[test]
fn what_the_points_rules_count_of_bookings_and_reviews() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "", true, 1);
        user(store, "usr_b", "Bob", "", true, 2);
        let p = store;
        booking(
            p,
            "bk_1",
            "usr_a",
            "CONFIRMED",
            "EUR",
            900,
            1000,
            "2027-01-01",
            1000,
        );
        item(p, "bk_1", 1, "Asia");
        booking(
            p,
            "bk_2",
            "usr_a",
            "COMPLETED",
            "EUR",
            500,
            500,
            "2027-01-01",
            2000,
        );
        item(p, "bk_2", 1, "Europe");
        item(p, "bk_2", 2, "");
        booking(
            p,
            "bk_3",
            "usr_a",
            "CANCELLED",
            "USD",
            100,
            200,
            "2027-01-01",
            1500,
        );
        item(p, "bk_3", 1, "Africa");
        booking(
            p,
            "bk_4",
            "usr_a",
            "CONFIRMED",
            "USD",
            300,
            350,
            "2027-01-01",
            3000,
        );
        item(p, "bk_4", 1, "Asia");
        item(p, "bk_4", 2, "Asia");
        booking(
            p,
            "bk_5",
            "usr_a",
            "PENDING",
            "GBP",
            1,
            5,
            "2027-01-01",
            1200,
        );
        for seq in 1..=4 {
            exec(
                p,
                &format!(
                    "INSERT INTO booking_passengers(booking_id, seq, given_name, family_name, born_on, type)
                     VALUES ('bk_1', {seq}, 'A', 'B', '1990-01-01', 'adult')"
                ),
            );
        }
        exec(
            p,
            "INSERT INTO packages(id, slug, title, description, type, destination, destination_name, country,
                                  continent, duration_days, base_price, currency, rating, review_count, max_group,
                                  source, updated_at)
             VALUES ('pkg_1', 'pkg-1', 'A package', 'Nice', 'city', 'LON', 'London', 'GB', 'Europe', 3, 100,
                     'EUR', 4.5, 0, 10, 'fixture', 0);
             INSERT INTO reviews(id, booking_id, package_id, user_id, rating, text, created_at)
             VALUES ('rev_1', 'bk_2', 'pkg_1', 'usr_a', 5, 'Lovely', 2500);
             INSERT INTO reviews(id, booking_id, package_id, user_id, rating, text, created_at)
             VALUES ('rev_2', 'bk_1', 'pkg_1', 'usr_a', 4, 'Good', 2600);",
        );
        let r = |f: &dyn Fn(&dyn Unit) -> Result<i64>| store.read(|u| f(u)).unwrap();
        let yes = |f: &dyn Fn(&dyn Unit) -> Result<bool>| store.read(|u| f(u)).unwrap();

        // Live (confirmed or completed) bookings made in [from, to), up to a cap.
        assert_eq!(
            r(&|u| u.points().live_bookings_between("usr_a", 0, 10_000, 10)),
            3,
            "{engine}"
        );
        assert_eq!(
            r(&|u| u.points().live_bookings_between("usr_a", 0, 10_000, 2)),
            2
        );
        assert_eq!(
            r(&|u| u.points().live_bookings_between("usr_a", 1000, 2000, 10)),
            1
        );
        assert_eq!(
            r(&|u| u.points().live_bookings_between("usr_b", 0, 10_000, 10)),
            0
        );
        // Those with an item in Asia, each once.
        assert_eq!(
            r(&|u| u.points().asia_bookings_between("usr_a", 0, 10_000, 10)),
            2
        );
        assert_eq!(
            r(&|u| u.points().asia_bookings_between("usr_a", 0, 10_000, 1)),
            1
        );
        assert_eq!(
            r(&|u| u.points().asia_bookings_between("usr_a", 1001, 10_000, 10)),
            1
        );
        assert_eq!(
            r(&|u| u.points().asia_bookings_between("usr_a", 3000, 3000, 10)),
            0
        );
        // Reviews.
        assert_eq!(
            r(&|u| u.points().reviews_between("usr_a", 2500, 2501, 10)),
            1
        );
        assert_eq!(r(&|u| u.points().reviews_between("usr_a", 0, 2500, 10)), 0);
        assert_eq!(r(&|u| u.points().reviews_between("usr_a", 0, 9999, 1)), 1);
        assert_eq!(r(&|u| u.points().review_count("usr_a")), 2);
        assert_eq!(r(&|u| u.points().review_count("usr_b")), 0);

        assert_eq!(
            store.read(|u| u.points().booking_saved("bk_1")).unwrap(),
            Some(true)
        );
        assert_eq!(
            store.read(|u| u.points().booking_saved("bk_2")).unwrap(),
            Some(false)
        );
        assert_eq!(
            store.read(|u| u.points().booking_saved("bk_9")).unwrap(),
            None
        );

        assert_eq!(r(&|u| u.points().live_bookings_up_to_ten("usr_a")), 3);
        assert_eq!(
            store.read(|u| u.points().live_savings("usr_a")).unwrap(),
            vec![("EUR".to_string(), 2, 100), ("USD".to_string(), 1, 50)],
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.points().live_savings("usr_b"))
                .unwrap()
                .is_empty()
        );

        assert!(yes(&|u| u.points().has_fourth_traveller("bk_1")));
        assert!(!yes(&|u| u.points().has_fourth_traveller("bk_2")));
        assert!(yes(&|u| u.points().goes_to_asia("bk_4")));
        assert!(!yes(&|u| u.points().goes_to_asia("bk_2")));
        assert!(!yes(&|u| u.points().goes_to_asia("bk_9")));
        // Asia is reached by another live booking; Europe and Africa by none other.
        assert!(!yes(&|u| u.points().reaches_new_continent("usr_a", "bk_1")));
        assert!(yes(&|u| u.points().reaches_new_continent("usr_a", "bk_2")));
        assert!(yes(&|u| u.points().reaches_new_continent("usr_a", "bk_3")));
        assert!(!yes(&|u| u.points().reaches_new_continent("usr_a", "bk_5")));
        assert_eq!(
            r(&|u| u.points().live_continent_count("usr_a")),
            2,
            "{engine}"
        );
        assert_eq!(r(&|u| u.points().live_continent_count("usr_b")), 0);

        // Ninety days ahead: the start date's midnight, from the moment of booking.
        let start = midnight("2027-04-01");
        booking(
            p,
            "bk_90",
            "usr_b",
            "CONFIRMED",
            "EUR",
            1,
            1,
            "2027-04-01",
            start - 90 * 86_400,
        );
        booking(
            p,
            "bk_89",
            "usr_b",
            "CONFIRMED",
            "EUR",
            1,
            1,
            "2027-04-01",
            start - 90 * 86_400 + 1,
        );
        assert!(
            yes(&|u| u.points().booked_ninety_days_ahead("bk_90")),
            "{engine}"
        );
        assert!(
            !yes(&|u| u.points().booked_ninety_days_ahead("bk_89")),
            "{engine}"
        );
        assert!(!yes(&|u| u.points().booked_ninety_days_ahead("bk_9")));

        // Counted up to ten.
        for n in 0..10 {
            booking(
                p,
                &format!("bk_b{n}"),
                "usr_b",
                "COMPLETED",
                "EUR",
                1,
                1,
                "2027-01-01",
                5000 + n,
            );
        }
        assert_eq!(r(&|u| u.points().live_bookings_up_to_ten("usr_b")), 10);
    });
}

#[test]
fn the_leaderboard_ranks_accounts_by_points_ever_earned() {
    common::each_engine(|engine, store| {
        user(store, "usr_a", "Ada", "Lovelace", true, 10);
        user(store, "usr_b", "", "", true, 20);
        user(store, "usr_c", "Cy", "", false, 5);
        user(store, "usr_d", "", "Dee", true, 30);
        user(store, "usr_e", "Eve", "", true, 40);
        for (who, points) in [
            ("usr_b", 300),
            ("usr_a", 200),
            ("usr_a", 100),
            ("usr_c", 1000),
            ("usr_d", 50),
        ] {
            assert!(
                store
                    .write(|u| u.ledger().append(&row(who, "EARNED", points, points)))
                    .unwrap()
            );
        }
        let board = |viewer: &str, limit: usize| {
            store
                .read(|u| u.points().leaderboard(viewer, limit))
                .unwrap()
                .into_iter()
                .map(|r| {
                    format!(
                        "{}|{}|{}|{}|{}",
                        r.rank, r.user, r.first_name, r.last_name, r.total
                    )
                })
                .collect::<Vec<_>>()
        };
        // Most points first, then the oldest account; an account that cannot log in is left
        // out unless it is the viewer's. No e-mail comes out.
        assert_eq!(
            board("usr_a", 10),
            [
                "1|usr_a|Ada|Lovelace|300",
                "2|usr_b|||300",
                "3|usr_d||Dee|50",
                "4|usr_e|Eve||0",
            ],
            "{engine}"
        );
        assert_eq!(
            board("usr_c", 2),
            ["1|usr_c|Cy||1000", "2|usr_a|Ada|Lovelace|300"],
            "{engine}"
        );
        // The viewer's own row comes at its rank when it is below the first `limit`.
        assert_eq!(
            board("usr_e", 2),
            [
                "1|usr_a|Ada|Lovelace|300",
                "2|usr_b|||300",
                "4|usr_e|Eve||0"
            ],
            "{engine}"
        );
        assert_eq!(board("usr_a", 0), ["1|usr_a|Ada|Lovelace|300"], "{engine}");

        // Bob opts out: gone from the others' boards (the ranks close up), still on his own.
        let prefs = |who: &str, json: &str| {
            assert!(
                store
                    .write(|u| u.users().save_profile(
                        who,
                        &format!("{who}@example.com"),
                        "",
                        if who == "usr_d" { "Dee" } else { "" },
                        json
                    ))
                    .unwrap()
            );
        };
        prefs("usr_b", r#"{"interests":["food"],"leaderboard":false}"#);
        prefs("usr_d", r#"{"leaderboard":true}"#);
        assert_eq!(
            board("usr_a", 10),
            [
                "1|usr_a|Ada|Lovelace|300",
                "2|usr_d||Dee|50",
                "3|usr_e|Eve||0"
            ],
            "{engine}"
        );
        assert_eq!(
            board("usr_b", 10),
            [
                "1|usr_a|Ada|Lovelace|300",
                "2|usr_b|||300",
                "3|usr_d||Dee|50",
                "4|usr_e|Eve||0",
            ],
            "{engine}"
        );
        assert_eq!(
            board("usr_e", 1),
            ["1|usr_a|Ada|Lovelace|300", "3|usr_e|Eve||0"],
            "{engine}"
        );
    });
}
