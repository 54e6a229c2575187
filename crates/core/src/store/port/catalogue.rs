//! The market's catalogue: airports, airlines, routes, hotels, the offers handed out, the small
//! key-value meta table, and this machine's copy of the bookings made on team servers.

use crate::error::Result;
use crate::model::CityFixture;
use crate::model::{Airline, Airport};
use std::collections::HashSet;

/// A city with hotels, as stored.
#[derive(Debug, Clone)]
pub struct CityRow {
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub tax_percent: u32,
}

/// A hotel and its rooms, as stored: the same record the fixtures describe.
pub type HotelRow = crate::model::HotelFixture;
/// A room type of a hotel, as stored.
pub type RoomRow = crate::model::RoomFixture;

/// A booking made on a team server, as this machine keeps it.
#[derive(Debug, Clone)]
pub struct RemoteCopy {
    pub id: String,
    /// The booking as JSON.
    pub body: String,
    pub starts_on: String,
    pub created_at: String,
}

/// Promise: the catalogue changes only inside the caller's unit of work, so a fixture load or
/// an import run in one write unit is seen whole or not at all, whatever the number of writers;
/// a load that found the meta version already current (read again inside its unit) leaves the
/// catalogue alone. Writes of one key are upserts: an offer, a meta value, a remote booking's
/// copy end up as the last writer left them, and [`Catalogue::ensure_user`] never overwrites a
/// user who exists.
pub trait Catalogue {
    /// The meta value under `key`.
    fn meta(&self, key: &str) -> Result<Option<String>>;
    /// Sets (inserts or replaces) the meta value under `key`.
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;

    /// Removes the fixture network (airports, airlines, routes whose source is `fixture`; what
    /// the user imported stays) and every city, hotel and room, before the fixtures load again.
    fn clear_fixtures(&self) -> Result<()>;
    /// Inserts airports from `source`; `replace` decides who wins when a code exists already.
    /// Returns how many were written.
    fn insert_airports(&self, airports: &[Airport], source: &str, replace: bool) -> Result<usize>;
    /// Inserts airlines, as [`Catalogue::insert_airports`].
    fn insert_airlines(&self, airlines: &[Airline], source: &str, replace: bool) -> Result<usize>;
    /// Inserts routes (airline, origin, destination), as [`Catalogue::insert_airports`].
    fn insert_routes(
        &self,
        routes: &[(String, String, String)],
        source: &str,
        replace: bool,
    ) -> Result<usize>;
    /// Inserts cities with their hotels and rooms.
    fn insert_hotel_cities(&self, cities: &[CityFixture]) -> Result<()>;

    /// Every airport, by code.
    fn airports(&self) -> Result<Vec<Airport>>;
    /// Every airline, by code.
    fn airlines(&self) -> Result<Vec<Airline>>;
    /// Every route: (airline, origin, destination).
    fn routes(&self) -> Result<Vec<(String, String, String)>>;
    /// The compact route table ([`crate::places::routes::RouteTable`]) kept beside the rows;
    /// `None` when there is none: any change of an airport, airline or route drops it in
    /// that change's own transaction.
    fn route_table(&self) -> Result<Option<Vec<u8>>>;
    /// Keeps `body` as the compact route table (inserts or replaces): call it in the write
    /// unit that read the rows it was made from, so it is never older than they are.
    fn save_route_table(&self, body: &[u8]) -> Result<()>;
    /// The codes of every airport.
    fn airport_codes(&self) -> Result<HashSet<String>>;
    /// The codes of every airline.
    fn airline_codes(&self) -> Result<HashSet<String>>;

    /// A city with hotels.
    fn city(&self, code: &str) -> Result<Option<CityRow>>;
    /// A city's hotels by id, each with its rooms, cheapest first.
    fn hotels_in_city(&self, city_code: &str) -> Result<Vec<HotelRow>>;
    /// (cities with hotels, hotels).
    fn hotel_counts(&self) -> Result<(i64, i64)>;

    /// BooksyGo's allotments (flight key, cabin, sold, capacity) for departures in `from..=to`.
    fn seats_sold_between(&self, from: &str, to: &str) -> Result<Vec<(String, String, u32, u32)>>;
    /// BooksyGo's allotment of one flight and cabin: (sold, capacity), if it sold any.
    fn seats_sold(&self, flight_key: &str, cabin: &str) -> Result<Option<(u32, u32)>>;
    /// Rooms BooksyGo has sold (hotel, room type, night, sold) for one city's hotels, nights
    /// in `from..to`.
    fn rooms_sold_between(
        &self,
        city_code: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, String, u32)>>;

    /// Remembers offers handed out, (id, provider, payload JSON, expires_at), so a booking can
    /// find them by id; forgets offers a day past expiry. Several statements: call in a write
    /// unit.
    fn save_offers(
        &self,
        kind: &str,
        offers: &[(String, String, String, i64)],
        now: i64,
    ) -> Result<()>;
    /// An offer by id: (kind, payload JSON, expires_at unix seconds).
    fn offer(&self, id: &str) -> Result<Option<(String, String, i64)>>;

    /// Keeps (inserts or refreshes) this machine's copy of bookings made on `server` as
    /// `account`. Several statements: call in a write unit.
    fn keep_remote_bookings(
        &self,
        server: &str,
        account: &str,
        bookings: &[RemoteCopy],
        synced_at: i64,
    ) -> Result<()>;
    /// The copies (JSON) of the bookings made on `server` as `account`, in the server's order
    /// (by start date, then as booked).
    fn remote_bookings(&self, server: &str, account: &str) -> Result<Vec<String>>;
}
