//! What a role changes, on both engines: premium members earn points x1.5 on their own
//! bookings (and lose as much when one is cancelled); other roles earn the base.

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
