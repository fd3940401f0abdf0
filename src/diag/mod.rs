//! Diagnostics for `matrix check`: the data model shared by every check, and
//! the renderers that turn a list of [`Diagnostic`]s into output.
//!
//! A check produces `Vec<Diagnostic>`; the command then picks a [`Format`]
//! (see [`Format::from_env_and_flag`]) and calls [`emit`], and exits with
//! [`exit_code`]. Each renderer is also usable on its own:
//!
//! | format | function | stream |
//! | --- | --- | --- |
//! | human (rustc-style) | [`render_human`] | stderr |
//! | JSON (`docs/check-json.md`) | [`render_json`] | stdout |
//! | GitHub Actions workflow commands | [`render_github`] | stdout (+ human on stderr) |
//!
//! ```
//! use bake_matrix::diag::{Diagnostic, Label, HumanOptions, Sources, render_human};
//!
//! let d = Diagnostic::error("dangling-context", "context directory does not exist")
//!     .with_primary(Label::new("docker-bake.hcl", 2, 13).with_end_column(24).with_text("not found"))
//!     .with_help("create the directory or fix the path");
//! let mut sources = Sources::in_memory();
//! sources.insert("docker-bake.hcl", "target \"app\" {\n  context = \"./missing\"\n}\n");
//! let text = render_human(&[d], &sources, &HumanOptions::plain());
//! assert!(text.starts_with("error[dangling-context]: context directory does not exist\n"));
//! ```

mod format;
mod github;
mod human;
mod json;
mod sources;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use format::{Format, ParseFormatError, emit};
pub use github::{escape_data, escape_property, render_github};
pub use human::{HumanOptions, render_human};
pub use json::{
    JSON_SCHEMA_VERSION, JsonDiagnostic, JsonLocation, JsonReport, JsonSummary, render_json,
};
pub use sources::Sources;

/// How serious a diagnostic is.
///
/// Ordered by seriousness: `Note < Warning < Error`, so
/// `d.severity >= deny` reads "at or above the deny level".
/// Parses from `"error"`, `"warning"` (or `"warn"`) and `"note"`, ignoring
/// ASCII case, for a `--deny LEVEL` flag. Serializes as those lowercase words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    /// All severities, most serious first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];

    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    fn rank(self) -> u8 {
        match self {
            Severity::Note => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        }
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error from parsing a [`Severity`]; names the rejected text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSeverityError(pub String);

impl fmt::Display for ParseSeverityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid severity `{}` (expected one of: error, warning, note)",
            self.0
        )
    }
}

impl std::error::Error for ParseSeverityError {}

impl FromStr for Severity {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "note" => Ok(Severity::Note),
            _ => Err(ParseSeverityError(s.to_string())),
        }
    }
}

/// A place in a file, optionally with text explaining it.
///
/// `line` and `column` are 1-based; `column` counts Unicode scalar values
/// (chars), not bytes or display cells. `end_column`, when set, is
/// *exclusive* (the column just past the last highlighted char, as in SARIF)
/// and on the same line; without it the label covers one char.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// The path as it should be shown to the user (and looked up in [`Sources`]).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_column: Option<usize>,
    pub text: Option<String>,
}

impl Label {
    /// A one-char label at `file:line:column`.
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Label {
            file: file.into(),
            line,
            column,
            end_column: None,
            text: None,
        }
    }

    /// Highlight up to (not including) `end_column`.
    pub fn with_end_column(mut self, end_column: usize) -> Self {
        self.end_column = Some(end_column);
        self
    }

    /// Text shown next to the underline.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// `file:line:column`, as shown after `-->`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One finding of `matrix check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable, kebab-case rule id such as `"dangling-context"`.
    pub rule: &'static str,
    pub severity: Severity,
    /// One-line summary; starts lowercase, no trailing period (rustc style).
    pub message: String,
    /// Where the problem is; `None` for findings about no particular place.
    pub primary: Option<Label>,
    /// Related places ("first defined here", ...).
    pub secondary: Vec<Label>,
    /// A suggestion for fixing it, shown as `= help: ...`.
    pub help: Option<String>,
    /// Further context, each shown as `= note: ...`.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn error(rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Error, message)
    }

    pub fn warning(rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warning, message)
    }

    pub fn note(rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Note, message)
    }

    pub fn with_primary(mut self, label: Label) -> Self {
        self.primary = Some(label);
        self
    }

    /// Shorthand for a primary label without text at `file:line:column`.
    pub fn at(self, file: impl Into<String>, line: usize, column: usize) -> Self {
        self.with_primary(Label::new(file, line, column))
    }

    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// Count of diagnostics per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Self {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing line of a human report, without a trailing newline:
/// `check: 2 errors, 1 warning`. Errors and warnings are always counted;
/// notes only when there are some (`check: 0 errors, 0 warnings, 3 notes`).
pub fn summary_line(diags: &[Diagnostic]) -> String {
    let c = Counts::of(diags);
    let mut s = format!(
        "check: {}, {}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning")
    );
    if c.notes > 0 {
        s.push_str(", ");
        s.push_str(&plural(c.notes, "note"));
    }
    s
}

/// The process exit code for `diags`: 1 if any diagnostic's severity is at or
/// above `deny` (so `--deny warning` fails on warnings and errors), else 0.
pub fn exit_code(diags: &[Diagnostic], deny: Severity) -> i32 {
    if diags.iter().any(|d| d.severity >= deny) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Note);
        assert_eq!("error".parse(), Ok(Severity::Error));
        assert_eq!("Warning".parse(), Ok(Severity::Warning));
        assert_eq!("warn".parse(), Ok(Severity::Warning));
        assert_eq!(" note ".parse(), Ok(Severity::Note));
        let err = "fatal".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid severity `fatal` (expected one of: error, warning, note)"
        );
        for s in Severity::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
    }

    #[test]
    fn exit_codes() {
        let e = Diagnostic::error("r", "e");
        let w = Diagnostic::warning("r", "w");
        let n = Diagnostic::note("r", "n");
        assert_eq!(exit_code(&[], Severity::Note), 0);
        assert_eq!(exit_code(&[w.clone(), n.clone()], Severity::Error), 0);
        assert_eq!(exit_code(std::slice::from_ref(&e), Severity::Error), 1);
        assert_eq!(exit_code(&[n.clone(), w.clone()], Severity::Warning), 1);
        assert_eq!(exit_code(std::slice::from_ref(&n), Severity::Warning), 0);
        assert_eq!(exit_code(&[n], Severity::Note), 1);
        assert_eq!(exit_code(&[e], Severity::Note), 1);
    }

    #[test]
    fn summary_lines() {
        let e = Diagnostic::error("r", "e");
        let w = Diagnostic::warning("r", "w");
        let n = Diagnostic::note("r", "n");
        assert_eq!(summary_line(&[]), "check: 0 errors, 0 warnings");
        assert_eq!(
            summary_line(&[e.clone(), e.clone(), w.clone()]),
            "check: 2 errors, 1 warning"
        );
        assert_eq!(
            summary_line(&[e, w.clone(), w, n]),
            "check: 1 error, 2 warnings, 1 note"
        );
    }

    #[test]
    fn builders() {
        let d = Diagnostic::warning("unused-variable", "variable `X` is never used")
            .at("docker-bake.hcl", 3, 10)
            .with_secondary(Label::new("b.hcl", 1, 1).with_text("also here"))
            .with_help("remove it")
            .with_note("n1")
            .with_note("n2");
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(
            d.primary.as_ref().unwrap().location(),
            "docker-bake.hcl:3:10"
        );
        assert_eq!(d.secondary[0].text.as_deref(), Some("also here"));
        assert_eq!(d.help.as_deref(), Some("remove it"));
        assert_eq!(d.notes, vec!["n1", "n2"]);
    }
}
