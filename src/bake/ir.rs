//! A compact expression tree lowered from hcl-edit's syntax tree (and from HCL's
//! JSON syntax), so the evaluator has one small input language with spans.

use super::error::{BakeError, Result};
use super::source::Span;
use super::value::Value;
use hcl_edit::Span as _;
use hcl_edit::expr::{self as hx, BinaryOperator, UnaryOperator};
use hcl_edit::template::{self as ht, Strip};

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Literal(Value),
    /// A string template with more than a single interpolation.
    Template(Vec<Part>),
    /// `"${expr}"`: yields the expression's value unconverted, as HCL does.
    TemplateWrap(Box<Expr>),
    Tuple(Vec<Expr>),
    Object(Vec<(ObjectKey, Expr)>),
    Variable(String),
    Traversal(Box<Expr>, Vec<Step>),
    /// `expr[*]...` / `expr.*...`: applies `each` to every element.
    Splat(Box<Expr>, Vec<Step>),
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
        expand_final: bool,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Unary(UnaryOperator, Box<Expr>),
    Binary(BinaryOperator, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    Parens(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum ObjectKey {
    /// A bare identifier key: a literal name.
    Ident(String),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub enum Step {
    Attr(String, Span),
    Index(Expr),
}

#[derive(Debug, Clone)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub key_expr: Option<Expr>,
    pub value_expr: Expr,
    pub cond: Option<Expr>,
    pub grouping: bool,
}

#[derive(Debug, Clone)]
pub enum Part {
    Lit(String),
    Interp(Expr),
    If {
        cond: Expr,
        then: Vec<Part>,
        otherwise: Vec<Part>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
        body: Vec<Part>,
    },
}

impl Expr {
    fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The keyword of a bare identifier expression (`hcl.ExprAsKeyword`).
    pub fn as_keyword(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Variable(name) => Some(name),
            _ => None,
        }
    }

    /// Calls `f` with each function name called in this expression.
    pub fn visit_calls(&self, f: &mut dyn FnMut(&str, Span)) {
        self.walk(&mut |e| {
            if let ExprKind::Call {
                name, name_span, ..
            } = &e.kind
            {
                f(name, *name_span)
            }
        });
    }

    /// Pre-order walk over every sub-expression.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(parts) => walk_parts(parts, f),
            ExprKind::TemplateWrap(e) | ExprKind::Parens(e) | ExprKind::Unary(_, e) => e.walk(f),
            ExprKind::Tuple(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Object(items) => {
                for (k, v) in items {
                    if let ObjectKey::Expr(k) = k {
                        k.walk(f);
                    }
                    v.walk(f);
                }
            }
            ExprKind::Traversal(e, steps) | ExprKind::Splat(e, steps) => {
                e.walk(f);
                walk_steps(steps, f);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Conditional(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::For(fe) => {
                fe.collection.walk(f);
                if let Some(k) = &fe.key_expr {
                    k.walk(f);
                }
                fe.value_expr.walk(f);
                if let Some(c) = &fe.cond {
                    c.walk(f);
                }
            }
        }
    }

    /// Root names of the variables this expression refers to, excluding names
    /// bound locally by `for` expressions (`hcl.Expression.Variables`).
    pub fn variables(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        collect_vars(self, &mut Vec::new(), &mut out);
        out
    }
}

fn walk_steps(steps: &[Step], f: &mut dyn FnMut(&Expr)) {
    for s in steps {
        match s {
            Step::Attr(..) => {}
            Step::Index(e) => e.walk(f),
        }
    }
}

fn walk_parts(parts: &[Part], f: &mut dyn FnMut(&Expr)) {
    for p in parts {
        match p {
            Part::Lit(_) => {}
            Part::Interp(e) => e.walk(f),
            Part::If {
                cond,
                then,
                otherwise,
            } => {
                cond.walk(f);
                walk_parts(then, f);
                walk_parts(otherwise, f);
            }
            Part::For {
                collection, body, ..
            } => {
                collection.walk(f);
                walk_parts(body, f);
            }
        }
    }
}

/// Collects (root name, leading attribute names) of every variable reference.
fn collect_vars(e: &Expr, bound: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match &e.kind {
        ExprKind::Variable(name) => {
            if !bound.contains(name) {
                out.push((name.clone(), Vec::new()));
            }
        }
        ExprKind::Traversal(base, steps) | ExprKind::Splat(base, steps) => {
            if let (ExprKind::Variable(name), ExprKind::Traversal(..)) = (&base.kind, &e.kind) {
                if !bound.contains(name) {
                    let attrs = steps
                        .iter()
                        .map_while(|s| match s {
                            Step::Attr(a, _) => Some(a.clone()),
                            _ => None,
                        })
                        .collect();
                    out.push((name.clone(), attrs));
                }
            } else {
                collect_vars(base, bound, out);
            }
            collect_step_vars(steps, bound, out);
        }
        ExprKind::For(fe) => {
            collect_vars(&fe.collection, bound, out);
            let n = bound.len();
            bound.extend(fe.key_var.iter().cloned());
            bound.push(fe.value_var.clone());
            if let Some(k) = &fe.key_expr {
                collect_vars(k, bound, out);
            }
            collect_vars(&fe.value_expr, bound, out);
            if let Some(c) = &fe.cond {
                collect_vars(c, bound, out);
            }
            bound.truncate(n);
        }
        ExprKind::Template(parts) => collect_part_vars(parts, bound, out),
        ExprKind::Literal(_) => {}
        ExprKind::TemplateWrap(x) | ExprKind::Parens(x) | ExprKind::Unary(_, x) => {
            collect_vars(x, bound, out)
        }
        ExprKind::Tuple(items) => items.iter().for_each(|x| collect_vars(x, bound, out)),
        ExprKind::Object(items) => {
            for (k, v) in items {
                if let ObjectKey::Expr(k) = k {
                    collect_vars(k, bound, out);
                }
                collect_vars(v, bound, out);
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|x| collect_vars(x, bound, out)),
        ExprKind::Conditional(a, b, c) => {
            collect_vars(a, bound, out);
            collect_vars(b, bound, out);
            collect_vars(c, bound, out);
        }
        ExprKind::Binary(_, a, b) => {
            collect_vars(a, bound, out);
            collect_vars(b, bound, out);
        }
    }
}

fn collect_step_vars(
    steps: &[Step],
    bound: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    for s in steps {
        match s {
            Step::Attr(..) => {}
            Step::Index(e) => collect_vars(e, bound, out),
        }
    }
}

fn collect_part_vars(
    parts: &[Part],
    bound: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    for p in parts {
        match p {
            Part::Lit(_) => {}
            Part::Interp(e) => collect_vars(e, bound, out),
            Part::If {
                cond,
                then,
                otherwise,
            } => {
                collect_vars(cond, bound, out);
                collect_part_vars(then, bound, out);
                collect_part_vars(otherwise, bound, out);
            }
            Part::For {
                key_var,
                value_var,
                collection,
                body,
            } => {
                collect_vars(collection, bound, out);
                let n = bound.len();
                bound.extend(key_var.iter().cloned());
                bound.push(value_var.clone());
                collect_part_vars(body, bound, out);
                bound.truncate(n);
            }
        }
    }
}

/// Lowers hcl-edit expressions of one file.
pub struct Lowerer {
    pub file: usize,
    /// Added to every span (for templates parsed out of JSON strings).
    pub offset: usize,
}

impl Lowerer {
    fn span(&self, s: Option<std::ops::Range<usize>>) -> Span {
        match s {
            Some(r) => Span::new(self.file, r.start + self.offset..r.end + self.offset),
            None => Span::new(self.file, self.offset..self.offset),
        }
    }

    pub fn expr(&self, e: &hx::Expression) -> Result<Expr> {
        let span = self.span(e.span());
        let kind = match e {
            hx::Expression::Null(_) => ExprKind::Literal(Value::Null),
            hx::Expression::Bool(b) => ExprKind::Literal(Value::Bool(*b.value())),
            hx::Expression::Number(n) => {
                let v = n
                    .value()
                    .as_f64()
                    .ok_or_else(|| BakeError::at(span, "invalid number"))?;
                ExprKind::Literal(Value::Number(v))
            }
            hx::Expression::String(s) => ExprKind::Literal(Value::String(s.value().to_string())),
            hx::Expression::Array(a) => {
                ExprKind::Tuple(a.iter().map(|x| self.expr(x)).collect::<Result<_>>()?)
            }
            hx::Expression::Object(o) => {
                let mut items = Vec::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        hx::ObjectKey::Ident(id) => ObjectKey::Ident(id.as_str().to_string()),
                        hx::ObjectKey::Expression(e) => ObjectKey::Expr(self.expr(e)?),
                    };
                    items.push((key, self.expr(v.expr())?));
                }
                ExprKind::Object(items)
            }
            hx::Expression::StringTemplate(t) => {
                let elements: Vec<&ht::Element> = t.iter().collect();
                return self.template_expr(&elements, span);
            }
            hx::Expression::HeredocTemplate(h) => {
                let elements: Vec<&ht::Element> = h.template.iter().collect();
                return self.template_expr(&elements, span);
            }
            hx::Expression::Parenthesis(p) => ExprKind::Parens(Box::new(self.expr(p.inner())?)),
            hx::Expression::Variable(v) => ExprKind::Variable(v.as_str().to_string()),
            hx::Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr)?),
                Box::new(self.expr(&c.true_expr)?),
                Box::new(self.expr(&c.false_expr)?),
            ),
            hx::Expression::FuncCall(f) => {
                let mut name = String::new();
                for ns in &f.name.namespace {
                    name.push_str(ns.as_str());
                    name.push_str("::");
                }
                name.push_str(f.name.name.as_str());
                ExprKind::Call {
                    name,
                    name_span: self.span(f.name.name.span()),
                    args: f.args.iter().map(|a| self.expr(a)).collect::<Result<_>>()?,
                    expand_final: f.args.expand_final(),
                }
            }
            hx::Expression::Traversal(t) => {
                let base = self.expr(&t.expr)?;
                let ops: Vec<&hx::TraversalOperator> =
                    t.operators.iter().map(|o| o.value()).collect();
                let spans: Vec<Span> = t.operators.iter().map(|o| self.span(o.span())).collect();
                return self.traversal(base, &ops, &spans, span);
            }
            hx::Expression::UnaryOp(u) => {
                ExprKind::Unary(*u.operator.value(), Box::new(self.expr(&u.expr)?))
            }
            hx::Expression::BinaryOp(b) => ExprKind::Binary(
                *b.operator.value(),
                Box::new(self.expr(&b.lhs_expr)?),
                Box::new(self.expr(&b.rhs_expr)?),
            ),
            hx::Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
                value_var: f.intro.value_var.as_str().to_string(),
                collection: self.expr(&f.intro.collection_expr)?,
                key_expr: f.key_expr.as_ref().map(|k| self.expr(k)).transpose()?,
                value_expr: self.expr(&f.value_expr)?,
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr)).transpose()?,
                grouping: f.grouping,
            })),
        };
        Ok(Expr::new(kind, span))
    }

    fn traversal(
        &self,
        base: Expr,
        ops: &[&hx::TraversalOperator],
        spans: &[Span],
        span: Span,
    ) -> Result<Expr> {
        // A splat applies the following steps to each element; an attribute-only
        // splat (`.*`) stops at the first index step. Later steps apply to the result.
        let mut i = 0;
        while i < ops.len() {
            if matches!(
                ops[i],
                hx::TraversalOperator::FullSplat(_) | hx::TraversalOperator::AttrSplat(_)
            ) {
                break;
            }
            i += 1;
        }
        let steps = self.steps(&ops[..i], &spans[..i])?;
        let source = if steps.is_empty() {
            base
        } else {
            Expr::new(ExprKind::Traversal(Box::new(base), steps), span)
        };
        if i == ops.len() {
            return Ok(source);
        }
        let attr_only = matches!(ops[i], hx::TraversalOperator::AttrSplat(_));
        let mut j = i + 1;
        while j < ops.len() {
            let stop = match ops[j] {
                hx::TraversalOperator::GetAttr(_) => false,
                hx::TraversalOperator::FullSplat(_) | hx::TraversalOperator::AttrSplat(_) => true,
                _ => attr_only,
            };
            if stop {
                break;
            }
            j += 1;
        }
        let each = self.steps(&ops[i + 1..j], &spans[i + 1..j])?;
        let splat = Expr::new(ExprKind::Splat(Box::new(source), each), span);
        self.traversal(splat, &ops[j..], &spans[j..], span)
    }

    fn steps(&self, ops: &[&hx::TraversalOperator], spans: &[Span]) -> Result<Vec<Step>> {
        let mut steps = Vec::new();
        for (op, span) in ops.iter().zip(spans) {
            steps.push(match op {
                hx::TraversalOperator::GetAttr(id) => Step::Attr(id.as_str().to_string(), *span),
                hx::TraversalOperator::Index(e) => Step::Index(self.expr(e)?),
                hx::TraversalOperator::LegacyIndex(n) => Step::Index(Expr::new(
                    ExprKind::Literal(Value::Number(*n.value() as f64)),
                    *span,
                )),
                _ => unreachable!("splats are split off by the caller"),
            });
        }
        Ok(steps)
    }

    fn template_expr(&self, elements: &[&ht::Element], span: Span) -> Result<Expr> {
        let parts = self.parts(elements)?;
        // A template consisting of exactly one interpolation yields the raw value.
        if let [Part::Interp(_)] = parts.as_slice() {
            if let Some(Part::Interp(e)) = parts.into_iter().next() {
                return Ok(Expr::new(ExprKind::TemplateWrap(Box::new(e)), span));
            }
            unreachable!()
        }
        if parts.iter().all(|p| matches!(p, Part::Lit(_))) {
            let s: String = parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    _ => "",
                })
                .collect();
            return Ok(Expr::new(ExprKind::Literal(Value::String(s)), span));
        }
        Ok(Expr::new(ExprKind::Template(parts), span))
    }

    /// Lowers template elements, applying `~` strip markers to neighbouring literals.
    fn parts(&self, elements: &[&ht::Element]) -> Result<Vec<Part>> {
        let mut parts: Vec<Part> = Vec::new();
        let mut strip_next = false;
        for el in elements {
            match el {
                ht::Element::Literal(s) => {
                    let mut text = s.value().to_string();
                    if strip_next {
                        text = text.trim_start().to_string();
                    }
                    strip_next = false;
                    parts.push(Part::Lit(text));
                }
                ht::Element::Interpolation(i) => {
                    self.strip_prev(&mut parts, i.strip);
                    parts.push(Part::Interp(self.expr(&i.expr)?));
                    strip_next = strips_end(i.strip);
                }
                ht::Element::Directive(d) => match d.as_ref() {
                    ht::Directive::If(d) => {
                        self.strip_prev(&mut parts, d.if_expr.strip);
                        let then_elems: Vec<&ht::Element> = d.if_expr.template.iter().collect();
                        let mut then = self.parts_stripped(
                            &then_elems,
                            strips_end(d.if_expr.strip),
                            d.else_expr
                                .as_ref()
                                .map(|e| strips_start(e.strip))
                                .unwrap_or(strips_start(d.endif_expr.strip)),
                        )?;
                        let mut otherwise = Vec::new();
                        if let Some(e) = &d.else_expr {
                            let else_elems: Vec<&ht::Element> = e.template.iter().collect();
                            otherwise = self.parts_stripped(
                                &else_elems,
                                strips_end(e.strip),
                                strips_start(d.endif_expr.strip),
                            )?;
                        }
                        then.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
                        otherwise.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
                        parts.push(Part::If {
                            cond: self.expr(&d.if_expr.cond_expr)?,
                            then,
                            otherwise,
                        });
                        strip_next = strips_end(d.endif_expr.strip);
                    }
                    ht::Directive::For(d) => {
                        let f = &d.for_expr;
                        self.strip_prev(&mut parts, f.strip);
                        let body_elems: Vec<&ht::Element> = f.template.iter().collect();
                        let body = self.parts_stripped(
                            &body_elems,
                            strips_end(f.strip),
                            strips_start(d.endfor_expr.strip),
                        )?;
                        parts.push(Part::For {
                            key_var: f.key_var.as_ref().map(|k| k.as_str().to_string()),
                            value_var: f.value_var.as_str().to_string(),
                            collection: self.expr(&f.collection_expr)?,
                            body,
                        });
                        strip_next = strips_end(d.endfor_expr.strip);
                    }
                },
            }
        }
        Ok(parts)
    }

    fn parts_stripped(
        &self,
        elements: &[&ht::Element],
        strip_start: bool,
        strip_end: bool,
    ) -> Result<Vec<Part>> {
        let mut parts = self.parts(elements)?;
        if strip_start {
            if let Some(Part::Lit(s)) = parts.first_mut() {
                *s = s.trim_start().to_string();
            }
        }
        if strip_end {
            if let Some(Part::Lit(s)) = parts.last_mut() {
                *s = s.trim_end().to_string();
            }
        }
        Ok(parts)
    }

    fn strip_prev(&self, parts: &mut [Part], strip: Strip) {
        if strips_start(strip) {
            if let Some(Part::Lit(s)) = parts.last_mut() {
                *s = s.trim_end().to_string();
            }
        }
    }
}

fn strips_start(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}

fn strips_end(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

/// Lowers a value of HCL's JSON syntax in expression mode: strings are templates.
pub fn lower_json(v: &serde_json::Value, file: usize) -> Result<Expr> {
    let span = Span::file_start(file);
    let kind = match v {
        serde_json::Value::Null => ExprKind::Literal(Value::Null),
        serde_json::Value::Bool(b) => ExprKind::Literal(Value::Bool(*b)),
        serde_json::Value::Number(n) => ExprKind::Literal(Value::Number(n.as_f64().unwrap_or(0.0))),
        serde_json::Value::String(s) => return json_template(s, file),
        serde_json::Value::Array(items) => ExprKind::Tuple(
            items
                .iter()
                .map(|x| lower_json(x, file))
                .collect::<Result<_>>()?,
        ),
        serde_json::Value::Object(map) => {
            let mut items = Vec::new();
            for (k, v) in map {
                let key = if k.contains("${") || k.contains("%{") {
                    ObjectKey::Expr(json_template(k, file)?)
                } else {
                    ObjectKey::Ident(k.clone())
                };
                items.push((key, lower_json(v, file)?));
            }
            ExprKind::Object(items)
        }
    };
    Ok(Expr { kind, span })
}

/// Parses a JSON string as an HCL template.
pub fn json_template(s: &str, file: usize) -> Result<Expr> {
    let span = Span::file_start(file);
    if !s.contains("${") && !s.contains("%{") {
        return Ok(Expr::new(
            ExprKind::Literal(Value::String(s.to_string())),
            span,
        ));
    }
    let t = hcl_edit::parser::parse_template(s)
        .map_err(|e| BakeError::at(span, format!("invalid template {s:?}: {}", e.message())))?;
    let lw = Lowerer { file, offset: 0 };
    let elements: Vec<&ht::Element> = t.iter().collect();
    let mut e = lw.template_expr(&elements, span)?;
    reset_spans(&mut e, span);
    Ok(e)
}

/// Template spans inside JSON strings are relative to the string: point at the file instead.
fn reset_spans(e: &mut Expr, span: Span) {
    e.span = span;
}
