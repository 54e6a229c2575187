//! Seats, rooms and package places: what a booking takes and gives back.

use crate::error::Result;

/// One unit of inventory a booking needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// A flight (inventory key), cabin, local departure date; `capacity` is what the market
    /// leaves bookable, used when BooksyGo sells its first seat on that flight.
    Seats {
        flight_key: String,
        cabin: String,
        dep_date: String,
        capacity: u32,
        quantity: u32,
    },
    Rooms {
        hotel_id: String,
        room_type: String,
        night: String,
        capacity: u32,
        quantity: u32,
    },
    Slots {
        package_id: String,
        date: String,
        quantity: u32,
    },
}

impl Need {
    /// Where a hold of this need is recorded, on every engine: (kind, key, detail, quantity);
    /// a room's detail is `room_type|night` (what `admin check` matches holds against).
    pub fn hold(&self) -> (&'static str, String, String, u32) {
        match self {
            Need::Seats {
                flight_key,
                cabin,
                quantity,
                ..
            } => ("seats", flight_key.clone(), cabin.clone(), *quantity),
            Need::Rooms {
                hotel_id,
                room_type,
                night,
                quantity,
                ..
            } => (
                "rooms",
                hotel_id.clone(),
                format!("{room_type}|{night}"),
                *quantity,
            ),
            Need::Slots {
                package_id,
                date,
                quantity,
            } => ("slots", package_id.clone(), date.clone(), *quantity),
        }
    }

    /// What a sold-out conflict says of this need.
    pub fn sold_out(&self) -> String {
        match self {
            Need::Seats {
                flight_key, cabin, ..
            } => format!("sold out: no {cabin} seats left on {flight_key}; search again"),
            Need::Rooms {
                hotel_id,
                room_type,
                night,
                ..
            } => format!("sold out: no {room_type} left at {hotel_id} on {night}; search again"),
            Need::Slots {
                package_id, date, ..
            } => format!("sold out: {package_id} has no places left on {date}"),
        }
    }
}

/// The inventory BooksyGo sells itself (the sandbox market and the packages).
///
/// Promise: never oversold, whatever the number of writers. Every sale is one conditional
/// update (`sold + n <= capacity`, backed by a `CHECK (sold <= capacity)`), a first sale creates
/// its row with an upsert, and each hold is given back once.
pub trait Inventory {
    /// Takes every need for `booking`, recording a hold for each; fails with a sold-out
    /// conflict naming the first need that cannot be met. Call in the unit that writes the
    /// booking: a failure part-way is rolled back with it.
    fn take(&self, booking: &str, needs: &[Need]) -> Result<()>;
    /// Gives back what `booking` still holds (only its seats when `seats_only`: its flight
    /// moves to another date). Idempotent: released holds stay released, and two writers
    /// releasing one booking at once give each hold back once.
    fn release(&self, booking: &str, seats_only: bool) -> Result<()>;
}
