//! The sandbox route network and its timetable: who flies where, when, on what aircraft.
//! Everything is derived deterministically from the fixtures (or an import), so the same
//! date always has the same flights.

use crate::geo::{self, distance_km};
use crate::model::Cabin;
pub use crate::model::season::day_number;
use crate::places::Places;
use crate::places::routes::RouteTable;
use jiff::civil::{Date, Weekday};
use once_cell::race::OnceBox;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One airline flying one directed airport pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    pub airline: u32,
    pub dist_km: u32,
}

/// The weekly pattern of an edge.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Departures: (minutes after local midnight, flight number).
    pub departures: Vec<(u16, u16)>,
    /// Bit i set: operates on weekday i (Monday = 0).
    pub days: u8,
    /// Gate-to-gate minutes.
    pub block: u16,
    pub aircraft: &'static Aircraft,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Aircraft {
    /// IATA type code.
    pub code: &'static str,
    pub name: &'static str,
    /// Seats per cabin: economy, premium economy, business, first.
    pub seats: [u16; 4],
}

impl Aircraft {
    pub fn seats(&self, cabin: Cabin, low_cost: bool) -> u32 {
        if low_cost {
            // Low-cost carriers sell a single cabin.
            return if cabin == Cabin::Economy {
                self.seats.iter().map(|&s| u32::from(s)).sum()
            } else {
                0
            };
        }
        u32::from(self.seats[cabin as usize])
    }
}

pub const AIRCRAFT: &[Aircraft] = &[
    Aircraft {
        code: "E90",
        name: "Embraer E190",
        seats: [88, 0, 12, 0],
    },
    Aircraft {
        code: "73H",
        name: "Boeing 737-800",
        seats: [162, 0, 16, 0],
    },
    Aircraft {
        code: "320",
        name: "Airbus A320",
        seats: [144, 0, 24, 0],
    },
    Aircraft {
        code: "32N",
        name: "Airbus A320neo",
        seats: [150, 0, 30, 0],
    },
    Aircraft {
        code: "321",
        name: "Airbus A321",
        seats: [170, 0, 28, 0],
    },
    Aircraft {
        code: "789",
        name: "Boeing 787-9",
        seats: [192, 28, 42, 0],
    },
    Aircraft {
        code: "359",
        name: "Airbus A350-900",
        seats: [220, 24, 40, 0],
    },
    Aircraft {
        code: "77W",
        name: "Boeing 777-300ER",
        seats: [250, 40, 42, 8],
    },
    Aircraft {
        code: "388",
        name: "Airbus A380-800",
        seats: [390, 56, 70, 14],
    },
];

pub fn aircraft(code: &str) -> Option<&'static Aircraft> {
    AIRCRAFT.iter().find(|a| a.code == code)
}

/// One route out of an airport. Its distance and timetable are worked out the first time a
/// search looks at it, so opening the market stays cheap however big the network (and the
/// route itself small: 16 bytes until then, a pointer set once).
#[derive(Debug)]
pub struct Route {
    pub to: u32,
    pub airline: u32,
    lazy: OnceBox<(Edge, Schedule)>,
}

/// The network: per airport, the routes out of it.
pub struct Network {
    pub places: Places,
    pub out: Vec<Vec<Route>>,
    /// Per airport, the airports with a route into it: see [`Network::inbound`].
    inbound: OnceLock<Vec<Vec<u32>>>,
    /// Per airline index: hubs (airport indexes).
    hubs: Vec<Vec<u32>>,
    /// 0..airports: `same_airport` hands out one-element slices of it.
    identity: Vec<usize>,
}

impl Network {
    /// The network of `routes` (indexes into the catalogue's listing that `places` was built
    /// from); a route whose airport was dropped, or that goes nowhere, is left out.
    pub fn new(places: Places, routes: &RouteTable) -> Network {
        let n = places.airports.len();
        let hubs: Vec<Vec<u32>> = places
            .airlines
            .iter()
            .map(|a| {
                a.hubs
                    .iter()
                    .filter_map(|h| places.airport_index(h))
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
        let legs = || {
            routes.legs().filter_map(|l| {
                let (f, t) = (places.listed_airport(l.from)?, places.listed_airport(l.to)?);
                (f != t && (l.airline as usize) < places.airlines.len())
                    .then_some((f, t, l.airline))
            })
        };
        // Sized first: one allocation per airport.
        let mut outs = vec![0usize; n];
        for (f, _, _) in legs() {
            outs[f] += 1;
        }
        let mut out: Vec<Vec<Route>> = outs.iter().map(|&k| Vec::with_capacity(k)).collect();
        // The catalogue keys routes by (airline, origin, destination): no duplicates.
        for (f, t, airline) in legs() {
            out[f].push(Route {
                to: t as u32,
                airline,
                lazy: OnceBox::new(),
            });
        }
        Network {
            places,
            out,
            inbound: OnceLock::new(),
            hubs,
            identity: (0..n).collect(),
        }
    }

    /// Per airport, the airports with a route into it (each once, in index order). Only
    /// two-stop itineraries ask, and only when shorter ones are few: it is made the first
    /// time, not every time a market opens (a command line opens one per run).
    pub fn inbound(&self) -> &[Vec<u32>] {
        self.inbound.get_or_init(|| {
            let mut inbound = vec![Vec::new(); self.out.len()];
            for (from, routes) in self.out.iter().enumerate() {
                for r in routes {
                    inbound[r.to as usize].push(from as u32);
                }
            }
            // Pushed in `from` order: several airlines' routes from one airport are
            // neighbours.
            for v in &mut inbound {
                v.dedup();
            }
            inbound
        })
    }

    pub fn route_count(&self) -> usize {
        self.out.iter().map(Vec::len).sum()
    }

    /// The route's edge (with its distance) and weekly schedule.
    pub fn edge<'a>(&'a self, from: usize, r: &'a Route) -> (&'a Edge, &'a Schedule) {
        let (e, s) = r.lazy.get_or_init(|| {
            let (a, b) = (
                &self.places.airports[from],
                &self.places.airports[r.to as usize],
            );
            let dist = distance_km(a.lat, a.lon, b.lat, b.lon).round().max(1.0) as u32;
            let edge = Edge {
                from: from as u32,
                to: r.to,
                airline: r.airline,
                dist_km: dist,
            };
            let schedule = schedule_for(&self.places, &self.hubs, &edge);
            Box::new((edge, schedule))
        });
        (e, s)
    }

    pub fn is_hub(&self, airline: u32, airport: u32) -> bool {
        self.hubs
            .get(airline as usize)
            .is_some_and(|h| h.contains(&airport))
    }

    pub fn low_cost(&self, airline: u32) -> bool {
        self.places.airlines[airline as usize].low_cost
    }

    /// Whether a passenger may connect from one airline to another on one ticket:
    /// the same airline, or partners in one alliance. Low-cost carriers do not interline.
    pub fn can_connect(&self, a: u32, b: u32) -> bool {
        if a == b {
            return true;
        }
        let (x, y) = (
            &self.places.airlines[a as usize],
            &self.places.airlines[b as usize],
        );
        !x.low_cost && !y.low_cost && x.alliance.is_some() && x.alliance == y.alliance
    }

    /// The interline rule: whether two different airlines sell a connection at `at` on one
    /// ticket although they are not partners in one alliance. Deterministic and documented
    /// (README, "Flights"):
    ///
    /// - low-cost carriers never interline (they sell point to point);
    /// - a full-service airline without an alliance interlines with any full-service airline
    ///   (unaligned carriers live on bilateral interline agreements);
    /// - airlines of rival alliances interline only at a hub of one of them (a hub carrier
    ///   signs agreements with the airlines that feed its hub).
    pub fn interlines(&self, a: u32, b: u32, at: u32) -> bool {
        let (x, y) = (
            &self.places.airlines[a as usize],
            &self.places.airlines[b as usize],
        );
        if x.low_cost || y.low_cost {
            return false;
        }
        x.alliance.is_none() || y.alliance.is_none() || self.is_hub(a, at) || self.is_hub(b, at)
    }

    /// Airports of the city `airport` serves, itself included (a self-transfer may change
    /// airports within a city: LGW to LHR).
    pub fn city_airports(&self, airport: usize) -> &[usize] {
        &self.places.city_of(airport).airports
    }

    /// `[airport]`, as a slice (the departure airports of a protected connection).
    pub fn same_airport(&self, airport: usize) -> &[usize] {
        std::slice::from_ref(&self.identity[airport])
    }

    /// Direct distance between two airports.
    pub fn distance(&self, a: usize, b: usize) -> f64 {
        let (x, y) = (&self.places.airports[a], &self.places.airports[b]);
        distance_km(x.lat, x.lon, y.lat, y.lon)
    }

    /// Routes per airline code, for statistics.
    pub fn routes_by_airline(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for edges in &self.out {
            for r in edges {
                *m.entry(self.places.airlines[r.airline as usize].code.clone())
                    .or_default() += 1;
            }
        }
        m
    }
}

pub fn operates_on(s: &Schedule, date: Date) -> bool {
    let wd = date.weekday().to_monday_zero_offset();
    s.days & (1 << wd) != 0
}

/// Builds the weekly schedule of one edge from its size and distance.
fn schedule_for(places: &Places, hubs: &[Vec<u32>], e: &Edge) -> Schedule {
    let airline = &places.airlines[e.airline as usize];
    let (wf, wt) = (places.weight[e.from as usize], places.weight[e.to as usize]);
    let smaller = wf.min(wt);
    let hub_end = hubs[e.airline as usize]
        .iter()
        .any(|&h| h == e.from || h == e.to);
    let code_word = geo::word(&airline.code);
    // Both directions of a pair share a seed so their numbers pair up (odd out, even back).
    let (lo, hi) = if e.from < e.to {
        (e.from, e.to)
    } else {
        (e.to, e.from)
    };
    let seed = geo::hash(&[code_word, u64::from(lo), u64::from(hi)]);

    let dist = e.dist_km;
    let mut freq: u32 = if dist > 9000 {
        1 + u32::from(smaller > 120 && geo::pick(seed, 3) == 0)
    } else if dist > 4500 {
        1 + u32::from(smaller > 80 && hub_end)
    } else {
        let base = 1 + smaller / 30;
        base + if hub_end { 2 } else { 0 }
    };
    freq = freq.min(if airline.low_cost { 3 } else { 7 });

    // Thin routes do not fly every day.
    let days = if smaller < 12 && freq == 1 && dist < 4500 {
        let skip = geo::pick(seed >> 7, 7) as u8;
        let skip2 = geo::pick(seed >> 13, 7) as u8;
        0x7f & !(1 << skip) & !(1 << skip2)
    } else {
        0x7f
    };

    // Block time from distance: taxi and climb, cruise at ~830 km/h; jet stream on long legs.
    let (fa, ta) = (
        &places.airports[e.from as usize],
        &places.airports[e.to as usize],
    );
    let eastbound = {
        let d = (ta.lon - fa.lon + 540.0) % 360.0 - 180.0;
        d > 0.0
    };
    let cruise = f64::from(dist) / 830.0 * 60.0;
    let wind = if dist > 2000 {
        if eastbound { 0.95 } else { 1.06 }
    } else {
        1.0
    };
    let block = ((35.0 + cruise * wind) / 5.0).round() as u16 * 5;

    let aircraft = pick_aircraft(airline.low_cost, dist, smaller, seed);

    let base_number = 2 + (geo::pick(seed, 480) as u16) * 2 + if dist > 4500 { 0 } else { 1000 };
    let outbound = e.from == lo;
    let mut departures = Vec::with_capacity(freq as usize);
    for i in 0..freq {
        let h = geo::hash(&[seed, u64::from(i), u64::from(outbound)]);
        let minute = if dist > 6000 {
            // Long haul leaves in waves: late morning, afternoon or evening.
            let banks = [600u32, 810, 1080, 1290];
            banks[geo::pick(h, 4) as usize] + geo::pick(h >> 9, 12) as u32 * 5
        } else {
            // Spread the day's frequencies between 06:00 and 21:30, with jitter.
            let span = 15 * 60 + 30;
            let slot = 360 + span * (2 * i + 1) / (2 * freq);
            (slot + geo::pick(h >> 5, 17) as u32 * 5).saturating_sub(40)
        };
        let minute = (minute / 5 * 5).min(23 * 60 + 55) as u16;
        let number = base_number + (i as u16) * 2 * 100 % 2000 + u16::from(!outbound);
        departures.push((minute, number % 9999 + 1));
    }
    departures.sort_unstable();
    Schedule {
        departures,
        days,
        block,
        aircraft,
    }
}

fn pick_aircraft(low_cost: bool, dist: u32, size: u32, seed: u64) -> &'static Aircraft {
    let code = if low_cost {
        match dist {
            0..=2500 => ["73H", "32N"][geo::pick(seed >> 3, 2) as usize],
            2501..=5000 => "321",
            _ => "789",
        }
    } else {
        match dist {
            0..=700 if size < 25 => "E90",
            0..=1800 => ["320", "73H"][geo::pick(seed >> 3, 2) as usize],
            1801..=4000 => ["321", "32N"][geo::pick(seed >> 3, 2) as usize],
            4001..=8000 => ["789", "359"][geo::pick(seed >> 3, 2) as usize],
            _ if size > 150 && geo::pick(seed >> 3, 4) == 0 => "388",
            _ => ["77W", "359", "789"][geo::pick(seed >> 3, 3) as usize],
        }
    };
    aircraft(code).expect("aircraft table covers every pick")
}

pub fn weekday_index(d: Date) -> u8 {
    match d.weekday() {
        Weekday::Monday => 0,
        Weekday::Tuesday => 1,
        Weekday::Wednesday => 2,
        Weekday::Thursday => 3,
        Weekday::Friday => 4,
        Weekday::Saturday => 5,
        Weekday::Sunday => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers() {
        assert_eq!(day_number(Date::constant(1970, 1, 1)), 0);
        assert_eq!(
            day_number(Date::constant(2027, 3, 14)) - day_number(Date::constant(2027, 2, 28)),
            14
        );
        assert_eq!(
            day_number(Date::constant(2000, 3, 1)) - day_number(Date::constant(2000, 2, 28)),
            2
        );
    }
}
