//! Helpers shared by the bench binaries.
//! Each bench binary uses part of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The `minyi` binary measured: `MINYI_BIN`, else the release build (built if missing).
pub fn minyi_bin() -> PathBuf {
    // MINYI_BIN names another build to measure (ratios between two runs of one binary hold
    // for any profile); else the release build in Cargo's target directory.
    if let Some(bin) = std::env::var_os("MINYI_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let p = target.join("release/minyi");
    if !p.exists() {
        let st = Command::new(env!("CARGO"))
            .args(["build", "--release", "--bin", "minyi"])
            .status()
            .expect("cargo build");
        assert!(st.success());
    }
    p
}

/// Deterministic xorshift generator (the corpus must be the same on every run).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
