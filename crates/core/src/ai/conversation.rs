//! Conversations in SQLite: the messages (with tool calls, so a model sees its own history)
//! and the session state, so `chat --continue` picks up where it stopped, confirmations and all.

use super::tools::Session;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// user, assistant or tool.
    pub role: String,
    pub content: String,
    /// For an assistant turn that called tools: `[{"id","name","arguments"}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<serde_json::Value>,
    /// For a tool result: the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    pub fn user(text: &str) -> Message {
        Message {
            role: "user".into(),
            content: text.into(),
            tool_calls: None,
            tool_call_id: None,
        }
    }

    pub fn assistant(text: &str) -> Message {
        Message {
            role: "assistant".into(),
            content: text.into(),
            tool_calls: None,
            tool_call_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    pub messages: Vec<Message>,
    pub session: Session,
    /// Messages already written to the database.
    #[serde(skip)]
    saved: usize,
}

impl Conversation {
    pub fn new() -> Conversation {
        Conversation {
            id: crate::ids::new("cnv"),
            title: String::new(),
            messages: Vec::new(),
            session: Session::default(),
            saved: 0,
        }
    }
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation::new()
    }
}

/// Writes the new messages and the session state (one transaction).
pub fn save(conn: &mut Connection, user: &str, c: &mut Conversation, now: i64) -> Result<()> {
    if c.messages.is_empty() {
        // Nothing was said: no conversation to keep.
        return Ok(());
    }
    let tx = conn.transaction()?;
    let title = if c.title.is_empty() {
        c.messages
            .iter()
            .find(|m| m.role == "user")
            .map(|m| m.content.chars().take(60).collect::<String>())
            .unwrap_or_default()
    } else {
        c.title.clone()
    };
    c.title = title;
    let state = serde_json::to_string(&c.session)?;
    tx.execute(
        "INSERT INTO ai_conversations(id, user_id, title, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, state = excluded.state, updated_at = excluded.updated_at",
        params![c.id, user, c.title, state, now],
    )?;
    for (i, m) in c.messages.iter().enumerate().skip(c.saved) {
        tx.execute(
            "INSERT INTO ai_messages(conversation_id, seq, role, content, tool_calls, tool_call_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.id,
                i as i64,
                m.role,
                m.content,
                m.tool_calls.as_ref().map(|v| v.to_string()),
                m.tool_call_id,
                now
            ],
        )?;
    }
    tx.commit()?;
    c.saved = c.messages.len();
    Ok(())
}

/// Loads one of a user's conversations.
pub fn load(conn: &Connection, user: &str, id: &str) -> Result<Conversation> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT title, state FROM ai_conversations WHERE id = ?1 AND user_id = ?2",
            params![id, user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (title, state) = row.ok_or_else(|| Error::NotFound(format!("no conversation {id}")))?;
    let mut stmt = conn.prepare(
        "SELECT role, content, tool_calls, tool_call_id FROM ai_messages WHERE conversation_id = ?1 ORDER BY seq",
    )?;
    let messages = stmt
        .query_map([id], |r| {
            let calls: Option<String> = r.get(2)?;
            Ok(Message {
                role: r.get(0)?,
                content: r.get(1)?,
                tool_calls: calls.and_then(|c| serde_json::from_str(&c).ok()),
                tool_call_id: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let saved = messages.len();
    Ok(Conversation {
        id: id.to_string(),
        title,
        messages,
        session: serde_json::from_str(&state)?,
        saved,
    })
}

/// The id of a user's most recently updated conversation.
pub fn latest(conn: &Connection, user: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM ai_conversations WHERE user_id = ?1 ORDER BY updated_at DESC, rowid DESC LIMIT 1",
            [user],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    pub messages: i64,
    pub updated_at: jiff::Timestamp,
}

pub fn list(conn: &Connection, user: &str) -> Result<Vec<ConversationSummary>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.title, (SELECT count(*) FROM ai_messages m WHERE m.conversation_id = c.id), c.updated_at
         FROM ai_conversations c WHERE c.user_id = ?1 ORDER BY c.updated_at DESC, c.rowid DESC",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(ConversationSummary {
            id: r.get(0)?,
            title: r.get(1)?,
            messages: r.get(2)?,
            updated_at: jiff::Timestamp::from_second(r.get(3)?)
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which conversation a turn continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// A new conversation.
    New,
    /// The most recently updated one; an error when there is none.
    Latest,
    /// The most recently updated one, or a new one when there is none.
    LatestOrNew,
    /// This one (the user's own; another user's is "not found").
    Id(String),
}

/// Conversations with the assistant, kept in a store per user: the one place where a turn
/// happens (open the conversation, send, save what was said whatever happened), for the CLI,
/// the terminal app and the server.
#[derive(Clone)]
pub struct Chats {
    store: crate::store::Store,
    clock: crate::config::Clock,
}

impl Chats {
    pub(crate) fn new(store: crate::store::Store, clock: crate::config::Clock) -> Chats {
        Chats { store, clock }
    }

    /// The conversations kept on this machine (also in remote mode: the assistant runs here).
    pub fn on_this_machine(
        paths: &crate::config::Paths,
        clock: crate::config::Clock,
    ) -> Result<Chats> {
        Ok(Chats::new(
            crate::store::Store::open(&paths.database())?,
            clock,
        ))
    }

    /// A user's conversations, newest first.
    pub async fn list(&self, user: &str) -> Result<Vec<ConversationSummary>> {
        let user = user.to_string();
        self.store.call(move |c| list(c, &user)).await
    }

    pub async fn open(&self, user: &str, which: Which) -> Result<Conversation> {
        let user = user.to_string();
        self.store
            .call(move |c| {
                let id = match which {
                    Which::New => None,
                    Which::Id(id) => Some(id),
                    Which::Latest => Some(latest(c, &user)?.ok_or_else(|| {
                        crate::Error::NotFound(
                            "no conversation to continue: start one with `booksygo chat`".into(),
                        )
                    })?),
                    Which::LatestOrNew => latest(c, &user)?,
                };
                match id {
                    Some(id) => load(c, &user, &id),
                    None => Ok(Conversation::new()),
                }
            })
            .await
    }

    /// One turn of `conv` with `assistant`; `on_text` gets the reply's pieces as they come.
    /// What was said is saved whatever happens; the reply, or what went wrong, comes back.
    pub async fn turn(
        &self,
        assistant: &super::Assistant,
        user: &str,
        conv: &mut Conversation,
        text: &str,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<super::Reply> {
        let result = assistant.send(conv, text, on_text).await;
        let (user, now) = (user.to_string(), self.clock.now().as_second());
        let mut kept = conv.clone();
        let saved = self
            .store
            .call(move |c| {
                save(c, &user, &mut kept, now)?;
                Ok(kept)
            })
            .await;
        *conv = saved?;
        result
    }
}
