//! The team's leaderboard: accounts ranked by points earned, with their level.

use super::level_for;
use crate::error::Result;
use crate::store::Unit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeaderboardEntry {
    pub rank: u32,
    pub user_id: String,
    pub name: String,
    pub total: i64,
    pub level: String,
}

/// The team's ranking by points earned: every account (users who can log in) and the
/// viewer, so the offline user sees themselves and a server's board has no placeholder.
pub fn leaderboard(unit: &dyn Unit, viewer: &str, limit: usize) -> Result<Vec<LeaderboardEntry>> {
    Ok(unit
        .points()
        .leaderboard(viewer, limit)?
        .into_iter()
        .enumerate()
        .map(|(i, (user_id, name, email, total))| LeaderboardEntry {
            rank: i as u32 + 1,
            user_id,
            name: if name.is_empty() { email } else { name },
            total,
            level: level_for(total).1.to_string(),
        })
        .collect())
}
