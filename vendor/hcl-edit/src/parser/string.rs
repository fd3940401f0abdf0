use super::prelude::*;

use super::trivia::void;

use crate::{Decorated, Ident, RawString};

use hcl_primitives::ident::{is_id_continue, is_id_start};
use std::borrow::Cow;
use winnow::combinator::{alt, cut_err, delimited, empty, fail, not, opt, preceded, repeat};
use winnow::error::ErrMode;
use winnow::token::{any, one_of, take, take_while};

pub(super) fn string(input: &mut Input) -> ModalResult<String> {
    if let QuotedScan::Plain(len) = scan_quoted(input) {
        // `"`, `len` bytes without escapes or template markers, `"`: the
        // combinators below would read the same bytes as one literal fragment.
        let quoted = input.next_slice(len + 2);
        return Ok(String::from(&quoted[1..=len]));
    }
    string_combinators(input)
}

/// `string` as hcl-edit wrote it, for everything but plain quoted strings.
fn string_combinators(input: &mut Input) -> ModalResult<String> {
    delimited('"', opt(build_string(quoted_string_fragment)), '"')
        .map(Option::unwrap_or_default)
        .output_into()
        .parse_next(input)
}

/// What a quoted string at the start of the input holds, as far as the
/// choice between [`string`] and a string template goes.
#[derive(Debug, PartialEq)]
pub(super) enum QuotedScan {
    /// `"`, then `len` bytes without `\`, `${`, `%{`, `$${` or `%%{`, then
    /// `"`: a plain string whose value is those bytes.
    Plain(usize),
    /// `"`, then (possibly escaped markers `$${`, `%%{` and) an unescaped
    /// `${` or `%{` before any `\` or closing `"`: [`string`] fails with a
    /// backtrack there, so only a string template can match.
    Template,
    /// Anything else (no `"` first, an escape, an escaped marker in a plain
    /// string, no closing `"`): left to the combinators.
    Other,
}

/// Scans a quoted string at the start of the input by bytes, the way
/// `quoted_string_fragment` splits it into fragments (every stop byte is
/// ASCII), without consuming anything.
pub(super) fn scan_quoted(input: &Input) -> QuotedScan {
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    if bytes.first() != Some(&b'"') {
        return QuotedScan::Other;
    }
    let mut i = 1;
    let mut plain = true;
    // Skip to the next byte that matters (`STRING_STOP`); every other byte
    // only advanced `i` by one.
    while let Some(n) = skip_to_string_stop(&bytes[i..]) {
        i += n;
        let b = bytes[i];
        match b {
            b'"' if plain => return QuotedScan::Plain(i - 1),
            b'"' | b'\\' => return QuotedScan::Other,
            _ => {
                // `$` or `%`.
                let next = bytes.get(i + 1).copied();
                if next == Some(b'{') {
                    return QuotedScan::Template;
                }
                if next == Some(b) && bytes.get(i + 2) == Some(&b'{') {
                    // An escaped marker: its own fragment.
                    plain = false;
                    i += 3;
                } else {
                    i += 1;
                }
            }
        }
    }
    QuotedScan::Other
}

/// `STRING_STOP[b]` is true for the bytes that end or interrupt a quoted
/// string literal: `"`, `\`, `$` and `%`.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'$' as usize] = true;
    table[b'%' as usize] = true;
    table
};

/// The index of the first byte in `bytes` for which `STRING_STOP` is true.
#[inline]
fn skip_to_string_stop(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| STRING_STOP[usize::from(b)])
}

pub(super) fn build_string<'a, F>(
    mut fragment_parser: F,
) -> impl ModalParser<Input<'a>, Cow<'a, str>, ContextError>
where
    F: ModalParser<Input<'a>, StringFragment<'a>, ContextError>,
{
    move |input: &mut Input<'a>| {
        let mut string = match fragment_parser.parse_next(input) {
            Ok(fragment) => match fragment {
                StringFragment::Literal(s) => Cow::Borrowed(s),
                StringFragment::EscapedChar(c) => Cow::Owned(String::from(c)),
                StringFragment::EscapedMarker(m) => Cow::Borrowed(m.unescape()),
            },
            Err(err) => return Err(err),
        };

        loop {
            match fragment_parser.parse_next(input) {
                Ok(fragment) => match fragment {
                    StringFragment::Literal(s) => string.to_mut().push_str(s),
                    StringFragment::EscapedChar(c) => string.to_mut().push(c),
                    StringFragment::EscapedMarker(m) => string.to_mut().push_str(m.unescape()),
                },
                // A backtrack marks the end of the string; a cut (e.g. an invalid escape
                // sequence) must surface instead of being silently dropped.
                Err(ErrMode::Backtrack(_)) => return Ok(string),
                Err(err) => return Err(err),
            }
        }
    }
}

/// A string fragment contains a fragment of a string being parsed: either
/// a non-empty Literal (a series of non-escaped characters), a single
/// parsed escaped character or an escaped template start marker.
#[derive(Clone, Debug)]
pub(super) enum StringFragment<'a> {
    Literal(&'a str),
    EscapedChar(char),
    EscapedMarker(EscapedMarker),
}

/// An escaped marker which would start a template interpolation or directive if unescaped.
#[derive(Clone, Debug)]
pub(super) enum EscapedMarker {
    Interpolation,
    Directive,
}

impl EscapedMarker {
    // Returns the unescaped form of the escaped marker.
    fn unescape(&self) -> &'static str {
        match self {
            EscapedMarker::Interpolation => "${",
            EscapedMarker::Directive => "%{",
        }
    }
}

pub(super) fn quoted_string_fragment<'a>(input: &mut Input<'a>) -> ModalResult<StringFragment<'a>> {
    // The alternatives `escaped_marker`, `string_literal`, `escaped_char` in
    // that order, picked by the first bytes: at most one of them can match
    // there, and where none can, `escaped_char` fails like `string_literal`
    // (a backtrack with an empty error, nothing consumed).
    match starts_with_marker_or_backslash(input) {
        Some(b'\\') => escaped_char
            .map(StringFragment::EscapedChar)
            .parse_next(input),
        Some(_) => escaped_marker
            .map(StringFragment::EscapedMarker)
            .parse_next(input),
        None => string_literal
            .map(StringFragment::Literal)
            .parse_next(input),
    }
}

/// `Some(b'\\')` if the input starts with `\`, `Some(b'$')`/`Some(b'%')` if
/// it starts with the escaped marker `$${`/`%%{`, `None` otherwise.
fn starts_with_marker_or_backslash(input: &Input) -> Option<u8> {
    let rest: &str = input.peek_finish();
    match rest.as_bytes() {
        [b'\\', ..] => Some(b'\\'),
        [b @ (b'$' | b'%'), c, b'{', ..] if c == b => Some(*b),
        _ => None,
    }
}

pub(super) fn template_string_fragment<'a, F, T>(
    mut literal_end: F,
) -> impl ModalParser<Input<'a>, StringFragment<'a>, ContextError>
where
    F: ModalParser<Input<'a>, T, ContextError>,
{
    move |input: &mut Input<'a>| {
        // `alt((escaped_marker, any_until(..)))`, picked by the first bytes:
        // `escaped_marker` only matches at `$${` or `%%{`, and `any_until`
        // never does there.
        match starts_with_marker_or_backslash(input) {
            Some(b'$' | b'%') => escaped_marker
                .map(StringFragment::EscapedMarker)
                .parse_next(input),
            _ => any_until(literal_end.by_ref())
                .map(StringFragment::Literal)
                .parse_next(input),
        }
    }
}

/// Parse a non-empty block of text that doesn't include `"` or non-escaped template
/// interpolation/directive start markers.
fn string_literal<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
    // Equivalent to `any_until` with the literal end `"`, `\\`, `${` or `%{` (and
    // the escaped markers `$${` and `%%{`), but scans bytes instead of running
    // the alternatives once per character. Every stop byte is ASCII, so the
    // split always falls on a character boundary.
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    let mut len = 0;
    loop {
        let Some(n) = skip_to_string_stop(&bytes[len..]) else {
            // No stop byte: the literal runs to the end of the input.
            len = bytes.len();
            break;
        };
        len += n;
        let b = bytes[len];
        if b == b'"' || b == b'\\' {
            break;
        }
        // `$` or `%`.
        let next = bytes.get(len + 1).copied();
        if next == Some(b'{') || (next == Some(b) && bytes.get(len + 2) == Some(&b'{')) {
            break;
        }
        len += 1;
    }
    if len == 0 {
        return fail.parse_next(input);
    }
    Ok(input.next_slice(len))
}

fn any_until<'a, F, T>(literal_end: F) -> impl ModalParser<Input<'a>, &'a str, ContextError>
where
    F: ModalParser<Input<'a>, T, ContextError>,
{
    void(repeat(
        1..,
        preceded(not(alt((escaped_marker.void(), literal_end.void()))), any),
    ))
    .take()
}

/// Parse an escaped start marker for a template interpolation or directive.
fn escaped_marker(input: &mut Input) -> ModalResult<EscapedMarker> {
    dispatch! {take::<_, Input, _>(3usize);
        "$${" => empty.value(EscapedMarker::Interpolation),
        "%%{" => empty.value(EscapedMarker::Directive),
        _ => fail,
    }
    .parse_next(input)
}

/// Parse an escaped character: `\n`, `\t`, `\r`, `\u00AC`, etc.
fn escaped_char(input: &mut Input) -> ModalResult<char> {
    '\\'.parse_next(input)?;

    dispatch! {any;
        'n' => empty.value('\n'),
        'r' => empty.value('\r'),
        't' => empty.value('\t'),
        '\\' => empty.value('\\'),
        '"' => empty.value('"'),
        'u' => cut_err(hexescape::<4>)
            .context(StrContext::Label("unicode 4-digit hex code")),
        'U' => cut_err(hexescape::<8>)
            .context(StrContext::Label("unicode 8-digit hex code")),
        _ => cut_err(fail)
            .context(StrContext::Label("escape sequence"))
            .context(StrContext::Expected(StrContextValue::CharLiteral('n')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('r')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('t')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('u')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('U')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('\\')))
            .context(StrContext::Expected(StrContextValue::CharLiteral('"'))),
    }
    .parse_next(input)
}

fn hexescape<const N: usize>(input: &mut Input) -> ModalResult<char> {
    let parse_hex =
        take_while(1..=N, |c: char| c.is_ascii_hexdigit()).verify(|hex: &str| hex.len() == N);

    let parse_u32 = parse_hex.try_map(|hex: &str| u32::from_str_radix(hex, 16));

    parse_u32.verify_map(std::char::from_u32).parse_next(input)
}

pub(super) fn raw_string<'a, P, O>(inner: P) -> impl ModalParser<Input<'a>, RawString, ContextError>
where
    P: ModalParser<Input<'a>, O, ContextError>,
{
    inner.span().map(RawString::from_span)
}

pub(super) fn ident(input: &mut Input) -> ModalResult<Decorated<Ident>> {
    str_ident
        .map(|ident| Decorated::new(Ident::new_unchecked(ident)))
        .parse_next(input)
}

/// `ASCII_IDENT[b]` for an ASCII identifier byte `b`: `IDENT_START` for
/// letters and `_`, `IDENT_CONTINUE` for digits and `-`, and 0 for every other
/// byte (non-ASCII ones included).
const ASCII_IDENT: [u8; 256] = {
    let mut table = [0; 256];
    let mut c: u8 = 0;
    while c < 128 {
        if c.is_ascii_alphabetic() || c == b'_' {
            table[c as usize] = IDENT_START;
        } else if c.is_ascii_digit() || c == b'-' {
            table[c as usize] = IDENT_CONTINUE;
        }
        c += 1;
    }
    table
};
const IDENT_START: u8 = 2;
const IDENT_CONTINUE: u8 = 1;

pub(super) fn str_ident<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
    // ASCII identifiers (nearly all) by bytes; anything else by characters.
    let rest: &str = input.peek_finish();
    let bytes = rest.as_bytes();
    if matches!(bytes.first(), Some(b) if ASCII_IDENT[usize::from(*b)] == IDENT_START) {
        let n = bytes
            .iter()
            .position(|&b| ASCII_IDENT[usize::from(b)] == 0)
            .unwrap_or(bytes.len());
        if bytes.get(n).is_none_or(u8::is_ascii) {
            return Ok(input.next_slice(n));
        }
    }
    (one_of(is_id_start), take_while(0.., is_id_continue))
        .take()
        .parse_next(input)
}

pub(super) fn cut_char<'a>(c: char) -> impl ModalParser<Input<'a>, char, ContextError> {
    cut_err(c).context(StrContext::Expected(StrContextValue::CharLiteral(c)))
}

pub(super) fn cut_tag<'a>(tag: &'static str) -> impl ModalParser<Input<'a>, &'a str, ContextError> {
    cut_err(tag).context(StrContext::Expected(StrContextValue::StringLiteral(tag)))
}

pub(super) fn cut_ident(input: &mut Input) -> ModalResult<Decorated<Ident>> {
    cut_err(ident)
        .context(StrContext::Expected(StrContextValue::Description(
            "identifier",
        )))
        .parse_next(input)
}

pub(super) fn cut_str_ident<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
    cut_err(str_ident)
        .context(StrContext::Expected(StrContextValue::Description(
            "identifier",
        )))
        .parse_next(input)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::parser::tests_support::{
        outcome, outcome_exact, random_strings, random_token_strings,
    };

    /// `quoted_string_fragment` as the combinators wrote it before the
    /// fast paths.
    pub(in crate::parser) fn quoted_string_fragment_reference<'a>(
        input: &mut Input<'a>,
    ) -> ModalResult<StringFragment<'a>> {
        alt((
            escaped_marker.map(StringFragment::EscapedMarker),
            string_literal_reference.map(StringFragment::Literal),
            escaped_char.map(StringFragment::EscapedChar),
        ))
        .parse_next(input)
    }

    /// `template_string_fragment` as the combinators wrote it.
    pub(in crate::parser) fn template_string_fragment_reference<'a, F, T>(
        mut literal_end: F,
    ) -> impl ModalParser<Input<'a>, StringFragment<'a>, ContextError>
    where
        F: ModalParser<Input<'a>, T, ContextError>,
    {
        move |input: &mut Input<'a>| {
            alt((
                escaped_marker.map(StringFragment::EscapedMarker),
                any_until(literal_end.by_ref()).map(StringFragment::Literal),
            ))
            .parse_next(input)
        }
    }

    /// `string` as the combinators wrote it before the fast paths.
    pub(in crate::parser) fn string_reference(input: &mut Input) -> ModalResult<String> {
        delimited(
            '"',
            opt(build_string(quoted_string_fragment_reference)),
            '"',
        )
        .map(Option::unwrap_or_default)
        .output_into()
        .parse_next(input)
    }

    const STRING_TOKENS: [&str; 16] = [
        "\"", "\"", "a", " ", "${", "%{", "}", "$${", "%%{", "$", "%", "{", "\\n", "\\", "\\q",
        "\u{e9}",
    ];

    #[test]
    fn fast_string_equals_the_combinators() {
        for s in random_token_strings(&STRING_TOKENS, 20_000, 8, 5) {
            for s in [format!("\"{s}"), s] {
                assert_eq!(
                    outcome_exact(string, &s),
                    outcome_exact(string_reference, &s),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn fast_fragments_equal_the_combinators() {
        for s in random_token_strings(&STRING_TOKENS, 20_000, 6, 6) {
            assert_eq!(
                outcome_exact(quoted_string_fragment, &s),
                outcome_exact(quoted_string_fragment_reference, &s),
                "quoted on {s:?}"
            );
            assert_eq!(
                outcome_exact(
                    |i: &mut Input| template_string_fragment("${").parse_next(i),
                    &s
                ),
                outcome_exact(
                    |i: &mut Input| template_string_fragment_reference("${").parse_next(i),
                    &s
                ),
                "template on {s:?}"
            );
        }
    }

    /// `string_literal` as the combinators wrote it before the byte scan.
    fn string_literal_reference<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
        let literal_end = dispatch! {any;
            '\"' | '\\' => empty.value(true),
            '$' | '%' => '{'.value(true),
            _ => fail,
        };
        any_until(literal_end).parse_next(input)
    }

    /// `str_ident` as the combinators wrote it before the ASCII fast path.
    fn str_ident_reference<'a>(input: &mut Input<'a>) -> ModalResult<&'a str> {
        (one_of(is_id_start), take_while(0.., is_id_continue))
            .take()
            .parse_next(input)
    }

    #[test]
    fn fast_string_literal_equals_the_combinators() {
        let alphabet = ['a', '$', '%', '{', '}', '"', '\\', '\u{e9}', '\n', ' '];
        for s in random_strings(&alphabet, 20_000, 10, 2) {
            assert_eq!(
                outcome(string_literal, &s),
                outcome(string_literal_reference, &s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn fast_identifier_equals_the_combinators() {
        let alphabet = [
            'a', 'Z', '_', '-', '0', '\u{e9}', '\u{b5}', ' ', '.', '\u{65e5}', '\u{300}',
        ];
        for s in random_strings(&alphabet, 20_000, 8, 3) {
            assert_eq!(
                outcome(str_ident, &s),
                outcome(str_ident_reference, &s),
                "{s:?}"
            );
        }
    }
}
