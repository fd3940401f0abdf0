//! Folds raw `SolveStatus` updates into per-target build state and a stream of
//! higher-level [`Event`]s.
//!
//! buildx prefixes every vertex name of a multi-target bake with its target:
//! `[<target> <stage> n/m] RUN …`, `[<target> n/m] …`, `[<target> internal] …`,
//! `[<target>] exporting to image` (a single-target build is not prefixed at all).
//! Vertices of no target (`[internal] load local bake definitions`,
//! `[internal] booting buildkit`) are shared.
//!
//! A vertex belongs to the target named in its prefix, to every target whose vertices
//! reach it through `inputs` (transitively: a base stage built once for two targets counts
//! for both), and, for a single-target build, to that target. Steps are the vertices
//! whose name carries `n/m`; a target's step total is the sum over its stages of the
//! largest `m` seen.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use serde::Serialize;

use super::event::{SolveStatus, Timestamp, Vertex, VertexLog, VertexStatus, VertexWarning};
use super::parse::RawEvent;

/// Largest amount of log output kept per vertex (the rest is dropped, with a note).
pub const MAX_VERTEX_LOG: usize = 16 << 20;

/// The `n/m` position of a Dockerfile step, with its stage (and platform) label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Step {
    /// Stage label: the words between the target and `n/m` (`base`,
    /// `linux/arm64 builder`), empty for an unnamed stage.
    pub stage: String,
    pub index: u32,
    pub of: u32,
}

/// A vertex name split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    /// The target named by the prefix, if any.
    pub target: Option<String>,
    /// The `n/m` step, if any.
    pub step: Option<Step>,
    /// `[internal]`-style vertex (`[internal] …`, `[t internal] …`).
    pub internal: bool,
    /// The name without the target: `[base 1/2] FROM …`, `[internal] load …`, `exporting …`.
    pub display: String,
}

fn is_step(token: &str) -> Option<(u32, u32)> {
    let (n, m) = token.split_once('/')?;
    Some((n.parse().ok()?, m.parse().ok()?))
}

/// Splits a vertex name. `targets` are the names of the targets being built: with one
/// target, names are not prefixed; with several, the first word in brackets is the
/// target when it is one of them; with none known, the first word is taken as a target
/// unless it is `internal`, a step or a platform.
pub fn parse_name(name: &str, targets: &[String]) -> ParsedName {
    let single = (targets.len() == 1).then(|| targets[0].clone());
    let plain = |display: &str| ParsedName {
        target: single.clone(),
        step: None,
        internal: false,
        display: display.to_string(),
    };
    let Some(rest) = name.strip_prefix('[') else {
        return plain(name);
    };
    let Some(close) = rest.find(']') else {
        return plain(name);
    };
    let inner = &rest[..close];
    let after = rest[close + 1..].trim_start();
    let mut tokens: Vec<&str> = inner.split_whitespace().collect();
    let mut target = None;
    if single.is_none() && !tokens.is_empty() {
        let first = tokens[0];
        let is_target = if targets.is_empty() {
            first != "internal" && is_step(first).is_none() && !first.contains('/')
        } else {
            targets.iter().any(|t| t == first)
        };
        if is_target {
            target = Some(first.to_string());
            tokens.remove(0);
        }
    }
    let target = target.or(single);
    let internal = tokens.last() == Some(&"internal");
    let step = tokens
        .last()
        .and_then(|t| is_step(t))
        .map(|(index, of)| Step {
            stage: tokens[..tokens.len() - 1].join(" "),
            index,
            of,
        });
    let display = if tokens.is_empty() {
        after.to_string()
    } else {
        format!("[{}] {after}", tokens.join(" "))
    };
    ParsedName {
        target,
        step,
        internal,
        display,
    }
}

/// Steps of a target: known total, finished and cached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: u32,
    pub done: u32,
    pub cached: u32,
}

/// How a target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Running,
    Ok,
    Failed,
    /// The stream ended while some of its steps were still running.
    Incomplete,
    /// Failed only because the build was canceled (another target failed, or Ctrl-C).
    Canceled,
    /// The stream ended before any step of the target appeared (buildx failed
    /// before building, e.g. no daemon).
    NotStarted,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Ok => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Incomplete => "incomplete",
            Outcome::Canceled => "canceled",
            Outcome::NotStarted => "not started",
        }
    }
}

fn is_cancel(error: &str) -> bool {
    error.contains("context canceled") || error.trim_end() == "canceled"
}

/// Everything known about one target.
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    pub name: String,
    /// Largest `m` per stage label (the key includes the target whose name gave it).
    pub stage_sizes: BTreeMap<(String, String), u32>,
    /// Finished steps by (origin, stage, n), with whether they were cached.
    pub steps_done: BTreeMap<(String, String, u32), bool>,
    /// Vertices belonging to the target, in order of appearance.
    pub vertices: Vec<String>,
    /// Vertices running now, with when they started.
    pub running: BTreeMap<String, Timestamp>,
    /// Name (without target prefix) of the step that started last and is still running.
    pub current: Option<String>,
    pub started: Option<Timestamp>,
    pub finished: Option<Timestamp>,
    /// The first vertex error, and that vertex.
    pub error: Option<String>,
    pub failed_vertex: Option<String>,
    /// Set once `TargetDone` was emitted.
    pub done: bool,
}

impl TargetState {
    pub fn counts(&self) -> Counts {
        let total: u32 = self.stage_sizes.values().sum();
        let done = self.steps_done.len() as u32;
        let cached = self.steps_done.values().filter(|c| **c).count() as u32;
        // A target that finished cleanly has nothing left to do: steps BuildKit
        // numbers but never shows as vertices (`FROM <named context>`) count as
        // done, and as cached when everything shown was cached.
        let finished_ok = self.done && self.error.is_none() && self.running.is_empty();
        if finished_ok && total > done {
            let all_cached = cached == done;
            return Counts {
                total,
                done: total,
                cached: if all_cached { total } else { cached },
            };
        }
        Counts {
            total: total.max(done),
            done,
            cached,
        }
    }

    pub fn outcome(&self) -> Outcome {
        match &self.error {
            Some(e) if is_cancel(e) => Outcome::Canceled,
            Some(_) => Outcome::Failed,
            None if self.done && self.vertices.is_empty() => Outcome::NotStarted,
            None if self.done && !self.running.is_empty() => Outcome::Incomplete,
            None if self.done => Outcome::Ok,
            None => Outcome::Running,
        }
    }

    /// Wall time from the first vertex start to the last completion.
    pub fn wall(&self) -> Option<Duration> {
        Some(self.finished?.since(&self.started?))
    }
}

/// Everything known about one vertex.
#[derive(Debug, Clone, Default)]
pub struct VertexState {
    pub digest: String,
    pub seen: bool,
    /// Latest name as sent, and the parsed names by the target they name.
    pub name: String,
    pub names: BTreeMap<String, ParsedName>,
    pub parsed: Option<ParsedName>,
    pub inputs: Vec<String>,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub cached: bool,
    pub error: String,
    pub targets: BTreeSet<String>,
    pub logs: Vec<u8>,
    pub logs_dropped: usize,
    /// Sub-task statuses other than `resolve …` were reported (a pull, a transfer).
    pub had_statuses: bool,
    /// Per target (`""` for none): start and end already reported.
    started_for: BTreeSet<String>,
    done_for: BTreeSet<String>,
}

impl VertexState {
    /// The vertex's logs, decoded lossily.
    pub fn log_text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.logs).into_owned();
        if self.logs_dropped > 0 {
            text.push_str(&format!("[{} bytes of log dropped]\n", self.logs_dropped));
        }
        text
    }

    /// How the vertex reads for `target`: its own prefixed name if it sent one.
    fn view(&self, target: Option<&str>) -> Option<&ParsedName> {
        target
            .and_then(|t| self.names.get(t))
            .or(self.parsed.as_ref())
    }

    fn display(&self, target: Option<&str>) -> String {
        self.view(target)
            .map(|p| p.display.clone())
            .unwrap_or_else(|| self.name.clone())
    }
}

/// A higher-level progress event, consumed by renderers.
///
/// Step events carry `target: None` for vertices that belong to no target (yet).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    TargetStarted {
        target: String,
        at: Option<Timestamp>,
    },
    StepStarted {
        target: Option<String>,
        vertex: String,
        name: String,
        step: Option<Step>,
        at: Option<Timestamp>,
    },
    /// A sub-task of a running step moved (layer download, export).
    StepProgress {
        target: Option<String>,
        vertex: String,
        id: String,
        current: i64,
        total: i64,
        completed: bool,
    },
    StepDone {
        target: Option<String>,
        vertex: String,
        name: String,
        step: Option<Step>,
        cached: bool,
        duration_ms: Option<u64>,
    },
    StepFailed {
        target: Option<String>,
        vertex: String,
        name: String,
        step: Option<Step>,
        error: String,
        duration_ms: Option<u64>,
        /// The vertex's whole output so far.
        logs: String,
    },
    Log {
        target: Option<String>,
        vertex: String,
        stream: i64,
        text: String,
    },
    Warning {
        target: Option<String>,
        vertex: String,
        message: String,
        detail: Vec<String>,
        url: String,
    },
    /// A target's step counts changed.
    Progress { target: String, counts: Counts },
    TargetDone {
        target: String,
        ok: bool,
        outcome: Outcome,
        error: Option<String>,
        counts: Counts,
        wall_ms: Option<u64>,
    },
    /// A non-JSON line of the stream (buildx's own messages).
    Skipped { line: u64, text: String },
    /// Input that could not be decoded.
    Malformed { line: u64, message: String },
}

/// One row of the final summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSummary {
    pub target: String,
    pub counts: Counts,
    pub wall_ms: Option<u64>,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// The end-of-build summary.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    pub targets: Vec<TargetSummary>,
    /// Errors of vertices that belong to no target.
    pub errors: Vec<String>,
    pub skipped_lines: u64,
    pub malformed: u64,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.targets.iter().all(|t| t.outcome == Outcome::Ok)
    }

    /// The summary table: target, steps, cached %, wall time, result.
    pub fn table(&self) -> String {
        let mut rows = vec![[
            "TARGET".to_string(),
            "STEPS".to_string(),
            "CACHED".to_string(),
            "WALL".to_string(),
            "RESULT".to_string(),
        ]];
        for t in &self.targets {
            let c = t.counts;
            let cached = (c.cached * 100)
                .checked_div(c.total)
                .map_or_else(|| "-".to_string(), |p| format!("{p}%"));
            rows.push([
                t.target.clone(),
                format!("{}/{}", c.done, c.total),
                cached,
                t.wall_ms
                    .map(|ms| format_duration(Duration::from_millis(ms)))
                    .unwrap_or_else(|| "-".to_string()),
                t.outcome.label().to_string(),
            ]);
        }
        let mut widths = [0usize; 5];
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &rows {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if i == 0 || i == 4 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
                line.push_str("  ");
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        for e in &self.errors {
            out.push_str(&format!("error: {e}\n"));
        }
        out
    }
}

/// `1.2s`, `59.0s`, `2m03s`, `1h02m`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 60_000 {
        format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1000)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms % 3_600_000) / 60_000)
    }
}

fn millis(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

/// Folds the raw stream into per-target state.
#[derive(Debug, Default)]
pub struct Tracker {
    known: Vec<String>,
    order: Vec<String>,
    targets: HashMap<String, TargetState>,
    vertices: HashMap<String, VertexState>,
    vertex_order: Vec<String>,
    global_errors: Vec<String>,
    skipped: u64,
    malformed: u64,
    /// Vertices that gained a target while processing the current message.
    touched: Vec<String>,
}

impl Tracker {
    /// `targets`: the targets being built, in display order (may be empty: they are then
    /// learnt from vertex names). With exactly one, every vertex belongs to it.
    pub fn new<S: AsRef<str>>(targets: &[S]) -> Self {
        let known: Vec<String> = targets.iter().map(|t| t.as_ref().to_string()).collect();
        let mut tracker = Tracker {
            known: known.clone(),
            ..Tracker::default()
        };
        for t in known {
            tracker.target_mut(&t);
        }
        tracker
    }

    fn target_mut(&mut self, name: &str) -> &mut TargetState {
        if !self.targets.contains_key(name) {
            self.order.push(name.to_string());
        }
        self.targets
            .entry(name.to_string())
            .or_insert_with(|| TargetState {
                name: name.to_string(),
                ..TargetState::default()
            })
    }

    /// Targets in display order.
    pub fn targets(&self) -> impl Iterator<Item = &TargetState> {
        self.order.iter().map(|t| &self.targets[t])
    }

    pub fn target(&self, name: &str) -> Option<&TargetState> {
        self.targets.get(name)
    }

    pub fn vertex(&self, digest: &str) -> Option<&VertexState> {
        self.vertices.get(digest)
    }

    /// Vertices in order of appearance.
    pub fn vertices(&self) -> impl Iterator<Item = &VertexState> {
        self.vertex_order.iter().map(|d| &self.vertices[d])
    }

    fn vertex_mut(&mut self, digest: &str) -> &mut VertexState {
        if !self.vertices.contains_key(digest) {
            self.vertex_order.push(digest.to_string());
        }
        self.vertices
            .entry(digest.to_string())
            .or_insert_with(|| VertexState {
                digest: digest.to_string(),
                ..VertexState::default()
            })
    }

    /// Adds `target` to `digest` and everything it reaches through inputs.
    fn attribute(&mut self, digest: &str, target: &str) {
        let mut stack = vec![digest.to_string()];
        while let Some(d) = stack.pop() {
            let v = self.vertex_mut(&d);
            if v.targets.insert(target.to_string()) {
                stack.extend(v.inputs.iter().cloned());
                self.touched.push(d.clone());
                self.target_mut(target).vertices.push(d);
            }
        }
    }

    /// Processes one raw event, appending the resulting events to `out`.
    pub fn feed(&mut self, raw: RawEvent, out: &mut Vec<Event>) {
        match raw {
            RawEvent::Status(s) => self.feed_status(s, out),
            RawEvent::Skipped { line, text } => {
                self.skipped += 1;
                out.push(Event::Skipped { line, text });
            }
            RawEvent::Malformed { line, message } => {
                self.malformed += 1;
                out.push(Event::Malformed { line, message });
            }
        }
    }

    /// Processes one `SolveStatus`, appending the resulting events to `out`.
    pub fn feed_status(&mut self, status: SolveStatus, out: &mut Vec<Event>) {
        let before: Vec<(String, Counts)> = self
            .order
            .iter()
            .map(|t| (t.clone(), self.targets[t].counts()))
            .collect();
        // Attribution first, so that a vertex listed before its dependents in one
        // message is already known as theirs.
        for v in &status.vertexes {
            self.merge_vertex(v);
        }
        let mut emit: Vec<String> = Vec::new();
        let mut queued = std::collections::HashSet::new();
        let touched = std::mem::take(&mut self.touched);
        for d in status.vertexes.iter().map(|v| &v.digest).chain(&touched) {
            if self.vertices[d].seen && queued.insert(d.clone()) {
                emit.push(d.clone());
            }
        }
        for d in &emit {
            self.emit_vertex(d, out);
        }
        for s in &status.statuses {
            self.status(s, out);
        }
        for l in status.logs {
            self.log(l, out);
        }
        for w in &status.warnings {
            self.warning(w, out);
        }
        for t in self.order.clone() {
            let counts = self.targets[&t].counts();
            let old = before.iter().find(|(n, _)| *n == t).map(|(_, c)| *c);
            if old != Some(counts) && counts != Counts::default() {
                out.push(Event::Progress { target: t, counts });
            }
        }
    }

    fn merge_vertex(&mut self, v: &Vertex) {
        let parsed = parse_name(&v.name, &self.known);
        let state = self.vertex_mut(&v.digest);
        state.seen = true;
        if !v.name.is_empty() {
            state.name = v.name.clone();
            if let Some(t) = &parsed.target {
                state.names.insert(t.clone(), parsed.clone());
            }
            if state.parsed.is_none() || parsed.target.is_some() {
                state.parsed = Some(parsed.clone());
            }
        }
        for i in &v.inputs {
            if !state.inputs.contains(i) {
                state.inputs.push(i.clone());
            }
        }
        // BuildKit restarts some vertices (a context load, a shared vertex seen from a
        // second job): the vertex runs again, but its start and end are reported once.
        if v.started.is_some() && v.completed.is_none() && state.completed.is_some() {
            state.completed = None;
        }
        if state.started.is_none() || v.completed.is_none() {
            state.started = v.started.or(state.started);
        }
        state.completed = v.completed.or(state.completed);
        state.cached |= v.cached;
        if !v.error.is_empty() {
            state.error = v.error.clone();
        }
        let mut targets: Vec<String> = state.targets.iter().cloned().collect();
        let inputs = state.inputs.clone();
        if let Some(t) = parsed.target {
            targets.push(t.clone());
            self.attribute(&v.digest, &t);
        }
        for t in targets {
            for i in &inputs {
                self.attribute(i, &t);
            }
        }
    }

    fn step_key(&self, v: &VertexState, target: &str) -> Option<(String, String, u32, u32)> {
        let (origin, parsed) = match v.names.get(target) {
            Some(p) => (target.to_string(), p),
            None => {
                let p = v.parsed.as_ref()?;
                (p.target.clone().unwrap_or_default(), p)
            }
        };
        let s = parsed.step.as_ref()?;
        Some((origin, s.stage.clone(), s.index, s.of))
    }

    fn emit_vertex(&mut self, digest: &str, out: &mut Vec<Event>) {
        let v = self.vertices[digest].clone();
        let mut targets: Vec<Option<String>> = v.targets.iter().cloned().map(Some).collect();
        if targets.is_empty() {
            targets.push(None);
        }
        for target in targets {
            let key = target.clone().unwrap_or_default();
            let name = v.display(target.as_deref());
            let step = v.view(target.as_deref()).and_then(|p| p.step.clone());
            let step_key = target.as_deref().and_then(|t| self.step_key(&v, t));
            if let (Some(t), Some((origin, stage, _, of))) = (&target, &step_key) {
                let size = self
                    .target_mut(t)
                    .stage_sizes
                    .entry((origin.clone(), stage.clone()))
                    .or_insert(0);
                *size = (*size).max(*of);
            }
            if let Some(at) = v.started
                && !v.done_for.contains(&key)
            {
                if let Some(t) = &target {
                    let ts = self.target_mut(t);
                    if ts.started.is_none() {
                        ts.started = Some(at);
                        out.push(Event::TargetStarted {
                            target: t.clone(),
                            at: Some(at),
                        });
                    } else if ts.started.is_some_and(|s| at < s) {
                        ts.started = Some(at);
                    }
                }
                let state = self.vertex_mut(digest);
                if state.started_for.insert(key.clone()) {
                    if let Some(t) = &target
                        && v.completed.is_none()
                    {
                        let ts = self.target_mut(t);
                        ts.running.insert(digest.to_string(), at);
                        ts.current = Some(name.clone());
                    }
                    out.push(Event::StepStarted {
                        target: target.clone(),
                        vertex: digest.to_string(),
                        name: name.clone(),
                        step: step.clone(),
                        at: Some(at),
                    });
                }
            }
            let Some(end) = v.completed else { continue };
            if !self.vertex_mut(digest).done_for.insert(key.clone()) {
                continue;
            }
            let duration_ms = v.started.map(|s| millis(end.since(&s)));
            // BuildKit never marks a `FROM` of an image already present as cached; it
            // did no work when nothing was pulled (no statuses), so it counts as cached.
            let from = v.view(target.as_deref()).is_some_and(|p| {
                p.step.is_some()
                    && p.display
                        .split("] ")
                        .nth(1)
                        .is_some_and(|r| r.starts_with("FROM "))
            });
            let cached = v.cached || (from && !v.had_statuses);
            if let Some(t) = &target {
                let ts = self.target_mut(t);
                ts.running.remove(digest);
                if ts.finished.is_none_or(|f| end > f) {
                    ts.finished = Some(end);
                }
                if ts.started.is_none() {
                    ts.started = v.started.or(Some(end));
                }
                if ts.current.as_deref() == Some(name.as_str()) || ts.running.is_empty() {
                    ts.current = None;
                }
            }
            if v.error.is_empty() {
                if let (Some(t), Some((origin, stage, index, _))) = (&target, &step_key) {
                    self.target_mut(t)
                        .steps_done
                        .insert((origin.clone(), stage.clone(), *index), cached);
                }
                out.push(Event::StepDone {
                    target: target.clone(),
                    vertex: digest.to_string(),
                    name,
                    step,
                    cached,
                    duration_ms,
                });
                continue;
            }
            out.push(Event::StepFailed {
                target: target.clone(),
                vertex: digest.to_string(),
                name,
                step,
                error: v.error.clone(),
                duration_ms,
                logs: v.log_text(),
            });
            match &target {
                None => self.global_errors.push(v.error.clone()),
                Some(t) => {
                    let ts = self.target_mut(t);
                    let replace = match &ts.error {
                        None => true,
                        // A real failure explains a target better than a cancellation.
                        Some(e) => is_cancel(e) && !is_cancel(&v.error) && !ts.done,
                    };
                    if replace {
                        ts.error = Some(v.error.clone());
                        ts.failed_vertex = Some(digest.to_string());
                    }
                    if !ts.done {
                        ts.done = true;
                        let ev = Self::done_event(ts);
                        out.push(ev);
                    }
                }
            }
        }
    }

    fn done_event(ts: &TargetState) -> Event {
        Event::TargetDone {
            target: ts.name.clone(),
            ok: ts.outcome() == Outcome::Ok,
            outcome: ts.outcome(),
            error: ts.error.clone(),
            counts: ts.counts(),
            wall_ms: ts.wall().map(millis),
        }
    }

    fn targets_of(&self, digest: &str) -> Vec<Option<String>> {
        match self.vertices.get(digest) {
            Some(v) if !v.targets.is_empty() => v.targets.iter().cloned().map(Some).collect(),
            _ => vec![None],
        }
    }

    fn status(&mut self, s: &VertexStatus, out: &mut Vec<Event>) {
        // `resolve <image>` is reported for every `FROM`; anything else is a pull.
        if !s.id.starts_with("resolve ") {
            self.vertex_mut(&s.vertex).had_statuses = true;
        }
        for target in self.targets_of(&s.vertex) {
            out.push(Event::StepProgress {
                target,
                vertex: s.vertex.clone(),
                id: s.id.clone(),
                current: s.current,
                total: s.total,
                completed: s.completed.is_some(),
            });
        }
    }

    fn log(&mut self, l: VertexLog, out: &mut Vec<Event>) {
        let text = String::from_utf8_lossy(&l.data).into_owned();
        for target in self.targets_of(&l.vertex) {
            out.push(Event::Log {
                target,
                vertex: l.vertex.clone(),
                stream: l.stream,
                text: text.clone(),
            });
        }
        let v = self.vertex_mut(&l.vertex);
        let room = MAX_VERTEX_LOG.saturating_sub(v.logs.len());
        let keep = room.min(l.data.len());
        v.logs.extend_from_slice(&l.data[..keep]);
        v.logs_dropped += l.data.len() - keep;
    }

    fn warning(&mut self, w: &VertexWarning, out: &mut Vec<Event>) {
        for target in self.targets_of(&w.vertex) {
            out.push(Event::Warning {
                target,
                vertex: w.vertex.clone(),
                message: w.short_text(),
                detail: w
                    .detail
                    .iter()
                    .map(|d| String::from_utf8_lossy(d).into_owned())
                    .collect(),
                url: w.url.clone(),
            });
        }
    }

    /// Ends the stream: every target not yet done gets its `TargetDone`.
    pub fn finish(&mut self, out: &mut Vec<Event>) -> Summary {
        for t in self.order.clone() {
            let ts = self.target_mut(&t);
            if !ts.done {
                ts.done = true;
                let ev = Self::done_event(ts);
                out.push(ev);
            }
        }
        self.summary()
    }

    /// The summary as of now.
    pub fn summary(&self) -> Summary {
        Summary {
            targets: self
                .targets()
                .map(|t| TargetSummary {
                    target: t.name.clone(),
                    counts: t.counts(),
                    wall_ms: t.wall().map(millis),
                    outcome: t.outcome(),
                    error: t.error.clone(),
                })
                .collect(),
            errors: self.global_errors.clone(),
            skipped_lines: self.skipped,
            malformed: self.malformed,
        }
    }

    /// Logs of the vertex that failed `target`.
    pub fn failure_logs(&self, target: &str) -> Option<String> {
        let d = self.targets.get(target)?.failed_vertex.as_ref()?;
        Some(self.vertices.get(d)?.log_text())
    }

    /// Reads a whole stream, returning every event and the summary.
    pub fn run<I: IntoIterator<Item = RawEvent>>(&mut self, raw: I) -> (Vec<Event>, Summary) {
        let mut out = Vec::new();
        for r in raw {
            self.feed(r, &mut out);
        }
        let summary = self.finish(&mut out);
        (out, summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ts: &[&str]) -> Vec<String> {
        ts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn names_parse() {
        let two = names(&["a", "b"]);
        let p = parse_name("[a base 1/2] FROM debian", &two);
        assert_eq!(p.target.as_deref(), Some("a"));
        assert_eq!(
            p.step,
            Some(Step {
                stage: "base".into(),
                index: 1,
                of: 2
            })
        );
        assert_eq!(p.display, "[base 1/2] FROM debian");
        let p = parse_name("[b internal] load .dockerignore", &two);
        assert!(p.internal);
        assert_eq!(p.display, "[internal] load .dockerignore");
        let p = parse_name("[internal] load local bake definitions", &two);
        assert_eq!(p.target, None);
        let p = parse_name("[a] exporting to image", &two);
        assert_eq!(
            (p.target.as_deref(), p.display.as_str()),
            (Some("a"), "exporting to image")
        );
        let p = parse_name("[a linux/arm64 build 3/4] RUN x", &[]);
        assert_eq!(p.target.as_deref(), Some("a"));
        assert_eq!(p.step.unwrap().stage, "linux/arm64 build");
        let p = parse_name("[base 1/2] FROM debian", &names(&["only"]));
        assert_eq!(p.target.as_deref(), Some("only"));
        assert_eq!(p.step.unwrap().stage, "base");
        assert_eq!(parse_name("[2/3] RUN x", &[]).target, None);
        assert_eq!(parse_name("[c 2/3] RUN x", &two).target, None);
        assert_eq!(parse_name("[unclosed", &two).display, "[unclosed");
        assert_eq!(parse_name("", &two).display, "");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(Duration::from_millis(1234)), "1.2s");
        assert_eq!(format_duration(Duration::from_millis(123_000)), "2m03s");
        assert_eq!(format_duration(Duration::from_secs(3720)), "1h02m");
    }
}
