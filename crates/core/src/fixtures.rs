//! The sandbox market's authored facts, embedded in the binary so it works from any directory,
//! and how they reach the store.

use crate::error::Result;
pub use crate::model::places::{CityFixture, HotelFixture, RoomFixture};
use crate::model::{Airline, Airport};
use crate::store::Store;
use std::collections::BTreeMap;

/// Changes whenever any fixture file changes (computed by build.rs).
pub const VERSION: &str = env!("BOOKSYGO_FIXTURE_HASH");

pub const AIRPORTS: &str = include_str!("../../../fixtures/airports.json");
pub const AIRLINES: &str = include_str!("../../../fixtures/airlines.json");
pub const ROUTES: &str = include_str!("../../../fixtures/routes.json");
pub const HOTELS: &str = include_str!("../../../fixtures/hotels.json");
pub const FX: &str = include_str!("../../../fixtures/fx.json");

pub fn airports() -> Result<Vec<Airport>> {
    Ok(serde_json::from_str(AIRPORTS)?)
}

pub fn airlines() -> Result<Vec<Airline>> {
    Ok(serde_json::from_str(AIRLINES)?)
}

/// Airline code -> "AAA-BBB" pairs, each flown both ways.
pub fn routes() -> Result<Vec<(String, String, String)>> {
    let map: BTreeMap<String, Vec<String>> = serde_json::from_str(ROUTES)?;
    let mut out = Vec::new();
    for (airline, pairs) in map {
        for pair in pairs {
            if let Some((a, b)) = pair.split_once('-') {
                out.push((airline.clone(), a.to_string(), b.to_string()));
                out.push((airline.clone(), b.to_string(), a.to_string()));
            }
        }
    }
    Ok(out)
}

pub fn cities() -> Result<Vec<CityFixture>> {
    Ok(serde_json::from_str(HOTELS)?)
}

/// Loads the embedded fixtures when the database has none or an older version of them.
/// Returns true when it (re)loaded. Data imported by the user (`source != 'fixture'`) stays.
pub fn ensure_loaded(store: &Store) -> Result<bool> {
    if store
        .read(|u| u.catalogue().meta("fixture_version"))?
        .as_deref()
        == Some(VERSION)
    {
        return Ok(false);
    }
    store.write(|u| {
        // Instances starting together on one database load the fixtures once.
        u.take_turn("fixtures")?;
        let catalogue = u.catalogue();
        if catalogue.meta("fixture_version")?.as_deref() == Some(VERSION) {
            return Ok(false); // another process loaded them while we waited
        }
        catalogue.clear_fixtures()?;
        catalogue.insert_airports(&airports()?, "fixture", true)?;
        catalogue.insert_airlines(&airlines()?, "fixture", true)?;
        catalogue.insert_routes(&routes()?, "fixture", true)?;
        catalogue.insert_hotel_cities(&cities()?)?;
        catalogue.set_meta("fixture_version", VERSION)?;
        Ok(true)
    })
}

pub const PACKAGES: &str = include_str!("../../../fixtures/packages.json");

pub fn packages() -> Result<Vec<crate::model::package::PackageSpec>> {
    Ok(serde_json::from_str(PACKAGES)?)
}
