//! Helpers for the tests that hold the byte-level fast paths (whitespace,
//! string literals, identifiers) to the combinator forms they replace.

use super::prelude::*;
use winnow::error::ErrMode;

/// `count` strings of up to `max_len` characters from `alphabet`
/// (deterministic for a `seed`), with every string of up to 3 characters.
pub(super) fn random_strings(
    alphabet: &[char],
    count: usize,
    max_len: usize,
    seed: u64,
) -> Vec<String> {
    let mut out = vec![String::new()];
    for a in alphabet {
        out.push(a.to_string());
        for b in alphabet {
            out.push(format!("{a}{b}"));
            for c in alphabet {
                out.push(format!("{a}{b}{c}"));
            }
        }
    }
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..count {
        let len = pick(next(), max_len + 1);
        out.push(
            (0..len)
                .map(|_| alphabet[pick(next(), alphabet.len())])
                .collect(),
        );
    }
    out
}

/// `count` strings of up to `max_len` tokens from `tokens` (deterministic for a
/// `seed`), with every string of up to 2 tokens: for parsers whose interesting
/// inputs are sequences of multi-character tokens (`${`, `%{ if`, ...).
pub(super) fn random_token_strings(
    tokens: &[&str],
    count: usize,
    max_len: usize,
    seed: u64,
) -> Vec<String> {
    let mut out = vec![String::new()];
    for a in tokens {
        out.push((*a).to_string());
        for b in tokens {
            out.push(format!("{a}{b}"));
        }
    }
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..count {
        let len = pick(next(), max_len + 1);
        out.push(
            (0..len)
                .map(|_| tokens[pick(next(), tokens.len())])
                .collect(),
        );
    }
    out
}

/// Like [`outcome`], and on an error also the error (as debug text) and
/// where the parser left the input: everything a caller can observe.
pub(super) fn outcome_exact<'a, O: std::fmt::Debug>(
    mut parser: impl FnMut(&mut Input<'a>) -> ModalResult<O>,
    s: &'a str,
) -> Result<(String, &'a str), (String, &'a str)> {
    let mut input = new_input(s);
    match parser(&mut input) {
        Ok(o) => Ok((format!("{o:?}"), input.peek_finish())),
        Err(e) => Err((format!("{e:?}"), input.peek_finish())),
    }
}

/// What a parser does with `s`: the output (as debug text) and the
/// unparsed rest, or whether it failed with a backtrack or a cut.
pub(super) fn outcome<'a, O: std::fmt::Debug>(
    mut parser: impl FnMut(&mut Input<'a>) -> ModalResult<O>,
    s: &'a str,
) -> Result<(String, &'a str), &'static str> {
    let mut input = new_input(s);
    match parser(&mut input) {
        Ok(o) => Ok((format!("{o:?}"), input.peek_finish())),
        Err(ErrMode::Backtrack(_)) => Err("backtrack"),
        Err(ErrMode::Cut(_)) => Err("cut"),
        Err(_) => Err("incomplete"),
    }
}

/// A number below `n` from a random `u64`.
fn pick(random: u64, n: usize) -> usize {
    usize::try_from(random % n as u64).expect("below n, which is a usize")
}
