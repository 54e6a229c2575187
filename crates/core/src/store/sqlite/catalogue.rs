//! The market's catalogue on SQLite: the network, hotels, offers handed out, the meta table and
//! the offline copy of remote bookings.

use crate::error::Result;
use crate::model::CityFixture;
use crate::model::{Airline, Airport, Alliance};
use crate::store::port::{Catalogue, CityRow, HotelRow, RemoteCopy, RoomRow};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;

impl Catalogue for Connection {
    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO meta(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute([key, value])?;
        Ok(())
    }

    fn clear_fixtures(&self) -> Result<()> {
        self.execute_batch(
            "DELETE FROM routes WHERE source = 'fixture';
             DELETE FROM airports WHERE source = 'fixture';
             DELETE FROM airlines WHERE source = 'fixture';
             DELETE FROM hotel_rooms; DELETE FROM hotels; DELETE FROM cities;",
        )?;
        Ok(())
    }

    fn insert_airports(&self, airports: &[Airport], source: &str, replace: bool) -> Result<usize> {
        let mut stmt = self.prepare(&format!(
            "{} INTO airports(iata, icao, name, city, city_code, country, lat, lon, tz, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            verb(replace)
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

    fn insert_airlines(&self, airlines: &[Airline], source: &str, replace: bool) -> Result<usize> {
        let mut stmt = self.prepare(&format!(
            "{} INTO airlines(code, icao, name, alliance, hubs, country, low_cost, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            verb(replace)
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

    fn insert_routes(
        &self,
        routes: &[(String, String, String)],
        source: &str,
        replace: bool,
    ) -> Result<usize> {
        let mut stmt = self.prepare(&format!(
            "{} INTO routes(airline, origin, destination, source) VALUES (?1, ?2, ?3, ?4)",
            verb(replace)
        ))?;
        let mut n = 0;
        for (airline, from, to) in routes {
            n += stmt.execute(params![airline, from, to, source])?;
        }
        Ok(n)
    }

    fn insert_hotel_cities(&self, cities: &[CityFixture]) -> Result<()> {
        let mut city_stmt = self.prepare(
            "INSERT INTO cities(code, name, country, lat, lon, tax_percent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut hotel_stmt = self.prepare(
            "INSERT INTO hotels(id, city_code, name, stars, rating, neighbourhood, address, lat, lon,
                 amenities, check_in, check_out, free_cancellation_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut room_stmt = self.prepare(
            "INSERT INTO hotel_rooms(hotel_id, type, name, capacity, count, base_rate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for city in cities {
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

    fn airports(&self) -> Result<Vec<Airport>> {
        let mut stmt = self.prepare_cached(
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

    fn airlines(&self) -> Result<Vec<Airline>> {
        let mut stmt = self.prepare_cached(
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

    fn routes(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.prepare_cached("SELECT airline, origin, destination FROM routes")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn route_table(&self) -> Result<Option<Vec<u8>>> {
        Ok(self
            .prepare_cached("SELECT body FROM route_table WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?)
    }

    fn save_route_table(&self, body: &[u8]) -> Result<()> {
        self.prepare_cached("INSERT OR REPLACE INTO route_table(id, body) VALUES (1, ?1)")?
            .execute([body])?;
        Ok(())
    }

    fn airport_codes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.prepare("SELECT iata FROM airports")?;
        Ok(stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn airline_codes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.prepare("SELECT code FROM airlines")?;
        Ok(stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn city(&self, code: &str) -> Result<Option<CityRow>> {
        Ok(self
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

    fn hotels_in_city(&self, city_code: &str) -> Result<Vec<HotelRow>> {
        let mut stmt = self.prepare_cached(
            "SELECT id, city_code, name, stars, rating, neighbourhood, address, lat, lon, amenities,
                    check_in, check_out, free_cancellation_hours
             FROM hotels WHERE city_code = ?1 ORDER BY id",
        )?;
        let mut hotels: Vec<HotelRow> = stmt
            .query_map([city_code], hotel_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut rooms = self.prepare_cached(
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

    fn hotel_counts(&self) -> Result<(i64, i64)> {
        let cities = self.query_row("SELECT count(*) FROM cities", [], |r| r.get(0))?;
        let hotels = self.query_row("SELECT count(*) FROM hotels", [], |r| r.get(0))?;
        Ok((cities, hotels))
    }

    fn seats_sold_between(&self, from: &str, to: &str) -> Result<Vec<(String, String, u32, u32)>> {
        let mut stmt = self.prepare_cached(
            "SELECT flight_key, cabin, sold, capacity FROM flight_inventory WHERE dep_date BETWEEN ?1 AND ?2",
        )?;
        let rows = stmt.query_map([from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn seats_sold(&self, flight_key: &str, cabin: &str) -> Result<Option<(u32, u32)>> {
        let mut stmt = self.prepare_cached(
            "SELECT sold, capacity FROM flight_inventory WHERE flight_key = ?1 AND cabin = ?2",
        )?;
        Ok(stmt
            .query_row(params![flight_key, cabin], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn rooms_sold_between(
        &self,
        city_code: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, String, u32)>> {
        let mut stmt = self.prepare_cached(
            "SELECT ri.hotel_id, ri.room_type, ri.night, ri.sold FROM room_inventory ri
             JOIN hotels h ON h.id = ri.hotel_id
             WHERE h.city_code = ?1 AND ri.night >= ?2 AND ri.night < ?3",
        )?;
        let rows = stmt.query_map([city_code, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn save_offers(
        &self,
        kind: &str,
        offers: &[(String, String, String, i64)],
        now: i64,
    ) -> Result<()> {
        let mut stmt = self.prepare_cached(
            "INSERT OR REPLACE INTO offers(id, kind, provider, payload, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (id, provider, payload, expires_at) in offers {
            stmt.execute(params![id, kind, provider, payload, expires_at, now])?;
        }
        // Keep the table small: offers a day past expiry are of no use to anyone.
        self.execute("DELETE FROM offers WHERE expires_at < ?1", [now - 86_400])?;
        Ok(())
    }

    fn offer(&self, id: &str) -> Result<Option<(String, String, i64)>> {
        Ok(self
            .prepare_cached("SELECT kind, payload, expires_at FROM offers WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    fn keep_remote_bookings(
        &self,
        server: &str,
        account: &str,
        bookings: &[RemoteCopy],
        synced_at: i64,
    ) -> Result<()> {
        for b in bookings {
            self.execute(
                "INSERT INTO remote_bookings
                   (server, account, id, body, starts_on, created_at, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (server, account, id)
                 DO UPDATE SET body = excluded.body, synced_at = excluded.synced_at",
                params![
                    server,
                    account,
                    b.id,
                    b.body,
                    b.starts_on,
                    b.created_at,
                    synced_at
                ],
            )?;
        }
        Ok(())
    }

    fn remote_bookings(&self, server: &str, account: &str) -> Result<Vec<String>> {
        let mut stmt = self.prepare(
            "SELECT body FROM remote_bookings WHERE server = ?1 AND account = ?2
             ORDER BY starts_on, created_at, rowid",
        )?;
        let rows = stmt.query_map(params![server, account], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Who wins when a code exists already: the new row (`replace`) or the one stored.
fn verb(replace: bool) -> &'static str {
    if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT OR IGNORE"
    }
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
