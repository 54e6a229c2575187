//! The real binary in a throwaway home, with the market's clock pinned.
#![allow(dead_code)]

pub mod server;

use assert_cmd::Command;
use serde_json::Value;

pub struct Env {
    pub home: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("booksygo").unwrap();
        c.env("BOOKSYGO_HOME", self.home.path())
            .env("BOOKSYGO_NOW", "2026-11-25T12:00:00Z")
            .env("NO_COLOR", "1")
            .env("BOOKSYGO_KEYRING", "off")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME");
        c
    }

    /// The command written as one line ("flights search LHR JFK --date 2027-03-14"), split
    /// on spaces: for arguments without spaces of their own.
    pub fn line(&self, line: &str) -> Command {
        let mut c = self.cmd();
        c.args(line.split(' '));
        c
    }

    /// Runs with `--json`, expects success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self
            .cmd()
            .args(args)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    }

    /// The first non-stop LHR-JFK offer on 2027-03-14.
    pub fn first_offer(&self) -> String {
        let offers = self.json(&[
            "flights",
            "search",
            "LHR",
            "JFK",
            "--date",
            "2027-03-14",
            "--max-stops",
            "0",
        ]);
        offers[0]["id"].as_str().unwrap().to_string()
    }

    /// Ada books `offer`, paying with `card` when given; the booking as JSON.
    pub fn book_ada(&self, offer: &str, card: Option<&str>) -> Value {
        let mut args = vec![
            "book",
            offer,
            "--passenger",
            "Ada,Lovelace,1990-12-10",
            "--email",
            "ada@example.com",
        ];
        if let Some(c) = card {
            args.extend(["--card", c]);
        }
        self.json(&args)
    }

    /// Runs `args` with stdout closed before anything is written (`booksygo ... | head`):
    /// the program must end quietly with success, never panic.
    pub fn assert_quiet_on_a_closed_pipe(&self, args: &[&str]) {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("booksygo"))
            .args(args)
            .env("BOOKSYGO_HOME", self.home.path())
            .env("BOOKSYGO_NOW", "2026-11-25T12:00:00Z")
            .env("BOOKSYGO_KEYRING", "off")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.status.success(), "{:?} {stderr}", out.status);
    }
}
