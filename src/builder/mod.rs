//! Builders: one buildx builder per identity (`actor/repo/branch`), created
//! idempotently from a [`BuilderConfig`], tracked in a small state directory,
//! and locked so that one build at a time runs on each.
//!
//! - [`identity`]: who is building → a buildx-safe, collision-free builder name;
//! - [`config`]: driver and buildkitd settings → `buildkitd.toml` text and a
//!   config hash that decides recreation;
//! - [`lifecycle`]: `ensure`, `list`, `inspect`, `remove`, `prune` over the
//!   `docker buildx` CLI;
//! - [`lock`]: the per-builder exclusive file lock held for a build.
//!
//! State lives in `$MATRIX_STATE_DIR`, else `$XDG_STATE_HOME/bake-matrix`, else
//! `~/.local/state/bake-matrix`: `builders/NAME.json` (driver, config hash,
//! created and last-used times), `builders/NAME.buildkitd.toml`,
//! `locks/NAME.lock` and `identity/HASH.json` (the git identity of a working
//! directory, kept while the files git reads it from are unchanged, so that a
//! build runs no `git`; see [`identity::git_key`]).
//!
//! ## The `docker` driver
//!
//! buildx refuses to create `docker`-driver builders ("additional instances of
//! driver docker cannot be created"): there is exactly one per docker context,
//! named after the context. For that driver [`ensure`] therefore creates
//! nothing: it records our builder (our name, our lock, our state) and points
//! it at the current context's builder ([`Builder::buildx_name`], e.g.
//! `default`), which `matrix build` passes to `--builder`. Two identities on one
//! engine thus share one BuildKit (and its cache) but each has its own lock.
//! buildkitd settings do not apply to that driver (dockerd's `daemon.json`
//! configures its GC and entitlements); `rm` and `prune` only forget our record.
//! We do not create docker contexts: that would change the user's docker CLI
//! configuration as a side effect.
//!
//! ## Crates added for this module
//!
//! - `duct`: runs `git` and `docker buildx` with captured output, inherited
//!   environment (`DOCKER_CONFIG`, `DOCKER_HOST`) and checked exit status,
//!   without hand-written pipe plumbing (one of the project's core crates).
//! - `fs4`: portable exclusive file locks (`flock` on Unix) whose release on
//!   process death, even `kill -9`, is done by the kernel; no hand-rolled FFI.
//! - `humantime`: parses `--idle 7d` / `12h` / `30m` and prints idle times.
//! - `sha2` (already a dependency): name suffixes and config hashes.

pub mod cli;
pub mod config;
pub mod docker_cli;
pub mod identity;
pub mod lifecycle;
pub mod lock;

pub use config::{BuilderConfig, Driver, GcKeep, GcPolicy};
pub use identity::{Identity, builder_name, resolve as resolve_name, validate_name};
pub use lifecycle::{Action, Builder, BuilderInfo, Builders, Inspection, PruneOutcome, State};
pub use lock::{LockGuard, Wait};

use std::fmt;
use std::path::PathBuf;

/// Errors from builder management.
#[derive(Debug)]
pub enum Error {
    /// The builder's lock is held by another process (`Wait::NoWait`).
    Locked {
        /// Our builder name.
        name: String,
        /// What the holder wrote into the lock file (`pid N, started …`).
        holder: String,
    },
    /// No builder of that name is known to us.
    NotFound(String),
    /// An invalid name, identity or config value.
    Invalid(String),
    /// An external command (`docker`, `git`) failed.
    Command {
        /// The command line.
        command: String,
        /// Its exit status and standard error.
        detail: String,
    },
    /// A file system error, with the path involved.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Locked { name, holder } => write!(
                f,
                "builder {name} is busy: another build holds it ({holder}); \
                 wait for it or drop --no-wait"
            ),
            Error::NotFound(name) => write!(f, "no builder named {name} (see `matrix builder ls`)"),
            Error::Invalid(msg) => f.write_str(msg),
            Error::Command { command, detail } => write!(f, "`{command}` failed: {detail}"),
            Error::Io(path, err) => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Result of builder operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The state directory: `$MATRIX_STATE_DIR`, else `$XDG_STATE_HOME/bake-matrix`,
/// else `$HOME/.local/state/bake-matrix`.
pub fn state_dir() -> Result<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = var("MATRIX_STATE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return Ok(PathBuf::from(dir).join("bake-matrix"));
    }
    match var("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/state/bake-matrix")),
        None => Err(Error::Invalid(
            "cannot find a state directory: set MATRIX_STATE_DIR, XDG_STATE_HOME or HOME".into(),
        )),
    }
}

/// Ensure builder `name` exists with `config` (see [`Builders::ensure`]), in
/// the default state directory and environment.
pub fn ensure(name: &str, config: &BuilderConfig) -> Result<Builder> {
    Builders::from_env()?.ensure(name, config)
}

/// Take builder `name`'s lock (see [`Builders::lock`]) in the default state directory.
pub fn lock(name: &str, mode: Wait, on_wait: impl Fn(&str)) -> Result<LockGuard> {
    Builders::from_env()?.lock(name, mode, on_wait)
}

/// Parse an idle duration such as `7d`, `12h`, `30m` or `1h 30m`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration> {
    humantime::parse_duration(text.trim())
        .map_err(|e| Error::Invalid(format!("invalid duration {text:?}: {e} (try 7d, 12h, 30m)")))
}

/// sha256 of `data` as lowercase hex.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
