//! Itineraries for one slice: direct, one-stop and two-stop, each connection within the
//! minimum connection time and the longest layover, on interlining airlines, not too roundabout.

use super::{
    Flight, KEEP_PER_SLICE, MAX_LAYOVER, MCT_DOMESTIC, MCT_INTERNATIONAL, Search, SliceOption,
    TWO_STOP_THRESHOLD,
};
use crate::providers::SliceRequest;
use crate::providers::sandbox::network::{Edge, Schedule, operates_on};
use jiff::Timestamp;
use jiff::civil::Date;

impl<'n> Search<'n> {
    /// Flights an edge operates on a local date.
    pub(super) fn flights(
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

    pub(super) fn connects(&self, a: &Flight, b: &Flight) -> bool {
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
}
