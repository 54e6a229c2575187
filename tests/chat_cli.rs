//! `booksygo chat`: the real binary, a throwaway home, the clock pinned to Wednesday
//! 2026-11-25. Offline by default; one test points it at a scripted model on loopback.

mod common;

use common::Env;
use predicates::prelude::*;
use serde_json::{Value, json};

fn chat_json(env: &Env, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .arg("chat")
        .args(args)
        .arg("--json")
        .env_remove("BOOKSYGO_LLM_BASE_URL")
        .env_remove("BOOKSYGO_LLM_MODEL")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn one_shot_answers_with_real_sandbox_offers() {
    let env = Env::new();
    let r = chat_json(
        &env,
        &["cheapest flight from London to Barcelona next Friday, 2 adults"],
    );
    assert_eq!(r["backend"], "offline");
    let call = &r["tool_calls"][0];
    assert_eq!(call["name"], "search_flights");
    assert_eq!(
        call["arguments"],
        json!({"origin": "LON", "destination": "BCN", "departure_date": "2026-11-27", "adults": 2, "sort": "price"})
    );
    let offers = call["result"]["offers"].as_array().unwrap();
    assert!(!offers.is_empty());
    // The offers are the market's: the same search through `flights search` finds them.
    let search = env.json(&[
        "flights",
        "search",
        "LON",
        "BCN",
        "--date",
        "2026-11-27",
        "--adults",
        "2",
        "--sort",
        "price",
    ]);
    let ids: Vec<&str> = search["offers"]
        .as_array()
        .unwrap_or_else(|| search.as_array().unwrap())
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], offers[0]["id"].as_str().unwrap());
    let reply = r["reply"].as_str().unwrap();
    assert!(reply.contains(ids[0]), "{reply}");

    // For people: the answer on stdout, tool notes on stderr.
    env.cmd()
        .args([
            "chat",
            "--offline",
            "flights from Paris to Rome on 14 December",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Flights PAR → ROM, Mon 14 Dec 2026",
        ))
        .stderr(predicate::str::contains("[tool search_flights]"));
}

#[test]
fn booking_through_chat_shows_the_quote_and_waits_for_yes() {
    let env = Env::new();
    chat_json(&env, &["flights from Madrid to Lisbon on 10 December"]);
    let q = chat_json(
        &env,
        &[
            "--continue",
            "book option 1 for Ana Lopez born 1990-04-02, ana@example.com",
        ],
    );
    assert_eq!(q["awaiting_confirmation"], true);
    assert_eq!(
        q["tool_calls"][0]["result"]["status"],
        "confirmation_required"
    );
    assert!(q["reply"].as_str().unwrap().contains("Please confirm"));
    assert!(q["reply"].as_str().unwrap().contains("EUR"));
    let none = env.json(&["bookings", "list"]);
    assert_eq!(none.as_array().map(Vec::len).unwrap_or(0), 0, "{none}");

    let done = chat_json(&env, &["-c", "yes"]);
    assert_eq!(done["tool_calls"][0]["result"]["status"], "booked");
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        list[0]["id"], done["tool_calls"][0]["result"]["booking"]["id"],
        "the chat booked through the same store"
    );
    // All three turns are one conversation.
    let convs = env.json(&["chat", "--list"]);
    assert_eq!(convs.as_array().unwrap().len(), 1);
    assert_eq!(convs[0]["messages"], 6);
}

#[test]
fn the_repl_reads_stdin_and_saves_the_conversation() {
    let env = Env::new();
    env.cmd()
        .args(["chat", "--offline"])
        .write_stdin("flights to Rome on 14 December\nfrom Paris\nexit\nignored after exit\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Where are you flying from?"))
        .stdout(predicate::str::contains("Flights PAR → ROM"));
    let convs = env.json(&["chat", "--list"]);
    let id = convs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(convs[0]["messages"], 4);
    // Resumed by id: the offers of that conversation can be booked.
    let q = chat_json(
        &env,
        &[
            "--conversation",
            &id,
            "book option 2 for Ana Lopez born 1990-04-02, ana@example.com",
        ],
    );
    assert_eq!(
        q["tool_calls"][0]["result"]["status"],
        "confirmation_required"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_code() {
    let env = Env::new();
    env.cmd()
        .args(["chat", "--offline", "   "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    env.cmd()
        .args(["chat", "--offline", "--conversation", "cnv_nope", "hi"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no conversation cnv_nope"));
    env.cmd()
        .args(["chat", "--offline", "--continue", "hi"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no conversation to continue"));
    env.cmd()
        .args(["chat", "hi"])
        .env("BOOKSYGO_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        .env_remove("BOOKSYGO_LLM_MODEL")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("BOOKSYGO_LLM_MODEL"));
    // A configured model that is down: exit 5 with the address; --offline still works.
    env.cmd()
        .args(["chat", "my points"])
        .env("BOOKSYGO_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        .env("BOOKSYGO_LLM_MODEL", "m")
        .env("BOOKSYGO_LLM_API_KEY", "sk-never-shown")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("127.0.0.1:9"))
        .stderr(predicate::str::contains("sk-never-shown").not());
    env.cmd()
        .args(["chat", "--offline", "my points"])
        .env("BOOKSYGO_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        .env("BOOKSYGO_LLM_MODEL", "m")
        .assert()
        .success()
        .stdout(predicate::str::contains("points"));
}

/// A configured model: the same request goes through its tool calls.
#[test]
fn with_a_configured_model_the_request_goes_through_tool_calls() {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let args = r#"{"origin":"LON","destination":"BCN","departure_date":"2026-11-27","adults":2}"#;
    let chunk = |delta: Value| {
        json!({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
    };
    let bodies = vec![
        vec![chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "search_flights", "arguments": args}}]}),
        )],
        vec![chunk(json!({"content": "Here are the cheapest flights."}))],
    ];
    // A minimal HTTP/1.1 server for two requests (the test binary has no async runtime).
    let server = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for chunks in bodies {
            let (mut s, _) = listener.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            seen.push(serde_json::from_slice::<Value>(&body).unwrap());
            let mut sse = String::new();
            for c in chunks {
                sse.push_str(&format!("data: {c}\n\n"));
            }
            sse.push_str("data: [DONE]\n\n");
            write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{sse}",
                sse.len()
            )
            .unwrap();
        }
        seen
    });
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "chat",
            "--json",
            "cheapest flight from London to Barcelona next Friday, 2 adults",
        ])
        .env("BOOKSYGO_LLM_BASE_URL", &base)
        .env("BOOKSYGO_LLM_MODEL", "m")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["backend"], "openai");
    assert_eq!(r["reply"], "Here are the cheapest flights.");
    assert_eq!(r["tool_calls"][0]["name"], "search_flights");
    assert!(
        !r["tool_calls"][0]["result"]["offers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let seen = server.join().unwrap();
    assert_eq!(seen[0]["model"], "m");
    assert_eq!(seen[1]["messages"][3]["role"], "tool");
}

/// The words of a shell line as `sh` would pass them (double-quoted strings, `\n` kept as
/// typed inside quotes), up to a `#` comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '#' if !quoted => break,
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
}

/// The README's chat examples, pasted as they are: every `booksygo chat` line with a message,
/// then the `printf ... | booksygo chat -c` conversation, in one throwaway home.
#[test]
fn the_readme_chat_example_works_when_pasted() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## The assistant").unwrap()..];
    let section = &section[..section.find("**With a model.**").unwrap()];
    let env = Env::new();
    let mut replies = Vec::new();
    let mut ran = 0;
    for line in section.lines() {
        let words = shell_words(line);
        if words.first().map(String::as_str) == Some("booksygo")
            && words.get(1).map(String::as_str) == Some("chat")
            && words.len() > 2
            && !words[2..].iter().any(|w| w.starts_with("--"))
        {
            let out = env
                .cmd()
                .args(&words[1..])
                .arg("--json")
                .env_remove("BOOKSYGO_LLM_BASE_URL")
                .env_remove("BOOKSYGO_LLM_MODEL")
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let r: Value = serde_json::from_slice(&out).unwrap();
            replies.push(r["reply"].as_str().unwrap().to_string());
            ran += 1;
        } else if words.first().map(String::as_str) == Some("printf") {
            // printf '%s\n' "a" "b" | booksygo chat -c
            let pipe = words.iter().position(|w| w == "|").unwrap();
            let input: String = words[2..pipe].iter().map(|w| format!("{w}\n")).collect();
            let out = env
                .cmd()
                .args(&words[pipe + 2..])
                .env_remove("BOOKSYGO_LLM_BASE_URL")
                .env_remove("BOOKSYGO_LLM_MODEL")
                .write_stdin(input)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            replies.push(String::from_utf8(out).unwrap());
            ran += 1;
        }
    }
    assert!(ran >= 6, "{ran} lines run");
    for r in &replies {
        assert!(!r.contains("did not understand"), "{r}");
    }
    // The booking question asked once, for the second traveller, and the answer was enough.
    assert!(replies[2].contains("who else"), "{}", replies[2]);
    assert!(replies[3].contains("Please confirm"), "{}", replies[3]);
    assert!(replies[4].contains("Booked"), "{}", replies[4]);
    assert!(replies[5].contains("Paid"), "{}", replies[5]);
    let list = env.json(&["bookings", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "CONFIRMED");
    assert_eq!(list[0]["passengers"].as_array().unwrap().len(), 2);
}

/// `plan --json` and the assistant's plan speak one money shape, `{"amount", "currency"}`,
/// with no internal scores.
#[test]
fn plan_json_and_the_assistants_plan_share_one_money_shape() {
    let env = Env::new();
    let it = env.json(&[
        "plan",
        "Rome",
        "--from",
        "London",
        "--start",
        "2027-03-10",
        "--days",
        "4",
        "--budget",
        "900",
    ]);
    for part in ["flight", "hotel"] {
        let p = &it[part];
        assert!(p["price"]["amount"].is_string(), "{it}");
        assert_eq!(p["price"]["currency"], "EUR");
        assert!(p.get("quality").is_none(), "{it}");
    }
    let parts = [
        &it["flight"]["price"]["amount"],
        &it["hotel"]["price"]["amount"],
    ];
    let sum: f64 = parts
        .iter()
        .map(|a| a.as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    let total: f64 = it["total"]["amount"].as_str().unwrap().parse().unwrap();
    assert!((sum - total).abs() < 0.005, "{it}");
    chat_json(&env, &["plan 4 days in Rome from London under 900 euros"]);
    let r = chat_json(&env, &["-c", "from 10 March"]);
    let plan = &r["tool_calls"][0];
    assert_eq!(plan["name"], "plan_itinerary");
    assert_eq!(plan["result"]["hotel"], it["hotel"]);
}
