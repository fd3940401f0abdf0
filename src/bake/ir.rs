//! A compact expression tree lowered from hcl-edit's syntax tree (and from HCL's
//! JSON syntax), so the evaluator has one small input language with spans.

use super::error::{BakeError, Result};
use super::source::Span;
use super::value::{Number, Str, Value};
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
    /// Boxed: calls are a minority of expressions and the largest variant.
    Call(Box<Call>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Unary(UnaryOperator, Box<Expr>),
    Binary(BinaryOperator, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    Parens(Box<Expr>),
}

/// Variable references: (root name, leading attribute names), borrowed from the expression.
pub type Vars<'e> = Vec<(&'e str, Vec<&'e str>)>;

#[derive(Debug, Clone)]
pub enum ObjectKey {
    /// A bare identifier key: a literal name.
    Ident(Str),
    /// A quoted or computed key (boxed: most keys are identifiers).
    Expr(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum Step {
    Attr(String, Span),
    Index(Expr),
}

#[derive(Debug, Clone)]
pub struct Call {
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Expr>,
    /// `f(args...)`: the last argument's elements are the final arguments.
    pub expand_final: bool,
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
    // Directives are rare: their expressions are boxed to keep every part small.
    If {
        cond: Box<Expr>,
        then: Vec<Part>,
        otherwise: Vec<Part>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Box<Expr>,
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
            if let ExprKind::Call(c) = &e.kind {
                f(&c.name, c.name_span)
            }
        });
    }

    /// Whether a variable called `name` appears anywhere in this expression
    /// (bound by a `for` or not): a cheap test before [`Self::variables`].
    pub fn mentions_variable(&self, name: &str) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(&e.kind, ExprKind::Variable(n) if n == name));
        found
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
            ExprKind::Call(c) => c.args.iter().for_each(|e| e.walk(f)),
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
    pub fn variables(&self) -> Vars<'_> {
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
fn collect_vars<'e>(e: &'e Expr, bound: &mut Vec<&'e str>, out: &mut Vars<'e>) {
    match &e.kind {
        ExprKind::Variable(name) => {
            if !bound.contains(&name.as_str()) {
                out.push((name, Vec::new()));
            }
        }
        ExprKind::Traversal(base, steps) | ExprKind::Splat(base, steps) => {
            if let (ExprKind::Variable(name), ExprKind::Traversal(..)) = (&base.kind, &e.kind) {
                if !bound.contains(&name.as_str()) {
                    let attrs = steps
                        .iter()
                        .map_while(|s| match s {
                            Step::Attr(a, _) => Some(a.as_str()),
                            _ => None,
                        })
                        .collect();
                    out.push((name, attrs));
                }
            } else {
                collect_vars(base, bound, out);
            }
            collect_step_vars(steps, bound, out);
        }
        ExprKind::For(fe) => {
            collect_vars(&fe.collection, bound, out);
            let n = bound.len();
            bound.extend(fe.key_var.as_deref());
            bound.push(&fe.value_var);
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
        ExprKind::Call(c) => c.args.iter().for_each(|x| collect_vars(x, bound, out)),
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

fn collect_step_vars<'e>(steps: &'e [Step], bound: &mut Vec<&'e str>, out: &mut Vars<'e>) {
    for s in steps {
        match s {
            Step::Attr(..) => {}
            Step::Index(e) => collect_vars(e, bound, out),
        }
    }
}

fn collect_part_vars<'e>(parts: &'e [Part], bound: &mut Vec<&'e str>, out: &mut Vars<'e>) {
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
                bound.extend(key_var.as_deref());
                bound.push(value_var);
                collect_part_vars(body, bound, out);
                bound.truncate(n);
            }
        }
    }
}

/// Lowers hcl-edit expressions of one file.
pub struct Lowerer<'a> {
    pub file: usize,
    /// Added to every span (for templates parsed out of JSON strings or heredoc bodies).
    pub offset: usize,
    /// The text hcl-edit parsed, which its spans index into (`offset` bytes into the file).
    pub src: &'a str,
}

impl Lowerer<'_> {
    pub(crate) fn span(&self, s: Option<std::ops::Range<usize>>) -> Span {
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
                // cty parses the literal's text at 512 bits; hcl-edit's value is
                // only a u64/i64/f64, so read the source text when we have it.
                let text = e.span().and_then(|r| self.src.get(r)).map(str::trim);
                let v = text
                    .and_then(Number::parse)
                    .or_else(|| {
                        let f = n.value().as_f64()?;
                        Number::parse(&Number::from_f64(f).to_string())
                    })
                    .ok_or_else(|| BakeError::at(span, "invalid number"))?;
                ExprKind::Literal(Value::Number(v))
            }
            hx::Expression::String(s) => ExprKind::Literal(Value::string(s.value().as_str())),
            hx::Expression::Array(a) => {
                ExprKind::Tuple(a.iter().map(|x| self.expr(x)).collect::<Result<_>>()?)
            }
            hx::Expression::Object(o) => {
                let mut items = Vec::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        hx::ObjectKey::Ident(id) => ObjectKey::Ident(id.as_str().into()),
                        hx::ObjectKey::Expression(e) => ObjectKey::Expr(Box::new(self.expr(e)?)),
                    };
                    items.push((key, self.expr(v.expr())?));
                }
                ExprKind::Object(items)
            }
            hx::Expression::StringTemplate(t) => {
                let elements: Vec<&ht::Element> = t.iter().collect();
                return self.template_expr(&elements, span, false, false);
            }
            hx::Expression::HeredocTemplate(h) => return self.heredoc_expr(h, span),
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
                ExprKind::Call(Box::new(Call {
                    name,
                    name_span: self.span(f.name.name.span()),
                    args: f.args.iter().map(|a| self.expr(a)).collect::<Result<_>>()?,
                    expand_final: f.args.expand_final(),
                }))
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
                    ExprKind::Literal(Value::Number(Number::from_u64(*n.value()))),
                    *span,
                )),
                _ => unreachable!("splats are split off by the caller"),
            });
        }
        Ok(steps)
    }

    /// Lowers a template the way HCL's native syntax parser does: the elements are
    /// flattened into a token sequence (literals split after each newline when
    /// `split_lines`, as HCL's scanner emits one literal token per heredoc or bare
    /// template line), `~` strip markers trim only the adjacent literal token, and
    /// `flush` (`<<-` heredocs) then removes the common indentation of the
    /// line-leading literal tokens, before the tokens are nested into parts.
    fn template_expr(
        &self,
        elements: &[&ht::Element],
        span: Span,
        split_lines: bool,
        flush: bool,
    ) -> Result<Expr> {
        let mut toks = Vec::new();
        flatten(elements, split_lines, &mut toks);
        apply_strip(&mut toks);
        if flush {
            flush_heredoc(&mut toks);
        }
        // A template consisting of exactly one interpolation yields the raw value.
        if let [Tok::Interp(e, _)] = toks.as_slice() {
            return Ok(Expr::new(
                ExprKind::TemplateWrap(Box::new(self.expr(e)?)),
                span,
            ));
        }
        let mut i = 0;
        let parts = self.nest(&toks, &mut i)?;
        if parts.iter().all(|p| matches!(p, Part::Lit(_))) {
            let s: String = parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    _ => "",
                })
                .collect();
            return Ok(Expr::new(ExprKind::Literal(Value::string(s)), span));
        }
        Ok(Expr::new(ExprKind::Template(parts), span))
    }

    /// A heredoc template: hcl-edit has already dedented `<<-` heredocs (over the
    /// rendered lines, and merging literals across lines), so the body is re-parsed
    /// from the source and lowered with HCL's own per-line token rules.
    fn heredoc_expr(&self, h: &ht::HeredocTemplate, span: Span) -> Result<Expr> {
        let raw = h.template.span().and_then(|r| {
            let body = self.src.get(r.clone())?;
            let flush = self.src[..r.start]
                .rfind("<<")
                .is_some_and(|p| self.src[p + 2..].starts_with('-'));
            let t = hcl_edit::parser::parse_template(body).ok()?;
            Some((r.start, body, flush, t))
        });
        match raw {
            Some((start, body, flush, t)) => {
                let lw = Lowerer {
                    file: self.file,
                    offset: self.offset + start,
                    src: body,
                };
                let elements: Vec<&ht::Element> = t.iter().collect();
                lw.template_expr(&elements, span, true, flush)
            }
            None => {
                let elements: Vec<&ht::Element> = h.template.iter().collect();
                self.template_expr(&elements, span, true, false)
            }
        }
    }

    /// Nests flat template tokens from `*i` up to the next `else`/`endif`/`endfor`.
    fn nest(&self, toks: &[Tok], i: &mut usize) -> Result<Vec<Part>> {
        let mut parts = Vec::new();
        while let Some(tok) = toks.get(*i) {
            match tok {
                Tok::Lit(s) => parts.push(Part::Lit(s.clone())),
                Tok::Interp(e, _) => parts.push(Part::Interp(self.expr(e)?)),
                Tok::If(cond, _) => {
                    *i += 1;
                    let mut then = self.nest(toks, i)?;
                    let mut otherwise = Vec::new();
                    if let Some(Tok::Else(_)) = toks.get(*i) {
                        *i += 1;
                        otherwise = self.nest(toks, i)?;
                    }
                    then.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
                    otherwise.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
                    parts.push(Part::If {
                        cond: Box::new(self.expr(cond)?),
                        then,
                        otherwise,
                    });
                }
                Tok::For {
                    key_var,
                    value_var,
                    collection,
                    ..
                } => {
                    *i += 1;
                    let body = self.nest(toks, i)?;
                    parts.push(Part::For {
                        key_var: key_var.clone(),
                        value_var: value_var.clone(),
                        collection: Box::new(self.expr(collection)?),
                        body,
                    });
                }
                Tok::Else(_) | Tok::EndIf(_) | Tok::EndFor(_) => return Ok(parts),
            }
            *i += 1;
        }
        Ok(parts)
    }
}

/// One token of a template, as HCL's template parser sees them.
enum Tok<'e> {
    Lit(String),
    Interp(&'e hx::Expression, Strip),
    If(&'e hx::Expression, Strip),
    Else(Strip),
    EndIf(Strip),
    For {
        key_var: Option<String>,
        value_var: String,
        collection: &'e hx::Expression,
        strip: Strip,
    },
    EndFor(Strip),
}

impl Tok<'_> {
    fn strip(&self) -> Strip {
        match self {
            Tok::Lit(_) => Strip::None,
            Tok::Interp(_, s)
            | Tok::If(_, s)
            | Tok::Else(s)
            | Tok::EndIf(s)
            | Tok::EndFor(s)
            | Tok::For { strip: s, .. } => *s,
        }
    }
}

fn flatten<'e>(elements: &[&'e ht::Element], split_lines: bool, out: &mut Vec<Tok<'e>>) {
    let nested = |t: &'e ht::Template, out: &mut Vec<Tok<'e>>| {
        let elements: Vec<&ht::Element> = t.iter().collect();
        flatten(&elements, split_lines, out);
    };
    for el in elements {
        match el {
            ht::Element::Literal(s) => {
                if split_lines {
                    out.extend(
                        s.value()
                            .split_inclusive('\n')
                            .map(|l| Tok::Lit(l.to_string())),
                    );
                } else {
                    out.push(Tok::Lit(s.value().to_string()));
                }
            }
            ht::Element::Interpolation(i) => out.push(Tok::Interp(&i.expr, i.strip)),
            ht::Element::Directive(d) => match d.as_ref() {
                ht::Directive::If(d) => {
                    out.push(Tok::If(&d.if_expr.cond_expr, d.if_expr.strip));
                    nested(&d.if_expr.template, out);
                    if let Some(e) = &d.else_expr {
                        out.push(Tok::Else(e.strip));
                        nested(&e.template, out);
                    }
                    out.push(Tok::EndIf(d.endif_expr.strip));
                }
                ht::Directive::For(d) => {
                    let f = &d.for_expr;
                    out.push(Tok::For {
                        key_var: f.key_var.as_ref().map(|k| k.as_str().to_string()),
                        value_var: f.value_var.as_str().to_string(),
                        collection: &f.collection_expr,
                        strip: f.strip,
                    });
                    nested(&f.template, out);
                    out.push(Tok::EndFor(d.endfor_expr.strip));
                }
            },
        }
    }
}

/// `${~`/`%{~` trim trailing whitespace of the literal token right before them,
/// `~}` leading whitespace of the literal token right after them.
fn apply_strip(toks: &mut [Tok]) {
    let mut ltrim = false;
    for i in 0..toks.len() {
        let strip = toks[i].strip();
        match &mut toks[i] {
            Tok::Lit(s) => {
                if ltrim {
                    *s = s.trim_start().to_string();
                }
                ltrim = false;
            }
            _ => {
                if strips_start(strip)
                    && i > 0
                    && let Tok::Lit(prev) = &mut toks[i - 1]
                {
                    *prev = prev.trim_end().to_string();
                }
                ltrim = strips_end(strip);
            }
        }
    }
}

/// HCL's `flushHeredocTemplateParts`: finds the smallest number of leading space
/// characters over the literal tokens that begin a line (blank lines excepted; a
/// line starting with anything else counts as zero) and removes that many from
/// each of them.
fn flush_heredoc(toks: &mut [Tok]) {
    use unicode_segmentation::UnicodeSegmentation;
    let mut min_spaces = usize::MAX;
    let mut newline = true;
    let mut adjust = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        if newline {
            newline = false;
            let mut spaces = 0;
            if let Tok::Lit(s) = tok {
                let trimmed = s.trim_start();
                if trimmed.is_empty() && s.ends_with('\n') {
                    spaces = usize::MAX;
                } else {
                    spaces = s[..s.len() - trimmed.len()].graphemes(true).count();
                    adjust.push(i);
                }
            }
            min_spaces = min_spaces.min(spaces);
        }
        if let Tok::Lit(s) = tok
            && s.ends_with('\n')
        {
            newline = true;
        }
    }
    for i in adjust {
        if let Tok::Lit(s) = &mut toks[i] {
            let cut: usize = s.graphemes(true).take(min_spaces).map(str::len).sum();
            *s = s[cut..].to_string();
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
        serde_json::Value::Number(n) => ExprKind::Literal(Value::Number(
            Number::parse(&n.to_string()).unwrap_or_else(|| Number::from_i64(0)),
        )),
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
                    ObjectKey::Expr(Box::new(json_template(k, file)?))
                } else {
                    ObjectKey::Ident(k.as_str().into())
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
        return Ok(Expr::new(ExprKind::Literal(Value::string(s)), span));
    }
    let t = hcl_edit::parser::parse_template(s)
        .map_err(|e| BakeError::at(span, format!("invalid template {s:?}: {}", e.message())))?;
    let lw = Lowerer {
        file,
        offset: 0,
        src: s,
    };
    let elements: Vec<&ht::Element> = t.iter().collect();
    // HCL parses JSON strings as bare templates, whose literal tokens end at newlines.
    let mut e = lw.template_expr(&elements, span, true, false)?;
    // Spans inside a JSON string are relative to the string: point at the file instead.
    e.span = span;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowers the value of the single attribute `v` in `src`.
    fn lower(src: &str) -> Expr {
        let body = super::super::syntax::parse_hcl(src, 0).expect("parses");
        body.attr("v").expect("attribute v").expr.clone()
    }

    /// Renders a lowered template with list variables, for the template shapes used here.
    fn render(e: &Expr, vars: &[(&str, &[&str])]) -> String {
        fn parts(
            ps: &[Part],
            vars: &[(&str, &[&str])],
            scope: &mut Vec<(String, String)>,
        ) -> String {
            let mut out = String::new();
            for p in ps {
                match p {
                    Part::Lit(s) => out.push_str(s),
                    Part::Interp(e) => match &e.kind {
                        ExprKind::Variable(n) => {
                            let v = scope.iter().rev().find(|(k, _)| k == n);
                            out.push_str(&v.expect("bound variable").1);
                        }
                        ExprKind::Literal(Value::String(s)) => out.push_str(s),
                        k => panic!("unsupported interpolation {k:?}"),
                    },
                    Part::For {
                        value_var,
                        collection,
                        body,
                        ..
                    } => {
                        let ExprKind::Variable(n) = &collection.kind else {
                            panic!("unsupported collection")
                        };
                        let items = vars.iter().find(|(k, _)| k == n).expect("list").1;
                        for item in items {
                            scope.push((value_var.clone(), item.to_string()));
                            out.push_str(&parts(body, vars, scope));
                            scope.pop();
                        }
                    }
                    Part::If { .. } => panic!("unsupported if"),
                }
            }
            out
        }
        match &e.kind {
            ExprKind::Literal(Value::String(s)) => s.to_string(),
            ExprKind::Template(ps) => parts(ps, vars, &mut Vec::new()),
            k => panic!("not a template: {k:?}"),
        }
    }

    const ITEMS: &[(&str, &[&str])] = &[("ITEMS", &["x", "y", "z"])];

    #[test]
    fn indented_heredoc_strip_markers_trim_only_adjacent_line_tokens() {
        let e = lower(
            "v = <<-EOT\n      %{~ for v in ITEMS ~}\n      [${v}]\n      %{~ endfor ~}\n    EOT\n",
        );
        // The stripped first token is empty, so the common indentation is zero.
        assert_eq!(render(&e, ITEMS), "      [x]\n      [y]\n      [z]\n");
    }

    #[test]
    fn indented_heredoc_without_directives_is_dedented() {
        let e = lower("v = <<-EOT\n      four\n        six\n    two\n\n    EOT\n");
        assert_eq!(render(&e, &[]), "  four\n    six\ntwo\n\n");
        let last_lit = |src: &str| match &lower(src).kind {
            ExprKind::Template(ps) => match ps.last() {
                Some(Part::Lit(s)) => s.clone(),
                p => panic!("not a literal: {p:?}"),
            },
            k => panic!("not a template: {k:?}"),
        };
        // The spaces before an interpolation are a line-leading literal token.
        assert_eq!(
            last_lit("v = <<-EOT\n    ${x}\n      indented\n    EOT\n"),
            "  indented\n"
        );
        // A line starting with an interpolation has no indentation to remove.
        assert_eq!(
            last_lit("v = <<-EOT\n${x}\n      indented\n    EOT\n"),
            "      indented\n"
        );
    }

    #[test]
    fn plain_heredoc_with_strip_markers() {
        let e = lower("v = <<EOT\n  %{~ for v in ITEMS ~}\n  <${v}>\n  %{~ endfor ~}\nEOT\n");
        assert_eq!(render(&e, ITEMS), "  <x>\n  <y>\n  <z>\n");
        let e = lower("v = <<EOT\n  ${~ \"a\" ~}  \n  b\nEOT\n");
        assert_eq!(render(&e, &[]), "a  b\n");
    }

    #[test]
    fn quoted_template_strip_markers() {
        let e = lower("v = \"  ${~ \"a\" ~}  \\n  b\"\n");
        assert_eq!(render(&e, &[]), "ab");
        let e = lower("v = \"<%{~ for v in ITEMS ~} ${v} %{~ endfor ~}>\"\n");
        assert_eq!(render(&e, ITEMS), "<xyz>");
        // Stripping leaves an empty literal, so this is a template, not a pass-through.
        let e = lower("v = \" ${~ \"a\"}\"\n");
        assert!(matches!(e.kind, ExprKind::Template(_)));
        assert!(matches!(
            lower("v = \"${x}\"\n").kind,
            ExprKind::TemplateWrap(_)
        ));
    }

    #[test]
    fn heredoc_spans_point_into_the_body() {
        let src = "v = <<-EOT\n    first\n      second ${nope}\n    EOT\n";
        let e = lower(src);
        let ExprKind::Template(ps) = &e.kind else {
            panic!("template")
        };
        let interp = ps.iter().find_map(|p| match p {
            Part::Interp(e) => Some(e),
            _ => None,
        });
        let span = interp.expect("interpolation").span;
        let at = src.find("nope").unwrap();
        assert_eq!(
            format!("{span:?}"),
            format!("{:?}", Span::new(0, at..at + 4))
        );
    }

    #[test]
    fn json_templates_split_literals_at_newlines() {
        let e = json_template("${X ~}  \n   foo", 0).unwrap();
        let ExprKind::Template(ps) = &e.kind else {
            panic!("template")
        };
        assert!(matches!(ps.last(), Some(Part::Lit(s)) if s == "   foo"));
    }
}
