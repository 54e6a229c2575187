//! The route table: every route as three indexes into the catalogue's airports and airlines
//! as it lists them (by code), and the compact form the store keeps of it.
//!
//! A command line opens the market on every run. Reading 24,000 route rows as three strings
//! each and looking every code up was most of a flight search's start; the compact form is
//! one value of a few hundred kilobytes, read in one go and checked against the listing it
//! was made from. The store drops it in the transaction that changes an airport, an airline
//! or a route (a trigger), and the next open makes it again from the rows.

use crate::model::{Airline, Airport};
use std::collections::HashMap;

/// One route: indexes into the airports and the airlines as the catalogue lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    pub airline: u32,
    pub from: u32,
    pub to: u32,
}

/// Every route of the catalogue, by index: kept as the compact form's bytes (two bytes an
/// index while the listing has at most 65,536 entries of each kind, else four) and read
/// from them, so opening a market copies the routes once.
#[derive(Debug, Clone)]
pub struct RouteTable {
    bytes: Vec<u8>,
    /// Where the legs start in `bytes`.
    start: usize,
    /// Bytes per index: 2 or 4.
    width: usize,
}

/// Two tables are equal when they hold the same legs, however they were read.
impl PartialEq for RouteTable {
    fn eq(&self, other: &RouteTable) -> bool {
        self.width == other.width && self.bytes[self.start..] == other.bytes[other.start..]
    }
}

impl Eq for RouteTable {}

/// The first bytes of the compact form; a new layout takes a new number, and a form of
/// another layout is made again from the rows.
const MAGIC: &[u8] = b"booksygo routes 2\n";

impl RouteTable {
    /// The table of `legs` over a listing of `airports` airports and `airlines` airlines.
    pub fn from_legs(
        legs: impl IntoIterator<Item = Leg>,
        airports: usize,
        airlines: usize,
    ) -> RouteTable {
        let width = if airports.max(airlines) <= 1 << 16 {
            2
        } else {
            4
        };
        let mut bytes = Vec::new();
        for l in legs {
            for v in [l.airline, l.from, l.to] {
                bytes.extend_from_slice(&v.to_le_bytes()[..width]);
            }
        }
        RouteTable {
            bytes,
            start: 0,
            width,
        }
    }

    /// The table of route rows (airline, origin, destination) by code; a row naming an
    /// airport or an airline the listing does not hold is left out.
    pub fn from_codes(
        airports: &[Airport],
        airlines: &[Airline],
        routes: &[(String, String, String)],
    ) -> RouteTable {
        let airport: HashMap<&str, u32> = airports
            .iter()
            .enumerate()
            .map(|(i, a)| (a.iata.as_str(), i as u32))
            .collect();
        let airline: HashMap<&str, u32> = airlines
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.as_str(), i as u32))
            .collect();
        let legs = routes.iter().filter_map(|(al, from, to)| {
            Some(Leg {
                airline: *airline.get(al.as_str())?,
                from: *airport.get(from.as_str())?,
                to: *airport.get(to.as_str())?,
            })
        });
        RouteTable::from_legs(legs, airports.len(), airlines.len())
    }

    /// How many routes.
    pub fn len(&self) -> usize {
        (self.bytes.len() - self.start) / (3 * self.width)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every route, in the order the table was made.
    pub fn legs(&self) -> impl Iterator<Item = Leg> + '_ {
        let w = self.width;
        self.bytes[self.start..].chunks_exact(3 * w).map(move |c| {
            let v = |i: usize| match w {
                2 => u32::from(u16::from_le_bytes([c[2 * i], c[2 * i + 1]])),
                _ => u32::from_le_bytes([c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]]),
            };
            Leg {
                airline: v(0),
                from: v(1),
                to: v(2),
            }
        })
    }

    /// The compact form: the listing's codes (so a form made from another listing is told
    /// apart), the width of an index, then the legs.
    pub fn encode(&self, airports: &[Airport], airlines: &[Airline]) -> Vec<u8> {
        let codes: usize = airports.iter().map(|a| 1 + a.iata.len()).sum::<usize>()
            + airlines.iter().map(|a| 1 + a.code.len()).sum::<usize>();
        let legs = &self.bytes[self.start..];
        // The magic, three counts, the width, the codes, the legs.
        let mut out = Vec::with_capacity(MAGIC.len() + 3 * 4 + 1 + codes + legs.len());
        out.extend_from_slice(MAGIC);
        for n in [airports.len(), airlines.len(), self.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        out.push(self.width as u8);
        let code = |out: &mut Vec<u8>, c: &str| {
            // Codes are a few letters; a longer one (never written by the importers) is cut,
            // which makes the form fail its check and the rows be read instead.
            let c = &c.as_bytes()[..c.len().min(255)];
            out.push(c.len() as u8);
            out.extend_from_slice(c);
        };
        airports.iter().for_each(|a| code(&mut out, &a.iata));
        airlines.iter().for_each(|a| code(&mut out, &a.code));
        out.extend_from_slice(legs);
        out
    }

    /// The table in `bytes`, when they are a compact form made from this very listing
    /// (same codes in the same order) and whole; `None` otherwise.
    pub fn decode(
        bytes: Vec<u8>,
        airports: &[Airport],
        airlines: &[Airline],
    ) -> Option<RouteTable> {
        let mut r = Reader(bytes.strip_prefix(MAGIC)?);
        let (n_airports, n_airlines, n_legs) = (r.count()?, r.count()?, r.count()?);
        let width = usize::from(*r.take(1)?.first()?);
        if n_airports != airports.len() || n_airlines != airlines.len() || ![2, 4].contains(&width)
        {
            return None;
        }
        for a in airports {
            r.code(&a.iata)?;
        }
        for a in airlines {
            r.code(&a.code)?;
        }
        if r.0.len() != n_legs.checked_mul(3 * width)? {
            return None;
        }
        let table = RouteTable {
            start: bytes.len() - r.0.len(),
            bytes,
            width,
        };
        let fits = |i: u32, n: usize| (i as usize) < n;
        let whole = table.legs().all(|l| {
            fits(l.airline, n_airlines) && fits(l.from, n_airports) && fits(l.to, n_airports)
        });
        whole.then_some(table)
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn count(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// Reads one code and checks that it is `expected`.
    fn code(&mut self, expected: &str) -> Option<()> {
        let n = usize::from(*self.take(1)?.first()?);
        (self.take(n)? == expected.as_bytes()).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn airport(iata: &str) -> Airport {
        Airport {
            iata: iata.into(),
            icao: None,
            name: format!("{iata} Airport"),
            city: iata.into(),
            city_code: None,
            country: "GB".into(),
            lat: 51.0,
            lon: 0.0,
            tz: "Europe/London".into(),
        }
    }

    fn airline(code: &str) -> Airline {
        Airline {
            code: code.into(),
            icao: None,
            name: code.into(),
            alliance: None,
            hubs: vec![],
            country: None,
            low_cost: false,
        }
    }

    fn listing() -> (Vec<Airport>, Vec<Airline>) {
        (
            ["EDI", "JFK", "LHR"].map(airport).to_vec(),
            ["BA", "VS"].map(airline).to_vec(),
        )
    }

    fn row(a: &str, f: &str, t: &str) -> (String, String, String) {
        (a.into(), f.into(), t.into())
    }

    fn leg(airline: u32, from: u32, to: u32) -> Leg {
        Leg { airline, from, to }
    }

    #[test]
    fn rows_become_indexes_and_unknown_codes_are_left_out() {
        let (airports, airlines) = listing();
        let table = RouteTable::from_codes(
            &airports,
            &airlines,
            &[
                row("BA", "LHR", "JFK"),
                row("VS", "JFK", "EDI"),
                row("XX", "LHR", "EDI"),
                row("BA", "LHR", "CDG"),
            ],
        );
        assert_eq!(
            table.legs().collect::<Vec<_>>(),
            [leg(0, 2, 1), leg(1, 1, 0)]
        );
    }

    #[test]
    fn the_compact_form_reads_back_for_its_own_listing_only() {
        let (airports, airlines) = listing();
        let table = RouteTable::from_codes(
            &airports,
            &airlines,
            &[row("BA", "LHR", "JFK"), row("VS", "JFK", "EDI")],
        );
        let bytes = table.encode(&airports, &airlines);
        let back = RouteTable::decode(bytes.clone(), &airports, &airlines).unwrap();
        assert_eq!(
            back.legs().collect::<Vec<_>>(),
            table.legs().collect::<Vec<_>>()
        );
        assert_eq!(back.len(), 2);

        // Another listing of the same size (an airport renamed): not this table.
        let mut moved = airports.clone();
        moved[0].iata = "GLA".into();
        assert_eq!(RouteTable::decode(bytes.clone(), &moved, &airlines), None);
        // One airline more: not this table.
        let mut more = airlines.clone();
        more.push(airline("AA"));
        assert_eq!(RouteTable::decode(bytes.clone(), &airports, &more), None);
        // Cut short, or another layout: made again from the rows.
        let short = bytes[..bytes.len() - 1].to_vec();
        assert_eq!(RouteTable::decode(short, &airports, &airlines), None);
        let mut other = bytes.clone();
        other[MAGIC.len() - 2] = b'9';
        assert_eq!(RouteTable::decode(other, &airports, &airlines), None);
    }

    #[test]
    fn a_leg_out_of_the_listing_is_refused() {
        let (airports, airlines) = listing();
        let table = RouteTable::from_legs([leg(0, 3, 1)], airports.len(), airlines.len());
        let bytes = table.encode(&airports, &airlines);
        assert_eq!(RouteTable::decode(bytes, &airports, &airlines), None);
    }

    #[test]
    fn indexes_take_four_bytes_past_65536_entries() {
        let leg = leg(70_000, 65_536, 3);
        let narrow = RouteTable::from_legs([leg], 10, 10);
        assert_eq!(narrow.legs().next().unwrap().to, 3);
        let wide = RouteTable::from_legs([leg], 70_001, 70_001);
        assert_eq!(wide.legs().collect::<Vec<_>>(), [leg]);
        assert_eq!(wide.len(), 1);
    }
}
