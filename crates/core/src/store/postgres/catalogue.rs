//! The market's catalogue on PostgreSQL: the network, hotels, offers handed out, the meta table
//! and the offline copy of remote bookings.
//!
//! Bulk writes send whole columns as arrays (`INSERT .. SELECT * FROM UNNEST($1::TEXT[], ..)`)
//! in chunks of [`CHUNK`] rows: one round trip per chunk, not per row. A row whose key comes
//! twice in one call is written once, as SQLite's row-by-row loop leaves it (the last when
//! replacing, the first when ignoring): one statement may not touch a row twice.

use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::model::CityFixture;
use crate::model::{Airline, Airport, Alliance};
use crate::store::port::{Catalogue, CityRow, HotelRow, RemoteCopy, RoomRow};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// Rows per bulk statement.
const CHUNK: usize = 5_000;

/// The transaction-level advisory lock a fixture load takes before clearing the catalogue, so
/// that two instances loading at once take turns: the second then sees (and replaces) what
/// the first committed instead of failing on its rows. The bytes of "BkgoFixt".
const FIXTURE_LOCK_KEY: i64 = 0x426B_676F_4669_7874;

/// `v` as a `u32`; a value out of range is a storage error (as rusqlite's reading of one).
pub(super) fn to_u32(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Storage {
        message: format!("{what}: {v} is out of range for an unsigned 32-bit number"),
        interrupted: false,
    })
}

/// The items whose key is first seen (`keep_last` false) or last seen (true), in their order.
fn distinct<T, K: Eq + Hash>(items: &[T], key: impl Fn(&T) -> K, keep_last: bool) -> Vec<&T> {
    let mut seen = HashSet::new();
    if keep_last {
        let mut out: Vec<&T> = items.iter().rev().filter(|t| seen.insert(key(t))).collect();
        out.reverse();
        out
    } else {
        items.iter().filter(|t| seen.insert(key(t))).collect()
    }
}

/// What a bulk insert reports, as SQLite's row-by-row loop counts: every row when replacing,
/// the rows inserted when ignoring.
fn written(input: usize, inserted: u64, replace: bool) -> usize {
    if replace { input } else { inserted as usize }
}

impl Catalogue for PgUnit<'_> {
    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.execute(
            "INSERT INTO meta(key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )?;
        Ok(())
    }

    fn clear_fixtures(&self) -> Result<()> {
        // Loads take turns from here to their commit; the deletes below (statements of their
        // own, so with a fresh snapshot) see what an earlier load committed.
        self.query_one("SELECT pg_advisory_xact_lock($1)", &[&FIXTURE_LOCK_KEY])?;
        self.batch_execute(
            "DELETE FROM routes WHERE source = 'fixture';
             DELETE FROM airports WHERE source = 'fixture';
             DELETE FROM airlines WHERE source = 'fixture';
             DELETE FROM hotel_rooms; DELETE FROM hotels; DELETE FROM cities;",
        )
    }

    fn insert_airports(&self, airports: &[Airport], source: &str, replace: bool) -> Result<usize> {
        let on_conflict = if replace {
            "DO UPDATE SET icao = excluded.icao, name = excluded.name, city = excluded.city,
                 city_code = excluded.city_code, country = excluded.country, lat = excluded.lat,
                 lon = excluded.lon, tz = excluded.tz, source = excluded.source"
        } else {
            "DO NOTHING"
        };
        let sql = format!(
            "INSERT INTO airports(iata, icao, name, city, city_code, country, lat, lon, tz, source)
             SELECT t.*, $10::TEXT FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[],
                 $5::TEXT[], $6::TEXT[], $7::FLOAT8[], $8::FLOAT8[], $9::TEXT[]) AS t
             ON CONFLICT (iata) {on_conflict}"
        );
        let rows = distinct(airports, |a| a.iata.clone(), replace);
        let mut inserted = 0;
        for chunk in rows.chunks(CHUNK) {
            let iata: Vec<&str> = chunk.iter().map(|a| a.iata.as_str()).collect();
            let icao: Vec<Option<&str>> = chunk.iter().map(|a| a.icao.as_deref()).collect();
            let name: Vec<&str> = chunk.iter().map(|a| a.name.as_str()).collect();
            let city: Vec<&str> = chunk.iter().map(|a| a.city.as_str()).collect();
            let city_code: Vec<Option<&str>> =
                chunk.iter().map(|a| a.city_code.as_deref()).collect();
            let country: Vec<&str> = chunk.iter().map(|a| a.country.as_str()).collect();
            let lat: Vec<f64> = chunk.iter().map(|a| a.lat).collect();
            let lon: Vec<f64> = chunk.iter().map(|a| a.lon).collect();
            let tz: Vec<&str> = chunk.iter().map(|a| a.tz.as_str()).collect();
            inserted += self.execute(
                &sql,
                &[
                    &iata, &icao, &name, &city, &city_code, &country, &lat, &lon, &tz, &source,
                ],
            )?;
        }
        Ok(written(airports.len(), inserted, replace))
    }

    fn insert_airlines(&self, airlines: &[Airline], source: &str, replace: bool) -> Result<usize> {
        let on_conflict = if replace {
            "DO UPDATE SET icao = excluded.icao, name = excluded.name, alliance = excluded.alliance,
                 hubs = excluded.hubs, country = excluded.country, low_cost = excluded.low_cost,
                 source = excluded.source"
        } else {
            "DO NOTHING"
        };
        let sql = format!(
            "INSERT INTO airlines(code, icao, name, alliance, hubs, country, low_cost, source)
             SELECT t.*, $8::TEXT FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[],
                 $5::TEXT[], $6::TEXT[], $7::BOOLEAN[]) AS t
             ON CONFLICT (code) {on_conflict}"
        );
        let rows = distinct(airlines, |a| a.code.clone(), replace);
        let mut inserted = 0;
        for chunk in rows.chunks(CHUNK) {
            let code: Vec<&str> = chunk.iter().map(|a| a.code.as_str()).collect();
            let icao: Vec<Option<&str>> = chunk.iter().map(|a| a.icao.as_deref()).collect();
            let name: Vec<&str> = chunk.iter().map(|a| a.name.as_str()).collect();
            let alliance: Vec<Option<String>> = chunk
                .iter()
                .map(|a| a.alliance.and_then(alliance_text))
                .collect();
            let hubs: Vec<String> = chunk.iter().map(|a| a.hubs.join(",")).collect();
            let country: Vec<Option<&str>> = chunk.iter().map(|a| a.country.as_deref()).collect();
            let low_cost: Vec<bool> = chunk.iter().map(|a| a.low_cost).collect();
            inserted += self.execute(
                &sql,
                &[
                    &code, &icao, &name, &alliance, &hubs, &country, &low_cost, &source,
                ],
            )?;
        }
        Ok(written(airlines.len(), inserted, replace))
    }

    fn insert_routes(
        &self,
        routes: &[(String, String, String)],
        source: &str,
        replace: bool,
    ) -> Result<usize> {
        let on_conflict = if replace {
            "DO UPDATE SET source = excluded.source"
        } else {
            "DO NOTHING"
        };
        let sql = format!(
            "INSERT INTO routes(airline, origin, destination, source)
             SELECT t.*, $4::TEXT FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[]) AS t
             ON CONFLICT (airline, origin, destination) {on_conflict}"
        );
        let rows = distinct(routes, |r| r.clone(), replace);
        let mut inserted = 0;
        for chunk in rows.chunks(CHUNK) {
            let airline: Vec<&str> = chunk.iter().map(|r| r.0.as_str()).collect();
            let origin: Vec<&str> = chunk.iter().map(|r| r.1.as_str()).collect();
            let destination: Vec<&str> = chunk.iter().map(|r| r.2.as_str()).collect();
            inserted += self.execute(&sql, &[&airline, &origin, &destination, &source])?;
        }
        Ok(written(routes.len(), inserted, replace))
    }

    fn insert_hotel_cities(&self, cities: &[CityFixture]) -> Result<()> {
        // Plain inserts, as on SQLite: a code or id that exists already is an error.
        for chunk in cities.chunks(CHUNK) {
            let code: Vec<&str> = chunk.iter().map(|c| c.city_code.as_str()).collect();
            let name: Vec<&str> = chunk.iter().map(|c| c.city.as_str()).collect();
            let country: Vec<&str> = chunk.iter().map(|c| c.country.as_str()).collect();
            let lat: Vec<f64> = chunk.iter().map(|c| c.lat).collect();
            let lon: Vec<f64> = chunk.iter().map(|c| c.lon).collect();
            let tax: Vec<i64> = chunk.iter().map(|c| i64::from(c.tax_percent)).collect();
            self.execute(
                "INSERT INTO cities(code, name, country, lat, lon, tax_percent)
                 SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::FLOAT8[],
                     $5::FLOAT8[], $6::BIGINT[])",
                &[&code, &name, &country, &lat, &lon, &tax],
            )?;
        }
        let hotels: Vec<(&str, &HotelRow)> = cities
            .iter()
            .flat_map(|c| c.hotels.iter().map(move |h| (c.city_code.as_str(), h)))
            .collect();
        for chunk in hotels.chunks(CHUNK) {
            let id: Vec<&str> = chunk.iter().map(|(_, h)| h.id.as_str()).collect();
            let city: Vec<&str> = chunk.iter().map(|(c, _)| *c).collect();
            let name: Vec<&str> = chunk.iter().map(|(_, h)| h.name.as_str()).collect();
            let stars: Vec<i64> = chunk.iter().map(|(_, h)| i64::from(h.stars)).collect();
            let rating: Vec<f64> = chunk.iter().map(|(_, h)| f64::from(h.rating)).collect();
            let hood: Vec<&str> = chunk
                .iter()
                .map(|(_, h)| h.neighbourhood.as_str())
                .collect();
            let address: Vec<&str> = chunk.iter().map(|(_, h)| h.address.as_str()).collect();
            let lat: Vec<f64> = chunk.iter().map(|(_, h)| h.lat).collect();
            let lon: Vec<f64> = chunk.iter().map(|(_, h)| h.lon).collect();
            let amenities: Vec<String> = chunk.iter().map(|(_, h)| h.amenities.join(",")).collect();
            let check_in: Vec<&str> = chunk.iter().map(|(_, h)| h.check_in.as_str()).collect();
            let check_out: Vec<&str> = chunk.iter().map(|(_, h)| h.check_out.as_str()).collect();
            let free: Vec<Option<i64>> = chunk
                .iter()
                .map(|(_, h)| h.free_cancellation_hours.map(i64::from))
                .collect();
            self.execute(
                "INSERT INTO hotels(id, city_code, name, stars, rating, neighbourhood, address, lat,
                     lon, amenities, check_in, check_out, free_cancellation_hours)
                 SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[],
                     $5::FLOAT8[], $6::TEXT[], $7::TEXT[], $8::FLOAT8[], $9::FLOAT8[], $10::TEXT[],
                     $11::TEXT[], $12::TEXT[], $13::BIGINT[])",
                &[
                    &id, &city, &name, &stars, &rating, &hood, &address, &lat, &lon, &amenities,
                    &check_in, &check_out, &free,
                ],
            )?;
        }
        let rooms: Vec<(&str, &RoomRow)> = hotels
            .iter()
            .flat_map(|(_, h)| h.rooms.iter().map(move |r| (h.id.as_str(), r)))
            .collect();
        for chunk in rooms.chunks(CHUNK) {
            let hotel: Vec<&str> = chunk.iter().map(|(h, _)| *h).collect();
            let kind: Vec<&str> = chunk.iter().map(|(_, r)| r.kind.as_str()).collect();
            let name: Vec<&str> = chunk.iter().map(|(_, r)| r.name.as_str()).collect();
            let capacity: Vec<i64> = chunk.iter().map(|(_, r)| i64::from(r.capacity)).collect();
            let count: Vec<i64> = chunk.iter().map(|(_, r)| i64::from(r.count)).collect();
            let rate: Vec<i64> = chunk.iter().map(|(_, r)| r.base_rate).collect();
            self.execute(
                "INSERT INTO hotel_rooms(hotel_id, type, name, capacity, count, base_rate)
                 SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[],
                     $5::BIGINT[], $6::BIGINT[])",
                &[&hotel, &kind, &name, &capacity, &count, &rate],
            )?;
        }
        Ok(())
    }

    fn airports(&self) -> Result<Vec<Airport>> {
        self.query(
            "SELECT iata, icao, name, city, city_code, country, lat, lon, tz FROM airports
             ORDER BY iata COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(Airport {
                iata: get(r, 0)?,
                icao: get(r, 1)?,
                name: get(r, 2)?,
                city: get(r, 3)?,
                city_code: get(r, 4)?,
                country: get(r, 5)?,
                lat: get(r, 6)?,
                lon: get(r, 7)?,
                tz: get(r, 8)?,
            })
        })
        .collect()
    }

    fn airlines(&self) -> Result<Vec<Airline>> {
        self.query(
            "SELECT code, icao, name, alliance, hubs, country, low_cost FROM airlines
             ORDER BY code COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| {
            let alliance: Option<String> = get(r, 3)?;
            let hubs: String = get(r, 4)?;
            Ok(Airline {
                code: get(r, 0)?,
                icao: get(r, 1)?,
                name: get(r, 2)?,
                alliance: alliance.as_deref().and_then(Alliance::parse),
                hubs: split_list(&hubs),
                country: get(r, 5)?,
                low_cost: get(r, 6)?,
            })
        })
        .collect()
    }

    fn routes(&self) -> Result<Vec<(String, String, String)>> {
        // SQLite keeps routes in their key's order (a table WITHOUT ROWID): the same here.
        self.query(
            "SELECT airline, origin, destination FROM routes
             ORDER BY airline COLLATE \"C\", origin COLLATE \"C\", destination COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
        .collect()
    }

    fn route_table(&self) -> Result<Option<Vec<u8>>> {
        self.query_opt("SELECT body FROM route_table WHERE id = 1", &[])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn save_route_table(&self, body: &[u8]) -> Result<()> {
        self.execute(
            "INSERT INTO route_table(id, body) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            &[&body],
        )?;
        Ok(())
    }

    fn airport_codes(&self) -> Result<HashSet<String>> {
        self.query("SELECT iata FROM airports", &[])?
            .iter()
            .map(|r| get(r, 0))
            .collect()
    }

    fn airline_codes(&self) -> Result<HashSet<String>> {
        self.query("SELECT code FROM airlines", &[])?
            .iter()
            .map(|r| get(r, 0))
            .collect()
    }

    fn city(&self, code: &str) -> Result<Option<CityRow>> {
        self.query_opt(
            "SELECT code, name, lat, lon, tax_percent FROM cities WHERE code = $1",
            &[&code],
        )?
        .map(|r| {
            Ok(CityRow {
                code: get(&r, 0)?,
                name: get(&r, 1)?,
                lat: get(&r, 2)?,
                lon: get(&r, 3)?,
                tax_percent: to_u32(get(&r, 4)?, "cities.tax_percent")?,
            })
        })
        .transpose()
    }

    fn hotels_in_city(&self, city_code: &str) -> Result<Vec<HotelRow>> {
        let mut hotels: Vec<HotelRow> = self
            .query(
                "SELECT id, name, stars, rating, neighbourhood, address, lat, lon, amenities,
                        check_in, check_out, free_cancellation_hours
                 FROM hotels WHERE city_code = $1 ORDER BY id COLLATE \"C\"",
                &[&city_code],
            )?
            .iter()
            .map(|r| {
                let stars: i64 = get(r, 2)?;
                let rating: f64 = get(r, 3)?;
                let amenities: String = get(r, 8)?;
                let free: Option<i64> = get(r, 11)?;
                Ok(HotelRow {
                    id: get(r, 0)?,
                    name: get(r, 1)?,
                    stars: u8::try_from(stars).map_err(|_| Error::Storage {
                        message: format!("hotels.stars: {stars} is out of range"),
                        interrupted: false,
                    })?,
                    rating: rating as f32,
                    neighbourhood: get(r, 4)?,
                    address: get(r, 5)?,
                    lat: get(r, 6)?,
                    lon: get(r, 7)?,
                    amenities: split_list(&amenities),
                    check_in: get(r, 9)?,
                    check_out: get(r, 10)?,
                    free_cancellation_hours: free
                        .map(|h| to_u32(h, "hotels.free_cancellation_hours"))
                        .transpose()?,
                    rooms: Vec::new(),
                })
            })
            .collect::<Result<_>>()?;
        // Every room of the city's hotels in one query, cheapest first within each hotel.
        let rows = self.query(
            "SELECT r.hotel_id, r.type, r.name, r.capacity, r.count, r.base_rate
             FROM hotel_rooms r JOIN hotels h ON h.id = r.hotel_id
             WHERE h.city_code = $1
             ORDER BY r.hotel_id, r.base_rate, r.type COLLATE \"C\"",
            &[&city_code],
        )?;
        let at: HashMap<String, usize> = hotels
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.clone(), i))
            .collect();
        for r in &rows {
            let hotel: String = get(r, 0)?;
            let room = RoomRow {
                kind: get(r, 1)?,
                name: get(r, 2)?,
                capacity: to_u32(get(r, 3)?, "hotel_rooms.capacity")?,
                count: to_u32(get(r, 4)?, "hotel_rooms.count")?,
                base_rate: get(r, 5)?,
            };
            if let Some(&i) = at.get(&hotel) {
                hotels[i].rooms.push(room);
            }
        }
        Ok(hotels)
    }

    fn hotel_counts(&self) -> Result<(i64, i64)> {
        let r = self.query_one(
            "SELECT (SELECT count(*) FROM cities), (SELECT count(*) FROM hotels)",
            &[],
        )?;
        Ok((get(&r, 0)?, get(&r, 1)?))
    }

    fn seats_sold_between(&self, from: &str, to: &str) -> Result<Vec<(String, String, u32, u32)>> {
        self.query(
            "SELECT flight_key, cabin, sold, capacity FROM flight_inventory
             WHERE dep_date BETWEEN $1 AND $2",
            &[&from, &to],
        )?
        .iter()
        .map(|r| {
            Ok((
                get(r, 0)?,
                get(r, 1)?,
                to_u32(get(r, 2)?, "flight_inventory.sold")?,
                to_u32(get(r, 3)?, "flight_inventory.capacity")?,
            ))
        })
        .collect()
    }

    fn seats_sold(&self, flight_key: &str, cabin: &str) -> Result<Option<(u32, u32)>> {
        self.query_opt(
            "SELECT sold, capacity FROM flight_inventory WHERE flight_key = $1 AND cabin = $2",
            &[&flight_key, &cabin],
        )?
        .map(|r| {
            Ok((
                to_u32(get(&r, 0)?, "flight_inventory.sold")?,
                to_u32(get(&r, 1)?, "flight_inventory.capacity")?,
            ))
        })
        .transpose()
    }

    fn rooms_sold_between(
        &self,
        city_code: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, String, u32)>> {
        self.query(
            "SELECT ri.hotel_id, ri.room_type, ri.night, ri.sold FROM room_inventory ri
             JOIN hotels h ON h.id = ri.hotel_id
             WHERE h.city_code = $1 AND ri.night >= $2 AND ri.night < $3",
            &[&city_code, &from, &to],
        )?
        .iter()
        .map(|r| {
            Ok((
                get(r, 0)?,
                get(r, 1)?,
                get(r, 2)?,
                to_u32(get(r, 3)?, "room_inventory.sold")?,
            ))
        })
        .collect()
    }

    fn save_offers(
        &self,
        kind: &str,
        offers: &[(String, String, String, i64)],
        now: i64,
    ) -> Result<()> {
        let rows = distinct(offers, |o| o.0.clone(), true);
        for chunk in rows.chunks(CHUNK) {
            let id: Vec<&str> = chunk.iter().map(|o| o.0.as_str()).collect();
            let provider: Vec<&str> = chunk.iter().map(|o| o.1.as_str()).collect();
            let payload: Vec<&str> = chunk.iter().map(|o| o.2.as_str()).collect();
            let expires: Vec<i64> = chunk.iter().map(|o| o.3).collect();
            self.execute(
                "INSERT INTO offers(id, kind, provider, payload, expires_at, created_at)
                 SELECT t.id, $5::TEXT, t.provider, t.payload, t.expires_at, $6::BIGINT
                 FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[])
                     AS t(id, provider, payload, expires_at)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,
                     provider = excluded.provider, payload = excluded.payload,
                     expires_at = excluded.expires_at, created_at = excluded.created_at",
                &[&id, &provider, &payload, &expires, &kind, &now],
            )?;
        }
        // Keep the table small: offers a day past expiry are of no use to anyone.
        self.execute(
            "DELETE FROM offers WHERE expires_at < $1",
            &[&(now - 86_400)],
        )?;
        Ok(())
    }

    fn offer(&self, id: &str) -> Result<Option<(String, String, i64)>> {
        self.query_opt(
            "SELECT kind, payload, expires_at FROM offers WHERE id = $1",
            &[&id],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?, get(&r, 2)?)))
        .transpose()
    }

    fn keep_remote_bookings(
        &self,
        server: &str,
        account: &str,
        bookings: &[RemoteCopy],
        synced_at: i64,
    ) -> Result<()> {
        // As SQLite's loop leaves a booking sent twice: placed (and dated) where it came
        // first, with the body it came with last.
        let mut rows: Vec<(&str, &str, &str, &str)> = Vec::with_capacity(bookings.len());
        let mut at: HashMap<&str, usize> = HashMap::new();
        for b in bookings {
            match at.get(b.id.as_str()) {
                Some(&i) => rows[i].1 = &b.body,
                None => {
                    at.insert(&b.id, rows.len());
                    rows.push((&b.id, &b.body, &b.starts_on, &b.created_at));
                }
            }
        }
        for chunk in rows.chunks(CHUNK) {
            let id: Vec<&str> = chunk.iter().map(|r| r.0).collect();
            let body: Vec<&str> = chunk.iter().map(|r| r.1).collect();
            let starts_on: Vec<&str> = chunk.iter().map(|r| r.2).collect();
            let created_at: Vec<&str> = chunk.iter().map(|r| r.3).collect();
            // New copies take their place (`ord`) in the order given.
            self.execute(
                "INSERT INTO remote_bookings
                   (server, account, id, body, starts_on, created_at, synced_at)
                 SELECT $5::TEXT, $6::TEXT, t.id, t.body, t.starts_on, t.created_at, $7::BIGINT
                 FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[])
                     WITH ORDINALITY AS t(id, body, starts_on, created_at, n)
                 ORDER BY t.n
                 ON CONFLICT (server, account, id)
                 DO UPDATE SET body = excluded.body, synced_at = excluded.synced_at",
                &[
                    &id,
                    &body,
                    &starts_on,
                    &created_at,
                    &server,
                    &account,
                    &synced_at,
                ],
            )?;
        }
        Ok(())
    }

    fn remote_bookings(&self, server: &str, account: &str) -> Result<Vec<String>> {
        self.query(
            "SELECT body FROM remote_bookings WHERE server = $1 AND account = $2
             ORDER BY starts_on COLLATE \"C\", created_at COLLATE \"C\", ord",
            &[&server, &account],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }
}

/// An alliance as stored: its serde name ("star_alliance"), as on SQLite.
fn alliance_text(al: Alliance) -> Option<String> {
    serde_json::to_value(al)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// A comma-separated list as stored (hubs, amenities), without empty items.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
