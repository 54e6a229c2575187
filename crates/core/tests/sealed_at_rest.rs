//! Personal data at rest: travellers' names, birth dates and document numbers and a
//! booking's contact e-mail are sealed in the database on both engines (checked on the raw
//! file bytes on SQLite and on every table's raw rows on PostgreSQL), the idempotency table
//! keeps no copy of them, keys rotate without losing old rows, and a missing or wrong key
//! is a clear error.

mod common;

use booksygo_core::crypto::DataKeys;
use booksygo_core::{Agency, ErrorKind, LocalAgency, LocalOptions};
use common::{Kept, agency_on, on_engines};

/// What must never be found in plain text.
const SECRETS: [&str; 4] = ["Lovelace", "1990-12-10", "X1234567", "ada@example.com"];

/// A key of 32 bytes of `byte`, given as BOOKSYGO_DATA_KEY gives it (base64).
fn key(byte: u8) -> DataKeys {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    DataKeys::parse(&text, "a test key").unwrap()
}

/// Ada with a passport, booking with an idempotency key.
fn request(offer: &str) -> booksygo_core::booking::BookingRequest {
    let mut r = common::ada_request(offer, Some("4242424242424242"));
    r.passengers[0].document = Some("X1234567".into());
    r.idempotency_key = Some("order-1".into());
    r
}

/// Another agency on `kept`'s data, sealing with `keys`.
fn reopen(kept: &Kept, keys: DataKeys) -> booksygo_core::Result<LocalAgency> {
    let mut options = LocalOptions::new(booksygo_core::config::Paths::in_dir(kept.dir()));
    options.clock = booksygo_core::config::Clock::fixed(common::now());
    options.database_url = kept.database_url().map(str::to_string);
    options.data_keys = keys;
    LocalAgency::open(options)
}

/// Every byte the database holds: the SQLite file and its WAL, or every row of every table
/// on PostgreSQL as JSON text.
fn raw(kept: &Kept, a: &LocalAgency) -> String {
    match kept.database_url() {
        None => {
            let mut all = Vec::new();
            for name in ["booksygo.db", "booksygo.db-wal"] {
                if let Ok(bytes) = std::fs::read(kept.dir().join(name)) {
                    all.extend(bytes);
                }
            }
            String::from_utf8_lossy(&all).into_owned()
        }
        Some(_) => {
            let tables = common::texts(
                a,
                "SELECT table_name::TEXT FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                &[],
            );
            assert!(
                tables.iter().any(|t| t == "booking_passengers"),
                "{tables:?}"
            );
            let mut all = String::new();
            for table in tables {
                for row in common::texts(
                    a,
                    &format!("SELECT row_to_json(t)::TEXT FROM {table} t"),
                    &[],
                ) {
                    all.push_str(&row);
                    all.push('\n');
                }
            }
            all
        }
    }
}

fn the_document(a: &LocalAgency) -> String {
    common::texts(a, "SELECT document FROM booking_passengers", &[]).remove(0)
}

on_engines!(
    #[tokio::test]
    names_birth_dates_documents_and_emails_are_sealed_on_disk
);
async fn names_birth_dates_documents_and_emails_are_sealed_on_disk(engine: &str) {
    let keys = key(1);
    let (kept, a) = agency_on(engine, |o| o.data_keys = keys.clone());
    let offer = common::ba_offer(&a).await;
    let booking = a.create_booking(request(&offer.id)).await.unwrap();
    // Read back whole through the facade.
    let read = a.get_booking(&booking.id).await.unwrap();
    assert_eq!(read.passengers[0].family_name, "Lovelace");
    assert_eq!(read.passengers[0].document.as_deref(), Some("X1234567"));
    assert_eq!(read.contact_email, "ada@example.com");
    assert_eq!(read, booking);
    let bytes = raw(&kept, &a);
    assert!(
        bytes.contains(&keys.current_prefix().unwrap()),
        "sealed values are there"
    );
    for secret in SECRETS {
        assert!(
            !bytes.contains(secret),
            "{secret} lies in plain text on {engine}"
        );
    }
}

on_engines!(
    #[tokio::test]
    an_idempotent_replay_answers_the_same_without_keeping_personal_data
);
async fn an_idempotent_replay_answers_the_same_without_keeping_personal_data(engine: &str) {
    let (_kept, a) = agency_on(engine, |o| o.data_keys = key(1));
    let offer = common::ba_offer(&a).await;
    let first = a.create_booking(request(&offer.id)).await.unwrap();
    let again = a.create_booking(request(&offer.id)).await.unwrap();
    assert_eq!(again, first, "the replay is the first answer");
    let kept = common::texts(&a, "SELECT response FROM idempotency", &[]);
    assert_eq!(kept.len(), 1);
    assert!(kept[0].contains(&first.id), "{}", kept[0]);
    for secret in SECRETS {
        assert!(!kept[0].contains(secret), "{secret} kept for replay");
    }
}

on_engines!(
    #[tokio::test]
    a_rotated_key_keeps_old_rows_readable_and_resealing_moves_them_to_it
);
async fn a_rotated_key_keeps_old_rows_readable_and_resealing_moves_them_to_it(engine: &str) {
    let old = key(1);
    let (kept, a) = agency_on(engine, |o| o.data_keys = old.clone());
    let offer = common::ba_offer(&a).await;
    let booking = a.create_booking(request(&offer.id)).await.unwrap();
    drop(a);
    let both = old.rotated().unwrap();
    let new = both.current_only();
    assert_ne!(new.current_id(), old.current_id());
    // New key current, old one kept: old rows read, new rows are sealed with the new key.
    let a = reopen(&kept, both.clone()).unwrap();
    assert_eq!(a.get_booking(&booking.id).await.unwrap(), booking);
    assert!(the_document(&a).starts_with(&old.current_prefix().unwrap()));
    let resealed = a.store().reseal().unwrap();
    assert_eq!(resealed.key.as_deref(), new.current_id());
    assert_eq!(resealed.rows["booking_passengers"], 1);
    assert_eq!(resealed.rows["bookings"], 1);
    assert!(the_document(&a).starts_with(&new.current_prefix().unwrap()));
    // Nothing left to move.
    assert_eq!(a.store().reseal().unwrap().rows["booking_passengers"], 0);
    drop(a);
    // The old key can go.
    let a = reopen(&kept, new).unwrap();
    assert_eq!(a.get_booking(&booking.id).await.unwrap(), booking);
}

on_engines!(
    #[tokio::test]
    a_missing_or_wrong_key_is_a_clear_error_not_garbage
);
async fn a_missing_or_wrong_key_is_a_clear_error_not_garbage(engine: &str) {
    let right = key(1);
    let (kept, a) = agency_on(engine, |o| o.data_keys = right.clone());
    let offer = common::ba_offer(&a).await;
    let booking = a.create_booking(request(&offer.id)).await.unwrap();
    drop(a);
    let a = reopen(&kept, key(2)).unwrap();
    let err = a.get_booking(&booking.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
    let text = err.to_string();
    assert!(
        text.contains(right.current_id().unwrap())
            && text.contains("not among the configured data keys"),
        "{text}"
    );
    drop(a);
    let a = reopen(&kept, DataKeys::none()).unwrap();
    let err = a.get_booking(&booking.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
    assert!(
        err.to_string().contains("no data key is configured"),
        "{err}"
    );
}

on_engines!(
    #[tokio::test]
    rows_written_plain_before_are_sealed_when_a_key_first_opens_them
);
async fn rows_written_plain_before_are_sealed_when_a_key_first_opens_them(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let offer = common::ba_offer(&a).await;
    let booking = a.create_booking(request(&offer.id)).await.unwrap();
    assert_eq!(the_document(&a), "X1234567", "written plain without a key");
    drop(a);
    let keys = key(3);
    let a = reopen(&kept, keys.clone()).unwrap();
    assert!(the_document(&a).starts_with(&keys.current_prefix().unwrap()));
    assert_eq!(a.get_booking(&booking.id).await.unwrap(), booking);
    let bytes = raw(&kept, &a);
    for secret in ["Lovelace", "1990-12-10", "X1234567"] {
        assert!(!bytes.contains(secret), "{secret} still plain on {engine}");
    }
}
