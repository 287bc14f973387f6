//! Concurrent creates of the same handler type: the store's check-and-insert lets exactly as
//! many through as the type allows (one, or five menu actions), the rest get 409.

use crate::helpers::{Reply, TestApp, spawn};
use serde_json::{Value, json};
use std::sync::Arc;

/// Sends `n` identical POSTs at once; returns the replies.
async fn race(app: &Arc<TestApp>, path: &str, n: usize, body: Value) -> Vec<Reply> {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (app, path, body, barrier) =
            (app.clone(), path.to_string(), body.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            app.post(&path, &app.admin_token, body).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("request task"));
    }
    out
}

/// Checks `replies`: `ok` of them 200, the others 409 `execution_handler_create_failed`.
fn expect_outcome(replies: &[Reply], ok: usize) {
    let wins = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(wins, ok, "successful creates");
    for r in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.code(), "execution_handler_create_failed", "{}", r.body);
    }
}

fn handler_types(v: &Value) -> Vec<String> {
    v["data"]["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bot_handler_creates_insert_one_row() {
    let app = Arc::new(spawn().await);
    let id = app.create_bot("Racer").await;
    let path = format!("/api/v3/bots/{id}/handlers");
    let replies = race(
        &app,
        &path,
        8,
        json!({"type": "message_handler", "script": "return {};"}),
    )
    .await;
    expect_outcome(&replies, 1);
    let bot = app
        .get(&format!("/api/v3/bots/{id}"), &app.admin_token)
        .await;
    let types = handler_types(&bot.body);
    assert_eq!(
        types.iter().filter(|t| *t == "message_handler").count(),
        1,
        "{types:?}"
    );

    // Menu actions may repeat, up to five.
    let replies = race(
        &app,
        &path,
        8,
        json!({"type": "menu_handler", "script": "return {};", "name": "Go", "icon": "wand/FF5733"}),
    )
    .await;
    expect_outcome(&replies, 5);
    let bot = app
        .get(&format!("/api/v3/bots/{id}"), &app.admin_token)
        .await;
    let types = handler_types(&bot.body);
    assert_eq!(
        types.iter().filter(|t| *t == "menu_handler").count(),
        5,
        "{types:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_function_handler_creates_insert_one_row() {
    let app = Arc::new(spawn().await);
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": "Form", "description": "d", "function_type": "form"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let replies = race(
        &app,
        &format!("/api/v3/functions/{id}/handlers"),
        8,
        json!({"type": "form_change_handler", "script": "return {};"}),
    )
    .await;
    expect_outcome(&replies, 1);
    let f = app
        .get(&format!("/api/v3/functions/{id}"), &app.admin_token)
        .await;
    let types = handler_types(&f.body);
    assert_eq!(
        types.iter().filter(|t| *t == "form_change_handler").count(),
        1,
        "{types:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_a_default_function_handler_configure_it_once() {
    let app = Arc::new(spawn().await);
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": "Button", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    // The default button_handler exists unconfigured; creating it configures it, once.
    let replies = race(
        &app,
        &format!("/api/v3/functions/{id}/handlers"),
        8,
        json!({"type": "button_handler", "script": "return {};"}),
    )
    .await;
    expect_outcome(&replies, 1);
    let f = app
        .get(&format!("/api/v3/functions/{id}"), &app.admin_token)
        .await;
    assert_eq!(handler_types(&f.body), vec!["button_handler".to_string()]);
}
