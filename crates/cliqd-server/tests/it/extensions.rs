//! Extensions API over HTTP: install and upgrade, properties, the extension key under each
//! spelling, scopes, permissions, organization isolation and key-only rate limits.

use crate::helpers::{Reply, TestApp, spawn, spawn_with};
use cliqd_server::admin;
use cliqd_server::config::RateLimitMode;
use reqwest::Method;
use serde_json::{Value, json};

struct Ext {
    id: i64,
    key: String,
}

async fn register(app: &TestApp, name: &str) -> Ext {
    let r = admin::create_extension(app.store(), app.admin.org_id, name, Some(app.admin.id))
        .await
        .unwrap();
    Ext {
        id: r.extension.id,
        key: r.extension_key,
    }
}

fn install_path(ext: &Ext) -> String {
    format!(
        "/api/v3/extensions/{}/installation?extension_key={}",
        ext.id, ext.key
    )
}

fn props_path(ext: &Ext, rest: &str) -> String {
    format!(
        "/api/v3/extensions/{}/properties{rest}{}extension_key={}",
        ext.id,
        if rest.contains('?') { "&" } else { "?" },
        ext.key
    )
}

/// A request without an OAuth token: the extension key alone.
async fn key_only(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Reply {
    let mut req = app.client.request(method, format!("{}{}", app.base, path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.call(Method::PUT, path, token, Some(body)).await
}

fn status_code(r: &Reply) -> (u16, &str) {
    (r.status.as_u16(), r.code())
}

#[tokio::test]
async fn install_reinstall_and_upgrade() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let t = &app.admin_token;
    let path = install_path(&ext);

    let r = put(&app, &path, t, json!({"scope": "team"})).await;
    assert_eq!(status_code(&r), (400, "extension_error_not_installed"));

    let r = app.post(&path, t, json!({"scope": "organization"})).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.body, Value::Null);
    let r = app.post(&path, t, json!({"scope": "organization"})).await;
    assert_eq!(status_code(&r), (409, "extension_already_installed"));
    // Nothing to upgrade at organization scope, whatever the target.
    for scope in ["organization", "team"] {
        let r = put(&app, &path, t, json!({"scope": scope})).await;
        assert_eq!(status_code(&r), (409, "extension_already_installed"));
    }

    // Installing again for teams replaces the organization-wide installation.
    let r = app
        .post(
            &path,
            t,
            json!({"scope": "team", "team_ids": [app.teams[0], app.teams[0]]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let inst = app
        .store()
        .installation(ext.id, app.admin.org_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (inst.scope.as_str(), inst.team_ids.clone()),
        ("team", vec![app.teams[0]])
    );

    // Upgrade keeping team scope keeps the teams; team_ids may replace them.
    let r = put(&app, &path, t, json!({"scope": "team"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let inst = app
        .store()
        .installation(ext.id, app.admin.org_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(inst.team_ids, vec![app.teams[0]]);
    let r = put(
        &app,
        &path,
        t,
        json!({"scope": "team", "team_ids": app.teams}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let inst = app
        .store()
        .installation(ext.id, app.admin.org_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(inst.team_ids.len(), 2);

    // Widening to the organization.
    let r = put(&app, &path, t, json!({"scope": "organization"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let inst = app
        .store()
        .installation(ext.id, app.admin.org_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (inst.scope.as_str(), inst.team_ids.len()),
        ("organization", 0)
    );
    let r = put(&app, &path, t, json!({"scope": "organization"})).await;
    assert_eq!(r.code(), "extension_already_installed");
}

#[tokio::test]
async fn install_validation() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let path = install_path(&ext);
    let t = &app.admin_token;
    for body in [
        json!({}),
        json!({"scope": "personal"}),
        json!({"scope": 1}),
        json!({"scope": "team"}),
        json!({"scope": "team", "team_ids": []}),
        json!({"scope": "team", "team_ids": [1, 2, 3, 4, 5]}),
        json!({"scope": "team", "team_ids": [999]}),
        json!({"scope": "team", "team_ids": ["x"]}),
        json!({"scope": "organization", "team_ids": [app.teams[0]]}),
        json!({"scope": "organization", "field1": "value1"}),
    ] {
        let r = app.post(&path, t, body.clone()).await;
        assert_eq!(
            status_code(&r),
            (400, "invalid_inputs"),
            "{body}: {}",
            r.body
        );
        assert!(r.body["message"].as_str().unwrap().len() > 5);
    }
    let r = app.call(Method::POST, &path, t, None).await;
    assert_eq!(status_code(&r), (400, "invalid_inputs"));
    // Four teams are fine (duplicates count once).
    let r = app
        .post(
            &path,
            t,
            json!({"scope": "team", "team_ids": [app.teams[0], app.teams[1], app.teams[0], app.teams[1]]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(
        app.store()
            .installation(ext.id, app.admin.org_id)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn who_may_install() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let path = install_path(&ext);
    // Scott and Olivia are in Engineering (teams[0]); James in Support (teams[1]).
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    let r = app
        .post(&path, &scott, json!({"scope": "organization"}))
        .await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
    let r = app
        .post(
            &path,
            &scott,
            json!({"scope": "team", "team_ids": [app.teams[1]]}),
        )
        .await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
    let r = app
        .post(
            &path,
            &scott,
            json!({"scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    // James may not touch Engineering's installation, nor widen it.
    let r = app
        .post(
            &path,
            &james,
            json!({"scope": "team", "team_ids": [app.teams[1]]}),
        )
        .await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
    let r = put(&app, &path, &james, json!({"scope": "team"})).await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
    let r = put(&app, &path, &scott, json!({"scope": "organization"})).await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
    let r = put(&app, &path, &scott, json!({"scope": "team"})).await;
    assert_eq!(r.status, 204);
    let r = put(
        &app,
        &path,
        &app.admin_token,
        json!({"scope": "organization"}),
    )
    .await;
    assert_eq!(r.status, 204);
    // An organization-wide installation is the admins' to change.
    let r = app
        .post(
            &path,
            &scott,
            json!({"scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(status_code(&r), (403, "extension_install_restricted"));
}

#[tokio::test]
async fn plan_limit() {
    let app = spawn_with(|c| {
        c.rate_limits = RateLimitMode::Off;
        c.max_components_per_org = 1;
    })
    .await;
    let a = register(&app, "A").await;
    let b = register(&app, "B").await;
    let body = json!({"scope": "organization"});
    assert_eq!(
        app.post(&install_path(&a), &app.admin_token, body.clone())
            .await
            .status,
        204
    );
    let r = app.post(&install_path(&b), &app.admin_token, body).await;
    assert_eq!(status_code(&r), (400, "extension_plan_limit_exceeded"));
}

#[tokio::test]
async fn extension_key_spellings_and_auth() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let t = &app.admin_token;
    let base = format!("/api/v3/extensions/{}/properties/api_key", ext.id);
    let set = props_path(&ext, "");
    let r = app
        .patch(&set, t, json!({"properties": {"api_key": "v"}}))
        .await;
    assert_eq!(r.status, 200);
    for param in ["extension_key", "EXTENSION_KEY", "appkey"] {
        let path = format!("{base}?{param}={}", ext.key);
        let r = app.get(&path, t).await;
        assert_eq!(r.status, 200, "{param}");
        assert_eq!(r.body, json!({"api_key": "v"}));
        // The key alone is enough for property calls.
        let r = key_only(&app, Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "{param}");
    }
    // Install and upgrade take the key too, and need it.
    let r = app
        .post(
            &format!(
                "/api/v3/extensions/{}/installation?EXTENSION_KEY={}",
                ext.id, ext.key
            ),
            t,
            json!({"scope": "organization"}),
        )
        .await;
    assert_eq!(r.status, 204);

    let missing = app.get(&base, t).await;
    assert_eq!(status_code(&missing), (400, "invalid_inputs"));
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap()
            .contains("extension_key")
    );
    let r = app
        .post(
            &format!("/api/v3/extensions/{}/installation", ext.id),
            t,
            json!({"scope": "organization"}),
        )
        .await;
    assert_eq!(status_code(&r), (400, "invalid_inputs"));
    let wrong = format!("{base}?extension_key=nope");
    for r in [
        app.get(&wrong, t).await,
        key_only(&app, Method::GET, &wrong, None).await,
    ] {
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            json!({"message": "Request was rejected because of invalid AuthToken."})
        );
    }
    // Unknown and malformed extension IDs.
    for id in ["1", "abc", "99999999999999999999999"] {
        let r = app
            .get(
                &format!(
                    "/api/v3/extensions/{id}/properties/api_key?extension_key={}",
                    ext.key
                ),
                t,
            )
            .await;
        assert_eq!(r.status, 404, "{id}");
    }
    // Install needs a token; a bad token is refused even with a good key.
    let r = key_only(
        &app,
        Method::POST,
        &install_path(&ext),
        Some(json!({"scope": "team", "team_ids": [app.teams[0]]})),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = app
        .get(&props_path(&ext, "/api_key"), "1000.bad.token")
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn scopes_with_and_without_prefix() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let admin = app.admin.clone();
    let read = app.token_with(&admin, "Extensions.READ", None).await;
    let update = app
        .token_with(&admin, "ZohoCliq.Extensions.UPDATE", None)
        .await;
    let create = app
        .token_with(&admin, "zohocliq.extensions.create", None)
        .await;
    let bots = app.token_with(&admin, "ZohoCliq.Bots.READ", None).await;
    let set = props_path(&ext, "");
    let body = json!({"properties": {"region": "eu"}});

    assert_eq!(
        status_code(&app.patch(&set, &read, body.clone()).await),
        (403, "invalid_oauthscope")
    );
    assert_eq!(app.patch(&set, &update, body).await.status, 200);
    let one = props_path(&ext, "/region");
    assert_eq!(app.get(&one, &read).await.status, 200);
    assert_eq!(app.get(&one, &update).await.code(), "invalid_oauthscope");
    assert_eq!(
        app.get(&props_path(&ext, "?keys=region"), &bots)
            .await
            .code(),
        "invalid_oauthscope"
    );
    assert_eq!(app.delete(&one, &read).await.code(), "invalid_oauthscope");
    assert_eq!(app.delete(&one, &update).await.status, 204);

    let inst = install_path(&ext);
    let org = json!({"scope": "team", "team_ids": [app.teams[0]]});
    assert_eq!(
        app.post(&inst, &update, org.clone()).await.code(),
        "invalid_oauthscope"
    );
    assert_eq!(app.post(&inst, &create, org).await.status, 204);
    assert_eq!(
        put(&app, &inst, &create, json!({"scope": "team"}))
            .await
            .code(),
        "invalid_oauthscope"
    );
    assert_eq!(
        put(&app, &inst, &update, json!({"scope": "team"}))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn properties_lifecycle() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let t = &app.admin_token;
    let set = props_path(&ext, "");

    let r = app
        .patch(
            &set,
            t,
            json!({"properties": {"api_key": "secret", "region": "us-east"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"api_key": "secret", "region": "us-east"}));
    // PATCH upserts and answers with just what it was sent.
    let r = app
        .patch(
            &set,
            t,
            json!({"properties": {"region": "eu", "max_retries": "3"}}),
        )
        .await;
    assert_eq!(r.body, json!({"region": "eu", "max_retries": "3"}));

    let r = app
        .get(&props_path(&ext, "?keys=api_key,region,missing_key"), t)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"api_key": "secret", "region": "eu"}));
    let r = app.get(&props_path(&ext, "?keys=max_retries"), t).await;
    assert_eq!(r.body, json!({"max_retries": "3"}));
    let r = app.get(&props_path(&ext, "/region"), t).await;
    assert_eq!(r.body, json!({"region": "eu"}));

    let r = app.delete(&props_path(&ext, "/region"), t).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.body, Value::Null);
    // Deleting again is fine; reading it is not.
    assert_eq!(
        app.delete(&props_path(&ext, "/region"), t).await.status,
        204
    );
    let r = app.get(&props_path(&ext, "/region"), t).await;
    assert_eq!(status_code(&r), (400, "extension_property_invalid_key"));
    // A deleted key can be set again.
    let r = app
        .patch(&set, t, json!({"properties": {"region": "in"}}))
        .await;
    assert_eq!(r.body, json!({"region": "in"}));

    // Key-only callers see the same properties.
    let r = key_only(
        &app,
        Method::GET,
        &props_path(&ext, "?keys=region,api_key"),
        None,
    )
    .await;
    assert_eq!(r.body, json!({"region": "in", "api_key": "secret"}));
    let r = key_only(
        &app,
        Method::PATCH,
        &set,
        Some(json!({"properties": {"region": "jp"}})),
    )
    .await;
    assert_eq!(r.body, json!({"region": "jp"}));
    let r = key_only(&app, Method::DELETE, &props_path(&ext, "/region"), None).await;
    assert_eq!(r.status, 204);

    // Another extension has its own properties.
    let other = register(&app, "Other").await;
    let r = app.get(&props_path(&other, "?keys=api_key"), t).await;
    assert_eq!(r.body, json!({}));
}

#[tokio::test]
async fn property_validation() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let t = &app.admin_token;
    let set = props_path(&ext, "");
    let long_key = "k".repeat(31);
    for (body, code) in [
        (
            json!({"properties": {long_key.clone(): "v"}}),
            "extension_property_key_length_exceeded",
        ),
        (
            json!({"properties": {"Api-Key": "v"}}),
            "extension_property_invalid_key",
        ),
        (
            json!({"properties": {"": "v"}}),
            "extension_property_invalid_key",
        ),
        (
            json!({"properties": {"api_key": "v".repeat(1001)}}),
            "invalid_inputs",
        ),
        (json!({"properties": {"api_key": 3}}), "invalid_inputs"),
        (json!({"properties": {}}), "invalid_inputs"),
        (json!({"properties": "x"}), "invalid_inputs"),
        (json!({}), "invalid_inputs"),
        (json!({"properties": {"a": "b"}, "x": 1}), "invalid_inputs"),
    ] {
        let r = app.patch(&set, t, body.clone()).await;
        assert_eq!(status_code(&r), (400, code), "{body}: {}", r.body);
    }
    // Boundaries are accepted.
    let k30 = "k".repeat(30);
    let r = app
        .patch(
            &set,
            t,
            json!({"properties": {k30.clone(): "v".repeat(1000)}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app.get(&props_path(&ext, &format!("/{k30}")), t).await;
    assert_eq!(r.body[&k30].as_str().unwrap().len(), 1000);

    // At most 10 properties per extension, counted after the upsert.
    let nine: serde_json::Map<String, Value> = (0..9)
        .map(|i| (format!("p_{}", "x".repeat(i + 1)), json!("v")))
        .collect();
    assert_eq!(
        app.patch(&set, t, json!({"properties": nine})).await.status,
        200
    );
    let r = app
        .patch(&set, t, json!({"properties": {"one_more": "v"}}))
        .await;
    assert_eq!(status_code(&r), (400, "invalid_inputs"));
    assert!(r.body["message"].as_str().unwrap().contains("10"));
    // Updating existing keys is still fine at the limit.
    let r = app
        .patch(&set, t, json!({"properties": {k30.clone(): "w"}}))
        .await;
    assert_eq!(r.status, 200);
    let eleven: serde_json::Map<String, Value> = (0..11)
        .map(|i| (format!("q_{}", "x".repeat(i + 1)), json!("v")))
        .collect();
    let r = app.patch(&set, t, json!({"properties": eleven})).await;
    assert_eq!(status_code(&r), (400, "invalid_inputs"));

    // GET keys rules.
    for q in ["", "?keys=", "?keys=,", "?keys=API_KEY", "?keys=a-b"] {
        let r = app.get(&props_path(&ext, q), t).await;
        assert_eq!(status_code(&r), (400, "invalid_inputs"), "{q}");
    }
    let many: Vec<String> = (0..11).map(|i| format!("k{}", "x".repeat(i))).collect();
    let r = app
        .get(&props_path(&ext, &format!("?keys={}", many.join(","))), t)
        .await;
    assert_eq!(status_code(&r), (400, "invalid_inputs"));
    // Single-key paths: bad shape or too long is an invalid key.
    for key in ["API_KEY", "a-b", &long_key] {
        for r in [
            app.get(&props_path(&ext, &format!("/{key}")), t).await,
            app.delete(&props_path(&ext, &format!("/{key}")), t).await,
        ] {
            assert_eq!(
                status_code(&r),
                (400, "extension_property_invalid_key"),
                "{key}"
            );
        }
    }
}

#[tokio::test]
async fn organizations_are_isolated() {
    let app = spawn().await;
    let ext = register(&app, "Weather").await;
    let org2 = app.store().create_org("Other Inc").await.unwrap();
    let boss = admin::add_user(app.store(), org2.id, "boss@other.com", "Boss", true)
        .await
        .unwrap();
    let t2 = app.token_for(&boss).await;
    let r = app
        .patch(
            &props_path(&ext, ""),
            &app.admin_token,
            json!({"properties": {"a": "b"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    // Even with the right key, another organization's token finds nothing.
    for r in [
        app.post(&install_path(&ext), &t2, json!({"scope": "organization"}))
            .await,
        put(
            &app,
            &install_path(&ext),
            &t2,
            json!({"scope": "organization"}),
        )
        .await,
        app.get(&props_path(&ext, "?keys=a"), &t2).await,
        app.get(&props_path(&ext, "/a"), &t2).await,
        app.patch(
            &props_path(&ext, ""),
            &t2,
            json!({"properties": {"a": "x"}}),
        )
        .await,
        app.delete(&props_path(&ext, "/a"), &t2).await,
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
    }
    let r = app.get(&props_path(&ext, "/a"), &app.admin_token).await;
    assert_eq!(r.body, json!({"a": "b"}));
    assert!(
        app.store()
            .installation(ext.id, org2.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn key_only_calls_are_rate_limited_per_extension() {
    let app = spawn_with(|_| {}).await;
    let ext = register(&app, "Weather").await;
    let other = register(&app, "Other").await;
    let path = props_path(&ext, "?keys=a");
    for i in 0..30 {
        let r = key_only(&app, Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "request {i}");
        assert_eq!(r.headers["x-ratelimit-limit"], "30");
        assert_eq!(
            r.headers["x-ratelimit-remaining"].to_str().unwrap(),
            (29 - i).to_string()
        );
    }
    let r = key_only(&app, Method::GET, &path, None).await;
    assert_eq!(r.status, 429);
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(
        r.body,
        json!({"message": "Too many requests within a certain time frame."})
    );
    // Other extensions and token callers have their own buckets.
    let r = key_only(&app, Method::GET, &props_path(&other, "?keys=a"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.get(&path, &app.admin_token).await.status, 200);
}
