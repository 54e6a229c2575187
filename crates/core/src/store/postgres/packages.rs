//! The package index on PostgreSQL: the catalogue tables, full-text search on the generated
//! `search` tsvector of `packages` (GIN; weights title A, destination B, description C,
//! activities D), facet counts in one pass, and the fixtures' version in `meta`.
//!
//! The text search, against SQLite's FTS5:
//! - each word of the rule becomes a term every match must contain (`&`), `word:*` when it is
//!   a prefix; only its letters and digits reach `to_tsquery`, quoted, so no word is query
//!   syntax. The `english` configuration stems the terms as it stemmed the documents (Snowball,
//!   where FTS5 uses Porter: a few words stem apart, "trekking" is "trekk" here, "trek" there)
//!   and drops stop words ("the", "and"); a search of stop words only has no text to match
//!   and finds what its filters find.
//! - relevance is `ts_rank_cd` with the weights of SQLite's bm25 (title 10, destination 5,
//!   description 2, activities 1, scaled to 1.0, 0.5, 0.2, 0.1), normalized by the document's
//!   length; bm25 also weighs how rare a word is in the catalogue, `ts_rank_cd` does not, so
//!   matches may come in another order than on SQLite (the same matches, the same facets).
//! - the destination and activity words are stored folded (accents off, as the rule folds
//!   the words searched), as FTS5's `remove_diacritics` folds them; title and description are
//!   the package's own columns and keep their accents.

use super::catalogue::to_u32;
use super::unit::{PgUnit, get};
use crate::error::{Error, Result};
use crate::model::Currency;
use crate::model::Money;
use crate::model::package::PackageSpec;
use crate::model::package::{PackageSort, PackageSummary};
use crate::store::port::{
    Catalogue, DepartureRow, FacetCount, Filing, Found, IndexDeparture, IndexQuery, IndexRow,
    IndexVersions, PackageIndex, PlaceFilter, StoredPackage, Word,
};
use jiff::civil::Date;
use std::collections::HashMap;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

const SUMMARY_COLUMNS: &str =
    "p.id, p.slug, p.title, p.type, p.destination, p.destination_name, p.country, p.continent,
    p.duration_days, p.base_price, p.currency, p.rating, p.review_count, p.featured";

/// The rank of a match: the bm25 weights of the SQLite side, by tsvector weight {D, C, B, A},
/// normalized by the length of the document (1: divided by 1 + its log).
const RANK: &str = "ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', p.search, CAST($1::TEXT AS tsquery), 1)";

fn summary_from_row(r: &Row) -> Result<PackageSummary> {
    let currency: String = get(r, 10)?;
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let rating: f64 = get(r, 11)?;
    Ok(PackageSummary {
        id: get(r, 0)?,
        slug: get(r, 1)?,
        title: get(r, 2)?,
        kind: get(r, 3)?,
        destination: get(r, 4)?,
        destination_name: get(r, 5)?,
        country: get(r, 6)?,
        continent: get(r, 7)?,
        duration_days: to_u32(get(r, 8)?, "packages.duration_days")?,
        base_price: Money::new(get(r, 9)?, currency),
        rating: rating as f32,
        review_count: to_u32(get(r, 12)?, "packages.review_count")?,
        featured: get(r, 13)?,
        member_price: None,
    })
}

/// The `to_tsquery` text of the words: each word's runs of letters and digits, quoted (they
/// hold no quote, backslash or operator), `:*` on a prefix word's, all joined by `&`; `None`
/// when no word has a letter or digit.
fn tsquery_text(words: &[Word]) -> Option<String> {
    let terms: Vec<String> = words
        .iter()
        .flat_map(|w| {
            w.text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|part| !part.is_empty())
                .map(move |part| {
                    if w.prefix {
                        format!("'{part}':*")
                    } else {
                        format!("'{part}'")
                    }
                })
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// Text for the search columns: folded (lower case, accents off, punctuation a space) when it
/// has other than ASCII, as FTS5's `remove_diacritics` reads it.
fn folded(text: &str) -> String {
    if text.is_ascii() {
        text.to_string()
    } else {
        crate::places::text::normalize(text)
    }
}

/// A write that breaks a package's unique slug is a conflict, named without the engine's text.
fn unique<T>(done: Result<T>, spec: &PackageSpec) -> Result<T> {
    match done {
        Err(e) if super::unit::is_sqlstate(&e, super::unit::UNIQUE_VIOLATION) => {
            Err(Error::Conflict(format!(
                "a package with the id '{}' or the slug '{}' exists already",
                spec.id, spec.slug
            )))
        }
        other => other,
    }
}

/// Statement parameters built alongside the statement's text.
#[derive(Default)]
struct Params {
    values: Vec<Box<dyn ToSql + Sync>>,
}

impl Params {
    /// Adds `value`; its placeholder (`$n`).
    fn add(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values.iter().map(|v| v.as_ref()).collect()
    }
}

impl PackageIndex for PgUnit<'_> {
    fn put(&self, spec: &PackageSpec, f: &Filing<'_>) -> Result<()> {
        // One statement: inserted, or updated in place (its owner and source kept).
        let done = self.execute(
            "INSERT INTO packages(id, slug, title, description, type, destination, destination_name,
                 country, continent, duration_days, base_price, currency, rating, review_count,
                 featured, max_group, owner_id, source, updated_at, search_destination,
                 search_activities)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21)
             ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, title = excluded.title,
                 description = excluded.description, type = excluded.type,
                 destination = excluded.destination, destination_name = excluded.destination_name,
                 country = excluded.country, continent = excluded.continent,
                 duration_days = excluded.duration_days, base_price = excluded.base_price,
                 currency = excluded.currency, rating = excluded.rating,
                 review_count = excluded.review_count, featured = excluded.featured,
                 max_group = excluded.max_group, updated_at = excluded.updated_at,
                 search_destination = excluded.search_destination,
                 search_activities = excluded.search_activities",
            &[
                &spec.id,
                &spec.slug,
                &spec.title,
                &spec.description,
                &spec.kind,
                &spec.destination,
                &f.destination_name,
                &f.country,
                &f.continent,
                &i64::from(spec.duration_days),
                &spec.base_price,
                &spec.currency.as_str(),
                &f64::from(spec.rating),
                &i64::from(spec.review_count),
                &spec.featured,
                &i64::from(spec.max_group),
                &f.owner,
                &f.source,
                &f.now,
                &folded(f.place_words),
                &folded(f.activities),
            ],
        );
        unique(done, spec)?;
        self.execute(
            "INSERT INTO package_bodies(package_id, body) VALUES ($1, $2)
             ON CONFLICT (package_id) DO UPDATE SET body = excluded.body",
            &[&spec.id, &f.body],
        )?;
        // Departures: keep what was sold on dates that remain; never below what is sold (the
        // row is locked and read again by the update, whatever other writers did). A date
        // given twice counts as its last, as SQLite's loop leaves it.
        let mut slots_on: HashMap<String, i64> = HashMap::new();
        let mut dates: Vec<String> = Vec::new();
        for d in &spec.departures {
            let date = d.date.to_string();
            if slots_on.insert(date.clone(), i64::from(d.slots)).is_none() {
                dates.push(date);
            }
        }
        if !dates.is_empty() {
            let slots: Vec<i64> = dates.iter().map(|d| slots_on[d]).collect();
            self.execute(
                "INSERT INTO package_departures(package_id, date, slots)
                 SELECT $1::TEXT, t.date, t.slots FROM UNNEST($2::TEXT[], $3::BIGINT[]) AS t(date, slots)
                 ON CONFLICT (package_id, date)
                 DO UPDATE SET slots = GREATEST(excluded.slots, package_departures.sold)",
                &[&spec.id, &dates, &slots],
            )?;
        }
        Ok(())
    }

    fn search(&self, q: &IndexQuery) -> Result<Found> {
        // The words as PostgreSQL normalizes them (stemmed, stop words out): empty when only
        // stop words were given.
        let text = match tsquery_text(&q.words) {
            Some(t) => {
                let row = self.query_one("SELECT to_tsquery('english', $1)::TEXT", &[&t])?;
                Some(get::<String>(&row, 0)?).filter(|t| !t.trim().is_empty())
            }
            None => None,
        };
        let mut params = Params::default();
        let mut wheres: Vec<String> = Vec::new();
        if let Some(t) = &text {
            // Always $1: the rank refers to it.
            let p = params.add(t.clone());
            wheres.push(format!("p.search @@ CAST({p}::TEXT AS tsquery)"));
        }
        if let Some(k) = &q.kind {
            wheres.push(format!("p.type = {}", params.add(k.clone())));
        }
        match &q.place {
            Some(PlaceFilter::CountryOrCity { country, city }) => {
                let country = params.add(country.clone());
                let city = params.add(city.clone());
                wheres.push(format!("(p.country = {country} OR p.destination = {city})"));
            }
            Some(PlaceFilter::City(city)) => {
                wheres.push(format!("p.destination = {}", params.add(city.clone())));
            }
            None => {}
        }
        if let Some(m) = q.min_price {
            wheres.push(format!("p.base_price >= {}", params.add(m)));
        }
        if let Some(m) = q.max_price {
            wheres.push(format!("p.base_price <= {}", params.add(m)));
        }
        if let Some(n) = q.min_days {
            wheres.push(format!("p.duration_days >= {}", params.add(i64::from(n))));
        }
        if let Some(n) = q.max_days {
            wheres.push(format!("p.duration_days <= {}", params.add(i64::from(n))));
        }
        if let Some(r) = q.min_rating {
            wheres.push(format!("p.rating >= {}", params.add(f64::from(r))));
        }
        if let Some((first, last)) = q.departing {
            let first = params.add(first.to_string());
            let last = params.add(last.to_string());
            wheres.push(format!(
                "EXISTS (SELECT 1 FROM package_departures d WHERE d.package_id = p.id
                     AND d.date BETWEEN {first} AND {last} AND d.sold < d.slots)"
            ));
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        let order = match (q.sort, text.is_some()) {
            (PackageSort::Relevance, true) => format!("{RANK} DESC, p.rating DESC"),
            (PackageSort::Relevance, false) => {
                "p.featured DESC, p.rating DESC, p.review_count DESC".to_string()
            }
            (PackageSort::Price, _) => "p.base_price, p.rating DESC".to_string(),
            (PackageSort::Rating, _) => "p.rating DESC, p.review_count DESC".to_string(),
            (PackageSort::Duration, _) => "p.duration_days, p.base_price".to_string(),
        };
        // The facets share the filters' parameters; the page adds its limit and offset.
        let facet_args = params.refs().len();
        let limit = params.add(i64::try_from(q.limit).unwrap_or(i64::MAX));
        let offset = params.add(i64::try_from(q.offset).unwrap_or(i64::MAX));
        let args = params.refs();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM packages p {where_sql}
             ORDER BY {order}, p.id COLLATE \"C\" LIMIT {limit} OFFSET {offset}"
        );
        let packages = self
            .query(&sql, &args)?
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        // Facets over everything that matched, in one pass.
        let facet_sql = format!(
            "SELECT * FROM (
                 SELECT p.type AS kind, p.continent AS continent,
                     CASE WHEN p.duration_days <= 4 THEN '1-4' WHEN p.duration_days <= 7 THEN '5-7'
                          WHEN p.duration_days <= 10 THEN '8-10' ELSE '11+' END AS duration,
                     CASE WHEN p.base_price < 100000 THEN 'under 1000'
                          WHEN p.base_price < 250000 THEN '1000-2500'
                          WHEN p.base_price < 500000 THEN '2500-5000' ELSE '5000+' END AS price,
                     count(*) AS n
                 FROM packages p {where_sql}
                 GROUP BY 1, 2, 3, 4
             ) f
             ORDER BY f.kind COLLATE \"C\", f.continent COLLATE \"C\", f.duration COLLATE \"C\",
                 f.price COLLATE \"C\""
        );
        let facets = self
            .query(&facet_sql, &args[..facet_args])?
            .iter()
            .map(|r| {
                let n: i64 = get(r, 4)?;
                Ok(FacetCount {
                    kind: get(r, 0)?,
                    continent: get(r, 1)?,
                    duration: get(r, 2)?,
                    price: get(r, 3)?,
                    count: n as usize,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Found { packages, facets })
    }

    fn owner(&self, id: &str) -> Result<Option<Option<String>>> {
        self.query_opt("SELECT owner_id FROM packages WHERE id = $1", &[&id])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn detail(&self, id: &str) -> Result<Option<StoredPackage>> {
        // By id first, should one package's slug be another's id.
        self.query_opt(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, p.description, b.body, p.max_group FROM packages p
                 JOIN package_bodies b ON b.package_id = p.id WHERE p.id = $1 OR p.slug = $1
                 ORDER BY p.id = $1 DESC LIMIT 1"
            ),
            &[&id],
        )?
        .map(|r| {
            Ok(StoredPackage {
                summary: summary_from_row(&r)?,
                description: get(&r, 14)?,
                body: get(&r, 15)?,
                max_group: to_u32(get(&r, 16)?, "packages.max_group")?,
            })
        })
        .transpose()
    }

    fn departures(&self, package: &str, from: Date) -> Result<Vec<DepartureRow>> {
        self.query(
            "SELECT date, slots, sold FROM package_departures WHERE package_id = $1 AND date >= $2
             ORDER BY date COLLATE \"C\"",
            &[&package, &from.to_string()],
        )?
        .iter()
        .map(|r| {
            let date: String = get(r, 0)?;
            Ok(DepartureRow {
                date: date.parse().map_err(Error::internal)?,
                slots: to_u32(get(r, 1)?, "package_departures.slots")?,
                sold: to_u32(get(r, 2)?, "package_departures.sold")?,
            })
        })
        .collect()
    }

    fn featured(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        self.query(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM packages p WHERE p.featured
                 ORDER BY p.rating DESC, p.review_count DESC, p.id COLLATE \"C\" LIMIT $1"
            ),
            &[&i64::try_from(limit).unwrap_or(i64::MAX)],
        )?
        .iter()
        .map(summary_from_row)
        .collect()
    }

    fn deal_candidates(&self, from: Date, to: Date) -> Result<Vec<PackageSummary>> {
        self.query(
            &format!(
                "SELECT {SUMMARY_COLUMNS} FROM packages p
                 WHERE EXISTS (SELECT 1 FROM package_departures d WHERE d.package_id = p.id
                     AND d.date BETWEEN $1 AND $2 AND d.sold * 2 <= d.slots)
                 ORDER BY p.id COLLATE \"C\""
            ),
            &[&from.to_string(), &to.to_string()],
        )?
        .iter()
        .map(summary_from_row)
        .collect()
    }

    /// Not kept: this engine's text search is its own (stems, stop words, `ts_rank_cd`), so
    /// no index in memory stands in for it and searches answer in SQL.
    fn index_versions(&self) -> Result<IndexVersions> {
        Ok(IndexVersions::default())
    }

    fn index_rows(&self) -> Result<Option<Vec<IndexRow>>> {
        Ok(None)
    }

    fn index_departures(&self) -> Result<Vec<IndexDeparture>> {
        Ok(Vec::new())
    }

    fn fixture_version(&self) -> Result<Option<String>> {
        Catalogue::meta(self, "package_fixture_version")
    }

    fn set_fixture_version(&self, version: &str) -> Result<()> {
        Catalogue::set_meta(self, "package_fixture_version", version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_terms_of_letters_and_digits() {
        let w = |text: &str, prefix| Word {
            text: text.into(),
            prefix,
        };
        assert_eq!(
            tsquery_text(&[w("trek", true), w("the", true), w("himalaya", true)]).unwrap(),
            "'trek':* & 'the':* & 'himalaya':*"
        );
        assert_eq!(tsquery_text(&[w("a", false)]).unwrap(), "'a'");
        // Nothing of the query syntax gets through: quotes, operators, backslashes.
        assert_eq!(
            tsquery_text(&[w("say 'hi' | !x\\:*", false)]).unwrap(),
            "'say' & 'hi' & 'x'"
        );
        assert_eq!(tsquery_text(&[w("&|!", true)]), None);
        assert_eq!(tsquery_text(&[]), None);
    }

    #[test]
    fn search_words_are_stored_folded() {
        assert_eq!(
            folded("Lisbon LIS Portugal Europe"),
            "Lisbon LIS Portugal Europe"
        );
        assert_eq!(folded("São Paulo SAO Brazil"), "sao paulo sao brazil");
    }
}
