//! Splits HCL source at top-level item boundaries so large files can be parsed
//! in parallel. The scan only tracks what can hide a line start from the top
//! level (brackets, quoted strings with their `${…}` interpolations, heredocs,
//! comments); a wrong guess is harmless because the caller reparses the whole
//! file whenever a chunk fails to parse.

/// Byte offsets where top-level items start, chosen near `parts` equal shares
/// of the text (always excluding 0).
pub fn split_points(text: &str, parts: usize) -> Vec<usize> {
    if parts < 2 {
        return Vec::new();
    }
    let starts = item_starts(text);
    let mut out = Vec::new();
    let mut next = 0; // `want` only grows: resume the search where it stopped
    for k in 1..parts {
        let want = text.len() * k / parts;
        next += starts[next..].partition_point(|&p| p < want);
        if let Some(&p) = starts.get(next)
            && p > 0
            && out.last() != Some(&p)
        {
            out.push(p);
        }
    }
    out
}

/// A byte table of `chars`.
const fn byte_set(chars: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < chars.len() {
        t[chars[i] as usize] = true;
        i += 1;
    }
    t
}

/// The bytes that can change the scanner's state in code and in strings; any
/// other byte away from a line start is skipped without a look at the state.
const CODE_SPECIAL: [bool; 256] = byte_set(b"\"{[()]}#/<\n");
const STR_SPECIAL: [bool; 256] = byte_set(b"\\\"$%\n");

/// Offsets of lines that start at the top level with an identifier.
fn item_starts(text: &str) -> Vec<usize> {
    #[derive(PartialEq)]
    enum Mode {
        Code,
        Str,
    }
    let b = text.as_bytes();
    let mut starts = Vec::new();
    // Each entry: the mode, and the bracket depth within it.
    let mut stack: Vec<(Mode, usize)> = vec![(Mode::Code, 0)];
    let mut heredoc: Option<String> = None;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        if let Some(delim) = &heredoc {
            // Skip whole lines until the closing delimiter line.
            let end = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
            if text[i..end].trim() == delim {
                heredoc = None;
            }
            i = end + 1;
            line_start = true;
            continue;
        }
        if !line_start {
            let special = match stack.last() {
                Some((Mode::Str, _)) => &STR_SPECIAL,
                _ => &CODE_SPECIAL,
            };
            while i < b.len() && !special[b[i] as usize] {
                i += 1;
            }
            if i == b.len() {
                break;
            }
        }
        let c = b[i];
        let top_level = stack.len() == 1;
        let (mode, depth) = stack.last_mut().expect("never empty");
        match mode {
            Mode::Str => match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    stack.push((Mode::Code, 0));
                    i += 1;
                }
                b'\n' => return starts, // unterminated string: stop guessing
                _ => {}
            },
            Mode::Code => {
                if line_start && top_level && *depth == 0 && (c.is_ascii_alphabetic() || c == b'_')
                {
                    starts.push(i);
                }
                match c {
                    b'"' => stack.push((Mode::Str, 0)),
                    b'{' | b'[' | b'(' => *depth += 1,
                    b'}' | b']' | b')' => {
                        if *depth == 0 {
                            if top_level {
                                return starts; // unbalanced: stop guessing
                            }
                            stack.pop(); // end of an interpolation
                        } else {
                            *depth -= 1;
                        }
                    }
                    b'#' => {
                        i = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'/') => {
                        i = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'*') => {
                        i = text[i + 2..]
                            .find("*/")
                            .map(|n| i + 2 + n + 2)
                            .unwrap_or(b.len());
                        line_start = false;
                        continue;
                    }
                    b'<' if text[i..].starts_with("<<") => {
                        let rest = &text[i + 2..];
                        let rest = rest.strip_prefix('-').unwrap_or(rest);
                        let delim: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        if !delim.is_empty() {
                            let eol = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
                            heredoc = Some(delim);
                            i = eol + 1;
                            line_start = true;
                            continue;
                        }
                    }
                    _ => {}
                }
            }
        }
        line_start = c == b'\n';
        i += 1;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_items_only() {
        let src = "a = 1\ntarget \"x\" {\n  b = \"}${ {c=1}.c }\"\n  d = <<EOT\ne = 2\nEOT\n}\n# f = 3\ng = [\n  h\n]\n";
        let starts: Vec<&str> = item_starts(src)
            .into_iter()
            .map(|p| &src[p..p + 1])
            .collect();
        assert_eq!(starts, vec!["a", "t", "g"]);
    }

    #[test]
    fn finds_every_item_of_a_long_file() {
        let item = r#"target "tN" {
  a = "x{y} ${ {k = "}"}.k } # // /*"
  b = <<-EOT
N = 1
  EOT
  # c = {
  d = [1, (2), {e = "]"}] // }
  /* }
f = 1 */
}
vN = "%{if true}}%{endif}"
"#;
        let src: String = (0..200)
            .map(|i| item.replace('N', &i.to_string()))
            .collect();
        let starts = item_starts(&src);
        assert_eq!(starts.len(), 400);
        assert!(
            starts
                .iter()
                .step_by(2)
                .all(|&p| src[p..].starts_with("target"))
        );
        assert!(
            starts
                .iter()
                .skip(1)
                .step_by(2)
                .all(|&p| src[p..].starts_with('v'))
        );
        // The text is valid HCL, as the scanner assumed.
        assert!(hcl_edit::parser::parse_body(&src).is_ok());
    }

    #[test]
    fn splits_near_shares() {
        let src = "a = 1\nb = 2\nc = 3\nd = 4\n";
        assert_eq!(split_points(src, 2), vec![12]);
        assert!(split_points(src, 1).is_empty());
    }
}
