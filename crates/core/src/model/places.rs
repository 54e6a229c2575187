//! Airports, cities and airlines: the facts the market is built on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Airport {
    pub iata: String,
    #[serde(default)]
    pub icao: Option<String>,
    pub name: String,
    pub city: String,
    /// IATA metropolitan-area code (LON, NYC, ...) where the city has several airports.
    #[serde(default)]
    pub city_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    /// IANA time zone name.
    pub tz: String,
}

impl Airport {
    /// The code of the city this airport serves: its metro code, or its own code.
    pub fn city_key(&self) -> &str {
        self.city_code.as_deref().unwrap_or(&self.iata)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Alliance {
    StarAlliance,
    Oneworld,
    Skyteam,
}

impl Alliance {
    pub fn parse(text: &str) -> Option<Alliance> {
        let t: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        match t.to_ascii_lowercase().as_str() {
            "star" | "staralliance" => Some(Alliance::StarAlliance),
            "oneworld" | "ow" => Some(Alliance::Oneworld),
            "skyteam" | "st" => Some(Alliance::Skyteam),
            _ => None,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Alliance::StarAlliance => "Star Alliance",
            Alliance::Oneworld => "oneworld",
            Alliance::Skyteam => "SkyTeam",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Airline {
    /// IATA designator (two characters).
    pub code: String,
    #[serde(default)]
    pub icao: Option<String>,
    pub name: String,
    #[serde(default)]
    pub alliance: Option<Alliance>,
    #[serde(default)]
    pub hubs: Vec<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub low_cost: bool,
}

/// What `places suggest` returns: an airport or a whole city.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct PlaceSuggestion {
    /// "airport" or "city".
    #[serde(rename = "type")]
    pub kind: PlaceKind,
    pub code: String,
    pub name: String,
    pub city: String,
    pub country: String,
    /// For a city: the codes of its airports.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub airports: Vec<String>,
    /// Higher is better; only comparable within one answer.
    pub score: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Airport,
    City,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CityFixture {
    pub city_code: String,
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub tax_percent: u32,
    pub hotels: Vec<HotelFixture>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HotelFixture {
    pub id: String,
    pub name: String,
    pub stars: u8,
    pub rating: f32,
    pub neighbourhood: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub amenities: Vec<String>,
    pub check_in: String,
    pub check_out: String,
    pub free_cancellation_hours: Option<u32>,
    pub rooms: Vec<RoomFixture>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RoomFixture {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub capacity: u32,
    pub count: u32,
    /// Nightly rate in EUR cents.
    pub base_rate: i64,
}
