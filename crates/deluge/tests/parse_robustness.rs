//! Cheap robustness sweep over the parser: every golden script cut at many points, and with
//! a line dropped, must parse or fail with diagnostics that render, never panic. (The
//! libFuzzer target in `fuzz/` does the same at random; this runs with every `cargo test`.)
#![allow(clippy::disallowed_methods)] // tests read their fixture files

use std::path::Path;

use deluge::{Limits, NullHost, Program};

fn exercise(source: &str) {
    match Program::parse(source) {
        Ok(program) => {
            let limits = Limits {
                max_statements: 200,
                ..Limits::default()
            };
            let _ = program.run(&mut NullHost::default(), &Default::default(), &limits);
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in diags.iter().take(3) {
                let _ = d.render(source);
            }
        }
    }
}

#[test]
fn truncated_and_damaged_golden_scripts_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "dg"))
        .collect();
    scripts.sort();
    let mut cases = 0;
    for script in &scripts {
        let source = std::fs::read_to_string(script).expect("script readable");
        let cuts: Vec<usize> = source.char_indices().map(|(i, _)| i).step_by(5).collect();
        for &cut in &cuts {
            exercise(&source[..cut]);
            cases += 1;
        }
        let lines: Vec<&str> = source.lines().collect();
        for skip in 0..lines.len() {
            let damaged: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            exercise(&damaged.join("\n"));
            cases += 1;
        }
    }
    assert!(cases > 1000, "only {cases} cases");
}
