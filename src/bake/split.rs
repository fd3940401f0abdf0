//! Splits HCL source at top-level item boundaries so large files can be parsed
//! in parallel. The boundaries are guesses from the layout of formatted files;
//! a wrong guess is harmless because the caller reparses the whole file
//! whenever a chunk fails to parse.

/// Byte offsets where top-level items start, chosen near `parts` equal shares
/// of the text (always excluding 0).
///
/// A boundary is the first line after `want` that starts with an identifier
/// or a comment right after a line holding only `}` (and blank lines): where a formatted
/// file closes one top-level block and opens the next. Only the bytes around
/// each boundary are looked at, so the cost does not grow with the file (a
/// full lexical scan would be serial work before any thread starts). A guess
/// inside a heredoc, comment, string or an unindented block leaves the chunk
/// before it with an unclosed construct, which fails to parse, and the caller
/// then parses the whole file.
pub fn split_points(text: &str, parts: usize) -> Vec<usize> {
    if parts < 2 {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out: Vec<usize> = Vec::new();
    for k in 1..parts {
        let want = (text.len() * k / parts).max(out.last().map_or(0, |&p| p + 1));
        match item_start_after(b, want) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out
}

/// The first item start (see [`split_points`]) at or after `from`.
fn item_start_after(b: &[u8], from: usize) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b"\n}");
    let mut i = from.saturating_sub(1);
    while i < b.len() {
        let close = i + finder.find(&b[i..])? + 1; // the `}`
        let mut p = close + 1;
        // The rest of the `}` line, then any blank lines.
        loop {
            match b.get(p) {
                Some(b'\r') if b.get(p + 1) == Some(&b'\n') => p += 2,
                Some(b'\n') => p += 1,
                _ => break,
            }
        }
        // An identifier (block or attribute) or a comment starts the next item.
        if p > close + 1
            && p < b.len()
            && p >= from
            && (b[p].is_ascii_alphabetic() || matches!(b[p], b'_' | b'#' | b'/'))
        {
            return Some(p);
        }
        i = close;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(i: usize) -> String {
        format!("# item {i}\ntarget \"t{i}\" {{\n  a = [\n    \"x\",\n  ]\n}}\n\n")
    }

    #[test]
    fn splits_where_a_top_level_block_ends() {
        let src: String = (0..100).map(block).collect();
        let points = split_points(&src, 4);
        assert_eq!(points.len(), 3);
        for (k, &p) in points.iter().enumerate() {
            assert!(src[p..].starts_with("# item "), "{:?}", &src[p..p + 10]);
            assert!(src[..p].ends_with("}\n\n"));
            assert!(p >= src.len() * (k + 1) / 4);
        }
        assert!(split_points(&src, 1).is_empty());
    }

    #[test]
    fn an_identifier_after_a_closing_line_starts_an_item() {
        let src = "a = {\r\n}\r\nb = 1\nc = {\n}\n  d = 2\n}\n_e = 3\n";
        let b = src.find("b =").unwrap();
        assert_eq!(item_start_after(src.as_bytes(), 0), Some(b));
        // `  d` is indented: not an item.
        assert_eq!(item_start_after(src.as_bytes(), b + 1), src.find("_e"));
        assert_eq!(split_points(src, 2), vec![src.find("_e").unwrap()]);
        assert_eq!(item_start_after(src.as_bytes(), src.len() - 2), None);
    }

    #[test]
    fn no_boundary_without_closing_lines() {
        let src = "a = 1\nb = 2\nc = 3\nd = 4\n";
        assert!(split_points(src, 2).is_empty());
    }
}
