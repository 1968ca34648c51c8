//! Helpers shared by the end-to-end tests that run the `changetalk` binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary, with its folders pointed away from the real user's (override per test with
/// another `CHANGETALK_HOME`).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_changetalk"));
    c.env(
        "CHANGETALK_HOME",
        std::env::temp_dir().join("changetalk-tests-home"),
    );
    c
}

/// Runs a prepared command and fails the test if the binary panicked.
pub fn checked(c: &mut Command) -> Output {
    let out = c.output().expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "the CLI panicked: {stderr}");
    out
}

/// Runs `changetalk ARGS`.
pub fn run(args: &[&str]) -> Output {
    checked(bin().args(args))
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
