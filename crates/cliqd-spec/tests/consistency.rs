//! Zoho's documents against themselves: every example validates against its own schema, the
//! documents agree with each other and with the seed pages, except for the contradictions
//! listed (with the variant cliqd follows) in contradictions.toml.

/// Checks against the upstream documents, run by `.ci/upstream-conformance`.
mod upstream_conformance {
    use cliqd_spec::{
        ContradictionKind, Spec, check_consistency, default_seeds_dir, known_contradictions,
        load_seed_pages, reconcile,
    };

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn every_contradiction_is_listed_and_every_listed_one_exists() {
        let spec = Spec::load_default().expect("documents load");
        let seeds = load_seed_pages(&default_seeds_dir()).expect("seed pages load");
        let found = check_consistency(&spec, &seeds);
        let known = known_contradictions().expect("contradictions.toml parses");
        let r = reconcile(&found, &known);
        let mut report = String::new();
        for c in &r.unlisted {
            report.push_str(&format!("\nunlisted {} ({:?}):", c.id, c.kind));
            for d in &c.details {
                report.push_str(&format!("\n    {d}"));
            }
        }
        for id in &r.stale {
            report.push_str(&format!("\nlisted but not found any more: {id}"));
        }
        assert!(
            r.unlisted.is_empty() && r.stale.is_empty(),
            "contradictions.toml is out of step with the documents:{report}"
        );
        for k in &known {
            assert!(
                !k.follows.trim().is_empty(),
                "{}: says nothing it follows",
                k.id
            );
            assert!(!k.why.trim().is_empty(), "{}: says no why", k.id);
            for op in &k.operations {
                let (doc, id) = op
                    .split_once(':')
                    .expect("operations are document:operation_id");
                assert!(
                    spec.operation(doc, id).is_ok(),
                    "{}: unknown operation {op}",
                    k.id
                );
            }
        }
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn no_documented_schema_is_broken() {
        let spec = Spec::load_default().expect("documents load");
        let found = check_consistency(&spec, &[]);
        let broken: Vec<_> = found
            .iter()
            .filter(|c| c.kind == ContradictionKind::BrokenSchema)
            .map(|c| format!("{}: {:?}", c.id, c.details))
            .collect();
        assert!(broken.is_empty(), "{broken:#?}");
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn known_digest_discrepancies_are_detected() {
        // Digest §17 lists these; the checks must find them on their own.
        let spec = Spec::load_default().expect("documents load");
        let seeds = load_seed_pages(&default_seeds_dir()).expect("seed pages load");
        let ids: Vec<String> = check_consistency(&spec, &seeds)
            .into_iter()
            .map(|c| c.id)
            .collect();
        for expected in [
            "example:bots:create_a_new_bot:request:deluge_bot",
            "seed:bots:send_a_bot_message:path",
            "seed:extensions:install_an_extension:query",
            "seed:messageactions:create_a_new_message_action:scopes",
            "seed:bots:send_a_bot_message:scopes",
            "undeclared:functions:createFunctionHandler:200:button_handler_deluge",
            "undeclared:buttons:confirmationPopup:request:schema",
        ] {
            assert!(ids.iter().any(|i| i == expected), "{expected} not detected");
        }
    }
}
