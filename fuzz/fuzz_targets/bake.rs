//! Bake files of any content through evaluation, resolution, printing and
//! `matrix check`: errors are fine, panics are not.
#![no_main]

use bake_matrix::bake::load::load_sources;
use bake_matrix::bake::print::to_json;
use bake_matrix::bake::source::{SourceFile, SourceMap};
use bake_matrix::check::{CheckOptions, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the syntax, as a file name would.
    let (name, rest) = match data.split_first() {
        Some((b, rest)) if b % 4 == 0 => ("docker-bake.json", rest),
        Some((_, rest)) => ("docker-bake.hcl", rest),
        None => return,
    };
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new(name, String::from_utf8_lossy(rest)));
    let env = |n: &str| (n == "FUZZ_VAR").then(|| "1".to_string());
    let Ok(loaded) = load_sources(sources, &env, std::time::Instant::now()) else {
        return;
    };
    for targets in [vec!["default".to_string()], Vec::new()] {
        if let Ok(def) = loaded.definition(&targets, &[], &env) {
            let _ = to_json(&def);
        }
    }
    let _ = check(&loaded, &CheckOptions::default());
});
