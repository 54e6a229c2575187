//! The catalogue, the package index and the fare history through the storage port, on SQLite
//! and on PostgreSQL: each body runs on a fresh database of each engine, and where the answers
//! are part of a promise (orders, counts, facets) both engines must give the same.

mod common;

use booksygo_core::fixtures;
use booksygo_core::model::package::PackageSpec;
use booksygo_core::model::{Airline, Airport, Alliance, Cabin};
use booksygo_core::places::Places;
use booksygo_core::places::routes::RouteTable;
use booksygo_core::search::packages::{self, PackageQuery, PackageSort};
use booksygo_core::store::Store;
use booksygo_core::store::port::{FareSeen, IndexQuery, RemoteCopy, Word};
use booksygo_core::{Error, ErrorKind};
use common::{date, each_engine};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Runs `sql` (statements without parameters) on the engine's own connection: for rows of
/// areas that are not the catalogue's.
fn raw(store: &Store, sql: &str) {
    match store.postgres() {
        Some(pg) => pg.conn().unwrap().batch_execute(sql).unwrap(),
        None => store.conn().unwrap().execute_batch(sql).unwrap(),
    }
}

/// What each engine answered, in the order the engines ran.
struct Answers<T>(Mutex<Vec<(String, T)>>);

impl<T: std::fmt::Debug + PartialEq> Answers<T> {
    fn new() -> Self {
        Answers(Mutex::new(Vec::new()))
    }
    fn give(&self, engine: &str, answer: T) {
        self.0.lock().unwrap().push((engine.to_string(), answer));
    }
    /// Both engines answered, the same.
    fn agree(self) -> T {
        let mut all = self.0.into_inner().unwrap();
        assert_eq!(all.len(), 2, "both engines answer");
        let (pg_engine, pg) = all.pop().unwrap();
        let (sqlite_engine, sqlite) = all.pop().unwrap();
        assert_eq!(
            (sqlite_engine.as_str(), pg_engine.as_str()),
            ("sqlite", "postgres")
        );
        assert_eq!(sqlite, pg, "SQLite and PostgreSQL answer alike");
        pg
    }
}

/// The market's fixtures (network and hotels) and the fixture packages, loaded as the
/// agency loads them; the places built from what the store reads back.
fn load_all(store: &Store) -> Places {
    assert!(fixtures::ensure_loaded(store).unwrap());
    let places = places_of(store);
    assert!(packages::ensure_loaded(store, &places, common::now().as_second()).unwrap());
    places
}

fn places_of(store: &Store) -> Places {
    store
        .read(|u| {
            let c = u.catalogue();
            let (airports, airlines) = (c.airports()?, c.airlines()?);
            let routes = RouteTable::from_codes(&airports, &airlines, &c.routes()?);
            Ok(Places::new(airports, airlines, &routes))
        })
        .unwrap()
}

fn airport(iata: &str, name: &str) -> Airport {
    Airport {
        iata: iata.into(),
        icao: None,
        name: name.into(),
        city: "Testville".into(),
        city_code: Some("TST".into()),
        country: "PT".into(),
        lat: 38.5,
        lon: -9.25,
        tz: "Europe/Lisbon".into(),
    }
}

#[test]
fn the_fixtures_load_in_one_unit_and_read_back_alike_on_both_engines() {
    let network = Answers::new();
    let hotels = Answers::new();
    each_engine(|engine, store| {
        let started = Instant::now();
        assert!(fixtures::ensure_loaded(store).unwrap());
        eprintln!(
            "{engine}: the fixture network and hotels loaded in {:?}",
            started.elapsed()
        );
        // Loaded once: a second start leaves the catalogue alone.
        assert!(!fixtures::ensure_loaded(store).unwrap());
        let (airports, airlines, routes, airport_codes, airline_codes) = store
            .read(|u| {
                let c = u.catalogue();
                Ok((
                    c.airports()?,
                    c.airlines()?,
                    c.routes()?,
                    c.airport_codes()?,
                    c.airline_codes()?,
                ))
            })
            .unwrap();
        assert_eq!(
            airports.len(),
            fixtures::airports().unwrap().len(),
            "{engine}"
        );
        assert!(airports.len() > 100, "{engine}: {}", airports.len());
        assert!(routes.len() > 1000, "{engine}: {}", routes.len());
        assert_eq!(airport_codes.len(), airports.len());
        assert_eq!(airline_codes.len(), airlines.len());
        // By code, in byte order.
        assert!(
            airports.windows(2).all(|w| w[0].iata < w[1].iata),
            "{engine}"
        );
        assert!(
            airlines.windows(2).all(|w| w[0].code < w[1].code),
            "{engine}"
        );
        assert!(routes.windows(2).all(|w| w[0] < w[1]), "{engine}");
        let mut expected = fixtures::routes().unwrap();
        expected.sort();
        expected.dedup();
        assert_eq!(routes, expected, "{engine}");
        assert!(
            airlines
                .iter()
                .any(|a| a.alliance == Some(Alliance::StarAlliance)),
            "{engine}"
        );
        network.give(engine, (airports, airlines, routes));

        let (counts, lisbon, rooms_ordered, none) = store
            .read(|u| {
                let c = u.catalogue();
                let lisbon = c.city("LIS")?.map(|c| (c.code, c.name, c.tax_percent));
                let in_lisbon = c.hotels_in_city("LIS")?;
                let ordered = in_lisbon.windows(2).all(|w| w[0].id < w[1].id)
                    && in_lisbon.iter().all(|h| {
                        !h.rooms.is_empty()
                            && h.rooms.windows(2).all(|r| r[0].base_rate <= r[1].base_rate)
                    });
                let shown: Vec<_> = in_lisbon
                    .iter()
                    .map(|h| {
                        (
                            h.id.clone(),
                            h.stars,
                            h.rating,
                            h.amenities.clone(),
                            h.free_cancellation_hours,
                            h.rooms
                                .iter()
                                .map(|r| (r.kind.clone(), r.capacity, r.count, r.base_rate))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect();
                Ok((
                    c.hotel_counts()?,
                    (lisbon, shown),
                    ordered,
                    c.city("XXX")?.is_none(),
                ))
            })
            .unwrap();
        assert!(counts.0 > 10 && counts.1 > counts.0, "{engine}: {counts:?}");
        assert!(lisbon.0.is_some() && !lisbon.1.is_empty(), "{engine}");
        assert!(
            rooms_ordered,
            "{engine}: hotels by id, rooms cheapest first"
        );
        assert!(none, "{engine}: no city XXX");
        hotels.give(engine, (counts, lisbon));
    });
    network.agree();
    hotels.agree();
}

/// Whether the store holds a compact route table now.
fn kept_route_table(store: &Store) -> bool {
    store
        .read(|u| u.catalogue().route_table())
        .unwrap()
        .is_some()
}

#[test]
fn the_route_table_is_kept_and_any_change_to_airports_airlines_or_routes_drops_it() {
    each_engine(|engine, store| {
        assert!(fixtures::ensure_loaded(store).unwrap());
        assert!(
            !kept_route_table(store),
            "{engine}: none before a market opens"
        );
        let keep = || {
            store
                .write(|u| {
                    let c = u.catalogue();
                    let (airports, airlines) = (c.airports()?, c.airlines()?);
                    let table = RouteTable::from_codes(&airports, &airlines, &c.routes()?);
                    c.save_route_table(&table.encode(&airports, &airlines))?;
                    Ok(table)
                })
                .unwrap()
        };
        let table = keep();
        assert!(table.len() > 20_000, "{engine}: {}", table.len());
        // Read back whole, for the listing it was made from.
        let (airports, airlines, body) = store
            .read(|u| {
                let c = u.catalogue();
                Ok((c.airports()?, c.airlines()?, c.route_table()?.unwrap()))
            })
            .unwrap();
        assert_eq!(
            RouteTable::decode(body, &airports, &airlines).as_ref(),
            Some(&table),
            "{engine}"
        );
        // Each kind of change, by the catalogue's writers or by hand, drops it.
        let changes: [&dyn Fn(); 6] = [
            &|| {
                store
                    .write(|u| {
                        u.catalogue().insert_airports(
                            &[airport("ZZA", "Imported A")],
                            "openflights",
                            false,
                        )
                    })
                    .map(drop)
                    .unwrap()
            },
            &|| {
                store
                    .write(|u| {
                        u.catalogue().insert_routes(
                            &[("TP".into(), "ZZA".into(), "LIS".into())],
                            "openflights",
                            false,
                        )
                    })
                    .map(drop)
                    .unwrap()
            },
            &|| {
                raw(
                    store,
                    "UPDATE airports SET name = 'Renamed' WHERE iata = 'ZZA'",
                )
            },
            &|| raw(store, "DELETE FROM routes WHERE origin = 'ZZA'"),
            &|| {
                raw(
                    store,
                    "UPDATE airlines SET name = 'Renamed' WHERE code = 'TP'",
                )
            },
            &|| raw(store, "DELETE FROM airports WHERE iata = 'ZZA'"),
        ];
        for (i, change) in changes.iter().enumerate() {
            keep();
            assert!(kept_route_table(store), "{engine}: change {i}");
            change();
            assert!(!kept_route_table(store), "{engine}: change {i} dropped it");
        }
        // A statement that changes no row keeps it on SQLite (row triggers); PostgreSQL's
        // statement triggers drop it anyway, which only costs the next open a rebuild.
        keep();
        raw(store, "DELETE FROM routes WHERE origin = 'NOWHERE'");
        if engine == "sqlite" {
            assert!(kept_route_table(store), "{engine}");
        }
    });
}

#[test]
fn a_fixture_reload_keeps_what_the_user_imported() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        assert!(fixtures::ensure_loaded(store).unwrap());
        let imported = vec![airport("ZZA", "Imported A"), airport("ZZB", "Imported B")];
        let route = vec![("TP".to_string(), "ZZA".to_string(), "ZZB".to_string())];
        store
            .write(|u| {
                let c = u.catalogue();
                assert_eq!(c.insert_airports(&imported, "openflights", false)?, 2);
                assert_eq!(c.insert_routes(&route, "openflights", false)?, 1);
                Ok(())
            })
            .unwrap();
        let before = store.read(|u| u.catalogue().hotel_counts()).unwrap();
        // A new fixture version: everything of the fixtures goes and comes back.
        store
            .write(|u| u.catalogue().set_meta("fixture_version", "older"))
            .unwrap();
        assert!(fixtures::ensure_loaded(store).unwrap(), "{engine}");
        let (codes, routes, after) = store
            .read(|u| {
                let c = u.catalogue();
                Ok((c.airport_codes()?, c.routes()?, c.hotel_counts()?))
            })
            .unwrap();
        assert!(codes.contains("ZZA") && codes.contains("ZZB"), "{engine}");
        assert!(routes.contains(&route[0]), "{engine}");
        assert_eq!(before, after, "{engine}");
        answers.give(engine, (codes.len(), routes.len(), after));
    });
    answers.agree();
}

#[test]
fn bulk_inserts_replace_or_ignore_and_count_as_sqlite_does() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        let out = store
            .write(|u| {
                let c = u.catalogue();
                // Ignoring: a code met again (in the input or stored) is left as it was.
                let first = vec![
                    airport("AAA", "First A"),
                    airport("BBB", "First B"),
                    airport("AAA", "Second A"),
                ];
                let n_ignore = c.insert_airports(&first, "openflights", false)?;
                let again = vec![airport("BBB", "Third B"), airport("CCC", "First C")];
                let n_ignore_again = c.insert_airports(&again, "openflights", false)?;
                // Replacing: the last row of a code wins, and every row counts.
                let replaced = vec![
                    airport("AAA", "Replaced A"),
                    airport("DDD", "First D"),
                    airport("AAA", "Replaced A again"),
                ];
                let n_replace = c.insert_airports(&replaced, "fixture", true)?;
                let names: Vec<(String, String)> = c
                    .airports()?
                    .into_iter()
                    .map(|a| (a.iata, a.name))
                    .collect();
                let airlines = vec![
                    Airline {
                        code: "ZZ".into(),
                        icao: Some("ZZZ".into()),
                        name: "Zed Air".into(),
                        alliance: Some(Alliance::Skyteam),
                        hubs: vec!["AAA".into(), "BBB".into()],
                        country: Some("PT".into()),
                        low_cost: true,
                    },
                    Airline {
                        code: "YY".into(),
                        icao: None,
                        name: "Why Air".into(),
                        alliance: None,
                        hubs: vec![],
                        country: None,
                        low_cost: false,
                    },
                ];
                let n_airlines = c.insert_airlines(&airlines, "openflights", false)?;
                let n_airlines_again = c.insert_airlines(&airlines[..1], "openflights", false)?;
                let routes: Vec<(String, String, String)> = [
                    ("ZZ", "AAA", "BBB"),
                    ("ZZ", "BBB", "AAA"),
                    ("ZZ", "AAA", "BBB"),
                ]
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect();
                let n_routes = c.insert_routes(&routes, "openflights", false)?;
                let n_routes_replace = c.insert_routes(&routes, "fixture", true)?;
                Ok((
                    (n_ignore, n_ignore_again, n_replace),
                    names,
                    (n_airlines, n_airlines_again, c.airlines()?),
                    (n_routes, n_routes_replace, c.routes()?),
                ))
            })
            .unwrap();
        assert_eq!(out.0, (2, 1, 3), "{engine}");
        assert_eq!(
            out.1,
            [
                ("AAA".to_string(), "Replaced A again".to_string()),
                ("BBB".into(), "First B".into()),
                ("CCC".into(), "First C".into()),
                ("DDD".into(), "First D".into()),
            ],
            "{engine}"
        );
        assert_eq!((out.2.0, out.2.1), (2, 0), "{engine}");
        assert_eq!(out.2.2[1].hubs, ["AAA", "BBB"], "{engine}");
        assert_eq!(out.2.2[1].alliance, Some(Alliance::Skyteam), "{engine}");
        assert!(out.2.2[1].low_cost && !out.2.2[0].low_cost, "{engine}");
        assert_eq!((out.3.0, out.3.1, out.3.2.len()), (2, 3, 2), "{engine}");
        answers.give(engine, out);
    });
    answers.agree();
}

#[test]
fn meta_offers_and_remote_copies_are_upserts() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        let now = 1_800_000_000;
        let out = store
            .write(|u| {
                let c = u.catalogue();
                let missing = c.meta("k")?;
                c.set_meta("k", "one")?;
                c.set_meta("k", "two")?;
                let offer = |id: &str, payload: &str, expires: i64| {
                    (
                        id.to_string(),
                        "sandbox".to_string(),
                        payload.to_string(),
                        expires,
                    )
                };
                c.save_offers(
                    "flight",
                    &[
                        offer("off_old", "{}", now - 86_401),
                        offer("off_a", "{\"a\":1}", now + 900),
                        offer("off_a", "{\"a\":2}", now + 1_000),
                    ],
                    now - 1_000_000,
                )?;
                c.save_offers("hotel", &[offer("off_b", "{\"b\":1}", now + 900)], now)?;
                let remote = |id: &str, body: &str, starts: &str, created: &str| RemoteCopy {
                    id: id.into(),
                    body: body.into(),
                    starts_on: starts.into(),
                    created_at: created.into(),
                };
                c.keep_remote_bookings(
                    "https://team.example",
                    "ada",
                    &[
                        remote("b3", "late", "2027-05-01", "2026-01-01T00:00:00Z"),
                        remote("b2", "second", "2027-03-01", "2026-01-01T00:00:00Z"),
                        remote("b1", "first", "2027-03-01", "2026-01-01T00:00:00Z"),
                        remote("b0", "earliest", "2027-02-01", "2026-02-01T00:00:00Z"),
                    ],
                    now,
                )?;
                c.keep_remote_bookings(
                    "https://team.example",
                    "ada",
                    &[
                        remote(
                            "b2",
                            "second, changed",
                            "2027-03-01",
                            "2026-01-01T00:00:00Z",
                        ),
                        remote("b4", "after", "2027-03-01", "2026-01-01T00:00:00Z"),
                    ],
                    now + 1,
                )?;
                c.keep_remote_bookings("https://team.example", "grace", &[], now)?;
                Ok((
                    missing,
                    c.meta("k")?,
                    c.offer("off_old")?,
                    c.offer("off_a")?,
                    c.offer("off_b")?,
                    c.offer("off_none")?,
                    c.remote_bookings("https://team.example", "ada")?,
                    c.remote_bookings("https://team.example", "grace")?,
                ))
            })
            .unwrap();
        assert_eq!(out.0, None, "{engine}");
        assert_eq!(out.1.as_deref(), Some("two"), "{engine}");
        // The second save (a day past the old offer's expiry) forgot it.
        assert_eq!(out.2, None, "{engine}");
        assert_eq!(
            out.3,
            Some(("flight".to_string(), "{\"a\":2}".to_string(), now + 1_000)),
            "{engine}"
        );
        assert_eq!(out.4.as_ref().map(|o| o.0.as_str()), Some("hotel"));
        assert_eq!(out.5, None);
        // By start date, then as booked (the order they were first kept in).
        assert_eq!(
            out.6,
            ["earliest", "second, changed", "first", "after", "late"],
            "{engine}"
        );
        assert!(out.7.is_empty());
        answers.give(engine, out);
    });
    answers.agree();
}

#[test]
fn inventory_reads_see_what_was_sold() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        assert!(fixtures::ensure_loaded(store).unwrap());
        let hotel: String = store
            .read(|u| Ok(u.catalogue().hotels_in_city("LIS")?[0].id.clone()))
            .unwrap();
        raw(
            store,
            &format!(
                "INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold) VALUES
                     ('TP1-2027-03-14', 'economy', '2027-03-14', 180, 3),
                     ('TP1-2027-03-14', 'business', '2027-03-14', 12, 12),
                     ('TP1-2027-03-20', 'economy', '2027-03-20', 180, 1);
                 INSERT INTO room_inventory(hotel_id, room_type, night, capacity, sold) VALUES
                     ('{hotel}', 'standard', '2027-03-14', 10, 2),
                     ('{hotel}', 'standard', '2027-03-15', 10, 10),
                     ('{hotel}', 'standard', '2027-03-16', 10, 1);"
            ),
        );
        let out = store
            .read(|u| {
                let c = u.catalogue();
                let mut seats = c.seats_sold_between("2027-03-14", "2027-03-19")?;
                seats.sort();
                let mut rooms = c.rooms_sold_between("LIS", "2027-03-14", "2027-03-16")?;
                rooms.sort();
                Ok((
                    seats,
                    c.seats_sold("TP1-2027-03-14", "business")?,
                    c.seats_sold("TP1-2027-03-14", "first")?,
                    rooms,
                    c.rooms_sold_between("PAR", "2027-03-14", "2027-03-16")?,
                ))
            })
            .unwrap();
        assert_eq!(
            out.0,
            [
                ("TP1-2027-03-14".to_string(), "business".to_string(), 12, 12),
                ("TP1-2027-03-14".into(), "economy".into(), 3, 180),
            ],
            "{engine}"
        );
        assert_eq!(out.1, Some((12, 12)));
        assert_eq!(out.2, None);
        assert_eq!(
            out.3,
            [
                (
                    hotel.clone(),
                    "standard".to_string(),
                    "2027-03-14".to_string(),
                    2
                ),
                (hotel.clone(), "standard".into(), "2027-03-15".into(), 10),
            ],
            "{engine}: nights from..to, the last night out"
        );
        assert!(out.4.is_empty(), "{engine}");
        answers.give(engine, out);
    });
    answers.agree();
}

#[test]
fn a_fare_seen_twice_in_one_second_is_one_observation() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        let fare = |observed_at: i64, cheapest: i64| FareSeen {
            origin: "LHR",
            destination: "JFK",
            date: date("2027-03-14"),
            cabin: Cabin::Economy,
            observed_at,
            days_ahead: 30,
            cheapest,
        };
        for f in [fare(200, 40_000), fare(100, 50_000), fare(200, 45_000)] {
            store.read(|u| u.fares().record(&f)).unwrap();
        }
        let seen = store
            .read(|u| {
                Ok((
                    u.fares()
                        .history("LHR", "JFK", date("2027-03-14"), Cabin::Economy)?,
                    u.fares()
                        .history("LHR", "JFK", date("2027-03-14"), Cabin::Business)?,
                ))
            })
            .unwrap();
        let cheapest: Vec<(i64, i64)> = seen
            .0
            .iter()
            .map(|o| (o.observed_at.as_second(), o.cheapest.minor))
            .collect();
        assert_eq!(cheapest, [(100, 50_000), (200, 45_000)], "{engine}");
        assert!(seen.1.is_empty());
        answers.give(engine, seen.0);
    });
    answers.agree();
}

/// The searches both engines must answer alike: the sorts that do not depend on the text
/// rank, with every filter.
fn deterministic_queries() -> Vec<PackageQuery> {
    let all = |sort| PackageQuery {
        sort,
        limit: Some(200),
        ..Default::default()
    };
    let mut out = vec![
        all(PackageSort::Relevance),
        all(PackageSort::Price),
        all(PackageSort::Rating),
        all(PackageSort::Duration),
        PackageQuery {
            kind: Some("adventure".into()),
            sort: PackageSort::Price,
            limit: Some(5),
            offset: Some(3),
            ..Default::default()
        },
        PackageQuery {
            destination: Some("Japan".into()),
            sort: PackageSort::Rating,
            ..Default::default()
        },
        PackageQuery {
            destination: Some("LIS".into()),
            ..Default::default()
        },
        PackageQuery {
            min_days: Some(5),
            max_days: Some(9),
            min_rating: Some(4.5),
            sort: PackageSort::Duration,
            ..Default::default()
        },
        PackageQuery {
            min_price: Some(booksygo_core::model::Money::eur(100_000)),
            max_price: Some(booksygo_core::model::Money::eur(250_000)),
            sort: PackageSort::Price,
            ..Default::default()
        },
        PackageQuery {
            month: Some(date("2027-03-01")),
            sort: PackageSort::Price,
            limit: Some(200),
            ..Default::default()
        },
        PackageQuery {
            offset: Some(10_000),
            ..Default::default()
        },
    ];
    // Text with a sort that is not the rank: same pages.
    for text in [
        "snorkel",
        "Iceland glacier",
        "temple",
        "wine",
        "food tour",
        "zzqqxx",
    ] {
        out.push(PackageQuery {
            text: Some(text.into()),
            sort: PackageSort::Price,
            limit: Some(200),
            ..Default::default()
        });
    }
    out
}

#[test]
fn package_searches_give_the_same_pages_and_facets_on_both_engines() {
    let answers = Answers::new();
    let ranked = Answers::new();
    each_engine(|engine, store| {
        let started = Instant::now();
        let places = load_all(store);
        eprintln!(
            "{engine}: fixtures and packages loaded in {:?}",
            started.elapsed()
        );
        let mut pages = Vec::new();
        for q in deterministic_queries() {
            let r = store
                .read_within(packages::SEARCH_BUDGET, "the package search", |u| {
                    packages::search(u, &places, &q)
                })
                .unwrap();
            assert_eq!(
                r.facets.kind.values().sum::<usize>(),
                r.total,
                "{engine}: {q:?}"
            );
            let ids: Vec<String> = r.packages.iter().map(|p| p.id.clone()).collect();
            pages.push((q.text.clone(), ids, r.total, r.facets));
        }
        let everything = &pages[1];
        assert!(everything.2 >= 60, "{engine}: {}", everything.2);
        assert_eq!(everything.1.len(), everything.2, "{engine}");
        // Text finds what it should, whatever the engine.
        let total_of = |text: &str| {
            pages
                .iter()
                .find(|p| p.0.as_deref() == Some(text))
                .unwrap()
                .2
        };
        assert!(total_of("snorkel") >= 1, "{engine}");
        assert!(total_of("Iceland glacier") >= 1, "{engine}");
        assert_eq!(total_of("zzqqxx"), 0, "{engine}");
        answers.give(engine, pages);

        // Ranked by the text: the same matches and facets; the order is each engine's rank.
        let mut matches = Vec::new();
        for text in ["beach", "mountain hike", "city", "Tokyo", "safari", "the"] {
            let q = PackageQuery {
                text: Some(text.into()),
                limit: Some(200),
                ..Default::default()
            };
            let r = store.read(|u| packages::search(u, &places, &q)).unwrap();
            let mut ids: Vec<String> = r.packages.iter().map(|p| p.id.clone()).collect();
            eprintln!("{engine}: '{text}' ranks {ids:?}");
            ids.sort();
            matches.push((text, ids, r.facets));
        }
        ranked.give(engine, matches);
    });
    answers.agree();
    // Stop words: FTS5 matches "the" as a word prefix, PostgreSQL drops it (see
    // store/postgres/packages.rs); every other text agrees.
    let mut all = ranked.0.into_inner().unwrap();
    let (_, pg) = all.pop().unwrap();
    let (_, sqlite) = all.pop().unwrap();
    for (s, p) in sqlite.iter().zip(&pg) {
        if s.0 != "the" {
            assert_eq!(s, p, "the matches of '{}'", s.0);
        }
    }
}

#[test]
fn a_package_is_read_whole_and_its_departures_keep_what_is_sold() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        let places = load_all(store);
        let mut spec: PackageSpec = fixtures::packages().unwrap().remove(0);
        let id = spec.id.clone();
        let slug = spec.slug.clone();
        let first = spec.departures[0].date;
        let (by_id, by_slug, owner, none) = store
            .read(|u| {
                let p = u.packages();
                Ok((
                    p.detail(&id)?,
                    p.detail(&slug)?,
                    p.owner(&id)?,
                    p.owner("pkg_none")?,
                ))
            })
            .unwrap();
        let by_id = by_id.expect("by id");
        assert_eq!(Some(&by_id), by_slug.as_ref(), "{engine}");
        assert_eq!(by_id.summary.id, id);
        assert_eq!(by_id.max_group, spec.max_group);
        assert!(by_id.body.contains("itinerary"), "{engine}");
        assert_eq!(owner, Some(None), "{engine}: the catalogue's own");
        assert_eq!(none, None);
        // Someone bought 4 places of the first departure; the package is filed again with
        // fewer places there, and a new departure.
        raw(
            store,
            &format!(
                "UPDATE package_departures SET sold = 4 WHERE package_id = '{id}' AND date = '{first}'"
            ),
        );
        spec.departures[0].slots = 2;
        let added = date("2028-01-15");
        spec.departures
            .push(booksygo_core::model::package::Departure {
                date: added,
                slots: 7,
            });
        spec.title = "A new title for the first package".into();
        store
            .write(|u| packages::upsert(u, &places, &spec, Some("usr_x"), "user", 5))
            .unwrap();
        let (departures, detail, owner, later) = store
            .read(|u| {
                let p = u.packages();
                Ok((
                    p.departures(&id, date("2020-01-01"))?,
                    p.detail(&id)?.unwrap(),
                    p.owner(&id)?,
                    p.departures(&id, added)?,
                ))
            })
            .unwrap();
        assert!(
            departures.windows(2).all(|w| w[0].date < w[1].date),
            "{engine}"
        );
        let d0 = departures.iter().find(|d| d.date == first).unwrap();
        assert_eq!(
            (d0.slots, d0.sold),
            (4, 4),
            "{engine}: never below what is sold"
        );
        assert_eq!(later.len(), 1, "{engine}");
        assert_eq!((later[0].slots, later[0].sold), (7, 0));
        assert_eq!(detail.summary.title, spec.title);
        assert_eq!(owner, Some(None), "{engine}: an update keeps the owner");
        // A slug that is another package's is a conflict, and nothing is written.
        let mut other = fixtures::packages().unwrap().remove(1);
        other.slug = slug.clone();
        let err: Error = store
            .write(|u| packages::upsert(u, &places, &other, None, "user", 6))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{engine}: {err}");
        let featured = store.read(|u| u.packages().featured(5)).unwrap();
        assert!(!featured.is_empty() && featured.len() <= 5);
        assert!(featured.iter().all(|p| p.featured), "{engine}");
        assert!(
            featured.windows(2).all(|w| w[0].rating >= w[1].rating),
            "{engine}"
        );
        let deals = store
            .read(|u| {
                u.packages()
                    .deal_candidates(date("2026-11-25"), date("2027-01-25"))
            })
            .unwrap();
        let mut deal_ids: Vec<String> = deals.into_iter().map(|p| p.id).collect();
        deal_ids.sort();
        let version = store.read(|u| u.packages().fixture_version()).unwrap();
        assert_eq!(version.as_deref(), Some(fixtures::VERSION));
        answers.give(
            engine,
            (
                departures,
                detail,
                deal_ids,
                featured.into_iter().map(|p| p.id).collect::<Vec<_>>(),
            ),
        );
    });
    answers.agree();
}

#[test]
fn the_index_matches_words_literally_and_folds_the_destination() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        load_all(store);
        let search = |words: Vec<Word>| {
            store
                .read(|u| {
                    u.packages().search(&IndexQuery {
                        words,
                        kind: None,
                        place: None,
                        min_price: None,
                        max_price: None,
                        min_days: None,
                        max_days: None,
                        min_rating: None,
                        departing: None,
                        sort: PackageSort::Price,
                        limit: 200,
                        offset: 0,
                    })
                })
                .unwrap()
        };
        let word = |text: &str, prefix| Word {
            text: text.into(),
            prefix,
        };
        // Query syntax in a word is no syntax: no error, and no more matches than its words.
        for w in [
            "\"tour\" OR (NEAR*",
            "tour' | !x:*",
            "tour\\",
            "tour & !tour",
        ] {
            search(vec![word(w, true)]);
        }
        let prefix = search(vec![word("snork", true)]);
        let whole = search(vec![word("snork", false)]);
        assert!(!prefix.packages.is_empty(), "{engine}: a prefix matches");
        assert!(whole.packages.is_empty(), "{engine}: a whole word does not");
        // A destination with an accent (an imported airport's city): its words are found
        // without it, as the rule folds the words searched.
        let mut zurich = airport("QQZ", "Zürich Testairport");
        (zurich.city, zurich.city_code) = ("Zürich Ünterland".into(), None);
        (zurich.country, zurich.tz) = ("CH".into(), "Europe/Zurich".into());
        store
            .write(|u| {
                u.catalogue()
                    .insert_airports(&[zurich], "openflights", false)
            })
            .unwrap();
        let places = places_of(store);
        let mut spec: PackageSpec = fixtures::packages().unwrap().remove(0);
        spec.id = "pkg_accented_place".into();
        spec.slug = "accented-place".into();
        spec.destination = "QQZ".into();
        store
            .write(|u| packages::upsert(u, &places, &spec, None, "user", 5))
            .unwrap();
        let ids = |words: Vec<Word>| -> Vec<String> {
            search(words).packages.into_iter().map(|p| p.id).collect()
        };
        let found = ids(vec![word("zurich", true), word("unterland", false)]);
        assert_eq!(found, ["pkg_accented_place"], "{engine}");
        assert_eq!(
            ids(vec![word("qqz", false)]),
            ["pkg_accented_place"],
            "{engine}"
        );
        answers.give(engine, (prefix.packages.len(), whole.packages.len(), found));
    });
    answers.agree();
}

/// 20,000 packages, too many to sort and count within a millisecond.
fn twenty_thousand_packages(store: &Store) {
    raw(
        store,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO packages(id, slug, title, description, type, destination, destination_name,
             country, continent, duration_days, base_price, currency, rating, review_count,
             max_group, source, updated_at)
         SELECT 'pkg_' || i, 'p-' || i, 'T', 'D', 'budget', 'LIS', 'Lisbon', 'PT', 'Europe',
             i % 14 + 1, i * 100, 'EUR', 4.0, 1, 10, 'test', 0 FROM n",
    );
}

/// The five cheapest packages, with the facets of all.
fn cheapest_five() -> IndexQuery {
    IndexQuery {
        words: Vec::new(),
        kind: None,
        place: None,
        min_price: None,
        max_price: None,
        min_days: None,
        max_days: None,
        min_rating: None,
        departing: None,
        sort: PackageSort::Price,
        limit: 5,
        offset: 0,
    }
}

/// The caller hears that the package search ran out of time (503), not a database error.
fn over_budget(err: &Error, engine: &str) {
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{engine}: {err}");
    assert!(
        err.to_string()
            .starts_with("the package search took longer than"),
        "{engine}: {err}"
    );
}

#[test]
fn a_search_over_its_budget_stops() {
    each_engine(|engine, store| {
        twenty_thousand_packages(store);
        let q = cheapest_five();
        let err = store
            .read_within(Duration::ZERO, "the package search", |u| {
                u.packages().search(&q)
            })
            .unwrap_err();
        over_budget(&err, engine);
        // Unbounded, the same search runs to the end, and the connection keeps no limit.
        let found = store.read(|u| u.packages().search(&q)).unwrap();
        let ids: Vec<&str> = found.packages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["pkg_1", "pkg_2", "pkg_3", "pkg_4", "pkg_5"],
            "{engine}"
        );
        assert_eq!(found.facets.iter().map(|f| f.count).sum::<usize>(), 20000);
    });
}

/// PostgreSQL can stop a statement for its budget just as tokio-postgres has read the
/// statement's description: the driver stops reading there, so that error goes unread, and
/// the transaction's next statement is refused as part of an aborted transaction (SQLSTATE
/// 25P02). That is the budget's doing too, and the caller hears so, not "database error".
#[test]
fn a_search_whose_stop_went_unread_is_over_budget_too() {
    let db = booksygo_core::store::postgres::testing::TestDatabase::create();
    let store = db.port();
    twenty_thousand_packages(&store);
    let q = cheapest_five();
    let err = store
        .read_within(Duration::ZERO, "the package search", |u| {
            // Dropping the first search's error stands in for the driver not reading it.
            let stopped = u.packages().search(&q);
            assert!(stopped.is_err(), "20,000 packages in a millisecond");
            u.packages().search(&q)
        })
        .unwrap_err();
    over_budget(&err, "postgres");
    // The connection went back to the pool outside any transaction.
    let found = store.read(|u| u.packages().search(&q)).unwrap();
    assert_eq!(found.packages.len(), 5);
}

#[test]
fn loads_started_together_take_turns_and_both_succeed() {
    let answers = Answers::new();
    each_engine(|engine, store| {
        let loaded: Vec<bool> = std::thread::scope(|s| {
            let loads: Vec<_> = (0..3)
                .map(|_| {
                    let store = store.clone();
                    s.spawn(move || fixtures::ensure_loaded(&store))
                })
                .collect();
            loads
                .into_iter()
                .map(|l| l.join().unwrap().unwrap())
                .collect()
        });
        assert!(loaded.contains(&true), "{engine}: {loaded:?}");
        let places = places_of(store);
        let now = common::now().as_second();
        let packages_loaded: Vec<bool> = std::thread::scope(|s| {
            let loads: Vec<_> = (0..3)
                .map(|_| {
                    let (store, places) = (store.clone(), &places);
                    s.spawn(move || packages::ensure_loaded(&store, places, now))
                })
                .collect();
            loads
                .into_iter()
                .map(|l| l.join().unwrap().unwrap())
                .collect()
        });
        assert!(
            packages_loaded.contains(&true),
            "{engine}: {packages_loaded:?}"
        );
        let state = store
            .read(|u| {
                let c = u.catalogue();
                let all = u.packages().search(&IndexQuery {
                    words: Vec::new(),
                    kind: None,
                    place: None,
                    min_price: None,
                    max_price: None,
                    min_days: None,
                    max_days: None,
                    min_rating: None,
                    departing: None,
                    sort: PackageSort::Price,
                    limit: 1000,
                    offset: 0,
                })?;
                Ok((
                    c.airports()?.len(),
                    c.routes()?.len(),
                    c.hotel_counts()?,
                    all.packages.len(),
                ))
            })
            .unwrap();
        assert_eq!(state.3, fixtures::packages().unwrap().len(), "{engine}");
        answers.give(engine, state);
    });
    answers.agree();
}

#[test]
fn an_import_of_openflights_size_is_written_in_bulk() {
    let letters = |mut n: usize, len: usize| -> String {
        let mut out = vec![b'A'; len];
        for i in (0..len).rev() {
            out[i] = b'A' + (n % 26) as u8;
            n /= 26;
        }
        String::from_utf8(out).unwrap()
    };
    let airports: Vec<Airport> = (0..7_000)
        .map(|i| airport(&letters(i, 3), &format!("Airport {i}")))
        .collect();
    let routes: Vec<(String, String, String)> = (0..60_000)
        .map(|i| {
            (
                letters(i % 500, 2),
                airports[i / 500].iata.clone(),
                airports[(i * 7 + 1) % 7_000].iata.clone(),
            )
        })
        .collect();
    let answers = Answers::new();
    each_engine(|engine, store| {
        let started = Instant::now();
        let written = store
            .write(|u| {
                let c = u.catalogue();
                Ok((
                    c.insert_airports(&airports, "openflights", false)?,
                    c.insert_routes(&routes, "openflights", false)?,
                ))
            })
            .unwrap();
        eprintln!(
            "{engine}: 7,000 airports and 60,000 routes written in {:?}",
            started.elapsed()
        );
        assert_eq!(written, (7_000, 60_000), "{engine}");
        let started = Instant::now();
        let read = store
            .read(|u| Ok((u.catalogue().airports()?, u.catalogue().routes()?)))
            .unwrap();
        eprintln!("{engine}: read back in {:?}", started.elapsed());
        assert_eq!((read.0.len(), read.1.len()), (7_000, 60_000), "{engine}");
        answers.give(engine, read);
    });
    answers.agree();
}

/// The whole agency on PostgreSQL: the fixtures through the catalogue, the packages through
/// the index. It needs the other repositories (users) on PostgreSQL as well.
#[tokio::test]

async fn the_agency_opens_on_postgres_and_searches_packages() {
    use booksygo_core::Agency;
    let (_kept, agency) = common::agency_on("postgres", |_| {});
    let r = agency
        .search_packages(&PackageQuery {
            text: Some("snorkel".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(r.total >= 1);
}
