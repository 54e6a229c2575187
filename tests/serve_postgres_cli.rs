//! `booksygo serve` on PostgreSQL: what it refuses before it starts. (Serving teams from
//! several instances is tested in `multi_instance.rs`.)

mod common;

use common::Env;
use predicates::prelude::*;

/// Without the signing key that every instance shares, a server on PostgreSQL does not start
/// (each instance would invent its own and turn away the others' tokens); a key that is too
/// short is refused too, and neither message shows it.
#[test]
fn serve_on_postgres_refuses_to_start_without_a_shared_signing_key() {
    let env = Env::new();
    env.cmd()
        .args([
            "serve",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
        ])
        .env_remove("BOOKSYGO_JWT_SECRET")
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("set BOOKSYGO_JWT_SECRET"))
        .stderr(predicates::str::contains("the same on every instance"));
    env.cmd()
        .args(["serve"])
        .env(
            "BOOKSYGO_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/none",
        )
        .env("BOOKSYGO_JWT_SECRET", "short-key-7")
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "jwt.secret has 11 characters: a token signing key needs 32 or more",
        ))
        .stderr(predicates::str::contains("short-key-7").not());
}

/// Without the data key that every instance shares, a server on PostgreSQL does not start
/// either (an instance inventing its own would seal what the others cannot open); a key that
/// is not 32 bytes of base64 is refused without being shown.
#[test]
fn serve_on_postgres_refuses_to_start_without_a_shared_data_key() {
    let env = Env::new();
    env.cmd()
        .args([
            "serve",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
        ])
        .env("BOOKSYGO_JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env_remove("BOOKSYGO_DATA_KEY")
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("set BOOKSYGO_DATA_KEY"))
        .stderr(predicates::str::contains("the same on every instance"));
    env.cmd()
        .args([
            "serve",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
        ])
        .env("BOOKSYGO_JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env("BOOKSYGO_DATA_KEY", "c2hvcnQta2V5LTc=")
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "data key 1 in BOOKSYGO_DATA_KEY has 11 bytes",
        ))
        .stderr(predicates::str::contains("c2hvcnQta2V5LTc=").not());
    assert!(
        !env.home.path().join("secrets.json").exists(),
        "no key is made for a shared database"
    );
}

/// A database URL in config.toml may not carry the password: it is refused, naming the way to
/// keep it, and the password is not repeated.
#[test]
fn a_password_in_the_configured_database_url_is_refused() {
    let env = Env::new();
    std::fs::write(
        env.home.path().join("config.toml"),
        "[server]\ndatabase_url = \"postgres://app:hunter2@127.0.0.1:1/team\"\n",
    )
    .unwrap();
    env.cmd()
        .args(["serve"])
        .env_remove("BOOKSYGO_DATABASE_URL")
        .env("BOOKSYGO_JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("server.database_url in"))
        .stderr(predicates::str::contains(
            "booksygo config set-secret database.password",
        ))
        .stderr(predicates::str::contains("hunter2").not());
}

/// A PostgreSQL that cannot be reached is a clear error with the documented exit code, not a
/// hang or a panic.
#[test]
fn serve_on_an_unreachable_postgres_says_so() {
    let env = Env::new();
    env.cmd()
        .args([
            "serve",
            "--database-url",
            "postgres://app:hunter2@127.0.0.1:1/team",
        ])
        .env("BOOKSYGO_JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env(
            "BOOKSYGO_DATA_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .assert()
        .code(5)
        .stderr(predicates::str::contains(
            "PostgreSQL not reachable at app@127.0.0.1:1/team",
        ))
        .stderr(predicates::str::contains("hunter2").not());
}

/// A database URL that names nothing (another scheme, `sqlite:` without a path) is refused
/// before anything is opened: no file named after the URL appears.
#[test]
fn a_database_url_that_names_nothing_is_refused() {
    let env = Env::new();
    for url in ["sqlite:", "mysql://u:hunter2@h/d"] {
        env.cmd()
            .current_dir(env.home.path())
            .args(["serve", "--database-url", url])
            .env("BOOKSYGO_BIND", "127.0.0.1:0")
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "is not a database this booksygo can open",
            ))
            .stderr(predicates::str::contains("hunter2").not());
    }
    assert!(!env.home.path().join("sqlite:").exists());
}
