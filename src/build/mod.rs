//! `matrix build`: resolve the tree ourselves, hand buildx a pre-resolved JSON
//! definition holding only what was asked for, and show its progress.
//!
//! buildx's own evaluation of large matrix trees takes seconds to minutes; it
//! disappears because the definition we pass has no variables, functions or
//! matrices left. The event stream (`--progress=rawjson`) is rendered by
//! [`crate::progress`].

pub mod vector;

use crate::bake::definition::Definition;
use crate::bake::{BakeError, Loaded, Project, SourceMap};
use crate::builder::docker_cli::{self, ConfigFile};
use crate::progress::{self, Renderer, Summary};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
pub use vector::Vector;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Bars on a terminal, plain lines otherwise.
    Auto,
    Tty,
    Plain,
    /// One JSON object per event on stdout.
    Json,
    /// buildx's own rawjson stream, untouched.
    RawJson,
}

impl std::str::FromStr for ProgressMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => ProgressMode::Auto,
            "tty" => ProgressMode::Tty,
            "plain" => ProgressMode::Plain,
            "json" => ProgressMode::Json,
            "rawjson" => ProgressMode::RawJson,
            _ => {
                return Err(format!(
                    "unknown progress mode {s:?}: expected auto, tty, plain, json or rawjson"
                ));
            }
        })
    }
}

/// Everything `matrix build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub targets: Vec<String>,
    pub files: Vec<String>,
    pub sets: Vec<String>,
    pub vector: Vector,
    pub builder: Option<String>,
    pub allow: Vec<String>,
    pub load: bool,
    pub push: bool,
    pub provenance: Option<String>,
    pub metadata_file: Option<String>,
    pub no_cache: bool,
    pub progress: ProgressMode,
    pub verbose: bool,
}

/// A resolved request: the definition buildx gets and the command to run it.
pub struct Plan {
    pub loaded: Loaded,
    pub definition: Definition,
    /// Target and group names to pass to buildx.
    pub targets: Vec<String>,
}

/// Why a build could not start.
pub enum PlanError {
    /// The tree or the arguments are unusable (exit 2).
    Input(BakeError, SourceMap),
}

impl BuildRequest {
    /// Environment lookup with this request's axis values layered on top.
    pub fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| {
            self.vector
                .lookup(name, &|n: &str| std::env::var(n).ok())
                .map(|(v, _)| v)
        }
    }

    /// The overrides buildx derives from its own flags (`--load`, `--push`,
    /// `--no-cache`, `--provenance`), applied while we resolve.
    fn all_sets(&self) -> Vec<String> {
        let mut sets = self.sets.clone();
        if self.push {
            sets.push("*.push=true".to_string());
        }
        if self.load {
            sets.push("*.output=type=docker".to_string());
        }
        if self.no_cache {
            sets.push("*.no-cache=true".to_string());
        }
        if let Some(p) = &self.provenance {
            sets.push(format!("*.attest={}", canonical_provenance(p)));
        }
        sets
    }

    /// Evaluates the tree and resolves the requested targets.
    pub fn plan(&self, dir: &Path) -> Result<Plan, PlanError> {
        let env = self.env();
        let project = Project {
            files: self.files.clone(),
            dir,
            env: &env,
        };
        let loaded = project.load().map_err(|(e, s)| PlanError::Input(e, s))?;
        let definition = match loaded.definition(&self.targets, &self.all_sets(), &env) {
            Ok(d) => d,
            Err(e) => return Err(PlanError::Input(e, loaded.sources.clone())),
        };
        let targets = if self.targets.is_empty() {
            vec!["default".to_string()]
        } else {
            self.targets.iter().map(|t| t.replace('.', "_")).collect()
        };
        Ok(Plan {
            loaded,
            definition,
            targets,
        })
    }

    /// Lines describing where each axis value came from (`-v`).
    pub fn explain_vector(&self, loaded: &Loaded) -> Vec<String> {
        let env = |n: &str| std::env::var(n).ok();
        loaded
            .config
            .variables
            .iter()
            .map(|(name, _)| match self.vector.lookup(name, &env) {
                Some((v, src)) => format!(
                    "{name} = {v}   (from {})",
                    match src {
                        vector::Source::CommandLine => "the command line",
                        vector::Source::Env => "the environment",
                        vector::Source::EnvSingular => "the environment, singular form",
                    }
                ),
                None => format!("{name}: default of the bake file"),
            })
            .collect()
    }
}

/// buildx's `CanonicalizeAttest("provenance", v)`.
fn canonical_provenance(v: &str) -> String {
    match crate::bake::csv::parse_go_bool(v) {
        Some(true) => "type=provenance".to_string(),
        Some(false) => "type=provenance,disabled=true".to_string(),
        None => format!("type=provenance,{v}"),
    }
}

/// The definition as a bake JSON file buildx can read back unchanged: HCL's
/// JSON syntax treats `${` and `%{` in strings as templates, so escape them.
pub fn definition_json(def: &Definition) -> String {
    crate::bake::print::to_json(def)
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// buildx 0.13.1's switch for the docker driver's default export: a target
/// with no output is exported into the image store ("backwards compat for
/// docker driver only", `build.toSolveOpt`), unless this is a true boolean.
pub const NO_DEFAULT_LOAD: &str = "BUILDX_NO_DEFAULT_LOAD";

impl Plan {
    /// Whether buildx's default image export is turned off for this build.
    ///
    /// Every `target:` ancestor pulled into the definition is a build of its
    /// own to buildx, which drops its outputs (buildx 0.13.1 `loadLinks`:
    /// `Outputs = nil`, as our definition does); on the docker driver each
    /// target without an `output` was exported (and unpacked) into the image
    /// store on every build, cached or not, though only its result as a
    /// context was wanted. When every target
    /// the user asked for names its own outputs, nobody asked for those images:
    /// turn the default off. `--load` and `--push` keep working: they give the
    /// requested targets outputs of their own (`*.output=type=docker`,
    /// `*.push=true`; buildx does not apply them to linked ancestors either).
    /// When a requested target has no output, the default stays: the user
    /// expects its image.
    pub fn no_default_load(&self) -> bool {
        let mut requested = self
            .definition
            .targets
            .values()
            .filter(|t| !t.linked)
            .peekable();
        requested.peek().is_some()
            && requested.all(|t| t.outputs.as_ref().is_some_and(|o| !o.is_empty()))
    }

    /// The buildx command line for this plan, reading the definition from `file`.
    /// Leading `NAME=VALUE` words are environment variables for buildx, as a
    /// shell reads them (see [`run`]).
    pub fn command(&self, req: &BuildRequest, file: &Path) -> Vec<String> {
        let mut cmd: Vec<String> = Vec::new();
        if self.no_default_load() {
            cmd.push(format!("{NO_DEFAULT_LOAD}=true"));
        }
        cmd.extend([
            "docker".into(),
            "buildx".into(),
            "bake".into(),
            "-f".into(),
            file.display().to_string(),
            "--progress=rawjson".into(),
        ]);
        if let Some(b) = &req.builder {
            cmd.push(format!("--builder={b}"));
        }
        for a in &req.allow {
            cmd.push(format!("--allow={a}"));
        }
        if let Some(m) = &req.metadata_file {
            cmd.push(format!("--metadata-file={m}"));
        }
        cmd.extend(self.targets.iter().cloned());
        cmd
    }

    /// Names of the targets buildx will build (for progress attribution).
    pub fn target_names(&self) -> Vec<String> {
        self.definition.targets.keys().cloned().collect()
    }
}

/// Writes the definition to a private temporary file, removed on drop.
pub fn write_definition(def: &Definition) -> std::io::Result<tempfile::TempPath> {
    let mut f = tempfile::Builder::new()
        .prefix("matrix-bake-")
        .suffix(".json")
        .tempfile()?;
    f.write_all(definition_json(def).as_bytes())?;
    f.flush()?;
    Ok(f.into_temp_path())
}

/// Set by the signal handler; read by the child supervisor.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static CHILD_PGID: AtomicI32 = AtomicI32::new(0);

/// Installs SIGINT/SIGTERM handlers that forward a termination to the buildx
/// process group (buildx runs as a docker CLI plugin: two processes).
fn install_signal_forwarding() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            INTERRUPTED.store(true, Ordering::SeqCst);
            let pgid = CHILD_PGID.load(Ordering::SeqCst);
            if pgid > 0 {
                // SAFETY: kill(2) with a negative pid signals a process group;
                // no memory is shared.
                unsafe {
                    libc::kill(-pgid, sig);
                }
                let pg = pgid;
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    if CHILD_PGID.load(Ordering::SeqCst) == pg {
                        // SAFETY: as above.
                        unsafe {
                            libc::kill(-pg, libc::SIGKILL);
                        }
                    }
                });
            }
        }
    });
    Ok(())
}

/// The builder a build runs on, locked for the build's duration.
pub struct Acquired {
    pub builder: crate::builder::Builder,
    /// Held until dropped: one build at a time per builder.
    pub lock: crate::builder::LockGuard,
}

/// Resolves the builder name (identity-derived unless `name` is given), takes
/// its lock (waiting with a message, or failing at once with `no_wait`), and
/// ensures the builder exists with the configuration this run needs.
pub fn acquire_builder(
    name: Option<&str>,
    driver: Option<&str>,
    allow: &[String],
    no_wait: bool,
) -> crate::builder::Result<Acquired> {
    use crate::builder::{self, BuilderConfig, Builders, Driver, Wait};
    let env = |k: &str| std::env::var(k).ok();
    let driver = match driver
        .map(str::to_string)
        .or_else(|| env("MATRIX_BUILDER_DRIVER"))
    {
        Some(d) => Driver::parse(&d, env("MATRIX_BUILDER_ENDPOINT").as_deref())?,
        None => BuilderConfig::default_driver(env),
    };
    let mut config = BuilderConfig::new(driver);
    for a in allow {
        config = config.allow(a)?;
    }
    if let Some(registry) = env("MATRIX_REGISTRY") {
        config = config.http_registry(&registry)?;
    }
    let name = builder::resolve_name(name)?;
    let builders = Builders::from_env()?;
    let mode = if no_wait { Wait::NoWait } else { Wait::Wait };
    let lock = builders.lock(&name, mode, |msg| eprintln!("matrix: {msg}"))?;
    let builder = builders.ensure(&name, &config)?;
    Ok(Acquired { builder, lock })
}

/// The outcome of running buildx.
pub struct Outcome {
    pub status: ExitStatus,
    pub summary: Option<Summary>,
    pub interrupted: bool,
}

/// Runs `cmd`, rendering its rawjson progress with `renderer` (or passing it
/// through with `None`). The child runs in its own process group so a signal
/// reaches buildx's plugin process too, and none is left behind.
pub fn run(
    cmd: &[String],
    targets: &[String],
    renderer: Option<&mut dyn Renderer>,
) -> std::io::Result<Outcome> {
    use std::os::unix::process::CommandExt;
    static SIGNALS: std::sync::Once = std::sync::Once::new();
    let mut installed = Ok(());
    SIGNALS.call_once(|| installed = install_signal_forwarding());
    installed?;

    let (env, argv) = split_env(cmd);
    if argv.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "empty command",
        ));
    }
    let mut command = match direct_plugin(argv, &env, &|k| std::env::var_os(k)) {
        Some(plugin) => {
            // What `docker` does to run its plugin, without `docker`.
            let mut c = Command::new(plugin);
            c.args(&argv[1..])
                .env(PLUGIN_ENV, &argv[0])
                .envs(env.iter().copied());
            c
        }
        None => {
            let mut c = Command::new(&argv[0]);
            c.args(&argv[1..]).envs(env.iter().copied());
            c
        }
    };
    command
        .stdin(Stdio::null())
        .stderr(if renderer.is_some() {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .process_group(0);
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to send the
    // child SIGTERM if we die (even by SIGKILL), so no build is left orphaned.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(|e| {
        if env.is_empty() {
            e
        } else {
            std::io::Error::new(e.kind(), format!("{}: {e}", argv[0]))
        }
    })?;
    CHILD_PGID.store(child.id() as i32, Ordering::SeqCst);
    let summary = match (renderer, child.stderr.take()) {
        (Some(r), Some(stderr)) => Some(progress::drive(BufReader::new(stderr), targets, r)),
        _ => None,
    };
    let status = child.wait()?;
    CHILD_PGID.store(0, Ordering::SeqCst);
    Ok(Outcome {
        status,
        summary,
        interrupted: INTERRUPTED.load(Ordering::SeqCst),
    })
}

/// The variable through which the docker CLI tells a plugin it runs as one
/// (`manager.ReexecEnvvar`), set to the CLI's own `argv[0]`.
const PLUGIN_ENV: &str = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND";

/// The docker CLI's plugin directories after the user's own
/// (`defaultSystemPluginDirs`, Linux).
const SYSTEM_PLUGIN_DIRS: [&str; 4] = [
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
];

/// For `docker buildx ARGS…`, the buildx plugin binary to run directly as
/// `docker-buildx buildx ARGS…` with [`PLUGIN_ENV`] set, as `docker` itself
/// runs it: this saves starting the docker CLI and its metadata call to the
/// plugin (~70 ms of a ~1 s cached build). The plugin is looked up where
/// `docker` looks: `$DOCKER_CONFIG/cli-plugins` (default `~/.docker`), then
/// the system directories. `None` (run `docker`) for any other command, when
/// `MATRIX_BUILDX_VIA_DOCKER` is set, when the config file lists
/// `cliPluginsExtraDirs` or cannot be read, or when no plugin is found.
fn direct_plugin(
    argv: &[String],
    env: &[(&str, &str)],
    var: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    if argv.len() < 2 || argv[0] != "docker" || argv[1] != "buildx" {
        return None;
    }
    let var = |k: &str| {
        env.iter()
            .rev()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| std::ffi::OsString::from(v))
            .or_else(|| var(k))
            .filter(|v| !v.is_empty())
    };
    if var("MATRIX_BUILDX_VIA_DOCKER").is_some() {
        return None;
    }
    let config = docker_cli::config_dir(&var)?;
    match docker_cli::read_config(&config) {
        ConfigFile::Missing => {}
        ConfigFile::Parsed(value) => {
            if value
                .get("cliPluginsExtraDirs")
                .is_some_and(|d| !d.is_null())
            {
                return None;
            }
        }
        ConfigFile::Unusable => return None,
    }
    std::iter::once(config.join("cli-plugins"))
        .chain(SYSTEM_PLUGIN_DIRS.iter().map(PathBuf::from))
        .map(|d| d.join("docker-buildx"))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Splits a command line into its leading `NAME=VALUE` assignments and the
/// program with its arguments, as a shell does.
fn split_env(cmd: &[String]) -> (Vec<(&str, &str)>, &[String]) {
    let n = cmd
        .iter()
        .take_while(|w| {
            w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && !k.starts_with(|c: char| c.is_ascii_digit())
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .count();
    let env = cmd[..n].iter().filter_map(|w| w.split_once('=')).collect();
    (env, &cmd[n..])
}

/// Picks the renderer for a progress mode.
pub fn renderer_for(mode: ProgressMode, targets: &[String]) -> Option<Box<dyn Renderer>> {
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    match mode {
        ProgressMode::RawJson => None,
        ProgressMode::Json => Some(Box::new(progress::json::JsonRenderer::new(
            std::io::stdout(),
        ))),
        ProgressMode::Tty => Some(Box::new(progress::tty::TtyRenderer::stderr(targets))),
        ProgressMode::Auto if tty => Some(Box::new(progress::tty::TtyRenderer::stderr(targets))),
        ProgressMode::Plain | ProgressMode::Auto => Some(Box::new(
            progress::plain::PlainRenderer::new(std::io::stderr(), targets),
        )),
    }
}

/// The default place for temporary definitions (for `--dry-run` display).
pub fn dry_run_path() -> PathBuf {
    std::env::temp_dir().join("matrix-bake-XXXXXX.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = r#"
group "default" { targets = ["leaf"] }
target "root" {
  dockerfile-inline = "FROM busybox:local\n"
}
target "leaf" {
  contexts = { input = "target:root" }
  dockerfile-inline = "FROM input\n"
  output = ["type=cacheonly"]
}
target "bare" {
  contexts = { input = "target:root" }
  dockerfile-inline = "FROM input\n"
}
"#;

    fn request(targets: &[&str]) -> BuildRequest {
        BuildRequest {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            files: vec!["docker-bake.hcl".to_string()],
            sets: Vec::new(),
            vector: Vector::default(),
            builder: None,
            allow: Vec::new(),
            load: false,
            push: false,
            provenance: None,
            metadata_file: None,
            no_cache: false,
            progress: ProgressMode::Plain,
            verbose: false,
        }
    }

    /// The command line `req` runs on TREE (with the definition in `x.json`).
    fn command(req: &BuildRequest) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("docker-bake.hcl"), TREE).unwrap();
        let plan = match req.plan(dir.path()) {
            Ok(p) => p,
            Err(PlanError::Input(e, _)) => panic!("{e:?}"),
        };
        plan.command(req, Path::new("x.json"))
    }

    fn loads_by_default(cmd: &[String]) -> bool {
        let (env, argv) = split_env(cmd);
        assert_eq!(argv[..3], ["docker", "buildx", "bake"]);
        !env.contains(&(NO_DEFAULT_LOAD, "true"))
    }

    #[test]
    fn default_load_is_off_when_every_requested_target_names_outputs() {
        // `leaf` names its output; its ancestor `root` (linked) does not and
        // would be exported as an image by the docker driver.
        let cmd = command(&request(&["leaf"]));
        assert_eq!(cmd[0], "BUILDX_NO_DEFAULT_LOAD=true");
        assert!(!loads_by_default(&cmd));
        // The default group resolves to the same.
        assert!(!loads_by_default(&command(&request(&[]))));
        // Outputs given with --set count as the target's own.
        let mut req = request(&["bare"]);
        req.sets.push("bare.output=type=cacheonly".to_string());
        assert!(!loads_by_default(&command(&req)));
    }

    #[test]
    fn default_load_stays_when_a_requested_target_has_no_output() {
        assert!(loads_by_default(&command(&request(&["bare"]))));
        assert!(loads_by_default(&command(&request(&["leaf", "bare"]))));
        // `root` asked for by name is not only an ancestor any more.
        assert!(loads_by_default(&command(&request(&["leaf", "root"]))));
    }

    #[test]
    fn load_and_push_name_the_requested_outputs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("docker-bake.hcl"), TREE).unwrap();
        let outputs = |req: &BuildRequest| {
            let plan = req.plan(dir.path()).ok().unwrap();
            let cmd = plan.command(req, Path::new("x.json"));
            let outputs: Vec<(String, Option<Vec<crate::bake::value::Str>>)> = plan
                .definition
                .targets
                .values()
                .map(|t| (t.name.clone(), t.outputs.clone()))
                .collect();
            (loads_by_default(&cmd), outputs)
        };
        let some = |o: &str| Some(vec![crate::bake::value::Str::from(o)]);
        // --load: `bare` is loaded through its own docker output, its
        // ancestor `root` no longer through the default.
        let mut req = request(&["bare"]);
        req.load = true;
        assert_eq!(
            outputs(&req),
            (
                false,
                vec![("bare".into(), some("type=docker")), ("root".into(), None)]
            )
        );
        // --push: an image output that pushes.
        let mut req = request(&["bare"]);
        req.push = true;
        assert_eq!(
            outputs(&req),
            (
                false,
                vec![
                    ("bare".into(), some("type=image,push=true")),
                    ("root".into(), None)
                ]
            )
        );
    }

    #[test]
    fn buildx_runs_as_a_plugin_without_docker() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("cfg");
        let plugins = config.join("cli-plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let plugin = plugins.join("docker-buildx");
        std::fs::write(&plugin, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cfg = config.to_string_lossy().into_owned();
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let none = |_: &str| None;
        let env = [("DOCKER_CONFIG", cfg.as_str())];
        let argv = words("docker buildx bake -f x.json");
        assert_eq!(direct_plugin(&argv, &env, &none), Some(plugin.clone()));
        // From the process environment too.
        let from_env = |k: &str| (k == "DOCKER_CONFIG").then(|| config.clone().into_os_string());
        assert_eq!(direct_plugin(&argv, &[], &from_env), Some(plugin.clone()));
        // Not for other commands, nor when asked not to.
        assert_eq!(direct_plugin(&words("docker version"), &env, &none), None);
        assert_eq!(
            direct_plugin(&words("podman buildx bake"), &env, &none),
            None
        );
        let via = [
            ("DOCKER_CONFIG", cfg.as_str()),
            ("MATRIX_BUILDX_VIA_DOCKER", "1"),
        ];
        assert_eq!(direct_plugin(&argv, &via, &none), None);
        // Extra plugin directories are docker's to search.
        std::fs::write(
            config.join("config.json"),
            r#"{"cliPluginsExtraDirs":["/x"]}"#,
        )
        .unwrap();
        assert_eq!(direct_plugin(&argv, &env, &none), None);
        std::fs::write(
            config.join("config.json"),
            r#"{"currentContext":"default"}"#,
        )
        .unwrap();
        assert_eq!(direct_plugin(&argv, &env, &none), Some(plugin.clone()));
        // Not executable: not a plugin.
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_ne!(direct_plugin(&argv, &env, &none), Some(plugin));
    }

    #[test]
    fn split_env_reads_leading_assignments_only() {
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let cmd = words("A=1 B_2=x=y docker buildx bake --set=a.b=c");
        let (env, argv) = split_env(&cmd);
        assert_eq!(env, [("A", "1"), ("B_2", "x=y")]);
        assert_eq!(argv, &cmd[2..]);
        let cmd = words("docker X=1");
        assert_eq!(split_env(&cmd), (vec![], &cmd[..]));
        let cmd = words("1A=2 docker");
        assert_eq!(split_env(&cmd).1, &cmd[..]);
    }
}
