//! Sessions on a team server: logging in, the saved session, and access tokens refreshed
//! (and the rotated refresh token saved) before they expire.

use super::RemoteAgency;
use super::http::{client, error_from, normalise_url, read_json, unreachable_server};
use crate::error::{Error, Result};
use crate::secrets::{Secret, SecretStore};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The secret under which `booksygo login` keeps the session.
pub const SESSION_SECRET: &str = "remote.session";

/// A logged-in session on a server. Tokens are [`Secret`]s: never printed.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub url: String,
    pub email: String,
    access_token: String,
    refresh_token: String,
    /// Unix seconds when the access token stops working.
    access_expires_at: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("url", &self.url)
            .field("email", &self.email)
            .field("tokens", &"***")
            .finish()
    }
}

impl Session {
    /// A session from tokens the caller already holds (tests, other clients).
    pub fn new(
        url: &str,
        email: &str,
        access_token: &str,
        refresh_token: &str,
        access_expires_at: i64,
    ) -> Session {
        Session {
            url: url.trim_end_matches('/').to_string(),
            email: email.to_string(),
            access_token: access_token.to_string(),
            refresh_token: refresh_token.to_string(),
            access_expires_at,
        }
    }

    pub fn refresh_token(&self) -> &str {
        &self.refresh_token
    }

    /// The session saved by `booksygo login`, if any.
    pub fn load(secrets: &SecretStore) -> Result<Option<Session>> {
        match secrets.get(SESSION_SECRET)? {
            None => Ok(None),
            Some((text, _)) => serde_json::from_str(text.expose()).map(Some).map_err(|_| {
                Error::AuthRequired(
                    "the saved session is unreadable: run `booksygo login <URL>` again".into(),
                )
            }),
        }
    }

    pub fn save(&self, secrets: &SecretStore) -> Result<crate::secrets::Backend> {
        secrets.set(
            SESSION_SECRET,
            &Secret::new(serde_json::to_string(self).expect("a session serialises")),
        )
    }
}

/// Where a refreshed session is saved (the keyring or the 0600 file in the CLI).
pub type SessionStore = Option<SecretStore>;

/// Creates an account on the server (`POST /api/auth/register`); log in afterwards. The
/// server's refusals (a taken email, a short password) come back as its own words.
pub async fn register(
    url: &str,
    email: &str,
    password: &str,
    first: &str,
    last: &str,
    referral_code: Option<&str>,
) -> Result<()> {
    let url = normalise_url(url)?;
    let mut body =
        json!({ "email": email, "password": password, "first_name": first, "last_name": last });
    if let Some(code) = referral_code {
        body["referral_code"] = json!(code);
    }
    let resp = client()?
        .post(format!("{url}/api/auth/register"))
        .json(&body)
        .send()
        .await
        .map_err(|e| unreachable_server(&url, &e))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(error_from(&url, resp).await)
    }
}

/// Logs in with email and password; the session is not saved (see [`Session::save`]).
pub async fn login(url: &str, email: &str, password: &str) -> Result<Session> {
    let url = normalise_url(url)?;
    let http = client()?;
    let now = jiff::Timestamp::now().as_second();
    let resp = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .map_err(|e| unreachable_server(&url, &e))?;
    if resp.status() == StatusCode::UNAUTHORIZED {
        return Err(Error::AuthRequired("wrong email or password".into()));
    }
    let tokens: Tokens = read_json(&url, resp).await?;
    Ok(Session {
        url,
        email: email.trim().to_string(),
        access_expires_at: now + tokens.expires_in,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    })
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
}

impl RemoteAgency {
    /// Ends the session on the server (its refresh token family is revoked).
    pub async fn logout(&self) -> Result<()> {
        let refresh = self.inner.session.lock().await.refresh_token.clone();
        let resp = self
            .inner
            .http
            .post(format!("{}/api/auth/logout", self.inner.url))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(error_from(&self.inner.url, resp).await)
        }
    }

    /// The current access token, refreshed when `force`d or within 30 s of expiry. The lock
    /// makes concurrent callers share one refresh: a refresh token works only once.
    pub(super) async fn access_token(&self, force: bool) -> Result<String> {
        let mut session = self.inner.session.lock().await;
        let now = jiff::Timestamp::now().as_second();
        if !force && session.access_expires_at > now + 30 {
            return Ok(session.access_token.clone());
        }
        let resp = self
            .inner
            .http
            .post(format!("{}/api/auth/refresh", self.inner.url))
            .json(&json!({ "refresh_token": session.refresh_token }))
            .send()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))?;
        if matches!(
            resp.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ) {
            return Err(Error::AuthRequired(format!(
                "your session on {} has expired: run `booksygo login {}`",
                self.inner.url, self.inner.url
            )));
        }
        let tokens: Tokens = read_json(&self.inner.url, resp).await?;
        session.access_token = tokens.access_token;
        session.refresh_token = tokens.refresh_token;
        session.access_expires_at = now + tokens.expires_in;
        if let Some(store) = &self.inner.persist {
            session.save(store)?;
        }
        Ok(session.access_token.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_never_prints_its_tokens() {
        let s = Session {
            url: "http://127.0.0.1:1".into(),
            email: "ada@example.com".into(),
            access_token: "eyJ.secret.access".into(),
            refresh_token: "rt_secret".into(),
            access_expires_at: 0,
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
