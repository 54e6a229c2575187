//! The OpenAI-compatible backend against a scripted OpenAI-compatible server on loopback
//! (axum): streamed text and tool calls, multi-turn tool loops, the booking confirmation,
//! 429 then success, 500s, malformed arguments, a looping model, a silent server. The wire
//! requests are checked too: tools, messages, tool results, the key.

mod common;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use booksygo_core::Agency;
use booksygo_core::ai::conversation::Conversation;
use booksygo_core::ai::openai::{LlmConfig, OpenAiBackend};
use booksygo_core::ai::{Assistant, Backend};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Dynamic = Box<dyn Fn(&Value) -> Scripted + Send + Sync>;

enum Scripted {
    /// Server-sent chunks, then `[DONE]`.
    Sse(Vec<Value>),
    Status {
        status: u16,
        retry_after: Option<&'static str>,
        body: String,
    },
    /// Never answers.
    Hang,
    /// Decided from the request (to echo ids and tokens the server could not know).
    Dynamic(Dynamic),
}

#[derive(Default)]
struct Mock {
    script: Mutex<VecDeque<Scripted>>,
    requests: Mutex<Vec<Value>>,
    auth: Mutex<Vec<Option<String>>>,
}

async fn completions(
    State(m): State<Arc<Mock>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    m.requests.lock().unwrap().push(body.clone());
    m.auth.lock().unwrap().push(
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    );
    let mut next = m.script.lock().unwrap().pop_front();
    while let Some(Scripted::Dynamic(f)) = next {
        next = Some(f(&body));
    }
    match next {
        Some(Scripted::Sse(chunks)) => {
            let mut text = String::new();
            for c in chunks {
                text.push_str(&format!("data: {c}\n\n"));
            }
            text.push_str("data: [DONE]\n\n");
            ([("content-type", "text/event-stream")], text).into_response()
        }
        Some(Scripted::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut r = (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            if let Some(s) = retry_after {
                r.headers_mut().insert("retry-after", s.parse().unwrap());
            }
            r
        }
        Some(Scripted::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Scripted::Dynamic(_)) => unreachable!(),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "script exhausted").into_response(),
    }
}

/// Starts the mock on a free loopback port; returns it and its base URL.
async fn mock(script: Vec<Scripted>) -> (Arc<Mock>, String) {
    let m = Arc::new(Mock {
        script: Mutex::new(script.into()),
        ..Mock::default()
    });
    let app = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(completions))
        .with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (m, format!("http://{addr}/v1"))
}

fn chunk(delta: Value) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "test-model",
           "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
}

fn text(pieces: &[&str]) -> Scripted {
    Scripted::Sse(
        pieces
            .iter()
            .map(|p| chunk(json!({"content": p})))
            .collect(),
    )
}

/// A tool call streamed in pieces: name first, then the arguments in three parts.
fn tool_call(id: &str, name: &str, args: &str) -> Scripted {
    let third = args.len() / 3;
    let (a, rest) = args.split_at(third);
    let (b, c) = rest.split_at(third);
    let mut chunks = vec![chunk(json!({"role": "assistant", "tool_calls": [
        {"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}))];
    for part in [a, b, c] {
        chunks.push(chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}),
        ));
    }
    Scripted::Sse(chunks)
}

fn assistant(
    agency: &booksygo_core::LocalAgency,
    base: &str,
    tweak: impl FnOnce(&mut LlmConfig),
) -> Assistant {
    let mut cfg = LlmConfig::new(base, "test-model");
    cfg.api_key = Some("sk-test-123".into());
    cfg.timeout = Duration::from_secs(10);
    tweak(&mut cfg);
    Assistant {
        agency: Arc::new(agency.clone()),
        today: common::date("2026-11-25"),
        backend: Backend::OpenAi(Box::new(OpenAiBackend::new(cfg).unwrap())),
    }
}

/// The last tool result the model was sent, parsed.
fn last_tool_result(request: &Value) -> Value {
    let msgs = request["messages"].as_array().unwrap();
    let m = msgs.iter().rev().find(|m| m["role"] == "tool").unwrap();
    serde_json::from_str(m["content"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn streams_and_runs_tools_over_several_steps() {
    let (_dir, agency) = common::agency();
    let args = r#"{"origin":"London","destination":"Barcelona","departure_date":"2026-11-27","adults":2,"sort":"price"}"#;
    let (m, base) = mock(vec![
        tool_call("call_1", "search_flights", args),
        text(&["The cheapest ", "is option 1", "."]),
    ])
    .await;
    let a = assistant(&agency, &base, |_| {});
    let mut c = Conversation::new();
    let mut pieces = Vec::new();
    let reply = a
        .send(
            &mut c,
            "cheapest flight from London to Barcelona next Friday, 2 adults",
            &mut |t: &str| pieces.push(t.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(reply.backend, "openai");
    assert_eq!(reply.reply, "The cheapest is option 1.");
    assert_eq!(
        pieces,
        ["The cheapest ", "is option 1", "."],
        "streamed as it came"
    );
    assert_eq!(reply.tool_calls.len(), 1);
    let call = &reply.tool_calls[0];
    assert!(call.ok, "{}", call.result);
    assert_eq!(call.arguments["destination"], "Barcelona");
    assert!(!call.result["offers"].as_array().unwrap().is_empty());

    let reqs = m.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    // First request: the model, streaming, every tool with its schema, system + user.
    assert_eq!(reqs[0]["model"], "test-model");
    assert_eq!(reqs[0]["stream"], true);
    let names: Vec<&str> = reqs[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"search_flights") && names.contains(&"create_booking"));
    assert_eq!(
        reqs[0]["tools"][1]["function"]["parameters"]["required"],
        json!(["origin", "destination", "departure_date"])
    );
    let m0 = reqs[0]["messages"].as_array().unwrap();
    assert_eq!(m0.len(), 2);
    assert_eq!(m0[0]["role"], "system");
    assert!(m0[0]["content"].as_str().unwrap().contains("2026-11-25"));
    assert_eq!(
        m0[1],
        json!({"role": "user", "content": "cheapest flight from London to Barcelona next Friday, 2 adults"})
    );
    // Second request: the assistant's tool call (arguments reassembled) and the tool result.
    let m1 = reqs[1]["messages"].as_array().unwrap();
    assert_eq!(m1.len(), 4);
    assert_eq!(m1[2]["tool_calls"][0]["id"], "call_1");
    assert_eq!(m1[2]["tool_calls"][0]["function"]["arguments"], args);
    assert_eq!(m1[3]["role"], "tool");
    assert_eq!(m1[3]["tool_call_id"], "call_1");
    let sent = last_tool_result(&reqs[1]);
    assert_eq!(sent, call.result, "the model saw exactly the tool's result");
    // The key went as a bearer token.
    assert!(
        m.auth
            .lock()
            .unwrap()
            .iter()
            .all(|a| a.as_deref() == Some("Bearer sk-test-123"))
    );
}

#[tokio::test]
async fn a_model_cannot_book_without_the_persons_yes() {
    let (_dir, agency) = common::agency();
    let search = r#"{"origin":"PAR","destination":"ROM","departure_date":"2026-12-14"}"#;
    let book = |token: Option<String>| -> Dynamic {
        Box::new(move |req: &Value| {
            // The offer id and token come from earlier tool results in the conversation.
            let msgs = req["messages"].as_array().unwrap();
            let mut offer = String::new();
            let mut tok = String::new();
            for m in msgs.iter().filter(|m| m["role"] == "tool") {
                let v: Value = serde_json::from_str(m["content"].as_str().unwrap()).unwrap();
                if let Some(id) = v["offers"][0]["id"].as_str() {
                    offer = id.to_string();
                }
                if let Some(t) = v["confirmation_token"].as_str() {
                    tok = t.to_string();
                }
            }
            let mut args = json!({"offer_ids": [offer], "contact_email": "ana@example.com",
                "passengers": [{"given_name": "Ana", "family_name": "Lopez", "born_on": "1990-04-02"}]});
            if token.is_some() {
                args["confirmation_token"] = json!(tok);
            }
            tool_call("call_b", "create_booking", &args.to_string())
        })
    };
    let (m, base) = mock(vec![
        // Turn 1: search, ask to book (a quote comes back), then ask the person.
        tool_call("call_s", "search_flights", search),
        Scripted::Dynamic(book(None)),
        text(&["Shall I book it for EUR ...?"]),
        // Turn 2: the person asks something else; the model tries to book anyway.
        Scripted::Dynamic(book(Some(String::new()))),
        text(&["I need your yes first."]),
        // Turn 3: the person says yes; now it books.
        Scripted::Dynamic(book(Some(String::new()))),
        text(&["Booked."]),
    ])
    .await;
    let a = assistant(&agency, &base, |_| {});
    let mut c = Conversation::new();
    let r1 = a.send(&mut c, "book me the first flight Paris to Rome on 14 December for Ana Lopez born 1990-04-02, ana@example.com", &mut |_: &str| {}).await.unwrap();
    assert_eq!(r1.tool_calls[1].result["status"], "confirmation_required");
    assert!(r1.awaiting_confirmation);
    let r2 = a
        .send(&mut c, "does it include a bag?", &mut |_: &str| {})
        .await
        .unwrap();
    assert!(!r2.tool_calls[0].ok);
    assert_eq!(
        r2.tool_calls[0].result["error"]["code"],
        "confirmation_required"
    );
    assert!(agency.list_bookings(None).await.unwrap().is_empty());
    let r3 = a.send(&mut c, "yes", &mut |_: &str| {}).await.unwrap();
    assert_eq!(
        r3.tool_calls[0].result["status"], "booked",
        "{}",
        r3.tool_calls[0].result
    );
    assert_eq!(agency.list_bookings(None).await.unwrap().len(), 1);
    assert_eq!(m.requests.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn retries_a_429_after_the_servers_retry_after() {
    let (_dir, agency) = common::agency();
    let (m, base) = mock(vec![
        Scripted::Status {
            status: 429,
            retry_after: Some("1"),
            body: json!({"error": {"message": "slow down", "type": "rate_limit_error", "param": null, "code": null}}).to_string(),
        },
        text(&["Hello!"]),
    ])
    .await;
    let a = assistant(&agency, &base, |_| {});
    let started = std::time::Instant::now();
    let r = a
        .send(&mut Conversation::new(), "hi", &mut |_: &str| {})
        .await
        .unwrap();
    assert_eq!(r.reply, "Hello!");
    assert_eq!(m.requests.lock().unwrap().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as told"
    );
}

#[tokio::test]
async fn gives_up_on_a_failing_server_with_a_clear_error() {
    let (_dir, agency) = common::agency();
    let fail = || {
        Scripted::Status {
        status: 500,
        retry_after: None,
        body: json!({"error": {"message": "boom", "type": "server_error", "param": null, "code": null}}).to_string(),
    }
    };
    let (m, base) = mock(vec![fail(), fail(), fail(), fail()]).await;
    let a = assistant(&agency, &base, |_| {});
    let mut c = Conversation::new();
    let e = a.send(&mut c, "hi", &mut |_: &str| {}).await.unwrap_err();
    assert_eq!(e.kind(), booksygo_core::ErrorKind::SuppliersFailed);
    assert!(e.to_string().contains(&base), "{e}");
    assert_eq!(
        m.requests.lock().unwrap().len(),
        4,
        "the first try and 3 retries"
    );
    // The person's message is kept for a retry.
    assert_eq!(c.messages.len(), 1);
}

#[tokio::test]
async fn malformed_arguments_go_back_to_the_model_as_a_tool_error() {
    let (_dir, agency) = common::agency();
    let (m, base) = mock(vec![
        tool_call("call_x", "search_hotels", r#"{"location": "Rome", "check_in": 2026-12-14"#),
        tool_call("call_y", "search_hotels", r#"{"location": "Rome", "check_in": "2026-12-14", "check_out": "2026-12-16", "stars": 4}"#),
        text(&["Sorry, let me fix that."]),
    ])
    .await;
    let a = assistant(&agency, &base, |_| {});
    let r = a
        .send(
            &mut Conversation::new(),
            "hotels in Rome",
            &mut |_: &str| {},
        )
        .await
        .unwrap();
    assert_eq!(r.tool_calls.len(), 2);
    assert!(r.tool_calls.iter().all(|t| !t.ok));
    let reqs = m.requests.lock().unwrap().clone();
    let first = last_tool_result(&reqs[1]);
    assert_eq!(first["error"]["code"], "invalid_arguments");
    assert!(
        first["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    let second = last_tool_result(&reqs[2]);
    assert_eq!(second["error"]["code"], "invalid_arguments");
    assert!(
        second["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stars"),
        "{second}"
    );
    assert_eq!(r.reply, "Sorry, let me fix that.");
}

#[tokio::test]
async fn a_looping_model_is_stopped_at_the_step_limit() {
    let (_dir, agency) = common::agency();
    let script = (0..10)
        .map(|i| tool_call(&format!("call_{i}"), "get_points", "{}"))
        .collect();
    let (m, base) = mock(script).await;
    let a = assistant(&agency, &base, |c| c.max_steps = 3);
    let r = a
        .send(&mut Conversation::new(), "points?", &mut |_: &str| {})
        .await
        .unwrap();
    assert_eq!(m.requests.lock().unwrap().len(), 3);
    assert_eq!(r.tool_calls.len(), 3);
    assert!(r.reply.contains("stopped after 3"), "{}", r.reply);
}

#[tokio::test]
async fn a_silent_server_times_out_clearly() {
    let (_dir, agency) = common::agency();
    let (_m, base) = mock(vec![Scripted::Hang]).await;
    let a = assistant(&agency, &base, |c| c.timeout = Duration::from_millis(300));
    let e = a
        .send(&mut Conversation::new(), "hi", &mut |_: &str| {})
        .await
        .unwrap_err();
    assert!(e.to_string().contains("did not answer within 0.3s"), "{e}");
}

#[test]
fn the_key_stays_out_of_debug_output() {
    let mut cfg = LlmConfig::new("http://localhost:11434/v1/", "llama3");
    cfg.api_key = Some("sk-very-secret".into());
    let shown = format!("{cfg:?}");
    assert!(!shown.contains("sk-very-secret"), "{shown}");
    assert!(shown.contains("redacted"));
    assert_eq!(cfg.base_url, "http://localhost:11434/v1");
}
