//! `format` and `formatlist` (cty stdlib format.go / format_fsm.rl), with Go's
//! big.Float / big.Int formatting of numbers.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use unicode_segmentation::UnicodeSegmentation;

use super::convert::{Ty, convert};
use super::encoding::json_marshal;
use super::{PTy, Param, call_args};
use crate::bake::value::{Number, Value};

/// big.Float's `Text(verb, prec)` for verbs e, E, f, g, G (prec None = -1, shortest).
pub fn go_float(x: &Number, verb: char, prec: Option<usize>) -> String {
    x.text(verb, prec)
}

#[derive(Default, Clone)]
struct Verb {
    raw: String,
    offset: usize,
    arg_num: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn grapheme_len(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Appends `s` to `buf`, padded to the verb's width (on the right with `-`).
fn push_padded(buf: &mut String, v: &Verb, s: &str) {
    let pads = v.width.map_or(0, |w| w.saturating_sub(grapheme_len(s)));
    let fill = if v.zero { "0" } else { " " };
    if v.minus {
        buf.push_str(s);
    }
    for _ in 0..pads {
        buf.push_str(fill);
    }
    if !v.minus {
        buf.push_str(s);
    }
}

/// Go fmt's padding of a signed numeric body (big.Float.Format).
fn pad_number(v: &Verb, body: String, allow_zero: bool) -> String {
    let (sign, digits) = if let Some(rest) = body.strip_prefix('-') {
        ("-".to_string(), rest.to_string())
    } else if let Some(rest) = body.strip_prefix('+') {
        (
            (if v.space { " " } else { "+" }).to_string(),
            rest.to_string(),
        )
    } else if v.plus {
        ("+".to_string(), body)
    } else if v.space {
        (" ".to_string(), body)
    } else {
        (String::new(), body)
    };
    let len = sign.len() + digits.len();
    let padding = v.width.map_or(0, |w| w.saturating_sub(len));
    let zero = v.zero && !v.minus;
    if zero && allow_zero {
        format!("{sign}{}{digits}", "0".repeat(padding))
    } else if v.minus {
        format!("{sign}{digits}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{digits}", " ".repeat(padding))
    }
}

/// big.Int.Format for verbs b, d, o, x, X.
fn format_int(v: &Verb, n: &BigInt) -> String {
    let neg = n.sign() == Sign::Minus;
    let a = n.magnitude();
    let mut digits = match v.mode {
        'b' => a.to_str_radix(2),
        'o' => a.to_str_radix(8),
        'x' => a.to_str_radix(16),
        'X' => a.to_str_radix(16).to_uppercase(),
        _ => a.to_str_radix(10),
    };
    let sign = if neg {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let prefix = if v.sharp {
        match v.mode {
            'b' => "0b",
            'o' => "0",
            'x' => "0x",
            'X' => "0X",
            _ => "",
        }
    } else {
        ""
    };
    let mut zeros = 0;
    if let Some(p) = v.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            digits.clear();
            return pad_simple(v, String::new());
        }
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = v.width
        && length < w
    {
        let d = w - length;
        if v.minus {
            right = d;
        } else if v.zero && v.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

fn pad_simple(_v: &Verb, s: String) -> String {
    // big.Int.Format returns without writing anything (not even padding) here.
    s
}

fn append_verb(v: &mut Verb, buf: &mut String, args: &[Value]) -> Result<(), String> {
    if v.arg_num > args.len() {
        return Err(format!(
            "not enough arguments for {:?} at {}: need index {} but have {} total",
            v.raw,
            v.offset,
            v.arg_num,
            args.len()
        ));
    }
    let arg = &args[v.arg_num - 1];
    if v.mode != 'v' && arg.is_null() {
        return Err(format!(
            "unsupported value for {:?} at {}: null value cannot be formatted",
            v.raw, v.offset
        ));
    }
    let unsupported =
        |e: String| format!("unsupported value for {:?} at {}: {}", v.raw, v.offset, e);
    match v.mode {
        'v' => {
            let s: std::borrow::Cow<'_, str> = match arg {
                Value::String(s) if !v.sharp => s.as_str().into(),
                Value::Number(n) if !v.sharp => go_float(n, 'g', None).into(),
                _ => json_marshal(arg).map_err(unsupported)?.into(),
            };
            push_padded(buf, v, &s);
        }
        't' => match convert(arg, &Ty::Bool).map_err(unsupported)? {
            Value::Bool(b) => buf.push_str(if b { "true" } else { "false" }),
            _ => return Err(unsupported("bool required".into())),
        },
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let Value::Number(n) = convert(arg, &Ty::Number).map_err(unsupported)? else {
                return Err(unsupported("number required".into()));
            };
            if matches!(v.mode, 'e' | 'E' | 'f' | 'g' | 'G') {
                let prec = match v.mode {
                    'g' | 'G' => v.prec,
                    _ => Some(v.prec.unwrap_or(6)),
                };
                let body = go_float(&n, v.mode, prec);
                buf.push_str(&pad_number(v, body, !n.is_inf()));
            } else {
                let Some((i, Ordering::Equal)) = n.to_bigint() else {
                    return Err(unsupported("an integer is required".into()));
                };
                buf.push_str(&format_int(v, &i));
            }
        }
        's' | 'q' => {
            let Value::String(mut s) = convert(arg, &Ty::String).map_err(unsupported)? else {
                return Err(unsupported("string required".into()));
            };
            if let Some(p) = v.prec
                && p > 0
            {
                s = s.graphemes(true).take(p).collect();
            }
            if v.mode == 'q' {
                s = json_marshal(&Value::String(s)).map_err(unsupported)?.into();
            }
            push_padded(buf, v, &s);
        }
        m => {
            return Err(format!(
                "unsupported format verb {:?} in {:?} at offset {}",
                m, v.raw, v.offset
            ));
        }
    }
    Ok(())
}

/// The format-string state machine of format_fsm.rl.
fn format_fsm(format: &str, args: &[Value]) -> Result<String, String> {
    let data = format.as_bytes();
    let mut buf = String::new();
    let mut next_arg = 1;
    let mut highest = 0;
    let mut p = 0;
    let err_char = |p: usize| {
        let c = format[p..].chars().next().unwrap_or('\u{fffd}');
        format!(
            "unrecognized format character {} at offset {}",
            go_rune_quote(c),
            p
        )
    };
    while p < data.len() {
        if data[p] != b'%' {
            let c = format[p..].chars().next().unwrap_or('\u{fffd}');
            buf.push(c);
            p += c.len_utf8();
            continue;
        }
        let ts = p;
        p += 1;
        if p >= data.len() {
            return Err(format!("invalid format string starting at offset {p}"));
        }
        if data[p] == b'%' {
            buf.push('%');
            p += 1;
            continue;
        }
        let mut v = Verb {
            arg_num: next_arg,
            offset: ts,
            ..Default::default()
        };
        // flags
        while p < data.len() {
            match data[p] {
                b'0' => v.zero = true,
                b'#' => v.sharp = true,
                b'-' => v.minus = true,
                b'+' => v.plus = true,
                b' ' => v.space = true,
                _ => break,
            }
            p += 1;
        }
        // width
        if p < data.len() && (b'1'..=b'9').contains(&data[p]) {
            let mut w = 0usize;
            while p < data.len() && data[p].is_ascii_digit() {
                w = w
                    .saturating_mul(10)
                    .saturating_add((data[p] - b'0') as usize);
                p += 1;
            }
            v.width = Some(w);
        }
        // precision
        if p < data.len() && data[p] == b'.' {
            p += 1;
            let mut pr = 0usize;
            while p < data.len() && data[p].is_ascii_digit() {
                pr = pr
                    .saturating_mul(10)
                    .saturating_add((data[p] - b'0') as usize);
                p += 1;
            }
            v.prec = Some(pr);
        }
        // argument index
        if p < data.len() && data[p] == b'[' {
            p += 1;
            if p >= data.len() {
                return Err(format!("invalid format string starting at offset {p}"));
            }
            if !(b'1'..=b'9').contains(&data[p]) {
                return Err(err_char(p));
            }
            let mut n = 0usize;
            while p < data.len() && data[p].is_ascii_digit() {
                n = n
                    .saturating_mul(10)
                    .saturating_add((data[p] - b'0') as usize);
                p += 1;
            }
            if p >= data.len() {
                return Err(format!("invalid format string starting at offset {p}"));
            }
            if data[p] != b']' {
                return Err(err_char(p));
            }
            p += 1;
            v.arg_num = n;
        }
        if p >= data.len() {
            return Err(format!("invalid format string starting at offset {p}"));
        }
        if !data[p].is_ascii_alphabetic() {
            return Err(err_char(p));
        }
        v.mode = data[p] as char;
        p += 1;
        v.raw = format[ts..p].to_string();
        highest = highest.max(v.arg_num);
        append_verb(&mut v, &mut buf, args)?;
        next_arg = v.arg_num + 1;
    }
    if highest < args.len() {
        if highest == 0 {
            return Err("too many arguments; no verbs in format string".into());
        }
        return Err(format!(
            "too many arguments; only {highest} used by format string"
        ));
    }
    Ok(buf)
}

fn go_rune_quote(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '\\' => "'\\\\'".into(),
        '\n' => "'\\n'".into(),
        '\t' => "'\\t'".into(),
        '\r' => "'\\r'".into(),
        c if c.is_control() => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

const FORMAT: Param = Param::new("format", PTy::Str);
const ARGS: Param = Param::new("args", PTy::Dyn).nullable();

pub fn format(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[FORMAT], Some(ARGS))?;
    let Value::String(f) = &a[0] else {
        unreachable!()
    };
    format_fsm(f, &a[1..]).map(Value::string)
}

pub fn formatlist(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[FORMAT], Some(ARGS))?;
    let Value::String(f) = &a[0] else {
        unreachable!()
    };
    let rest = &a[1..];
    if rest.is_empty() {
        return Ok(Value::List(vec![Value::string(format_fsm(f, rest)?)]));
    }
    let mut iter_len: Option<(usize, usize)> = None;
    for (i, arg) in rest.iter().enumerate() {
        if let Some(xs) = arg.as_seq() {
            match iter_len {
                None => iter_len = Some((xs.len(), i)),
                Some((l, chooser)) if l != xs.len() => {
                    return Err(format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {}",
                        i + 1,
                        xs.len(),
                        chooser + 1,
                        l
                    ));
                }
                _ => {}
            }
        }
    }
    let n = iter_len.map_or(1, |(l, _)| l);
    let mut out = Vec::with_capacity(n);
    for idx in 0..n {
        let fargs: Vec<Value> = rest
            .iter()
            .map(|a| match a.as_seq() {
                Some(xs) => xs[idx].clone(),
                None => a.clone(),
            })
            .collect();
        let s =
            format_fsm(f, &fargs).map_err(|e| format!("error on format iteration {idx}: {e}"))?;
        out.push(Value::string(s));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        crate::bake::value::num(x)
    }
    fn f(fmt: &str, args: Vec<Value>) -> Result<String, String> {
        let mut a = vec![s(fmt)];
        a.extend(args);
        format(&a).map(|v| match v {
            Value::String(s) => s.to_string(),
            _ => panic!(),
        })
    }

    #[test]
    fn cty_format_cases() {
        assert_eq!(f("hello", vec![]).unwrap(), "hello");
        assert_eq!(f("hello %%", vec![]).unwrap(), "hello %");
        assert_eq!(f("hello %s", vec![s("world")]).unwrap(), "hello world");
        assert_eq!(f("hello %s", vec![n(1.0)]).unwrap(), "hello 1");
        assert_eq!(
            f("hello %s", vec![Value::Bool(true)]).unwrap(),
            "hello true"
        );
        assert_eq!(
            f("%d green bottles", vec![n(10.0)]).unwrap(),
            "10 green bottles"
        );
        assert_eq!(f("%d", vec![s("10")]).unwrap(), "10");
        assert_eq!(f("%t", vec![Value::Bool(true)]).unwrap(), "true");
        assert_eq!(f("%t", vec![s("false")]).unwrap(), "false");
        assert_eq!(f("%v", vec![n(1.0)]).unwrap(), "1");
        assert_eq!(f("%v", vec![n(1000000.0)]).unwrap(), "1e+06");
        assert_eq!(f("%v", vec![n(1.5)]).unwrap(), "1.5");
        assert_eq!(f("%v", vec![Value::Bool(true)]).unwrap(), "true");
        assert_eq!(f("%v", vec![Value::Null]).unwrap(), "null");
        assert_eq!(f("%#v", vec![s("hello")]).unwrap(), "\"hello\"");
        assert_eq!(f("%#v", vec![n(1.0)]).unwrap(), "1");
        assert_eq!(
            f(
                "%v",
                vec![Value::Tuple(vec![s("a"), n(1.0), Value::Bool(true)])]
            )
            .unwrap(),
            "[\"a\",1,true]"
        );
        let mut m = BTreeMap::new();
        m.insert("b".into(), n(1.0));
        m.insert("a".into(), s("<x>"));
        assert_eq!(
            f("%v", vec![Value::Object(m)]).unwrap(),
            "{\"a\":\"\\u003cx\\u003e\",\"b\":1}"
        );
        assert_eq!(f("%q", vec![s("hello")]).unwrap(), "\"hello\"");
        assert_eq!(f("%q", vec![n(1.0)]).unwrap(), "\"1\"");
        assert_eq!(f("%5s", vec![s("ab")]).unwrap(), "   ab");
        assert_eq!(f("%-5s|", vec![s("ab")]).unwrap(), "ab   |");
        assert_eq!(f("%05s", vec![s("ab")]).unwrap(), "000ab");
        assert_eq!(f("%.2s", vec![s("hello")]).unwrap(), "he");
        assert_eq!(f("%3.1s", vec![s("hello")]).unwrap(), "  h");
        assert_eq!(f("%f", vec![n(1.5)]).unwrap(), "1.500000");
        assert_eq!(f("%.2f", vec![n(3.14659)]).unwrap(), "3.15");
        assert_eq!(f("%8.2f|", vec![n(-3.14659)]).unwrap(), "   -3.15|");
        assert_eq!(f("%08.2f", vec![n(-3.14659)]).unwrap(), "-0003.15");
        assert_eq!(f("%+.1f", vec![n(2.0)]).unwrap(), "+2.0");
        assert_eq!(f("%e", vec![n(1234.5)]).unwrap(), "1.234500e+03");
        assert_eq!(f("%E", vec![n(0.00012)]).unwrap(), "1.200000E-04");
        assert_eq!(f("%g", vec![n(0.00001)]).unwrap(), "1e-05");
        assert_eq!(f("%g", vec![n(123.456)]).unwrap(), "123.456");
        assert_eq!(f("%.3g", vec![n(123.456)]).unwrap(), "123");
        assert_eq!(f("%.2g", vec![n(123.456)]).unwrap(), "1.2e+02");
        assert_eq!(f("%b", vec![n(5.0)]).unwrap(), "101");
        assert_eq!(f("%o", vec![n(8.0)]).unwrap(), "10");
        assert_eq!(f("%x", vec![n(255.0)]).unwrap(), "ff");
        assert_eq!(f("%X", vec![n(255.0)]).unwrap(), "FF");
        assert_eq!(f("%#x", vec![n(255.0)]).unwrap(), "0xff");
        assert_eq!(f("%05d", vec![n(-42.0)]).unwrap(), "-0042");
        assert_eq!(f("%-5d|", vec![n(42.0)]).unwrap(), "42   |");
        assert_eq!(f("%+d", vec![n(42.0)]).unwrap(), "+42");
        assert_eq!(f("%.4d", vec![n(42.0)]).unwrap(), "0042");
        assert_eq!(
            f("%[2]s %[1]s", vec![s("world"), s("hello")]).unwrap(),
            "hello world"
        );
        assert_eq!(f("%[2]s %s", vec![s("a"), s("b"), s("c")]).unwrap(), "b c");
        assert_eq!(f("%s 🇺🇸", vec![s("x")]).unwrap(), "x 🇺🇸");
    }

    #[test]
    fn cty_format_errors() {
        assert_eq!(
            f("%s", vec![]).unwrap_err(),
            "not enough arguments for \"%s\" at 0: need index 1 but have 0 total"
        );
        assert_eq!(
            f("%d", vec![n(1.5)]).unwrap_err(),
            "unsupported value for \"%d\" at 0: an integer is required"
        );
        assert_eq!(
            f("%d", vec![s("x")]).unwrap_err(),
            "unsupported value for \"%d\" at 0: a number is required"
        );
        assert_eq!(
            f("%s", vec![Value::Null]).unwrap_err(),
            "unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(
            f("%z", vec![n(1.0)]).unwrap_err(),
            "unsupported format verb 'z' in \"%z\" at offset 0"
        );
        assert_eq!(
            f("%", vec![]).unwrap_err(),
            "invalid format string starting at offset 1"
        );
        assert_eq!(
            f("%!", vec![]).unwrap_err(),
            "unrecognized format character '!' at offset 1"
        );
        assert_eq!(
            f("hi", vec![n(1.0)]).unwrap_err(),
            "too many arguments; no verbs in format string"
        );
        assert_eq!(
            f("%s", vec![n(1.0), n(2.0)]).unwrap_err(),
            "too many arguments; only 1 used by format string"
        );
        assert!(f("%s", vec![Value::Tuple(vec![])]).is_err());
    }

    #[test]
    fn formatlist_cases() {
        let r = formatlist(&[s("%s-%s"), Value::Tuple(vec![s("a"), s("b")]), s("x")]).unwrap();
        assert_eq!(r, Value::List(vec![s("a-x"), s("b-x")]));
        let r = formatlist(&[s("%s"), Value::List(vec![])]).unwrap();
        assert_eq!(r, Value::List(vec![]));
        let r = formatlist(&[s("hi")]).unwrap();
        assert_eq!(r, Value::List(vec![s("hi")]));
        let e =
            formatlist(&[s("%s%s"), Value::Tuple(vec![s("a")]), Value::Tuple(vec![])]).unwrap_err();
        assert_eq!(
            e,
            "argument 2 has length 0, which is inconsistent with argument 1 of length 1"
        );
    }

    #[test]
    fn go_float_text() {
        assert_eq!(go_float(&Number::from_f64(0.0), 'g', None), "0");
        assert_eq!(go_float(&Number::from_f64(100.0), 'g', None), "100");
        assert_eq!(go_float(&Number::from_f64(1e21), 'g', None), "1e+21");
        assert_eq!(go_float(&Number::from_f64(-0.5), 'g', None), "-0.5");
        assert_eq!(
            go_float(&Number::from_f64(12345678.0), 'g', Some(10)),
            "12345678"
        );
        assert_eq!(go_float(&Number::from_f64(0.25), 'f', Some(1)), "0.2");
    }
}
