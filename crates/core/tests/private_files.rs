//! Personal data on disk is its owner's only: the database with its -wal and -shm files
//! 0600, and every folder the program makes (data, config) 0700, whatever the umask.
#![cfg(unix)]

mod common;

use booksygo_core::config::{Clock, Paths};
use booksygo_core::{Agency, LocalAgency, LocalOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_database_its_journal_and_new_folders_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    // Loose on purpose: what the program makes must not depend on the umask being kind.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = tmp.path().join("new/home");
    let mut options = LocalOptions::new(Paths::in_dir(&home));
    options.clock = Clock::fixed(common::now());
    let agency = LocalAgency::open(options).unwrap();
    // A paid booking: passengers and the card's last four, written through the WAL.
    let offer = common::ba_offer(&agency).await;
    let booking = agency
        .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
        .await
        .unwrap();
    assert_eq!(booking.passengers[0].family_name, "Lovelace");
    let db = home.join("booksygo.db");
    for file in [
        db.clone(),
        home.join("booksygo.db-wal"),
        home.join("booksygo.db-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    for dir in [tmp.path().join("new"), home.clone()] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    // The secrets file's folder (the config folder) and the server's signing key too.
    let config = tmp.path().join("config");
    let secrets = booksygo_core::secrets::SecretStore::file_only(&config);
    secrets
        .set(
            "duffel.token",
            &booksygo_core::secrets::Secret::new("duffel_test_x"),
        )
        .unwrap();
    assert_eq!(mode(&config), 0o700);
    assert_eq!(mode(secrets.file_path()), 0o600);
    let server = tmp.path().join("server/data");
    booksygo_core::secrets::token_signing_key(&server).unwrap();
    assert_eq!(mode(&server), 0o700);
    assert_eq!(mode(&server.join("jwt.secret")), 0o600);
    drop(agency);
}

#[tokio::test]
async fn an_existing_database_keeps_the_permissions_it_has() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("booksygo.db");
    LocalAgency::open(LocalOptions::new(Paths::in_dir(tmp.path()))).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let agency = LocalAgency::open(LocalOptions::new(Paths::in_dir(tmp.path()))).unwrap();
    agency.profile().await.unwrap();
    assert_eq!(mode(&db), 0o640);
}
