//! The example tree (bake/bake.hcl, docker/Dockerfile.*) built for real on the
//! engine of `scripts/engine`: `system` and the `tests` leaf for two feature
//! sets (this project compiled and tested offline in a debootstrap'ed Debian),
//! then a rerun that must be fully cached.
//!
//! A test binary of its own: cargo runs test binaries one after another, so
//! this long build (5–10 minutes cold on two cores) never runs alongside
//! tests/build.rs, and it uses its own builder state dir (`MATRIX_STATE_DIR`).
//! Under `CI=true` a missing engine fails it; elsewhere it warns and returns.
//!
//! It builds a copy of the working tree (what the build context holds), taken
//! once, so that edits made to the repository while it runs (by the developer
//! or another process) cannot make the rerun miss the cache.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

const MATRIX: &str = env!("CARGO_BIN_EXE_matrix");

/// `matrix build -f bake/bake.hcl system tests --feat-set default,none`.
const BUILD: &[&str] = &[
    "build",
    "-f",
    "bake/bake.hcl",
    "system",
    "tests",
    "--feat-set",
    "default,none",
];

/// The axis variables a caller's environment could set (plural and singular).
const AXES: &[&str] = &[
    "cargo_profile",
    "rust_toolchain",
    "rust_target",
    "feat_set",
    "sys_name",
    "sys_version",
    "sys_target",
];

/// docker/Dockerfile.build repeats the stages of Dockerfile.system,
/// Dockerfile.rust and Dockerfile.cargo (chained by stage names instead of
/// the `input` context): the same instructions, so that the `system` and
/// `rust` targets and a build cell share their layers. No engine needed.
#[test]
fn dockerfile_build_repeats_the_other_stages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(root.join("docker").join(f)).unwrap();
    // From the first FROM line on: the file's own header comment is not copied.
    let body = |text: &str| {
        let at = if text.starts_with("FROM ") {
            0
        } else {
            text.find("\nFROM ").expect("a FROM line") + 1
        };
        text[at..].trim_end().to_string()
    };
    let expected = [
        body(&read("Dockerfile.system")),
        body(&read("Dockerfile.rust")).replacen("FROM input AS rust", "FROM system AS rust", 1),
        body(&read("Dockerfile.cargo"))
            .replacen("FROM input AS deps", "FROM rust AS deps", 1)
            .replacen("FROM input AS build", "FROM deps AS build", 1),
    ]
    .join("\n\n");
    assert_eq!(
        body(&read("Dockerfile.build")),
        expected,
        "docker/Dockerfile.build is out of step with Dockerfile.system, .rust and .cargo"
    );
}

struct Example {
    env: Vec<(String, String)>,
    state: tempfile::TempDir,
    /// The copy of the working tree the builds run in.
    tree: tempfile::TempDir,
}

/// Paths of the repository the build context leaves out (.dockerignore), and
/// so the copy too.
const NOT_COPIED: &[&str] = &["target", ".cache", ".git", "fuzz/target"];

/// Copies the directory `from` (relative path `rel` of the repository) into
/// `to`, without the paths of [`NOT_COPIED`]; symbolic links stay links.
fn copy_tree(from: &Path, to: &Path, rel: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        if NOT_COPIED.iter().any(|n| rel == Path::new(n)) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&src, &dst, &rel)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// A copy of the working tree, with `.cache` (the example tree's host inputs)
/// linked to the repository's.
fn snapshot() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(common::repo(), dir.path(), Path::new("")).unwrap();
    std::os::unix::fs::symlink(common::repo().join(".cache"), dir.path().join(".cache")).unwrap();
    dir
}

impl Example {
    fn matrix(&self, extra: &[&str]) -> Output {
        let mut c = Command::new(MATRIX);
        c.current_dir(self.tree.path())
            .envs(self.env.iter().cloned())
            .env("MATRIX_BUILDER_DRIVER", "docker")
            .env("MATRIX_STATE_DIR", self.state.path())
            .env("TMPDIR", self.state.path())
            .args(BUILD)
            .args(extra);
        for a in AXES {
            c.env_remove(a).env_remove(format!("{a}s"));
        }
        c.output().unwrap()
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// One row of the summary table.
#[derive(Debug)]
struct Row {
    target: String,
    done: u32,
    total: u32,
    cached: String,
    result: String,
}

/// The summary table after the last `TARGET  STEPS  CACHED  WALL  RESULT` header.
fn summary(out: &str) -> Vec<Row> {
    let lines: Vec<&str> = out.lines().collect();
    let Some(header) = lines.iter().rposition(|l| {
        l.split_whitespace().collect::<Vec<_>>() == ["TARGET", "STEPS", "CACHED", "WALL", "RESULT"]
    }) else {
        return Vec::new();
    };
    lines[header + 1..]
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .take_while(|f| f.len() >= 5)
        .map(|f| {
            let (done, total) = f[1].split_once('/').unwrap_or(("0", "?"));
            Row {
                target: f[0].to_string(),
                done: done.parse().unwrap_or(0),
                total: total.parse().unwrap_or(u32::MAX),
                cached: f[2].to_string(),
                result: f[4..].join(" "),
            }
        })
        .collect()
}

#[test]
fn summary_reads_the_last_table() {
    let out = "x | step DONE 0.1s\n\nTARGET  STEPS  CACHED  WALL  RESULT\n\
               a  1/2  0%  1.0s  FAILED\n\nTARGET  STEPS  CACHED   WALL  RESULT\n\
               a    2/2    100%   0.1s  ok\nb  3/3  50%  2.0s  ok\n";
    let rows = summary(out);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].target.as_str(), rows[0].done, rows[0].total),
        ("a", 2, 2)
    );
    assert_eq!(
        (rows[1].cached.as_str(), rows[1].result.as_str()),
        ("50%", "ok")
    );
}

#[test]
fn parses_engine_env_lines() {
    let env = common::parse_env(
        "export DOCKER_HOST='unix:///x/docker.sock'\nexport DOCKER_CONFIG=\"/x/c\"\n\
         unset DOCKER_CONTEXT\nexport MATRIX_REGISTRY=127.0.0.1:5000\n",
    );
    let want: Vec<(String, String)> = [
        ("DOCKER_HOST", "unix:///x/docker.sock"),
        ("DOCKER_CONFIG", "/x/c"),
        ("MATRIX_REGISTRY", "127.0.0.1:5000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(env, want);
}

#[test]
fn example_tree_builds_then_reruns_fully_cached() {
    let Some(env) = common::engine_env("the example-tree build test") else {
        return;
    };
    // The host inputs: root file system layouts, toolchains, vendored crates.
    let inputs = Command::new(common::repo().join("scripts/example-inputs"))
        .arg("--vendor")
        .current_dir(common::repo())
        .envs(env.iter().cloned())
        .output()
        .unwrap();
    assert!(
        inputs.status.success(),
        "scripts/example-inputs: {}",
        text(&inputs)
    );
    let ex = Example {
        env,
        state: tempfile::tempdir().unwrap(),
        tree: snapshot(),
    };

    // The definition handed to buildx: the requested cells with their own
    // output (the cache only) and their `target:` ancestors, which buildx
    // 0.13.1 strips of outputs (so its docker driver would export each one
    // as an image by default).
    let print = ex.matrix(&["--print"]);
    assert!(print.status.success(), "{}", text(&print));
    let def: serde_json::Value = serde_json::from_slice(&print.stdout).unwrap();
    let targets = def["target"].as_object().expect("targets in --print");
    let expected: BTreeSet<String> = targets.keys().cloned().collect();
    for stage in ["system--", "build--", "tests--"] {
        assert!(
            expected.iter().any(|t| t.starts_with(stage)),
            "no {stage} target in {expected:?}"
        );
    }
    // A build cell holds its system, toolchain and dependencies itself
    // (docker/Dockerfile.build): no `target:` chain through rust and deps.
    for stage in ["rust--", "deps--"] {
        assert!(
            !expected.iter().any(|t| t.starts_with(stage)),
            "{stage} target in {expected:?}"
        );
    }
    assert_eq!(
        expected.iter().filter(|t| t.starts_with("tests--")).count(),
        2,
        "{expected:?}"
    );
    for (name, t) in targets {
        let requested = name.starts_with("system--") || name.starts_with("tests--");
        let output = if requested {
            serde_json::json!(["type=cacheonly"])
        } else {
            serde_json::Value::Null
        };
        assert_eq!(t["output"], output, "{name}");
    }
    // So buildx's default image export is off (--dry-run shows the command).
    let dry = ex.matrix(&["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        String::from_utf8_lossy(&dry.stdout)
            .starts_with("BUILDX_NO_DEFAULT_LOAD=true docker buildx bake "),
        "{}",
        text(&dry)
    );

    let started = std::time::Instant::now();
    let first = ex.matrix(&["--progress", "plain"]);
    let out = text(&first);
    eprintln!("first build: {:?}", started.elapsed());
    assert!(first.status.success(), "{out}");
    let rows = summary(&out);
    let got: BTreeSet<String> = rows.iter().map(|r| r.target.clone()).collect();
    assert_eq!(got, expected, "summary rows vs --print targets:\n{out}");
    assert_eq!(rows.len(), expected.len(), "{out}");
    for r in &rows {
        assert_eq!(r.result, "ok", "{r:?}\n{out}");
        assert_eq!(r.done, r.total, "not every step done: {r:?}\n{out}");
    }
    // No target, ancestor or not, was exported as an image.
    for export in ["exporting to image", "naming to", "unpacking to"] {
        assert!(!out.contains(export), "{export:?} in the build:\n{out}");
    }

    let started = std::time::Instant::now();
    let second = ex.matrix(&["--progress", "plain"]);
    let out = text(&second);
    eprintln!("cached rerun: {:?}", started.elapsed());
    assert!(second.status.success(), "{out}");
    let rows = summary(&out);
    let got: BTreeSet<String> = rows.iter().map(|r| r.target.clone()).collect();
    assert_eq!(got, expected, "{out}");
    for r in &rows {
        assert_eq!(
            (r.cached.as_str(), r.result.as_str()),
            ("100%", "ok"),
            "not fully cached: {r:?}\n{out}"
        );
        assert_eq!(r.done, r.total, "{r:?}\n{out}");
    }
    for export in ["exporting to image", "naming to", "unpacking to"] {
        assert!(!out.contains(export), "{export:?} in the rerun:\n{out}");
    }
}
