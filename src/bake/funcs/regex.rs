//! regex, regexall (cty stdlib regexp.go) and regex_replace (string_replace.go).
//!
//! Patterns use Go's RE2 syntax. The `regex` crate implements nearly the same
//! language; the differences handled here are that Go's Perl classes (`\d`,
//! `\w`, `\s`, `\b`) are ASCII-only, and Go's rules for empty matches in
//! FindAll/ReplaceAll, which are replicated by hand.

use std::collections::BTreeMap;

use regex::{Captures, Regex};

use super::{PTy, Param, as_str, fixed_args};
use crate::bake::value::{Str, Value};

/// Rewrites Go-only semantics into the regex crate's dialect.
fn translate(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len());
    let mut chars = pat.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let first_in_class = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let rep = match (e, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', false) => Some("[\\t\\n\\f\\r ]"),
                    ('S', false) => Some("[^\\t\\n\\f\\r ]"),
                    ('b', false) => Some("(?-u:\\b)"),
                    ('B', false) => Some("(?-u:\\B)"),
                    ('d', true) => Some("0-9"),
                    ('D', true) => Some("[^0-9]"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('W', true) => Some("[^0-9A-Za-z_]"),
                    ('s', true) => Some("\\t\\n\\f\\r "),
                    ('S', true) => Some("[^\\t\\n\\f\\r ]"),
                    _ => None,
                };
                match rep {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                class_start = true;
            }
            '[' if chars.peek() == Some(&':') => {
                // POSIX class such as [:alpha:]: copy through the closing ":]".
                out.push('[');
                let mut prev = '[';
                for d in chars.by_ref() {
                    out.push(d);
                    if prev == ':' && d == ']' {
                        break;
                    }
                    prev = d;
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class && !first_in_class => {
                in_class = false;
                out.push(']');
            }
            ']' if in_class => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out
}

pub fn compile(pat: &str) -> Result<Regex, String> {
    Regex::new(&translate(pat)).map_err(|e| {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        format!(
            "error parsing regexp: {}",
            last.trim_start_matches("error: ")
        )
    })
}

enum Shape {
    Str,
    Tuple,
    Object,
}

fn shape(re: &Regex) -> Result<Shape, String> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let unnamed = names.iter().filter(|n| n.is_none()).count();
    let named = names.len() - unnamed;
    match (unnamed, named) {
        (0, 0) => Ok(Shape::Str),
        (u, n) if u > 0 && n > 0 => {
            Err("invalid regexp pattern: cannot mix both named and unnamed capture groups".into())
        }
        (_, 0) => Ok(Shape::Tuple),
        _ => Ok(Shape::Object),
    }
}

fn result(re: &Regex, caps: &Captures, shape: &Shape) -> Value {
    let text = |i: usize| {
        caps.get(i)
            .map_or(Value::Null, |m| Value::string(m.as_str()))
    };
    match shape {
        Shape::Str => text(0),
        Shape::Tuple => Value::Tuple((1..caps.len()).map(text).collect()),
        Shape::Object => {
            let mut m = BTreeMap::new();
            for (i, name) in re.capture_names().enumerate().skip(1) {
                if let Some(name) = name {
                    m.insert(Str::from(name), text(i));
                }
            }
            Value::Object(m)
        }
    }
}

const PATTERN: Param = Param::new("pattern", PTy::Str);
const STRING: Param = Param::new("string", PTy::Str);

fn prepare(args: &[Value]) -> Result<(Regex, Shape, String), String> {
    let a = fixed_args(args, &[PATTERN, STRING])?;
    let re = compile(as_str(&a[0]))
        .map_err(|e| e.replacen("error parsing regexp", "invalid regexp pattern", 1))?;
    let sh = shape(&re)?;
    Ok((re, sh, as_str(&a[1]).to_string()))
}

pub fn regex(args: &[Value]) -> Result<Value, String> {
    let (re, sh, s) = prepare(args)?;
    let caps = re
        .captures(&s)
        .ok_or("pattern did not match any part of the given string")?;
    Ok(result(&re, &caps, &sh))
}

fn next_char_width(s: &str, pos: usize) -> usize {
    s[pos..].chars().next().map_or(1, char::len_utf8)
}

pub fn regexall(args: &[Value]) -> Result<Value, String> {
    let (re, sh, s) = prepare(args)?;
    let mut out = vec![];
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while pos <= s.len() {
        let Some(caps) = re.captures_at(&s, pos) else {
            break;
        };
        let m = caps.get(0).expect("group 0 always matches");
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += next_char_width(&s, pos);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push(result(&re, &caps, &sh));
        }
    }
    Ok(Value::List(out))
}

pub fn regex_replace(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("str", PTy::Str),
            Param::new("substr", PTy::Str),
            Param::new("replace", PTy::Str),
        ],
    )?;
    let (src, repl) = (as_str(&a[0]), as_str(&a[2]));
    let re = compile(as_str(&a[1]))?;
    let mut buf = String::new();
    let mut last_end = 0;
    let mut search = 0;
    while search <= src.len() {
        let Some(caps) = re.captures_at(src, search) else {
            break;
        };
        let m = caps.get(0).expect("group 0 always matches");
        buf.push_str(&src[last_end..m.start()]);
        if m.end() > last_end || m.start() == 0 {
            caps.expand(repl, &mut buf);
        }
        last_end = m.end();
        let width = next_char_width(src, search);
        if search + width > m.end() {
            search += width;
        } else if search + 1 > m.end() {
            search += 1;
        } else {
            search = m.end();
        }
    }
    buf.push_str(&src[last_end.min(src.len())..]);
    Ok(Value::string(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn regex_cases() {
        assert_eq!(
            regex(&[s("[a-z]+"), s("135abc456def789")]).unwrap(),
            s("abc")
        );
        assert_eq!(
            regex(&[s("(\\d+)([a-z]+)(\\d+)"), s("135abc456def")]).unwrap(),
            Value::Tuple(vec![s("135"), s("abc"), s("456")])
        );
        assert_eq!(
            regex(&[s("(?P<num>\\d+)(?P<word>[a-z]+)"), s("135abc456def")]).unwrap(),
            Value::Object(
                [("num".into(), s("135")), ("word".into(), s("abc"))]
                    .into_iter()
                    .collect()
            )
        );
        assert_eq!(
            regex(&[s("(a)|(b)"), s("b")]).unwrap(),
            Value::Tuple(vec![Value::Null, s("b")])
        );
        assert_eq!(
            regex(&[s("[a-z]+"), s("123")]).unwrap_err(),
            "pattern did not match any part of the given string"
        );
        assert!(
            regex(&[s("(?P<a>x)(y)"), s("xy")])
                .unwrap_err()
                .contains("cannot mix")
        );
        assert!(
            regex(&[s("(a"), s("a")])
                .unwrap_err()
                .starts_with("invalid regexp pattern")
        );
        // Go's \d is ASCII-only.
        assert!(regex(&[s("\\d"), s("٣")]).is_err());
        assert_eq!(regex(&[s("[\\d]+"), s("a12")]).unwrap(), s("12"));
        assert_eq!(regex(&[s("[]a]+"), s("x]a")]).unwrap(), s("]a"));
        assert_eq!(regex(&[s("[[:digit:]]+"), s("x42")]).unwrap(), s("42"));
    }

    #[test]
    fn regexall_cases() {
        assert_eq!(
            regexall(&[s("[a-z]+"), s("135abc456def789")]).unwrap(),
            Value::List(vec![s("abc"), s("def")])
        );
        assert_eq!(
            regexall(&[s("[a-z]+"), s("123")]).unwrap(),
            Value::List(vec![])
        );
        assert_eq!(
            regexall(&[s("(\\d)(\\d)"), s("1234")]).unwrap(),
            Value::List(vec![
                Value::Tuple(vec![s("1"), s("2")]),
                Value::Tuple(vec![s("3"), s("4")])
            ])
        );
        // Go: an empty match right after a previous match is dropped.
        assert_eq!(
            regexall(&[s("a*"), s("baaab")]).unwrap(),
            Value::List(vec![s(""), s("aaa"), s("")])
        );
    }

    #[test]
    fn replace_cases() {
        assert_eq!(
            regex_replace(&[s("hello"), s("l+"), s("L")]).unwrap(),
            s("heLo")
        );
        assert_eq!(
            regex_replace(&[s("hello world"), s("(\\w+) (\\w+)"), s("$2 $1")]).unwrap(),
            s("world hello")
        );
        assert_eq!(
            regex_replace(&[s("abc"), s("x*"), s("-")]).unwrap(),
            s("-a-b-c-")
        );
        assert_eq!(
            regex_replace(&[s("baaab"), s("a*"), s("-")]).unwrap(),
            s("-b-b-")
        );
        assert_eq!(
            regex_replace(&[s("ab"), s("(a)"), s("${1}x$$")]).unwrap(),
            s("ax$b")
        );
        assert!(regex_replace(&[s("a"), s("("), s("")]).is_err());
    }
}
