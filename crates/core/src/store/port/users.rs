//! Accounts, their roles and profiles, and their sessions (refresh tokens).

/// Promise: to be stated by the methods this area gains.
pub trait Users {}
