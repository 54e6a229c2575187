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
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let flights = tools
        .iter()
        .find(|t| t["name"] == "search_flights")
        .unwrap();
    assert_eq!(flights["inputSchema"]["type"], "object");
    assert!(flights["inputSchema"]["properties"]["departure_date"].is_object());

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
    assert_eq!(q["status"], "confirmation_required");
    assert_eq!(q["quote"]["total"]["amount"], offers[0]["total"]);
    let mut confirmed = args.clone();
    confirmed["confirmation_token"] = q["confirmation_token"].clone();
    let refused = c.call("create_booking", confirmed.clone());
    assert_eq!(refused["isError"], true);
    assert_eq!(
        refused["structuredContent"]["error"]["code"],
        "confirmation_required"
    );
    let listed = c.call("list_bookings", json!({}));
    assert_eq!(listed["structuredContent"]["bookings"], json!([]));
    confirmed["user_reply"] = json!("Yes, book it");
    let booked = c.call("create_booking", confirmed);
    assert_eq!(booked["structuredContent"]["status"], "booked", "{booked}");
    let listed = c.call("list_bookings", json!({}));
    assert_eq!(
        listed["structuredContent"]["bookings"][0]["id"],
        booked["structuredContent"]["booking_id"]
    );
}
