//! Secrets (API keys, tokens): read from the environment, the OS keyring, or a 0600 file.
//!
//! A secret named `duffel.token` is looked up as, in order:
//! 1. the environment variable `BOOKSYGO_DUFFEL_TOKEN`;
//! 2. the OS keyring, service `booksygo`, entry `duffel.token` (Linux: the kernel keyutils
//!    store; macOS: the Keychain; Windows: the Credential Manager);
//! 3. the file `<config_dir>/secrets.json`, created with mode 0600.
//!
//! Writing tries the keyring first and reads the value back; when the keyring refuses (seen on
//! Linux machines without a session keyring: "No matching entry found in secure storage"), the
//! value goes to the file instead and the caller is told so, to warn the user.
//! `BOOKSYGO_KEYRING=off` skips the keyring entirely (containers, CI, tests).
//!
//! Secret values never appear in `Debug` output, errors or logs: [`Secret`] redacts itself.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

const SERVICE: &str = "booksygo";

/// A secret value. `Debug` and `Display` print `***`; [`Secret::expose`] gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where a secret was found or stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Env,
    Keyring,
    File,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Env => "env",
            Backend::Keyring => "keyring",
            Backend::File => "file",
        }
    }
}

/// The environment variable that overrides a secret or setting: `llm.api_key` ->
/// `BOOKSYGO_LLM_API_KEY`.
pub fn env_name(name: &str) -> String {
    format!(
        "BOOKSYGO_{}",
        name.to_ascii_uppercase().replace(['.', '-'], "_")
    )
}

/// Reads and writes secrets; see the module documentation for the lookup order.
#[derive(Debug, Clone)]
pub struct SecretStore {
    file: PathBuf,
    keyring: bool,
}

impl SecretStore {
    /// The store for a config directory; honours `BOOKSYGO_KEYRING=off`.
    pub fn new(config_dir: &Path) -> SecretStore {
        let keyring = !matches!(
            std::env::var("BOOKSYGO_KEYRING").as_deref(),
            Ok("off" | "0" | "false" | "no")
        );
        SecretStore {
            file: config_dir.join("secrets.json"),
            keyring,
        }
    }

    /// A store that never touches the OS keyring (tests, containers).
    pub fn file_only(config_dir: &Path) -> SecretStore {
        SecretStore {
            file: config_dir.join("secrets.json"),
            keyring: false,
        }
    }

    /// Whether the OS keyring is tried at all (`BOOKSYGO_KEYRING=off` turns it off).
    pub fn uses_keyring(&self) -> bool {
        self.keyring
    }

    pub fn file_path(&self) -> &Path {
        &self.file
    }

    /// The secret and where it came from, or `None` when it is set nowhere.
    pub fn get(&self, name: &str) -> Result<Option<(Secret, Backend)>> {
        check_name(name)?;
        if let Ok(v) = std::env::var(env_name(name))
            && !v.is_empty()
        {
            return Ok(Some((Secret(v), Backend::Env)));
        }
        if self.keyring
            && let Some(v) = keyring_entry(name).and_then(|e| e.get_password().ok())
        {
            return Ok(Some((Secret(v), Backend::Keyring)));
        }
        Ok(self
            .read_file()?
            .remove(name)
            .map(|v| (Secret(v), Backend::File)))
    }

    /// The secret as stored on this machine (the keyring, then the file), whatever the
    /// environment says: for secrets whose stored value still matters beside the
    /// environment's (older data keys).
    pub fn get_stored(&self, name: &str) -> Result<Option<(Secret, Backend)>> {
        check_name(name)?;
        if self.keyring
            && let Some(v) = keyring_entry(name).and_then(|e| e.get_password().ok())
        {
            return Ok(Some((Secret(v), Backend::Keyring)));
        }
        Ok(self
            .read_file()?
            .remove(name)
            .map(|v| (Secret(v), Backend::File)))
    }

    /// Stores a secret: in the keyring when it works (checked by reading it back), else in
    /// the 0600 file. Returns where it went.
    pub fn set(&self, name: &str, value: &Secret) -> Result<Backend> {
        check_name(name)?;
        if value.expose().is_empty() {
            return Err(Error::invalid(format!("the value for {name} is empty")));
        }
        if self.keyring
            && let Some(entry) = keyring_entry(name)
            && entry.set_password(value.expose()).is_ok()
        {
            // Read it back through a new entry, as the next process would.
            let stored = keyring_entry(name).and_then(|e| e.get_password().ok());
            if stored.as_deref() == Some(value.expose()) {
                // The keyring is read first, but an old copy in the file would keep the
                // previous value on disk.
                self.remove_from_file(name)?;
                return Ok(Backend::Keyring);
            }
            let _ = entry.delete_credential();
        }
        let mut all = self.read_file()?;
        all.insert(name.to_string(), value.expose().to_string());
        self.write_file(&all)?;
        Ok(Backend::File)
    }

    /// Removes a secret from the keyring and the file; true when it was stored somewhere.
    pub fn delete(&self, name: &str) -> Result<bool> {
        check_name(name)?;
        let mut found = false;
        if self.keyring
            && let Some(entry) = keyring_entry(name)
        {
            found |= entry.delete_credential().is_ok();
        }
        found |= self.remove_from_file(name)?;
        Ok(found)
    }

    fn remove_from_file(&self, name: &str) -> Result<bool> {
        let mut all = self.read_file()?;
        if all.remove(name).is_none() {
            return Ok(false);
        }
        self.write_file(&all)?;
        Ok(true)
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::invalid(format!(
                    "{} is not a secrets file ({e}); fix or delete it",
                    self.file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::internal(format!(
                "cannot read {}: {e}",
                self.file.display()
            ))),
        }
    }

    fn write_file(&self, all: &BTreeMap<String, String>) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::internal(format!("cannot write {}: {e}", self.file.display()))
        };
        if let Some(dir) = self.file.parent() {
            crate::files::create_private_dir(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(all).expect("a map of strings serialises");
        // Write a private temporary file, then rename it over the old one: the secrets are
        // never readable by others, not even for a moment, and never half written.
        let tmp = self.file.with_extension("json.tmp");
        write_private(&tmp, text.as_bytes()).map_err(io)?;
        std::fs::rename(&tmp, &self.file).map_err(io)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn keyring_entry(name: &str) -> Option<keyring::Entry> {
    keyring::Entry::new(SERVICE, name).ok()
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "'{name}' is not a secret name: use lower-case words joined by dots, like duffel.token"
        )))
    }
}

/// The key that signs a team server's access tokens: `BOOKSYGO_JWT_SECRET` (32 characters
/// or more), else `jwt.secret` in the server's data directory, created at first start with 32
/// random bytes and readable by its owner only, so sessions survive a restart and the key
/// never sits in a config file.
pub fn token_signing_key(data_dir: &std::path::Path) -> Result<Vec<u8>> {
    if let Ok(s) = std::env::var("BOOKSYGO_JWT_SECRET")
        && !s.is_empty()
    {
        return long_enough(Secret::new(s), "BOOKSYGO_JWT_SECRET");
    }
    let path = data_dir.join("jwt.secret");
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.len() >= 32
    {
        return Ok(bytes);
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    let secret: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    crate::files::create_private_dir(data_dir)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    use std::io::Write;
    opts.open(&path)
        .and_then(|mut f| f.write_all(secret.as_bytes()))
        .map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))?;
    Ok(secret.into_bytes())
}

/// The key that signs access tokens when several instances share one database:
/// `jwt.secret` from the environment (`BOOKSYGO_JWT_SECRET`) or the secret store, 32
/// characters or more, the same on every instance. Without one the server refuses to start:
/// an instance inventing its own key would turn away the tokens the others signed.
pub fn shared_token_signing_key(settings: &crate::config::Settings) -> Result<Vec<u8>> {
    match settings.secret("jwt.secret")? {
        Some(secret) => long_enough(secret, "jwt.secret"),
        None => Err(Error::invalid(
            "a server on PostgreSQL needs the token signing key that every instance shares: \
             set BOOKSYGO_JWT_SECRET (32 characters or more, e.g. `openssl rand -hex 32`) or run \
             `booksygo config set-secret jwt.secret`, the same on every instance",
        )),
    }
}

fn long_enough(secret: Secret, name: &str) -> Result<Vec<u8>> {
    let n = secret.expose().chars().count();
    if n < 32 {
        return Err(Error::invalid(format!(
            "{name} has {n} characters: a token signing key needs 32 or more (e.g. `openssl rand -hex 32`)"
        )));
    }
    Ok(secret.expose().as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("sk_test_123");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "sk_test_123");
    }

    #[test]
    fn env_names_follow_the_dotted_name() {
        assert_eq!(env_name("llm.api_key"), "BOOKSYGO_LLM_API_KEY");
        assert_eq!(env_name("duffel.token"), "BOOKSYGO_DUFFEL_TOKEN");
    }

    #[test]
    fn file_store_round_trips_with_private_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::file_only(dir.path());
        assert_eq!(store.get("test.only_file").unwrap(), None);
        let backend = store.set("test.only_file", &Secret::new("abc")).unwrap();
        assert_eq!(backend, Backend::File);
        let (v, from) = store.get("test.only_file").unwrap().unwrap();
        assert_eq!((v.expose(), from), ("abc", Backend::File));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.delete("test.only_file").unwrap());
        assert!(!store.delete("test.only_file").unwrap());
        assert_eq!(store.get("test.only_file").unwrap(), None);
    }

    #[test]
    fn an_unreadable_keyring_falls_back_to_the_file() {
        // The mock keyring keeps a secret per Entry object, so a read through a new Entry sees
        // nothing: the failure seen on Linux machines without a session keyring. The
        // read-back check must notice and fall back to the file.
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore {
            file: dir.path().join("secrets.json"),
            keyring: true,
        };
        let backend = store.set("test.keyring", &Secret::new("xyz")).unwrap();
        assert_eq!(backend, Backend::File, "an unreadable keyring falls back");
        let (v, from) = store.get("test.keyring").unwrap().unwrap();
        assert_eq!((v.expose(), from), ("xyz", Backend::File));
    }

    #[test]
    fn bad_names_and_empty_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::file_only(dir.path());
        assert!(store.get("Duffel Token").is_err());
        assert!(store.set("duffel.token", &Secret::new("")).is_err());
        assert!(!dir.path().join("secrets.json").exists());
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secrets.json"), "not json").unwrap();
        let store = SecretStore::file_only(dir.path());
        let err = store.get("duffel.token").unwrap_err();
        assert!(err.to_string().contains("secrets.json"), "{err}");
    }
}
