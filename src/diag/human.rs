//! Human-readable, rustc-style rendering.
//!
//! Built on `annotate-snippets` 0.12 (0.12.17, the current release): it is
//! the rust-lang-maintained crate behind rustc's annotate-snippet emitter
//! and cargo's lint diagnostics, so our output looks exactly
//! like the errors users already know (`error[rule]: ...`, ` --> f:l:c`,
//! gutters, carets, `= help:`), including folding, tab expansion, wide-char
//! alignment and ANSI styling, without us maintaining a layout engine.

use std::borrow::Cow;
use std::io::IsTerminal;

use annotate_snippets::{
    Annotation, AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet,
};

use super::sources::line_range;
use super::{Diagnostic, Label, Severity, Sources, summary_line};

/// Options for [`render_human`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanOptions {
    /// Emit ANSI colors.
    pub color: bool,
    /// End with the [`summary_line`].
    pub summary: bool,
}

impl HumanOptions {
    /// No color, with summary (what tests and pipes want).
    pub fn plain() -> Self {
        HumanOptions {
            color: false,
            summary: true,
        }
    }

    /// Color when stderr (where human output goes) is a terminal and
    /// `NO_COLOR` is unset or empty (<https://no-color.org>); with summary.
    pub fn for_stderr() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        HumanOptions {
            color: std::io::stderr().is_terminal() && !no_color,
            summary: true,
        }
    }

    pub fn with_color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    pub fn with_summary(mut self, summary: bool) -> Self {
        self.summary = summary;
        self
    }
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions::plain()
    }
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// Byte span in `text` for `label`, or `None` if its line is not in `text`.
/// Columns past the end of the line clamp to the end of the line.
fn span(text: &str, label: &Label) -> Option<std::ops::Range<usize>> {
    let (start, end) = line_range(text, label.line)?;
    let line = &text[start..end];
    let byte_at = |col: usize| {
        line.char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
    };
    let lo = byte_at(label.column);
    let hi = match label.end_column {
        Some(e) if e > label.column => byte_at(e),
        _ => line[lo..].chars().next().map_or(lo, |c| lo + c.len_utf8()),
    };
    Some(start + lo..start + hi)
}

/// Render `diags` in the rustc style, each followed by a blank line, then
/// (if `opts.summary`) the summary line. Ends with a newline.
///
/// Labels whose file has no source in `sources`, or whose line is past the
/// end of the file, are shown as a bare location (` --> f:l:c`, or
/// ` ::: f:l:c` for secondary labels) followed by their text as a
/// `= note:`.
pub fn render_human(diags: &[Diagnostic], sources: &Sources, opts: &HumanOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&render_one(d, sources, &renderer));
        out.push_str("\n\n");
    }
    if opts.summary {
        out.push_str(&summary_line(diags));
        out.push('\n');
    }
    out
}

fn render_one(d: &Diagnostic, sources: &Sources, renderer: &Renderer) -> String {
    // Labels grouped by file, primary file first, in order of appearance.
    let mut files: Vec<(&str, Vec<(&Label, bool)>)> = Vec::new();
    let labels = d
        .primary
        .iter()
        .map(|l| (l, true))
        .chain(d.secondary.iter().map(|l| (l, false)));
    for (label, primary) in labels {
        match files.iter_mut().find(|(f, _)| *f == label.file) {
            Some((_, v)) => v.push((label, primary)),
            None => files.push((&label.file, vec![(label, primary)])),
        }
    }

    let texts: Vec<Option<std::rc::Rc<str>>> = files.iter().map(|(f, _)| sources.get(f)).collect();
    let mut elements: Vec<Element<'_>> = Vec::new();
    for ((file, labels), text) in files.iter().zip(&texts) {
        let mut annotations: Vec<Annotation<'_>> = Vec::new();
        let mut origins: Vec<Element<'_>> = Vec::new();
        for (label, primary) in labels {
            match text.as_deref().and_then(|t| span(t, label)) {
                Some(range) => {
                    let kind = if *primary {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    annotations.push(kind.span(range).label(label.text.as_deref()));
                }
                None => {
                    origins.push(
                        Origin::path(file.to_string())
                            .line(label.line)
                            .char_column(label.column.max(1))
                            .into(),
                    );
                    if let Some(t) = &label.text {
                        origins.push(Level::NOTE.message(t.as_str()).into());
                    }
                }
            }
        }
        if let (false, Some(text)) = (annotations.is_empty(), text) {
            elements.push(
                Snippet::source(Cow::Borrowed(&**text))
                    .path(file.to_string())
                    .annotations(annotations)
                    .into(),
            );
        }
        elements.extend(origins);
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(help.as_str()).into());
    }
    for note in &d.notes {
        elements.push(Level::NOTE.message(note.as_str()).into());
    }

    let title = level(d.severity)
        .primary_title(d.message.as_str())
        .id(d.rule);
    let group = Group::with_title(title).elements(elements);
    renderer.render(&[group])
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAKE: &str =
        "target \"app\" {\n  context = \"./missing\"\n  dockerfile = \"Dockerfile\"\n}\n";

    fn sources() -> Sources {
        let mut s = Sources::in_memory();
        s.insert("docker-bake.hcl", BAKE);
        s
    }

    #[test]
    fn error_with_label_and_help() {
        let d = Diagnostic::error("dangling-context", "context directory does not exist")
            .with_primary(
                Label::new("docker-bake.hcl", 2, 13)
                    .with_end_column(24)
                    .with_text("no such directory"),
            )
            .with_help("create the directory or fix the path");
        let got = render_human(&[d], &sources(), &HumanOptions::plain());
        let want = "\
error[dangling-context]: context directory does not exist
 --> docker-bake.hcl:2:13
  |
2 |   context = \"./missing\"
  |             ^^^^^^^^^^^ no such directory
  |
  = help: create the directory or fix the path

check: 1 error, 0 warnings
";
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn warning_without_location() {
        let d = Diagnostic::warning("no-targets", "the bake file defines no targets")
            .with_note("`matrix check` found nothing to build");
        let got = render_human(&[d], &sources(), &HumanOptions::plain());
        let want = "\
warning[no-targets]: the bake file defines no targets
 |
 = note: `matrix check` found nothing to build

check: 0 errors, 1 warning
";
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn missing_line_and_missing_file_omit_snippet() {
        let past_end = Diagnostic::error("bad-ref", "reference to unknown target")
            .with_primary(Label::new("docker-bake.hcl", 40, 3).with_text("`web` is not defined"));
        let no_file = Diagnostic::note("dockerfile-syntax", "unknown instruction")
            .with_primary(Label::new("does/not/Exist.Dockerfile", 1, 1));
        let got = render_human(&[past_end, no_file], &sources(), &HumanOptions::plain());
        let want = "\
error[bad-ref]: reference to unknown target
--> docker-bake.hcl:40:3
 = note: `web` is not defined

note[dockerfile-syntax]: unknown instruction
--> does/not/Exist.Dockerfile:1:1

check: 1 error, 0 warnings, 1 note
";
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn secondary_labels_and_unicode_columns() {
        let mut s = sources();
        s.insert("other.hcl", "x = \"é✓\" # 1\n");
        let d = Diagnostic::error("duplicate-target", "target `app` is defined twice")
            .with_primary(
                Label::new("docker-bake.hcl", 1, 8)
                    .with_end_column(13)
                    .with_text("second definition"),
            )
            .with_secondary(
                Label::new("other.hcl", 1, 6)
                    .with_end_column(8)
                    .with_text("first definition"),
            )
            .with_secondary(Label::new("gone.hcl", 9, 2).with_text("and here"));
        let got = render_human(&[d], &s, &HumanOptions::plain().with_summary(false));
        let want = "\
error[duplicate-target]: target `app` is defined twice
 --> docker-bake.hcl:1:8
  |
1 | target \"app\" {
  |        ^^^^^ second definition
  |
 ::: other.hcl:1:6
  |
1 | x = \"é✓\" # 1
  |      -- first definition
 ::: gone.hcl:9:2
  = note: and here

";
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn column_past_end_of_line_clamps() {
        let d = Diagnostic::error("r", "m").with_primary(Label::new("docker-bake.hcl", 4, 99));
        let got = render_human(&[d], &sources(), &HumanOptions::plain().with_summary(false));
        assert!(got.contains("4 | }\n  |  ^\n"), "\n{got}");
    }

    #[test]
    fn odd_labels_never_panic() {
        let mut s = sources();
        s.insert("empty", "");
        s.insert("tabs", "\tARG\tX=é\r\nFROM x\r\n");
        let labels = [
            ("docker-bake.hcl", 0, 0, None),
            ("docker-bake.hcl", 1, 0, Some(0)),
            ("docker-bake.hcl", 1, 5, Some(2)),
            ("docker-bake.hcl", 2, 3, Some(10_000)),
            ("docker-bake.hcl", 5, 1, None),
            ("docker-bake.hcl", usize::MAX, usize::MAX, Some(usize::MAX)),
            ("empty", 1, 1, None),
            ("tabs", 1, 2, Some(5)),
            ("tabs", 1, 8, Some(9)),
            ("tabs", 2, 1, None),
        ];
        for (file, line, col, end) in labels {
            let mut l = Label::new(file, line, col).with_text("t\nwith newline");
            l.end_column = end;
            let d = Diagnostic::error("r", "m")
                .with_primary(l.clone())
                .with_secondary(l);
            let out = render_human(&[d], &s, &HumanOptions::plain());
            assert!(out.starts_with("error[r]: m\n"), "{out}");
        }
        let d =
            Diagnostic::error("r", "m").with_primary(Label::new("tabs", 1, 2).with_end_column(5));
        let out = render_human(&[d], &s, &HumanOptions::plain().with_summary(false));
        assert!(out.contains("1 |     ARG    X=é\n  |     ^^^\n"), "\n{out}");
    }

    #[test]
    fn color_emits_ansi() {
        let d = Diagnostic::error("r", "m");
        let got = render_human(&[d], &sources(), &HumanOptions::plain().with_color(true));
        assert!(got.contains("\u{1b}["), "{got:?}");
    }
}
