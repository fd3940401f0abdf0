//! Live build progress from `docker buildx bake --progress=rawjson`.
//!
//! The pipeline: [`parse::RawJsonReader`] turns buildx's stream into
//! [`parse::RawEvent`]s, [`track::Tracker`] folds them into per-target state and
//! higher-level [`Event`]s, and a [`Renderer`] ([`tty::TtyRenderer`],
//! [`plain::PlainRenderer`], [`json::JsonRenderer`]) shows them, ending with a
//! [`Summary`]. [`drive`] runs the whole pipeline over a reader.

pub mod event;
pub mod json;
pub mod parse;
pub mod plain;
pub mod track;
pub mod tty;

use std::io::BufRead;

pub use parse::{RawEvent, RawJsonReader};
pub use track::{Counts, Event, Outcome, Step, Summary, TargetSummary, Tracker};

/// Something that shows progress events.
pub trait Renderer {
    /// Called for every event, in stream order.
    fn on_event(&mut self, event: &Event);
    /// Called once at the end of the stream.
    fn finish(&mut self, summary: &Summary);
}

/// Reads a whole rawjson stream from `input`, feeding every event to `renderer` as it
/// arrives, and returns the summary (also handed to `renderer.finish`).
pub fn drive<R: BufRead>(input: R, targets: &[String], renderer: &mut dyn Renderer) -> Summary {
    let mut tracker = Tracker::new(targets);
    let mut events = Vec::new();
    for raw in RawJsonReader::new(input) {
        tracker.feed(raw, &mut events);
        for e in events.drain(..) {
            renderer.on_event(&e);
        }
    }
    let summary = tracker.finish(&mut events);
    for e in events.drain(..) {
        renderer.on_event(&e);
    }
    renderer.finish(&summary);
    summary
}
