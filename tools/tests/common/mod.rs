//! Helpers shared by the command-line tests: running the binary and finding
//! the fixtures.

// Each test binary uses some of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `gotrace` with `args`.
pub fn gotrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gotrace"))
        .args(args)
        .output()
        .expect("run gotrace")
}

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The path of fixture trace `name` (without `.trace`).
pub fn trace(name: &str) -> String {
    fixtures()
        .join("traces")
        .join(format!("{name}.trace"))
        .to_string_lossy()
        .into_owned()
}

/// A run's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
