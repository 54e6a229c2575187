//! `booksygo admin migrate` against a real PostgreSQL (`BOOKSYGO_TEST_PG_URL`, by default
//! postgres://postgres@127.0.0.1:5432/test), a database of its own per test, dropped after.
//! Without a reachable server these tests fail, saying so.

use booksygo_core::postgres::schema_version;
use booksygo_core::store::postgres::testing::TestDatabase;
use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::Env;

#[test]
fn migrate_applies_the_schema_once_and_then_has_nothing_to_do() {
    let db = TestDatabase::create();
    let env = Env::new();
    let out = env
        .cmd()
        .args(["admin", "migrate", "--json", "--database-url", db.url()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let all: Vec<Value> = (1..=schema_version()).map(Value::from).collect();
    assert_eq!(v["applied"], Value::Array(all));
    assert_eq!(v["from"], 0);
    assert_eq!(v["to"], schema_version());
    assert!(
        v["database"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{}", db.name())),
        "{v}"
    );

    // Again, the URL from the environment this time: nothing to apply.
    env.cmd()
        .args(["admin", "migrate"])
        .env("BOOKSYGO_DATABASE_URL", db.url())
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{}: schema at version {}, nothing to apply",
            db.name(),
            schema_version()
        )));
    let tables: i64 = db
        .store()
        .conn()
        .unwrap()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'bookings'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);
}

#[test]
fn migrate_says_what_it_applied_for_people() {
    let db = TestDatabase::create();
    let all: Vec<String> = (1..=schema_version()).map(|v| v.to_string()).collect();
    let applied = match all.len() {
        1 => "migration 1".to_string(),
        _ => format!("migrations {}", all.join(", ")),
    };
    Env::new()
        .cmd()
        .args(["admin", "migrate", "--database-url", db.url()])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "/{}: applied {applied} (schema 0 -> {})",
            db.name(),
            schema_version()
        )));
}

#[test]
fn an_unreachable_server_exits_5_and_never_shows_the_password() {
    Env::new()
        .cmd()
        .args([
            "admin",
            "migrate",
            "--database-url",
            "postgres://app:hunter2@127.0.0.1:1/team",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "PostgreSQL not reachable at app@127.0.0.1:1/team: error connecting to server",
        ))
        .stderr(predicate::str::contains("hunter2").not())
        .stdout("");
}

#[test]
fn a_url_that_is_not_postgres_exits_2_and_never_shows_the_password() {
    Env::new()
        .cmd()
        .args(["admin", "migrate", "--json"])
        .env("BOOKSYGO_DATABASE_URL", "mysql://app:hunter2@db/team")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'mysql://app:***@db/team' is not a PostgreSQL URL",
        ))
        .stderr(predicate::str::contains("hunter2").not());
}

#[test]
fn without_a_url_migrate_asks_for_one() {
    Env::new()
        .cmd()
        .args(["admin", "migrate"])
        .env_remove("BOOKSYGO_DATABASE_URL")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--database-url"));
}

/// TLS as libpq does it: `sslmode=require` encrypts (the test server offers TLS with a
/// self-signed certificate); `verify-full` checks the certificate against the system's roots
/// and refuses this one, saying why, with exit 5 and no password shown; an unknown mode is
/// invalid input.
#[test]
fn tls_is_used_as_sslmode_asks() {
    let db = TestDatabase::create();
    let env = Env::new();
    let with = |options: &str| {
        let joiner = if db.url().contains('?') { '&' } else { '?' };
        format!("{}{joiner}{options}", db.url())
    };
    env.cmd()
        .args([
            "admin",
            "migrate",
            "--database-url",
            &with("sslmode=require"),
        ])
        .assert()
        .success();
    let url = with("sslmode=verify-full");
    let secret_url = url.replacen("postgres://postgres@", "postgres://postgres:hunter2@", 1);
    env.cmd()
        .args(["admin", "migrate", "--database-url", &secret_url])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("certificate"))
        .stderr(predicate::str::contains("hunter2").not());
    env.cmd()
        .args([
            "admin",
            "migrate",
            "--database-url",
            &with("sslmode=sometimes"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sslmode=sometimes"));
}
