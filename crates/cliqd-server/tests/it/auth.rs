//! Authentication, scopes, rate limits and the OAuth token endpoint.

use crate::helpers::{spawn, spawn_with};
use cliqd_server::config::RateLimitMode;
use serde_json::json;

const MSG_401: &str = "Request was rejected because of invalid AuthToken.";

#[tokio::test]
async fn tokens_and_scopes() {
    let app = spawn().await;
    let scott = app.users[0].clone();
    let url = format!("{}/api/v3/bots", app.base);
    // Missing, malformed and unknown tokens.
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"message": MSG_401})
    );
    let r = app
        .client
        .get(&url)
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(app.get("/api/v3/bots", "1000.nope.nope").await.status, 401);
    // Bearer works as well as Zoho-oauthtoken.
    let r = app
        .client
        .get(&url)
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Expired and revoked tokens.
    let expired = app.token_with(&scott, "ZohoCliq.Bots.READ", Some(-1)).await;
    assert_eq!(
        app.get("/api/v3/bots", &expired).await.body["message"],
        MSG_401
    );
    let revoked = app.token_with(&scott, "ZohoCliq.Bots.READ", None).await;
    app.store()
        .revoke_token(&cliqd_server::admin::hash_secret(&revoked))
        .await
        .unwrap();
    assert_eq!(app.get("/api/v3/bots", &revoked).await.status, 401);
    // Scopes: the wrong one is refused; case and prefix variants are accepted.
    let read_only = app.token_with(&scott, "ZohoCliq.Bots.READ", None).await;
    assert_eq!(app.get("/api/v3/bots", &read_only).await.status, 200);
    let r = app
        .post(
            "/api/v3/bots",
            &read_only,
            json!({"name": "n", "description": "d"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "invalid_oauthscope"));
    let variant = app
        .token_with(&scott, "zohocliq.bots.create bots.update", None)
        .await;
    let id = app
        .create_bot_as(&variant, json!({"name": "n", "description": "d"}))
        .await;
    assert_eq!(
        app.patch(
            &format!("/api/v3/bots/{id}"),
            &variant,
            json!({"description": "e"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.delete(&format!("/api/v3/bots/{id}"), &variant)
            .await
            .code(),
        "invalid_oauthscope"
    );
}

#[tokio::test]
async fn oauth_token_endpoint() {
    let app = spawn().await;
    let scott = app.users[0].clone();
    let c = cliqd_server::admin::add_client(
        app.store(),
        "ci",
        scott.id,
        "ZohoCliq.Bots.READ,ZohoCliq.Bots.CREATE",
    )
    .await
    .unwrap();
    let url = format!("{}/oauth/v2/token", app.base);
    // Zoho style: parameters in the query string.
    let r: serde_json::Value = app
        .client
        .post(format!(
            "{url}?refresh_token={}&client_id={}&client_secret={}&grant_type=refresh_token",
            c.refresh_token, c.client_id, c.client_secret
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["token_type"], "Bearer");
    assert_eq!(r["expires_in"], 3600);
    let access = r["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v3/bots", &access).await.status, 200);
    // Form body, client credentials with a narrower scope.
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=ZohoCliq.Bots.READ",
        c.client_id, c.client_secret
    );
    let r: serde_json::Value = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let narrow = r["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.post(
            "/api/v3/bots",
            &narrow,
            json!({"name": "n", "description": "d"})
        )
        .await
        .code(),
        "invalid_oauthscope"
    );
    for (q, err) in [
        (
            format!(
                "grant_type=refresh_token&client_id={}&client_secret=wrong&refresh_token=x",
                c.client_id
            ),
            "invalid_client_secret",
        ),
        (
            "grant_type=refresh_token&client_id=nope&client_secret=x&refresh_token=x".to_string(),
            "invalid_client",
        ),
        (
            format!(
                "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token=bad",
                c.client_id, c.client_secret
            ),
            "invalid_code",
        ),
        (
            format!(
                "grant_type=password&client_id={}&client_secret={}",
                c.client_id, c.client_secret
            ),
            "unsupported_grant_type",
        ),
        (
            format!(
                "grant_type=client_credentials&client_id={}&client_secret={}&scope=ZohoCliq.Bots.DELETE",
                c.client_id, c.client_secret
            ),
            "invalid_scope",
        ),
    ] {
        let r: serde_json::Value = app
            .client
            .post(format!("{url}?{q}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["error"], err, "{q}");
    }
    // A token in use (so cached by the server) stops working the moment it is revoked.
    assert_eq!(app.get("/api/v3/bots", &access).await.status, 200);
    let r = app
        .client
        .post(format!("{}/oauth/v2/token/revoke?token={access}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get("/api/v3/bots", &access).await.status, 401);
}

#[tokio::test]
async fn rate_limit_locks_and_recovers() {
    // Windows and locks divided by 50: one minute → 1.2 s, five minutes → 6 s. (A shorter
    // window made the ten requests below straddle two windows on a loaded machine.)
    let app = spawn_with(|c| {
        c.rate_limits = RateLimitMode::Spec;
        c.rate_limit_time_divisor = 50;
    })
    .await;
    let t = app.admin_token.clone();
    let mut last = None;
    for i in 0..10 {
        let r = app
            .post(
                "/api/v3/bots",
                &t,
                json!({"name": format!("Bot {i}"), "description": "d"}),
            )
            .await;
        assert_eq!(r.status, 200, "request {i}: {}", r.body);
        assert_eq!(r.headers["x-ratelimit-limit"], "10");
        assert_eq!(
            r.headers["x-ratelimit-remaining"],
            (9 - i).to_string().as_str()
        );
        assert!(r.headers.contains_key("x-ratelimit-reset"));
        last = Some(r);
    }
    assert!(last.is_some());
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Eleven", "description": "d"}),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.body,
        json!({"message": "Too many requests within a certain time frame."})
    );
    assert_eq!(r.headers["retry-after"], "6");
    assert_eq!(r.headers["x-ratelimit-remaining"], "0");
    // Still locked even after the window would have reset; other endpoints and users unaffected.
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    assert_eq!(
        app.post(
            "/api/v3/bots",
            &t,
            json!({"name": "Locked", "description": "d"})
        )
        .await
        .status,
        429
    );
    assert_eq!(app.get("/api/v3/bots", &t).await.status, 200);
    let scott = app.token_for(&app.users[0].clone()).await;
    assert_eq!(
        app.post(
            "/api/v3/bots",
            &scott,
            json!({"name": "Scott's", "description": "d"})
        )
        .await
        .status,
        200
    );
    // After the lock period the user may create again.
    tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Recovered", "description": "d"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
