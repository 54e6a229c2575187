//! The assistant's conversations and their messages, on SQLite: `(conversation_id, seq)` is
//! the messages' primary key, so an append never replaces a message.

use crate::error::Result;
use crate::model::conversation::{ConversationSummary, Message};
use crate::store::port::{Conversations, StoredConversation};
use rusqlite::{Connection, OptionalExtension, params};

impl Conversations for Connection {
    fn save(
        &self,
        id: &str,
        user: &str,
        title: &str,
        state: &str,
        first_seq: usize,
        messages: &[Message],
        now: i64,
    ) -> Result<bool> {
        let head = self.execute(
            "INSERT INTO ai_conversations(id, user_id, title, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, state = excluded.state, updated_at = excluded.updated_at
         WHERE ai_conversations.user_id = excluded.user_id",
            params![id, user, title, state, now],
        )?;
        if head == 0 {
            return Ok(false);
        }
        for (i, m) in messages.iter().enumerate() {
            self.execute(
                "INSERT INTO ai_messages(conversation_id, seq, role, content, tool_calls, tool_call_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    (first_seq + i) as i64,
                    m.role,
                    m.content,
                    m.tool_calls.as_ref().map(|v| v.to_string()),
                    m.tool_call_id,
                    now
                ],
            )?;
        }
        Ok(true)
    }

    fn load(&self, user: &str, id: &str) -> Result<Option<StoredConversation>> {
        let row: Option<(String, String)> = self
            .query_row(
                "SELECT title, state FROM ai_conversations WHERE id = ?1 AND user_id = ?2",
                params![id, user],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((title, state)) = row else {
            return Ok(None);
        };
        let mut stmt = self.prepare(
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
        Ok(Some(StoredConversation {
            title,
            state,
            messages,
        }))
    }

    fn latest(&self, user: &str) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT id FROM ai_conversations WHERE user_id = ?1 ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                [user],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn list(&self, user: &str) -> Result<Vec<ConversationSummary>> {
        let mut stmt = self.prepare(
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
}
