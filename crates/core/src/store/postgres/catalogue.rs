//! Catalogue on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::CityFixture;
use crate::model::{Airline, Airport};
use crate::store::port::*;
use std::collections::HashSet;

impl Catalogue for PgUnit<'_> {
    fn meta(&self, key: &str) -> Result<Option<String>> {
        Err(pending("Catalogue::meta"))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        Err(pending("Catalogue::set_meta"))
    }

    fn clear_fixtures(&self) -> Result<()> {
        Err(pending("Catalogue::clear_fixtures"))
    }

    fn insert_airports(&self, airports: &[Airport], source: &str, replace: bool) -> Result<usize> {
        Err(pending("Catalogue::insert_airports"))
    }

    fn insert_airlines(&self, airlines: &[Airline], source: &str, replace: bool) -> Result<usize> {
        Err(pending("Catalogue::insert_airlines"))
    }

    fn insert_routes(
        &self,
        routes: &[(String, String, String)],
        source: &str,
        replace: bool,
    ) -> Result<usize> {
        Err(pending("Catalogue::insert_routes"))
    }

    fn insert_hotel_cities(&self, cities: &[CityFixture]) -> Result<()> {
        Err(pending("Catalogue::insert_hotel_cities"))
    }

    fn airports(&self) -> Result<Vec<Airport>> {
        Err(pending("Catalogue::airports"))
    }

    fn airlines(&self) -> Result<Vec<Airline>> {
        Err(pending("Catalogue::airlines"))
    }

    fn routes(&self) -> Result<Vec<(String, String, String)>> {
        Err(pending("Catalogue::routes"))
    }

    fn airport_codes(&self) -> Result<HashSet<String>> {
        Err(pending("Catalogue::airport_codes"))
    }

    fn airline_codes(&self) -> Result<HashSet<String>> {
        Err(pending("Catalogue::airline_codes"))
    }

    fn city(&self, code: &str) -> Result<Option<CityRow>> {
        Err(pending("Catalogue::city"))
    }

    fn hotels_in_city(&self, city_code: &str) -> Result<Vec<HotelRow>> {
        Err(pending("Catalogue::hotels_in_city"))
    }

    fn hotel_counts(&self) -> Result<(i64, i64)> {
        Err(pending("Catalogue::hotel_counts"))
    }

    fn seats_sold_between(&self, from: &str, to: &str) -> Result<Vec<(String, String, u32, u32)>> {
        Err(pending("Catalogue::seats_sold_between"))
    }

    fn seats_sold(&self, flight_key: &str, cabin: &str) -> Result<Option<(u32, u32)>> {
        Err(pending("Catalogue::seats_sold"))
    }

    fn rooms_sold_between(
        &self,
        city_code: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, String, u32)>> {
        Err(pending("Catalogue::rooms_sold_between"))
    }

    fn save_offers(
        &self,
        kind: &str,
        offers: &[(String, String, String, i64)],
        now: i64,
    ) -> Result<()> {
        Err(pending("Catalogue::save_offers"))
    }

    fn offer(&self, id: &str) -> Result<Option<(String, String, i64)>> {
        Err(pending("Catalogue::offer"))
    }

    fn keep_remote_bookings(
        &self,
        server: &str,
        account: &str,
        bookings: &[RemoteCopy],
        synced_at: i64,
    ) -> Result<()> {
        Err(pending("Catalogue::keep_remote_bookings"))
    }

    fn remote_bookings(&self, server: &str, account: &str) -> Result<Vec<String>> {
        Err(pending("Catalogue::remote_bookings"))
    }
}
