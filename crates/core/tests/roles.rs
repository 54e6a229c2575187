//! What a role changes, on both engines: premium members earn points x1.5 on their own
//! bookings (and lose as much when one is cancelled); other roles earn the base. Premium
//! members change the date of a booking once without the fee; premium members and admins see
//! and pay member prices on packages; partners read the sales of their own packages (admins
//! anyone's), and nobody else reads any.

mod common;

use booksygo_core::Agency;
use common::on_engines;

on_engines!(
    #[tokio::test]
    premium_members_earn_half_as_much_again
);
async fn premium_members_earn_half_as_much_again(engine: &str) {
    let (_kept, a) = common::agency_on(engine, |_| {});
    let accounts = a.accounts();
    let mut earned = Vec::new();
    for role in ["user", "premium", "partner", "admin"] {
        let p = accounts
            .create_account(
                &format!("{role}@example.com"),
                "correct horse battery",
                "A",
                "B",
                role,
            )
            .await
            .unwrap();
        let me = a.as_user(&p.id);
        let offer = common::ba_offer(&a).await;
        let b = me
            .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
            .await
            .unwrap();
        let after_booking = me.points().await.unwrap().available;
        me.cancel_booking(&b.id, None).await.unwrap();
        let after_cancel = me.points().await.unwrap().available;
        earned.push((role, after_booking, after_cancel));
    }
    assert_eq!(
        earned,
        vec![
            ("user", 500, 0),
            ("premium", 750, 0),
            ("partner", 500, 0),
            ("admin", 500, 0),
        ]
    );
}

/// A traveller of `role`, signed in.
async fn member(a: &booksygo_core::LocalAgency, role: &str) -> booksygo_core::LocalAgency {
    let p = a
        .accounts()
        .create_account(
            &format!("{role}@example.com"),
            "correct horse battery",
            "A",
            "B",
            role,
        )
        .await
        .unwrap();
    a.as_user(&p.id)
}

on_engines!(
    #[tokio::test]
    premium_members_change_a_date_once_without_the_fee
);
async fn premium_members_change_a_date_once_without_the_fee(engine: &str) {
    use booksygo_core::booking::desk::Modification;
    use booksygo_core::booking::payment::Card;
    let (_kept, a) = common::agency_on(engine, |_| {});
    let card = || Some(Card::new("4242424242424242", "12/30"));
    let mut firsts = Vec::new();
    for role in ["user", "premium"] {
        let me = member(&a, role).await;
        let offer = common::ba_offer(&a).await;
        let fee = offer
            .conditions
            .change_before_departure
            .fee()
            .expect("the fare allows changes");
        assert!(fee.minor > 0, "the fare asks a change fee: {fee}");
        let b = me
            .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
            .await
            .unwrap();
        let moved = me
            .modify_booking(
                &b.id,
                Modification::FlightDate {
                    date: common::date("2027-03-21"),
                    card: card(),
                },
            )
            .await
            .unwrap();
        assert_eq!(moved.date_changes.len(), 1, "{role}");
        let first = &moved.date_changes[0];
        assert_eq!(first.number, 1);
        assert_eq!(first.from, common::date("2027-03-14"));
        assert_eq!(first.to, common::date("2027-03-21"));
        if role == "premium" {
            assert_eq!(first.change_fee.minor, 0, "{first:?}");
            assert_eq!(first.fee_waived, Some(fee));
            assert_eq!(first.waived_for.as_deref(), Some("premium"));
            assert!(
                first.describe().contains("waived (premium)"),
                "{}",
                first.describe()
            );
        } else {
            assert_eq!(first.change_fee, fee, "{first:?}");
            assert_eq!(first.fee_waived, None);
            assert!(!first.describe().contains("waived"));
        }
        // What the card paid less what came back is the booking's total, fee or no fee.
        let settled = |b: &booksygo_core::booking::Booking| {
            b.payments
                .iter()
                .filter(|p| p.status == "succeeded")
                .map(|p| p.amount.minor)
                .sum::<i64>()
                - b.refunded.minor
        };
        assert_eq!(settled(&moved), moved.total.minor, "{role}");
        firsts.push((
            moved.total.minor - b.total.minor,
            first.fare_difference,
            fee.minor,
        ));

        // The second change pays the fee, premium or not.
        let again = me
            .modify_booking(
                &b.id,
                Modification::FlightDate {
                    date: common::date("2027-03-28"),
                    card: card(),
                },
            )
            .await
            .unwrap();
        assert_eq!(again.date_changes.len(), 2);
        let second = &again.date_changes[1];
        assert_eq!(second.number, 2);
        assert_eq!(second.change_fee, fee, "{role}: {second:?}");
        assert_eq!(second.fee_waived, None);
        assert_eq!(settled(&again), again.total.minor, "{role}");
        // The booking as read later says the same.
        assert_eq!(
            me.get_booking(&b.id).await.unwrap().date_changes,
            again.date_changes
        );
    }
    // Same market, same fare difference: premium's first change cost the fee less.
    let (user, premium) = (firsts[0], firsts[1]);
    assert_eq!(
        user.1, premium.1,
        "the fare difference is paid all the same"
    );
    assert_eq!(user.0 - premium.0, user.2, "only the fee is waived");
}

/// A package a partner adds: Lisbon, two departures in spring 2027.
fn lisbon(id: &str) -> booksygo_core::model::package::PackageSpec {
    serde_json::from_value(serde_json::json!({
        "id": id, "slug": id.trim_start_matches("pkg_").replace('_', "-"), "title": "Lisbon long weekend",
        "description": "Three days of trams, tiles and pasteis de nata in Lisbon's old quarters.",
        "type": "budget", "destination": "LIS", "duration_days": 3, "base_price": 39000, "currency": "EUR",
        "rating": 0.0, "review_count": 0, "includes": ["2 nights in a guesthouse"],
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

/// `travellers` adults book `package` on `date`, paying by card when `pay`.
fn package_request(
    package: &str,
    date: &str,
    travellers: usize,
    pay: bool,
) -> booksygo_core::booking::BookingRequest {
    use booksygo_core::booking::ItemRequest;
    let mut r = common::ada_request("unused", pay.then_some("4242424242424242"));
    r.items = vec![ItemRequest::Package {
        package_id: package.into(),
        date: common::date(date),
    }];
    r.passengers = (0..travellers)
        .map(|i| {
            let mut p = common::ada();
            p.given_name = format!("Ada{}", "x".repeat(i));
            p
        })
        .collect();
    r
}

on_engines!(
    #[tokio::test]
    members_see_and_pay_member_prices_on_packages
);
async fn members_see_and_pay_member_prices_on_packages(engine: &str) {
    use booksygo_core::model::package::member_price;
    use booksygo_core::search::packages::PackageQuery;
    let (_kept, a) = common::agency_on(engine, |_| {});
    let partner = member(&a, "partner").await;
    let spec = lisbon("pkg_roles_lisbon_3d");
    partner.save_package(&spec).await.unwrap();
    let query = PackageQuery {
        text: Some("lisbon".into()),
        sort: booksygo_core::search::packages::PackageSort::Price,
        ..Default::default()
    };
    let public = a.search_packages(&query).await.unwrap();
    assert!(public.packages.iter().all(|p| p.member_price.is_none()));
    for role in ["user", "premium", "partner", "admin"] {
        let me = if role == "partner" {
            partner.clone()
        } else {
            member(&a, role).await
        };
        let is_member = matches!(role, "premium" | "admin");
        // Search: the same packages in the same order, with the member price beside the
        // public one for members only.
        let found = me.search_packages(&query).await.unwrap();
        assert_eq!(found.total, public.total, "{role}");
        assert_eq!(found.facets, public.facets, "{role}");
        for (f, p) in found.packages.iter().zip(&public.packages) {
            assert_eq!(f.id, p.id);
            assert_eq!(f.base_price, p.base_price);
            let want = is_member.then(|| member_price(p.base_price));
            assert_eq!(f.member_price, want, "{role} {}", f.id);
        }
        // Detail: each departure's member price, for members.
        let detail = me.get_package(&spec.id).await.unwrap();
        let dep = detail
            .departures
            .iter()
            .find(|d| d.date == common::date("2027-04-09"))
            .unwrap()
            .clone();
        assert_eq!(
            dep.member_price,
            is_member.then(|| member_price(dep.price)),
            "{role}"
        );
        assert_eq!(detail.summary.member_price.is_some(), is_member, "{role}");
        let featured = me.featured_packages(5).await.unwrap();
        assert!(
            featured
                .iter()
                .all(|p| p.member_price.is_some() == is_member),
            "{role}"
        );
        // Booking two places charges what was shown: the member price for members.
        let b = me
            .create_booking(package_request(&spec.id, "2027-04-09", 2, true))
            .await
            .unwrap();
        let per_person = if is_member {
            member_price(dep.price)
        } else {
            dep.price
        };
        assert_eq!(b.items[0].price.minor, per_person.minor * 2, "{role}");
        assert_eq!(b.items[0].list_price.minor, dep.list_price.minor * 2);
        assert_eq!(b.total, b.items[0].price);
        assert_eq!(
            b.items[0].description.contains("(member price)"),
            is_member,
            "{}",
            b.items[0].description
        );
        let paid: i64 = b
            .payments
            .iter()
            .filter(|p| p.status == "succeeded")
            .map(|p| p.amount.minor)
            .sum();
        assert_eq!(paid, b.total.minor, "{role}");
        if is_member {
            assert!(per_person.minor < dep.price.minor);
        }
    }
    // The member price: 10% off, in whole euros.
    let eur = booksygo_core::model::Money::eur;
    assert_eq!(member_price(eur(39000)), eur(35100));
    assert_eq!(member_price(eur(41900)), eur(37700));
    assert_eq!(member_price(eur(100)), eur(100));
}

on_engines!(
    #[tokio::test]
    partners_read_the_sales_of_their_own_packages
);
async fn partners_read_the_sales_of_their_own_packages(engine: &str) {
    use booksygo_core::ErrorKind;
    use booksygo_core::sales::SalesQuery;
    let (_kept, a) = common::agency_on(engine, |_| {});
    let pat = member(&a, "partner").await;
    let other = a.as_user(
        &a.accounts()
            .create_account(
                "other@example.com",
                "correct horse battery",
                "O",
                "P",
                "partner",
            )
            .await
            .unwrap()
            .id,
    );
    pat.save_package(&lisbon("pkg_pat_lisbon_3d"))
        .await
        .unwrap();
    pat.save_package(&lisbon("pkg_pat_quiet_3d")).await.unwrap();
    other
        .save_package(&lisbon("pkg_other_lisbon_3d"))
        .await
        .unwrap();
    let traveller = member(&a, "user").await;
    let paid = traveller
        .create_booking(package_request("pkg_pat_lisbon_3d", "2027-04-09", 2, true))
        .await
        .unwrap();
    let cancelled = traveller
        .create_booking(package_request("pkg_pat_lisbon_3d", "2027-05-14", 1, true))
        .await
        .unwrap();
    traveller.cancel_booking(&cancelled.id, None).await.unwrap();
    traveller
        .create_booking(package_request("pkg_pat_lisbon_3d", "2027-04-09", 1, false))
        .await
        .unwrap();
    traveller
        .create_booking(package_request(
            "pkg_other_lisbon_3d",
            "2027-04-09",
            3,
            true,
        ))
        .await
        .unwrap();

    let day = common::date("2026-11-25");
    let q = SalesQuery::new(day, day, None).unwrap();
    let mine = pat.partner_sales(&q).await.unwrap();
    assert_eq!(
        mine.packages
            .iter()
            .map(|p| p.package_id.as_str())
            .collect::<Vec<_>>(),
        ["pkg_pat_lisbon_3d", "pkg_pat_quiet_3d"],
        "only their own packages, those without sales too"
    );
    let sold = &mine.packages[0].sales;
    assert_eq!(
        (
            sold.bookings,
            sold.paid,
            sold.travellers,
            sold.cancellations
        ),
        (3, 2, 2, 1)
    );
    let revenue = paid.items[0].price.decimal();
    assert_eq!(
        sold.revenue,
        [("EUR".to_string(), revenue.clone())].into_iter().collect()
    );
    assert_eq!(mine.packages[1].sales, Default::default());
    assert_eq!(&mine.totals, sold);

    // Another day: nothing sold.
    let later = common::date("2026-11-26");
    let none = pat
        .partner_sales(&SalesQuery::new(later, later, None).unwrap())
        .await
        .unwrap();
    assert_eq!(none.totals.bookings, 0);

    // Another partner's sales: only admins, and they may name anyone who exists.
    let theirs = SalesQuery::new(day, day, Some(other.user().to_string())).unwrap();
    let e = pat.partner_sales(&theirs).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    let admin = member(&a, "admin").await;
    let seen = admin.partner_sales(&theirs).await.unwrap();
    assert_eq!(seen.partner, other.user());
    assert_eq!(seen.totals.travellers, 3);
    let nobody = SalesQuery::new(day, day, Some("usr_nobody".into())).unwrap();
    assert_eq!(
        admin.partner_sales(&nobody).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Travellers, premium or not, read none.
    for role in ["user", "premium"] {
        let who = if role == "user" {
            traveller.clone()
        } else {
            member(&a, role).await
        };
        let e = who.partner_sales(&q).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Forbidden, "{role}: {e}");
    }
    // A period backwards or too long is refused before anything is read.
    let e = SalesQuery::new(later, day, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let e = SalesQuery::new(common::date("2025-01-01"), day, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}
