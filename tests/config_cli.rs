//! `booksygo config`: settings precedence and secrets that never leak.

mod common;

use common::Env;

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
