//! The package catalogue: full-text search with filters, sorts and facets; featured and deals;
//! dynamic prices; adding a package with full validation.

mod common;

use booksygo_core::model::Money;
use booksygo_core::model::package::PackageSpec;
use booksygo_core::search::packages::{PackageQuery, PackageSort};
use booksygo_core::{Agency, ErrorKind};
use common::{agency, date};

#[tokio::test]
async fn the_catalogue_is_loaded_with_facets() {
    let (_d, a) = agency();
    let r = a
        .search_packages(&PackageQuery {
            limit: Some(200),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(r.total >= 60, "{}", r.total);
    assert_eq!(r.packages.len(), r.total);
    for t in ["adventure", "luxury", "budget", "cultural"] {
        assert!(
            r.facets.kind.get(t).copied().unwrap_or(0) >= 10,
            "{t}: {:?}",
            r.facets.kind
        );
    }
    assert!(r.facets.continent.len() >= 6, "{:?}", r.facets.continent);
    assert_eq!(r.facets.duration.values().sum::<usize>(), r.total);
}

#[tokio::test]
async fn full_text_finds_activities_and_destinations() {
    let (_d, a) = agency();
    let q = |t: &str| PackageQuery {
        text: Some(t.into()),
        ..Default::default()
    };
    let r = a.search_packages(&q("snorkel")).await.unwrap();
    assert!(r.total >= 1);
    let r = a.search_packages(&q("Iceland glacier")).await.unwrap();
    assert!(
        r.packages.iter().any(|p| p.destination == "REK"),
        "{:?}",
        r.packages.iter().map(|p| &p.id).collect::<Vec<_>>()
    );
    let r = a.search_packages(&q("zzqqxx")).await.unwrap();
    assert_eq!(r.total, 0);
    assert!(r.packages.is_empty());
    // Punctuation and FTS syntax in user text are harmless.
    let r = a.search_packages(&q("\"tour\" OR (NEAR*")).await.unwrap();
    assert!(r.total >= 1);
}

#[tokio::test]
async fn filters_sorts_and_facets_agree() {
    let (_d, a) = agency();
    let q = PackageQuery {
        kind: Some("budget".into()),
        max_price: Some(Money::eur(1000_00)),
        min_days: Some(3),
        sort: PackageSort::Price,
        limit: Some(100),
        ..Default::default()
    };
    let r = a.search_packages(&q).await.unwrap();
    assert!(r.total >= 3);
    assert!(
        r.packages
            .iter()
            .all(|p| p.kind == "budget" && p.base_price.minor <= 1000_00 && p.duration_days >= 3)
    );
    assert!(
        r.packages
            .windows(2)
            .all(|w| w[0].base_price.minor <= w[1].base_price.minor)
    );
    assert_eq!(r.facets.kind.len(), 1);
    assert_eq!(r.facets.kind["budget"], r.total);

    let by_rating = a
        .search_packages(&PackageQuery {
            sort: PackageSort::Rating,
            min_rating: Some(4.5),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_rating.packages.iter().all(|p| p.rating >= 4.5));
    assert!(
        by_rating
            .packages
            .windows(2)
            .all(|w| w[0].rating >= w[1].rating)
    );

    let japan = a
        .search_packages(&PackageQuery {
            destination: Some("Japan".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(japan.total >= 1 && japan.packages.iter().all(|p| p.country == "JP"));

    let march = a
        .search_packages(&PackageQuery {
            month: Some(date("2027-03-01")),
            limit: Some(200),
            ..Default::default()
        })
        .await
        .unwrap();
    for p in &march.packages {
        let d = a.get_package(&p.id).await.unwrap();
        assert!(
            d.departures
                .iter()
                .any(|x| x.date.year() == 2027 && x.date.month() == 3),
            "{}",
            p.id
        );
    }

    let err = a
        .search_packages(&PackageQuery {
            kind: Some("cruise".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn details_featured_deals_and_prices() {
    let (_d, a) = agency();
    let featured = a.featured_packages(20).await.unwrap();
    assert!(featured.len() >= 5 && featured.iter().all(|p| p.featured));
    let p = a.get_package(&featured[0].id).await.unwrap();
    assert_eq!(p.itinerary.len() as u32, p.summary.duration_days);
    assert!(!p.departures.is_empty());
    for d in &p.departures {
        assert!(d.price.minor > 0 && d.list_price.minor >= d.price.minor);
    }
    // By slug too.
    assert_eq!(
        a.get_package(&p.summary.slug).await.unwrap().summary.id,
        p.summary.id
    );
    assert_eq!(
        a.get_package("pkg_nope").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Deals are last-minute: departures within 60 days, at 15 % off.
    let deals = a.package_deals(50).await.unwrap();
    for d in &deals {
        assert_eq!(d.departure.deal_percent, Some(15));
        assert!(d.departure.date <= date("2027-01-24"));
    }
}

#[test]
fn prices_rise_as_departures_fill_and_fall_for_last_minute_deals() {
    use booksygo_core::model::package::departure_price;
    let base = Money::eur(1000_00);
    let today = date("2026-11-25");
    let empty = departure_price(base, date("2027-05-10"), 20, 0, today, false).0;
    let nearly_full = departure_price(base, date("2027-05-10"), 20, 17, today, false).0;
    assert!(nearly_full.minor > empty.minor);
    let (deal, list, pct) = departure_price(base, date("2026-12-10"), 20, 2, today, false);
    assert_eq!(pct, Some(15));
    assert!(deal.minor < list.minor);
    let summer = departure_price(base, date("2027-07-20"), 20, 0, today, false).0;
    let winter = departure_price(base, date("2027-02-10"), 20, 0, today, false).0;
    assert!(summer.minor > winter.minor);
}

fn spec() -> PackageSpec {
    serde_json::from_value(serde_json::json!({
        "id": "pkg_test_lisbon_weekend_3d", "slug": "test-lisbon-weekend", "title": "Lisbon long weekend",
        "description": "Three days of trams, tiles and pasteis de nata in Lisbon's old quarters.",
        "type": "budget", "destination": "LIS", "duration_days": 3, "base_price": 39000, "currency": "EUR",
        "rating": 4.4, "review_count": 0, "includes": ["2 nights in a guesthouse"],
        "itinerary": [
            {"day": 1, "title": "Alfama", "description": "Walk the old quarter.", "activities": ["Tram 28"], "meals": ["dinner"]},
            {"day": 2, "title": "Belem", "description": "Monastery and custard tarts.", "activities": ["Jeronimos Monastery"], "meals": ["breakfast"]},
            {"day": 3, "title": "Sintra", "description": "Palaces in the hills.", "activities": ["Pena Palace"], "meals": ["breakfast", "lunch"]}
        ],
        "departures": [{"date": "2027-04-09", "slots": 12}, {"date": "2027-05-14", "slots": 12}],
        "featured": false, "max_group": 12, "tags": ["cities", "food"]
    }))
    .unwrap()
}

#[tokio::test]
async fn adding_a_package_validates_everything_and_writes_nothing_on_error() {
    let (_d, a) = agency();
    let mut bad = spec();
    bad.kind = "cruise".into();
    bad.destination = "XXX".into();
    bad.itinerary.pop();
    bad.departures[1].slots = 99;
    let err = a.save_package(&bad).await.unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    for part in ["type", "destination", "itinerary", "departures[1].slots"] {
        assert!(msg.contains(part), "'{msg}' lacks {part}");
    }
    assert!(msg.starts_with("4 problems"), "{msg}");
    assert_eq!(
        a.get_package(&bad.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let saved = a.save_package(&spec()).await.unwrap();
    assert_eq!(saved.departures.len(), 2);
    let found = a
        .search_packages(&PackageQuery {
            text: Some("custard tarts".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        found
            .packages
            .iter()
            .any(|p| p.id == "pkg_test_lisbon_weekend_3d")
    );
    // Updating replaces the search entry rather than duplicating it.
    let mut newer = spec();
    newer.title = "Lisbon long weekend, zebrafinch edition".into();
    a.save_package(&newer).await.unwrap();
    let found = a
        .search_packages(&PackageQuery {
            text: Some("zebrafinch".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    let ours = |r: &booksygo_core::search::packages::PackageResults| {
        r.packages
            .iter()
            .filter(|p| p.id == "pkg_test_lisbon_weekend_3d")
            .count()
    };
    let all = a
        .search_packages(&PackageQuery {
            text: Some("custard tarts".into()),
            limit: Some(200),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ours(&all), 1, "one index entry per package");
}

/// An account with `role`; its id.
fn account(a: &booksygo_core::LocalAgency, email: &str, role: &str) -> String {
    booksygo_core::accounts::register(
        &a.store().conn().unwrap(),
        email,
        "correct horse battery",
        "Pat",
        "Partner",
        role,
        0,
    )
    .unwrap()
    .id
}

#[tokio::test]
async fn ratings_come_from_reviews_and_only_admins_feature_a_package() {
    let (_d, a) = agency();
    let partner = a.as_user(&account(&a, "pat@partner.test", "partner"));
    let admin = a.as_user(&account(&a, "root@team.test", "admin"));

    // A partner's new package starts with no rating and no reviews, whatever it sends.
    let mut faked = spec();
    faked.rating = 5.0;
    faked.review_count = 999_999;
    let saved = partner.save_package(&faked).await.unwrap();
    assert_eq!(
        (
            saved.summary.rating,
            saved.summary.review_count,
            saved.summary.featured
        ),
        (0.0, 0, false)
    );

    // Featuring its own package is refused, and changes nothing.
    faked.featured = true;
    let e = partner.save_package(&faked).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert!(e.to_string().contains("featured"), "{e}");
    let featured = a.featured_packages(100).await.unwrap();
    assert!(featured.iter().all(|p| p.id != faked.id));

    // Reviews set the rating (here by hand); a later save keeps it.
    a.store()
        .conn()
        .unwrap()
        .execute(
            "UPDATE packages SET rating = 4.2, review_count = 7 WHERE id = ?1",
            [&faked.id],
        )
        .unwrap();
    faked.featured = false;
    let saved = partner.save_package(&faked).await.unwrap();
    assert_eq!((saved.summary.rating, saved.summary.review_count), (4.2, 7));

    // An admin features it (the rating stays the reviews'); the partner's next save keeps
    // the flag it may not change.
    let mut by_admin = spec();
    by_admin.featured = true;
    by_admin.rating = 1.0;
    let saved = admin.save_package(&by_admin).await.unwrap();
    assert_eq!(
        (
            saved.summary.featured,
            saved.summary.rating,
            saved.summary.review_count
        ),
        (true, 4.2, 7)
    );
    let saved = partner.save_package(&faked).await.unwrap();
    assert!(saved.summary.featured, "the stored flag is kept");
    assert!(
        a.featured_packages(100)
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == faked.id)
    );
}

#[tokio::test]
async fn another_packages_slug_is_a_conflict() {
    let (_d, a) = agency();
    let partner = a.as_user(&account(&a, "pat@partner.test", "partner"));
    let taken = a
        .search_packages(&PackageQuery::default())
        .await
        .unwrap()
        .packages[0]
        .slug
        .clone();
    let mut copy = spec();
    copy.slug = taken.clone();
    let e = partner.save_package(&copy).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let text = e.to_string();
    assert!(text.contains(&taken) && !text.contains("UNIQUE"), "{text}");
    assert_eq!(
        a.get_package(&copy.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Its own slug, saved again, is no conflict.
    partner.save_package(&spec()).await.unwrap();
    partner.save_package(&spec()).await.unwrap();
}

#[tokio::test]
async fn an_offset_past_the_last_page_is_refused_not_a_database_error() {
    let (_d, a) = agency();
    for offset in [usize::MAX, u64::MAX as usize, 10_001] {
        let e = a
            .search_packages(&PackageQuery {
                offset: Some(offset),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{offset}: {e}");
        assert!(e.to_string().contains("offset"), "{e}");
    }
    let far = a
        .search_packages(&PackageQuery {
            offset: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(far.packages.is_empty() && far.total > 0);
}
