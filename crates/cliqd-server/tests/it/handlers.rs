//! Bot handlers: create, get, update, delete, the permission matrix and script checks.

use crate::helpers::spawn;
use serde_json::json;

#[tokio::test]
async fn deluge_handlers() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = app.create_bot("Deluge Bot").await;
    let base = format!("/api/v3/bots/b-{id}/handlers");

    let r = app
        .post(
            &base,
            &t,
            json!({"type": "message_handler", "script": "return {\"text\": \"hi\"};"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "execution_handler");
    assert_eq!(r.body["url"], format!("{base}/message_handler"));
    assert_eq!(r.body["data"]["type"], "message_handler");
    assert!(r.body["data"].get("permissions").is_none());

    let cases = [
        (json!({"script": "return {};"}), "invalid_inputs"),
        (
            json!({"type": "dance_handler", "script": "return {};"}),
            "invalid_inputs",
        ),
        (
            json!({"type": "welcome_handler"}),
            "execution_handler_data_required",
        ),
        // Permissions alone on a Deluge bot are refused (with a script too, they are ignored:
        // see `both_script_and_permissions_apply_the_fitting_one`).
        (
            json!({"type": "welcome_handler", "permissions": ["user"]}),
            "invalid_inputs",
        ),
        (
            json!({"type": "welcome_handler", "script": "return {};", "name": "n"}),
            "invalid_inputs",
        ),
        (
            json!({"type": "message_handler", "script": "return {};"}),
            "execution_handler_create_failed",
        ),
        (
            json!({"type": "menu_handler", "script": "return {};"}),
            "execution_handler_data_required",
        ),
        (
            json!({"type": "menu_handler", "script": "return {};", "name": "a".repeat(16)}),
            "invalid_inputs",
        ),
        (
            json!({"type": "menu_handler", "script": "return {};", "name": "n", "icon": "wand"}),
            "invalid_inputs",
        ),
        (
            json!({"type": "menu_handler", "script": "return {};", "name": "n", "sub_actions": vec![json!({"name": "s"}); 6]}),
            "invalid_inputs",
        ),
        (
            json!({"type": "welcome_handler", "script": "x".repeat(250 * 1024 + 1)}),
            "execution_handler_data_invalid",
        ),
    ];
    for (body, code) in cases {
        let r = app.post(&base, &t, body.clone()).await;
        assert_eq!(
            r.code(),
            code,
            "{} -> {}",
            &body.to_string()[..body.to_string().len().min(120)],
            r.body
        );
    }

    // Menu actions: up to five, each addressed by handler_id.
    let mut menu_ids = Vec::new();
    for i in 0..5 {
        let r = app
            .post(&base, &t, json!({"type": "menu_handler", "script": "return {};", "name": format!("Action {i}"), "icon": "wand/FF5733",
                                    "sub_actions": [{"name": "Sub", "icon": "emoji-name/627282"}]}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["data"]["display_props"]["position"], i + 1);
        assert_eq!(
            r.body["data"]["display_props"]["name"],
            format!("Action {i}")
        );
        menu_ids.push(r.body["data"]["id"].as_str().unwrap().to_string());
    }
    let r = app
        .post(
            &base,
            &t,
            json!({"type": "menu_handler", "script": "return {};", "name": "Six"}),
        )
        .await;
    assert_eq!(r.code(), "execution_handler_create_failed");
    let r = app.get(&format!("{base}/menu_handler"), &t).await;
    assert_eq!(
        r.code(),
        "execution_handler_data_required",
        "several menu actions need handler_id"
    );
    let r = app
        .get(
            &format!("{base}/menu_handler?handler_id={}", menu_ids[2]),
            &t,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["name"], "Action 2");
    assert_eq!(r.body["data"]["return_type"], "MAP");
    assert_eq!(
        r.body["data"]["params"].as_array().unwrap().last().unwrap()["param_name"],
        "sub_action"
    );

    let g = app.get(&format!("{base}/message_handler"), &t).await;
    assert_eq!(g.body["data"]["script"], "return {\"text\": \"hi\"};");
    assert_eq!(
        g.body["data"]["params"][0],
        json!({"param_name": "access", "param_type": "MAP"})
    );
    let u = app
        .patch(
            &format!("{base}/message_handler"),
            &t,
            json!({"script": "return {};"}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    let g = app.get(&format!("{base}/message_handler"), &t).await;
    assert_eq!(g.body["data"]["script"], "return {};");

    let bot = app.get(&format!("/api/v3/bots/{id}"), &t).await;
    assert_eq!(bot.body["data"]["handlers"].as_array().unwrap().len(), 6);

    assert_eq!(
        app.delete(&format!("{base}/message_handler"), &t)
            .await
            .status,
        204
    );
    let r = app.get(&format!("{base}/message_handler"), &t).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (404, "execution_handler_not_found")
    );
    let r = app
        .delete(&format!("{base}/menu_handler?handler_id=123"), &t)
        .await;
    assert_eq!(r.code(), "execution_handler_not_found");
    assert_eq!(
        app.delete(
            &format!("{base}/menu_handler?handler_id={}", menu_ids[0]),
            &t
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn webhook_handlers_and_permission_matrix() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = app
        .create_bot_as(&t, json!({"name": "Hook", "description": "d", "execution_type": "webhook", "execution_url": "https://example.com/h"}))
        .await;
    let base = format!("/api/v3/bots/{id}/handlers");
    let r = app
        .post(
            &base,
            &t,
            json!({"type": "message_handler", "script": "return {};"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .post(
            &base,
            &t,
            json!({"type": "welcome_handler", "permissions": ["chat"]}),
        )
        .await;
    assert_eq!(
        r.code(),
        "invalid_inputs",
        "welcome_handler allows only user"
    );
    let r = app
        .post(
            &base,
            &t,
            json!({"type": "message_handler", "permissions": ["bogus"]}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .post(&base, &t, json!({"type": "message_handler", "permissions": ["chat", "user", "message", "location", "attachments"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["permissions"],
        json!(["chat", "user", "message", "location", "attachments"])
    );
    let r = app
        .post(
            &base,
            &t,
            json!({"type": "call_handler", "permissions": ["user"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .patch(
            &format!("{base}/message_handler"),
            &t,
            json!({"permissions": ["chat"]}),
        )
        .await;
    assert_eq!(r.body["data"]["permissions"], json!(["chat"]));
    let g = app.get(&format!("{base}/call_handler"), &t).await;
    assert_eq!(g.body["data"]["permissions"], json!(["user"]));
    assert!(g.body["data"].get("script").is_none());
}

#[tokio::test]
async fn scripts_are_checked_by_deluge() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = app.create_bot("Checked").await;
    let bad = "response = Map();\nif (x > {\n";
    let r = app
        .post(
            &format!("/api/v3/bots/{id}/handlers"),
            &t,
            json!({"type": "message_handler", "script": bad}),
        )
        .await;
    match deluge::check(bad) {
        // The deluge crate rejects it: the API must refuse it and say where.
        Err(diags) => {
            assert_eq!(r.code(), "execution_handler_data_invalid");
            let msg = r.body["message"].as_str().unwrap();
            assert!(msg.contains(&format!("line {}", diags[0].line)), "{msg}");
        }
        // Until the parser lands, `deluge::check` accepts everything.
        Ok(()) => assert_eq!(r.status, 200),
    }
}
