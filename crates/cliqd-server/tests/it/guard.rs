//! The guard: every credential kind is authenticated, rate-limited and answered with the
//! `X-RateLimit-*` headers in one place.

use crate::helpers::spawn_with;
use cliqd_server::config::RateLimitMode;
use serde_json::json;

#[tokio::test]
async fn webhook_token_calls_are_counted_and_carry_rate_headers() {
    let app = spawn_with(|c| c.rate_limits = RateLimitMode::Spec).await;
    let scott = &app.users[0];
    let key = cliqd_server::admin::create_webhook_token(app.store(), scott.id, "k")
        .await
        .unwrap()
        .expect("a first token");
    let url = format!(
        "{}/api/v2/channelsbyname/general/message?zapikey={key}",
        app.base
    );
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = app
            .client
            .post(&url)
            .json(&json!({"text": "via zapikey"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert!(r.headers().contains_key("x-ratelimit-limit"));
        assert!(r.headers().contains_key("x-ratelimit-reset"));
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    let n: Vec<u32> = remaining.iter().map(|r| r.parse().unwrap()).collect();
    assert!(n[0] > n[1] && n[1] > n[2], "each call is counted: {n:?}");
    // The token's owner shares one bucket whatever the credential: an OAuth call continues
    // the count.
    let t = app.token_for(scott).await;
    let r = app
        .client
        .post(format!(
            "{}/api/v2/channelsbyname/general/message",
            app.base
        ))
        .header("Authorization", format!("Zoho-oauthtoken {t}"))
        .json(&json!({"text": "via oauth"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let after: u32 = r.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after + 1, n[2]);
}

#[tokio::test]
async fn websocket_query_tokens_are_rate_limited() {
    let app = spawn_with(|c| c.rate_limits = RateLimitMode::Spec).await;
    let url = format!(
        "{}/api/v3/realtime?access_token={}",
        app.base, app.admin_token
    );
    // Plain GETs (no upgrade) are counted by the guard before the handler refuses them.
    let mut statuses = Vec::new();
    for _ in 0..31 {
        let r = app.client.get(&url).send().await.unwrap();
        if r.status() != 429 {
            assert!(r.headers().contains_key("x-ratelimit-remaining"));
        }
        statuses.push(r.status().as_u16());
    }
    assert!(statuses[..30].iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(statuses[30], 429, "the 31st call in a minute is refused");
    // A bad query token is refused as a bad header token is.
    let r = app
        .client
        .get(format!("{}/api/v3/realtime?access_token=nope", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
