//! Inventory on PostgreSQL: every sale is one conditional `UPDATE .. SET sold = sold + n WHERE
//! sold + n <= capacity` (a first sale creates its row with `INSERT .. ON CONFLICT DO
//! NOTHING` first), and every release claims its holds with one `UPDATE .. WHERE released =
//! false RETURNING` before giving them back.
//!
//! Why that keeps "never oversold" with writers side by side (READ COMMITTED): an `UPDATE`
//! that meets a row another unit has updated waits for that unit, then evaluates its `WHERE`
//! again on the row as committed, so `sold + n <= capacity` is always checked against the
//! latest `sold` (and `*_within_capacity` refuses anything past it in any case). Two first
//! sales at once: the second `INSERT .. ON CONFLICT` waits for the first unit and inserts
//! nothing, then both update the one row. A hold is given back only by the writer whose
//! `UPDATE .. RETURNING` flipped its `released`: another releasing the same booking waits
//! for that row, sees it released, and gets nothing back to give.

use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::store::port::*;

impl Inventory for PgUnit<'_> {
    fn take(&self, booking: &str, needs: &[Need]) -> Result<()> {
        for need in needs {
            let sold = match need {
                Need::Seats {
                    flight_key,
                    cabin,
                    dep_date,
                    capacity,
                    quantity,
                } => {
                    self.execute(
                        "INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold) VALUES ($1, $2, $3, $4, 0)
                         ON CONFLICT (flight_key, cabin) DO NOTHING",
                        &[flight_key, cabin, dep_date, &i64::from(*capacity)],
                    )?;
                    self.execute(
                        "UPDATE flight_inventory SET sold = sold + $3
                         WHERE flight_key = $1 AND cabin = $2 AND sold + $3 <= capacity",
                        &[flight_key, cabin, &i64::from(*quantity)],
                    )?
                }
                Need::Rooms {
                    hotel_id,
                    room_type,
                    night,
                    capacity,
                    quantity,
                } => {
                    self.execute(
                        "INSERT INTO room_inventory(hotel_id, room_type, night, capacity, sold) VALUES ($1, $2, $3, $4, 0)
                         ON CONFLICT (hotel_id, room_type, night) DO NOTHING",
                        &[hotel_id, room_type, night, &i64::from(*capacity)],
                    )?;
                    self.execute(
                        "UPDATE room_inventory SET sold = sold + $4
                         WHERE hotel_id = $1 AND room_type = $2 AND night = $3 AND sold + $4 <= capacity",
                        &[hotel_id, room_type, night, &i64::from(*quantity)],
                    )?
                }
                Need::Slots {
                    package_id,
                    date,
                    quantity,
                } => self.execute(
                    "UPDATE package_departures SET sold = sold + $3
                     WHERE package_id = $1 AND date = $2 AND sold + $3 <= slots",
                    &[package_id, date, &i64::from(*quantity)],
                )?,
            };
            if sold != 1 {
                return Err(Error::Conflict(need.sold_out()));
            }
            let (kind, key, detail, quantity) = need.hold();
            self.execute(
                "INSERT INTO booking_holds(booking_id, kind, key, detail, quantity) VALUES ($1, $2, $3, $4, $5)",
                &[&booking, &kind, &key, &detail, &i64::from(quantity)],
            )?;
        }
        Ok(())
    }

    fn release(&self, booking: &str, seats_only: bool) -> Result<()> {
        let kind = seats_only.then_some("seats");
        // The claim: one statement marks this writer's holds released and returns them; a
        // hold another writer claimed first is not returned (see the module's comment).
        let mut claimed = self
            .query(
                "UPDATE booking_holds SET released = true
                 WHERE booking_id = $1 AND released = false AND ($2::TEXT IS NULL OR kind = $2)
                 RETURNING id, kind, key, detail, quantity",
                &[&booking, &kind],
            )?
            .iter()
            .map(|r| {
                Ok((
                    get::<i64>(r, 0)?,
                    get::<String>(r, 1)?,
                    get::<String>(r, 2)?,
                    get::<String>(r, 3)?,
                    get::<i64>(r, 4)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        // Given back in the order they were taken, as on SQLite.
        claimed.sort_by_key(|hold| hold.0);
        for (_, kind, key, detail, quantity) in claimed {
            match kind.as_str() {
                "seats" => self.execute(
                    "UPDATE flight_inventory SET sold = sold - $3 WHERE flight_key = $1 AND cabin = $2",
                    &[&key, &detail, &quantity],
                )?,
                "rooms" => {
                    let (room, night) = detail.split_once('|').unwrap_or((&detail, ""));
                    self.execute(
                        "UPDATE room_inventory SET sold = sold - $4 WHERE hotel_id = $1 AND room_type = $2 AND night = $3",
                        &[&key, &room, &night, &quantity],
                    )?
                }
                _ => self.execute(
                    "UPDATE package_departures SET sold = sold - $3 WHERE package_id = $1 AND date = $2",
                    &[&key, &detail, &quantity],
                )?,
            };
        }
        Ok(())
    }
}
