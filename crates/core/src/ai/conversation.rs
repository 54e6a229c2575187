//! Conversations, kept in the store: the messages (with tool calls, so a model sees its own
//! history) and the session state, so `chat --continue` picks up where it stopped,
//! confirmations and all. The store only loads and saves; a turn (load, send, save whatever
//! happens) is [`Chats::turn`].

use super::tools::Session;
use crate::error::{Error, Result};
pub use crate::model::conversation::{ConversationSummary, Message};
use crate::store::Unit;
use serde::{Deserialize, Serialize};

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

/// Writes the new messages and the session state: call in one unit of work
/// ([`crate::store::Store::write`]), so they are kept together or not at all.
pub fn save(unit: &dyn Unit, user: &str, c: &mut Conversation, now: i64) -> Result<()> {
    if c.messages.is_empty() {
        // Nothing was said: no conversation to keep.
        return Ok(());
    }
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
    let new = c.messages.get(c.saved..).unwrap_or_default();
    if !unit
        .conversations()
        .save(&c.id, user, &c.title, &state, c.saved, new, now)?
    {
        return Err(Error::NotFound(format!("no conversation {}", c.id)));
    }
    c.saved = c.messages.len();
    Ok(())
}

/// Loads one of a user's conversations.
pub fn load(unit: &dyn Unit, user: &str, id: &str) -> Result<Conversation> {
    let stored = unit
        .conversations()
        .load(user, id)?
        .ok_or_else(|| Error::NotFound(format!("no conversation {id}")))?;
    let saved = stored.messages.len();
    Ok(Conversation {
        id: id.to_string(),
        title: stored.title,
        messages: stored.messages,
        session: serde_json::from_str(&stored.state)?,
        saved,
    })
}

/// The id of a user's most recently updated conversation.
pub fn latest(unit: &dyn Unit, user: &str) -> Result<Option<String>> {
    unit.conversations().latest(user)
}

/// A user's conversations, most recently updated first.
pub fn list(unit: &dyn Unit, user: &str) -> Result<Vec<ConversationSummary>> {
    unit.conversations().list(user)
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
        self.store.reading(move |u| list(u, &user)).await
    }

    pub async fn open(&self, user: &str, which: Which) -> Result<Conversation> {
        let user = user.to_string();
        self.store
            .reading(move |u| {
                let id = match which {
                    Which::New => None,
                    Which::Id(id) => Some(id),
                    Which::Latest => Some(latest(u, &user)?.ok_or_else(|| {
                        crate::Error::NotFound(
                            "no conversation to continue: start one with `booksygo chat`".into(),
                        )
                    })?),
                    Which::LatestOrNew => latest(u, &user)?,
                };
                match id {
                    Some(id) => load(u, &user, &id),
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
            .writing(move |u| {
                save(u, &user, &mut kept, now)?;
                Ok(kept)
            })
            .await;
        *conv = saved?;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_conversation_is_saved_only_by_its_user() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).unwrap();
        let mut c = Conversation::new();
        c.messages.push(Message::user("flights to Lisbon"));
        store
            .write(|u| {
                u.users().ensure_user("usr_a", "a@example.com", 0)?;
                u.users().ensure_user("usr_b", "b@example.com", 0)?;
                save(u, "usr_a", &mut c, 1)
            })
            .unwrap();
        // Another user saving under the same id changes nothing.
        let mut forged = c.clone();
        forged.saved = 0;
        forged.title = "mine now".into();
        let err = store
            .write(|u| save(u, "usr_b", &mut forged, 2))
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotFound);
        let kept = store.read(|u| load(u, "usr_a", &c.id)).unwrap();
        assert_eq!(kept.title, "flights to Lisbon");
        assert_eq!(kept.messages.len(), 1);
        assert!(store.read(|u| load(u, "usr_b", &c.id)).is_err());
    }
}
