//! The web client's server side: its files (types, entity tags, 404s) and "sign in as".

use crate::helpers::spawn;
use serde_json::{Value, json};

#[tokio::test]
async fn the_page_and_its_files_are_served_with_entity_tags() {
    let app = spawn().await;
    let page = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let etag = page.headers()["etag"].to_str().unwrap().to_string();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(page.text().await.unwrap().contains("/web/app.js"));
    let again = app
        .client
        .get(format!("{}/", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let css = app
        .client
        .get(format!("{}/web/style.css", app.base))
        .send()
        .await
        .unwrap();
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    // Unknown files and paths that try to leave the folder are the API's 404.
    for path in [
        "/web/nope.js",
        "/web/../Cargo.toml",
        "/web/%2e%2e/Cargo.toml",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(body["message"].is_string(), "{path}");
    }
}

#[tokio::test]
async fn sign_in_as_mints_a_token_for_a_demo_user_on_a_local_host_only() {
    let app = spawn().await;
    let users: Value = app
        .client
        .get(format!("{}/web/session/users", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&"olivia.palmer@zylker.com"), "{users}");
    let sign_in = |host: Option<&str>, body: Value| {
        let mut req = app
            .client
            .post(format!("{}/web/session/sign-in-as", app.base))
            .json(&body);
        if let Some(h) = host {
            req = req.header("host", h);
        }
        req.send()
    };
    let r = sign_in(None, json!({"email": "Olivia.Palmer@zylker.com"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["name"], "Olivia Palmer");
    let token = body["access_token"].as_str().unwrap();
    // The token is an ordinary one, with every scope, for that user.
    let chats = app.get("/api/v3/chats", token).await;
    assert_eq!(chats.status, 200, "{}", chats.body);
    // Another domain that resolves here (DNS rebinding) is refused.
    let r = sign_in(
        Some("evil.example:8080"),
        json!({"email": "olivia.palmer@zylker.com"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "sign_in_as_disabled");
    // Unknown and missing emails.
    let r = sign_in(None, json!({"email": "nobody@zylker.com"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = sign_in(None, json!({})).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid_inputs");
}

#[tokio::test]
async fn the_config_key_allows_sign_in_as_from_any_host() {
    let app = crate::helpers::spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.web_sign_in_as = true;
    })
    .await;
    let r = app
        .client
        .post(format!("{}/web/session/sign-in-as", app.base))
        .header("host", "cliqd.internal:8080")
        .json(&json!({"email": "scott.fisher@zylker.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
