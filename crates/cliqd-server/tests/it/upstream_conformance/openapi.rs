//! Conformance with Zoho's OpenAPI documents: runs `cliqd_spec`'s plan for the platform area against the
//! real server — every documented request example of every in-scope operation, in dependency
//! order with created IDs substituted — and checks each reply's status and body against the
//! documented response schema. Because every documented success schema accepts `{}`, members
//! that every documented reply example shows and a reply lacks fail the test too, unless
//! [`MISSING_MEMBER_EXCEPTIONS`] justifies them.

use crate::helpers::spawn;
use cliqd_server::admin;
use cliqd_spec::scope::Area;
use cliqd_spec::{Conformance, IdContext, Method as SpecMethod, known_contradictions};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;

/// Operations whose endpoints are built on the `functions` branch (functions and message
/// actions), in parallel with this one. Their planned requests are skipped here, and only here.
/// This list MUST be emptied when `functions` is merged: from then on every in-scope operation
/// is checked.
const NOT_YET_ON_THIS_BRANCH: &[&str] = &[];

/// Replies that validate but lack members every documented example shows, and why that is
/// right. Matched against the warning text: (operation id, JSON pointer, reason).
const MISSING_MEMBER_EXCEPTIONS: &[(&str, &str, &str)] = &[
    // The reply holds exactly the keys asked for that exist (the plan asks for `api_key`
    // only); the documented example asked for three keys.
    (
        "get_extension_properties",
        "/region",
        "only the requested keys are returned",
    ),
    (
        "get_extension_properties",
        "/max_retries",
        "only the requested keys are returned",
    ),
    // PATCH answers with exactly the pairs it was sent (the operation's own description); the
    // examples of the two documented requests differ, and set_single sends only `api_key`.
    (
        "add_or_update_extension_proper",
        "/region",
        "only the submitted keys are returned",
    ),
    (
        "add_or_update_extension_proper",
        "/max_retries",
        "only the submitted keys are returned",
    ),
    // The run creates fewer bots than a page holds, and the last page has no next_token
    // (<https://www.zoho.com/cliq/help/restapi/v2/>: "next_token is absent on the last page").
    (
        "list_all_bots",
        "/next_token",
        "no next_token on the last page",
    ),
    (
        "list_all_functions",
        "/next_token",
        "no next_token on the last page",
    ),
    // The plan reads the webhook bot's message_handler; the documented example is a Deluge
    // menu_handler. A webhook handler has no script, and name/icon exist for menu handlers only.
    (
        "get_details_of_a_specific_bot_handler",
        "/data/script",
        "webhook handlers have no script",
    ),
    (
        "get_details_of_a_specific_bot_handler",
        "/data/name",
        "name is a menu_handler member",
    ),
    (
        "get_details_of_a_specific_bot_handler",
        "/data/icon",
        "icon is a menu_handler member",
    ),
];

/// Planned requests that cliqd rightly refuses: (operation id, selector, HTTP status, error
/// code, why). The selector is the request example's name or, for requests without a body, the
/// end of the request path. Their replies are checked against this status and code instead of
/// the plan's. The function entries act once `functions` is merged.
const PLAN_REFUSALS: &[(&str, &str, u16, &str, &str)] = &[
    (
        "update_a_handler_for_a_bot",
        "schema",
        400,
        "invalid_inputs",
        "the schema-level example is a Deluge menu_handler update (script, name, icon, \
         sub_actions); the plan sends it to the webhook bot's message_handler, which takes \
         neither a script (Deluge only) nor menu members",
    ),
    (
        "createFunctionHandler",
        "form_submit_handler_webhook",
        400,
        "invalid_inputs",
        "the plan sends the webhook example (permissions) to the Deluge form function; \
         permissions are for webhook components only (platform area)",
    ),
    (
        "updateFunctionHandler",
        "update_permissions_webhook_form",
        400,
        "invalid_inputs",
        "the plan sends the webhook example (permissions) to the Deluge form function; \
         permissions are for webhook components only (platform area)",
    ),
    (
        "updateFunctionHandler",
        "form_change_handler",
        404,
        "execution_handler_not_found",
        "the plan updates form_change_handler, which no earlier request created; PATCH never \
         creates a handler (the documented update errors include execution_handler_not_found)",
    ),
];

/// Whether a planned request is the one a [`PLAN_REFUSALS`] selector names.
fn selects(example: Option<&str>, url: &str, selector: &str) -> bool {
    match example {
        Some(name) => name == selector,
        None => url.split('?').next().unwrap_or(url).ends_with(selector),
    }
}

fn is_skipped(document: &str, operation_id: &str) -> bool {
    let key = format!("{document}:{operation_id}");
    NOT_YET_ON_THIS_BRANCH.iter().any(|p| key.starts_with(p))
}

fn method(m: SpecMethod) -> Method {
    Method::from_bytes(m.as_str().as_bytes()).unwrap_or(Method::GET)
}

fn excepted(warning: &str) -> bool {
    MISSING_MEMBER_EXCEPTIONS
        .iter()
        .any(|(op, pointer, _)| warning.contains(&format!(" {op}: {pointer}:")))
}

#[tokio::test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
async fn issue_3_operations_conform_to_the_openapi_documents() {
    let app = spawn().await;
    let ext = admin::create_extension(app.store(), app.admin.org_id, "Conformance", None)
        .await
        .unwrap();
    let ctx = IdContext::new()
        .with("EXTENSION_ID", &ext.extension.id.to_string())
        .with("extension_key", &ext.extension_key)
        // The admin is a member of Engineering, the first demo team.
        .with("TEAM_ID", &app.teams[0].to_string())
        .with("TEAM_ID.1", &app.teams[1].to_string())
        .with("USER_ID", &app.users[0].id.to_string());
    let base = format!("{}/api/v3", app.base);
    let mut run = Conformance::new(Some(Area::Platform), &base, &app.admin_token, ctx)
        .unwrap_or_else(|e| panic!("{e}"));

    let steps: Vec<(usize, String, String, Option<String>)> = run
        .requests()
        .iter()
        .map(|r| {
            (
                r.step,
                r.document.clone(),
                r.operation_id.clone(),
                r.example.clone(),
            )
        })
        .collect();
    let mut refusal_failures = Vec::new();
    let mut skipped = Vec::new();
    let mut checked = BTreeSet::new();
    let mut report = Vec::new();
    for (step, document, operation_id, example) in &steps {
        if is_skipped(document, operation_id) {
            skipped.push(format!("{step} {document}:{operation_id}"));
            continue;
        }
        let prepared = match run.prepare(*step) {
            Ok(p) => p,
            Err(e) => {
                run.record_error(*step, &e.to_string());
                continue;
            }
        };
        let mut req = app.client.request(method(prepared.method), &prepared.url);
        for (name, value) in &prepared.headers {
            req = req.header(name, value);
        }
        if let Some(body) = &prepared.body {
            req = req.body(body.to_string());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                run.record_error(*step, &format!("request failed: {e}"));
                continue;
            }
        };
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(_) => {
                    run.record_error(*step, &format!("status {status}, non-JSON body: {text}"));
                    continue;
                }
            }
        };
        let refusal = PLAN_REFUSALS.iter().find(|(op, selector, ..)| {
            op == operation_id && selects(example.as_deref(), &prepared.url, selector)
        });
        let outcome = match refusal {
            Some((_, _, want_status, want_code, why)) => {
                println!("step {step} {operation_id}: expecting refusal, {why}");
                let ok = status == *want_status && body["code"] == *want_code;
                if !ok {
                    refusal_failures.push(format!(
                        "step {step} {operation_id}: expected {want_status} {want_code}, got {status} {body}"
                    ));
                }
                if ok { Ok(()) } else { Err(Vec::new()) }
            }
            None => run.record(*step, status, &body),
        };
        report.push(format!(
            "{step:>3} {} {} -> {status}{}",
            prepared.method,
            operation_id,
            if outcome.is_ok() {
                String::new()
            } else {
                format!(
                    "  MISMATCH: sent {}, got {text}",
                    prepared
                        .body
                        .as_ref()
                        .map_or(String::new(), Value::to_string)
                )
            }
        ));
        checked.insert(format!("{document}:{operation_id}"));
    }

    println!("conformance run, platform area:\n{}", report.join("\n"));
    println!("skipped until `functions` merges: {}", skipped.len());

    // Which variant cliqd follows where the documents contradict each other, for the
    // operations this run checked.
    let known = known_contradictions().unwrap();
    for k in &known {
        let concerns = checked
            .iter()
            .any(|op| k.operations.iter().any(|o| o == op) || k.id.contains(&format!(":{op}:")));
        if concerns {
            println!(
                "contradiction {}: cliqd follows {} ({})",
                k.id, k.follows, k.why
            );
        }
    }

    let missing: Vec<String> = run
        .warnings()
        .iter()
        .filter(|w| !excepted(w))
        .cloned()
        .collect();
    let mut failures = match run.finish() {
        Ok(()) => Vec::new(),
        Err(f) => f,
    };
    failures.extend(refusal_failures);
    assert!(
        failures.is_empty() && missing.is_empty(),
        "conformance failures:\n{}\n\nmissing members (every documented example has them):\n{}",
        failures.join("\n"),
        missing.join("\n")
    );
    // The skip list must not hide anything else: every other planned operation ran.
    assert!(checked.iter().any(|op| op.starts_with("extensions:")));
    assert!(checked.iter().any(|op| op.starts_with("bots:")));
}
