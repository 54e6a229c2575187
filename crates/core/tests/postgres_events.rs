//! The `LISTEN` connection behind live events on PostgreSQL: a notification committed by any
//! session rings every receiver of the store, and a lost listening connection is made again
//! (ringing once more, so readers catch up on what they may have missed).

use booksygo_core::store::postgres::EVENTS_CHANNEL;
use booksygo_core::store::postgres::testing::TestDatabase;
use std::time::Duration;

async fn rings(rx: &mut tokio::sync::broadcast::Receiver<()>) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(10), rx.recv()).await,
        Ok(Ok(()))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_notification_rings_and_a_lost_listener_comes_back() {
    let db = TestDatabase::create();
    let store = db.store();
    let mut first = store.event_signal();
    let mut second = store.event_signal();
    // Listening: it rings once when it starts.
    assert!(rings(&mut first).await, "the listener did not start");
    assert!(rings(&mut second).await);

    // Not before the commit.
    let other = db.store();
    let conn = other.conn().unwrap();
    conn.batch_execute(&format!("BEGIN; SELECT pg_notify('{EVENTS_CHANNEL}', '')"))
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), first.recv())
            .await
            .is_err(),
        "rang before the commit"
    );
    conn.batch_execute("COMMIT").unwrap();
    assert!(rings(&mut first).await, "a committed event did not ring");
    assert!(rings(&mut second).await);

    // The listening session is ended from outside: it is made again, and rings.
    let ended = conn
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            &[],
        )
        .unwrap();
    assert_eq!(ended.len(), 1, "one listening connection per store");
    assert!(rings(&mut first).await, "the listener did not come back");
    conn.batch_execute(&format!("SELECT pg_notify('{EVENTS_CHANNEL}', '')"))
        .unwrap();
    assert!(
        rings(&mut first).await,
        "no ring after the listener came back"
    );
}

/// `sslmode=require` encrypts the pool's connections and the listening one; `disable` does
/// not (the test server offers TLS).
#[test]
fn the_connections_use_tls_when_sslmode_asks() {
    let db = TestDatabase::create();
    let joiner = if db.url().contains('?') { '&' } else { '?' };
    for (mode, expected) in [("require", true), ("disable", false), ("prefer", true)] {
        let store = booksygo_core::store::postgres::PgStore::connect(&format!(
            "{}{joiner}sslmode={mode}",
            db.url()
        ))
        .unwrap();
        let row = store
            .conn()
            .unwrap()
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, bool>(0), expected, "sslmode={mode}");
    }
}
