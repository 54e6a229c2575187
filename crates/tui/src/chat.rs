//! The Chat view's link to the assistant: what the view shows (entries, tool cards, the
//! pending quote) and the engine the executor runs turns on. The assistant, its tools and the
//! confirmation rule all live in core (`booksygo_core::ai`); this only carries text to it and
//! turns its answers into things to draw.

use booksygo_core::Result;
use booksygo_core::ai::Assistant;
use booksygo_core::ai::conversation::{Chats, Conversation, Message, Which};
use booksygo_core::ai::tools::ToolCallRecord;
use serde_json::Value;

/// One tool call, as a compact card: the tool, its key arguments, a short result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCard {
    pub name: String,
    pub args: String,
    pub result: String,
    pub ok: bool,
}

/// One line of the conversation as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEntry {
    User(String),
    Assistant(String),
    Tool(ToolCard),
    /// An error shown in place (the model is down, the message was refused).
    Error(String),
}

/// A conversation opened (the latest resumed, or a new one).
#[derive(Debug, Clone)]
pub struct ChatLog {
    pub conversation_id: String,
    pub backend: String,
    pub entries: Vec<ChatEntry>,
    /// The quote waiting for the person's yes, if any.
    pub pending: Option<String>,
}

/// One finished turn.
#[derive(Debug, Clone)]
pub struct ChatTurn {
    pub conversation_id: String,
    pub reply: String,
    pub cards: Vec<ToolCard>,
    pub pending: Option<String>,
}

/// What the executor runs chat turns with: the assistant, and where conversations are kept
/// (this machine's database, as `booksygo chat` keeps them, also in remote mode).
pub struct ChatEngine {
    assistant: Assistant,
    chats: Chats,
    user: String,
    conv: tokio::sync::Mutex<Option<Conversation>>,
}

impl ChatEngine {
    /// `user` is the account conversations belong to (the agency's profile id).
    pub fn new(assistant: Assistant, chats: Chats, user: String) -> ChatEngine {
        ChatEngine {
            assistant,
            chats,
            user,
            conv: tokio::sync::Mutex::new(None),
        }
    }

    /// Resumes the latest conversation (like `booksygo chat --continue`), or starts one.
    pub async fn open(&self) -> Result<ChatLog> {
        let mut slot = self.conv.lock().await;
        if slot.is_none() {
            *slot = Some(self.chats.open(&self.user, Which::LatestOrNew).await?);
        }
        let conv = slot.as_ref().expect("set above");
        Ok(ChatLog {
            conversation_id: conv.id.clone(),
            backend: self.assistant.backend.name().into(),
            entries: entries(&conv.messages),
            pending: pending(conv),
        })
    }

    /// One turn; `on_text` receives the reply's pieces as they come. What was said is saved
    /// whatever happens, as the CLI does.
    pub async fn send(
        &self,
        text: &str,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ChatTurn> {
        let mut slot = self.conv.lock().await;
        if slot.is_none() {
            *slot = Some(self.chats.open(&self.user, Which::LatestOrNew).await?);
        }
        let conv = slot.as_mut().expect("set above");
        let reply = self
            .chats
            .turn(&self.assistant, &self.user, conv, text, on_text)
            .await?;
        Ok(ChatTurn {
            conversation_id: conv.id.clone(),
            reply: reply.reply,
            cards: reply.tool_calls.iter().map(card).collect(),
            pending: pending(conv),
        })
    }
}

/// The newest quote still waiting for a yes.
fn pending(conv: &Conversation) -> Option<String> {
    conv.session
        .confirmations
        .pending
        .iter()
        .rev()
        .find(|p| !p.approved)
        .map(|p| p.summary.clone())
}

/// A saved conversation as entries (a model's tool calls become cards with their results).
fn entries(messages: &[Message]) -> Vec<ChatEntry> {
    let mut out = Vec::new();
    for m in messages {
        match m.role.as_str() {
            "user" => out.push(ChatEntry::User(m.content.clone())),
            "assistant" => {
                for call in m
                    .tool_calls
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let id = call["id"].as_str();
                    let result = messages
                        .iter()
                        .find(|r| r.role == "tool" && r.tool_call_id.as_deref() == id)
                        .and_then(|r| serde_json::from_str::<Value>(&r.content).ok())
                        .unwrap_or(Value::Null);
                    let args = match &call["arguments"] {
                        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                        v => v.clone(),
                    };
                    let ok = result.get("error").is_none();
                    out.push(ChatEntry::Tool(card(&ToolCallRecord {
                        name: call["name"].as_str().unwrap_or("tool").into(),
                        arguments: args,
                        ok,
                        result,
                    })));
                }
                if !m.content.trim().is_empty() {
                    out.push(ChatEntry::Assistant(m.content.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A tool call as a card: scalar arguments (never a token or a card number), and a short result.
pub fn card(rec: &ToolCallRecord) -> ToolCard {
    const HIDDEN: [&str; 4] = ["confirmation_token", "user_reply", "card_number", "cvc"];
    let mut args = Vec::new();
    if let Some(map) = rec.arguments.as_object() {
        for (k, v) in map {
            if HIDDEN.contains(&k.as_str()) {
                continue;
            }
            match v {
                Value::Array(a) => args.push(format!("{k}: {}", a.len())),
                v => {
                    if let Some(s) = scalar(v) {
                        args.push(format!("{k} {s}"));
                    }
                }
            }
        }
    }
    let r = &rec.result;
    let result = if !rec.ok {
        format!(
            "error: {}",
            r["error"]["message"].as_str().unwrap_or("failed")
        )
    } else if r["status"].as_str() == Some("confirmation_required") {
        "quoted: waiting for your yes".to_string()
    } else if let Some(code) = r["booking"]["confirmation_code"].as_str() {
        // Booked, paid or cancelled: the booking as the tool returns it.
        format!(
            "{} {}",
            r["booking"]["status"].as_str().unwrap_or("booked"),
            code
        )
    } else if let Some((k, n)) = r.as_object().and_then(|m| {
        m.iter()
            .find_map(|(k, v)| v.as_array().map(|a| (k.clone(), a.len())))
    }) {
        format!("{n} {k}")
    } else {
        "done".to_string()
    };
    ToolCard {
        name: rec.name.clone(),
        args: args.join(", "),
        result,
        ok: rec.ok,
    }
}
