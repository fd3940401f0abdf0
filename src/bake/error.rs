//! Errors of the bake language, located in the source when possible.

use super::source::{SourceMap, Span};
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct BakeError {
    pub message: String,
    pub span: Option<Span>,
    /// What the user can do about it.
    pub help: Option<String>,
}

pub type Result<T, E = BakeError> = std::result::Result<T, E>;

impl BakeError {
    pub fn new(message: impl Into<String>) -> BakeError {
        BakeError {
            message: message.into(),
            span: None,
            help: None,
        }
    }

    pub fn at(span: Span, message: impl Into<String>) -> BakeError {
        BakeError {
            message: message.into(),
            span: Some(span),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> BakeError {
        self.help = Some(help.into());
        self
    }

    /// Attach a location if the error has none yet (inner errors know better).
    pub fn or_at(mut self, span: Span) -> BakeError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// rustc-style rendering: message, location, source line with a caret.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = format!("error: {}\n", self.message);
        if let Some(span) = self.span
            && let Some(loc) = sources.location(span)
        {
            let file = &sources.files[span.file as usize];
            let text = file.line_text(loc.line);
            let gutter = loc.line.to_string().len();
            let _ = writeln!(out, "{:gutter$}--> {loc}", "");
            if !text.is_empty() {
                let width = if span.end > span.start {
                    let end = (span.end as usize).min(file.text.len());
                    let (end_line, end_col) = file.line_col(end);
                    if end_line == loc.line {
                        end_col.saturating_sub(loc.column).max(1)
                    } else {
                        text.chars().count().saturating_sub(loc.column - 1).max(1)
                    }
                } else {
                    1
                };
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{} | {}", loc.line, text);
                let pad: String = text
                    .chars()
                    .take(loc.column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{:gutter$} | {pad}{}", "", "^".repeat(width));
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

impl std::fmt::Display for BakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BakeError {}
