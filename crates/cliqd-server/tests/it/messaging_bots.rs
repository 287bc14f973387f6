//! Messaging as a bot and with webhook tokens: bot messages to users, subscribers and
//! channels, bot association, subscriptions, and `zapikey` posting.

use crate::helpers::spawn;
use crate::messaging::{general_chat, texts};
use reqwest::Method;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test]
async fn bot_messages_association_and_subscribers() {
    let app = spawn().await;
    let admin = app.admin_token.clone();
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    app.create_bot("Deploy Bot").await;
    let chat = general_chat(&app, &scott).await;

    // Not associated yet: posting as the bot in the channel is refused.
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message?bot_unique_name=deploybot",
            &scott,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "bot_not_member"));
    let r = app
        .post(
            "/api/v3/bots/deploybot/associate",
            &scott,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .post(
            "/api/v3/bots/deploybot/associate",
            &scott,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.code(), "bot_already_member");
    let r = app
        .post(
            "/api/v3/bots/deploybot/associate",
            &scott,
            json!({"channel_unique_name": "nope"}),
        )
        .await;
    assert_eq!(r.code(), "channel_not_found");
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message?bot_unique_name=deploybot",
            &scott,
            json!({"text": "deployed", "bot": {"name": "Deployer"}}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .post(
            "/api/v3/bots/deploybot/messages?CHANNEL_UNIQUE_NAME=general",
            &scott,
            json!({"text": "v3 in channel"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let list = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &olivia)
        .await;
    let m = &list.body["data"][0];
    assert_eq!(m["sender"]["type"], "bot");
    assert_eq!(m["sender"]["name"], "Deploy Bot");
    assert!(m["sender"]["id"].as_str().unwrap().starts_with("b-"));
    assert_eq!(m["content"]["bot"]["name"], "Deployer");
    assert_eq!(texts(&list), ["deployed", "v3 in channel"]);

    // Subscriptions and the subscriber list.
    // Subscribing answers the subscriber's bot chat (opened for them).
    for t in [&scott, &olivia] {
        let r = app
            .post("/api/v3/bots/deploybot/subscribe", t, json!({}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body["chat_id"]
                .as_str()
                .is_some_and(|c| c.ends_with("-B2")),
            "{}",
            r.body
        );
    }
    let r = app
        .get("/api/v3/bots/deploybot?fields=subscription_details", &admin)
        .await;
    assert_eq!(r.body["data"]["subscriber_count"], 2, "{}", r.body);
    assert_eq!(r.body["data"]["subscribers"][1]["name"], "Olivia Palmer");
    let r = app.get("/api/v3/bots/deploybot/subscribers", &admin).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "bot_subscriber");
    assert_eq!(r.body["subscriber_count"], 2);
    assert_eq!(r.body["data"][0]["email_id"], "scott.fisher@zylker.com");
    assert_eq!(
        app.get("/api/v3/bots/deploybot/subscribers", &scott)
            .await
            .code(),
        "bot_permission_denied"
    );

    let r = app
        .post(
            "/api/v2/bots/deploybot/message",
            &admin,
            json!({"text": "to all", "broadcast": true, "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ids: HashSet<String> = r.body["user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        HashSet::from([app.users[0].id.to_string(), app.users[1].id.to_string()])
    );
    let details = &r.body["message_details"][app.users[1].id.to_string()];
    let bot_chat = details["chat_id"].as_str().unwrap().to_string();
    assert!(bot_chat.ends_with("-B2"), "{bot_chat}");
    let msgs = app
        .get(&format!("/api/v2/chats/{bot_chat}/messages"), &olivia)
        .await;
    assert_eq!(texts(&msgs), ["to all"]);
    assert_eq!(
        app.get(&format!("/api/v2/chats/{bot_chat}/messages"), &scott)
            .await
            .code(),
        "access_denied"
    );

    // userids (v2 spelling) reaches one user's bot chat, the same chat as before.
    let r = app
        .post(
            "/api/v3/bots/deploybot/message",
            &scott,
            json!({"text": "just you", "userids": app.users[1].id.to_string(), "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["message_details"][app.users[1].id.to_string()]["chat_id"],
        bot_chat.as_str()
    );
    let msgs = app
        .get(&format!("/api/v2/chats/{bot_chat}/messages"), &olivia)
        .await;
    assert_eq!(texts(&msgs), ["to all", "just you"]);

    assert_eq!(
        app.post("/api/v3/bots/deploybot/unsubscribe", &olivia, json!({}))
            .await
            .status,
        204
    );
    let r = app.get("/api/v3/bots/deploybot/subscribers", &admin).await;
    assert_eq!(r.body["subscriber_count"], 1);
    let r = app
        .post(
            "/api/v2/bots/nosuchbot/message",
            &scott,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(r.code(), "bot_not_found");
    let r = app
        .post(
            "/api/v2/bots/deploybot/message",
            &scott,
            json!({"text": "x", "user_ids": "nobody@zylker.com"}),
        )
        .await;
    assert_eq!(r.code(), "user_not_found");
}

#[tokio::test]
async fn webhook_tokens_post_on_v2_only() {
    let app = spawn().await;
    let scott = &app.users[0];
    let mut keys = Vec::new();
    for i in 0..5 {
        let k = cliqd_server::admin::create_webhook_token(app.store(), scott.id, &format!("k{i}"))
            .await
            .unwrap();
        keys.push(k.expect("under the limit"));
    }
    let sixth = cliqd_server::admin::create_webhook_token(app.store(), scott.id, "k5")
        .await
        .unwrap();
    assert!(sixth.is_none(), "at most 5 webhook tokens per user");

    let url = |path: &str, key: &str| format!("{}{path}?zapikey={key}", app.base);
    let r = app
        .client
        .post(url("/api/v2/channelsbyname/general/message", &keys[0]))
        .json(&json!({"text": "via zapikey"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .post(url(
            "/api/v2/buddies/olivia.palmer@zylker.com/message",
            &keys[1],
        ))
        .json(&json!({"text": "dm via zapikey"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // Not on v3, not for reading, not with a wrong key.
    let chat = general_chat(&app, &app.admin_token).await;
    for (method, path) in [
        (
            Method::POST,
            "/api/v3/channelsbyname/general/messages".to_string(),
        ),
        (Method::GET, format!("/api/v2/chats/{chat}/messages")),
    ] {
        let r = app
            .client
            .request(method, url(&path, &keys[0]))
            .json(&json!({"text": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = app
        .client
        .post(url("/api/v2/channelsbyname/general/message", "1000.bogus"))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let t = app.token_for(scott).await;
    let r = app.get(&format!("/api/v2/chats/{chat}/messages"), &t).await;
    let m = &r.body["data"][0];
    assert_eq!(m["content"]["text"], "via zapikey");
    assert_eq!(m["sender"]["id"], scott.id.to_string());
}
