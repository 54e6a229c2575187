//! Connection search over the sandbox network: direct, one-stop and two-stop itineraries
//! with minimum connection times, a maximum layover, interline rules and a circuity bound,
//! priced from the fare curves and checked against seat inventory.

use super::fares;
use super::network::{Edge, Network, Schedule, day_number, operates_on};
use crate::geo;
use crate::model::{
    Cabin, Conditions, FarePrice, FlightOffer, Money, Passengers, Penalty, Segment, Slice,
};
use crate::providers::{FlightRequest, SliceRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;

/// BooksyGo's own allotments: per (flight key, cabin), seats sold and the allotment size.
pub type SoldSeats = HashMap<(String, Cabin), (u32, u32)>;

/// Minimum connection time within one country, and across borders (minutes).
pub const MCT_DOMESTIC: i64 = 60;
pub const MCT_INTERNATIONAL: i64 = 90;
/// Longest layover a sold itinerary may have (minutes).
pub const MAX_LAYOVER: i64 = 10 * 60;
/// Two-stop itineraries are searched only when fewer one-stop-or-better options exist.
const TWO_STOP_THRESHOLD: usize = 10;
/// Options kept per slice before slices are combined into offers.
const KEEP_PER_SLICE: usize = 200;
/// How long an offer's price is guaranteed.
pub const OFFER_TTL_SECONDS: i64 = 30 * 60;

/// One operated flight on one day.
#[derive(Debug, Clone, Copy)]
pub struct Flight<'n> {
    pub edge: Edge,
    pub schedule: &'n Schedule,
    pub number: u16,
    pub minute: u16,
    /// Local departure date at the origin.
    pub date: Date,
    pub dep: i64,
    pub arr: i64,
}

impl Flight<'_> {
    fn seed(&self) -> u64 {
        geo::hash(&[
            u64::from(self.edge.airline),
            u64::from(self.number),
            u64::from(self.edge.from),
            day_number(self.date) as u64,
        ])
    }
}

/// An itinerary for one slice, priced for one adult.
#[derive(Debug, Clone)]
pub struct SliceOption<'n> {
    pub legs: Vec<Flight<'n>>,
    /// Adult base fare in EUR cents.
    pub adult_base: i64,
    pub seats_left: u32,
}

impl SliceOption<'_> {
    fn duration(&self) -> i64 {
        (self.legs.last().map_or(0, |l| l.arr) - self.legs.first().map_or(0, |l| l.dep)) / 60
    }
}

pub struct Search<'n> {
    pub net: &'n Network,
    pub cabin: Cabin,
    pub seats: u32,
    pub max_stops: u8,
    pub now: Timestamp,
    pub sold: &'n SoldSeats,
}

impl<'n> Search<'n> {
    /// Flights an edge operates on a local date.
    fn flights(
        &self,
        edge: &Edge,
        schedule: &'n Schedule,
        date: Date,
    ) -> impl Iterator<Item = Flight<'n>> + '_ {
        let edge = *edge;
        let tz = &self.net.places.tz[edge.from as usize];
        schedule
            .departures
            .iter()
            .filter(move |_| operates_on(schedule, date))
            .filter_map(move |&(minute, number)| {
                let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
                let dep = tz.to_ambiguous_timestamp(dt).compatible().ok()?.as_second();
                Some(Flight {
                    edge,
                    schedule,
                    number,
                    minute,
                    date,
                    dep,
                    arr: dep + i64::from(schedule.block) * 60,
                })
            })
    }

    /// Seats still for sale on a flight in the searched cabin, and its load (per mille).
    fn availability(&self, f: &Flight) -> (u32, i64) {
        let low_cost = self.net.low_cost(f.edge.airline);
        let capacity = f.schedule.aircraft.seats(self.cabin, low_cost);
        if capacity == 0 {
            return (0, 1000);
        }
        let today = self
            .now
            .to_zoned(self.net.places.tz[f.edge.from as usize].clone())
            .date();
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
        if let Some(&(sold, allotment)) = self.sold.get(&(flight_key(self.net, f), self.cabin)) {
            left = left
                .saturating_sub(sold)
                .min(allotment.saturating_sub(sold));
        }
        (left, lf)
    }

    fn connects(&self, a: &Flight, b: &Flight) -> bool {
        let places = &self.net.places;
        let domestic = places.airports[a.edge.from as usize].country
            == places.airports[b.edge.to as usize].country;
        let mct = if domestic {
            MCT_DOMESTIC
        } else {
            MCT_INTERNATIONAL
        };
        let gap = (b.dep - a.arr) / 60;
        gap >= mct && gap <= MAX_LAYOVER
    }

    /// Flights of `edge` that leave within a layover of `prev`'s arrival.
    fn onward(&self, prev: &Flight<'n>, edge: &Edge, schedule: &'n Schedule) -> Vec<Flight<'n>> {
        let tz = &self.net.places.tz[edge.from as usize];
        let arrival_date = Timestamp::from_second(prev.arr)
            .map(|t| t.to_zoned(tz.clone()).date())
            .unwrap_or(prev.date);
        let mut out = Vec::new();
        for date in [
            arrival_date,
            arrival_date.tomorrow().unwrap_or(arrival_date),
        ] {
            out.extend(
                self.flights(edge, schedule, date)
                    .filter(|f| self.connects(prev, f)),
            );
        }
        out
    }

    /// Every itinerary for one slice, priced for one adult, seats checked.
    pub fn slice(
        &self,
        req: &SliceRequest,
        origins: &[usize],
        dests: &[usize],
    ) -> Vec<SliceOption<'n>> {
        let net = self.net;
        let n = net.places.airports.len();
        let mut is_dest = vec![false; n];
        let mut is_origin = vec![false; n];
        dests.iter().for_each(|&d| is_dest[d] = true);
        origins.iter().for_each(|&o| is_origin[o] = true);
        let direct = origins
            .iter()
            .flat_map(|&o| dests.iter().map(move |&d| (o, d)))
            .map(|(o, d)| net.distance(o, d))
            .fold(f64::INFINITY, f64::min);
        let to_dest = |h: usize| {
            dests
                .iter()
                .map(|&d| net.distance(h, d))
                .fold(f64::INFINITY, f64::min)
        };
        let within = |flown: f64, legs: usize| {
            flown
                <= direct * if legs == 2 { 1.5 } else { 1.6 }
                    + if legs == 2 { 500.0 } else { 800.0 }
        };

        let mut raw: Vec<Vec<Flight<'n>>> = Vec::new();
        for &o in origins {
            for r1 in &net.out[o] {
                let h1 = r1.to as usize;
                if is_dest[h1] {
                    let (e1, s1) = net.edge(o, r1);
                    raw.extend(self.flights(e1, s1, req.date).map(|f| vec![f]));
                    continue;
                }
                if self.max_stops < 1 || is_origin[h1] {
                    continue;
                }
                let (e1, s1) = net.edge(o, r1);
                if !within(f64::from(e1.dist_km) + to_dest(h1), 2) {
                    continue;
                }
                for r2 in &net.out[h1] {
                    if !is_dest[r2.to as usize] || !net.can_connect(e1.airline, r2.airline) {
                        continue;
                    }
                    let (e2, s2) = net.edge(h1, r2);
                    for f1 in self.flights(e1, s1, req.date) {
                        for f2 in self.onward(&f1, e2, s2) {
                            raw.push(vec![f1, f2]);
                        }
                    }
                }
            }
        }
        if self.max_stops >= 2 && raw.len() < TWO_STOP_THRESHOLD {
            self.two_stops(
                req, origins, &is_origin, &is_dest, &within, &to_dest, &mut raw,
            );
        }

        let mut options: Vec<SliceOption<'n>> = raw
            .into_iter()
            .filter_map(|legs| self.price(legs))
            .collect();
        if options.len() > KEEP_PER_SLICE {
            options.sort_by_key(|o| o.adult_base / 100 + o.duration());
            options.truncate(KEEP_PER_SLICE);
        }
        options
    }

    #[allow(clippy::too_many_arguments)]
    fn two_stops(
        &self,
        req: &SliceRequest,
        origins: &[usize],
        is_origin: &[bool],
        is_dest: &[bool],
        within: &dyn Fn(f64, usize) -> bool,
        to_dest: &dyn Fn(usize) -> f64,
        raw: &mut Vec<Vec<Flight<'n>>>,
    ) {
        let net = self.net;
        // Airports with a flight into a destination: the only useful second hubs.
        let mut feeds = vec![false; net.places.airports.len()];
        for (d, into) in net.into.iter().enumerate() {
            if is_dest[d] {
                for &(from, _) in into {
                    feeds[from as usize] = true;
                }
            }
        }
        for &o in origins {
            for r1 in &net.out[o] {
                let h1 = r1.to as usize;
                if is_dest[h1] || is_origin[h1] {
                    continue;
                }
                let (e1, s1) = net.edge(o, r1);
                for r2 in &net.out[h1] {
                    let h2 = r2.to as usize;
                    if !feeds[h2]
                        || is_origin[h2]
                        || is_dest[h2]
                        || !net.can_connect(e1.airline, r2.airline)
                    {
                        continue;
                    }
                    let (e2, s2) = net.edge(h1, r2);
                    if !within(f64::from(e1.dist_km + e2.dist_km) + to_dest(h2), 3) {
                        continue;
                    }
                    for r3 in &net.out[h2] {
                        if !is_dest[r3.to as usize]
                            || !net.can_connect(e2.airline, r3.airline)
                            || !net.can_connect(e1.airline, r3.airline)
                        {
                            continue;
                        }
                        let (e3, s3) = net.edge(h2, r3);
                        for f1 in self.flights(e1, s1, req.date) {
                            for f2 in self.onward(&f1, e2, s2) {
                                for f3 in self.onward(&f2, e3, s3) {
                                    raw.push(vec![f1, f2, f3]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Prices an itinerary for one adult; `None` when a leg has too few seats left.
    fn price(&self, legs: Vec<Flight<'n>>) -> Option<SliceOption<'n>> {
        let net = self.net;
        let mut seats_left = u32::MAX;
        let mut max_lf = 0;
        let mut base: i64 = 0;
        for f in &legs {
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
        let today = self
            .now
            .to_zoned(net.places.tz[first.edge.from as usize].clone())
            .date();
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
        let adult_base = ((base + 50) / 100).max(9) * 100;
        Some(SliceOption {
            legs,
            adult_base,
            seats_left,
        })
    }
}

pub fn flight_key(net: &Network, f: &Flight) -> String {
    format!(
        "{}-{}-{}",
        designator(net, f),
        net.places.airports[f.edge.from as usize].iata,
        f.date
    )
}

fn designator(net: &Network, f: &Flight) -> String {
    format!(
        "{}{}",
        net.places.airlines[f.edge.airline as usize].code, f.number
    )
}

/// Runs a whole request: every slice, combined into offers.
pub fn search(net: &Network, req: &FlightRequest, sold: &SoldSeats) -> Vec<FlightOffer> {
    let search = Search {
        net,
        cabin: req.cabin,
        seats: req.passengers.seats(),
        max_stops: req.max_stops,
        now: req.now,
        sold,
    };
    let mut per_slice: Vec<Vec<SliceOption>> = Vec::with_capacity(req.slices.len());
    for s in &req.slices {
        let origins: Vec<usize> = s
            .origin
            .iter()
            .filter_map(|c| net.places.airport_index(c))
            .collect();
        let dests: Vec<usize> = s
            .destination
            .iter()
            .filter_map(|c| net.places.airport_index(c))
            .collect();
        let mut options = search.slice(s, &origins, &dests);
        if options.is_empty() {
            return Vec::new();
        }
        let keep = [KEEP_PER_SLICE, 14, 7, 5, 4, 3][req.slices.len().clamp(1, 6) - 1];
        options.sort_by_key(|o| o.adult_base / 100 + o.duration());
        options.truncate(keep);
        per_slice.push(options);
    }
    // Cartesian product of the slices' options.
    let mut combos: Vec<Vec<&SliceOption>> = vec![Vec::new()];
    for options in &per_slice {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                options.iter().map(move |o| {
                    let mut next = c.clone();
                    next.push(o);
                    next
                })
            })
            .filter(|c| chronological(c))
            .collect();
    }
    combos
        .into_iter()
        .map(|c| build_offer(net, req, &c))
        .collect()
}

/// The itinerary of `offer` priced now, exactly as [`search`] prices it, without searching
/// every itinerary of the market (a booking re-prices one remembered offer). `None` when one
/// of its flights no longer operates, no longer connects, or has too few seats left.
pub fn reprice(
    net: &Network,
    req: &FlightRequest,
    sold: &SoldSeats,
    offer: &FlightOffer,
) -> Option<FlightOffer> {
    let search = Search {
        net,
        cabin: req.cabin,
        seats: req.passengers.seats(),
        max_stops: req.max_stops,
        now: req.now,
        sold,
    };
    let mut options = Vec::with_capacity(offer.slices.len());
    for slice in &offer.slices {
        let mut legs: Vec<Flight> = Vec::with_capacity(slice.segments.len());
        for seg in &slice.segments {
            let from = net.places.airport_index(&seg.origin)?;
            let to = net.places.airport_index(&seg.destination)?;
            let date = seg.departing_at.date();
            let dep = seg.departing_at.timestamp().as_second();
            let flight = net.out[from]
                .iter()
                .filter(|r| {
                    r.to as usize == to
                        && net.places.airlines[r.airline as usize].code == seg.marketing_carrier
                })
                .find_map(|r| {
                    let (edge, schedule) = net.edge(from, r);
                    search
                        .flights(edge, schedule, date)
                        .find(|f| f.dep == dep && designator(net, f) == seg.flight_number)
                })?;
            if let Some(prev) = legs.last()
                && !search.connects(prev, &flight)
            {
                return None;
            }
            legs.push(flight);
        }
        if legs.is_empty() || legs.len() > usize::from(req.max_stops) + 1 {
            return None;
        }
        options.push(search.price(legs)?);
    }
    let slices: Vec<&SliceOption> = options.iter().collect();
    if slices.is_empty() || !chronological(&slices) {
        return None;
    }
    Some(build_offer(net, req, &slices))
}

/// (destination airport, date, price, airlines) found by [`cheapest_direct`].
pub type Cheapest = (usize, Date, Money, Vec<String>);

/// Cheapest direct one-adult economy fare per destination over some dates (for explore).
pub fn cheapest_direct(
    net: &Network,
    origins: &[usize],
    dates: &[Date],
    now: Timestamp,
    sold: &SoldSeats,
) -> Vec<Cheapest> {
    let search = Search {
        net,
        cabin: Cabin::Economy,
        seats: 1,
        max_stops: 0,
        now,
        sold,
    };
    let mut best: std::collections::BTreeMap<usize, (i64, Date, Vec<String>)> = Default::default();
    for &o in origins {
        for r in &net.out[o] {
            let (edge, schedule) = net.edge(o, r);
            for &date in dates {
                for f in search.flights(edge, schedule, date) {
                    let Some(opt) = search.price(vec![f]) else {
                        continue;
                    };
                    let total = opt.adult_base
                        + fares::segment_tax(edge.dist_km, crate::model::PassengerType::Adult);
                    let code = net.places.airlines[edge.airline as usize].code.clone();
                    let entry =
                        best.entry(edge.to as usize)
                            .or_insert((i64::MAX, date, Vec::new()));
                    if total < entry.0 {
                        entry.0 = total;
                        entry.1 = date;
                    }
                    if !entry.2.contains(&code) {
                        entry.2.push(code);
                    }
                }
            }
        }
    }
    best.into_iter()
        .map(|(d, (total, date, mut airlines))| {
            airlines.sort();
            (d, date, Money::eur(total), airlines)
        })
        .collect()
}

/// Each slice must leave after the previous one lands (plus a connection).
fn chronological(slices: &[&SliceOption]) -> bool {
    slices.windows(2).all(|w| {
        let arr = w[0].legs.last().map_or(0, |l| l.arr);
        let dep = w[1].legs.first().map_or(0, |l| l.dep);
        dep - arr >= MCT_INTERNATIONAL * 60
    })
}

fn build_offer(net: &Network, req: &FlightRequest, slices: &[&SliceOption]) -> FlightOffer {
    let places = &net.places;
    let pax = req.passengers.list();
    let mut base = 0i64;
    let mut tax = 0i64;
    let owner_idx = slices[0].legs[0].edge.airline;
    let same_owner = slices
        .iter()
        .all(|s| s.legs.iter().all(|l| l.edge.airline == owner_idx));
    // Round trips on one airline earn a small discount.
    let rt_factor = if slices.len() > 1 && same_owner {
        950
    } else {
        1000
    };
    for p in &pax {
        for s in slices {
            base += s.adult_base * rt_factor / 1000 * fares::passenger_share(p.kind) / 1000;
            tax += s
                .legs
                .iter()
                .map(|l| fares::segment_tax(l.edge.dist_km, p.kind))
                .sum::<i64>();
        }
    }
    let zoned = |ts: i64, airport: u32| {
        Timestamp::from_second(ts)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(places.tz[airport as usize].clone())
    };
    let out_slices: Vec<Slice> = slices
        .iter()
        .map(|s| {
            let segments: Vec<Segment> = s
                .legs
                .iter()
                .map(|l| {
                    let airline = &places.airlines[l.edge.airline as usize];
                    Segment {
                        origin: places.airports[l.edge.from as usize].iata.clone(),
                        destination: places.airports[l.edge.to as usize].iata.clone(),
                        departing_at: zoned(l.dep, l.edge.from),
                        arriving_at: zoned(l.arr, l.edge.to),
                        marketing_carrier: airline.code.clone(),
                        flight_number: designator(net, l),
                        operating_carrier: airline.code.clone(),
                        aircraft: l.schedule.aircraft.code.to_string(),
                        duration_minutes: (l.arr - l.dep) / 60,
                        distance_km: l.edge.dist_km,
                    }
                })
                .collect();
            let first = &segments[0];
            let last = &segments[segments.len() - 1];
            Slice {
                origin: first.origin.clone(),
                destination: last.destination.clone(),
                departing_at: first.departing_at.clone(),
                arriving_at: last.arriving_at.clone(),
                duration_minutes: s.duration(),
                segments,
            }
        })
        .collect();
    let low_cost = slices
        .iter()
        .any(|s| s.legs.iter().any(|l| net.low_cost(l.edge.airline)));
    let long_haul = slices
        .iter()
        .any(|s| s.legs.iter().any(|l| l.edge.dist_km > 3000));
    let price = FarePrice {
        base: Money::eur(base),
        tax: Money::eur(tax),
    };
    let owner = places.airlines[owner_idx as usize].code.clone();
    let mut offer = FlightOffer {
        id: String::new(),
        provider: super::NAME.to_string(),
        price,
        expires_at: Timestamp::from_second(req.now.as_second() + OFFER_TTL_SECONDS)
            .unwrap_or(req.now),
        cabin_class: req.cabin,
        passengers: pax,
        slices: out_slices,
        conditions: conditions(req.cabin, low_cost, long_haul),
        checked_bags: checked_bags(req.cabin, low_cost),
        available_seats: slices.iter().map(|s| s.seats_left).min().unwrap_or(0),
        owner,
        supplier_offer_id: None,
        supplier_offer: None,
    };
    offer.id = offer_id(&offer, &req.passengers);
    offer
}

/// A stable id: the same itinerary, passengers and price give the same id.
pub fn offer_id(offer: &FlightOffer, pax: &Passengers) -> String {
    let h = geo::hash(&[
        geo::word(&offer.itinerary_key()),
        geo::word(&offer.provider),
        u64::from(pax.adults) << 16 | u64::from(pax.children) << 8 | u64::from(pax.infants),
        offer.total().minor as u64,
    ]);
    format!("off_{h:016x}")
}

/// Fare rules by cabin: what refunds and changes cost.
pub fn conditions(cabin: Cabin, low_cost: bool, long_haul: bool) -> Conditions {
    let eur = |e: i64| Penalty::with_fee(Money::eur(e * 100));
    if low_cost {
        return Conditions {
            refund_before_departure: Penalty::not_allowed(),
            change_before_departure: eur(60),
        };
    }
    match cabin {
        Cabin::Economy if long_haul => Conditions {
            refund_before_departure: eur(200),
            change_before_departure: eur(100),
        },
        Cabin::Economy => Conditions {
            refund_before_departure: Penalty::not_allowed(),
            change_before_departure: eur(50),
        },
        Cabin::PremiumEconomy => Conditions {
            refund_before_departure: eur(100),
            change_before_departure: eur(0),
        },
        Cabin::Business => Conditions {
            refund_before_departure: eur(0),
            change_before_departure: eur(0),
        },
        Cabin::First => Conditions {
            refund_before_departure: eur(0),
            change_before_departure: eur(0),
        },
    }
}

pub fn checked_bags(cabin: Cabin, low_cost: bool) -> u8 {
    match (low_cost, cabin) {
        (true, _) => 0,
        (false, Cabin::Economy) => 1,
        (false, Cabin::PremiumEconomy | Cabin::Business) => 2,
        (false, Cabin::First) => 3,
    }
}
