//! The storage port's accounts side, on both engines: users (accounts, profiles, roles,
//! refresh tokens), the outbox, webhook subscriptions, conversations, reports, trips and price
//! watches. Generic bodies run on a fresh SQLite store then a fresh PostgreSQL one
//! (`common::each_engine`) and must see the same results; the promises that several writers
//! could break are then checked on PostgreSQL with 8 threads at once (its writers are not
//! serialised as SQLite's are).

mod common;

use booksygo_core::model::conversation::Message;
use booksygo_core::model::watch::NewWatch;
use booksygo_core::model::{Cabin, Currency, Money};
use booksygo_core::store::port::{DayFigures, NewAccount, RefreshToken, StoredProfile};
use booksygo_core::store::{Delivered, NewEvent, Store};
use booksygo_core::{Error, ErrorKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

// ---------------------------------------------------------------------------------------
// Helpers

/// Runs raw SQL (no parameters; written to be valid on both engines) for rows of areas that
/// are not under test here.
fn raw(store: &Store, sql: &str) {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().batch_execute(sql).unwrap(),
        None => store.conn().unwrap().execute_batch(sql).unwrap(),
    }
}

/// One number from raw SQL.
fn count(store: &Store, sql: &str) -> i64 {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().query_one(sql, &[]).unwrap().get(0),
        None => store
            .conn()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

fn account<'a>(id: &'a str, email: &'a str, role: &'a str, at: i64) -> NewAccount<'a> {
    NewAccount {
        id,
        email,
        first_name: "Ada",
        last_name: "Lovelace",
        role,
        password_hash: "$argon2id$hash",
        at,
    }
}

fn register(store: &Store, a: NewAccount<'_>) -> bool {
    store.write(|u| u.users().register(&a)).unwrap()
}

/// A booking row of `user` (raw: bookings are another area's).
#[allow(clippy::too_many_arguments)]
fn booking(
    store: &Store,
    id: &str,
    user: &str,
    status: &str,
    currency: &str,
    total: i64,
    starts_on: &str,
    at: i64,
) {
    raw(
        store,
        &format!(
            "INSERT INTO bookings(id, user_id, status, confirmation_code, contact_email, currency, total, list_total, amount_due, starts_on, ends_on, created_at, updated_at)
             VALUES ('{id}', '{user}', '{status}', 'C{id}', 'a@b.c', '{currency}', {total}, {total}, {total}, '{starts_on}', '{starts_on}', {at}, {at})"
        ),
    );
}

fn message(role: &str, content: &str) -> Message {
    Message {
        role: role.into(),
        content: content.into(),
        tool_calls: None,
        tool_call_id: None,
    }
}

fn pg() -> (booksygo_core::store::postgres::testing::TestDatabase, Store) {
    let db = booksygo_core::store::postgres::testing::TestDatabase::create();
    let store = db.port();
    (db, store)
}

/// Runs `work(i)` on `n` threads that start together (each waits for the others first).
fn together<T: Send>(n: usize, work: impl Fn(usize, &Barrier) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let barrier = &barrier;
                let work = &work;
                s.spawn(move || work(i, barrier))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

// ---------------------------------------------------------------------------------------
// Users, on both engines

#[test]
fn accounts_register_once_per_email_in_any_case_and_read_back() {
    common::each_engine(|engine, store| {
        assert!(
            register(store, account("usr_a", "ada@example.com", "user", 10)),
            "{engine}"
        );
        // The same e-mail in another case, or the same id: refused, nothing written.
        assert!(
            !register(store, account("usr_b", "ADA@Example.COM", "user", 11)),
            "{engine}"
        );
        assert!(
            !register(store, account("usr_a", "other@example.com", "user", 11)),
            "{engine}"
        );
        assert_eq!(count(store, "SELECT count(*) FROM users"), 1, "{engine}");

        // Credentials by e-mail, whatever its case.
        let creds = store
            .read(|u| u.users().credentials("Ada@EXAMPLE.com"))
            .unwrap();
        assert_eq!(
            creds,
            Some(("usr_a".into(), Some("$argon2id$hash".into()))),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.users().credentials("nobody@example.com"))
                .unwrap(),
            None
        );

        let profile = store.read(|u| u.users().profile("usr_a")).unwrap();
        assert_eq!(
            profile,
            Some(StoredProfile {
                id: "usr_a".into(),
                email: "ada@example.com".into(),
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                role: "user".into(),
                preferences: "{}".into(),
            }),
            "{engine}"
        );
        assert_eq!(store.read(|u| u.users().profile("usr_none")).unwrap(), None);
        assert_eq!(
            store.read(|u| u.users().role("usr_a")).unwrap().as_deref(),
            Some("user")
        );
        assert_eq!(store.read(|u| u.users().role("usr_none")).unwrap(), None);

        // ensure_user adds an account without a password once, and leaves an existing one.
        store
            .write(|u| u.users().ensure_user("usr_local", "local@localhost", 5))
            .unwrap();
        store
            .write(|u| u.users().ensure_user("usr_local", "changed@localhost", 6))
            .unwrap();
        store
            .write(|u| u.users().ensure_user("usr_a", "x@y.z", 6))
            .unwrap();
        let local = store
            .read(|u| u.users().profile("usr_local"))
            .unwrap()
            .unwrap();
        assert_eq!(local.email, "local@localhost", "{engine}");
        assert_eq!(local.role, "user", "{engine}");
        assert_eq!(
            store
                .read(|u| u.users().credentials("LOCAL@localhost"))
                .unwrap(),
            Some(("usr_local".into(), None))
        );
        assert_eq!(
            store
                .read(|u| u.users().profile("usr_a"))
                .unwrap()
                .unwrap()
                .email,
            "ada@example.com"
        );
        // ensure_user with an e-mail another account holds (in another case) writes nothing.
        store
            .write(|u| u.users().ensure_user("usr_clash", "Ada@example.com", 6))
            .unwrap();
        assert_eq!(
            store.read(|u| u.users().profile("usr_clash")).unwrap(),
            None,
            "{engine}"
        );

        // Login accounts: those with a password, oldest first, then by id (bytewise).
        assert!(register(
            store,
            account("usr_c", "c@example.com", "user", 10)
        ));
        assert!(register(
            store,
            account("usr_B", "b@example.com", "user", 10)
        ));
        assert!(register(
            store,
            account("usr_0", "zero@example.com", "user", 3)
        ));
        assert_eq!(
            store.read(|u| u.users().login_accounts()).unwrap(),
            vec!["usr_0", "usr_B", "usr_a", "usr_c"],
            "{engine}"
        );
    });
}

#[test]
fn a_profile_keeps_its_email_unique_and_the_unit_goes_on_after_a_refusal() {
    common::each_engine(|engine, store| {
        assert!(register(
            store,
            account("usr_a", "ada@example.com", "user", 1)
        ));
        assert!(register(
            store,
            account("usr_b", "bob@example.com", "user", 2)
        ));
        // Another account's e-mail, in another case: refused; the same unit still writes and
        // commits what comes after.
        let refused = store
            .write(|u| {
                let saved = u
                    .users()
                    .save_profile("usr_b", "ADA@example.com", "Bob", "B", "{}")?;
                u.users().save_profile(
                    "usr_a",
                    "ada@example.com",
                    "Augusta",
                    "King",
                    r#"{"x":1}"#,
                )?;
                Ok(saved)
            })
            .unwrap();
        assert!(!refused, "{engine}");
        let b = store.read(|u| u.users().profile("usr_b")).unwrap().unwrap();
        assert_eq!(
            (b.email.as_str(), b.first_name.as_str()),
            ("bob@example.com", "Ada"),
            "{engine}"
        );
        let a = store.read(|u| u.users().profile("usr_a")).unwrap().unwrap();
        assert_eq!(
            (
                a.first_name.as_str(),
                a.last_name.as_str(),
                a.preferences.as_str()
            ),
            ("Augusta", "King", r#"{"x":1}"#),
            "{engine}"
        );
        // Its own e-mail in another case, or a free one: written.
        assert!(
            store
                .write(|u| u
                    .users()
                    .save_profile("usr_a", "Ada@Example.com", "A", "L", "{}"))
                .unwrap()
        );
        assert_eq!(
            store
                .read(|u| u.users().profile("usr_a"))
                .unwrap()
                .unwrap()
                .email,
            "Ada@Example.com"
        );
        assert!(
            store
                .write(|u| u
                    .users()
                    .save_profile("usr_b", "robert@example.com", "Rob", "B", "{}"))
                .unwrap()
        );
        assert_eq!(
            store
                .read(|u| u.users().credentials("ROBERT@example.com"))
                .unwrap()
                .map(|c| c.0)
                .as_deref(),
            Some("usr_b"),
            "{engine}"
        );
        // Outside a transaction (a read unit) the refusal is the same.
        assert!(
            !store
                .read(|u| u
                    .users()
                    .save_profile("usr_b", "ada@EXAMPLE.com", "R", "B", "{}"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .read(|u| u
                    .users()
                    .save_profile("usr_b", "bob@example.com", "Bob", "B", "{}"))
                .unwrap(),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.users().profile("usr_b"))
                .unwrap()
                .unwrap()
                .email,
            "bob@example.com"
        );
    });
}

#[test]
fn the_team_keeps_an_admin_who_can_log_in() {
    common::each_engine(|engine, store| {
        assert!(register(store, account("usr_a", "a@x.io", "admin", 1)));
        assert!(register(store, account("usr_b", "b@x.io", "admin", 2)));
        store
            .write(|u| u.users().ensure_user("usr_nopw", "n@x.io", 3))
            .unwrap();
        // An admin without a password does not count as one who keeps the team.
        assert!(
            store
                .write(|u| u.users().set_role("usr_nopw", "admin"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.users().set_role("usr_a", "user"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            !store
                .write(|u| u.users().set_role("usr_b", "partner"))
                .unwrap(),
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.users().role("usr_b")).unwrap().as_deref(),
            Some("admin")
        );
        // The last admin may stay admin, a non-admin may change freely, and a promotion is
        // always allowed.
        assert!(
            store
                .write(|u| u.users().set_role("usr_b", "admin"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.users().set_role("usr_a", "partner"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.users().set_role("usr_a", "admin"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store.read(|u| u.users().set_role("usr_b", "user")).unwrap(),
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.users().role("usr_b")).unwrap().as_deref(),
            Some("user")
        );
        // No such account: nothing written.
        assert!(
            !store
                .write(|u| u.users().set_role("usr_none", "admin"))
                .unwrap(),
            "{engine}"
        );
    });
}

#[test]
fn a_refresh_token_is_used_once_and_its_family_revoked_together() {
    common::each_engine(|engine, store| {
        assert!(register(store, account("usr_a", "a@x.io", "user", 1)));
        store
            .write(|u| {
                u.users()
                    .add_refresh_token("h1", "usr_a", "fam1", 100, 10)?;
                u.users()
                    .add_refresh_token("h2", "usr_a", "fam1", 200, 20)?;
                u.users().add_refresh_token("h3", "usr_a", "fam2", 300, 30)
            })
            .unwrap();
        assert_eq!(
            store
                .read(|u| u.users().refresh_token_by_hash("h1"))
                .unwrap(),
            Some(RefreshToken {
                user: "usr_a".into(),
                family: "fam1".into(),
                expires_at: 100,
                used_at: None,
                revoked_at: None,
            }),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.users().refresh_token_by_hash("nope"))
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .read(|u| u.users().refresh_family("h3"))
                .unwrap()
                .as_deref(),
            Some("fam2")
        );
        assert_eq!(
            store.read(|u| u.users().refresh_family("nope")).unwrap(),
            None
        );

        assert!(
            store
                .write(|u| u.users().use_refresh_token("h1", 50))
                .unwrap(),
            "{engine}"
        );
        assert!(
            !store
                .write(|u| u.users().use_refresh_token("h1", 60))
                .unwrap(),
            "{engine}"
        );
        assert!(
            !store
                .read(|u| u.users().use_refresh_token("nope", 60))
                .unwrap(),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.users().refresh_token_by_hash("h1"))
                .unwrap()
                .unwrap()
                .used_at,
            Some(50)
        );

        // Revoking a family marks its tokens once; another family is untouched.
        store
            .write(|u| u.users().revoke_family("fam1", 70))
            .unwrap();
        store
            .write(|u| u.users().revoke_family("fam1", 80))
            .unwrap();
        let revoked = |h: &str| {
            store
                .read(|u| u.users().refresh_token_by_hash(h))
                .unwrap()
                .unwrap()
                .revoked_at
        };
        assert_eq!(
            (revoked("h1"), revoked("h2"), revoked("h3")),
            (Some(70), Some(70), None),
            "{engine}"
        );

        // A token of an account that does not exist is a conflict, in SQLite's words.
        let e = store
            .write(|u| u.users().add_refresh_token("h9", "usr_gone", "f", 1, 1))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict, "{engine}: {e}");
        assert!(e.to_string().contains("no longer exists"), "{engine}: {e}");
        // A second token with the same hash is refused (an error, as on SQLite).
        assert!(
            store
                .write(|u| u.users().add_refresh_token("h1", "usr_a", "f", 1, 1))
                .is_err(),
            "{engine}"
        );
    });
}

#[test]
fn a_session_is_live_until_its_family_is_revoked_or_its_account_goes() {
    common::each_engine(|engine, store| {
        assert!(register(store, account("usr_a", "a@x.io", "user", 1)));
        assert!(register(store, account("usr_b", "b@x.io", "user", 2)));
        store
            .write(|u| {
                u.users().ensure_user("usr_n", "n@x.io", 3)?;
                u.users()
                    .add_refresh_token("h1", "usr_a", "fam1", 100, 10)?;
                u.users()
                    .add_refresh_token("h2", "usr_a", "fam2", 100, 10)?;
                u.users()
                    .add_refresh_token("h3", "usr_b", "famb", 100, 10)?;
                u.users().add_refresh_token("hn", "usr_n", "famn", 100, 10)
            })
            .unwrap();
        let live = |user: &str, family: &str| {
            store
                .read(|u| u.users().session_live(user, family))
                .unwrap()
        };
        assert!(live("usr_a", "fam1"), "{engine}");
        assert!(live("usr_a", "fam2"), "{engine}");
        assert!(!live("usr_b", "fam1"), "{engine}: a session is its owner's");
        assert!(!live("usr_a", "fam_never"), "{engine}: never started");
        assert!(
            !live("usr_n", "famn"),
            "{engine}: an account without a password"
        );

        // A rotation keeps the session; a revocation ends it, and a token a racing rotation
        // adds to the family after the revocation does not bring it back.
        store
            .write(|u| {
                assert!(u.users().use_refresh_token("h1", 20)?);
                u.users().add_refresh_token("h1b", "usr_a", "fam1", 100, 20)
            })
            .unwrap();
        assert!(live("usr_a", "fam1"), "{engine}");
        store
            .write(|u| u.users().revoke_family("fam1", 30))
            .unwrap();
        store
            .write(|u| u.users().add_refresh_token("h1c", "usr_a", "fam1", 100, 31))
            .unwrap();
        assert!(!live("usr_a", "fam1"), "{engine}: revoked");
        assert!(live("usr_a", "fam2"), "{engine}: another session goes on");

        // The account deleted by hand (no route deletes one), its tokens left behind.
        let delete = "DELETE FROM users WHERE id = 'usr_a'";
        match engine {
            "sqlite" => raw(
                store,
                &format!("PRAGMA foreign_keys = OFF; {delete}; PRAGMA foreign_keys = ON;"),
            ),
            _ => raw(
                store,
                &format!(
                    "SET session_replication_role = replica; {delete}; SET session_replication_role = DEFAULT;"
                ),
            ),
        }
        assert_eq!(
            count(store, "SELECT count(*) FROM users WHERE id = 'usr_a'"),
            0
        );
        assert!(!live("usr_a", "fam2"), "{engine}: the account is gone");
        assert!(live("usr_b", "famb"), "{engine}");
    });
}

// ---------------------------------------------------------------------------------------
// Outbox, on both engines

fn append(
    u: &dyn booksygo_core::store::Unit,
    kind: &str,
    user: Option<&str>,
    payload: serde_json::Value,
    at: i64,
) -> booksygo_core::Result<()> {
    u.outbox().append(&NewEvent {
        kind,
        subject: "sub_1",
        user,
        payload: &payload,
        at,
    })
}

#[test]
fn the_outbox_hands_events_out_in_order_from_any_seq() {
    common::each_engine(|engine, store| {
        assert_eq!(
            store.read(|u| u.outbox().last_seq()).unwrap(),
            0,
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.outbox().since(0, None, 10))
                .unwrap()
                .is_empty()
        );
        store
            .write(|u| {
                append(
                    u,
                    "booking.created",
                    Some("usr_a"),
                    serde_json::json!({"n": 1}),
                    1_700_000_000,
                )?;
                append(
                    u,
                    "booking.confirmed",
                    Some("usr_b"),
                    serde_json::json!({"n": 2}),
                    1_700_000_001,
                )
            })
            .unwrap();
        // Outside a transaction (the accounts' rules append from a read unit).
        store
            .read(|u| {
                append(
                    u,
                    "auth.refresh_reuse",
                    None,
                    serde_json::json!([1, "x"]),
                    1_700_000_002,
                )
            })
            .unwrap();
        store
            .write(|u| {
                append(
                    u,
                    "booking.cancelled",
                    Some("usr_a"),
                    serde_json::json!(null),
                    1_700_000_003,
                )
            })
            .unwrap();
        // A unit that fails leaves no event behind.
        let failed: booksygo_core::Result<()> = store.write(|u| {
            append(u, "never", None, serde_json::json!({}), 1)?;
            Err(Error::internal("roll back"))
        });
        assert!(failed.is_err());

        assert_eq!(
            store.read(|u| u.outbox().last_seq()).unwrap(),
            4,
            "{engine}"
        );
        let all = store.read(|u| u.outbox().since(0, None, 100)).unwrap();
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3, 4],
            "{engine}"
        );
        assert_eq!(
            all.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            vec![
                "booking.created",
                "booking.confirmed",
                "auth.refresh_reuse",
                "booking.cancelled"
            ]
        );
        assert_eq!(all[0].payload, serde_json::json!({"n": 1}));
        assert_eq!(all[2].payload, serde_json::json!([1, "x"]));
        assert_eq!(all[2].user_id, None);
        assert_eq!(all[0].subject_id, "sub_1");
        assert_eq!(all[1].created_at.as_second(), 1_700_000_001);
        assert!(all[0].id.starts_with("evt"), "{}", all[0].id);

        let after = store.read(|u| u.outbox().since(1, None, 2)).unwrap();
        assert_eq!(
            after.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![2, 3],
            "{engine}"
        );
        let ada = store
            .read(|u| u.outbox().since(0, Some("usr_a"), 10))
            .unwrap();
        assert_eq!(
            ada.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 4],
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.outbox().since(4, None, 10))
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .read(|u| u.outbox().since(0, Some("usr_none"), 10))
                .unwrap()
                .is_empty()
        );
    });
}

// ---------------------------------------------------------------------------------------
// Subscriptions, on both engines

#[test]
fn webhooks_are_leased_to_one_courier_and_settled_only_by_it() {
    common::each_engine(|engine, store| {
        assert!(register(store, account("usr_admin", "a@x.io", "admin", 1)));
        let events = vec!["booking.*".to_string(), "points.awarded".to_string()];
        store
            .write(|u| {
                u.subscriptions().insert(
                    "wh_b",
                    "https://b.example/hook",
                    &events,
                    "sec_b",
                    5,
                    "usr_admin",
                    20,
                )?;
                u.subscriptions().insert(
                    "wh_a",
                    "https://a.example/hook",
                    &["*".to_string()],
                    "sec_a",
                    0,
                    "usr_admin",
                    20,
                )?;
                u.subscriptions().insert(
                    "wh_0",
                    "https://0.example/hook",
                    &["*".to_string()],
                    "sec_0",
                    0,
                    "usr_admin",
                    10,
                )
            })
            .unwrap();
        let b = store
            .read(|u| u.subscriptions().get("wh_b"))
            .unwrap()
            .unwrap();
        assert_eq!(b.url, "https://b.example/hook");
        assert_eq!(b.events, events, "{engine}");
        assert_eq!(
            (
                b.secret.as_deref(),
                b.delivered_seq,
                b.failures,
                b.next_attempt_at,
                b.created_at
            ),
            (None, 5, 0, 0, 20)
        );
        assert_eq!(b.last_error, None);
        assert_eq!(
            store.read(|u| u.subscriptions().get("wh_none")).unwrap(),
            None
        );
        let ids = |s: &Store| {
            s.read(|u| u.subscriptions().list())
                .unwrap()
                .into_iter()
                .map(|w| w.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(store), vec!["wh_0", "wh_a", "wh_b"], "{engine}");
        assert_eq!(
            store.read(|u| u.subscriptions().due(0)).unwrap(),
            vec![
                ("wh_0".to_string(), "sec_0".to_string()),
                ("wh_a".into(), "sec_a".into()),
                ("wh_b".into(), "sec_b".into())
            ],
            "{engine}"
        );

        // The lease: one owner at a time until it runs out; the owner may take it again.
        assert!(
            store
                .write(|u| u.subscriptions().lease("wh_a", "c1", 100, 130))
                .unwrap()
        );
        assert!(
            !store
                .write(|u| u.subscriptions().lease("wh_a", "c2", 110, 140))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.subscriptions().lease("wh_a", "c1", 110, 140))
                .unwrap()
        );
        assert!(
            store
                .write(|u| u.subscriptions().renew("wh_a", "c1", 120, 150))
                .unwrap()
        );
        assert!(
            !store
                .write(|u| u.subscriptions().renew("wh_a", "c2", 120, 150))
                .unwrap()
        );
        assert!(
            !store
                .write(|u| u.subscriptions().renew("wh_a", "c1", 150, 160))
                .unwrap(),
            "{engine}: lapsed"
        );
        assert!(
            !store
                .write(|u| u.subscriptions().lease("wh_none", "c1", 1, 2))
                .unwrap()
        );
        // Lapsed: another courier takes it; the first one's settle changes nothing.
        assert!(
            store
                .write(|u| u.subscriptions().lease("wh_a", "c2", 150, 180))
                .unwrap()
        );
        store
            .write(|u| u.subscriptions().settle("wh_a", "c1", 99, &Delivered::All))
            .unwrap();
        assert_eq!(
            store
                .read(|u| u.subscriptions().get("wh_a"))
                .unwrap()
                .unwrap()
                .delivered_seq,
            0,
            "{engine}"
        );

        let failed = Delivered::Failed {
            why: "HTTP 500".into(),
            failures: 3,
            retry_at: 400,
        };
        store
            .write(|u| u.subscriptions().settle("wh_a", "c2", 7, &failed))
            .unwrap();
        let a = store
            .read(|u| u.subscriptions().get("wh_a"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                a.delivered_seq,
                a.failures,
                a.last_error.as_deref(),
                a.next_attempt_at
            ),
            (7, 3, Some("HTTP 500"), 400),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.subscriptions().due(399))
                .unwrap()
                .into_iter()
                .map(|d| d.0)
                .collect::<Vec<_>>(),
            vec!["wh_0", "wh_b"],
            "{engine}"
        );
        // The lease was given back: anyone may take it now.
        assert!(
            store
                .write(|u| u.subscriptions().lease("wh_a", "c3", 160, 190))
                .unwrap(),
            "{engine}"
        );
        store
            .write(|u| u.subscriptions().settle("wh_a", "c3", 9, &Delivered::All))
            .unwrap();
        let a = store
            .read(|u| u.subscriptions().get("wh_a"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.delivered_seq, a.failures, a.last_error, a.next_attempt_at),
            (9, 0, None, 0),
            "{engine}"
        );

        assert!(store.write(|u| u.subscriptions().delete("wh_b")).unwrap());
        assert!(!store.write(|u| u.subscriptions().delete("wh_b")).unwrap());
        assert_eq!(ids(store), vec!["wh_0", "wh_a"]);
        // Created by an account that does not exist: a conflict, as on SQLite.
        let e = store
            .write(|u| {
                u.subscriptions().insert(
                    "wh_x",
                    "https://x.example",
                    &events,
                    "s",
                    0,
                    "usr_gone",
                    1,
                )
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict, "{engine}: {e}");
    });
}

// ---------------------------------------------------------------------------------------
// Conversations, on both engines

#[test]
fn conversations_append_messages_in_place_and_only_for_their_owner() {
    common::each_engine(|engine, store| {
        let tool = Message {
            role: "assistant".into(),
            content: String::new(),
            tool_calls: Some(
                serde_json::json!([{"id": "c1", "name": "search", "arguments": "{}"}]),
            ),
            tool_call_id: None,
        };
        let answer = Message {
            role: "tool".into(),
            content: "found".into(),
            tool_calls: None,
            tool_call_id: Some("c1".into()),
        };
        assert!(
            store
                .write(|u| u.conversations().save(
                    "cnv_1",
                    "usr_a",
                    "Trip",
                    "{}",
                    0,
                    &[message("user", "hi"), tool.clone()],
                    100
                ))
                .unwrap()
        );
        assert!(
            store
                .write(|u| u.conversations().save(
                    "cnv_1",
                    "usr_a",
                    "Trip to Rome",
                    r#"{"s":1}"#,
                    2,
                    std::slice::from_ref(&answer),
                    110
                ))
                .unwrap()
        );
        // Another user's conversation: neither read nor written.
        assert!(
            !store
                .write(|u| u.conversations().save(
                    "cnv_1",
                    "usr_b",
                    "Mine",
                    "{}",
                    3,
                    &[message("user", "x")],
                    120
                ))
                .unwrap(),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.conversations().load("usr_b", "cnv_1"))
                .unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.conversations().load("usr_a", "cnv_none"))
                .unwrap(),
            None
        );

        let c = store
            .read(|u| u.conversations().load("usr_a", "cnv_1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.title.as_str(), c.state.as_str()),
            ("Trip to Rome", r#"{"s":1}"#),
            "{engine}"
        );
        assert_eq!(
            c.messages,
            vec![message("user", "hi"), tool, answer],
            "{engine}"
        );

        // A place already taken is never overwritten: the save fails and changes nothing.
        let e = store.write(|u| {
            u.conversations().save(
                "cnv_1",
                "usr_a",
                "Overwrite",
                "{}",
                1,
                &[message("user", "evil")],
                130,
            )
        });
        assert!(e.is_err(), "{engine}");
        let c = store
            .read(|u| u.conversations().load("usr_a", "cnv_1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                c.title.as_str(),
                c.messages.len(),
                c.messages[1].role.as_str()
            ),
            ("Trip to Rome", 3, "assistant"),
            "{engine}"
        );

        // Most recently updated first; equal times: the newest conversation first.
        assert!(
            store
                .write(|u| u
                    .conversations()
                    .save("cnv_2", "usr_a", "Two", "{}", 0, &[], 110))
                .unwrap()
        );
        assert!(
            store
                .write(|u| u.conversations().save(
                    "cnv_3",
                    "usr_a",
                    "Three",
                    "{}",
                    0,
                    &[message("user", "a")],
                    50
                ))
                .unwrap()
        );
        assert_eq!(
            store
                .read(|u| u.conversations().latest("usr_a"))
                .unwrap()
                .as_deref(),
            Some("cnv_2"),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.conversations().latest("usr_none"))
                .unwrap(),
            None
        );
        let list = store.read(|u| u.conversations().list("usr_a")).unwrap();
        assert_eq!(
            list.iter()
                .map(|s| (
                    s.id.as_str(),
                    s.title.as_str(),
                    s.messages,
                    s.updated_at.as_second()
                ))
                .collect::<Vec<_>>(),
            vec![
                ("cnv_2", "Two", 0, 110),
                ("cnv_1", "Trip to Rome", 3, 110),
                ("cnv_3", "Three", 1, 50)
            ],
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.conversations().list("usr_b"))
                .unwrap()
                .is_empty()
        );
    });
}

// ---------------------------------------------------------------------------------------
// Reports, on both engines

#[test]
fn reports_count_bookings_users_and_events() {
    common::each_engine(|engine, store| {
        store.read(|u| u.reports().answers()).unwrap();
        assert_eq!(
            store.read(|u| u.reports().user_count()).unwrap(),
            0,
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.reports().bookings_since(0)).unwrap(),
            (0, 0)
        );
        assert!(
            store
                .read(|u| u.reports().bookings_by_day(0))
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .read(|u| u.reports().bookings_by_status())
                .unwrap()
                .is_empty()
        );

        assert!(register(store, account("usr_a", "a@x.io", "user", 1)));
        store
            .write(|u| u.users().ensure_user("usr_b", "b@x.io", 1))
            .unwrap();
        let day1 = 1_767_225_600; // 2026-01-01T00:00:00Z
        let day2 = day1 + 86_400;
        booking(
            store,
            "bk_1",
            "usr_a",
            "CONFIRMED",
            "EUR",
            1000,
            "2026-03-01",
            day1 + 10,
        );
        booking(
            store,
            "bk_2",
            "usr_a",
            "CANCELLED",
            "EUR",
            500,
            "2026-02-01",
            day1 + 20,
        );
        booking(
            store,
            "bk_3",
            "usr_b",
            "COMPLETED",
            "USD",
            700,
            "2026-03-01",
            day1 + 5,
        );
        booking(
            store,
            "bk_4",
            "usr_b",
            "PENDING_PAYMENT",
            "EUR",
            900,
            "2026-01-15",
            day2 + 86_399,
        );
        booking(
            store,
            "bk_5",
            "usr_a",
            "REFUNDED",
            "EUR",
            300,
            "2026-03-01",
            day1 + 10,
        );
        booking(
            store,
            "bk_old",
            "usr_a",
            "CONFIRMED",
            "EUR",
            50,
            "2025-01-01",
            day1 - 1,
        );
        raw(
            store,
            "INSERT INTO booking_items(booking_id, seq, kind, offer_id, provider, description, price, tax, list_price, continent, starts_at, payload)
             VALUES ('bk_1', 0, 'flight', 'o1', 'sim', 'd', 1, 0, 1, 'EU', 0, '{\"f\":1}'),
                    ('bk_1', 1, 'hotel', 'o2', 'sim', 'd', 1, 0, 1, 'EU', 0, '{\"h\":1}'),
                    ('bk_2', 0, 'flight', 'o3', 'sim', 'd', 1, 0, 1, 'EU', 0, '{\"f\":2}'),
                    ('bk_old', 0, 'flight', 'o4', 'sim', 'd', 1, 0, 1, 'EU', 0, '{\"f\":0}')",
        );
        store
            .write(|u| {
                append(u, "booking.created", None, serde_json::json!({}), day1 - 5)?;
                append(u, "booking.created", None, serde_json::json!({}), day1)?;
                append(u, "booking.created", None, serde_json::json!({}), day2)?;
                append(u, "auth.login", None, serde_json::json!({}), day2)
            })
            .unwrap();

        assert_eq!(
            store.read(|u| u.reports().user_count()).unwrap(),
            2,
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.reports().bookings_since(day1)).unwrap(),
            (5, 2),
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.reports().bookings_since(0)).unwrap(),
            (6, 3),
            "{engine}"
        );
        let figures =
            |date: &str, currency: &str, created, confirmed, cancelled, revenue| DayFigures {
                date: date.into(),
                currency: currency.into(),
                created,
                confirmed,
                cancelled,
                revenue,
            };
        assert_eq!(
            store.read(|u| u.reports().bookings_by_day(day1)).unwrap(),
            vec![
                figures("2026-01-01", "EUR", 3, 1, 2, 1000),
                figures("2026-01-01", "USD", 1, 1, 0, 700),
                figures("2026-01-02", "EUR", 1, 0, 0, 0),
            ],
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.reports().live_flights_since(day1))
                .unwrap(),
            vec![r#"{"f":1}"#],
            "{engine}"
        );
        let mut flights = store.read(|u| u.reports().live_flights_since(0)).unwrap();
        flights.sort();
        assert_eq!(flights, vec![r#"{"f":0}"#, r#"{"f":1}"#], "{engine}");
        let mut by_type = store.read(|u| u.reports().events_by_type(day1)).unwrap();
        by_type.sort();
        assert_eq!(
            by_type,
            vec![
                ("auth.login".to_string(), 1),
                ("booking.created".to_string(), 2)
            ],
            "{engine}"
        );
        // By start date, then creation, then insertion.
        let ids = |status: Option<&str>| {
            store
                .read(|u| u.reports().all_bookings(status))
                .unwrap()
                .into_iter()
                .map(|(u, b)| format!("{u}/{b}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(None),
            vec![
                "usr_a/bk_old",
                "usr_b/bk_4",
                "usr_a/bk_2",
                "usr_b/bk_3",
                "usr_a/bk_1",
                "usr_a/bk_5"
            ],
            "{engine}"
        );
        assert_eq!(
            ids(Some("CONFIRMED")),
            vec!["usr_a/bk_old", "usr_a/bk_1"],
            "{engine}"
        );
        assert!(ids(Some("NOPE")).is_empty());
        assert_eq!(
            store.read(|u| u.reports().bookings_by_status()).unwrap(),
            vec![
                ("CANCELLED".to_string(), 1),
                ("COMPLETED".to_string(), 1),
                ("CONFIRMED".to_string(), 2),
                ("PENDING_PAYMENT".to_string(), 1),
                ("REFUNDED".to_string(), 1),
            ],
            "{engine}"
        );
    });
}

// ---------------------------------------------------------------------------------------
// Trips, on both engines

#[test]
fn trips_hold_each_booking_once_and_show_only_to_their_owner() {
    common::each_engine(|engine, store| {
        store
            .write(|u| u.users().ensure_user("usr_a", "a@x.io", 1))
            .unwrap();
        store
            .write(|u| u.users().ensure_user("usr_b", "b@x.io", 1))
            .unwrap();
        booking(
            store,
            "bk_2",
            "usr_a",
            "CONFIRMED",
            "EUR",
            1,
            "2026-03-01",
            1,
        );
        booking(
            store,
            "bk_1",
            "usr_a",
            "CONFIRMED",
            "EUR",
            1,
            "2026-03-01",
            1,
        );
        let d = common::date;
        store
            .write(|u| {
                u.trips().create(
                    "trp_undated",
                    "usr_a",
                    "Someday",
                    None,
                    None,
                    None,
                    "EUR",
                    5,
                )?;
                u.trips().create(
                    "trp_late",
                    "usr_a",
                    "Rome",
                    Some(d("2026-06-01")),
                    Some(d("2026-06-08")),
                    Some(150_000),
                    "EUR",
                    30,
                )?;
                u.trips().create(
                    "trp_early",
                    "usr_a",
                    "Oslo",
                    Some(d("2026-02-01")),
                    None,
                    None,
                    "NOK",
                    40,
                )?;
                u.trips().create(
                    "trp_b",
                    "usr_b",
                    "Bob's",
                    Some(d("2026-01-01")),
                    None,
                    None,
                    "EUR",
                    1,
                )
            })
            .unwrap();
        assert_eq!(
            store.read(|u| u.trips().trip_ids("usr_a")).unwrap(),
            vec!["trp_early", "trp_late", "trp_undated"],
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.trips().trip_ids("usr_none")).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            store.read(|u| u.trips().trip("trp_late", "usr_a")).unwrap(),
            Some((
                "Rome".to_string(),
                Some("2026-06-01".to_string()),
                Some("2026-06-08".to_string()),
                Some(150_000),
                "EUR".to_string()
            )),
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.trips().trip("trp_undated", "usr_a"))
                .unwrap(),
            Some(("Someday".to_string(), None, None, None, "EUR".to_string()))
        );
        assert_eq!(
            store.read(|u| u.trips().trip("trp_late", "usr_b")).unwrap(),
            None,
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.trips().is_owner("trp_late", "usr_a"))
                .unwrap()
        );
        assert!(
            !store
                .read(|u| u.trips().is_owner("trp_late", "usr_b"))
                .unwrap()
        );
        assert!(
            !store
                .read(|u| u.trips().is_owner("trp_none", "usr_a"))
                .unwrap()
        );

        assert!(
            store
                .write(|u| u.trips().add_booking("trp_late", "bk_2"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.trips().add_booking("trp_late", "bk_1"))
                .unwrap()
        );
        assert!(
            !store
                .write(|u| u.trips().add_booking("trp_late", "bk_2"))
                .unwrap(),
            "{engine}"
        );
        assert_eq!(
            store.read(|u| u.trips().booking_ids("trp_late")).unwrap(),
            vec!["bk_1", "bk_2"],
            "{engine}"
        );
        assert!(
            store
                .read(|u| u.trips().booking_ids("trp_early"))
                .unwrap()
                .is_empty()
        );
        // A booking or a trip that does not exist: a conflict, in SQLite's words.
        let e = store
            .write(|u| u.trips().add_booking("trp_late", "bk_gone"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict, "{engine}: {e}");
        let e = store
            .write(|u| {
                u.trips()
                    .create("trp_x", "usr_gone", "X", None, None, None, "EUR", 1)
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict, "{engine}: {e}");
    });
}

// ---------------------------------------------------------------------------------------
// Watches, on both engines

fn watch(origin: &str, date: &str, below: i64) -> NewWatch {
    NewWatch {
        origin: origin.into(),
        destination: "JFK".into(),
        date: common::date(date),
        below: Money::new(below, Currency::GBP),
        adults: 2,
        cabin: Cabin::Business,
    }
}

#[test]
fn the_same_watch_added_twice_is_kept_once() {
    common::each_engine(|engine, store| {
        let add = |id: &str, user: &str, w: &NewWatch, at: i64| {
            store.write(|u| u.watches().add(id, user, w, at)).unwrap()
        };
        let ids = |user: &str| {
            store
                .read(|u| u.watches().list(user))
                .unwrap()
                .into_iter()
                .map(|w| w.id)
                .collect::<Vec<_>>()
        };
        add("wch_1", "usr_a", &watch("LHR", "2027-03-14", 90_000), 10);
        // The same watch under another id (a second add that raced past the look for it):
        // the first one stays, alone.
        add("wch_2", "usr_a", &watch("LHR", "2027-03-14", 90_000), 11);
        assert_eq!(ids("usr_a"), vec!["wch_1"], "{engine}");
        // Another traveller, price, cabin or number of travellers is another watch.
        add("wch_3", "usr_b", &watch("LHR", "2027-03-14", 90_000), 12);
        add("wch_4", "usr_a", &watch("LHR", "2027-03-14", 80_000), 13);
        let business_one = NewWatch {
            adults: 1,
            ..watch("LHR", "2027-03-14", 90_000)
        };
        add("wch_5", "usr_a", &business_one, 14);
        let economy = NewWatch {
            cabin: Cabin::Economy,
            ..watch("LHR", "2027-03-14", 90_000)
        };
        add("wch_6", "usr_a", &economy, 15);
        let mut mine = ids("usr_a");
        mine.sort();
        assert_eq!(mine, vec!["wch_1", "wch_4", "wch_5", "wch_6"], "{engine}");
        assert_eq!(ids("usr_b"), vec!["wch_3"], "{engine}");
    });
}

#[test]
fn watches_are_their_users_and_fire_once_per_drop() {
    common::each_engine(|engine, store| {
        store
            .write(|u| {
                u.watches()
                    .add("wch_b", "usr_a", &watch("LHR", "2027-03-14", 90_000), 20)?;
                u.watches()
                    .add("wch_a", "usr_a", &watch("LGW", "2027-03-14", 80_000), 10)?;
                u.watches()
                    .add("wch_0", "usr_a", &watch("MAN", "2027-01-02", 70_000), 30)?;
                u.watches()
                    .add("wch_x", "usr_b", &watch("LHR", "2027-01-01", 1), 1)
            })
            .unwrap();
        let w = store
            .read(|u| u.watches().get("usr_a", "wch_b"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (w.id.as_str(), w.origin.as_str(), w.destination.as_str()),
            ("wch_b", "LHR", "JFK")
        );
        assert_eq!(
            (w.date, w.cabin, w.adults, w.below),
            (
                common::date("2027-03-14"),
                Cabin::Business,
                2,
                Money::new(90_000, Currency::GBP)
            ),
            "{engine}"
        );
        assert_eq!(
            (
                w.last_price,
                w.last_checked_at,
                w.fired_price,
                w.created_at.as_second()
            ),
            (None, None, None, 20)
        );
        assert_eq!(
            store.read(|u| u.watches().get("usr_b", "wch_b")).unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store
                .read(|u| u.watches().list("usr_a"))
                .unwrap()
                .into_iter()
                .map(|w| w.id)
                .collect::<Vec<_>>(),
            vec!["wch_0", "wch_a", "wch_b"],
            "{engine}"
        );

        store
            .write(|u| u.watches().checked("wch_b", Some(85_000), 500))
            .unwrap();
        let w = store
            .read(|u| u.watches().get("usr_a", "wch_b"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (w.last_price, w.last_checked_at.map(|t| t.as_second())),
            (Some(Money::new(85_000, Currency::GBP)), Some(500))
        );
        store
            .write(|u| u.watches().checked("wch_b", None, 600))
            .unwrap();
        assert_eq!(
            store
                .read(|u| u.watches().get("usr_a", "wch_b"))
                .unwrap()
                .unwrap()
                .last_price,
            None,
            "{engine}"
        );

        assert!(
            store.write(|u| u.watches().fired("wch_b", 85_000)).unwrap(),
            "{engine}"
        );
        assert!(
            !store.write(|u| u.watches().fired("wch_b", 85_000)).unwrap(),
            "{engine}"
        );
        assert!(!store.write(|u| u.watches().fired("wch_b", 86_000)).unwrap());
        assert!(store.write(|u| u.watches().fired("wch_b", 84_999)).unwrap());
        assert!(!store.write(|u| u.watches().fired("wch_none", 1)).unwrap());
        assert_eq!(
            store
                .read(|u| u.watches().get("usr_a", "wch_b"))
                .unwrap()
                .unwrap()
                .fired_price,
            Some(Money::new(84_999, Currency::GBP))
        );

        assert!(
            !store
                .write(|u| u.watches().remove("usr_b", "wch_b"))
                .unwrap(),
            "{engine}"
        );
        assert!(
            store
                .write(|u| u.watches().remove("usr_a", "wch_b"))
                .unwrap()
        );
        assert!(
            !store
                .write(|u| u.watches().remove("usr_a", "wch_b"))
                .unwrap()
        );
        assert_eq!(store.read(|u| u.watches().list("usr_a")).unwrap().len(), 2);
    });
}

// ---------------------------------------------------------------------------------------
// The promises under concurrent writers, on PostgreSQL

/// 8 writers append events, each in its own unit (some in a transaction of several events,
/// some outside any transaction), while a reader polls `since(last_seen)`: the reader never
/// finds a seq below one it has passed, and in the end every seq 1..N is there exactly once.
#[test]
fn postgres_outbox_readers_never_skip_an_event_with_8_writers() {
    let (_db, store) = pg();
    const WRITERS: usize = 8;
    const UNITS: usize = 15;
    // Each writer's units: even ones write 2 events in one transaction, odd ones 1 event in
    // a read unit (autocommit).
    let per_writer = (0..UNITS)
        .map(|k| if k % 2 == 0 { 2 } else { 1 })
        .sum::<i64>();
    let total = per_writer * WRITERS as i64;
    let barrier = Barrier::new(WRITERS + 1);
    let seen = Mutex::new(Vec::<i64>::new());
    // Writers that have ended (also by a panic): the reader stops once they all have and it
    // has read everything, so a failing writer fails the test instead of hanging it.
    let ended = AtomicUsize::new(0);
    struct Ends<'a>(&'a AtomicUsize);
    impl Drop for Ends<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (store, barrier, ended) = (&store, &barrier, &ended);
            s.spawn(move || {
                let _ends = Ends(ended);
                barrier.wait();
                for k in 0..UNITS {
                    let user = format!("usr_{w}");
                    if k % 2 == 0 {
                        store
                            .write(|u| {
                                append(
                                    u,
                                    "test.a",
                                    Some(&user),
                                    serde_json::json!({"w": w, "k": k}),
                                    1,
                                )?;
                                append(
                                    u,
                                    "test.b",
                                    Some(&user),
                                    serde_json::json!({"w": w, "k": k}),
                                    1,
                                )
                            })
                            .unwrap();
                    } else {
                        store
                            .read(|u| {
                                append(
                                    u,
                                    "test.c",
                                    Some(&user),
                                    serde_json::json!({"w": w, "k": k}),
                                    1,
                                )
                            })
                            .unwrap();
                    }
                }
            });
        }
        let (store, barrier, seen, ended) = (&store, &barrier, &seen, &ended);
        s.spawn(move || {
            barrier.wait();
            let mut last = 0;
            while last < total {
                // Read whether the writers have all ended before reading: an empty batch then
                // means there is nothing more to come.
                let all_ended = ended.load(Ordering::SeqCst) == WRITERS;
                let batch = store.read(|u| u.outbox().since(last, None, 7)).unwrap();
                if batch.is_empty() && all_ended {
                    break;
                }
                for e in &batch {
                    assert_eq!(
                        e.seq,
                        last + 1,
                        "the reader at seq {last} was handed {}: it skipped one",
                        e.seq
                    );
                    last = e.seq;
                    seen.lock().unwrap().push(e.seq);
                }
            }
        });
    });
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    let all = store.read(|u| u.outbox().since(0, None, 10_000)).unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>()
    );
    assert_eq!(store.read(|u| u.outbox().last_seq()).unwrap(), total);
    // Each writer's two events of one unit are next to each other (the unit held the lock).
    for pair in all.windows(2).filter(|p| p[0].kind == "test.a") {
        assert_eq!(
            (pair[1].kind.as_str(), &pair[1].payload),
            ("test.b", &pair[0].payload)
        );
    }
}

/// A refresh token used by 8 writers at once rotates once: one claims it and adds the next
/// token; the others see reuse and revoke the family. Both in transactions and outside.
#[test]
fn postgres_a_refresh_token_used_8_times_at_once_rotates_once() {
    let (_db, store) = pg();
    assert!(register(&store, account("usr_a", "a@x.io", "user", 1)));
    for (round, in_transaction) in [(0, true), (1, false), (2, true)] {
        let family = format!("fam{round}");
        let first = format!("h{round}");
        store
            .write(|u| {
                u.users()
                    .add_refresh_token(&first, "usr_a", &family, 1000, 1)
            })
            .unwrap();
        let rotate = |i: usize, barrier: &Barrier| {
            let work = |u: &dyn booksygo_core::store::Unit| {
                barrier.wait();
                if u.users().use_refresh_token(&first, 10 + i as i64)? {
                    u.users().add_refresh_token(
                        &format!("{first}-next{i}"),
                        "usr_a",
                        &family,
                        2000,
                        10,
                    )?;
                    Ok(true)
                } else {
                    u.users().revoke_family(&family, 20)?;
                    Ok(false)
                }
            };
            if in_transaction {
                store.write(work)
            } else {
                store.read(work)
            }
            .unwrap()
        };
        let claimed = together(8, rotate).into_iter().filter(|c| *c).count();
        assert_eq!(claimed, 1, "round {round}: one use rotates");
        assert_eq!(
            count(
                &store,
                &format!("SELECT count(*) FROM refresh_tokens WHERE family = '{family}'")
            ),
            2,
            "round {round}: one next token"
        );
        let token = store
            .read(|u| u.users().refresh_token_by_hash(&first))
            .unwrap()
            .unwrap();
        assert!(
            token.used_at.is_some() && token.revoked_at == Some(20),
            "round {round}: {token:?}"
        );
    }
}

/// 8 accounts registered at once with one e-mail in different cases: one is written.
#[test]
fn postgres_one_email_registered_8_times_at_once_makes_one_account() {
    let (_db, store) = pg();
    let emails = [
        "ann@x.io", "ANN@x.io", "Ann@X.io", "ann@X.IO", "aNN@x.io", "ann@x.iO", "AnN@x.io",
        "ANN@X.IO",
    ];
    let won = together(8, |i, barrier| {
        let id = format!("usr_{i}");
        store
            .write(|u| {
                barrier.wait();
                u.users().register(&account(&id, emails[i], "user", 1))
            })
            .unwrap()
    });
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM users"), 1);
}

/// 8 accounts take one new e-mail in their profiles at once: one gets it, the others are
/// refused with `false` and their units go on and commit their next write.
#[test]
fn postgres_one_email_taken_by_8_profiles_at_once_goes_to_one() {
    let (_db, store) = pg();
    for i in 0..8 {
        assert!(register(
            &store,
            account(&format!("usr_{i}"), &format!("u{i}@x.io"), "user", 1)
        ));
    }
    let saved = together(8, |i, barrier| {
        let id = format!("usr_{i}");
        store
            .write(|u| {
                barrier.wait();
                let saved = u.users().save_profile(
                    &id,
                    if i % 2 == 0 { "New@x.io" } else { "new@X.io" },
                    "N",
                    "N",
                    "{}",
                )?;
                u.users()
                    .add_refresh_token(&format!("h{i}"), &id, "f", 1, 1)?;
                Ok(saved)
            })
            .unwrap()
    });
    assert_eq!(saved.iter().filter(|s| **s).count(), 1, "{saved:?}");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM users WHERE lower(email) = 'new@x.io'"
        ),
        1
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM refresh_tokens"),
        8,
        "every unit went on after its refusal"
    );
}

/// 8 admins step down at once, several times over: one admin always stays.
#[test]
fn postgres_8_admins_stepping_down_at_once_leave_one() {
    let (_db, store) = pg();
    for round in 0..3 {
        for i in 0..8 {
            let id = format!("usr_{round}_{i}");
            assert!(register(
                &store,
                account(&id, &format!("{id}@x.io"), "admin", 1)
            ));
        }
        // The previous round's survivor steps down first, alone (the others are admins now).
        if round > 0 {
            let left: Vec<String> = (0..8)
                .map(|i| format!("usr_{}_{i}", round - 1))
                .filter(|id| {
                    store.read(|u| u.users().role(id)).unwrap().as_deref() == Some("admin")
                })
                .collect();
            assert_eq!(left.len(), 1);
            assert!(
                store
                    .write(|u| u.users().set_role(&left[0], "user"))
                    .unwrap()
            );
        }
        let done = together(8, |i, barrier| {
            let id = format!("usr_{round}_{i}");
            store
                .write(|u| {
                    barrier.wait();
                    u.users()
                        .set_role(&id, if i % 2 == 0 { "user" } else { "partner" })
                })
                .unwrap()
        });
        assert_eq!(
            done.iter().filter(|d| **d).count(),
            7,
            "round {round}: {done:?}"
        );
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM users WHERE role = 'admin' AND password_hash IS NOT NULL"
            ),
            1,
            "round {round}"
        );
    }
}

/// 8 couriers lease one webhook at once: one holds it.
#[test]
fn postgres_8_couriers_leasing_one_webhook_at_once_leave_it_to_one() {
    let (_db, store) = pg();
    assert!(register(&store, account("usr_admin", "a@x.io", "admin", 1)));
    store
        .write(|u| {
            u.subscriptions().insert(
                "wh_1",
                "https://x.example",
                &["*".to_string()],
                "s",
                0,
                "usr_admin",
                1,
            )
        })
        .unwrap();
    let leased = together(8, |i, barrier| {
        store
            .write(|u| {
                barrier.wait();
                u.subscriptions()
                    .lease("wh_1", &format!("courier{i}"), 100, 200)
            })
            .unwrap()
    });
    assert_eq!(leased.iter().filter(|l| **l).count(), 1, "{leased:?}");
    let owner = format!("courier{}", leased.iter().position(|l| *l).unwrap());
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM webhooks WHERE lease_owner = '{owner}'")
        ),
        1
    );
}

/// 8 saves append at the same place of one conversation at once: one is kept, the others fail,
/// and no message is replaced.
#[test]
fn postgres_8_saves_at_one_place_of_a_conversation_keep_one() {
    let (_db, store) = pg();
    assert!(
        store
            .write(|u| u.conversations().save(
                "cnv_1",
                "usr_a",
                "T",
                "{}",
                0,
                &[message("user", "first")],
                1
            ))
            .unwrap()
    );
    let outcomes = together(8, |i, barrier| {
        store.write(|u| {
            barrier.wait();
            u.conversations().save(
                "cnv_1",
                "usr_a",
                &format!("T{i}"),
                "{}",
                1,
                &[message("assistant", &format!("answer {i}"))],
                2,
            )
        })
    });
    assert_eq!(
        outcomes.iter().filter(|o| matches!(o, Ok(true))).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| o.is_err()).count(),
        7,
        "{outcomes:?}"
    );
    let kept = outcomes.iter().position(|o| matches!(o, Ok(true))).unwrap();
    let c = store
        .read(|u| u.conversations().load("usr_a", "cnv_1"))
        .unwrap()
        .unwrap();
    assert_eq!(c.title, format!("T{kept}"));
    assert_eq!(
        c.messages,
        vec![
            message("user", "first"),
            message("assistant", &format!("answer {kept}"))
        ]
    );
}

/// 8 writers put one booking in one trip at once: it is there once, one writer says so.
#[test]
fn postgres_8_writers_adding_one_booking_to_a_trip_add_it_once() {
    let (_db, store) = pg();
    store
        .write(|u| u.users().ensure_user("usr_a", "a@x.io", 1))
        .unwrap();
    booking(
        &store,
        "bk_1",
        "usr_a",
        "CONFIRMED",
        "EUR",
        1,
        "2026-03-01",
        1,
    );
    store
        .write(|u| {
            u.trips()
                .create("trp_1", "usr_a", "T", None, None, None, "EUR", 1)
        })
        .unwrap();
    let added = together(8, |_, barrier| {
        store
            .write(|u| {
                barrier.wait();
                u.trips().add_booking("trp_1", "bk_1")
            })
            .unwrap()
    });
    assert_eq!(added.iter().filter(|a| **a).count(), 1, "{added:?}");
    assert_eq!(
        store.read(|u| u.trips().booking_ids("trp_1")).unwrap(),
        vec!["bk_1"]
    );
}

/// 8 checkers fire one watch at once, some at one price and some lower: the alert goes once
/// per price drop, and the lowest price is the one kept.
#[test]
fn postgres_8_checkers_firing_one_watch_at_once_fire_once_per_drop() {
    let (_db, store) = pg();
    store
        .write(|u| {
            u.watches()
                .add("wch_1", "usr_a", &watch("LHR", "2027-03-14", 90_000), 1)
        })
        .unwrap();
    let fired = Arc::new(Mutex::new(Vec::new()));
    let same = together(8, |_, barrier| {
        store
            .write(|u| {
                barrier.wait();
                u.watches().fired("wch_1", 80_000)
            })
            .unwrap()
    });
    assert_eq!(same.iter().filter(|f| **f).count(), 1, "{same:?}");
    together(8, |i, barrier| {
        let price = 70_000 - i as i64;
        let ok = store
            .write(|u| {
                barrier.wait();
                u.watches().fired("wch_1", price)
            })
            .unwrap();
        if ok {
            fired.lock().unwrap().push(price);
        }
    });
    let fired = fired.lock().unwrap().clone();
    // Whatever the order, the lowest price fired and is the one kept.
    assert!(fired.contains(&69_993), "{fired:?}");
    assert_eq!(
        store
            .read(|u| u.watches().get("usr_a", "wch_1"))
            .unwrap()
            .unwrap()
            .fired_price,
        Some(Money::new(69_993, Currency::GBP))
    );
}

/// 8 sweepers take the watch sweep's lease at once: one gets it; the others get it only after
/// it has run out, and its holder keeps it meanwhile.
#[test]
fn postgres_8_sweepers_at_once_one_holds_the_lease() {
    let (_db, store) = pg();
    let taken = together(8, |i, barrier| {
        store
            .write(|u| {
                barrier.wait();
                u.watches().take_sweep(&format!("swp_{i}"), 100, 400)
            })
            .unwrap()
    });
    assert_eq!(taken.iter().filter(|t| **t).count(), 1, "{taken:?}");
    let holder = taken.iter().position(|t| *t).unwrap();
    let other = (holder + 1) % 8;
    let take = |who: usize, at: i64| {
        store
            .read(|u| u.watches().take_sweep(&format!("swp_{who}"), at, at + 300))
            .unwrap()
    };
    assert!(!take(other, 399), "still held");
    assert!(take(holder, 399), "the holder renews it");
    assert!(!take(other, 698));
    assert!(take(other, 699), "run out: another takes it over");
    assert!(!take(holder, 700));
}

/// Referrals on both engines: a code is one account's, an account is referred once, and 8
/// writers settling one referral at once settle it once.
#[test]
fn referrals_link_once_and_settle_once() {
    common::each_engine(|engine, store| {
        for (id, email) in [
            ("usr_g", "g@x.test"),
            ("usr_a", "a@y.test"),
            ("usr_b", "b@y.test"),
        ] {
            assert!(register(store, account(id, email, "user", 1)), "{engine}");
        }
        store
            .write(|u| {
                assert!(u.referrals().set_code("usr_g", "ACDEFGHJ")?);
                assert!(!u.referrals().set_code("usr_g", "KMNPQRTU")?, "set once");
                assert!(
                    !u.referrals().set_code("usr_a", "ACDEFGHJ")?,
                    "one account's"
                );
                assert_eq!(u.referrals().code("usr_a")?, None);
                assert_eq!(
                    u.referrals().owner_of("ACDEFGHJ")?.as_deref(),
                    Some("usr_g")
                );
                assert!(u.referrals().link("usr_a", "usr_g", 5)?);
                assert!(!u.referrals().link("usr_a", "usr_b", 6)?, "referred once");
                assert_eq!(
                    u.referrals().pending_referrer("usr_a")?.as_deref(),
                    Some("usr_g")
                );
                Ok(())
            })
            .unwrap();
        assert_eq!(
            count(
                store,
                "SELECT count(*) FROM users WHERE referred_by = 'usr_g'"
            ),
            1,
            "{engine}"
        );
        // Released together before their transactions (SQLite admits one writer at a time:
        // a barrier inside the transaction would wait for writers that cannot start).
        let settled = together(8, |_, barrier| {
            barrier.wait();
            store
                .write(|u| u.referrals().settle("usr_a", "rewarded", "bkg_1", 10))
                .unwrap()
        });
        assert_eq!(
            settled.iter().filter(|s| **s).count(),
            1,
            "{engine}: {settled:?}"
        );
        store
            .read(|u| {
                assert_eq!(u.referrals().pending_referrer("usr_a")?, None);
                assert_eq!(u.referrals().rewarded_between("usr_g", 10, 11)?, 1);
                assert_eq!(u.referrals().rewarded_between("usr_g", 11, 20)?, 0);
                let rows = u.referrals().referred("usr_g")?;
                assert_eq!(rows.len(), 1);
                assert_eq!(rows[0].status, "rewarded");
                assert_eq!(rows[0].booking.as_deref(), Some("bkg_1"));
                Ok(())
            })
            .unwrap();
    });
}
