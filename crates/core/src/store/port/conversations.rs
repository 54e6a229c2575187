//! The assistant's conversations and their messages.

use crate::error::Result;
use crate::model::conversation::{ConversationSummary, Message};

/// A conversation as kept: its head and every message, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    pub title: String,
    /// The session state, as the JSON text it was saved as.
    pub state: String,
    pub messages: Vec<Message>,
}

/// Promise: a conversation is read and written only under its user's id, and a message is never
/// overwritten: each is stored at its place (`seq`), and a second writer appending at a place
/// already taken fails instead of replacing it, whatever the number of writers. The head and
/// the new messages of one save change together when saved in one unit of work.
pub trait Conversations {
    /// Writes the conversation's head (creating it the first time, else its title, state and
    /// time) and appends `messages` at places `first_seq`, `first_seq + 1`, ...; `false`
    /// (nothing written) when the id belongs to another user's conversation.
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
    ) -> Result<bool>;
    /// One of `user`'s conversations, whole; `None` when there is none of theirs with this id.
    fn load(&self, user: &str, id: &str) -> Result<Option<StoredConversation>>;
    /// The id of `user`'s most recently updated conversation.
    fn latest(&self, user: &str) -> Result<Option<String>>;
    /// `user`'s conversations, most recently updated first.
    fn list(&self, user: &str) -> Result<Vec<ConversationSummary>>;
}
