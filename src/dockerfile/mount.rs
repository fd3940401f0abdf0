//! `RUN --mount=...` option parsing, after BuildKit's `instructions/commands_runmount.go`.

use super::words::RawWord;

/// The `type=` of a mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
    /// A `type=` value containing a variable, to be expanded later.
    Unresolved(String),
}

impl MountKind {
    pub fn as_str(&self) -> &str {
        match self {
            MountKind::Bind => "bind",
            MountKind::Cache => "cache",
            MountKind::Tmpfs => "tmpfs",
            MountKind::Secret => "secret",
            MountKind::Ssh => "ssh",
            MountKind::Unresolved(s) => s,
        }
    }

    /// Parse a mount type (case-insensitive), as BuildKit does after expansion.
    pub fn parse(s: &str) -> Option<MountKind> {
        Some(match s.to_lowercase().as_str() {
            "bind" => MountKind::Bind,
            "cache" => MountKind::Cache,
            "tmpfs" => MountKind::Tmpfs,
            "secret" => MountKind::Secret,
            "ssh" => MountKind::Ssh,
            _ => return None,
        })
    }
}

/// One `key[=value]` field of a `--mount` flag, with source positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOption {
    /// Lower-cased key, as BuildKit compares it.
    pub key: String,
    pub value: Option<String>,
    /// Position of the key.
    pub line: usize,
    pub column: usize,
    /// Position of the value (just after `=`), if any.
    pub value_line: usize,
    pub value_column: usize,
}

/// A parsed `RUN --mount=...` flag. Values are raw (unexpanded): use
/// [`super::expand`] with the build's ARG values to resolve `${...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    /// `target=` / `dst=` / `destination=`.
    pub target: Option<String>,
    pub id: Option<String>,
    pub from: Option<String>,
    /// `source=` / `src=`.
    pub source: Option<String>,
    /// `sharing=` (`shared`, `private` or `locked`), cache mounts only.
    pub sharing: Option<String>,
    /// Effective read-only flag: explicit `ro`/`readonly`/`rw`/`readwrite`, else
    /// BuildKit's default (read-write for cache and tmpfs, read-only otherwise).
    pub readonly: bool,
    /// Options not modelled above (`mode`, `uid`, `gid`, `size`, `required`, `env`,
    /// unknown keys...), in order, keys lower-cased.
    pub other: Vec<(String, Option<String>)>,
    /// Every field, in order, with positions.
    pub options: Vec<MountOption>,
    /// The flag text after `--mount=`.
    pub raw: String,
    /// Position of the `--mount` flag.
    pub line: usize,
    pub column: usize,
}

impl Mount {
    /// The option with this (lower-case) key; for `target`, `source`, `readonly`
    /// and `readwrite` their aliases match too. The last occurrence wins.
    pub fn option(&self, key: &str) -> Option<&MountOption> {
        let canon = canonical_key(key);
        self.options
            .iter()
            .rev()
            .find(|o| canonical_key(&o.key) == canon)
    }
}

fn canonical_key(k: &str) -> &str {
    match k {
        "dst" | "destination" => "target",
        "src" => "source",
        "ro" => "readonly",
        "rw" => "readwrite",
        other => other,
    }
}

/// A mount error at the logical offset `off`.
pub(crate) struct MountError {
    pub off: usize,
    pub message: String,
}

fn merr<T>(off: usize, message: impl Into<String>) -> Result<T, MountError> {
    Err(MountError {
        off,
        message: message.into(),
    })
}

struct Field {
    text: String,
    offs: Vec<usize>,
    start: usize,
}

/// Go's `encoding/csv` reading one record (default settings).
fn read_csv(value: &RawWord, from: usize) -> Result<Vec<Field>, MountError> {
    let chars: Vec<char> = value.text.chars().skip(from).collect();
    let off = |i: usize| value.off_at(from + i);
    if chars.is_empty() {
        return merr(off(0), "failed to parse csv mounts: EOF");
    }
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let start = off(i);
        let mut f = Field {
            text: String::new(),
            offs: Vec::new(),
            start,
        };
        if chars.get(i) == Some(&'"') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return merr(
                            start,
                            "failed to parse csv mounts: extraneous or missing \" in quoted-field",
                        );
                    }
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        f.text.push('"');
                        f.offs.push(off(i));
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        f.text.push(c);
                        f.offs.push(off(i));
                        i += 1;
                    }
                }
            }
            match chars.get(i) {
                None => {
                    fields.push(f);
                    break;
                }
                Some(',') => {
                    i += 1;
                    fields.push(f);
                }
                Some(_) => {
                    return merr(
                        off(i),
                        "failed to parse csv mounts: extraneous or missing \" in quoted-field",
                    );
                }
            }
        } else {
            while let Some(&c) = chars.get(i) {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return merr(
                        off(i),
                        "failed to parse csv mounts: bare \" in non-quoted-field",
                    );
                }
                f.text.push(c);
                f.offs.push(off(i));
                i += 1;
            }
            fields.push(f);
            if chars.get(i) == Some(&',') {
                i += 1;
            } else {
                break;
            }
        }
    }
    Ok(fields)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn has_var(s: &str) -> bool {
    s.contains('$')
}

/// Parse the value of a `--mount` flag; `word` is the whole flag word
/// (`--mount=...`), `value_from` the char index where the value starts.
/// `pos` maps a logical offset to (line, column).
pub(crate) fn parse_mount(
    word: &RawWord,
    value_from: usize,
    pos: &dyn Fn(usize) -> (usize, usize),
) -> Result<Mount, MountError> {
    let fields = read_csv(word, value_from)?;
    let (line, column) = pos(word.start);
    let mut m = Mount {
        kind: MountKind::Bind,
        target: None,
        id: None,
        from: None,
        source: None,
        sharing: None,
        readonly: false,
        other: Vec::new(),
        options: Vec::new(),
        raw: word.text.chars().skip(value_from).collect(),
        line,
        column,
    };
    let mut ro: Option<bool> = None;
    let mut sharing_off = 0;
    for f in fields {
        let (key, value, voff) = match f.text.find('=') {
            Some(b) => {
                let ci = f.text[..b].chars().count();
                // Just after the `=` as written.
                let voff = f.offs.get(ci).map_or(f.start, |o| o + 1);
                (
                    f.text[..b].to_lowercase(),
                    Some(f.text[b + 1..].to_string()),
                    voff,
                )
            }
            None => (f.text.to_lowercase(), None, f.start),
        };
        let (l, c) = pos(f.start);
        let (vl, vc) = pos(voff);
        m.options.push(MountOption {
            key: key.clone(),
            value: value.clone(),
            line: l,
            column: c,
            value_line: vl,
            value_column: vc,
        });
        let Some(value) = value else {
            match key.as_str() {
                "readonly" | "ro" => ro = Some(true),
                "readwrite" | "rw" => ro = Some(false),
                "required" => m.other.push((key, None)),
                _ => {
                    return merr(
                        f.start,
                        format!("invalid field '{}' must be a key=value pair", f.text),
                    );
                }
            }
            continue;
        };
        match key.as_str() {
            "type" => {
                m.kind = match MountKind::parse(&value) {
                    Some(k) => k,
                    None if has_var(&value) => MountKind::Unresolved(value),
                    None => {
                        return merr(voff, format!("unsupported mount type {value:?}"));
                    }
                };
            }
            "from" => m.from = Some(value),
            "source" | "src" => m.source = Some(value),
            "target" | "dst" | "destination" => m.target = Some(value),
            "id" => m.id = Some(value),
            "sharing" => {
                let lower = value.to_lowercase();
                if !has_var(&value) && !matches!(lower.as_str(), "shared" | "private" | "locked") {
                    return merr(voff, format!("unsupported sharing value {value:?}"));
                }
                sharing_off = voff;
                m.sharing = Some(if has_var(&value) { value } else { lower });
            }
            "readonly" | "ro" | "readwrite" | "rw" => {
                if has_var(&value) {
                    m.other.push((key, Some(value)));
                    continue;
                }
                let Some(b) = parse_bool(&value) else {
                    return merr(voff, format!("invalid value for {key}: {value}"));
                };
                ro = Some(if matches!(key.as_str(), "readwrite" | "rw") {
                    !b
                } else {
                    b
                });
            }
            _ => m.other.push((key, Some(value))),
        }
    }
    if m.sharing.is_some() && !matches!(m.kind, MountKind::Cache | MountKind::Unresolved(_)) {
        return merr(
            sharing_off,
            format!("invalid cache sharing set for {} mount", m.kind.as_str()),
        );
    }
    m.readonly = ro.unwrap_or(!matches!(m.kind, MountKind::Cache | MountKind::Tmpfs));
    Ok(m)
}
