//! Itinerary planning on the real market: plans never exceed the budget or leave the dates;
//! when nothing fits, the answer says so with the cheapest price.

mod common;

use booksygo_core::ErrorKind;
use booksygo_core::ai::plan::{PlanRequest, plan};
use booksygo_core::model::Money;
use jiff::ToSpan;
use proptest::prelude::*;

fn run(req: PlanRequest) -> booksygo_core::Result<booksygo_core::ai::plan::Itinerary> {
    let (_dir, agency) = common::agency();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(plan(&agency, &req))
}

#[test]
fn a_week_in_rome_within_budget_with_activities() {
    let it = run(PlanRequest {
        origin: Some("London".into()),
        destination: "ROM".into(),
        start: common::date("2027-03-10"),
        days: 5,
        budget: Money::eur(150_000),
        travellers: 2,
        interests: vec!["food".into()],
    })
    .unwrap();
    assert!(it.total.minor <= 150_000);
    assert_eq!(it.left.minor, 150_000 - it.total.minor);
    assert_eq!(it.days.len(), 5);
    assert_eq!(it.days[0].date, common::date("2027-03-10"));
    assert_eq!(it.days[4].date, common::date("2027-03-14"));
    assert!(it.flight.is_some());
    assert_eq!(
        it.total.minor,
        it.flight.as_ref().unwrap().price + it.hotel.price
    );
    assert!(it.hotel.description.contains("4 nights"));
    assert!(
        it.days.iter().any(|d| !d.activities.is_empty()),
        "{:?}",
        it.days
    );

    // A budget below the cheapest combination is refused with the figure.
    let e = run(PlanRequest {
        origin: Some("London".into()),
        destination: "ROM".into(),
        start: common::date("2027-03-10"),
        days: 5,
        budget: Money::eur(5_000),
        travellers: 2,
        interests: vec![],
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(
        e.to_string()
            .contains("cheapest flight and hotel together cost"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn plans_never_exceed_the_budget_or_the_dates(
        offset in 3i64..120,
        days in 2u32..9,
        budget in 10_000i64..400_000,
        dest in prop::sample::select(vec!["ROM", "PAR", "BCN", "LIS", "NYC"]),
        fly in any::<bool>(),
    ) {
        let start = common::date("2026-11-25").checked_add(offset.days()).unwrap();
        let end = start.checked_add(i64::from(days - 1).days()).unwrap();
        let r = run(PlanRequest {
            origin: fly.then(|| "LON".to_string()),
            destination: dest.into(),
            start,
            days,
            budget: Money::eur(budget),
            travellers: 1,
            interests: vec![],
        });
        match r {
            Ok(it) => {
                prop_assert!(it.total.minor <= budget);
                prop_assert_eq!(it.total.minor, it.flight.as_ref().map_or(0, |f| f.price) + it.hotel.price);
                prop_assert_eq!(it.flight.is_some(), fly);
                prop_assert_eq!((it.start, it.end), (start, end));
                prop_assert_eq!(it.days.len() as u32, days);
                prop_assert!(it.days.iter().all(|d| d.date >= start && d.date <= end));
            }
            Err(e) => prop_assert!(
                matches!(e.kind(), ErrorKind::Conflict | ErrorKind::NotFound),
                "{}", e
            ),
        }
    }
}
