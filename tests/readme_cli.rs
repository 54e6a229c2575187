//! The README's examples, run as a new user would paste them: every ```sh block, in order, in
//! one bash session (so `$booking` from one block serves the next), with `booksygo` on the
//! PATH, a fresh store and the clock pinned. A block that cannot run here (a server, real
//! keys, a full-screen app) is preceded by `<!-- not run by tests: needs ... -->`, and the
//! reason must name what it needs. Also: the numbers the README states about the market
//! are the ones `info` reports.

use std::path::Path;

mod common;

use common::Env;

struct Block {
    line: usize,
    skipped: Option<String>,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = readme.lines().enumerate().peekable();
    let mut last_comment: Option<String> = None;
    while let Some((n, line)) = lines.next() {
        if line.starts_with("```sh") {
            let mut text = String::new();
            for (_, l) in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            out.push(Block {
                line: n + 1,
                skipped: last_comment.take(),
                text,
            });
        } else if let Some(why) = line
            .strip_prefix("<!-- not run by tests:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            last_comment = Some(why.trim().to_string());
        } else if !line.trim().is_empty() {
            last_comment = None;
        }
    }
    out
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

#[test]
fn every_readme_example_runs_when_pasted() {
    let blocks = blocks(&readme());
    assert!(blocks.len() > 10, "{} blocks", blocks.len());
    let env = Env::new();
    // Pasted from the repository's root: its files (examples/) are there; whatever the
    // examples write lands in a copy of that root, not in the checkout.
    let root = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(repo.join("examples"), root.path().join("examples")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("booksygo");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut script = String::from("set -euo pipefail\n");
    let mut ran = 0;
    for b in &blocks {
        if let Some(why) = &b.skipped {
            assert!(
                why.len() > 10,
                "README line {}: say what the block needs: {why}",
                b.line
            );
            continue;
        }
        ran += 1;
        script.push_str(&format!("echo '--- README line {}' >&2\n", b.line));
        for line in b.text.lines() {
            // `watch check` says with exit 10 that an alert fired: a success for cron.
            if line.starts_with("booksygo watch check") {
                let command = line.split(" #").next().unwrap_or(line);
                script.push_str(&format!("{command} || test $? -eq 10\n"));
            } else {
                script.push_str(line);
                script.push('\n');
            }
        }
    }
    assert!(ran >= 8, "only {ran} blocks run");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root.path())
        .env("PATH", path)
        .env("HOME", env.home.path())
        .env("BOOKSYGO_HOME", env.home.path())
        .env("BOOKSYGO_NOW", "2026-11-25T12:00:00Z")
        .env("BOOKSYGO_KEYRING", "off")
        .env("NO_COLOR", "1")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs (the README's examples need bash and jq)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
    assert!(
        out.status.success(),
        "a README example failed ({:?}); the last lines of stderr:\n{}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_readme_says_what_the_market_holds() {
    let text = readme();
    let env = Env::new();
    let info = env.json(&["info"]);
    let intro: String = text.lines().take(20).collect::<Vec<_>>().join(" ");
    let number_before = |word: &str| -> u64 {
        let i = intro
            .find(word)
            .unwrap_or_else(|| panic!("README: no '{word}'"));
        intro[..i]
            .split_whitespace()
            .last()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap()
    };
    assert_eq!(
        Some(number_before(" real airports")),
        info["airports"].as_u64()
    );
    assert_eq!(Some(number_before(" airlines")), info["airlines"].as_u64());
    assert_eq!(
        Some(number_before(" cities")),
        info["hotel_cities"].as_u64()
    );
}
