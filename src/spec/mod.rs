//! The matrix spec (`bake/matrix.hcl`): axes, cell rules, stages, groups and
//! cache settings, from which `matrix generate` writes a bake tree.
//!
//! The spec is HCL read with the project's own layer ([`crate::bake::syntax`])
//! so every error points at `file:line:column`. Expressions that end up in the
//! generated tree (args, contexts, platforms, outputs, tags, variable
//! defaults) are copied verbatim from the spec and checked here by evaluating
//! them with [`crate::bake::eval`] against one cell of the stage's axes.
//! The format is documented in `docs/spec.md`.

pub mod rules;

use crate::bake::error::{BakeError, Result};
use crate::bake::eval::{self, Globals, Scope};
use crate::bake::ir::Expr;
use crate::bake::source::{SourceFile, SourceMap, Span};
use crate::bake::syntax::{self, Attr, Block, Body};
use crate::bake::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Characters allowed in a buildx target name.
pub fn is_target_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Characters allowed in an axis value: it ends up in cache ids (inside
/// `--mount=…,id=…` CSV), in build args and in target names (after sanitizing).
pub fn is_axis_value(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+'))
}

/// How an axis value becomes part of a target name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sanitize {
    /// Whether the axis sanitizes at all.
    pub enabled: bool,
    /// Explicit names for some values; other values get every character
    /// outside `[a-zA-Z0-9_-]` replaced by `-`.
    pub names: BTreeMap<String, String>,
}

impl Sanitize {
    pub fn apply(&self, value: &str) -> String {
        if !self.enabled {
            return value.to_string();
        }
        if let Some(n) = self.names.get(value) {
            return n.clone();
        }
        value
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Axis {
    pub name: String,
    pub span: Span,
    /// Every value the axis may take (CI builds them all).
    pub values: Vec<String>,
    /// The values of a local build: the default of the generated variable.
    pub defaults: Vec<String>,
    /// The generated JSON-array variable (`cargo_profiles`).
    pub plural: String,
    pub sanitize: Sanitize,
}

/// An `include` or `exclude` block: a partial cell (axis → accepted values).
#[derive(Debug, Clone)]
pub struct Rule {
    pub include: bool,
    pub span: Span,
    /// (axis index, values), in axis order.
    pub cond: Vec<(usize, BTreeSet<String>)>,
}

/// An expression copied verbatim into the generated tree.
#[derive(Debug, Clone)]
pub struct Code {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Context {
    /// `"stage:NAME"`: the cell of another stage (a `target:` context).
    Stage(usize),
    /// Any other context (a path, `docker-image://…`): copied verbatim.
    Code(Code),
}

/// Cache-mount families a stage can use (see [`crate::cacheid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CacheKind {
    CargoTarget,
    CargoRegistry,
    CargoGit,
    Rustup,
    Apt,
}

impl CacheKind {
    pub const ALL: &'static [(&'static str, CacheKind)] = &[
        ("cargo-target", CacheKind::CargoTarget),
        ("cargo-registry", CacheKind::CargoRegistry),
        ("cargo-git", CacheKind::CargoGit),
        ("rustup", CacheKind::Rustup),
        ("apt", CacheKind::Apt),
    ];

    pub fn name(self) -> &'static str {
        CacheKind::ALL.iter().find(|(_, k)| *k == self).unwrap().0
    }
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub span: Span,
    pub description: Option<String>,
    /// Dockerfile path; `None` inherits the `input` parent's target.
    pub dockerfile: Option<String>,
    /// The Dockerfile stage to build (default: the stage name).
    pub target: String,
    /// The parent stage, given to the build as the named context `input`.
    pub input: Option<usize>,
    /// Named contexts other than `input`, by name.
    pub contexts: Vec<(String, Context)>,
    /// Keyed axes (indices, in axis order).
    pub axes: Vec<usize>,
    pub axes_span: Span,
    pub args: Vec<(String, Code)>,
    pub platforms: Option<Code>,
    pub outputs: Option<Code>,
    pub tags: Option<Code>,
    pub entitlements: Vec<String>,
    pub caches: Vec<CacheKind>,
    pub caches_span: Span,
}

impl Stage {
    /// Parent stages: `input` first, then `stage:` contexts.
    pub fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        self.input
            .into_iter()
            .chain(self.contexts.iter().filter_map(|(_, c)| match c {
                Context::Stage(i) => Some(*i),
                Context::Code(_) => None,
            }))
    }
}

#[derive(Debug, Clone)]
pub enum Member {
    Stage(usize),
    Group(String),
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub span: Span,
    pub members: Vec<Member>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub default: Option<Code>,
    pub description: Option<String>,
}

/// Where caches live and how they are partitioned (`cache { … }`).
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// First component of every cache id.
    pub namespace: String,
    /// Axes every shared cargo cache is partitioned by (the seed's prefix).
    pub partition: Vec<usize>,
    /// Axes apt caches are partitioned by.
    pub apt_partition: Vec<usize>,
    /// The cargo profile axis (required by `cargo-target` caches).
    pub profile_axis: Option<usize>,
    /// The axis passed as `cargo build --target` (its triple is a path component).
    pub target_axis: Option<usize>,
    /// cargo profile → its directory under the target dir.
    pub profile_dirs: BTreeMap<String, String>,
    pub cargo_target_dir: String,
    pub cargo_home: String,
    pub rustup_home: String,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub path: String,
    pub axes: Vec<Axis>,
    pub rules: Vec<Rule>,
    pub variables: Vec<Variable>,
    pub stages: Vec<Stage>,
    pub groups: Vec<Group>,
    pub cache: CacheConfig,
}

impl Spec {
    pub fn axis(&self, name: &str) -> Option<usize> {
        self.axes.iter().position(|a| a.name == name)
    }
    pub fn stage(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }
}

/// Reads and validates a spec file. Errors come with the source map to render them.
pub fn load(path: &str) -> std::result::Result<(Spec, SourceMap), (BakeError, SourceMap)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return Err((
                BakeError::new(format!("cannot read spec {path}: {e}")),
                SourceMap::default(),
            ));
        }
    };
    parse_str(path, &text)
}

/// Parses and validates spec text (named `name` in diagnostics).
pub fn parse_str(
    name: &str,
    text: &str,
) -> std::result::Result<(Spec, SourceMap), (BakeError, SourceMap)> {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(name, text));
    match syntax::parse_hcl(text, file).and_then(|body| Parser { text, name }.spec(&body)) {
        Ok(s) => Ok((s, sources)),
        Err(e) => Err((e, sources)),
    }
}

/// Name lookups while checking spec expressions: spec variables (by their
/// default), nothing else.
struct SpecGlobals<'a> {
    vars: &'a BTreeMap<String, Value>,
}

impl Globals for SpecGlobals<'_> {
    fn variable(&mut self, name: &str, _span: Span) -> Result<Option<Value>> {
        Ok(self.vars.get(name).cloned())
    }
    fn call_user(&mut self, _: &str, _: Vec<Value>, _: Span) -> Option<Result<Value>> {
        None
    }
}

struct Parser<'a> {
    text: &'a str,
    name: &'a str,
}

const TOP_BLOCKS: &[&str] = &[
    "axis", "include", "exclude", "variable", "cache", "stage", "group",
];

fn unknown(what: &str, name: &str, span: Span, known: &[&str]) -> BakeError {
    let mut e = BakeError::at(span, format!("unknown {what} {name:?}"));
    if let Some(best) = known
        .iter()
        .filter(|k| strsim::levenshtein(k, name) <= 2)
        .min_by_key(|k| strsim::levenshtein(k, name))
    {
        e = e.with_help(format!("did you mean {best:?}?"));
    } else {
        e = e.with_help(format!("expected one of: {}", known.join(", ")));
    }
    e
}

fn check_attrs(body: &Body, allowed: &[&str], what: &str) -> Result<()> {
    for a in &body.attrs {
        if !allowed.contains(&a.name.as_str()) {
            return Err(unknown(
                &format!("{what} attribute"),
                &a.name,
                a.name_span,
                allowed,
            ));
        }
    }
    Ok(())
}

fn no_blocks(body: &Body, what: &str) -> Result<()> {
    if let Some(b) = body.blocks.first() {
        return Err(BakeError::at(
            b.kind_span,
            format!("unexpected block {:?} in {what}", b.kind),
        ));
    }
    Ok(())
}

fn one_label(b: &Block) -> Result<&str> {
    match b.labels.as_slice() {
        [l] => Ok(l),
        _ => Err(BakeError::at(
            b.kind_span,
            format!(
                "a {} block takes exactly one label: {} \"name\" {{ … }}",
                b.kind, b.kind
            ),
        )),
    }
}

fn no_label(b: &Block) -> Result<()> {
    if b.labels.is_empty() {
        Ok(())
    } else {
        Err(BakeError::at(
            b.label_span(),
            format!("a {} block takes no label", b.kind),
        ))
    }
}

impl Parser<'_> {
    fn code(&self, e: &Expr) -> Code {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        Code {
            text: self.text[s..t.min(self.text.len())].to_string(),
            span: e.span,
        }
    }

    /// Evaluates a constant expression (no axes; spec variables by default).
    fn constant(&self, e: &Expr, vars: &BTreeMap<String, Value>) -> Result<Value> {
        eval::eval(e, &Scope::root(), &mut SpecGlobals { vars }).map_err(|x| x.or_at(e.span))
    }

    fn string(&self, a: &Attr, vars: &BTreeMap<String, Value>) -> Result<String> {
        match self.constant(&a.expr, vars)? {
            v @ (Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
                Ok(v.to_cty_string().unwrap_or_default().to_string())
            }
            v => Err(BakeError::at(
                a.expr.span,
                format!("{} must be a string, got {}", a.name, v.type_name()),
            )),
        }
    }

    fn strings(&self, a: &Attr, vars: &BTreeMap<String, Value>) -> Result<Vec<String>> {
        let v = self.constant(&a.expr, vars)?;
        let items = match &v {
            Value::String(_) => return Ok(vec![v.to_cty_string().unwrap().to_string()]),
            _ => v.as_seq().ok_or_else(|| {
                BakeError::at(
                    a.expr.span,
                    format!(
                        "{} must be a list of strings, got {}",
                        a.name,
                        v.type_name()
                    ),
                )
            })?,
        };
        items
            .iter()
            .map(|x| {
                x.to_cty_string().map(String::from).ok_or_else(|| {
                    BakeError::at(
                        a.expr.span,
                        format!(
                            "{} must be a list of strings, found a {}",
                            a.name,
                            x.type_name()
                        ),
                    )
                })
            })
            .collect()
    }

    fn string_map(
        &self,
        a: &Attr,
        vars: &BTreeMap<String, Value>,
    ) -> Result<BTreeMap<String, String>> {
        let v = self.constant(&a.expr, vars)?;
        let m = v.as_entries().ok_or_else(|| {
            BakeError::at(
                a.expr.span,
                format!("{} must be a map of strings, got {}", a.name, v.type_name()),
            )
        })?;
        m.iter()
            .map(|(k, x)| {
                x.to_cty_string()
                    .map(|s| (k.to_string(), s.to_string()))
                    .ok_or_else(|| {
                        BakeError::at(a.expr.span, format!("{}.{k} must be a string", a.name))
                    })
            })
            .collect()
    }

    /// The entries of an object literal, as (key, key span, value expression).
    fn object_items<'e>(&self, a: &'e Attr) -> Result<Vec<(String, Span, &'e Expr)>> {
        use crate::bake::ir::{ExprKind, ObjectKey};
        let ExprKind::Object(items) = &a.expr.kind else {
            return Err(BakeError::at(
                a.expr.span,
                format!(
                    "{} must be an object literal: {} = {{ name = … }}",
                    a.name, a.name
                ),
            ));
        };
        let mut out: Vec<(String, Span, &Expr)> = Vec::new();
        for (k, v) in items {
            let (key, span) = match k {
                ObjectKey::Ident(s) => (s.to_string(), v.span),
                ObjectKey::Expr(e) => match &e.kind {
                    ExprKind::Literal(Value::String(s)) => (s.to_string(), e.span),
                    ExprKind::Variable(s) => (s.clone(), e.span),
                    _ => {
                        return Err(BakeError::at(
                            e.span,
                            format!("keys of {} must be names or literal strings", a.name),
                        ));
                    }
                },
            };
            if out.iter().any(|(k2, _, _)| *k2 == key) {
                return Err(BakeError::at(
                    span,
                    format!("duplicate key {key:?} in {}", a.name),
                ));
            }
            out.push((key, span, v));
        }
        Ok(out)
    }

    fn axis_list(
        &self,
        a: &Attr,
        axes: &[Axis],
        vars: &BTreeMap<String, Value>,
    ) -> Result<Vec<usize>> {
        let names = self.strings(a, vars)?;
        let known: Vec<&str> = axes.iter().map(|x| x.name.as_str()).collect();
        let mut out = Vec::new();
        for n in names {
            let i = axes
                .iter()
                .position(|x| x.name == n)
                .ok_or_else(|| unknown("axis", &n, a.expr.span, &known))?;
            if out.contains(&i) {
                return Err(BakeError::at(
                    a.expr.span,
                    format!("axis {n:?} is listed twice"),
                ));
            }
            out.push(i);
        }
        Ok(out)
    }

    fn spec(&self, body: &Body) -> Result<Spec> {
        if let Some(a) = body.attrs.first() {
            return Err(BakeError::at(
                a.name_span,
                format!(
                    "unexpected attribute {:?} at the top level of the spec",
                    a.name
                ),
            )
            .with_help(format!(
                "the spec is made of blocks: {}",
                TOP_BLOCKS.join(", ")
            )));
        }
        for b in &body.blocks {
            if !TOP_BLOCKS.contains(&b.kind.as_str()) {
                return Err(unknown("block type", &b.kind, b.kind_span, TOP_BLOCKS));
            }
        }
        // Variables first: other expressions may read their defaults.
        let mut vars = BTreeMap::new();
        let mut variables = Vec::new();
        for b in body.blocks.iter().filter(|b| b.kind == "variable") {
            let name = one_label(b)?.to_string();
            check_attrs(&b.body, &["default", "description"], "variable")?;
            no_blocks(&b.body, "a variable")?;
            if vars.contains_key(&name) || variables.iter().any(|v: &Variable| v.name == name) {
                return Err(BakeError::at(
                    b.label_span(),
                    format!("variable {name:?} is defined twice"),
                ));
            }
            let default = b.body.attr("default").map(|a| self.code(&a.expr));
            if let Some(a) = b.body.attr("default") {
                let v = self.constant(&a.expr, &vars)?;
                vars.insert(name.clone(), v);
            } else {
                vars.insert(name.clone(), Value::string(String::new()));
            }
            let description = b
                .body
                .attr("description")
                .map(|a| self.string(a, &vars))
                .transpose()?;
            variables.push(Variable {
                name,
                default,
                description,
            });
        }

        let mut axes: Vec<Axis> = Vec::new();
        for b in body.blocks.iter().filter(|b| b.kind == "axis") {
            axes.push(self.axis(b, &axes, &vars)?);
        }
        if axes.is_empty() {
            return Err(BakeError::at(body.span, "the spec declares no axis")
                .with_help("add axis \"name\" { values = [\"…\"] }"));
        }
        for v in &variables {
            if axes.iter().any(|a| a.name == v.name || a.plural == v.name) {
                let span = v.default.as_ref().map_or(body.span, |d| d.span);
                return Err(BakeError::at(
                    span,
                    format!(
                        "variable {:?} clashes with an axis or its generated variable",
                        v.name
                    ),
                ));
            }
        }
        let mut rules = Vec::new();
        for b in body
            .blocks
            .iter()
            .filter(|b| b.kind == "include" || b.kind == "exclude")
        {
            rules.push(self.rule(b, &axes, &vars)?);
        }
        let cache = self.cache(body, &axes, &vars)?;

        // Stage names first, so stages can refer to later ones.
        let stage_blocks: Vec<&Block> = body.blocks.iter().filter(|b| b.kind == "stage").collect();
        let mut names: Vec<String> = Vec::new();
        for b in &stage_blocks {
            let n = one_label(b)?;
            if !is_target_name(n) || n.contains("--") {
                return Err(BakeError::at(
                    b.label_span(),
                    format!(
                        "stage name {n:?} must match ^[a-zA-Z0-9_-]+$ and not contain \"--\" (the cell separator)"
                    ),
                ));
            }
            if names.iter().any(|x| x == n) {
                return Err(BakeError::at(
                    b.label_span(),
                    format!("stage {n:?} is defined twice"),
                ));
            }
            names.push(n.to_string());
        }
        if stage_blocks.is_empty() {
            return Err(BakeError::at(body.span, "the spec declares no stage"));
        }
        let mut stages = Vec::new();
        for b in &stage_blocks {
            stages.push(self.stage(b, &names, &axes, &vars, &cache)?);
        }
        self.check_graph(&stages, &stage_blocks)?;

        let mut groups: Vec<Group> = Vec::new();
        let group_blocks: Vec<&Block> = body.blocks.iter().filter(|b| b.kind == "group").collect();
        let group_names: Vec<String> = group_blocks
            .iter()
            .map(|b| b.labels.first().cloned().unwrap_or_default())
            .collect();
        for b in &group_blocks {
            let name = one_label(b)?.to_string();
            check_attrs(&b.body, &["targets", "description"], "group")?;
            no_blocks(&b.body, "a group")?;
            if !is_target_name(&name) || names.contains(&name) {
                return Err(BakeError::at(
                    b.label_span(),
                    format!(
                        "group name {name:?} must match ^[a-zA-Z0-9_-]+$ and differ from every stage name"
                    ),
                ));
            }
            if groups.iter().any(|g| g.name == name) {
                return Err(BakeError::at(
                    b.label_span(),
                    format!("group {name:?} is defined twice"),
                ));
            }
            let a = b.body.attr("targets").ok_or_else(|| {
                BakeError::at(
                    b.label_span(),
                    format!("group {name:?} needs targets = [\"stage\", …]"),
                )
            })?;
            let mut members = Vec::new();
            for m in self.strings(a, &vars)? {
                if let Some(i) = names.iter().position(|n| *n == m) {
                    members.push(Member::Stage(i));
                } else if group_names.contains(&m) && m != name {
                    members.push(Member::Group(m));
                } else {
                    let known: Vec<&str> = names
                        .iter()
                        .chain(group_names.iter())
                        .map(String::as_str)
                        .collect();
                    return Err(unknown("stage or group", &m, a.expr.span, &known));
                }
            }
            let description = b
                .body
                .attr("description")
                .map(|a| self.string(a, &vars))
                .transpose()?;
            groups.push(Group {
                name,
                span: b.label_span(),
                members,
                description,
            });
        }
        let spec = Spec {
            path: self.name.to_string(),
            axes,
            rules,
            variables,
            stages,
            groups,
            cache,
        };
        self.check_reachable(&spec)?;
        Ok(spec)
    }

    fn axis(&self, b: &Block, earlier: &[Axis], vars: &BTreeMap<String, Value>) -> Result<Axis> {
        let name = one_label(b)?.to_string();
        check_attrs(
            &b.body,
            &["values", "default", "plural", "sanitize", "description"],
            "axis",
        )?;
        no_blocks(&b.body, "an axis")?;
        if !is_target_name(&name)
            || name.starts_with(|c: char| c.is_ascii_digit())
            || name.contains('-')
        {
            return Err(BakeError::at(
                b.label_span(),
                format!("axis name {name:?} must be an identifier (letters, digits, _)"),
            ));
        }
        if earlier.iter().any(|a| a.name == name) {
            return Err(BakeError::at(
                b.label_span(),
                format!("axis {name:?} is defined twice"),
            ));
        }
        let va = b.body.attr("values").ok_or_else(|| {
            BakeError::at(
                b.label_span(),
                format!("axis {name:?} needs values = [\"…\", …]"),
            )
        })?;
        let values = self.strings(va, vars)?;
        if values.is_empty() {
            return Err(BakeError::at(
                va.expr.span,
                format!("axis {name:?} has no values"),
            ));
        }
        for (i, v) in values.iter().enumerate() {
            if !is_axis_value(v) {
                return Err(BakeError::at(
                    va.expr.span,
                    format!(
                        "value {v:?} of axis {name:?} may only use letters, digits and . _ - + (it becomes part of cache ids and target names)"
                    ),
                ));
            }
            if values[..i].contains(v) {
                return Err(BakeError::at(
                    va.expr.span,
                    format!("value {v:?} of axis {name:?} is listed twice"),
                ));
            }
        }
        let defaults = match b.body.attr("default") {
            Some(a) => {
                let d = self.strings(a, vars)?;
                for v in &d {
                    if !values.contains(v) {
                        return Err(BakeError::at(
                            a.expr.span,
                            format!("default {v:?} of axis {name:?} is not one of its values"),
                        ));
                    }
                }
                if d.is_empty() {
                    return Err(BakeError::at(
                        a.expr.span,
                        format!("axis {name:?} has an empty default"),
                    ));
                }
                d
            }
            None => values.clone(),
        };
        let plural = match b.body.attr("plural") {
            Some(a) => self.string(a, vars)?,
            None => format!("{name}s"),
        };
        if plural == name
            || earlier
                .iter()
                .any(|a| a.plural == plural || a.name == plural)
        {
            return Err(BakeError::at(
                b.label_span(),
                format!("plural {plural:?} of axis {name:?} clashes with another name"),
            ));
        }
        let sanitize = match b.body.attr("sanitize") {
            None => Sanitize::default(),
            Some(a) => match self.constant(&a.expr, vars)? {
                Value::Bool(enabled) => Sanitize {
                    enabled,
                    names: BTreeMap::new(),
                },
                v if v.as_entries().is_some() => Sanitize {
                    enabled: true,
                    names: self.string_map(a, vars)?,
                },
                v => {
                    return Err(BakeError::at(
                        a.expr.span,
                        format!(
                            "sanitize must be true, false or a map of value = \"name\", got {}",
                            v.type_name()
                        ),
                    ));
                }
            },
        };
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for v in &values {
            let n = sanitize.apply(v);
            if !is_target_name(&n) || n.contains("--") {
                let at = b
                    .body
                    .attr("sanitize")
                    .map_or(va.expr.span, |a| a.expr.span);
                return Err(BakeError::at(
                    at,
                    format!("value {v:?} of axis {name:?} is named {n:?} in target names, which must match ^[a-zA-Z0-9_-]+$ without \"--\""),
                )
                .with_help(format!("add sanitize = true to axis {name:?}, or name it: sanitize = {{ \"{v}\" = \"…\" }}")));
            }
            if let Some(other) = seen.insert(n.clone(), v) {
                let at = b
                    .body
                    .attr("sanitize")
                    .map_or(va.expr.span, |a| a.expr.span);
                return Err(BakeError::at(
                    at,
                    format!(
                        "values {other:?} and {v:?} of axis {name:?} both become {n:?} in target names"
                    ),
                ));
            }
        }
        Ok(Axis {
            name,
            span: b.label_span(),
            values,
            defaults,
            plural,
            sanitize,
        })
    }

    fn rule(&self, b: &Block, axes: &[Axis], vars: &BTreeMap<String, Value>) -> Result<Rule> {
        no_label(b)?;
        no_blocks(&b.body, "a rule")?;
        if b.body.attrs.is_empty() {
            return Err(BakeError::at(
                b.kind_span,
                format!("an empty {} block matches every cell", b.kind),
            ));
        }
        let known: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        let mut cond = Vec::new();
        for a in &b.body.attrs {
            let i = axes
                .iter()
                .position(|x| x.name == a.name)
                .ok_or_else(|| unknown("axis", &a.name, a.name_span, &known))?;
            let vals: BTreeSet<String> = self.strings(a, vars)?.into_iter().collect();
            for v in &vals {
                if !axes[i].values.contains(v) {
                    return Err(BakeError::at(
                        a.expr.span,
                        format!(
                            "{v:?} is not a value of axis {:?} ({})",
                            a.name,
                            axes[i].values.join(", ")
                        ),
                    ));
                }
            }
            cond.push((i, vals));
        }
        cond.sort_by_key(|(i, _)| *i);
        Ok(Rule {
            include: b.kind == "include",
            span: b.kind_span,
            cond,
        })
    }

    fn cache(
        &self,
        body: &Body,
        axes: &[Axis],
        vars: &BTreeMap<String, Value>,
    ) -> Result<CacheConfig> {
        let blocks: Vec<&Block> = body.blocks.iter().filter(|b| b.kind == "cache").collect();
        if let Some(b) = blocks.get(1) {
            return Err(BakeError::at(
                b.kind_span,
                "only one cache block is allowed",
            ));
        }
        let by_name = |n: &str| axes.iter().position(|a| a.name == n);
        let defaults: Vec<usize> = crate::check::DEFAULT_PARTITION_AXES
            .iter()
            .filter_map(|n| by_name(n))
            .collect();
        let mut c = CacheConfig {
            namespace: "bake-matrix".to_string(),
            apt_partition: ["sys_name", "sys_version", "sys_arch"]
                .iter()
                .filter_map(|n| by_name(n))
                .collect(),
            partition: defaults,
            profile_axis: by_name("cargo_profile"),
            target_axis: by_name("rust_target"),
            profile_dirs: [
                ("dev", "debug"),
                ("test", "debug"),
                ("release", "release"),
                ("bench", "release"),
            ]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            cargo_target_dir: "/usr/src/app/target".to_string(),
            cargo_home: "/usr/local/cargo".to_string(),
            rustup_home: "/usr/local/rustup".to_string(),
        };
        let Some(b) = blocks.first() else {
            return Ok(c);
        };
        no_label(b)?;
        no_blocks(&b.body, "the cache block")?;
        check_attrs(
            &b.body,
            &[
                "namespace",
                "partition",
                "apt_partition",
                "profile_axis",
                "target_axis",
                "profile_dirs",
                "cargo_target_dir",
                "cargo_home",
                "rustup_home",
            ],
            "cache",
        )?;
        let known: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        for a in &b.body.attrs {
            match a.name.as_str() {
                "namespace" => {
                    c.namespace = self.string(a, vars)?;
                    if !is_axis_value(&c.namespace.replace('/', "")) {
                        return Err(BakeError::at(
                            a.expr.span,
                            "namespace may only use letters, digits, / . _ - +",
                        ));
                    }
                }
                "partition" => c.partition = self.axis_list(a, axes, vars)?,
                "apt_partition" => c.apt_partition = self.axis_list(a, axes, vars)?,
                "profile_axis" | "target_axis" => {
                    let n = self.string(a, vars)?;
                    let i = if n.is_empty() {
                        None
                    } else {
                        Some(by_name(&n).ok_or_else(|| unknown("axis", &n, a.expr.span, &known))?)
                    };
                    if a.name == "profile_axis" {
                        c.profile_axis = i
                    } else {
                        c.target_axis = i
                    }
                }
                "profile_dirs" => {
                    for (k, v) in self.string_map(a, vars)? {
                        c.profile_dirs.insert(k, v);
                    }
                }
                _ => {
                    let p = self.string(a, vars)?;
                    if !p.starts_with('/') || p.contains(',') || p.contains(char::is_whitespace) {
                        return Err(BakeError::at(
                            a.expr.span,
                            format!(
                                "{} must be an absolute path without commas or spaces",
                                a.name
                            ),
                        ));
                    }
                    let p = p.trim_end_matches('/').to_string();
                    match a.name.as_str() {
                        "cargo_target_dir" => c.cargo_target_dir = p,
                        "cargo_home" => c.cargo_home = p,
                        _ => c.rustup_home = p,
                    }
                }
            }
        }
        Ok(c)
    }

    fn stage(
        &self,
        b: &Block,
        names: &[String],
        axes: &[Axis],
        vars: &BTreeMap<String, Value>,
        cache: &CacheConfig,
    ) -> Result<Stage> {
        const ATTRS: &[&str] = &[
            "description",
            "dockerfile",
            "target",
            "input",
            "contexts",
            "axes",
            "args",
            "platforms",
            "outputs",
            "tags",
            "entitlements",
            "caches",
        ];
        let name = b.labels[0].clone();
        check_attrs(&b.body, ATTRS, "stage")?;
        no_blocks(&b.body, "a stage")?;
        let stage_ref = |n: &str, span: Span| -> Result<usize> {
            if n == name {
                return Err(BakeError::at(
                    span,
                    format!("stage {name:?} cannot build on itself"),
                ));
            }
            names.iter().position(|x| x == n).ok_or_else(|| {
                unknown(
                    "stage",
                    n,
                    span,
                    &names.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            })
        };
        let (mut axis_idx, axes_span) = match b.body.attr("axes") {
            Some(a) => (self.axis_list(a, axes, vars)?, a.expr.span),
            None => (Vec::new(), b.label_span()),
        };
        axis_idx.sort_unstable();
        let input = match b.body.attr("input") {
            Some(a) => Some(stage_ref(&self.string(a, vars)?, a.expr.span)?),
            None => None,
        };
        let dockerfile = b
            .body
            .attr("dockerfile")
            .map(|a| self.string(a, vars))
            .transpose()?;
        if dockerfile.is_none() && input.is_none() {
            return Err(BakeError::at(
                b.label_span(),
                format!("stage {name:?} needs a dockerfile (or an input stage to inherit it from)"),
            ));
        }
        let target = match b.body.attr("target") {
            Some(a) => self.string(a, vars)?,
            None => name.clone(),
        };
        // Bindings of one cell (first values) to check expressions.
        let cell: Vec<(String, Value)> = axis_idx
            .iter()
            .map(|&i| {
                (
                    axes[i].name.clone(),
                    Value::string(axes[i].values[0].clone()),
                )
            })
            .collect();
        let scope = Scope::with(cell);
        let check = |e: &Expr, what: &str, want: &str| -> Result<Value> {
            let v = eval::eval(e, &scope, &mut SpecGlobals { vars }).map_err(|x| {
                let mut x = x.or_at(e.span);
                if x.message.contains("nknown variable") || x.message.contains("no variable") {
                    x = x.with_help(format!(
                        "{what} may use the stage's axes ({}) and spec variables",
                        axis_idx
                            .iter()
                            .map(|&i| axes[i].name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                x
            })?;
            let ok = match want {
                "string" => v.to_cty_string().is_some(),
                _ => v
                    .as_seq()
                    .is_some_and(|s| s.iter().all(|x| x.to_cty_string().is_some())),
            };
            if !ok {
                return Err(BakeError::at(
                    e.span,
                    format!("{what} must be a {want}, got {}", v.type_name()),
                ));
            }
            Ok(v)
        };
        let mut contexts = Vec::new();
        if let Some(a) = b.body.attr("contexts") {
            for (k, span, e) in self.object_items(a)? {
                if k == "input" {
                    return Err(BakeError::at(
                        span,
                        "the context \"input\" is the input stage: use input = \"stage\"",
                    ));
                }
                let v = check(e, &format!("context {k:?}"), "string")?;
                let s = v.to_cty_string().unwrap_or_default();
                let c = match s.strip_prefix("stage:") {
                    Some(n) => Context::Stage(stage_ref(n, e.span)?),
                    None if s.starts_with("target:") => {
                        return Err(BakeError::at(
                            e.span,
                            "name other stages as \"stage:NAME\": the generator writes the target: name of the right cell",
                        ));
                    }
                    None => Context::Code(self.code(e)),
                };
                contexts.push((k, c));
            }
        }
        let mut args = Vec::new();
        if let Some(a) = b.body.attr("args") {
            for (k, _, e) in self.object_items(a)? {
                check(e, &format!("arg {k:?}"), "string")?;
                args.push((k, self.code(e)));
            }
        }
        let list = |attr: &str| -> Result<Option<Code>> {
            match b.body.attr(attr) {
                Some(a) => {
                    check(&a.expr, attr, "list of strings")?;
                    Ok(Some(self.code(&a.expr)))
                }
                None => Ok(None),
            }
        };
        let platforms = list("platforms")?;
        let outputs = list("outputs")?;
        let tags = list("tags")?;
        let entitlements = match b.body.attr("entitlements") {
            Some(a) => {
                let e = self.strings(a, vars)?;
                for x in &e {
                    if x != "network.host" && x != "security.insecure" {
                        return Err(unknown(
                            "entitlement",
                            x,
                            a.expr.span,
                            &["network.host", "security.insecure"],
                        ));
                    }
                }
                e
            }
            None => Vec::new(),
        };
        let (caches, caches_span) = match b.body.attr("caches") {
            Some(a) => {
                let mut out = Vec::new();
                let known: Vec<&str> = CacheKind::ALL.iter().map(|(n, _)| *n).collect();
                for n in self.strings(a, vars)? {
                    let k = CacheKind::ALL
                        .iter()
                        .find(|(x, _)| *x == n)
                        .map(|(_, k)| *k)
                        .ok_or_else(|| unknown("cache", &n, a.expr.span, &known))?;
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
                (out, a.expr.span)
            }
            None => (Vec::new(), b.label_span()),
        };
        for k in &caches {
            let need: Vec<usize> = match k {
                CacheKind::CargoTarget => {
                    let Some(p) = cache.profile_axis else {
                        return Err(BakeError::at(
                            caches_span,
                            "cargo-target caches need a profile axis (cache { profile_axis = \"cargo_profile\" })",
                        ));
                    };
                    let mut n = cache.partition.clone();
                    n.push(p);
                    n.extend(cache.target_axis);
                    n
                }
                CacheKind::Apt => cache.apt_partition.clone(),
                _ => Vec::new(),
            };
            let missing: Vec<&str> = need
                .iter()
                .filter(|i| !axis_idx.contains(i))
                .map(|&i| axes[i].name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(BakeError::at(
                    caches_span,
                    format!("stage {name:?} uses {} caches, which are partitioned by {}, but is not keyed on {}", k.name(), need.iter().map(|&i| axes[i].name.as_str()).collect::<Vec<_>>().join(", "), missing.join(", ")),
                )
                .with_help("add the axes to the stage's axes, or change the cache block's partition"));
            }
        }
        let description = b
            .body
            .attr("description")
            .map(|a| self.string(a, vars))
            .transpose()?;
        Ok(Stage {
            name,
            span: b.label_span(),
            description,
            dockerfile,
            target,
            input,
            contexts,
            axes: axis_idx,
            axes_span,
            args,
            platforms,
            outputs,
            tags,
            entitlements,
            caches,
            caches_span,
        })
    }

    /// Every parent's axes are keyed by the child; no cycles.
    fn check_graph(&self, stages: &[Stage], blocks: &[&Block]) -> Result<()> {
        for (i, s) in stages.iter().enumerate() {
            for p in s.parents() {
                let missing: Vec<usize> = stages[p]
                    .axes
                    .iter()
                    .copied()
                    .filter(|a| !s.axes.contains(a))
                    .collect();
                if !missing.is_empty() {
                    let at = blocks[i].body.attr("axes").map_or(s.span, |a| a.expr.span);
                    return Err(BakeError::at(
                        at,
                        format!(
                            "stage {:?} builds on stage {:?} but is not keyed on its axis/axes {}",
                            s.name,
                            stages[p].name,
                            missing.len()
                        ),
                    )
                    .with_help("a stage must be keyed on every axis of each parent, so each cell builds on its own parent cell"));
                }
            }
        }
        // Cycles: depth-first search.
        fn visit(
            i: usize,
            stages: &[Stage],
            state: &mut [u8],
            path: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            if state[i] == 2 {
                return None;
            }
            if state[i] == 1 {
                let from = path.iter().position(|&x| x == i).unwrap_or(0);
                return Some(path[from..].to_vec());
            }
            state[i] = 1;
            path.push(i);
            for p in stages[i].parents() {
                if let Some(c) = visit(p, stages, state, path) {
                    return Some(c);
                }
            }
            path.pop();
            state[i] = 2;
            None
        }
        let mut state = vec![0u8; stages.len()];
        for i in 0..stages.len() {
            if let Some(cycle) = visit(i, stages, &mut state, &mut Vec::new()) {
                let names: Vec<&str> = cycle.iter().map(|&c| stages[c].name.as_str()).collect();
                return Err(BakeError::at(
                    stages[cycle[0]].span,
                    format!(
                        "stages build on each other in a cycle: {}",
                        names.join(" → ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every stage must be reachable from a group (else `matrix check` warns).
    fn check_reachable(&self, spec: &Spec) -> Result<()> {
        let mut seen = vec![false; spec.stages.len()];
        let mut todo: Vec<usize> = Vec::new();
        for g in &spec.groups {
            for m in &g.members {
                if let Member::Stage(i) = m {
                    todo.push(*i);
                }
            }
        }
        while let Some(i) = todo.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                todo.extend(spec.stages[i].parents());
            }
        }
        if let Some(i) = seen.iter().position(|s| !s) {
            return Err(BakeError::at(
                spec.stages[i].span,
                format!("stage {:?} is in no group, and no stage of a group builds on it", spec.stages[i].name),
            )
            .with_help("list it (or a stage built on it) in a group: matrix check would report it unreachable"));
        }
        Ok(())
    }
}
