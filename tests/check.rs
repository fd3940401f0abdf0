//! `matrix check` corpus: each directory under tests/check/cases/ holds a tree
//! (bake files, Dockerfiles) and an `expect` file listing exactly the findings
//! `matrix check --format json` must report, one per line:
//!
//! ```text
//! dangling-context docker-bake.hcl:7:14
//! unreachable-target docker-bake.hcl:10:8
//! exit 1
//! ```
//!
//! An empty `expect` (or only `exit 0`) means the tree must stay clean.
//! Optional `args` (one CLI argument per line) and `env` (KEY=VALUE lines).
//! Every case runs with a cleared environment plus its `env`.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

const MATRIX: &str = env!("CARGO_BIN_EXE_matrix");

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn run_case(dir: &Path) -> Result<(), String> {
    let mut expected: Vec<String> = Vec::new();
    let mut exit = None;
    for l in lines(&dir.join("expect")) {
        match l.strip_prefix("exit ") {
            Some(code) => exit = Some(code.parse::<i32>().map_err(|e| e.to_string())?),
            None => expected.push(l),
        }
    }
    let exit = exit.unwrap_or(if expected.is_empty() { 0 } else { 1 });
    let mut cmd = Command::new(MATRIX);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(lines(&dir.join("args")));
    for l in lines(&dir.join("env")) {
        let (k, v) = l.split_once('=').ok_or(format!("bad env line {l:?}"))?;
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "stdout is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let mut actual: Vec<String> = report["diagnostics"]
        .as_array()
        .ok_or("no diagnostics array")?
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{}",
                d["rule"].as_str().unwrap_or("?"),
                d["file"].as_str().unwrap_or("-"),
                d["line"],
                d["column"]
            )
        })
        .collect();
    actual.sort();
    expected.sort();
    let code = out.status.code().unwrap_or(-1);
    if actual != expected || code != exit {
        return Err(format!(
            "expected (exit {exit}):\n  {}\nactual (exit {code}):\n  {}\n{}",
            expected.join("\n  "),
            actual.join("\n  "),
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ));
    }
    Ok(())
}

#[test]
fn check_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check/cases");
    let mut dirs: Vec<_> = fs::read_dir(&root)
        .expect("tests/check/cases exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let filter = std::env::var("CHECK_CASE").unwrap_or_default();
    let mut failures = Vec::new();
    let mut passed = 0;
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !name.contains(&filter) {
            continue;
        }
        match run_case(&dir) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("=== {name}\n{e}")),
        }
    }
    eprintln!("check corpus: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed > 0, "no check cases ran");
}

/// The repository's example tree must stay clean.
#[test]
fn example_tree_is_clean() {
    // A cleared environment: a caller's axis variables (a build container sets
    // cargo_profile, rust_toolchain… as ARGs) would be env-near-miss findings.
    let out = Command::new(MATRIX)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", "json", "-f", "bake/bake.hcl"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    assert_eq!(out.status.code(), Some(0));
}
