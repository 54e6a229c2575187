//! The data key of the offline CLI: made on first use and kept in the secret store (never in
//! the config file or beside the database), and rotated by `booksygo admin rotate-data-key`
//! without losing a booking.

mod common;

use common::Env;

/// The data key as the secret store holds it (the private file: the keyring is off here).
fn stored_key(env: &Env) -> String {
    let text = std::fs::read_to_string(env.home.path().join("secrets.json")).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    all["data.key"].as_str().unwrap().to_string()
}

#[test]
fn the_offline_key_is_made_once_and_rotation_keeps_every_booking() {
    let env = Env::new();
    let offer = env.first_offer();
    let b = env.json(&[
        "book",
        &offer,
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ]);
    let id = b["id"].as_str().unwrap().to_string();
    let first = stored_key(&env);
    assert!(
        !std::fs::read_to_string(env.home.path().join("config.toml"))
            .unwrap_or_default()
            .contains(&first)
    );
    let db = std::fs::read(env.home.path().join("booksygo.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains("Lovelace"));
    // The same key on the next run: the booking reads back.
    let shown = env.json(&["bookings", "show", &id]);
    assert_eq!(shown["passengers"][0]["family_name"], "Lovelace");
    assert_eq!(stored_key(&env), first);

    let rotated = env.json(&["admin", "rotate-data-key"]);
    assert_eq!(rotated["made"], true);
    assert_eq!(rotated["rows"]["booking_passengers"], 1);
    assert_eq!(rotated["retired"].as_array().unwrap().len(), 1);
    let second = stored_key(&env);
    assert_ne!(second, first);
    assert!(
        !second.contains(','),
        "the old key is dropped once nothing needs it"
    );
    let shown = env.json(&["bookings", "show", &id]);
    assert_eq!(shown["passengers"][0]["family_name"], "Lovelace");
    assert_eq!(shown["contact_email"], "ada@example.com");

    // With the key given in the environment the rotation seals under its first key and
    // makes none.
    env.cmd()
        .args(["admin", "rotate-data-key"])
        .env("BOOKSYGO_DATA_KEY", format!("{first},{second}"))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "remove it from BOOKSYGO_DATA_KEY",
        ));
    assert_eq!(stored_key(&env), second, "the secret store is left alone");
    env.cmd()
        .args(["bookings", "show", &id])
        .env("BOOKSYGO_DATA_KEY", &first)
        .assert()
        .success();
    // The store's key alone no longer opens it: a clear error, exit 1.
    env.cmd()
        .args(["bookings", "show", &id])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "not among the configured data keys",
        ));
}

/// A database whose key is not found here (the secrets file lost, the keyring turned off)
/// gets no second key: a clear error naming the key it needs, and nothing written.
#[test]
fn a_lost_key_is_not_replaced_by_a_new_one() {
    let env = Env::new();
    let offer = env.first_offer();
    env.json(&[
        "book",
        &offer,
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ]);
    let secrets = env.home.path().join("secrets.json");
    let kept = std::fs::read_to_string(&secrets).unwrap();
    std::fs::remove_file(&secrets).unwrap();
    env.cmd()
        .args(["bookings", "list"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "this database is sealed with data key",
        ))
        .stderr(predicates::str::contains("no new key was made"));
    assert!(!secrets.exists(), "no second key");
    std::fs::write(&secrets, kept).unwrap();
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list[0]["passengers"][0]["family_name"], "Lovelace");
}
