//! Word splitting of one logical line, after BuildKit's `parser` package:
//! `extractBuilderFlags`, `parseWords`, whitespace splitting and JSON arrays.
//! Every word keeps the byte offset (into the logical line) of each character,
//! so positions can be mapped back to the source.

/// A word with the logical-line byte offset of its start and of each char.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawWord {
    pub text: String,
    pub start: usize,
    pub offs: Vec<usize>,
}

impl RawWord {
    fn push(&mut self, c: char, off: usize) {
        if self.offs.is_empty() && self.text.is_empty() {
            self.start = off;
        }
        self.text.push(c);
        self.offs.push(off);
    }

    /// Offset of the char with index `i` (or the end of the word).
    pub fn off_at(&self, i: usize) -> usize {
        match self.offs.get(i) {
            Some(o) => *o,
            None => self.offs.last().map(|o| o + 1).unwrap_or(self.start),
        }
    }
}

/// Go's `[\t\v\f\r ]`.
pub(crate) fn is_ascii_ws(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

#[derive(PartialEq, Clone, Copy)]
enum Phase {
    Spaces,
    Word,
    Quote,
}

/// Leading `--flag[=value]` words of `line` (which starts at logical offset `base`).
/// Returns the flags and the byte index in `line` where the arguments start.
pub(crate) fn extract_builder_flags(line: &str, base: usize) -> (Vec<RawWord>, usize) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = RawWord::default();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i >= n;
        let (bpos, ch) = if at_end { (line.len(), '\0') } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            if ch != '-' || i + 1 >= n || chars[i + 1].1 != '-' {
                return (words, bpos);
            }
            phase = Phase::Word;
            word = RawWord {
                start: base + bpos,
                ..Default::default()
            };
        }
        if at_end {
            if word.text != "--" && (blank_ok || !word.text.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if word.text == "--" {
                    return (words, bpos);
                }
                if blank_ok || !word.text.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                i += 1;
                continue;
            }
            let (mut bp, mut c) = (bpos, ch);
            if c == '\\' {
                if i + 1 >= n {
                    i += 1;
                    continue;
                }
                i += 1;
                (bp, c) = chars[i];
            }
            word.push(c, base + bp);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            i += 1;
            continue;
        }
        let (mut bp, mut c) = (bpos, ch);
        if c == '\\' {
            if i + 1 >= n {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            (bp, c) = chars[i];
        }
        word.push(c, base + bp);
        i += 1;
    }
    (words, line.len())
}

/// BuildKit's `parseWords` (ARG, ENV, LABEL): whitespace-separated words where
/// quotes group but are kept, and the escape character is kept too.
pub(crate) fn parse_words(rest: &str, base: usize, escape: char) -> Vec<RawWord> {
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = RawWord::default();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let at_end = i >= n;
        let (bpos, ch) = if at_end { (rest.len(), '\0') } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            phase = Phase::Word;
            word = RawWord {
                start: base + bpos,
                ..Default::default()
            };
        }
        if at_end {
            if blank_ok || !word.text.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.text.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            let (mut bp, mut c) = (bpos, ch);
            if c == escape {
                if i + 1 >= n {
                    i += 1;
                    continue;
                }
                word.push(c, base + bp);
                i += 1;
                (bp, c) = chars[i];
            }
            word.push(c, base + bp);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        let (mut bp, mut c) = (bpos, ch);
        if c == escape && quote != '\'' {
            if i + 1 >= n {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            word.push(c, base + bp);
            i += 1;
            (bp, c) = chars[i];
        }
        word.push(c, base + bp);
        i += 1;
    }
    words
}

/// Split on runs of `[\t\v\f\r ]` (BuildKit's `parseStringsWhitespaceDelimited`).
pub(crate) fn split_ws(rest: &str, base: usize) -> Vec<RawWord> {
    let mut out = Vec::new();
    if rest.is_empty() {
        return out;
    }
    let mut cur = RawWord {
        start: base,
        ..Default::default()
    };
    let mut in_ws = false;
    for (i, c) in rest.char_indices() {
        if is_ascii_ws(c) {
            if !in_ws {
                out.push(std::mem::take(&mut cur));
                in_ws = true;
            }
        } else {
            if in_ws {
                cur = RawWord {
                    start: base + i,
                    ..Default::default()
                };
                in_ws = false;
            }
            cur.push(c, base + i);
        }
    }
    // Go's regexp Split keeps a trailing empty piece after a trailing separator.
    if in_ws {
        cur = RawWord {
            start: base + rest.len(),
            ..Default::default()
        };
    }
    out.push(cur);
    out
}

pub(crate) enum Json {
    /// Not a JSON array: use the other form.
    No,
    /// A JSON array of strings, each with the logical offset of its opening quote.
    Strings(Vec<RawWord>),
    /// A JSON array with a non-string element (an error in BuildKit).
    NotStrings,
}

/// BuildKit's `parseJSON`.
pub(crate) fn parse_json(rest: &str, base: usize) -> Json {
    let trimmed = rest.trim_start();
    let lead = rest.len() - trimmed.len();
    if !trimmed.starts_with('[') {
        return Json::No;
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(trimmed) else {
        return Json::No;
    };
    let mut strings = Vec::with_capacity(values.len());
    for v in values {
        match v {
            serde_json::Value::String(s) => strings.push(s),
            _ => return Json::NotStrings,
        }
    }
    // Find the opening quote of each top-level string (the array is valid JSON
    // made of strings only, so a simple scan suffices).
    let bytes = trimmed.as_bytes();
    let mut starts = Vec::with_capacity(strings.len());
    let mut i = 1;
    while i < bytes.len() && starts.len() < strings.len() {
        if bytes[i] == b'"' {
            starts.push(i);
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
        }
        i += 1;
    }
    Json::Strings(
        strings
            .into_iter()
            .enumerate()
            .map(|(k, text)| {
                let start = base + lead + starts.get(k).copied().unwrap_or(0);
                RawWord {
                    text,
                    start,
                    offs: Vec::new(),
                }
            })
            .collect(),
    )
}

/// The heredoc words of a RUN/COPY/ADD line (BuildKit's `heredocsFromLine`).
pub(crate) fn heredoc_words(line: &str) -> Vec<String> {
    use super::shell::{LexOpts, process};
    let mut opts = LexOpts::new('\\');
    opts.raw_quotes = true;
    opts.raw_escapes = true;
    let none = |_: &str| -> Option<String> { None };
    process(line, opts, &none)
        .map(|(_, w)| w)
        .unwrap_or_default()
}

/// A heredoc marker parsed from a word such as `<<EOF`, `<<-"EOF"`, `3<<EOF`.
pub(crate) struct HeredocSpec {
    pub name: String,
    pub expand: bool,
    pub chomp: bool,
    pub fd: u32,
}

/// BuildKit's `ParseHeredoc`: `^(\d*)<<(-?)([^<]*)$`.
pub(crate) fn parse_heredoc(word: &str) -> Result<Option<HeredocSpec>, String> {
    use super::shell::{LexOpts, process};
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let mut opts = LexOpts::new('\\');
    opts.skip_unset = true;
    let none = |_: &str| -> Option<String> { None };
    let words = process(rest, opts, &none).map_err(|e| e.message)?.1;
    if words.len() != 1 {
        return Ok(None);
    }
    opts.raw_quotes = true;
    let raw = process(rest, opts, &none).map_err(|e| e.message)?.1;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let name = words.into_iter().next().unwrap_or_default();
    let expand = count(&name) == count(&raw[0]);
    Ok(Some(HeredocSpec {
        name,
        expand,
        chomp,
        fd,
    }))
}
