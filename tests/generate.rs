//! `matrix generate`: the example tree is up to date and prints like buildx;
//! random valid specs generate trees whose cache analysis (`matrix check`)
//! finds no unsound sharing; deliberate breaks of the cache-id derivation are
//! each caught by `matrix check`.
//!
//! Oracle: DOCKER_CONFIG = `$MATRIX_DOCKER_CONFIG` or `<repo>/.cache/docker`
//! (as tests/parity.rs). Without it the parity test is skipped with a
//! warning, unless CI=true, where it fails.

use bake_matrix::bake::load::load_sources;
use bake_matrix::bake::source::{SourceFile, SourceMap};
use bake_matrix::cacheid::{self, Break};
use bake_matrix::check::{self, CheckOptions};
use bake_matrix::generate;
use bake_matrix::spec::{self, Spec};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const MATRIX: &str = env!("CARGO_BIN_EXE_matrix");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// --- the example tree --------------------------------------------------------

#[test]
fn example_tree_is_up_to_date() {
    let out = Command::new(MATRIX)
        .current_dir(repo())
        .args([
            "generate",
            "--check",
            "--spec",
            "bake/matrix.hcl",
            "-o",
            "bake/bake.hcl",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "bake/bake.hcl is stale: run `matrix generate`\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generate_check_reports_drift_and_write_is_atomic() {
    let dir = tempdir("drift");
    let spec = dir.join("matrix.hcl");
    std::fs::write(
        &spec,
        "axis \"os\" {\n  values = [\"a\", \"b\"]\n}\nstage \"s\" {\n  axes = [\"os\"]\n  dockerfile = \"Dockerfile\"\n}\ngroup \"default\" {\n  targets = [\"s\"]\n}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(MATRIX)
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "generate",
        "--spec",
        "matrix.hcl",
        "-o",
        "out/bake.hcl",
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["generate", "--spec", "matrix.hcl", "-o", "out/bake.hcl"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("out/bake.hcl")).unwrap();
    assert!(text.starts_with(generate::HEADER));
    assert_eq!(
        std::fs::read_dir(dir.join("out")).unwrap().count(),
        1,
        "temp file left"
    );
    let out = run(&[
        "generate",
        "--spec",
        "matrix.hcl",
        "-o",
        "out/bake.hcl",
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(dir.join("out/bake.hcl"), text.replace("\"b\"", "\"c\"")).unwrap();
    let out = run(&[
        "generate",
        "--spec",
        "matrix.hcl",
        "-o",
        "out/bake.hcl",
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-") && err.contains("+"),
        "no diff shown: {err}"
    );
    // A bad spec: exit 2 with a located error.
    std::fs::write(
        &spec,
        "axis \"os\" {\n  values = [\"a\"]\n  colour = 1\n}\n",
    )
    .unwrap();
    let out = run(&["generate", "--spec", "matrix.hcl", "-o", "out/bake.hcl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("matrix.hcl:3:3"), "{err}");
}

fn docker_config() -> PathBuf {
    match std::env::var_os("MATRIX_DOCKER_CONFIG") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            if p.is_absolute() {
                p
            } else {
                std::env::current_dir().unwrap().join(p)
            }
        }
        _ => repo().join(".cache").join("docker"),
    }
}

const FULL_MATRIX: &[(&str, &str)] = &[
    ("cargo_profiles", r#"["test","release","bench"]"#),
    ("rust_toolchains", r#"["stable","nightly","1.85.0"]"#),
    ("feat_sets", r#"["default","none"]"#),
    ("sys_versions", r#"["bookworm","trixie"]"#),
    (
        "sys_targets",
        r#"["x86_64-v1-linux-gnu","x86_64-v3-linux-gnu"]"#,
    ),
];

fn normalized(out: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(out).expect("JSON");
    if let Some(groups) = v.get_mut("group").and_then(|g| g.as_object_mut()) {
        for g in groups.values_mut() {
            if let Some(t) = g.get_mut("targets").and_then(|t| t.as_array_mut()) {
                t.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
    v
}

#[test]
fn example_tree_prints_like_buildx() {
    let dc = docker_config();
    if !dc.join("cli-plugins/docker-buildx").exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "no buildx oracle in {} (CI=true): run scripts/install-buildx",
                dc.display()
            );
        }
        eprintln!("warning: no buildx oracle in {}: skipping", dc.display());
        return;
    }
    for env in [&[][..], FULL_MATRIX] {
        let run = |cmd: &mut Command, extra: &[(&str, &Path)]| {
            cmd.env_clear()
                .envs(extra.iter().copied())
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", "/root")
                .current_dir(repo())
                .envs(env.iter().copied());
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let ours = run(
            Command::new(MATRIX).args(["print", "-f", "bake/bake.hcl", "all"]),
            &[],
        );
        let theirs = run(
            Command::new("docker").args([
                "buildx",
                "bake",
                "-f",
                "bake/bake.hcl",
                "--print",
                "all",
            ]),
            &[("DOCKER_CONFIG", dc.as_path())],
        );
        let (a, b) = (normalized(&ours), normalized(&theirs));
        assert_eq!(a, b, "matrix print and buildx differ (env {env:?})");
        let n = a["target"].as_object().map_or(0, |t| t.len());
        assert!(
            n >= if env.is_empty() { 5 } else { 100 },
            "only {n} targets"
        );
    }
}

#[test]
fn example_cache_ids_match_the_dockerfiles() {
    // `matrix cache-ids` (from the spec) and `matrix check --cache-summary`
    // (from the evaluated tree and its Dockerfiles) agree on every id.
    let out = Command::new(MATRIX)
        .current_dir(repo())
        .args(["cache-ids", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<(String, String, String)> = Vec::new();
    for c in v["cells"].as_array().unwrap() {
        let default_cell = c["cell"].as_object().unwrap().iter().all(|(k, v)| {
            matches!(
                (k.as_str(), v.as_str().unwrap()),
                ("cargo_profile", "test")
                    | ("rust_toolchain", "stable")
                    | ("feat_set", "default")
                    | ("sys_version", "bookworm")
                    | ("sys_target", "x86_64-v1-linux-gnu")
                    | ("rust_target", _)
                    | ("sys_name", _)
            )
        });
        if default_cell {
            for m in c["mounts"].as_array().unwrap() {
                ids.push((
                    m["id"].as_str().unwrap().into(),
                    m["path"].as_str().unwrap().into(),
                    m["sharing"].as_str().unwrap().into(),
                ));
            }
        }
    }
    ids.sort();
    ids.dedup();
    let out = Command::new(MATRIX)
        .current_dir(repo())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["check", "-f", "bake/bake.hcl", "--cache-summary"])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&out.stderr);
    let mut seen: Vec<(String, String, String)> = summary
        .lines()
        .skip_while(|l| !l.starts_with("cache id"))
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].into(), f[2].into(), f[3].into())
        })
        .collect();
    seen.sort();
    assert!(!ids.is_empty());
    assert_eq!(ids, seen);
}

// --- random specs ------------------------------------------------------------

fn tempdir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "matrix-gen-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const AXES: &[(&str, &[&str])] = &[
    ("sys_name", &["debian", "ubuntu"]),
    ("sys_version", &["bookworm", "trixie", "noble"]),
    ("sys_arch", &["amd64", "arm64"]),
    (
        "rust_target",
        &["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-musl"],
    ),
    ("rust_toolchain", &["stable", "nightly", "1.80.0"]),
    ("cargo_profile", &["dev", "test", "release", "bench", "ci"]),
    ("feat_set", &["default", "all", "none"]),
    ("sys_target", &["x86_64-v1", "x86_64-v3"]),
];

const KINDS: &[&str] = &[
    "cargo-target",
    "cargo-registry",
    "cargo-git",
    "rustup",
    "apt",
];

/// A random spec's shape, from which its text is written.
#[derive(Debug, Clone)]
struct Shape {
    /// Per axis of AXES: how many values (0 = axis absent).
    counts: Vec<usize>,
    /// Per stage: parent (index into earlier stages), extra axes mask, caches mask.
    stages: Vec<(Option<usize>, u32, u32)>,
    /// Exclude rules: (axis, value index) pairs.
    excludes: Vec<Vec<(usize, usize)>>,
    /// Extra partition axes mask.
    extra_partition: u32,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop::collection::vec(0usize..4, AXES.len()),
        prop::collection::vec(
            (
                any::<Option<prop::sample::Index>>(),
                any::<u32>(),
                any::<u32>(),
            ),
            1..6,
        ),
        prop::collection::vec(
            prop::collection::vec((0usize..AXES.len(), 0usize..5), 1..3),
            0..3,
        ),
        any::<u32>(),
    )
        .prop_map(|(counts, stages, excludes, extra_partition)| Shape {
            counts: counts
                .into_iter()
                .enumerate()
                .map(|(a, c)| c.min(AXES[a].1.len()))
                .collect(),
            stages: stages
                .into_iter()
                .enumerate()
                .map(|(i, (p, axes, caches))| {
                    (p.filter(|_| i > 0).map(|ix| ix.index(i)), axes, caches)
                })
                .collect(),
            excludes,
            extra_partition,
        })
}

/// The spec text and its stages' Dockerfile for a shape.
fn render(shape: &Shape, dockerfile: &Path) -> String {
    let present: Vec<usize> = (0..AXES.len()).filter(|&a| shape.counts[a] > 0).collect();
    let has = |n: &str| present.iter().any(|&a| AXES[a].0 == n);
    let mut s = String::new();
    for &a in &present {
        let vals: Vec<String> = AXES[a]
            .1
            .iter()
            .take(shape.counts[a])
            .map(|v| format!("{v:?}"))
            .collect();
        s += &format!(
            "axis {:?} {{\n  values = [{}]\n  default = [{}]\n",
            AXES[a].0,
            vals.join(", "),
            vals[0]
        );
        if AXES[a].1.iter().any(|v| v.contains('.')) {
            s += "  sanitize = true\n";
        }
        s += "}\n";
    }
    for rule in &shape.excludes {
        let items: Vec<String> = rule
            .iter()
            .filter(|(a, v)| shape.counts[*a] > 0 && *v < shape.counts[*a])
            .map(|(a, v)| format!("  {} = {:?}\n", AXES[*a].0, AXES[*a].1[*v]))
            .collect();
        let mut uniq = items.clone();
        uniq.sort();
        uniq.dedup_by(|x, y| x.split('=').next() == y.split('=').next());
        if !uniq.is_empty() {
            s += &format!("exclude {{\n{}}}\n", uniq.concat());
        }
    }
    // The partition: the check's default axes that exist, plus random extras.
    let mut partition: Vec<&str> = check::DEFAULT_PARTITION_AXES
        .iter()
        .copied()
        .filter(|a| has(a))
        .collect();
    for (i, &a) in present.iter().enumerate() {
        if shape.extra_partition & (1 << i) != 0 && !partition.contains(&AXES[a].0) {
            partition.push(AXES[a].0);
        }
    }
    s += &format!(
        "cache {{\n  partition = [{}]\n}}\n",
        partition
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let apt: Vec<&str> = ["sys_name", "sys_version", "sys_arch"]
        .into_iter()
        .filter(|a| has(a))
        .collect();
    let mut stage_axes: Vec<Vec<&str>> = Vec::new();
    for (i, (parent, mask, caches)) in shape.stages.iter().enumerate() {
        let mut axes: Vec<&str> = parent.map(|p| stage_axes[p].clone()).unwrap_or_default();
        for (k, &a) in present.iter().enumerate() {
            if mask & (1 << k) != 0 && !axes.contains(&AXES[a].0) {
                axes.push(AXES[a].0);
            }
        }
        let mut kinds = Vec::new();
        for (k, kind) in KINDS.iter().enumerate() {
            if caches & (1 << k) == 0 {
                continue;
            }
            let need: Vec<&str> = match *kind {
                "cargo-target" if has("cargo_profile") => {
                    let mut n = partition.clone();
                    n.push("cargo_profile");
                    if has("rust_target") {
                        n.push("rust_target");
                    }
                    n
                }
                "cargo-target" => continue,
                "apt" => apt.clone(),
                _ => Vec::new(),
            };
            for n in need {
                if !axes.contains(&n) {
                    axes.push(n);
                }
            }
            kinds.push(format!("{kind:?}"));
        }
        s += &format!(
            "stage \"s{i}\" {{\n  axes = [{}]\n  dockerfile = {:?}\n  caches = [{}]\n",
            axes.iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            dockerfile.display().to_string(),
            kinds.join(", ")
        );
        if let Some(p) = parent {
            s += &format!("  input = \"s{p}\"\n");
        }
        s += "}\n";
        stage_axes.push(axes);
    }
    let all: Vec<String> = (0..shape.stages.len())
        .map(|i| format!("\"s{i}\""))
        .collect();
    s += &format!(
        "group \"default\" {{\n  targets = [{}]\n}}\n",
        all.join(", ")
    );
    s
}

/// A Dockerfile with one stage per spec stage, declaring its axes and mount
/// args and wiring its mounts.
fn dockerfile(spec: &Spec) -> String {
    let mut d = String::new();
    for (i, s) in spec.stages.iter().enumerate() {
        d += &format!(
            "FROM {} AS {}\n",
            if s.input.is_some() {
                "input"
            } else {
                "scratch"
            },
            s.name
        );
        for &a in &s.axes {
            d += &format!("ARG {}\n", spec.axes[a].name);
        }
        let mounts = cacheid::mounts(spec, i, &[]);
        for (k, _) in cacheid::args(spec, &mounts) {
            d += &format!("ARG {k}\n");
        }
        if !mounts.is_empty() {
            d += &format!("RUN {} true\n", cacheid::mount_flags(&mounts).join(" "));
        }
    }
    d
}

/// Generates, evaluates (with every axis at all its values) and checks.
fn check_generated(spec: &Spec, breaks: &[Break]) -> Vec<bake_matrix::diag::Diagnostic> {
    let text = generate::generate(
        spec,
        &generate::Options {
            breaks: breaks.to_vec(),
            ..Default::default()
        },
    );
    let env: Vec<(String, String)> = spec
        .axes
        .iter()
        .map(|a| (a.plural.clone(), serde_json::to_string(&a.values).unwrap()))
        .collect();
    let lookup = |n: &str| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new("bake.hcl", text.clone()));
    let loaded = match load_sources(sources, &lookup, std::time::Instant::now()) {
        Ok(l) => l,
        Err((e, _)) => panic!("generated tree does not evaluate: {e}\n{text}"),
    };
    let opts = CheckOptions {
        partition_axes: spec
            .cache
            .partition
            .iter()
            .map(|&a| spec.axes[a].name.clone())
            .collect(),
        ..CheckOptions::default()
    };
    check::check(&loaded, &opts)
}

fn is_cache_or_lineage(rule: &str) -> bool {
    rule.starts_with("cache-")
        || matches!(
            rule,
            "unpartitioned-cache"
                | "ambiguous-lineage"
                | "mismatched-parent-cell"
                | "dangling-context"
                | "invalid-input"
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_specs_share_caches_soundly(shape in shape()) {
        prop_assume!(shape.counts.iter().any(|&c| c > 0));
        let dir = tempdir("prop");
        let df = dir.join("Dockerfile");
        let text = render(&shape, &df);
        let (spec, sources) = match spec::parse_str("matrix.hcl", &text) {
            Ok(s) => s,
            Err((e, sources)) => panic!("invalid random spec: {}\n{text}", e.to_diagnostic(&sources).message),
        };
        let _ = sources;
        std::fs::write(&df, dockerfile(&spec)).unwrap();
        let diags = check_generated(&spec, &[]);
        let bad: Vec<String> = diags
            .iter()
            .filter(|d| is_cache_or_lineage(d.rule))
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert!(bad.is_empty(), "{bad:#?}\n{text}");
    }
}

// --- mutations ---------------------------------------------------------------

/// A spec where every break has something to break: two values on every
/// partition axis, two stages sharing the cargo subdirectories.
const MUTATION_SPEC: &str = r#"
axis "cargo_profile" {
  values = ["dev", "release"]
}
axis "rust_toolchain" {
  values   = ["stable", "1.80.0"]
  sanitize = true
}
axis "sys_version" {
  values = ["bookworm", "trixie"]
}
axis "feat_set" {
  values = ["default", "all"]
}
cache {
  partition = ["sys_version", "rust_toolchain", "cargo_profile"]
}
stage "deps" {
  axes       = ["cargo_profile", "rust_toolchain", "sys_version"]
  dockerfile = "DOCKERFILE"
  caches     = ["cargo-target", "cargo-registry"]
}
stage "build" {
  axes       = ["cargo_profile", "rust_toolchain", "sys_version", "feat_set"]
  input      = "deps"
  dockerfile = "DOCKERFILE"
  caches     = ["cargo-target", "cargo-registry"]
}
group "default" {
  targets = ["build"]
}
"#;

fn mutation_spec() -> (Spec, PathBuf) {
    let dir = tempdir("mut");
    let df = dir.join("Dockerfile");
    let text = MUTATION_SPEC.replace("DOCKERFILE", &df.display().to_string());
    let (spec, _) = spec::parse_str("matrix.hcl", &text)
        .map_err(|(e, _)| e.message)
        .unwrap();
    std::fs::write(&df, dockerfile(&spec)).unwrap();
    (spec, dir)
}

fn rules_of(diags: &[bake_matrix::diag::Diagnostic]) -> Vec<&'static str> {
    let mut r: Vec<&str> = diags.iter().map(|d| d.rule).collect();
    r.sort_unstable();
    r.dedup();
    r
}

#[test]
fn mutation_baseline_is_clean() {
    let (spec, dir) = mutation_spec();
    let diags = check_generated(&spec, &[]);
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        diags.is_empty(),
        "{:#?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

#[test]
fn mutation_drop_prefix_axis_is_caught() {
    let (spec, dir) = mutation_spec();
    for axis in ["sys_version", "rust_toolchain", "cargo_profile"] {
        let a = spec.axis(axis).unwrap();
        let diags = check_generated(&spec, &[Break::DropPrefixAxis(a)]);
        assert!(
            diags
                .iter()
                .any(|d| d.rule == "unpartitioned-cache" && d.message.contains(axis)),
            "dropping {axis} from the prefix was not caught: {:?}",
            rules_of(&diags)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn mutation_shared_artifact_area_is_caught() {
    let (spec, dir) = mutation_spec();
    let diags = check_generated(&spec, &[Break::ShareArtifactArea]);
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        diags
            .iter()
            .any(|d| d.rule == "unpartitioned-cache" && d.message.contains("cargo-target")),
        "a shared artifact area was not caught: {:?}",
        rules_of(&diags)
    );
}

#[test]
fn mutation_mixed_sharing_is_caught() {
    let (spec, dir) = mutation_spec();
    let diags = check_generated(&spec, &[Break::MixSharing]);
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        diags.iter().any(|d| d.rule == "cache-sharing-mismatch"),
        "mixed sharing modes were not caught: {:?}",
        rules_of(&diags)
    );
}

// --- spec validation ------------------------------------------------------------

#[test]
fn bad_specs_are_located() {
    let base = "axis \"a\" {\n  values = [\"x\", \"y\"]\n}\naxis \"b\" {\n  values = [\"1.0\"]\n  sanitize = true\n}\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "stage \"p\" {\n  axes = [\"a\", \"b\"]\n  dockerfile = \"D\"\n}\nstage \"c\" {\n  axes = [\"a\"]\n  input = \"p\"\n  dockerfile = \"D\"\n}\ngroup \"g\" {\n  targets = [\"c\"]\n}\n",
            "matrix.hcl:13:10",
            "not keyed on",
        ),
        (
            "stage \"s\" {\n  axes = [\"a\"]\n  dockerfile = \"D\"\n  args = { x = b }\n}\ngroup \"g\" {\n  targets = [\"s\"]\n}\n",
            "matrix.hcl:11:16",
            "",
        ),
        (
            "stage \"s\" {\n  axes = [\"a\"]\n  dockerfile = \"D\"\n  input = \"nope\"\n}\n",
            "matrix.hcl:11:11",
            "unknown stage",
        ),
        (
            "stage \"s\" {\n  axes = [\"a\"]\n  dockerfile = \"D\"\n  caches = [\"cargo-target\"]\n}\ngroup \"g\" {\n  targets = [\"s\"]\n}\n",
            "matrix.hcl:11:12",
            "profile axis",
        ),
        (
            "stage \"s\" {\n  axes = [\"a\"]\n  dockerfile = \"D\"\n}\n",
            "matrix.hcl:8:7",
            "in no group",
        ),
        (
            "exclude {\n  a = \"z\"\n}\nstage \"s\" {\n  dockerfile = \"D\"\n}\n",
            "matrix.hcl:9:7",
            "not a value",
        ),
    ];
    for (body, at, msg) in cases {
        let text = format!("{base}{body}");
        let Err((e, sources)) = spec::parse_str("matrix.hcl", &text) else {
            panic!("accepted:\n{text}");
        };
        let loc = sources
            .location(e.span.expect("located"))
            .unwrap()
            .to_string();
        assert_eq!(&loc, at, "{}\n{text}", e.message);
        assert!(e.message.contains(msg), "{} lacks {msg:?}", e.message);
    }
}

#[test]
fn sanitized_names_and_rules() {
    let text = "axis \"t\" {\n  values = [\"1.80.0\", \"stable\"]\n  sanitize = { \"stable\" = \"st\" }\n}\naxis \"p\" {\n  values = [\"dev\", \"release\"]\n}\nexclude {\n  t = \"1.80.0\"\n  p = \"release\"\n}\nstage \"s\" {\n  axes = [\"t\", \"p\"]\n  dockerfile = \"D\"\n}\ngroup \"default\" {\n  targets = [\"s\"]\n}\n";
    let (spec, _) = spec::parse_str("m.hcl", text)
        .map_err(|(e, _)| e.message)
        .unwrap();
    assert_eq!(spec.axes[0].sanitize.apply("1.80.0"), "1-80-0");
    assert_eq!(spec.axes[0].sanitize.apply("stable"), "st");
    let out = generate::generate(&spec, &generate::Options::default());
    let env = |n: &str| match n {
        "ts" => Some(r#"["1.80.0","stable"]"#.to_string()),
        "ps" => Some(r#"["dev","release"]"#.to_string()),
        _ => None,
    };
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new("bake.hcl", out.clone()));
    let loaded = load_sources(sources, &env, std::time::Instant::now())
        .map_err(|(e, _)| e.message)
        .unwrap();
    let def = loaded.definition(&[], &[], &env).unwrap();
    let json = bake_matrix::bake::print::to_json(&def);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut names: Vec<&str> = v["target"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["s--1-80-0--dev", "s--st--dev", "s--st--release"],
        "{out}"
    );
}

#[test]
fn one_axis_stage_with_rules_prints_like_buildx() {
    // Regression (found by the property test): setproduct needs two lists.
    let text = "axis \"a\" {\n  values = [\"x\", \"y\"]\n}\nexclude {\n  a = \"y\"\n}\nstage \"s\" {\n  axes = [\"a\"]\n  dockerfile = \"D\"\n}\ngroup \"default\" {\n  targets = [\"s\"]\n}\n";
    let (spec, _) = spec::parse_str("m.hcl", text)
        .map_err(|(e, _)| e.message)
        .unwrap();
    let out = generate::generate(&spec, &generate::Options::default());
    let env = |n: &str| (n == "as").then(|| r#"["x","y"]"#.to_string());
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new("bake.hcl", out.clone()));
    let loaded = load_sources(sources, &env, std::time::Instant::now())
        .map_err(|(e, _)| e.message)
        .unwrap();
    let def = loaded.definition(&[], &[], &env).unwrap();
    let json = bake_matrix::bake::print::to_json(&def);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["target"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["s--x"], "{out}");
}
