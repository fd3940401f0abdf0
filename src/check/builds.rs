//! What each target builds: its resolved attributes, its Dockerfile (read and
//! parsed once per file) and the stages of that Dockerfile the build runs.
//! Reports Dockerfiles that are missing or unparsable and `target` stages
//! that do not exist.

use super::Context;
use super::names::suggestion;
use crate::bake::target::Target;
use crate::bake::validate::{clean_path, is_remote_url};
use crate::diag::{Diagnostic, Label};
use crate::dockerfile::{self, Dockerfile};
use std::collections::HashMap;
use std::rc::Rc;

/// One target's build.
pub struct Build {
    pub target: Target,
    /// The Dockerfile as diagnostics name it (path relative to the working dir).
    pub path: String,
    pub dockerfile: Rc<Dockerfile>,
    /// Index of the stage the target builds.
    pub stage: usize,
    /// The stages the build runs (the target stage and its dependencies).
    pub closure: Vec<usize>,
}

impl Build {
    /// A build argument of the target (`args`), as BuildKit sees it.
    pub fn arg(&self, name: &str) -> Option<String> {
        self.target
            .args
            .as_ref()
            .and_then(|a| a.get(name).cloned().flatten())
            .map(String::from)
    }

    /// A diagnostic label at a position of this build's Dockerfile, spanning
    /// `width` characters.
    pub fn label(&self, line: usize, column: usize, width: usize) -> Label {
        Label::new(self.path.clone(), line, column).with_end_column(column + width.max(1))
    }
}

/// Where buildx reads a target's Dockerfile from, or `None` when it is not a
/// local file (remote context, inline Dockerfile).
fn dockerfile_path(t: &Target) -> Option<String> {
    if t.dockerfile_inline.is_some() {
        return None;
    }
    let context = t.context.as_deref().unwrap_or(".");
    if is_remote_url(context) {
        return None;
    }
    let context = clean_path(context.strip_prefix("cwd://").unwrap_or(context));
    let file = t.dockerfile.as_deref().unwrap_or("Dockerfile");
    if let Some(abs) = file.strip_prefix("cwd://") {
        return Some(clean_path(abs));
    }
    if file.starts_with('/') {
        return Some(clean_path(file));
    }
    Some(clean_path(&format!("{context}/{file}")))
}

enum Loaded {
    Parsed(Rc<Dockerfile>),
    /// The file cannot be read: why.
    Missing(String),
    /// The file does not parse (reported once, at the file).
    Broken,
}

pub fn collect(cx: &Context, diags: &mut Vec<Diagnostic>) -> Vec<Build> {
    let mut files: HashMap<String, Loaded> = HashMap::new();
    let mut builds = Vec::new();
    for target in cx.config.resolved_targets() {
        let (path, text) = match &target.dockerfile_inline {
            Some(inline) => (
                format!("{} (dockerfile-inline)", target.name),
                Some(inline.clone()),
            ),
            None => match dockerfile_path(&target) {
                Some(p) => (p, None),
                None => continue,
            },
        };
        let loaded = files.entry(path.clone()).or_insert_with(|| {
            let text = match text {
                Some(t) => t,
                None => match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) => return Loaded::Missing(e.to_string()),
                }
                .into(),
            };
            match dockerfile::parse(&text) {
                Ok(df) => Loaded::Parsed(Rc::new(df)),
                Err(e) => {
                    let d = Diagnostic::error(
                        "dockerfile-syntax",
                        format!("Dockerfile `{path}` cannot be parsed: {}", e.message),
                    );
                    Context::emit(diags, d, Some(Label::new(path.clone(), e.line, e.column)));
                    Loaded::Broken
                }
            }
        });
        let df = match loaded {
            Loaded::Parsed(df) => df.clone(),
            Loaded::Missing(why) => {
                let d = Diagnostic::error(
                    "dockerfile-missing",
                    format!(
                        "Dockerfile `{path}` of target `{}` cannot be read: {why}",
                        target.name
                    ),
                )
                .with_help("fix the target's `dockerfile` or `context` attribute");
                Context::emit(diags, d, cx.target_label(&target.name, "dockerfile"));
                continue;
            }
            Loaded::Broken => continue,
        };
        let Some(stage) = df.target_stage(target.target.as_deref()) else {
            let wanted = target.target.clone().unwrap_or_default();
            let stages: Vec<&str> = df.stages.iter().filter_map(|s| s.name.as_deref()).collect();
            let mut d = Diagnostic::error(
                "stage-missing",
                format!(
                    "target `{}` builds stage `{wanted}`, which `{path}` does not have",
                    target.name
                ),
            );
            d = d.with_help(match suggestion(&wanted, &stages) {
                Some(h) => h,
                None => format!("stages of `{path}`: {}", stages.join(", ")),
            });
            Context::emit(diags, d, cx.target_label(&target.name, "target"));
            continue;
        };
        let build_args = |n: &str| {
            target
                .args
                .as_ref()
                .and_then(|a| a.get(n).cloned().flatten())
                .map(String::from)
        };
        let mut closure = df.dependencies_with(stage, &build_args);
        closure.push(stage);
        closure.sort_unstable();
        builds.push(Build {
            target,
            path,
            dockerfile: df,
            stage,
            closure,
        });
    }
    builds
}
