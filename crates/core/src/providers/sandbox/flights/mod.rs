//! Connection search over the sandbox network: direct, one-stop and two-stop itineraries
//! with minimum connection times, a maximum layover, interline rules and a circuity bound,
//! priced from the fare curves and checked against seat inventory. Itineraries are one
//! ticket (one airline or alliance), interline (one ticket across airlines with an
//! agreement) or self-transfer (separate tickets, longer connections).
//!
//! `itineraries` finds the flights that connect, `pricing` prices them against seats left,
//! `offers` combines slices into offers with their fare rules.

mod itineraries;
mod offers;
mod pricing;

// The crate calls these inside `offers`; the path is public for the workspace's tests and
// benchmarks (`test-support`).
#[allow(unused_imports)]
pub use offers::{checked_bags, conditions, offer_id};

use super::fares;
use super::network::{Edge, Network, Schedule, day_number};
use crate::geo;
use crate::model::{Cabin, FlightOffer, Money, Ticketing};
use crate::providers::FlightRequest;
use jiff::Timestamp;
use jiff::civil::Date;
use offers::{build_offer, chronological};
use std::cell::RefCell;
use std::collections::HashMap;

/// BooksyGo's own allotments: per (flight key, cabin), seats sold and the allotment size.
pub type SoldSeats = HashMap<(String, Cabin), (u32, u32)>;

/// Minimum connection time within one country, and across borders (minutes).
pub const MCT_DOMESTIC: i64 = 60;
pub const MCT_INTERNATIONAL: i64 = 90;
/// Longest layover a sold itinerary may have (minutes).
pub const MAX_LAYOVER: i64 = 10 * 60;
/// Minimum connection on separate tickets at one airport (minutes): bags are collected and
/// checked in again, and security passed again.
pub const SELF_TRANSFER_MCT: i64 = 3 * 60;
/// Minimum connection on separate tickets that changes airports within a city (minutes).
pub const SELF_TRANSFER_AIRPORT_CHANGE_MCT: i64 = 4 * 60;
/// Longest layover between separate tickets (minutes): a day plus the longest minimum
/// connection, so that a daily onward flight is always within reach (an overnight stop).
pub const SELF_TRANSFER_MAX_LAYOVER: i64 = 24 * 60 + SELF_TRANSFER_AIRPORT_CHANGE_MCT;
/// The next, less protected tier of itineraries (interline, two stops, self-transfer) is
/// searched only while fewer options than this were found.
pub const TWO_STOP_THRESHOLD: usize = 10;
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
    /// How each connection is ticketed (one fewer than the legs).
    pub links: Vec<Ticketing>,
    /// Adult base fare in EUR cents (a self-transfer's tickets added up).
    pub adult_base: i64,
    /// Per ticket of a self-transfer: its first leg and its adult base fare; empty when the
    /// slice is one ticket.
    pub tickets: Vec<(usize, i64)>,
    pub seats_left: u32,
}

impl SliceOption<'_> {
    /// The least protected of its connections.
    pub fn ticketing(&self) -> Ticketing {
        self.links.iter().copied().max().unwrap_or_default()
    }

    fn duration(&self) -> i64 {
        (self.legs.last().map_or(0, |l| l.arr) - self.legs.first().map_or(0, |l| l.dep)) / 60
    }

    /// What the options of a slice are kept by when there are too many: one unit per euro
    /// (or other major unit) of the adult fare and per minute of travel, lower first.
    fn rank(&self) -> i64 {
        self.adult_base / 100 + self.duration()
    }
}

/// Orders options by [`SliceOption::rank`], ties in their order (each rank worked out once:
/// thousands of options, each a few vectors, are moved once instead of at every comparison).
fn by_rank(options: &mut [SliceOption]) {
    options.sort_by_cached_key(SliceOption::rank);
}

pub struct Search<'n> {
    pub net: &'n Network,
    pub cabin: Cabin,
    pub seats: u32,
    pub max_stops: u8,
    pub now: Timestamp,
    pub sold: &'n SoldSeats,
    /// Per airport and local date, the instant of that day's local midnight when the day has
    /// no change of UTC offset (`None`: it has one). See [`Search::local_day`].
    days: RefCell<HashMap<(u32, Date), Option<i64>>>,
    /// Per airport, its local date at `now`. See [`Search::today_at`].
    today: RefCell<HashMap<u32, Date>>,
}

impl<'n> Search<'n> {
    pub fn new(
        net: &'n Network,
        cabin: Cabin,
        seats: u32,
        max_stops: u8,
        now: Timestamp,
        sold: &'n SoldSeats,
    ) -> Self {
        Search {
            net,
            cabin,
            seats,
            max_stops,
            now,
            sold,
            days: Default::default(),
            today: Default::default(),
        }
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
    let search = Search::new(
        net,
        req.cabin,
        req.passengers.seats(),
        req.max_stops,
        req.now,
        sold,
    );
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
        by_rank(&mut options);
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
    let search = Search::new(
        net,
        req.cabin,
        req.passengers.seats(),
        req.max_stops,
        req.now,
        sold,
    );
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
            legs.push(flight);
        }
        if legs.is_empty() || legs.len() > usize::from(req.max_stops) + 1 {
            return None;
        }
        let links = search.links(&legs)?;
        options.push(search.price(legs, links)?);
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
    let search = Search::new(net, Cabin::Economy, 1, 0, now, sold);
    let mut best: std::collections::BTreeMap<usize, (i64, Date, Vec<String>)> = Default::default();
    for &o in origins {
        for r in &net.out[o] {
            let (edge, schedule) = net.edge(o, r);
            for &date in dates {
                for f in search.flights(edge, schedule, date) {
                    let Some(opt) = search.price(vec![f], Vec::new()) else {
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
