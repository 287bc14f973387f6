//! Function handlers: default handlers, Deluge scripts, webhook permission matrices, every
//! handler error code.

use super::{BUTTON_PARAMS, SCRIPT, button, code, create_fn};
use crate::helpers::spawn;
use serde_json::{Value, json};

#[tokio::test]
async fn deluge_handlers() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = button(&app, "ApproveRequest").await;
    let handlers = format!("/api/v3/functions/{id}/handlers");
    let handler = format!("{handlers}/button_handler");

    // The default handler exists from creation, not yet configured.
    let g = app.get(&handler, &t).await;
    assert_eq!(g.status, 200, "{}", g.body);
    assert_eq!(g.body["url"], handler);
    assert_eq!(g.body["type"], "button_handler");
    assert_eq!(g.body["data"]["script"], "");
    assert_eq!(g.body["data"]["return_type"], "MAP");
    let params: Vec<Value> = BUTTON_PARAMS
        .iter()
        .map(|(n, t)| json!({"param_name": n, "param_type": t}))
        .collect();
    assert_eq!(g.body["data"]["params"], json!(params));

    // Refused create bodies.
    let refused = [
        (json!({"script": SCRIPT}), 400, "invalid_inputs"),
        (
            json!({"type": "message_handler", "script": SCRIPT}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"type": "form_view_handler", "script": SCRIPT}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler"}),
            400,
            "execution_handler_data_required",
        ),
        (
            json!({"type": "button_handler", "script": "response = ;"}),
            400,
            "execution_handler_data_invalid",
        ),
        (
            json!({"type": "button_handler", "permissions": ["user"]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler", "script": SCRIPT, "name": "x"}),
            400,
            "invalid_inputs",
        ),
    ];
    for (body, status, want) in refused {
        let r = app.post(&handlers, &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
    }
    // A script that does not parse is refused with its position.
    let r = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "script": "response = Map();\nresponse.put(\"a\";"}),
        )
        .await;
    assert_eq!(r.code(), "execution_handler_data_invalid");
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("line 2"), "{msg}");
    // Scripts are limited to 250 KB.
    let big = format!("x = 1;\n{}", "// padding\n".repeat(250 * 1024 / 11 + 1));
    let r = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "script": big}),
        )
        .await;
    assert_eq!(code(&r), (400, "execution_handler_data_invalid"));
    assert!(r.body["message"].as_str().unwrap().contains("250 KB"));

    // The first create configures the default handler; the reply is the function object.
    let c = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["type"], "function");
    assert_eq!(c.body["url"], handlers);
    assert_eq!(c.body["data"]["id"], id);
    assert_eq!(
        c.body["data"]["handlers"],
        json!([{"type": "button_handler"}])
    );
    let again = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(code(&again), (409, "execution_handler_create_failed"));

    let g = app.get(&handler, &t).await;
    assert_eq!(g.body["data"]["script"], SCRIPT);

    // Update: the handler object with name, script and function_id.
    let new_script = "response = Map();\nresponse.put(\"text\", \"Task approved successfully!\");\nreturn response;";
    let u = app.patch(&handler, &t, json!({"script": new_script})).await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body,
        json!({"url": handler, "type": "execution_handler",
               "data": {"name": "button_handler", "script": new_script, "function_id": id}})
    );
    let refused = [
        (json!({}), 400, "execution_handler_data_required"),
        (
            json!({"script": "if (x { }"}),
            400,
            "execution_handler_data_invalid",
        ),
        (json!({"permissions": ["chat"]}), 400, "invalid_inputs"),
        (
            json!({"type": "form_submit_handler", "script": SCRIPT}),
            400,
            "invalid_inputs",
        ),
        (json!({"script": 5}), 400, "invalid_inputs"),
    ];
    for (body, status, want) in refused {
        let r = app.patch(&handler, &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
    }
    let same_type = app
        .patch(
            &handler,
            &t,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(same_type.status, 200, "{}", same_type.body);
    assert_eq!(app.get(&handler, &t).await.body["data"]["script"], SCRIPT);

    // Handler types: unknown ones are invalid, known ones the function lacks are not found.
    for (path, want) in [
        ("message_handler", (400, "invalid_inputs")),
        ("form_view_handler", (404, "execution_handler_not_found")),
    ] {
        let p = format!("{handlers}/{path}");
        assert_eq!(code(&app.get(&p, &t).await), want, "GET {path}");
        assert_eq!(
            code(&app.patch(&p, &t, json!({"script": SCRIPT})).await),
            want,
            "PATCH {path}"
        );
        assert_eq!(code(&app.delete(&p, &t).await), want, "DELETE {path}");
    }

    // Deleting the default handler empties it (204, as the page's sample shows); it stays,
    // and can be given a script again.
    let d = app.delete(&handler, &t).await;
    assert_eq!(d.status, 204, "{}", d.body);
    let emptied = app.get(&handler, &t).await;
    assert_eq!(emptied.status, 200);
    assert_eq!(emptied.body["data"]["script"], "", "{}", emptied.body);
}

#[tokio::test]
async fn form_handlers() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = create_fn(
        &app,
        &t,
        json!({"name": "SubmitFeedback", "description": "Processes feedback", "function_type": "form"}),
    )
    .await;
    let handlers = format!("/api/v3/functions/{id}/handlers");
    let submit = "values = form.get(\"values\");\ninfo values;\nreturn {\"type\": \"banner\", \"text\": \"Form submitted!\", \"status\": \"success\"};";
    let view = "form = Map();\nform.put(\"title\", \"Feedback Form\");\nactions = Map();\nsubmit = Map();\nsubmit.put(\"type\", \"invoke.function\");\nactions.put(\"submit\", submit);\nform.put(\"actions\", actions);\nreturn form;";
    for (ty, script) in [
        ("form_submit_handler", submit),
        ("form_view_handler", view),
        ("form_change_handler", SCRIPT),
        ("form_dynamic_select_handler", SCRIPT),
    ] {
        let r = app
            .post(&handlers, &t, json!({"type": ty, "script": script}))
            .await;
        assert_eq!(r.status, 200, "{ty}: {}", r.body);
    }
    let f = app.get(&format!("/api/v3/functions/{id}"), &t).await;
    let mut types: Vec<&str> = f.body["data"]["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "form_change_handler",
            "form_dynamic_select_handler",
            "form_submit_handler",
            "form_view_handler"
        ]
    );
    for (ty, names) in [
        (
            "form_submit_handler",
            &["access", "environment", "form", "user", "chat", "message"][..],
        ),
        (
            "form_change_handler",
            &["access", "environment", "form", "target", "user", "chat"],
        ),
        (
            "form_dynamic_select_handler",
            &["access", "environment", "form", "target", "user", "chat"],
        ),
        (
            "form_view_handler",
            &["access", "environment", "params", "user"],
        ),
    ] {
        let g = app.get(&format!("{handlers}/{ty}"), &t).await;
        assert_eq!(g.status, 200, "{}", g.body);
        assert_eq!(g.body["type"], ty);
        assert_eq!(g.body["data"]["return_type"], "MAP");
        let got: Vec<&str> = g.body["data"]["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["param_name"].as_str().unwrap())
            .collect();
        assert_eq!(got, names, "{ty}");
    }
    // Non-default handlers can be deleted, then they are gone.
    let view_path = format!("{handlers}/form_view_handler");
    assert_eq!(app.delete(&view_path, &t).await.status, 204);
    assert_eq!(
        code(&app.get(&view_path, &t).await),
        (404, "execution_handler_not_found")
    );
    assert_eq!(
        code(&app.delete(&view_path, &t).await),
        (404, "execution_handler_not_found")
    );
    // …and created again.
    let r = app
        .post(
            &handlers,
            &t,
            json!({"type": "form_view_handler", "script": view}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.delete(&format!("{handlers}/form_submit_handler"), &t)
            .await
            .status,
        204,
        "deleting a default handler empties it"
    );
    // A button handler does not belong to a form function.
    let r = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(code(&r), (400, "invalid_inputs"));
}

#[tokio::test]
async fn webhook_handlers_follow_the_permission_matrix() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let hook = |name: &str, ft: &str| {
        json!({"name": name, "description": "d", "function_type": ft, "execution_type": "webhook",
               "execution_url": "https://example.com/hook"})
    };
    let button_id = create_fn(&app, &t, hook("Hook", "button")).await;
    let handlers = format!("/api/v3/functions/{button_id}/handlers");
    let handler = format!("{handlers}/button_handler");
    let g = app.get(&handler, &t).await;
    assert_eq!(g.body["data"]["permissions"], json!([]));
    assert!(g.body["data"].get("script").is_none());
    let refused = [
        (
            json!({"type": "button_handler", "script": SCRIPT}),
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler", "permissions": ["location"]}),
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler", "permissions": ["attachments"]}),
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler", "permissions": ["camera"]}),
            "invalid_inputs",
        ),
        (
            json!({"type": "button_handler", "permissions": ["chat", "user", "message", "chat", "user", "message"]}),
            "invalid_inputs",
        ),
    ];
    for (body, want) in refused {
        let r = app.post(&handlers, &t, body.clone()).await;
        assert_eq!(code(&r), (400, want), "{body} -> {}", r.body);
    }
    let c = app
        .post(
            &handlers,
            &t,
            json!({"type": "button_handler", "permissions": ["chat", "message", "user"]}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["data"]["execution_url"], "https://example.com/hook");
    let u = app
        .patch(&handler, &t, json!({"permissions": ["chat", "user"]}))
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body["data"],
        json!({"name": "button_handler", "permissions": ["chat", "user"], "function_id": button_id})
    );
    let g = app.get(&handler, &t).await;
    assert_eq!(g.body["data"]["permissions"], json!(["chat", "user"]));
    assert_eq!(g.body["data"]["params"].as_array().unwrap().len(), 9);

    // Per handler type: form_change chat/user, form_view and widget_button user only.
    let form_id = create_fn(&app, &t, hook("HookForm", "form")).await;
    let fh = format!("/api/v3/functions/{form_id}/handlers");
    for (ty, ok, bad) in [
        (
            "form_submit_handler",
            json!(["chat", "message", "user"]),
            "location",
        ),
        ("form_change_handler", json!(["chat", "user"]), "message"),
        (
            "form_dynamic_select_handler",
            json!(["chat", "user"]),
            "message",
        ),
        ("form_view_handler", json!(["user"]), "chat"),
    ] {
        let r = app
            .post(&fh, &t, json!({"type": ty, "permissions": [bad]}))
            .await;
        assert_eq!(code(&r), (400, "invalid_inputs"), "{ty} {bad}");
        let r = app
            .post(&fh, &t, json!({"type": ty, "permissions": ok}))
            .await;
        assert_eq!(r.status, 200, "{ty}: {}", r.body);
    }
    let widget_id = create_fn(&app, &t, hook("HookWidget", "widget_button")).await;
    let wh = format!("/api/v3/functions/{widget_id}/handlers/widget_button_handler");
    assert_eq!(
        code(&app.patch(&wh, &t, json!({"permissions": ["chat"]})).await),
        (400, "invalid_inputs")
    );
    assert_eq!(
        app.patch(&wh, &t, json!({"permissions": ["user"]}))
            .await
            .status,
        200
    );
    assert_eq!(
        code(&app.patch(&wh, &t, json!({"script": SCRIPT})).await),
        (400, "invalid_inputs")
    );
}
