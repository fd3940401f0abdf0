//! The two Go parsers that buildx applies to attribute strings: one line of
//! `encoding/csv` (for output/cache/attest specs) and `strconv.ParseBool`.

/// Splits one CSV record as Go's `csv.Reader.Read` does with default settings.
pub fn parse_line(s: &str) -> Result<Vec<String>, String> {
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
                        Some(_) => {
                            return Err(format!("extraneous or missing \" in quoted-field: {s:?}"));
                        }
                    },
                    Some(c) => field.push(c),
                    None => return Err(format!("extraneous or missing \" in quoted-field: {s:?}")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(format!("bare \" in non-quoted-field: {s:?}"));
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

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(
            parse_line(r#"type=local,"dest=a,b",x"#).unwrap(),
            vec!["type=local", "dest=a,b", "x"]
        );
        assert!(parse_line(r#"a"b"#).is_err());
        assert_eq!(parse_line("").unwrap(), vec![""]);
    }

    #[test]
    fn go_bools() {
        assert_eq!(parse_go_bool("T"), Some(true));
        assert_eq!(parse_go_bool("yes"), None);
    }
}
