//! Include/exclude rules: which cells of a stage exist, both as a static
//! enumeration (over the declared axis values) and as a union of disjoint
//! "boxes" (one filter per axis) that the generator turns into matrix blocks
//! whose lists are filtered at evaluation time, so environment overrides of
//! the axis lists are filtered by the same rules.
//!
//! A rule applies to a stage when the stage is keyed on every axis the rule
//! names. When include rules apply, a cell must match one of them; a cell
//! matching an applicable exclude rule does not exist. A parent's applicable
//! rules also apply to its children (who are keyed on all its axes), so a
//! child cell never builds on a missing parent cell.

use super::{Rule, Spec, Stage};
use std::collections::{BTreeMap, BTreeSet};

/// Which values of one axis a box accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    All,
    In(BTreeSet<String>),
    NotIn(BTreeSet<String>),
}

impl Filter {
    fn and(&self, other: &Filter) -> Option<Filter> {
        use Filter::*;
        let f = match (self, other) {
            (All, f) | (f, All) => f.clone(),
            (In(a), In(b)) => In(a.intersection(b).cloned().collect()),
            (In(a), NotIn(b)) | (NotIn(b), In(a)) => In(a.difference(b).cloned().collect()),
            (NotIn(a), NotIn(b)) => NotIn(a.union(b).cloned().collect()),
        };
        match &f {
            In(s) if s.is_empty() => None,
            _ => Some(f),
        }
    }

    pub fn accepts(&self, v: &str) -> bool {
        match self {
            Filter::All => true,
            Filter::In(s) => s.contains(v),
            Filter::NotIn(s) => !s.contains(v),
        }
    }
}

/// One filter per keyed axis of the stage (same order as `stage.axes`).
pub type CellBox = Vec<Filter>;

/// Rules that apply to a stage.
pub fn applicable<'a>(spec: &'a Spec, stage: &Stage) -> Vec<&'a Rule> {
    spec.rules
        .iter()
        .filter(|r| r.cond.iter().all(|(a, _)| stage.axes.contains(a)))
        .collect()
}

fn rule_box(stage: &Stage, r: &Rule) -> CellBox {
    stage
        .axes
        .iter()
        .map(|a| match r.cond.iter().find(|(x, _)| x == a) {
            Some((_, vals)) => Filter::In(vals.clone()),
            None => Filter::All,
        })
        .collect()
}

fn intersect(a: &CellBox, b: &CellBox) -> Option<CellBox> {
    a.iter().zip(b).map(|(x, y)| x.and(y)).collect()
}

/// `b` minus the box `r`, as disjoint boxes.
fn subtract(b: &CellBox, r: &CellBox) -> Vec<CellBox> {
    let mut out = Vec::new();
    let mut prefix = b.clone();
    for (i, f) in r.iter().enumerate() {
        let Filter::In(vals) = f else { continue };
        let mut piece = prefix.clone();
        if let Some(x) = piece[i].and(&Filter::NotIn(vals.clone())) {
            piece[i] = x;
            out.push(piece);
        }
        match prefix[i].and(f) {
            Some(x) => prefix[i] = x,
            None => return out,
        }
    }
    out
}

/// The cells of a stage as disjoint boxes (a single all-accepting box when no
/// rule applies). May be empty when the rules exclude every cell.
pub fn boxes(spec: &Spec, stage: &Stage) -> Vec<CellBox> {
    let rules = applicable(spec, stage);
    let all: CellBox = vec![Filter::All; stage.axes.len()];
    let mut out: Vec<CellBox> = Vec::new();
    let includes: Vec<&&Rule> = rules.iter().filter(|r| r.include).collect();
    if includes.is_empty() {
        out.push(all);
    } else {
        for (i, r) in includes.iter().enumerate() {
            let mut pieces = vec![rule_box(stage, r)];
            for earlier in &includes[..i] {
                let e = rule_box(stage, earlier);
                pieces = pieces.iter().flat_map(|p| subtract(p, &e)).collect();
            }
            out.extend(pieces);
        }
    }
    for r in rules.iter().filter(|r| !r.include) {
        let e = rule_box(stage, r);
        out = out.iter().flat_map(|p| subtract(p, &e)).collect();
    }
    out.retain(|b| intersect(b, b).is_some());
    out
}

/// Whether a cell (axis index → value) of a stage exists under the rules.
pub fn cell_allowed(spec: &Spec, stage: &Stage, cell: &BTreeMap<usize, String>) -> bool {
    let rules = applicable(spec, stage);
    let matches = |r: &Rule| {
        r.cond
            .iter()
            .all(|(a, vals)| cell.get(a).is_some_and(|v| vals.contains(v)))
    };
    let includes: Vec<&&Rule> = rules.iter().filter(|r| r.include).collect();
    (includes.is_empty() || includes.iter().any(|r| matches(r)))
        && !rules.iter().any(|r| !r.include && matches(r))
}

/// Every cell of a stage over the given value lists (per axis index), in
/// axis order (last axis fastest), filtered by the rules.
pub fn cells(
    spec: &Spec,
    stage: &Stage,
    values: &dyn Fn(usize) -> Vec<String>,
) -> Vec<BTreeMap<usize, String>> {
    let mut out: Vec<BTreeMap<usize, String>> = vec![BTreeMap::new()];
    for &a in &stage.axes {
        let vals = values(a);
        let mut next = Vec::with_capacity(out.len() * vals.len());
        for c in &out {
            for v in &vals {
                let mut c = c.clone();
                c.insert(a, v.clone());
                next.push(c);
            }
        }
        out = next;
    }
    out.retain(|c| cell_allowed(spec, stage, c));
    out
}
