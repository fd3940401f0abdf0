use super::prelude::*;

use super::nesting::{self, nested, operator_scope};
use super::number::number as num;
use super::repr::{decorated, prefix_decorated, spanned, suffix_decorated};
use super::state::{
    index_object_keys, reserve_first, reserve_items, ExprParseState, ObjectKeyIndex,
    FIRST_CAPACITY, OBJECT_KEYS_LISTED,
};
use super::string::{
    cut_char, cut_ident, cut_tag, ident, raw_string, scan_quoted, str_ident, string, QuotedScan,
};
use super::template::{heredoc_template, string_template};
use super::trivia::{is_multispace, line_comment, sp, ws};

use crate::expr::{
    Array, BinaryOperator, Expression, ForCond, ForExpr, ForIntro, FuncArgs, FuncCall, FuncName,
    Object, ObjectKey, ObjectValue, ObjectValueAssignment, ObjectValueTerminator, Parenthesis,
    Splat, TraversalOperator, UnaryOp, UnaryOperator,
};
use crate::template::HeredocTemplate;
use crate::{Decorate, Decorated, Formatted, Ident, RawString, SetSpan, Spanned};

use hcl_primitives::ident::{is_id_continue, is_id_start};
use std::cell::RefCell;
use winnow::ascii::{crlf, dec_uint, line_ending, newline, space0};
use winnow::combinator::{
    alt, cut_err, delimited, empty, fail, not, opt, peek, preceded, repeat, separated,
    separated_pair, terminated,
};
use winnow::error::{ErrMode, ParserError};
use winnow::stream::{Accumulate, Location};
use winnow::token::{any, none_of, one_of, take};

fn ws_or_sp<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        if state.borrow().newlines_allowed() {
            ws.parse_next(input)
        } else {
            sp.parse_next(input)
        }
    }
}

/// Parses an expression which is not nested within another expression, e.g. an attribute value.
///
/// In contrast to [`expr`], the expression itself does not count towards the nesting depth.
pub(super) fn root_expr(input: &mut Input) -> ModalResult<Expression> {
    let state = RefCell::default();
    operator_scope(expr_inner(&state)).parse_next(input)?;
    Ok(state.into_inner().into_expr())
}

pub(super) fn expr(input: &mut Input) -> ModalResult<Expression> {
    let state = RefCell::default();
    nested(expr_inner(&state)).parse_next(input)?;
    Ok(state.into_inner().into_expr())
}

pub(super) fn multiline_expr(input: &mut Input) -> ModalResult<Expression> {
    let mut state = ExprParseState::default();
    state.allow_newlines();
    let state = RefCell::new(state);
    nested(expr_inner(&state)).parse_next(input)?;
    Ok(state.into_inner().into_expr())
}

fn expr_with_state<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, Expression, ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let state = state.clone();
        nested(expr_inner(&state)).parse_next(input)?;
        Ok(state.into_inner().into_expr())
    }
}

fn expr_term_with_state<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, Expression, ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let state = state.clone();
        expr_term_inner(&state).parse_next(input)?;
        Ok(state.into_inner().into_expr())
    }
}

fn expr_inner<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let start = input.current_token_start();

        // The length of the whitespace `expr_term_inner` scanned after the term, if it left the
        // input before it: the first scan below would find the same (see `reuse_scanned_ws`).
        let mut term_ws = expr_term_inner(state).parse_next(input)?;

        // How the last chain of binary operations ended if the operation after it failed with a
        // backtrack error (see `binary_ops`).
        let mut failed_op: Option<FailedOp<'i>> = None;

        loop {
            let checkpoint = input.checkpoint();
            // Parse the next whitespace sequence and only add it as decor suffix to the expression
            // if we encounter conditional. We'll rewind the parser if none follows.
            let suffix = match term_ws.take().filter(|_| reuse_scanned_ws()) {
                Some(len) => skip_scanned_ws(input, len),
                None => ws_or_sp(state).span().parse_next(input)?,
            };

            // Peek the next two bytes to identify the following operation, if any.
            let next = peek2(input);
            match next {
                // Conditional.
                _ if is_conditional(next) => {
                    state.borrow_mut().on_ws(suffix);
                    return conditional(state)
                        .span()
                        .map(|span| state.borrow_mut().on_span(start..span.end))
                        .parse_next(input);
                }
                // Binary operations.
                //
                // Note: `//` and `/*` are comment starts. Do not mistakenly parse a `/` as binary
                // division operator.
                //
                // Also, matching a single `=` is ambiguous as it could also be an object
                // key-value separator, so we'll need to match on `==`.
                //
                // After the binary operations are consumed, the loop is entered again to consume
                // a potentially following conditional.
                _ if is_binary_op(next) => {
                    input.reset(&checkpoint);
                    if let Some(failed) = failed_op.take().filter(|_| replay_failed_ops()) {
                        // The previous chain stopped here because the binary operation that
                        // follows failed with a backtrack error. Parsing it again (as hcl-edit
                        // did) fails the same way: it is the chain's first operation now, so
                        // `binary_ops` returns that error where the operation left the input.
                        // Repeating the parse at every nesting level took time exponential in
                        // the depth (fuzz/regressions/bake-slow-parse-*).
                        input.reset(&failed.at);
                        return Err(failed.error);
                    }
                    failed_op = Some(binary_ops(state, input, start)?);
                }
                // None of the above matched or we hit the end of input.
                _ => {
                    input.reset(&checkpoint);
                    return Ok(());
                }
            }
        }
    }
}

/// Parses an expression term and the traversal that follows it, if any. Without a traversal, the
/// input is left after the term and the output is the length of the whitespace that follows it
/// (what `ws_or_sp` consumes there), for `expr_inner`.
fn expr_term_inner<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, Option<usize>, ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let start = input.current_token_start();

        dispatch! {peek(any);
            '"' => stringlike(state),
            '[' => array(state),
            '{' => object(state),
            '0'..='9' => number(state),
            '<' => heredoc(state),
            '-' => alt((neg_number(state), unary_op(state))),
            '!' => unary_op(state),
            '(' => parenthesis(state),
            b if is_id_start(b) => identlike(state),
            _ => cut_err(fail)
                .context(StrContext::Label("expression"))
                .context(StrContext::Expected(StrContextValue::CharLiteral('"')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('[')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('{')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('-')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('!')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('(')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('_')))
                .context(StrContext::Expected(StrContextValue::CharLiteral('<')))
                .context(StrContext::Expected(StrContextValue::Description("letter")))
                .context(StrContext::Expected(StrContextValue::Description("digit"))),
        }
        .span()
        .parse_next(input)
        .map(|span| state.borrow_mut().on_span(span))?;

        // The whitespace `identlike` scanned after an identifier, if it left the input before it.
        let ident_ws = state.borrow_mut().take_term_ws();

        let checkpoint = input.checkpoint();
        // Parse the next whitespace sequence and only add it as decor suffix to the expression if
        // we encounter a traversal. We'll rewind the parser if none follows.
        let suffix = match ident_ws.filter(|_| reuse_scanned_ws()) {
            Some(len) => skip_scanned_ws(input, len),
            None => ws_or_sp(state).span().parse_next(input)?,
        };

        // Peek the next two bytes to identify the following operation, if any.
        match peek2(input) {
            // Traversal operator.
            //
            // The sequence `..` might introduce a `...` operator within a for object expr
            // or after the last argument of a function call, do not mistakenly parse it as
            // a `.` traversal operator.
            next if is_traversal(next) => {
                state.borrow_mut().on_ws(suffix);
                traversal(state)
                    .span()
                    .map(|span| state.borrow_mut().on_span(start..span.end))
                    .parse_next(input)?;
                Ok(None)
            }
            // None of the above matched or we hit the end of input.
            _ => {
                input.reset(&checkpoint);
                Ok(Some(suffix.len()))
            }
        }
    }
}

/// `not(tag)` for a literal `tag`, without running the literal parser and dropping its error:
/// fails with the backtrack error `not` returns where the input starts with `tag`, and succeeds
/// without consuming anything otherwise.
fn not_tag<'i>(tag: &'static str) -> impl ModalParser<Input<'i>, (), ContextError> {
    move |input: &mut Input<'i>| {
        let rest: &str = input.peek_finish();
        if rest.starts_with(tag) {
            Err(ParserError::from_input(input))
        } else {
            Ok(())
        }
    }
}

/// Consumes the `len` bytes of whitespace that `ws_or_sp` consumed at this place of the input
/// before it was reset there, and returns their span, as `ws_or_sp(state).span()` does.
///
/// `ws_or_sp` depends only on the input and on whether the state allows newlines, so a second
/// scan at the same place, with the state unchanged, consumes the same bytes (a scan that fails
/// returned its error the first time).
fn skip_scanned_ws(input: &mut Input, len: usize) -> std::ops::Range<usize> {
    let start = input.current_token_start();
    input.next_slice(len);
    start..start + len
}

/// Whether `expr_term_inner` and `expr_inner` reuse the whitespace scanned after a term (see
/// `skip_scanned_ws`) instead of scanning it again; off only in the test that compares both.
#[cfg(not(test))]
fn reuse_scanned_ws() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    static REUSE_SCANNED_WS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    static SCANNED_WS_REUSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn reuse_scanned_ws() -> bool {
    let reuse = REUSE_SCANNED_WS.with(std::cell::Cell::get);
    if reuse {
        SCANNED_WS_REUSED.with(|n| n.set(n.get() + 1));
    }
    reuse
}

/// The next two characters where the callers below need them: `Some` with
/// their bytes if at least two characters follow and the first is ASCII.
///
/// This replaces `peek(take(2usize))`, which counts characters: every
/// pattern matched on its result starts with an ASCII character, and after
/// one the second character starts at the second byte (a non-ASCII one
/// then matches no ASCII pattern, as a lead byte matches no ASCII byte).
/// The `*_reference` forms in the tests match on `peek(take(2usize))`.
fn peek2(input: &Input) -> Option<[u8; 2]> {
    let rest: &str = input.peek_finish();
    match rest.as_bytes() {
        [a, b, ..] if a.is_ascii() => Some([*a, *b]),
        _ => None,
    }
}

/// A conditional (`?`) follows.
fn is_conditional(next: Option<[u8; 2]>) -> bool {
    matches!(next, Some([b'?', _]))
}

/// A binary operator follows. `//` and `/*` are comment starts, not a
/// division, and a single `=` may be an object key-value separator, hence
/// `==`.
fn is_binary_op(next: Option<[u8; 2]>) -> bool {
    match next {
        Some([b'/', b'/' | b'*']) | None => false,
        Some([b'=', b'=']) => true,
        Some([a, _]) => matches!(
            a,
            b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|'
        ),
    }
}

/// A traversal operator (`.` or `[`) follows. The sequence `..` might
/// introduce a `...` operator within a for object expr or after the last
/// argument of a function call, and is not a `.` traversal operator.
fn is_traversal(next: Option<[u8; 2]>) -> bool {
    matches!(next, Some([b'.' | b'[', _])) && next != Some([b'.', b'.'])
}

fn stringlike<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let expr = string_or_template(input)?;
        state.borrow_mut().on_expr_term(expr);
        Ok(())
    }
}

/// `alt((string, string_template))`, skipping `string` where a byte scan
/// shows that it would backtrack (see `string_or_template_combinators` in the
/// tests).
fn string_or_template(input: &mut Input) -> ModalResult<Expression> {
    match scan_quoted(input) {
        QuotedScan::Plain(len) => {
            // What `string` does for this scan (it would scan again): `alt`
            // returns the string it parses.
            let quoted = input.next_slice(len + 2);
            return Ok(Expression::String(Decorated::new(String::from(
                &quoted[1..=len],
            ))));
        }
        QuotedScan::Template => {
            // `string` would stop at the template marker and backtrack; `alt`
            // would then run `string_template` from the start, which is what
            // this does directly.
            return string_template
                .map(Expression::StringTemplate)
                .parse_next(input);
        }
        QuotedScan::Other => {}
    }
    alt((
        string.map(|string| Expression::String(Decorated::new(string))),
        string_template.map(Expression::StringTemplate),
    ))
    .parse_next(input)
}

fn number<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        num.with_taken()
            .map(|(num, repr)| {
                let mut num = Formatted::new(num);
                num.set_repr(repr);
                state.borrow_mut().on_expr_term(Expression::Number(num));
            })
            .parse_next(input)
    }
}

fn neg_number<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        preceded(('-', sp), num)
            .with_taken()
            .map(|(num, repr)| {
                let mut num = Formatted::new(-num);
                num.set_repr(repr);
                state.borrow_mut().on_expr_term(Expression::Number(num));
            })
            .parse_next(input)
    }
}

fn traversal<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        repeat(
            1..,
            prefix_decorated(
                ws_or_sp(state),
                // A `..` may indicate a for object expr containing a `...`, ensure there isn't a
                // subsequent `.` traversal operator and backtrack if there is.
                preceded(not_tag(".."), traversal_operator.map(Decorated::new)),
            ),
        )
        .map(|operators| state.borrow_mut().on_traversal(operators))
        .parse_next(input)
    }
}

fn traversal_operator(input: &mut Input) -> ModalResult<TraversalOperator> {
    dispatch! {any;
        '.' => prefix_decorated(
            ws,
            dispatch! {peek(any);
                '*' => '*'.value(TraversalOperator::AttrSplat(Decorated::new(Splat))),
                '0'..='9' => dec_uint.map(|index: u64| TraversalOperator::LegacyIndex(index.into())),
                b if is_id_start(b) => ident.map(TraversalOperator::GetAttr),
                _ => cut_err(fail)
                    .context(StrContext::Label("traversal operator"))
                    .context(StrContext::Expected(StrContextValue::CharLiteral('*')))
                    .context(StrContext::Expected(StrContextValue::Description("identifier")))
                    .context(StrContext::Expected(StrContextValue::Description("unsigned integer"))),
            },
        ),
        '[' => terminated(
            decorated(
                ws,
                dispatch! {peek(any);
                    '*' => '*'.value(TraversalOperator::FullSplat(Decorated::new(Splat))),
                    _ => multiline_expr.map(TraversalOperator::Index),
                },
                ws,
            ),
            cut_char(']'),
        ),
        _ => fail,
    }
    .parse_next(input)
}

fn unary_op<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        (
            spanned(unary_operator.map(Spanned::new)),
            prefix_decorated(sp, nested(expr_term_with_state(state))),
        )
            .map(|(operator, expr)| {
                state
                    .borrow_mut()
                    .on_expr_term(UnaryOp::new(operator, expr));
            })
            .parse_next(input)
    }
}

fn unary_operator(input: &mut Input) -> ModalResult<UnaryOperator> {
    dispatch! {any;
        '-' => empty.value(UnaryOperator::Neg),
        '!' => empty.value(UnaryOperator::Not),
        _ => fail,
    }
    .parse_next(input)
}

/// A binary operation that failed with a backtrack error after a chain of at least one: the
/// error and where the operation left the input.
struct FailedOp<'i> {
    error: ErrMode<ContextError>,
    at: <Input<'i> as Stream>::Checkpoint,
}

/// Whether `expr_inner` replays a [`FailedOp`] instead of parsing the operation again; off only
/// in the test that compares both.
#[cfg(not(test))]
fn replay_failed_ops() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    static REPLAY_FAILED_OPS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    static FAILED_OPS_REPLAYED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn replay_failed_ops() -> bool {
    let replay = REPLAY_FAILED_OPS.with(std::cell::Cell::get);
    if replay {
        FAILED_OPS_REPLAYED.with(|n| n.set(n.get() + 1));
    }
    replay
}

/// Parses a chain of binary operations and their terms (the span from `start` becomes the
/// expression's span). The chain ends where the next operation fails with a backtrack error, and
/// that failure is returned so that `expr_inner` need not parse the operation again.
///
/// Not inlined: inlined into `expr_inner`, it cost 0.4 M instructions on the bench tree, most
/// of whose expressions have no binary operator.
#[inline(never)]
fn binary_ops<'i>(
    state: &RefCell<ExprParseState>,
    input: &mut Input<'i>,
    start: usize,
) -> ModalResult<FailedOp<'i>> {
    let mut ops = Vec::new();
    let failed;

    loop {
        let checkpoint = input.checkpoint();

        match binary_op(state, input, ops.len() + 1) {
            Ok(op) => ops.push(op),
            // No further binary operation follows, rewind to the end of the last one.
            Err(error @ ErrMode::Backtrack(_)) if !ops.is_empty() => {
                failed = FailedOp {
                    error,
                    at: input.checkpoint(),
                };
                input.reset(&checkpoint);
                break;
            }
            Err(err) => return Err(err),
        }
    }

    // Binary operations are parsed iteratively, but each operator adds a level to the
    // resulting expression tree. Track the operator depth of the tree to avoid building trees
    // which overflow the stack when traversed recursively.
    nesting::add_operator_depth(input, ops.len());
    let mut state = state.borrow_mut();
    state.on_binary_ops(ops);
    state.on_span(start..input.previous_token_end());
    Ok(failed)
}

/// Parses the `operators`th binary operator of a chain and the expression term following it.
fn binary_op(
    state: &RefCell<ExprParseState>,
    input: &mut Input,
    operators: usize,
) -> ModalResult<(Decorated<BinaryOperator>, Expression)> {
    let prefix = ws_or_sp(state).span().parse_next(input)?;
    let operator_start = input.checkpoint();
    let mut operator = spanned(binary_operator.map(Decorated::new)).parse_next(input)?;
    let suffix = ws_or_sp(state).span().parse_next(input)?;

    let decor = operator.decor_mut();
    decor.set_prefix(RawString::from_span(prefix));
    decor.set_suffix(RawString::from_span(suffix));

    let expr = expr_term_with_state(state).parse_next(input)?;
    nesting::check_operator_depth(input, operators, &operator_start)?;
    Ok((operator, expr))
}

fn binary_operator(input: &mut Input) -> ModalResult<BinaryOperator> {
    dispatch! {any;
        '=' => '='.value(BinaryOperator::Eq),
        '!' => '='.value(BinaryOperator::NotEq),
        '<' => alt((
            '='.value(BinaryOperator::LessEq),
            empty.value(BinaryOperator::Less),
        )),
        '>' => alt((
            '='.value(BinaryOperator::GreaterEq),
            empty.value(BinaryOperator::Greater),
        )),
        '+' => empty.value(BinaryOperator::Plus),
        '-' => empty.value(BinaryOperator::Minus),
        '*' => empty.value(BinaryOperator::Mul),
        '/' => not(one_of(b"/*")).value(BinaryOperator::Div),
        '%' => empty.value(BinaryOperator::Mod),
        '&' => '&'.value(BinaryOperator::And),
        '|' => '|'.value(BinaryOperator::Or),
        _ => fail,
    }
    .parse_next(input)
}

fn conditional<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        (
            preceded(
                '?',
                decorated(ws_or_sp(state), expr_with_state(state), ws_or_sp(state)),
            ),
            preceded(
                cut_char(':'),
                prefix_decorated(ws_or_sp(state), expr_with_state(state)),
            ),
        )
            .map(|(true_expr, false_expr)| state.borrow_mut().on_conditional(true_expr, false_expr))
            .parse_next(input)
    }
}

fn array<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        state.borrow_mut().allow_newlines();
        delimited(
            '[',
            for_expr_or_items(for_list_expr(state), array_items(state)),
            cut_char(']'),
        )
        .parse_next(input)
    }
}

fn for_list_expr<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        (
            for_intro,
            decorated(ws, expr_with_state(state), ws),
            opt(for_cond(state)),
        )
            .map(|(intro, value_expr, cond)| {
                let mut expr = ForExpr::new(intro, value_expr);
                expr.cond = cond;

                state
                    .borrow_mut()
                    .on_expr_term(Expression::ForExpr(Box::new(expr)));
            })
            .parse_next(input)
    }
}

fn array_items<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let values = separated(
            0..,
            decorated(ws, preceded(not_tag("]"), expr_with_state(state)), ws),
            ',',
        );

        (values, opt(','), raw_string(ws))
            .map(|(values, comma, trailing)| {
                let Items(values) = values;
                let mut array = Array::from(values);
                if comma.is_some() {
                    array.set_trailing_comma(true);
                }
                array.set_trailing(trailing);
                state.borrow_mut().on_expr_term(Expression::Array(array));
            })
            .parse_next(input)
    }
}

fn object<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        delimited(
            '{',
            for_expr_or_items(for_object_expr(state), object_items(state)),
            cut_char('}'),
        )
        .parse_next(input)
    }
}

fn for_object_expr<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        state.borrow_mut().allow_newlines();
        (
            for_intro,
            separated_pair(
                decorated(ws, expr, ws),
                cut_tag("=>"),
                decorated(ws, expr, ws),
            ),
            opt(("...", raw_string(ws))),
            opt(for_cond(state)),
        )
            .map(|(intro, (key_expr, value_expr), grouping, cond)| {
                let mut expr = ForExpr::new(intro, value_expr);
                expr.key_expr = Some(key_expr);
                expr.cond = cond;
                if let Some((_, trailing)) = grouping {
                    expr.grouping = true;
                    if let Some(ref mut cond) = expr.cond {
                        cond.decor_mut().set_prefix(trailing);
                    } else {
                        expr.decor_mut().set_suffix(trailing);
                    }
                }

                state
                    .borrow_mut()
                    .on_expr_term(Expression::ForExpr(Box::new(expr)));
            })
            .parse_next(input)
    }
}

fn object_items<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let mut object = Object::new();
        // Past `OBJECT_KEYS_LISTED` items, the items and their keys' index.
        let mut index: Option<ObjectKeyIndex> = None;
        let finish = |mut object: Object, index: Option<ObjectKeyIndex>| {
            if let Some(index) = index {
                object.set_distinct_items(index.into_items());
            }
            state.borrow_mut().on_expr_term(Expression::Object(object));
        };

        loop {
            let trailing = raw_string(ws).parse_next(input)?;
            let ch = peek(any).parse_next(input)?;

            if ch == '}' {
                object.set_trailing(trailing);
                finish(object, index);
                return Ok(());
            }

            let checkpoint = input.checkpoint();
            let mut key = object_key(input)?;
            // Before the check (hcl-edit set it after parsing the value): keys compare without
            // their decor, and the key is not used in between.
            key.decor_mut().set_prefix(trailing);

            if index.is_none() && object.len() >= OBJECT_KEYS_LISTED && index_object_keys() {
                index = Some(ObjectKeyIndex::new(object.take_items()));
            }

            if index.is_none() && reserve_items() {
                object.reserve_first(FIRST_CAPACITY);
            }

            // Where the key and its value go once the value is parsed: an entry of the object's
            // own list (found by scanning its keys once, where `contains_key` and `insert`
            // scanned them twice), or the index.
            let slot = match &mut index {
                None => object.vacant_entry(key).map(ItemSlot::Listed),
                Some(index) => (!index.contains(&key)).then_some(ItemSlot::Indexed(index, key)),
            };
            let Some(slot) = slot else {
                input.reset(&checkpoint);
                return cut_err(fail)
                    .context(StrContext::Label("object item"))
                    .context(StrContext::Expected(StrContextValue::Description(
                        "unique object key; found redefined object key",
                    )))
                    .parse_next(input);
            };

            let mut value = object_value(input)?;

            // Look for the closing brace and return or consume the object item separator and proceed
            // with the next object item, if any.
            let ch = peek(any).parse_next(input)?;

            let value_terminator = match ch {
                '}' => {
                    value.set_terminator(ObjectValueTerminator::None);
                    slot.insert(value);
                    finish(object, index);
                    return Ok(());
                }
                '\r' => crlf
                    .value(ObjectValueTerminator::Newline)
                    .parse_next(input)?,
                '\n' => newline
                    .value(ObjectValueTerminator::Newline)
                    .parse_next(input)?,
                ',' => take(1usize)
                    .value(ObjectValueTerminator::Comma)
                    .parse_next(input)?,
                '#' | '/' => {
                    let comment_span = line_comment.span().parse_next(input)?;

                    let decor = value.expr_mut().decor_mut();

                    // Associate the trailing comment with the item value, updating the span if it
                    // already has a decor suffix.
                    let suffix_span = match decor.suffix().and_then(RawString::span) {
                        Some(span) => span.start..comment_span.end,
                        None => comment_span,
                    };

                    decor.set_suffix(RawString::from_span(suffix_span));

                    line_ending
                        .value(ObjectValueTerminator::Newline)
                        .parse_next(input)?
                }
                _ => {
                    return cut_err(fail)
                        .context(StrContext::Label("object item"))
                        .context(StrContext::Expected(StrContextValue::CharLiteral('}')))
                        .context(StrContext::Expected(StrContextValue::CharLiteral(',')))
                        .context(StrContext::Expected(StrContextValue::CharLiteral('\n')))
                        .parse_next(input)
                }
            };

            value.set_terminator(value_terminator);
            slot.insert(value);
        }
    }
}

/// Where a parsed object item goes (see `object_items`).
enum ItemSlot<'o> {
    Listed(vecmap::map::VacantEntry<'o, ObjectKey, ObjectValue>),
    Indexed(&'o mut ObjectKeyIndex, ObjectKey),
}

impl ItemSlot<'_> {
    fn insert(self, value: ObjectValue) {
        match self {
            ItemSlot::Listed(entry) => {
                entry.insert(value);
            }
            ItemSlot::Indexed(index, key) => index.push(key, value),
        }
    }
}

fn object_key(input: &mut Input) -> ModalResult<ObjectKey> {
    suffix_decorated(
        expr.map(|expr| {
            // Variable identifiers without traversal are treated as identifier object keys.
            //
            // Handle this case here by converting the variable into an identifier. This
            // avoids re-parsing the whole key-value pair when an identifier followed by a
            // traversal operator is encountered.
            if let Expression::Variable(variable) = expr {
                ObjectKey::Ident(Decorated::new(variable.into_value()))
            } else {
                ObjectKey::Expression(expr)
            }
        }),
        sp,
    )
    .parse_next(input)
}

fn object_value(input: &mut Input) -> ModalResult<ObjectValue> {
    (object_value_assignment, decorated(sp, expr, sp))
        .map(|(assignment, expr)| {
            let mut value = ObjectValue::new(expr);
            value.set_assignment(assignment);
            value
        })
        .parse_next(input)
}

fn object_value_assignment(input: &mut Input) -> ModalResult<ObjectValueAssignment> {
    dispatch! {any;
        '=' => empty.value(ObjectValueAssignment::Equals),
        ':' => empty.value(ObjectValueAssignment::Colon),
        _ => cut_err(fail)
            .context(StrContext::Label("object value assignment"))
            .context(StrContext::Expected(StrContextValue::CharLiteral('=')))
            .context(StrContext::Expected(StrContextValue::CharLiteral(':'))),
    }
    .parse_next(input)
}

fn for_expr_or_items<'i, F, I>(
    mut for_expr_parser: F,
    mut items_parser: I,
) -> impl ModalParser<Input<'i>, (), ContextError>
where
    F: ModalParser<Input<'i>, (), ContextError>,
    I: ModalParser<Input<'i>, (), ContextError>,
{
    move |input: &mut Input<'i>| {
        // The `for` tag needs to be followed by either a space character or a comment start to
        // disambiguate. Otherwise an identifier like `format` will match both the `for` tag
        // and the following identifier which would fail parsing of arrays with identifier/func
        // call elements and objects with those as keys.
        let is_for = match for_follows(input) {
            Some(is_for) => is_for,
            None => for_follows_combinators(input),
        };
        if is_for {
            for_expr_parser.parse_next(input)
        } else {
            items_parser.parse_next(input)
        }
    }
}

/// Whether [`for_follows_combinators`] succeeds, decided by bytes where no comment follows the
/// whitespace (`None` otherwise): `ws` then consumes just the whitespace bytes.
fn for_follows(input: &Input) -> Option<bool> {
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    let n = bytes.iter().take_while(|&&b| is_multispace(b)).count();
    if matches!(bytes.get(n), Some(b'#' | b'/')) {
        return None;
    }
    Some(
        bytes[n..].starts_with(b"for")
            && matches!(bytes.get(n + 3), Some(b' ' | b'\t' | b'#' | b'/' | b'\n')),
    )
}

/// The items of an array as `separated` collects them: a `Vec` that reserves room for
/// [`FIRST_CAPACITY`] items at the first (see [`reserve_first`]).
struct Items<T>(Vec<T>);

impl<T> Accumulate<T> for Items<T> {
    fn initial(_capacity: Option<usize>) -> Self {
        // `separated(0.., ..)` passes no capacity, and `Vec` then starts empty.
        Items(Vec::new())
    }

    fn accumulate(&mut self, item: T) {
        reserve_first(&mut self.0);
        self.0.push(item);
    }
}

/// Whether a `for` intro follows, as hcl-edit decided it; the input is left where it was.
fn for_follows_combinators(input: &mut Input) -> bool {
    peek((ws, "for", one_of(b" \t#/\n")))
        .parse_next(input)
        .is_ok()
}

fn for_intro(input: &mut Input) -> ModalResult<ForIntro> {
    prefix_decorated(
        ws,
        delimited(
            "for",
            (
                decorated(ws, cut_ident, ws),
                opt(preceded(',', decorated(ws, cut_ident, ws))),
                preceded(cut_tag("in"), decorated(ws, expr, ws)),
            ),
            cut_char(':'),
        )
        .map(|(first, second, expr)| match second {
            Some(second) => {
                let mut intro = ForIntro::new(second, expr);
                intro.key_var = Some(first);
                intro
            }
            None => ForIntro::new(first, expr),
        }),
    )
    .parse_next(input)
}

fn for_cond<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, ForCond, ContextError> + '_ {
    move |input: &mut Input| {
        prefix_decorated(
            ws,
            preceded("if", decorated(ws, expr_with_state(state), ws)).map(ForCond::new),
        )
        .parse_next(input)
    }
}

fn parenthesis<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        delimited(
            cut_char('('),
            decorated(ws, multiline_expr, ws)
                .map(|expr| state.borrow_mut().on_expr_term(Parenthesis::new(expr))),
            cut_char(')'),
        )
        .parse_next(input)
    }
}

fn heredoc<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let (indented, delim) = heredoc_start(input)?;

        let (template, trailing) = (
            spanned(heredoc_template(delim)),
            terminated(
                raw_string(space0),
                cut_err(terminated(delim, not(one_of(is_id_continue)))).context(
                    StrContext::Expected(StrContextValue::Description("heredoc end delimiter")),
                ),
            ),
        )
            .parse_next(input)?;

        let mut heredoc = HeredocTemplate::new(Ident::new_unchecked(delim), template);

        if indented {
            heredoc.dedent();
        }

        heredoc.set_trailing(trailing);

        state
            .borrow_mut()
            .on_expr_term(Expression::HeredocTemplate(Box::new(heredoc)));
        Ok(())
    }
}

fn heredoc_start<'a>(input: &mut Input<'a>) -> ModalResult<(bool, &'a str)> {
    terminated(
        (
            preceded("<<", opt('-')).map(|indent| indent.is_some()),
            cut_err(str_ident).context(StrContext::Expected(StrContextValue::Description(
                "identifier",
            ))),
        ),
        cut_err(line_ending).context(StrContext::Expected(StrContextValue::CharLiteral('\n'))),
    )
    .parse_next(input)
}

fn identlike<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, (), ContextError> + '_ {
    move |input: &mut Input<'i>| {
        let (ident, span) = str_ident.with_span().parse_next(input)?;

        let checkpoint = input.checkpoint();

        // Parse the next whitespace sequence and only add it as decor suffix to the identifier if
        // we actually encounter a function call.
        let suffix = ws_or_sp(state).span().parse_next(input)?;

        let next = peek2(input);
        let expr = if let Some([b':', b':'] | [b'(', _]) = next {
            // This is a function call: parsed identifier starts a function namespace, or function
            // arguments follow.
            let mut ident = Decorated::new(Ident::new_unchecked(ident));
            ident.decor_mut().set_suffix(RawString::from_span(suffix));
            ident.set_span(span);

            let func_name = if next == Some([b':', b':']) {
                // Consume the remaining namespace components and function name.
                let mut namespace = func_namespace_components(state).parse_next(input)?;

                // We already parsed the first namespace element before and the function name is
                // now part of the remaining namspace components, so we have to correct this.
                let name = namespace.pop().unwrap();
                namespace.insert(0, ident);

                FuncName { namespace, name }
            } else {
                FuncName::from(ident)
            };

            let func_args = func_args(state).parse_next(input)?;
            let func_call = FuncCall::new(func_name, func_args);
            Expression::FuncCall(Box::new(func_call))
        } else {
            // This is not a function call: identifier is either keyword or variable name.
            input.reset(&checkpoint);

            let expr = match ident {
                "null" => Expression::null(),
                "true" => Expression::from(true),
                "false" => Expression::from(false),
                var => Expression::from(Ident::new_unchecked(var)),
            };

            // `expr_term_inner` scans the same whitespace next.
            let mut state = state.borrow_mut();
            state.on_expr_term(expr);
            state.set_term_ws(suffix.len());
            return Ok(());
        };

        state.borrow_mut().on_expr_term(expr);
        Ok(())
    }
}

fn func_namespace_components<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, Vec<Decorated<Ident>>, ContextError> + '_ {
    move |input: &mut Input<'i>| {
        repeat(
            1..,
            preceded(
                "::",
                decorated(
                    ws_or_sp(state),
                    cut_err(ident).context(StrContext::Expected(StrContextValue::Description(
                        "identifier",
                    ))),
                    ws_or_sp(state),
                ),
            ),
        )
        .parse_next(input)
    }
}

fn func_args<'i>(
    state: &RefCell<ExprParseState>,
) -> impl ModalParser<Input<'i>, FuncArgs, ContextError> + '_ {
    move |input: &mut Input| {
        #[derive(Copy, Clone)]
        enum Trailer {
            Comma,
            Ellipsis,
        }

        state.borrow_mut().allow_newlines();

        let args = separated(
            1..,
            decorated(
                ws,
                preceded(peek(none_of(b",.)")), expr_with_state(state)),
                ws,
            ),
            ',',
        );

        let trailer = dispatch! {any;
            ',' => empty.value(Trailer::Comma),
            '.' => cut_tag("..").value(Trailer::Ellipsis),
            _ => fail,
        };

        delimited(
            cut_char('('),
            (opt((args, opt(trailer))), raw_string(ws)).map(|(args, trailing)| {
                let mut args = match args {
                    Some((args, Some(trailer))) => {
                        let args: Vec<_> = args;
                        let mut args = FuncArgs::from(args);
                        if let Trailer::Ellipsis = trailer {
                            args.set_expand_final(true);
                        } else {
                            args.set_trailing_comma(true);
                        }
                        args
                    }
                    Some((args, None)) => FuncArgs::from(args),
                    None => FuncArgs::default(),
                };

                args.set_trailing(trailing);
                args
            }),
            cut_char(')').context(StrContext::Expected(StrContextValue::Description(
                "expression",
            ))),
        )
        .parse_next(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::string::tests::string_reference;
    use crate::parser::template::tests::string_template_reference;
    use crate::parser::tests_support::{outcome_exact, random_strings, random_token_strings};

    /// `stringlike`'s choice as the combinators wrote it: `string`, then
    /// `string_template`, each as written before their fast paths.
    fn string_or_template_combinators(input: &mut Input) -> ModalResult<Expression> {
        alt((
            string_reference.map(|string| Expression::String(Decorated::new(string))),
            string_template_reference.map(Expression::StringTemplate),
        ))
        .parse_next(input)
    }

    /// The conditions on `peek(take(2usize))` that `peek2` and the
    /// `is_*` functions replace, as hcl-edit wrote them.
    fn peeked_reference(s: &str) -> (bool, bool, bool, bool, bool) {
        let peeked = peek(take::<_, _, ContextError>(2usize)).parse_next(&mut new_input(s));
        let conditional = matches!(peeked, Ok(b) if b.starts_with('?'));
        let binary = matches!(peeked, Ok(b)
            if !(b == "//" || b == "/*")
                && (b == "=="
                    || b.starts_with(['!', '<', '>', '+', '-', '*', '/', '%', '&', '|'])));
        let traversal = matches!(peeked, Ok(b) if b != ".." && b.starts_with(['.', '[']));
        let namespace = matches!(peeked, Ok(b) if b == "::");
        let call = matches!(peeked, Ok(b) if b == "::" || b.starts_with('('));
        (conditional, binary, traversal, namespace, call)
    }

    #[test]
    fn peek2_equals_peek_take_2() {
        let alphabet = [
            '?', '/', '*', '=', '!', '<', '>', '+', '-', '%', '&', '|', '.', '[', ':', '(', 'a',
            ' ', '\u{e9}', '\u{65e5}',
        ];
        for s in random_strings(&alphabet, 20_000, 4, 9) {
            let next = peek2(&new_input(&s));
            let fast = (
                is_conditional(next),
                is_binary_op(next),
                is_traversal(next),
                next == Some([b':', b':']),
                matches!(next, Some([b':', b':'] | [b'(', _])),
            );
            assert_eq!(fast, peeked_reference(&s), "{s:?}");
        }
    }

    /// Parses `s` as a body, replaying failed binary operations or (as
    /// hcl-edit did) parsing them again.
    fn body_outcome(s: &str, replay: bool) -> Result<(String, &str), (String, &str)> {
        REPLAY_FAILED_OPS.with(|r| r.set(replay));
        let outcome = outcome_exact(super::super::structure::body, s);
        REPLAY_FAILED_OPS.with(|r| r.set(true));
        outcome
    }

    #[test]
    fn replayed_binary_op_failures_equal_parsing_again() {
        let tokens = [
            "a",
            "b",
            "1",
            " ",
            "\n",
            "{",
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            "<",
            ">",
            "=",
            "==",
            "!=",
            "<=",
            "-",
            "+",
            "!",
            "&",
            "&&",
            "|",
            "||",
            "/",
            "*",
            "%",
            "?",
            ":",
            ",",
            ".",
            "...",
            "=>",
            "\"s\"",
            "\"${a<}\"",
            "for x in y:",
            " if ",
            "f(",
            "a.b",
            "[*]",
            "# c\n",
            "/*",
            "*/",
            "//",
            "<<E\nx\nE\n",
            "x < y < {",
            "x + y - (",
            "x * y / [",
            "a && !",
            "x < y <",
            "x = y <",
            "x < y < -",
            "< {",
        ];
        let replayed_before = FAILED_OPS_REPLAYED.with(std::cell::Cell::get);
        for s in random_token_strings(&tokens, 60_000, 14, 6) {
            for s in [
                format!("a = {s}"),
                format!("a = x < y < {{{s}"),
                format!("a = [x < y < {s}"),
            ] {
                assert_eq!(body_outcome(&s, true), body_outcome(&s, false), "{s:?}");
            }
        }
        let replayed = FAILED_OPS_REPLAYED.with(std::cell::Cell::get) - replayed_before;
        assert!(
            replayed > 10_000,
            "only {replayed} failed operations replayed"
        );
    }

    #[test]
    fn not_tag_equals_not() {
        let tokens = ["]", "..", ".", "...", "]]", "a", " ", "\u{e9}", "["];
        for s in random_token_strings(&tokens, 5_000, 4, 8) {
            assert_eq!(
                outcome_exact(|i: &mut Input| not_tag("]").parse_next(i), &s),
                outcome_exact(|i: &mut Input| not(']').parse_next(i), &s),
                "{s:?}"
            );
            assert_eq!(
                outcome_exact(|i: &mut Input| not_tag("..").parse_next(i), &s),
                outcome_exact(|i: &mut Input| not("..").parse_next(i), &s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn fast_for_follows_equals_the_combinators() {
        let tokens = [
            "for", "fo", "r", "f", " ", "\t", "\n", "\r", "\r\n", "#", "# c\n", "/", "//",
            "// c\n", "/*", "*/", "/* c */", "x", "in", ":", "\u{e9}", "]", "}", "\"",
        ];
        let (mut decided, mut fors) = (0, 0);
        for s in random_token_strings(&tokens, 50_000, 8, 7) {
            let mut input = new_input(&s);
            let expected = for_follows_combinators(&mut input);
            assert_eq!(input.current_token_start(), 0, "{s:?}");
            if let Some(fast) = for_follows(&new_input(&s)) {
                assert_eq!(fast, expected, "{s:?}");
                decided += 1;
                fors += usize::from(fast);
            }
        }
        assert!(
            decided > 10_000 && fors > 500,
            "{decided} decided, {fors} for"
        );
    }

    /// `body` on `s`, reusing the whitespace scanned after terms or (as
    /// hcl-edit did) scanning it again.
    fn body_outcome_ws(s: &str, reuse: bool) -> Result<(String, &str), (String, &str)> {
        REUSE_SCANNED_WS.with(|r| r.set(reuse));
        let outcome = outcome_exact(super::super::structure::body, s);
        REUSE_SCANNED_WS.with(|r| r.set(true));
        outcome
    }

    #[test]
    fn reused_whitespace_scans_equal_scanning_again() {
        let tokens = [
            "a",
            "b",
            "1",
            "null",
            "true",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "# c\n",
            "// c\n",
            "/* c */",
            "/* c\n */",
            "/*",
            "*/",
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            "?",
            ":",
            "<",
            "==",
            "=",
            "!",
            "-",
            "+",
            "&&",
            "||",
            "/",
            "*",
            "%",
            ",",
            ".",
            "..",
            "...",
            "=>",
            "\"s\"",
            "\"${a}\"",
            "for x in y:",
            " if ",
            "f(",
            "f::g(",
            "::",
            "a.b",
            "[*]",
            ".*",
            "<<E\nx\nE\n",
        ];
        let reused_before = SCANNED_WS_REUSED.with(std::cell::Cell::get);
        for s in random_token_strings(&tokens, 60_000, 12, 6) {
            for s in [
                format!("a = {s}"),
                format!("a = [{s}"),
                format!("a = f({s}"),
            ] {
                assert_eq!(
                    body_outcome_ws(&s, true),
                    body_outcome_ws(&s, false),
                    "{s:?}"
                );
            }
        }
        let reused = SCANNED_WS_REUSED.with(std::cell::Cell::get) - reused_before;
        assert!(reused > 10_000, "only {reused} whitespace scans reused");
    }

    fn body_outcome_reserved(s: &str, reserve: bool) -> Result<(String, &str), (String, &str)> {
        use super::super::state::RESERVE_ITEMS;
        RESERVE_ITEMS.with(|r| r.set(reserve));
        let outcome = outcome_exact(super::super::structure::body, s);
        RESERVE_ITEMS.with(|r| r.set(true));
        outcome
    }

    /// Reserving room for the first items of arrays, objects and bodies changes nothing but the
    /// lists' capacity: whole bodies parse the same both ways, errors and where the input was
    /// left included.
    #[test]
    fn reserved_items_equal_growing_lists() {
        use std::fmt::Write as _;
        let tokens = [
            "a",
            "\"s\"",
            "1",
            " ",
            "\n",
            "# c\n",
            ",",
            "[",
            "]",
            "{",
            "}",
            "=",
            ":",
            "k = ",
            "\"k\" = ",
            "f(",
            ")",
            "b {\n",
            "}\n",
            "for x in y:",
            "...",
            "a.b",
        ];
        for s in random_token_strings(&tokens, 40_000, 24, 8) {
            for s in [
                format!("a = [{s}"),
                format!("a = {{{s}"),
                format!("b {{\n{s}"),
                s.clone(),
            ] {
                assert_eq!(
                    body_outcome_reserved(&s, true),
                    body_outcome_reserved(&s, false),
                    "{s:?}"
                );
            }
        }
        // Lists of every length up to 40, past the reserved capacity.
        let mut many = String::new();
        let mut objects = String::new();
        for i in 0..40 {
            writeln!(many, "k{i} = [{}]", "a, ".repeat(i)).unwrap();
            writeln!(objects, "o{i} = {{").unwrap();
            for j in 0..i {
                writeln!(objects, "k{j} = {j}").unwrap();
            }
            objects.push_str("}\n");
        }
        for s in [many, objects] {
            assert!(body_outcome_reserved(&s, true).is_ok(), "{s:?}");
            assert_eq!(
                body_outcome_reserved(&s, true),
                body_outcome_reserved(&s, false)
            );
        }
    }

    fn body_outcome_indexed(s: &str, index: bool) -> Result<(String, &str), (String, &str)> {
        use super::super::state::INDEX_OBJECT_KEYS;
        INDEX_OBJECT_KEYS.with(|i| i.set(index));
        let outcome = outcome_exact(super::super::structure::body, s);
        INDEX_OBJECT_KEYS.with(|i| i.set(true));
        outcome
    }

    /// Indexing the keys of large objects changes nothing but the time it takes: objects of
    /// every size up to past the listed keys, with identifier, string and computed keys and a
    /// redefined key at every place, parse the same both ways, errors included.
    #[test]
    fn indexed_object_keys_equal_listed_keys() {
        use std::fmt::Write as _;
        let keys = ["k{i}", "\"k{i}\"", "(k{i})", "\"k${i}\"", "k{i}.a", "{i}"];
        let mut checked = 0;
        for len in 0..(OBJECT_KEYS_LISTED + 8) {
            for (n, form) in keys.iter().enumerate() {
                // Keys of mixed forms (so `k1` and `"k1"` meet), and the same with the key at
                // `dup` repeating an earlier one.
                for dup in std::iter::once(None).chain((1..len).map(Some)) {
                    let mut src = String::from("o = {\n");
                    for i in 0..len {
                        let form = keys[(n + i % 2 * (i / 3)) % keys.len()];
                        let i = match dup {
                            Some(d) if i == d => i / 2,
                            _ => i,
                        };
                        writeln!(src, "  {} = {i}", form.replace("{i}", &i.to_string())).unwrap();
                    }
                    src.push_str("}\n");
                    let indexed = body_outcome_indexed(&src, true);
                    if len >= OBJECT_KEYS_LISTED && dup.is_none() && *form == "k{i}" {
                        assert!(indexed.is_ok(), "{src}");
                    }
                    assert_eq!(indexed, body_outcome_indexed(&src, false), "{src}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
        // Duplicates are found in the index too.
        let mut src = String::from("o = {\n");
        for i in 0..(OBJECT_KEYS_LISTED * 3) {
            writeln!(src, "  k{i} = 1").unwrap();
        }
        src.push_str("  k20 = 2\n}\n");
        let outcome = body_outcome_indexed(&src, true);
        assert!(outcome.is_err(), "{outcome:?}");
        assert_eq!(outcome, body_outcome_indexed(&src, false));
    }

    /// An object of 40,000 keys took 4.8 s to parse when each key was compared with every
    /// earlier one; indexed, well under a second even in a debug build.
    #[test]
    fn large_objects_parse_in_linear_time() {
        use std::fmt::Write as _;
        let mut src = String::from("o = {\n");
        for i in 0..40_000 {
            writeln!(src, "  k{i} = \"v{i}\"").unwrap();
        }
        src.push_str("}\n");
        let start = std::time::Instant::now();
        let body = crate::parser::parse_body(&src).unwrap();
        assert_eq!(body.len(), 1);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    /// Inputs that took seconds to reject when every nesting level parsed its
    /// failing binary operation twice (fuzz/regressions/bake-slow-parse-*):
    /// rejected in milliseconds, debug build included, with the error at the
    /// same place.
    #[test]
    fn nested_failing_binary_operations_are_parsed_once() {
        // 40 levels of `x < y < {`: 2^40 parses of the innermost level before.
        let deep = format!("a = {}", "x < y < {".repeat(40));
        let slow_2 = concat!(
            "D_={\rD={\rV/iDnuD_<{g>VD_<{\rViD>g>VD_<{\rV/i>V/i>_>__<{g>VD_<{\rViD>g>VD_<{\r",
            "\rV/iD+nulliD>g>VD_<{g>VD_<{\rViD>g>VD_<{\rV/i>lVD_<{g>e.hclVD_<{\rViD>g>VD_<{\r",
            "\rV/iD+nulliD>g>VD_<{g>VD_<{\rViD>g>VD_<{\rV/i>V/i>_>__<{g>VD_<{\rViD>g>VD_<{\r",
            "\rV/iD+nulliD>g>VD_<{g>VD_<{\rViD>g>VD_<{\rV/i>V/i>_>_Y=",
        );
        for s in [deep.as_str(), slow_2] {
            let start = std::time::Instant::now();
            let error = crate::parser::parse_body(s).unwrap_err();
            let elapsed = start.elapsed();
            assert!(elapsed.as_secs_f64() < 0.5, "{elapsed:?} for {s:?}");
            assert_eq!((error.location().line(), error.location().column()), (1, 1));
        }
    }

    #[test]
    fn fast_string_or_template_equals_the_combinators() {
        let tokens = [
            "\"",
            "\"",
            "\"",
            "a",
            " ",
            "${x}",
            "${ x }",
            "${~x~}",
            "${\"a\"}",
            "${\"${x}\"}",
            "%{if x}",
            "%{ else }",
            "%{endif}",
            "%{for v in y}",
            "%{~endfor~}",
            "${",
            "%{",
            "}",
            "$${",
            "%%{",
            "$",
            "%",
            "{",
            "\\n",
            "\\",
            "\\q",
            "\u{e9}",
            "\n",
            "${x",
            "%{if",
            "%{if x}a%{else}${x}%{endif}",
            "%{for v in y}${v}%{endfor}",
        ];
        for s in random_token_strings(&tokens, 50_000, 9, 4) {
            let s = format!("\"{s}");
            assert_eq!(
                outcome_exact(string_or_template, &s),
                outcome_exact(string_or_template_combinators, &s),
                "{s:?}"
            );
        }
    }
}
