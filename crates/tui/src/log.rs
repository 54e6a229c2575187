//! The app's log: a file, never the screen (the screen belongs to the app).

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static FILE: OnceLock<Mutex<std::fs::File>> = OnceLock::new();

/// Appends to `path` from now on; without it (or if it cannot be opened) nothing is logged.
pub fn to_file(path: &std::path::Path) {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    // The data folder's files are its owner's only (see `booksygo_core::files`).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Ok(f) = options.open(path) {
        let _ = FILE.set(Mutex::new(f));
    }
}

/// One line, stamped. Callers never pass secrets (commands are logged by name only).
pub fn line(text: &str) {
    if let Some(f) = FILE.get()
        && let Ok(mut f) = f.lock()
    {
        let _ = writeln!(f, "{} {text}", jiff::Timestamp::now());
    }
}
