//! Accounts, their roles and profiles, and their sessions (refresh tokens), on PostgreSQL.
//!
//! How each promise of [`Users`] is kept with writers running side by side (READ COMMITTED):
//! - one account per e-mail: the unique index on `lower(email)`. `register` is an
//!   `INSERT .. ON CONFLICT DO NOTHING` (a concurrent insert of the same e-mail is waited for,
//!   then the row count says who lost); `save_profile` is the plain `UPDATE`, and the unique
//!   violation it meets is turned into `false` (inside a savepoint when the unit is a
//!   transaction, so the unit stays usable, as on SQLite).
//! - a refresh token is used once: `UPDATE .. WHERE used_at IS NULL`. A second writer blocks on
//!   the first one's row lock, then re-reads the committed row, finds it used and updates
//!   nothing.
//! - the team keeps an admin: `set_role` locks every admin who can log in (`FOR UPDATE`, in
//!   id order, in the statement that changes the role) before counting the others, so two
//!   admins stepping down at once are counted one after the other.

use super::unit::{PgUnit, UNIQUE_VIOLATION, get, is_sqlstate};
use crate::error::Result;
use crate::store::port::*;
use crate::store::sealed;

impl Users for PgUnit<'_> {
    fn register(&self, a: &NewAccount<'_>) -> Result<bool> {
        let first_name = self.seal(sealed::FIRST_NAME, a.first_name)?;
        let last_name = self.seal(sealed::LAST_NAME, a.last_name)?;
        // The unique indexes (id, lower(email)) decide, in this statement: of two accounts with
        // one e-mail, the second waits for the first and inserts nothing.
        let written = self.execute(
            "INSERT INTO users(id, email, first_name, last_name, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[
                &a.id,
                &a.email,
                &first_name,
                &last_name,
                &a.role,
                &a.password_hash,
                &a.at,
            ],
        )?;
        Ok(written == 1)
    }

    fn credentials(&self, email: &str) -> Result<Option<(String, Option<String>)>> {
        self.query_opt(
            "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)",
            &[&email],
        )?
        .map(|r| Ok((get(&r, 0)?, get(&r, 1)?)))
        .transpose()
    }

    fn profile(&self, user: &str) -> Result<Option<StoredProfile>> {
        self.query_opt(
            "SELECT id, email, first_name, last_name, role, preferences FROM users WHERE id = $1",
            &[&user],
        )?
        .map(|r| {
            Ok(StoredProfile {
                id: get(&r, 0)?,
                email: get(&r, 1)?,
                first_name: self.open(sealed::FIRST_NAME, &get::<String>(&r, 2)?)?,
                last_name: self.open(sealed::LAST_NAME, &get::<String>(&r, 3)?)?,
                role: get(&r, 4)?,
                preferences: get(&r, 5)?,
            })
        })
        .transpose()
    }

    fn save_profile(
        &self,
        user: &str,
        email: &str,
        first_name: &str,
        last_name: &str,
        preferences: &str,
    ) -> Result<bool> {
        // The unique index on lower(email) refuses the write, not a read before it. A refused
        // statement aborts a PostgreSQL transaction, so inside one the update runs under a
        // savepoint and the refusal rolls back to it: the unit goes on, as on SQLite.
        let first_name = self.seal(sealed::FIRST_NAME, first_name)?;
        let last_name = self.seal(sealed::LAST_NAME, last_name)?;
        let in_transaction = self.is_transaction();
        if in_transaction {
            self.batch_execute("SAVEPOINT users_save_profile")?;
        }
        let written = self.execute(
            "UPDATE users SET email = $2, first_name = $3, last_name = $4, preferences = $5
             WHERE id = $1",
            &[&user, &email, &first_name, &last_name, &preferences],
        );
        match written {
            Ok(_) => {
                if in_transaction {
                    self.batch_execute("RELEASE SAVEPOINT users_save_profile")?;
                }
                Ok(true)
            }
            Err(e) if is_sqlstate(&e, UNIQUE_VIOLATION) => {
                if in_transaction {
                    self.batch_execute(
                        "ROLLBACK TO SAVEPOINT users_save_profile; RELEASE SAVEPOINT users_save_profile",
                    )?;
                }
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn ensure_user(&self, id: &str, email: &str, now: i64) -> Result<()> {
        self.execute(
            "INSERT INTO users(id, email, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&id, &email, &now],
        )?;
        Ok(())
    }

    fn role(&self, user: &str) -> Result<Option<String>> {
        self.query_opt("SELECT role FROM users WHERE id = $1", &[&user])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn set_role(&self, user: &str, role: &str) -> Result<bool> {
        // `admins` locks every admin who can log in, in id order (so two of these statements
        // never deadlock), waiting for a concurrent change of any of them and re-reading it
        // after (READ COMMITTED re-checks a locked row's new version): of two admins stepping
        // down at once, the second counts the others after the first has left. The CTE has
        // FOR UPDATE, so it is not inlined, and count(*) reads (locks) all of it.
        let written = self.execute(
            "WITH admins AS MATERIALIZED (
                 SELECT id FROM users WHERE role = 'admin' AND password_hash IS NOT NULL
                 ORDER BY id COLLATE \"C\" FOR UPDATE
             )
             UPDATE users SET role = $1 WHERE id = $2
               AND ($1 = 'admin' OR role <> 'admin'
                    OR (SELECT count(*) FROM admins WHERE id <> $2) > 0)",
            &[&role, &user],
        )?;
        Ok(written == 1)
    }

    fn login_accounts(&self) -> Result<Vec<String>> {
        self.query(
            "SELECT id FROM users WHERE password_hash IS NOT NULL
             ORDER BY created_at, id COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
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
            "INSERT INTO refresh_tokens(token_hash, user_id, family, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&hash, &user, &family, &expires_at, &at],
        )?;
        Ok(())
    }

    fn refresh_token_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>> {
        self.query_opt(
            "SELECT user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens
             WHERE token_hash = $1",
            &[&hash],
        )?
        .map(|r| {
            Ok(RefreshToken {
                user: get(&r, 0)?,
                family: get(&r, 1)?,
                expires_at: get(&r, 2)?,
                used_at: get(&r, 3)?,
                revoked_at: get(&r, 4)?,
            })
        })
        .transpose()
    }

    fn refresh_family(&self, hash: &str) -> Result<Option<String>> {
        self.query_opt(
            "SELECT family FROM refresh_tokens WHERE token_hash = $1",
            &[&hash],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn use_refresh_token(&self, hash: &str, at: i64) -> Result<bool> {
        // One statement: a concurrent use waits for this row's lock, re-reads the committed
        // row (used_at set) and updates nothing.
        Ok(self.execute(
            "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
            &[&hash, &at],
        )? == 1)
    }

    fn revoke_family(&self, family: &str, at: i64) -> Result<()> {
        self.execute(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL",
            &[&family, &at],
        )?;
        Ok(())
    }

    fn session_live(&self, user: &str, family: &str) -> Result<bool> {
        // One statement, one snapshot: a revocation committed before it is seen.
        get(
            &self.query_one(
                "SELECT EXISTS (SELECT 1 FROM refresh_tokens t JOIN users u ON u.id = t.user_id
                   WHERE t.family = $2 AND t.user_id = $1 AND u.password_hash IS NOT NULL)
                 AND NOT EXISTS (SELECT 1 FROM refresh_tokens
                   WHERE family = $2 AND revoked_at IS NOT NULL)",
                &[&user, &family],
            )?,
            0,
        )
    }
}
