//! `booksygo mcp`: the real binary spoken to over stdio as an MCP client would: initialize,
//! tools/list, tools/call, and the booking confirmation rule across calls.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
    _home: tempfile::TempDir,
}

impl Client {
    fn start() -> Client {
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("booksygo"))
            .arg("mcp")
            .env("BOOKSYGO_HOME", home.path())
            .env("BOOKSYGO_NOW", "2026-11-25T12:00:00Z")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            lines: rx,
            next_id: 1,
            _home: home,
        }
    }

    fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and waits (at most 60 s) for the answer with its id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers");
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["id"] == id {
                return v;
            }
        }
    }

    fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        r["result"].clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn initialize_list_and_call_over_stdio() {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "booksygo");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    assert!(
        init["result"]["instructions"]
            .as_str()
            .unwrap()
            .contains("2026-11-25")
    );
    c.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    let list = c.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for expected in [
        "suggest_places",
        "search_flights",
        "flight_calendar",
        "search_hotels",
        "search_packages",
        "get_package",
        "quote_booking",
        "create_booking",
        "list_bookings",
        "cancel_booking",
        "get_points",
        "watch_price",
        "list_watches",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let flights = tools
        .iter()
        .find(|t| t["name"] == "search_flights")
        .unwrap();
    assert_eq!(flights["inputSchema"]["type"], "object");
    assert!(flights["inputSchema"]["properties"]["departure_date"].is_object());
    // Every tool says what it does to the world and what it returns.
    for t in tools {
        let hints = &t["annotations"];
        for h in ["readOnlyHint", "destructiveHint", "idempotentHint"] {
            assert!(hints[h].is_boolean(), "{} lacks {h}: {t}", t["name"]);
        }
        assert_eq!(t["outputSchema"]["type"], "object", "{}", t["name"]);
    }
    let tool = |name: &str| tools.iter().find(|t| t["name"] == name).unwrap().clone();
    assert_eq!(tool("search_flights")["annotations"]["readOnlyHint"], true);
    assert_eq!(tool("create_booking")["annotations"]["readOnlyHint"], false);
    assert_eq!(tool("pay_booking")["annotations"]["readOnlyHint"], false);
    assert_eq!(
        tool("cancel_booking")["annotations"]["destructiveHint"],
        true
    );
    assert_eq!(
        tool("create_booking")["annotations"]["destructiveHint"],
        false
    );

    // A search answers with structured content and the same as text.
    let found = c.call(
        "search_flights",
        json!({"origin": "LHR", "destination": "JFK", "departure_date": "2026-12-14"}),
    );
    assert_eq!(found["isError"], false);
    let offers = found["structuredContent"]["offers"].as_array().unwrap();
    assert!(!offers.is_empty());
    let text: Value = serde_json::from_str(found["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, found["structuredContent"]);
    conforms(
        &found["structuredContent"],
        &tool("search_flights")["outputSchema"],
        "",
    );
    // Money and times as the CLI's --json writes them.
    assert!(offers[0]["total"]["amount"].is_string());
    assert!(offers[0]["total"]["currency"].is_string());
    let dep = offers[0]["slices"][0]["departing_at"].as_str().unwrap();
    assert!(
        dep.contains('T') && dep[19..].starts_with(['+', '-']),
        "{dep}"
    );

    // Bad arguments are a tool error the client can read; an unknown tool is a protocol error.
    let bad = c.call("search_flights", json!({"origin": "LHR"}));
    assert_eq!(bad["isError"], true);
    assert_eq!(
        bad["structuredContent"]["error"]["code"],
        "invalid_arguments"
    );
    let unknown = c.request("tools/call", json!({"name": "teleport", "arguments": {}}));
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("teleport")
    );

    // Booking: a quote first; the token without the person's yes is refused; with it, booked.
    let offer = offers[0]["id"].as_str().unwrap();
    let args = json!({
        "offer_ids": [offer],
        "passengers": [{"given_name": "Ana", "family_name": "Lopez", "born_on": "1990-04-02"}],
        "contact_email": "ana@example.com"
    });
    let quote = c.call("create_booking", args.clone());
    let q = &quote["structuredContent"];
    conforms(q, &tool("create_booking")["outputSchema"], "");
    assert_eq!(q["status"], "confirmation_required");
    assert_eq!(q["quote"]["total"], offers[0]["total"]);
    let mut confirmed = args.clone();
    confirmed["confirmation_token"] = q["confirmation_token"].clone();
    let refused = c.call("create_booking", confirmed.clone());
    assert_eq!(refused["isError"], true);
    assert_eq!(
        refused["structuredContent"]["error"]["code"],
        "confirmation_required"
    );
    // A reply that is not a clear yes books nothing and keeps the token usable.
    confirmed["user_reply"] = json!("hmm, let me think about it");
    let unclear = c.call("create_booking", confirmed.clone());
    assert_eq!(unclear["isError"], true);
    let listed = c.call("list_bookings", json!({}));
    assert_eq!(listed["structuredContent"]["bookings"], json!([]));
    confirmed["user_reply"] = json!("sure, why not");
    let booked = c.call("create_booking", confirmed);
    assert_eq!(booked["structuredContent"]["status"], "booked", "{booked}");
    conforms(
        &booked["structuredContent"],
        &tool("create_booking")["outputSchema"],
        "",
    );
    let id = booked["structuredContent"]["booking"]["id"].clone();
    let listed = c.call("list_bookings", json!({}));
    assert_eq!(listed["structuredContent"]["bookings"][0]["id"], id);
    assert_eq!(
        listed["structuredContent"]["bookings"][0]["status"],
        "PENDING"
    );

    // Paying: the same rule, and the booking is confirmed.
    let pay = json!({"booking_id": id, "card_number": "4242 4242 4242 4242", "expiry": "12/30"});
    let quote = c.call("pay_booking", pay.clone());
    let q = &quote["structuredContent"];
    assert_eq!(q["status"], "confirmation_required", "{quote}");
    assert_eq!(q["amount_due"], offers[0]["total"]);
    let mut confirmed = pay.clone();
    confirmed["confirmation_token"] = q["confirmation_token"].clone();
    confirmed["user_reply"] = json!("yes");
    let paid = c.call("pay_booking", confirmed);
    assert_eq!(paid["structuredContent"]["status"], "paid", "{paid}");
    conforms(
        &paid["structuredContent"],
        &tool("pay_booking")["outputSchema"],
        "",
    );
    assert_eq!(paid["structuredContent"]["booking"]["status"], "CONFIRMED");

    // The other tools' results conform to their schemas too.
    for (name, args) in [
        ("list_bookings", json!({})),
        ("get_points", json!({})),
        ("recommend", json!({"limit": 2})),
        (
            "search_packages",
            json!({"text": "asia", "type": "adventure"}),
        ),
        (
            "search_hotels",
            json!({"location": "LIS", "check_in": "2027-07-10", "check_out": "2027-07-17"}),
        ),
        (
            "flight_calendar",
            json!({"origin": "LHR", "destination": "JFK", "from": "2026-12-01", "to": "2026-12-05"}),
        ),
        (
            "predict_price",
            json!({"origin": "LHR", "destination": "JFK", "date": "2027-01-20"}),
        ),
        (
            "plan_itinerary",
            json!({"destination": "Lisbon", "start": "2027-02-01", "days": 3, "budget": 900}),
        ),
        ("suggest_places", json!({"query": "Lisbon"})),
        ("get_package", json!({"id": "pkg_bali_volcano_reefs_7d"})),
        ("cancel_booking", json!({"booking_id": id})),
    ] {
        let r = c.call(name, args);
        assert_eq!(r["isError"], false, "{name}: {r}");
        conforms(&r["structuredContent"], &tool(name)["outputSchema"], name);
        assert!(
            !r.to_string().contains("0000001"),
            "{name}: float noise in {r}"
        );
    }
}

/// Checks a value against the parts of JSON Schema the tools' output schemas use (type,
/// properties, required, items, enum, anyOf): what an MCP client validating structured content
/// would check.
fn conforms(v: &Value, schema: &Value, at: &str) {
    if let Err(e) = check(v, schema, at) {
        panic!("{e}");
    }
}

fn check(v: &Value, schema: &Value, at: &str) -> Result<(), String> {
    if let Some(options) = schema["anyOf"].as_array() {
        return if options.iter().any(|o| check(v, o, at).is_ok()) {
            Ok(())
        } else {
            Err(format!("{at}: {v} matches none of {schema}"))
        };
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(v)
    {
        return Err(format!("{at}: {v} not in {schema}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let actual = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !(types.contains(&actual) || (actual == "integer" && types.contains(&"number"))) {
            return Err(format!("{at}: {v} is {actual}, not {types:?}"));
        }
    }
    if let Value::Object(m) = v {
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !m.contains_key(r) {
                return Err(format!("{at}: {r} missing in {v}"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (k, sub) in props {
                if let Some(x) = m.get(k) {
                    check(x, sub, &format!("{at}.{k}"))?;
                }
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (v, schema.get("items")) {
        for (i, x) in items.iter().enumerate() {
            check(x, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}
