//! Inventory on SQLite: every sale one conditional `UPDATE .. SET sold = sold + n WHERE sold + n
//! <= capacity` (a first sale is an upsert first), every release marked on its hold first.

use crate::error::{Error, Result};
use crate::store::port::{Inventory, Need};
use rusqlite::{Connection, OptionalExtension, params};

impl Inventory for Connection {
    fn take(&self, booking: &str, needs: &[Need]) -> Result<()> {
        let conn = self;
        for need in needs {
            let ok = match need {
                // The first sale of a flight or room creates its row (an upsert: two writers
                // selling the first seat at once both end up on the one row), then every sale is
                // the same conditional update.
                Need::Seats {
                    flight_key,
                    cabin,
                    dep_date,
                    capacity,
                    quantity,
                } => {
                    conn.prepare_cached("INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold) VALUES (?1, ?2, ?3, ?4, 0)
                     ON CONFLICT(flight_key, cabin) DO NOTHING")?.execute(
                    params![flight_key, cabin, dep_date, capacity],
                )?;
                    conn.prepare_cached(
                        "UPDATE flight_inventory SET sold = sold + ?3
                     WHERE flight_key = ?1 AND cabin = ?2 AND sold + ?3 <= capacity",
                    )?
                    .execute(params![flight_key, cabin, quantity])?
                        == 1
                }
                Need::Rooms {
                    hotel_id,
                    room_type,
                    night,
                    capacity,
                    quantity,
                } => {
                    conn.prepare_cached("INSERT INTO room_inventory(hotel_id, room_type, night, capacity, sold) VALUES (?1, ?2, ?3, ?4, 0)
                     ON CONFLICT(hotel_id, room_type, night) DO NOTHING")?.execute(
                    params![hotel_id, room_type, night, capacity],
                )?;
                    conn.prepare_cached("UPDATE room_inventory SET sold = sold + ?4
                     WHERE hotel_id = ?1 AND room_type = ?2 AND night = ?3 AND sold + ?4 <= capacity")?.execute(
                    params![hotel_id, room_type, night, quantity],
                )? == 1
                }
                Need::Slots {
                    package_id,
                    date,
                    quantity,
                } => {
                    // Whether the departure is now full: the search index learns of it then.
                    let full: Option<bool> = conn.prepare_cached("UPDATE package_departures SET sold = sold + ?3 WHERE package_id = ?1 AND date = ?2 AND sold + ?3 <= slots RETURNING sold >= slots")?.query_row(
                    params![package_id, date, quantity], |r| r.get(0),
                ).optional()?;
                    if full == Some(true) {
                        super::packages::departures_changed(conn)?;
                    }
                    full.is_some()
                }
            };
            if !ok {
                return Err(Error::Conflict(need.sold_out()));
            }
            let (kind, key, detail, quantity) = need.hold();
            conn.prepare_cached("INSERT INTO booking_holds(booking_id, kind, key, detail, quantity) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
            params![booking, kind, key, detail, quantity],
        )?;
        }
        Ok(())
    }

    fn release(&self, booking: &str, seats_only: bool) -> Result<()> {
        release_holds(self, booking, seats_only.then_some("seats"))
    }
}

/// Each hold is marked released by a conditional update before its inventory is given back,
/// so two writers releasing one booking at once give each hold back once.
fn release_holds(conn: &Connection, booking: &str, kind: Option<&str>) -> Result<()> {
    let holds: Vec<(i64, String, String, String, u32)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT rowid, kind, key, detail, quantity FROM booking_holds
             WHERE booking_id = ?1 AND released = 0 AND (?2 IS NULL OR kind = ?2)",
        )?;
        stmt.query_map(params![booking, kind], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (rowid, kind, key, detail, quantity) in holds {
        let mine = conn
            .prepare_cached(
                "UPDATE booking_holds SET released = 1 WHERE rowid = ?1 AND released = 0",
            )?
            .execute([rowid])?;
        if mine != 1 {
            continue;
        }
        match kind.as_str() {
            "seats" => conn.prepare_cached("UPDATE flight_inventory SET sold = sold - ?3 WHERE flight_key = ?1 AND cabin = ?2")?.execute(
                params![key, detail, quantity],
            )?,
            "rooms" => {
                let (room, night) = detail.split_once('|').unwrap_or((&detail, ""));
                conn.prepare_cached("UPDATE room_inventory SET sold = sold - ?4 WHERE hotel_id = ?1 AND room_type = ?2 AND night = ?3")?.execute(
                    params![key, room, night, quantity],
                )?
            }
            _ => {
                // Whether the departure was full before: places are open again.
                let was_full: Option<bool> = conn.prepare_cached("UPDATE package_departures SET sold = sold - ?3 WHERE package_id = ?1 AND date = ?2 RETURNING sold + ?3 >= slots")?.query_row(
                    params![key, detail, quantity], |r| r.get(0),
                ).optional()?;
                if was_full == Some(true) {
                    super::packages::departures_changed(conn)?;
                }
                usize::from(was_full.is_some())
            }
        };
    }
    Ok(())
}
