//! Badges, challenges and the leaderboard: what the points rules read and record beside the ledger.

/// Promise: to be stated by the methods this area gains.
pub trait Points {}
