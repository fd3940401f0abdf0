//! `matrix check`: validate an evaluated bake tree and its Dockerfiles.
//!
//! Each rule family lives in its own module and appends [`Diagnostic`]s with a
//! stable rule id; the CLI renders them with [`crate::diag`].

pub mod builds;
pub mod cache;
pub mod dockerfile;
mod names;
pub mod tree;

use crate::bake::resolve::Origin;
use crate::bake::source::{SourceMap, Span};
use crate::bake::{Config, Loaded};
use crate::diag::{Diagnostic, Label};

/// Matrix axes whose values must never share a partitioned cache.
pub const DEFAULT_PARTITION_AXES: &[&str] = &[
    "sys_name",
    "sys_version",
    "rust_target",
    "rust_toolchain",
    "cargo_profile",
];

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Entitlements the run allows (`--allow network.host`).
    pub allow: Vec<String>,
    /// Axes that partition caches (default [`DEFAULT_PARTITION_AXES`]).
    pub partition_axes: Vec<String>,
    /// Cache-mount paths (globs) that must be partitioned by those axes
    /// (default: cargo target dirs, [`cache::DEFAULT_PARTITIONED_MOUNTS`]).
    pub partition_mounts: Vec<String>,
    /// Whether the tree must have a single root block.
    pub single_root: bool,
    /// The environment, for variable-name near misses.
    pub env: Vec<(String, String)>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            allow: Vec::new(),
            partition_axes: DEFAULT_PARTITION_AXES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            partition_mounts: cache::DEFAULT_PARTITIONED_MOUNTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            single_root: false,
            env: Vec::new(),
        }
    }
}

/// What every rule gets: the evaluated tree, its sources, and the options.
pub struct Context<'a> {
    pub config: &'a Config,
    pub sources: &'a SourceMap,
    pub opts: &'a CheckOptions,
}

impl Context<'_> {
    /// A diagnostic label for a span of a bake file.
    pub fn label(&self, span: Span) -> Option<Label> {
        let loc = self.sources.location(span)?;
        let file = &self.sources.files[span.file as usize];
        let mut label = Label::new(loc.file, loc.line, loc.column);
        if span.end > span.start {
            let (end_line, end_col) = file.line_col(span.end as usize);
            if end_line == loc.line {
                label = label.with_end_column(end_col);
            }
        }
        Some(label)
    }

    /// The label of a target attribute, or of the target's block when the
    /// attribute is not written in the block.
    pub fn target_label(&self, target: &str, attr: &str) -> Option<Label> {
        let origin = self.config.target_origins.get(target)?;
        self.origin_label(origin, attr)
    }

    pub fn origin_label(&self, origin: &Origin, attr: &str) -> Option<Label> {
        let span = origin.attrs.get(attr).copied().unwrap_or(origin.label);
        self.label(span)
    }

    pub fn emit(diags: &mut Vec<Diagnostic>, d: Diagnostic, label: Option<Label>) {
        diags.push(match label {
            Some(l) => d.with_primary(l),
            None => d,
        });
    }
}

/// Runs every rule over an evaluated tree.
pub fn check(loaded: &Loaded, opts: &CheckOptions) -> Vec<Diagnostic> {
    let cx = Context {
        config: &loaded.config,
        sources: &loaded.sources,
        opts,
    };
    let mut diags = Vec::new();
    tree::check(&cx, &mut diags);
    names::check_env(&cx, &mut diags);
    let builds = builds::collect(&cx, &mut diags);
    dockerfile::check(&cx, &builds, &mut diags);
    cache::check(&cx, &builds, &mut diags);
    fold_repeats(diags)
}

/// The cache-id summary table of a tree (see [`cache::summary`]).
pub fn cache_summary(loaded: &Loaded, opts: &CheckOptions) -> String {
    let cx = Context {
        config: &loaded.config,
        sources: &loaded.sources,
        opts,
    };
    let builds = builds::collect(&cx, &mut Vec::new());
    cache::summary(&cx, &builds)
}

/// Matrix cells of one block repeat the same finding at the same place: keep
/// the first, and say how many more cells have it.
fn fold_repeats(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut index: std::collections::HashMap<(&'static str, Option<String>), (usize, usize)> =
        std::collections::HashMap::new();
    for d in diags {
        let key = (d.rule, d.primary.as_ref().map(Label::location));
        if key.1.is_some()
            && let Some((_, n)) = index.get_mut(&key)
        {
            *n += 1;
            continue;
        }
        index.insert(key, (out.len(), 0));
        out.push(d);
    }
    for (i, n) in index.into_values() {
        if n > 0 {
            out[i].notes.push(format!(
                "{n} more target(s) or matrix cell(s) have the same problem here"
            ));
        }
    }
    // Report in source order.
    out.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.primary
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        };
        key(a).cmp(&key(b))
    });
    out
}

/// The diagnostic for input that cannot be evaluated at all (exit status 2).
pub fn input_error(e: &crate::bake::BakeError, sources: &SourceMap) -> Diagnostic {
    e.to_diagnostic(sources)
}
