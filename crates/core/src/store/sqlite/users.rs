//! Accounts, their roles and profiles, and their sessions (refresh tokens), on SQLite: the
//! e-mail is `UNIQUE COLLATE NOCASE` (a write that breaks it comes back as `false`), and a
//! token is used by `UPDATE .. WHERE used_at IS NULL`, row count checked.

use crate::error::Result;
use crate::store::port::{NewAccount, RefreshToken, StoredProfile, Users};
use rusqlite::{Connection, OptionalExtension, params};

/// `Ok(false)` for a write refused by a constraint (the e-mail is another account's).
fn unless_constraint(done: rusqlite::Result<usize>) -> Result<bool> {
    match done {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

impl Users for Connection {
    fn register(&self, a: &NewAccount<'_>) -> Result<bool> {
        unless_constraint(self.execute(
            "INSERT INTO users(id, email, first_name, last_name, role, password_hash, created_at) VALUES (?1, ?2, bg_seal('account.first_name', ?3), bg_seal('account.last_name', ?4), ?5, ?6, ?7)",
            params![a.id, a.email, a.first_name, a.last_name, a.role, a.password_hash, a.at],
        ))
    }

    fn credentials(&self, email: &str) -> Result<Option<(String, Option<String>)>> {
        Ok(self
            .query_row(
                "SELECT id, password_hash FROM users WHERE email = ?1",
                [email],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn profile(&self, user: &str) -> Result<Option<StoredProfile>> {
        Ok(self
            .query_row(
                "SELECT id, email, bg_open('account.first_name', first_name), bg_open('account.last_name', last_name), role, preferences
                 FROM users WHERE id = ?1",
                [user],
                |r| {
                    Ok(StoredProfile {
                        id: r.get(0)?,
                        email: r.get(1)?,
                        first_name: r.get(2)?,
                        last_name: r.get(3)?,
                        role: r.get(4)?,
                        preferences: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    fn save_profile(
        &self,
        user: &str,
        email: &str,
        first_name: &str,
        last_name: &str,
        preferences: &str,
    ) -> Result<bool> {
        unless_constraint(self.execute(
            "UPDATE users SET email = ?2, first_name = bg_seal('account.first_name', ?3), last_name = bg_seal('account.last_name', ?4),
                 preferences = ?5 WHERE id = ?1",
            params![user, email, first_name, last_name, preferences],
        ))
    }

    fn ensure_user(&self, id: &str, email: &str, now: i64) -> Result<()> {
        self.execute(
            "INSERT OR IGNORE INTO users(id, email, created_at) VALUES (?1, ?2, ?3)",
            params![id, email, now],
        )?;
        Ok(())
    }

    fn role(&self, user: &str) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT role FROM users WHERE id = ?1")?
            .query_row([user], |r| r.get(0))
            .optional()?)
    }

    fn set_role(&self, user: &str, role: &str) -> Result<bool> {
        let written = self.execute(
            "UPDATE users SET role = ?1 WHERE id = ?2
               AND (?1 = 'admin' OR role != 'admin' OR EXISTS (
                   SELECT 1 FROM users
                   WHERE role = 'admin' AND password_hash IS NOT NULL AND id != ?2))",
            params![role, user],
        )?;
        Ok(written == 1)
    }

    fn login_accounts(&self) -> Result<Vec<String>> {
        Ok(self
            .prepare(
                "SELECT id FROM users WHERE password_hash IS NOT NULL ORDER BY created_at, id",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn add_refresh_token(
        &self,
        hash: &str,
        user: &str,
        family: &str,
        expires_at: i64,
        at: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO refresh_tokens(token_hash, user_id, family, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash, user, family, expires_at, at],
        )?;
        Ok(())
    }

    fn refresh_token_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>> {
        Ok(self
            .query_row(
                "SELECT user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?1",
                [hash],
                |r| {
                    Ok(RefreshToken {
                        user: r.get(0)?,
                        family: r.get(1)?,
                        expires_at: r.get(2)?,
                        used_at: r.get(3)?,
                        revoked_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn refresh_family(&self, hash: &str) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT family FROM refresh_tokens WHERE token_hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn use_refresh_token(&self, hash: &str, at: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
            params![hash, at],
        )? == 1)
    }

    fn revoke_family(&self, family: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL",
            params![family, at],
        )?;
        Ok(())
    }

    fn session_live(&self, user: &str, family: &str) -> Result<bool> {
        Ok(self
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM refresh_tokens t JOIN users u ON u.id = t.user_id
                   WHERE t.family = ?2 AND t.user_id = ?1 AND u.password_hash IS NOT NULL)
                 AND NOT EXISTS (SELECT 1 FROM refresh_tokens
                   WHERE family = ?2 AND revoked_at IS NOT NULL)",
            )?
            .query_row(params![user, family], |r| r.get(0))?)
    }
}
