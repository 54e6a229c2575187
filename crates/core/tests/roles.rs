//! What a role changes, on both engines: premium members earn points x1.5 on their own
//! bookings (and lose as much when one is cancelled); other roles earn the base. Premium
//! members change the date of a booking once without the fee.

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
