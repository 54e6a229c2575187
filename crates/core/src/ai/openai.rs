//! The OpenAI-compatible backend (OpenAI, Ollama, llama.cpp, vLLM): async-openai's chat
//! completions over the wire shapes as JSON ("bring your own types"), streamed.
//!
//! One turn is a loop: send the conversation and the tool schemas, stream the reply, run the
//! tool calls it asks for through the same [`Toolbox`](super::tools::Toolbox), send the
//! results back, until the model answers in words or the step limit is hit. Malformed tool
//! arguments go back to the model as tool errors. async-openai retries 429 and 5xx itself
//! (up to 3 times, exponential backoff from 100 ms, honouring `Retry-After` in seconds); every
//! wait for the server is bounded by the configured timeout and fails with a clear error.

use super::Assistant;
use super::conversation::{Conversation, Message};
use super::tools::{ToolCallRecord, ToolError, specs};
use crate::config::Settings;
use crate::error::{Error, Result};
use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;

/// Where the model lives. The key never reaches Debug output or logs.
#[derive(Clone)]
pub struct LlmConfig {
    /// Base URL up to the version, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// Longest wait for the server to start answering or send the next piece.
    pub timeout: Duration,
    /// Most model calls in one turn (each tool round is one).
    pub max_steps: usize,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_steps", &self.max_steps)
            .finish()
    }
}

impl LlmConfig {
    pub fn new(base_url: &str, model: &str) -> LlmConfig {
        LlmConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key: None,
            timeout: Duration::from_secs(60),
            max_steps: 8,
        }
    }

    /// The configured model, if any: settings `llm.base_url` and `llm.model` (both, or
    /// neither; env `BOOKSYGO_LLM_BASE_URL`/`BOOKSYGO_LLM_MODEL` or `[llm]` in config.toml),
    /// the secret `llm.api_key` (env, keyring or secrets file), optional `llm.timeout_secs` and
    /// `llm.max_steps`.
    pub fn from_settings(settings: &Settings) -> Result<Option<LlmConfig>> {
        let (base, model) = match (settings.get("llm.base_url"), settings.get("llm.model")) {
            (None, None) => return Ok(None),
            (Some(b), Some(m)) => (b, m),
            (Some(_), None) => {
                return Err(Error::invalid(
                    "llm.base_url (BOOKSYGO_LLM_BASE_URL) is set but llm.model (BOOKSYGO_LLM_MODEL) is not: set both, or neither for the offline assistant",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "llm.model (BOOKSYGO_LLM_MODEL) is set but llm.base_url (BOOKSYGO_LLM_BASE_URL) is not: set both, or neither for the offline assistant",
                ));
            }
        };
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::invalid(format!(
                "BOOKSYGO_LLM_BASE_URL '{base}' is not an http(s) URL"
            )));
        }
        let mut cfg = LlmConfig::new(&base, &model);
        cfg.api_key = settings
            .secret("llm.api_key")?
            .map(|s| s.expose().to_string());
        if let Some(t) = settings.seconds("llm.timeout_secs")? {
            cfg.timeout = t;
        }
        if let Some(v) = settings.get("llm.max_steps") {
            cfg.max_steps = v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "llm.max_steps = '{v}' is not a number from 1 to 50"
                    ))
                })?;
        }
        Ok(Some(cfg))
    }
}

pub struct OpenAiBackend {
    cfg: LlmConfig,
    client: Client<OpenAIConfig>,
}

/// A tool call being assembled from streamed pieces.
#[derive(Default, Debug)]
struct PendingCall {
    id: String,
    name: String,
    arguments: String,
}

fn system_prompt(assistant: &Assistant) -> String {
    format!(
        "You are BooksyGo, a travel agent. Today is {} ({}). Use the tools to search flights, hotels and packages, and to book, pay or cancel; never invent offers, prices or ids. Dates are YYYY-MM-DD; amounts are {{\"amount\", \"currency\"}}. create_booking, pay_booking and cancel_booking first return a quote and a confirmation_token: show the quote, ask the person, and call again with the token only after they say yes in their own message. Answer concisely with prices and offer ids.",
        assistant.today,
        assistant.today.strftime("%A")
    )
}

impl OpenAiBackend {
    pub fn new(cfg: LlmConfig) -> Result<OpenAiBackend> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .read_timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        // The key is always set explicitly: never OPENAI_API_KEY from the environment sent to
        // some other server.
        let config = OpenAIConfig::new()
            .with_api_base(cfg.base_url.clone())
            .with_api_key(cfg.api_key.clone().unwrap_or_default());
        Ok(OpenAiBackend {
            client: Client::build(http, config),
            cfg,
        })
    }

    fn failed(&self, e: OpenAIError) -> Error {
        if let OpenAIError::ApiError(api) = &e {
            let status = api.status_code.as_u16();
            if status == 401 || status == 403 {
                return Error::AuthRequired(format!(
                    "the model server at {} refused the request ({status}): check BOOKSYGO_LLM_API_KEY",
                    self.cfg.base_url
                ));
            }
            if status == 404 {
                return Error::invalid(format!(
                    "the model server at {} answered 404: check BOOKSYGO_LLM_BASE_URL (it usually ends in /v1) and BOOKSYGO_LLM_MODEL '{}': {}",
                    self.cfg.base_url, self.cfg.model, api.api_error.message
                ));
            }
        }
        if let OpenAIError::Reqwest(r) = &e
            && r.is_timeout()
        {
            return self.timed_out();
        }
        Error::SuppliersFailed(vec![format!("model at {}: {e}", self.cfg.base_url)])
    }

    fn timed_out(&self) -> Error {
        Error::SuppliersFailed(vec![format!(
            "the model at {} did not answer within {}s",
            self.cfg.base_url,
            self.cfg.timeout.as_secs_f32()
        )])
    }

    /// The conversation as the wire's messages.
    fn messages(assistant: &Assistant, conv: &Conversation) -> Vec<Value> {
        let mut out = vec![json!({"role": "system", "content": system_prompt(assistant)})];
        for m in &conv.messages {
            let mut v = json!({"role": m.role, "content": m.content});
            if let Some(calls) = &m.tool_calls {
                v["tool_calls"] = calls.clone();
            }
            if let Some(id) = &m.tool_call_id {
                v["tool_call_id"] = json!(id);
            }
            out.push(v);
        }
        out
    }

    /// One model call, streamed: the text (sent to `on_text` as it comes) and the tool calls.
    async fn step(
        &self,
        request: Value,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Vec<PendingCall>)> {
        let timeout = self.cfg.timeout;
        let mut stream = tokio::time::timeout(
            timeout,
            self.client
                .chat()
                .create_stream_byot::<Value, Value>(request),
        )
        .await
        .map_err(|_| self.timed_out())?
        .map_err(|e| self.failed(e))?;
        let mut text = String::new();
        let mut calls: Vec<PendingCall> = Vec::new();
        loop {
            let next = tokio::time::timeout(timeout, stream.next())
                .await
                .map_err(|_| self.timed_out())?;
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(|e| self.failed(e))?;
            if let Some(err) = chunk.get("error") {
                return Err(Error::SuppliersFailed(vec![format!(
                    "model at {}: {}",
                    self.cfg.base_url,
                    err.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("error")
                )]));
            }
            let delta = &chunk["choices"][0]["delta"];
            if let Some(piece) = delta["content"].as_str()
                && !piece.is_empty()
            {
                text.push_str(piece);
                on_text(piece);
            }
            if let Some(parts) = delta["tool_calls"].as_array() {
                for part in parts {
                    let index = part["index"].as_u64().unwrap_or(calls.len() as u64) as usize;
                    if index > 64 {
                        continue;
                    }
                    while calls.len() <= index {
                        calls.push(PendingCall::default());
                    }
                    let c = &mut calls[index];
                    if let Some(id) = part["id"].as_str() {
                        c.id = id.to_string();
                    }
                    if let Some(name) = part["function"]["name"].as_str() {
                        c.name.push_str(name);
                    }
                    if let Some(args) = part["function"]["arguments"].as_str() {
                        c.arguments.push_str(args);
                    }
                }
            }
        }
        Ok((text, calls))
    }

    pub async fn turn(
        &self,
        assistant: &Assistant,
        conv: &mut Conversation,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Vec<ToolCallRecord>)> {
        let tools: Vec<Value> = specs()
            .into_iter()
            .map(|t| {
                json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}})
            })
            .collect();
        let mut records = Vec::new();
        for step in 0..self.cfg.max_steps {
            let request = json!({
                "model": self.cfg.model,
                "messages": Self::messages(assistant, conv),
                "tools": tools,
                "stream": true,
            });
            let (text, calls) = self.step(request, on_text).await?;
            if calls.is_empty() {
                conv.messages.push(Message::assistant(&text));
                return Ok((text, records));
            }
            let wire_calls: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    json!({
                        "id": if c.id.is_empty() { format!("call_{step}_{i}") } else { c.id.clone() },
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    })
                })
                .collect();
            conv.messages.push(Message {
                role: "assistant".into(),
                content: text,
                tool_calls: Some(Value::Array(wire_calls.clone())),
                tool_call_id: None,
            });
            for (c, wire) in calls.iter().zip(&wire_calls) {
                let record = match serde_json::from_str::<Value>(if c.arguments.trim().is_empty() {
                    "{}"
                } else {
                    &c.arguments
                }) {
                    Ok(args) => assistant.run_tool(conv, &c.name, args).await,
                    Err(e) => ToolCallRecord {
                        name: c.name.clone(),
                        arguments: Value::String(c.arguments.clone()),
                        ok: false,
                        result: ToolError {
                            code: "invalid_arguments".into(),
                            message: format!(
                                "the arguments are not valid JSON ({e}); send one JSON object matching the tool's schema"
                            ),
                            suggestions: Vec::new(),
                        }
                        .to_json(),
                    },
                };
                conv.messages.push(Message {
                    role: "tool".into(),
                    content: record.result.to_string(),
                    tool_calls: None,
                    tool_call_id: wire["id"].as_str().map(String::from),
                });
                records.push(record);
            }
        }
        let text = format!(
            "I stopped after {} model steps without reaching an answer; please ask again more specifically.",
            self.cfg.max_steps
        );
        on_text(&text);
        conv.messages.push(Message::assistant(&text));
        Ok((text, records))
    }
}
