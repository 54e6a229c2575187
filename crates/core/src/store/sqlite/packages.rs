//! The package index on SQLite: the catalogue tables, an FTS5 table for the text search (its
//! MATCH expression is built here from the rule's words), facet counts in one pass, and the
//! fixtures' version in `meta`.

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
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

const SUMMARY_COLUMNS: &str =
    "p.id, p.slug, p.title, p.type, p.destination, p.destination_name, p.country, p.continent,
    p.duration_days, p.base_price, p.currency, p.rating, p.review_count, p.featured";

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<PackageSummary> {
    summary_from_row_at(r, 0)
}

/// The summary in the columns of [`SUMMARY_COLUMNS`] from column `at` on.
fn summary_from_row_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<PackageSummary> {
    let currency: String = r.get(at + 10)?;
    let currency = Currency::parse(&currency).unwrap_or(Currency::EUR);
    let rating: f64 = r.get(at + 11)?;
    Ok(PackageSummary {
        id: r.get(at)?,
        slug: r.get(at + 1)?,
        title: r.get(at + 2)?,
        kind: r.get(at + 3)?,
        destination: r.get(at + 4)?,
        destination_name: r.get(at + 5)?,
        country: r.get(at + 6)?,
        continent: r.get(at + 7)?,
        duration_days: r.get(at + 8)?,
        base_price: Money::new(r.get(at + 9)?, currency),
        rating: rating as f32,
        review_count: r.get(at + 12)?,
        featured: r.get(at + 13)?,
        member_price: None,
    })
}

/// The `meta` keys of the search index's tokens (see [`IndexVersions`]).
const CATALOGUE_VERSION: &str = "package_index_catalogue";
const DEPARTURES_VERSION: &str = "package_index_departures";

/// Sets a new random token under `key`, in the caller's transaction.
fn changed(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, hex(randomblob(8)))
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key])?;
    Ok(())
}

/// A package was written or rated: every search index of the catalogue is out of date.
pub(super) fn catalogue_changed(conn: &Connection) -> Result<()> {
    changed(conn, CATALOGUE_VERSION)
}

/// A departure filled up or has places again.
pub(super) fn departures_changed(conn: &Connection) -> Result<()> {
    changed(conn, DEPARTURES_VERSION)
}

/// Reads the column sizes FTS5 stores per row (`_docsize`: one varint per column).
fn column_sizes(blob: &[u8]) -> Option<[u32; 4]> {
    let mut out = [0u32; 4];
    let mut at = 0;
    for slot in &mut out {
        let mut v: u64 = 0;
        let mut i = 0;
        loop {
            let b = *blob.get(at)?;
            at += 1;
            if i == 8 {
                v = (v << 8) | u64::from(b);
                break;
            }
            v = (v << 7) | u64::from(b & 0x7f);
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        *slot = u32::try_from(v).ok()?;
    }
    Some(out)
}

/// The FTS5 query of the words: each a string (quoted, its quotes doubled, so no word is an
/// operator), a prefix term when `prefix`; `None` without words.
fn match_expression(words: &[Word]) -> Option<String> {
    let terms: Vec<String> = words
        .iter()
        .map(|w| {
            let quoted = w.text.replace('"', "\"\"");
            if w.prefix {
                format!("\"{quoted}\"*")
            } else {
                format!("\"{quoted}\"")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A write that breaks a package's unique id or slug is a conflict, named without the
/// engine's text.
fn unique(done: rusqlite::Result<usize>, spec: &PackageSpec) -> Result<usize> {
    match done {
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
        {
            Err(Error::Conflict(format!(
                "a package with the id '{}' or the slug '{}' exists already",
                spec.id, spec.slug
            )))
        }
        other => Ok(other?),
    }
}

impl PackageIndex for Connection {
    fn put(&self, spec: &PackageSpec, f: &Filing<'_>) -> Result<()> {
        let conn = self;
        let old_rowid: Option<i64> = conn
            .query_row(
                "SELECT rowid FROM packages WHERE id = ?1",
                [&spec.id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(rowid) = old_rowid {
            conn.execute("DELETE FROM packages_fts WHERE rowid = ?1", [rowid])?;
            unique(conn.execute(
            "UPDATE packages SET slug=?2, title=?3, description=?4, type=?5, destination=?6, destination_name=?7, country=?8,
                 continent=?9, duration_days=?10, base_price=?11, currency=?12, rating=?13, review_count=?14, featured=?15,
                 max_group=?16, updated_at=?17 WHERE id=?1",
            params![spec.id, spec.slug, spec.title, spec.description, spec.kind, spec.destination, f.destination_name, f.country,
                f.continent, spec.duration_days, spec.base_price, spec.currency.as_str(), f64::from(spec.rating), spec.review_count,
                spec.featured, spec.max_group, f.now],
        ), spec)?;
        } else {
            unique(conn.execute(
            "INSERT INTO packages(id, slug, title, description, type, destination, destination_name, country, continent,
                 duration_days, base_price, currency, rating, review_count, featured, max_group, owner_id, source, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![spec.id, spec.slug, spec.title, spec.description, spec.kind, spec.destination, f.destination_name, f.country,
                f.continent, spec.duration_days, spec.base_price, spec.currency.as_str(), f64::from(spec.rating), spec.review_count,
                spec.featured, spec.max_group, f.owner, f.source, f.now],
        ), spec)?;
        }
        conn.execute(
            "INSERT INTO package_bodies(package_id, body) VALUES (?1, ?2)
         ON CONFLICT(package_id) DO UPDATE SET body = excluded.body",
            params![spec.id, f.body],
        )?;
        let rowid: i64 = conn.query_row(
            "SELECT rowid FROM packages WHERE id = ?1",
            [&spec.id],
            |r| r.get(0),
        )?;
        conn.execute(
            "INSERT INTO packages_fts(rowid, title, description, destination, activities) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![rowid, spec.title, spec.description, f.place_words, f.activities],
        )?;
        catalogue_changed(conn)?;
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

    fn search(&self, q: &IndexQuery) -> Result<Found> {
        let conn = self;
        let mut wheres: Vec<String> = Vec::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut from = "packages p".to_string();
        let text = match_expression(&q.words);
        if let Some(t) = &text {
            from = "packages_fts f JOIN packages p ON p.rowid = f.rowid".into();
            wheres.push("packages_fts MATCH ?".into());
            args.push(t.clone().into());
        }
        if let Some(k) = &q.kind {
            wheres.push("p.type = ?".into());
            args.push(k.clone().into());
        }
        match &q.place {
            Some(PlaceFilter::CountryOrCity { country, city }) => {
                wheres.push("(p.country = ? OR p.destination = ?)".into());
                args.push(country.clone().into());
                args.push(city.clone().into());
            }
            Some(PlaceFilter::City(city)) => {
                wheres.push("p.destination = ?".into());
                args.push(city.clone().into());
            }
            None => {}
        }
        if let Some(m) = q.min_price {
            wheres.push("p.base_price >= ?".into());
            args.push(m.into());
        }
        if let Some(m) = q.max_price {
            wheres.push("p.base_price <= ?".into());
            args.push(m.into());
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
        if let Some((first, last)) = q.departing {
            wheres.push("EXISTS (SELECT 1 FROM package_departures d WHERE d.package_id = p.id AND d.date BETWEEN ? AND ? AND d.sold < d.slots)".into());
            args.push(first.to_string().into());
            args.push(last.to_string().into());
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        let order = match (q.sort, text.is_some()) {
            (PackageSort::Relevance, true) => {
                "bm25(packages_fts, 10.0, 2.0, 5.0, 1.0), p.rating DESC"
            }
            (PackageSort::Relevance, false) => {
                "p.featured DESC, p.rating DESC, p.review_count DESC"
            }
            (PackageSort::Price, _) => "p.base_price, p.rating DESC",
            (PackageSort::Rating, _) => "p.rating DESC, p.review_count DESC",
            (PackageSort::Duration, _) => "p.duration_days, p.base_price",
        };
        let limit = q.limit;
        // SQLite's OFFSET is a signed 64-bit integer; anything past the catalogue is empty anyway.
        let offset = q.offset.min(i64::MAX as usize);
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
        let mut facets = Vec::new();
        let mut stmt = conn.prepare_cached(&facet_sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let n: i64 = r.get(4)?;
            facets.push(FacetCount {
                kind: r.get(0)?,
                continent: r.get(1)?,
                duration: r.get(2)?,
                price: r.get(3)?,
                count: n as usize,
            });
        }
        Ok(Found { packages, facets })
    }

    fn owner(&self, id: &str) -> Result<Option<Option<String>>> {
        Ok(self
            .prepare_cached("SELECT owner_id FROM packages WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn detail(&self, id: &str) -> Result<Option<StoredPackage>> {
        Ok(self
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, p.description, b.body, p.max_group FROM packages p
                 JOIN package_bodies b ON b.package_id = p.id WHERE p.id = ?1 OR p.slug = ?1"
            ))?
            .query_row([id], |r| {
                Ok(StoredPackage {
                    summary: summary_from_row(r)?,
                    description: r.get::<_, String>(14)?,
                    body: r.get::<_, String>(15)?,
                    max_group: r.get::<_, u32>(16)?,
                })
            })
            .optional()?)
    }

    fn departures(&self, package: &str, from: Date) -> Result<Vec<DepartureRow>> {
        let mut stmt = self.prepare_cached("SELECT date, slots, sold FROM package_departures WHERE package_id = ?1 AND date >= ?2 ORDER BY date")?;
        let rows = stmt.query_map(params![package, from.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (date, slots, sold) = row?;
            let date: Date = date.parse().map_err(Error::internal)?;
            out.push(DepartureRow { date, slots, sold });
        }
        Ok(out)
    }

    fn featured(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        let mut stmt = self.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM packages p WHERE p.featured = 1 ORDER BY p.rating DESC, p.review_count DESC LIMIT ?1"
        ))?;
        Ok(stmt
            .query_map([limit as i64], summary_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn deal_candidates(&self, from: Date, to: Date) -> Result<Vec<PackageSummary>> {
        let mut stmt = self.prepare_cached(&format!(
            "SELECT DISTINCT {SUMMARY_COLUMNS} FROM packages p JOIN package_departures d ON d.package_id = p.id
         WHERE d.date BETWEEN ?1 AND ?2 AND d.sold * 2 <= d.slots"
        ))?;
        Ok(stmt
            .query_map(params![from.to_string(), to.to_string()], summary_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn index_versions(&self) -> Result<IndexVersions> {
        let (catalogue, departures) = self
            .prepare_cached(
                "SELECT (SELECT value FROM meta WHERE key = ?1), (SELECT value FROM meta WHERE key = ?2)",
            )?
            .query_row([CATALOGUE_VERSION, DEPARTURES_VERSION], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok(IndexVersions {
            catalogue,
            departures,
        })
    }

    fn index_rows(&self) -> Result<Option<Vec<IndexRow>>> {
        use std::collections::HashMap;
        let mut rows: Vec<IndexRow> = Vec::new();
        let mut at: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self.prepare(&format!(
            "SELECT p.rowid, {SUMMARY_COLUMNS}, p.rating FROM packages p"
        ))?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let key: i64 = r.get(0)?;
            let summary = summary_from_row_at(r, 1)?;
            let rating: f64 = r.get(15)?;
            at.insert(key, rows.len());
            rows.push(IndexRow {
                key,
                summary: Some(summary),
                rating,
                texts: None,
                sizes: None,
            });
        }
        let mut stmt = self.prepare(
            "SELECT f.rowid, f.title, f.description, f.destination, f.activities, d.sz
             FROM packages_fts f LEFT JOIN packages_fts_docsize d ON d.id = f.rowid",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let key: i64 = r.get(0)?;
            let text = |i: usize| -> rusqlite::Result<String> {
                Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
            };
            let texts = [text(1)?, text(2)?, text(3)?, text(4)?];
            let sizes = r
                .get::<_, Option<Vec<u8>>>(5)?
                .and_then(|b| column_sizes(&b));
            match at.get(&key) {
                Some(&i) => {
                    rows[i].texts = Some(texts);
                    rows[i].sizes = sizes;
                }
                None => rows.push(IndexRow {
                    key,
                    summary: None,
                    rating: 0.0,
                    texts: Some(texts),
                    sizes,
                }),
            }
        }
        Ok(Some(rows))
    }

    fn index_departures(&self) -> Result<Vec<IndexDeparture>> {
        let mut stmt =
            self.prepare("SELECT package_id, date, sold < slots FROM package_departures")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (package, date, open) = row?;
            out.push(IndexDeparture {
                package,
                date: date.parse().map_err(Error::internal)?,
                open,
            });
        }
        Ok(out)
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
    use crate::store::Unit;

    #[test]
    fn words_become_quoted_terms() {
        let w = |text: &str, prefix| Word {
            text: text.into(),
            prefix,
        };
        assert_eq!(
            match_expression(&[w("trek", true), w("the", true), w("himalaya", true)]).unwrap(),
            "\"trek\"* \"the\"* \"himalaya\"*"
        );
        assert_eq!(match_expression(&[w("a", false)]).unwrap(), "\"a\"");
        assert_eq!(
            match_expression(&[w("say \"hi\" OR", false)]).unwrap(),
            "\"say \"\"hi\"\" OR\""
        );
        assert_eq!(match_expression(&[]), None);
    }

    #[test]
    fn a_search_stops_when_the_budget_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("t.db")).unwrap();
        let conn = store.conn().unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO packages(id, slug, title, description, type, destination, destination_name,
                 country, continent, duration_days, base_price, currency, rating, review_count,
                 max_group, source, updated_at)
             SELECT 'pkg_' || i, 'p-' || i, 'T', 'D', 'budget', 'LIS', 'Lisbon', 'PT', 'Europe',
                 i % 14 + 1, i * 100, 'EUR', 4.0, 1, 10, 'test', 0 FROM n",
        )
        .unwrap();
        let q = IndexQuery {
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
        };
        let err = crate::store::with_budget(
            &conn,
            std::time::Duration::ZERO,
            "the package search",
            |c| c.packages().search(&q),
        )
        .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Unavailable, "{err}");
        assert!(
            err.to_string()
                .starts_with("the package search took longer than"),
            "{err}"
        );
        assert_eq!(conn.packages().owner("pkg_1").unwrap(), Some(None));
        assert_eq!(conn.packages().owner("pkg_none").unwrap(), None);
        // Unbounded, the same search runs to the end.
        let found = conn.packages().search(&q).unwrap();
        assert_eq!(found.packages.len(), 5);
        let total: usize = found.facets.iter().map(|f| f.count).sum();
        assert_eq!(total, 20000);
    }
}
