//! Builder configuration → `buildkitd.toml`, buildx flags and a config hash.

use super::{Error, Result, sha256_hex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

/// The buildx driver of a builder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "driver", rename_all = "kebab-case")]
pub enum Driver {
    /// BuildKit in a container (`moby/buildkit`) on the engine: the CI default.
    DockerContainer,
    /// The engine's built-in BuildKit through the current docker context: the
    /// local default (see the module docs on how it is named).
    Docker,
    /// A BuildKit daemon reachable at `endpoint` (`tcp://…`, `unix://…`).
    Remote {
        /// Where buildkitd listens.
        endpoint: String,
    },
}

impl Driver {
    /// The buildx driver name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Driver::DockerContainer => "docker-container",
            Driver::Docker => "docker",
            Driver::Remote { .. } => "remote",
        }
    }

    /// Parse `docker-container`, `docker` or `remote` (with `endpoint`).
    pub fn parse(name: &str, endpoint: Option<&str>) -> Result<Driver> {
        match (name, endpoint) {
            ("docker-container", _) => Ok(Driver::DockerContainer),
            ("docker", _) => Ok(Driver::Docker),
            ("remote", Some(ep)) if !ep.is_empty() => Ok(Driver::Remote {
                endpoint: ep.to_string(),
            }),
            ("remote", _) => Err(Error::Invalid("the remote driver needs an endpoint".into())),
            (other, _) => Err(Error::Invalid(format!(
                "unknown driver {other:?}: use docker-container, docker or remote"
            ))),
        }
    }
}

/// How much of one kind of build cache BuildKit's GC keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcKeep {
    /// Keep at most this many bytes (`keepBytes`); 0 = no size rule.
    pub keep_bytes: u64,
    /// Drop records unused for longer than this (`keepDuration`).
    pub keep_duration: Option<Duration>,
}

/// GC policy split between cache mounts (`RUN --mount=type=cache`, i.e. the
/// `exec.cachemount` records holding cargo target dirs and registries) and
/// everything else (layers, contexts, git checkouts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcPolicy {
    /// `type==exec.cachemount` records.
    pub cache_mounts: GcKeep,
    /// All other records (`type!=exec.cachemount`).
    pub other: GcKeep,
}

impl Default for GcPolicy {
    fn default() -> Self {
        const GB: u64 = 1 << 30;
        GcPolicy {
            cache_mounts: GcKeep {
                keep_bytes: 20 * GB,
                keep_duration: Some(Duration::from_secs(14 * 86400)),
            },
            other: GcKeep {
                keep_bytes: 10 * GB,
                keep_duration: Some(Duration::from_secs(7 * 86400)),
            },
        }
    }
}

/// A builder's configuration. Every field takes part in [`BuilderConfig::hash`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderConfig {
    /// The driver.
    pub driver: Driver,
    /// `--driver-opt KEY=VALUE` (e.g. `network=host`, `image=…`), sorted.
    pub driver_opts: BTreeMap<String, String>,
    /// BuildKit's GC policy.
    pub gc: GcPolicy,
    /// Entitlements buildkitd allows (`network.host`, `security.insecure`),
    /// passed as `--allow-insecure-entitlement`.
    pub insecure_entitlements: BTreeSet<String>,
    /// Registries spoken to over plain HTTP (`127.0.0.1:5000`).
    pub http_registries: BTreeSet<String>,
}

/// The entitlements BuildKit knows.
pub const ENTITLEMENTS: [&str; 2] = ["network.host", "security.insecure"];

impl BuilderConfig {
    /// The defaults for a driver: our GC split, no entitlements, no registries.
    pub fn new(driver: Driver) -> Self {
        BuilderConfig {
            driver,
            driver_opts: BTreeMap::new(),
            gc: GcPolicy::default(),
            insecure_entitlements: BTreeSet::new(),
            http_registries: BTreeSet::new(),
        }
    }

    /// The default driver for the environment: `docker-container` under CI
    /// (`CI` or `GITHUB_ACTIONS` set to `true`), else `docker`.
    pub fn default_driver(env: impl Fn(&str) -> Option<String>) -> Driver {
        let on = |k: &str| env(k).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        if on("CI") || on("GITHUB_ACTIONS") {
            Driver::DockerContainer
        } else {
            Driver::Docker
        }
    }

    /// Allow an entitlement (`network.host` or `security.insecure`).
    pub fn allow(mut self, entitlement: &str) -> Result<Self> {
        if !ENTITLEMENTS.contains(&entitlement) {
            return Err(Error::Invalid(format!(
                "unknown entitlement {entitlement:?}: use network.host or security.insecure"
            )));
        }
        self.insecure_entitlements.insert(entitlement.to_string());
        Ok(self)
    }

    /// Speak plain HTTP to a registry (`HOST[:PORT]`).
    pub fn http_registry(mut self, host: &str) -> Result<Self> {
        let ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c));
        if !ok {
            return Err(Error::Invalid(format!("invalid registry host {host:?}")));
        }
        self.http_registries.insert(host.to_string());
        Ok(self)
    }

    /// The `buildkitd.toml` text. Deterministic: same config, same bytes.
    pub fn buildkitd_toml(&self) -> String {
        let mut t = String::from("# Generated by matrix (bake-matrix); do not edit.\n");
        t.push_str("[worker.oci]\n  gc = true\n");
        let rules = [
            (
                "exec.cachemount",
                "type==exec.cachemount",
                &self.gc.cache_mounts,
            ),
            ("everything else", "type!=exec.cachemount", &self.gc.other),
        ];
        for (what, filter, keep) in rules {
            let _ = writeln!(t, "\n  # {what}\n  [[worker.oci.gcpolicy]]");
            let _ = writeln!(t, "    filters = [{}]", quote(filter));
            if keep.keep_bytes > 0 {
                let _ = writeln!(t, "    keepBytes = {}", keep.keep_bytes);
            }
            if let Some(d) = keep.keep_duration {
                let _ = writeln!(t, "    keepDuration = {}", quote(&go_duration(d)));
            }
        }
        for host in &self.http_registries {
            let _ = write!(
                t,
                "\n[registry.{}]\n  http = true\n  insecure = true\n",
                quote(host)
            );
        }
        t
    }

    /// `--buildkitd-flags` value (empty when there is nothing to pass).
    pub fn buildkitd_flags(&self) -> String {
        self.insecure_entitlements
            .iter()
            .map(|e| format!("--allow-insecure-entitlement {e}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// sha256 (hex) of the normalized config: the driver, endpoint, driver
    /// options, buildkitd flags and `buildkitd.toml`, in a fixed order. A
    /// changed hash means the builder must be recreated.
    pub fn hash(&self) -> String {
        let mut norm = format!("driver={}\n", self.driver.as_str());
        if let Driver::Remote { endpoint } = &self.driver {
            let _ = writeln!(norm, "endpoint={endpoint}");
        }
        for (k, v) in &self.driver_opts {
            let _ = writeln!(norm, "driver-opt={k}={v}");
        }
        let _ = writeln!(norm, "buildkitd-flags={}", self.buildkitd_flags());
        norm.push_str(&self.buildkitd_toml());
        sha256_hex(norm.as_bytes())
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Go `time.ParseDuration` string in whole hours, minutes or seconds.
fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s > 0 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s > 0 && s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BuilderConfig {
        BuilderConfig::new(Driver::DockerContainer)
            .allow("security.insecure")
            .unwrap()
            .allow("network.host")
            .unwrap()
            .http_registry("127.0.0.1:5000")
            .unwrap()
    }

    #[test]
    fn buildkitd_toml_text() {
        let toml = sample().buildkitd_toml();
        let expected = r#"# Generated by matrix (bake-matrix); do not edit.
[worker.oci]
  gc = true

  # exec.cachemount
  [[worker.oci.gcpolicy]]
    filters = ["type==exec.cachemount"]
    keepBytes = 21474836480
    keepDuration = "336h"

  # everything else
  [[worker.oci.gcpolicy]]
    filters = ["type!=exec.cachemount"]
    keepBytes = 10737418240
    keepDuration = "168h"

[registry."127.0.0.1:5000"]
  http = true
  insecure = true
"#;
        assert_eq!(toml, expected);
        assert_eq!(
            sample().buildkitd_flags(),
            "--allow-insecure-entitlement network.host --allow-insecure-entitlement security.insecure"
        );
    }

    #[test]
    fn hash_is_deterministic_and_order_free() {
        let a = sample();
        let b = BuilderConfig::new(Driver::DockerContainer)
            .http_registry("127.0.0.1:5000")
            .unwrap()
            .allow("network.host")
            .unwrap()
            .allow("security.insecure")
            .unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.hash().len(), 64);
        let mut c = a.clone();
        c.gc.cache_mounts.keep_bytes += 1;
        assert_ne!(a.hash(), c.hash());
        let mut d = a.clone();
        d.driver = Driver::Remote {
            endpoint: "tcp://h:1234".into(),
        };
        let mut e = d.clone();
        e.driver = Driver::Remote {
            endpoint: "tcp://h:1235".into(),
        };
        assert_ne!(a.hash(), d.hash());
        assert_ne!(d.hash(), e.hash());
        let mut f = a.clone();
        f.driver_opts.insert("network".into(), "host".into());
        assert_ne!(a.hash(), f.hash());
    }

    #[test]
    fn validation_and_defaults() {
        assert!(BuilderConfig::new(Driver::Docker).allow("device").is_err());
        assert!(
            BuilderConfig::new(Driver::Docker)
                .http_registry("a b")
                .is_err()
        );
        assert!(Driver::parse("remote", None).is_err());
        assert_eq!(
            Driver::parse("remote", Some("tcp://x:1")).unwrap().as_str(),
            "remote"
        );
        assert!(Driver::parse("kubernetes", None).is_err());
        let ci = |k: &str| (k == "CI").then(|| "true".to_string());
        assert_eq!(BuilderConfig::default_driver(ci), Driver::DockerContainer);
        assert_eq!(BuilderConfig::default_driver(|_| None), Driver::Docker);
        assert_eq!(go_duration(Duration::from_secs(90)), "90s");
        assert_eq!(go_duration(Duration::from_secs(1800)), "30m");
    }
}
