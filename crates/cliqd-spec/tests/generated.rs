//! The checked-in generated files (OPERATIONS.md, CONTRADICTIONS.md) match the documents.
//! `CLIQD_SPEC_BLESS=1` rewrites them instead of comparing.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Checks against the upstream documents, run by `.ci/upstream-conformance`.
mod upstream_conformance {
    use std::path::Path;

    use cliqd_spec::{
        Spec, check_consistency, contradictions_markdown, default_seeds_dir, known_contradictions,
        load_seed_pages, operations_markdown, plans_markdown,
    };

    fn compare_or_bless(file: &str, generated: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        if std::env::var_os("CLIQD_SPEC_BLESS").is_some() {
            std::fs::write(&path, generated).expect("write generated file");
            return;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == generated,
            "{file} is out of date: run CLIQD_SPEC_BLESS=1 .ci/upstream-conformance"
        );
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn operations_md_is_current() {
        let spec = Spec::load_default().expect("documents load");
        let known = known_contradictions().expect("contradictions.toml parses");
        let md = operations_markdown(&spec) + &plans_markdown(&spec, &known);
        compare_or_bless("OPERATIONS.md", &md);
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn contradictions_md_is_current() {
        let spec = Spec::load_default().expect("documents load");
        let seeds = load_seed_pages(&default_seeds_dir()).expect("seed pages load");
        let found = check_consistency(&spec, &seeds);
        let known = known_contradictions().expect("contradictions.toml parses");
        compare_or_bless(
            "CONTRADICTIONS.md",
            &contradictions_markdown(&found, &known),
        );
    }
}
