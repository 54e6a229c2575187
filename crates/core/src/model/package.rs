//! Curated vacation packages: the catalogue entry, its validation, and dynamic pricing.

use super::money::{Currency, Money};
use super::season as fares;
use crate::error::{Error, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub const TYPES: &[&str] = &["adventure", "luxury", "budget", "cultural"];
pub const MEALS: &[&str] = &["breakfast", "lunch", "dinner"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItineraryDay {
    pub day: u32,
    pub title: String,
    pub description: String,
    pub activities: Vec<String>,
    pub meals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Departure {
    pub date: Date,
    pub slots: u32,
}

/// A package as authored (fixtures) or submitted (`packages add`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// A city code of the market.
    pub destination: String,
    pub duration_days: u32,
    /// Per person, in minor units of `currency`.
    pub base_price: i64,
    pub currency: Currency,
    pub rating: f32,
    pub review_count: u32,
    pub includes: Vec<String>,
    pub itinerary: Vec<ItineraryDay>,
    pub departures: Vec<Departure>,
    #[serde(default)]
    pub featured: bool,
    pub max_group: u32,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl PackageSpec {
    /// Reads a package from JSON text, saying every missing, unknown or mistyped field at once
    /// (serde alone stops at the first). The checks of the values follow in `validate`.
    pub fn from_json(text: &str) -> Result<PackageSpec> {
        use serde::de::DeserializeOwned;
        use serde_json::{Map, Value};
        let fields: Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| Error::invalid(format!("not a JSON object: {e}")))?;
        fn check<T: DeserializeOwned>(v: &Value) -> Option<String> {
            serde_json::from_value::<T>(v.clone())
                .err()
                .map(|e| e.to_string())
        }
        // Each field of the struct above: its name, whether it is required, its type's check.
        type Field = (&'static str, bool, fn(&Value) -> Option<String>);
        let known: [Field; 17] = [
            ("id", true, check::<String>),
            ("slug", true, check::<String>),
            ("title", true, check::<String>),
            ("description", true, check::<String>),
            ("type", true, check::<String>),
            ("destination", true, check::<String>),
            ("duration_days", true, check::<u32>),
            ("base_price", true, check::<i64>),
            ("currency", true, check::<Currency>),
            ("rating", true, check::<f32>),
            ("review_count", true, check::<u32>),
            ("includes", true, check::<Vec<String>>),
            ("itinerary", true, check::<Vec<ItineraryDay>>),
            ("departures", true, check::<Vec<Departure>>),
            ("featured", false, check::<bool>),
            ("max_group", true, check::<u32>),
            ("tags", false, check::<Vec<String>>),
        ];
        let mut problems = Vec::new();
        for (name, required, check) in &known {
            match fields.get(*name) {
                None if *required => problems.push(format!("{name}: missing")),
                None => {}
                Some(v) => {
                    if let Some(e) = check(v) {
                        problems.push(format!("{name}: {e}"));
                    }
                }
            }
        }
        for name in fields.keys() {
            if !known.iter().any(|(n, ..)| n == name) {
                problems.push(format!("{name}: not a field of a package"));
            }
        }
        if !problems.is_empty() {
            let id = fields
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("(no id)");
            return Err(Error::invalid(format!(
                "{} in package {id}:\n  {}",
                count_problems(problems.len()),
                problems.join("\n  ")
            )));
        }
        serde_json::from_value(Value::Object(fields)).map_err(|e| Error::invalid(e.to_string()))
    }

    /// Every problem at once, field by field; `known_city` says whether a code is a market city.
    pub fn problems(&self, known_city: impl Fn(&str) -> bool) -> Vec<String> {
        let mut p = Vec::new();
        let slug_ok = |s: &str, sep: char| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep)
        };
        if !self.id.starts_with("pkg_") || !slug_ok(&self.id[self.id.len().min(4)..], '_') {
            p.push(format!(
                "id: '{}' must look like pkg_lower_snake_case",
                self.id
            ));
        }
        if !slug_ok(&self.slug, '-') {
            p.push(format!("slug: '{}' must be lower-kebab-case", self.slug));
        }
        if self.title.trim().len() < 5 || self.title.len() > 120 {
            p.push("title: 5 to 120 characters".into());
        }
        if self.description.trim().len() < 20 {
            p.push("description: at least 20 characters".into());
        }
        if !TYPES.contains(&self.kind.as_str()) {
            p.push(format!(
                "type: '{}' is not one of {}",
                self.kind,
                TYPES.join(", ")
            ));
        }
        if !known_city(&self.destination) {
            p.push(format!(
                "destination: '{}' is not a city code of the market",
                self.destination
            ));
        }
        if !(1..=60).contains(&self.duration_days) {
            p.push("duration_days: 1 to 60".into());
        }
        if self.base_price <= 0 {
            p.push("base_price: must be positive (minor units)".into());
        }
        if !(0.0..=5.0).contains(&self.rating) {
            p.push("rating: 0 to 5".into());
        }
        if self.includes.is_empty() {
            p.push("includes: at least one item".into());
        }
        if self.itinerary.len() != self.duration_days as usize {
            p.push(format!(
                "itinerary: {} days for a {}-day package",
                self.itinerary.len(),
                self.duration_days
            ));
        }
        for (i, d) in self.itinerary.iter().enumerate() {
            if d.day as usize != i + 1 {
                p.push(format!(
                    "itinerary[{i}].day: expected {}, found {}",
                    i + 1,
                    d.day
                ));
            }
            if d.title.trim().is_empty() {
                p.push(format!("itinerary[{i}].title: empty"));
            }
            for m in &d.meals {
                if !MEALS.contains(&m.as_str()) {
                    p.push(format!(
                        "itinerary[{i}].meals: '{m}' is not breakfast, lunch or dinner"
                    ));
                }
            }
        }
        if self.departures.is_empty() {
            p.push("departures: at least one".into());
        }
        for (i, d) in self.departures.iter().enumerate() {
            if d.slots == 0 || d.slots > self.max_group {
                p.push(format!(
                    "departures[{i}].slots: 1 to max_group ({})",
                    self.max_group
                ));
            }
            if i > 0 && d.date <= self.departures[i - 1].date {
                p.push(format!(
                    "departures[{i}].date: {} is not after the previous one",
                    d.date
                ));
            }
        }
        p
    }

    pub fn validate(&self, known_city: impl Fn(&str) -> bool) -> Result<()> {
        let problems = self.problems(known_city);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "{} in package {}:\n  {}",
                count_problems(problems.len()),
                self.id,
                problems.join("\n  ")
            )))
        }
    }
}

fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

/// Share off for a last-minute departure that is still at least half empty.
pub const DEAL_PERCENT: i64 = 15;
pub const DEAL_WINDOW_DAYS: i64 = 60;

/// Price per person of one departure: season, scarcity and last-minute deals.
/// Returns (price, list price before any deal, deal percent).
pub fn departure_price(
    base: Money,
    date: Date,
    slots: u32,
    sold: u32,
    today: Date,
    south: bool,
) -> (Money, Money, Option<u8>) {
    let season = 1000 + (fares::season(date, south) - 1000) / 2;
    let left = i64::from(slots.saturating_sub(sold));
    let share = if slots == 0 {
        0
    } else {
        left * 1000 / i64::from(slots)
    };
    let scarcity = match share {
        0..=249 => 1150,
        250..=499 => 1070,
        _ => 1000,
    };
    let unit = 10_i64.pow(base.currency.exponent());
    let round = |m: i64| ((m + unit / 2) / unit).max(1) * unit;
    let list = round(base.minor * season / 1000 * scarcity / 1000);
    let days = fares::days_between(today, date);
    let deal = (0..=DEAL_WINDOW_DAYS).contains(&days) && share >= 500;
    let price = if deal {
        round(list * (100 - DEAL_PERCENT) / 100)
    } else {
        list
    };
    (
        Money::new(price, base.currency),
        Money::new(list, base.currency),
        deal.then_some(DEAL_PERCENT as u8),
    )
}

/// Share off the day's price (deals included) for members: the roles that hold
/// [`crate::roles::Permission::MemberPrices`].
pub const MEMBER_PERCENT: i64 = 10;

/// A member's price for `price`: [`MEMBER_PERCENT`] off, rounded to whole units of the
/// currency like every package price (and never below one unit).
pub fn member_price(price: Money) -> Money {
    let unit = 10_i64.pow(price.currency.exponent());
    let off = price.minor * (100 - MEMBER_PERCENT) / 100;
    Money::new(((off + unit / 2) / unit).max(1) * unit, price.currency)
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PackageSort {
    #[default]
    Relevance,
    Price,
    Rating,
    Duration,
}

impl PackageSort {
    pub fn parse(s: &str) -> Result<PackageSort> {
        match s {
            "relevance" => Ok(PackageSort::Relevance),
            "price" => Ok(PackageSort::Price),
            "rating" => Ok(PackageSort::Rating),
            "duration" => Ok(PackageSort::Duration),
            _ => Err(Error::invalid(format!(
                "unknown sort '{s}': use relevance, price, rating or duration"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PackageSummary {
    pub id: String,
    pub slug: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub destination: String,
    pub destination_name: String,
    pub country: String,
    pub continent: String,
    pub duration_days: u32,
    /// Base price per person.
    pub base_price: Money,
    pub rating: f32,
    pub review_count: u32,
    pub featured: bool,
    /// The base price per person for members ([`member_price`]): only in what a member is
    /// shown (search, filters and sorts use the public price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_price: Option<Money>,
}

impl PackageSummary {
    /// Shows the member price (for a traveller who holds the permission).
    pub fn with_member_price(mut self) -> PackageSummary {
        self.member_price = Some(member_price(self.base_price));
        self
    }
}
