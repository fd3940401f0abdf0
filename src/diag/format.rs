//! Choosing an output format and writing a report.

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use super::{Diagnostic, HumanOptions, Sources, render_github, render_human, render_json};

/// Output format of `matrix check` (`--format human|json|github`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// rustc-style text on stderr.
    Human,
    /// The `docs/check-json.md` document on stdout.
    Json,
    /// Workflow-command annotations on stdout, *and* the human rendering on
    /// stderr. Annotations only carry a one-line location and a flat message
    /// (and GitHub caps how many it shows per step), while the step log is
    /// where people go to read why a job failed: it needs the snippet,
    /// carets and help. The runner consumes `::error ...` lines and hides
    /// them from the log, so the two streams do not duplicate each other
    /// there, and keeping annotations alone on stdout lets
    /// `matrix check --format github > annotations.txt` capture them cleanly.
    Github,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
        }
    }

    /// The format named by `flag` if given; otherwise `Github` when the
    /// environment has `GITHUB_ACTIONS=true` (set by every Actions runner),
    /// else `Human`.
    pub fn from_env_and_flag(flag: Option<&str>) -> Result<Format, ParseFormatError> {
        let env = std::env::var("GITHUB_ACTIONS").ok();
        Self::from_flag_and_github_env(flag, env.as_deref())
    }

    /// [`Format::from_env_and_flag`] with the value of `GITHUB_ACTIONS`
    /// passed in (for tests and callers that have their own environment).
    pub fn from_flag_and_github_env(
        flag: Option<&str>,
        github_actions: Option<&str>,
    ) -> Result<Format, ParseFormatError> {
        match flag {
            Some(f) => f.parse(),
            None if github_actions == Some("true") => Ok(Format::Github),
            None => Ok(Format::Human),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error from parsing a [`Format`]; names the rejected text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFormatError(pub String);

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid format `{}` (expected one of: human, json, github)",
            self.0
        )
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            _ => Err(ParseFormatError(s.to_string())),
        }
    }
}

/// Write the report for `diags` in `format`: `out` is stdout, `err` stderr
/// (see [`Format`] for which stream gets what). `human` controls the human
/// rendering (color, summary line) wherever it is written; pass
/// [`HumanOptions::for_stderr`] for the real streams.
///
/// ```no_run
/// use bake_matrix::diag::{Format, HumanOptions, Severity, Sources, emit, exit_code};
/// # let diags = vec![];
/// let format = Format::from_env_and_flag(None).unwrap();
/// emit(&diags, format, &Sources::new(), &HumanOptions::for_stderr(),
///      &mut std::io::stdout().lock(), &mut std::io::stderr().lock()).unwrap();
/// std::process::exit(exit_code(&diags, Severity::Error));
/// ```
pub fn emit(
    diags: &[Diagnostic],
    format: Format,
    sources: &Sources,
    human: &HumanOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => err.write_all(render_human(diags, sources, human).as_bytes())?,
        Format::Json => out.write_all(render_json(diags).as_bytes())?,
        Format::Github => {
            out.write_all(render_github(diags).as_bytes())?;
            out.flush()?;
            err.write_all(render_human(diags, sources, human).as_bytes())?;
        }
    }
    out.flush()?;
    err.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection() {
        let f = Format::from_flag_and_github_env;
        assert_eq!(f(None, None), Ok(Format::Human));
        assert_eq!(f(None, Some("true")), Ok(Format::Github));
        assert_eq!(f(None, Some("false")), Ok(Format::Human));
        assert_eq!(f(Some("json"), Some("true")), Ok(Format::Json));
        assert_eq!(f(Some("human"), Some("true")), Ok(Format::Human));
        assert_eq!(f(Some("GitHub"), None), Ok(Format::Github));
        assert_eq!(
            f(Some("xml"), None).unwrap_err().to_string(),
            "invalid format `xml` (expected one of: human, json, github)"
        );
        for fmt in [Format::Human, Format::Json, Format::Github] {
            assert_eq!(fmt.to_string().parse(), Ok(fmt));
        }
    }

    #[test]
    fn streams() {
        let diags = [Diagnostic::warning("w", "careful")];
        let run = |format| {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            emit(
                &diags,
                format,
                &Sources::in_memory(),
                &HumanOptions::plain(),
                &mut out,
                &mut err,
            )
            .unwrap();
            (
                String::from_utf8(out).unwrap(),
                String::from_utf8(err).unwrap(),
            )
        };
        let human = "warning[w]: careful\n\ncheck: 0 errors, 1 warning\n";
        assert_eq!(run(Format::Human), (String::new(), human.to_string()));
        let (out, err) = run(Format::Json);
        assert!(out.starts_with("{\n  \"version\": 1,"), "{out}");
        assert_eq!(err, "");
        assert_eq!(
            run(Format::Github),
            (
                "::warning title=w::careful\n".to_string(),
                human.to_string()
            )
        );
    }
}
