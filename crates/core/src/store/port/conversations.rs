//! The assistant's conversations and their messages.

/// Promise: to be stated by the methods this area gains.
pub trait Conversations {}
