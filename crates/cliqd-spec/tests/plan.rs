//! Conformance plans built from the real documents: order, ID bindings, and the reply check,
//! exercised against a simulated server that answers with the documented examples.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Checks against the upstream documents, run by `.ci/upstream-conformance`.
mod upstream_conformance {
    use std::collections::BTreeSet;

    use cliqd_spec::scope::{Area, in_scope};
    use cliqd_spec::{
        Binding, IdContext, KnownContradiction, Method, PlannedRequest, Spec, check_response,
        known_contradictions, missing_example_members, plan,
    };
    use serde_json::{Value, json};

    fn spec() -> &'static Spec {
        static SPEC: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
        SPEC.get_or_init(|| Spec::load_default().expect("documents load"))
    }

    fn setup(area: Area) -> (&'static Spec, Vec<KnownContradiction>, Vec<PlannedRequest>) {
        let spec = spec();
        let known = known_contradictions().expect("contradictions.toml parses");
        let ops = in_scope(spec, Some(area));
        let p = plan(&ops, &known);
        (spec, known, p)
    }

    /// What the caller seeds: things no in-scope operation creates.
    fn seeded() -> IdContext {
        IdContext::new()
            .with("EXTENSION_ID", "53719000001887001")
            .with("extension_key", "ek-1")
            .with("TEAM_ID", "9000001")
            .with("USER_ID", "70027934")
            .with("USER_ID.1", "70027935")
            .with("USER_ID.2", "70027936")
            .with("USER_ID.3", "70027937")
            .with("MESSAGE_ID", "1599387839188_229293271789")
            .with("CHANNEL_ID", "O1234")
            .with("CHANNEL_UNIQUE_NAME", "general")
            .with("THREAD_CHAT_ID", "CT_1_2-T-3")
            .with("BOT_UNIQUE_NAME", "cicdbot")
    }

    fn ids_in(req: &PlannedRequest) -> Vec<String> {
        req.path_bindings
            .values()
            .chain(req.query.iter().map(|q| &q.1))
            .filter_map(|b| match b {
                Binding::Id(k) => Some(k.clone()),
                Binding::Literal(_) => None,
            })
            .collect()
    }

    fn is_parent_path(parent: &str, child: &str) -> bool {
        child.len() > parent.len()
            && child.starts_with(parent)
            && child[parent.len()..].starts_with('/')
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn platform_plan_covers_scope_in_a_sensible_order() {
        let (spec, _, p) = setup(Area::Platform);
        let ops = in_scope(spec, Some(Area::Platform));
        let planned: BTreeSet<(&str, &str)> = p
            .iter()
            .map(|r| (r.document.as_str(), r.operation_id.as_str()))
            .collect();
        for op in &ops {
            assert!(
                planned.contains(&(op.document.as_str(), op.operation_id.as_str())),
                "{} not planned",
                op.label()
            );
        }
        // Each captured key is used only after the step that captures it.
        for (i, r) in p.iter().enumerate() {
            assert_eq!(r.step, i);
            for key in ids_in(r).into_iter().filter(|k| k.contains('#')) {
                let producer = p[..i]
                    .iter()
                    .find(|e| e.captures.iter().any(|c| c.key == key));
                assert!(
                    producer.is_some(),
                    "step {i} {} uses {key} before it exists",
                    r.operation_id
                );
            }
        }
        // Deletes come last, children before their parents.
        let first_delete = p
            .iter()
            .position(|r| r.method == Method::Delete)
            .expect("deletes");
        assert!(p[first_delete..].iter().all(|r| r.method == Method::Delete));
        for (i, a) in p.iter().enumerate().skip(first_delete) {
            for b in &p[i + 1..] {
                assert!(
                    !is_parent_path(&a.path_template, &b.path_template),
                    "{} deleted before its child {}",
                    a.path_template,
                    b.path_template
                );
            }
        }
        // Create comes first: the very first request creates a bot.
        assert_eq!(p[0].operation_id, "create_a_new_bot");
        assert_eq!(p[0].captures[0].pointer, "/data/id");
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn children_bind_to_the_fitting_parent_variant() {
        let (_, _, p) = setup(Area::Platform);
        let step_of = |op: &str, ex: &str| {
            p.iter()
                .find(|r| r.operation_id == op && r.example.as_deref() == Some(ex))
                .unwrap_or_else(|| panic!("{op} {ex} planned"))
        };
        let webhook_fn = step_of("create_a_new_function", "button_function_webhook");
        let webhook_handler = step_of("createFunctionHandler", "button_handler_webhook");
        assert_eq!(
            webhook_handler.path_bindings["FUNCTION_ID"],
            Binding::Id(format!("FUNCTION_ID#{}", webhook_fn.step))
        );
        let form_fn = step_of("create_a_new_function", "form_function");
        let form_handler = step_of("createFunctionHandler", "form_submit_handler_deluge");
        assert_eq!(
            form_handler.path_bindings["FUNCTION_ID"],
            Binding::Id(format!("FUNCTION_ID#{}", form_fn.step))
        );
        // The handler type of a handler update comes from the creating request's body.
        let menu_update = step_of("update_a_handler_for_a_bot", "update_menu_handler");
        assert_eq!(
            menu_update.path_bindings["HANDLER_TYPE"],
            Binding::Literal("menu_handler".into())
        );
        // An update example named after a handler type addresses that handler, on the function
        // whose example fits.
        let widget_fn = step_of("create_a_new_function", "widget_button_function");
        let widget_update = step_of("updateFunctionHandler", "widget_button_handler");
        assert_eq!(
            widget_update.path_bindings["FUNCTION_HANDLER_TYPE"],
            Binding::Literal("widget_button_handler".into())
        );
        assert_eq!(
            widget_update.path_bindings["FUNCTION_ID"],
            Binding::Id(format!("FUNCTION_ID#{}", widget_fn.step))
        );
        // A documented example that cliqd refuses (contradictions.toml: refused) expects a 400.
        assert_eq!(
            step_of("create_a_handler_for_a_bot", "schema").expected_statuses,
            [400]
        );
        // Message action handlers exist from creation: the enum gives the type.
        let ma = p
            .iter()
            .find(|r| r.operation_id == "getMessageActionHandler")
            .expect("planned");
        assert_eq!(
            ma.path_bindings["HANDLER_TYPE"],
            Binding::Literal("execution_handler".into())
        );
        // The subscribers route takes the bot ID under its own parameter name.
        let subs = p
            .iter()
            .find(|r| r.operation_id == "list_all_subscribers_of_a_bot")
            .expect("planned");
        assert!(
            matches!(&subs.path_bindings["BOT_ID_OR_UNIQUE_NAME"], Binding::Id(k) if k.starts_with("BOT_ID#"))
        );
    }

    /// Answers a planned request with the first documented example of its first expected status.
    fn documented_reply(spec: &Spec, r: &PlannedRequest) -> (u16, Value) {
        let op = spec
            .operation(&r.document, &r.operation_id)
            .expect("operation");
        let status = r.expected_statuses[0];
        let body = op
            .responses
            .get(&status)
            .and_then(|resp| resp.examples.first().map(|e| e.value.clone()))
            .unwrap_or(Value::Null);
        (status, body)
    }

    fn run_simulated(area: Area) -> usize {
        let (spec, known, p) = setup(area);
        let mut ctx = seeded();
        let mut checked = 0;
        for r in &p {
            let url = r
                .url("http://127.0.0.1:1/api/v3", &ctx)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(url.starts_with("http://127.0.0.1:1/api/v3/"), "{url}");
            let body = r.body(&ctx).unwrap_or_else(|e| panic!("{e}"));
            if let Some(rb) = spec
                .operation(&r.document, &r.operation_id)
                .expect("operation")
                .request_body
                .as_ref()
                .filter(|rb| rb.required)
            {
                assert!(
                    body.is_some() || rb.examples.is_empty(),
                    "step {} lacks a body",
                    r.step
                );
            }
            let (status, reply) = documented_reply(spec, r);
            let op = spec
                .operation(&r.document, &r.operation_id)
                .expect("operation");
            if op
                .responses
                .get(&status)
                .is_some_and(|x| x.examples.is_empty())
            {
                // No documented reply to play back; captures cannot run either.
                for c in &r.captures {
                    ctx.set(&c.key, &format!("sim-{}", r.step));
                }
                continue;
            }
            check_response(op, r, status, &reply, &known)
                .unwrap_or_else(|e| panic!("step {}: {e:#?}", r.step));
            assert_eq!(
                missing_example_members(op, status, &reply),
                Vec::<String>::new(),
                "step {}",
                r.step
            );
            r.capture(&reply, &mut ctx)
                .unwrap_or_else(|e| panic!("{e}"));
            checked += 1;
        }
        checked
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn platform_plan_runs_against_documented_replies() {
        let checked = run_simulated(Area::Platform);
        assert!(checked > 40, "only {checked} replies checked");
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn messaging_plan_runs_against_documented_replies() {
        let checked = run_simulated(Area::Messaging);
        assert!(checked > 5, "only {checked} replies checked");
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn bodies_get_real_ids() {
        let (_, _, p) = setup(Area::Platform);
        let team = p
            .iter()
            .find(|r| {
                r.operation_id == "install_an_extension"
                    && r.example.as_deref() == Some("install_team")
            })
            .expect("planned");
        let body = team.body(&seeded()).expect("ids seeded").expect("body");
        // The example's numbers stay numbers.
        assert_eq!(body["team_ids"], json!([9000001, 9000001]));
        assert!(team.body(&IdContext::new()).is_err());
        assert_eq!(
            team.path_and_query(&seeded()).expect("ids seeded"),
            "/extensions/53719000001887001/installation?extension_key=ek-1"
        );
        let headers = team.headers("tok");
        assert!(headers.contains(&("Authorization".into(), "Zoho-oauthtoken tok".into())));
        assert!(headers.iter().any(|h| h.0 == "Content-Type"));
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn mismatches_are_reported_with_pointer_and_the_variant_cliqd_follows() {
        let (spec, known, p) = setup(Area::Platform);
        let r = p
            .iter()
            .find(|r| r.operation_id == "createFunctionHandler")
            .expect("planned");
        let op = spec
            .operation(&r.document, &r.operation_id)
            .expect("operation");
        let errs = check_response(op, r, 200, &json!({"url": 5, "data": []}), &known).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("/url: ")), "{errs:#?}");
        assert!(errs.iter().any(|e| e.contains("/data: ")), "{errs:#?}");
        assert!(
            errs.iter().any(|e| e
                .contains("known contradiction undeclared:functions:createFunctionHandler")
                && e.contains("cliqd follows examples (function object)")),
            "{errs:#?}"
        );
        // A status outside the documented ones fails.
        let errs = check_response(op, r, 201, &json!({}), &known).unwrap_err();
        assert!(errs[0].contains("status 201"), "{errs:?}");
        // A bot delete is documented as 200 {"Response Code": …}; cliqd's 204 without body passes.
        let del = p
            .iter()
            .find(|r| r.operation_id == "delete_a_specific_bot")
            .expect("planned");
        let op = spec
            .operation(&del.document, &del.operation_id)
            .expect("operation");
        assert!(del.expected_statuses.contains(&204));
        assert_eq!(check_response(op, del, 204, &Value::Null, &known), Ok(()));
        assert!(check_response(op, del, 204, &json!({"x": 1}), &known).is_err());
    }

    #[test]
    #[ignore = "upstream conformance: run .ci/upstream-conformance"]
    fn capture_failures_are_errors() {
        let (_, _, p) = setup(Area::Platform);
        let create = &p[0];
        let mut ctx = IdContext::new();
        assert!(create.capture(&json!({"data": {}}), &mut ctx).is_err());
        create
            .capture(
                &json!({"data": {"id": "b-1", "unique_name": "mybot"}}),
                &mut ctx,
            )
            .expect("capture");
        assert_eq!(ctx.get("BOT_ID#0"), Some("b-1"));
        assert_eq!(ctx.get("BOT_UNIQUE_NAME#0"), Some("mybot"));
    }
}
