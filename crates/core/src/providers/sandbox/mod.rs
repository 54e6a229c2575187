//! The sandbox market: a deterministic travel market generated from the fixtures. Same query,
//! same answer; seats and rooms are real inventory in SQLite.

pub mod fares;
pub mod flights;
pub mod hotels;
pub mod network;

use super::{FlightProvider, FlightRequest, HotelProvider, HotelRequest, Selling};
use crate::error::{Error, Result};
use crate::model::{Cabin, FlightOffer, HotelOffer};
use crate::store::{Store, Unit};
use async_trait::async_trait;
use jiff::ToSpan;
use network::Network;
use std::sync::Arc;

pub const NAME: &str = "sandbox";

#[derive(Clone)]
pub struct SandboxProvider {
    net: Arc<Network>,
    store: Store,
}

impl SandboxProvider {
    pub fn new(net: Arc<Network>, store: Store) -> Self {
        SandboxProvider { net, store }
    }

    /// BooksyGo's own seat allotments for departures in `first..=last`.
    fn sold_seats(
        &self,
        first: jiff::civil::Date,
        last: jiff::civil::Date,
    ) -> Result<flights::SoldSeats> {
        let mut sold = flights::SoldSeats::new();
        let rows = self.store.read(|u| {
            u.catalogue()
                .seats_sold_between(&first.to_string(), &last.to_string())
        })?;
        for (key, cabin, n, cap) in rows {
            if let Ok(cabin) = Cabin::parse(&cabin) {
                sold.insert((key, cabin), (n, cap));
            }
        }
        Ok(sold)
    }

    /// Synchronous search, used by the async trait and by benchmarks.
    pub fn flights_blocking(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>> {
        let first = req
            .slices
            .iter()
            .map(|s| s.date)
            .min()
            .ok_or_else(|| Error::invalid("no slices"))?;
        let last = req.slices.iter().map(|s| s.date).max().unwrap_or(first);
        let last = last.checked_add(3.days()).unwrap_or(last);
        let sold = self.sold_seats(first, last)?;
        Ok(flights::search(&self.net, req, &sold))
    }

    /// One remembered offer priced now (a booking's re-pricing): only its own flights'
    /// allotments are read and only its own itinerary is priced. `None` when it no longer sells.
    pub fn reprice_blocking(
        &self,
        req: &FlightRequest,
        offer: &FlightOffer,
    ) -> Result<Option<FlightOffer>> {
        let mut sold = flights::SoldSeats::new();
        self.store.read(|u| {
            let catalogue = u.catalogue();
            for seg in offer.segments() {
                let key = seg.flight_key();
                if let Some(row) = catalogue.seats_sold(&key, offer.cabin_class.as_str())? {
                    sold.insert((key, offer.cabin_class), row);
                }
            }
            Ok(())
        })?;
        Ok(flights::reprice(&self.net, req, &sold, offer))
    }

    pub fn hotels_blocking(&self, req: &HotelRequest) -> Result<Vec<HotelOffer>> {
        self.store.read(|u| self.hotels_on(u, req))
    }

    /// [`SandboxProvider::hotels_blocking`] on one unit: the city's hotels and what BooksyGo
    /// sold of them.
    fn hotels_on(&self, unit: &dyn Unit, req: &HotelRequest) -> Result<Vec<HotelOffer>> {
        let catalogue = unit.catalogue();
        let Some(city) = catalogue.city(&req.city_code)? else {
            return Ok(Vec::new());
        };
        let tz = self
            .net
            .places
            .city(&city.code)
            .and_then(|c| c.airports.first())
            .map(|&i| self.net.places.tz(i).clone())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let hotels_rows = catalogue.hotels_in_city(&city.code)?;
        let mut sold = hotels::SoldRooms::new();
        for (hotel, room, night, n) in catalogue.rooms_sold_between(
            &city.code,
            &req.check_in.to_string(),
            &req.check_out.to_string(),
        )? {
            if let Ok(night) = night.parse() {
                sold.insert((hotel, room, night), n);
            }
        }
        Ok(hotels::offers(&city, &tz, &hotels_rows, req, &sold))
    }
}

impl SandboxProvider {
    /// For each airport reachable non-stop from `origins`, the cheapest one-adult economy fare
    /// (taxes included) over `dates`: (airport index, date, price, airlines).
    pub fn cheapest_direct(
        &self,
        origins: &[usize],
        dates: &[jiff::civil::Date],
        now: jiff::Timestamp,
    ) -> Result<Vec<flights::Cheapest>> {
        let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
            return Ok(Vec::new());
        };
        let sold = self.sold_seats(first, last)?;
        Ok(flights::cheapest_direct(
            &self.net, origins, dates, now, &sold,
        ))
    }
}

#[async_trait]
impl FlightProvider for SandboxProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn selling(&self) -> Selling {
        Selling::LocalInventory
    }

    async fn search_flights(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>> {
        let this = self.clone();
        let req = req.clone();
        tokio::task::spawn_blocking(move || this.flights_blocking(&req)).await?
    }
}

#[async_trait]
impl HotelProvider for SandboxProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn selling(&self) -> Selling {
        Selling::LocalInventory
    }

    async fn search_hotels(&self, req: &HotelRequest) -> Result<Vec<HotelOffer>> {
        let this = self.clone();
        let req = req.clone();
        tokio::task::spawn_blocking(move || this.hotels_blocking(&req)).await?
    }
}
