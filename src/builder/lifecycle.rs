//! Builder lifecycle over the `docker buildx` CLI, with our own records in the
//! state directory.
//!
//! `docker` runs with the caller's environment (`DOCKER_CONFIG`, `DOCKER_HOST`,
//! `DOCKER_CONTEXT`), plus any overrides given to [`Builders::docker_env`].

use super::config::{BuilderConfig, Driver};
use super::docker_cli::{self, ConfigFile};
use super::identity::validate_name;
use super::lock::{self, LockGuard, Wait};
use super::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Our record of a builder: `<state>/builders/NAME.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Our builder name (lock and state key).
    pub name: String,
    /// The buildx builder to pass to `--builder` (the name itself, or the
    /// docker context's builder for the `docker` driver).
    pub buildx_name: String,
    /// [`BuilderConfig::hash`] of the config it was created with.
    pub config_hash: String,
    /// That config.
    pub config: BuilderConfig,
    /// Creation time, seconds since the Unix epoch.
    pub created: u64,
    /// Last [`Builders::ensure`] or [`Builders::touch`], seconds since the epoch.
    pub last_used: u64,
}

/// What [`Builders::ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The builder did not exist and was created.
    Created,
    /// It existed with another config (or unknown to us) and was recreated.
    Recreated,
    /// It existed with this config: nothing done but recording the use.
    Unchanged,
    /// `docker` driver: the context's builder was adopted (nothing created).
    Adopted,
}

/// A ready builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    /// Our name.
    pub name: String,
    /// What to pass to `docker buildx … --builder`.
    pub buildx_name: String,
    /// Its driver.
    pub driver: Driver,
    /// What ensure did.
    pub action: Action,
}

/// One line of `matrix builder ls`.
#[derive(Debug, Clone, Serialize)]
pub struct BuilderInfo {
    /// Our name.
    pub name: String,
    /// The buildx builder used.
    pub buildx_name: String,
    /// `docker-container`, `docker` or `remote`.
    pub driver: String,
    /// The remote driver's endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Full config hash.
    pub config_hash: String,
    /// Last use, RFC 3339.
    pub last_used: String,
    /// Seconds since last use.
    pub idle_seconds: u64,
    /// Whether a build holds its lock now.
    pub locked: bool,
    /// Whether buildx knows the builder (`None`: buildx could not be asked).
    pub present: Option<bool>,
}

/// What `matrix builder inspect` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// Our record.
    pub state: State,
    /// The generated `buildkitd.toml`.
    pub buildkitd_toml: String,
    /// The lock holder, when locked.
    pub locked_by: Option<String>,
    /// `docker buildx inspect` output, or why it failed.
    pub buildx: std::result::Result<String, String>,
}

/// What prune did with one builder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PruneOutcome {
    /// Idle longer than the threshold: removed.
    Removed,
    /// The current identity's builder: kept.
    KeptCurrent,
    /// A build holds it: kept.
    KeptLocked,
    /// Used recently: kept.
    KeptRecent,
}

/// Builder management rooted at one state directory.
#[derive(Debug, Clone)]
pub struct Builders {
    state: PathBuf,
    docker: OsString,
    env: Vec<(OsString, OsString)>,
}

/// How long a builder checked by `ensure` is trusted without checking again.
const RECHECK_SECS: u64 = 600;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// RFC 3339 (UTC, seconds) of an epoch time.
pub fn format_time(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

impl Builders {
    /// The default state directory ([`super::state_dir`]) and `docker` from `PATH`.
    pub fn from_env() -> Result<Self> {
        Ok(Self::new(super::state_dir()?))
    }

    /// Use `state_dir` for records and locks.
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Builders {
            state: state_dir.into(),
            docker: "docker".into(),
            env: Vec::new(),
        }
    }

    /// Set an environment variable for every `docker` command.
    pub fn docker_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state
    }

    fn record_path(&self, name: &str) -> PathBuf {
        self.state.join("builders").join(format!("{name}.json"))
    }

    /// Where the generated `buildkitd.toml` of `name` is kept.
    pub fn toml_path(&self, name: &str) -> PathBuf {
        self.state
            .join("builders")
            .join(format!("{name}.buildkitd.toml"))
    }

    /// The lock file of `name`.
    pub fn lock_path(&self, name: &str) -> PathBuf {
        self.state.join("locks").join(format!("{name}.lock"))
    }

    /// Take builder `name`'s lock: held until the guard drops. With
    /// [`Wait::Wait`] and the lock busy, `on_wait` is called once with
    /// "waiting for builder NAME: another build holds it (pid N, started …)".
    pub fn lock(&self, name: &str, mode: Wait, on_wait: impl Fn(&str)) -> Result<LockGuard> {
        validate_name(name)?;
        lock::acquire(&self.lock_path(name), name, mode, on_wait)
    }

    /// Whether a build holds `name`'s lock now.
    pub fn is_locked(&self, name: &str) -> Result<bool> {
        lock::is_locked(&self.lock_path(name))
    }

    fn docker(&self, args: &[&str]) -> duct::Expression {
        let mut e = duct::cmd(&self.docker, args);
        for (k, v) in &self.env {
            e = e.env(k, v);
        }
        e
    }

    /// Run `docker ARGS`, returning stdout, or the exit status and stderr.
    fn run(&self, args: &[&str]) -> Result<std::result::Result<String, String>> {
        let out = self
            .docker(args)
            .stdout_capture()
            .stderr_capture()
            .stdin_null()
            .unchecked()
            .run()
            .map_err(|e| Error::Command {
                command: format!("docker {}", args.join(" ")),
                detail: e.to_string(),
            })?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(Ok(stdout))
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
            Ok(Err(format!("{}: {stderr}", out.status)))
        }
    }

    fn run_checked(&self, args: &[&str]) -> Result<String> {
        self.run(args)?.map_err(|detail| Error::Command {
            command: format!("docker {}", args.join(" ")),
            detail,
        })
    }

    /// A variable of `docker`'s environment: our overrides, else ours.
    fn docker_var(&self, key: &str) -> Option<OsString> {
        match self.env.iter().rev().find(|(k, _)| k == key) {
            Some((_, v)) => Some(v.clone()),
            None => std::env::var_os(key),
        }
        .filter(|v| !v.is_empty())
    }

    /// The current docker context's name, as `docker context show` prints it,
    /// found as the docker CLI finds it (`resolveContextName`) without running
    /// it (~40 ms): `default` when `DOCKER_HOST` is set, else `DOCKER_CONTEXT`,
    /// else `currentContext` of `$DOCKER_CONFIG/config.json` (default
    /// `~/.docker`), else `default`. A config file that cannot be read or
    /// parsed is left to `docker context show`.
    pub fn current_context(&self) -> Result<String> {
        if self.docker_var("DOCKER_HOST").is_some() {
            return Ok("default".into());
        }
        if let Some(name) = self.docker_var("DOCKER_CONTEXT") {
            return Ok(name.to_string_lossy().into_owned());
        }
        let from_file = match docker_cli::config_dir(&|k| self.docker_var(k))
            .map(|dir| docker_cli::read_config(&dir))
        {
            None | Some(ConfigFile::Unusable) => None,
            Some(ConfigFile::Missing) => Some(String::new()),
            Some(ConfigFile::Parsed(v)) => match v.get("currentContext") {
                None | Some(serde_json::Value::Null) => Some(String::new()),
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(_) => None,
            },
        };
        let context = match from_file {
            Some(name) => name,
            None => self.run_checked(&["context", "show"])?.trim().to_string(),
        };
        Ok(if context.is_empty() {
            "default".to_string()
        } else {
            context
        })
    }

    /// `docker buildx inspect NAME`: `Some(text)`, `None` when buildx has no
    /// such builder, an error otherwise.
    fn buildx_inspect(&self, name: &str) -> Result<Option<String>> {
        match self.run(&["buildx", "inspect", name])? {
            Ok(text) => Ok(Some(text)),
            Err(detail) if detail.contains("no builder") && detail.contains("found") => Ok(None),
            Err(detail) => Err(Error::Command {
                command: format!("docker buildx inspect {name}"),
                detail,
            }),
        }
    }

    fn buildx_rm(&self, name: &str, keep_state: bool) -> Result<()> {
        let mut args = vec!["buildx", "rm"];
        if keep_state {
            args.push("--keep-state");
        }
        args.push(name);
        match self.run(&args)? {
            Ok(_) => Ok(()),
            Err(detail) if detail.contains("no builder") => Ok(()),
            Err(detail) => Err(Error::Command {
                command: format!("docker {}", args.join(" ")),
                detail,
            }),
        }
    }

    fn buildx_create(&self, name: &str, config: &BuilderConfig) -> Result<()> {
        let toml_path = self.toml_path(name);
        write_file(&toml_path, config.buildkitd_toml().as_bytes())?;
        let toml = toml_path.to_string_lossy().into_owned();
        let flags = config.buildkitd_flags();
        let opts: Vec<String> = config
            .driver_opts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut args = vec![
            "buildx",
            "create",
            "--name",
            name,
            "--driver",
            config.driver.as_str(),
        ];
        // No --bootstrap: booting a docker-container builder pulls moby/buildkit;
        // buildx boots it on first use.
        for opt in &opts {
            args.extend(["--driver-opt", opt]);
        }
        match &config.driver {
            Driver::Remote { endpoint } => args.push(endpoint),
            _ => {
                args.extend(["--buildkitd-config", &toml]);
                if !flags.is_empty() {
                    args.extend(["--buildkitd-flags", &flags]);
                }
            }
        }
        self.run_checked(&args).map(drop)
    }

    /// Our record of `name`, if any.
    pub fn load(&self, name: &str) -> Result<Option<State>> {
        let path = self.record_path(name);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::Invalid(format!("{}: corrupt builder record: {e}", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Io(path, e)),
        }
    }

    fn save(&self, state: &State) -> Result<()> {
        let text = serde_json::to_string_pretty(state).expect("state serializes");
        write_file(&self.record_path(&state.name), (text + "\n").as_bytes())
    }

    /// Record a use of `name` now (for `prune --idle`).
    pub fn touch(&self, name: &str) -> Result<()> {
        let mut state = self
            .load(name)?
            .ok_or_else(|| Error::NotFound(name.into()))?;
        state.last_used = now();
        self.save(&state)
    }

    /// Make builder `name` exist with `config`, idempotently: `docker buildx
    /// inspect` first; create only when missing; recreate (keeping BuildKit's
    /// state) only when our recorded config hash differs or we have no record;
    /// record the use. For the `docker` driver, adopt the current context's
    /// builder instead (see the module docs). Call it with the builder's lock
    /// held so that two processes do not create one builder at once.
    pub fn ensure(&self, name: &str, config: &BuilderConfig) -> Result<Builder> {
        validate_name(name)?;
        let hash = config.hash();
        let old = self.load(name)?;
        let t = now();
        // `docker buildx inspect` costs ~150 ms, a tenth of a cached build:
        // trust a record with the same config that was used in the last
        // minutes (if the builder vanished since, buildx itself says so).
        let recent = old
            .as_ref()
            .is_some_and(|o| o.config_hash == hash && t.saturating_sub(o.last_used) < RECHECK_SECS);
        let (buildx_name, action) = if config.driver == Driver::Docker {
            let context = self.current_context()?;
            let known = recent && old.as_ref().is_some_and(|o| o.buildx_name == context);
            if !known && self.buildx_inspect(&context)?.is_none() {
                return Err(Error::Invalid(format!(
                    "docker context {context} has no buildx builder: is the engine reachable?"
                )));
            }
            // If this name used to be a builder of another driver, remove it.
            if let Some(old) = &old
                && old.config.driver != Driver::Docker
            {
                self.buildx_rm(&old.buildx_name, false)?;
            }
            let action = match &old {
                Some(o) if o.config_hash == hash && o.buildx_name == context => Action::Unchanged,
                _ => Action::Adopted,
            };
            (context, action)
        } else {
            let exists = recent || self.buildx_inspect(name)?.is_some();
            let same = old.as_ref().is_some_and(|o| o.config_hash == hash);
            let action = match (exists, same) {
                (true, true) => Action::Unchanged,
                (true, false) => {
                    self.buildx_rm(name, true)?;
                    self.buildx_create(name, config)?;
                    Action::Recreated
                }
                (false, _) => {
                    self.buildx_create(name, config)?;
                    Action::Created
                }
            };
            (name.to_string(), action)
        };
        let created = match (&old, action) {
            (Some(o), Action::Unchanged) => o.created,
            _ => t,
        };
        self.save(&State {
            name: name.into(),
            buildx_name: buildx_name.clone(),
            config_hash: hash,
            config: config.clone(),
            created,
            last_used: t,
        })?;
        Ok(Builder {
            name: name.into(),
            buildx_name,
            driver: config.driver.clone(),
            action,
        })
    }

    /// All our records, sorted by name.
    pub fn states(&self) -> Result<Vec<State>> {
        let dir = self.state.join("builders");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::Io(dir, e)),
        };
        let mut names = BTreeSet::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::Io(dir.clone(), e))?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(name) = file.strip_suffix(".json") {
                names.insert(name.to_string());
            }
        }
        let mut out = Vec::new();
        for name in names {
            if let Some(state) = self.load(&name)? {
                out.push(state);
            }
        }
        Ok(out)
    }

    /// Builder names buildx knows (`docker buildx ls --format json`), or
    /// `None` when buildx cannot be asked.
    fn buildx_names(&self) -> Option<BTreeSet<String>> {
        let text = self.run(&["buildx", "ls", "--format", "json"]).ok()?.ok()?;
        let mut names = BTreeSet::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            names.insert(value.get("Name")?.as_str()?.to_string());
        }
        Some(names)
    }

    /// Our builders with driver, config hash, last use, lock state and
    /// whether buildx knows them.
    pub fn list(&self) -> Result<Vec<BuilderInfo>> {
        let states = self.states()?;
        let known = if states.is_empty() {
            None
        } else {
            self.buildx_names()
        };
        let t = now();
        states
            .into_iter()
            .map(|s| {
                let endpoint = match &s.config.driver {
                    Driver::Remote { endpoint } => Some(endpoint.clone()),
                    _ => None,
                };
                Ok(BuilderInfo {
                    locked: self.is_locked(&s.name)?,
                    present: known.as_ref().map(|k| k.contains(&s.buildx_name)),
                    driver: s.config.driver.as_str().into(),
                    endpoint,
                    config_hash: s.config_hash,
                    last_used: format_time(s.last_used),
                    idle_seconds: t.saturating_sub(s.last_used),
                    buildx_name: s.buildx_name,
                    name: s.name,
                })
            })
            .collect()
    }

    /// Our record of `name`, its `buildkitd.toml`, its lock holder and what
    /// `docker buildx inspect` says.
    pub fn inspect(&self, name: &str) -> Result<Inspection> {
        let state = self
            .load(name)?
            .ok_or_else(|| Error::NotFound(name.into()))?;
        let locked_by = self
            .is_locked(name)?
            .then(|| lock::describe_holder(&self.lock_path(name)));
        let buildx = match self.run(&["buildx", "inspect", &state.buildx_name]) {
            Ok(r) => r,
            Err(e) => Err(e.to_string()),
        };
        Ok(Inspection {
            buildkitd_toml: state.config.buildkitd_toml(),
            state,
            locked_by,
            buildx,
        })
    }

    /// Remove builder `name` (fails if a build holds it): `docker buildx rm`
    /// (not for the `docker` driver, whose builder belongs to the context) and
    /// our record.
    pub fn remove(&self, name: &str) -> Result<()> {
        let state = self
            .load(name)?
            .ok_or_else(|| Error::NotFound(name.into()))?;
        let guard = self.lock(name, Wait::NoWait, |_| {})?;
        self.remove_locked(&state, &guard)
    }

    fn remove_locked(&self, state: &State, _held: &LockGuard) -> Result<()> {
        if state.config.driver != Driver::Docker {
            self.buildx_rm(&state.buildx_name, false)?;
        }
        for path in [self.record_path(&state.name), self.toml_path(&state.name)] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::Io(path, e)),
            }
        }
        Ok(())
    }

    /// Remove our builders unused for longer than `idle`, except `current`
    /// (the current identity's builder) and any a build holds. Returns every
    /// builder with what was done.
    pub fn prune(&self, idle: Duration, current: &str) -> Result<Vec<(String, PruneOutcome)>> {
        let t = now();
        let mut out = Vec::new();
        for state in self.states()? {
            let outcome = if state.name == current {
                PruneOutcome::KeptCurrent
            } else if t.saturating_sub(state.last_used) <= idle.as_secs() {
                PruneOutcome::KeptRecent
            } else {
                match self.lock(&state.name, Wait::NoWait, |_| {}) {
                    Err(Error::Locked { .. }) => PruneOutcome::KeptLocked,
                    Err(e) => return Err(e),
                    Ok(guard) => {
                        // Re-read under the lock: a build may have just used it.
                        match self.load(&state.name)? {
                            Some(s) if t.saturating_sub(s.last_used) > idle.as_secs() => {
                                self.remove_locked(&s, &guard)?;
                                PruneOutcome::Removed
                            }
                            Some(_) => PruneOutcome::KeptRecent,
                            None => continue,
                        }
                    }
                }
            };
            out.push((state.name, outcome));
        }
        Ok(out)
    }
}

/// Write `bytes` to `path` atomically (temp file + rename), creating parents.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("state paths have a parent");
    std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.into(), e))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| Error::Io(tmp.clone(), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::Io(path.into(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("matrix-lc-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn record(b: &Builders, name: &str, last_used: u64) {
        b.save(&State {
            name: name.into(),
            buildx_name: "default".into(),
            config_hash: "h".into(),
            config: BuilderConfig::new(Driver::Docker),
            created: last_used,
            last_used,
        })
        .unwrap();
    }

    #[test]
    fn prune_keeps_current_locked_and_recent() {
        let dir = tmp("prune");
        // docker is never run: every record here uses the docker driver.
        let b = Builders::new(&dir).docker_env("PATH", "/nonexistent");
        let old = now() - 10 * 86400;
        for name in ["a-old", "b-current", "c-locked"] {
            record(&b, name, old);
        }
        record(&b, "d-recent", now() - 60);
        let held = b.lock("c-locked", Wait::NoWait, |_| {}).unwrap();
        let out = b
            .prune(Duration::from_secs(7 * 86400), "b-current")
            .unwrap();
        assert_eq!(
            out,
            vec![
                ("a-old".to_string(), PruneOutcome::Removed),
                ("b-current".to_string(), PruneOutcome::KeptCurrent),
                ("c-locked".to_string(), PruneOutcome::KeptLocked),
                ("d-recent".to_string(), PruneOutcome::KeptRecent),
            ]
        );
        drop(held);
        let left: Vec<_> = b.states().unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(left, ["b-current", "c-locked", "d-recent"]);
        assert!(matches!(b.remove("a-old"), Err(Error::NotFound(_))));
        b.touch("c-locked").unwrap();
        assert!(now() - b.load("c-locked").unwrap().unwrap().last_used < 5);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn current_context_as_the_docker_cli_resolves_it() {
        let dir = tmp("ctx");
        let config = dir.join("docker-config");
        std::fs::create_dir_all(&config).unwrap();
        let b = |vars: &[(&str, &str)]| {
            let mut b = Builders::new(&dir)
                .docker_env("PATH", "/nonexistent")
                .docker_env("DOCKER_CONFIG", &config)
                .docker_env("DOCKER_HOST", "")
                .docker_env("DOCKER_CONTEXT", "");
            for (k, v) in vars {
                b = b.docker_env(*k, *v);
            }
            b.current_context()
        };
        // No config file: default.
        assert_eq!(b(&[]).unwrap(), "default");
        std::fs::write(config.join("config.json"), r#"{"auths":{}}"#).unwrap();
        assert_eq!(b(&[]).unwrap(), "default");
        std::fs::write(
            config.join("config.json"),
            r#"{"currentContext":"remote1"}"#,
        )
        .unwrap();
        assert_eq!(b(&[]).unwrap(), "remote1");
        assert_eq!(b(&[("DOCKER_CONTEXT", "other")]).unwrap(), "other");
        // DOCKER_HOST wins over both.
        assert_eq!(
            b(&[
                ("DOCKER_CONTEXT", "other"),
                ("DOCKER_HOST", "unix:///x.sock")
            ])
            .unwrap(),
            "default"
        );
        // An unreadable config is left to `docker context show` (here: no docker).
        std::fs::write(config.join("config.json"), "{").unwrap();
        assert!(b(&[]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn remove_refuses_a_locked_builder() {
        let dir = tmp("rm");
        let b = Builders::new(&dir).docker_env("PATH", "/nonexistent");
        record(&b, "x", now());
        let held = b.lock("x", Wait::NoWait, |_| {}).unwrap();
        assert!(matches!(b.remove("x"), Err(Error::Locked { .. })));
        drop(held);
        b.remove("x").unwrap();
        assert!(b.load("x").unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
