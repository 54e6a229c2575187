//! Where BooksyGo keeps its files, and the knobs read from the environment.
//!
//! `BOOKSYGO_HOME=<dir>` puts everything (database, config) in one folder. Otherwise data goes
//! to `$XDG_DATA_HOME/booksygo` (default `~/.local/share/booksygo`) and configuration to
//! `$XDG_CONFIG_HOME/booksygo` (default `~/.config/booksygo`).

use crate::error::{Error, Result};
use jiff::Timestamp;
use std::path::PathBuf;

/// Which real suppliers the settings turn on (Duffel, Amadeus, Stripe), as a face lists and
/// checks them; the adapters themselves stay inside core.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

impl Paths {
    pub fn in_dir(dir: impl Into<PathBuf>) -> Paths {
        let dir = dir.into();
        Paths {
            data_dir: dir.clone(),
            config_dir: dir,
        }
    }

    /// Resolves the directories from `BOOKSYGO_HOME`, the XDG variables and `HOME`.
    pub fn from_env() -> Result<Paths> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(home) = var("BOOKSYGO_HOME") {
            return Ok(Paths::in_dir(home));
        }
        let home = var("HOME");
        let base = |xdg: &str, fallback: &str| -> Result<PathBuf> {
            var(xdg)
                .or_else(|| home.as_ref().map(|h| h.join(fallback)))
                .map(|p| p.join("booksygo"))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "cannot find a home directory: set BOOKSYGO_HOME or {xdg}"
                    ))
                })
        };
        Ok(Paths {
            data_dir: base("XDG_DATA_HOME", ".local/share")?,
            config_dir: base("XDG_CONFIG_HOME", ".config")?,
        })
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("booksygo.db")
    }
}

/// The clock the market prices against. `BOOKSYGO_NOW` (an RFC 3339 instant) pins it, so
/// scripts and tests get the same fares on any day.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<Timestamp>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(at: Timestamp) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn from_env() -> Result<Clock> {
        match std::env::var("BOOKSYGO_NOW") {
            Ok(v) if !v.is_empty() => v.parse::<Timestamp>().map(Clock::fixed).map_err(|e| {
                Error::invalid(format!(
                    "BOOKSYGO_NOW='{v}' is not an RFC 3339 instant: {e}"
                ))
            }),
            _ => Ok(Clock::system()),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.fixed.unwrap_or_else(Timestamp::now)
    }
}

/// Settings from `<config_dir>/config.toml`, overridden by `BOOKSYGO_*` environment
/// variables (flags, read by the front ends, override both).
///
/// Keys are dotted: `llm.base_url` is `[llm] base_url = "..."` in the file and
/// `BOOKSYGO_LLM_BASE_URL` in the environment. Secrets (tokens, keys, passwords) never live in
/// this file: [`Settings::secret`] reads the environment, the OS keyring or the private
/// secrets file, and loading refuses a config file that holds one in plain text.
#[derive(Debug, Clone)]
pub struct Settings {
    path: PathBuf,
    file: toml::Table,
    secrets: crate::secrets::SecretStore,
}

/// Key names that mark a secret; such keys are refused in `config.toml`.
const SECRET_WORDS: [&str; 5] = ["token", "secret", "password", "api_key", "key"];

impl Settings {
    /// Reads `<config_dir>/config.toml` when it exists. A malformed file, or one that holds a
    /// secret in plain text, is an error naming the file.
    pub fn load(paths: &Paths) -> Result<Settings> {
        let settings = Settings::load_unchecked(paths)?;
        if let Some(key) = settings.plain_secrets().into_iter().next() {
            return Err(Error::invalid(format!(
                "{} holds the secret {key} in plain text: remove it and run \
                 `booksygo config set-secret {key}` (or set {})",
                settings.path.display(),
                crate::secrets::env_name(&key)
            )));
        }
        Ok(settings)
    }

    /// Like [`Settings::load`], but accepts a file that holds secrets in plain text (see
    /// [`Settings::plain_secrets`]), so `booksygo config` can still help to move them out.
    pub fn load_unchecked(paths: &Paths) -> Result<Settings> {
        let path = paths.config_dir.join("config.toml");
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => text.parse::<toml::Table>().map_err(|e| {
                Error::invalid(format!("{} is not valid TOML: {e}", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
            Err(e) => {
                return Err(Error::internal(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        Ok(Settings {
            secrets: crate::secrets::SecretStore::new(&paths.config_dir),
            path,
            file,
        })
    }

    /// Keys in the file that look like secrets (tokens, keys, passwords).
    pub fn plain_secrets(&self) -> Vec<String> {
        self.keys()
            .into_iter()
            .filter(|k| is_secret_key(k))
            .collect()
    }

    /// Settings from the environment only (no file): for tests and embedding.
    pub fn from_env_only(config_dir: &std::path::Path) -> Settings {
        Settings {
            path: config_dir.join("config.toml"),
            file: toml::Table::new(),
            secrets: crate::secrets::SecretStore::new(config_dir),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn secrets(&self) -> &crate::secrets::SecretStore {
        &self.secrets
    }

    /// A setting: the environment first, then the file. Empty values count as unset.
    pub fn get(&self, key: &str) -> Option<String> {
        self.source(key).map(|(v, _)| v)
    }

    /// A setting and where it came from (`"env"` or `"file"`).
    pub fn source(&self, key: &str) -> Option<(String, &'static str)> {
        if let Ok(v) = std::env::var(crate::secrets::env_name(key))
            && !v.is_empty()
        {
            return Some((v, "env"));
        }
        let mut parts = key.split('.');
        let mut node = self.file.get(parts.next()?)?;
        for part in parts {
            node = node.as_table()?.get(part)?;
        }
        let text = match node {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some((text, "file"))
    }

    /// A setting parsed as a number of seconds, with the key named in the error.
    pub fn seconds(&self, key: &str) -> Result<Option<std::time::Duration>> {
        self.get(key)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .map(std::time::Duration::from_secs_f64)
                    .ok_or_else(|| {
                        Error::invalid(format!("{key} = '{v}' is not a number of seconds"))
                    })
            })
            .transpose()
    }

    /// A secret: `BOOKSYGO_<NAME>`, then the OS keyring, then the private secrets file.
    pub fn secret(&self, name: &str) -> Result<Option<crate::secrets::Secret>> {
        Ok(self.secrets.get(name)?.map(|(s, _)| s))
    }

    /// Every dotted key the file sets (for `booksygo config show`).
    pub fn keys(&self) -> Vec<String> {
        fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    toml::Value::Table(t) => walk(&key, t, out),
                    _ => out.push(key),
                }
            }
        }
        let mut out = Vec::new();
        walk("", &self.file, &mut out);
        out
    }
}

/// The database a team server keeps its data in, when not the SQLite file in its data
/// directory: a URL (`postgres://USER@HOST:PORT/DB` or `sqlite:PATH`) and PostgreSQL's
/// password, kept apart from it.
#[derive(Debug, Clone)]
pub struct Database {
    pub url: String,
    pub password: Option<crate::secrets::Secret>,
}

impl Database {
    /// Whether this is PostgreSQL (several instances may share it).
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres://") || self.url.starts_with("postgresql://")
    }
}

impl Settings {
    /// The server's database: `flag` (`--database-url`, or `BOOKSYGO_DATABASE_URL`), else
    /// `server.database_url` in config.toml; `None` keeps the SQLite file in the data
    /// directory. A URL in config.toml must not hold a password: it comes from
    /// `database.password` (`BOOKSYGO_DATABASE_PASSWORD` or the secret store).
    pub fn database(&self, flag: Option<String>) -> Result<Option<Database>> {
        let url = match flag.filter(|u| !u.trim().is_empty()) {
            Some(url) => url.trim().to_string(),
            None => match self.source("server.database_url") {
                None => return Ok(None),
                Some((url, origin)) => {
                    let url = url.trim().to_string();
                    if origin == "file" && crate::store::postgres::redact(&url) != url {
                        return Err(Error::invalid(format!(
                            "server.database_url in {} holds a password: remove it and run \
                             `booksygo config set-secret database.password` (or set \
                             BOOKSYGO_DATABASE_PASSWORD)",
                            self.path.display()
                        )));
                    }
                    url
                }
            },
        };
        Ok(Some(Database {
            url,
            password: self.secret("database.password")?,
        }))
    }
}

/// Every secret booksygo reads: what `config set-secret` stores and `config show` lists.
pub fn secret_names() -> impl Iterator<Item = &'static str> {
    crate::local::suppliers::SECRET_KEYS.iter().copied().chain([
        "llm.api_key",
        "jwt.secret",
        "database.password",
        crate::crypto::DATA_KEY_SECRET,
        crate::notify::mail::PASSWORD_SECRET,
    ])
}

/// Refuses a name booksygo reads no secret by, listing those it reads (a secret stored under
/// a mistyped name would never be used, and nothing would say so).
pub fn check_secret_name(name: &str) -> Result<()> {
    if secret_names().any(|s| s == name) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "'{name}' is not a secret booksygo reads: one of {}",
        secret_names().collect::<Vec<_>>().join(", ")
    )))
}

/// Whether a dotted key names a secret (`duffel.token`, `llm.api_key`, ...).
pub fn is_secret_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    SECRET_WORDS
        .iter()
        .any(|w| last == *w || last.ends_with(&format!("_{w}")))
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    fn with_file(text: &str) -> (tempfile::TempDir, Result<Settings>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), text).unwrap();
        let s = Settings::load(&Paths::in_dir(dir.path()));
        (dir, s)
    }

    #[test]
    fn file_values_are_read_by_dotted_key() {
        let (_d, s) = with_file("[test_only]\nbase_url = \"http://127.0.0.1:9\"\ndeadline = 12\n");
        let s = s.unwrap();
        assert_eq!(
            s.get("test_only.base_url").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(s.source("test_only.deadline"), Some(("12".into(), "file")));
        assert_eq!(
            s.seconds("test_only.deadline").unwrap(),
            Some(std::time::Duration::from_secs(12))
        );
        assert_eq!(s.get("test_only.missing"), None);
        assert_eq!(s.keys(), vec!["test_only.base_url", "test_only.deadline"]);
    }

    #[test]
    fn a_secret_in_the_file_is_refused_with_the_fix() {
        let (_d, s) = with_file("[duffel]\ntoken = \"duffel_test_abc\"\n");
        let err = s.unwrap_err().to_string();
        assert!(err.contains("duffel.token"), "{err}");
        assert!(err.contains("set-secret"), "{err}");
        assert!(
            !err.contains("duffel_test_abc"),
            "the value never appears: {err}"
        );
        let (_d, s) = with_file("[llm]\napi_key = \"sk\"\n");
        assert!(s.is_err());
    }

    #[test]
    fn malformed_toml_names_the_file() {
        let (_d, s) = with_file("[llm\n");
        let err = s.unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("not valid TOML"),
            "{err}"
        );
    }

    #[test]
    fn bad_seconds_are_an_error() {
        let (_d, s) = with_file("[x]\ndeadline = \"soon\"\n");
        assert!(s.unwrap().seconds("x.deadline").is_err());
    }
}
