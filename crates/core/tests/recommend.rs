//! Recommendations follow the traveller's preferences and history, with a reason each.

mod common;

use booksygo_core::Agency;
use booksygo_core::ai::recommend::recommend;
use booksygo_core::profile::{Preferences, ProfileUpdate};

#[tokio::test]
async fn preferences_and_history_shape_the_list() {
    let (_dir, agency) = common::agency();
    let before = recommend(&agency, 64).await.unwrap();
    assert!(
        before.iter().all(|r| r.why.contains("rated")),
        "no preferences: rating only"
    );

    agency
        .update_profile(&ProfileUpdate {
            preferences: Some(Preferences {
                budget_max: Some(1500),
                travel_style: Some("budget".into()),
                interests: vec!["Bali".into()],
                favourite_destinations: vec!["Lisbon".into()],
                ..Preferences::default()
            }),
            ..ProfileUpdate::default()
        })
        .await
        .unwrap();
    let list = recommend(&agency, 10).await.unwrap();
    assert_eq!(list.len(), 10);
    // Sorted by score, every pick explained, the top ones within the budget.
    assert!(list.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(list.iter().all(|r| !r.why.is_empty()));
    for r in &list[..5] {
        assert!(r.price_per_person.minor <= 150_000, "{r:?}");
        // Money as money: "within your budget (EUR 1420.00 of EUR 1500.00)".
        assert!(
            r.why.contains(&format!(
                "within your budget ({} of EUR 1500.00)",
                r.price_per_person
            )),
            "{}",
            r.why
        );
    }
    let top_types: Vec<&str> = list[..5].iter().map(|r| r.kind.as_str()).collect();
    assert!(
        top_types.iter().filter(|t| **t == "budget").count() >= 3,
        "{top_types:?}"
    );

    // A booked package is not recommended again, and its type counts in favour of others.
    let pick = &list[0];
    let detail = agency.get_package(&pick.package_id).await.unwrap();
    let dep = detail.departures.iter().find(|d| d.slots_left > 0).unwrap();
    agency
        .create_booking(booksygo_core::booking::BookingRequest {
            items: vec![booksygo_core::booking::ItemRequest::Package {
                package_id: pick.package_id.clone(),
                date: dep.date,
            }],
            passengers: vec![booksygo_core::booking::PassengerInput {
                given_name: "Ana".into(),
                family_name: "Lopez".into(),
                born_on: common::date("1990-04-02"),
                kind: Some(booksygo_core::model::PassengerType::Adult),
                document: None,
                gender: None,
            }],
            contact_email: "ana@example.com".into(),
            contact_phone: None,
            payment: Default::default(),
            idempotency_key: None,
        })
        .await
        .unwrap();
    let after = recommend(&agency, 64).await.unwrap();
    assert!(after.iter().all(|r| r.package_id != pick.package_id));
    assert!(
        after.iter().filter(|r| r.kind == pick.kind).all(|r| r
            .why
            .contains(&format!("you booked {} trips before", pick.kind))),
        "{after:?}"
    );
}

#[tokio::test]
async fn a_profile_keeps_each_preference_once_and_its_zone_as_the_database_spells_it() {
    let (_dir, agency) = common::agency();
    let saved = agency
        .update_profile(&ProfileUpdate {
            preferences: Some(Preferences {
                dietary_needs: vec!["vegan".into(), "Vegan".into(), "halal".into()],
                favourite_destinations: vec!["Lisbon".into(), "lisbon".into()],
                ..Preferences::default()
            }),
            time_zone: Some("europe/madrid".into()),
            ..ProfileUpdate::default()
        })
        .await
        .unwrap();
    assert_eq!(saved.preferences.dietary_needs, ["vegan", "halal"]);
    assert_eq!(saved.preferences.favourite_destinations, ["Lisbon"]);
    assert_eq!(saved.time_zone, "Europe/Madrid");
    // A limit of 0 would list nothing: refused, as a search's is.
    let e = recommend(&agency, 0).await.unwrap_err();
    assert_eq!(e.kind(), booksygo_core::ErrorKind::InvalidInput);
}
