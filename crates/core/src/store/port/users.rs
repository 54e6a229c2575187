//! Accounts, their roles and profiles, and their sessions (refresh tokens).

use crate::error::Result;

/// A new account as stored: the rules have checked every field and hashed the password.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    /// Already trimmed and lower-cased.
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub at: i64,
}

/// An account's profile as stored; `preferences` is the stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub preferences: String,
}

/// A refresh token's record, found by the hash of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub user: String,
    pub family: String,
    pub expires_at: i64,
    /// When it was used (rotated), if it was.
    pub used_at: Option<i64>,
    /// When its family was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// Promise, whatever the number of writers (threads, processes, server instances):
/// - an e-mail is registered once: an account (or a profile change) whose e-mail another
///   account holds, in any letter case, is refused by the store's own uniqueness, not by a
///   read before the write;
/// - a refresh token is used once: marking it used is one statement conditional on it being
///   unused, so of two uses of one token exactly one succeeds and the other is seen as reuse;
/// - the team keeps an admin: [`Users::set_role`] refuses, in the statement that would make
///   it, the change that leaves no admin.
pub trait Users {
    /// Adds an account; `false` (nothing written) when its e-mail belongs to another account.
    fn register(&self, account: &NewAccount<'_>) -> Result<bool>;
    /// The id and password hash of the account with this e-mail (as given: the rule
    /// normalises it); the hash is `None` for an account that cannot log in.
    fn credentials(&self, email: &str) -> Result<Option<(String, Option<String>)>>;
    /// An account's profile; `None` when there is no such account.
    fn profile(&self, user: &str) -> Result<Option<StoredProfile>>;
    /// Writes an account's e-mail, names and preferences (JSON); `false` (nothing written)
    /// when the e-mail belongs to another account.
    fn save_profile(
        &self,
        user: &str,
        email: &str,
        first_name: &str,
        last_name: &str,
        preferences: &str,
    ) -> Result<bool>;
    /// Makes sure an account row exists (the local traveller, or a test's); an existing one
    /// is left as it is.
    fn ensure_user(&self, id: &str, email: &str, now: i64) -> Result<()>;
    /// An account's role; `None` when there is no such account.
    fn role(&self, user: &str) -> Result<Option<String>>;
    /// Gives an account a role, unless that would leave no admin who can log in: `false`
    /// (nothing written) then. Promise: the check and the change are one statement, so two
    /// admins stepping down at once leave one admin, whatever the number of writers. (On an
    /// engine whose statements do not serialise, as PostgreSQL's READ COMMITTED, the
    /// statement must lock the admins' rows first.)
    fn set_role(&self, user: &str, role: &str) -> Result<bool>;
    /// The ids of the accounts that can log in (with a password), oldest first.
    fn login_accounts(&self) -> Result<Vec<String>>;
    /// Stores a new refresh token (by its hash) of `user` in `family`.
    fn add_refresh_token(
        &self,
        hash: &str,
        user: &str,
        family: &str,
        expires_at: i64,
        at: i64,
    ) -> Result<()>;
    fn refresh_token_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>>;
    /// The family of a refresh token; `None` when the token is unknown.
    fn refresh_family(&self, hash: &str) -> Result<Option<String>>;
    /// Marks a refresh token used at `at` if nobody used it yet; `false` when it was used
    /// (or is unknown): of any number of concurrent uses, one gets `true`.
    fn use_refresh_token(&self, hash: &str, at: i64) -> Result<bool>;
    /// Revokes every token of a family not revoked yet.
    fn revoke_family(&self, family: &str, at: i64) -> Result<()>;
    /// Whether the session a login started (its refresh-token `family`) is still live for
    /// `user`: the family has a token of `user`, none of its tokens was revoked (revocation
    /// is family-wide, so one revoked token means the family ended, even if a rotation racing
    /// the revocation added a token after it), and the account exists and can log in (has
    /// a password). One statement: a revocation committed before it is seen.
    fn session_live(&self, user: &str, family: &str) -> Result<bool>;
}
