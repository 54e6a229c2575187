//! The team's leaderboard: accounts ranked by points earned, with their level.

use super::level_for;
use crate::error::Result;
use rusqlite::Connection;
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
pub fn leaderboard(conn: &Connection, viewer: &str, limit: usize) -> Result<Vec<LeaderboardEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, trim(u.first_name || ' ' || u.last_name), u.email, coalesce(sum(l.total_delta), 0) AS total
         FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id
         WHERE u.password_hash IS NOT NULL OR u.id = ?2
         GROUP BY u.id ORDER BY total DESC, u.created_at LIMIT ?1",
    )?;
    let rows = stmt.query_map(rusqlite::params![limit as i64, viewer], |r| {
        let name: String = r.get(1)?;
        let email: String = r.get(2)?;
        Ok((
            r.get::<_, String>(0)?,
            if name.is_empty() { email } else { name },
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let (user_id, name, total) = row?;
        out.push(LeaderboardEntry {
            rank: i as u32 + 1,
            user_id,
            name,
            total,
            level: level_for(total).1.to_string(),
        });
    }
    Ok(out)
}
