//! What `booksygo admin check` asks of a store, the same questions on both engines: each
//! check is one query returning the rows that break a promise, as (subject, found, expected).
//! `{false}` stands for the engine's false (`0` on SQLite, `false` on PostgreSQL); sums are
//! cast to BIGINT (PostgreSQL sums BIGINTs as NUMERIC).

use crate::store::port::Problem;

pub(crate) struct Check {
    /// The area, as a problem names it: inventory, holds, payments, points.
    pub area: &'static str,
    pub sql: &'static str,
    /// One line for a row: (subject, found, expected).
    pub says: fn(&str, i64, i64) -> String,
}

pub(crate) const CHECKS: &[Check] = &[
    Check {
        area: "inventory",
        sql: "SELECT i.flight_key || ' ' || i.cabin, i.sold, CAST(coalesce(h.held, 0) AS BIGINT)
              FROM flight_inventory i
              LEFT JOIN (SELECT key, detail, sum(quantity) AS held FROM booking_holds
                         WHERE kind = 'seats' AND released = {false} GROUP BY key, detail) h
                ON h.key = i.flight_key AND h.detail = i.cabin
              WHERE i.sold <> coalesce(h.held, 0)",
        says: |s, sold, held| format!("{s}: {sold} seats sold, {held} held by bookings"),
    },
    Check {
        area: "inventory",
        sql: "SELECT i.hotel_id || ' ' || i.room_type || ' ' || i.night, i.sold, CAST(coalesce(h.held, 0) AS BIGINT)
              FROM room_inventory i
              LEFT JOIN (SELECT key, detail, sum(quantity) AS held FROM booking_holds
                         WHERE kind = 'rooms' AND released = {false} GROUP BY key, detail) h
                ON h.key = i.hotel_id AND h.detail = i.room_type || '|' || i.night
              WHERE i.sold <> coalesce(h.held, 0)",
        says: |s, sold, held| format!("{s}: {sold} rooms sold, {held} held by bookings"),
    },
    Check {
        area: "inventory",
        sql: "SELECT d.package_id || ' ' || d.date, d.sold, CAST(coalesce(h.held, 0) AS BIGINT)
              FROM package_departures d
              LEFT JOIN (SELECT key, detail, sum(quantity) AS held FROM booking_holds
                         WHERE kind = 'slots' AND released = {false} GROUP BY key, detail) h
                ON h.key = d.package_id AND h.detail = d.date
              WHERE d.sold <> coalesce(h.held, 0)",
        says: |s, sold, held| format!("{s}: {sold} places sold, {held} held by bookings"),
    },
    Check {
        area: "holds",
        sql: "SELECT b.id || ' (' || b.status || ')', CAST(sum(h.quantity) AS BIGINT), 0
              FROM bookings b JOIN booking_holds h ON h.booking_id = b.id
              WHERE h.released = {false} AND b.status IN ('CANCELLED', 'REFUNDED')
              GROUP BY b.id, b.status",
        says: |s, held, _| format!("{s} still holds {held} seats, rooms or places"),
    },
    Check {
        area: "payments",
        // A flight date change that costs more is a charge of its own (written with this
        // message by `record_change_charge`), not the booking charged twice.
        sql: "SELECT booking_id, count(*), CAST(sum(amount) AS BIGINT) FROM payments
              WHERE status = 'succeeded' AND coalesce(message, '') <> 'flight date change'
              GROUP BY booking_id HAVING count(*) > 1",
        says: |s, n, sum| format!("{s} was charged {n} times ({sum} in minor units)"),
    },
    Check {
        area: "payments",
        sql: "SELECT b.id || ' (' || b.status || ')', b.amount_due, 0 FROM bookings b
              WHERE b.status IN ('CONFIRMED', 'COMPLETED') AND b.amount_due > 0
                AND NOT EXISTS (SELECT 1 FROM payments p
                                WHERE p.booking_id = b.id AND p.status = 'succeeded')",
        says: |s, due, _| format!("{s} owes {due} in minor units and has no successful payment"),
    },
    Check {
        area: "payments",
        sql: "SELECT b.id, b.refunded, CAST(coalesce(r.done, 0) AS BIGINT) FROM bookings b
              LEFT JOIN (SELECT booking_id, sum(amount) AS done FROM refunds
                         WHERE status = 'succeeded' GROUP BY booking_id) r ON r.booking_id = b.id
              WHERE b.refunded < coalesce(r.done, 0)",
        says: |s, booked, done| {
            format!("{s} records {booked} refunded but its refunds paid back {done}")
        },
    },
    Check {
        area: "points",
        sql: "SELECT user_id, CAST(sum(available_delta) AS BIGINT), 0 FROM points_ledger
              GROUP BY user_id HAVING sum(available_delta) < 0",
        says: |s, available, _| format!("{s} has {available} points available, below zero"),
    },
    Check {
        area: "points",
        sql: "SELECT user_id, count(*), 1 FROM points_ledger WHERE kind = 'FIRST_BOOKING'
              GROUP BY user_id HAVING count(*) > 1",
        says: |s, n, _| format!("{s} got the first-booking bonus {n} times"),
    },
    Check {
        area: "points",
        sql: "SELECT booking_id, count(*), 1 FROM points_ledger WHERE kind = 'BOOKING_COMPLETED'
              GROUP BY booking_id HAVING count(*) > 1",
        says: |s, n, _| format!("{s} earned its travel points {n} times"),
    },
];

/// The problem a check's row tells of.
pub(crate) fn problem(check: &Check, subject: &str, found: i64, expected: i64) -> Problem {
    Problem {
        area: check.area.to_string(),
        subject: subject.to_string(),
        detail: (check.says)(subject, found, expected),
    }
}
