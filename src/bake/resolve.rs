//! Evaluation of a merged bake body into targets and groups, following buildx
//! 0.13.1's `hclparser.Parse`: lazy variables with environment overrides, user
//! functions, matrix expansion, `name`, and references to other blocks'
//! attributes (`target.foo.tags`).

use super::error::{BakeError, Result};
use super::eval::{Bindings, Globals, Scope, eval};
use super::ir::{Expr, ExprKind};
use super::source::Span;
use super::syntax::{Attr, Block, Body};
use super::target::{FieldKind, FieldValue, Group, TARGET_FIELDS, Target, field_kind};
use super::value::{Number, Str, Value, parse_number, settle, settle_value};
use super::{FastMap, FastSet};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Root names an expression refers to, with their leading attribute names.
type ExprVars<'a> = super::ir::Vars<'a>;

/// Names used as `target.NAME` anywhere in the files.
fn referenced_targets(body: &Body) -> FastSet<String> {
    fn scan(expr: &Expr, out: &mut FastSet<String>) {
        // Nearly no expression names `target` at all: skip building its variable list.
        if !expr.mentions_variable("target") {
            return;
        }
        for (root, path) in expr.variables() {
            if root == "target"
                && let Some(name) = path.first()
            {
                out.insert(name.to_string());
            }
        }
    }
    let mut out = FastSet::default();
    for a in &body.attrs {
        scan(&a.expr, &mut out);
    }
    for b in &body.blocks {
        for a in &b.body.attrs {
            scan(&a.expr, &mut out);
        }
    }
    out
}

/// What evaluation reads from outside the files.
pub struct EvalOptions<'a> {
    /// Environment lookup for variable overrides.
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// Variables buildx defines itself (`BAKE_CMD_CONTEXT`, `BAKE_LOCAL_PLATFORM`).
    pub builtin_vars: Vec<(String, String)>,
}

/// The evaluated configuration (`bake.Config`): blocks merged by name, in order.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub groups: Vec<Group>,
    pub targets: Vec<Target>,
    /// Target name → index in `targets` (names are unique after merging).
    pub target_index: FastMap<String, usize>,
    /// Group name → index in `groups` of the first group of that name (a
    /// matrix block's group may repeat a name; the first one is buildx's).
    pub group_index: FastMap<String, usize>,
    /// Where each target and group came from, for diagnostics (`matrix check`).
    pub target_origins: FastMap<String, Origin>,
    pub group_origins: FastMap<String, Origin>,
    /// Declared variables (`variable` blocks) with the span of their label.
    pub variables: Vec<(String, Span)>,
}

/// The block a target or group was defined by (the first one, when several merge).
#[derive(Debug, Clone)]
pub struct Origin {
    /// The block's label.
    pub label: Span,
    /// Span of each attribute's expression in the last block defining it
    /// (shared by the cells of one block).
    pub attrs: std::sync::Arc<BTreeMap<String, Span>>,
    /// The matrix cell: axis names (in declaration order) with this target's values.
    pub cell: Bindings,
    /// The block's own label (a matrix target's generated name differs).
    pub block_name: String,
}

const BLOCK_TYPES: &[&str] = &["group", "target"];

/// A `target` or `group` block with its matrix cells and their names.
struct BlockState<'a> {
    block: &'a Block,
    /// Matrix variables of each cell (one empty cell without a matrix).
    cells: Vec<Bindings>,
    names: Vec<String>,
}

struct UserFunc<'a> {
    params: Rc<[String]>,
    variadic: Option<Rc<str>>,
    result: &'a Expr,
    /// Same arguments, same result: no impure builtin, no `target`/`group`
    /// reference, only pure callees (globals it reads are fixed once resolved).
    pure: bool,
}

/// Builtins whose result changes from call to call.
const IMPURE_BUILTINS: [&str; 3] = ["uuidv4", "timestamp", "bcrypt"];
/// Calls of each pure function remembered, in a table indexed by a hash of
/// the arguments (a new call evicts the one in its slot): a matrix cell calls
/// name-building functions several times with the same axes, and cells of
/// different stages share them.
const MEMO_SLOTS: usize = 256;

/// Remembered (argument hash, arguments, result) of one pure user function.
type FuncMemo = Vec<Option<(u64, Vec<Value>, Value)>>;

fn args_hash(args: &[Value]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    h.write_usize(args.len());
    args.iter().for_each(|a| a.hash_identity(&mut h));
    h.finish()
}

struct Doc<'a, 'o> {
    opts: &'o EvalOptions<'o>,
    vars: FastMap<&'a str, &'a Block>,
    attrs: FastMap<&'a str, &'a Attr>,
    func_defs: FastMap<&'a str, &'a Block>,
    funcs: FastMap<&'a str, UserFunc<'a>>,
    /// Remembered calls of each pure user function.
    func_memo: FastMap<&'a str, FuncMemo>,
    func_progress: FastSet<&'a str>,
    values: FastMap<String, Value>,
    var_progress: FastSet<String>,
    blocks: Vec<BlockState<'a>>,
    /// (block type, generated name) → (block index, cell index); filled once names are known.
    by_name: FastMap<(&'a str, String), Vec<(usize, usize)>>,
    field_cache: FastMap<(usize, usize, &'static str), FieldValue>,
    field_progress: FastSet<(usize, usize, &'static str)>,
    /// Decoded groups by block index (groups have no matrix: one cell).
    group_cache: FastMap<usize, Group>,
    group_progress: FastSet<usize>,
    /// Variable references of each expression evaluated per cell, computed once.
    expr_vars: FastMap<*const Expr, Rc<ExprVars<'a>>>,
    /// Target names some expression refers to (`target.NAME…`): only their
    /// decoded attributes need to be kept for later lookups.
    referenced_targets: FastSet<String>,
    /// Undefined names already looked up, per evaluation context (None: global).
    undefined_seen: FastSet<(Option<(usize, usize)>, String)>,
}

fn is_reserved(name: &str, opts: &EvalOptions) -> bool {
    BLOCK_TYPES.contains(&name) || opts.builtin_vars.iter().any(|(k, _)| k == name)
}

/// Validates a block label or generated name as buildx does.
pub fn validate_target_name(name: &str) -> std::result::Result<(), String> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(format!(
            "invalid name {name:?}: only \"[a-zA-Z0-9_-]+\" are allowed"
        ))
    }
}

/// Evaluates the files' body into a [`Config`]: on several threads when the
/// tree is large and its blocks do not refer to each other, else in order.
pub fn evaluate(body: &Body, opts: &EvalOptions) -> Result<Config> {
    if let Some(config) = evaluate_parallel(body, opts) {
        return Ok(config);
    }
    evaluate_sequential(body, opts)
}

fn evaluate_sequential(body: &Body, opts: &EvalOptions) -> Result<Config> {
    let mut doc = Doc::prepare(body, opts, FastMap::default(), referenced_targets(body))?;
    doc.expand_all(body)?;
    doc.assemble(body, Vec::new())
}

/// Target blocks from which evaluation is shared among threads.
const PARALLEL_BLOCKS: usize = 32;

/// Expands and decodes target blocks on several threads, each with its own
/// evaluation state, then assembles in file order. Declines (`None`, and the
/// sequential path decides) where order could matter: expressions naming
/// `target`/`group`, any error, or any use of an undefined name (buildx's
/// rejection of a second use depends on evaluation order).
fn evaluate_parallel(body: &Body, opts: &EvalOptions) -> Option<Config> {
    let threads = super::worker_threads();
    evaluate_parallel_on(body, opts, threads)
}

fn evaluate_parallel_on(body: &Body, opts: &EvalOptions, threads: usize) -> Option<Config> {
    let targets: Vec<usize> = (0..body.blocks.len())
        .filter(|&i| body.blocks[i].kind == "target")
        .collect();
    if threads < 2 || targets.len() < PARALLEL_BLOCKS || body.names_blocks() {
        return None;
    }
    // No expression names `target` (names_blocks), so no `target.NAME` either.
    let mut main = Doc::prepare(body, opts, FastMap::default(), FastSet::default()).ok()?;
    if !main.undefined_seen.is_empty() {
        return None;
    }
    type Share<'a> = Vec<(usize, BlockState<'a>, Vec<Target>)>;
    let values = &main.values;
    let targets = &targets;
    // Blocks differ in cost (a matrix of 96 cells next to a single target):
    // each thread takes the next when done with its last.
    let queue = super::work::Queue::new(targets.len());
    let shares = super::work::on_threads(threads, || -> Option<Share> {
        let share = (|| {
            let mut doc = Doc::prepare(body, opts, values.clone(), FastSet::default()).ok()?;
            let mut out = Vec::new();
            while let Some(k) = queue.take() {
                let i = targets[k];
                let b = &body.blocks[i];
                if b.labels.len() != 1 {
                    return None;
                }
                let st = doc.expand_block(b).ok()?;
                doc.blocks.push(st);
                let bi = doc.blocks.len() - 1;
                let decoded = (0..doc.blocks[bi].names.len())
                    .map(|ci| doc.decode_target(bi, ci))
                    .collect::<Result<Vec<_>>>()
                    .ok()?;
                out.push((i, doc.blocks.pop()?, decoded));
            }
            doc.undefined_seen.is_empty().then_some(out)
        })();
        if share.is_none() {
            queue.stop(); // a failed share fails the whole
        }
        share
    });
    let mut by_block: FastMap<usize, (BlockState, Vec<Target>)> = FastMap::default();
    for share in shares {
        // A thread that panicked or a share that failed: the caller then
        // evaluates sequentially, which reports the error in file order.
        let Ok(Some(share)) = share else {
            return None;
        };
        for (i, st, decoded) in share {
            by_block.insert(i, (st, decoded));
        }
    }
    // Groups are few and cheap: expand them here, in file order with the targets.
    let mut decoded = Vec::with_capacity(body.blocks.len());
    for (i, b) in body.blocks.iter().enumerate() {
        match b.kind.as_str() {
            "target" => {
                let (st, targets) = by_block.remove(&i)?;
                main.blocks.push(st);
                decoded.push(Some(targets));
            }
            "group" => {
                if b.labels.len() != 1 {
                    return None;
                }
                let st = main.expand_block(b).ok()?;
                main.blocks.push(st);
                decoded.push(None);
            }
            _ => {}
        }
    }
    main.index_names();
    main.assemble(body, decoded).ok()
}

impl<'a, 'o> Doc<'a, 'o> {
    /// Indexes variables, functions and top-level attributes, then resolves
    /// the variables (`values` may hold some already) and functions.
    /// `referenced` holds the names used as `target.NAME` ([`referenced_targets`]).
    fn prepare(
        body: &'a Body,
        opts: &'o EvalOptions<'o>,
        values: FastMap<String, Value>,
        referenced: FastSet<String>,
    ) -> Result<Doc<'a, 'o>> {
        let mut doc = Doc {
            opts,
            vars: FastMap::default(),
            attrs: FastMap::default(),
            func_defs: FastMap::default(),
            funcs: FastMap::default(),
            func_memo: FastMap::default(),
            func_progress: FastSet::default(),
            values,
            var_progress: FastSet::default(),
            blocks: Vec::new(),
            by_name: FastMap::default(),
            field_cache: FastMap::default(),
            field_progress: FastSet::default(),
            group_cache: FastMap::default(),
            group_progress: FastSet::default(),
            undefined_seen: FastSet::default(),
            expr_vars: FastMap::default(),
            referenced_targets: referenced,
        };

        let mut var_order = Vec::new();
        let mut func_order = Vec::new();
        for b in &body.blocks {
            match b.kind.as_str() {
                "variable" | "function" => {
                    if b.labels.len() != 1 {
                        return Err(BakeError::at(
                            b.kind_span,
                            format!(
                                "a {} block needs exactly one label (its name), found {}",
                                b.kind,
                                b.labels.len()
                            ),
                        ));
                    }
                    let name = b.labels[0].as_str();
                    let allowed: &[&str] = if b.kind == "variable" {
                        &["default"]
                    } else {
                        &["params", "variadic_params", "result"]
                    };
                    if let Some(a) = b
                        .body
                        .attrs
                        .iter()
                        .find(|a| !allowed.contains(&a.name.as_str()))
                    {
                        return Err(BakeError::at(
                            a.name_span,
                            format!(
                                "unsupported argument {:?} in {} block; expected one of: {}",
                                a.name,
                                b.kind,
                                allowed.join(", ")
                            ),
                        ));
                    }
                    if let Some(inner) = b.body.blocks.first() {
                        return Err(BakeError::at(
                            inner.kind_span,
                            format!(
                                "blocks of type {:?} are not expected in a {} block",
                                inner.kind, b.kind
                            ),
                        ));
                    }
                    if is_reserved(name, opts) {
                        continue;
                    }
                    if b.kind == "variable" {
                        doc.vars.insert(name, b);
                        var_order.push(name);
                    } else {
                        doc.func_defs.insert(name, b);
                        func_order.push(name);
                    }
                }
                "target" | "group" => {}
                _ => {} // buildx ignores unknown top-level blocks
            }
        }
        for a in &body.attrs {
            if is_reserved(&a.name, opts) || a.name == "function" {
                continue;
            }
            doc.attrs.insert(a.name.as_str(), a);
        }

        for name in var_order {
            doc.resolve_value(name, doc.vars[name].label_span())?;
        }
        for name in func_order {
            doc.resolve_function(name, doc.func_defs[name].label_span())?;
        }
        Ok(doc)
    }

    /// Expands the matrices and names of every target and group block, in order.
    fn expand_all(&mut self, body: &'a Body) -> Result<()> {
        // Expand matrices and names of every target and group block.
        for b in body
            .blocks
            .iter()
            .filter(|b| BLOCK_TYPES.contains(&b.kind.as_str()))
        {
            if b.labels.len() != 1 {
                return Err(BakeError::at(
                    b.label_spans.get(1).copied().unwrap_or(b.kind_span),
                    format!(
                        "invalid block label: a {} block needs exactly one label, found {:?}",
                        b.kind, b.labels
                    ),
                ));
            }
            let state = self.expand_block(b)?;
            self.blocks.push(state);
        }
        self.index_names();
        Ok(())
    }

    /// Fills `by_name` from the expanded blocks.
    fn index_names(&mut self) {
        for (bi, st) in self.blocks.iter().enumerate() {
            for (ci, name) in st.names.iter().enumerate() {
                self.by_name
                    .entry((st.block.kind.as_str(), name.clone()))
                    .or_default()
                    .push((bi, ci));
            }
        }
    }

    /// Decodes every cell of a target block.
    fn decode_target(&mut self, bi: usize, ci: usize) -> Result<Target> {
        let block = self.blocks[bi].block;
        let mut t = Target {
            name: self.blocks[bi].names[ci].clone(),
            ..Target::default()
        };
        for (field, _) in TARGET_FIELDS {
            if block.body.attr(field).is_some() {
                let v = self.field(bi, ci, field)?;
                t.set_field(field, v);
            }
        }
        Ok(t)
    }

    /// Decodes every block (or takes `decoded[bi]`, a target block's cells
    /// decoded already), merging same-named targets and replacing same-named
    /// groups, into the configuration.
    fn assemble(mut self, body: &'a Body, mut decoded: Vec<Option<Vec<Target>>>) -> Result<Config> {
        let doc = &mut self;
        // Decode every block, merging same-named targets and replacing same-named groups.
        let mut config = Config::default();
        // Sized up front: growing them copies every target into fresh pages.
        let cells: usize = doc
            .blocks
            .iter()
            .filter(|b| b.block.kind == "target")
            .map(|b| b.names.len())
            .sum();
        config.targets.reserve(cells);
        config.target_origins.reserve(cells);
        let mut target_index: FastMap<String, usize> = FastMap::default();
        target_index.reserve(cells);
        let mut group_index: FastMap<String, usize> = FastMap::default();
        let mut renamed: Vec<(String, Vec<String>)> = Vec::new();
        // Where each label is in `renamed` (a scan of it per block made
        // trees of many blocks quadratic: 20,000 blocks took 0.4 s).
        let mut renamed_at: FastMap<String, usize> = FastMap::default();
        for bi in 0..doc.blocks.len() {
            let block = doc.blocks[bi].block;
            let names = doc.blocks[bi].names.clone();
            if block.kind == "target" {
                let mut ready = decoded
                    .get_mut(bi)
                    .and_then(Option::take)
                    .map(Vec::into_iter);
                let attrs = std::sync::Arc::new(block_attr_spans(block));
                for (ci, name) in names.iter().enumerate() {
                    let t = match ready.as_mut().and_then(Iterator::next) {
                        Some(t) => t,
                        None => doc.decode_target(bi, ci)?,
                    };
                    match config.target_origins.entry(name.clone()) {
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(Origin {
                                label: block.label_span(),
                                attrs: attrs.clone(),
                                cell: doc.blocks[bi].cells[ci].clone(),
                                block_name: block.labels[0].clone(),
                            });
                        }
                        std::collections::hash_map::Entry::Occupied(mut e) => {
                            let merged = std::sync::Arc::make_mut(&mut e.get_mut().attrs);
                            merged.extend(attrs.iter().map(|(k, v)| (k.clone(), *v)));
                        }
                    }
                    match target_index.get(name) {
                        Some(&i) => config.targets[i].merge(&t),
                        None => {
                            target_index.insert(name.clone(), config.targets.len());
                            config.targets.push(t);
                        }
                    }
                }
                let label = &block.labels[0];
                if let Some(&at) = renamed_at.get(label) {
                    renamed[at].1.extend(names.iter().cloned());
                } else {
                    renamed_at.insert(label.clone(), renamed.len());
                    renamed.push((label.clone(), names.clone()));
                }
            } else {
                let g = doc.decode_group(bi, &names[0])?;
                config.group_origins.insert(
                    g.name.clone(),
                    Origin {
                        label: block.label_span(),
                        attrs: std::sync::Arc::new(block_attr_spans(block)),
                        cell: Bindings::default(),
                        block_name: block.labels[0].clone(),
                    },
                );
                match group_index.get(&g.name) {
                    Some(&i) => config.groups[i] = g,
                    None => {
                        group_index.insert(g.name.clone(), config.groups.len());
                        config.groups.push(g);
                    }
                }
            }
        }

        let mut attr_names: Vec<&str> = doc.attrs.keys().copied().collect();
        attr_names.sort_unstable();
        for name in attr_names {
            let span = doc.attrs[name].name_span;
            doc.resolve_value(name, span)?;
        }

        // A matrix block becomes a group of its generated targets.
        for (label, names) in renamed {
            let names = dedup(names);
            if names.is_empty() || (names.len() == 1 && names[0] == label) {
                continue;
            }
            config.groups.push(Group {
                name: label,
                targets: names,
            });
        }
        for g in &mut config.groups {
            g.targets = dedup(std::mem::take(&mut g.targets));
        }
        config.target_index = target_index;
        for (i, g) in config.groups.iter().enumerate() {
            config.group_index.entry(g.name.clone()).or_insert(i);
        }
        config.variables = body
            .blocks
            .iter()
            .filter(|b| b.kind == "variable" && b.labels.len() == 1)
            .map(|b| (b.labels[0].clone(), b.label_span()))
            .collect();
        Ok(config)
    }
}

pub fn dedup(mut v: Vec<String>) -> Vec<String> {
    // Hashing borrowed names: every matrix block's group of generated names
    // goes through here, and copying each name into the set cost an
    // allocation per target.
    let keep: Vec<bool> = {
        let mut seen = FastSet::with_capacity_and_hasher(v.len(), Default::default());
        v.iter().map(|s| seen.insert(s.as_str())).collect()
    };
    let mut keep = keep.into_iter();
    v.retain(|_| keep.next().unwrap_or(false));
    v
}

impl<'a, 'o> Doc<'a, 'o> {
    fn builtin_var(&self, name: &str) -> Option<&str> {
        self.opts
            .builtin_vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Mirrors a quirk of buildx 0.13.1's dependency loader: looking up the same
    /// undefined name (e.g. the type keyword `string` in `convert`, or a name
    /// guarded by `try`/`can`) a second time in one evaluation context fails with
    /// "variable cycle", so such files are rejected as buildx rejects them.
    /// The variable references of an expression, computed once per expression.
    fn vars_of(&mut self, expr: &'a Expr) -> Rc<ExprVars<'a>> {
        self.expr_vars
            .entry(expr as *const Expr)
            .or_insert_with(|| Rc::new(expr.variables()))
            .clone()
    }

    fn note_undefined(
        &mut self,
        expr: &Expr,
        vars: &ExprVars<'a>,
        ctx: Option<(usize, usize)>,
        locals: &[(String, Value)],
    ) -> Result<()> {
        for &(root, _) in vars {
            if BLOCK_TYPES.contains(&root)
                || locals.iter().any(|(k, _)| k == root)
                || self.values.contains_key(root)
                || self.attrs.contains_key(root)
                || self.vars.contains_key(root)
                || self.builtin_var(root).is_some()
            {
                continue;
            }
            if !self.undefined_seen.insert((ctx, root.to_string())) {
                return Err(BakeError::at(
                    expr.span,
                    format!("variable cycle not allowed for {root}"),
                )
                .with_help(format!(
                    "buildx 0.13.1 rejects a second use of the undefined name {root:?} (this includes type keywords in convert())"
                )));
            }
        }
        Ok(())
    }

    /// Resolves a global name (top-level attribute, variable or builtin); `Ok(None)` if undefined.
    fn resolve_value(&mut self, name: &str, span: Span) -> Result<Option<Value>> {
        if let Some(v) = self.values.get(name) {
            return Ok(Some(v.clone()));
        }
        if self.var_progress.contains(name) {
            return Err(BakeError::at(
                span,
                format!("variable cycle not allowed for {name}"),
            ));
        }
        let is_builtin = self.builtin_var(name).is_some();
        let def: Option<&'a Expr> = match self.attrs.get(name) {
            Some(a) => Some(&a.expr),
            None if is_builtin => None,
            None => match self.vars.get(name) {
                Some(b) => b.body.attr("default").map(|a| &a.expr),
                None => return Ok(None),
            },
        };
        let is_var = self.vars.contains_key(name);
        let value = match def {
            None => {
                let s = match self.builtin_var(name) {
                    Some(v) => v.to_string(),
                    None => (self.opts.env)(name).unwrap_or_default(),
                };
                Value::string(s)
            }
            Some(expr) => {
                let vars = self.vars_of(expr);
                self.note_undefined(expr, &vars, None, &[])?;
                self.var_progress.insert(name.to_string());
                let v = eval(expr, &Scope::root(), self);
                self.var_progress.remove(name);
                let v = v?;
                match (self.opts.env)(name) {
                    Some(env) if is_var => coerce_env(name, &env, v, expr.span)?,
                    _ => v,
                }
            }
        };
        let value = settle_value(value);
        self.values.insert(name.to_string(), value.clone());
        Ok(Some(value))
    }

    /// Validates a user function and the functions and variables its body uses.
    fn resolve_function(&mut self, name: &'a str, span: Span) -> Result<()> {
        if self.funcs.contains_key(name) || super::funcs::lookup(name).is_some() {
            return Ok(());
        }
        let Some(block) = self.func_defs.get(name).copied() else {
            return Err(BakeError::at(
                span,
                format!("function {name:?} does not exist"),
            ));
        };
        if !self.func_progress.insert(name) {
            return Err(BakeError::at(
                span,
                format!("function cycle not allowed for {name}"),
            ));
        }
        let Some(result) = block.body.attr("result") else {
            return Err(BakeError::at(
                block.label_span(),
                format!("empty result not allowed for {name}"),
            )
            .with_help("add `result = <expression>` to the function block"));
        };
        let Some(params_attr) = block.body.attr("params") else {
            return Err(BakeError::at(
                block.label_span(),
                format!("empty params not allowed for {name}"),
            )
            .with_help("add `params = [...]` (possibly empty) to the function block"));
        };
        let ExprKind::Tuple(items) = &params_attr.expr.kind else {
            return Err(BakeError::at(
                params_attr.expr.span,
                "invalid params: a static list of parameter names is required, e.g. params = [a, b]",
            ));
        };
        let mut params = Vec::new();
        for p in items {
            match p.as_keyword() {
                Some(k) => params.push(k.to_string()),
                None => {
                    return Err(BakeError::at(
                        p.span,
                        "invalid param element: each parameter name must be an identifier",
                    ));
                }
            }
        }
        let variadic = match block.body.attr("variadic_params") {
            None => None,
            Some(a) => match a.expr.as_keyword() {
                Some(k) => Some(k.to_string()),
                None => {
                    return Err(BakeError::at(
                        a.expr.span,
                        "invalid variadic_params: the parameter name must be an identifier",
                    ));
                }
            },
        };
        // Dependencies must exist now, even if the function is never called.
        let mut calls = Vec::new();
        result
            .expr
            .visit_calls(&mut |n, s| calls.push((n.to_string(), s)));
        for (callee, s) in calls {
            if callee == "try" || callee == "can" {
                continue;
            }
            let callee: &'a str = match self.func_defs.get_key_value(callee.as_str()) {
                Some((k, _)) => k,
                None if super::funcs::lookup(&callee).is_some() => continue,
                None => {
                    return Err(BakeError::at(
                        s,
                        format!("function {callee:?} does not exist"),
                    ));
                }
            };
            self.resolve_function(callee, s)?;
        }
        for (root, _) in result.expr.variables() {
            if params.iter().any(|p| p == root) || variadic.as_deref() == Some(root) {
                continue;
            }
            if BLOCK_TYPES.contains(&root) {
                continue;
            }
            if self.resolve_value(root, result.expr.span)?.is_none() {
                return Err(BakeError::at(
                    result.expr.span,
                    format!("variable {root:?} does not exist"),
                ));
            }
        }
        let mut pure = true;
        result.expr.walk(&mut |e| match &e.kind {
            ExprKind::Call(c)
                if IMPURE_BUILTINS.contains(&c.name.as_str())
                    || self.funcs.get(c.name.as_str()).is_some_and(|f| !f.pure) =>
            {
                pure = false
            }
            ExprKind::Variable(v) if BLOCK_TYPES.contains(&v.as_str()) => pure = false,
            _ => {}
        });
        self.func_progress.remove(name);
        self.funcs.insert(
            name,
            UserFunc {
                params: params.into(),
                variadic: variadic.map(Into::into),
                result: &result.expr,
                pure,
            },
        );
        Ok(())
    }

    /// Computes the matrix cells and generated names of a target or group block.
    fn expand_block(&mut self, b: &'a Block) -> Result<BlockState<'a>> {
        let matrix = b.body.attr("matrix");
        let name_attr = b.body.attr("name");
        if b.kind == "group" {
            if let Some(m) = matrix {
                return Err(BakeError::at(
                    m.name_span,
                    "matrix is not supported for groups",
                ));
            }
            if let Some(n) = name_attr {
                return Err(BakeError::at(
                    n.name_span,
                    "name is not supported for groups",
                ));
            }
        }
        let cells = match matrix {
            None => vec![Bindings::default()],
            Some(m) => self
                .matrix_cells(m)?
                .into_iter()
                .map(Bindings::new)
                .collect(),
        };
        let label = &b.labels[0];
        let mut names = Vec::with_capacity(cells.len());
        for cell in &cells {
            validate_target_name(label).map_err(|e| BakeError::at(b.label_span(), e))?;
            let name = match name_attr {
                None => label.clone(),
                Some(n) => {
                    if matrix.is_none() {
                        return Err(BakeError::at(n.name_span, "name requires matrix")
                            .with_help("add a `matrix` attribute, or remove `name`"));
                    }
                    let scope = Scope::shared(cell.clone());
                    let v = eval(&n.expr, &scope, self)?;
                    let s = v.to_cty_string().ok_or_else(|| {
                        BakeError::at(
                            n.expr.span,
                            format!("name must be a string, got {}", v.type_name()),
                        )
                    })?;
                    validate_target_name(&s).map_err(|e| BakeError::at(n.expr.span, e))?;
                    s.to_string()
                }
            };
            if names.contains(&name) {
                return Err(BakeError::at(
                    name_attr.map(|n| n.expr.span).unwrap_or(b.label_span()),
                    format!("duplicate name {name:?}"),
                )
                .with_help("include every matrix axis in `name` so each cell gets its own name"));
            }
            names.push(name);
        }
        Ok(BlockState {
            block: b,
            cells,
            names,
        })
    }

    fn matrix_cells(&mut self, m: &'a Attr) -> Result<Vec<Vec<(String, Value)>>> {
        let v = eval(&m.expr, &Scope::root(), self)?;
        let entries = match v {
            Value::Map(e) | Value::Object(e) => e,
            other => {
                return Err(BakeError::at(
                    m.expr.span,
                    format!("matrix must be a map, got {}", other.type_name()),
                ));
            }
        };
        // Axes in declaration order when the matrix is written as an object literal.
        let mut keys: Vec<Str> = Vec::new();
        if let ExprKind::Object(items) = &m.expr.kind {
            for (k, _) in items {
                if let super::ir::ObjectKey::Ident(k) = k
                    && entries.contains_key(k)
                    && !keys.contains(k)
                {
                    keys.push(k.clone());
                }
            }
        }
        for k in entries.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        let mut axes: Vec<(Str, Vec<Value>)> = Vec::with_capacity(keys.len());
        for k in keys {
            let values: Vec<Value> = match &entries[k.as_str()] {
                Value::List(v) | Value::Tuple(v) | Value::Set(v) => v.clone(),
                Value::Map(m) | Value::Object(m) => m.values().cloned().collect(),
                _ => {
                    return Err(BakeError::at(
                        m.expr.span,
                        format!("matrix values must be a list (axis {k:?})"),
                    ));
                }
            };
            axes.push((k, values));
        }
        // The product, the first axis varying slowest, each cell built once.
        let count: usize = axes.iter().map(|(_, v)| v.len()).product();
        let mut cells = Vec::with_capacity(count);
        for mut n in 0..count {
            let mut cell = vec![(String::new(), Value::Null); axes.len()];
            for (slot, (k, values)) in cell.iter_mut().zip(&axes).rev() {
                *slot = (k.to_string(), values[n % values.len()].clone());
                n /= values.len();
            }
            cells.push(cell);
        }
        Ok(cells)
    }

    fn decode_group(&mut self, bi: usize, name: &str) -> Result<Group> {
        if let Some(g) = self.group_cache.get(&bi) {
            return Ok(g.clone());
        }
        let block = self.blocks[bi].block;
        if !self.group_progress.insert(bi) {
            return Err(BakeError::at(
                block.label_span(),
                format!("reference cycle not allowed for group.{name}.targets"),
            ));
        }
        let r = self.decode_group_uncached(bi, name);
        self.group_progress.remove(&bi);
        let g = r?;
        self.group_cache.insert(bi, g.clone());
        Ok(g)
    }

    fn decode_group_uncached(&mut self, bi: usize, name: &str) -> Result<Group> {
        let block = self.blocks[bi].block;
        let Some(attr) = block.body.attr("targets") else {
            return Err(BakeError::at(
                block.label_span(),
                format!("missing required argument: group {name:?} needs a \"targets\" list"),
            ));
        };
        let vars = self.vars_of(&attr.expr);
        self.note_undefined(&attr.expr, &vars, None, &[])?;
        self.load_block_refs(&attr.expr, &vars)?;
        let v = eval(&attr.expr, &Scope::root(), self)?;
        let targets = match decode(&v, FieldKind::List, "targets", attr.expr.span)? {
            FieldValue::List(t) => t
                .unwrap_or_default()
                .into_iter()
                .map(String::from)
                .collect(),
            _ => unreachable!(),
        };
        Ok(Group {
            name: name.to_string(),
            targets,
        })
    }

    /// The decoded value of one attribute of one cell of a target block.
    fn field(&mut self, bi: usize, ci: usize, field: &'static str) -> Result<FieldValue> {
        let key = (bi, ci, field);
        if let Some(v) = self.field_cache.get(&key) {
            return Ok(v.clone());
        }
        let block = self.blocks[bi].block;
        let kind = field_kind(field).expect("known field");
        let Some(attr) = block.body.attr(field) else {
            return Ok(empty_field(kind));
        };
        if !self.field_progress.insert(key) {
            return Err(BakeError::at(
                attr.name_span,
                format!(
                    "reference cycle not allowed for {}.{}.{}",
                    block.kind, self.blocks[bi].names[ci], field
                ),
            ));
        }
        let ctx = (self.blocks[bi].cells.len() > 1 || block.body.attr("matrix").is_some())
            .then_some((bi, ci));
        let cell = self.blocks[bi].cells[ci].clone();
        let vars = self.vars_of(&attr.expr);
        let r = self
            .note_undefined(&attr.expr, &vars, ctx, &cell)
            .and_then(|_| self.load_block_refs(&attr.expr, &vars))
            .and_then(|_| {
                let scope = Scope::shared(cell);
                let v = eval(&attr.expr, &scope, self)?;
                decode(&v, kind, field, attr.expr.span)
            });
        self.field_progress.remove(&key);
        let v = r?;
        if self.referenced_targets.contains(&self.blocks[bi].names[ci]) {
            self.field_cache.insert(key, v.clone());
        }
        Ok(v)
    }

    /// Evaluates the block attributes an expression refers to (`target.foo.tags`).
    fn load_block_refs(&mut self, expr: &Expr, vars: &ExprVars<'a>) -> Result<()> {
        for &(root, ref path) in vars {
            if root != "target" && root != "group" {
                continue;
            }
            let Some(name) = path.first() else {
                return Err(BakeError::at(
                    expr.span,
                    format!("cannot access {root} as a variable"),
                ));
            };
            if root == "group" {
                if let Some(cells) = self.by_name.get(&("group", name.to_string())).cloned() {
                    for (bi, _) in cells {
                        self.decode_group(bi, name)?;
                    }
                }
                continue;
            }
            let Some(cells) = self.by_name.get(&("target", name.to_string())).cloned() else {
                continue;
            };
            for (bi, ci) in cells {
                match path
                    .get(1)
                    .and_then(|a| TARGET_FIELDS.iter().find(|(n, _)| n == a))
                {
                    Some((f, _)) => {
                        self.field(bi, ci, f)?;
                    }
                    None => {
                        for (f, _) in TARGET_FIELDS {
                            self.field(bi, ci, f)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The value of `target`: every named target with the attributes evaluated so far.
    fn target_object(&self) -> Value {
        let mut out = BTreeMap::new();
        for ((kind, name), cells) in &self.by_name {
            if *kind != "target" {
                continue;
            }
            let mut obj = BTreeMap::new();
            obj.insert(Str::new_static("name"), Value::string(name.as_str()));
            for (f, kind) in TARGET_FIELDS {
                if *f == "shm-size" || *f == "ulimits" {
                    continue; // not visible to expressions in buildx 0.13.1
                }
                let v = cells
                    .iter()
                    .rev()
                    .find_map(|(bi, ci)| self.field_cache.get(&(*bi, *ci, *f)))
                    .cloned()
                    .unwrap_or_else(|| empty_field(*kind));
                obj.insert(Str::from(*f), field_to_value(v));
            }
            out.insert(Str::from(name.as_str()), Value::Object(obj));
        }
        Value::Object(out)
    }
}

impl<'a> Globals for Doc<'a, '_> {
    fn variable(&mut self, name: &str, span: Span) -> Result<Option<Value>> {
        if name == "target" && !self.by_name.is_empty() {
            return Ok(Some(self.target_object()));
        }
        if name == "group" && !self.by_name.is_empty() {
            let groups = self
                .group_cache
                .values()
                .map(|g| {
                    let mut obj = BTreeMap::new();
                    obj.insert(Str::new_static("name"), Value::string(g.name.as_str()));
                    obj.insert(
                        Str::new_static("targets"),
                        Value::List(
                            g.targets
                                .iter()
                                .map(|t| Value::string(t.as_str()))
                                .collect(),
                        ),
                    );
                    (Str::from(g.name.as_str()), Value::Object(obj))
                })
                .collect();
            return Ok(Some(Value::Object(groups)));
        }
        self.resolve_value(name, span)
    }

    fn call_user(&mut self, name: &str, args: Vec<Value>, span: Span) -> Option<Result<Value>> {
        if !self.funcs.contains_key(name) {
            // Functions are resolved on first use (variables may call them).
            let key: &'a str = self.func_defs.get_key_value(name).map(|(k, _)| *k)?;
            if let Err(e) = self.resolve_function(key, span) {
                return Some(Err(e));
            }
        }
        let (key, f) = self.funcs.get_key_value(name)?;
        let (key, params, variadic, result, pure) =
            (*key, f.params.clone(), f.variadic.clone(), f.result, f.pure);
        let hash = pure.then(|| args_hash(&args));
        if let Some(hash) = hash
            && let Some(memo) = self.func_memo.get(key)
            && let Some((h, a, v)) = &memo[hash as usize % MEMO_SLOTS]
            && *h == hash
            && a.len() == args.len()
            && a.iter().zip(&args).all(|(x, y)| x.identical(y))
        {
            return Some(Ok(v.clone()));
        }
        Some((|| {
            if args.len() < params.len() || (variadic.is_none() && args.len() > params.len()) {
                return Err(BakeError::at(
                    span,
                    format!(
                        "function {name:?} expects {}{} argument(s), got {}",
                        if variadic.is_some() { "at least " } else { "" },
                        params.len(),
                        args.len()
                    ),
                ));
            }
            if let Some(i) = args.iter().position(Value::is_null) {
                return Err(BakeError::at(
                    span,
                    format!(
                        "invalid value for argument {} of {name}(): argument must not be null",
                        i + 1
                    ),
                ));
            }
            let mut vars: Vec<(String, Value)> = Vec::with_capacity(params.len() + 1);
            let mut args = args.into_iter();
            for p in params.iter() {
                vars.push((p.clone(), args.next().expect("arity checked")));
            }
            if let Some(v) = &variadic {
                vars.push((v.to_string(), Value::Tuple(args.collect())));
            }
            let scope = Scope::with(vars);
            let value = eval(result, &scope, self).map_err(|e| {
                BakeError::at(span, format!("error in function {name}(): {}", e.message))
            })?;
            // The memo keeps the arguments, taken back from the finished scope.
            if let Some(hash) = hash
                && let Some(vars) = scope.into_vars()
            {
                let mut args = Vec::with_capacity(vars.len());
                for (i, (_, v)) in vars.into_iter().enumerate() {
                    match v {
                        Value::Tuple(rest) if i == params.len() => args.extend(rest),
                        v => args.push(v),
                    }
                }
                let memo = self
                    .func_memo
                    .entry(key)
                    .or_insert_with(|| vec![None; MEMO_SLOTS]);
                memo[hash as usize % MEMO_SLOTS] = Some((hash, args, value.clone()));
            }
            Ok(value)
        })())
    }
}

/// Each attribute of a block with the span of its expression.
fn block_attr_spans(block: &Block) -> BTreeMap<String, Span> {
    block
        .body
        .attrs
        .iter()
        .map(|a| (a.name.clone(), a.expr.span))
        .collect()
}

fn empty_field(kind: FieldKind) -> FieldValue {
    match kind {
        FieldKind::List => FieldValue::List(None),
        FieldKind::Str => FieldValue::Str(None),
        FieldKind::Bool => FieldValue::Bool(None),
        FieldKind::Map => FieldValue::Map(None),
        FieldKind::OptMap => FieldValue::OptMap(None),
    }
}

fn field_to_value(v: FieldValue) -> Value {
    match v {
        FieldValue::List(Some(l)) => Value::List(l.into_iter().map(Value::string).collect()),
        FieldValue::Str(Some(s)) => Value::String(s),
        FieldValue::Bool(Some(b)) => Value::Bool(b),
        FieldValue::Map(Some(m)) => {
            Value::Map(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
        }
        FieldValue::OptMap(Some(m)) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, v.map(Value::string).unwrap_or(Value::Null)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Decodes a value into a target attribute as gohcl does (with cty conversions).
pub fn decode(v: &Value, kind: FieldKind, field: &str, span: Span) -> Result<FieldValue> {
    let wrong = |what: &str| {
        BakeError::at(
            span,
            format!(
                "incorrect attribute value type: inappropriate value for attribute {field:?}: {what} required, got {}",
                v.type_name()
            ),
        )
    };
    let prim = |x: &Value, what: &str| -> Result<Str> {
        match x {
            Value::Null => Err(BakeError::at(
                span,
                format!(
                    "incorrect attribute value type: attribute {field:?} must not contain null values"
                ),
            )),
            x => x.to_cty_string().map(settle).ok_or_else(|| wrong(what)),
        }
    };
    Ok(match kind {
        FieldKind::List => match v {
            Value::Null => FieldValue::List(None),
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => FieldValue::List(Some(
                items
                    .iter()
                    .map(|x| prim(x, "list of string"))
                    .collect::<Result<_>>()?,
            )),
            _ => return Err(wrong("list of string")),
        },
        FieldKind::Str => match v {
            Value::Null => FieldValue::Str(None),
            x => FieldValue::Str(Some(
                x.to_cty_string()
                    .map(settle)
                    .ok_or_else(|| wrong("string"))?,
            )),
        },
        FieldKind::Bool => match v {
            Value::Null => FieldValue::Bool(None),
            x => FieldValue::Bool(Some(x.to_cty_bool().ok_or_else(|| wrong("bool"))?)),
        },
        FieldKind::Map => match v {
            Value::Null => FieldValue::Map(None),
            Value::Map(m) | Value::Object(m) => FieldValue::Map(Some(
                m.iter()
                    .map(|(k, x)| Ok((settle(k.clone()), prim(x, "map of string")?)))
                    .collect::<Result<_>>()?,
            )),
            _ => return Err(wrong("map of string")),
        },
        FieldKind::OptMap => match v {
            Value::Null => FieldValue::OptMap(None),
            Value::Map(m) | Value::Object(m) => FieldValue::OptMap(Some(
                m.iter()
                    .map(|(k, x)| {
                        Ok((
                            settle(k.clone()),
                            match x {
                                Value::Null => None,
                                x => Some(prim(x, "map of string")?),
                            },
                        ))
                    })
                    .collect::<Result<_>>()?,
            )),
            _ => return Err(wrong("map of string")),
        },
    })
}

/// Applies an environment override to a variable, typed by its default (buildx's rules).
fn coerce_env(name: &str, env: &str, default: Value, span: Span) -> Result<Value> {
    match default {
        Value::Bool(_) => super::csv::parse_go_bool(env).map(Value::Bool).ok_or_else(|| {
            BakeError::at(
                span,
                format!("failed to parse {name} as bool: invalid syntax in {env:?} from the environment"),
            )
            .with_help("use true/false (or 1/0, t/f)")
        }),
        Value::String(_) | Value::Null => Ok(Value::string(env)),
        Value::Number(_) => parse_go_float(env).map(|f| Value::Number(Number::from_f64(f))).ok_or_else(|| {
            BakeError::at(
                span,
                format!("failed to parse {name} as number: {env:?} from the environment is not a number"),
            )
        }),
        other => Err(BakeError::at(
            span,
            format!(
                "unsupported type {} for variable {name}: it cannot be overridden from the environment",
                other.type_name()
            ),
        )
        .with_help("declare the default as a string (e.g. JSON) and decode it with jsondecode()")),
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input, finite values only
/// (Go accepts `_` digit separators only with a base prefix, so reject them).
fn parse_go_float(s: &str) -> Option<f64> {
    if s.contains('_') {
        return None;
    }
    parse_number(s)?;
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_of(src: &str) -> BTreeMap<Str, Option<Str>> {
        let config = evaluate(&parse(src), &OPTS).unwrap();
        config.targets[0]
            .args
            .clone()
            .unwrap()
            .into_iter()
            .collect()
    }

    fn parse(src: &str) -> Body {
        super::super::syntax::parse_hcl(src, 0).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    const OPTS: EvalOptions<'static> = EvalOptions {
        env: &no_env,
        builtin_vars: Vec::new(),
    };

    #[test]
    fn dedup_keeps_first_occurrences() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            dedup(names(&["b", "a", "b", "c", "a"])),
            names(&["b", "a", "c"])
        );
        assert_eq!(dedup(names(&[])), names(&[]));
        let many: Vec<String> = (0..100).map(|i| format!("t{}", i % 37)).collect();
        assert_eq!(
            dedup(many),
            (0..37).map(|i| format!("t{i}")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn identical_arguments_hash_alike() {
        let parsed = |t: &str| {
            super::super::value::parse_number(t)
                .map(Value::Number)
                .unwrap()
        };
        let samples = [
            vec![
                Value::string("a"),
                Value::Tuple(vec![Value::string("b"), Value::Null]),
            ],
            vec![parsed("1.50"), Value::Bool(true)],
            vec![Value::Object(BTreeMap::from([("k".into(), parsed("-0"))]))],
        ];
        for args in &samples {
            let copy = args.clone();
            assert!(args.iter().zip(&copy).all(|(a, b)| a.identical(b)));
            assert_eq!(args_hash(args), args_hash(&copy));
        }
        // Different arguments land apart (in practice: these are the memo's keys).
        assert_ne!(args_hash(&samples[0]), args_hash(&samples[1]));
        assert_ne!(
            args_hash(&[Value::string("a")]),
            args_hash(&[Value::Tuple(vec![Value::string("a")])])
        );
    }

    /// A name function called for many cells: results come from the memo
    /// (or not) without changing a single value.
    #[test]
    fn remembered_calls_give_the_computed_results() {
        let mut src = String::from(
            "function \"elem\" {\n  params = [p, axes]\n  result = join(\"-\", [p, join(\"-\", axes)])\n}\ntarget \"default\" {\n  args = {\n",
        );
        for i in 0..600 {
            // Each call twice, then again much later: hits, misses and evictions.
            src.push_str(&format!(
                "    A{i} = elem(\"x\", [\"{}\", \"{}\"])\n",
                i % 300,
                i % 7
            ));
        }
        src.push_str("  }\n}\n");
        let args = args_of(&src);
        for i in 0..600 {
            assert_eq!(
                args[format!("A{i}").as_str()].as_deref(),
                Some(format!("x-{}-{}", i % 300, i % 7).as_str())
            );
        }
    }

    /// `n` target blocks with matrices, inherits, functions and variables,
    /// followed by `extra`.
    fn many_blocks(n: usize, extra: &str) -> String {
        let mut s = String::from(
            r#"
variable "profiles" { default = "[\"dev\",\"release\"]" }
variable "registry" { default = "r.example" }
function "elem" {
  params = [prefix, axes]
  result = join("--", [prefix, join("--", axes)])
}
group "default" { targets = ["t0", "t1"] }
"#,
        );
        for i in 0..n {
            s.push_str(&format!(
                r#"
target "t{i}" {{
  name = elem("t{i}", [p])
  matrix = {{ p = jsondecode(profiles) }}
  inherits = [{parent}]
  args = {{ P = p, I = "{i}", U = upper(p) }}
  tags = ["${{registry}}/t{i}:${{p}}"]
  contexts = {{ up = "target:{up}" }}
}}
"#,
                parent = if i > 0 {
                    format!("elem(\"t{}\", [p])", i - 1)
                } else {
                    String::new()
                },
                up = if i > 0 {
                    format!("t{}--dev", i - 1)
                } else {
                    "base".into()
                },
            ));
        }
        s.push_str(extra);
        s
    }

    fn same_config(a: &Config, b: &Config) -> bool {
        format!("{:?}{:?}{:?}", a.targets, a.groups, a.variables)
            == format!("{:?}{:?}{:?}", b.targets, b.groups, b.variables)
    }

    #[test]
    fn parallel_evaluation_equals_sequential() {
        let body = parse(&many_blocks(2 * PARALLEL_BLOCKS, "target \"base\" {}\n"));
        let seq = evaluate_sequential(&body, &OPTS).unwrap();
        assert_eq!(seq.targets.len(), 4 * PARALLEL_BLOCKS + 1);
        // Forced onto several threads whatever this machine has.
        let par = evaluate_parallel_on(&body, &OPTS, 3).expect("parallel path taken");
        assert!(same_config(&seq, &par));
        let par = evaluate_parallel_on(&body, &OPTS, 8).expect("parallel path taken");
        assert!(same_config(&seq, &par));
    }

    #[test]
    fn parallel_evaluation_declines_where_order_matters() {
        // A block reading another block's attributes.
        let refs = many_blocks(
            PARALLEL_BLOCKS,
            "target \"base\" { tags = target.t0--dev.tags }\n",
        );
        assert!(evaluate_parallel_on(&parse(&refs), &OPTS, 2).is_none());
        // An error late in the file: the sequential path reports it.
        let late = many_blocks(PARALLEL_BLOCKS, "target \"base\" { args = { X = nope } }\n");
        assert!(evaluate_parallel_on(&parse(&late), &OPTS, 2).is_none());
        let err = evaluate(&parse(&late), &OPTS).unwrap_err();
        assert!(err.message.contains("nope"), "{}", err.message);
        // An undefined name used under try(): accepted, but order-dependent.
        let tried = many_blocks(
            PARALLEL_BLOCKS,
            "target \"base\" { args = { X = try(nope, \"x\") } }\n",
        );
        assert!(evaluate_parallel_on(&parse(&tried), &OPTS, 2).is_none());
        assert!(evaluate(&parse(&tried), &OPTS).is_ok());
    }

    #[test]
    fn impure_functions_are_called_every_time() {
        let args = args_of(
            r#"
function "id" {
  params = []
  result = uuidv4()
}
function "tagged" {
  params = [p]
  result = "${p}-${id()}"
}
target "default" {
  args = { A = id(), B = id(), C = tagged("x"), D = tagged("x") }
}
"#,
        );
        assert_ne!(args["A"], args["B"]);
        assert_ne!(args["C"], args["D"]);
    }

    #[test]
    fn pure_functions_tell_equal_arguments_of_different_representation_apart() {
        let args = args_of(
            r#"
function "enc" {
  params = [x]
  result = jsonencode(x)
}
target "default" {
  args = {
    A = enc(1), B = enc("1"), C = enc(1), D = enc(["a"]), E = enc(setunion(["a"])),
    F = enc({ a = 1 }), G = enc(merge({ a = 1 })), H = enc(1)
  }
}
"#,
        );
        let v = |k: &str| args[k].clone().unwrap();
        assert_eq!(
            (v("A"), v("B"), v("C")),
            ("1".into(), "\"1\"".into(), "1".into())
        );
        assert_eq!((v("D"), v("E")), ("[\"a\"]".into(), "[\"a\"]".into()));
        assert_eq!(
            (v("F"), v("G"), v("H")),
            ("{\"a\":1}".into(), "{\"a\":1}".into(), "1".into())
        );
    }
}
