//! Shared by the test binaries that run against the engine of `scripts/engine`
//! (tests/build.rs, tests/builder.rs, tests/example_build.rs): reading its
//! environment, and the rule for a missing engine (a failure under `CI=true`,
//! a warning and a skipped test elsewhere).
#![allow(dead_code)] // each test binary uses a part

use std::path::Path;
use std::process::{Command, Stdio};

/// The repository (the crate's manifest directory).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `export NAME=VALUE` lines `scripts/engine env` prints, as pairs
/// (quotes around the value removed).
pub fn parse_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches(['\'', '"']).to_string()))
        .collect()
}

/// `scripts/engine env`, parsed; None when it fails.
pub fn engine_env_vars() -> Option<Vec<(String, String)>> {
    let out = Command::new(repo().join("scripts/engine"))
        .arg("env")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| parse_env(&String::from_utf8_lossy(&out.stdout)))
}

/// Reports a missing engine for `what`: panics under `CI=true`, otherwise
/// prints a warning; returns None so the caller can skip its test.
pub fn engine_missing<T>(what: &str, msg: &str) -> Option<T> {
    let msg = format!("{what}: {msg}");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("WARNING: NOT RUN: {msg}");
    None
}

/// The engine's environment (`scripts/engine env`) when `scripts/engine
/// status` says it is up; otherwise [`engine_missing`].
pub fn engine_env(what: &str) -> Option<Vec<(String, String)>> {
    let up = Command::new(repo().join("scripts/engine"))
        .arg("status")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    match engine_env_vars() {
        Some(env) if up => Some(env),
        _ => engine_missing(
            what,
            "the engine is not running: run scripts/engine up (scripts/test does)",
        ),
    }
}
