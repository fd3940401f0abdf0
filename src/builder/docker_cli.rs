//! The docker CLI's configuration directory and file, found as the CLI finds
//! them, so that `matrix` can answer what `docker` would without running it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `$DOCKER_CONFIG`, else `~/.docker` (`config.Dir()`); `var` gives the
/// environment `docker` would see (unset and empty are alike).
pub fn config_dir(var: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    var("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".docker")))
}

/// What `config.json` of a config directory holds, for callers that must
/// leave anything unusual to the docker CLI itself.
pub enum ConfigFile {
    /// No file: the CLI's defaults apply.
    Missing,
    /// The parsed file.
    Parsed(serde_json::Value),
    /// Unreadable or not JSON.
    Unusable,
}

pub fn read_config(dir: &Path) -> ConfigFile {
    match std::fs::read(dir.join("config.json")) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_or(ConfigFile::Unusable, ConfigFile::Parsed)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::Missing,
        Err(_) => ConfigFile::Unusable,
    }
}
