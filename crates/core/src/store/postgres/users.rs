//! Users on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::store::port::*;

impl Users for PgUnit<'_> {
    fn register(&self, account: &NewAccount<'_>) -> Result<bool> {
        Err(pending("Users::register"))
    }

    fn credentials(&self, email: &str) -> Result<Option<(String, Option<String>)>> {
        Err(pending("Users::credentials"))
    }

    fn profile(&self, user: &str) -> Result<Option<StoredProfile>> {
        Err(pending("Users::profile"))
    }

    fn save_profile(
        &self,
        user: &str,
        email: &str,
        first_name: &str,
        last_name: &str,
        preferences: &str,
    ) -> Result<bool> {
        Err(pending("Users::save_profile"))
    }

    fn ensure_user(&self, id: &str, email: &str, now: i64) -> Result<()> {
        Err(pending("Users::ensure_user"))
    }

    fn role(&self, user: &str) -> Result<Option<String>> {
        Err(pending("Users::role"))
    }

    fn set_role(&self, user: &str, role: &str) -> Result<bool> {
        Err(pending("Users::set_role"))
    }

    fn login_accounts(&self) -> Result<Vec<String>> {
        Err(pending("Users::login_accounts"))
    }

    fn add_refresh_token(
        &self,
        hash: &str,
        user: &str,
        family: &str,
        expires_at: i64,
        at: i64,
    ) -> Result<()> {
        Err(pending("Users::add_refresh_token"))
    }

    fn refresh_token_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>> {
        Err(pending("Users::refresh_token_by_hash"))
    }

    fn refresh_family(&self, hash: &str) -> Result<Option<String>> {
        Err(pending("Users::refresh_family"))
    }

    fn use_refresh_token(&self, hash: &str, at: i64) -> Result<bool> {
        Err(pending("Users::use_refresh_token"))
    }

    fn revoke_family(&self, family: &str, at: i64) -> Result<()> {
        Err(pending("Users::revoke_family"))
    }
}
