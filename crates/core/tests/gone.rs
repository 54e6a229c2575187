//! A request on behalf of an account that no longer exists (its token outlived it) is
//! refused as such, not answered with a database error.

mod common;

use booksygo_core::trips::NewTrip;
use booksygo_core::{Agency, ErrorKind};
use common::agency;

#[tokio::test]
async fn a_deleted_account_cannot_create_a_trip() {
    let (_d, a) = agency();
    let id = booksygo_core::accounts::register(
        &a.store().conn().unwrap(),
        "gone@team.test",
        "correct horse battery",
        "Gone",
        "Soon",
        "user",
        0,
    )
    .unwrap()
    .id;
    let gone = a.as_user(&id);
    let trip = NewTrip {
        name: "Lisbon".into(),
        starts_on: None,
        ends_on: None,
        budget: None,
    };
    gone.create_trip(&trip).await.unwrap();
    a.store()
        .conn()
        .unwrap()
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; DELETE FROM users WHERE id = '{id}'; PRAGMA foreign_keys = ON;"
        ))
        .unwrap();
    let e = gone.create_trip(&trip).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRequired, "{e}");
    assert!(!e.to_string().contains("FOREIGN KEY"), "{e}");
}

#[test]
fn a_write_that_refers_to_a_missing_row_is_a_conflict_without_the_engines_text() {
    let (_d, a) = agency();
    let conn = a.store().conn().unwrap();
    let unit: &dyn booksygo_core::store::Unit = &conn;
    let e = unit
        .trips()
        .create("trp_x", "usr_nobody", "Nowhere", None, None, None, "EUR", 0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(!e.to_string().contains("FOREIGN KEY"), "{e}");
}
