//! The package catalogue's search index: text, filters, sorts and facets.

use crate::error::Result;
use crate::model::package::PackageSpec;
use crate::model::package::{PackageSort, PackageSummary};
use jiff::civil::Date;

/// What a package is filed under besides its spec: where it is, what its text search looks
/// in, and who wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Filing<'a> {
    /// The destination city's name, country code and continent.
    pub destination_name: &'a str,
    pub country: &'a str,
    pub continent: &'a str,
    /// The body (includes, itinerary, tags) as JSON text, returned whole by `detail`.
    pub body: &'a str,
    /// The words of the destination the text search matches (city, code, country,
    /// continent), and those of the itinerary and tags.
    pub place_words: &'a str,
    pub activities: &'a str,
    pub owner: Option<&'a str>,
    /// Where it came from: "fixture", "user", ...
    pub source: &'a str,
    pub now: i64,
}

/// One word of a text search: every match contains it, whole or (`prefix`) as the start of a
/// word. The rule has bounded and normalized the words; an engine matches each as a literal
/// word, never as its own query syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub prefix: bool,
}

/// Where a package must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceFilter {
    /// In this country (code), or in the city whose code is `city`.
    CountryOrCity { country: String, city: String },
    /// In this city (code).
    City(String),
}

/// A search of the catalogue, as the rule has checked and bounded it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexQuery {
    /// Every word must match (title, description, destination words or activities); none:
    /// no text search.
    pub words: Vec<Word>,
    pub kind: Option<String>,
    pub place: Option<PlaceFilter>,
    /// Base price per person, in minor units, both ends included.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub min_days: Option<u32>,
    pub max_days: Option<u32>,
    pub min_rating: Option<f32>,
    /// A departure with places left between these days, both included.
    pub departing: Option<(Date, Date)>,
    /// Relevance is the text match's rank when there are words; without words, featured
    /// first, then rating and reviews.
    pub sort: PackageSort,
    pub limit: usize,
    pub offset: usize,
}

/// How many of the matches fall in one cell of the facets: type, continent, duration bucket
/// ("1-4", "5-7", "8-10", "11+" days) and price bucket ("under 1000", "1000-2500",
/// "2500-5000", "5000+", in major units of the base price).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub kind: String,
    pub continent: String,
    pub duration: String,
    pub price: String,
    pub count: usize,
}

/// A page of matches and the facets of all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub packages: Vec<PackageSummary>,
    pub facets: Vec<FacetCount>,
}

/// A package read whole: its summary, description, body (JSON text) and group size.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPackage {
    pub summary: PackageSummary,
    pub description: String,
    pub body: String,
    pub max_group: u32,
}

/// A departure: its places and how many are sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepartureRow {
    pub date: Date,
    pub slots: u32,
    pub sold: u32,
}

/// One package, or one text entry, as the in-memory search index (`search::package_index`)
/// reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The engine's key of the row, joining a package to its text entry.
    pub key: i64,
    /// The package (`None`: a text entry without a package, counted in the text statistics
    /// but never found).
    pub summary: Option<PackageSummary>,
    /// The rating as stored (the summary's is rounded to `f32`); sorts and filters compare it.
    pub rating: f64,
    /// The text search's columns (title, description, destination words, activities), `None`
    /// for a package without a text entry.
    pub texts: Option<[String; 4]>,
    /// How many tokens the engine counted in each column.
    pub sizes: Option<[u32; 4]>,
}

/// A package's departure as the index filters on it: its date and whether places are left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDeparture {
    pub package: String,
    pub date: Date,
    pub open: bool,
}

/// Tokens that change whenever what a search of the catalogue sees changes: `catalogue`
/// with packages (added, edited, rated), `departures` with places sold or given back. Equal
/// tokens mean nothing changed in between, whatever process or instance wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexVersions {
    pub catalogue: Option<String>,
    pub departures: Option<String>,
}

/// Promise: a package, its body, its search entry and its departures change together in the
/// caller's unit of work, and a departure's places never fall below what is sold, whatever
/// the number of writers (one conditional statement per departure). A search is bounded in
/// time by the caller's budget (`store::with_budget`): it stops with the budget's error when
/// the budget runs out, however costly its words; the rule bounds the words themselves.
pub trait PackageIndex {
    /// Writes (inserts or replaces) `spec` with its filing; the departures of `spec` are
    /// added or resized, never below what is sold, and others are kept.
    fn put(&self, spec: &PackageSpec, filing: &Filing<'_>) -> Result<()>;
    /// A page of the packages matching `q`, in its order (ties by id), and the facet counts
    /// of every match. Bounded in time by the caller's budget.
    fn search(&self, q: &IndexQuery) -> Result<Found>;
    /// Who owns package `id`: `None` when there is no such package, `Some(None)` for the
    /// catalogue's own (no owner).
    fn owner(&self, id: &str) -> Result<Option<Option<String>>>;
    /// A package by id or slug.
    fn detail(&self, id_or_slug: &str) -> Result<Option<StoredPackage>>;
    /// `package`'s departures on or after `from`, by date.
    fn departures(&self, package: &str, from: Date) -> Result<Vec<DepartureRow>>;
    /// The featured packages, best rated first.
    fn featured(&self, limit: usize) -> Result<Vec<PackageSummary>>;
    /// Packages with a departure between `from` and `to` (both included) at most half sold.
    fn deal_candidates(&self, from: Date, to: Date) -> Result<Vec<PackageSummary>>;
    /// The tokens of the catalogue and of its departures: every write that changes what a
    /// search finds (a package written, a rating, a place sold or given back) sets a new one
    /// in the same transaction.
    fn index_versions(&self) -> Result<IndexVersions>;
    /// Every package and text entry, for an index kept in memory that matches and ranks text
    /// exactly as this engine does; `None` when the engine's text search is its own
    /// (PostgreSQL stems and ranks with `english` and `ts_rank_cd`: it answers in SQL).
    fn index_rows(&self) -> Result<Option<Vec<IndexRow>>>;
    /// Every departure, with whether places are left.
    fn index_departures(&self) -> Result<Vec<IndexDeparture>>;
    /// The version of the fixtures the catalogue holds.
    fn fixture_version(&self) -> Result<Option<String>>;
    /// Records `version` as the fixtures' version (in the caller's transaction, with the
    /// packages it loaded).
    fn set_fixture_version(&self, version: &str) -> Result<()>;
}
