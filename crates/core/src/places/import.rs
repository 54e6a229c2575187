//! Importer for the OpenFlights data files (airports.dat, airlines.dat, routes.dat and,
//! optionally, countries.dat). Bad rows are counted and skipped; the import never aborts on
//! a row. Fixture data wins over imported data for the same code.

use crate::error::{Error, Result};
use crate::model::{Airline, Airport};
use crate::store::Store;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ImportReport {
    pub airports_read: usize,
    pub airports_imported: usize,
    pub airlines_read: usize,
    pub airlines_imported: usize,
    pub routes_read: usize,
    pub routes_imported: usize,
    /// Reason -> count of rows skipped for it.
    pub skipped: BTreeMap<String, usize>,
}

impl ImportReport {
    fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// Splits one line of OpenFlights CSV: fields may be double-quoted, `\N` is null.
pub fn split_line(line: &str) -> Vec<Option<String>> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            ',' if !quoted => {
                fields.push(finish(&mut cur, was_quoted));
                was_quoted = false;
            }
            _ => cur.push(c),
        }
    }
    fields.push(finish(&mut cur, was_quoted));
    fields
}

fn finish(cur: &mut String, was_quoted: bool) -> Option<String> {
    let v = std::mem::take(cur);
    if !was_quoted && (v == "\\N" || v.is_empty()) {
        None
    } else {
        Some(v)
    }
}

fn field(f: &[Option<String>], i: usize) -> Option<&str> {
    f.get(i)
        .and_then(|v| v.as_deref())
        .filter(|s| !s.is_empty() && *s != "\\N")
}

fn is_code(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Reads `dir` and writes what it can into the store, in one transaction.
pub fn import_openflights(store: &Store, dir: &Path) -> Result<ImportReport> {
    // Said as an absolute path: a relative one is read from where the user stands, which
    // is the usual surprise.
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let read = |name: &str| -> Result<String> {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| {
            Error::invalid(format!(
                "cannot read {}: {e}; the folder needs OpenFlights' airports.dat, airlines.dat \
                 and routes.dat (https://openflights.org/data.php)",
                path.display()
            ))
        })
    };
    let airports_text = read("airports.dat")?;
    let airlines_text = read("airlines.dat")?;
    let routes_text = read("routes.dat")?;
    let countries_text = read("countries.dat").unwrap_or_default();

    let mut report = ImportReport::default();
    let mut country_codes: HashMap<String, String> = HashMap::new();
    for line in countries_text.lines() {
        let f = split_line(line);
        if let (Some(name), Some(code)) = (field(&f, 0), field(&f, 1))
            && is_code(code, 2)
        {
            country_codes.insert(name.to_string(), code.to_string());
        }
    }

    let mut zones: HashMap<String, bool> = HashMap::new();
    let mut airports = Vec::new();
    for line in airports_text.lines().filter(|l| !l.trim().is_empty()) {
        report.airports_read += 1;
        let f = split_line(line);
        let Some(iata) = field(&f, 4).filter(|c| is_code(c, 3)) else {
            report.skip("airport without an IATA code");
            continue;
        };
        let (Some(lat), Some(lon)) = (
            field(&f, 6)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.abs() <= 90.0),
            field(&f, 7)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.abs() <= 180.0),
        ) else {
            report.skip("airport with bad coordinates");
            continue;
        };
        let Some(tz) = field(&f, 11) else {
            report.skip("airport without a time zone");
            continue;
        };
        let known_zone = *zones
            .entry(tz.to_string())
            .or_insert_with(|| TimeZone::get(tz).is_ok());
        if !known_zone {
            report.skip("airport with an unknown time zone");
            continue;
        }
        let country_name = field(&f, 3).unwrap_or("");
        let Some(country) = country_codes
            .get(country_name)
            .cloned()
            .or_else(|| super::countries::code(country_name).map(str::to_string))
        else {
            report.skip("airport in an unknown country");
            continue;
        };
        let name = field(&f, 1).unwrap_or(iata).to_string();
        airports.push(Airport {
            iata: iata.to_string(),
            icao: field(&f, 5).filter(|c| is_code(c, 4)).map(str::to_string),
            city: field(&f, 2)
                .map(str::to_string)
                .unwrap_or_else(|| name.clone()),
            name,
            city_code: None,
            country,
            lat,
            lon,
            tz: tz.to_string(),
        });
    }

    let mut airlines: Vec<Airline> = Vec::new();
    let mut airline_codes: HashSet<String> = HashSet::new();
    let mut inactive: Vec<Airline> = Vec::new();
    for line in airlines_text.lines().filter(|l| !l.trim().is_empty()) {
        report.airlines_read += 1;
        let f = split_line(line);
        let Some(code) = field(&f, 3).filter(|c| is_code(c, 2)) else {
            report.skip("airline without an IATA code");
            continue;
        };
        let airline = Airline {
            code: code.to_string(),
            icao: field(&f, 4).filter(|c| is_code(c, 3)).map(str::to_string),
            name: field(&f, 1).unwrap_or(code).to_string(),
            alliance: None,
            hubs: Vec::new(),
            country: field(&f, 6).and_then(|c| country_codes.get(c).cloned()),
            low_cost: false,
        };
        // IATA codes are reused: the active airline wins, then the first listed.
        if field(&f, 7) == Some("Y") {
            if airline_codes.insert(airline.code.clone()) {
                airlines.push(airline);
            } else {
                report.skip("airline code already taken");
            }
        } else {
            inactive.push(airline);
        }
    }
    for airline in inactive {
        if airline_codes.insert(airline.code.clone()) {
            airlines.push(airline);
        } else {
            report.skip("airline code already taken");
        }
    }

    store.write(|u| {
        let catalogue = u.catalogue();
        report.airports_imported = catalogue.insert_airports(&airports, "openflights", false)?;
        report.airlines_imported = catalogue.insert_airlines(&airlines, "openflights", false)?;

        let known_airports = catalogue.airport_codes()?;
        let known_airlines = catalogue.airline_codes()?;
        let mut routes = Vec::new();
        for line in routes_text.lines().filter(|l| !l.trim().is_empty()) {
            report.routes_read += 1;
            let f = split_line(line);
            let (Some(airline), Some(from), Some(to)) = (field(&f, 0), field(&f, 2), field(&f, 4))
            else {
                report.skip("route with missing fields");
                continue;
            };
            if field(&f, 7).is_some_and(|s| s != "0") {
                report.skip("route with intermediate stops");
                continue;
            }
            if !known_airlines.contains(airline) {
                report.skip("route of an unknown airline");
                continue;
            }
            if !known_airports.contains(from) || !known_airports.contains(to) || from == to {
                report.skip("route between unknown airports");
                continue;
            }
            routes.push((airline.to_string(), from.to_string(), to.to_string()));
        }
        report.routes_imported = catalogue.insert_routes(&routes, "openflights", false)?;
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields_and_nulls() {
        let f = split_line(
            r#"1,"Goroka Airport","Goroka","Papua New Guinea","GKA","AYGA",-6.08,145.39,5282,10,"U","Pacific/Port_Moresby","airport","OurAirports""#,
        );
        assert_eq!(f[1].as_deref(), Some("Goroka Airport"));
        assert_eq!(f[11].as_deref(), Some("Pacific/Port_Moresby"));
        let g = split_line(r#"2,"A ""quoted"" name",\N,"""#);
        assert_eq!(g[1].as_deref(), Some(r#"A "quoted" name"#));
        assert_eq!(g[2], None);
    }
}
