//! `booksygo config`: settings precedence and secrets that never leak.

mod common;

use common::Env;
use predicates::prelude::*;

#[test]
fn settings_come_from_the_environment_before_the_file() {
    let env = Env::new();
    std::fs::write(
        env.home.path().join("config.toml"),
        "[llm]\nmodel = \"from-file\"\nbase_url = \"http://127.0.0.1:1/v1\"\n",
    )
    .unwrap();
    let shown = env.json(&["config", "show"]);
    let model = shown["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "llm.model")
        .unwrap();
    assert_eq!(
        (model["value"].as_str(), model["source"].as_str()),
        (Some("from-file"), Some("file"))
    );

    let out = env
        .cmd()
        .args(["config", "get", "llm.model"])
        .env("BOOKSYGO_LLM_MODEL", "from-env")
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "from-env\n"
    );

    env.cmd()
        .args(["config", "get", "llm.nothing"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("BOOKSYGO_LLM_NOTHING"));
}

#[test]
fn secrets_are_stored_privately_and_never_printed() {
    let env = Env::new();
    env.cmd()
        .args(["config", "set-secret", "duffel.token"])
        .write_stdin("duffel_test_s3cret\n")
        .assert()
        .success();
    let file = env.home.path().join("secrets.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = env
        .cmd()
        .args(["config", "show", "--json"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("duffel.token"), "{stdout}");
    assert!(!stdout.contains("s3cret"), "the value leaked: {stdout}");

    env.cmd()
        .args(["config", "delete-secret", "duffel.token"])
        .assert()
        .success();
    env.cmd()
        .args(["config", "delete-secret", "duffel.token"])
        .assert()
        .code(3);
}

#[test]
fn an_empty_secret_or_a_plain_text_secret_is_refused() {
    let env = Env::new();
    env.cmd()
        .args(["config", "set-secret", "duffel.token"])
        .write_stdin("\n")
        .assert()
        .code(2);
    assert!(!env.home.path().join("secrets.json").exists());
    // A name booksygo never reads is refused before the value is asked for.
    env.cmd()
        .args(["config", "set-secret", "duffel.tokn"])
        .write_stdin("duffel_test_abc\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'duffel.tokn' is not a secret booksygo reads: one of duffel.token,",
        ))
        .stderr(predicate::str::contains("notify.smtp_password"));
    assert!(!env.home.path().join("secrets.json").exists());
    env.cmd()
        .args(["config", "get", ""])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a setting's key is required"));

    std::fs::write(
        env.home.path().join("config.toml"),
        "[stripe]\nsecret_key = \"sk_test_plain\"\n",
    )
    .unwrap();
    let out = env.cmd().args(["config", "show"]).assert().success();
    let output = out.get_output();
    assert!(!String::from_utf8_lossy(&output.stdout).contains("sk_test_plain"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("set-secret stripe.secret_key"));
}

/// `serve` takes its options from config.toml when no flag or variable gives them, logs one
/// JSON line per request, and stops gracefully on SIGTERM.
#[cfg(unix)]
#[test]
fn serve_reads_config_toml_logs_json_and_stops_on_sigterm() {
    use std::io::{BufRead, Read, Write};
    let env = Env::new();
    std::fs::write(
        env.home.path().join("config.toml"),
        "[server]\nbind = \"127.0.0.1:0\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("booksygo"))
        .args(["serve", "--json"])
        .env("BOOKSYGO_HOME", env.home.path())
        .env("BOOKSYGO_KEYRING", "off")
        .env_remove("BOOKSYGO_BIND")
        .env_remove("BOOKSYGO_LOG_FORMAT")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let listening: serde_json::Value = serde_json::from_str(&first).unwrap();
    let addr = listening["listening"].as_str().unwrap().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a SIGTERM is a clean stop: {status:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["route"] == "/healthz" && l["status"] == 200 && l["request_id"].is_string()),
        "{logs}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"].as_str().unwrap_or("").contains("stopped"))
    );
}

#[test]
fn serve_refuses_a_bad_log_level() {
    let env = Env::new();
    env.cmd()
        .args(["serve", "--log-level", "loud"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not error, warn, info or debug"));
}

#[test]
fn serve_refuses_a_bad_trusted_proxy() {
    let env = Env::new();
    env.cmd()
        .args([
            "serve",
            "--trusted-proxy",
            "127.0.0.1",
            "--trusted-proxy",
            "10.1.2.3/8",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean 10.0.0.0/8?"));
    std::fs::write(
        env.home.path().join("config.toml"),
        "[server]\ntrusted_proxies = \"10.0.0.0/8, localhost\"\n",
    )
    .unwrap();
    env.cmd()
        .args(["serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "'localhost' is not a trusted proxy",
        ));
}
