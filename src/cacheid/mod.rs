//! Cache-mount ids derived per stage and cell (see `docs/cache-ids.md`).
//!
//! Every mount is described once, as parts (literals, axis values, cargo's
//! profile directory), and rendered either as a bake template (for the
//! generated build args) or as a concrete string for one cell (for
//! `matrix cache-ids`). Dockerfiles never spell an id, a path or a sharing
//! mode: they wire the generated args
//! `--mount=type=cache,id=${M_id},target=${M_path},sharing=${M_sharing}`.

use crate::spec::{CacheKind, Spec, Stage};
use std::collections::BTreeMap;

/// One piece of an id or path.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    /// The cell's value of an axis.
    Axis(usize),
    /// `axis=value` (unambiguous, for the per-cell remainder of an id).
    Keyed(usize),
    /// cargo's directory for the profile axis' value.
    ProfileDir(usize),
}

/// A cache mount of a stage.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Arg stem: the build args are `<name>_id`, `<name>_path`, `<name>_sharing`.
    pub name: &'static str,
    pub kind: CacheKind,
    pub id: Vec<Part>,
    pub path: Vec<Part>,
    pub sharing: &'static str,
    /// Axes the id is keyed on (indices, axis order).
    pub partition: Vec<usize>,
    pub reason: &'static str,
}

/// Deliberate breaks of the derivation, for mutation tests only: each must be
/// caught by `matrix check`.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Break {
    /// Leave this axis out of the partition prefix.
    DropPrefixAxis(usize),
    /// One artifact area for every cell.
    ShareArtifactArea,
    /// `shared` instead of `locked` for the shared cargo subdirectories of
    /// every other stage (by position in the spec).
    MixSharing,
}

fn join(parts: &mut Vec<Part>, p: Part) {
    if !parts.is_empty() {
        parts.push(Part::Lit("/".into()));
    }
    parts.push(p);
}

fn lit(s: &str) -> Part {
    Part::Lit(s.to_string())
}

/// The mounts a stage uses, in a fixed order.
pub fn mounts(spec: &Spec, stage_index: usize, breaks: &[Break]) -> Vec<Mount> {
    let stage: &Stage = &spec.stages[stage_index];
    let c = &spec.cache;
    let ns = || vec![lit(&c.namespace)];
    let prefix: Vec<usize> = c
        .partition
        .iter()
        .copied()
        .filter(|a| !breaks.contains(&Break::DropPrefixAxis(*a)))
        .collect();
    let with_prefix = |axes: &[usize], kind: &str| {
        let mut id = ns();
        for &a in axes {
            join(&mut id, Part::Axis(a));
        }
        join(&mut id, lit(kind));
        id
    };
    let mut out = Vec::new();
    for &k in &stage.caches {
        match k {
            CacheKind::CargoTarget => {
                let profile = c.profile_axis.expect("validated: cargo-target needs a profile axis");
                // The artifact area: every keyed axis, prefix first.
                let mut id = with_prefix(&prefix, "cargo-target");
                let rest: Vec<usize> = stage
                    .axes
                    .iter()
                    .copied()
                    .filter(|a| !c.partition.contains(a))
                    .collect();
                let mut partition = prefix.clone();
                partition.extend(&rest);
                partition.sort_unstable();
                if breaks.contains(&Break::ShareArtifactArea) {
                    id = vec![lit(&c.namespace), lit("/cargo-target")];
                    partition.clear();
                } else {
                    join(&mut id, lit("cell"));
                    for a in rest {
                        join(&mut id, Part::Keyed(a));
                    }
                }
                out.push(Mount {
                    name: "cargo_target",
                    kind: k,
                    id,
                    path: vec![lit(&c.cargo_target_dir)],
                    sharing: "locked",
                    partition,
                    reason: "cargo's top-level artifact area (uplifted binaries, .cargo-lock) is not concurrency safe: one per cell, locked",
                });
                // The hash-sharded subdirectories, shared within the partition.
                let mut out_dir = vec![lit(&c.cargo_target_dir)];
                if let Some(t) = c.target_axis {
                    join(&mut out_dir, Part::Axis(t));
                }
                join(&mut out_dir, Part::ProfileDir(profile));
                let mixed = breaks.contains(&Break::MixSharing) && stage_index % 2 == 1;
                for (name, sub, reason) in [
                    ("cargo_deps", "deps", "compiled units named by metadata hash (features, deps, profile, target): shared within the partition, locked because build scripts and rustc write in place"),
                    ("cargo_build", "build", "build-script outputs keyed by unit hash: shared within the partition, locked (a script may rewrite its OUT_DIR)"),
                    ("cargo_fingerprint", ".fingerprint", "fingerprints keyed by unit hash, holding absolute paths: shared within the partition at one constant path, locked"),
                ] {
                    let mut path = out_dir.clone();
                    join(&mut path, lit(sub));
                    out.push(Mount {
                        name,
                        kind: k,
                        id: with_prefix(&prefix, &format!("cargo-{}", sub.trim_start_matches('.'))),
                        path,
                        sharing: if mixed { "shared" } else { "locked" },
                        partition: {
                            let mut p = prefix.clone();
                            p.sort_unstable();
                            p
                        },
                        reason,
                    });
                }
            }
            CacheKind::CargoRegistry => out.push(Mount {
                name: "cargo_registry",
                kind: k,
                id: with_prefix(&[], "cargo-registry"),
                path: vec![lit(&format!("{}/registry", c.cargo_home))],
                sharing: "locked",
                partition: Vec::new(),
                reason: "crate archives and index, content-addressed by name, version and checksum: shared by all, locked for writers",
            }),
            CacheKind::CargoGit => out.push(Mount {
                name: "cargo_git",
                kind: k,
                id: with_prefix(&[], "cargo-git"),
                path: vec![lit(&format!("{}/git", c.cargo_home))],
                sharing: "locked",
                partition: Vec::new(),
                reason: "git dependencies by url hash and commit: shared by all, locked for writers",
            }),
            CacheKind::Rustup => out.push(Mount {
                name: "rustup_downloads",
                kind: k,
                id: with_prefix(&[], "rustup-downloads"),
                path: vec![lit(&format!("{}/downloads", c.rustup_home))],
                sharing: "locked",
                partition: Vec::new(),
                reason: "toolchain archives named by their sha256: shared by all, locked for writers",
            }),
            CacheKind::Apt => {
                for (name, sub, path) in [
                    ("apt_cache", "apt-cache", "/var/cache/apt"),
                    ("apt_lists", "apt-lists", "/var/lib/apt/lists"),
                ] {
                    out.push(Mount {
                        name,
                        kind: k,
                        id: with_prefix(&c.apt_partition, sub),
                        path: vec![lit(path)],
                        sharing: "locked",
                        partition: c.apt_partition.clone(),
                        reason: "apt archives and lists differ per distribution, release and architecture; apt locks them exclusively",
                    });
                }
            }
        }
    }
    out
}

/// The generated bake function mapping a cargo profile to its directory.
pub const PROFILE_DIR_FN: &str = "cargo_profile_dir";

/// An HCL object literal for cargo's profile directories (for `lookup`).
pub fn profile_dirs_object(spec: &Spec) -> String {
    let items: Vec<String> = spec
        .cache
        .profile_dirs
        .iter()
        .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A quoted HCL string literal (no interpolation).
pub fn quote(s: &str) -> String {
    if !s
        .bytes()
        .any(|b| matches!(b, b'"' | b'\\' | b'\n' | b'$' | b'%'))
    {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return out;
    }
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(ch);
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The parts as an HCL template string (matrix variables in scope).
pub fn to_template(spec: &Spec, parts: &[Part]) -> String {
    let mut out = String::from("\"");
    for p in parts {
        match p {
            Part::Lit(s) => {
                let q = quote(s);
                out.push_str(&q[1..q.len() - 1]);
            }
            Part::Axis(a) => out.push_str(&format!("${{{}}}", spec.axes[*a].name)),
            Part::Keyed(a) => out.push_str(&format!(
                "{}=${{{}}}",
                spec.axes[*a].name, spec.axes[*a].name
            )),
            Part::ProfileDir(a) => {
                let n = &spec.axes[*a].name;
                out.push_str(&format!("${{{PROFILE_DIR_FN}({n})}}"));
            }
        }
    }
    out.push('"');
    out
}

/// The parts for one cell.
pub fn render(spec: &Spec, parts: &[Part], cell: &BTreeMap<usize, String>) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Axis(a) => out.push_str(&cell[a]),
            Part::Keyed(a) => out.push_str(&format!("{}={}", spec.axes[*a].name, cell[a])),
            Part::ProfileDir(a) => {
                let v = &cell[a];
                out.push_str(spec.cache.profile_dirs.get(v).unwrap_or(v));
            }
        }
    }
    out
}

/// The `RUN` flags that wire a stage's mounts to its generated args, for
/// Dockerfile authors (`matrix cache-ids --mount-flags`) and tests.
pub fn mount_flags(mounts: &[Mount]) -> Vec<String> {
    mounts
        .iter()
        .map(|m| {
            format!(
                "--mount=type=cache,id=${{{n}_id}},target=${{{n}_path}},sharing=${{{n}_sharing}}",
                n = m.name
            )
        })
        .collect()
}

/// The build args a stage's mounts need: (name, HCL expression), in order.
pub fn args(spec: &Spec, mounts: &[Mount]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in mounts {
        out.push((format!("{}_id", m.name), to_template(spec, &m.id)));
        out.push((format!("{}_path", m.name), to_template(spec, &m.path)));
        out.push((format!("{}_sharing", m.name), quote(m.sharing)));
    }
    out
}
