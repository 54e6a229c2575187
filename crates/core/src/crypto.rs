//! Personal data sealed at rest: travellers' names, birth dates and document numbers, a
//! booking's contact e-mail and an account's names are written to the database sealed with
//! XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) under a 256-bit data key, and opened
//! when read.
//!
//! A sealed value is text: `bgs1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`, with a fresh
//! random 24-byte nonce per value and the column's name as associated data, so a value moved
//! into another column does not open. The key id (the first 4 bytes of a SHA-256 of the key,
//! in hex) says which key sealed it, so keys can be rotated: new values are sealed with the
//! current key, values sealed with an older key still open while that key is listed, and
//! `booksygo admin rotate-data-key` seals every value again with the current key.
//!
//! The keys come from the secret `data.key`: `BOOKSYGO_DATA_KEY`, else the OS keyring, else
//! the private secrets file (see [`crate::secrets`]). Its text is one or more keys, each 32
//! random bytes in standard base64 (`openssl rand -base64 32`), separated by commas or white
//! space, the current key first. An offline database (SQLite) gets a key made on first use
//! and kept in the secret store; a server on PostgreSQL refuses to start without one, since
//! every instance must share it.
//!
//! Values written before sealing existed (plain text) are still read as they are, and are
//! sealed when a keyed store first opens the database (and by every rotation).

use crate::error::{Error, Result};
use crate::secrets::{Backend, Secret};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::Digest;
use std::sync::Arc;

/// The secret that holds the data keys (`BOOKSYGO_DATA_KEY` in the environment).
pub const DATA_KEY_SECRET: &str = "data.key";

/// How every sealed value starts (format version 1).
pub const SEALED_PREFIX: &str = "bgs1:";

/// What every error about sealed data starts with, so that an engine's error carrying one
/// (a SQLite function's) is told as itself.
pub(crate) const ERROR_LEAD: &str = "sealed personal data: ";

const NONCE_LEN: usize = 24;

/// The data keys, current first. Empty: nothing is sealed (a store opened without keys,
/// as tests and embedders do), and a sealed value read is an error that says so. Cheap to
/// clone. `Debug` shows the key ids only.
#[derive(Clone, Default)]
pub struct DataKeys {
    keys: Arc<Vec<DataKey>>,
}

struct DataKey {
    id: String,
    raw: [u8; 32],
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DataKeys").field(&self.ids()).finish()
    }
}

fn seal_error(message: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{ERROR_LEAD}{message}"))
}

impl DataKey {
    fn new(raw: [u8; 32]) -> DataKey {
        let mut hash = sha2::Sha256::new();
        hash.update(b"booksygo data key id\0");
        hash.update(raw);
        let id = hash.finalize()[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        DataKey {
            id,
            raw,
            cipher: XChaCha20Poly1305::new(&raw.into()),
        }
    }
}

impl DataKeys {
    /// No keys: values are written plain.
    pub fn none() -> DataKeys {
        DataKeys::default()
    }

    /// One new random key.
    pub fn generate() -> Result<DataKeys> {
        Ok(DataKeys {
            keys: Arc::new(vec![DataKey::new(random()?)]),
        })
    }

    /// Reads keys as the secret holds them: base64 keys of 32 bytes, separated by commas or
    /// white space, the current one first. `origin` names where the text came from, for the
    /// error (which never shows the text).
    pub fn parse(text: &str, origin: &str) -> Result<DataKeys> {
        let mut keys: Vec<DataKey> = Vec::new();
        for (i, word) in text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .enumerate()
        {
            let bytes = STANDARD
                .decode(word)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(word))
                .map_err(|_| {
                    Error::invalid(format!(
                        "data key {} in {origin} is not base64: a data key is 32 random bytes in base64 (`openssl rand -base64 32`)",
                        i + 1
                    ))
                })?;
            let raw: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
                Error::invalid(format!(
                    "data key {} in {origin} has {} bytes: a data key is 32 random bytes in base64 (`openssl rand -base64 32`)",
                    i + 1,
                    b.len()
                ))
            })?;
            let key = DataKey::new(raw);
            if !keys.iter().any(|k| k.id == key.id) {
                keys.push(key);
            }
        }
        if keys.is_empty() {
            return Err(Error::invalid(format!("{origin} holds no data key")));
        }
        Ok(DataKeys {
            keys: Arc::new(keys),
        })
    }

    /// The keys as the secret holds them (current first).
    pub fn to_secret(&self) -> Secret {
        Secret::new(
            self.keys
                .iter()
                .map(|k| STANDARD.encode(k.raw))
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// A new random key made current, these kept to open older values.
    pub fn rotated(&self) -> Result<DataKeys> {
        let mut keys = vec![DataKey::new(random()?)];
        keys.extend(self.keys.iter().map(|k| DataKey::new(k.raw)));
        Ok(DataKeys {
            keys: Arc::new(keys),
        })
    }

    /// These keys, then those of `older` not among them (to open values they sealed).
    pub fn then(&self, older: &DataKeys) -> DataKeys {
        let mut keys: Vec<DataKey> = self.keys.iter().map(|k| DataKey::new(k.raw)).collect();
        for k in older.keys.iter() {
            if !keys.iter().any(|have| have.id == k.id) {
                keys.push(DataKey::new(k.raw));
            }
        }
        DataKeys {
            keys: Arc::new(keys),
        }
    }

    /// The current key alone (once every value is sealed with it, the others can go).
    pub fn current_only(&self) -> DataKeys {
        DataKeys {
            keys: Arc::new(
                self.keys
                    .first()
                    .map(|k| DataKey::new(k.raw))
                    .into_iter()
                    .collect(),
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ids, current first.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    /// The current key's id.
    pub fn current_id(&self) -> Option<&str> {
        self.keys.first().map(|k| k.id.as_str())
    }

    /// How a value sealed with the current key starts (`bgs1:<id>:`).
    pub fn current_prefix(&self) -> Option<String> {
        self.current_id().map(|id| format!("{SEALED_PREFIX}{id}:"))
    }

    /// Seals `plain` for the column `label` with the current key; without keys, `plain` as
    /// it is.
    pub fn seal(&self, label: &str, plain: &str) -> Result<String> {
        let Some(key) = self.keys.first() else {
            return Ok(plain.to_string());
        };
        let nonce: [u8; NONCE_LEN] = random()?;
        let sealed = key
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| seal_error("sealing failed"))?;
        let mut body = Vec::with_capacity(NONCE_LEN + sealed.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&sealed);
        Ok(format!(
            "{SEALED_PREFIX}{}:{}",
            key.id,
            URL_SAFE_NO_PAD.encode(body)
        ))
    }

    /// [`DataKeys::seal`] of an optional value.
    pub fn seal_opt(&self, label: &str, plain: Option<&str>) -> Result<Option<String>> {
        plain.map(|p| self.seal(label, p)).transpose()
    }

    /// Opens a value of the column `label` as stored: a sealed value with the key that
    /// sealed it, a plain one (written before sealing) as it is. A value whose key is not
    /// configured, or that does not open (altered, or another key), is an error that says
    /// which key it needs, never garbage.
    pub fn open(&self, label: &str, stored: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_string());
        };
        let Some((id, body)) = rest.split_once(':') else {
            return Err(seal_error(format!("a value of {label} is damaged")));
        };
        if self.keys.is_empty() {
            return Err(seal_error(format!(
                "{label} is sealed with data key {id}, and no data key is configured: set \
                 BOOKSYGO_DATA_KEY or the secret {DATA_KEY_SECRET} to the key this database was \
                 sealed with"
            )));
        }
        let Some(key) = self.keys.iter().find(|k| k.id == id) else {
            return Err(seal_error(format!(
                "{label} is sealed with data key {id}, which is not among the configured data \
                 keys ({}): add that key to BOOKSYGO_DATA_KEY or the secret {DATA_KEY_SECRET} \
                 (after the current one)",
                self.ids().join(", ")
            )));
        };
        let body = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(|| seal_error(format!("a value of {label} is damaged")))?;
        let (nonce, sealed) = body.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce's length");
        let plain = key
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| {
                seal_error(format!(
                    "a value of {label} sealed with data key {id} does not open: it was altered, \
                     or the configured key with that id is not the one that sealed it"
                ))
            })?;
        String::from_utf8(plain).map_err(|_| seal_error(format!("a value of {label} is damaged")))
    }

    /// [`DataKeys::open`] of an optional value.
    pub fn open_opt(&self, label: &str, stored: Option<&str>) -> Result<Option<String>> {
        stored.map(|s| self.open(label, s)).transpose()
    }

    /// A stored value sealed again with the current key (opened first, whatever sealed it);
    /// `None` when it already is sealed with the current key, or when there are no keys.
    pub fn reseal(&self, label: &str, stored: &str) -> Result<Option<String>> {
        match self.current_prefix() {
            Some(prefix) if !stored.starts_with(&prefix) => {
                Ok(Some(self.seal(label, &self.open(label, stored)?)?))
            }
            _ => Ok(None),
        }
    }
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut raw = [0u8; N];
    getrandom::fill(&mut raw).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(raw)
}

/// Where the data keys were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `BOOKSYGO_DATA_KEY`, or the secret store: read as it is.
    Found(Backend),
    /// None was set: a new key was made and stored there.
    Made(Backend),
}

/// The data keys of a store: the secret [`DATA_KEY_SECRET`]. `BOOKSYGO_DATA_KEY` comes
/// first (its first key is the current one), then the keys stored on this machine (the
/// keyring, or the private secrets file), which keep opening what they sealed: so setting
/// the variable to a new key and rotating moves a store onto a key you chose. When none is
/// set: on PostgreSQL (`shared`), an error, since every instance must seal with the same
/// key; on a SQLite file, a new key, stored in the secret store (never in the config file
/// or beside the database), unless the database already holds values sealed with a key
/// found nowhere here (`sealed_with` names it): then an error, since a second key would
/// leave the data sealed under two keys, one of them lost.
pub fn data_keys(
    secrets: &crate::secrets::SecretStore,
    shared: bool,
    sealed_with: impl FnOnce() -> Result<Option<String>>,
) -> Result<(DataKeys, KeySource)> {
    let stored = match secrets.get_stored(DATA_KEY_SECRET)? {
        Some((secret, backend)) => Some((
            DataKeys::parse(
                secret.expose(),
                &format!("the secret {DATA_KEY_SECRET} ({})", backend.as_str()),
            )?,
            backend,
        )),
        None => None,
    };
    let env = std::env::var(crate::secrets::env_name(DATA_KEY_SECRET))
        .ok()
        .filter(|v| !v.trim().is_empty());
    match (env, stored) {
        (Some(text), stored) => {
            let keys = DataKeys::parse(&text, "BOOKSYGO_DATA_KEY")?;
            let keys = match stored {
                Some((older, _)) => keys.then(&older),
                None => keys,
            };
            return Ok((keys, KeySource::Found(Backend::Env)));
        }
        (None, Some((keys, backend))) => return Ok((keys, KeySource::Found(backend))),
        (None, None) => {}
    }
    if shared {
        return Err(Error::invalid(
            "a server on PostgreSQL needs the data key every instance shares to seal personal \
             data: set BOOKSYGO_DATA_KEY (32 random bytes in base64, e.g. `openssl rand -base64 \
             32`) or run `booksygo config set-secret data.key`, the same on every instance",
        ));
    }
    if let Some(id) = sealed_with()? {
        let hidden = if secrets.uses_keyring() {
            ""
        } else {
            " (the OS keyring is off here: BOOKSYGO_KEYRING=off)"
        };
        return Err(seal_error(format!(
            "this database is sealed with data key {id}, and no data key is set here{hidden}: \
             set BOOKSYGO_DATA_KEY or the secret {DATA_KEY_SECRET} to that key; no new key was made"
        )));
    }
    let keys = DataKeys::generate()?;
    let backend = secrets.set(DATA_KEY_SECRET, &keys.to_secret())?;
    Ok((keys, KeySource::Made(backend)))
}

/// What `booksygo admin rotate-data-key` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rotated {
    /// Where the data is, safe to print.
    pub database: String,
    /// The id of the key every personal value is now sealed with.
    pub key: String,
    /// Whether that key was made by this rotation (and stored in the secret store); `false`
    /// when it was configured (`BOOKSYGO_DATA_KEY`, or any PostgreSQL database, whose key
    /// every instance must have before the rotation).
    pub made: bool,
    /// The ids of the keys no value needs any more: dropped from the secret store when the
    /// rotation made the new key, to be dropped from `BOOKSYGO_DATA_KEY` by hand otherwise.
    pub retired: Vec<String>,
    /// Rows sealed again, per table.
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Rotates the data key of the database the settings name (`database`, else the SQLite
/// file under `paths`), and seals every personal value again with the current key, in one
/// transaction.
///
/// - Keys in the secret store, on SQLite: a new key is made and stored first (before the
///   old ones), the rows are sealed again, then the old keys are dropped from the store.
///   Run it with the server stopped (a running one keeps the old keys in memory).
/// - Keys in `BOOKSYGO_DATA_KEY`, or PostgreSQL (several instances share the key, so none
///   may invent one): the first key listed is the current one. Put the new key first
///   (`NEW,OLD`) on every instance, restart them, run this once, then drop `OLD`.
pub async fn rotate(
    paths: crate::config::Paths,
    settings: crate::config::Settings,
    database: Option<crate::config::Database>,
) -> Result<Rotated> {
    tokio::task::spawn_blocking(move || rotate_blocking(&paths, &settings, database)).await?
}

fn rotate_blocking(
    paths: &crate::config::Paths,
    settings: &crate::config::Settings,
    database: Option<crate::config::Database>,
) -> Result<Rotated> {
    let shared = database.as_ref().is_some_and(|d| d.is_postgres());
    let secrets = settings.secrets();
    let (keys, source) = data_keys(secrets, shared, || {
        crate::store::Store::open_at(&paths.database(), database.as_ref())?.sealed_with()
    })?;
    let make = !shared && source != KeySource::Found(Backend::Env);
    let ring = if make {
        let ring = keys.rotated()?;
        // Stored before any row is sealed with it: a failure later leaves every key listed.
        secrets.set(DATA_KEY_SECRET, &ring.to_secret())?;
        ring
    } else {
        keys
    };
    let store = match &database {
        Some(db) => {
            crate::store::Store::open_url_sealed(&db.url, db.password.as_ref(), ring.clone())?
        }
        None => crate::store::Store::open_sealed(&paths.database(), ring.clone())?,
    };
    let resealed = store.reseal()?;
    let retired: Vec<String> = ring.ids().into_iter().skip(1).collect();
    if make {
        secrets.set(DATA_KEY_SECRET, &ring.current_only().to_secret())?;
    }
    Ok(Rotated {
        database: store.describe(),
        key: resealed.key.unwrap_or_default(),
        made: make,
        retired,
        rows: resealed.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_text(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    #[test]
    fn seals_and_opens_and_never_shows_the_value() {
        let keys = DataKeys::parse(&key_text(7), "test").unwrap();
        let sealed = keys.seal("traveller.document", "X1234567").unwrap();
        assert!(
            sealed.starts_with(&keys.current_prefix().unwrap()),
            "{sealed}"
        );
        assert!(!sealed.contains("X1234567"));
        assert_ne!(sealed, keys.seal("traveller.document", "X1234567").unwrap());
        assert_eq!(
            keys.open("traveller.document", &sealed).unwrap(),
            "X1234567"
        );
        assert_eq!(keys.open("traveller.document", "plain").unwrap(), "plain");
        // Another column's label does not open it.
        let err = keys.open("traveller.given_name", &sealed).unwrap_err();
        assert!(err.to_string().contains("does not open"), "{err}");
        assert!(!format!("{keys:?}").contains(&key_text(7)));
    }

    #[test]
    fn an_unknown_or_missing_key_is_a_clear_error() {
        let old = DataKeys::parse(&key_text(1), "test").unwrap();
        let sealed = old
            .seal("booking.contact_email", "ada@example.com")
            .unwrap();
        let other = DataKeys::parse(&key_text(2), "test").unwrap();
        let err = other.open("booking.contact_email", &sealed).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Internal);
        assert!(
            err.to_string().contains(old.current_id().unwrap())
                && err.to_string().contains("not among"),
            "{err}"
        );
        let err = DataKeys::none()
            .open("booking.contact_email", &sealed)
            .unwrap_err();
        assert!(err.to_string().contains("no data key"), "{err}");
        // One character of the ciphertext changed (not the last, whose low bits base64 may
        // not use): the tag no longer matches.
        let at = sealed.len() - 10;
        let was = sealed.as_bytes()[at];
        let mut tampered = sealed.clone();
        tampered.replace_range(at..=at, if was == b'A' { "B" } else { "A" });
        let err = old.open("booking.contact_email", &tampered).unwrap_err();
        assert!(err.to_string().contains("does not open"), "{err}");
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_reseals_them() {
        let old = DataKeys::parse(&key_text(1), "test").unwrap();
        let sealed = old.seal("l", "Ada").unwrap();
        let new = old.rotated().unwrap();
        assert_eq!(new.ids()[1], old.ids()[0]);
        assert_eq!(new.open("l", &sealed).unwrap(), "Ada");
        let again = new.reseal("l", &sealed).unwrap().unwrap();
        assert!(again.starts_with(&new.current_prefix().unwrap()));
        assert_eq!(new.reseal("l", &again).unwrap(), None);
        assert_eq!(new.current_only().open("l", &again).unwrap(), "Ada");
        // A plain value is sealed too.
        assert!(new.reseal("l", "Ada").unwrap().is_some());
        let text = new.to_secret();
        let back = DataKeys::parse(text.expose(), "test").unwrap();
        assert_eq!(back.ids(), new.ids());
    }

    #[test]
    fn bad_key_text_is_refused_without_showing_it() {
        for bad in ["", "not base64!", &STANDARD.encode([1u8; 16])] {
            let err = DataKeys::parse(bad, "BOOKSYGO_DATA_KEY").unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(err.to_string().contains("BOOKSYGO_DATA_KEY"), "{err}");
        }
    }

    #[test]
    fn a_shared_database_needs_a_key_and_a_file_gets_one() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = crate::secrets::SecretStore::file_only(dir.path());
        // A key set in the environment would be found first: nothing to check then.
        if std::env::var_os("BOOKSYGO_DATA_KEY").is_some() {
            return;
        }
        let none = || Ok(None);
        let err = data_keys(&secrets, true, none).unwrap_err();
        assert!(err.to_string().contains("BOOKSYGO_DATA_KEY"), "{err}");
        // A database sealed with a key found nowhere here gets no second key.
        let err = data_keys(&secrets, false, || Ok(Some("1a2b3c4d".into()))).unwrap_err();
        assert!(
            err.to_string().contains("sealed with data key 1a2b3c4d"),
            "{err}"
        );
        assert!(!secrets.file_path().exists(), "no key was made");
        let (made, source) = data_keys(&secrets, false, none).unwrap();
        assert_eq!(source, KeySource::Made(Backend::File));
        let (found, source) = data_keys(&secrets, false, none).unwrap();
        assert_eq!(source, KeySource::Found(Backend::File));
        assert_eq!(found.ids(), made.ids());
    }
}
