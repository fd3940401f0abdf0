//! Finding and reading bake files the way buildx 0.13.1 does, and evaluating them.

use super::definition::{Definition, ResolveOptions};
use super::error::{BakeError, Result};
use super::resolve::{Config, EvalOptions, evaluate};
use super::source::{SourceFile, SourceMap};
use super::syntax::{Body, parse_file};
use std::io::Read;
use std::path::Path;

/// Compose files buildx looks for first; we do not evaluate compose files.
pub const COMPOSE_FILE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Bake files buildx reads when no `-f` is given, merged in this order.
pub const BAKE_FILE_NAMES: &[&str] = &[
    "docker-bake.json",
    "docker-bake.override.json",
    "docker-bake.hcl",
    "docker-bake.override.hcl",
];

fn is_compose_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

fn compose_error(name: &str) -> BakeError {
    BakeError::new(format!(
        "{name} is a compose file: compose files are not supported by matrix (buildx would read it as a compose project)"
    ))
    .with_help("convert it to a docker-bake.hcl, or pass only bake files with -f")
}

/// Reads the named files (`-` is standard input), or the default files in `dir`.
pub fn read_files(names: &[String], dir: &Path) -> Result<SourceMap> {
    let mut sources = SourceMap::default();
    if names.is_empty() {
        for n in COMPOSE_FILE_NAMES {
            if dir.join(n).is_file() {
                return Err(compose_error(n));
            }
        }
        for n in BAKE_FILE_NAMES {
            let path = dir.join(n);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    sources.add(SourceFile::new(*n, to_text(n, bytes)?));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BakeError::new(format!("cannot read {n}: {e}"))),
            }
        }
    } else {
        for n in names {
            if n == "-" {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| BakeError::new(format!("cannot read standard input: {e}")))?;
                sources.add(SourceFile::new("-", to_text("-", bytes)?));
                continue;
            }
            if is_compose_name(n) {
                return Err(compose_error(n));
            }
            let path = dir.join(n);
            let bytes =
                std::fs::read(&path).map_err(|e| BakeError::new(format!("open {n}: {e}")))?;
            sources.add(SourceFile::new(n.clone(), to_text(n, bytes)?));
        }
    }
    if sources.files.is_empty() {
        return Err(BakeError::new("couldn't find a bake definition").with_help(
            "create docker-bake.hcl here, or name files with -f (docker-bake.json, docker-bake.override.json, docker-bake.hcl and docker-bake.override.hcl are read by default)",
        ));
    }
    Ok(sources)
}

fn to_text(name: &str, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        BakeError::new(format!(
            "{name} is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Parses every file and merges their top-level items in file order.
pub fn parse_all(sources: &SourceMap) -> Result<Body> {
    let mut merged = Body::default();
    for i in 0..sources.files.len() {
        merged.append(parse_file(sources, i)?);
    }
    Ok(merged)
}

/// The platform buildx reports as `BAKE_LOCAL_PLATFORM`.
pub fn local_platform() -> String {
    match std::env::consts::ARCH {
        "x86_64" => "linux/amd64".to_string(),
        "aarch64" => "linux/arm64/v8".to_string(),
        "x86" => "linux/386".to_string(),
        "arm" => "linux/arm/v7".to_string(),
        other => format!("linux/{other}"),
    }
}

/// Everything needed to evaluate a tree: files and environment.
pub struct Project<'a> {
    pub files: Vec<String>,
    pub dir: &'a Path,
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// An evaluated tree with its sources (for diagnostics).
pub struct Loaded {
    pub sources: SourceMap,
    pub config: Config,
    /// Time spent reading and parsing, then evaluating (for `MATRIX_TIMINGS`).
    pub parse_time: std::time::Duration,
    pub eval_time: std::time::Duration,
    /// The parsed files, kept so that a CLI which forgets `Loaded` at exit
    /// does not spend time freeing the syntax tree after evaluation.
    _syntax: Body,
}

impl Project<'_> {
    /// Reads and evaluates the files. Errors come with the sources read so far.
    pub fn load(&self) -> std::result::Result<Loaded, (BakeError, SourceMap)> {
        let started = std::time::Instant::now();
        let sources = read_files(&self.files, self.dir).map_err(|e| (e, SourceMap::default()))?;
        load_sources(sources, self.env, started)
    }
}

/// Parses and evaluates files already in memory (also the fuzzers' entry point).
pub fn load_sources(
    sources: SourceMap,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    started: std::time::Instant,
) -> std::result::Result<Loaded, (BakeError, SourceMap)> {
    let body = match parse_all(&sources) {
        Ok(b) => b,
        Err(e) => return Err((e, sources)),
    };
    let opts = EvalOptions {
        env,
        builtin_vars: vec![
            ("BAKE_CMD_CONTEXT".to_string(), "cwd://".to_string()),
            ("BAKE_LOCAL_PLATFORM".to_string(), local_platform()),
        ],
    };
    let parse_time = started.elapsed();
    match evaluate(&body, &opts) {
        Ok(config) => Ok(Loaded {
            sources,
            config,
            parse_time,
            eval_time: started.elapsed() - parse_time,
            _syntax: body,
        }),
        Err(e) => Err((e, sources)),
    }
}

impl Loaded {
    pub fn definition(
        &self,
        targets: &[String],
        sets: &[String],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Definition> {
        let default = vec!["default".to_string()];
        let targets = if targets.is_empty() {
            &default
        } else {
            targets
        };
        self.config
            .definition(targets, sets, &ResolveOptions { env })
    }
}
