//! Cache-mount analysis: the effective id of every `RUN --mount=type=cache`
//! in every matrix cell, computed as BuildKit does, and the sharing it implies.
//!
//! BuildKit keys a cache mount by its `id` (default: the cleaned `target`
//! path), prefixed by the `BUILDKIT_CACHE_MOUNT_NS` build arg, with ARGs
//! substituted per build. Builds that get the same id share one cache. That is
//! right for content-addressed caches (cargo registry, rustup downloads) and
//! wrong for cargo's target dir across toolchains, profiles or systems.

use super::Context;
use super::builds::Build;
use crate::bake::validate::clean_path;
use crate::bake::value::Value;
use crate::diag::{Diagnostic, Label};
use crate::dockerfile::{self, MountKind};
use std::collections::BTreeMap;

/// Mount targets that must be partitioned by default: cargo target dirs.
pub const DEFAULT_PARTITIONED_MOUNTS: &[&str] = &["**/target", "**/target/**"];

/// One use of a cache mount by one build.
#[derive(Debug, Clone)]
pub struct CacheUse {
    pub id: String,
    pub explicit_id: bool,
    /// The mount path in the container.
    pub path: String,
    pub sharing: String,
    pub target: String,
    /// The matrix cell of the target (axis → value).
    pub cell: BTreeMap<String, String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Width of the `--mount=…` flag, for underlining.
    pub width: usize,
    /// Whether the mount must never be shared across partitioning axes.
    pub partitioned: bool,
}

/// Every cache-mount use of every build.
pub fn uses(cx: &Context, builds: &[Build]) -> Vec<CacheUse> {
    let patterns: Vec<glob::Pattern> = cx
        .opts
        .partition_mounts
        .iter()
        .filter_map(|p| glob::Pattern::new(p).ok())
        .collect();
    let mut out = Vec::new();
    for b in builds {
        let df = &b.dockerfile;
        let cell: BTreeMap<String, String> = cx
            .config
            .target_origins
            .get(&b.target.name)
            .map(|o| {
                o.cell
                    .iter()
                    .map(|(k, v)| (k.clone(), axis_value(v)))
                    .collect()
            })
            .unwrap_or_default();
        let build_arg = |n: &str| b.arg(n);
        let ns = b.arg("BUILDKIT_CACHE_MOUNT_NS").unwrap_or_default();
        for &i in &b.closure {
            for m in &df.stages[i].mounts {
                let env = df.stage_arg_values(i, Some(m.line), &build_arg);
                let expand = |s: &str| {
                    dockerfile::try_expand(s, df.escape, &|n: &str| env.get(n).cloned())
                        .unwrap_or_else(|_| s.to_string())
                };
                let kind = match &m.kind {
                    MountKind::Unresolved(t) => MountKind::parse(&expand(t)),
                    k => Some(k.clone()),
                };
                if kind != Some(MountKind::Cache) {
                    continue;
                }
                let path = clean_path(&expand(m.target.as_deref().unwrap_or("")));
                let raw_id = m.id.as_deref().map(expand).filter(|s| !s.is_empty());
                let explicit_id = raw_id.is_some();
                let mut id = raw_id.unwrap_or_else(|| path.clone());
                if !ns.is_empty() {
                    id = clean_path(&format!("{ns}/{id}"));
                }
                let partitioned = patterns.iter().any(|p| p.matches(&path));
                out.push(CacheUse {
                    id,
                    explicit_id,
                    path,
                    sharing: m
                        .sharing
                        .as_deref()
                        .map(expand)
                        .unwrap_or_else(|| "shared".to_string()),
                    target: b.target.name.clone(),
                    cell: cell.clone(),
                    file: b.path.clone(),
                    line: m.line,
                    column: m.column,
                    width: "--mount=".len() + m.raw.chars().count(),
                    partitioned,
                });
            }
        }
    }
    out
}

impl CacheUse {
    fn label(&self) -> Label {
        Label::new(self.file.clone(), self.line, self.column)
            .with_end_column(self.column + self.width)
    }
}

fn axis_value(v: &Value) -> String {
    v.to_cty_string()
        .unwrap_or_else(|| v.to_string().into())
        .to_string()
}

pub fn check(cx: &Context, builds: &[Build], diags: &mut Vec<Diagnostic>) {
    let uses = uses(cx, builds);
    let mut by_id: BTreeMap<&str, Vec<&CacheUse>> = BTreeMap::new();
    for u in &uses {
        by_id.entry(u.id.as_str()).or_default().push(u);
    }
    for u in &uses {
        if u.partitioned && !u.explicit_id {
            diags.push(
                Diagnostic::warning(
                    "cache-missing-id",
                    format!(
                        "cache mount at `{}` (target `{}`) has no id: every build that mounts this path shares it",
                        u.path, u.target
                    ),
                )
                .with_primary(u.label())
                .with_help("give it an id built from the partitioning axes, e.g. id=cargo-target-${sys_name}-${sys_version}-${rust_target}-${rust_toolchain}-${cargo_profile}"),
            );
        }
    }
    for (id, users) in &by_id {
        let first = users[0];
        if let Some(other) = users.iter().find(|u| u.sharing != first.sharing) {
            diags.push(
                Diagnostic::error(
                    "cache-sharing-mismatch",
                    format!(
                        "cache id `{id}` is mounted with sharing={} (target `{}`) and sharing={} (target `{}`)",
                        other.sharing, other.target, first.sharing, first.target
                    ),
                )
                .with_primary(other.label())
                .with_secondary(first.label().with_text("first mounted here"))
                .with_help("use one sharing mode per cache id (locked for writers of a shared cache)"),
            );
        }
        if let Some(other) = users.iter().find(|u| u.path != first.path) {
            diags.push(
                Diagnostic::error(
                    "cache-path-mismatch",
                    format!(
                        "cache id `{id}` is mounted at `{}` (target `{}`) and at `{}` (target `{}`)",
                        other.path, other.target, first.path, first.target
                    ),
                )
                .with_primary(other.label())
                .with_secondary(first.label().with_text("first mounted here"))
                .with_help("mount one cache id at one path, or give the mounts different ids"),
            );
        }
        if let Some((axis, a, b)) = conflict(&cx.opts.partition_axes, users) {
            if !users.iter().any(|u| u.partitioned) {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    "unpartitioned-cache",
                    format!(
                        "cache id `{id}` at `{}` is shared by cells with different {axis}: `{}` ({axis} = {}) and `{}` ({axis} = {})",
                        a.path, a.target, a.cell[axis], b.target, b.cell[axis]
                    ),
                )
                .with_primary(b.label())
                .with_help(format!("include ${{{axis}}} (and every other partitioning axis) in the mount's id")),
            );
        }
    }
}

/// The first partitioning axis on which two users of one id differ.
fn conflict<'a>(
    axes: &'a [String],
    users: &[&'a CacheUse],
) -> Option<(&'a str, &'a CacheUse, &'a CacheUse)> {
    for axis in axes {
        let mut seen: Option<&CacheUse> = None;
        for u in users {
            let Some(v) = u.cell.get(axis) else { continue };
            match seen {
                None => seen = Some(u),
                Some(s) if s.cell[axis] != *v => return Some((axis, s, u)),
                Some(_) => {}
            }
        }
    }
    None
}

/// A table of cache ids: how many cells share each, and which axes it is keyed on.
pub fn summary(cx: &Context, builds: &[Build]) -> String {
    let uses = uses(cx, builds);
    let mut by_id: BTreeMap<&str, Vec<&CacheUse>> = BTreeMap::new();
    for u in &uses {
        by_id.entry(u.id.as_str()).or_default().push(u);
    }
    // Axes that vary across the whole tree.
    let mut values: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for u in &uses {
        for (k, v) in &u.cell {
            values.entry(k).or_default().insert(v);
        }
    }
    let varying: Vec<&str> = values
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| *k)
        .collect();
    let mut rows = vec![(
        "cache id".to_string(),
        "cells".to_string(),
        "mount".to_string(),
        "sharing".to_string(),
        "keyed on".to_string(),
    )];
    for (id, users) in &by_id {
        let mut cells: Vec<&str> = users.iter().map(|u| u.target.as_str()).collect();
        cells.sort_unstable();
        cells.dedup();
        let keyed: Vec<&str> = varying
            .iter()
            .copied()
            .filter(|axis| {
                let vals: std::collections::BTreeSet<Option<&String>> =
                    users.iter().map(|u| u.cell.get(*axis)).collect();
                vals.len() == 1 && !vals.contains(&None)
            })
            .collect();
        rows.push((
            id.to_string(),
            cells.len().to_string(),
            users[0].path.clone(),
            users[0].sharing.clone(),
            if keyed.is_empty() {
                "(shared by all)".to_string()
            } else {
                keyed.join(", ")
            },
        ));
    }
    let w = |f: fn(&(String, String, String, String, String)) -> &String| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0)
    };
    let (w0, w1, w2, w3) = (w(|r| &r.0), w(|r| &r.1), w(|r| &r.2), w(|r| &r.3));
    let mut out = String::new();
    for r in &rows {
        out.push_str(&format!(
            "{:w0$}  {:>w1$}  {:w2$}  {:w3$}  {}\n",
            r.0, r.1, r.2, r.3, r.4
        ));
    }
    out
}
