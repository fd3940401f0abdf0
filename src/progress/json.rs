//! `--format json` progress: one JSON object per event per line, then one summary object.
//! The format is documented in `docs/progress-json.md`.

use std::io::Write;

use serde::Serialize;

use super::{Event, Renderer, Summary};

/// Version of the line format, written in the summary object.
pub const FORMAT_VERSION: u32 = 1;

pub struct JsonRenderer<W: Write> {
    out: W,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    event: &'static str,
    version: u32,
    ok: bool,
    #[serde(flatten)]
    summary: &'a Summary,
}

impl<W: Write> JsonRenderer<W> {
    pub fn new(out: W) -> Self {
        JsonRenderer { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn write<T: Serialize>(&mut self, value: &T) {
        // Events only hold strings, numbers and booleans: serialization cannot fail.
        // Write errors (a closed pipe) must not stop the build; they are ignored.
        if let Ok(text) = serde_json::to_string(value) {
            let _ = writeln!(self.out, "{text}");
            let _ = self.out.flush();
        }
    }
}

impl<W: Write> Renderer for JsonRenderer<W> {
    fn on_event(&mut self, event: &Event) {
        self.write(event);
    }

    fn finish(&mut self, summary: &Summary) {
        self.write(&SummaryLine {
            event: "summary",
            version: FORMAT_VERSION,
            ok: summary.ok(),
            summary,
        });
    }
}
