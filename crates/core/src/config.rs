//! Where BooksyGo keeps its files, and the knobs read from the environment.
//!
//! `BOOKSYGO_HOME=<dir>` puts everything (database, config) in one folder. Otherwise data goes
//! to `$XDG_DATA_HOME/booksygo` (default `~/.local/share/booksygo`) and configuration to
//! `$XDG_CONFIG_HOME/booksygo` (default `~/.config/booksygo`).

use crate::error::{Error, Result};
use jiff::Timestamp;
use std::path::PathBuf;

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
