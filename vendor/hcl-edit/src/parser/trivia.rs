use super::prelude::*;

use winnow::ascii::till_line_ending;
use winnow::combinator::{alt, delimited, fail, peek, preceded};
use winnow::error::ErrMode;
use winnow::token::{any, take_until};

// `ws` and `sp` are called before and after nearly every token. They skip
// whitespace by bytes (every byte they skip is ASCII) and only try the comment
// parsers where a comment can start; the results equal those of the
// combinator forms kept in the tests (`ws_reference`, `sp_reference`).

/// Skips the leading bytes of the input for which `skip` holds.
fn skip_bytes(input: &mut Input, skip: impl Fn(u8) -> bool) {
    let rest: &str = input.peek_finish();
    let n = rest.bytes().take_while(|&b| skip(b)).count();
    if n > 0 {
        input.next_slice(n);
    }
}

pub(super) fn is_multispace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// The next byte of the input, if any.
fn peek_byte(input: &Input) -> Option<u8> {
    let rest: &str = input.peek_finish();
    rest.as_bytes().first().copied()
}

/// Runs `parser` once as `repeat(0.., parser)` would: on a backtrack the input
/// is restored and `Ok(false)` says to stop; a cut error is passed on.
fn attempt(
    input: &mut Input,
    parser: &mut impl FnMut(&mut Input) -> ModalResult<()>,
) -> ModalResult<bool> {
    let start = input.checkpoint();
    match parser(input) {
        Ok(()) => Ok(true),
        Err(ErrMode::Backtrack(_)) => {
            input.reset(&start);
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

#[inline]
pub(super) fn ws(input: &mut Input) -> ModalResult<()> {
    // The common case, whitespace (or nothing) not followed by a comment,
    // inline; the loop over comments out of line, so that this stays small.
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    let n = bytes.iter().take_while(|&&b| is_multispace(b)).count();
    if !matches!(bytes.get(n), Some(b'#' | b'/')) {
        if n > 0 {
            input.next_slice(n);
        }
        return Ok(());
    }
    ws_comments(input)
}

#[inline(never)]
fn ws_comments(input: &mut Input) -> ModalResult<()> {
    loop {
        skip_bytes(input, is_multispace);
        if !matches!(peek_byte(input), Some(b'#' | b'/')) {
            return Ok(());
        }
        if !attempt(input, &mut |i: &mut Input| comment.parse_next(i))? {
            return Ok(());
        }
    }
}

#[inline]
pub(super) fn sp(input: &mut Input) -> ModalResult<()> {
    // As in `ws`: the common case inline, comments out of line.
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    let n = bytes.iter().take_while(|&&b| is_space(b)).count();
    if bytes.get(n) != Some(&b'/') {
        if n > 0 {
            input.next_slice(n);
        }
        return Ok(());
    }
    sp_comments(input)
}

#[inline(never)]
fn sp_comments(input: &mut Input) -> ModalResult<()> {
    loop {
        skip_bytes(input, is_space);
        if peek_byte(input) != Some(b'/') {
            return Ok(());
        }
        if !attempt(input, &mut |i: &mut Input| inline_comment.parse_next(i))? {
            return Ok(());
        }
    }
}

fn comment(input: &mut Input) -> ModalResult<()> {
    dispatch! {peek(any);
        '#' => hash_line_comment,
        '/' => alt((double_slash_line_comment, inline_comment)),
        _ => fail,
    }
    .parse_next(input)
}

pub(super) fn line_comment(input: &mut Input) -> ModalResult<()> {
    dispatch! {peek(any);
        '#' => hash_line_comment,
        '/' => double_slash_line_comment,
        _ => fail,
    }
    .parse_next(input)
}

fn hash_line_comment(input: &mut Input) -> ModalResult<()> {
    preceded('#', till_line_ending).void().parse_next(input)
}

fn double_slash_line_comment(input: &mut Input) -> ModalResult<()> {
    preceded("//", till_line_ending).void().parse_next(input)
}

fn inline_comment(input: &mut Input) -> ModalResult<()> {
    delimited("/*", take_until(0.., "*/"), "*/")
        .void()
        .parse_next(input)
}

#[inline]
pub(super) fn void<P, I, E>(inner: P) -> impl ModalParser<I, (), E>
where
    P: ModalParser<I, (), E>,
{
    inner
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tests_support::{outcome, random_strings};
    use winnow::ascii::{multispace0, space0};
    use winnow::combinator::repeat;

    /// `ws` as the combinators wrote it before the byte fast path.
    fn ws_reference(input: &mut Input) -> ModalResult<()> {
        (
            multispace0.void(),
            void(repeat(0.., (comment, multispace0.void()))),
        )
            .void()
            .parse_next(input)
    }

    /// `sp` as the combinators wrote it before the byte fast path.
    fn sp_reference(input: &mut Input) -> ModalResult<()> {
        (
            space0.void(),
            void(repeat(0.., (inline_comment, space0.void()))),
        )
            .void()
            .parse_next(input)
    }

    #[test]
    fn fast_whitespace_equals_the_combinators() {
        let alphabet = [' ', '\t', '\r', '\n', '#', '/', '*', 'a', '\u{e9}', '"'];
        for s in random_strings(&alphabet, 20_000, 12, 1) {
            assert_eq!(outcome(ws, &s), outcome(ws_reference, &s), "ws on {s:?}");
            assert_eq!(outcome(sp, &s), outcome(sp_reference, &s), "sp on {s:?}");
        }
    }

    #[test]
    fn parse_comments() {
        let inline_comments = [
            "",
            " ",
            "/**/  ",
            "/*foo*/",
            " /* foo
                bar
                */  /* baz */\t",
        ];

        let multiline_comments = [
            "# foo
                # bar",
            "
            /* foo
                bar
                */  # baz */",
            "
                // foo #
                // bar /*
                # baz",
        ];

        for input in inline_comments {
            let parsed = sp.parse(new_input(input));
            assert!(parsed.is_ok(), "expected `{input}` to parse correctly");
        }

        for input in multiline_comments {
            let parsed = sp.parse(new_input(input));
            assert!(parsed.is_err(), "expected parse error for `{input}`");
        }

        for input in inline_comments.iter().chain(multiline_comments.iter()) {
            let parsed = ws.parse(new_input(input));
            assert!(parsed.is_ok(), "expected `{input}` to parse correctly");
        }
    }
}
