//! `matrix`: a thin command line over the bake-matrix library.

use bake_matrix::bake::{self, BakeError, Project, SourceMap};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

// Evaluation allocates many small values; mimalloc is markedly faster than
// glibc malloc here (see docs/bench.md).
#[global_allocator]
static ALLOC: Mimalloc = Mimalloc;

/// Opts this process out of transparent huge pages. mimalloc asks for them,
/// and right after another large process (such as buildx) has exited the
/// kernel compacts memory to find them: `matrix print` of the large bench
/// vector then spent 0.3-0.4 s in the kernel instead of 0.06 s. Only the
/// evaluating commands call it: the flag is inherited by child processes,
/// and `matrix build`'s children (docker, buildx) should keep the system's
/// setting.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes a flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc through its plain entry points where they suffice: every block
/// mimalloc hands out is aligned to a pointer's size, while the `mimalloc`
/// crate sends all requests through the aligned entry points, a longer path.
struct Mimalloc;

/// The alignment every mimalloc block has (`MI_INTPTR_SIZE`).
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

// SAFETY: each method returns memory from mimalloc that satisfies `layout`
// (plain entry points only for alignments every block has), and frees or
// resizes only pointers that mimalloc returned.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[derive(Parser)]
#[command(
    name = "matrix",
    version,
    about = "Evaluate, validate and build Docker Bake matrix trees"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the resolved bake definition, exactly as `docker buildx bake --print` does.
    Print(PrintArgs),
    /// Validate a bake tree (and its Dockerfiles) before anything runs.
    Check(CheckArgs),
    /// Generate the bake tree from a matrix spec (bake/matrix.hcl).
    Generate(GenerateArgs),
    /// List every cache mount of every stage and cell, with its derived id.
    CacheIds(CacheIdsArgs),
    /// Build targets with docker buildx bake, showing per-target progress.
    Build(Box<BuildArgs>),
    /// Manage the per-identity buildx builders (ls, inspect, rm, prune).
    Builder {
        #[command(subcommand)]
        command: bake_matrix::builder::cli::BuilderCommand,
    },
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Targets or groups to build (default: the "default" group or target).
    targets: Vec<String>,
    /// Bake files (default: the files `matrix print` reads).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<String>,
    /// Override a target value: PATTERN.KEY=VALUE.
    #[arg(long = "set", value_name = "PATTERN.KEY=VALUE")]
    set: Vec<String>,
    /// Values of any matrix axis: NAME=V1,V2 (NAME singular or plural).
    #[arg(long = "axis", value_name = "NAME=VALUES")]
    axis: Vec<String>,
    /// cargo_profile axis values (comma-separated).
    #[arg(long, value_name = "VALUES")]
    cargo_profile: Option<String>,
    /// rust_toolchain axis values.
    #[arg(long, value_name = "VALUES")]
    rust_toolchain: Option<String>,
    /// rust_target axis values.
    #[arg(long, value_name = "VALUES")]
    rust_target: Option<String>,
    /// feat_set axis values.
    #[arg(long, value_name = "VALUES")]
    feat_set: Option<String>,
    /// sys_name axis values.
    #[arg(long, value_name = "VALUES")]
    sys_name: Option<String>,
    /// sys_version axis values.
    #[arg(long, value_name = "VALUES")]
    sys_version: Option<String>,
    /// sys_target axis values.
    #[arg(long, value_name = "VALUES")]
    sys_target: Option<String>,
    /// Builder to use (default: derived from actor/repo/branch).
    #[arg(long, value_name = "NAME")]
    builder: Option<String>,
    /// Builder driver: docker (local default), docker-container (CI default),
    /// remote (endpoint from MATRIX_BUILDER_ENDPOINT). Also MATRIX_BUILDER_DRIVER.
    #[arg(long, value_name = "DRIVER")]
    driver: Option<String>,
    /// Fail at once if another build holds the builder, instead of waiting.
    #[arg(long)]
    no_wait: bool,
    /// Entitlements to allow (network.host, security.insecure).
    #[arg(long = "allow", value_name = "ENTITLEMENT")]
    allow: Vec<String>,
    /// Load the results into docker (`*.output=type=docker`).
    #[arg(long)]
    load: bool,
    /// Push the results (`*.push=true`).
    #[arg(long)]
    push: bool,
    /// Provenance attestation (true, false, or attributes like mode=max).
    #[arg(long, value_name = "VALUE")]
    provenance: Option<String>,
    /// Write buildx's build metadata to this file.
    #[arg(long, value_name = "FILE")]
    metadata_file: Option<String>,
    /// Do not use the build cache.
    #[arg(long)]
    no_cache: bool,
    /// Progress: auto, tty, plain, json, or rawjson (buildx's own stream).
    #[arg(long, value_name = "MODE", default_value = "auto")]
    progress: String,
    /// Print the definition handed to buildx, and build nothing.
    #[arg(long)]
    print: bool,
    /// Print the buildx command line, and build nothing.
    #[arg(long)]
    dry_run: bool,
    /// Explain where axis values come from.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// The matrix spec.
    #[arg(long, value_name = "FILE", default_value = "bake/matrix.hcl")]
    spec: String,
    /// The bake file to write.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        default_value = "bake/bake.hcl"
    )]
    output: String,
    /// Write nothing; exit 1 (with a short diff) when the file on disk differs.
    #[arg(long)]
    check: bool,
}

#[derive(clap::Args)]
struct CacheIdsArgs {
    /// The matrix spec.
    #[arg(long, value_name = "FILE", default_value = "bake/matrix.hcl")]
    spec: String,
    /// Only cells with these values: axis=value,… (repeatable).
    #[arg(long, value_name = "AXIS=VALUE,…")]
    cell: Vec<String>,
    /// Output format: human (default) or json.
    #[arg(long, value_name = "FORMAT", default_value = "human")]
    format: String,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Bake files (default: the same files `matrix print` reads).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<String>,
    /// Output format: human (default), json, or github (default when GITHUB_ACTIONS=true).
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Exit 1 when a finding is at or above this level: error (default), warning, note.
    #[arg(long, value_name = "LEVEL", default_value = "error")]
    deny: String,
    /// Entitlements the build run allows (network.host, security.insecure).
    #[arg(long = "allow", value_name = "ENTITLEMENT")]
    allow: Vec<String>,
    /// Matrix axes that must partition cache mounts (comma-separated).
    #[arg(long, value_name = "AXES", value_delimiter = ',')]
    partition_axes: Option<Vec<String>>,
    /// Cache-mount paths (globs) that must be partitioned (default: cargo target dirs).
    #[arg(long = "partition-mount", value_name = "GLOB")]
    partition_mounts: Vec<String>,
    /// Require the tree to have exactly one root block.
    #[arg(long)]
    single_root: bool,
    /// Also print a table of cache ids: cells sharing each, axes keying it.
    #[arg(long)]
    cache_summary: bool,
}

#[derive(clap::Args)]
struct PrintArgs {
    /// Targets or groups to resolve (default: the "default" group or target).
    targets: Vec<String>,
    /// Bake files (default: docker-bake.json, docker-bake.override.json,
    /// docker-bake.hcl, docker-bake.override.hcl). `-` reads standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<String>,
    /// Override a target value: PATTERN.KEY=VALUE (e.g. `*.args.FOO=bar`).
    #[arg(long = "set", value_name = "PATTERN.KEY=VALUE")]
    set: Vec<String>,
}

/// Exit status for unusable input (bad files, bad arguments).
const EXIT_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Print(args) => print(args),
        Command::Check(args) => check(args),
        Command::Generate(args) => generate(args),
        Command::CacheIds(args) => cache_ids(args),
        Command::Build(args) => build(*args),
        Command::Builder { command } => builder(command),
    }
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn fail(e: &BakeError, sources: &SourceMap) -> ExitCode {
    use bake_matrix::diag::{HumanOptions, render_human};
    let rendered = render_human(
        &[e.to_diagnostic(sources)],
        &bake::error::diag_sources(sources),
        &HumanOptions::for_stderr().with_summary(false),
    );
    eprint!("{rendered}");
    ExitCode::from(EXIT_INPUT)
}

fn print(args: PrintArgs) -> ExitCode {
    no_huge_pages();
    // The evaluated tree is kept until exit anyway (see the end).
    bake::value::keep_strings_until_exit();
    let dir = std::path::Path::new(".");
    let project = Project {
        files: args.files,
        dir,
        env: &env_lookup,
    };
    let timings = std::env::var_os("MATRIX_TIMINGS").is_some();
    let started = std::time::Instant::now();
    let loaded = match project.load() {
        Ok(l) => l,
        Err((e, sources)) => return fail(&e, &sources),
    };
    let evaluated = started.elapsed();
    let _ = evaluated;
    let def = match loaded.definition(&args.targets, &args.set, &env_lookup) {
        Ok(d) => d,
        Err(e) => return fail(&e, &loaded.sources),
    };
    let resolved = started.elapsed();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = bake::print::write_json(&def, &mut stdout).and_then(|()| stdout.flush());
    if timings {
        eprintln!(
            "timings: parse {:?}, evaluate {:?}, resolve {:?}, print {:?}",
            loaded.parse_time,
            loaded.eval_time,
            resolved - evaluated,
            started.elapsed() - resolved
        );
    }
    if written.is_err() {
        return ExitCode::from(1);
    }
    // Freeing a large evaluated tree takes measurable time and achieves nothing
    // at exit: leave it to the OS.
    std::mem::forget((loaded, def));
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    no_huge_pages();
    // The evaluated tree is kept until exit anyway (see the end).
    bake::value::keep_strings_until_exit();
    use bake_matrix::check::{self, CheckOptions};
    use bake_matrix::diag::{self, Format, HumanOptions, Severity};

    let format = match Format::from_env_and_flag(args.format.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let deny: Severity = match args.deny.parse() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let project = Project {
        files: args.files,
        dir: std::path::Path::new("."),
        env: &env_lookup,
    };
    let emit = |diags: &[diag::Diagnostic], sources: &SourceMap| {
        let texts = bake::error::diag_sources(sources);
        let _ = diag::emit(
            diags,
            format,
            &texts,
            &HumanOptions::for_stderr().with_summary(true),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        );
    };
    let loaded = match project.load() {
        Ok(l) => l,
        Err((e, sources)) => {
            emit(&[check::input_error(&e, &sources)], &sources);
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut opts = CheckOptions {
        allow: args.allow,
        single_root: args.single_root,
        env: std::env::vars().collect(),
        ..CheckOptions::default()
    };
    if let Some(axes) = args.partition_axes {
        opts.partition_axes = axes;
    }
    if !args.partition_mounts.is_empty() {
        opts.partition_mounts = args.partition_mounts;
    }
    let checked = std::time::Instant::now();
    let diags = check::check(&loaded, &opts);
    if std::env::var_os("MATRIX_TIMINGS").is_some() {
        eprintln!(
            "timings: parse {:?}, evaluate {:?}, rules {:?}",
            loaded.parse_time,
            loaded.eval_time,
            checked.elapsed()
        );
    }
    emit(&diags, &loaded.sources);
    if args.cache_summary {
        eprint!("{}", check::cache_summary(&loaded, &opts));
    }
    let code = diag::exit_code(&diags, deny) as u8;
    // As in print: freeing the evaluated tree at exit is time for nothing.
    std::mem::forget(loaded);
    ExitCode::from(code)
}

fn load_spec(path: &str) -> Result<bake_matrix::spec::Spec, ExitCode> {
    bake_matrix::spec::load(path)
        .map(|(s, _)| s)
        .map_err(|(e, sources)| fail(&e, &sources))
}

fn generate(args: GenerateArgs) -> ExitCode {
    use bake_matrix::generate;
    let started = std::time::Instant::now();
    let spec = match load_spec(&args.spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = started.elapsed();
    let text = generate::generate(
        &spec,
        &generate::Options {
            spec_path: args.spec.clone(),
            out_path: args.output.clone(),
            ..Default::default()
        },
    );
    if std::env::var_os("MATRIX_TIMINGS").is_some() {
        eprintln!(
            "timings: spec {:?}, generate {:?}",
            loaded,
            started.elapsed() - loaded
        );
    }
    let path = std::path::Path::new(&args.output);
    if args.check {
        return match std::fs::read_to_string(path) {
            Ok(old) if old == text => ExitCode::SUCCESS,
            Ok(old) => {
                eprintln!(
                    "{} is out of date with {}: run `matrix generate --spec {} -o {}`",
                    args.output, args.spec, args.spec, args.output
                );
                eprint!("{}", generate::short_diff(&old, &text, 40));
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!(
                    "{} cannot be read ({e}): run `matrix generate`",
                    args.output
                );
                ExitCode::from(1)
            }
        };
    }
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return ExitCode::SUCCESS;
    }
    if let Err(e) = generate::write_atomic(path, &text) {
        eprintln!("error: cannot write {}: {e}", args.output);
        return ExitCode::from(EXIT_INPUT);
    }
    ExitCode::SUCCESS
}

fn cache_ids(args: CacheIdsArgs) -> ExitCode {
    use bake_matrix::cacheid;
    use bake_matrix::spec::rules;
    let spec = match load_spec(&args.spec) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.format != "human" && args.format != "json" {
        eprintln!("error: unknown format {:?}: human or json", args.format);
        return ExitCode::from(EXIT_INPUT);
    }
    let mut filter: Vec<(usize, String)> = Vec::new();
    for item in args.cell.iter().flat_map(|c| c.split(',')) {
        let Some((k, v)) = item.split_once('=') else {
            eprintln!("error: --cell takes axis=value,…, got {item:?}");
            return ExitCode::from(EXIT_INPUT);
        };
        let Some(a) = spec.axis(k.trim()) else {
            eprintln!("error: --cell: unknown axis {k:?}");
            return ExitCode::from(EXIT_INPUT);
        };
        filter.push((a, v.trim().to_string()));
    }
    let mut json = Vec::new();
    let mut text = String::new();
    for (i, stage) in spec.stages.iter().enumerate() {
        let mounts = cacheid::mounts(&spec, i, &[]);
        if mounts.is_empty() {
            continue;
        }
        let cells = rules::cells(&spec, stage, &|a| spec.axes[a].values.clone());
        for cell in cells {
            if filter
                .iter()
                .any(|(a, v)| cell.get(a).is_some_and(|x| x != v))
            {
                continue;
            }
            let values: Vec<&str> = stage.axes.iter().map(|a| cell[a].as_str()).collect();
            let target = if values.is_empty() {
                stage.name.clone()
            } else {
                let names: Vec<String> = stage
                    .axes
                    .iter()
                    .map(|a| spec.axes[*a].sanitize.apply(&cell[a]))
                    .collect();
                format!("{}--{}", stage.name, names.join("--"))
            };
            text.push_str(&format!("{target}\n"));
            let mut jm = Vec::new();
            for m in &mounts {
                let id = cacheid::render(&spec, &m.id, &cell);
                let path = cacheid::render(&spec, &m.path, &cell);
                let axes: Vec<&str> = m
                    .partition
                    .iter()
                    .map(|a| spec.axes[*a].name.as_str())
                    .collect();
                text.push_str(&format!(
                    "  {path}\n    id {id}\n    sharing {}, partitioned by {}\n    {}\n",
                    m.sharing,
                    if axes.is_empty() {
                        "nothing (shared by all)".to_string()
                    } else {
                        axes.join(", ")
                    },
                    m.reason
                ));
                jm.push(serde_json::json!({
                    "mount": m.name,
                    "path": path,
                    "id": id,
                    "sharing": m.sharing,
                    "partition": axes,
                    "reason": m.reason,
                }));
            }
            let cell_json: serde_json::Map<String, serde_json::Value> = stage
                .axes
                .iter()
                .map(|a| {
                    (
                        spec.axes[*a].name.clone(),
                        serde_json::Value::from(cell[a].clone()),
                    )
                })
                .collect();
            json.push(serde_json::json!({
                "stage": stage.name,
                "target": target,
                "cell": cell_json,
                "mounts": jm,
            }));
        }
    }
    let out = if args.format == "json" {
        serde_json::to_string_pretty(&serde_json::json!({ "cells": json })).unwrap_or_default()
            + "\n"
    } else {
        text
    };
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn build(args: BuildArgs) -> ExitCode {
    use bake_matrix::build::{self, BuildRequest, PlanError, ProgressMode, Vector};

    let mut vector = Vector::default();
    for (axis, values) in [
        ("cargo_profile", &args.cargo_profile),
        ("rust_toolchain", &args.rust_toolchain),
        ("rust_target", &args.rust_target),
        ("feat_set", &args.feat_set),
        ("sys_name", &args.sys_name),
        ("sys_version", &args.sys_version),
        ("sys_target", &args.sys_target),
    ] {
        if let Some(v) = values {
            vector.set(axis, v);
        }
    }
    for pair in &args.axis {
        if let Err(e) = vector.set_pair(pair) {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    }
    let progress: ProgressMode = match args.progress.parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let req = BuildRequest {
        targets: args.targets,
        files: args.files,
        sets: args.set,
        vector,
        builder: args.builder,
        allow: args.allow,
        load: args.load,
        push: args.push,
        provenance: args.provenance,
        metadata_file: args.metadata_file,
        no_cache: args.no_cache,
        progress,
        verbose: args.verbose,
    };
    let plan = match req.plan(std::path::Path::new(".")) {
        Ok(p) => p,
        Err(PlanError::Input(e, sources)) => return fail(&e, &sources),
    };
    if req.verbose {
        for line in req.explain_vector(&plan.loaded) {
            eprintln!("matrix: {line}");
        }
    }
    if args.print {
        let out = build::definition_json(&plan.definition);
        let _ = std::io::stdout().write_all(out.as_bytes());
        return ExitCode::SUCCESS;
    }
    if args.dry_run {
        println!(
            "{}",
            shell_words(&plan.command(&req, &build::dry_run_path()))
        );
        return ExitCode::SUCCESS;
    }
    // One build at a time per builder: the lock is held until this returns.
    let acquired = match build::acquire_builder(
        req.builder.as_deref(),
        args.driver.as_deref(),
        &req.allow,
        args.no_wait,
    ) {
        Ok(a) => a,
        Err(e) => {
            let msg = e.to_string();
            eprintln!("error: {msg}");
            if msg.contains("unknown command: docker buildx") {
                eprintln!(
                    "  = help: the buildx plugin is not installed for this DOCKER_CONFIG: install docker-buildx, or use the project's engine (eval \"$(scripts/engine env)\")"
                );
            } else if msg.contains("Cannot connect to the Docker daemon") {
                eprintln!(
                    "  = help: no Docker engine answers at DOCKER_HOST: start one (scripts/engine up) or point DOCKER_HOST at it"
                );
            }
            return ExitCode::from(1);
        }
    };
    if req.verbose {
        eprintln!(
            "matrix: builder {} ({}, buildx builder {})",
            acquired.builder.name,
            acquired.builder.driver.as_str(),
            acquired.builder.buildx_name
        );
    }
    let req = BuildRequest {
        builder: Some(acquired.builder.buildx_name.clone()),
        ..req
    };
    let file = match build::write_definition(&plan.definition) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot write the build definition: {e}");
            return ExitCode::from(1);
        }
    };
    let cmd = plan.command(&req, &file);
    if req.verbose {
        eprintln!("matrix: {}", shell_words(&cmd));
    }
    let targets = plan.target_names();
    let mut renderer = build::renderer_for(req.progress, &targets);
    let renderer = renderer
        .as_deref_mut()
        .map(|r| r as &mut dyn bake_matrix::progress::Renderer);
    let outcome = match build::run(&cmd, &targets, renderer) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", cmd[0]);
            return ExitCode::from(1);
        }
    };
    drop(file);
    drop(acquired);
    if outcome.interrupted {
        eprintln!("matrix: interrupted; buildx stopped");
        return ExitCode::from(130);
    }
    match outcome.status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(c.clamp(1, 255) as u8),
        None => ExitCode::from(1),
    }
}

/// A command line as a shell would read it back.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_=./:,@+".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `matrix builder ls|inspect|rm|prune`: builder upkeep (src/builder).
fn builder(command: bake_matrix::builder::cli::BuilderCommand) -> ExitCode {
    use bake_matrix::builder::{Builders, PruneOutcome, cli::BuilderCommand, cli::Format};
    let run = || -> bake_matrix::builder::Result<()> {
        let builders = Builders::from_env()?;
        match command {
            BuilderCommand::Ls { format } => {
                let list = builders.list()?;
                if format == Format::Json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&list).expect("serializes")
                    );
                    return Ok(());
                }
                println!(
                    "{:<48}  {:<16}  {:<12}  {:<20}  {:>5}  {:<6}  BUILDX",
                    "NAME", "DRIVER", "CONFIG", "LAST USED", "IDLE", "LOCKED"
                );
                for b in list {
                    let buildx = match b.present {
                        Some(true) => b.buildx_name,
                        Some(false) => format!("{} (missing)", b.buildx_name),
                        None => format!("{} (?)", b.buildx_name),
                    };
                    println!(
                        "{:<48}  {:<16}  {:<12}  {:<20}  {:>5}  {:<6}  {buildx}",
                        b.name,
                        b.driver,
                        &b.config_hash[..12.min(b.config_hash.len())],
                        b.last_used,
                        bake_matrix::builder::cli::short_duration(b.idle_seconds),
                        if b.locked { "yes" } else { "no" },
                    );
                }
            }
            BuilderCommand::Inspect { name } => {
                let name = bake_matrix::builder::resolve_name(name.as_deref())?;
                let i = builders.inspect(&name)?;
                println!("Name:         {}", i.state.name);
                println!("Buildx name:  {}", i.state.buildx_name);
                println!("Driver:       {}", i.state.config.driver.as_str());
                println!("Config hash:  {}", i.state.config_hash);
                println!(
                    "Created:      {}",
                    bake_matrix::builder::lifecycle::format_time(i.state.created)
                );
                println!(
                    "Last used:    {}",
                    bake_matrix::builder::lifecycle::format_time(i.state.last_used)
                );
                println!("Locked:       {}", i.locked_by.as_deref().unwrap_or("no"));
                println!("Flags:        {}", i.state.config.buildkitd_flags());
                println!("\nbuildkitd.toml:\n{}", i.buildkitd_toml);
                match i.buildx {
                    Ok(text) => print!("docker buildx inspect:\n{text}"),
                    Err(e) => println!("docker buildx inspect failed: {e}"),
                }
            }
            BuilderCommand::Rm { name } => {
                builders.remove(&name)?;
                println!("removed {name}");
            }
            BuilderCommand::Prune { idle, builder } => {
                let idle = bake_matrix::builder::parse_duration(&idle)?;
                let current = bake_matrix::builder::resolve_name(builder.as_deref())?;
                for (name, outcome) in builders.prune(idle, &current)? {
                    let what = match outcome {
                        PruneOutcome::Removed => "removed",
                        PruneOutcome::KeptCurrent => "kept (current)",
                        PruneOutcome::KeptLocked => "kept (locked by a build)",
                        PruneOutcome::KeptRecent => "kept (recently used)",
                    };
                    println!("{name}: {what}");
                }
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
