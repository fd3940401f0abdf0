//! Parity test: `matrix print` against `docker buildx bake --print` of
//! buildx 0.13.1 over the corpus in tests/parity/cases/.
//!
//! Each case is a directory holding bake file(s) and optionally:
//!   * `args`   - one CLI argument per line (targets, `-f`, `--set`, ...)
//!   * `env`    - KEY=VALUE lines added to the environment of both commands
//!   * `expect` - `ours-reject-compose`: buildx accepts a compose file that we
//!     deliberately reject; only check that ours exits 2 and
//!     mentions compose on stderr.
//!     `known-divergence /json/pointer reason`: a documented gap;
//!     that value must still differ and is left out of the comparison.
//!
//! Both commands run with a cleared environment (PATH, HOME, the case's env,
//! and DOCKER_CONFIG for the oracle only), in the case directory.
//!
//! Oracle location: DOCKER_CONFIG = `$MATRIX_DOCKER_CONFIG` or
//! `<repo>/.cache/docker`; install it with `scripts/install-buildx`.
//! Without the oracle the test is skipped with a warning, unless CI=true, in
//! which case it fails.
//!
//! `PARITY_CASE=<substring>` runs only the cases whose name contains it.

use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Our binary.
const OURS: &str = env!("CARGO_BIN_EXE_matrix");
const TIMEOUT: Duration = Duration::from_secs(60);
const MAX_SHOWN: usize = 4000;

struct Case {
    name: String,
    dir: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    expect_ours_reject_compose: bool,
    /// JSON pointers (`/target/x/args/Y`) where ours is known to differ, from
    /// `known-divergence /pointer reason` lines in `expect`. Strict: each must
    /// still differ, so a fix makes the test ask for the line to be removed.
    known_divergences: Vec<String>,
    has_matrix: bool,
}

struct Outcome {
    /// None when the process could not be run or was killed.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    note: Option<String>,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docker_config() -> PathBuf {
    let p = match std::env::var_os("MATRIX_DOCKER_CONFIG") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => manifest_dir().join(".cache").join("docker"),
    };
    if p.is_absolute() {
        p
    } else {
        std::env::current_dir().unwrap().join(p)
    }
}

fn load_cases(root: &Path, filter: Option<&str>) -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(f) = filter
            && !name.contains(f)
        {
            continue;
        }
        let args = match fs::read_to_string(dir.join("args")) {
            Ok(s) => s.lines().map(str::to_owned).collect(),
            Err(_) => Vec::new(),
        };
        let mut env = Vec::new();
        if let Ok(s) = fs::read_to_string(dir.join("env")) {
            for line in s.lines() {
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                match line.split_once('=') {
                    Some((k, v)) => env.push((k.to_owned(), v.to_owned())),
                    None => panic!("{name}/env: line without '=': {line:?}"),
                }
            }
        }
        let expect = fs::read_to_string(dir.join("expect")).unwrap_or_default();
        let expect_ours_reject_compose = expect.lines().any(|l| l.trim() == "ours-reject-compose");
        let known_divergences = expect
            .lines()
            .filter_map(|l| l.trim().strip_prefix("known-divergence "))
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let mut has_matrix = false;
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let fname = entry.file_name();
            if matches!(fname.to_str(), Some("args" | "env" | "expect")) {
                continue;
            }
            if let Ok(text) = fs::read_to_string(entry.path())
                && text.contains("matrix")
            {
                has_matrix = true;
            }
        }
        cases.push(Case {
            name,
            dir,
            args,
            env,
            expect_ours_reject_compose,
            known_divergences,
            has_matrix,
        });
    }
    cases
}

fn base_command(program: &str, case: &Case) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    cmd.current_dir(&case.dir);
    cmd
}

fn run(mut cmd: Command) -> Outcome {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                code: None,
                stdout: String::new(),
                stderr: String::new(),
                note: Some(format!("failed to spawn {:?}: {e}", cmd.get_program())),
            };
        }
    };
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_t = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_t = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let mut note = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                note = Some(format!("killed after {}s timeout", TIMEOUT.as_secs()));
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                note = Some(format!("wait failed: {e}"));
                break None;
            }
        }
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    if note.is_none()
        && let Some(st) = &status
        && st.code().is_none()
    {
        note = Some(format!("terminated by signal ({st})"));
    }
    Outcome {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        note,
    }
}

/// Sorts every group's `targets` list: buildx 0.13.1 lists matrix-generated
/// group members in random (Go map) order.
fn normalize(mut v: Value) -> Value {
    if let Some(groups) = v.get_mut("group").and_then(Value::as_object_mut) {
        for g in groups.values_mut() {
            if let Some(ts) = g.get_mut("targets").and_then(Value::as_array_mut) {
                ts.sort_by_key(|t| t.to_string());
            }
        }
    }
    v
}

/// Line diff (LCS based), limited to `max` output lines.
fn diff(expected: &str, actual: &str, max: usize) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        return "  (outputs too large to diff)\n".to_owned();
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let mut shown = 0;
    let (mut i, mut j) = (0, 0);
    let mut push = |out: &mut String, line: String| -> bool {
        if shown >= max {
            return false;
        }
        shown += 1;
        out.push_str(&line);
        out.push('\n');
        true
    };
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            if !push(&mut out, format!("  -oracle {:>4}| {}", i + 1, a[i])) {
                break;
            }
            i += 1;
        } else {
            if !push(&mut out, format!("  +ours   {:>4}| {}", j + 1, b[j])) {
                break;
            }
            j += 1;
        }
    }
    if shown >= max {
        out.push_str("  ... (diff truncated)\n");
    }
    out
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_SHOWN {
        return s.to_owned();
    }
    let mut end = MAX_SHOWN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n... ({} bytes total)", &s[..end], s.len())
}

/// Drops buildx's progress lines ("#1 reading ...") from its stderr.
fn oracle_stderr(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn describe(label: &str, o: &Outcome, stderr: &str) -> String {
    let mut s = String::new();
    let code = o
        .code
        .map(|c| c.to_string())
        .unwrap_or_else(|| "none".to_owned());
    let _ = writeln!(s, "  {label}: exit {code}");
    if let Some(n) = &o.note {
        let _ = writeln!(s, "    ({n})");
    }
    if !o.stdout.is_empty() {
        let _ = writeln!(s, "  {label} stdout:");
        for l in clip(&o.stdout).lines() {
            let _ = writeln!(s, "    {l}");
        }
    }
    if !stderr.trim().is_empty() {
        let _ = writeln!(s, "  {label} stderr:");
        for l in clip(stderr).lines() {
            let _ = writeln!(s, "    {l}");
        }
    }
    s
}

/// Returns None when the case passes, or a description of the mismatch.
fn check(case: &Case, cfg: &Path) -> Option<String> {
    let mut ours_cmd = base_command(OURS, case);
    ours_cmd.arg("print").args(&case.args);
    let ours = run(ours_cmd);

    if case.expect_ours_reject_compose {
        let ok = ours.code == Some(2) && ours.stderr.to_lowercase().contains("compose");
        if ok {
            return None;
        }
        return Some(format!(
            "expected ours to reject the compose file (exit 2, stderr mentioning compose)\n{}",
            describe("ours", &ours, &ours.stderr)
        ));
    }

    let mut oracle_cmd = base_command("docker", case);
    oracle_cmd
        .env("DOCKER_CONFIG", cfg)
        .args(["buildx", "bake", "--print"])
        .args(&case.args);
    let oracle = run(oracle_cmd);
    let oracle_err = oracle_stderr(&oracle.stderr);

    let both = || {
        format!(
            "{}{}",
            describe("oracle", &oracle, &oracle_err),
            describe("ours", &ours, &ours.stderr)
        )
    };

    if oracle.code.is_none() {
        return Some(format!("oracle did not run properly\n{}", both()));
    }
    if oracle.code != Some(0) {
        if ours.code == Some(2) && !ours.stderr.trim().is_empty() {
            return None;
        }
        let why = if ours.code == Some(0) {
            "oracle rejects, ours accepts"
        } else if ours.code == Some(2) {
            "oracle rejects, ours exits 2 but prints nothing on stderr"
        } else {
            "oracle rejects, ours fails with an exit status other than 2"
        };
        return Some(format!("{why}\n{}", both()));
    }
    if ours.code != Some(0) {
        return Some(format!("oracle accepts, ours fails\n{}", both()));
    }

    let oracle_json: Value = match serde_json::from_str(&oracle.stdout) {
        Ok(v) => v,
        Err(e) => return Some(format!("oracle stdout is not JSON: {e}\n{}", both())),
    };
    let ours_json: Value = match serde_json::from_str(&ours.stdout) {
        Ok(v) => v,
        Err(e) => return Some(format!("ours stdout is not JSON: {e}\n{}", both())),
    };
    let (mut oracle_json, mut ours_json) = (normalize(oracle_json), normalize(ours_json));
    for ptr in &case.known_divergences {
        let (a, b) = (
            oracle_json.pointer(ptr).cloned(),
            ours_json.pointer(ptr).cloned(),
        );
        if a.is_none() || b.is_none() || a == b {
            return Some(format!(
                "known divergence {ptr} no longer differs (oracle {a:?}, ours {b:?}): remove it from expect"
            ));
        }
        say(&format!("parity: {} known divergence at {ptr}", case.name));
        for v in [&mut oracle_json, &mut ours_json] {
            let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
            if let Some(obj) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
                obj.remove(key);
            }
        }
    }
    if oracle_json != ours_json {
        let a = serde_json::to_string_pretty(&oracle_json).unwrap();
        let b = serde_json::to_string_pretty(&ours_json).unwrap();
        return Some(format!(
            "JSON differs (group targets sorted)\n  diff (-oracle +ours):\n{}{}",
            diff(&a, &b, 40),
            describe("ours", &ours, &ours.stderr)
        ));
    }
    if !case.has_matrix && case.known_divergences.is_empty() && oracle.stdout != ours.stdout {
        return Some(format!(
            "same JSON value but stdout bytes differ\n  diff (-oracle +ours):\n{}  oracle stdout (debug): {:?}\n  ours stdout (debug):   {:?}\n",
            diff(&oracle.stdout, &ours.stdout, 40),
            clip(&oracle.stdout),
            clip(&ours.stdout)
        ));
    }
    None
}

/// Writes straight to the process's stderr: libtest captures `eprintln!`
/// output of passing tests, but the skip warning and the summary line must
/// always be visible.
fn say(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(msg.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

#[test]
fn parity_with_buildx_bake_print() {
    let cfg = docker_config();
    let plugin = cfg.join("cli-plugins").join("docker-buildx");
    if !plugin.is_file() {
        let msg = format!(
            "buildx 0.13.1 oracle not found at {}; run scripts/install-buildx \
             (or set MATRIX_DOCKER_CONFIG to a DOCKER_CONFIG dir holding cli-plugins/docker-buildx)",
            plugin.display()
        );
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}");
        }
        say(&format!("WARNING: parity NOT CHECKED: {msg}"));
        return;
    }

    let filter = std::env::var("PARITY_CASE").ok().filter(|s| !s.is_empty());
    let root = manifest_dir().join("tests").join("parity").join("cases");
    let cases = load_cases(&root, filter.as_deref());
    assert!(
        !cases.is_empty(),
        "no parity cases found under {} (PARITY_CASE={:?})",
        root.display(),
        filter
    );

    let mut failures = Vec::new();
    let mut passed = 0usize;
    for case in &cases {
        match check(case, &cfg) {
            None => passed += 1,
            Some(report) => failures.push((case, report)),
        }
    }

    for (case, report) in &failures {
        let args = if case.args.is_empty() {
            String::new()
        } else {
            format!(" [args: {}]", case.args.join(" "))
        };
        let env = if case.env.is_empty() {
            String::new()
        } else {
            let kv: Vec<String> = case.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!(" [env: {}]", kv.join(" "))
        };
        say(&format!("\n=== parity FAIL: {}{args}{env}", case.name));
        say(&format!("  {}", report.trim_end().replace('\n', "\n  ")));
    }
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|(c, _)| c.name.as_str()).collect();
        say(&format!("\nfailed cases: {}", names.join(" ")));
    }
    say(&format!(
        "parity: {passed} passed, {} failed",
        failures.len()
    ));
    if !failures.is_empty() {
        panic!(
            "{} of {} parity cases failed (see the report above)",
            failures.len(),
            cases.len()
        );
    }
}
