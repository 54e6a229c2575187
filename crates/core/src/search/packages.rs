//! The package catalogue's rules: filing and upserting packages, text search (every word over
//! title, description, destination and activities, the words bounded here) with filters, sorts
//! and facet counts, featured and deals lists, and the availability calendar. The index itself
//! is the store's [`PackageIndex`](crate::store::PackageIndex).

use crate::error::{Error, Result};
use crate::model::Money;
use crate::model::package::{ItineraryDay, PackageSpec, departure_price, member_price};
pub use crate::model::package::{PackageSort, PackageSummary};
use crate::places::{Places, countries};
use crate::store::Unit;
use crate::store::port::{Filing, IndexQuery, PlaceFilter, Word};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PackageQuery {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// City code, city name, country code or country name.
    #[serde(default)]
    pub destination: Option<String>,
    /// Per person, base price, EUR.
    #[serde(default)]
    pub min_price: Option<Money>,
    #[serde(default)]
    pub max_price: Option<Money>,
    #[serde(default)]
    pub min_days: Option<u32>,
    #[serde(default)]
    pub max_days: Option<u32>,
    #[serde(default)]
    pub min_rating: Option<f32>,
    /// First day of the month a departure must fall in.
    #[serde(default)]
    pub month: Option<Date>,
    #[serde(default)]
    pub sort: PackageSort,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Facets {
    #[serde(rename = "type")]
    pub kind: BTreeMap<String, usize>,
    pub continent: BTreeMap<String, usize>,
    pub duration: BTreeMap<String, usize>,
    pub price: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PackageResults {
    pub total: usize,
    pub packages: Vec<PackageSummary>,
    pub facets: Facets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartureStatus {
    pub date: Date,
    pub slots: u32,
    pub slots_left: u32,
    /// Per person.
    pub price: Money,
    pub list_price: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_percent: Option<u8>,
    /// Per person, for members ([`member_price`] of `price`): only shown to members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_price: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PackageDetail {
    #[serde(flatten)]
    pub summary: PackageSummary,
    pub description: String,
    pub includes: Vec<String>,
    pub tags: Vec<String>,
    pub itinerary: Vec<ItineraryDay>,
    pub departures: Vec<DepartureStatus>,
    pub max_group: u32,
}

impl PackageDetail {
    /// Shows the member prices (for a traveller who holds the permission).
    pub fn with_member_prices(mut self) -> PackageDetail {
        self.summary = self.summary.with_member_price();
        for d in &mut self.departures {
            d.member_price = Some(member_price(d.price));
        }
        self
    }
}

impl PackageResults {
    /// Shows the member prices (for a traveller who holds the permission).
    pub fn with_member_prices(mut self) -> PackageResults {
        self.packages = self
            .packages
            .into_iter()
            .map(PackageSummary::with_member_price)
            .collect();
        self
    }
}

impl Deal {
    /// Shows the member prices (for a traveller who holds the permission).
    pub fn with_member_prices(mut self) -> Deal {
        self.package = self.package.with_member_price();
        self.departure.member_price = Some(member_price(self.departure.price));
        self
    }
}

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct Body {
    includes: Vec<String>,
    itinerary: Vec<ItineraryDay>,
    tags: Vec<String>,
}

/// Writes (inserts or replaces) a validated package and its search index entry.
pub fn upsert(
    unit: &dyn Unit,
    places: &Places,
    spec: &PackageSpec,
    owner: Option<&str>,
    source: &str,
    now: i64,
) -> Result<()> {
    let city = places
        .city(&spec.destination)
        .ok_or_else(|| Error::invalid(format!("unknown destination {}", spec.destination)))?;
    let tz = city
        .airports
        .first()
        .map(|&i| places.airports[i].tz.as_str())
        .unwrap_or("UTC");
    let continent = countries::continent(tz, &city.country);
    let country_name = countries::name(&city.country).unwrap_or(&city.country);
    let body = serde_json::to_string(&Body {
        includes: spec.includes.clone(),
        itinerary: spec.itinerary.clone(),
        tags: spec.tags.clone(),
    })?;
    let activities: Vec<&str> = spec
        .itinerary
        .iter()
        .flat_map(|d| {
            [d.title.as_str(), d.description.as_str()]
                .into_iter()
                .chain(d.activities.iter().map(String::as_str))
        })
        .chain(spec.tags.iter().map(String::as_str))
        .collect();
    unit.packages().put(
        spec,
        &Filing {
            destination_name: &city.name,
            country: &city.country,
            continent,
            body: &body,
            place_words: &format!("{} {} {} {}", city.name, city.code, country_name, continent),
            activities: &activities.join(" "),
            owner,
            source,
            now,
        },
    )
}

/// The furthest a page of search results may start.
pub const MAX_OFFSET: usize = 10_000;

/// What a save through the facade may write: `spec` with the fields its author does not
/// decide set from `stored` (the package as saved, `None` for a new one). Rating and review
/// count come from reviews only: a saved package keeps its own, a new one starts at 0 and 0.
/// Only admins (`may_feature`) feature a package; anyone else keeps the stored flag, and is
/// refused when they try to turn it on. The slug must be no other package's (`slug_owner`:
/// the id of the package that has it).
pub fn authored(
    spec: &PackageSpec,
    stored: Option<&PackageSummary>,
    slug_owner: Option<&str>,
    may_feature: bool,
) -> Result<PackageSpec> {
    if let Some(other) = slug_owner
        && other != spec.id
    {
        return Err(Error::Conflict(format!(
            "the slug '{}' is another package's: choose another slug",
            spec.slug
        )));
    }
    let mut out = spec.clone();
    let stored_featured = stored.is_some_and(|s| s.featured);
    if !may_feature {
        if spec.featured && !stored_featured {
            return Err(Error::Forbidden(
                "only admins feature packages: send \"featured\": false or leave it out".into(),
            ));
        }
        out.featured = stored_featured;
    }
    (out.rating, out.review_count) = stored.map_or((0.0, 0), |s| (s.rating, s.review_count));
    Ok(out)
}

/// Longest search text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Most words one search may hold; each becomes a term every match must contain.
pub const MAX_WORDS: usize = 8;
/// Words shorter than this are left out of a text that has longer ones (they are mostly
/// "in", "of", "a"), and match whole, not as a prefix, when they are all there is: a
/// one-letter prefix term ("a*") expands to most of the index, and a few hundred of them made
/// one query run for minutes.
const MIN_PREFIX_CHARS: usize = 3;
/// How long one package search may run before it is stopped.
pub const SEARCH_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Turns free text into the words of a search: every word of three letters or more must
/// match, as a prefix (shorter words only count, whole, when they are all there is). The text
/// is bounded: at most [`MAX_TEXT_CHARS`] characters and [`MAX_WORDS`] distinct words, otherwise
/// the search is refused with the limit.
fn search_words(text: &str) -> Result<Vec<Word>> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid(format!(
            "the search text is {} characters long: use at most {MAX_TEXT_CHARS}",
            text.chars().count()
        )));
    }
    let normalized = crate::places::text::normalize(text);
    let mut words: Vec<&str> = Vec::new();
    for w in normalized.split(' ').filter(|w| !w.is_empty()) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.len() > MAX_WORDS {
        return Err(Error::invalid(format!(
            "the search text has {} different words: use at most {MAX_WORDS}",
            words.len()
        )));
    }
    let long = |w: &str| w.len() >= MIN_PREFIX_CHARS;
    let word = |w: &str, prefix| Word {
        text: w.to_string(),
        prefix,
    };
    Ok(if words.iter().any(|w| long(w)) {
        words
            .iter()
            .filter(|w| long(w))
            .map(|w| word(w, true))
            .collect()
    } else {
        words.iter().map(|w| word(w, false)).collect()
    })
}

/// Searches the catalogue in SQL. Bounded in time by the budget the caller set on `unit`
/// (`store::with_budget` with [`SEARCH_BUDGET`]). The straightforward path: the faces search
/// through [`search_indexed`], which gives the same results from memory.
pub fn search(unit: &dyn Unit, places: &Places, q: &PackageQuery) -> Result<PackageResults> {
    Ok(results(unit.packages().search(&index_query(places, q)?)?))
}

/// Searches the catalogue through `index` (kept in memory, in step with the store: see
/// [`PackageSearch`]); the same results as [`search`].
pub fn search_indexed(
    index: &PackageSearch,
    store: &crate::store::Store,
    places: &Places,
    q: &PackageQuery,
) -> Result<PackageResults> {
    Ok(results(index.find(store, &index_query(places, q)?)?))
}

/// The query checked and bounded, as the index reads it.
fn index_query(places: &Places, q: &PackageQuery) -> Result<IndexQuery> {
    if let Some(k) = &q.kind
        && !crate::model::package::TYPES.contains(&k.as_str())
    {
        return Err(Error::invalid(format!(
            "unknown package type '{k}': use adventure, luxury, budget or cultural"
        )));
    }
    if let (Some(a), Some(b)) = (q.min_days, q.max_days)
        && a > b
    {
        return Err(Error::invalid("--min-days is above --max-days"));
    }
    super::check_max_price(q.max_price)?;
    if q.min_price.is_some_and(|m| m.minor < 0) {
        return Err(Error::invalid("--min-price cannot be negative"));
    }
    if let (Some(a), Some(b)) = (q.min_price, q.max_price)
        && a.minor > b.minor
    {
        return Err(Error::invalid("--min-price is above --max-price"));
    }
    if let Some(r) = q.min_rating
        && !(0.0..=5.0).contains(&r)
    {
        return Err(Error::invalid(format!(
            "--min-rating {r}: ratings are 0 to 5"
        )));
    }
    if let Some(offset) = q.offset
        && offset > MAX_OFFSET
    {
        return Err(Error::invalid(format!(
            "offset {offset} is too far: page through at most {MAX_OFFSET} results, or narrow the search"
        )));
    }
    let words = match q.text.as_deref() {
        Some(t) => search_words(t)?,
        None => Vec::new(),
    };
    let place = match &q.destination {
        Some(d) => {
            let upper = d.trim().to_ascii_uppercase();
            Some(if let Some(code) = countries::code(d) {
                PlaceFilter::CountryOrCity {
                    country: code.to_string(),
                    city: upper,
                }
            } else if places.city(&upper).is_some() {
                PlaceFilter::City(upper)
            } else {
                let place = places.resolve(d)?;
                PlaceFilter::City(places.city_of(place.airports[0]).code.clone())
            })
        }
        None => None,
    };
    Ok(IndexQuery {
        words,
        kind: q.kind.clone(),
        place,
        min_price: q.min_price.map(|m| m.minor),
        max_price: q.max_price.map(|m| m.minor),
        min_days: q.min_days,
        max_days: q.max_days,
        min_rating: q.min_rating,
        departing: q.month.map(|m| (m.first_of_month(), m.last_of_month())),
        sort: q.sort,
        limit: q.limit.unwrap_or(20).min(200),
        offset: q.offset.unwrap_or(0),
    })
}

/// A page and its facets, added up by facet.
fn results(found: crate::store::port::Found) -> PackageResults {
    let mut facets = Facets::default();
    let mut total = 0;
    for cell in found.facets {
        let n = cell.count;
        total += n;
        *facets.kind.entry(cell.kind).or_default() += n;
        *facets.continent.entry(cell.continent).or_default() += n;
        *facets.duration.entry(cell.duration).or_default() += n;
        *facets.price.entry(cell.price).or_default() += n;
    }
    PackageResults {
        total,
        packages: found.packages,
        facets,
    }
}

/// One package, whole, with its departures priced for `today`.
pub fn get(unit: &dyn Unit, places: &Places, id: &str, today: Date) -> Result<PackageDetail> {
    let stored = unit.packages().detail(id)?.ok_or_else(|| {
        Error::NotFound(format!("no package '{id}': try `booksygo packages list`"))
    })?;
    let body: Body = serde_json::from_str(&stored.body)?;
    let departures = calendar(unit, places, &stored.summary, today)?;
    Ok(PackageDetail {
        summary: stored.summary,
        description: stored.description,
        includes: body.includes,
        tags: body.tags,
        itinerary: body.itinerary,
        departures,
        max_group: stored.max_group,
    })
}

fn south(places: &Places, city: &str) -> bool {
    places
        .city(city)
        .and_then(|c| c.airports.first())
        .is_some_and(|&i| places.airports[i].lat < 0.0)
}

/// Upcoming departures with places left and today's price.
pub fn calendar(
    unit: &dyn Unit,
    places: &Places,
    p: &PackageSummary,
    today: Date,
) -> Result<Vec<DepartureStatus>> {
    let south = south(places, &p.destination);
    let mut out = Vec::new();
    for d in unit.packages().departures(&p.id, today)? {
        let (price, list_price, deal_percent) =
            departure_price(p.base_price, d.date, d.slots, d.sold, today, south);
        out.push(DepartureStatus {
            date: d.date,
            slots: d.slots,
            slots_left: d.slots.saturating_sub(d.sold),
            price,
            list_price,
            deal_percent,
            member_price: None,
        });
    }
    Ok(out)
}

pub fn featured(unit: &dyn Unit, limit: usize) -> Result<Vec<PackageSummary>> {
    unit.packages().featured(limit)
}

/// A package with a departure on a last-minute deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Deal {
    pub package: PackageSummary,
    pub departure: DepartureStatus,
}

pub fn deals(unit: &dyn Unit, places: &Places, today: Date, limit: usize) -> Result<Vec<Deal>> {
    let horizon = today
        .checked_add(jiff::Span::new().days(crate::model::package::DEAL_WINDOW_DAYS))
        .unwrap_or(today);
    let candidates = unit.packages().deal_candidates(today, horizon)?;
    let mut out = Vec::new();
    for p in candidates {
        if let Some(d) = calendar(unit, places, &p, today)?
            .into_iter()
            .find(|d| d.deal_percent.is_some())
        {
            out.push(Deal {
                package: p,
                departure: d,
            });
        }
    }
    out.sort_by_key(|d| (d.departure.date, d.package.id.clone()));
    out.truncate(limit);
    Ok(out)
}

/// Loads every fixture package (validated) into the store.
pub fn load_fixtures(
    unit: &dyn Unit,
    places: &Places,
    specs: &[PackageSpec],
    now: i64,
) -> Result<usize> {
    for spec in specs {
        spec.validate(|c| places.city(c).is_some())?;
        upsert(unit, places, spec, None, "fixture", now)?;
    }
    Ok(specs.len())
}

/// Loads the packages of the embedded fixtures when they changed (validated against the
/// market's cities), in one write transaction that it opens on `unit` (so a unit outside any
/// transaction: a pooled connection). Sold places on departures that remain are kept.
pub fn ensure_loaded(
    store: &crate::store::Store,
    places: &crate::places::Places,
    now: i64,
) -> Result<bool> {
    use crate::fixtures::VERSION;
    if store.read(|u| u.packages().fixture_version())?.as_deref() == Some(VERSION) {
        return Ok(false);
    }
    let specs = crate::fixtures::packages()?;
    store.write(|u| {
        u.take_turn("package fixtures")?;
        if u.packages().fixture_version()?.as_deref() == Some(VERSION) {
            return Ok(false); // another process loaded them while we waited
        }
        load_fixtures(u, places, &specs, now)?;
        u.packages().set_fixture_version(VERSION)?;
        Ok(true)
    })
}

#[path = "package_index.rs"]
mod index;
#[path = "package_text.rs"]
mod package_text;
pub use index::{PackageSearch, Path as SearchPath};

#[cfg(test)]
#[path = "packages_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod query_tests {
    use super::*;

    fn words(text: &str) -> Result<Vec<(String, bool)>> {
        Ok(search_words(text)?
            .into_iter()
            .map(|w| (w.text, w.prefix))
            .collect())
    }

    #[test]
    fn text_becomes_bounded_prefix_words() {
        let w = |t: &str, prefix| (t.to_string(), prefix);
        assert_eq!(
            words("Trek, in the Himalaya!").unwrap(),
            [w("trek", true), w("the", true), w("himalaya", true)]
        );
        // Repeated words count once; short words alone match whole.
        assert_eq!(words("a a a a a a a a a a a a").unwrap(), [w("a", false)]);
        assert!(words("  ,;  ").unwrap().is_empty());
        let long = search_words(&"a ".repeat(1000)).unwrap_err();
        assert!(long.to_string().contains("use at most 200"), "{long}");
        let many = search_words("one two three four five six seven eight nine").unwrap_err();
        assert!(many.to_string().contains("9 different words"), "{many}");
        assert!(search_words("one two three four five six seven eight").is_ok());
    }
}
