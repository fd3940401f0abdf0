//! Expression evaluation with HCL/cty semantics.
//!
//! Names are looked up in local scopes first (for-expression variables, matrix
//! values, function parameters), then in the [`Globals`], which resolves bake
//! variables, user functions and block references lazily.

use super::error::{BakeError, Result};
use super::funcs;
use super::funcs::convert;
use super::ir::{Expr, ExprKind, ObjectKey, Part, Step};
use super::source::Span;
use super::value::{Number, Str, Value};
use hcl_edit::expr::{BinaryOperator, UnaryOperator};
use std::collections::BTreeMap;

/// What the evaluator needs from the surrounding document.
pub trait Globals {
    /// Value of a global name (variable, block reference); `None` if unknown.
    fn variable(&mut self, name: &str, span: Span) -> Result<Option<Value>>;
    /// Calls a user-defined function; `None` if no such function exists.
    fn call_user(&mut self, name: &str, args: Vec<Value>, span: Span) -> Option<Result<Value>>;
}

/// Local name bindings (matrix values of one cell, function parameters, …),
/// shared so a cell's bindings are not copied for every attribute.
pub type Bindings = std::sync::Arc<Vec<(String, Value)>>;

/// A chain of local name bindings.
pub struct Scope<'a> {
    vars: Bindings,
    parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    pub fn root() -> Scope<'static> {
        Scope::shared(Bindings::default())
    }

    pub fn with(vars: Vec<(String, Value)>) -> Scope<'static> {
        Scope::shared(Bindings::new(vars))
    }

    pub fn shared(vars: Bindings) -> Scope<'static> {
        Scope { vars, parent: None }
    }

    /// The bindings back, when no other scope shares them.
    pub fn into_vars(self) -> Option<Vec<(String, Value)>> {
        std::sync::Arc::try_unwrap(self.vars).ok()
    }

    pub fn child(&'a self, vars: Vec<(String, Value)>) -> Scope<'a> {
        Scope {
            vars: Bindings::new(vars),
            parent: Some(self),
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        let mut s = Some(self);
        while let Some(scope) = s {
            if let Some((_, v)) = scope.vars.iter().rev().find(|(n, _)| n == name) {
                return Some(v);
            }
            s = scope.parent;
        }
        None
    }
}

thread_local! {
    static TEMPLATE_BUFFER: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

pub fn eval(e: &Expr, scope: &Scope, g: &mut dyn Globals) -> Result<Value> {
    match &e.kind {
        ExprKind::Literal(v) => Ok(v.clone()),
        ExprKind::Parens(x) | ExprKind::TemplateWrap(x) => eval(x, scope, g),
        ExprKind::Template(parts) => {
            // Rendered into this thread's reused buffer, then copied once into
            // its final form (inline, or one shared allocation). A template
            // nested in an interpolation finds the buffer taken and uses its own.
            let mut out = TEMPLATE_BUFFER.take();
            out.clear();
            let rendered = render_parts(parts, scope, g, &mut out);
            let value = rendered.map(|()| Value::String(Str::new(&out)));
            TEMPLATE_BUFFER.set(out);
            value
        }
        ExprKind::Tuple(items) => Ok(Value::Tuple(
            items
                .iter()
                .map(|x| eval(x, scope, g))
                .collect::<Result<_>>()?,
        )),
        ExprKind::Object(items) => {
            let mut m = BTreeMap::new();
            for (k, v) in items {
                let key = match k {
                    ObjectKey::Ident(s) => s.clone(),
                    ObjectKey::Expr(ke) => {
                        let kv = eval(ke, scope, g)?;
                        match kv {
                            Value::Null => {
                                return Err(BakeError::at(ke.span, "object key must not be null"));
                            }
                            other => other.to_cty_string().ok_or_else(|| {
                                BakeError::at(
                                    ke.span,
                                    format!(
                                        "object key must be a string, got {}",
                                        other.type_name()
                                    ),
                                )
                            })?,
                        }
                    }
                };
                let val = eval(v, scope, g)?;
                m.insert(key, val);
            }
            Ok(Value::Object(m))
        }
        ExprKind::Variable(name) => variable(name, e.span, scope, g),
        ExprKind::Traversal(base, steps) => {
            let v = eval(base, scope, g)?;
            apply_steps(v, steps, scope, g)
        }
        ExprKind::Splat(source, each) => {
            let v = eval(source, scope, g)?;
            let (items, as_list) = match v {
                Value::Null => return Ok(Value::Tuple(Vec::new())),
                Value::List(items) | Value::Set(items) => (items, true),
                Value::Tuple(items) => (items, false),
                other => (vec![other], false),
            };
            let mapped = items
                .into_iter()
                .map(|x| apply_steps(x, each, scope, g))
                .collect::<Result<Vec<_>>>()?;
            Ok(if as_list {
                Value::List(mapped)
            } else {
                Value::Tuple(mapped)
            })
        }
        ExprKind::Call(c) => call(
            &c.name,
            c.name_span,
            &c.args,
            c.expand_final,
            e.span,
            scope,
            g,
        ),
        ExprKind::Conditional(c, t, f) => conditional(c, t, f, scope, g),
        ExprKind::Unary(op, x) => {
            let v = eval(x, scope, g)?;
            match op {
                UnaryOperator::Neg => Ok(Value::Number(number_operand(&v, x.span)?.neg())),
                UnaryOperator::Not => Ok(Value::Bool(!bool_operand(&v, x.span)?)),
            }
        }
        ExprKind::Binary(op, a, b) => binary(*op, a, b, scope, g),
        ExprKind::For(fe) => {
            let coll = eval(&fe.collection, scope, g)?;
            let entries = iterate(&coll, fe.collection.span, "for expression")?;
            if let Some(key_expr) = &fe.key_expr {
                let mut out: BTreeMap<Str, Value> = BTreeMap::new();
                let mut groups: BTreeMap<Str, Vec<Value>> = BTreeMap::new();
                for (k, v) in entries {
                    let mut vars = vec![(fe.value_var.clone(), v)];
                    if let Some(kv) = &fe.key_var {
                        vars.insert(0, (kv.clone(), k));
                    }
                    let inner = scope.child(vars);
                    if !for_cond(&fe.cond, &inner, g)? {
                        continue;
                    }
                    let key = eval(key_expr, &inner, g)?;
                    let key = key.to_cty_string().ok_or_else(|| {
                        BakeError::at(
                            key_expr.span,
                            format!(
                                "invalid object key: a string is required, got {}",
                                key.type_name()
                            ),
                        )
                    })?;
                    let val = eval(&fe.value_expr, &inner, g)?;
                    if fe.grouping {
                        groups.entry(key).or_default().push(val);
                    } else {
                        match out.entry(key) {
                            std::collections::btree_map::Entry::Occupied(e) => {
                                return Err(BakeError::at(
                                    key_expr.span,
                                    format!("duplicate object key {:?} in for expression", e.key()),
                                )
                                .with_help(
                                    "add `...` after the value expression to group values by key",
                                ));
                            }
                            std::collections::btree_map::Entry::Vacant(e) => {
                                e.insert(val);
                            }
                        }
                    }
                }
                if fe.grouping {
                    out = groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::Tuple(v)))
                        .collect();
                }
                Ok(Value::Object(out))
            } else {
                let mut out = Vec::new();
                for (k, v) in entries {
                    let mut vars = vec![(fe.value_var.clone(), v)];
                    if let Some(kv) = &fe.key_var {
                        vars.insert(0, (kv.clone(), k));
                    }
                    let inner = scope.child(vars);
                    if !for_cond(&fe.cond, &inner, g)? {
                        continue;
                    }
                    out.push(eval(&fe.value_expr, &inner, g)?);
                }
                Ok(Value::Tuple(out))
            }
        }
    }
}

fn for_cond(cond: &Option<Expr>, scope: &Scope, g: &mut dyn Globals) -> Result<bool> {
    match cond {
        None => Ok(true),
        Some(c) => {
            let v = eval(c, scope, g)?;
            match v {
                Value::Null => Err(BakeError::at(c.span, "for expression condition is null")),
                v => v.to_cty_bool().ok_or_else(|| {
                    BakeError::at(
                        c.span,
                        format!(
                            "for expression condition must be a bool, got {}",
                            v.type_name()
                        ),
                    )
                }),
            }
        }
    }
}

/// (key, value) pairs of a collection, as `for` iterates them.
fn iterate(v: &Value, span: Span, what: &str) -> Result<Vec<(Value, Value)>> {
    match v {
        Value::List(items) | Value::Tuple(items) | Value::Set(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let k = if matches!(v, Value::Set(_)) {
                    x.clone()
                } else {
                    Value::Number(Number::from(i))
                };
                (k, x.clone())
            })
            .collect()),
        Value::Map(m) | Value::Object(m) => Ok(m
            .iter()
            .map(|(k, x)| (Value::String(k.clone()), x.clone()))
            .collect()),
        Value::Null => Err(BakeError::at(
            span,
            format!("cannot iterate over a null value in {what}"),
        )),
        other => Err(BakeError::at(
            span,
            format!(
                "{what} requires a collection to iterate over, got {}",
                other.type_name()
            ),
        )),
    }
}

fn variable(name: &str, span: Span, scope: &Scope, g: &mut dyn Globals) -> Result<Value> {
    if let Some(v) = scope.get(name) {
        return Ok(v.clone());
    }
    match g.variable(name, span)? {
        Some(v) => Ok(v),
        None => Err(BakeError::at(
            span,
            format!("unknown variable: there is no variable named {name:?}"),
        )),
    }
}

fn apply_steps(mut v: Value, steps: &[Step], scope: &Scope, g: &mut dyn Globals) -> Result<Value> {
    for step in steps {
        v = match step {
            Step::Attr(name, span) => get_attr(v, name, *span)?,
            Step::Index(e) => {
                let key = eval(e, scope, g)?;
                index(v, &key, e.span)?
            }
        };
    }
    Ok(v)
}

fn get_attr(v: Value, name: &str, span: Span) -> Result<Value> {
    match v {
        Value::Object(mut m) | Value::Map(mut m) => m.remove(name).ok_or_else(|| {
            BakeError::at(
                span,
                format!("unsupported attribute: this value has no attribute {name:?}"),
            )
        }),
        Value::Null => Err(BakeError::at(
            span,
            format!("attempt to get attribute {name:?} from a null value"),
        )),
        Value::List(_) | Value::Tuple(_) | Value::Set(_) => {
            if let Ok(i) = name.parse::<usize>() {
                return index(v, &Value::Number(Number::from(i)), span);
            }
            Err(BakeError::at(
                span,
                format!(
                    "unsupported attribute {name:?}: a {} has no attributes",
                    v.type_name()
                ),
            ))
        }
        other => Err(BakeError::at(
            span,
            format!(
                "unsupported attribute {name:?}: a {} has no attributes",
                other.type_name()
            ),
        )),
    }
}

pub fn index(v: Value, key: &Value, span: Span) -> Result<Value> {
    if key.is_null() {
        return Err(BakeError::at(
            span,
            "invalid index: the index must not be null",
        ));
    }
    match v {
        Value::List(mut items) | Value::Tuple(mut items) => {
            let n = key.to_cty_number().ok_or_else(|| {
                BakeError::at(
                    span,
                    format!(
                        "invalid index: a number is required, got {}",
                        key.type_name()
                    ),
                )
            })?;
            let i = n
                .to_i64()
                .and_then(|i| usize::try_from(i).ok())
                .filter(|i| *i < items.len());
            let Some(i) = i else {
                return Err(BakeError::at(
                    span,
                    format!(
                        "invalid index: the given index {n} is out of range for a sequence of {} elements",
                        items.len()
                    ),
                ));
            };
            Ok(items.swap_remove(i))
        }
        Value::Map(mut m) | Value::Object(mut m) => {
            let k = key.to_cty_string().ok_or_else(|| {
                BakeError::at(
                    span,
                    format!(
                        "invalid index: a string key is required, got {}",
                        key.type_name()
                    ),
                )
            })?;
            m.remove(k.as_str()).ok_or_else(|| {
                BakeError::at(
                    span,
                    format!("invalid index: the given key {k:?} does not exist"),
                )
            })
        }
        Value::Null => Err(BakeError::at(span, "attempt to index a null value")),
        Value::Set(_) => Err(BakeError::at(
            span,
            "invalid index: elements of a set are not indexable (convert it to a list first)",
        )),
        other => Err(BakeError::at(
            span,
            format!("invalid index: a {} cannot be indexed", other.type_name()),
        )),
    }
}

fn call(
    name: &str,
    name_span: Span,
    arg_exprs: &[Expr],
    expand_final: bool,
    span: Span,
    scope: &Scope,
    g: &mut dyn Globals,
) -> Result<Value> {
    // try and can must see errors of their arguments, so they evaluate lazily.
    match name {
        "try" => {
            if arg_exprs.is_empty() {
                return Err(BakeError::at(
                    span,
                    "try: at least one argument is required",
                ));
            }
            let mut last = None;
            for a in arg_exprs {
                match eval(a, scope, g) {
                    Ok(v) => return Ok(v),
                    Err(e) => last = Some(e),
                }
            }
            let last = last.expect("at least one argument");
            return Err(BakeError::at(
                span,
                format!(
                    "no expression succeeded: the last one failed with: {}",
                    last.message
                ),
            ));
        }
        "convert" => {
            if arg_exprs.len() != 2 {
                return Err(BakeError::at(
                    span,
                    "convert: exactly two arguments are required (value, type)",
                ));
            }
            let ty = type_expr(&arg_exprs[1])?;
            let v = eval(&arg_exprs[0], scope, g)?;
            return convert::convert(&v, &ty).map_err(|msg| {
                BakeError::at(span, format!("error in function call convert(): {msg}"))
            });
        }
        "can" => {
            if arg_exprs.len() != 1 {
                return Err(BakeError::at(span, "can: exactly one argument is required"));
            }
            return Ok(Value::Bool(eval(&arg_exprs[0], scope, g).is_ok()));
        }
        _ => {}
    }
    let mut args = Vec::with_capacity(arg_exprs.len());
    for a in arg_exprs {
        args.push(eval(a, scope, g)?);
    }
    if expand_final {
        let last = args.pop().unwrap_or(Value::Null);
        match last {
            Value::List(items) | Value::Tuple(items) | Value::Set(items) => args.extend(items),
            Value::Null => {
                return Err(BakeError::at(
                    span,
                    "invalid expanding argument value: the expanding argument (indicated by ...) must not be null",
                ));
            }
            other => {
                return Err(BakeError::at(
                    span,
                    format!(
                        "invalid expanding argument value: the expanding argument (indicated by ...) must be of a list, set or tuple type, got {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    // Builtins shadow user functions of the same name, as in buildx.
    if let Some(b) = funcs::lookup(name) {
        if args.len() < b.params || (!b.variadic && args.len() > b.params) {
            let expected = if b.variadic {
                format!("at least {}", b.params)
            } else {
                b.params.to_string()
            };
            return Err(BakeError::at(
                span,
                format!(
                    "function {name:?} expects {expected} argument(s), got {}",
                    args.len()
                ),
            ));
        }
        return (b.call)(&args)
            .map_err(|msg| BakeError::at(span, format!("error in function call {name}(): {msg}")));
    }
    match g.call_user(name, args, span) {
        Some(r) => r,
        None => Err(BakeError::at(
            name_span,
            format!("call to unknown function: there is no function named {name:?}"),
        )),
    }
}

/// Reads a type expression (`string`, `list(number)`, `object({a = bool})`…)
/// as HCL's typeexpr extension does.
fn type_expr(e: &Expr) -> Result<convert::Ty> {
    use convert::Ty;
    let bad = || {
        BakeError::at(
            e.span,
            "invalid type specification: expected a type like string, number, bool, any, list(T), set(T), map(T), tuple([...]) or object({...})",
        )
    };
    match &e.kind {
        ExprKind::Variable(name) => match name.as_str() {
            "string" => Ok(Ty::String),
            "number" => Ok(Ty::Number),
            "bool" => Ok(Ty::Bool),
            "any" => Ok(Ty::Dynamic),
            _ => Err(bad()),
        },
        ExprKind::Call(c) if c.args.len() == 1 => {
            let args = &c.args;
            match (c.name.as_str(), &args[0].kind) {
                ("list", _) => Ok(Ty::list(type_expr(&args[0])?)),
                ("set", _) => Ok(Ty::set(type_expr(&args[0])?)),
                ("map", _) => Ok(Ty::map(type_expr(&args[0])?)),
                ("tuple", ExprKind::Tuple(items)) => Ok(Ty::Tuple(
                    items.iter().map(type_expr).collect::<Result<_>>()?,
                )),
                ("object", ExprKind::Object(items)) => {
                    let mut m = BTreeMap::new();
                    for (k, v) in items {
                        let key = match k {
                            ObjectKey::Ident(s) => s.clone(),
                            ObjectKey::Expr(ke) => match &ke.kind {
                                ExprKind::Literal(Value::String(s)) => s.clone(),
                                ExprKind::Variable(s) => Str::from(s.as_str()),
                                _ => return Err(bad()),
                            },
                        };
                        m.insert(key, type_expr(v)?);
                    }
                    Ok(Ty::Object(m))
                }
                _ => Err(bad()),
            }
        }
        ExprKind::Parens(x) => type_expr(x),
        _ => Err(bad()),
    }
}

fn conditional(c: &Expr, t: &Expr, f: &Expr, scope: &Scope, g: &mut dyn Globals) -> Result<Value> {
    // HCL evaluates both branches to unify their types; only the chosen
    // branch's errors count.
    let tv = eval(t, scope, g);
    let fv = eval(f, scope, g);
    let result_type = match (&tv, &fv) {
        (Ok(a), Ok(b)) => Some(conditional_type(a, b).ok_or_else(|| {
            BakeError::at(
                c.span,
                format!(
                    "inconsistent conditional result types: the true result is a {} and the false result is a {}",
                    a.type_name(),
                    b.type_name()
                ),
            )
        })?),
        _ => None,
    };
    let cv = eval(c, scope, g)?;
    let cond = match cv {
        Value::Null => {
            return Err(BakeError::at(
                c.span,
                "null condition: the condition must not be null",
            ));
        }
        v => v.to_cty_bool().ok_or_else(|| {
            BakeError::at(
                c.span,
                format!(
                    "incorrect condition type: a bool is required, got {}",
                    v.type_name()
                ),
            )
        })?,
    };
    let chosen = if cond { tv } else { fv }?;
    match result_type {
        Some(ty) => convert::convert(&chosen, &ty).map_err(|msg| BakeError::at(c.span, msg)),
        None => Ok(chosen),
    }
}

/// The type both branches of a conditional convert to: a literal null takes
/// the other branch's type; otherwise cty's type unification decides.
fn conditional_type(a: &Value, b: &Value) -> Option<convert::Ty> {
    match (a, b) {
        (Value::Null, other) | (other, Value::Null) => Some(convert::type_of(other)),
        _ => convert::unify(&[convert::type_of(a), convert::type_of(b)]),
    }
}

fn number_operand(v: &Value, span: Span) -> Result<Number> {
    match v {
        Value::Null => Err(BakeError::at(
            span,
            "invalid operand: a number is required, got null",
        )),
        v => v.to_cty_number().ok_or_else(|| {
            BakeError::at(
                span,
                format!(
                    "invalid operand: a number is required, got {}",
                    v.type_name()
                ),
            )
        }),
    }
}

fn bool_operand(v: &Value, span: Span) -> Result<bool> {
    match v {
        Value::Null => Err(BakeError::at(
            span,
            "invalid operand: a bool is required, got null",
        )),
        v => v.to_cty_bool().ok_or_else(|| {
            BakeError::at(
                span,
                format!("invalid operand: a bool is required, got {}", v.type_name()),
            )
        }),
    }
}

fn binary(
    op: BinaryOperator,
    a: &Expr,
    b: &Expr,
    scope: &Scope,
    g: &mut dyn Globals,
) -> Result<Value> {
    let av = eval(a, scope, g)?;
    let bv = eval(b, scope, g)?;
    use BinaryOperator::*;
    Ok(match op {
        Eq => Value::Bool(convert::equals(&av, &bv)),
        NotEq => Value::Bool(!convert::equals(&av, &bv)),
        And => Value::Bool(bool_operand(&av, a.span)? && bool_operand(&bv, b.span)?),
        Or => Value::Bool(bool_operand(&av, a.span)? || bool_operand(&bv, b.span)?),
        _ => {
            let x = number_operand(&av, a.span)?;
            let y = number_operand(&bv, b.span)?;
            let failed = |msg: &str| {
                BakeError::at(
                    a.span,
                    format!("Operation failed: Error during operation: {msg}."),
                )
            };
            match op {
                Less => Value::Bool(x.cmp_value(&y).is_lt()),
                LessEq => Value::Bool(x.cmp_value(&y).is_le()),
                Greater => Value::Bool(x.cmp_value(&y).is_gt()),
                GreaterEq => Value::Bool(x.cmp_value(&y).is_ge()),
                Plus => Value::Number(
                    x.add(&y)
                        .map_err(|_| failed("can't compute sum of opposing infinities"))?,
                ),
                Minus => Value::Number(
                    x.sub(&y)
                        .map_err(|_| failed("can't subtract infinity from itself"))?,
                ),
                Mul => Value::Number(
                    x.mul(&y)
                        .map_err(|_| failed("can't multiply zero by infinity"))?,
                ),
                Div => Value::Number(
                    x.quo(&y)
                        .map_err(|_| failed("can't divide zero by zero or infinity by infinity"))?,
                ),
                Mod => Value::Number(
                    x.modulo(&y)
                        .map_err(|_| failed("can't use modulo with zero and infinity"))?,
                ),
                Eq | NotEq | And | Or => unreachable!(),
            }
        }
    })
}

fn render_parts(
    parts: &[Part],
    scope: &Scope,
    g: &mut dyn Globals,
    out: &mut String,
) -> Result<()> {
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Interp(e) => {
                // `${name}` of a string in scope (a matrix axis, a parameter): no copy.
                if let ExprKind::Variable(name) = &e.kind
                    && let Some(Value::String(s)) = scope.get(name)
                {
                    out.push_str(s);
                    continue;
                }
                let v = eval(e, scope, g)?;
                match v {
                    Value::String(s) => out.push_str(&s),
                    Value::Null => {
                        return Err(BakeError::at(
                            e.span,
                            "invalid template interpolation value: the expression result is null",
                        ));
                    }
                    v => match v.to_cty_string() {
                        Some(s) => out.push_str(&s),
                        None => {
                            return Err(BakeError::at(
                                e.span,
                                format!(
                                    "invalid template interpolation value: cannot include a {} in a string template",
                                    v.type_name()
                                ),
                            ));
                        }
                    },
                }
            }
            Part::If {
                cond,
                then,
                otherwise,
            } => {
                let v = eval(cond, scope, g)?;
                let b = bool_operand(&v, cond.span)?;
                render_parts(if b { then } else { otherwise }, scope, g, out)?;
            }
            Part::For {
                key_var,
                value_var,
                collection,
                body,
            } => {
                let coll = eval(collection, scope, g)?;
                for (k, v) in iterate(&coll, collection.span, "template for directive")? {
                    let mut vars = vec![(value_var.clone(), v)];
                    if let Some(kv) = key_var {
                        vars.insert(0, (kv.clone(), k));
                    }
                    let inner = scope.child(vars);
                    render_parts(body, &inner, g, out)?;
                }
            }
        }
    }
    Ok(())
}
