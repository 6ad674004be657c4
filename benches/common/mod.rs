//! Helpers shared by the bench binaries.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The release `minyi` binary (the bench profile builds into target/release), built if missing.
pub fn minyi_bin() -> PathBuf {
    let p = root().join("target/release/minyi");
    if !p.exists() {
        let st = Command::new(env!("CARGO"))
            .args(["build", "--release", "--bin", "minyi"])
            .status()
            .expect("cargo build");
        assert!(st.success());
    }
    p
}
