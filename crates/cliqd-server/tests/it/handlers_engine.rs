//! The engine's own surface: direct invocation, replay, the handler logs, and isolation — a
//! slow bot's backlog neither delays another bot nor grows without bound.

use crate::handlers_run::{bot_message, bot_with, event, executions, post_in, subscribe};
use crate::helpers::{spawn, spawn_with};
use crate::messaging_realtime::connect;
use serde_json::json;
use std::time::Duration;

const INSPECT: &str = r#"
info "got " + message;
return {"text": "you said " + message + " as " + user.get("email")};
"#;

#[tokio::test]
async fn invoke_replay_and_logs() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(&app, "Probe", json!({}), &[("message_handler", INSPECT)]).await;
    let path = format!("/api/v3/bots/b-{}/handlers/message_handler/invoke", bot.id);

    // Without `deliver`, nothing is posted: the answer is the journal record.
    let r = app
        .post(&path, &app.admin_token, json!({"message": "ping"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rec = &r.body["data"];
    assert_eq!(rec["status"], "success", "{rec}");
    assert_eq!(rec["inputs"]["message"], "ping");
    assert_eq!(rec["inputs"]["user"]["email"], "admin@zylker.com");
    assert_eq!(rec["inputs"]["environment"]["base_url"], app.base.as_str());
    assert_eq!(rec["info"], json!(["got ping"]));
    assert_eq!(rec["reply"]["text"], "you said ping as admin@zylker.com");
    assert_eq!(rec["delivered"]["message_ids"], json!([]));

    // With `deliver`, into the caller's bot chat.
    let mut ws = connect(&app, &app.admin_token).await;
    let r = app
        .post(
            &path,
            &app.admin_token,
            json!({"message": "pong", "deliver": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["delivered"]["message_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let m = bot_message(&mut ws).await;
    assert_eq!(
        m["data"]["content"]["text"],
        "you said pong as admin@zylker.com"
    );

    // Only the creator or an admin may invoke; unknown handlers and bots are 4xx.
    let r = app.post(&path, &scott, json!({})).await;
    assert_eq!(r.code(), "bot_permission_denied", "{}", r.body);
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/handlers/welcome_handler/invoke", bot.id),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "execution_handler_not_found", "{}", r.body);
    let r = app
        .post(
            "/api/v3/bots/b-1/handlers/message_handler/invoke",
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "bot_not_found");
    let r = app.post(&path, &app.admin_token, json!([1])).await;
    assert_eq!(r.code(), "invalid_inputs");

    // Replay runs the same inputs against the current script.
    let first = rec["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            &format!("/api/v3/bots/b-{}/handlers/message_handler", bot.id),
            &app.admin_token,
            json!({"script": r#"return {"text": "v2 " + message};"#}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("/api/v3/executions/{first}/replay"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["reply"]["text"], "v2 ping");
    assert_ne!(r.body["data"]["handler_version"], rec["handler_version"]);
    assert_eq!(r.body["data"]["trigger"]["execution_id"], first.as_str());
    let r = app
        .post(
            "/api/v3/executions/999999/replay",
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "execution_not_found");

    // The logs, in the OpenAPI execution-log shape.
    let r = app
        .get(
            &format!("/api/v3/bots/b-{}/handlers/message_handler/logs", bot.id),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "execution_handler");
    let logs = r.body["data"]["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 3);
    let oldest = &logs[2];
    assert_eq!(oldest["status"], "success");
    let debug: serde_json::Value =
        serde_json::from_str(oldest["debugInfo"][0].as_str().unwrap()).unwrap();
    assert_eq!(debug["message"], "got ping");

    // Filters and paging.
    let r = app
        .get("/api/v3/executions?limit=2", &app.admin_token)
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    let next = r.body["next_token"].as_str().unwrap();
    let r = app
        .get(
            &format!("/api/v3/executions?limit=2&next_token={next}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1, "{}", r.body);
    assert!(r.body.get("next_token").is_none());
    let r = app
        .get("/api/v3/executions?status=nope", &app.admin_token)
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .get(
            &format!(
                "/api/v3/executions?component_id=b-{}&handler=message_handler",
                bot.id
            ),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
}

/// A TCP listener that accepts connections and never answers.
async fn black_hole() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    (addr, task)
}

#[tokio::test]
async fn a_slow_bot_neither_delays_others_nor_queues_without_bound() {
    let app = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.allow_private_network = true;
        c.handler_timeout = Duration::from_millis(1500);
        c.bot_backlog = 2;
    })
    .await;
    let (hole, _task) = black_hole().await;
    let scott = app.token_for(&app.users[0]).await;
    let slow = bot_with(
        &app,
        "Slow",
        json!({}),
        &[(
            "message_handler",
            &format!(
                r#"r = invokeUrl [ url: "http://{hole}/" type: GET ]; return {{"text": "never"}};"#
            ),
        )],
    )
    .await;
    let fast = bot_with(
        &app,
        "Fast",
        json!({}),
        &[("message_handler", r#"return {"text": "quick " + message};"#)],
    )
    .await;
    let slow_chat = subscribe(&app, &slow, &scott).await;
    let fast_chat = subscribe(&app, &fast, &scott).await;
    let mut ws = connect(&app, &scott).await;
    // Three messages to the slow bot: two fit its backlog, the third is refused at once.
    for i in 0..3 {
        post_in(&app, &slow_chat, &scott, &format!("s{i}")).await;
    }
    let refused = event(&mut ws, "banner").await;
    assert_eq!(refused["data"]["banner"]["status"], "failure");
    assert!(
        refused["data"]["banner"]["text"]
            .as_str()
            .unwrap()
            .contains("busy"),
        "{refused}"
    );
    // The fast bot answers while the slow one is still stuck in its first run.
    post_in(&app, &fast_chat, &scott, "hi").await;
    let m = bot_message(&mut ws).await;
    assert_eq!(m["data"]["content"]["text"], "quick hi");
    let timeouts = app
        .get("/api/v3/executions?status=timeout", &app.admin_token)
        .await;
    assert_eq!(
        timeouts.body["data"],
        json!([]),
        "the slow bot already timed out"
    );
    // Then its runs time out, one after the other, each journaled with a banner.
    let runs = executions(&app, "status=timeout", 2).await;
    assert!(
        runs[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1500 ms"),
        "{}",
        runs[0]
    );
    assert_eq!(executions(&app, "status=refused", 1).await.len(), 1);
}
