//! Errors of the bake language, located in the source when possible.

use super::source::{SourceMap, Span};
use crate::diag::{Diagnostic, Label, Sources};

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

    /// This error as a diagnostic (rule `invalid-input`), rendered like every
    /// other finding of the tool.
    pub fn to_diagnostic(&self, sources: &SourceMap) -> Diagnostic {
        let mut d = Diagnostic::error("invalid-input", self.message.clone());
        if let Some(span) = self.span
            && let Some(loc) = sources.location(span)
        {
            let mut label = Label::new(loc.file, loc.line, loc.column);
            let file = &sources.files[span.file as usize];
            if span.end > span.start {
                let (end_line, end_col) = file.line_col(span.end as usize);
                if end_line == loc.line {
                    label = label.with_end_column(end_col);
                }
            }
            d = d.with_primary(label);
        }
        if let Some(h) = &self.help {
            d = d.with_help(h.clone());
        }
        d
    }
}

/// The loaded files as diagnostic sources, so snippets show what was evaluated.
pub fn diag_sources(sources: &SourceMap) -> Sources {
    let mut out = Sources::new();
    for f in &sources.files {
        out.insert(f.name.clone(), &f.text);
    }
    out
}

impl std::fmt::Display for BakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BakeError {}
