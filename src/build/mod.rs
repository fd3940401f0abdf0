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

impl Plan {
    /// The buildx command line for this plan, reading the definition from `file`.
    pub fn command(&self, req: &BuildRequest, file: &Path) -> Vec<String> {
        let mut cmd: Vec<String> = vec![
            "docker".into(),
            "buildx".into(),
            "bake".into(),
            "-f".into(),
            file.display().to_string(),
            "--progress=rawjson".into(),
        ];
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

    let mut command = Command::new(&cmd[0]);
    command
        .args(&cmd[1..])
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
    let mut child = command.spawn()?;
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
