//! The HTTP exchange with a team server: the client, requests sent with a valid access token,
//! JSON answers read, and the server's errors turned into core errors of the same kind.

use super::RemoteAgency;
use crate::error::{Error, Result};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// How long one call to the server may take.
const TIMEOUT: Duration = Duration::from_secs(30);

impl RemoteAgency {
    pub(super) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let resp = self.send(Method::GET, path, None, None).await?;
        read_json(&self.inner.url, resp).await
    }

    pub(super) async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T> {
        self.call(Method::POST, path, body, None).await
    }

    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<T> {
        let resp = self.send(method, path, Some(body), idempotency_key).await?;
        read_json(&self.inner.url, resp).await
    }

    pub(super) async fn text(&self, path: &str) -> Result<String> {
        let resp = self.send(Method::GET, path, None, None).await?;
        if !resp.status().is_success() {
            return Err(error_from(&self.inner.url, resp).await);
        }
        resp.text()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))
    }

    /// Sends with a valid access token: refreshed first when it is about to expire, and once
    /// more if the server still says 401.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<reqwest::Response> {
        let mut token = self.access_token(false).await?;
        for attempt in 0..2 {
            let mut req = self
                .inner
                .http
                .request(method.clone(), format!("{}{path}", self.inner.url))
                .bearer_auth(&token);
            if let Some(b) = body {
                req = req.json(b);
            }
            if let Some(k) = idempotency_key {
                req = req.header("Idempotency-Key", k);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| unreachable_server(&self.inner.url, &e))?;
            if resp.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                token = self.access_token(true).await?;
                continue;
            }
            return Ok(resp);
        }
        unreachable!("the loop returns on its second attempt")
    }
}

pub(super) fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("booksygo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))
}

/// `https://host:port` without a trailing slash; refuses anything that is not http(s).
pub fn normalise_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::invalid(format!(
            "'{url}' is not a server URL ({e}): use for example https://booksygo.example.com"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid(format!(
            "'{url}' is not an http(s) server URL"
        )));
    }
    Ok(url.to_string())
}

pub(super) fn unreachable_server(url: &str, e: &reqwest::Error) -> Error {
    let why = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "refused the connection or is down".to_string()
    } else {
        e.to_string()
    };
    Error::Unavailable(format!(
        "the BooksyGo server at {url} {why}; try again, or add --offline to work locally"
    ))
}

pub(super) async fn read_json<T: DeserializeOwned>(
    url: &str,
    resp: reqwest::Response,
) -> Result<T> {
    if !resp.status().is_success() {
        return Err(error_from(url, resp).await);
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| unreachable_server(url, &e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::internal(format!(
            "the server at {url} answered with JSON this version does not understand ({e}); \
             are the client and server the same version?"
        ))
    })
}

/// The server's `{"error":{"code","message"}}` as the core error of the same kind, so the
/// CLI's exit codes are the same in both modes.
pub(super) async fn error_from(url: &str, resp: reqwest::Response) -> Error {
    #[derive(Deserialize)]
    struct Body {
        error: ErrorBody,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        code: String,
        message: String,
        #[serde(default)]
        suggestions: Vec<String>,
    }
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let body: Option<Body> = resp.json().await.ok();
    let Some(Body { error }) = body else {
        return Error::Unavailable(format!(
            "the server at {url} answered {status} without an error body"
        ));
    };
    let msg = error.message;
    match (status, error.code.as_str()) {
        (StatusCode::NOT_FOUND, _) => Error::NotFound(msg),
        (StatusCode::UNAUTHORIZED, _) => {
            Error::AuthRequired(format!("{msg}: run `booksygo login {url}`"))
        }
        (StatusCode::FORBIDDEN, _) => Error::Forbidden(msg),
        (StatusCode::CONFLICT, _) => Error::Conflict(msg),
        (StatusCode::BAD_GATEWAY, _) | (_, "suppliers_failed") => Error::SuppliersFailed(vec![
            msg.trim_start_matches("every supplier failed: ")
                .to_string(),
        ]),
        (StatusCode::TOO_MANY_REQUESTS, _) => Error::RateLimited {
            message: msg,
            retry_after,
        },
        (s, _) if s.is_client_error() => Error::Invalid {
            message: msg,
            suggestions: error.suggestions,
        },
        (StatusCode::SERVICE_UNAVAILABLE, _) => Error::Unavailable(msg),
        _ => Error::internal(format!("the server at {url} failed: {msg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_checked() {
        assert_eq!(
            normalise_url(" https://team.example.com/ ").unwrap(),
            "https://team.example.com"
        );
        assert!(normalise_url("team.example.com").is_err());
        assert!(normalise_url("ftp://team.example.com").is_err());
    }
}
