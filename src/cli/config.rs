//! `booksygo config`: where settings live, what is set, and secrets in the keyring.

use crate::output::Out;
use booksygo_core::config::{Paths, Settings};
use booksygo_core::secrets::{Backend, Secret};
use clap::Subcommand;

/// The settings the CLI and server read, shown by `config show` (secrets by name only).
const KNOWN_SETTINGS: &[&str] = &[
    "remote.url",
    "server.bind",
    "server.data_dir",
    "server.cors_origins",
    "server.log_format",
    "llm.base_url",
    "llm.model",
    "duffel.base_url",
    "amadeus.base_url",
    "stripe.base_url",
    "paypal.client_id",
    "paypal.base_url",
    "paypal.webhook_id",
];

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the config file's path.
    Path,
    /// Show every setting in effect and where it comes from; secrets show only where they are set.
    Show,
    /// Print one setting (exit code 3 when it is not set).
    Get { key: String },
    /// Store a secret (API key or token) in the OS keyring, or a private 0600 file when there
    /// is no keyring. The value is read from a prompt, or from standard input when piped;
    /// never from the command line.
    SetSecret { name: String },
    /// Remove a stored secret.
    DeleteSecret { name: String },
}

pub async fn run(cmd: ConfigCmd, out: Out) -> anyhow::Result<u8> {
    let paths = Paths::from_env()?;
    let settings = Settings::load_unchecked(&paths)?;
    for key in settings.plain_secrets() {
        crate::output::warn(&format!(
            "{} holds the secret {key} in plain text: remove it from the file and run `booksygo config set-secret {key}`",
            settings.path().display()
        ));
    }
    match cmd {
        ConfigCmd::Path => {
            if out.json {
                out.print_json(&serde_json::json!({ "config_file": settings.path() }))?;
            } else {
                out.line(&settings.path().display().to_string());
            }
        }
        ConfigCmd::Show => show(&settings, out)?,
        ConfigCmd::Get { key } if key.trim().is_empty() => {
            return Err(booksygo_core::Error::invalid(
                "a setting's key is required, such as llm.model (`booksygo config show` lists them)",
            )
            .into());
        }
        ConfigCmd::Get { key } => match settings.source(&key) {
            Some((value, from)) => {
                if out.json {
                    out.print_json(
                        &serde_json::json!({ "key": key, "value": value, "source": from }),
                    )?;
                } else {
                    out.line(&value);
                }
            }
            None => {
                return Err(booksygo_core::Error::NotFound(format!(
                    "{key} is not set (neither {} nor {})",
                    booksygo_core::secrets::env_name(&key),
                    settings.path().display()
                ))
                .into());
            }
        },
        ConfigCmd::SetSecret { name } => {
            booksygo_core::config::check_secret_name(&name)?;
            let value = super::read_secret(&format!("{name}: "))?;
            let backend = settings.secrets().set(&name, &Secret::new(value))?;
            if backend == Backend::File && settings.secrets().uses_keyring() {
                crate::output::warn(&format!(
                    "no usable OS keyring here; stored {name} in {} (mode 0600)",
                    settings.secrets().file_path().display()
                ));
            }
            if out.json {
                out.print_json(&serde_json::json!({ "name": name, "stored_in": backend }))?;
            } else {
                out.line(&format!("stored {name} in the {}", backend.as_str()));
            }
        }
        ConfigCmd::DeleteSecret { name } => {
            let found = settings.secrets().delete(&name)?;
            if !found {
                return Err(
                    booksygo_core::Error::NotFound(format!("no stored secret {name}")).into(),
                );
            }
            if out.json {
                out.print_json(&serde_json::json!({ "name": name, "deleted": true }))?;
            } else {
                out.line(&format!("deleted {name}"));
            }
        }
    }
    Ok(crate::exit::OK)
}

fn show(settings: &Settings, out: Out) -> anyhow::Result<()> {
    let mut keys: Vec<String> = KNOWN_SETTINGS.iter().map(|k| k.to_string()).collect();
    for k in settings.keys() {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let values: Vec<serde_json::Value> = keys
        .iter()
        .filter(|k| !booksygo_core::config::is_secret_key(k))
        .filter_map(|k| {
            settings
                .source(k)
                .map(|(v, from)| serde_json::json!({ "key": k, "value": v, "source": from }))
        })
        .collect();
    let mut secrets = Vec::new();
    for name in booksygo_core::config::secret_names() {
        if let Some((_, from)) = settings.secrets().get(name)? {
            secrets.push(serde_json::json!({ "name": name, "source": from }));
        }
    }
    if out.json {
        return out.print_json(&serde_json::json!({
            "config_file": settings.path(),
            "settings": values,
            "secrets": secrets,
        }));
    }
    out.line(&format!("config file  {}", settings.path().display()));
    for v in &values {
        out.line(&format!(
            "{:<24} {}  ({})",
            v["key"].as_str().unwrap_or_default(),
            v["value"].as_str().unwrap_or_default(),
            v["source"].as_str().unwrap_or_default()
        ));
    }
    for s in &secrets {
        out.line(&format!(
            "{:<24} ***  ({})",
            s["name"].as_str().unwrap_or_default(),
            s["source"].as_str().unwrap_or_default()
        ));
    }
    Ok(())
}
