//! The PostgreSQL schema and the synchronous store, against a real PostgreSQL 15
//! (`BOOKSYGO_TEST_PG_URL`, by default postgres://postgres@127.0.0.1:5432/test). Each test
//! makes its own database and drops it. Without a reachable server these tests fail, saying
//! so: they never pass silently.

use booksygo_core::postgres::{MIGRATION_LOCK_KEY, schema_version};
use booksygo_core::store::postgres::PgStore;
use booksygo_core::store::postgres::testing::TestDatabase;
use booksygo_core::{Error, ErrorKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};

fn applied_versions(store: &PgStore) -> Vec<i64> {
    store
        .conn()
        .unwrap()
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn all_versions() -> Vec<i64> {
    (1..=schema_version()).collect()
}

#[test]
fn migrations_apply_on_an_empty_database_and_again_change_nothing() {
    let db = TestDatabase::create();
    let store = db.store();
    let first = store.migrate().unwrap();
    assert_eq!(first.from, 0);
    assert_eq!(first.to, schema_version());
    assert_eq!(first.applied, all_versions());
    assert!(first.database.ends_with(&format!("/{}", db.name())));
    assert_eq!(applied_versions(&store), all_versions());

    // Again, and from another store (another instance): nothing to do.
    let again = store.migrate().unwrap();
    assert_eq!(again.from, schema_version());
    assert!(again.applied.is_empty(), "{again:?}");
    let other = db.store().migrate().unwrap();
    assert!(other.applied.is_empty(), "{other:?}");
    assert_eq!(applied_versions(&store), all_versions());

    // The lock is released after migrating: another session can take it at once.
    let free: bool = store
        .conn()
        .unwrap()
        .query_one(
            "SELECT pg_try_advisory_lock($1) AND pg_advisory_unlock($1)",
            &[&MIGRATION_LOCK_KEY],
        )
        .unwrap()
        .get(0);
    assert!(free);
}

#[test]
fn four_instances_migrating_one_empty_database_at_once_apply_each_migration_once() {
    let db = TestDatabase::create();
    let start = Arc::new(Barrier::new(4));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url().to_string();
            let start = start.clone();
            std::thread::spawn(move || {
                let store = PgStore::connect(&url).unwrap();
                start.wait();
                store.migrate().unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    let mut applied: Vec<i64> = outcomes.iter().flat_map(|m| m.applied.clone()).collect();
    applied.sort();
    assert_eq!(applied, all_versions(), "{outcomes:?}");
    assert!(outcomes.iter().all(|m| m.to == schema_version()));
    assert_eq!(applied_versions(&db.store()), all_versions());
}

/// The mechanism with several migrations, each of which fails if run twice (CREATE TABLE
/// without IF NOT EXISTS) or before the one it follows (a foreign key, a column).
#[test]
fn four_instances_apply_a_chain_of_migrations_in_order_each_once() {
    use booksygo_core::store::postgres::migrate_these;
    const CHAIN: &[&str] = &[
        "CREATE TABLE a (id BIGINT PRIMARY KEY)",
        "CREATE TABLE b (id BIGINT PRIMARY KEY, a BIGINT NOT NULL REFERENCES a(id))",
        "ALTER TABLE b ADD COLUMN note TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX b_note ON b(note); INSERT INTO a VALUES (1); INSERT INTO b(id, a) VALUES (1, 1)",
    ];
    let db = TestDatabase::create();
    // An instance of an older build got as far as the first migration.
    assert_eq!(
        migrate_these(&db.store(), &CHAIN[..1]).unwrap().applied,
        [1]
    );

    let start = Arc::new(Barrier::new(4));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url().to_string();
            let start = start.clone();
            std::thread::spawn(move || {
                let store = PgStore::connect(&url).unwrap();
                start.wait();
                migrate_these(&store, CHAIN).unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    let mut applied: Vec<i64> = outcomes.iter().flat_map(|m| m.applied.clone()).collect();
    applied.sort();
    assert_eq!(applied, [2, 3, 4], "{outcomes:?}");
    // Each run applied what it did not find, in order, starting right after what it found.
    for m in &outcomes {
        let expected: Vec<i64> = (m.from + 1..=m.to).collect();
        assert_eq!(m.applied, expected, "{m:?}");
        assert_eq!(m.to, 4);
    }
    assert_eq!(applied_versions(&db.store()), [1, 2, 3, 4]);
    let rows: i64 = db
        .store()
        .conn()
        .unwrap()
        .query_one("SELECT count(*) FROM b WHERE note = ''", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn a_database_with_a_newer_schema_is_refused() {
    let db = TestDatabase::create();
    let store = db.store();
    store.migrate().unwrap();
    let newer = schema_version() + 1;
    store
        .conn()
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations(version) VALUES ($1)",
            &[&newer],
        )
        .unwrap();
    let err = store.migrate().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "PostgreSQL database {} has schema {newer}, newer than this booksygo ({}); upgrade booksygo",
            store.shown(),
            schema_version()
        )
    );
    assert!(store.shown().ends_with(db.name()));
    // Refused without touching anything, and the lock was given back.
    assert_eq!(applied_versions(&store).last(), Some(&newer));
    let free: bool = store
        .conn()
        .unwrap()
        .query_one(
            "SELECT pg_try_advisory_lock($1) AND pg_advisory_unlock($1)",
            &[&MIGRATION_LOCK_KEY],
        )
        .unwrap()
        .get(0);
    assert!(free);
}

#[test]
fn inventory_cannot_be_oversold_whatever_the_statement() {
    let db = TestDatabase::create();
    let store = db.store();
    store.migrate().unwrap();
    let conn = store.conn().unwrap();
    conn.batch_execute(
        "INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold)
             VALUES ('XX100-2027-03-01', 'economy', '2027-03-01', 2, 2);
         INSERT INTO room_inventory(hotel_id, room_type, night, capacity, sold)
             VALUES ('htl_1', 'double', '2027-03-01', 1, 1);
         INSERT INTO users(id, email, created_at) VALUES ('usr_1', 'a@example.com', 0);
         INSERT INTO packages(id, slug, title, description, type, destination, destination_name,
             country, continent, duration_days, base_price, currency, rating, review_count,
             max_group, source, updated_at)
             VALUES ('pkg_1', 'p1', 'T', 'D', 'adventure', 'LIS', 'Lisbon', 'PT', 'Europe', 5,
                 100000, 'EUR', 4.5, 10, 12, 'test', 0);
         INSERT INTO package_departures(package_id, date, slots, sold)
             VALUES ('pkg_1', '2027-03-01', 3, 3);",
    )
    .unwrap();

    // The promise's own statement takes nothing when there is nothing left...
    let taken = conn
        .execute(
            "UPDATE flight_inventory SET sold = sold + $1 WHERE flight_key = $2 AND cabin = $3 AND sold + $1 <= capacity",
            &[&1i64, &"XX100-2027-03-01", &"economy"],
        )
        .unwrap();
    assert_eq!(taken, 0);

    // ...and the CHECK refuses any statement that forgets the condition.
    for (sql, constraint) in [
        (
            "UPDATE flight_inventory SET sold = sold + 1",
            "flight_inventory_within_capacity",
        ),
        (
            "UPDATE room_inventory SET sold = sold + 1",
            "room_inventory_within_capacity",
        ),
        (
            "UPDATE package_departures SET sold = sold + 1",
            "package_departures_within_capacity",
        ),
        (
            "UPDATE flight_inventory SET sold = -1",
            "flight_inventory_within_capacity",
        ),
    ] {
        let err = conn.execute(sql, &[]).unwrap_err();
        match &err {
            Error::Storage {
                message,
                interrupted: false,
            } => {
                assert!(message.contains(constraint), "{sql}: {message}");
                assert!(message.contains("SQLSTATE 23514"), "{sql}: {message}");
            }
            e => panic!("{sql}: {e:?}"),
        }
        assert_eq!(err.kind(), ErrorKind::Internal);
    }
    let sold: i64 = conn
        .query_one("SELECT sold FROM flight_inventory", &[])
        .unwrap()
        .get(0);
    assert_eq!(sold, 2);
}

#[test]
fn an_email_is_unique_whatever_its_case_and_packages_are_found_by_stemmed_words() {
    let db = TestDatabase::create();
    let store = db.store();
    store.migrate().unwrap();
    let conn = store.conn().unwrap();
    conn.execute(
        "INSERT INTO users(id, email, created_at) VALUES ('usr_1', 'Ana@Example.com', 0)",
        &[],
    )
    .unwrap();
    let err = conn
        .execute(
            "INSERT INTO users(id, email, created_at) VALUES ('usr_2', 'ana@example.COM', 0)",
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("SQLSTATE 23505"), "{err}");

    conn.execute(
        "INSERT INTO packages(id, slug, title, description, type, destination, destination_name,
             country, continent, duration_days, base_price, currency, rating, review_count,
             max_group, source, updated_at, search_destination, search_activities)
         VALUES ('pkg_1', 'alps', 'Hiking the Alps', 'Huts and glaciers', 'adventure', 'GVA',
             'Geneva', 'CH', 'Europe', 7, 150000, 'EUR', 4.8, 20, 10, 'test', 0,
             'Geneva GVA Switzerland Europe', 'kayaking tours'),
                ('pkg_2', 'lisbon', 'Lisbon food', 'Trams and hikes nearby', 'cultural', 'LIS',
             'Lisbon', 'PT', 'Europe', 4, 90000, 'EUR', 4.5, 30, 12, 'test', 0,
             'Lisbon LIS Portugal Europe', 'tasting')",
        &[],
    )
    .unwrap();
    let found: Vec<String> = conn
        .query(
            "SELECT id FROM packages WHERE search @@ websearch_to_tsquery('english', $1)
             ORDER BY ts_rank(search, websearch_to_tsquery('english', $1)) DESC, id",
            &[&"hike"],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // "hike" finds "Hiking" (title, weight A) before "hikes" (description, weight C).
    assert_eq!(found, ["pkg_1", "pkg_2"]);
    let by_activity: i64 = conn
        .query_one(
            "SELECT count(*) FROM packages WHERE search @@ websearch_to_tsquery('english', $1)",
            &[&"kayak switzerland"],
        )
        .unwrap()
        .get(0);
    assert_eq!(by_activity, 1);
    // The GIN index is there for the planner.
    let gin: i64 = conn
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'packages_search' AND indexdef LIKE '%USING gin (search)%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(gin, 1);
}

/// The two schemas hold the same tables, columns (types translated, nullability kept) and
/// named indexes; PostgreSQL's few additions are listed here.
#[test]
fn the_postgres_schema_matches_the_sqlite_schema() {
    // SQLite at its latest version.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(booksygo_core::store::Store::open(&path).unwrap());
    let lite = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'packages_fts%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut sqlite: BTreeMap<(String, String), (String, bool)> = BTreeMap::new();
    for t in &tables {
        let cols: Vec<(String, String, bool, bool)> = lite
            .prepare(&format!("PRAGMA table_info({t})"))
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? == 1,
                    r.get::<_, i64>(5)? > 0,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (name, ty, not_null, pk) in cols {
            let flag =
                ["low_cost", "featured", "released", "held", "in_app"].contains(&name.as_str());
            let translated = match (ty.as_str(), flag) {
                ("INTEGER", true) => "boolean",
                ("INTEGER", false) => "bigint",
                ("REAL", _) => "double precision",
                ("TEXT", _) => "text",
                ("BLOB", _) => "bytea",
                (other, _) => panic!("{t}.{name}: SQLite type {other} has no translation"),
            };
            sqlite.insert((t.clone(), name), (translated.to_string(), not_null || pk));
        }
    }
    assert!(tables.len() > 30, "{tables:?}");
    assert_eq!(
        sqlite[&("flight_inventory".to_string(), "sold".to_string())],
        ("bigint".to_string(), true)
    );
    let lite_indexes: BTreeSet<String> = lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();

    // PostgreSQL at its latest version.
    let db = TestDatabase::create();
    let store = db.store();
    store.migrate().unwrap();
    let conn = store.conn().unwrap();
    let additions: BTreeSet<(String, String)> = [
        ("bookings", "ord"),
        ("payments", "ord"),
        ("ai_conversations", "ord"),
        ("remote_bookings", "ord"),
        ("booking_holds", "id"),
        ("packages", "search_destination"),
        ("packages", "search_activities"),
        ("packages", "search"),
    ]
    .into_iter()
    .map(|(t, c)| (t.to_string(), c.to_string()))
    .collect();
    let mut postgres: BTreeMap<(String, String), (String, bool)> = BTreeMap::new();
    for r in conn
        .query(
            "SELECT table_name::TEXT, column_name::TEXT, data_type::TEXT, is_nullable = 'NO'
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
            &[],
        )
        .unwrap()
    {
        let key = (r.get::<_, String>(0), r.get::<_, String>(1));
        if !additions.contains(&key) {
            postgres.insert(key, (r.get(2), r.get(3)));
        }
    }
    let only_sqlite: Vec<_> = sqlite
        .iter()
        .filter(|(k, v)| postgres.get(*k) != Some(*v))
        .collect();
    let only_postgres: Vec<_> = postgres
        .iter()
        .filter(|(k, v)| sqlite.get(*k) != Some(*v))
        .collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "SQLite has {only_sqlite:?}\nPostgreSQL has {only_postgres:?}"
    );
    let pg_indexes: BTreeSet<String> = conn
        .query(
            "SELECT indexname::TEXT FROM pg_indexes WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let missing: Vec<_> = lite_indexes.difference(&pg_indexes).collect();
    assert!(
        missing.is_empty(),
        "indexes missing on PostgreSQL: {missing:?}"
    );
}

#[test]
fn a_transaction_commits_on_ok_and_rolls_back_on_err() {
    let db = TestDatabase::create();
    let store = db.store();
    store.migrate().unwrap();
    let mut conn = store.conn().unwrap();
    conn.transaction(|tx| {
        tx.execute("INSERT INTO meta(key, value) VALUES ('a', '1')", &[])?;
        Ok(())
    })
    .unwrap();
    let err = conn
        .transaction(|tx| {
            tx.execute("INSERT INTO meta(key, value) VALUES ('b', '2')", &[])?;
            Err::<(), _>(Error::Conflict("changed my mind".into()))
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let keys: Vec<String> = conn
        .query("SELECT key FROM meta ORDER BY key", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(keys, ["a"]);
}

// ---- the synchronous store from every kind of thread ----

fn answers(store: &PgStore) -> i64 {
    store
        .conn()
        .unwrap()
        .query_one("SELECT 40 + $1::BIGINT", &[&2i64])
        .unwrap()
        .get(0)
}

#[test]
fn the_store_works_from_a_plain_thread() {
    let db = TestDatabase::create();
    let store = db.store();
    let other = store.clone();
    assert_eq!(
        std::thread::spawn(move || answers(&other)).join().unwrap(),
        42
    );
    assert_eq!(answers(&store), 42);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_works_from_spawn_blocking_on_a_multi_thread_runtime() {
    let (db, store) = tokio::task::spawn_blocking(|| {
        let db = TestDatabase::create();
        let store = PgStore::connect(db.url()).unwrap();
        (db, store)
    })
    .await
    .unwrap();
    let s = store.clone();
    let got = tokio::task::spawn_blocking(move || {
        // Connections opened here, and several at once from this pool.
        let a = s.conn().unwrap();
        let b = s.conn().unwrap();
        let x: i64 = a.query_one("SELECT 1::BIGINT", &[]).unwrap().get(0);
        let y: i64 = b.query_one("SELECT 2::BIGINT", &[]).unwrap().get(0);
        x + y + answers(&s)
    })
    .await
    .unwrap();
    assert_eq!(got, 45);
    // Dropping the store (its runtime) on an async worker thread does not panic.
    drop(store);
    tokio::task::spawn_blocking(move || drop(db)).await.unwrap();
}

#[test]
fn the_store_works_from_a_current_thread_runtimes_blocking_pool() {
    let db = TestDatabase::create();
    let store = db.store();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = runtime.block_on(async move {
        let s = store.clone();
        let got = tokio::task::spawn_blocking(move || answers(&s))
            .await
            .unwrap();
        drop(store);
        got
    });
    assert_eq!(got, 42);
}

#[test]
fn an_unreachable_server_is_unavailable_and_named_without_its_password() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let err = PgStore::connect("postgres://app:hunter2@127.0.0.1:1/team")
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    let text = err.to_string();
    assert!(
        text.starts_with("PostgreSQL not reachable at app@127.0.0.1:1/team: "),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn a_database_that_does_not_exist_is_unavailable_with_the_servers_reason() {
    let err = PgStore::connect(&format!(
        "{}/booksygo_test_missing_database",
        booksygo_core::store::postgres::testing::server_url()
            .rsplit_once('/')
            .unwrap()
            .0
    ))
    .err()
    .unwrap();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.to_string().contains("refused the connection"), "{err}");
    assert!(err.to_string().contains("SQLSTATE 3D000"), "{err}");
}

#[test]
fn the_pool_never_holds_more_connections_than_its_bound() {
    let db = TestDatabase::create();
    let store = PgStore::connect(&format!("{}?pool_max_size=2", db.url())).unwrap();
    assert_eq!(store.pool_size(), 2);
    let start = Arc::new(Barrier::new(6));
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                (0..20)
                    .map(|_| {
                        let conn = store.conn().unwrap();
                        conn.query_one("SELECT pg_backend_pid()", &[])
                            .unwrap()
                            .get::<_, i32>(0)
                    })
                    .collect::<Vec<i32>>()
            })
        })
        .collect();
    let backends: BTreeSet<i32> = runs.into_iter().flat_map(|r| r.join().unwrap()).collect();
    assert!(
        (1..=2).contains(&backends.len()),
        "{} sessions for a pool of 2",
        backends.len()
    );
}
