//! Flight queries: what a traveller asks, its validation, filters and sorts.

use crate::error::{Error, Result};
use crate::model::{Alliance, Cabin, Currency, FlightOffer, FxTable, Money, Passengers, Ticketing};
use crate::places::Places;
use crate::providers::{FlightRequest, SliceRequest};
use jiff::civil::{Date, Time};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;

/// Furthest ahead airlines sell (days).
pub const BOOKING_HORIZON_DAYS: i64 = 361;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SliceQuery {
    /// Airport code, city code or name, as typed.
    pub origin: String,
    pub destination: String,
    pub departure_date: Date,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlightSort {
    Price,
    Duration,
    Departure,
    Arrival,
    /// Price plus EUR 0.60 per minute of travel plus EUR 50 per stop (lower is better).
    #[default]
    Best,
}

impl FlightSort {
    pub fn parse(text: &str) -> Result<FlightSort> {
        match text {
            "price" => Ok(FlightSort::Price),
            "duration" => Ok(FlightSort::Duration),
            "departure" => Ok(FlightSort::Departure),
            "arrival" => Ok(FlightSort::Arrival),
            "best" => Ok(FlightSort::Best),
            _ => Err(Error::invalid(format!(
                "unknown sort '{text}': use price, duration, departure, arrival or best"
            ))),
        }
    }
}

#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct FlightFilters {
    /// In the display currency.
    #[serde(default)]
    pub max_price: Option<Money>,
    /// Only itineraries flown entirely by these airlines.
    #[serde(default)]
    pub airlines: Vec<String>,
    /// No segment on these airlines.
    #[serde(default)]
    pub exclude_airlines: Vec<String>,
    #[serde(default)]
    pub alliance: Option<Alliance>,
    /// Local departure time of the first slice.
    #[serde(default)]
    pub depart_after: Option<Time>,
    #[serde(default)]
    pub depart_before: Option<Time>,
    /// Longest slice, in hours.
    #[serde(default)]
    pub max_duration_hours: Option<u32>,
    /// Hide self-transfer itineraries (separate tickets, unprotected connections).
    #[serde(default)]
    pub no_self_transfer: bool,
}

/// Also the key of the finished answers a searcher keeps: two queries share an answer
/// exactly when they are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlightQuery {
    pub slices: Vec<SliceQuery>,
    #[serde(default)]
    pub passengers: Passengers,
    #[serde(default = "economy")]
    pub cabin: Cabin,
    /// 0, 1 or 2; defaults to 2.
    #[serde(default)]
    pub max_stops: Option<u8>,
    #[serde(default)]
    pub filters: FlightFilters,
    #[serde(default)]
    pub sort: FlightSort,
    #[serde(default)]
    pub limit: Option<usize>,
    /// Display (and selling) currency; the market's own when absent.
    #[serde(default)]
    pub currency: Option<Currency>,
}

fn economy() -> Cabin {
    Cabin::Economy
}

impl FlightQuery {
    pub fn one_way(from: &str, to: &str, date: Date) -> FlightQuery {
        FlightQuery {
            slices: vec![SliceQuery {
                origin: from.into(),
                destination: to.into(),
                departure_date: date,
            }],
            passengers: Passengers::default(),
            cabin: Cabin::Economy,
            max_stops: None,
            filters: FlightFilters::default(),
            sort: FlightSort::Best,
            limit: None,
            currency: None,
        }
    }

    /// Checks everything a traveller can get wrong and resolves places to airports.
    pub fn resolve(&self, places: &Places, fx: &FxTable, now: Timestamp) -> Result<FlightRequest> {
        if self.slices.is_empty() {
            return Err(Error::invalid(
                "a search needs at least one slice (origin, destination, date)",
            ));
        }
        if self.slices.len() > 6 {
            return Err(Error::invalid("at most 6 slices in one search"));
        }
        self.passengers.validate()?;
        super::check_limit(self.limit)?;
        if let Some(stops) = self.max_stops
            && stops > 2
        {
            return Err(Error::invalid(format!(
                "--max-stops {stops}: BooksyGo sells at most 2 stops"
            )));
        }
        if let Some(c) = self.currency {
            fx.supports(c)?;
        }
        if let Some(max) = &self.filters.max_price {
            fx.supports(max.currency)?;
        }
        super::check_max_price(self.filters.max_price)?;
        if let (Some(a), Some(b)) = (self.filters.depart_after, self.filters.depart_before)
            && a > b
        {
            return Err(Error::invalid(format!(
                "--depart-after {} is later than --depart-before {}: no departure is both",
                a.strftime("%H:%M"),
                b.strftime("%H:%M")
            )));
        }
        for code in self
            .filters
            .airlines
            .iter()
            .chain(&self.filters.exclude_airlines)
        {
            places.resolve_airline(code)?;
        }
        let mut slices = Vec::with_capacity(self.slices.len());
        let mut prev: Option<Date> = None;
        for (i, s) in self.slices.iter().enumerate() {
            let from = places.resolve(&s.origin)?;
            let to = places.resolve(&s.destination)?;
            if from.airports.iter().any(|a| to.airports.contains(a)) || from.code == to.code {
                return Err(Error::invalid(format!(
                    "origin and destination are the same place ({} and {})",
                    from.code, to.code
                )));
            }
            let origin_tz = places.tz(from.airports[0]).clone();
            let today = now.to_zoned(origin_tz).date();
            if s.departure_date < today {
                return Err(Error::invalid(format!(
                    "{} is in the past (today is {today} in {})",
                    s.departure_date, from.name
                )));
            }
            let horizon = super::sale_horizon(today);
            if s.departure_date > horizon {
                return Err(Error::invalid(format!(
                    "{} is too far ahead: airlines sell up to {horizon}",
                    s.departure_date
                )));
            }
            if let Some(p) = prev
                && s.departure_date < p
            {
                let what = if self.slices.len() == 2 && i == 1 {
                    "return date"
                } else {
                    "leg date"
                };
                return Err(Error::invalid(format!(
                    "{what} {} is before the previous departure {p}",
                    s.departure_date
                )));
            }
            prev = Some(s.departure_date);
            let codes = |r: &crate::places::Resolved| {
                r.airports
                    .iter()
                    .map(|&i| places.airports[i].iata.clone())
                    .collect()
            };
            slices.push(SliceRequest {
                origin: codes(&from),
                destination: codes(&to),
                date: s.departure_date,
            });
        }
        Ok(FlightRequest {
            slices,
            passengers: self.passengers,
            cabin: self.cabin,
            max_stops: self.max_stops.unwrap_or(2),
            now,
        })
    }

    /// Whether an offer passes the filters (its price already in the display currency).
    pub fn accepts(&self, offer: &FlightOffer, places: &Places, fx: &FxTable) -> bool {
        let f = &self.filters;
        if let Some(max) = self.max_stops
            && offer.stops() > usize::from(max)
        {
            return false;
        }
        if f.no_self_transfer && offer.ticketing == Ticketing::SelfTransfer {
            return false;
        }
        if let Some(max) = f.max_price {
            match fx.convert(offer.total(), max.currency) {
                Ok(price) if price.minor <= max.minor => {}
                _ => return false,
            }
        }
        let carriers: Vec<&str> = offer
            .segments()
            .map(|s| s.marketing_carrier.as_str())
            .collect();
        if !f.airlines.is_empty()
            && !carriers
                .iter()
                .all(|c| f.airlines.iter().any(|a| a.eq_ignore_ascii_case(c)))
        {
            return false;
        }
        if carriers
            .iter()
            .any(|c| f.exclude_airlines.iter().any(|a| a.eq_ignore_ascii_case(c)))
        {
            return false;
        }
        if let Some(alliance) = f.alliance
            && !carriers
                .iter()
                .all(|c| places.airline(c).and_then(|a| a.alliance) == Some(alliance))
        {
            return false;
        }
        if let Some(first) = offer.slices.first() {
            let t = first.departing_at.time();
            if f.depart_after.is_some_and(|a| t < a) || f.depart_before.is_some_and(|b| t > b) {
                return false;
            }
        }
        if let Some(h) = f.max_duration_hours
            && offer
                .slices
                .iter()
                .any(|s| s.duration_minutes > i64::from(h) * 60)
        {
            return false;
        }
        true
    }
}

/// What to search instead when a search found nothing, nearest first: the same trip with
/// every slice moved by 1, 2 ... `days` days, later before earlier (a face searches them and
/// names the dates that connect; dates already past fail to resolve and are skipped).
pub fn nearby_dates(query: &FlightQuery, days: i64) -> Vec<FlightQuery> {
    let mut out = Vec::new();
    for d in 1..=days {
        for shift in [d, -d] {
            let mut q = query.clone();
            let moved =
                q.slices
                    .iter_mut()
                    .all(|s| match s.departure_date.checked_add(shift.days()) {
                        Ok(date) => {
                            s.departure_date = date;
                            true
                        }
                        Err(_) => false,
                    });
            if moved {
                out.push(q);
            }
        }
    }
    out
}

/// The documented "best" score: price in EUR plus 0.60 EUR per minute plus 50 EUR per stop,
/// plus 75 EUR per self-transfer (separate tickets, an unprotected connection), so that a
/// self-transfer comes after protected itineraries of similar price.
pub fn best_score(offer: &FlightOffer, price_eur_minor: i64) -> i64 {
    let stops: usize = offer.slices.iter().map(|s| s.stops()).sum();
    price_eur_minor
        + offer.duration_minutes() * 60
        + stops as i64 * 5000
        + offer.self_transfers() as i64 * SELF_TRANSFER_PENALTY_EUR_MINOR
}

/// What one self-transfer adds to the "best" score (EUR cents).
pub const SELF_TRANSFER_PENALTY_EUR_MINOR: i64 = 7500;

/// How many rows at the top of a `best` list are kept for the standouts (see [`sort`]).
pub const STANDOUT_ROWS: usize = 4;

pub fn sort<O: Borrow<FlightOffer>>(offers: &mut [O], how: FlightSort, fx: &FxTable) {
    // Ties keep a stable, id order: merged provider answers arrive in any order.
    offers.sort_by(|a, b| a.borrow().id.cmp(&b.borrow().id));
    let eur = |o: &FlightOffer| {
        fx.convert(o.total(), Currency::EUR)
            .map(|m| m.minor)
            .unwrap_or(i64::MAX)
    };
    match how {
        FlightSort::Price => offers.sort_by_cached_key(|o| {
            let o = o.borrow();
            (eur(o), o.duration_minutes())
        }),
        FlightSort::Duration => offers.sort_by_cached_key(|o| {
            let o = o.borrow();
            (o.duration_minutes(), eur(o))
        }),
        FlightSort::Departure => offers.sort_by_cached_key(|o| {
            let o = o.borrow();
            (o.slices[0].departing_at.timestamp(), eur(o))
        }),
        FlightSort::Arrival => offers.sort_by_cached_key(|o| {
            let o = o.borrow();
            (o.slices.last().map(|s| s.arriving_at.timestamp()), eur(o))
        }),
        FlightSort::Best => {
            offers.sort_by_cached_key(|o| {
                let o = o.borrow();
                (best_score(o, eur(o)), eur(o))
            });
            lift_standouts(offers, eur);
        }
    }
}

/// The big sites' rule for `best`: whatever the score says, the best non-stop, the best
/// one-stop and the cheapest itinerary are among the first rows (in score order, after the
/// best overall), so a row limit never hides them. `offers` is already in score order.
fn lift_standouts<O: Borrow<FlightOffer>>(offers: &mut [O], eur: impl Fn(&FlightOffer) -> i64) {
    if offers.len() <= 1 {
        return;
    }
    let by_stops = |n: usize| offers.iter().position(|o| o.borrow().stops() == n);
    let cheapest = (0..offers.len()).min_by_key(|&i| (eur(offers[i].borrow()), i));
    let mut standouts: Vec<usize> = [Some(0), by_stops(0), by_stops(1), cheapest]
        .into_iter()
        .flatten()
        .collect();
    standouts.sort_unstable();
    standouts.dedup();
    // Move each standout up, in score order, to the next free row at the top; the rows it
    // passes keep their order.
    for (row, &from) in standouts.iter().enumerate() {
        if from > row {
            offers[row..=from].rotate_right(1);
        }
    }
    debug_assert!(standouts.len() <= STANDOUT_ROWS);
}
