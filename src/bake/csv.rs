//! The two Go parsers that buildx applies to attribute strings: one line of
//! `encoding/csv` (for output/cache/attest specs) and `strconv.ParseBool`.

use std::borrow::Cow;

/// Splits one CSV record as Go's `csv.Reader.Read` does with default settings.
/// Fields borrow from `s` unless they contain a doubled quote (`""`): these
/// strings are validated for every target, so the common case allocates once.
pub fn parse_line(s: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let line = match memchr::memchr(b'\n', s.as_bytes()) {
        Some(end) => &s[..end],
        None => s,
    };
    let line = line.trim_end_matches('\r');
    // Without a quote (nearly every cache, output and secret spec) the fields
    // are the comma-separated pieces: one pass instead of three per field.
    if memchr::memchr(b'"', line.as_bytes()).is_none() {
        return Ok(line.split(',').map(Cow::Borrowed).collect());
    }
    parse_quoted_line(s, line)
}

/// [`parse_line`] of a line with a quote somewhere.
fn parse_quoted_line<'s>(s: &str, line: &'s str) -> Result<Vec<Cow<'s, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut unescaped: Option<String> = None; // only once `""` is seen
            let mut r = quoted;
            loop {
                let Some(q) = r.find('"') else {
                    return Err(format!("extraneous or missing \" in quoted-field: {s:?}"));
                };
                let after = &r[q + 1..];
                if let Some(more) = after.strip_prefix('"') {
                    // `""` is one literal quote: keep the text up to and including the first.
                    unescaped.get_or_insert_with(String::new).push_str(&r[..=q]);
                    r = more;
                } else if after.is_empty() || after.starts_with(',') {
                    fields.push(match unescaped {
                        None => Cow::Borrowed(&r[..q]),
                        Some(mut f) => {
                            f.push_str(&r[..q]);
                            Cow::Owned(f)
                        }
                    });
                    rest = after;
                    break;
                } else {
                    return Err(format!("extraneous or missing \" in quoted-field: {s:?}"));
                }
            }
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let field = &rest[..end];
            if field.contains('"') {
                return Err(format!("bare \" in non-quoted-field: {s:?}"));
            }
            fields.push(Cow::Borrowed(field));
            rest = &rest[end..];
        }
        match rest.strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    Ok(fields)
}

/// Go's `strings.ToLower`, without a copy when there is nothing to lower.
pub fn go_lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quote-free fast path gives what the general parser gives.
    #[test]
    fn lines_without_quotes_split_as_the_general_parser_does() {
        let pieces = [
            "",
            "a",
            "type=registry",
            "ref=x:y",
            ",",
            ",,",
            "\r",
            " ",
            "\n",
            "b\nc",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    let line = s.split('\n').next().unwrap_or("").trim_end_matches('\r');
                    assert_eq!(parse_line(&s), parse_quoted_line(&s, line), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(
            parse_line(r#"type=local,"dest=a,b",x"#).unwrap(),
            vec!["type=local", "dest=a,b", "x"]
        );
        assert!(parse_line(r#"a"b"#).is_err());
        assert_eq!(parse_line("").unwrap(), vec![""]);
        assert_eq!(
            parse_line(r#""a""b",,"""""#).unwrap(),
            vec![r#"a"b"#, "", r#"""#]
        );
        assert_eq!(parse_line("a,b\r\nc,d").unwrap(), vec!["a", "b"]);
        assert!(parse_line(r#""ab"c"#).is_err());
        assert!(parse_line(r#""ab"#).is_err());
    }

    /// Go's reader, transcribed rune by rune: the borrowing parser above must
    /// agree with it on every string built from the characters that matter.
    fn reference(s: &str) -> Result<Vec<String>, ()> {
        let line = s.split('\n').next().unwrap_or("").trim_end_matches('\r');
        let mut fields = Vec::new();
        let mut chars = line.chars().peekable();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') => match chars.peek() {
                            Some('"') => {
                                field.push('"');
                                chars.next();
                            }
                            Some(',') | None => break,
                            Some(_) => return Err(()),
                        },
                        Some(c) => field.push(c),
                        None => return Err(()),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    if c == '"' {
                        return Err(());
                    }
                    field.push(c);
                    chars.next();
                }
            }
            fields.push(field);
            match chars.next() {
                Some(',') => continue,
                _ => break,
            }
        }
        Ok(fields)
    }

    #[test]
    fn agrees_with_the_reference_on_every_short_string() {
        let alphabet = ['"', ',', 'a', '\n', '\r', 'é'];
        let mut checked = 0;
        for len in 0..=6 {
            for mut code in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let ours = parse_line(&s)
                    .map(|f| f.into_iter().map(|c| c.into_owned()).collect::<Vec<_>>())
                    .map_err(|_| ());
                assert_eq!(ours, reference(&s), "{s:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 55_987);
    }

    #[test]
    fn lowers_like_go() {
        assert!(matches!(go_lower("type"), Cow::Borrowed("type")));
        assert_eq!(go_lower("TyPe"), "type");
        assert_eq!(go_lower("\u{212A}ey"), "key"); // the Kelvin sign lowers to ASCII k
    }

    #[test]
    fn go_bools() {
        assert_eq!(parse_go_bool("T"), Some(true));
        assert_eq!(parse_go_bool("yes"), None);
    }
}
