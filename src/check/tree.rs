//! Rules about the shape of the tree: references that name nothing, cycles,
//! lineage between matrix cells, reachability and roots.

use super::Context;
use super::names::suggestion;
use crate::bake::target::Target;
use crate::diag::Diagnostic;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// `target:NAME` links of a target, in context-name order.
fn links(t: &Target) -> impl Iterator<Item = &str> {
    t.contexts
        .iter()
        .flat_map(|c| c.values())
        .filter_map(|v| v.strip_prefix("target:"))
}

pub fn check(cx: &Context, diags: &mut Vec<Diagnostic>) {
    let config = cx.config;
    let names: Vec<&str> = config.targets.iter().map(|t| t.name.as_str()).collect();
    let is_target = |n: &str| config.target_index.contains_key(n);

    for t in &config.targets {
        for link in links(t) {
            if link == t.name {
                let d = Diagnostic::error(
                    "self-context",
                    format!("target `{}` takes itself as a `target:` context", t.name),
                );
                Context::emit(diags, d, cx.target_label(&t.name, "contexts"));
            } else if !is_target(link) {
                let mut d = Diagnostic::error(
                    "dangling-context",
                    format!(
                        "context `target:{link}` of target `{}` names no target",
                        t.name
                    ),
                );
                if let Some(h) = suggestion(link, &names) {
                    d = d.with_help(h);
                }
                Context::emit(diags, d, cx.target_label(&t.name, "contexts"));
            }
        }
        for parent in t.inherits.iter().flatten() {
            if !is_target(parent) {
                let mut d = Diagnostic::error(
                    "dangling-inherits",
                    format!(
                        "target `{}` inherits from `{parent}`, which is no target",
                        t.name
                    ),
                );
                if let Some(h) = suggestion(parent, &names) {
                    d = d.with_help(h);
                }
                Context::emit(diags, d, cx.target_label(&t.name, "inherits"));
            }
        }
    }

    cycles(
        cx,
        diags,
        "context-cycle",
        "`target:` contexts",
        "contexts",
        |t| links(t).map(str::to_string).collect(),
    );
    cycles(cx, diags, "inherits-cycle", "inherits", "inherits", |t| {
        t.inherits.iter().flatten().map(|s| s.to_string()).collect()
    });

    let group_names: Vec<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
    for g in &config.groups {
        let Some(origin) = config.group_origins.get(&g.name) else {
            continue; // a matrix block's own group
        };
        for member in &g.targets {
            if !is_target(member) && !group_names.contains(&member.as_str()) {
                let mut candidates = names.clone();
                candidates.extend(group_names.iter().copied());
                let mut d = Diagnostic::error(
                    "unknown-group-member",
                    format!(
                        "group `{}` lists `{member}`, which is neither a target nor a group",
                        g.name
                    ),
                );
                if let Some(h) = suggestion(member, &candidates) {
                    d = d.with_help(h);
                }
                Context::emit(diags, d, cx.origin_label(origin, "targets"));
            }
        }
    }

    lineage(cx, diags);
    reachability(cx, diags);
    if cx.opts.single_root {
        roots(cx, diags);
    }
}

/// Reports each cycle of `edges` once, at its first target in declaration order.
fn cycles(
    cx: &Context,
    diags: &mut Vec<Diagnostic>,
    rule: &'static str,
    what: &str,
    attr: &str,
    edges: impl Fn(&Target) -> Vec<String>,
) {
    let config = cx.config;
    let graph: HashMap<&str, Vec<String>> = config
        .targets
        .iter()
        .map(|t| (t.name.as_str(), edges(t)))
        .collect();
    // Iterative DFS with colours: 0 new, 1 on the stack, 2 done.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut reported: HashSet<BTreeSet<String>> = HashSet::new();
    for start in config.targets.iter().map(|t| t.name.as_str()) {
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, next)) = stack.last().copied() {
            let succ = graph.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if next == succ.len() {
                colour.insert(node, 2);
                stack.pop();
                continue;
            }
            stack.last_mut().expect("non-empty").1 += 1;
            let Some((s, _)) = graph.get_key_value(succ[next].as_str()) else {
                continue;
            };
            match colour.get(s).copied().unwrap_or(0) {
                0 => {
                    colour.insert(s, 1);
                    stack.push((s, 0));
                }
                1 => {
                    let at = stack.iter().position(|(n, _)| n == s).unwrap_or(0);
                    let cycle: Vec<&str> = stack[at..].iter().map(|(n, _)| *n).collect();
                    let key: BTreeSet<String> = cycle.iter().map(|s| s.to_string()).collect();
                    if cycle.len() > 1 && reported.insert(key) {
                        let path = cycle
                            .iter()
                            .chain(std::iter::once(s))
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" → ");
                        let d = Diagnostic::error(rule, format!("cycle through {what}: {path}"))
                            .with_help("break the cycle: a target cannot depend on itself");
                        Context::emit(diags, d, cx.target_label(cycle[0], attr));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A child must be keyed on every axis of each parent it takes `target:`
/// input from, with the same values; otherwise which parent cell it builds on
/// is ambiguous or wrong.
fn lineage(cx: &Context, diags: &mut Vec<Diagnostic>) {
    let config = cx.config;
    for t in &config.targets {
        let Some(child) = config.target_origins.get(&t.name) else {
            continue;
        };
        for link in links(t) {
            let Some(parent) = config.target_origins.get(link) else {
                continue;
            };
            let child_axes: BTreeMap<&str, &crate::bake::value::Value> =
                child.cell.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let missing: Vec<&str> = parent
                .cell
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !child_axes.contains_key(k))
                .collect();
            if !missing.is_empty() {
                let d = Diagnostic::error(
                    "ambiguous-lineage",
                    format!(
                        "target `{}` takes `target:{link}` as input but is not keyed on its axis {}",
                        t.name,
                        missing.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_help(format!(
                    "add {} to the matrix of `{}` so each cell builds on its own parent cell",
                    missing.join(", "),
                    child.block_name
                ));
                Context::emit(diags, d, cx.target_label(&t.name, "contexts"));
                continue;
            }
            for (axis, pv) in parent.cell.iter() {
                if let Some(cv) = child_axes.get(axis.as_str())
                    && *cv != pv
                {
                    let d = Diagnostic::error(
                        "mismatched-parent-cell",
                        format!(
                            "target `{}` ({axis} = {cv}) takes `target:{link}` as input, which is the {axis} = {pv} cell",
                            t.name
                        ),
                    )
                    .with_help("name the parent cell with the child's own axis values");
                    Context::emit(diags, d, cx.target_label(&t.name, "contexts"));
                    break;
                }
            }
        }
    }
}

/// Targets that no explicit group (or the `default` target) leads to,
/// following group members, `target:` contexts and inherits.
fn reachability(cx: &Context, diags: &mut Vec<Diagnostic>) {
    let config = cx.config;
    let explicit: Vec<&crate::bake::target::Group> = config
        .groups
        .iter()
        .filter(|g| config.group_origins.contains_key(&g.name))
        .collect();
    if explicit.is_empty() && !config.target_index.contains_key("default") {
        return;
    }
    let groups: HashMap<&str, &Vec<String>> = config
        .groups
        .iter()
        .map(|g| (g.name.as_str(), &g.targets))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo: Vec<String> = explicit
        .iter()
        .flat_map(|g| g.targets.iter().cloned())
        .collect();
    todo.push("default".to_string());
    let mut seen_groups: HashSet<String> = HashSet::new();
    while let Some(n) = todo.pop() {
        if let Some(members) = groups.get(n.as_str()) {
            if seen_groups.insert(n.clone()) {
                todo.extend(members.iter().cloned());
            }
            continue;
        }
        let Some(&i) = config.target_index.get(&n) else {
            continue;
        };
        if !seen.insert(n) {
            continue;
        }
        let t = &config.targets[i];
        todo.extend(links(t).map(str::to_string));
        todo.extend(t.inherits.iter().flatten().map(|s| s.to_string()));
    }
    // One warning per block, and only when none of its cells is reachable
    // (a matrix usually builds on some cells of a wider parent).
    let reached_blocks: HashSet<&str> = seen
        .iter()
        .filter_map(|n| config.target_origins.get(n))
        .map(|o| o.block_name.as_str())
        .collect();
    let mut warned: HashSet<&str> = HashSet::new();
    for t in &config.targets {
        let Some(origin) = config.target_origins.get(&t.name) else {
            continue;
        };
        if reached_blocks.contains(origin.block_name.as_str())
            || !warned.insert(origin.block_name.as_str())
        {
            continue;
        }
        let d = Diagnostic::warning(
            "unreachable-target",
            format!(
                "target `{}` is not reachable from any group",
                origin.block_name
            ),
        )
        .with_help("add it to a group, or remove it if nothing builds it");
        Context::emit(diags, d, cx.label(origin.label));
    }
}

/// A root is a block whose targets take no `target:` input and inherit nothing.
fn roots(cx: &Context, diags: &mut Vec<Diagnostic>) {
    let config = cx.config;
    let mut roots: Vec<&str> = Vec::new();
    for t in &config.targets {
        let Some(origin) = config.target_origins.get(&t.name) else {
            continue;
        };
        let has_input =
            links(t).next().is_some() || t.inherits.as_ref().is_some_and(|i| !i.is_empty());
        if !has_input && !roots.contains(&origin.block_name.as_str()) {
            roots.push(&origin.block_name);
        }
    }
    if roots.len() > 1 {
        for extra in &roots[1..] {
            let origin = config
                .target_origins
                .values()
                .find(|o| o.block_name == *extra)
                .expect("root has an origin");
            let d = Diagnostic::error(
                "multiple-roots",
                format!(
                    "target `{extra}` is a second root: the tree is declared single-rooted with root `{}`",
                    roots[0]
                ),
            )
            .with_help(format!(
                "give `{extra}` a `target:` context (or inherits) leading back to `{}`",
                roots[0]
            ));
            Context::emit(diags, d, cx.label(origin.label));
        }
    }
}
