//! Interactive progress with indicatif: an overall bar, then a bar per target with
//! steps done/total, the cached count and the current step. A failing step's output is
//! printed above the bars in full; the summary table follows at the end.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::plain::SHARED;
use super::{Counts, Event, Renderer, Summary};

struct Bar {
    bar: ProgressBar,
    counts: Counts,
    current: Option<String>,
    /// Running steps by vertex, so that the current step falls back to another one.
    running: BTreeMap<String, String>,
    finished: bool,
}

pub struct TtyRenderer<W: Write> {
    multi: MultiProgress,
    overall: ProgressBar,
    bars: HashMap<String, Bar>,
    order: Vec<String>,
    width: usize,
    logs_shown: HashSet<String>,
    out: W,
}

fn target_style(width: usize) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{prefix:<{width}}} [{{bar:24.cyan/blue}}] {{pos:>3}}/{{len:<3}} {{wide_msg}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

fn overall_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner:.green} {elapsed:>4} [{bar:24.green/white}] {pos:>3}/{len:<3} {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

impl TtyRenderer<std::io::Stderr> {
    /// Bars on stderr (hidden when stderr is not a terminal), summary on stderr.
    pub fn stderr<S: AsRef<str>>(targets: &[S]) -> Self {
        TtyRenderer::new(ProgressDrawTarget::stderr(), std::io::stderr(), targets)
    }
}

impl<W: Write> TtyRenderer<W> {
    /// Bars drawn to `draw`; the summary table and failure output written to `out` when
    /// the bars are hidden (otherwise printed above the bars).
    pub fn new<S: AsRef<str>>(draw: ProgressDrawTarget, out: W, targets: &[S]) -> Self {
        let multi = MultiProgress::with_draw_target(draw);
        let overall = multi.add(ProgressBar::new(0).with_style(overall_style()));
        if !multi.is_hidden() {
            overall.enable_steady_tick(Duration::from_millis(120));
        }
        let mut r = TtyRenderer {
            multi,
            overall,
            bars: HashMap::new(),
            order: Vec::new(),
            width: targets
                .iter()
                .map(|t| t.as_ref().len())
                .max()
                .unwrap_or(0)
                .max(SHARED.len()),
            logs_shown: HashSet::new(),
            out,
        };
        for t in targets {
            r.bar(t.as_ref());
        }
        r.refresh_overall();
        r
    }

    fn bar(&mut self, target: &str) -> &mut Bar {
        if !self.bars.contains_key(target) {
            let bar = self
                .multi
                .add(ProgressBar::new(0).with_style(target_style(self.width)));
            bar.set_prefix(target.to_string());
            bar.set_message("waiting");
            self.order.push(target.to_string());
            self.bars.insert(
                target.to_string(),
                Bar {
                    bar,
                    counts: Counts::default(),
                    current: None,
                    running: BTreeMap::new(),
                    finished: false,
                },
            );
        }
        self.bars.get_mut(target).expect("inserted above")
    }

    /// Position, length and message of a target's bar.
    pub fn bar_state(&self, target: &str) -> Option<(u64, Option<u64>, String)> {
        let b = &self.bars.get(target)?.bar;
        Some((b.position(), b.length(), b.message()))
    }

    /// Position, length and message of the overall bar.
    pub fn overall_state(&self) -> (u64, Option<u64>, String) {
        (
            self.overall.position(),
            self.overall.length(),
            self.overall.message(),
        )
    }

    fn print(&mut self, line: &str) {
        if self.multi.is_hidden() {
            let _ = writeln!(self.out, "{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }

    fn refresh(&mut self, target: &str) {
        let b = self.bar(target);
        if b.finished {
            return;
        }
        let c = b.counts;
        b.bar.set_length(c.total as u64);
        b.bar.set_position(c.done as u64);
        let current = b
            .current
            .clone()
            .or_else(|| b.running.values().next_back().cloned());
        let msg = match current {
            Some(step) => format!("cached {} · {step}", c.cached),
            None if c.done > 0 => format!("cached {}", c.cached),
            None => "waiting".to_string(),
        };
        b.bar.set_message(msg);
        self.refresh_overall();
    }

    fn refresh_overall(&mut self) {
        let (mut done, mut total, mut cached, mut finished, mut failed) = (0, 0, 0, 0, 0);
        for b in self.bars.values() {
            done += b.counts.done as u64;
            total += b.counts.total as u64;
            cached += b.counts.cached as u64;
            if b.finished {
                finished += 1;
            }
            if b.finished && b.bar.is_finished() && b.bar.message().starts_with("FAILED") {
                failed += 1;
            }
        }
        self.overall.set_length(total);
        self.overall.set_position(done);
        let mut msg = format!("{finished}/{} targets · {cached} cached", self.bars.len());
        if failed > 0 {
            msg.push_str(&format!(" · {failed} failed"));
        }
        self.overall.set_message(msg);
    }
}

impl<W: Write> Renderer for TtyRenderer<W> {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::Progress { target, counts } => {
                self.bar(target).counts = *counts;
                self.refresh(target);
            }
            Event::StepStarted {
                target: Some(t),
                vertex,
                name,
                ..
            } => {
                let b = self.bar(t);
                b.running.insert(vertex.clone(), name.clone());
                b.current = Some(name.clone());
                self.refresh(t);
            }
            Event::StepDone {
                target: Some(t),
                vertex,
                name,
                ..
            } => {
                let b = self.bar(t);
                b.running.remove(vertex);
                if b.current.as_deref() == Some(name) {
                    b.current = None;
                }
                self.refresh(t);
            }
            Event::StepFailed {
                target,
                vertex,
                name,
                error,
                logs,
                ..
            } => {
                let t = target.as_deref().unwrap_or(SHARED).to_string();
                self.print(&format!("{t} | {name} ERROR: {error}"));
                if !logs.is_empty() && self.logs_shown.insert(vertex.clone()) {
                    for l in logs.lines() {
                        self.print(&format!("{t} | > {l}"));
                    }
                }
            }
            Event::Warning {
                target, message, ..
            } => {
                let t = target.as_deref().unwrap_or(SHARED).to_string();
                self.print(&format!("{t} | WARNING: {message}"));
            }
            Event::Skipped { text, .. } => {
                let text = text.clone();
                self.print(&text);
            }
            Event::Malformed { line, message } => {
                self.print(&format!(
                    "warning: unreadable progress input at line {line}: {message}"
                ));
            }
            Event::TargetDone {
                target,
                ok,
                error,
                counts,
                ..
            } => {
                let b = self.bar(target);
                b.counts = *counts;
                b.bar.set_length(counts.total as u64);
                b.bar.set_position(counts.done as u64);
                b.finished = true;
                if *ok {
                    b.bar
                        .finish_with_message(format!("done · cached {}", counts.cached));
                } else {
                    let e = error.as_deref().unwrap_or("failed");
                    let first = e.lines().next().unwrap_or(e).to_string();
                    b.bar.abandon_with_message(format!("FAILED: {first}"));
                }
                self.refresh_overall();
            }
            _ => {}
        }
    }

    fn finish(&mut self, summary: &Summary) {
        if summary.ok() {
            self.overall.finish();
        } else {
            self.overall.abandon();
        }
        let table = summary.table();
        if self.multi.is_hidden() {
            let _ = write!(self.out, "{table}");
        } else {
            let _ = self.multi.println(table.trim_end());
        }
        let _ = self.out.flush();
    }
}
