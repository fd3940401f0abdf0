//! Plain progress for logs and CI: one line per finished step, prefixed by its target,
//! with `CACHED` or its duration; a failing step's whole output; buildx's own non-JSON
//! lines as they are; the summary table at the end.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use super::track::format_duration;
use super::{Event, Renderer, Summary};

/// Prefix of vertices that belong to no target.
pub const SHARED: &str = "(shared)";

pub struct PlainRenderer<W: Write> {
    out: W,
    width: usize,
    logs_shown: HashSet<String>,
}

impl<W: Write> PlainRenderer<W> {
    /// `targets` only sets the width of the prefix column.
    pub fn new<S: AsRef<str>>(out: W, targets: &[S]) -> Self {
        let width = targets.iter().map(|t| t.as_ref().len()).max().unwrap_or(0);
        PlainRenderer {
            out,
            width,
            logs_shown: HashSet::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, target: Option<&str>, text: &str) {
        let t = target.unwrap_or(SHARED);
        self.width = self.width.max(t.len());
        // Write errors (a closed pipe) must not stop the build; they are ignored.
        let _ = writeln!(self.out, "{t:<w$} | {text}", w = self.width);
    }
}

fn took(ms: Option<u64>) -> String {
    ms.map(|ms| format!(" {}", format_duration(Duration::from_millis(ms))))
        .unwrap_or_default()
}

impl<W: Write> Renderer for PlainRenderer<W> {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::StepDone {
                target,
                name,
                cached,
                duration_ms,
                ..
            } => {
                let status = if *cached {
                    "CACHED".to_string()
                } else {
                    format!("DONE{}", took(*duration_ms))
                };
                self.line(target.as_deref(), &format!("{name} {status}"));
            }
            Event::StepFailed {
                target,
                vertex,
                name,
                error,
                duration_ms,
                logs,
                ..
            } => {
                let t = target.as_deref();
                self.line(t, &format!("{name} ERROR{}: {error}", took(*duration_ms)));
                if logs.is_empty() {
                    return;
                }
                if !self.logs_shown.insert(vertex.clone()) {
                    self.line(t, "(output shown above)");
                    return;
                }
                self.line(t, &format!("------ output of {name} ------"));
                for l in logs.lines() {
                    self.line(t, &format!("> {l}"));
                }
                self.line(t, "------");
            }
            Event::Warning {
                target, message, ..
            } => self.line(target.as_deref(), &format!("WARNING: {message}")),
            Event::Skipped { text, .. } => {
                let _ = writeln!(self.out, "{text}");
            }
            Event::Malformed { line, message } => {
                let _ = writeln!(
                    self.out,
                    "warning: unreadable progress input at line {line}: {message}"
                );
            }
            _ => {}
        }
    }

    fn finish(&mut self, summary: &Summary) {
        let _ = writeln!(self.out);
        let _ = write!(self.out, "{}", summary.table());
        let _ = self.out.flush();
    }
}
