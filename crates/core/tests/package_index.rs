//! The package search kept in memory gives exactly what the SQL search gives: the same
//! packages in the same order, the same facets and totals, on every page, over thousands of
//! random queries (words whole and as prefixes, filters, sorts, pages) on a catalogue with
//! many ties, and after every kind of change (a package added or edited, here or by another
//! process on the same file, a departure filling up and opening again, a review).

mod common;

use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{BookingRequest, ItemRequest, PaymentInput};
use booksygo_core::model::Money;
use booksygo_core::model::package::PackageSpec;
use booksygo_core::search::packages::{
    self, PackageQuery, PackageResults, PackageSearch, PackageSort, SearchPath,
};
use booksygo_core::{Agency, LocalAgency};
use common::{ada, agency_on, agency_on_at, date};

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The fixtures and `extra` variants of them: copies (identical texts: bm25 ties), new
/// titles with accents and odd words, other prices, ratings, durations and featured flags.
fn catalogue(a: &LocalAgency, extra: usize, rng: &mut Rng) -> Vec<PackageSpec> {
    let specs = booksygo_core::fixtures::packages().unwrap();
    let net = a.network();
    let odd = [
        "Séjour à Reykjavík",
        "Crème brûlée & São Paulo",
        "TOURS of the Tourist's tourney",
        "Ærø Øresund Straße",
        "x_y 3D hiking-hikes",
        "Tour",
        "Ελληνικά νησιά",
        "日本の旅 tour",
    ];
    let mut out = Vec::new();
    let mut conn = a.store().conn().unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..extra {
        let mut s = specs[i % specs.len()].clone();
        s.id = format!("{}_v{i}", s.id);
        s.slug = format!("{}-v{i}", s.slug);
        if rng.chance(40) {
            s.title = format!("{} {}", rng.pick(&odd), i % 7);
        }
        if rng.chance(30) {
            s.description = format!("{} {}", s.description, rng.pick(&odd));
        }
        if rng.chance(50) {
            s.base_price = 50_000 + (rng.below(60) as i64) * 10_000;
        }
        if rng.chance(50) {
            s.rating = [3.5, 4.0, 4.5, 4.8, 5.0][rng.below(5)];
            s.review_count = rng.below(4) as u32;
        }
        s.featured = rng.chance(10);
        packages::upsert(&tx, &net.places, &s, None, "test", 0).unwrap();
        out.push(s);
    }
    tx.commit().unwrap();
    out.extend(specs);
    out
}

/// Words of the catalogue, their prefixes, short words, and words found nowhere.
fn vocabulary(specs: &[PackageSpec]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for s in specs.iter().step_by(3) {
        for w in format!("{} {} {}", s.title, s.description, s.destination)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            words.push(w.to_lowercase());
            if w.chars().count() > 4 {
                words.push(w.chars().take(4).collect::<String>().to_lowercase());
            }
        }
    }
    words.sort();
    words.dedup();
    words.extend(
        [
            "tour",
            "tours",
            "touring",
            "a",
            "of",
            "in",
            "zzqq",
            "glacier",
            "silfra",
            "hike",
            "hiking",
            "sao",
            "sé",
            "3d",
            "x",
            "the",
            "reykjavík",
            "beach",
            "city",
            "Tour!",
        ]
        .map(String::from),
    );
    words
}

fn random_query(rng: &mut Rng, vocab: &[String]) -> PackageQuery {
    let mut q = PackageQuery::default();
    if rng.chance(75) {
        let n = 1 + rng.below(3);
        let words: Vec<String> = (0..n).map(|_| rng.pick(vocab).clone()).collect();
        q.text = Some(words.join(" "));
    }
    if rng.chance(20) {
        q.kind = Some(
            rng.pick(&["adventure", "luxury", "budget", "cultural"])
                .to_string(),
        );
    }
    if rng.chance(15) {
        q.destination = Some(
            rng.pick(&["JP", "Japan", "REK", "IS", "LIS", "Portugal", "TYO"])
                .to_string(),
        );
    }
    if rng.chance(20) {
        q.max_price = Some(Money::eur(rng.below(6000) as i64 * 100));
    }
    if rng.chance(10) {
        q.min_price = Some(Money::eur(rng.below(1500) as i64 * 100));
    }
    if rng.chance(15) {
        q.min_days = Some(1 + rng.below(8) as u32);
    }
    if rng.chance(10) {
        q.max_days = Some(5 + rng.below(12) as u32);
    }
    if rng.chance(10) {
        q.min_rating = Some([4.0, 4.5, 4.8][rng.below(3)]);
    }
    if rng.chance(10) {
        let months = ["2026-12-01", "2027-01-01", "2027-03-01", "2027-06-01"];
        q.month = Some(date(months[rng.below(months.len())]));
    }
    q.sort = *rng.pick(&[
        PackageSort::Relevance,
        PackageSort::Relevance,
        PackageSort::Price,
        PackageSort::Rating,
        PackageSort::Duration,
    ]);
    if rng.chance(60) {
        q.limit = Some(rng.pick(&[0usize, 1, 5, 20, 50, 200]).to_owned());
    }
    if rng.chance(40) {
        q.offset = Some(rng.pick(&[0usize, 1, 3, 19, 20, 100, 400]).to_owned());
    }
    q
}

/// The SQL's answer (the straightforward path).
fn by_sql(a: &LocalAgency, q: &PackageQuery) -> booksygo_core::Result<PackageResults> {
    let net = a.network();
    a.store().read(|u| packages::search(u, &net.places, q))
}

/// The index's answer, which must come from memory.
fn by_index(
    index: &PackageSearch,
    a: &LocalAgency,
    q: &PackageQuery,
) -> booksygo_core::Result<PackageResults> {
    let r = packages::search_indexed(index, a.store(), &a.network().places, q)?;
    Ok(r)
}

fn same(index: &PackageSearch, a: &LocalAgency, q: &PackageQuery, seed: u64) {
    let sql = by_sql(a, q);
    let mem = by_index(index, a, q);
    match (sql, mem) {
        (Ok(s), Ok(m)) => {
            if s != m {
                let ids = |r: &PackageResults| {
                    r.packages.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
                };
                panic!(
                    "seed {seed}: {q:?}\nsql    {} {:?}\nmemory {} {:?}\nsql facets {:?}\nmemory facets {:?}",
                    s.total,
                    ids(&s),
                    m.total,
                    ids(&m),
                    s.facets,
                    m.facets
                );
            }
        }
        (Err(s), Err(m)) => assert_eq!(s.to_string(), m.to_string(), "seed {seed}: {q:?}"),
        (s, m) => panic!(
            "seed {seed}: {q:?}: sql {:?}, memory {:?}",
            s.map(|r| r.total),
            m.map(|r| r.total)
        ),
    }
}

/// The text index is exact for this catalogue: a text search answers from memory.
fn memory_answers(index: &PackageSearch, a: &LocalAgency, word: &str) {
    use booksygo_core::store::port::{IndexQuery, Word};
    let q = IndexQuery {
        words: vec![Word {
            text: word.into(),
            prefix: true,
        }],
        kind: None,
        place: None,
        min_price: None,
        max_price: None,
        min_days: None,
        max_days: None,
        min_rating: None,
        departing: None,
        sort: PackageSort::Relevance,
        limit: 20,
        offset: 0,
    };
    let (_, path) = index.find_how(a.store(), &q).unwrap();
    assert_eq!(path, SearchPath::Memory, "{word}");
}

#[test]
fn the_index_answers_as_the_sql_over_random_queries() {
    let (_kept, a) = agency_on("sqlite", |_| {});
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let specs = catalogue(&a, 700, &mut rng);
    let vocab = vocabulary(&specs);
    let index = PackageSearch::new();
    memory_answers(&index, &a, "tour");
    for seed in 0..3000u64 {
        let q = random_query(&mut rng, &vocab);
        same(&index, &a, &q, seed);
    }
    // The queries the benchmark times, every page of the common word; and common words by
    // relevance, whose order is kept by the first search and read by the next.
    for offset in [0, 20, 40, 1000] {
        for sort in [PackageSort::Relevance, PackageSort::Price] {
            let q = PackageQuery {
                text: Some("tour".into()),
                sort,
                offset: Some(offset),
                limit: Some(20),
                ..Default::default()
            };
            same(&index, &a, &q, offset as u64);
        }
    }
    for word in ["the", "and", "day", "tours"] {
        for offset in [0, 0, 20, 200, 5000] {
            let q = PackageQuery {
                text: Some(word.into()),
                sort: PackageSort::Relevance,
                offset: Some(offset),
                limit: Some(50),
                ..Default::default()
            };
            same(&index, &a, &q, offset as u64);
        }
    }
}

#[tokio::test]
async fn the_index_follows_every_change() {
    let (kept, a) = agency_on("sqlite", |_| {});
    let mut rng = Rng(42);
    let specs = catalogue(&a, 150, &mut rng);
    let vocab = vocabulary(&specs);
    let index = PackageSearch::new();
    let check = |rng: &mut Rng, a: &LocalAgency| {
        for seed in 0..150u64 {
            same(&index, a, &random_query(rng, &vocab), seed);
        }
        // A common word by relevance: its order is kept with the index, made again after a
        // change.
        for offset in [0, 40] {
            let q = PackageQuery {
                text: Some("tour".into()),
                sort: PackageSort::Relevance,
                offset: Some(offset),
                ..Default::default()
            };
            same(&index, a, &q, offset as u64);
        }
        for month in ["2026-12-01", "2027-01-01", "2027-02-01"] {
            let q = PackageQuery {
                month: Some(date(month)),
                limit: Some(200),
                ..Default::default()
            };
            same(&index, a, &q, 0);
        }
    };
    check(&mut rng, &a);

    // A package edited: new words, price and rating.
    let mut edited = specs[3].clone();
    edited.title = "Quetzalcoatl expedition".into();
    edited.base_price = 12_345;
    a.save_package(&edited).await.unwrap();
    let q = PackageQuery {
        text: Some("quetzal".into()),
        ..Default::default()
    };
    let found = by_index(&index, &a, &q).unwrap();
    assert!(
        found
            .packages
            .iter()
            .any(|p| p.id == edited.id && p.base_price.minor == 12_345)
    );
    same(&index, &a, &q, 0);
    check(&mut rng, &a);

    // Another process on the same file adds one: the next search sees it.
    let other = agency_on_at(&kept, common::now());
    let mut added = specs[5].clone();
    added.id = "pkg_from_elsewhere".into();
    added.slug = "from-elsewhere".into();
    added.title = "Zanzibar spice walk".into();
    other.save_package(&added).await.unwrap();
    let q = PackageQuery {
        text: Some("zanzibar spice".into()),
        ..Default::default()
    };
    let found = by_index(&index, &a, &q).unwrap();
    assert!(found.packages.iter().any(|p| p.id == added.id), "{found:?}");
    same(&index, &a, &q, 0);
    check(&mut rng, &a);

    // A departure sold out, then given back: the month filter follows.
    let detail = a.get_package(&added.id).await.unwrap();
    let dep = detail.departures[0].clone();
    let month = PackageQuery {
        month: Some(dep.date.first_of_month()),
        text: Some("zanzibar".into()),
        ..Default::default()
    };
    let before = by_index(&index, &a, &month).unwrap().total;
    let mut booked = Vec::new();
    for _ in 0..dep.slots_left {
        let b = a
            .create_booking(BookingRequest {
                items: vec![ItemRequest::Package {
                    package_id: added.id.clone(),
                    date: dep.date,
                }],
                passengers: vec![ada()],
                contact_email: "ada@example.com".into(),
                contact_phone: None,
                payment: PaymentInput {
                    card: Some(Card::new("4242424242424242", "12/30")),
                    points: 0,
                },
                idempotency_key: None,
            })
            .await
            .unwrap();
        booked.push(b.id);
    }
    let full = detail
        .departures
        .iter()
        .filter(|d| d.date.first_of_month() == dep.date.first_of_month() && d.slots_left > 0)
        .count();
    let after = by_index(&index, &a, &month).unwrap().total;
    assert_eq!(after, if full > 1 { before } else { before - 1 });
    same(&index, &a, &month, 1);
    check(&mut rng, &a);
    a.cancel_booking(&booked[0], None).await.unwrap();
    assert_eq!(by_index(&index, &a, &month).unwrap().total, before);
    same(&index, &a, &month, 2);
    check(&mut rng, &a);

    // A review changes the rating (here through the store's own write, as the review rule
    // makes it): the rating sort and filter follow.
    let by_rating = PackageQuery {
        text: Some("zanzibar".into()),
        min_rating: Some(0.5),
        sort: PackageSort::Rating,
        ..Default::default()
    };
    let rated_before = by_index(&index, &a, &by_rating).unwrap();
    a.store()
        .write(|u| {
            u.bookings()
                .add_review(&booksygo_core::store::port::NewReview {
                    id: "rev_index_test",
                    booking: &booked[1],
                    package: &added.id,
                    user: a.user(),
                    rating: 1,
                    text: "Too spicy",
                    at: 0,
                })
        })
        .unwrap();
    let rated_after = by_index(&index, &a, &by_rating).unwrap();
    assert_eq!(
        rated_before.total + 1,
        rated_after.total,
        "new packages start unrated"
    );
    same(&index, &a, &by_rating, 3);
    check(&mut rng, &a);
}
