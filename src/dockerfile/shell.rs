//! Dockerfile shell-word processing, after BuildKit's `frontend/dockerfile/shell`
//! lexer: quote removal, escapes and `$VAR` / `${VAR...}` expansion.

use std::fmt;

/// Error from [`try_expand`]: a malformed substitution or an unterminated quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub message: String,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ExpandError> {
    Err(ExpandError {
        message: msg.into(),
    })
}

/// Options of the lexer (BuildKit's `Lex` fields).
#[derive(Clone, Copy)]
pub(crate) struct LexOpts {
    pub escape: char,
    pub raw_quotes: bool,
    pub raw_escapes: bool,
    pub skip_unset: bool,
}

impl LexOpts {
    pub(crate) fn new(escape: char) -> Self {
        LexOpts {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
        }
    }
}

/// Expand `word` like BuildKit does for ARG/ENV values, FROM, mount options etc.:
/// quotes are removed, `\` escapes applied, and `$VAR`, `${VAR}`, `${VAR:-d}`,
/// `${VAR-d}`, `${VAR:+a}`, `${VAR+a}`, `${VAR?m}`, `${VAR#p}`, `${VAR%p}`,
/// `${VAR/p/r}` substituted from `lookup` (`None` = unset).
///
/// On a malformed word (unterminated quote, bad substitution) the word is
/// returned unchanged; use [`try_expand`] to see the error.
pub fn expand<F>(word: &str, lookup: &F) -> String
where
    F: Fn(&str) -> Option<String> + ?Sized,
{
    try_expand(word, '\\', lookup).unwrap_or_else(|_| word.to_string())
}

/// [`expand`] with an explicit escape character (`\` or `` ` ``, see
/// [`super::Dockerfile::escape`]), reporting errors.
pub fn try_expand<F>(word: &str, escape: char, lookup: &F) -> Result<String, ExpandError>
where
    F: Fn(&str) -> Option<String> + ?Sized,
{
    process(word, LexOpts::new(escape), lookup).map(|(w, _)| w)
}

/// Shell-word processing returning the whole word and its whitespace-split words
/// (BuildKit's `ProcessWords`).
pub fn expand_words<F>(word: &str, escape: char, lookup: &F) -> Result<Vec<String>, ExpandError>
where
    F: Fn(&str) -> Option<String> + ?Sized,
{
    process(word, LexOpts::new(escape), lookup).map(|(_, w)| w)
}

pub(crate) fn process<F>(
    src: &str,
    opts: LexOpts,
    lookup: &F,
) -> Result<(String, Vec<String>), ExpandError>
where
    F: Fn(&str) -> Option<String> + ?Sized,
{
    let chars: Vec<char> = src.chars().collect();
    let mut lx = Lexer {
        chars: &chars,
        pos: 0,
        opts,
        lookup,
    };
    let (word, words) = lx.process_stop_on(None, opts.raw_escapes)?;
    Ok((word, words))
}

#[derive(Default)]
struct Words {
    words: Vec<String>,
    word: String,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }
    fn add_raw_char(&mut self, ch: char) {
        self.word.push(ch);
        self.in_word = true;
    }
    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }
    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }
    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(std::mem::take(&mut self.word));
        }
        self.words
    }
}

struct Lexer<'a, F: ?Sized> {
    chars: &'a [char],
    pos: usize,
    opts: LexOpts,
    lookup: &'a F,
}

impl<F> Lexer<'_, F>
where
    F: Fn(&str) -> Option<String> + ?Sized,
{
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '\'' => {
                    let t = self.single_quote()?;
                    result.push_str(&t);
                    words.add_raw_string(&t);
                }
                '"' => {
                    let t = self.double_quote()?;
                    result.push_str(&t);
                    words.add_raw_string(&t);
                }
                '$' => {
                    let t = self.dollar()?;
                    result.push_str(&t);
                    words.add_string(&t);
                }
                _ => {
                    self.next();
                    if ch == self.opts.escape {
                        if raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        match self.next() {
                            None => break,
                            Some(c) => {
                                words.add_raw_char(c);
                                result.push(c);
                            }
                        }
                    } else {
                        words.add_char(ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(s) = stop {
            return err(format!(
                "unexpected end of statement while looking for matching {s}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Result<String, ExpandError> {
        let mut out = String::new();
        let q = self.next();
        if self.opts.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.next() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching single-quote",
                    );
                }
                Some('\'') => {
                    if self.opts.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, ExpandError> {
        let mut out = String::new();
        let q = self.next();
        if self.opts.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.peek() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching double-quote",
                    );
                }
                Some('"') => {
                    self.next();
                    if self.opts.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    out.push_str(&v);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.opts.escape {
                        if self.opts.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.opts.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                while let Some(c) = self.peek().filter(|c| c.is_ascii_digit()) {
                    self.next();
                    name.push(c);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    fn dollar(&mut self) -> Result<String, ExpandError> {
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get(&name) {
                Some(v) => v,
                None if self.opts.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.next(); // '{'
        match self.peek() {
            None => return err("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return err("syntax error: bad substitution"),
            _ => {}
        }
        let name = self.name();
        let Some(mut ch) = self.next() else {
            return err("syntax error: missing '}'");
        };
        let mut chs = ch.to_string();
        let mut null_is_unset = false;
        match ch {
            '}' => Ok(match self.get(&name) {
                Some(v) => v,
                None if self.opts.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if ch == ':' {
                    null_is_unset = true;
                    match self.next() {
                        Some(c) => {
                            ch = c;
                            chs.push(c);
                        }
                        None => return err("syntax error: missing '}'"),
                    }
                }
                let raw = ch == '#' || ch == '%';
                if null_is_unset && raw {
                    return err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '}'");
                        }
                        return Err(e);
                    }
                };
                let value = self.get(&name);
                if value.is_none() && self.opts.skip_unset {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                let unset = match &value {
                    None => true,
                    Some(v) => null_is_unset && v.is_empty(),
                };
                match ch {
                    '-' => Ok(if unset {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if unset { String::new() } else { word }),
                    '?' => {
                        if value.is_none() {
                            let m = if word.is_empty() {
                                "is not allowed to be unset".to_string()
                            } else {
                                word
                            };
                            return err(format!("{name}: {m}"));
                        }
                        if unset {
                            let m = if word.is_empty() {
                                "is not allowed to be empty".to_string()
                            } else {
                                word
                            };
                            return err(format!("{name}: {m}"));
                        }
                        Ok(value.unwrap_or_default())
                    }
                    '#' | '%' => {
                        let value = value.unwrap_or_default();
                        let (greedy, pat) = match word.strip_prefix(ch) {
                            Some(rest) => (true, rest.to_string()),
                            None => (false, word),
                        };
                        let pat = compile_pattern(&pat)?;
                        if ch == '#' {
                            trim_prefix(&pat, &value, greedy)
                        } else {
                            trim_suffix(&pat, &value, greedy)
                        }
                    }
                    _ => err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '/' in ${}");
                        }
                        return Err(e);
                    }
                };
                let repl = match self.process_stop_on(Some('}'), true) {
                    Ok((w, _)) => w,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '}'");
                        }
                        return Err(e);
                    }
                };
                let value = self.get(&name).unwrap_or_default();
                let pat = compile_pattern(&pattern)?;
                replace(&pat, &value, &repl, all)
            }
            _ => err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pat {
    Star,
    Any,
    Lit(char),
}

/// BuildKit's `convertShellPatternToRegex`: `*`, `?`, and `\` escaping `*`, `?`, `\`
/// (an escape before `}` or `/` is dropped); everything else is literal.
fn compile_pattern(p: &str) -> Result<Vec<Pat>, ExpandError> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => out.push(Pat::Star),
            '?' => out.push(Pat::Any),
            '\\' => {
                if matches!(chars.get(i), Some('}' | '/')) {
                    continue;
                }
                match chars.get(i) {
                    Some(&n) if n == '*' || n == '?' || n == '\\' => {
                        out.push(Pat::Lit(n));
                        i += 1;
                    }
                    Some(&n) => {
                        return err(format!(
                            "invalid pattern ({p}) in substitution: invalid escape '\\{n}'"
                        ));
                    }
                    None => {
                        return err(format!(
                            "invalid pattern ({p}) in substitution: invalid escape '\\'"
                        ));
                    }
                }
            }
            _ => out.push(Pat::Lit(c)),
        }
    }
    Ok(out)
}

/// The regular expression BuildKit builds for a pattern (`*` is `.*`, or
/// `.*?` when not greedy; `?` is `.`).
fn pattern_regex(pat: &[Pat], greedy: bool, anchored: bool) -> Result<regex::Regex, ExpandError> {
    let mut re = String::with_capacity(pat.len() * 2 + 1);
    if anchored {
        re.push('^');
    }
    let mut buf = [0u8; 4];
    for p in pat {
        match p {
            Pat::Star => re.push_str(if greedy { ".*" } else { ".*?" }),
            Pat::Any => re.push('.'),
            Pat::Lit(c) => re.push_str(&regex::escape(c.encode_utf8(&mut buf))),
        }
    }
    regex::Regex::new(&re).map_err(|e| ExpandError {
        message: format!("invalid pattern in substitution: {e}"),
    })
}

fn trim_prefix(pat: &[Pat], value: &str, greedy: bool) -> Result<String, ExpandError> {
    let re = pattern_regex(pat, greedy, true)?;
    Ok(match re.find(value) {
        Some(m) => value[m.end()..].to_string(),
        None => value.to_string(),
    })
}

/// Like BuildKit: reverse the value and the pattern and trim a prefix.
fn trim_suffix(pat: &[Pat], value: &str, greedy: bool) -> Result<String, ExpandError> {
    let rpat: Vec<Pat> = pat.iter().rev().copied().collect();
    let rvalue: String = value.chars().rev().collect();
    Ok(trim_prefix(&rpat, &rvalue, greedy)?.chars().rev().collect())
}

/// `${VAR/pattern/replacement}` (first match) and `${VAR//pattern/replacement}`
/// (all matches). As in BuildKit (Go's `ReplaceAllString`), `$name` in the
/// replacement of the all-matches form names a (nonexistent) capture group.
fn replace(pat: &[Pat], value: &str, repl: &str, all: bool) -> Result<String, ExpandError> {
    let re = pattern_regex(pat, true, false)?;
    Ok(if all {
        re.replace_all(value, repl).into_owned()
    } else {
        re.replace(value, regex::NoExpand(repl)).into_owned()
    })
}
