//! The market's reference data in SQLite: loading the embedded fixtures, reading the network
//! back, hotels, inventory and offers.

use crate::error::{Error, Result};
use crate::fixtures;
use crate::model::{Airline, Airport, Alliance};
use crate::store::{get_meta, set_meta};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// Loads the embedded fixtures when the database has none or an older version of them.
/// Returns true when it (re)loaded. Data imported by the user (`source != 'fixture'`) stays.
pub fn ensure_fixtures(conn: &mut Connection) -> Result<bool> {
    if get_meta(conn, "fixture_version")?.as_deref() == Some(fixtures::VERSION) {
        return Ok(false);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if get_meta(&tx, "fixture_version")?.as_deref() == Some(fixtures::VERSION) {
        return Ok(false); // another process loaded them while we waited
    }
    load_fixtures(&tx)?;
    set_meta(&tx, "fixture_version", fixtures::VERSION)?;
    tx.commit()?;
    Ok(true)
}

fn load_fixtures(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM routes WHERE source = 'fixture';
         DELETE FROM airports WHERE source = 'fixture';
         DELETE FROM airlines WHERE source = 'fixture';
         DELETE FROM hotel_rooms; DELETE FROM hotels; DELETE FROM cities;",
    )?;
    insert_airports(tx, &fixtures::airports()?, "fixture", true)?;
    insert_airlines(tx, &fixtures::airlines()?, "fixture", true)?;
    insert_routes(tx, &fixtures::routes()?, "fixture", true)?;

    let mut city_stmt = tx.prepare(
        "INSERT INTO cities(code, name, country, lat, lon, tax_percent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut hotel_stmt = tx.prepare(
        "INSERT INTO hotels(id, city_code, name, stars, rating, neighbourhood, address, lat, lon,
             amenities, check_in, check_out, free_cancellation_hours)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut room_stmt = tx.prepare(
        "INSERT INTO hotel_rooms(hotel_id, type, name, capacity, count, base_rate)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for city in fixtures::cities()? {
        city_stmt.execute(params![
            city.city_code,
            city.city,
            city.country,
            city.lat,
            city.lon,
            city.tax_percent
        ])?;
        for h in &city.hotels {
            hotel_stmt.execute(params![
                h.id,
                city.city_code,
                h.name,
                h.stars,
                f64::from(h.rating),
                h.neighbourhood,
                h.address,
                h.lat,
                h.lon,
                h.amenities.join(","),
                h.check_in,
                h.check_out,
                h.free_cancellation_hours
            ])?;
            for r in &h.rooms {
                room_stmt.execute(params![
                    h.id,
                    r.kind,
                    r.name,
                    r.capacity,
                    r.count,
                    r.base_rate
                ])?;
            }
        }
    }
    Ok(())
}

/// Inserts airports; `replace` decides who wins when a code exists already.
pub fn insert_airports(
    tx: &Transaction,
    airports: &[Airport],
    source: &str,
    replace: bool,
) -> Result<usize> {
    let verb = if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT OR IGNORE"
    };
    let mut stmt = tx.prepare(&format!(
        "{verb} INTO airports(iata, icao, name, city, city_code, country, lat, lon, tz, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?;
    let mut n = 0;
    for a in airports {
        n += stmt.execute(params![
            a.iata,
            a.icao,
            a.name,
            a.city,
            a.city_code,
            a.country,
            a.lat,
            a.lon,
            a.tz,
            source
        ])?;
    }
    Ok(n)
}

pub fn insert_airlines(
    tx: &Transaction,
    airlines: &[Airline],
    source: &str,
    replace: bool,
) -> Result<usize> {
    let verb = if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT OR IGNORE"
    };
    let mut stmt = tx.prepare(&format!(
        "{verb} INTO airlines(code, icao, name, alliance, hubs, country, low_cost, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?;
    let mut n = 0;
    for a in airlines {
        let alliance = a.alliance.map(|al| {
            serde_json::to_value(al)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
        });
        n += stmt.execute(params![
            a.code,
            a.icao,
            a.name,
            alliance.flatten(),
            a.hubs.join(","),
            a.country,
            a.low_cost,
            source
        ])?;
    }
    Ok(n)
}

pub fn insert_routes(
    tx: &Transaction,
    routes: &[(String, String, String)],
    source: &str,
    replace: bool,
) -> Result<usize> {
    let verb = if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT OR IGNORE"
    };
    let mut stmt = tx.prepare(&format!(
        "{verb} INTO routes(airline, origin, destination, source) VALUES (?1, ?2, ?3, ?4)"
    ))?;
    let mut n = 0;
    for (airline, from, to) in routes {
        n += stmt.execute(params![airline, from, to, source])?;
    }
    Ok(n)
}

pub fn load_airports(conn: &Connection) -> Result<Vec<Airport>> {
    let mut stmt = conn.prepare_cached(
        "SELECT iata, icao, name, city, city_code, country, lat, lon, tz FROM airports ORDER BY iata",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Airport {
            iata: r.get(0)?,
            icao: r.get(1)?,
            name: r.get(2)?,
            city: r.get(3)?,
            city_code: r.get(4)?,
            country: r.get(5)?,
            lat: r.get(6)?,
            lon: r.get(7)?,
            tz: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load_airlines(conn: &Connection) -> Result<Vec<Airline>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, icao, name, alliance, hubs, country, low_cost FROM airlines ORDER BY code",
    )?;
    let rows = stmt.query_map([], |r| {
        let alliance: Option<String> = r.get(3)?;
        let hubs: String = r.get(4)?;
        Ok(Airline {
            code: r.get(0)?,
            icao: r.get(1)?,
            name: r.get(2)?,
            alliance: alliance.as_deref().and_then(Alliance::parse),
            hubs: hubs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            country: r.get(5)?,
            low_cost: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load_routes(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT airline, origin, destination FROM routes")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A city with hotels, as stored.
#[derive(Debug, Clone)]
pub struct CityRow {
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub tax_percent: u32,
}

#[derive(Debug, Clone)]
pub struct HotelRow {
    pub id: String,
    pub name: String,
    pub stars: u8,
    pub rating: f32,
    pub neighbourhood: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub amenities: Vec<String>,
    pub check_in: String,
    pub check_out: String,
    pub free_cancellation_hours: Option<u32>,
    pub rooms: Vec<RoomRow>,
}

#[derive(Debug, Clone)]
pub struct RoomRow {
    pub kind: String,
    pub name: String,
    pub capacity: u32,
    pub count: u32,
    pub base_rate: i64,
}

pub fn hotels_in_city(conn: &Connection, city_code: &str) -> Result<Vec<HotelRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, city_code, name, stars, rating, neighbourhood, address, lat, lon, amenities,
                check_in, check_out, free_cancellation_hours
         FROM hotels WHERE city_code = ?1 ORDER BY id",
    )?;
    let mut hotels: Vec<HotelRow> = stmt
        .query_map([city_code], hotel_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut rooms = conn.prepare_cached(
        "SELECT type, name, capacity, count, base_rate FROM hotel_rooms WHERE hotel_id = ?1 ORDER BY base_rate",
    )?;
    for h in &mut hotels {
        h.rooms = rooms
            .query_map([&h.id], |r| {
                Ok(RoomRow {
                    kind: r.get(0)?,
                    name: r.get(1)?,
                    capacity: r.get(2)?,
                    count: r.get(3)?,
                    base_rate: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(hotels)
}

fn hotel_from_row(r: &rusqlite::Row) -> rusqlite::Result<HotelRow> {
    let amenities: String = r.get(9)?;
    let rating: f64 = r.get(4)?;
    Ok(HotelRow {
        id: r.get(0)?,
        name: r.get(2)?,
        stars: r.get(3)?,
        rating: rating as f32,
        neighbourhood: r.get(5)?,
        address: r.get(6)?,
        lat: r.get(7)?,
        lon: r.get(8)?,
        amenities: amenities
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        check_in: r.get(10)?,
        check_out: r.get(11)?,
        free_cancellation_hours: r.get(12)?,
        rooms: Vec::new(),
    })
}

/// BooksyGo's allotments (flight key, cabin, sold, capacity) for departures in `from..=to`.
pub fn seats_sold_between(
    conn: &Connection,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, u32, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT flight_key, cabin, sold, capacity FROM flight_inventory WHERE dep_date BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load_city(conn: &Connection, code: &str) -> Result<Option<CityRow>> {
    Ok(conn
        .query_row(
            "SELECT code, name, lat, lon, tax_percent FROM cities WHERE code = ?1",
            [code],
            |r| {
                Ok(CityRow {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    tax_percent: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Rooms BooksyGo has sold per (hotel, room type, night) for one city's hotels in a range.
pub fn rooms_sold_between(
    conn: &Connection,
    city_code: &str,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ri.hotel_id, ri.room_type, ri.night, ri.sold FROM room_inventory ri
         JOIN hotels h ON h.id = ri.hotel_id
         WHERE h.city_code = ?1 AND ri.night >= ?2 AND ri.night < ?3",
    )?;
    let rows = stmt.query_map([city_code, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Remembers offers handed out, so a booking can find them by id.
pub fn save_offers(
    conn: &mut Connection,
    kind: &str,
    offers: &[(String, String, String, i64)],
    now: i64,
) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT OR REPLACE INTO offers(id, kind, provider, payload, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (id, provider, payload, expires_at) in offers {
            stmt.execute(params![id, kind, provider, payload, expires_at, now])?;
        }
        // Keep the table small: offers a day past expiry are of no use to anyone.
        tx.execute("DELETE FROM offers WHERE expires_at < ?1", [now - 86_400])?;
    }
    tx.commit()?;
    Ok(())
}

/// An offer by id: (kind, payload JSON, expires_at unix seconds).
pub fn load_offer(conn: &Connection, id: &str) -> Result<Option<(String, String, i64)>> {
    Ok(conn
        .query_row(
            "SELECT kind, payload, expires_at FROM offers WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

pub fn count(conn: &Connection, table: &str) -> Result<i64> {
    if !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(Error::internal("bad table name"));
    }
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

/// Makes sure a user row exists (the local traveller, or a server account).
pub fn ensure_user(conn: &Connection, id: &str, email: &str, now: i64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO users(id, email, created_at) VALUES (?1, ?2, ?3)",
        params![id, email, now],
    )?;
    Ok(())
}
