//! The authored market data is complete and consistent, and its facts agree with the public
//! datasets in `../shared/data` (OurAirports, OpenFlights) when that folder is present.

use booksygo_core::fixtures;
use booksygo_core::places::import::split_line;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("BOOKSYGO_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.join("ourairports/airports.csv").exists().then_some(dir)
}

fn continent_of(tz: &str, country: &str) -> &'static str {
    const SOUTH_AMERICA: &[&str] = &[
        "AR", "BO", "BR", "CL", "CO", "EC", "GY", "PE", "PY", "SR", "UY", "VE",
    ];
    match tz.split('/').next().unwrap_or("") {
        "Europe" => "Europe",
        "Asia" => "Asia",
        "Africa" => "Africa",
        "Australia" | "Pacific" => "Oceania",
        "America" if SOUTH_AMERICA.contains(&country) => "South America",
        "America" => "North America",
        "Atlantic" if country == "ES" || country == "PT" => "Europe",
        "Atlantic" => "Africa",
        "Indian" => "Asia",
        _ => "other",
    }
}

#[test]
fn the_market_is_big_enough_and_consistent() {
    let airports = fixtures::airports().unwrap();
    assert!(airports.len() >= 300, "{} airports", airports.len());
    let codes: HashSet<&str> = airports.iter().map(|a| a.iata.as_str()).collect();
    assert_eq!(codes.len(), airports.len(), "airport codes are unique");
    let mut continents: HashMap<&str, usize> = HashMap::new();
    for a in &airports {
        assert!(
            jiff::tz::TimeZone::get(&a.tz).is_ok(),
            "{} has unknown zone {}",
            a.iata,
            a.tz
        );
        assert!(a.lat.abs() <= 90.0 && a.lon.abs() <= 180.0);
        assert_eq!(a.country.len(), 2);
        *continents
            .entry(continent_of(&a.tz, &a.country))
            .or_default() += 1;
    }
    for c in [
        "Europe",
        "Asia",
        "Africa",
        "North America",
        "South America",
        "Oceania",
    ] {
        assert!(
            continents.get(c).copied().unwrap_or(0) >= 10,
            "{c}: {continents:?}"
        );
    }
    for metro in ["LON", "NYC", "PAR", "TYO"] {
        assert!(
            airports
                .iter()
                .filter(|a| a.city_code.as_deref() == Some(metro))
                .count()
                >= 2,
            "{metro}"
        );
    }

    let airlines = fixtures::airlines().unwrap();
    assert!(airlines.len() >= 60);
    for al in &airlines {
        for hub in &al.hubs {
            assert!(
                codes.contains(hub.as_str()),
                "{} hub {hub} is not an airport",
                al.code
            );
        }
    }
    let airline_codes: HashSet<&str> = airlines.iter().map(|a| a.code.as_str()).collect();
    let routes = fixtures::routes().unwrap();
    assert!(routes.len() >= 3000, "{} directed routes", routes.len());
    for (al, from, to) in &routes {
        assert!(airline_codes.contains(al.as_str()), "route airline {al}");
        assert!(
            codes.contains(from.as_str()) && codes.contains(to.as_str()),
            "{al} {from}-{to}"
        );
    }
}

#[test]
fn every_hotel_city_is_a_city_of_the_market() {
    let airports = fixtures::airports().unwrap();
    let keys: HashSet<String> = airports.iter().map(|a| a.city_key().to_string()).collect();
    let cities = fixtures::cities().unwrap();
    if cities.is_empty() {
        return;
    }
    assert!(cities.len() >= 100, "{} cities with hotels", cities.len());
    let mut ids = HashSet::new();
    for c in &cities {
        assert!(
            keys.contains(&c.city_code),
            "hotel city {} has no airport",
            c.city_code
        );
        assert!(
            c.hotels.len() >= 8,
            "{} has {} hotels",
            c.city_code,
            c.hotels.len()
        );
        for h in &c.hotels {
            assert!(ids.insert(h.id.clone()), "duplicate hotel id {}", h.id);
            assert!((1..=5).contains(&h.stars));
            assert!(!h.rooms.is_empty());
            assert!(
                h.rooms
                    .iter()
                    .all(|r| r.base_rate > 0 && r.count > 0 && r.capacity > 0)
            );
        }
    }
}

/// Every fixture airport's coordinates, country and zone match OurAirports and OpenFlights.
#[test]
fn airports_agree_with_ourairports_and_openflights() {
    let Some(data) = shared_data() else {
        eprintln!(
            "skipped: ../shared/data is not present (set BOOKSYGO_SHARED_DATA to point at it)"
        );
        return;
    };
    let text = std::fs::read_to_string(data.join("ourairports/airports.csv")).unwrap();
    let mut ours: HashMap<String, (f64, f64, String)> = HashMap::new();
    let mut lines = text.lines();
    let header = split_line(lines.next().unwrap());
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.as_deref() == Some(name))
            .unwrap()
    };
    let (lat, lon, country, iata) = (
        col("latitude_deg"),
        col("longitude_deg"),
        col("iso_country"),
        col("iata_code"),
    );
    for line in lines {
        let f = split_line(line);
        let get = |i: usize| f.get(i).cloned().flatten().unwrap_or_default();
        if !get(iata).is_empty() {
            ours.insert(
                get(iata),
                (
                    get(lat).parse().unwrap_or(999.0),
                    get(lon).parse().unwrap_or(999.0),
                    get(country),
                ),
            );
        }
    }
    let text = std::fs::read_to_string(data.join("openflights/airports.dat")).unwrap();
    let mut zones: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        let f = split_line(line);
        if let (Some(Some(code)), Some(Some(tz))) = (f.get(4), f.get(11)) {
            zones.insert(code.clone(), tz.clone());
        }
    }
    let mut problems = Vec::new();
    for a in fixtures::airports().unwrap() {
        match ours.get(&a.iata) {
            None => problems.push(format!("{} is not in OurAirports", a.iata)),
            Some((la, lo, c)) => {
                if (la - a.lat).abs() > 0.05 || (lo - a.lon).abs() > 0.05 {
                    problems.push(format!(
                        "{} at {},{} but OurAirports says {la},{lo}",
                        a.iata, a.lat, a.lon
                    ));
                }
                if *c != a.country {
                    problems.push(format!(
                        "{} in {} but OurAirports says {c}",
                        a.iata, a.country
                    ));
                }
            }
        }
        if let Some(tz) = zones.get(&a.iata) {
            // Same zone, or an alias with the same rules today (Asia/Calcutta = Asia/Kolkata).
            let same =
                *tz == a.tz || {
                    let (x, y) = (jiff::tz::TimeZone::get(tz), jiff::tz::TimeZone::get(&a.tz));
                    match (x, y) {
                        (Ok(x), Ok(y)) => ["2027-01-15T12:00:00Z", "2027-07-15T12:00:00Z"]
                            .iter()
                            .all(|t| {
                                let ts: jiff::Timestamp = t.parse().unwrap();
                                x.to_offset(ts) == y.to_offset(ts)
                            }),
                        _ => false,
                    }
                };
            if !same {
                problems.push(format!(
                    "{} in zone {} but OpenFlights says {tz}",
                    a.iata, a.tz
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A database loaded from older fixtures reloads them on open, and keeps imported data.
#[test]
fn a_fixture_version_change_reloads_cleanly() {
    use booksygo_core::LocalOptions;
    use booksygo_core::config::Paths;
    let dir = tempfile::tempdir().unwrap();
    let open =
        || booksygo_core::LocalAgency::open(LocalOptions::new(Paths::in_dir(dir.path()))).unwrap();
    let a = open();
    {
        let c = a.store().conn().unwrap();
        // Pretend an older release loaded the market: a stale airport, an imported one.
        c.execute("UPDATE airports SET name = 'Stale' WHERE iata = 'LHR'", [])
            .unwrap();
        c.execute(
            "INSERT INTO airports(iata, name, city, country, lat, lon, tz, source) VALUES ('QQA', 'Imported', 'Q', 'IS', 64.0, -22.0, 'Atlantic/Reykjavik', 'openflights')",
            [],
        )
        .unwrap();
        c.execute(
            "UPDATE meta SET value = 'old' WHERE key = 'fixture_version'",
            [],
        )
        .unwrap();
    }
    drop(a);
    let a = open();
    let c = a.store().conn().unwrap();
    let name: String = c
        .query_row("SELECT name FROM airports WHERE iata = 'LHR'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name, "London Heathrow Airport");
    let kept: i64 = c
        .query_row(
            "SELECT count(*) FROM airports WHERE iata = 'QQA'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1, "imported data survives a fixture reload");
    let v: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'fixture_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, booksygo_core::fixtures::VERSION);
}
