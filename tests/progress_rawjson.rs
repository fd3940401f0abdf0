//! Progress: rawjson fixtures (synthetic and recorded from buildx 0.13.1) through the
//! tracker and the renderers.

use bake_matrix::progress::json::JsonRenderer;
use bake_matrix::progress::plain::PlainRenderer;
use bake_matrix::progress::tty::TtyRenderer;
use bake_matrix::progress::{Counts, Event, Outcome, Renderer, Tracker, drive, parse};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/rawjson/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn names(targets: &[&str]) -> Vec<String> {
    targets.iter().map(|t| t.to_string()).collect()
}

fn plain(name: &str, targets: &[&str]) -> String {
    let targets = names(targets);
    let mut r = PlainRenderer::new(Vec::new(), &targets);
    drive(fixture(name).as_bytes(), &targets, &mut r);
    String::from_utf8(r.into_inner()).unwrap()
}

fn track(name: &str, targets: &[&str]) -> (Tracker, Vec<Event>) {
    let mut t = Tracker::new(&names(targets));
    let (events, _) = t.run(parse::parse_str(&fixture(name)));
    (t, events)
}

const SYNTHETIC_PLAIN: &str = "\
(shared) | [internal] load local bake definitions DONE 0.0s
app      | [internal] load build definition from Dockerfile DONE 0.0s
tool     | [internal] load build definition from Dockerfile DONE 0.0s
(shared) | copy /usr/src/tool /src DONE 0.0s
tool     | copy /usr/src/tool /src DONE 0.0s
app      | [base 1/2] FROM docker.io/library/debian:bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000 CACHED
tool     | [base 1/2] FROM docker.io/library/debian:bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000 CACHED
app      | [base 2/2] RUN apt-get update && apt-get install -y make CACHED
tool     | [base 2/2] RUN apt-get update && apt-get install -y make CACHED
app      | [internal] load build context DONE 0.2s
app      | [1/2] COPY . /src DONE 0.1s
app      | WARNING: LegacyKeyValueFormat: \"ENV key=value\" should be used
tool     | [1/1] RUN make ERROR 0.5s: process \"/bin/sh -c make\" did not complete successfully: exit code: 2
tool     | ------ output of [1/1] RUN make ------
tool     | > cc -O2 -o tool tool.c
tool     | > tool.c:3:1: error: expected ';' before '}' token
tool     | > make: *** [Makefile:2: tool] Error 1
tool     | ------
app      | [2/2] RUN cargo build --release DONE 2.5s
app      | exporting to image DONE 0.3s
------
 > [tool 1/1] RUN make:
0.200 cc -O2 -o tool tool.c
------
Dockerfile.tool:4
--------------------
   3 |     FROM base
   4 | >>> RUN make
--------------------
ERROR: target tool: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2

TARGET  STEPS  CACHED  WALL  RESULT
app       4/4     50%  3.4s  ok
tool      2/3     66%  1.2s  FAILED
";

#[test]
fn synthetic_plain_output_is_exact_in_both_shapes() {
    assert_eq!(
        plain("synthetic-pretty.rawjson", &["app", "tool"]),
        SYNTHETIC_PLAIN
    );
    assert_eq!(
        plain("synthetic-lines.rawjson", &["app", "tool"]),
        SYNTHETIC_PLAIN
    );
}

#[test]
fn synthetic_per_target_state() {
    for name in ["synthetic-pretty.rawjson", "synthetic-lines.rawjson"] {
        let (t, events) = track(name, &["app", "tool"]);
        let app = t.target("app").unwrap();
        assert_eq!(
            app.counts(),
            Counts {
                total: 4,
                done: 4,
                cached: 2
            }
        );
        assert_eq!(app.outcome(), Outcome::Ok);
        assert_eq!(app.wall().unwrap().as_millis(), 3400);
        assert_eq!(app.current, None);
        let tool = t.target("tool").unwrap();
        assert_eq!(
            tool.counts(),
            Counts {
                total: 3,
                done: 2,
                cached: 2
            }
        );
        assert_eq!(tool.outcome(), Outcome::Failed);
        assert!(tool.error.as_deref().unwrap().ends_with("exit code: 2"));
        assert_eq!(
            t.failure_logs("tool").unwrap(),
            "cc -O2 -o tool tool.c\ntool.c:3:1: error: expected ';' before '}' token\nmake: *** [Makefile:2: tool] Error 1\n"
        );
        // The shared base vertices count for both targets; the unprefixed copy only for
        // tool, whose step lists it as input.
        let base = t.vertex(&format!("sha256:{}", "b2".repeat(32))).unwrap();
        assert_eq!(base.targets.iter().collect::<Vec<_>>(), ["app", "tool"]);
        let copy = t.vertex(&format!("sha256:{}", "ee".repeat(32))).unwrap();
        assert_eq!(copy.targets.iter().collect::<Vec<_>>(), ["tool"]);
        // tool ends at its failure, app at the end of the stream.
        let done: Vec<(String, bool)> = events
            .iter()
            .filter_map(|e| match e {
                Event::TargetDone { target, ok, .. } => Some((target.clone(), *ok)),
                _ => None,
            })
            .collect();
        assert_eq!(
            done,
            [("tool".to_string(), false), ("app".to_string(), true)]
        );
        let started = events
            .iter()
            .filter(|e| matches!(e, Event::TargetStarted { .. }))
            .count();
        assert_eq!(started, 2);
        let logs: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Log {
                    target: Some(t),
                    text,
                    ..
                } if t == "app" => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(logs.len(), 2);
        assert!(logs[0].contains("Compiling app"));
    }
}

#[test]
fn truncated_and_malformed_stream() {
    let out = plain("truncated.rawjson", &["app", "tool"]);
    assert!(out.contains("warning: unreadable progress input at line 10: invalid progress object"));
    assert!(out.contains("line 11: string not closed at the end of line 11"));
    assert!(out.contains("WARN[0000] some logrus line\n"));
    assert!(out.contains("stream truncated inside the progress object started at line 329"));
    assert!(out.ends_with(
        "TARGET  STEPS  CACHED  WALL  RESULT\n\
         app       3/4     50%  0.6s  incomplete\n\
         tool      2/3     66%  0.3s  incomplete\n"
    ));
    let mut t = Tracker::new(&["app", "tool"]);
    let (_, summary) = t.run(parse::parse_str(&fixture("truncated.rawjson")));
    assert_eq!((summary.malformed, summary.skipped_lines), (3, 1));
    assert!(!summary.ok());
}

#[test]
fn real_failing_build() {
    for name in [
        "real-0.13.1-a-b-fail.rawjson",
        "real-lines-a-b-fail.rawjson",
    ] {
        let (t, _) = track(name, &["a", "b"]);
        let a = t.target("a").unwrap();
        assert_eq!(
            a.counts(),
            Counts {
                total: 4,
                done: 4,
                cached: 4
            }
        );
        assert_eq!(a.outcome(), Outcome::Ok);
        let b = t.target("b").unwrap();
        assert_eq!(
            b.counts(),
            Counts {
                total: 4,
                done: 3,
                cached: 2
            }
        );
        assert_eq!(b.outcome(), Outcome::Failed);
        assert_eq!(
            t.failure_logs("b").unwrap(),
            "b: compiling\nb: error: something broke\n"
        );
        let out = plain(name, &["a", "b"]);
        assert!(out.contains("b        | > b: error: something broke\n"));
        assert!(out.contains("   8 |     FROM base AS b\n"));
        assert!(out.ends_with(
            "TARGET  STEPS  CACHED  WALL  RESULT\n\
             a         4/4    100%  0.1s  ok\n\
             b         3/4     50%  0.8s  FAILED\n"
        ));
        // Every finished vertex is printed once per target.
        let lines: Vec<&str> = out.lines().filter(|l| l.ends_with("CACHED")).collect();
        let mut unique = lines.clone();
        unique.dedup();
        assert_eq!(lines.len(), unique.len());
    }
}

#[test]
fn real_cached_build_is_fully_cached() {
    let (t, _) = track("real-0.13.1-a-b-cached.rawjson", &["a", "b"]);
    let s = t.summary();
    for row in &s.targets {
        assert_eq!(
            row.counts,
            Counts {
                total: 4,
                done: 4,
                cached: 4
            },
            "{}",
            row.target
        );
    }
    let out = plain("real-0.13.1-a-b-cached.rawjson", &["a", "b"]);
    assert!(out.ends_with(
        "TARGET  STEPS  CACHED  WALL  RESULT\n\
         a         4/4    100%  0.0s  ok\n\
         b         4/4    100%  0.1s  ok\n"
    ));
}

#[test]
fn json_renderer_writes_one_object_per_line() {
    let targets = names(&["app", "tool"]);
    let mut r = JsonRenderer::new(Vec::new());
    drive(
        fixture("synthetic-lines.rawjson").as_bytes(),
        &targets,
        &mut r,
    );
    let out = String::from_utf8(r.into_inner()).unwrap();
    let values: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: std::collections::BTreeSet<&str> = values
        .iter()
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    for k in [
        "target_started",
        "step_started",
        "step_progress",
        "step_done",
        "step_failed",
        "log",
        "warning",
        "progress",
        "target_done",
        "skipped",
        "summary",
    ] {
        assert!(kinds.contains(k), "{k} missing");
    }
    let last = values.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["version"], 1);
    assert_eq!(last["ok"], false);
    assert_eq!(last["targets"][1]["outcome"], "failed");
    assert_eq!(last["targets"][0]["counts"]["cached"], 2);
    let failed = values.iter().find(|v| v["event"] == "step_failed").unwrap();
    assert_eq!(failed["target"], "tool");
    assert_eq!(failed["step"]["index"], 1);
    assert!(failed["logs"].as_str().unwrap().contains("Error 1"));
    let done = values
        .iter()
        .find(|v| v["event"] == "step_done" && v["cached"] == false && v["target"] == "app")
        .unwrap();
    assert_eq!(done["duration_ms"], 50);
    assert_eq!(
        done["name"],
        "[internal] load build definition from Dockerfile"
    );
}

#[test]
fn tty_renderer_bars() {
    let targets = names(&["app", "tool"]);
    let mut r = TtyRenderer::new(
        indicatif::ProgressDrawTarget::hidden(),
        Vec::new(),
        &targets,
    );
    let mut t = Tracker::new(&targets);
    let mut events = Vec::new();
    let raw = parse::parse_str(&fixture("synthetic-pretty.rawjson"));
    // Midway: app's cargo build running.
    let split = 16;
    for e in raw[..split].iter().cloned() {
        t.feed(e, &mut events);
    }
    for e in events.drain(..) {
        r.on_event(&e);
    }
    let (pos, len, msg) = r.bar_state("app").unwrap();
    assert_eq!((pos, len), (3, Some(4)));
    assert_eq!(msg, "cached 2 · [2/2] RUN cargo build --release");
    for e in raw[split..].iter().cloned() {
        t.feed(e, &mut events);
    }
    let summary = t.finish(&mut events);
    for e in events.drain(..) {
        r.on_event(&e);
    }
    r.finish(&summary);
    assert_eq!(
        r.bar_state("app").unwrap(),
        (4, Some(4), "done · cached 2".to_string())
    );
    let (pos, len, msg) = r.bar_state("tool").unwrap();
    assert_eq!((pos, len), (2, Some(3)));
    assert!(msg.starts_with("FAILED: process"));
    assert_eq!(
        r.overall_state(),
        (6, Some(7), "2/2 targets · 4 cached · 1 failed".to_string())
    );
}
