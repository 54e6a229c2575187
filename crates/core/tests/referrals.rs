//! Referrals on both engines: a code per account, registering with it, the reward when the
//! referred traveller's first booking completes (not when a cancelled one would have), once,
//! and the refusals: an unknown code, the same e-mail domain and card, past the monthly limit.

mod common;

use booksygo_core::booking::BookingRequest;
use booksygo_core::points::referrals::MONTHLY_LIMIT;
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{Kept, on_engines};

const PASSWORD: &str = "correct horse battery";
/// A year after the bookings below: every trip has ended.
const LATER: &str = "2028-01-15T12:00:00Z";

fn at(kept: &Kept, now: &str) -> LocalAgency {
    common::agency_on_at(kept, now.parse().unwrap())
}

/// `who` books the BA flight, paid with `card`; the booking's id.
async fn book(a: &LocalAgency, who: &str, email: &str, card: &str) -> String {
    let offer = common::ba_offer(a).await;
    let req = BookingRequest {
        contact_email: email.into(),
        ..common::ada_request(&offer.id, Some(card))
    };
    a.as_user(who).create_booking(req).await.unwrap().id
}

fn referral_points(a: &LocalAgency, user: &str) -> i64 {
    common::number(
        a,
        "SELECT coalesce(sum(total_delta), 0) FROM points_ledger WHERE user_id = $1 AND kind = 'REFERRAL'",
        &[user],
    )
}

on_engines!(
    #[tokio::test]
    a_referral_pays_once_on_the_first_completed_booking
);
async fn a_referral_pays_once_on_the_first_completed_booking(engine: &str) {
    let (kept, a) = common::agency_on(engine, |_| {});
    let accounts = a.accounts();
    let grace = accounts
        .register("grace@team.test", PASSWORD, "Grace", "Hopper")
        .await
        .unwrap();
    let referral = a.as_user(&grace.id).referral().await.unwrap();
    let code = referral.code.clone();
    assert_eq!(code.len(), 8);
    assert_eq!(referral.points_each, 200);
    assert_eq!(referral.monthly_limit, 20);
    assert!(referral.referred.is_empty());
    // The same code every time.
    assert_eq!(a.as_user(&grace.id).referral().await.unwrap().code, code);

    // An unknown code, or something that is not a code: refused, and no account is made.
    for bad in ["ACDEFGHJ", "hello", ""] {
        let e = accounts
            .register_referred("bob@example.com", PASSWORD, "Bob", "B", bad)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}: {e}");
    }
    assert_eq!(
        common::number(
            &a,
            "SELECT count(*) FROM users WHERE email = 'bob@example.com'",
            &[]
        ),
        0
    );

    // In any letter case.
    let ada = accounts
        .register_referred(
            "ada@example.com",
            PASSWORD,
            "Ada",
            "Lovelace",
            &code.to_lowercase(),
        )
        .await
        .unwrap();
    assert_eq!(
        common::texts(
            &a,
            "SELECT referred_by FROM users WHERE id = $1",
            &[&ada.id]
        ),
        vec![grace.id.clone()]
    );
    let r = a.as_user(&grace.id).referral().await.unwrap();
    assert_eq!(r.referred.len(), 1);
    assert_eq!(r.referred[0].name, "Ada L.");
    assert_eq!(r.referred[0].status, "pending");

    // Ada's first booking is cancelled before it completes: nothing for Grace, ever.
    let first = book(&a, &ada.id, "ada@example.com", "4242424242424242").await;
    a.as_user(&ada.id)
        .cancel_booking(&first, None)
        .await
        .unwrap();
    // Her next one completes (a year later, the trip is over): 200 points for Grace, once.
    let second = book(&a, &ada.id, "ada@example.com", "4242424242424242").await;
    drop(a);
    let later = at(&kept, LATER);
    later.as_user(&ada.id).points().await.unwrap(); // the sweep completes the trip
    assert_eq!(
        later
            .as_user(&ada.id)
            .get_booking(&second)
            .await
            .unwrap()
            .status,
        booksygo_core::booking::BookingStatus::Completed
    );
    assert_eq!(referral_points(&later, &grace.id), 200);
    let r = later.as_user(&grace.id).referral().await.unwrap();
    assert_eq!(r.referred[0].status, "rewarded");
    assert_eq!(r.rewarded_this_month, 1);
    let events = common::texts(
        &later,
        "SELECT payload FROM events WHERE type = 'referral.settled'",
        &[],
    );
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("rewarded") && events[0].contains(&second));
    // Sweeping again pays nothing more.
    later.as_user(&grace.id).points().await.unwrap();
    at(&kept, "2028-02-15T12:00:00Z")
        .as_user(&ada.id)
        .points()
        .await
        .unwrap();
    assert_eq!(referral_points(&later, &grace.id), 200);
    // Ada's own points are hers: the referral paid nobody else.
    assert_eq!(referral_points(&later, &ada.id), 0);
}

on_engines!(
    #[tokio::test]
    the_same_domain_and_card_and_the_monthly_limit_pay_nothing
);
async fn the_same_domain_and_card_and_the_monthly_limit_pay_nothing(engine: &str) {
    let (kept, a) = common::agency_on(engine, |_| {});
    let accounts = a.accounts();
    let grace = accounts
        .register("grace@team.test", PASSWORD, "Grace", "Hopper")
        .await
        .unwrap();
    let code = a.as_user(&grace.id).referral().await.unwrap().code;
    // Grace has paid with her card before.
    book(&a, &grace.id, "grace@team.test", "4242424242424242").await;

    // Carol: Grace's domain, Grace's card. Dan: another domain, the same card. Eve: Grace's
    // domain, another card.
    let mut referred = Vec::new();
    for (email, card) in [
        ("carol@team.test", "4242424242424242"),
        ("dan@example.org", "4242424242424242"),
        ("eve@team.test", "5555555555554444"),
    ] {
        let p = accounts
            .register_referred(email, PASSWORD, "X", "Y", &code)
            .await
            .unwrap();
        book(&a, &p.id, email, card).await;
        referred.push(p.id);
    }
    drop(a);
    let later = at(&kept, LATER);
    later.as_user(&grace.id).points().await.unwrap();
    let status = |a: &LocalAgency, user: &str| {
        common::texts(
            a,
            "SELECT status FROM referrals WHERE referee_id = $1",
            &[user],
        )
    };
    assert_eq!(status(&later, &referred[0]), vec!["same_card"]);
    assert_eq!(status(&later, &referred[1]), vec!["rewarded"]);
    assert_eq!(status(&later, &referred[2]), vec!["rewarded"]);
    assert_eq!(referral_points(&later, &grace.id), 400);

    // The monthly limit: Grace has had 20 rewards this month, so Frank's pays nothing.
    let r = later.as_user(&grace.id).referral().await.unwrap();
    assert_eq!(r.rewarded_this_month, 2);
    let frank = later
        .accounts()
        .register_referred("frank@example.net", PASSWORD, "Frank", "F", &code)
        .await
        .unwrap();
    let settled = later.now().as_second();
    for i in 0..(MONTHLY_LIMIT - 2) {
        let id = format!("usr_filler{i}");
        later
            .store()
            .read(|u| {
                u.users()
                    .ensure_user(&id, &format!("filler{i}@example.com"), 0)
            })
            .unwrap();
        common::execute(
            &later,
            &format!(
                "INSERT INTO referrals(referee_id, referrer_id, status, booking_id, created_at, settled_at)
                 VALUES ($1, $2, 'rewarded', NULL, 0, {settled})"
            ),
            &[&id, &grace.id],
        );
    }
    assert_eq!(
        later
            .as_user(&grace.id)
            .referral()
            .await
            .unwrap()
            .rewarded_this_month,
        MONTHLY_LIMIT
    );
    // Frank books (at the later moment) and his trip ends in the same month.
    let offer = {
        use booksygo_core::search::{FlightQuery, FlightSort};
        let mut q = FlightQuery::one_way("LHR", "JFK", common::date("2028-01-20"));
        q.sort = FlightSort::Price;
        later.search_flights(&q).await.unwrap().offers.remove(0)
    };
    let req = BookingRequest {
        contact_email: "frank@example.net".into(),
        ..common::ada_request(&offer.id, Some("4242424242424242"))
    };
    let b = later.as_user(&frank.id).create_booking(req).await.unwrap();
    let end = at(&kept, "2028-01-28T12:00:00Z");
    end.as_user(&frank.id).points().await.unwrap();
    assert_eq!(
        end.as_user(&frank.id)
            .get_booking(&b.id)
            .await
            .unwrap()
            .status,
        booksygo_core::booking::BookingStatus::Completed
    );
    assert_eq!(status(&end, &frank.id), vec!["over_limit"]);
    assert_eq!(referral_points(&end, &grace.id), 400);
    let r = end.as_user(&grace.id).referral().await.unwrap();
    assert_eq!(r.rewarded_this_month, MONTHLY_LIMIT);
    assert!(r.referred.iter().any(|p| p.status == "over_limit"));
}
