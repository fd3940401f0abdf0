//! Cross-checks between targets and their Dockerfiles: references to stages,
//! contexts and images; build args; parser directives; entitlements.

use super::Context;
use super::builds::Build;
use super::names::closest;
use crate::diag::Diagnostic;
use crate::dockerfile::{self, InstructionKind, is_predefined_arg};
use std::collections::BTreeSet;

/// Official images commonly written without a registry or tag.
const BARE_IMAGES: &[&str] = &[
    "alpine",
    "amazonlinux",
    "archlinux",
    "busybox",
    "buildpack-deps",
    "centos",
    "debian",
    "docker",
    "fedora",
    "gcc",
    "golang",
    "node",
    "opensuse",
    "oraclelinux",
    "python",
    "rockylinux",
    "rust",
    "scratch",
    "ubuntu",
];

/// Whether a FROM / `--from` value is plausibly an image reference rather than
/// a misspelt stage or a missing named context.
fn plausible_image(r: &str) -> bool {
    r.contains(['/', ':', '@', '.']) || BARE_IMAGES.contains(&r)
}

pub fn check(cx: &Context, builds: &[Build], diags: &mut Vec<Diagnostic>) {
    for b in builds {
        references(cx, b, diags);
        build_args(cx, b, diags);
        entitlements(cx, b, diags);
    }
    // Per-file findings, once per Dockerfile.
    let mut seen = BTreeSet::new();
    for b in builds {
        if !seen.insert(b.path.as_str()) {
            continue;
        }
        if let Some(d) = b.dockerfile.directives.iter().find(|d| d.name == "syntax") {
            diags.push(
                Diagnostic::warning(
                    "syntax-directive",
                    format!("`# syntax={}` makes BuildKit pull a frontend image", d.value),
                )
                .with_primary(b.label(d.line, d.column, d.name.len() + 1 + d.value.chars().count()))
                .with_help("remove it: the frontend built into BuildKit supports RUN --mount, heredocs and named contexts"),
            );
        }
    }
}

/// FROM, `COPY --from` and `RUN --mount from=` must name a stage, a context the
/// target provides, or an image.
fn references(cx: &Context, b: &Build, diags: &mut Vec<Diagnostic>) {
    let df = &b.dockerfile;
    let contexts: Vec<&str> = b
        .target
        .contexts
        .iter()
        .flat_map(|c| c.keys())
        .map(|k| k.as_str())
        .collect();
    let stage_names: Vec<&str> = df.stages.iter().filter_map(|s| s.name.as_deref()).collect();
    let lookup = |n: &str| b.arg(n);
    let global = df.global_arg_values(&lookup);
    for &i in &b.closure {
        let st = &df.stages[i];
        let base = dockerfile::try_expand(&st.base, df.escape, &|n: &str| global.get(n).cloned())
            .unwrap_or_else(|_| st.base.clone());
        let stage_args = df.stage_arg_values(i, None, &lookup);
        let mut refs: Vec<(String, String, usize, usize, &str)> = vec![(
            st.base.clone(),
            base,
            st.base_pos.line,
            st.base_pos.column,
            "FROM",
        )];
        for r in &st.copies_from {
            refs.push((
                r.name.clone(),
                r.name.clone(),
                r.line,
                r.column,
                "COPY --from",
            ));
        }
        for m in st.mounts.iter() {
            if let Some(from) = &m.from {
                let pos = m
                    .option("from")
                    .map(|o| (o.value_line, o.value_column))
                    .unwrap_or((m.line, m.column));
                refs.push((from.clone(), from.clone(), pos.0, pos.1, "--mount from"));
            }
        }
        for (written, raw, line, column, what) in refs {
            let width = written.chars().count();
            let r = dockerfile::try_expand(&raw, df.escape, &|n: &str| {
                stage_args
                    .get(n)
                    .cloned()
                    .or_else(|| global.get(n).cloned())
            })
            .unwrap_or(raw);
            let is_stage = if what == "FROM" {
                df.resolve_base(&r, i).is_some()
            } else {
                df.resolve_ref(&r, i).is_some()
            };
            if is_stage
                || contexts.iter().any(|c| *c == r)
                || r.is_empty()
                || (plausible_image(&r)
                    && closest(
                        &r,
                        contexts.iter().copied().chain(stage_names.iter().copied()),
                    )
                    .is_none())
            {
                continue;
            }
            let mut candidates: Vec<&str> = contexts.clone();
            candidates.extend(stage_names.iter().copied());
            let help = match closest(&r, candidates.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "give target `{}` a context named `{r}` (contexts = {{ {r} = \"target:…\" }}), or name an image with a registry or tag",
                    b.target.name
                ),
            };
            diags.push(
                Diagnostic::error(
                    "unknown-from",
                    format!(
                        "{what} `{r}` in `{}` (target `{}`) is neither a stage, nor a context of the target, nor an image reference",
                        b.path, b.target.name
                    ),
                )
                .with_primary(b.label(line, column, width))
                .with_help(help),
            );
        }
    }
    let _ = cx;
}

/// Args the target passes that no ARG declares, and ARGs the build uses that
/// have no value at all.
fn build_args(cx: &Context, b: &Build, diags: &mut Vec<Diagnostic>) {
    let df = &b.dockerfile;
    let declared = df.declared_arg_names(&b.closure);
    let mut unused: Vec<&str> = b
        .target
        .args
        .iter()
        .flat_map(|a| a.iter())
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k.as_str())
        .filter(|k| !declared.contains(*k) && !is_predefined_arg(k))
        .collect();
    unused.sort_unstable();
    if !unused.is_empty() {
        let d = Diagnostic::warning(
            "undeclared-arg",
            format!(
                "target `{}` passes {} that no ARG of the built stages of `{}` declares",
                b.target.name,
                unused
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                b.path
            ),
        )
        .with_help("declare them with ARG in the stage that uses them, or stop passing them");
        Context::emit(diags, d, cx.target_label(&b.target.name, "args"));
    }

    let lookup = |n: &str| b.arg(n);
    let global = df.global_arg_values(&lookup);
    for &i in &b.closure {
        let st = &df.stages[i];
        let text: String = st
            .instructions
            .iter()
            .map(|ins| ins.original.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for a in &st.args {
            if a.default.is_some()
                || b.arg(&a.name).is_some()
                || is_predefined_arg(&a.name)
                || global.contains_key(&a.name)
            {
                continue;
            }
            let used = text.contains(&format!("${{{}", a.name))
                || text.match_indices(&format!("${}", a.name)).any(|(p, m)| {
                    !text[p + m.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                });
            if used {
                diags.push(
                    Diagnostic::warning(
                        "arg-without-value",
                        format!(
                            "ARG `{}` has no default and target `{}` does not pass it, but the stage uses it",
                            a.name, b.target.name
                        ),
                    )
                    .with_primary(b.label(a.line, a.column, a.name.chars().count()))
                    .with_help(format!("give it a default (ARG {}=…) or pass it in the target's args", a.name)),
                );
            }
        }
    }
}

/// `RUN --network=host` and `RUN --security=insecure` need entitlements the
/// run must allow (`--allow network.host`, `--allow security.insecure`).
fn entitlements(cx: &Context, b: &Build, diags: &mut Vec<Diagnostic>) {
    let df = &b.dockerfile;
    for &i in &b.closure {
        for ins in &df.stages[i].instructions {
            if ins.kind != InstructionKind::Run {
                continue;
            }
            let needs = [
                ("network", "host", "network.host"),
                ("security", "insecure", "security.insecure"),
            ];
            for (flag, value, entitlement) in needs {
                let Some(f) = ins.flag(flag) else { continue };
                if f.value.as_deref() != Some(value)
                    || cx.opts.allow.iter().any(|a| a == entitlement)
                {
                    continue;
                }
                diags.push(
                    Diagnostic::error(
                        "entitlement-not-allowed",
                        format!(
                            "`RUN --{flag}={value}` (target `{}`) needs the `{entitlement}` entitlement, which this run does not allow",
                            b.target.name
                        ),
                    )
                    .with_primary(b.label(f.line, f.column, flag.len() + value.len() + 3))
                    .with_help(format!("allow it with `--allow {entitlement}` (and on the builder), or drop the flag")),
                );
            }
        }
    }
}
