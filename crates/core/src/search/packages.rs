//! Package catalogue in SQLite: loading and upserting packages, full-text search (FTS5 over
//! title, description, destination and activities) with filters, sorts and facet counts,
//! featured and deals lists, and the availability calendar.

use crate::error::{Error, Result};
use crate::model::package::{ItineraryDay, PackageSpec, departure_price};
use crate::model::{Currency, Money};
use crate::places::{Places, countries};
use crate::store;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct Body {
    includes: Vec<String>,
    itinerary: Vec<ItineraryDay>,
    tags: Vec<String>,
}

/// Writes (inserts or replaces) a validated package and its search index entry.
pub fn upsert(
    conn: &Connection,
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
    let old_rowid: Option<i64> = conn
        .query_row(
            "SELECT rowid FROM packages WHERE id = ?1",
            [&spec.id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(rowid) = old_rowid {
        conn.execute("DELETE FROM packages_fts WHERE rowid = ?1", [rowid])?;
        conn.execute(
            "UPDATE packages SET slug=?2, title=?3, description=?4, type=?5, destination=?6, destination_name=?7, country=?8,
                 continent=?9, duration_days=?10, base_price=?11, currency=?12, rating=?13, review_count=?14, featured=?15,
                 max_group=?16, updated_at=?17 WHERE id=?1",
            params![spec.id, spec.slug, spec.title, spec.description, spec.kind, spec.destination, city.name, city.country,
                continent, spec.duration_days, spec.base_price, spec.currency.as_str(), f64::from(spec.rating), spec.review_count,
                spec.featured, spec.max_group, now],
        )?;
    } else {
        conn.execute(
            "INSERT INTO packages(id, slug, title, description, type, destination, destination_name, country, continent,
                 duration_days, base_price, currency, rating, review_count, featured, max_group, owner_id, source, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![spec.id, spec.slug, spec.title, spec.description, spec.kind, spec.destination, city.name, city.country,
                continent, spec.duration_days, spec.base_price, spec.currency.as_str(), f64::from(spec.rating), spec.review_count,
                spec.featured, spec.max_group, owner, source, now],
        )?;
    }
    conn.execute(
        "INSERT INTO package_bodies(package_id, body) VALUES (?1, ?2)
         ON CONFLICT(package_id) DO UPDATE SET body = excluded.body",
        params![spec.id, body],
    )?;
    let rowid: i64 = conn.query_row(
        "SELECT rowid FROM packages WHERE id = ?1",
        [&spec.id],
        |r| r.get(0),
    )?;
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
    conn.execute(
        "INSERT INTO packages_fts(rowid, title, description, destination, activities) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![rowid, spec.title, spec.description, format!("{} {} {} {}", city.name, city.code, country_name, continent), activities.join(" ")],
    )?;
    // Departures: keep what was sold on dates that remain; never below what is sold.
    for d in &spec.departures {
        conn.execute(
            "INSERT INTO package_departures(package_id, date, slots) VALUES (?1, ?2, ?3)
             ON CONFLICT(package_id, date) DO UPDATE SET slots = max(excluded.slots, sold)",
            params![spec.id, d.date.to_string(), d.slots],
        )?;
    }
    Ok(())
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

/// Turns free text into a safe FTS5 query: every word of three letters or more must match,
/// as a prefix (shorter words only count when they are all there is). The text is bounded: at most [`MAX_TEXT_CHARS`] characters and
/// [`MAX_WORDS`] distinct words, otherwise the search is refused with the limit.
fn fts_query(text: &str) -> Result<Option<String>> {
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
    let terms: Vec<String> = if words.iter().any(|w| long(w)) {
        words
            .iter()
            .filter(|w| long(w))
            .map(|w| format!("\"{w}\"*"))
            .collect()
    } else {
        words.iter().map(|w| format!("\"{w}\"")).collect()
    };
    Ok((!terms.is_empty()).then(|| terms.join(" ")))
}

const SUMMARY_COLUMNS: &str =
    "p.id, p.slug, p.title, p.type, p.destination, p.destination_name, p.country, p.continent,
    p.duration_days, p.base_price, p.currency, p.rating, p.review_count, p.featured";

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<PackageSummary> {
    let currency: String = r.get(10)?;
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let rating: f64 = r.get(11)?;
    Ok(PackageSummary {
        id: r.get(0)?,
        slug: r.get(1)?,
        title: r.get(2)?,
        kind: r.get(3)?,
        destination: r.get(4)?,
        destination_name: r.get(5)?,
        country: r.get(6)?,
        continent: r.get(7)?,
        duration_days: r.get(8)?,
        base_price: Money::new(r.get(9)?, currency),
        rating: rating as f32,
        review_count: r.get(12)?,
        featured: r.get(13)?,
    })
}

pub fn search(conn: &Connection, places: &Places, q: &PackageQuery) -> Result<PackageResults> {
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
    if let (Some(a), Some(b)) = (q.min_price, q.max_price)
        && a.minor > b.minor
    {
        return Err(Error::invalid("--min-price is above --max-price"));
    }
    let mut wheres: Vec<String> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut from = "packages p".to_string();
    let text = match q.text.as_deref() {
        Some(t) => fts_query(t)?,
        None => None,
    };
    if let Some(t) = &text {
        from = "packages_fts f JOIN packages p ON p.rowid = f.rowid".into();
        wheres.push("packages_fts MATCH ?".into());
        args.push(t.clone().into());
    }
    if let Some(k) = &q.kind {
        wheres.push("p.type = ?".into());
        args.push(k.clone().into());
    }
    if let Some(d) = &q.destination {
        let upper = d.trim().to_ascii_uppercase();
        if let Some(code) = countries::code(d) {
            wheres.push("(p.country = ? OR p.destination = ?)".into());
            args.push(code.to_string().into());
            args.push(upper.into());
        } else if places.city(&upper).is_some() {
            wheres.push("p.destination = ?".into());
            args.push(upper.into());
        } else {
            let place = places.resolve(d)?;
            wheres.push("p.destination = ?".into());
            args.push(places.city_of(place.airports[0]).code.clone().into());
        }
    }
    if let Some(m) = q.min_price {
        wheres.push("p.base_price >= ?".into());
        args.push(m.minor.into());
    }
    if let Some(m) = q.max_price {
        wheres.push("p.base_price <= ?".into());
        args.push(m.minor.into());
    }
    if let Some(n) = q.min_days {
        wheres.push("p.duration_days >= ?".into());
        args.push(i64::from(n).into());
    }
    if let Some(n) = q.max_days {
        wheres.push("p.duration_days <= ?".into());
        args.push(i64::from(n).into());
    }
    if let Some(r) = q.min_rating {
        wheres.push("p.rating >= ?".into());
        args.push(f64::from(r).into());
    }
    if let Some(m) = q.month {
        wheres.push("EXISTS (SELECT 1 FROM package_departures d WHERE d.package_id = p.id AND d.date BETWEEN ? AND ? AND d.sold < d.slots)".into());
        args.push(m.first_of_month().to_string().into());
        args.push(m.last_of_month().to_string().into());
    }
    let where_sql = if wheres.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", wheres.join(" AND "))
    };
    let order = match (q.sort, text.is_some()) {
        (PackageSort::Relevance, true) => "bm25(packages_fts, 10.0, 2.0, 5.0, 1.0), p.rating DESC",
        (PackageSort::Relevance, false) => "p.featured DESC, p.rating DESC, p.review_count DESC",
        (PackageSort::Price, _) => "p.base_price, p.rating DESC",
        (PackageSort::Rating, _) => "p.rating DESC, p.review_count DESC",
        (PackageSort::Duration, _) => "p.duration_days, p.base_price",
    };
    let limit = q.limit.unwrap_or(20).min(200);
    // SQLite's OFFSET is a signed 64-bit integer; anything past the catalogue is empty anyway.
    let offset = q.offset.unwrap_or(0).min(i64::MAX as usize);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM {from} {where_sql} ORDER BY {order}, p.id LIMIT {limit} OFFSET {offset}"
    );
    let packages = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args.iter()), summary_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Facets over everything that matched, in one pass.
    let facet_sql = format!(
        "SELECT p.type, p.continent,
            CASE WHEN p.duration_days <= 4 THEN '1-4' WHEN p.duration_days <= 7 THEN '5-7' WHEN p.duration_days <= 10 THEN '8-10' ELSE '11+' END,
            CASE WHEN p.base_price < 100000 THEN 'under 1000' WHEN p.base_price < 250000 THEN '1000-2500' WHEN p.base_price < 500000 THEN '2500-5000' ELSE '5000+' END,
            count(*)
         FROM {from} {where_sql} GROUP BY 1, 2, 3, 4"
    );
    let mut facets = Facets::default();
    let mut total = 0;
    let mut stmt = conn.prepare_cached(&facet_sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(4)?;
        let n = n as usize;
        total += n;
        *facets.kind.entry(r.get(0)?).or_default() += n;
        *facets.continent.entry(r.get(1)?).or_default() += n;
        *facets.duration.entry(r.get(2)?).or_default() += n;
        *facets.price.entry(r.get(3)?).or_default() += n;
    }
    Ok(PackageResults {
        total,
        packages,
        facets,
    })
}

/// One package, whole, with its departures priced for `today`.
pub fn get(conn: &Connection, places: &Places, id: &str, today: Date) -> Result<PackageDetail> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, p.description, b.body, p.max_group FROM packages p
                 JOIN package_bodies b ON b.package_id = p.id WHERE p.id = ?1 OR p.slug = ?1"
            ),
            [id],
            |r| {
                Ok((
                    summary_from_row(r)?,
                    r.get::<_, String>(14)?,
                    r.get::<_, String>(15)?,
                    r.get::<_, u32>(16)?,
                ))
            },
        )
        .optional()?;
    let (summary, description, body, max_group) = row.ok_or_else(|| {
        Error::NotFound(format!("no package '{id}': try `booksygo packages list`"))
    })?;
    let body: Body = serde_json::from_str(&body)?;
    let departures = calendar(conn, places, &summary, today)?;
    Ok(PackageDetail {
        summary,
        description,
        includes: body.includes,
        tags: body.tags,
        itinerary: body.itinerary,
        departures,
        max_group,
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
    conn: &Connection,
    places: &Places,
    p: &PackageSummary,
    today: Date,
) -> Result<Vec<DepartureStatus>> {
    let mut stmt = conn.prepare_cached("SELECT date, slots, sold FROM package_departures WHERE package_id = ?1 AND date >= ?2 ORDER BY date")?;
    let rows = stmt.query_map(params![p.id, today.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })?;
    let south = south(places, &p.destination);
    let mut out = Vec::new();
    for row in rows {
        let (date, slots, sold) = row?;
        let date: Date = date.parse().map_err(Error::internal)?;
        let (price, list_price, deal_percent) =
            departure_price(p.base_price, date, slots, sold, today, south);
        out.push(DepartureStatus {
            date,
            slots,
            slots_left: slots.saturating_sub(sold),
            price,
            list_price,
            deal_percent,
        });
    }
    Ok(out)
}

pub fn featured(conn: &Connection, limit: usize) -> Result<Vec<PackageSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM packages p WHERE p.featured = 1 ORDER BY p.rating DESC, p.review_count DESC LIMIT ?1"
    ))?;
    Ok(stmt
        .query_map([limit as i64], summary_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// A package with a departure on a last-minute deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Deal {
    pub package: PackageSummary,
    pub departure: DepartureStatus,
}

pub fn deals(conn: &Connection, places: &Places, today: Date, limit: usize) -> Result<Vec<Deal>> {
    let horizon = today
        .checked_add(jiff::Span::new().days(crate::model::package::DEAL_WINDOW_DAYS))
        .unwrap_or(today);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT {SUMMARY_COLUMNS} FROM packages p JOIN package_departures d ON d.package_id = p.id
         WHERE d.date BETWEEN ?1 AND ?2 AND d.sold * 2 <= d.slots"
    ))?;
    let candidates: Vec<PackageSummary> = stmt
        .query_map(
            params![today.to_string(), horizon.to_string()],
            summary_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for p in candidates {
        if let Some(d) = calendar(conn, places, &p, today)?
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
    conn: &Connection,
    places: &Places,
    specs: &[PackageSpec],
    now: i64,
) -> Result<usize> {
    for spec in specs {
        spec.validate(|c| places.city(c).is_some())?;
        upsert(conn, places, spec, None, "fixture", now)?;
    }
    Ok(specs.len())
}

/// Loads the packages of the embedded fixtures when they changed (validated against the
/// market's cities). Sold places on departures that remain are kept.
pub fn ensure_loaded(
    conn: &mut Connection,
    places: &crate::places::Places,
    now: i64,
) -> Result<bool> {
    if store::get_meta(conn, "package_fixture_version")?.as_deref()
        == Some(crate::fixtures::VERSION)
    {
        return Ok(false);
    }
    let specs = crate::fixtures::packages()?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if store::get_meta(&tx, "package_fixture_version")?.as_deref() == Some(crate::fixtures::VERSION)
    {
        return Ok(false);
    }
    load_fixtures(&tx, places, &specs, now)?;
    store::set_meta(&tx, "package_fixture_version", crate::fixtures::VERSION)?;
    tx.commit()?;
    Ok(true)
}

#[cfg(test)]
mod query_tests {
    use super::*;

    #[test]
    fn text_becomes_bounded_prefix_terms() {
        assert_eq!(
            fts_query("Trek, in the Himalaya!").unwrap().unwrap(),
            "\"trek\"* \"the\"* \"himalaya\"*"
        );
        // Repeated words count once.
        assert_eq!(
            fts_query("a a a a a a a a a a a a").unwrap().unwrap(),
            "\"a\""
        );
        assert_eq!(fts_query("  ,;  ").unwrap(), None);
        let long = fts_query(&"a ".repeat(1000)).unwrap_err();
        assert!(long.to_string().contains("use at most 200"), "{long}");
        let many = fts_query("one two three four five six seven eight nine").unwrap_err();
        assert!(many.to_string().contains("9 different words"), "{many}");
        assert!(fts_query("one two three four five six seven eight").is_ok());
    }
}
