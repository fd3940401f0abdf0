//! Every input kept in `fuzz/regressions/` goes through what the bake fuzz
//! target runs (load, definition, print, check) and must finish quickly: they
//! were kept because hcl-edit once took seconds to reject them (exponential
//! backtracking), which a tool run on untrusted pull-request files cannot
//! afford.

use bake_matrix::bake::load::load_sources;
use bake_matrix::bake::print::to_json;
use bake_matrix::bake::source::{SourceFile, SourceMap};
use bake_matrix::check::{CheckOptions, check};
use std::time::{Duration, Instant};

/// Far above what each input takes now (a few milliseconds in release, tens
/// in debug), far below what they took before the fix (2–40 s).
const BOUND: Duration = Duration::from_secs(2);

/// The input as the fuzz target reads it: `.bin` files carry a first byte
/// that picks the syntax (`fuzz/fuzz_targets/bake.rs`), others are bake files.
fn as_bake_file(path: &std::path::Path, bytes: &[u8]) -> (&'static str, String) {
    match path.extension().and_then(|e| e.to_str()) {
        Some("bin") => match bytes.split_first() {
            Some((b, rest)) if b % 4 == 0 => {
                ("docker-bake.json", String::from_utf8_lossy(rest).into())
            }
            Some((_, rest)) => ("docker-bake.hcl", String::from_utf8_lossy(rest).into()),
            None => ("docker-bake.hcl", String::new()),
        },
        Some("json") => ("docker-bake.json", String::from_utf8_lossy(bytes).into()),
        _ => ("docker-bake.hcl", String::from_utf8_lossy(bytes).into()),
    }
}

#[test]
fn kept_fuzz_inputs_are_rejected_quickly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (name, text) = as_bake_file(&path, &bytes);
        let started = Instant::now();
        let mut sources = SourceMap::default();
        sources.add(SourceFile::new(name, text));
        let env = |_: &str| None;
        let loaded = load_sources(sources, &env, Instant::now());
        if let Ok(loaded) = &loaded {
            if let Ok(def) = loaded.definition(&["default".to_string()], &[], &env) {
                let _ = to_json(&def);
            }
            let _ = check(loaded, &CheckOptions::default());
        }
        let took = started.elapsed();
        assert!(
            took < BOUND,
            "{} took {took:?} (bound {BOUND:?})",
            path.display()
        );
        // These inputs are malformed: each must be rejected, not accepted.
        assert!(loaded.is_err(), "{} was accepted", path.display());
        seen += 1;
    }
    assert!(seen >= 3, "expected the kept inputs in {}", dir.display());
}
