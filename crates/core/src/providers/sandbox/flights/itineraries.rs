//! Itineraries for one slice: direct, one-stop and two-stop, each connection within its
//! minimum connection time and longest layover, not too roundabout.
//!
//! Searched in tiers, from the most protected ticketing to the least; a tier runs only while
//! the tiers before it found fewer than [`TWO_STOP_THRESHOLD`] itineraries:
//!
//! 1. non-stops and one-stops on one airline or one alliance (`single`);
//! 2. one-stops between airlines that interline ([`Network::interlines`]);
//! 3. two-stops, single or interline;
//! 4. self-transfers (separate tickets): one-stops, then two-stops, with
//!    [`SELF_TRANSFER_MCT`] at one airport or [`SELF_TRANSFER_AIRPORT_CHANGE_MCT`] when the
//!    connection changes airports within a city;
//! 5. when all of that found nothing at all: the same tiers again without the circuity bound
//!    (a roundabout itinerary beats none).
//!
//! [`Network::interlines`]: crate::providers::sandbox::network::Network::interlines

use super::{
    Flight, KEEP_PER_SLICE, MAX_LAYOVER, MCT_DOMESTIC, MCT_INTERNATIONAL,
    SELF_TRANSFER_AIRPORT_CHANGE_MCT, SELF_TRANSFER_MAX_LAYOVER, SELF_TRANSFER_MCT, Search,
    SliceOption, TWO_STOP_THRESHOLD,
};
use crate::model::Ticketing;
use crate::providers::SliceRequest;
use crate::providers::sandbox::network::{Edge, Network, Schedule, operates_on};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The last minute of a day a timetable departs at (departures are on five-minute marks, at
/// most 23:55).
const LAST_MINUTE: u16 = 23 * 60 + 55;

/// One local day at an airport: the instants of its departures.
struct LocalDay<'n> {
    tz: &'n TimeZone,
    date: Date,
    /// Its local midnight, when the day keeps one UTC offset throughout.
    midnight: Option<i64>,
}

impl LocalDay<'_> {
    /// The instant (seconds) of `minute` past local midnight.
    fn at(&self, minute: u16) -> Option<i64> {
        match self.midnight {
            Some(midnight) if minute <= LAST_MINUTE => Some(midnight + i64::from(minute) * 60),
            _ => self.read(minute),
        }
    }

    /// The same, read from the zone's rules (a local time in a gap or fold is read as
    /// jiff's `compatible` reads it).
    fn read(&self, minute: u16) -> Option<i64> {
        let dt = self.date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        let t = self.tz.to_ambiguous_timestamp(dt).compatible().ok()?;
        Some(t.as_second())
    }
}

/// The ends of one slice and its circuity bound.
struct Ends<'a> {
    date: Date,
    origins: &'a [usize],
    dests: &'a [usize],
    is_origin: Vec<bool>,
    is_dest: Vec<bool>,
    /// Shortest origin-destination distance (km).
    direct: f64,
    /// Whether roundabout itineraries are refused (see [`Ends::within`]).
    bounded: bool,
}

impl Ends<'_> {
    fn to_dest(&self, net: &Network, h: usize) -> f64 {
        self.dests
            .iter()
            .map(|&d| net.distance(h, d))
            .fold(f64::INFINITY, f64::min)
    }

    /// Whether `flown` km over `legs` legs is not too roundabout.
    fn within(&self, flown: f64, legs: usize) -> bool {
        !self.bounded
            || flown
                <= self.direct * if legs == 2 { 1.5 } else { 1.6 }
                    + if legs == 2 { 500.0 } else { 800.0 }
    }
}

impl<'n> Search<'n> {
    /// Flights an edge operates on a local date.
    pub(super) fn flights(
        &self,
        edge: &Edge,
        schedule: &'n Schedule,
        date: Date,
    ) -> impl Iterator<Item = Flight<'n>> + '_ {
        let edge = *edge;
        // The day is looked up once for all of the edge's departures that day.
        let day = operates_on(schedule, date).then(|| self.local_day(edge.from, date));
        schedule
            .departures
            .iter()
            .filter_map(move |&(minute, number)| {
                let dep = day.as_ref()?.at(minute)?;
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

    /// A local day at an airport, to read its departures' instants from.
    ///
    /// A search asks for the same airport and day many times over (every route out of a
    /// hub, every onward day), and a zone's rules are slow to read for future years. A day
    /// without a change of UTC offset is read once: its local midnight, then minutes on from
    /// it. A day with a change is read minute by minute.
    fn local_day(&self, airport: u32, date: Date) -> LocalDay<'n> {
        let tz = self.net.places.tz(airport as usize);
        let day = LocalDay {
            tz,
            date,
            midnight: None,
        };
        let midnight = *self
            .days
            .borrow_mut()
            .entry((airport, date))
            .or_insert_with(|| {
                // Constant through the day: midnight and the last minute a flight can leave
                // are a whole day of minutes apart, and no transition falls between them.
                let (start, end) = (day.read(0)?, day.read(LAST_MINUTE)?);
                let steady = end - start == i64::from(LAST_MINUTE) * 60
                    && tz
                        .following(Timestamp::from_second(start).ok()?)
                        .next()
                        .is_none_or(|t| t.timestamp().as_second() > end);
                steady.then_some(start)
            });
        LocalDay { midnight, ..day }
    }

    /// The local date at `airport` when the search runs (fares count days ahead from it),
    /// read once per airport.
    pub(super) fn today_at(&self, airport: u32) -> Date {
        *self.today.borrow_mut().entry(airport).or_insert_with(|| {
            self.net
                .places
                .tz(airport as usize)
                .to_datetime(self.now)
                .date()
        })
    }

    /// How `b` may follow `a` within a slice: the most protected ticketing the two flights
    /// allow, or `None` when they do not connect.
    ///
    /// - One ticket (`single` or `interline`): the same airport, at least [`MCT_DOMESTIC`]
    ///   (within one country) or [`MCT_INTERNATIONAL`], at most [`MAX_LAYOVER`].
    /// - Self-transfer: at least [`SELF_TRANSFER_MCT`] at one airport, or
    ///   [`SELF_TRANSFER_AIRPORT_CHANGE_MCT`] when changing airports within a city, and at
    ///   most [`SELF_TRANSFER_MAX_LAYOVER`]; any airlines, low-cost included.
    pub fn link(&self, a: &Flight, b: &Flight) -> Option<Ticketing> {
        let net = self.net;
        let gap = (b.dep - a.arr) / 60;
        let (at, leave) = (a.edge.to, b.edge.from);
        if at == leave {
            let places = &net.places;
            let domestic = places.airports[a.edge.from as usize].country
                == places.airports[b.edge.to as usize].country;
            let mct = if domestic {
                MCT_DOMESTIC
            } else {
                MCT_INTERNATIONAL
            };
            if (mct..=MAX_LAYOVER).contains(&gap) {
                if net.can_connect(a.edge.airline, b.edge.airline) {
                    return Some(Ticketing::Single);
                }
                if net.interlines(a.edge.airline, b.edge.airline, at) {
                    return Some(Ticketing::Interline);
                }
            }
            (SELF_TRANSFER_MCT..=SELF_TRANSFER_MAX_LAYOVER)
                .contains(&gap)
                .then_some(Ticketing::SelfTransfer)
        } else if net.city_airports(at as usize).contains(&(leave as usize)) {
            (SELF_TRANSFER_AIRPORT_CHANGE_MCT..=SELF_TRANSFER_MAX_LAYOVER)
                .contains(&gap)
                .then_some(Ticketing::SelfTransfer)
        } else {
            None
        }
    }

    /// Whether two airlines can be joined at `at` by a connection ticketed at most `max`
    /// (before looking at any timetable).
    fn may_join(&self, a: u32, b: u32, at: u32, max: Ticketing) -> bool {
        match max {
            Ticketing::Single => self.net.can_connect(a, b),
            Ticketing::Interline => self.net.can_connect(a, b) || self.net.interlines(a, b, at),
            Ticketing::SelfTransfer => true,
        }
    }

    /// Flights of `edge` that leave within a layover of `prev`'s arrival, joined by a
    /// connection ticketed at most `max`.
    fn onward(
        &self,
        prev: &Flight<'n>,
        edge: &Edge,
        schedule: &'n Schedule,
        max: Ticketing,
    ) -> Vec<Flight<'n>> {
        let tz = self.net.places.tz(edge.from as usize);
        let arrival_date = Timestamp::from_second(prev.arr)
            .map(|t| tz.to_datetime(t).date())
            .unwrap_or(prev.date);
        let mut out = Vec::new();
        // A self-transfer may wait a day and more: its onward flight can leave two days on.
        let days = if max == Ticketing::SelfTransfer { 3 } else { 2 };
        let mut date = arrival_date;
        for _ in 0..days {
            out.extend(
                self.flights(edge, schedule, date)
                    .filter(|f| self.link(prev, f).is_some_and(|l| l <= max)),
            );
            date = date.tomorrow().unwrap_or(date);
        }
        out
    }

    /// The ticketing of each connection of an itinerary; `None` when one does not connect.
    pub(super) fn links(&self, legs: &[Flight]) -> Option<Vec<Ticketing>> {
        legs.windows(2).map(|w| self.link(&w[0], &w[1])).collect()
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
        let mut ends = Ends {
            date: req.date,
            origins,
            dests,
            is_origin: vec![false; n],
            is_dest: vec![false; n],
            direct: origins
                .iter()
                .flat_map(|&o| dests.iter().map(move |&d| (o, d)))
                .map(|(o, d)| net.distance(o, d))
                .fold(f64::INFINITY, f64::min),
            bounded: true,
        };
        dests.iter().for_each(|&d| ends.is_dest[d] = true);
        origins.iter().for_each(|&o| ends.is_origin[o] = true);

        let mut raw: Vec<Vec<Flight<'n>>> = Vec::new();
        self.tiers(&ends, &mut raw);
        if raw.is_empty() && self.max_stops >= 1 {
            ends.bounded = false;
            self.tiers(&ends, &mut raw);
        }

        let mut options: Vec<SliceOption<'n>> = raw
            .into_iter()
            .filter_map(|legs| {
                let links = self.links(&legs)?;
                self.price(legs, links)
            })
            .collect();
        if options.len() > KEEP_PER_SLICE {
            super::by_rank(&mut options);
            options.truncate(KEEP_PER_SLICE);
        }
        options
    }

    /// The tiers, most protected first, each while fewer than [`TWO_STOP_THRESHOLD`]
    /// itineraries were found.
    fn tiers(&self, ends: &Ends, raw: &mut Vec<Vec<Flight<'n>>>) {
        self.one_stops(ends, Ticketing::Single, raw);
        let few = |raw: &Vec<Vec<Flight>>| raw.len() < TWO_STOP_THRESHOLD;
        if self.max_stops >= 1 && few(raw) {
            self.one_stops(ends, Ticketing::Interline, raw);
        }
        if self.max_stops >= 2 && few(raw) {
            self.two_stops(ends, Ticketing::Interline, raw);
        }
        if self.max_stops >= 1 && few(raw) {
            self.one_stops(ends, Ticketing::SelfTransfer, raw);
        }
        if self.max_stops >= 2 && few(raw) {
            self.two_stops(ends, Ticketing::SelfTransfer, raw);
        }
    }

    /// One-stop itineraries whose connection is ticketed exactly `kind` (with `single`, the
    /// non-stops too).
    fn one_stops(&self, ends: &Ends, kind: Ticketing, raw: &mut Vec<Vec<Flight<'n>>>) {
        let net = self.net;
        for &o in ends.origins {
            for r1 in &net.out[o] {
                let h1 = r1.to as usize;
                if ends.is_dest[h1] {
                    if kind == Ticketing::Single {
                        let (e1, s1) = net.edge(o, r1);
                        raw.extend(self.flights(e1, s1, ends.date).map(|f| vec![f]));
                    }
                    continue;
                }
                if self.max_stops < 1 || ends.is_origin[h1] {
                    continue;
                }
                let (e1, s1) = net.edge(o, r1);
                if !ends.within(f64::from(e1.dist_km) + ends.to_dest(net, h1), 2) {
                    continue;
                }
                for &h in self.departures_at(h1, kind) {
                    if h != h1 && (ends.is_origin[h] || ends.is_dest[h]) {
                        continue;
                    }
                    for r2 in &net.out[h] {
                        if !ends.is_dest[r2.to as usize]
                            || !self.may_join(e1.airline, r2.airline, h1 as u32, kind)
                        {
                            continue;
                        }
                        let (e2, s2) = net.edge(h, r2);
                        for f1 in self.flights(e1, s1, ends.date) {
                            for f2 in self.onward(&f1, e2, s2, kind) {
                                // The most protected tier already found the others.
                                if kind == Ticketing::Single || self.link(&f1, &f2) == Some(kind) {
                                    raw.push(vec![f1, f2]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Airports a connection at `arrival` may leave from for a connection ticketed `max`.
    fn departures_at(&self, arrival: usize, max: Ticketing) -> &'n [usize] {
        if max == Ticketing::SelfTransfer {
            self.net.city_airports(arrival)
        } else {
            self.net.same_airport(arrival)
        }
    }

    /// Two-stop itineraries with every connection ticketed at most `max`; for a
    /// self-transfer tier, only those with at least one self-transfer (the others were found
    /// by the one-ticket tier).
    fn two_stops(&self, ends: &Ends, max: Ticketing, raw: &mut Vec<Vec<Flight<'n>>>) {
        let net = self.net;
        // Airports with a flight into a destination: the only useful second hubs (with a
        // self-transfer, any airport of their cities).
        let mut feeds = vec![false; net.places.airports.len()];
        for (d, inbound) in net.inbound().iter().enumerate() {
            if ends.is_dest[d] {
                for &from in inbound {
                    for &h in self.departures_at(from as usize, max) {
                        feeds[h] = true;
                    }
                }
            }
        }
        let keep = |legs: &[Flight]| {
            max != Ticketing::SelfTransfer
                || self
                    .links(legs)
                    .is_some_and(|l| l.contains(&Ticketing::SelfTransfer))
        };
        for &o in ends.origins {
            for r1 in &net.out[o] {
                let h1 = r1.to as usize;
                if ends.is_dest[h1] || ends.is_origin[h1] {
                    continue;
                }
                let (e1, s1) = net.edge(o, r1);
                for &k1 in self.departures_at(h1, max) {
                    if k1 != h1 && (ends.is_origin[k1] || ends.is_dest[k1]) {
                        continue;
                    }
                    for r2 in &net.out[k1] {
                        let h2 = r2.to as usize;
                        if !feeds[h2]
                            || ends.is_origin[h2]
                            || ends.is_dest[h2]
                            || !self.may_join(e1.airline, r2.airline, h1 as u32, max)
                        {
                            continue;
                        }
                        let (e2, s2) = net.edge(k1, r2);
                        if !ends.within(
                            f64::from(e1.dist_km + e2.dist_km) + ends.to_dest(net, h2),
                            3,
                        ) {
                            continue;
                        }
                        for &k2 in self.departures_at(h2, max) {
                            if k2 != h2 && (ends.is_origin[k2] || ends.is_dest[k2]) {
                                continue;
                            }
                            for r3 in &net.out[k2] {
                                if !ends.is_dest[r3.to as usize]
                                    || !self.may_join(e2.airline, r3.airline, h2 as u32, max)
                                {
                                    continue;
                                }
                                let (e3, s3) = net.edge(k2, r3);
                                for f1 in self.flights(e1, s1, ends.date) {
                                    for f2 in self.onward(&f1, e2, s2, max) {
                                        for f3 in self.onward(&f2, e3, s3, max) {
                                            let legs = vec![f1, f2, f3];
                                            if keep(&legs) {
                                                raw.push(legs);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Airport, Cabin};
    use crate::places::Places;
    use crate::places::routes::RouteTable;

    /// A departure's instant, read a day at a time, is the instant jiff gives for that local
    /// time itself: on every day of a year, in zones that change offset at 01:00 UTC, at 02:00
    /// local, at local midnight (Santiago, Havana, Beirut), in the southern hemisphere, and
    /// in zones that never change.
    #[test]
    fn a_departure_is_the_local_time_read_in_its_zone_on_every_day() {
        let zones = [
            "Europe/London",
            "America/New_York",
            "Australia/Sydney",
            "America/Santiago",
            "America/Havana",
            "Asia/Beirut",
            "Asia/Kolkata",
            "UTC",
        ];
        let airports: Vec<Airport> = zones
            .iter()
            .enumerate()
            .map(|(i, tz)| Airport {
                iata: format!("Z{}{}", (b'A' + i as u8) as char, (b'A' + i as u8) as char),
                icao: None,
                name: tz.to_string(),
                city: tz.to_string(),
                city_code: None,
                country: "ZZ".into(),
                lat: 0.0,
                lon: 0.0,
                tz: tz.to_string(),
            })
            .collect();
        let routes = RouteTable::from_legs(vec![], airports.len(), 0);
        let net = Network::new(Places::new(airports, vec![], &routes), &routes);
        let sold = Default::default();
        let search = Search::new(&net, Cabin::Economy, 1, 0, Timestamp::UNIX_EPOCH, &sold);
        for (airport, zone) in zones.iter().enumerate() {
            let tz = net.places.tz(airport);
            let mut date = Date::constant(2027, 1, 1);
            while date.year() == 2027 {
                for minute in (0..=23 * 60 + 59).step_by(15).chain([LAST_MINUTE]) {
                    let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
                    let want = tz
                        .to_ambiguous_timestamp(dt)
                        .compatible()
                        .unwrap()
                        .as_second();
                    assert_eq!(
                        search.local_day(airport as u32, date).at(minute),
                        Some(want),
                        "{zone} {dt}"
                    );
                }
                date = date.tomorrow().unwrap();
            }
        }
    }
}
