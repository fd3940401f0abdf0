//! Feed arbitrary text to the Dockerfile parser, its queries and `expand`:
//! none of them may panic, and every reported position must be 1-based.
#![no_main]

use bake_matrix::dockerfile::{self, Dockerfile};
use libfuzzer_sys::fuzz_target;

fn lookup(name: &str) -> Option<String> {
    match name.len() % 3 {
        0 => None,
        1 => Some(String::new()),
        _ => Some(format!("{name}-v")),
    }
}

fn check_pos(line: usize, column: usize, lines: usize) {
    assert!(line >= 1 && column >= 1, "position {line}:{column}");
    assert!(line <= lines.max(1), "line {line} past {lines}");
}

fn exercise(df: &Dockerfile, lines: usize) {
    for d in &df.directives {
        check_pos(d.line, d.column, lines);
    }
    for a in &df.global_args {
        check_pos(a.line, a.column, lines);
    }
    let all: Vec<usize> = (0..df.stages.len()).collect();
    let _ = df.declared_arg_names(&all);
    let _ = df.global_arg_values(&lookup);
    for (i, st) in df.stages.iter().enumerate() {
        assert_eq!(st.index, i);
        check_pos(st.line, st.column, lines);
        check_pos(st.base_pos.line, st.base_pos.column, lines);
        for ins in &st.instructions {
            check_pos(ins.line, ins.column, lines);
            assert!(ins.end_line >= ins.line);
            for w in &ins.args {
                check_pos(w.line, w.column, lines);
            }
            for f in &ins.flags {
                check_pos(f.line, f.column, lines);
                check_pos(f.value_line, f.value_column, lines);
            }
        }
        for r in &st.copies_from {
            check_pos(r.line, r.column, lines);
        }
        for m in &st.mounts {
            check_pos(m.line, m.column, lines);
            for o in &m.options {
                check_pos(o.line, o.column, lines);
                check_pos(o.value_line, o.value_column, lines);
            }
            for v in [&m.id, &m.target, &m.from, &m.source].into_iter().flatten() {
                let _ = dockerfile::try_expand(v, df.escape, &lookup);
            }
        }
        if let Some(n) = &st.name {
            assert_eq!(df.stage(n).map(|s| s.is_named(n)), Some(true));
        }
        let deps = df.dependencies_with(i, &lookup);
        assert!(!deps.contains(&i));
        let _ = df.closure(i);
        let _ = df.stage_arg_values(i, None, &lookup);
        let _ = df.resolved_base(i, &lookup);
    }
    let _ = df.target_stage(None);
}

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    match dockerfile::parse(&src) {
        Ok(df) => exercise(&df, src.split_inclusive('\n').count()),
        Err(e) => check_pos(e.line, e.column, src.split_inclusive('\n').count()),
    }
    let _ = dockerfile::expand(&src, &lookup);
    let _ = dockerfile::try_expand(&src, '`', &lookup);
    let _ = dockerfile::expand_words(&src, '\\', &lookup);
});
