//! The package search in memory: an inverted index of the catalogue's words (postings per
//! stemmed word, with each package's weighted count), every package's filter fields, facet
//! cell and rank in each sort, so a search reads one small row (the index's tokens) and
//! answers from memory, with exactly the results the store's own search gives.
//!
//! - **Exactly the same.** Words are tokenized and stemmed as SQLite's FTS5 table does
//!   (`package_text`), and relevance is FTS5's `bm25` with the weights of the SQL (title 10,
//!   description 2, destination 5, activities 1), computed with the same statistics (rows,
//!   tokens, rows holding each word) in the same floating-point steps, then rating and id as
//!   the SQL orders ties. The token count of every column is checked against the one FTS5
//!   stored; should one differ (a character the two Unicode tables class apart), text
//!   searches go to SQL. Filters, facets, totals and pages follow the SQL's definitions. The
//!   differential tests (`tests/package_index.rs`) compare both over thousands of random
//!   queries and after every kind of change.
//! - **Top k, not everything sorted.** A text search scores its matches (a few flops each)
//!   and keeps the best `offset + limit` (`Best`); the other sorts walk a precomputed order
//!   and stop once the page is full (or order the few matches by their precomputed rank).
//!   Facets are counted from one byte per package (its cell). A common word searched alone
//!   by relevance, without filters, keeps its whole order and facets the first time
//!   (`Ranking`): the next searches of it read a slice.
//! - **In step with the store.** Every write that changes what a search sees sets a new random
//!   token in the store, in the writer's transaction: a package written or rated (the
//!   catalogue's token), a departure filling up or opening again (the departures' token).
//!   Each search reads both tokens (one primary-key read of `meta`) and rebuilds the index
//!   (or only the departures) when one differs from the tokens it was built at. The token
//!   lives in the shared database, so another process (the CLI beside a server) or another
//!   instance is seen by the next search, with no messages between them. While one thread
//!   rebuilds, other searches answer in SQL instead of waiting. A token is random, not a
//!   counter, so a restored backup never looks current by accident.
//! - **PostgreSQL** stems and ranks its own way (`english`, `ts_rank_cd`): the engine
//!   provides no rows for the index and every search stays in SQL.

use super::package_text;
use crate::error::Result;
use crate::model::package::{PackageSort, PackageSummary};
use crate::store::Store;
use crate::store::port::{FacetCount, Found, IndexQuery, IndexVersions, PlaceFilter};
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The bm25 weights of the SQL, by column: title, description, destination, activities.
const WEIGHTS: [u32; 4] = [10, 2, 5, 1];

/// The package search of one store, kept in memory (see the module's text).
#[derive(Default)]
pub struct PackageSearch {
    current: RwLock<Option<Arc<Snapshot>>>,
    building: Mutex<()>,
    /// The engine keeps no index rows (PostgreSQL): every search goes to SQL.
    sql_only: AtomicBool,
}

impl std::fmt::Debug for PackageSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageSearch").finish_non_exhaustive()
    }
}

/// How a search was answered (for the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Memory,
    Sql,
}

impl PackageSearch {
    pub fn new() -> PackageSearch {
        PackageSearch::default()
    }

    /// A page of the packages matching `q` and the facets of all of them, as
    /// `PackageIndex::search` answers, from memory when the index is current.
    pub fn find(&self, store: &Store, q: &IndexQuery) -> Result<Found> {
        Ok(self.find_how(store, q)?.0)
    }

    /// [`PackageSearch::find`], saying how it answered.
    pub fn find_how(&self, store: &Store, q: &IndexQuery) -> Result<(Found, Path)> {
        if !self.sql_only.load(Ordering::Relaxed)
            && let Some(snap) = self.current_for(store, q)?
            && (q.words.is_empty() || snap.text_ok)
            && q.words.len() <= super::MAX_WORDS
        {
            return Ok((snap.find(q), Path::Memory));
        }
        let found = store.read_within(super::SEARCH_BUDGET, "the package search", |u| {
            u.packages().search(q)
        })?;
        Ok((found, Path::Sql))
    }

    /// The snapshot for the store's current tokens, built when needed; `None` when another
    /// thread is building it or the engine has no index rows.
    fn current_for(&self, store: &Store, q: &IndexQuery) -> Result<Option<Arc<Snapshot>>> {
        let versions = store.read(|u| u.packages().index_versions())?;
        let snap = self.current.read().ok().and_then(|c| c.clone());
        if let Some(s) = &snap
            && s.versions.catalogue == versions.catalogue
            && (q.departing.is_none() || s.versions.departures == versions.departures)
        {
            return Ok(snap);
        }
        let Ok(_building) = self.building.try_lock() else {
            return Ok(None);
        };
        // Another thread may have built it while this one read the tokens.
        let snap = self.current.read().ok().and_then(|c| c.clone());
        let fresh = match snap {
            Some(s) if s.versions.catalogue == versions.catalogue => {
                if q.departing.is_none() || s.versions.departures == versions.departures {
                    return Ok(Some(s));
                }
                // Only the departures changed: the rest is shared.
                let departures = store.read(|u| u.packages().index_departures())?;
                let mut next = (*s).clone(); // shares the rest
                next.versions.departures = versions.departures.clone();
                next.set_departures(&departures);
                next
            }
            _ => {
                // The tokens were read first: anything written since makes them differ again.
                let Some(rows) = store.read(|u| u.packages().index_rows())? else {
                    self.sql_only.store(true, Ordering::Relaxed);
                    return Ok(None);
                };
                let departures = store.read(|u| u.packages().index_departures())?;
                Snapshot::build(versions, rows, &departures)
            }
        };
        let fresh = Arc::new(fresh);
        if let Ok(mut c) = self.current.write() {
            *c = Some(fresh.clone());
        }
        Ok(Some(fresh))
    }
}

/// A term and its postings: (doc, weighted count), by doc.
type Term = (Box<[u8]>, Vec<(u32, u32)>);

/// One cell of the facets: type, continent, duration and price buckets.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Cell {
    kind: String,
    continent: String,
    duration: &'static str,
    price: &'static str,
}

/// The index at one catalogue token: shared, never changed; the departures (which change
/// with every departure that fills up) apart.
#[derive(Clone)]
struct Snapshot {
    versions: IndexVersions,
    core: Arc<Core>,
    departures: Arc<Open>,
    text_ok: bool,
}

/// Every doc (a package, or a text entry without one) by number, field by field.
struct Core {
    summaries: Vec<Option<PackageSummary>>,
    by_id: HashMap<String, u32>,
    /// Names (types, countries, city codes) by number, for the filters.
    names: HashMap<String, u32>,
    kind: Vec<u32>,
    country: Vec<u32>,
    dest: Vec<u32>,
    price: Vec<i64>,
    days: Vec<u32>,
    /// The rating as stored (sorts and filters compare it).
    rating: Vec<f64>,
    cell: Vec<u16>,
    /// Tokens in all columns of the doc's text entry (0 without one).
    len: Vec<u32>,
    cells: Vec<Cell>,
    /// The facets of the whole catalogue.
    all_counts: Vec<usize>,
    /// The docs of each type, country and city (postings per facet value), by doc.
    by_kind: HashMap<u32, Vec<u32>>,
    by_country: HashMap<u32, Vec<u32>>,
    by_dest: HashMap<u32, Vec<u32>>,
    /// Sorted terms and their postings: (doc, weighted count), by doc.
    terms: Vec<Term>,
    /// Rows and tokens of the text table (bm25's N and average length).
    text_rows: i64,
    text_tokens: i64,
    /// Docs with a package, in each non-text order, and each doc's place in it.
    orders: [Vec<u32>; 4],
    ranks: [Vec<u32>; 4],
    /// Each doc's place in id order (the text order's last tie-break).
    id_rank: Vec<u32>,
    /// Common words' matches in relevance order, by the word's terms, made as first asked
    /// for.
    rankings: Mutex<HashMap<std::ops::Range<usize>, Arc<Ranking>>>,
}

/// A word whose terms have at least this many postings has its relevance order kept once
/// made.
const RANKED: usize = 256;
/// How many common words' orders, in docs per doc of the index, are kept at most (16 words
/// that match everything: 6.4 MB at 100,000 packages).
const KEPT_ORDERS: usize = 16;

/// A common word's matching packages in relevance order (bm25, rating, id) with their
/// facets. A one-word search by relevance without filters reads its page and facets from
/// here instead of scoring every match again; the first such search makes it.
struct Ranking {
    docs: Vec<u32>,
    counts: Vec<usize>,
}

impl Core {
    /// The relevance order kept for the word whose terms are `terms`, if made.
    fn ranking(&self, terms: &std::ops::Range<usize>) -> Option<Arc<Ranking>> {
        self.rankings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(terms)
            .cloned()
    }

    /// Keeps `made` as the order of the word whose terms are `terms`, unless another search
    /// kept one meanwhile (the same); the one kept.
    ///
    /// The orders kept hold at most [`KEPT_ORDERS`] docs per doc of the index, so searching
    /// many different common words cannot grow them without end: past that they are all
    /// dropped, and made again as searched for.
    fn keep_ranking(&self, terms: std::ops::Range<usize>, made: Ranking) -> Arc<Ranking> {
        let mut kept = self
            .rankings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let held: usize = kept.values().map(|r| r.docs.len()).sum();
        if held + made.docs.len() > KEPT_ORDERS * self.summaries.len() {
            kept.clear();
        }
        kept.entry(terms).or_insert_with(|| Arc::new(made)).clone()
    }
}

fn duration_bucket(days: u32) -> &'static str {
    match days {
        ..=4 => "1-4",
        5..=7 => "5-7",
        8..=10 => "8-10",
        _ => "11+",
    }
}

fn price_bucket(minor: i64) -> &'static str {
    match minor {
        ..100_000 => "under 1000",
        100_000..250_000 => "1000-2500",
        250_000..500_000 => "2500-5000",
        _ => "5000+",
    }
}

/// The order of the non-text sorts (index into `Core::orders`).
fn sort_slot(sort: PackageSort) -> usize {
    match sort {
        PackageSort::Relevance => 0,
        PackageSort::Price => 1,
        PackageSort::Rating => 2,
        PackageSort::Duration => 3,
    }
}

/// A name no doc has.
const NOBODY: u32 = u32::MAX;

/// The filters of a query, in the index's numbers.
struct Filter {
    kind: Option<u32>,
    /// (country, city): a doc in either passes; `City` has no country.
    place: Option<(u32, u32)>,
    min_price: i64,
    max_price: i64,
    min_days: u32,
    max_days: u32,
    min_rating: Option<f64>,
    departing: Option<(Date, Date)>,
    any: bool,
}

impl Snapshot {
    fn build(
        versions: IndexVersions,
        rows: Vec<crate::store::port::IndexRow>,
        departures: &[crate::store::port::IndexDeparture],
    ) -> Snapshot {
        let n = rows.len();
        let mut c = Core {
            summaries: Vec::with_capacity(n),
            by_id: HashMap::with_capacity(n),
            names: HashMap::new(),
            kind: Vec::with_capacity(n),
            country: Vec::with_capacity(n),
            dest: Vec::with_capacity(n),
            price: Vec::with_capacity(n),
            days: Vec::with_capacity(n),
            rating: Vec::with_capacity(n),
            cell: Vec::with_capacity(n),
            len: Vec::with_capacity(n),
            cells: Vec::new(),
            all_counts: Vec::new(),
            by_kind: HashMap::new(),
            by_country: HashMap::new(),
            by_dest: HashMap::new(),
            terms: Vec::new(),
            text_rows: 0,
            text_tokens: 0,
            orders: Default::default(),
            ranks: Default::default(),
            id_rank: Vec::new(),
            rankings: Mutex::default(),
        };
        let mut cell_at: HashMap<Cell, u16> = HashMap::new();
        let mut term_ids: HashMap<Box<[u8]>, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut text_ok = true;
        let mut local: Vec<(u32, u32)> = Vec::new();
        fn name(names: &mut HashMap<String, u32>, s: &str) -> u32 {
            if let Some(&i) = names.get(s) {
                return i;
            }
            let i = names.len() as u32;
            names.insert(s.to_string(), i);
            i
        }
        for row in rows {
            let d = c.summaries.len() as u32;
            let (mut kind, mut country, mut dest, mut cell) = (NOBODY, NOBODY, NOBODY, 0);
            let (mut price, mut days) = (0, 0);
            if let Some(s) = &row.summary {
                c.by_id.insert(s.id.clone(), d);
                kind = name(&mut c.names, &s.kind);
                country = name(&mut c.names, &s.country);
                dest = name(&mut c.names, &s.destination);
                c.by_kind.entry(kind).or_default().push(d);
                c.by_country.entry(country).or_default().push(d);
                c.by_dest.entry(dest).or_default().push(d);
                (price, days) = (s.base_price.minor, s.duration_days);
                let key = Cell {
                    kind: s.kind.clone(),
                    continent: s.continent.clone(),
                    duration: duration_bucket(s.duration_days),
                    price: price_bucket(s.base_price.minor),
                };
                cell = match cell_at.get(&key) {
                    Some(&i) => i,
                    None => {
                        let i = c.cells.len() as u16;
                        cell_at.insert(key.clone(), i);
                        c.cells.push(key);
                        i
                    }
                };
            }
            let mut len = 0;
            if let Some(texts) = &row.texts {
                local.clear();
                let mut sizes = [0u32; 4];
                for (col, text) in texts.iter().enumerate() {
                    package_text::tokens(text, |t| {
                        sizes[col] += 1;
                        let id = match term_ids.get(t) {
                            Some(&id) => id,
                            None => {
                                let id = postings.len() as u32;
                                term_ids.insert(t.into(), id);
                                postings.push(Vec::new());
                                id
                            }
                        };
                        local.push((id, WEIGHTS[col]));
                    });
                }
                if row.sizes != Some(sizes) {
                    if text_ok {
                        tracing::warn!(
                            key = row.key,
                            "package search: a text entry is tokenized apart from the engine; text searches answer in SQL"
                        );
                    }
                    text_ok = false;
                }
                len = row.sizes.unwrap_or(sizes).iter().sum();
                c.text_rows += 1;
                c.text_tokens += i64::from(len);
                local.sort_unstable_by_key(|&(t, _)| t);
                let mut i = 0;
                while i < local.len() {
                    let (t, mut w) = local[i];
                    i += 1;
                    while i < local.len() && local[i].0 == t {
                        w += local[i].1;
                        i += 1;
                    }
                    postings[t as usize].push((d, w));
                }
            }
            c.summaries.push(row.summary);
            c.kind.push(kind);
            c.country.push(country);
            c.dest.push(dest);
            c.price.push(price);
            c.days.push(days);
            c.rating.push(row.rating);
            c.cell.push(cell);
            c.len.push(len);
        }
        let mut terms: Vec<Term> = term_ids
            .into_iter()
            .map(|(t, id)| (t, std::mem::take(&mut postings[id as usize])))
            .collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        c.terms = terms;
        c.all_counts = vec![0; c.cells.len()];
        let mut by_id_order: Vec<u32> = (0..n as u32)
            .filter(|&d| c.summaries[d as usize].is_some())
            .collect();
        for &d in &by_id_order {
            c.all_counts[c.cell[d as usize] as usize] += 1;
        }
        let id = |d: u32| c.summaries[d as usize].as_ref().map(|s| s.id.as_str());
        by_id_order.sort_by(|&a, &b| id(a).cmp(&id(b)));
        let mut id_rank = vec![u32::MAX; n];
        for (i, &d) in by_id_order.iter().enumerate() {
            id_rank[d as usize] = i as u32;
        }
        let featured = |d: u32| c.summaries[d as usize].as_ref().is_some_and(|s| s.featured);
        let reviews = |d: u32| {
            c.summaries[d as usize]
                .as_ref()
                .map_or(0, |s| s.review_count)
        };
        let (rating, price, days) = (&c.rating, &c.price, &c.days);
        let rating = |d: u32| rating[d as usize];
        let order = |cmp: &dyn Fn(u32, u32) -> std::cmp::Ordering| {
            let mut o = by_id_order.clone();
            // Stable over id order: ties keep the id order, as the SQL's last key.
            o.sort_by(|&a, &b| cmp(a, b));
            o
        };
        let orders = [
            order(&|a, b| {
                featured(b)
                    .cmp(&featured(a))
                    .then(rating(b).total_cmp(&rating(a)))
                    .then(reviews(b).cmp(&reviews(a)))
            }),
            order(&|a, b| {
                price[a as usize]
                    .cmp(&price[b as usize])
                    .then(rating(b).total_cmp(&rating(a)))
            }),
            order(&|a, b| {
                rating(b)
                    .total_cmp(&rating(a))
                    .then(reviews(b).cmp(&reviews(a)))
            }),
            order(&|a, b| {
                days[a as usize]
                    .cmp(&days[b as usize])
                    .then(price[a as usize].cmp(&price[b as usize]))
            }),
        ];
        c.ranks = orders.clone().map(|o| {
            let mut r = vec![u32::MAX; n];
            for (i, d) in o.into_iter().enumerate() {
                r[d as usize] = i as u32;
            }
            r
        });
        c.orders = orders;
        c.id_rank = id_rank;
        let departures = Arc::new(departures_by_doc(&c, departures));
        Snapshot {
            versions,
            core: Arc::new(c),
            departures,
            text_ok,
        }
    }

    fn set_departures(&mut self, departures: &[crate::store::port::IndexDeparture]) {
        self.departures = Arc::new(departures_by_doc(&self.core, departures));
    }

    fn filter(&self, q: &IndexQuery) -> Filter {
        let c = &self.core;
        let id = |s: &str| c.names.get(s).copied().unwrap_or(NOBODY);
        let place = match &q.place {
            Some(PlaceFilter::CountryOrCity { country, city }) => Some((id(country), id(city))),
            Some(PlaceFilter::City(city)) => Some((NOBODY, id(city))),
            None => None,
        };
        Filter {
            kind: q.kind.as_deref().map(id),
            place,
            min_price: q.min_price.unwrap_or(i64::MIN),
            max_price: q.max_price.unwrap_or(i64::MAX),
            min_days: q.min_days.unwrap_or(0),
            max_days: q.max_days.unwrap_or(u32::MAX),
            min_rating: q.min_rating.map(f64::from),
            departing: q.departing,
            any: q.kind.is_some()
                || q.place.is_some()
                || q.min_price.is_some()
                || q.max_price.is_some()
                || q.min_days.is_some()
                || q.max_days.is_some()
                || q.min_rating.is_some()
                || q.departing.is_some(),
        }
    }

    /// Whether doc `d` is a package that passes the filters (the words aside).
    #[inline]
    fn passes(&self, d: usize, f: &Filter) -> bool {
        let c = &*self.core;
        if c.kind[d] == NOBODY {
            return false; // no package
        }
        if !f.any {
            return true;
        }
        if f.kind.is_some_and(|k| c.kind[d] != k) {
            return false;
        }
        if let Some((country, city)) = f.place
            && c.country[d] != country
            && c.dest[d] != city
        {
            return false;
        }
        let price = c.price[d];
        if price < f.min_price || price > f.max_price {
            return false;
        }
        let days = c.days[d];
        if days < f.min_days || days > f.max_days {
            return false;
        }
        if f.min_rating.is_some_and(|r| c.rating[d] < r) {
            return false;
        }
        if let Some((first, last)) = f.departing
            && !self
                .departures
                .any_between(d, day_number(first), day_number(last))
        {
            return false;
        }
        true
    }

    /// The fewest docs that hold every match of the filters: the postings of the type or
    /// place, the price or duration range of those orders, or every package.
    fn candidates(&self, f: &Filter) -> Vec<u32> {
        let c = &*self.core;
        let empty: Vec<u32> = Vec::new();
        let mut best: &[u32] = &c.orders[0];
        let mut owned: Option<Vec<u32>> = None;
        if let Some(k) = f.kind {
            let list = c.by_kind.get(&k).unwrap_or(&empty);
            if list.len() < best.len() {
                best = list;
            }
        }
        if f.min_price != i64::MIN || f.max_price != i64::MAX {
            let o = &c.orders[1];
            let lo = o.partition_point(|&d| c.price[d as usize] < f.min_price);
            let hi = o.partition_point(|&d| c.price[d as usize] <= f.max_price);
            let range = &o[lo..hi.max(lo)];
            if range.len() < best.len() {
                best = range;
            }
        }
        if f.min_days != 0 || f.max_days != u32::MAX {
            let o = &c.orders[3];
            let lo = o.partition_point(|&d| c.days[d as usize] < f.min_days);
            let hi = o.partition_point(|&d| c.days[d as usize] <= f.max_days);
            let range = &o[lo..hi.max(lo)];
            if range.len() < best.len() {
                best = range;
            }
        }
        if let Some((country, city)) = f.place {
            let a = c.by_country.get(&country).unwrap_or(&empty);
            let b = c.by_dest.get(&city).unwrap_or(&empty);
            if a.len() + b.len() < best.len() {
                let mut both: Vec<u32> = a.iter().chain(b.iter()).copied().collect();
                both.sort_unstable();
                both.dedup();
                owned = Some(both);
            }
        }
        owned.unwrap_or_else(|| best.to_vec())
    }

    /// Docs `matched` (packages) in the order of `slot`, from `offset` to `k`.
    fn page_by_rank(
        &self,
        mut matched: Vec<u32>,
        slot: usize,
        offset: usize,
        k: usize,
    ) -> Vec<u32> {
        let c = &*self.core;
        if k == 0 || offset >= matched.len() {
            return Vec::new();
        }
        if matched.len() * 4 > c.orders[slot].len() {
            // Most packages match: walk the order.
            let mut hit = vec![false; c.summaries.len()];
            for &d in &matched {
                hit[d as usize] = true;
            }
            return c.orders[slot]
                .iter()
                .copied()
                .filter(|&d| hit[d as usize])
                .take(k)
                .skip(offset)
                .collect();
        }
        let rank = &c.ranks[slot];
        let by_rank = |a: &u32, b: &u32| rank[*a as usize].cmp(&rank[*b as usize]);
        if matched.len() > k {
            matched.select_nth_unstable_by(k - 1, by_rank);
            matched.truncate(k);
        }
        matched.sort_unstable_by(by_rank);
        matched.into_iter().skip(offset).collect()
    }

    /// Where the terms of `word` are among all terms (all the terms it is a prefix of, or
    /// the one it equals).
    fn terms_of(&self, word: &crate::store::port::Word) -> std::ops::Range<usize> {
        let terms = &self.core.terms;
        let Some(term) = package_text::query_term(&word.text) else {
            return 0..0;
        };
        let start = terms.partition_point(|(t, _)| t.as_ref() < term.as_slice());
        let end = if word.prefix {
            start + terms[start..].partition_point(|(t, _)| t.starts_with(&term))
        } else {
            start
                + usize::from(
                    terms
                        .get(start)
                        .is_some_and(|(t, _)| t.as_ref() == term.as_slice()),
                )
        };
        start..end
    }

    fn find(&self, q: &IndexQuery) -> Found {
        let c = &*self.core;
        let n = c.summaries.len();
        let k = q.offset.saturating_add(q.limit);
        let f = self.filter(q);
        let slot = sort_slot(q.sort);
        let mut counts = vec![0usize; c.cells.len()];
        let page: Vec<u32> = if q.words.is_empty() {
            if !f.any {
                counts.clone_from(&c.all_counts);
                page_of(&c.orders[slot], q.offset, k)
            } else {
                let matched: Vec<u32> = self
                    .candidates(&f)
                    .into_iter()
                    .filter(|&d| self.passes(d as usize, &f))
                    .collect();
                for &d in &matched {
                    counts[c.cell[d as usize] as usize] += 1;
                }
                self.page_by_rank(matched, slot, q.offset, k)
            }
        } else {
            // Each word's weighted frequency per doc, and how many docs hold it (bm25's
            // N(q), over the whole table as FTS5 counts it).
            let nw = q.words.len();
            let ranges: Vec<std::ops::Range<usize>> =
                q.words.iter().map(|w| self.terms_of(w)).collect();
            let lists: Vec<&[Term]> = ranges.iter().map(|r| &c.terms[r.clone()]).collect();
            let mut hits = vec![0i64; nw];
            // Every match passing the filters, with each word's frequency, to `each`.
            let mut each_match = |each: &mut dyn FnMut(u32, &[u32])| {
                if nw == 1 && lists[0].len() == 1 {
                    // One word, one term: its postings are the matches.
                    let p = &lists[0][0].1;
                    hits[0] = p.len() as i64;
                    for &(d, w) in p {
                        if self.passes(d as usize, &f) {
                            each(d, &[w]);
                        }
                    }
                } else {
                    let mut freq = vec![0u32; n * nw];
                    let mut first: Vec<u32> = Vec::new();
                    for (w, list) in lists.iter().enumerate() {
                        for (_, postings) in list.iter() {
                            for &(d, x) in postings {
                                let slot = &mut freq[d as usize * nw + w];
                                if *slot == 0 {
                                    hits[w] += 1;
                                    if w == 0 {
                                        first.push(d);
                                    }
                                }
                                *slot += x;
                            }
                        }
                    }
                    for d in first {
                        let fr = &freq[d as usize * nw..(d as usize + 1) * nw];
                        if fr.iter().all(|&x| x > 0) && self.passes(d as usize, &f) {
                            each(d, fr);
                        }
                    }
                }
            };
            if q.sort == PackageSort::Relevance {
                // One word without filters: its whole relevance order is kept once made.
                let kept = (nw == 1 && !f.any)
                    .then(|| ranges[0].clone())
                    .filter(|_| lists[0].iter().map(|(_, p)| p.len()).sum::<usize>() >= RANKED);
                if let Some(r) = kept.as_ref().and_then(|key| c.ranking(key)) {
                    counts.clone_from(&r.counts);
                    page_of(&r.docs, q.offset, k)
                } else {
                    // bm25 as FTS5 computes it, in the same steps; its statistics (rows
                    // holding each word) are known once the postings are read, so the
                    // matches are kept with their frequencies first (the page is the best
                    // `k` of them, or all of them for an order to keep).
                    let mut matched: Vec<u32> = Vec::new();
                    let mut freqs: Vec<u32> = Vec::new();
                    let single = (nw == 1 && lists[0].len() == 1).then(|| lists[0][0].1.as_slice());
                    if let Some(p) = single {
                        // One word, one term: the statistics are its postings' length, and
                        // the matches are scored as they are read (below).
                        hits[0] = p.len() as i64;
                    } else {
                        each_match(&mut |d, fr| {
                            counts[c.cell[d as usize] as usize] += 1;
                            matched.push(d);
                            freqs.extend_from_slice(fr);
                        });
                    }
                    let (k1, b) = (1.2f64, 0.75f64);
                    let avgdl = c.text_tokens as f64 / c.text_rows as f64;
                    let idf: Vec<f64> = hits
                        .iter()
                        .map(|&h| {
                            let idf = (((c.text_rows - h) as f64 + 0.5) / (h as f64 + 0.5)).ln();
                            if idf <= 0.0 { 1e-6 } else { idf }
                        })
                        .collect();
                    let mut best = Best::new(if kept.is_some() { n } else { k.min(n) });
                    let mut offer = |d: u32, fr: &[u32]| {
                        let dl = f64::from(c.len[d as usize]);
                        let mut score = 0.0f64;
                        for (w, idf) in idf.iter().enumerate() {
                            let x = f64::from(fr[w]);
                            score +=
                                idf * ((x * (k1 + 1.0)) / (x + k1 * (1.0 - b + b * dl / avgdl)));
                        }
                        let r = Ranked {
                            score: -score,
                            rating: c.rating[d as usize],
                            id: c.id_rank[d as usize],
                            doc: d,
                        };
                        best.offer(r);
                    };
                    if let Some(p) = single {
                        for &(d, w) in p {
                            if self.passes(d as usize, &f) {
                                counts[c.cell[d as usize] as usize] += 1;
                                offer(d, &[w]);
                            }
                        }
                    } else {
                        for (i, &d) in matched.iter().enumerate() {
                            offer(d, &freqs[i * nw..(i + 1) * nw]);
                        }
                    }
                    let order: Vec<u32> = best.into_sorted().into_iter().map(|r| r.doc).collect();
                    match kept {
                        Some(key) => {
                            let kept = Ranking {
                                docs: order,
                                counts: counts.clone(),
                            };
                            page_of(&c.keep_ranking(key, kept).docs, q.offset, k)
                        }
                        None => page_of(&order, q.offset, k),
                    }
                }
            } else {
                let mut matched: Vec<u32> = Vec::new();
                each_match(&mut |d, _| {
                    counts[c.cell[d as usize] as usize] += 1;
                    matched.push(d);
                });
                self.page_by_rank(matched, slot, q.offset, k)
            }
        };
        let packages = page
            .into_iter()
            .filter_map(|d| c.summaries[d as usize].clone())
            .collect();
        let facets = counts
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(i, count)| {
                let cell = &c.cells[i];
                FacetCount {
                    kind: cell.kind.clone(),
                    continent: cell.continent.clone(),
                    duration: cell.duration.to_string(),
                    price: cell.price.to_string(),
                    count,
                }
            })
            .collect();
        Found { packages, facets }
    }
}

/// Places `offset` to `k` of `order` (fewer where it ends).
fn page_of(order: &[u32], offset: usize, k: usize) -> Vec<u32> {
    order[offset.min(order.len())..k.min(order.len())].to_vec()
}

/// A date as a number in the same order.
fn day_number(d: Date) -> i32 {
    i32::from(d.year()) * 512 + i32::from(d.month()) * 32 + i32::from(d.day())
}

/// The departures with places left, per doc: sorted day numbers, all docs' in one array.
struct Open {
    start: Vec<u32>,
    days: Vec<i32>,
}

impl Open {
    fn any_between(&self, d: usize, first: i32, last: i32) -> bool {
        let days = &self.days[self.start[d] as usize..self.start[d + 1] as usize];
        let i = days.partition_point(|&x| x < first);
        days.get(i).is_some_and(|&x| x <= last)
    }
}

fn departures_by_doc(c: &Core, departures: &[crate::store::port::IndexDeparture]) -> Open {
    let mut per: Vec<Vec<i32>> = vec![Vec::new(); c.summaries.len()];
    for dep in departures {
        if dep.open
            && let Some(&d) = c.by_id.get(&dep.package)
        {
            per[d as usize].push(day_number(dep.date));
        }
    }
    let mut open = Open {
        start: Vec::with_capacity(per.len() + 1),
        days: Vec::new(),
    };
    for mut days in per {
        open.start.push(open.days.len() as u32);
        days.sort_unstable();
        open.days.extend(days);
    }
    open.start.push(open.days.len() as u32);
    open
}

/// The best `k` of many [`Ranked`] matches, seen one at a time. Matches are gathered into a
/// buffer of twice `k`; when it fills, the best `k` are selected (linear time) and the worst
/// of them becomes the bar any later match must beat. Most matches are then turned away by a
/// single comparison, and a deep page (a large `k`) costs little more than the first one,
/// where a binary heap of `k` pays a logarithmic sift for each match it keeps.
struct Best {
    k: usize,
    kept: Vec<Ranked>,
    bar: Option<Ranked>,
}

impl Best {
    fn new(k: usize) -> Self {
        Best {
            k,
            kept: Vec::with_capacity(2 * k),
            bar: None,
        }
    }

    fn offer(&mut self, r: Ranked) {
        if self.k == 0 || self.bar.is_some_and(|bar| r >= bar) {
            return;
        }
        self.kept.push(r);
        if self.kept.len() == 2 * self.k {
            self.kept.select_nth_unstable(self.k - 1);
            self.kept.truncate(self.k);
            self.bar = Some(self.kept[self.k - 1]);
        }
    }

    /// The best `k`, best first.
    fn into_sorted(mut self) -> Vec<Ranked> {
        self.kept.sort_unstable();
        self.kept.truncate(self.k);
        self.kept
    }
}

/// A text match in the SQL's order: bm25 (lower first), rating (higher first), id.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: f64,
    rating: f64,
    id: u32,
    doc: u32,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.rating.total_cmp(&self.rating))
            .then(self.id.cmp(&other.id))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

#[cfg(test)]
mod tests {
    use super::{Best, Ranked};

    #[test]
    fn best_keeps_the_first_k_of_the_full_order() {
        // Scores that repeat (ties fall to the rating, then the id), in a scrambled order.
        let all: Vec<Ranked> = (0..500u32)
            .map(|i| {
                let x = i.wrapping_mul(2_654_435_761) % 97;
                Ranked {
                    score: -f64::from(x % 13),
                    rating: f64::from(x % 5),
                    id: i,
                    doc: i,
                }
            })
            .collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        for k in [0, 1, 2, 7, 20, 249, 250, 251, 499, 500, 800] {
            let mut best = Best::new(k);
            for &r in &all {
                best.offer(r);
            }
            let docs = |v: &[Ranked]| v.iter().map(|r| r.doc).collect::<Vec<_>>();
            let want = &sorted[..k.min(all.len())];
            assert_eq!(docs(&best.into_sorted()), docs(want), "k = {k}");
        }
    }
}
