//! `matrix`: a thin command line over the bake-matrix library.

use bake_matrix::bake::{self, BakeError, Project, SourceMap};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

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
    let mut out = bake::print::to_json(&def);
    if timings {
        eprintln!(
            "timings: parse {:?}, evaluate {:?}, resolve {:?}, print {:?}",
            loaded.parse_time,
            loaded.eval_time,
            resolved - evaluated,
            started.elapsed() - resolved
        );
    }
    out.push('\n');
    if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    // Freeing a large evaluated tree takes measurable time and achieves nothing
    // at exit: leave it to the OS.
    std::mem::forget((loaded, def, out));
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
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
    let diags = check::check(&loaded, &opts);
    emit(&diags, &loaded.sources);
    if args.cache_summary {
        eprint!("{}", check::cache_summary(&loaded, &opts));
    }
    ExitCode::from(diag::exit_code(&diags, deny) as u8)
}
