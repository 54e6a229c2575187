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

/// Every route of the catalogue, by index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTable {
    pub legs: Vec<Leg>,
}

/// The first bytes of the compact form; a new layout takes a new number, and a form of
/// another layout is made again from the rows.
const MAGIC: &[u8] = b"booksygo routes 1\n";

impl RouteTable {
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
        let legs = routes
            .iter()
            .filter_map(|(al, from, to)| {
                Some(Leg {
                    airline: *airline.get(al.as_str())?,
                    from: *airport.get(from.as_str())?,
                    to: *airport.get(to.as_str())?,
                })
            })
            .collect();
        RouteTable { legs }
    }

    /// The compact form: the listing's codes (so a form made from another listing is told
    /// apart), then each leg as three little-endian `u32`s.
    pub fn encode(&self, airports: &[Airport], airlines: &[Airline]) -> Vec<u8> {
        let codes: usize = airports.iter().map(|a| 1 + a.iata.len()).sum::<usize>()
            + airlines.iter().map(|a| 1 + a.code.len()).sum::<usize>();
        let mut out = Vec::with_capacity(MAGIC.len() + 12 + codes + 12 * self.legs.len());
        out.extend_from_slice(MAGIC);
        for n in [airports.len(), airlines.len(), self.legs.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        let code = |out: &mut Vec<u8>, c: &str| {
            // Codes are a few letters; a longer one (never written by the importers) is cut,
            // which makes the form fail its check and the rows be read instead.
            let c = &c.as_bytes()[..c.len().min(255)];
            out.push(c.len() as u8);
            out.extend_from_slice(c);
        };
        airports.iter().for_each(|a| code(&mut out, &a.iata));
        airlines.iter().for_each(|a| code(&mut out, &a.code));
        for l in &self.legs {
            for v in [l.airline, l.from, l.to] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// The table in `bytes`, when they are a compact form made from this very listing
    /// (same codes in the same order) and whole; `None` otherwise.
    pub fn decode(bytes: &[u8], airports: &[Airport], airlines: &[Airline]) -> Option<RouteTable> {
        let mut r = Reader(bytes.strip_prefix(MAGIC)?);
        let (n_airports, n_airlines, n_legs) = (r.count()?, r.count()?, r.count()?);
        if n_airports != airports.len() || n_airlines != airlines.len() {
            return None;
        }
        for a in airports {
            r.code(&a.iata)?;
        }
        for a in airlines {
            r.code(&a.code)?;
        }
        let body = r.0;
        if body.len() != n_legs.checked_mul(12)? {
            return None;
        }
        let legs: Vec<Leg> = body
            .chunks_exact(12)
            .map(|c| {
                let v = |i: usize| u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
                Leg {
                    airline: v(0),
                    from: v(4),
                    to: v(8),
                }
            })
            .collect();
        let fits = |i: u32, n: usize| (i as usize) < n;
        legs.iter()
            .all(|l| {
                fits(l.airline, n_airlines) && fits(l.from, n_airports) && fits(l.to, n_airports)
            })
            .then_some(RouteTable { legs })
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
            table.legs,
            [
                Leg {
                    airline: 0,
                    from: 2,
                    to: 1
                },
                Leg {
                    airline: 1,
                    from: 1,
                    to: 0
                }
            ]
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
        assert_eq!(
            RouteTable::decode(&bytes, &airports, &airlines),
            Some(table)
        );

        // Another listing of the same size (an airport renamed): not this table.
        let mut moved = airports.clone();
        moved[0].iata = "GLA".into();
        assert_eq!(RouteTable::decode(&bytes, &moved, &airlines), None);
        // One airline more: not this table.
        let mut more = airlines.clone();
        more.push(airline("AA"));
        assert_eq!(RouteTable::decode(&bytes, &airports, &more), None);
        // Cut short, or another layout: made again from the rows.
        assert_eq!(
            RouteTable::decode(&bytes[..bytes.len() - 1], &airports, &airlines),
            None
        );
        let mut other = bytes.clone();
        other[MAGIC.len() - 2] = b'2';
        assert_eq!(RouteTable::decode(&other, &airports, &airlines), None);
    }

    #[test]
    fn a_leg_out_of_the_listing_is_refused() {
        let (airports, airlines) = listing();
        let table = RouteTable {
            legs: vec![Leg {
                airline: 0,
                from: 3,
                to: 1,
            }],
        };
        let bytes = table.encode(&airports, &airlines);
        assert_eq!(RouteTable::decode(&bytes, &airports, &airlines), None);
    }
}
