//! Forms over real HTTP and the WebSocket: a multi-step form from its permalink (view →
//! change adds inputs → dynamic select → invalid submit → valid submit → next form →
//! message), forms opened by a button, cancel, expiry, ownership and durability.

use crate::handlers_run::{event, executions};
use crate::helpers::{TestApp, spawn, spawn_with};
use crate::interactive::function;
use crate::messaging::general_chat;
use crate::messaging_realtime::connect;
use serde_json::{Value, json};
use std::time::Duration;

const VIEW: &str = r#"
return {"type": "form", "title": "Asset Request", "name": "asset", "button_label": "Raise", "trigger_on_cancel": true,
 "action": {"type": "invoke.function", "name": "Asset"},
 "inputs": [
   {"type": "text", "name": "username", "label": "Name", "placeholder": "you", "mandatory": true, "value": params.get("who")},
   {"type": "select", "name": "asset-type", "label": "Asset", "trigger_on_change": true, "options": [{"label": "Laptop", "value": "laptop"}, {"label": "Mobile", "value": "mobile"}]},
   {"type": "text", "name": "note", "label": "Note", "placeholder": "n"}
 ]};
"#;

const CHANGE: &str = r#"
if(target.get("value").get("value") == "mobile") {
 return {"type": "form_modification", "actions": [
   {"type": "add_after", "name": "asset-type", "input": {"type": "dynamic_select", "name": "mobile-list", "label": "Model", "placeholder": "pick", "mandatory": true}},
   {"type": "add_before", "name": "username", "input": {"type": "text", "name": "team", "label": "Team", "placeholder": "t"}},
   {"type": "update", "name": "note", "input": {"type": "textarea", "name": "note", "label": "Why", "placeholder": "w", "max_length": 10}},
   {"type": "disable", "name": "team"},
   {"type": "enable", "name": "team"},
   {"type": "clear", "name": "username"}
 ]};
}
return {"type": "form_modification", "actions": [{"type": "remove", "name": "note"}]};
"#;

const OPTIONS: &str = r#"
q = target.get("query");
opts = List();
if("google pixel".contains(q)) { opts.add({"label": "Google Pixel", "value": "pixel"}); }
opts.add({"label": "Other " + q, "value": "other"});
return {"options": opts};
"#;

const SUBMIT: &str = r#"
f = form;
v = f.get("values");
if(f.get("action") == "cancel") { return {"type": "banner", "text": "cancelled " + f.get("name"), "status": "success"}; }
if(f.get("name") == "asset") {
  if(v.get("note") == "bad") { return {"type": "form_error", "text": "no", "inputs": {"note": "not this"}}; }
  return {"type": "form", "title": "Confirm", "name": "confirm", "action": {"type": "invoke.function", "name": "Asset"}, "inputs": [{"type": "toggle", "name": "sure", "label": "Sure?"}]};
}
return {"text": "done " + v.get("sure") + " for " + user.get("first_name")};
"#;

async fn asset_function(app: &TestApp) -> String {
    function(
        app,
        "Asset",
        "form",
        &[
            ("form_view_handler", VIEW),
            ("form_change_handler", CHANGE),
            ("form_dynamic_select_handler", OPTIONS),
            ("form_submit_handler", SUBMIT),
        ],
    )
    .await
}

fn names(form: &Value) -> Vec<String> {
    form["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

async fn form_call(
    app: &TestApp,
    token: &str,
    id: &str,
    op: &str,
    body: Value,
) -> crate::helpers::Reply {
    app.post(&format!("/api/v3/forms/{id}/{op}"), token, body)
        .await
}

#[tokio::test]
async fn a_multi_step_form_from_its_permalink() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let f = asset_function(&app).await;
    let mut ws = connect(&app, &scott).await;

    // View: the permalink's query parameters reach the handler; a session opens.
    let r = app
        .get(&format!("/api/v3/functions/{f}/form?who=Harold"), &scott)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "form");
    assert_eq!(r.body["data"]["inputs"][0]["value"], "Harold");
    let id = r.body["form_id"].as_str().unwrap().to_string();
    let opened = event(&mut ws, "form_opened").await;
    assert_eq!(opened["data"]["form_id"], id.as_str());

    // Change: the modification is applied to the session's form and answered.
    let r = form_call(&app, &scott, &id, "change",
        json!({"name": "asset-type", "value": {"label": "Mobile", "value": "mobile"}, "values": {}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "form");
    assert_eq!(
        names(&r.body["data"]),
        ["team", "username", "asset-type", "mobile-list", "note"]
    );
    let inputs = r.body["data"]["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["disabled"], false);
    assert!(inputs[1].get("value").is_none(), "cleared: {}", inputs[1]);
    assert_eq!(inputs[4]["type"], "textarea");
    // An input without trigger_on_change is refused.
    let r = form_call(
        &app,
        &scott,
        &id,
        "change",
        json!({"name": "note", "value": "x"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Dynamic select.
    let r = form_call(
        &app,
        &scott,
        &id,
        "options",
        json!({"name": "mobile-list", "query": "pix"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "options");
    assert_eq!(r.body["data"]["options"][0]["value"], "pixel");
    assert_eq!(r.body["data"]["options"][1]["label"], "Other pix");
    let r = form_call(
        &app,
        &scott,
        &id,
        "options",
        json!({"name": "note", "query": "x"}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Invalid submit: errors per field, nothing runs.
    let before = executions(&app, "handler=form_submit_handler", 0)
        .await
        .len();
    let r = form_call(&app, &scott, &id, "submit", json!({"values": {
        "asset-type": {"label": "Tablet", "value": "tablet"}, "note": "far too long a note", "ghost": 1}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "form_error");
    let errs = r.body["data"]["inputs"].as_object().unwrap();
    let mut keys: Vec<&str> = errs.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["asset-type", "ghost", "mobile-list", "note", "username"]
    );
    assert_eq!(
        executions(&app, "handler=form_submit_handler", 0)
            .await
            .len(),
        before
    );

    // The handler's own form_error keeps the form open.
    let good = json!({"username": "Harold", "asset-type": {"label": "Mobile", "value": "mobile"},
                      "mobile-list": {"label": "Google Pixel", "value": "pixel"}});
    let mut bad = good.clone();
    bad["note"] = "bad".into();
    let r = form_call(&app, &scott, &id, "submit", json!({"values": bad})).await;
    assert_eq!(r.body["type"], "form_error", "{}", r.body);
    assert_eq!(r.body["data"]["inputs"]["note"], "not this");

    // Valid submit: the next step, in the same session.
    let r = form_call(&app, &scott, &id, "submit", json!({"values": good})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "form", "{}", r.body);
    assert_eq!(r.body["form_id"], id.as_str());
    assert_eq!(r.body["data"]["name"], "confirm");
    // Another user cannot touch it.
    let r = form_call(
        &app,
        &olivia,
        &id,
        "submit",
        json!({"values": {"sure": true}}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (404, "form_not_found"),
        "{}",
        r.body
    );
    // Toggles are booleans.
    let r = form_call(
        &app,
        &scott,
        &id,
        "submit",
        json!({"values": {"sure": "yes"}}),
    )
    .await;
    assert_eq!(r.body["type"], "form_error", "{}", r.body);
    // The last step answers a message, to the invoker only, and closes the session.
    let r = form_call(
        &app,
        &scott,
        &id,
        "submit",
        json!({"values": {"sure": true}}),
    )
    .await;
    assert_eq!(r.body["type"], "message", "{}", r.body);
    assert_eq!(r.body["data"]["text"], "done true for Scott");
    assert_eq!(r.body["closed"], true);
    let e = event(&mut ws, "ephemeral_message").await;
    assert_eq!(e["data"]["message"]["text"], "done true for Scott");
    let r = form_call(
        &app,
        &scott,
        &id,
        "submit",
        json!({"values": {"sure": true}}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (410, "form_expired"),
        "{}",
        r.body
    );
    let r = form_call(&app, &scott, "nope", "submit", json!({"values": {}})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (404, "form_not_found"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn forms_open_from_buttons_cancel_expire_and_survive_a_restart() {
    let mut app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    asset_function(&app).await;
    function(
        &app,
        "Ask",
        "button",
        &[(
            "button_handler",
            &VIEW.replace("params.get(\"who\")", "user.get(\"first_name\")"),
        )],
    )
    .await;
    let general = general_chat(&app, &scott).await;
    let admin = app.admin.email.clone();
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &app.admin_token,
            json!({"text": "request", "sync_message": true, "buttons": [{"label": "Ask",
                   "action": {"type": "invoke.function", "data": {"name": "Ask", "owner": admin}}}]}),
        )
        .await;
    let msg = r.body["message_id"].as_str().unwrap().to_string();
    let click = |app: &TestApp| {
        let (general, msg, scott) = (general.clone(), msg.clone(), scott.clone());
        let path = format!("/api/v3/chats/{general}/messages/{msg}/click");
        let client = app.client.clone();
        let base = app.base.clone();
        async move {
            let r = client
                .post(format!("{base}{path}"))
                .header("Authorization", format!("Zoho-oauthtoken {scott}"))
                .json(&json!({"button": "buttons[0]"}))
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    let r = click(&app).await;
    assert_eq!(r["type"], "form", "{r}");
    assert_eq!(r["data"]["inputs"][0]["value"], "Scott");
    let id = r["form_id"].as_str().unwrap().to_string();

    // Durable: the session outlives a restart.
    app.restart().await;
    let r = form_call(
        &app,
        &scott,
        &id,
        "change",
        json!({"name": "asset-type", "value": {"label": "Laptop", "value": "laptop"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(names(&r.body["data"]), ["username", "asset-type"]);

    // Cancel runs the cancel action (trigger_on_cancel), then the session is closed.
    let r = form_call(&app, &scott, &id, "cancel", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "banner", "{}", r.body);
    assert_eq!(r.body["data"]["text"], "cancelled asset");
    assert_eq!(r.body["closed"], true);
    let r = form_call(&app, &scott, &id, "cancel", json!({})).await;
    assert_eq!(r.code(), "form_expired", "{}", r.body);
}

#[tokio::test]
async fn forms_expire() {
    let app = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.form_ttl = Duration::from_millis(50);
    })
    .await;
    let scott = app.token_for(&app.users[0]).await;
    let f = asset_function(&app).await;
    let r = app
        .get(&format!("/api/v3/functions/{f}/form"), &scott)
        .await;
    let id = r.body["form_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(120)).await;
    let r = form_call(&app, &scott, &id, "submit", json!({"values": {}})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (410, "form_expired"),
        "{}",
        r.body
    );
    // A view handler that does not return a form is refused.
    let g = function(
        &app,
        "NotForm",
        "form",
        &[("form_view_handler", r#"return {"text": "hi"};"#)],
    )
    .await;
    let r = app
        .get(&format!("/api/v3/functions/{g}/form"), &scott)
        .await;
    assert_eq!(r.body["type"], "banner", "{}", r.body);
    assert!(r.body.get("form_id").is_none());
    let r = app.get("/api/v3/functions/424242/form", &scott).await;
    assert_eq!(r.code(), "function_not_found", "{}", r.body);
}
