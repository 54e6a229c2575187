//! Prefixed identifiers (`usr_`, `bkg_`, `pkg_`, `off_`, `evt_`, `pay_`, ...) and booking
//! confirmation codes.

use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new unique id: prefix, then 16 hex digits mixed from time, process and a counter.
pub fn new(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let h = crate::geo::hash(&[nanos, u64::from(std::process::id()), n]);
    format!("{prefix}_{h:016x}")
}

/// Letters and digits that cannot be misread: no 0/O, 1/I/L, 5/S, 8/B, 2/Z.
pub const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";

/// A 6-character code from the unambiguous alphabet, derived from a seed.
pub fn code(seed: u64) -> String {
    let mut h = crate::geo::mix(seed);
    (0..6)
        .map(|_| {
            let c = CODE_ALPHABET[(h % CODE_ALPHABET.len() as u64) as usize] as char;
            h /= CODE_ALPHABET.len() as u64;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_and_unique() {
        let a = new("bkg");
        let b = new("bkg");
        assert!(a.starts_with("bkg_") && a.len() == 20);
        assert_ne!(a, b);
    }

    #[test]
    fn codes_avoid_ambiguous_characters() {
        for seed in 0..2000 {
            let c = code(seed);
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
            assert!(!c.contains(['0', 'O', '1', 'I', 'L', '5', 'S', '8', 'B']));
        }
    }
}
