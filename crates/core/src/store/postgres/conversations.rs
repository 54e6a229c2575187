//! The assistant's conversations and their messages, on PostgreSQL. `(conversation_id, seq)`
//! is the messages' primary key and a message is a plain `INSERT`: a second writer appending
//! at a place already taken fails (unique violation) instead of replacing it. The head is an
//! `INSERT .. ON CONFLICT (id) DO UPDATE .. WHERE` the owner is the same: one statement that
//! neither takes nor changes another user's conversation, and that locks the head, so two
//! saves of one conversation take turns.

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::model::conversation::{ConversationSummary, Message};
use crate::store::port::*;

impl Conversations for PgUnit<'_> {
    #[allow(clippy::too_many_arguments)]
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
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, state = excluded.state, updated_at = excluded.updated_at
             WHERE ai_conversations.user_id = excluded.user_id",
            &[&id, &user, &title, &state, &now],
        )?;
        if head == 0 {
            return Ok(false);
        }
        for (i, m) in messages.iter().enumerate() {
            let seq = i64::try_from(first_seq + i).unwrap_or(i64::MAX);
            let calls = m.tool_calls.as_ref().map(|v| v.to_string());
            self.execute(
                "INSERT INTO ai_messages(conversation_id, seq, role, content, tool_calls, tool_call_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &seq,
                    &m.role,
                    &m.content,
                    &calls,
                    &m.tool_call_id,
                    &now,
                ],
            )?;
        }
        Ok(true)
    }

    fn load(&self, user: &str, id: &str) -> Result<Option<StoredConversation>> {
        let Some(head) = self.query_opt(
            "SELECT title, state FROM ai_conversations WHERE id = $1 AND user_id = $2",
            &[&id, &user],
        )?
        else {
            return Ok(None);
        };
        let messages = self
            .query(
                "SELECT role, content, tool_calls, tool_call_id FROM ai_messages
                 WHERE conversation_id = $1 ORDER BY seq",
                &[&id],
            )?
            .iter()
            .map(|r| {
                let calls: Option<String> = get(r, 2)?;
                Ok(Message {
                    role: get(r, 0)?,
                    content: get(r, 1)?,
                    tool_calls: calls.and_then(|c| serde_json::from_str(&c).ok()),
                    tool_call_id: get(r, 3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(StoredConversation {
            title: get(&head, 0)?,
            state: get(&head, 1)?,
            messages,
        }))
    }

    fn latest(&self, user: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT id FROM ai_conversations WHERE user_id = $1
             ORDER BY updated_at DESC, ord DESC LIMIT 1",
            &[&user],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn list(&self, user: &str) -> Result<Vec<ConversationSummary>> {
        self.query(
            "SELECT c.id, c.title, (SELECT count(*) FROM ai_messages m WHERE m.conversation_id = c.id), c.updated_at
             FROM ai_conversations c WHERE c.user_id = $1 ORDER BY c.updated_at DESC, c.ord DESC",
            &[&user],
        )?
        .iter()
        .map(|r| {
            Ok(ConversationSummary {
                id: get(r, 0)?,
                title: get(r, 1)?,
                messages: get(r, 2)?,
                updated_at: jiff::Timestamp::from_second(get(r, 3)?)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            })
        })
        .collect()
    }
}
