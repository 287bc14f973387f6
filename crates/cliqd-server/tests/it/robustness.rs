//! Malformed input of every kind gets a Cliq-style 4xx, never a 500.

use crate::helpers::{spawn, spawn_with};
use serde_json::json;

#[tokio::test]
async fn malformed_requests() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let url = format!("{}/api/v3/bots", app.base);
    for body in ["{", "[]", "null", "", "{\"name\": [1]}", "\u{0}"] {
        let r = app
            .client
            .post(&url)
            .header("Authorization", format!("Zoho-oauthtoken {t}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body:?}");
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["code"], "invalid_inputs");
    }
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "n", "description": "d", "colour": "red"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    assert!(r.body["message"].as_str().unwrap().contains("colour"));

    for path in [
        "/api/v3/bots/b-",
        "/api/v3/bots/b-12x",
        "/api/v3/bots/99999999999999999999999",
        "/api/v3/bots/%20",
    ] {
        let r = app.get(path, &t).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (404, "bot_not_found"),
            "{path}"
        );
    }
    let r = app.get("/api/v3/bots/%FF%FE", &t).await;
    assert_eq!(r.status, 404, "undecodable path segment");
    assert!(r.body["message"].is_string());
    let r = app.get("/api/v3/nothing", &t).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({"message": "The URL you've sent is wrong. It's possible that the resource you've requested has been moved to another URL."})
    );
    let r = app
        .call(reqwest::Method::PUT, "/api/v3/bots", &t, None)
        .await;
    assert_eq!(r.status, 405);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("The requested resource does not support")
    );
    let r = app.get("/api/v3/bots/b-1/handlers/bogus_handler", &t).await;
    assert_eq!(r.code(), "bot_not_found");
    let id = app.create_bot("Robust").await;
    let r = app
        .get(&format!("/api/v3/bots/{id}/handlers/bogus_handler"), &t)
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .get(
            &format!("/api/v3/bots/{id}/handlers/menu_handler?handler_id=abc"),
            &t,
        )
        .await;
    assert_eq!(r.code(), "execution_handler_not_found");
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.max_body_bytes = 300 * 1024;
    })
    .await;
    let big = "x".repeat(400 * 1024);
    let r = app
        .post(
            "/api/v3/bots",
            &app.admin_token,
            json!({"name": "n", "description": big}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (413, "request_entity_too_large")
    );
}
