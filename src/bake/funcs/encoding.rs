//! Encoding functions: base64 and urlencode (go-cty-funcs encoding), JSON
//! (cty stdlib json.go with cty/json), CSV (csv.go) and the bytes functions.

use std::collections::BTreeMap;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{PTy, Param, as_str, fixed_args};
use crate::bake::value::{Number, Str, Value};

const STR: Param = Param::new("str", PTy::Str);

/// Go's base64.StdEncoding: padding required, trailing bits tolerated.
const STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

pub fn base64encode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR])?;
    Ok(Value::string(STD.encode(as_str(&a[0]))))
}

/// Decodes like Go's StdEncoding.DecodeString, which skips CR and LF.
pub fn go_base64_decode(s: &str) -> Option<Vec<u8>> {
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    STD.decode(cleaned).ok()
}

pub fn base64decode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR])?;
    let s = as_str(&a[0]);
    let bytes = go_base64_decode(s).ok_or_else(|| format!("failed to decode base64 data '{s}'"))?;
    String::from_utf8(bytes)
        .map(Value::string)
        .map_err(|_| "the result of decoding the the provided string is not valid UTF-8".into())
}

/// Go's url.QueryEscape.
pub fn urlencode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR])?;
    let mut out = String::new();
    for b in as_str(&a[0]).bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::string(out))
}

// ---------------------------------------------------------------------------
// JSON

/// Go's encoding/json string encoding (HTML-safe; \b and \f as in Go >= 1.22).
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn marshal(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_inf() {
                return Err("cannot serialize infinity as JSON".into());
            }
            out.push_str(&n.to_string());
        }
        Value::String(s) => json_string(s, out),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                marshal(x, out)?;
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                marshal(x, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// cty/json's Marshal of a value with its own type.
pub fn json_marshal(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    marshal(v, &mut out)?;
    Ok(out)
}

pub fn jsonencode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("val", PTy::Dyn).nullable()])?;
    json_marshal(&a[0]).map(Value::string)
}

struct JsonParser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn err_char(&self, ctx: &str) -> String {
        match self.src[self.pos.min(self.src.len())..].chars().next() {
            None => "unexpected EOF".into(),
            Some(c) => format!("invalid character {} {ctx}", go_char(c)),
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        let Some(&c) = self.s.get(self.pos) else {
            return Err("unexpected EOF".into());
        };
        match c {
            b'{' => {
                self.pos += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Value::Object(m));
                }
                loop {
                    self.ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.err_char("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.err_char("after object key"));
                    }
                    self.pos += 1;
                    let v = self.value()?;
                    m.insert(k.into(), v);
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Object(m));
                        }
                        _ => return Err(self.err_char("after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut xs = vec![];
                self.ws();
                if self.s.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Value::Tuple(xs));
                }
                loop {
                    xs.push(self.value()?);
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Tuple(xs));
                        }
                        _ => return Err(self.err_char("after array element")),
                    }
                }
            }
            b'"' => self.string().map(Value::string),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err_char("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (i, b) in word.bytes().enumerate() {
            match self.s.get(self.pos + i) {
                Some(c) if *c == b => {}
                None => return Err("unexpected EOF".into()),
                Some(_) => {
                    self.pos += i;
                    return Err(self.err_char(&format!(
                        "in literal {word} (expecting {})",
                        go_char(b as char)
                    )));
                }
            }
        }
        self.pos += word.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let st = p.pos;
            while p.pos < p.s.len() && p.s[p.pos].is_ascii_digit() {
                p.pos += 1;
            }
            p.pos - st
        };
        if self.s[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.s.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            None => return Err("unexpected EOF".into()),
            _ => return Err(self.err_char("in numeric literal")),
        }
        if self.s.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.err_char("after decimal point in numeric literal"));
            }
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.s.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.err_char("in exponent of numeric literal"));
            }
        }
        let text = &self.src[start..self.pos];
        Number::parse(text)
            .filter(|n| !n.is_inf())
            .map(Value::Number)
            .ok_or_else(|| format!("number {text} out of range"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.src[self.pos..].chars().next() else {
                return Err("unexpected EOF".into());
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err("unexpected EOF".into());
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\x08'),
                        b'f' => out.push('\x0c'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = |p: &mut Self| -> Option<u32> {
                                let h = p.src.get(p.pos..p.pos + 4)?;
                                let v = u32::from_str_radix(h, 16).ok()?;
                                p.pos += 4;
                                Some(v)
                            };
                            let Some(u) = hex(self) else {
                                return Err(self.err_char("in \\u hexadecimal character escape"));
                            };
                            let ch = if (0xD800..0xDC00).contains(&u) {
                                let save = self.pos;
                                let low = if self.src[self.pos..].starts_with("\\u") {
                                    self.pos += 2;
                                    hex(self)
                                } else {
                                    None
                                };
                                match low {
                                    Some(l) if (0xDC00..0xE000).contains(&l) => char::from_u32(
                                        0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00),
                                    ),
                                    _ => {
                                        self.pos = save;
                                        None
                                    }
                                }
                            } else {
                                char::from_u32(u)
                            };
                            out.push(ch.unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err_char("in string escape code"));
                        }
                    }
                }
                c if (c as u32) < 0x20 => return Err(self.err_char("in string literal")),
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

fn go_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '\n' => "'\\n'".into(),
        '\r' => "'\\r'".into(),
        '\t' => "'\\t'".into(),
        c if (c as u32) < 0x20 => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

/// Parses JSON into cty's implied types: arrays become tuples, objects objects.
pub fn json_parse(src: &str) -> Result<Value, String> {
    let mut p = JsonParser {
        s: src.as_bytes(),
        src,
        pos: 0,
    };
    p.ws();
    if p.pos >= p.s.len() {
        return Err("EOF".into());
    }
    let v = p.value()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err("extraneous data after JSON object".into());
    }
    Ok(v)
}

pub fn jsondecode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR])?;
    json_parse(as_str(&a[0]))
}

// ---------------------------------------------------------------------------
// CSV (Go's encoding/csv with default settings)

/// Reads CSV records; each record carries its starting line number.
fn csv_records(s: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut records = vec![];
    while i < chars.len() {
        // Skip empty lines.
        if chars[i] == '\n' {
            i += 1;
            line += 1;
            continue;
        }
        if chars[i] == '\r' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            continue;
        }
        let rec_line = line;
        let mut fields = vec![];
        loop {
            let mut field = String::new();
            if chars.get(i) == Some(&'"') {
                let start_line = line;
                let mut col = 1;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!(
                                "CSV parse error on line {start_line}: extraneous or missing \" in quoted-field"
                            ));
                        }
                        Some('"') => {
                            if chars.get(i + 1) == Some(&'"') {
                                field.push('"');
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some('\r') if chars.get(i + 1) == Some(&'\n') => {
                            field.push('\n');
                            i += 2;
                            line += 1;
                        }
                        Some('\n') => {
                            field.push('\n');
                            i += 1;
                            line += 1;
                        }
                        Some(c) => {
                            field.push(*c);
                            i += 1;
                            col += 1;
                        }
                    }
                }
                let _ = col;
                match chars.get(i) {
                    None | Some(',') | Some('\n') => {}
                    Some('\r') if matches!(chars.get(i + 1), None | Some('\n')) => {}
                    _ => {
                        return Err(format!(
                            "CSV parse error on line {line}: extraneous or missing \" in quoted-field"
                        ));
                    }
                }
            } else {
                while let Some(&c) = chars.get(i) {
                    if c == ',' || c == '\n' {
                        break;
                    }
                    if c == '\r' && matches!(chars.get(i + 1), None | Some('\n')) {
                        break;
                    }
                    if c == '"' {
                        return Err(format!(
                            "CSV parse error on line {line}: bare \" in non-quoted field"
                        ));
                    }
                    field.push(c);
                    i += 1;
                }
            }
            fields.push(field);
            match chars.get(i) {
                Some(',') => {
                    i += 1;
                }
                Some('\r') => {
                    i += if chars.get(i + 1) == Some(&'\n') {
                        2
                    } else {
                        1
                    };
                    line += 1;
                    break;
                }
                Some('\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        records.push((rec_line, fields));
    }
    Ok(records)
}

pub fn csvdecode(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[STR])?;
    let records = csv_records(as_str(&a[0]))?;
    let Some((_, headers)) = records.first() else {
        return Err("missing header line".into());
    };
    let mut seen = std::collections::BTreeSet::new();
    for h in headers {
        if !seen.insert(h) {
            return Err(format!(
                "duplicate column name {}",
                super::convert::go_quote(h)
            ));
        }
    }
    let mut rows = vec![];
    for (line, rec) in &records[1..] {
        if rec.len() != headers.len() {
            return Err(format!(
                "CSV parse error on line {line}: wrong number of fields"
            ));
        }
        let obj = headers
            .iter()
            .map(Str::from)
            .zip(rec.iter().map(Value::string))
            .collect();
        rows.push(Value::Object(obj));
    }
    Ok(Value::List(rows))
}

// ---------------------------------------------------------------------------
// Bytes: cty's bytes capsule type cannot be produced by a bake file.

pub fn byteslen(args: &[Value]) -> Result<Value, String> {
    fixed_args(args, &[Param::new("buf", PTy::Dyn)])?;
    Err("invalid value for \"buf\" parameter: bytes required (byte buffers cannot be created in bake files)".into())
}

pub fn bytesslice(args: &[Value]) -> Result<Value, String> {
    fixed_args(
        args,
        &[
            Param::new("buf", PTy::Dyn),
            Param::new("offset", PTy::Num),
            Param::new("length", PTy::Num),
        ],
    )?;
    Err("invalid value for \"buf\" parameter: bytes required (byte buffers cannot be created in bake files)".into())
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
    fn obj(kv: &[(&str, Value)]) -> Value {
        Value::Object(kv.iter().map(|(k, v)| (Str::from(*k), v.clone())).collect())
    }

    #[test]
    fn base64_cases() {
        assert_eq!(
            base64encode(&[s("abc123!?$*&()'-=@~")]).unwrap(),
            s("YWJjMTIzIT8kKiYoKSctPUB+")
        );
        assert_eq!(
            base64decode(&[s("YWJjMTIzIT8kKiYoKSctPUB+")]).unwrap(),
            s("abc123!?$*&()'-=@~")
        );
        assert_eq!(base64decode(&[s("SGVsbG8=")]).unwrap(), s("Hello"));
        assert_eq!(base64decode(&[s("SGVs\nbG8=")]).unwrap(), s("Hello"));
        assert_eq!(
            base64decode(&[s("SGVsbG8")]).unwrap_err(),
            "failed to decode base64 data 'SGVsbG8'"
        );
        assert_eq!(
            base64decode(&[s("/w==")]).unwrap_err(),
            "the result of decoding the the provided string is not valid UTF-8"
        );
    }

    #[test]
    fn urlencode_cases() {
        assert_eq!(urlencode(&[s("abc123-_")]).unwrap(), s("abc123-_"));
        assert_eq!(
            urlencode(&[s("foo:bar@localhost?foo=bar&bar=baz")]).unwrap(),
            s("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz")
        );
        assert_eq!(
            urlencode(&[s("mailto:email?subject=this+is+my+subject")]).unwrap(),
            s("mailto%3Aemail%3Fsubject%3Dthis%2Bis%2Bmy%2Bsubject")
        );
        assert_eq!(urlencode(&[s("foo/bar")]).unwrap(), s("foo%2Fbar"));
        assert_eq!(urlencode(&[s("a b~é")]).unwrap(), s("a+b~%C3%A9"));
    }

    #[test]
    fn jsonencode_cases() {
        assert_eq!(jsonencode(&[s("hello")]).unwrap(), s("\"hello\""));
        assert_eq!(jsonencode(&[n(5.0)]).unwrap(), s("5"));
        assert_eq!(jsonencode(&[n(0.1)]).unwrap(), s("0.1"));
        assert_eq!(jsonencode(&[n(1e21)]).unwrap(), s("1000000000000000000000"));
        assert_eq!(jsonencode(&[Value::Null]).unwrap(), s("null"));
        assert_eq!(jsonencode(&[Value::Bool(true)]).unwrap(), s("true"));
        assert_eq!(
            jsonencode(&[Value::Tuple(vec![n(1.0), s("a<b>&"), Value::Null])]).unwrap(),
            s("[1,\"a\\u003cb\\u003e\\u0026\",null]")
        );
        assert_eq!(
            jsonencode(&[obj(&[("b", n(1.0)), ("a", Value::List(vec![]))])]).unwrap(),
            s("{\"a\":[],\"b\":1}")
        );
        assert_eq!(
            jsonencode(&[s("\u{1}\n\u{2028}")]).unwrap(),
            s("\"\\u0001\\n\\u2028\"")
        );
        assert!(jsonencode(&[n(f64::INFINITY)]).is_err());
    }

    #[test]
    fn jsondecode_cases() {
        assert_eq!(jsondecode(&[s("\"hello\"")]).unwrap(), s("hello"));
        assert_eq!(jsondecode(&[s("5")]).unwrap(), n(5.0));
        assert_eq!(jsondecode(&[s("null")]).unwrap(), Value::Null);
        assert_eq!(jsondecode(&[s("true")]).unwrap(), Value::Bool(true));
        assert_eq!(
            jsondecode(&[s("[1, \"a\", {}]")]).unwrap(),
            Value::Tuple(vec![n(1.0), s("a"), obj(&[])])
        );
        assert_eq!(
            jsondecode(&[s("{\"b\": [], \"a\": \"\\u00e9\\ud83d\\ude00\"}")]).unwrap(),
            obj(&[("a", s("é😀")), ("b", Value::Tuple(vec![]))])
        );
        assert_eq!(jsondecode(&[s("")]).unwrap_err(), "EOF");
        assert_eq!(jsondecode(&[s("{")]).unwrap_err(), "unexpected EOF");
        assert_eq!(
            jsondecode(&[s("{} x")]).unwrap_err(),
            "extraneous data after JSON object"
        );
        assert_eq!(
            jsondecode(&[s("x")]).unwrap_err(),
            "invalid character 'x' looking for beginning of value"
        );
        assert!(jsondecode(&[s("[1,]")]).is_err());
        assert!(jsondecode(&[s("01")]).is_err());
    }

    #[test]
    fn csv_cases() {
        let r = csvdecode(&[s("a,b,c\n1,2,3\n4,5,6")]).unwrap();
        assert_eq!(
            r,
            Value::List(vec![
                obj(&[("a", s("1")), ("b", s("2")), ("c", s("3"))]),
                obj(&[("a", s("4")), ("b", s("5")), ("c", s("6"))]),
            ])
        );
        let r = csvdecode(&[s("a,b\r\n\"x,\"\"y\"\"\",\"multi\nline\"\r\n\n")]).unwrap();
        assert_eq!(
            r,
            Value::List(vec![obj(&[("a", s("x,\"y\"")), ("b", s("multi\nline"))])])
        );
        assert_eq!(csvdecode(&[s("a,b\n")]).unwrap(), Value::List(vec![]));
        assert_eq!(csvdecode(&[s("")]).unwrap_err(), "missing header line");
        assert_eq!(
            csvdecode(&[s("a,b,c\n1,2,3\n4,5")]).unwrap_err(),
            "CSV parse error on line 3: wrong number of fields"
        );
        assert_eq!(
            csvdecode(&[s("a,a\n1,2")]).unwrap_err(),
            "duplicate column name \"a\""
        );
        assert!(csvdecode(&[s("a\nx\"y")]).unwrap_err().contains("bare \""));
    }

    #[test]
    fn bytes_unsupported() {
        assert!(byteslen(&[s("x")]).unwrap_err().contains("bytes required"));
        assert!(bytesslice(&[s("x"), n(0.0), n(1.0)]).is_err());
        assert!(byteslen(&[]).is_err());
    }
}
