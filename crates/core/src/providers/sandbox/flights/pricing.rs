//! Seats and prices: what a flight still has for sale in the searched cabin, and an
//! itinerary's one-adult fare from the fare curves.

use super::{Flight, Search, SliceOption, fares, flight_key};
use crate::geo;
use crate::model::Ticketing;

impl<'n> Search<'n> {
    /// Seats still for sale on a flight in the searched cabin, and its load (per mille).
    fn availability(&self, f: &Flight) -> (u32, i64) {
        let low_cost = self.net.low_cost(f.edge.airline);
        let capacity = f.schedule.aircraft.seats(self.cabin, low_cost);
        if capacity == 0 {
            return (0, 1000);
        }
        let today = self.today_at(f.edge.from);
        let days_ahead = fares::days_between(today, f.date);
        let season = fares::season(
            f.date,
            self.net.places.airports[f.edge.from as usize].lat < 0.0,
        );
        let market = i64::from(capacity) * fares::market_load(f.seed(), days_ahead, season) / 1000;
        // The price follows the market's load, not our own sales: buyers racing for the last
        // seats see one price and a clear "sold out", not a moving fare.
        let lf = market * 1000 / i64::from(capacity);
        let mut left = (i64::from(capacity) - market).max(0) as u32;
        // Most searches meet no sold seat at all: then no flight's key is written out.
        if self.sold.is_empty() {
            return (left, lf);
        }
        if let Some(&(sold, allotment)) = self.sold.get(&(flight_key(self.net, f), self.cabin)) {
            left = left
                .saturating_sub(sold)
                .min(allotment.saturating_sub(sold));
        }
        (left, lf)
    }

    /// Prices an itinerary for one adult; `None` when a leg has too few seats left. A
    /// self-transfer is priced as its separate tickets, each on its own fare.
    pub(super) fn price(
        &self,
        legs: Vec<Flight<'n>>,
        links: Vec<Ticketing>,
    ) -> Option<SliceOption<'n>> {
        if !links.contains(&Ticketing::SelfTransfer) {
            // One ticket: the common case, without the per-ticket bookkeeping.
            let (adult_base, seats_left) = self.fare(&legs)?;
            return Some(SliceOption {
                legs,
                links,
                adult_base,
                tickets: Vec::new(),
                seats_left,
            });
        }
        let mut starts = vec![0];
        starts.extend(
            links
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Ticketing::SelfTransfer)
                .map(|(i, _)| i + 1),
        );
        let mut tickets = Vec::with_capacity(starts.len());
        let mut adult_base = 0;
        let mut seats_left = u32::MAX;
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(legs.len());
            let (base, left) = self.fare(&legs[start..end])?;
            adult_base += base;
            seats_left = seats_left.min(left);
            tickets.push((start, base));
        }
        Some(SliceOption {
            legs,
            links,
            adult_base,
            tickets,
            seats_left,
        })
    }

    /// One ticket's adult base fare (EUR cents) and the seats left on it.
    fn fare(&self, legs: &[Flight<'n>]) -> Option<(i64, u32)> {
        let net = self.net;
        let mut seats_left = u32::MAX;
        let mut max_lf = 0;
        let mut base: i64 = 0;
        for f in legs {
            let (left, lf) = self.availability(f);
            if left < self.seats {
                return None;
            }
            seats_left = seats_left.min(left);
            max_lf = max_lf.max(lf);
            let airline_seed = geo::word(&net.places.airlines[f.edge.airline as usize].code);
            base += fares::segment_base(f.edge.dist_km, net.low_cost(f.edge.airline), airline_seed)
                * fares::cabin_factor(self.cabin, f.edge.dist_km)
                / 1000;
        }
        let first = legs.first()?;
        let origin = &net.places.airports[first.edge.from as usize];
        let today = self.today_at(first.edge.from);
        let noise_seed = legs.iter().fold(0u64, |h, f| geo::hash(&[h, f.seed()]));
        let factors = [
            fares::connection_factor(legs.len()),
            fares::season(first.date, origin.lat < 0.0),
            fares::weekday(first.date),
            fares::advance_purchase(fares::days_between(today, first.date)),
            fares::time_of_day(first.minute),
            fares::load_factor(max_lf),
            950 + geo::pick(noise_seed, 101) as i64,
        ];
        for f in factors {
            base = base * f / 1000;
        }
        // Fares are filed in whole euros.
        Some((((base + 50) / 100).max(9) * 100, seats_left))
    }
}
