//! The bookings and inventory repositories through the storage port, on SQLite and on
//! PostgreSQL (`common::each_engine`): the same calls give the same results, in the same order,
//! on both. Then their promises with several writers at once, on PostgreSQL, where writers
//! are not taken one at a time: a status moves once, a review is written once, a booking's
//! totals and dates follow every item replaced, inventory is never oversold and each hold is
//! given back once.

mod common;

use booksygo_core::ErrorKind;
use booksygo_core::store::Store;
use booksygo_core::store::port::{
    AuditRow, DateChangeRow, ItemChange, NewBooking, NewItem, NewReview, NewSupplierOrder,
    NewTraveller, PlacedOrder, TravellerRow,
};
use booksygo_core::store::postgres::testing::TestDatabase;
use booksygo_core::store::{Need, Unit};
use std::sync::Barrier;

// --- raw SQL, only for the rows of other areas and to look at counters ---

/// Runs statements without parameters on either engine.
fn exec(store: &Store, sql: &str) {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().batch_execute(sql).unwrap(),
        None => store.conn().unwrap().execute_batch(sql).unwrap(),
    }
}

/// The integer one query returns (`CAST(.. AS BIGINT)` for a sum: PostgreSQL's is NUMERIC).
fn int(store: &Store, sql: &str) -> i64 {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().query_one(sql, &[]).unwrap().get(0),
        None => store
            .conn()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

fn real(store: &Store, sql: &str) -> f64 {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().query_one(sql, &[]).unwrap().get(0),
        None => store
            .conn()
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

fn user(store: &Store, id: &str) {
    exec(
        store,
        &format!("INSERT INTO users(id, email, created_at) VALUES ('{id}', '{id}@example.com', 0)"),
    );
}

/// A package with one departure of `slots` places on 2027-05-01.
fn package(store: &Store, id: &str, slots: i64) {
    exec(
        store,
        &format!(
            "INSERT INTO packages(id, slug, title, description, type, destination, destination_name, country, continent,
                 duration_days, base_price, currency, rating, review_count, max_group, source, updated_at)
             VALUES ('{id}', '{id}', 'Lisbon', 'Tiles', 'city', 'LIS', 'Lisbon', 'PT', 'EU', 4, 50000, 'EUR', 0, 0, 10, 'test', 0);
             INSERT INTO package_departures(package_id, date, slots, sold) VALUES ('{id}', '2027-05-01', {slots}, 0);"
        ),
    );
}

/// Unix seconds of an RFC 3339 instant.
fn at(instant: &str) -> i64 {
    instant.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn booking<'a>(
    id: &'a str,
    user: &'a str,
    code: &'a str,
    starts_on: &'a str,
    at: i64,
) -> NewBooking<'a> {
    NewBooking {
        id,
        user,
        confirmation_code: code,
        contact_email: "ada@example.com",
        currency: "EUR",
        total: 10_000,
        list_total: 12_000,
        points_redeemed: 100,
        points_value: 50,
        amount_due: 9_950,
        starts_on,
        ends_on: starts_on,
        at,
    }
}

fn item(seq: i64, starts_at: i64) -> NewItem<'static> {
    NewItem {
        seq,
        kind: "flight",
        offer_id: "off_1",
        provider: "sandbox",
        reference: None,
        description: "LHR-JFK",
        price: 5_000,
        tax: 500,
        list_price: 6_000,
        continent: "EU",
        starts_at,
        payload: "{\"seq\":1}",
    }
}

/// A booking `id` of `user` (created at `created`), with its creation audited.
fn write_booking(store: &Store, id: &str, user: &str, starts_on: &str, created: i64) {
    let code = format!("C{id}");
    store
        .write(|u| {
            u.bookings()
                .insert(&booking(id, user, &code, starts_on, created))?;
            u.bookings().audit_created(id, created)
        })
        .unwrap();
}

fn seats(flight: &str, capacity: u32, quantity: u32) -> Need {
    Need::Seats {
        flight_key: flight.into(),
        cabin: "economy".into(),
        dep_date: "2027-03-14".into(),
        capacity,
        quantity,
    }
}

fn rooms(night: &str, capacity: u32, quantity: u32) -> Need {
    Need::Rooms {
        hotel_id: "htl_1".into(),
        room_type: "double".into(),
        night: night.into(),
        capacity,
        quantity,
    }
}

fn slots(package: &str, quantity: u32) -> Need {
    Need::Slots {
        package_id: package.into(),
        date: "2027-05-01".into(),
        quantity,
    }
}

fn seats_sold(store: &Store, flight: &str) -> i64 {
    int(
        store,
        &format!(
            "SELECT sold FROM flight_inventory WHERE flight_key = '{flight}' AND cabin = 'economy'"
        ),
    )
}

fn rooms_sold(store: &Store, night: &str) -> i64 {
    int(
        store,
        &format!(
            "SELECT sold FROM room_inventory WHERE hotel_id = 'htl_1' AND room_type = 'double' AND night = '{night}'"
        ),
    )
}

fn slots_sold(store: &Store, package: &str) -> i64 {
    int(
        store,
        &format!(
            "SELECT sold FROM package_departures WHERE package_id = '{package}' AND date = '2027-05-01'"
        ),
    )
}

fn holds_open(store: &Store, booking: &str) -> i64 {
    int(
        store,
        &format!(
            "SELECT count(*) FROM booking_holds WHERE booking_id = '{booking}' AND NOT released"
        ),
    )
}

// --- on both engines ---

#[test]
fn a_booking_reads_back_whole_by_id_or_code_and_only_for_its_owner() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        user(store, "u2");
        let created = at("2026-11-25T12:00:00Z");
        store
            .write(|u| {
                let b = u.bookings();
                assert!(!b.code_taken("ABC123")?);
                b.insert(&NewBooking {
                    ends_on: "2027-03-20",
                    ..booking("bk_1", "u1", "ABC123", "2027-03-14", created)
                })?;
                b.audit_created("bk_1", created)?;
                // Written out of order: read back by seq.
                b.add_item(
                    "bk_1",
                    &NewItem {
                        reference: Some("PNR1"),
                        ..item(2, 200)
                    },
                )?;
                b.add_item("bk_1", &item(1, 100))?;
                b.add_traveller(
                    "bk_1",
                    &NewTraveller {
                        seq: 2,
                        given_name: "Grace",
                        family_name: "Hopper",
                        born_on: "1906-12-09",
                        kind: "adult",
                        document: Some("P123"),
                    },
                )?;
                b.add_traveller(
                    "bk_1",
                    &NewTraveller {
                        seq: 1,
                        given_name: "Ada",
                        family_name: "Lovelace",
                        born_on: "1990-12-10",
                        kind: "adult",
                        document: None,
                    },
                )?;
                Ok(())
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert!(b.code_taken("ABC123")?, "{engine}");
                assert!(
                    !b.code_taken("abc123")?,
                    "{engine}: codes are compared exactly"
                );
                let row = b.find("u1", "bk_1")?.expect("by id");
                assert_eq!(
                    b.find("u1", "ABC123")?,
                    Some(row.clone()),
                    "{engine}: by code"
                );
                assert_eq!(
                    (
                        row.id.as_str(),
                        row.status.as_str(),
                        row.confirmation_code.as_str()
                    ),
                    ("bk_1", "PENDING", "ABC123")
                );
                assert_eq!(
                    (
                        row.total,
                        row.list_total,
                        row.points_redeemed,
                        row.points_value
                    ),
                    (10_000, 12_000, 100, 50)
                );
                assert_eq!((row.amount_due, row.refunded), (9_950, 0));
                assert_eq!(
                    (row.starts_on.as_str(), row.ends_on.as_str()),
                    ("2027-03-14", "2027-03-20")
                );
                assert_eq!((row.created_at, row.updated_at), (created, created));
                assert_eq!(row.contact_email, "ada@example.com");
                assert_eq!(row.currency, "EUR");
                // Another traveller's booking is not found, by id or code.
                assert_eq!(b.find("u2", "bk_1")?, None, "{engine}");
                assert_eq!(b.find("u2", "ABC123")?, None, "{engine}");
                assert_eq!(b.find("u1", "bk_none")?, None, "{engine}");
                assert_eq!(b.resolve("u1", "ABC123")?.as_deref(), Some("bk_1"));
                assert_eq!(b.resolve("u1", "bk_1")?.as_deref(), Some("bk_1"));
                assert_eq!(b.resolve("u2", "bk_1")?, None, "{engine}");
                assert_eq!(
                    b.status("bk_1")?,
                    Some(("PENDING".to_string(), "u1".to_string()))
                );
                assert_eq!(b.status("bk_none")?, None, "{engine}");

                let items = b.items("bk_1")?;
                assert_eq!(
                    items.iter().map(|i| i.seq).collect::<Vec<_>>(),
                    [1, 2],
                    "{engine}"
                );
                assert_eq!(items[1].reference.as_deref(), Some("PNR1"));
                assert_eq!(items[0].reference, None);
                assert_eq!(
                    (
                        items[0].kind.as_str(),
                        items[0].offer_id.as_str(),
                        items[0].provider.as_str()
                    ),
                    ("flight", "off_1", "sandbox")
                );
                assert_eq!(
                    (
                        items[0].price,
                        items[0].tax,
                        items[0].list_price,
                        items[0].starts_at
                    ),
                    (5_000, 500, 6_000, 100)
                );
                assert_eq!(items[0].description, "LHR-JFK");
                assert_eq!(items[0].payload, "{\"seq\":1}");

                assert_eq!(
                    b.travellers("bk_1")?,
                    vec![
                        TravellerRow {
                            given_name: "Ada".into(),
                            family_name: "Lovelace".into(),
                            born_on: "1990-12-10".into(),
                            kind: "adult".into(),
                            document: None,
                        },
                        TravellerRow {
                            given_name: "Grace".into(),
                            family_name: "Hopper".into(),
                            born_on: "1906-12-09".into(),
                            kind: "adult".into(),
                            document: Some("P123".into()),
                        },
                    ],
                    "{engine}"
                );
                assert_eq!(
                    b.history("bk_1")?,
                    vec![AuditRow {
                        from: None,
                        to: "PENDING".into(),
                        reason: "created".into(),
                        at: created,
                    }]
                );
                // Nothing of a booking that is not there.
                assert!(b.items("bk_none")?.is_empty());
                assert!(b.travellers("bk_none")?.is_empty());
                assert!(b.history("bk_none")?.is_empty());
                Ok(())
            })
            .unwrap();
        // A second booking with the code taken is refused by the database.
        let err = store
            .write(|u| {
                u.bookings()
                    .insert(&booking("bk_2", "u1", "ABC123", "2027-03-14", created))
            })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal, "{engine}: {err}");
    });
}

#[test]
fn a_status_moves_only_from_the_status_it_was_read_in_and_is_audited() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        write_booking(store, "bk_1", "u1", "2027-03-14", 1_000);
        let moved = store
            .write(|u| {
                u.bookings()
                    .move_status("bk_1", "PENDING", "CONFIRMED", "paid", 2_000)
            })
            .unwrap();
        assert!(moved, "{engine}");
        // Moved already: a second move from PENDING changes nothing and writes no audit row.
        let again = store
            .write(|u| {
                u.bookings()
                    .move_status("bk_1", "PENDING", "CANCELLED", "late", 3_000)
            })
            .unwrap();
        assert!(!again, "{engine}");
        let missing = store
            .write(|u| {
                u.bookings()
                    .move_status("bk_none", "PENDING", "CONFIRMED", "paid", 3_000)
            })
            .unwrap();
        assert!(!missing, "{engine}");
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(b.status("bk_1")?, Some(("CONFIRMED".into(), "u1".into())));
                assert_eq!(b.find("u1", "bk_1")?.unwrap().updated_at, 2_000, "{engine}");
                assert_eq!(
                    b.history("bk_1")?,
                    vec![
                        AuditRow {
                            from: None,
                            to: "PENDING".into(),
                            reason: "created".into(),
                            at: 1_000,
                        },
                        AuditRow {
                            from: Some("PENDING".into()),
                            to: "CONFIRMED".into(),
                            reason: "paid".into(),
                            at: 2_000,
                        },
                    ],
                    "{engine}"
                );
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn a_travellers_bookings_are_listed_by_start_date_then_creation_and_by_status() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        user(store, "u2");
        write_booking(store, "bk_c", "u1", "2027-05-01", 10);
        write_booking(store, "bk_a", "u1", "2027-04-01", 30);
        write_booking(store, "bk_b", "u1", "2027-04-01", 20);
        // Same start and creation: in the order written.
        write_booking(store, "bk_e", "u1", "2027-04-01", 30);
        write_booking(store, "bk_d", "u2", "2027-01-01", 5);
        store
            .write(|u| {
                u.bookings()
                    .move_status("bk_a", "PENDING", "CONFIRMED", "paid", 40)
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(
                    b.ids_of("u1", None)?,
                    ["bk_b", "bk_a", "bk_e", "bk_c"],
                    "{engine}"
                );
                assert_eq!(
                    b.ids_of("u1", Some("PENDING"))?,
                    ["bk_b", "bk_e", "bk_c"],
                    "{engine}"
                );
                assert_eq!(b.ids_of("u1", Some("CONFIRMED"))?, ["bk_a"], "{engine}");
                assert!(b.ids_of("u1", Some("REFUNDED"))?.is_empty());
                assert!(b.ids_of("u3", None)?.is_empty());
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn a_renamed_traveller_and_a_replaced_item_change_their_booking() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        let first = at("2027-03-14T10:00:00Z");
        let second = at("2027-03-20T18:00:00Z");
        store
            .write(|u| {
                let b = u.bookings();
                b.insert(&NewBooking {
                    ends_on: "2027-03-21",
                    ..booking("bk_1", "u1", "ABC123", "2027-03-14", 1_000)
                })?;
                b.add_item("bk_1", &item(1, first))?;
                b.add_item("bk_1", &item(2, second))?;
                b.add_traveller(
                    "bk_1",
                    &NewTraveller {
                        seq: 1,
                        given_name: "Ada",
                        family_name: "Byron",
                        born_on: "1990-12-10",
                        kind: "adult",
                        document: None,
                    },
                )
            })
            .unwrap();
        store
            .write(|u| {
                u.bookings()
                    .rename_traveller("bk_1", 1, "Ada", "Lovelace", 2_000)
            })
            .unwrap();
        // The outbound moves two days earlier and costs 700 more; the trip ends later.
        let earlier = at("2027-03-12T23:30:00Z");
        store
            .write(|u| {
                u.bookings().replace_item(&ItemChange {
                    booking: "bk_1",
                    seq: 1,
                    offer_id: "off_2",
                    description: "LHR-JFK (moved)",
                    price: 5_700,
                    tax: 570,
                    starts_at: earlier,
                    payload: "{\"moved\":true}",
                    delta: 700,
                    ends_on: "2027-03-25",
                    at: 3_000,
                })
            })
            .unwrap();
        // An earlier end leaves the booking's end where it was.
        store
            .write(|u| {
                u.bookings().replace_item(&ItemChange {
                    booking: "bk_1",
                    seq: 2,
                    offer_id: "off_3",
                    description: "JFK-LHR (moved)",
                    price: 4_900,
                    tax: 490,
                    starts_at: second,
                    payload: "{}",
                    delta: -100,
                    ends_on: "2027-03-21",
                    at: 4_000,
                })
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(b.travellers("bk_1")?[0].family_name, "Lovelace", "{engine}");
                let row = b.find("u1", "bk_1")?.unwrap();
                assert_eq!(
                    (row.total, row.list_total, row.amount_due),
                    (10_600, 12_600, 10_550)
                );
                assert_eq!(
                    row.starts_on, "2027-03-12",
                    "{engine}: the earliest item's UTC date"
                );
                assert_eq!(row.ends_on, "2027-03-25", "{engine}");
                assert_eq!(row.updated_at, 4_000);
                let items = b.items("bk_1")?;
                assert_eq!(
                    (
                        items[0].offer_id.as_str(),
                        items[0].price,
                        items[0].list_price,
                        items[0].tax
                    ),
                    ("off_2", 5_700, 5_700, 570),
                    "{engine}"
                );
                assert_eq!(
                    (items[0].starts_at, items[0].payload.as_str()),
                    (earlier, "{\"moved\":true}")
                );
                assert_eq!(items[0].description, "LHR-JFK (moved)");
                assert_eq!(items[1].offer_id, "off_3");
                Ok(())
            })
            .unwrap();
        // Renaming touched the booking.
        let touched = store
            .read(|u| Ok(u.bookings().find("u1", "bk_1")?.unwrap()))
            .unwrap();
        assert!(touched.updated_at >= 2_000);
    });
}

#[test]
fn date_changes_are_numbered_once_per_booking() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        write_booking(store, "bk_1", "u1", "2027-03-14", 1_000);
        write_booking(store, "bk_2", "u1", "2027-03-14", 1_000);
        let change = |number, fee, waived: i64| DateChangeRow {
            number,
            from_date: "2027-03-14".into(),
            to_date: "2027-03-21".into(),
            fare_difference: -1_250,
            fee,
            fee_waived: waived,
            waived_for: (waived > 0).then(|| "premium".to_string()),
            at: 2_000 + i64::from(number),
        };
        let first = change(1, 0, 7_000);
        let again = change(1, 7_000, 0);
        let second = change(2, 7_000, 0);
        let written = store
            .write(|u| {
                let b = u.bookings();
                Ok((
                    b.record_date_change("bk_1", &first)?,
                    // Another change that also thought it was the first: not written.
                    b.record_date_change("bk_1", &again)?,
                    b.record_date_change("bk_1", &second)?,
                    // Numbers are per booking.
                    b.record_date_change("bk_2", &again)?,
                ))
            })
            .unwrap();
        assert_eq!(written, (true, false, true, true), "{engine}");
        let read = store.read(|u| u.bookings().date_changes("bk_1")).unwrap();
        assert_eq!(read, vec![first.clone(), second.clone()], "{engine}");
        assert_eq!(
            store.read(|u| u.bookings().date_changes("bk_3")).unwrap(),
            vec![],
            "{engine}"
        );
    });
}

#[test]
fn housekeeping_finds_lapsed_held_and_ended_bookings() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        user(store, "u2");
        // PENDING, old enough to lapse; and one too recent.
        write_booking(store, "bk_old", "u1", "2027-03-14", 100);
        write_booking(store, "bk_older", "u2", "2027-03-14", 50);
        write_booking(store, "bk_new", "u1", "2027-03-14", 900);
        // Charges: cut short (no payment), paid, waiting for the cardholder.
        for (id, created) in [
            ("bk_cut", 200),
            ("bk_paid", 210),
            ("bk_3ds", 220),
            ("bk_3ds_old", 230),
        ] {
            write_booking(store, id, "u1", "2027-03-14", created);
        }
        store
            .write(|u| {
                let b = u.bookings();
                for (id, touched) in [
                    ("bk_cut", 300),
                    ("bk_paid", 300),
                    ("bk_3ds", 500),
                    ("bk_3ds_old", 250),
                ] {
                    assert!(b.move_status(
                        id,
                        "PENDING",
                        "PAYMENT_PROCESSING",
                        "charging",
                        touched
                    )?);
                }
                Ok(())
            })
            .unwrap();
        exec(
            store,
            "INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, created_at)
             VALUES ('pay_1', 'bk_paid', 'sandbox', 'card', 'succeeded', 100, 'EUR', 300),
                    ('pay_2', 'bk_3ds', 'sandbox', 'card', 'requires_action', 100, 'EUR', 300),
                    ('pay_3', 'bk_3ds_old', 'sandbox', 'card', 'requires_action', 100, 'EUR', 250)",
        );
        // Confirmed trips: one ended, one not yet.
        write_booking(store, "bk_done", "u1", "2027-01-01", 60);
        write_booking(store, "bk_going", "u1", "2027-02-01", 70);
        store
            .write(|u| {
                assert!(
                    u.bookings()
                        .move_status("bk_done", "PENDING", "CONFIRMED", "paid", 80)?
                );
                assert!(u.bookings().move_status(
                    "bk_going",
                    "PENDING",
                    "CONFIRMED",
                    "paid",
                    80
                )?);
                Ok(())
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
                    v.iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect()
                };
                assert_eq!(
                    b.lapsing_pending(150)?,
                    owned(&[("bk_older", "u2"), ("bk_old", "u1")]),
                    "{engine}"
                );
                assert_eq!(b.lapsing_pending(40)?, owned(&[]));
                // Untouched since 400: the cut charge, and the 3-D Secure one older than the
                // cardholder's day (action_before 260); not the paid one.
                assert_eq!(
                    b.lapsing_charges(400, 260)?,
                    owned(&[("bk_cut", "u1"), ("bk_3ds_old", "u1")]),
                    "{engine}"
                );
                assert_eq!(
                    b.lapsing_charges(600, 200)?,
                    owned(&[("bk_cut", "u1")]),
                    "{engine}"
                );
                assert_eq!(
                    b.ending("2027-01-15")?,
                    owned(&[("bk_done", "u1")]),
                    "{engine}"
                );
                assert_eq!(
                    b.ending("2027-01-01")?,
                    owned(&[]),
                    "{engine}: ends that day"
                );
                assert_eq!(
                    b.ending("2027-03-01")?,
                    owned(&[("bk_done", "u1"), ("bk_going", "u1")]),
                    "{engine}"
                );
                Ok(())
            })
            .unwrap();
        // Held supplier orders past their deadline lapse their PENDING booking.
        store
            .write(|u| {
                let b = u.bookings();
                for (id, booking, seq, deadline) in [
                    ("so_1", "bk_new", 1, Some(1_000)),
                    ("so_2", "bk_new", 2, Some(5_000)),
                    ("so_3", "bk_old", 1, None),
                ] {
                    b.order_intent(&order(id, booking, seq, "flight", 900))?;
                    b.order_placed(
                        &b.orders_pending(booking)?
                            .into_iter()
                            .find(|o| o.id == id)
                            .unwrap(),
                        &PlacedOrder {
                            status: "confirmed",
                            order_id: "ord",
                            booking_reference: "REF",
                            held: true,
                            payment_required_by: deadline,
                        },
                        950,
                    )?;
                }
                Ok(())
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(
                    b.lapsing_held(2_000, 500)?,
                    vec![("bk_new".to_string(), "u1".to_string())],
                    "{engine}"
                );
                // A booking with two orders past their deadline is listed for each.
                assert_eq!(b.lapsing_held(6_000, 500)?.len(), 2, "{engine}");
                // Created before the window: not listed.
                assert!(b.lapsing_held(6_000, 901)?.is_empty(), "{engine}");
                Ok(())
            })
            .unwrap();
    });
}

fn order<'a>(
    id: &'a str,
    booking: &'a str,
    seq: i64,
    kind: &'a str,
    at: i64,
) -> NewSupplierOrder<'a> {
    NewSupplierOrder {
        id,
        booking,
        seq,
        kind,
        provider: "duffel",
        supplier_ref: "off_duffel",
        offer: "{\"price\":1}",
        at,
    }
}

#[test]
fn supplier_orders_go_from_intent_to_placed_paid_and_cancelled() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        write_booking(store, "bk_1", "u1", "2027-03-14", 100);
        write_booking(store, "bk_2", "u1", "2027-03-14", 100);
        store
            .write(|u| {
                let b = u.bookings();
                b.add_item("bk_1", &item(1, 10))?;
                b.add_item("bk_1", &item(2, 20))?;
                // Intents out of order: listed by creation, then item.
                b.order_intent(&order("so_b", "bk_1", 2, "hotel", 500))?;
                b.order_intent(&order("so_a", "bk_1", 1, "flight", 500))?;
                b.order_intent(&order("so_c", "bk_2", 1, "flight", 400))
            })
            .unwrap();
        let pending = store.read(|u| u.bookings().orders_pending("bk_1")).unwrap();
        assert_eq!(
            pending.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            ["so_a", "so_b"],
            "{engine}"
        );
        let a = pending[0].clone();
        assert_eq!(
            (
                a.booking_id.as_str(),
                a.seq,
                a.kind.as_str(),
                a.provider.as_str()
            ),
            ("bk_1", 1, "flight", "duffel")
        );
        assert_eq!(
            (a.offer_id.as_str(), a.offer.as_str()),
            ("off_duffel", "{\"price\":1}")
        );
        assert_eq!(
            (a.status.as_str(), a.order_id.as_deref(), a.created_at),
            ("pending", None, 500)
        );
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(
                    b.orders_unsettled()?
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>(),
                    ["so_c", "so_a", "so_b"],
                    "{engine}"
                );
                assert_eq!(
                    b.open_order("bk_1")?,
                    Some(("duffel".into(), "pending".into()))
                );
                assert_eq!(b.open_order("bk_none")?, None);
                assert_eq!(b.held_until("bk_1", 77)?, None, "{engine}: holds nothing");
                assert_eq!(b.order_status("so_a")?, "pending");
                Ok(())
            })
            .unwrap();
        let missing = store
            .read(|u| u.bookings().order_status("so_none"))
            .unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Internal, "{engine}: {missing}");

        // The flight is held unpaid until 9000, the hotel confirmed without a deadline.
        store
            .write(|u| {
                let b = u.bookings();
                b.order_placed(
                    &a,
                    &PlacedOrder {
                        status: "confirmed",
                        order_id: "ord_a",
                        booking_reference: "PNRA",
                        held: true,
                        payment_required_by: Some(9_000),
                    },
                    600,
                )?;
                b.order_placed(
                    &pending[1],
                    &PlacedOrder {
                        status: "confirmed",
                        order_id: "ord_b",
                        booking_reference: "HTLB",
                        held: true,
                        payment_required_by: None,
                    },
                    600,
                )?;
                b.order_failed("so_c", "no seats", 600)
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                let items = b.items("bk_1")?;
                assert_eq!(items[0].reference.as_deref(), Some("PNRA"), "{engine}");
                assert_eq!(items[1].reference.as_deref(), Some("HTLB"), "{engine}");
                assert_eq!(b.order_status("so_c")?, "failed");
                assert!(b.orders_pending("bk_1")?.is_empty());
                assert!(b.orders_unsettled()?.is_empty(), "{engine}");
                assert_eq!(b.open_order("bk_1")?, None);
                // The hotel has no deadline: the default stands in for it.
                assert_eq!(b.held_until("bk_1", 8_000)?, Some(8_000), "{engine}");
                assert_eq!(b.held_until("bk_1", 10_000)?, Some(9_000), "{engine}");
                let held = b.held_flight_orders("bk_1")?;
                assert_eq!(held.len(), 1);
                assert_eq!(
                    (held[0].id.as_str(), held[0].order_id.as_deref()),
                    ("so_a", Some("ord_a"))
                );
                // The booking is not CONFIRMED yet.
                assert_eq!(b.unpaid_held_order("bk_1")?, None, "{engine}");
                assert!(b.held_flight_orders_paid()?.is_empty(), "{engine}");
                Ok(())
            })
            .unwrap();
        store
            .write(|u| {
                assert!(
                    u.bookings()
                        .move_status("bk_1", "PENDING", "CONFIRMED", "paid", 700)?
                );
                u.bookings()
                    .order_note("so_a", "the supplier timed out", 700)
            })
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(
                    b.unpaid_held_order("bk_1")?.as_deref(),
                    Some("duffel"),
                    "{engine}"
                );
                assert_eq!(
                    b.held_flight_orders_paid()?
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>(),
                    ["so_a"],
                    "{engine}"
                );
                Ok(())
            })
            .unwrap();
        assert_eq!(
            int(
                store,
                "SELECT count(*) FROM supplier_orders WHERE id = 'so_a' AND message = 'the supplier timed out'"
            ),
            1
        );
        store
            .write(|u| {
                u.bookings().order_paid("so_a", 800)?;
                u.bookings().order_paid("so_b", 800)
            })
            .unwrap();
        assert_eq!(
            int(
                store,
                "SELECT count(*) FROM supplier_orders WHERE id = 'so_a' AND message IS NULL AND NOT held"
            ),
            1,
            "{engine}"
        );
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(b.unpaid_held_order("bk_1")?, None, "{engine}");
                assert!(b.held_flight_orders("bk_1")?.is_empty());
                assert_eq!(b.held_until("bk_1", 1)?, None);
                Ok(())
            })
            .unwrap();
        // Cancelling: confirmed orders move to cancelling, get a quote, then are cancelled.
        store
            .write(|u| u.bookings().orders_cancelling("bk_1", 900))
            .unwrap();
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(
                    b.orders_to_cancel("bk_1")?
                        .iter()
                        .map(|o| (o.id.as_str(), o.status.as_str()))
                        .collect::<Vec<_>>(),
                    [("so_a", "cancelling"), ("so_b", "cancelling")],
                    "{engine}"
                );
                assert_eq!(b.orders_unsettled()?.len(), 2);
                assert_eq!(
                    b.open_order("bk_1")?,
                    Some(("duffel".into(), "cancelling".into()))
                );
                assert_eq!(
                    b.order_status("so_c")?,
                    "failed",
                    "{engine}: a failed order stays so"
                );
                Ok(())
            })
            .unwrap();
        store
            .write(|u| {
                let b = u.bookings();
                b.order_cancel_quoted("so_a", "can_1", Some((4_200, "GBP")), 950)?;
                b.order_cancel_quoted("so_b", "can_2", None, 950)?;
                b.order_cancelled("so_a", 1_000)
            })
            .unwrap();
        assert_eq!(
            int(
                store,
                "SELECT count(*) FROM supplier_orders WHERE id = 'so_a' AND cancellation_id = 'can_1'
                 AND refund_amount = 4200 AND refund_currency = 'GBP' AND updated_at = 1000"
            ),
            1,
            "{engine}"
        );
        assert_eq!(
            int(
                store,
                "SELECT count(*) FROM supplier_orders WHERE id = 'so_b' AND cancellation_id = 'can_2'
                 AND refund_amount IS NULL AND refund_currency IS NULL"
            ),
            1,
            "{engine}"
        );
        store
            .read(|u| {
                let b = u.bookings();
                assert_eq!(b.order_status("so_a")?, "cancelled");
                assert_eq!(
                    b.orders_to_cancel("bk_1")?
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>(),
                    ["so_b"],
                    "{engine}"
                );
                Ok(())
            })
            .unwrap();
    });
}

fn review<'a>(id: &'a str, booking: &'a str, rating: u8) -> NewReview<'a> {
    NewReview {
        id,
        booking,
        package: "pkg_1",
        user: "u1",
        rating,
        text: "lovely",
        at: 5_000,
    }
}

#[test]
fn a_review_is_written_once_and_folded_into_its_packages_rating() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        package(store, "pkg_1", 10);
        for id in ["bk_1", "bk_2", "bk_3"] {
            write_booking(store, id, "u1", "2027-05-01", 100);
        }
        assert!(!store.read(|u| u.bookings().reviewed("bk_1")).unwrap());
        for (id, booking, rating) in [
            ("rev_1", "bk_1", 5),
            ("rev_2", "bk_2", 4),
            ("rev_3", "bk_3", 4),
        ] {
            store
                .write(|u| u.bookings().add_review(&review(id, booking, rating)))
                .unwrap();
        }
        assert!(
            store.read(|u| u.bookings().reviewed("bk_1")).unwrap(),
            "{engine}"
        );
        assert!(!store.read(|u| u.bookings().reviewed("bk_none")).unwrap());
        // 5, then (5 + 4) / 2 = 4.5, then (4.5 * 2 + 4) / 3 = 4.333.. rounded to 4.33.
        assert_eq!(
            real(store, "SELECT rating FROM packages WHERE id = 'pkg_1'"),
            4.33,
            "{engine}"
        );
        assert_eq!(
            int(
                store,
                "SELECT review_count FROM packages WHERE id = 'pkg_1'"
            ),
            3
        );
        // A second review of one booking is refused, and the rating does not move.
        let err = store
            .write(|u| u.bookings().add_review(&review("rev_4", "bk_1", 1)))
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Conflict | ErrorKind::Internal),
            "{engine}: {err}"
        );
        assert_eq!(
            int(
                store,
                "SELECT review_count FROM packages WHERE id = 'pkg_1'"
            ),
            3,
            "{engine}"
        );
        assert_eq!(int(store, "SELECT count(*) FROM reviews"), 3);
    });
}

#[test]
fn inventory_is_taken_up_to_capacity_and_given_back_once() {
    common::each_engine(|engine, store| {
        user(store, "u1");
        package(store, "pkg_1", 4);
        for id in ["bk_1", "bk_2", "bk_3"] {
            write_booking(store, id, "u1", "2027-03-14", 100);
        }
        // A first sale creates the flight's and the room's rows with their capacity.
        store
            .write(|u| {
                u.inventory().take(
                    "bk_1",
                    &[
                        seats("BA117", 3, 2),
                        rooms("2027-03-14", 2, 1),
                        rooms("2027-03-15", 2, 1),
                        slots("pkg_1", 3),
                    ],
                )
            })
            .unwrap();
        assert_eq!(seats_sold(store, "BA117"), 2, "{engine}");
        assert_eq!(rooms_sold(store, "2027-03-14"), 1);
        assert_eq!(rooms_sold(store, "2027-03-15"), 1);
        assert_eq!(slots_sold(store, "pkg_1"), 3);
        assert_eq!(holds_open(store, "bk_1"), 4);
        // The capacity given with a later sale does not change the row's.
        store
            .write(|u| u.inventory().take("bk_2", &[seats("BA117", 300, 1)]))
            .unwrap();
        assert_eq!(seats_sold(store, "BA117"), 3);
        // Sold out: the conflict names the first need that cannot be met, and the unit is
        // rolled back with what it took before it.
        let err = store
            .write(|u| {
                u.inventory().take(
                    "bk_3",
                    &[
                        rooms("2027-03-14", 2, 1),
                        slots("pkg_1", 2),
                        seats("BA117", 3, 1),
                    ],
                )
            })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{engine}: {err}");
        assert_eq!(err.to_string(), slots("pkg_1", 2).sold_out(), "{engine}");
        assert_eq!(rooms_sold(store, "2027-03-14"), 1, "{engine}: rolled back");
        assert_eq!(holds_open(store, "bk_3"), 0);
        let err = store
            .write(|u| u.inventory().take("bk_3", &[seats("BA117", 3, 1)]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sold out: no economy seats left on BA117; search again",
            "{engine}"
        );
        let err = store
            .write(|u| u.inventory().take("bk_3", &[rooms("2027-03-15", 2, 2)]))
            .unwrap_err();
        assert_eq!(err.to_string(), rooms("2027-03-15", 2, 2).sold_out());
        // A departure that does not exist has no places.
        let err = store
            .write(|u| {
                u.inventory().take(
                    "bk_3",
                    &[Need::Slots {
                        package_id: "pkg_1".into(),
                        date: "2030-01-01".into(),
                        quantity: 1,
                    }],
                )
            })
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{engine}");

        // A flight moved: only the seats go back.
        store
            .write(|u| u.inventory().release("bk_1", true))
            .unwrap();
        assert_eq!(seats_sold(store, "BA117"), 1, "{engine}");
        assert_eq!(rooms_sold(store, "2027-03-14"), 1);
        assert_eq!(slots_sold(store, "pkg_1"), 3);
        assert_eq!(holds_open(store, "bk_1"), 3);
        // Released holds stay released: a second release gives back only the rest, a third
        // nothing.
        for _ in 0..2 {
            store
                .write(|u| u.inventory().release("bk_1", false))
                .unwrap();
            assert_eq!(seats_sold(store, "BA117"), 1, "{engine}");
            assert_eq!(rooms_sold(store, "2027-03-14"), 0);
            assert_eq!(rooms_sold(store, "2027-03-15"), 0);
            assert_eq!(slots_sold(store, "pkg_1"), 0);
            assert_eq!(holds_open(store, "bk_1"), 0);
        }
        // Releasing a booking that holds nothing changes nothing.
        store
            .write(|u| u.inventory().release("bk_none", false))
            .unwrap();
        // What was given back can be sold again, up to capacity.
        store
            .write(|u| {
                u.inventory()
                    .take("bk_3", &[seats("BA117", 3, 2), slots("pkg_1", 4)])
            })
            .unwrap();
        assert_eq!(seats_sold(store, "BA117"), 3, "{engine}");
        assert_eq!(slots_sold(store, "pkg_1"), 4);
    });
}

// --- several writers at once, on PostgreSQL ---

const WRITERS: usize = 8;

/// Runs `work(i)` on `WRITERS` threads at once; their results in thread order.
fn side_by_side<T: Send>(work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|i| {
                let work = &work;
                s.spawn(move || work(i))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn eight_writers_selling_the_first_seats_of_a_flight_never_oversell_it() {
    let db = TestDatabase::create();
    let store = db.port();
    user(&store, "u1");
    package(&store, "pkg_1", 5);
    for i in 0..WRITERS {
        write_booking(&store, &format!("bk_{i}"), "u1", "2027-03-14", 100);
    }
    // Capacity 5 everywhere; every writer wants one seat, one room and one place, its first
    // sale racing the others'.
    let barrier = Barrier::new(WRITERS);
    let outcomes = side_by_side(|i| {
        store.write(|u| {
            // Every unit is open before any takes anything.
            barrier.wait();
            u.inventory().take(
                &format!("bk_{i}"),
                &[
                    seats("BA117", 5, 1),
                    rooms("2027-03-14", 5, 1),
                    slots("pkg_1", 1),
                ],
            )
        })
    });
    let sold = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(sold, 5, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert_eq!(refused.kind(), ErrorKind::Conflict, "{refused}");
        assert!(refused.to_string().starts_with("sold out:"), "{refused}");
    }
    assert_eq!(seats_sold(&store, "BA117"), 5);
    assert_eq!(rooms_sold(&store, "2027-03-14"), 5);
    assert_eq!(slots_sold(&store, "pkg_1"), 5);
    assert_eq!(int(&store, "SELECT count(*) FROM flight_inventory"), 1);
    assert_eq!(
        int(
            &store,
            "SELECT count(*) FROM booking_holds WHERE NOT released"
        ),
        15,
        "three holds for each booking sold, none for the others"
    );
}

#[test]
fn eight_writers_releasing_one_booking_give_each_hold_back_once() {
    let db = TestDatabase::create();
    let store = db.port();
    user(&store, "u1");
    package(&store, "pkg_1", 9);
    write_booking(&store, "bk_1", "u1", "2027-03-14", 100);
    write_booking(&store, "bk_2", "u1", "2027-03-14", 100);
    store
        .write(|u| {
            u.inventory().take(
                "bk_1",
                &[
                    seats("BA117", 9, 2),
                    seats("BA178", 9, 2),
                    rooms("2027-03-14", 9, 1),
                    slots("pkg_1", 3),
                ],
            )?;
            u.inventory()
                .take("bk_2", &[seats("BA117", 9, 1), slots("pkg_1", 1)])
        })
        .unwrap();
    let barrier = Barrier::new(WRITERS);
    let outcomes = side_by_side(|i| {
        store.write(|u| {
            barrier.wait();
            // Half move the flight (seats only), half cancel (everything).
            u.inventory().release("bk_1", i % 2 == 0)
        })
    });
    assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
    // bk_2's seats and place are all that is left.
    assert_eq!(seats_sold(&store, "BA117"), 1);
    assert_eq!(seats_sold(&store, "BA178"), 0);
    assert_eq!(rooms_sold(&store, "2027-03-14"), 0);
    assert_eq!(slots_sold(&store, "pkg_1"), 1);
    assert_eq!(holds_open(&store, "bk_1"), 0);
    assert_eq!(holds_open(&store, "bk_2"), 2);
}

#[test]
fn eight_writers_moving_one_booking_move_it_once() {
    let db = TestDatabase::create();
    let store = db.port();
    user(&store, "u1");
    write_booking(&store, "bk_1", "u1", "2027-03-14", 100);
    write_booking(&store, "bk_2", "u1", "2027-03-14", 100);
    let barrier = Barrier::new(WRITERS);
    // The move alone: exactly one writer moves it.
    let moved = side_by_side(|i| {
        store.write(|u| {
            barrier.wait();
            u.bookings()
                .move_status("bk_1", "PENDING", "CANCELLED", &format!("writer {i}"), 200)
        })
    });
    assert_eq!(
        moved.iter().filter(|m| matches!(m, Ok(true))).count(),
        1,
        "{moved:?}"
    );
    assert!(moved.iter().all(|m| m.is_ok()), "{moved:?}");
    let history = store.read(|u| u.bookings().history("bk_1")).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    // A rule's read-then-move (state::transition): the status read in a unit is the one
    // the move starts from, so the writers after the first see it moved, as one writer at a
    // time would, and none has its conditional move refused.
    let barrier = Barrier::new(WRITERS);
    let seen = side_by_side(|_| {
        store.write(|u: &dyn Unit| {
            barrier.wait();
            let (from, _) = u.bookings().status("bk_2")?.unwrap();
            if from != "PENDING" {
                return Ok(from);
            }
            assert!(
                u.bookings()
                    .move_status("bk_2", "PENDING", "CONFIRMED", "paid", 300)?,
                "the status read is the status moved from"
            );
            Ok("moved".to_string())
        })
    });
    let seen: Vec<String> = seen.into_iter().map(Result::unwrap).collect();
    assert_eq!(seen.iter().filter(|s| *s == "moved").count(), 1, "{seen:?}");
    assert_eq!(
        seen.iter().filter(|s| *s == "CONFIRMED").count(),
        WRITERS - 1,
        "{seen:?}"
    );
    assert_eq!(
        store.read(|u| u.bookings().history("bk_2")).unwrap().len(),
        2
    );
}

#[test]
fn eight_writers_reviewing_one_booking_write_one_review() {
    let db = TestDatabase::create();
    let store = db.port();
    user(&store, "u1");
    package(&store, "pkg_1", 10);
    write_booking(&store, "bk_1", "u1", "2027-05-01", 100);
    let barrier = Barrier::new(WRITERS);
    let outcomes = side_by_side(|i| {
        store.write(|u| {
            // As the rule does: check, then write; every writer checks before any writes.
            let reviewed = u.bookings().reviewed("bk_1")?;
            barrier.wait();
            assert!(!reviewed);
            u.bookings()
                .add_review(&review(&format!("rev_{i}"), "bk_1", (i % 5 + 1) as u8))
        })
    });
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert_eq!(refused.kind(), ErrorKind::Conflict, "{refused}");
        assert_eq!(refused.to_string(), "booking bk_1 is already reviewed");
    }
    assert_eq!(int(&store, "SELECT count(*) FROM reviews"), 1);
    assert_eq!(
        int(
            &store,
            "SELECT review_count FROM packages WHERE id = 'pkg_1'"
        ),
        1
    );
    let winner = outcomes.iter().position(|o| o.is_ok()).unwrap();
    assert_eq!(
        real(&store, "SELECT rating FROM packages WHERE id = 'pkg_1'"),
        (winner % 5 + 1) as f64
    );
}

#[test]
fn eight_writers_replacing_items_of_one_booking_keep_its_totals_and_dates() {
    let db = TestDatabase::create();
    let store = db.port();
    user(&store, "u1");
    let day = 86_400;
    let base = at("2027-03-20T12:00:00Z");
    store
        .write(|u| {
            u.bookings().insert(&NewBooking {
                ends_on: "2027-03-30",
                ..booking("bk_1", "u1", "ABC123", "2027-03-20", 100)
            })?;
            for seq in 1..=WRITERS as i64 {
                u.bookings()
                    .add_item("bk_1", &item(seq, base + seq * day))?;
            }
            Ok(())
        })
        .unwrap();
    // Writer i moves item i+1 to i+1 days before the base, costing i+1 more, ending later.
    let barrier = Barrier::new(WRITERS);
    let ends = [
        "2027-03-31",
        "2027-04-01",
        "2027-04-02",
        "2027-04-03",
        "2027-04-04",
        "2027-04-05",
        "2027-04-06",
        "2027-04-07",
    ];
    let outcomes = side_by_side(|i| {
        let n = i as i64 + 1;
        store.write(|u| {
            barrier.wait();
            u.bookings().replace_item(&ItemChange {
                booking: "bk_1",
                seq: n as u32,
                offer_id: "off_moved",
                description: "moved",
                price: 5_000 + n,
                tax: 500,
                starts_at: base - n * day,
                payload: "{}",
                delta: n,
                ends_on: ends[i],
                at: 1_000 + n,
            })
        })
    });
    assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");
    let row = store
        .read(|u| u.bookings().find("u1", "bk_1"))
        .unwrap()
        .unwrap();
    let moved: i64 = (1..=WRITERS as i64).sum();
    assert_eq!(
        (row.total, row.list_total, row.amount_due),
        (10_000 + moved, 12_000 + moved, 9_950 + moved)
    );
    // The earliest item is item 8, moved to 8 days before the base, whoever wrote last.
    assert_eq!(row.starts_on, "2027-03-12");
    assert_eq!(row.ends_on, "2027-04-07");
}
