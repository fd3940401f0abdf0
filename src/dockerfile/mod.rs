//! Dockerfile reader for `matrix check`, modelled on BuildKit's Dockerfile
//! frontend (`frontend/dockerfile/parser`, `instructions` and `shell`).
//!
//! [`parse`] turns Dockerfile text into a [`Dockerfile`]: parser directives,
//! global ARGs and build stages with their ARGs, `COPY/ADD --from` references,
//! `RUN --mount` options and every instruction, each with 1-based line/column
//! positions (columns count characters). [`expand`] performs BuildKit's shell-word
//! expansion so ARG values can be substituted into FROM, mount ids, targets...
//!
//! Parsing never panics. It fails (with a position) only where BuildKit fails to
//! parse: a bad or repeated directive, an unterminated heredoc, a malformed FROM
//! or ARG, a JSON array of non-strings, an instruction before the first FROM, a
//! malformed `--mount`, a file without stages. Unknown instructions and flags are
//! kept and reported in [`Dockerfile::warnings`].

mod mount;
mod shell;
mod words;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use indexmap::IndexMap;
use regex::Regex;

pub use mount::{Mount, MountKind, MountOption};
pub use shell::{ExpandError, expand, expand_words, try_expand};

use words::RawWord;

/// A genuinely unparsable Dockerfile, with the 1-based position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Something BuildKit accepts in the parser but may warn about or reject later
/// (unknown instruction or flag, empty continuation line, duplicate stage name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A 1-based source position (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A parser directive (`# syntax=`, `# escape=`, `# check=`); name lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub line: usize,
    /// Column of the directive name.
    pub column: usize,
}

/// An instruction argument with the position of its first character (for JSON
/// form, of its opening quote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// A `--name[=value]` flag of an instruction (quotes and `\` escapes removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    /// Position of the leading `--`.
    pub line: usize,
    pub column: usize,
    /// Position of the value's first character (or just after the name).
    pub value_line: usize,
    pub value_column: usize,
}

/// A heredoc body attached to a RUN, COPY or ADD instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word with quotes removed.
    pub name: String,
    /// False when the delimiter was (partly) quoted: no expansion of the body.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body and the delimiter line.
    pub chomp: bool,
    /// File descriptor prefix (`3<<EOF`), 0 when absent.
    pub fd: u32,
    /// The body exactly as in the file (each line with its newline).
    pub content: String,
    /// First body line and the delimiter line (1-based).
    pub start_line: usize,
    pub end_line: usize,
}

impl Heredoc {
    /// The body as BuildKit uses it: with leading tabs removed when `chomp`.
    pub fn text(&self) -> String {
        if !self.chomp {
            return self.content.clone();
        }
        self.content
            .split_inclusive('\n')
            .map(|l| l.trim_start_matches('\t'))
            .collect()
    }
}

/// The instruction keyword (matched case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
    /// Not a Dockerfile instruction (kept, with a warning).
    Unknown,
}

impl InstructionKind {
    pub fn from_keyword(k: &str) -> InstructionKind {
        use InstructionKind::*;
        match k.to_ascii_lowercase().as_str() {
            "add" => Add,
            "arg" => Arg,
            "cmd" => Cmd,
            "copy" => Copy,
            "entrypoint" => Entrypoint,
            "env" => Env,
            "expose" => Expose,
            "from" => From,
            "healthcheck" => Healthcheck,
            "label" => Label,
            "maintainer" => Maintainer,
            "onbuild" => Onbuild,
            "run" => Run,
            "shell" => Shell,
            "stopsignal" => StopSignal,
            "user" => User,
            "volume" => Volume,
            "workdir" => Workdir,
            _ => Unknown,
        }
    }

    fn known_flags(self) -> &'static [&'static str] {
        use InstructionKind::*;
        match self {
            From => &["platform"],
            Run => &["mount", "network", "security", "device"],
            Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
            Add => &[
                "chown",
                "chmod",
                "link",
                "keep-git-dir",
                "checksum",
                "exclude",
                "unpack",
                "from",
            ],
            Healthcheck => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => &[],
        }
    }
}

/// One instruction (a logical line, continuations joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword as written.
    pub keyword: String,
    pub kind: InstructionKind,
    pub flags: Vec<Flag>,
    /// Arguments after the flags: the JSON strings in exec form; the whole rest
    /// as one word in shell form for RUN/CMD/ENTRYPOINT/SHELL and single-string
    /// instructions; whitespace-split words for FROM/COPY/ADD/VOLUME/EXPOSE;
    /// BuildKit's quote-aware words (quotes kept) for ARG/ENV/LABEL.
    pub args: Vec<Word>,
    /// Exec (JSON array) form.
    pub json: bool,
    pub heredocs: Vec<Heredoc>,
    /// The logical line (continuations joined, escape characters removed).
    pub original: String,
    pub line: usize,
    pub column: usize,
    /// Last source line of the instruction (including heredoc bodies).
    pub end_line: usize,
    /// The instruction triggered by ONBUILD.
    pub onbuild: Option<Box<Instruction>>,
    /// Parsed `--mount` flags (RUN only).
    pub mounts: Vec<Mount>,
}

impl Instruction {
    /// The last value of flag `name`.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }
}

/// An `ARG name[=default]` declaration. `default` is raw (quotes kept, not
/// expanded): pass it to [`expand`] to get BuildKit's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub default: Option<String>,
    pub line: usize,
    pub column: usize,
}

/// A reference to a stage or image by name or index (`COPY --from=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    /// Position of the value.
    pub line: usize,
    pub column: usize,
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The `AS name`, as written (compare case-insensitively).
    pub name: Option<String>,
    pub name_pos: Option<Pos>,
    /// The FROM image or stage reference, as written (unexpanded).
    pub base: String,
    pub base_pos: Pos,
    /// `--platform=` value, as written.
    pub platform: Option<String>,
    pub platform_pos: Option<Pos>,
    /// 0-based stage index.
    pub index: usize,
    /// Position of the FROM instruction.
    pub line: usize,
    pub column: usize,
    /// ARG declarations in this stage, in order.
    pub args: Vec<Arg>,
    /// `COPY --from=` / `ADD --from=` values, in order.
    pub copies_from: Vec<Ref>,
    /// `RUN --mount=` flags, in order.
    pub mounts: Vec<Mount>,
    /// The instructions after FROM.
    pub instructions: Vec<Instruction>,
}

impl Stage {
    /// Whether this stage is called `name` (case-insensitive, as BuildKit).
    pub fn is_named(&self, name: &str) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.to_lowercase() == name.to_lowercase())
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// ARGs before the first FROM: visible to FROM lines only, unless a stage
    /// redeclares them (`ARG NAME`).
    pub global_args: Vec<Arg>,
    pub stages: Vec<Stage>,
    pub warnings: Vec<Warning>,
}

/// Build arguments BuildKit defines without an ARG in global scope, or after a
/// bare `ARG NAME` in a stage (platform args), or always (proxy args), plus the
/// BuildKit control args.
pub const PREDEFINED_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETSTAGE",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SOURCE_DATE_EPOCH",
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_SYNTAX",
    "BUILDKIT_DOCKERFILE_CHECK",
];

/// Whether `name` is one of [`PREDEFINED_ARGS`].
pub fn is_predefined_arg(name: &str) -> bool {
    PREDEFINED_ARGS.contains(&name)
}

/// Parse Dockerfile text.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    Dockerfile::parse(src)
}

fn perr<T>(line: usize, column: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        column,
        message: message.into(),
    })
}

// ---------------------------------------------------------------------------
// Logical lines

struct Seg {
    off: usize,
    line: usize,
    col: usize,
}

/// A logical line: source lines joined, with a map back to source positions.
struct Logical {
    text: String,
    segs: Vec<Seg>,
}

impl Logical {
    fn push(&mut self, s: &str, line: usize, col: usize) {
        self.segs.push(Seg {
            off: self.text.len(),
            line,
            col,
        });
        self.text.push_str(s);
    }

    fn pos(&self, off: usize) -> (usize, usize) {
        let i = self.segs.partition_point(|s| s.off <= off).max(1) - 1;
        let Some(s) = self.segs.get(i) else {
            return (1, 1);
        };
        let end = off.min(self.text.len()).max(s.off);
        let n = self.text.get(s.off..end).map_or(0, |t| t.chars().count());
        (s.line, s.col + n)
    }
}

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$")
        .expect("directive regex")
});

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

/// Strip a trailing escape character (plus spaces/tabs after it).
fn trim_continuation(s: &str, escape: char) -> (&str, bool) {
    let t = s.trim_end_matches([' ', '\t']);
    match t.strip_suffix(escape) {
        Some(r) => (r, true),
        None => (s, false),
    }
}

struct Parser {
    escape: char,
    warnings: Vec<Warning>,
}

impl Dockerfile {
    /// Parse Dockerfile text.
    pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
        let lines: Vec<&str> = src.split_inclusive('\n').collect();
        let mut p = Parser {
            escape: '\\',
            warnings: Vec::new(),
        };
        let mut directives: Vec<Directive> = Vec::new();
        let mut directives_done = false;
        let mut instructions: Vec<Instruction> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let mut body = trim_newline(lines[i]);
            if i == 0 {
                body = body.strip_prefix('\u{feff}').unwrap_or(body);
            }
            let tok = body.trim_start();
            let lead = body.len() - tok.len();
            i += 1;
            let start_line = i;
            if !directives_done {
                match DIRECTIVE.captures(tok) {
                    Some(c) => {
                        let name = c[1].to_ascii_lowercase();
                        if matches!(name.as_str(), "syntax" | "escape" | "check") {
                            let col = 1 + body[..lead + c.get(1).map_or(0, |m| m.start())]
                                .chars()
                                .count();
                            if directives.iter().any(|d| d.name == name) {
                                return perr(
                                    start_line,
                                    col,
                                    format!("only one {name} parser directive can be used"),
                                );
                            }
                            let value = c[2].to_string();
                            if name == "escape" {
                                p.escape = match value.as_str() {
                                    "\\" => '\\',
                                    "`" => '`',
                                    _ => {
                                        return perr(
                                            start_line,
                                            col,
                                            format!(
                                                "invalid escape token '{value}' does not match ` or \\"
                                            ),
                                        );
                                    }
                                };
                            }
                            directives.push(Directive {
                                name,
                                value,
                                line: start_line,
                                column: col,
                            });
                        } else {
                            directives_done = true;
                        }
                    }
                    None => directives_done = true,
                }
            }
            if tok.starts_with('#') {
                continue;
            }
            let (first, mut more) = trim_continuation(tok, p.escape);
            if !more && first.is_empty() {
                continue;
            }
            let mut lg = Logical {
                text: String::new(),
                segs: Vec::new(),
            };
            lg.push(first, start_line, 1 + body[..lead].chars().count());
            let mut empty_cont = None;
            while more && i < lines.len() {
                let raw = trim_newline(lines[i]);
                i += 1;
                let t = raw.trim_start();
                if t.starts_with('#') {
                    continue;
                }
                if t.is_empty() {
                    empty_cont.get_or_insert(i);
                    continue;
                }
                let (c, m) = trim_continuation(raw, p.escape);
                lg.push(c, i, 1);
                more = m;
            }
            if let Some(l) = empty_cont {
                p.warnings.push(Warning {
                    line: l,
                    column: 1,
                    message: "empty continuation line".into(),
                });
            }
            let mut ins = p.instruction(&lg, 0, lg.text.len(), 0)?;
            ins.end_line = i;
            let target = match ins.kind {
                InstructionKind::Onbuild => ins.onbuild.as_deref(),
                _ => Some(&ins),
            };
            let can_heredoc = target.is_some_and(|t| {
                matches!(
                    t.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                ) && !t.json
            });
            if can_heredoc && lg.text.contains("<<") {
                for w in words::heredoc_words(&lg.text) {
                    let spec = match words::parse_heredoc(&w) {
                        Ok(Some(s)) => s,
                        Ok(None) => continue,
                        Err(m) => return perr(ins.line, ins.column, m),
                    };
                    let body_start = i + 1;
                    let mut content = String::new();
                    let mut terminated = false;
                    while i < lines.len() {
                        let raw = lines[i];
                        i += 1;
                        let mut cand = trim_newline(raw);
                        if spec.chomp {
                            cand = cand.trim_start_matches('\t');
                        }
                        if cand == spec.name {
                            terminated = true;
                            break;
                        }
                        content.push_str(raw);
                    }
                    if !terminated {
                        return perr(
                            ins.line,
                            ins.column,
                            format!("unterminated heredoc {:?}", spec.name),
                        );
                    }
                    ins.heredocs.push(Heredoc {
                        name: spec.name,
                        expand: spec.expand,
                        chomp: spec.chomp,
                        fd: spec.fd,
                        content,
                        start_line: body_start,
                        end_line: i,
                    });
                }
                ins.end_line = i;
            }
            instructions.push(ins);
        }
        if instructions.is_empty() {
            return perr(lines.len().max(1), 1, "file with no instructions");
        }
        p.build(directives, instructions, &lines)
    }
}

impl Parser {
    fn warn(&mut self, line: usize, column: usize, message: String) {
        self.warnings.push(Warning {
            line,
            column,
            message,
        });
    }

    fn words(lg: &Logical, raw: Vec<RawWord>) -> Vec<Word> {
        raw.into_iter()
            .map(|w| {
                let (line, column) = lg.pos(w.start);
                Word {
                    text: w.text,
                    line,
                    column,
                }
            })
            .collect()
    }

    /// Parse `lg.text[start..end]` as one instruction.
    fn instruction(
        &mut self,
        lg: &Logical,
        start: usize,
        end: usize,
        depth: u32,
    ) -> Result<Instruction, ParseError> {
        let text = &lg.text[start..end];
        let t0 = text.trim_start();
        let s = start + (text.len() - t0.len());
        let t = t0.trim_end();
        let (line, column) = lg.pos(s);
        let cmd_len = t.find(words::is_ascii_ws).unwrap_or(t.len());
        let keyword = &t[..cmd_len];
        let after_rel = t[cmd_len..]
            .find(|c: char| !words::is_ascii_ws(c))
            .map_or(t.len(), |k| cmd_len + k);
        let after = &t[after_rel..];
        let after_off = s + after_rel;
        let (raw_flags, rest_rel) = words::extract_builder_flags(after, after_off);
        let rest0 = &after[rest_rel..];
        let rest_t = rest0.trim_start();
        let rest_off = after_off + rest_rel + (rest0.len() - rest_t.len());
        let rest = rest_t.trim_end();
        let kind = InstructionKind::from_keyword(keyword);

        let mut flags = Vec::with_capacity(raw_flags.len());
        let mut mount_words = Vec::new();
        for w in &raw_flags {
            let body = w.text.strip_prefix("--").unwrap_or(&w.text);
            let (name, value, vidx) = match body.find('=') {
                Some(b) => {
                    let ci = body[..b].chars().count() + 2;
                    (
                        body[..b].to_string(),
                        Some(body[b + 1..].to_string()),
                        ci + 1,
                    )
                }
                None => (body.to_string(), None, w.text.chars().count()),
            };
            let (fl, fc) = lg.pos(w.start);
            // The value starts just after `=` as written (before any quote).
            let voff = match vidx.checked_sub(1).and_then(|i| w.offs.get(i)) {
                Some(eq) if value.is_some() => eq + 1,
                _ => w.off_at(vidx),
            };
            let (vl, vc) = lg.pos(voff);
            if kind != InstructionKind::Unknown && !kind.known_flags().contains(&name.as_str()) {
                self.warn(fl, fc, format!("unknown flag: {name}"));
            }
            if matches!(name.as_str(), "mount" | "from" | "platform")
                && kind.known_flags().contains(&name.as_str())
                && value.is_none()
            {
                return perr(fl, fc, format!("missing a value on flag: {name}"));
            }
            if name == "mount" && kind == InstructionKind::Run {
                mount_words.push((w.clone(), vidx));
            }
            flags.push(Flag {
                name,
                value,
                line: fl,
                column: fc,
                value_line: vl,
                value_column: vc,
            });
        }
        let mut mounts = Vec::with_capacity(mount_words.len());
        for (w, vidx) in &mount_words {
            match mount::parse_mount(w, *vidx, &|o| lg.pos(o)) {
                Ok(m) => mounts.push(m),
                Err(e) => {
                    let (l, c) = lg.pos(e.off);
                    return perr(l, c, e.message);
                }
            }
        }

        use InstructionKind::*;
        let mut json = false;
        let mut onbuild = None;
        let args: Vec<Word> = match kind {
            Run | Cmd | Entrypoint | Shell | Add | Copy | Volume => {
                match words::parse_json(rest, rest_off) {
                    words::Json::Strings(ws) => {
                        json = true;
                        Self::words(lg, ws)
                    }
                    words::Json::NotStrings => {
                        let (l, c) = lg.pos(rest_off);
                        return perr(
                            l,
                            c,
                            "when using JSON array syntax, arrays must be comprised of strings only",
                        );
                    }
                    words::Json::No => {
                        if matches!(kind, Add | Copy | Volume) {
                            Self::words(lg, words::split_ws(rest, rest_off))
                        } else if rest.is_empty() {
                            Vec::new()
                        } else {
                            Self::words(
                                lg,
                                vec![RawWord {
                                    text: rest.to_string(),
                                    start: rest_off,
                                    offs: Vec::new(),
                                }],
                            )
                        }
                    }
                }
            }
            Arg | Env | Label => Self::words(lg, words::parse_words(rest, rest_off, self.escape)),
            From | Expose => Self::words(lg, words::split_ws(rest, rest_off)),
            Healthcheck => {
                let k = rest.find(words::is_ascii_ws).unwrap_or(rest.len());
                let mut out = Vec::new();
                if k > 0 {
                    out.push(RawWord {
                        text: rest[..k].to_string(),
                        start: rest_off,
                        offs: Vec::new(),
                    });
                }
                let r0 = &rest[k..];
                let r = r0.trim_start();
                let roff = rest_off + k + (r0.len() - r.len());
                match words::parse_json(r, roff) {
                    words::Json::Strings(ws) => {
                        json = true;
                        out.extend(ws);
                    }
                    _ if !r.is_empty() => out.push(RawWord {
                        text: r.to_string(),
                        start: roff,
                        offs: Vec::new(),
                    }),
                    _ => {}
                }
                Self::words(lg, out)
            }
            Onbuild => {
                if depth > 0 {
                    return perr(
                        line,
                        column,
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    );
                }
                if !rest.is_empty() {
                    let sub = self.instruction(lg, rest_off, rest_off + rest.len(), depth + 1)?;
                    if matches!(sub.kind, From | Maintainer) {
                        return perr(
                            sub.line,
                            sub.column,
                            format!("{} isn't allowed as an ONBUILD trigger", sub.keyword),
                        );
                    }
                    onbuild = Some(Box::new(sub));
                }
                Vec::new()
            }
            Maintainer | StopSignal | User | Workdir | Unknown => {
                if rest.is_empty() {
                    Vec::new()
                } else {
                    Self::words(
                        lg,
                        vec![RawWord {
                            text: rest.to_string(),
                            start: rest_off,
                            offs: Vec::new(),
                        }],
                    )
                }
            }
        };
        Ok(Instruction {
            keyword: keyword.to_string(),
            kind,
            flags,
            args,
            json,
            heredocs: Vec::new(),
            original: t.to_string(),
            line,
            column,
            end_line: line,
            onbuild,
            mounts,
        })
    }

    /// Split instructions into global ARGs and stages.
    fn build(
        mut self,
        directives: Vec<Directive>,
        instructions: Vec<Instruction>,
        lines: &[&str],
    ) -> Result<Dockerfile, ParseError> {
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for ins in instructions {
            match ins.kind {
                InstructionKind::From => {
                    let stage = self.stage(&ins, stages.len())?;
                    if let (Some(n), Some(p)) = (&stage.name, stage.name_pos)
                        && stages.iter().any(|s| s.is_named(n))
                    {
                        self.warn(p.line, p.column, format!("duplicate stage name {n:?}"));
                    }
                    stages.push(stage);
                }
                InstructionKind::Unknown => {
                    self.warn(
                        ins.line,
                        ins.column,
                        format!("unknown instruction: {}", ins.keyword),
                    );
                    if let Some(st) = stages.last_mut() {
                        st.instructions.push(ins);
                    }
                }
                InstructionKind::Arg if stages.is_empty() => {
                    global_args.extend(Self::args(&ins)?);
                }
                _ => {
                    let Some(st) = stages.last_mut() else {
                        return perr(ins.line, ins.column, "no build stage in current context");
                    };
                    match ins.kind {
                        InstructionKind::Arg => st.args.extend(Self::args(&ins)?),
                        InstructionKind::Copy | InstructionKind::Add => {
                            for f in ins.flags.iter().filter(|f| f.name == "from") {
                                if let Some(v) = &f.value {
                                    st.copies_from.push(Ref {
                                        name: v.clone(),
                                        line: f.value_line,
                                        column: f.value_column,
                                    });
                                }
                            }
                        }
                        InstructionKind::Run => st.mounts.extend(ins.mounts.iter().cloned()),
                        _ => {}
                    }
                    st.instructions.push(ins);
                }
            }
        }
        if stages.is_empty() {
            return perr(
                lines.len().max(1),
                1,
                "dockerfile contains no stages to build",
            );
        }
        Ok(Dockerfile {
            directives,
            escape: self.escape,
            global_args,
            stages,
            warnings: self.warnings,
        })
    }

    fn stage(&mut self, ins: &Instruction, index: usize) -> Result<Stage, ParseError> {
        let a = &ins.args;
        let name_word = match a.len() {
            1 => None,
            3 if a[1].text.eq_ignore_ascii_case("as") => Some(&a[2]),
            _ => {
                return perr(
                    ins.line,
                    ins.column,
                    "FROM requires either one or three arguments",
                );
            }
        };
        if let Some(n) = name_word {
            let lower = n.text.to_lowercase();
            let mut cs = lower.chars();
            let ok = cs.next().is_some_and(|c| c.is_ascii_lowercase())
                && cs.all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                });
            if !ok {
                return perr(
                    n.line,
                    n.column,
                    format!(
                        "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                        n.text
                    ),
                );
            }
        }
        let platform = ins.flag("platform");
        Ok(Stage {
            name: name_word.map(|w| w.text.clone()),
            name_pos: name_word.map(|w| Pos {
                line: w.line,
                column: w.column,
            }),
            base: a[0].text.clone(),
            base_pos: Pos {
                line: a[0].line,
                column: a[0].column,
            },
            platform: platform.and_then(|f| f.value.clone()),
            platform_pos: platform.map(|f| Pos {
                line: f.value_line,
                column: f.value_column,
            }),
            index,
            line: ins.line,
            column: ins.column,
            args: Vec::new(),
            copies_from: Vec::new(),
            mounts: Vec::new(),
            instructions: Vec::new(),
        })
    }

    fn args(ins: &Instruction) -> Result<Vec<Arg>, ParseError> {
        if ins.args.is_empty() {
            return perr(ins.line, ins.column, "ARG requires at least one argument");
        }
        ins.args
            .iter()
            .map(|w| {
                let (name, default) = match w.text.split_once('=') {
                    Some((n, d)) => (n.to_string(), Some(d.to_string())),
                    None => (w.text.clone(), None),
                };
                if name.is_empty() {
                    return perr(w.line, w.column, "ARG names can not be blank");
                }
                Ok(Arg {
                    name,
                    default,
                    line: w.line,
                    column: w.column,
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Queries

/// An ARG declaration with where it was declared (`stage: None` = global).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredArg<'a> {
    pub arg: &'a Arg,
    pub stage: Option<usize>,
}

impl Dockerfile {
    /// The `# syntax=` / `# escape=` / `# check=` directive value.
    pub fn directive(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }

    /// Index of the first stage called `name` (case-insensitive, as BuildKit).
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.is_named(name))
    }

    /// The first stage called `name` (case-insensitive, as BuildKit).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stage_index(name).map(|i| &self.stages[i])
    }

    /// The stage a build with bake `target = ...` builds: the named stage, or the
    /// last stage when no target is given.
    pub fn target_stage(&self, target: Option<&str>) -> Option<usize> {
        match target {
            Some(t) => self.stage_index(t),
            None => self.stages.len().checked_sub(1),
        }
    }

    /// The stage `r` (a `COPY --from` / `--mount from=` value) refers to from
    /// stage `from`: a stage name (any other stage) or the index of an earlier
    /// stage. `None` means an image (or build context).
    pub fn resolve_ref(&self, r: &str, from: usize) -> Option<usize> {
        if let Ok(n) = r.parse::<i64>() {
            return usize::try_from(n).ok().filter(|&n| n < from);
        }
        self.stage_index(r).filter(|&i| i != from)
    }

    /// The stage a FROM `base` of stage `from` refers to: an earlier stage name.
    pub fn resolve_base(&self, base: &str, from: usize) -> Option<usize> {
        self.stages[..from.min(self.stages.len())]
            .iter()
            .position(|s| s.is_named(base))
    }

    /// Direct stage dependencies of stage `index` (FROM, `COPY/ADD --from`,
    /// `RUN --mount from=`), with references expanded through `lookup` first.
    pub fn direct_dependencies_with<F>(&self, index: usize, lookup: &F) -> Vec<usize>
    where
        F: Fn(&str) -> Option<String> + ?Sized,
    {
        let mut out = BTreeSet::new();
        let Some(st) = self.stages.get(index) else {
            return Vec::new();
        };
        let ex = |s: &str| try_expand(s, self.escape, lookup).unwrap_or_else(|_| s.to_string());
        if let Some(i) = self.resolve_base(&ex(&st.base), index) {
            out.insert(i);
        }
        let refs = st
            .copies_from
            .iter()
            .map(|r| r.name.as_str())
            .chain(st.mounts.iter().filter_map(|m| m.from.as_deref()));
        for r in refs {
            if let Some(i) = self.resolve_ref(&ex(r), index) {
                out.insert(i);
            }
        }
        out.into_iter().collect()
    }

    /// Direct stage dependencies of stage `index`, references taken as written.
    pub fn direct_dependencies(&self, index: usize) -> Vec<usize> {
        self.direct_dependencies_with(index, &|_: &str| None::<String>)
            .into_iter()
            .collect()
    }

    /// All stages `target` depends on, transitively (excluding `target`
    /// itself), in index order; references expanded through `lookup`.
    pub fn dependencies_with<F>(&self, target: usize, lookup: &F) -> Vec<usize>
    where
        F: Fn(&str) -> Option<String> + ?Sized,
    {
        let mut seen = BTreeSet::new();
        let mut todo = vec![target];
        while let Some(s) = todo.pop() {
            for d in self.direct_dependencies_with(s, lookup) {
                if d != target && seen.insert(d) {
                    todo.push(d);
                }
            }
        }
        seen.into_iter().collect()
    }

    /// All stages `target` depends on, transitively, references taken as written
    /// (an unexpanded `${VAR}` reference resolves to no stage).
    pub fn dependencies(&self, target: usize) -> Vec<usize> {
        self.dependencies_with(target, &|_: &str| None::<String>)
    }

    /// `target` and all its dependencies, in index order.
    pub fn closure(&self, target: usize) -> Vec<usize> {
        let mut v = self.dependencies(target);
        if target < self.stages.len() {
            v.push(target);
            v.sort_unstable();
        }
        v
    }

    /// The ARGs a build of `stages` can consume: all global ARGs (they feed FROM
    /// lines) followed by the ARGs of each listed stage.
    pub fn declared_args(&self, stages: &[usize]) -> Vec<DeclaredArg<'_>> {
        let mut out: Vec<DeclaredArg<'_>> = self
            .global_args
            .iter()
            .map(|arg| DeclaredArg { arg, stage: None })
            .collect();
        let set: BTreeSet<usize> = stages.iter().copied().collect();
        for i in set {
            if let Some(st) = self.stages.get(i) {
                out.extend(st.args.iter().map(|arg| DeclaredArg {
                    arg,
                    stage: Some(i),
                }));
            }
        }
        out
    }

    /// Names from [`Dockerfile::declared_args`].
    pub fn declared_arg_names(&self, stages: &[usize]) -> BTreeSet<String> {
        self.declared_args(stages)
            .into_iter()
            .map(|d| d.arg.name.clone())
            .collect()
    }

    /// Values of the global ARGs for a build with `build_args`: a build arg wins,
    /// else the default expanded with the global ARGs before it (and
    /// `build_args` for predefined names such as `BUILDPLATFORM`). ARGs with
    /// neither are absent.
    pub fn global_arg_values<F>(&self, build_args: &F) -> IndexMap<String, String>
    where
        F: Fn(&str) -> Option<String> + ?Sized,
    {
        let mut env: IndexMap<String, String> = IndexMap::new();
        for a in &self.global_args {
            let v = match build_args(&a.name) {
                Some(v) => Some(v),
                None => a.default.as_ref().map(|d| {
                    let look = |n: &str| {
                        env.get(n).cloned().or_else(|| {
                            if is_predefined_arg(n) {
                                build_args(n)
                            } else {
                                None
                            }
                        })
                    };
                    try_expand(d, self.escape, &look).unwrap_or_else(|_| d.clone())
                }),
            };
            match v {
                Some(v) => {
                    env.insert(a.name.clone(), v);
                }
                None => {
                    env.shift_remove(&a.name);
                }
            }
        }
        env
    }

    /// The FROM base of stage `index` with global ARG values substituted.
    pub fn resolved_base<F>(&self, index: usize, build_args: &F) -> Option<String>
    where
        F: Fn(&str) -> Option<String> + ?Sized,
    {
        let st = self.stages.get(index)?;
        let env = self.global_arg_values(build_args);
        let look = |n: &str| {
            env.get(n)
                .cloned()
                .or_else(|| is_predefined_arg(n).then(|| build_args(n)).flatten())
        };
        Some(try_expand(&st.base, self.escape, &look).unwrap_or_else(|_| st.base.clone()))
    }

    /// Values of the ARGs of stage `index` declared before source line `before`
    /// (all of them when `None`): a build arg wins, else the ARG's default
    /// expanded with the stage ARGs before it, else (bare `ARG NAME`) the global
    /// ARG's value. ENV instructions are not taken into account.
    pub fn stage_arg_values<F>(
        &self,
        index: usize,
        before: Option<usize>,
        build_args: &F,
    ) -> IndexMap<String, String>
    where
        F: Fn(&str) -> Option<String> + ?Sized,
    {
        let mut env: IndexMap<String, String> = IndexMap::new();
        let Some(st) = self.stages.get(index) else {
            return env;
        };
        let global = self.global_arg_values(build_args);
        for a in st.args.iter().filter(|a| before.is_none_or(|b| a.line < b)) {
            let v = match build_args(&a.name) {
                Some(v) => Some(v),
                None => match &a.default {
                    Some(d) => {
                        let look = |n: &str| env.get(n).cloned();
                        Some(try_expand(d, self.escape, &look).unwrap_or_else(|_| d.clone()))
                    }
                    None => global.get(&a.name).cloned(),
                },
            };
            match v {
                Some(v) => {
                    env.insert(a.name.clone(), v);
                }
                None => {
                    env.shift_remove(&a.name);
                }
            }
        }
        env
    }
}
