//! Fingerprints the embedded fixtures so a changed market reloads the local database.

use std::hash::Hasher;

fn main() {
    // Read when the script runs, not baked in when it is compiled: a build script binary can
    // be reused by another checkout sharing the target directory.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = std::path::Path::new(&manifest).join("../../fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ next to the workspace root")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let mut h = Fnv(0xcbf29ce484222325);
    for path in names {
        println!("cargo:rerun-if-changed={}", path.display());
        h.write(path.file_name().unwrap().as_encoded_bytes());
        h.write(&std::fs::read(&path).expect("readable fixture"));
    }
    println!("cargo:rustc-env=BOOKSYGO_FIXTURE_HASH={:016x}", h.finish());
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}
