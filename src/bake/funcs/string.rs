//! String functions (cty stdlib string.go, string_replace.go).
//!
//! "Characters" are grapheme clusters, as in cty. Case mapping is per character
//! like Go's `unicode.ToUpper`/`ToLower` (simple mappings: "ß" stays "ß").

use unicode_segmentation::UnicodeSegmentation;

use super::{PTy, Param, as_int, as_str, call_args, fixed_args};
use crate::bake::value::Value;

const STR: Param = Param::new("str", PTy::Str);

fn one_str(args: &[Value]) -> Result<String, String> {
    let a = fixed_args(args, &[STR])?;
    Ok(as_str(&a[0]).to_string())
}

/// Go's unicode.ToUpper applied rune by rune.
pub fn go_upper(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// Go's unicode.ToLower applied rune by rune.
pub fn go_lower(s: &str) -> String {
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

pub fn upper(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(go_upper(&one_str(args)?)))
}

pub fn lower(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(go_lower(&one_str(args)?)))
}

pub fn reverse(args: &[Value]) -> Result<Value, String> {
    let s = one_str(args)?;
    Ok(Value::String(s.graphemes(true).rev().collect()))
}

pub fn strlen(args: &[Value]) -> Result<Value, String> {
    let s = one_str(args)?;
    Ok(Value::Number(crate::bake::value::Number::from(
        s.graphemes(true).count(),
    )))
}

pub fn substr(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            STR,
            Param::new("offset", PTy::Num),
            Param::new("length", PTy::Num),
        ],
    )?;
    let s = as_str(&a[0]);
    let mut offset = as_int(&a[1])?;
    let length = as_int(&a[2])?;
    // Outside "\r\n", every ASCII character is a grapheme cluster of its own.
    let g: Vec<&str> = if s.is_ascii() && !s.contains('\r') {
        (0..s.len()).map(|i| &s[i..i + 1]).collect()
    } else {
        s.graphemes(true).collect()
    };
    if offset < 0 {
        offset += g.len() as i64;
    } else if length == 0 {
        return Ok(Value::string(""));
    }
    // cty seeks forward only for positive offsets; a still-negative offset
    // (after adding the length) starts at the beginning.
    let start = offset.max(0) as usize;
    if start > 0 && start >= g.len() {
        return Ok(Value::string(""));
    }
    let rest = &g[start..];
    let take = if length < 0 {
        rest.len()
    } else {
        (length as usize).min(rest.len())
    };
    // cty's loop never stops early for a zero length (reachable only with a
    // negative offset), so it takes the rest of the string.
    let take = if length == 0 { rest.len() } else { take };
    Ok(Value::string(rest[..take].concat()))
}

pub fn join(args: &[Value]) -> Result<Value, String> {
    if let Some(joined) = join_strings(args) {
        return Ok(Value::string(joined));
    }
    let a = call_args(
        args,
        &[Param::new("separator", PTy::Str)],
        Some(Param::new("lists", PTy::ListStr)),
    )?;
    let lists = &a[1..];
    if lists.is_empty() {
        return Err("at least one list is required".into());
    }
    let mut items = vec![];
    for (ai, list) in lists.iter().enumerate() {
        for (ei, v) in list.as_seq().unwrap_or(&[]).iter().enumerate() {
            match v {
                Value::String(s) => items.push(s.as_str()),
                _ if lists.len() > 1 => {
                    return Err(format!(
                        "element {ei} of list {} is null; cannot concatenate null values",
                        ai + 1
                    ));
                }
                _ => {
                    return Err(format!(
                        "element {ei} is null; cannot concatenate null values"
                    ));
                }
            }
        }
    }
    Ok(Value::string(items.join(as_str(&a[0]))))
}

pub fn sort(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("list", PTy::ListStr)])?;
    let mut items = vec![];
    for (i, v) in a[0].as_seq().unwrap_or(&[]).iter().enumerate() {
        match v {
            Value::String(s) => items.push(s.clone()),
            _ => {
                return Err(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                ));
            }
        }
    }
    items.sort();
    Ok(Value::List(items.into_iter().map(Value::string).collect()))
}

/// Go's strings.Split.
pub fn go_split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(String::from).collect()
}

pub fn split(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("separator", PTy::Str), STR])?;
    let parts = go_split(as_str(&a[1]), as_str(&a[0]));
    Ok(Value::List(parts.into_iter().map(Value::string).collect()))
}

pub fn chomp(args: &[Value]) -> Result<Value, String> {
    let s = one_str(args)?;
    Ok(Value::string(s.trim_end_matches(['\r', '\n'])))
}

pub fn indent(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("spaces", PTy::Num), STR])?;
    let spaces = as_int(&a[0])?;
    if spaces < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let pad = format!("\n{}", " ".repeat(spaces as usize));
    Ok(Value::string(as_str(&a[1]).replace('\n', &pad)))
}

/// Go's strings.Title separator rule.
fn is_separator(c: char) -> bool {
    if (c as u32) <= 0x7f {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

pub fn title(args: &[Value]) -> Result<Value, String> {
    let s = one_str(args)?;
    let mut prev = ' ';
    let out: String = s
        .chars()
        .map(|c| {
            let r = if is_separator(prev) {
                go_upper(&c.to_string())
            } else {
                c.to_string()
            };
            prev = c;
            r
        })
        .collect();
    Ok(Value::string(out))
}

pub fn trimspace(args: &[Value]) -> Result<Value, String> {
    Ok(Value::string(one_str(args)?.trim()))
}

pub fn trim(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR, Param::new("cutset", PTy::Str)])?;
    let cutset = as_str(&a[1]);
    Ok(Value::string(
        as_str(&a[0]).trim_matches(|c| cutset.contains(c)),
    ))
}

pub fn trimprefix(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR, Param::new("prefix", PTy::Str)])?;
    let s = as_str(&a[0]);
    Ok(Value::string(s.strip_prefix(as_str(&a[1])).unwrap_or(s)))
}

pub fn trimsuffix(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR, Param::new("suffix", PTy::Str)])?;
    let s = as_str(&a[0]);
    Ok(Value::string(s.strip_suffix(as_str(&a[1])).unwrap_or(s)))
}

pub fn replace(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            STR,
            Param::new("substr", PTy::Str),
            Param::new("replace", PTy::Str),
        ],
    )?;
    Ok(Value::string(
        as_str(&a[0]).replace(as_str(&a[1]), as_str(&a[2])),
    ))
}

/// `join` of a separator string and sequences that hold only strings (what
/// name-building functions pass), read in place: conversion to `list(string)`
/// would copy every element and change nothing.
fn join_strings(args: &[Value]) -> Option<String> {
    let (Value::String(sep), lists) = args.split_first()? else {
        return None;
    };
    if lists.is_empty() {
        return None;
    }
    let mut len = 0;
    let mut count: usize = 0;
    for list in lists {
        for v in list.as_seq()? {
            let Value::String(s) = v else { return None };
            len += s.len();
            count += 1;
        }
    }
    let mut out = String::with_capacity(len + sep.len() * count.saturating_sub(1));
    let strings = lists.iter().flat_map(|l| l.as_seq().unwrap_or(&[]));
    for (i, v) in strings.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        if let Value::String(s) = v {
            out.push_str(s);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        crate::bake::value::num(x)
    }
    fn l(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn case() {
        assert_eq!(upper(&[s("hello")]).unwrap(), s("HELLO"));
        assert_eq!(upper(&[s("HELLO")]).unwrap(), s("HELLO"));
        assert_eq!(upper(&[s("école")]).unwrap(), s("ÉCOLE"));
        assert_eq!(upper(&[s("straße")]).unwrap(), s("STRAßE"));
        assert_eq!(upper(&[n(1.0)]).unwrap(), s("1"));
        assert_eq!(lower(&[s("HELLO")]).unwrap(), s("hello"));
        assert_eq!(lower(&[s("ΑΣ")]).unwrap(), s("ασ"));
        assert!(upper(&[Value::Null]).is_err());
    }

    #[test]
    fn reverse_and_strlen() {
        assert_eq!(reverse(&[s("hello world")]).unwrap(), s("dlrow olleh"));
        assert_eq!(reverse(&[s("")]).unwrap(), s(""));
        assert_eq!(reverse(&[s("👩‍👩‍👧‍👦x")]).unwrap(), s("x👩‍👩‍👧‍👦"));
        assert_eq!(reverse(&[s("noe\u{0308}l")]).unwrap(), s("le\u{0308}on"));
        assert_eq!(strlen(&[s("hello")]).unwrap(), n(5.0));
        assert_eq!(strlen(&[s("")]).unwrap(), n(0.0));
        assert_eq!(strlen(&[s("👩‍👩‍👧‍👦")]).unwrap(), n(1.0));
        assert_eq!(strlen(&[s("noe\u{0308}l")]).unwrap(), n(4.0));
        assert_eq!(strlen(&[n(12.0)]).unwrap(), n(2.0));
    }

    #[test]
    fn substr_cases() {
        let sub = |st: &str, o: f64, len: f64| substr(&[s(st), n(o), n(len)]).unwrap();
        assert_eq!(sub("hello world", 0.0, 5.0), s("hello"));
        assert_eq!(sub("hello world", 6.0, 5.0), s("world"));
        assert_eq!(sub("hello world", 6.0, 500.0), s("world"));
        assert_eq!(sub("hello world", 0.0, -1.0), s("hello world"));
        assert_eq!(sub("hello world", 6.0, -1.0), s("world"));
        assert_eq!(sub("hello world", -5.0, 5.0), s("world"));
        assert_eq!(sub("hello world", -5.0, 50.0), s("world"));
        assert_eq!(sub("hello world", -5.0, -1.0), s("world"));
        assert_eq!(sub("hello world", 11.0, -1.0), s(""));
        assert_eq!(sub("hello world", 12.0, -1.0), s(""));
        assert_eq!(sub("hello world", 5.0, 0.0), s(""));
        assert_eq!(sub("noe\u{0308}l", 0.0, 3.0), s("noe\u{0308}"));
        assert_eq!(sub("", 0.0, 3.0), s(""));
        // "\r\n" is one grapheme cluster, so ASCII with \r takes the full path.
        assert_eq!(sub("a\r\nb", 1.0, 1.0), s("\r\n"));
        assert_eq!(sub("a\r\nb", -1.0, 1.0), s("b"));
        assert_eq!(sub("a\rb", 1.0, 1.0), s("\r"));
        assert!(substr(&[s("x"), n(0.5), n(1.0)]).is_err());
    }

    #[test]
    fn join_cases() {
        assert_eq!(join(&[s(","), l(&["a", "b"])]).unwrap(), s("a,b"));
        assert_eq!(
            join(&[s(","), l(&["a"]), l(&["b", "c"])]).unwrap(),
            s("a,b,c")
        );
        assert_eq!(
            join(&[s("-"), Value::Tuple(vec![n(1.0), Value::Bool(true)])]).unwrap(),
            s("1-true")
        );
        assert_eq!(join(&[s(","), l(&[])]).unwrap(), s(""));
        // The in-place path: tuples, lists and sets of strings, empty ones included.
        assert_eq!(
            join(&[
                s("--"),
                Value::Tuple(vec![s("a")]),
                l(&[]),
                Value::Set(vec![s("b"), s("c")]),
            ])
            .unwrap(),
            s("a--b--c")
        );
        assert_eq!(join_strings(&[s(","), Value::Tuple(vec![n(1.0)])]), None);
        assert_eq!(join_strings(&[s(",")]), None);
        assert_eq!(
            join(&[s(",")]).unwrap_err(),
            "at least one list is required"
        );
        assert_eq!(
            join(&[s(","), Value::List(vec![s("a"), Value::Null])]).unwrap_err(),
            "element 1 is null; cannot concatenate null values"
        );
        assert_eq!(
            join(&[s(","), l(&["x"]), Value::List(vec![Value::Null])]).unwrap_err(),
            "element 0 of list 2 is null; cannot concatenate null values"
        );
    }

    #[test]
    fn sort_and_split() {
        assert_eq!(
            sort(&[l(&["b", "a", "c", "B"])]).unwrap(),
            l(&["B", "a", "b", "c"])
        );
        assert_eq!(
            sort(&[Value::Tuple(vec![n(10.0), n(9.0)])]).unwrap(),
            l(&["10", "9"])
        );
        assert!(sort(&[Value::List(vec![Value::Null])]).is_err());
        assert_eq!(split(&[s(","), s("a,b,c")]).unwrap(), l(&["a", "b", "c"]));
        assert_eq!(split(&[s(","), s("")]).unwrap(), l(&[""]));
        assert_eq!(split(&[s(""), s("abc")]).unwrap(), l(&["a", "b", "c"]));
        assert_eq!(split(&[s(""), s("")]).unwrap(), l(&[]));
    }

    #[test]
    fn misc() {
        assert_eq!(chomp(&[s("hello\n\r\n")]).unwrap(), s("hello"));
        assert_eq!(chomp(&[s("hello\nworld")]).unwrap(), s("hello\nworld"));
        assert_eq!(indent(&[n(2.0), s("a\nb\n")]).unwrap(), s("a\n  b\n  "));
        assert_eq!(title(&[s("hello world")]).unwrap(), s("Hello World"));
        assert_eq!(
            title(&[s("hello_world-foo")]).unwrap(),
            s("Hello_world-Foo")
        );
        assert_eq!(title(&[s("éa")]).unwrap(), s("Éa"));
        assert_eq!(trimspace(&[s(" \thello \n")]).unwrap(), s("hello"));
        assert_eq!(trim(&[s("?!hello?!"), s("!?")]).unwrap(), s("hello"));
        assert_eq!(
            trimprefix(&[s("helloworld"), s("hello")]).unwrap(),
            s("world")
        );
        assert_eq!(
            trimprefix(&[s("helloworld"), s("x")]).unwrap(),
            s("helloworld")
        );
        assert_eq!(
            trimsuffix(&[s("helloworld"), s("world")]).unwrap(),
            s("hello")
        );
        assert_eq!(replace(&[s("hello"), s("l"), s("L")]).unwrap(), s("heLLo"));
        assert_eq!(replace(&[s("abc"), s(""), s("-")]).unwrap(), s("-a-b-c-"));
    }
}
