//! The message action's execution handler, and malformed input on every function and message
//! action endpoint.

use super::{SCRIPT, code, create_action};
use crate::helpers::spawn;
use serde_json::{Value, json};

#[tokio::test]
async fn execution_handler() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = create_action(&app, &t, json!({"name": "Create Ticket", "hint": "h"})).await;
    let handler = format!("/api/v3/messageactions/{id}/handlers/execution_handler");

    // It exists from creation, with the documented params.
    let g = app.get(&handler, &t).await;
    assert_eq!(g.status, 200, "{}", g.body);
    assert_eq!(g.body["url"], handler);
    assert_eq!(g.body["type"], "execution_handler");
    assert_eq!(g.body["data"]["name"], "execution_handler");
    assert_eq!(g.body["data"]["function_id"], id);
    assert_eq!(g.body["data"]["script"], "");
    assert_eq!(g.body["data"]["return_type"], "MAP");
    let params: Vec<(String, String)> = g.body["data"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["param_name"].as_str().unwrap().to_string(),
                p["param_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("access", "MAP"),
        ("environment", "MAP"),
        ("message", "MAP"),
        ("messages", "MAP"),
        ("attachments", "LIST"),
        ("mentions", "LIST"),
        ("user", "MAP"),
        ("chat", "MAP"),
        ("location", "MAP"),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect();
    assert_eq!(params, expected);

    let u = app.patch(&handler, &t, json!({"script": SCRIPT})).await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body,
        json!({"url": handler, "type": "execution_handler",
               "data": {"name": "execution_handler", "script": SCRIPT, "function_id": id}})
    );
    assert_eq!(app.get(&handler, &t).await.body["data"]["script"], SCRIPT);

    let refused = [
        (json!({}), 400, "execution_handler_data_required"),
        (
            json!({"script": "return ;;; ("}),
            400,
            "execution_handler_data_invalid",
        ),
        (json!({"permissions": ["chat"]}), 400, "invalid_inputs"),
        (
            json!({"type": "button_handler", "script": SCRIPT}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "x", "script": SCRIPT}),
            400,
            "invalid_inputs",
        ),
    ];
    for (body, status, want) in refused {
        let r = app.patch(&handler, &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
    }
    let r = app
        .patch(&handler, &t, json!({"script": "x = 1;\nif (x > ) { }"}))
        .await;
    assert_eq!(r.code(), "execution_handler_data_invalid");
    assert!(r.body["message"].as_str().unwrap().contains("line 2"));
    let big = format!("x = 1;\n{}", "// padding\n".repeat(250 * 1024 / 11 + 1));
    assert_eq!(
        code(&app.patch(&handler, &t, json!({"script": big})).await),
        (400, "execution_handler_data_invalid")
    );
    let same = app
        .patch(
            &handler,
            &t,
            json!({"type": "execution_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(same.status, 200);

    // Only execution_handler exists; there is no create or delete.
    let other = format!("/api/v3/messageactions/{id}/handlers/button_handler");
    assert_eq!(code(&app.get(&other, &t).await), (400, "invalid_inputs"));
    assert_eq!(
        code(&app.patch(&other, &t, json!({"script": SCRIPT})).await),
        (400, "invalid_inputs")
    );
    assert_eq!(app.delete(&handler, &t).await.status, 405);
    let r = app
        .post(
            &format!("/api/v3/messageactions/{id}/handlers"),
            &t,
            json!({"type": "execution_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn webhook_execution_handler() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let id = create_action(
        &app,
        &t,
        json!({"name": "Log to Jira", "hint": "h", "execution_type": "webhook",
               "execution_url": "https://example.com/hook"}),
    )
    .await;
    let handler = format!("/api/v3/messageactions/{id}/handlers/execution_handler");
    let g = app.get(&handler, &t).await;
    assert_eq!(g.body["data"]["permissions"], json!([]));
    assert!(g.body["data"].get("script").is_none());
    // All five permissions are available to message actions.
    let all = json!(["chat", "message", "user", "location", "attachments"]);
    let u = app.patch(&handler, &t, json!({"permissions": all})).await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body["data"],
        json!({"name": "execution_handler", "permissions": all, "function_id": id})
    );
    let u = app
        .patch(
            &handler,
            &t,
            json!({"permissions": ["chat", "message", "user", "attachments"]}),
        )
        .await;
    assert_eq!(
        u.body["data"]["permissions"],
        json!(["chat", "message", "user", "attachments"])
    );
    for body in [
        json!({"script": SCRIPT}),
        json!({"permissions": ["camera"]}),
        json!({"permissions": ["chat", "chat", "chat", "chat", "chat", "chat"]}),
        json!({"permissions": "chat"}),
    ] {
        let r = app.patch(&handler, &t, body.clone()).await;
        assert_eq!(code(&r), (400, "invalid_inputs"), "{body}");
    }
    assert_eq!(
        app.get(&handler, &t).await.body["data"]["permissions"],
        json!(["chat", "message", "user", "attachments"])
    );
}

/// Malformed bodies and ids on every function and message action endpoint get a Cliq 4xx.
#[tokio::test]
async fn malformed_input_never_fails_the_server() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let fid = {
        let r = app
            .post(
                "/api/v3/functions",
                &t,
                json!({"name": "f", "description": "d", "function_type": "button"}),
            )
            .await;
        r.body["data"]["id"].as_str().unwrap().to_string()
    };
    let mid = create_action(&app, &t, json!({"name": "m", "hint": "h"})).await;
    let writes = [
        (reqwest::Method::POST, "/api/v3/functions".to_string()),
        (reqwest::Method::PATCH, format!("/api/v3/functions/{fid}")),
        (
            reqwest::Method::POST,
            format!("/api/v3/functions/{fid}/handlers"),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v3/functions/{fid}/handlers/button_handler"),
        ),
        (reqwest::Method::POST, "/api/v3/messageactions".to_string()),
        (
            reqwest::Method::PATCH,
            format!("/api/v3/messageactions/{mid}"),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v3/messageactions/{mid}/handlers/execution_handler"),
        ),
    ];
    for (method, path) in &writes {
        for body in ["{", "[]", "null", "", "\"x\"", "{\"name\": {\"a\": 1}}"] {
            let r = app
                .client
                .request(method.clone(), format!("{}{path}", app.base))
                .header("Authorization", format!("Zoho-oauthtoken {t}"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{method} {path} {body:?}");
            let b: Value = r.json().await.unwrap();
            assert_eq!(b["code"], "invalid_inputs", "{method} {path} {body:?}");
        }
    }
    for path in [
        "/api/v3/functions/%20",
        "/api/v3/functions/1e5",
        "/api/v3/functions/0x10/handlers/button_handler",
        "/api/v3/messageactions/-",
        "/api/v3/messageactions/18446744073709551616/handlers/execution_handler",
    ] {
        let r = app.get(path, &t).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(
            matches!(r.code(), "function_not_found" | "msgaction_not_found"),
            "{path}: {}",
            r.body
        );
    }
    let r = app
        .get(&format!("/api/v3/functions/{fid}/handlers/%FF"), &t)
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .get(&format!("/api/v3/functions/{fid}/handlers/"), &t)
        .await;
    assert!(r.status.is_client_error());
}
