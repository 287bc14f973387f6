//! Thread management over real HTTP: details, close/reopen, following (automatic and
//! explicit), followers and non-followers, and the membership, permission and scope rules.

use crate::helpers::{Reply, TestApp, spawn};
use crate::messaging::{outsider, post_sync};
use cliqd_server::admin;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn ids(r: &Reply) -> BTreeSet<String> {
    r.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {}", r.body))
        .iter()
        .map(|u| {
            assert!(u["email_id"].is_string() && u["name"].is_string(), "{u}");
            u["user_id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn set(users: &[i64]) -> BTreeSet<String> {
    users.iter().map(i64::to_string).collect()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.call(Method::PUT, path, token, Some(body)).await
}

#[tokio::test]
async fn following_is_automatic_and_explicit() {
    let app = spawn().await;
    let (admin_id, scott_id, olivia_id, james_id) = (
        app.admin.id,
        app.users[0].id,
        app.users[1].id,
        app.users[2].id,
    );
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;
    let admin_t = app.admin_token.clone();

    // Scott's message, a thread Olivia starts under it: both follow.
    let parent = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &scott,
        "plan",
    )
    .await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &olivia,
            json!({"text": "idea", "thread_message_id": parent, "sync_message": true}),
        )
        .await;
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let base = format!("/api/v3/threads/{thread}");
    let followers = format!("{base}/followers");
    let r = app.get(&followers, &james).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ids(&r), set(&[scott_id, olivia_id]));
    let r = app.get(&format!("{base}/nonfollowers"), &james).await;
    assert_eq!(ids(&r), set(&[admin_id, james_id]));
    let r = app.get(&base, &olivia).await;
    assert_eq!(r.body["data"]["follower_count"], 2);
    assert_eq!(r.body["data"]["is_follower"], true);
    assert_eq!(r.body["data"]["thread_state"], "open");
    assert_eq!(
        r.body["data"]["parent_message_sender"],
        scott_id.to_string()
    );
    assert_eq!(
        app.get(&base, &james).await.body["data"]["is_follower"],
        false
    );

    // Posting follows; follow/unfollow and PUT follow/unfollow act for the caller.
    let r = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &admin_t,
            json!({"text": "+1"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app.post(&format!("{base}/follow"), &james, json!({})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(ids(&app.get(&followers, &james).await).len(), 4);
    assert_eq!(
        app.get(&format!("{base}/nonfollowers"), &james).await.body["data"],
        json!([])
    );
    let r = app
        .post(&format!("{base}/unfollow"), &james, json!({}))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        app.get(&base, &james).await.body["data"]["is_follower"],
        false
    );
    assert_eq!(
        put(&app, &base, &james, json!({"action": "follow"}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(&base, &james).await.body["data"]["is_follower"],
        true
    );
    assert_eq!(
        put(&app, &base, &james, json!({"action": "unfollow"}))
            .await
            .status,
        204
    );
    // Unfollowing twice is not an error; an unfollower still reads and posts.
    assert_eq!(
        app.post(&format!("{base}/unfollow"), &james, json!({}))
            .await
            .status,
        204
    );
    let r = app
        .get(&format!("/api/v2/chats/{thread}/messages"), &james)
        .await;
    assert_eq!(r.status, 200);

    // Members add others; removing others takes the thread's starter, the chat's creator or
    // an admin, while anyone removes themselves.
    let r = app
        .post(
            &followers,
            &olivia,
            json!({"user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(ids(&app.get(&followers, &james).await).contains(&james_id.to_string()));
    let r = app
        .call(
            Method::DELETE,
            &followers,
            &olivia,
            Some(json!({"user_ids": [james_id.to_string()]})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body["message"].is_string());
    let r = app
        .call(
            Method::DELETE,
            &followers,
            &james,
            Some(json!({"user_ids": [james_id.to_string()]})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .delete(&format!("{followers}?user_ids={olivia_id}"), &scott)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        ids(&app.get(&followers, &scott).await),
        set(&[scott_id, admin_id])
    );

    // Leaving a thread unfollows it and keeps the parent chat.
    let r = app
        .post(&format!("/api/v3/chats/{thread}/leave"), &scott, json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(ids(&app.get(&followers, &scott).await), set(&[admin_id]));
    assert_eq!(
        app.get(&format!("/api/v2/chats/{thread}/messages"), &scott)
            .await
            .status,
        200
    );

    // Bad requests.
    for body in [
        json!({}),
        json!({"user_ids": 5}),
        json!({"user_ids": []}),
        json!({"ids": ["1"]}),
    ] {
        let r = app.post(&followers, &scott, body.clone()).await;
        assert_eq!(r.code(), "invalid_inputs", "{body}: {}", r.body);
    }
    let r = app
        .post(
            &followers,
            &scott,
            json!({"user_ids": ["nobody@zylker.com"]}),
        )
        .await;
    assert_eq!(r.code(), "user_not_found");
    let (eve_id, eve) = outsider(&app).await;
    let r = app
        .post(
            &followers,
            &scott,
            json!({"user_ids": [eve_id.to_string()]}),
        )
        .await;
    assert_eq!(r.code(), "user_not_in_organization");
    // A user of the organization who is not in the parent chat cannot follow.
    let newbie = admin::add_user(
        app.store(),
        app.admin.org_id,
        "new@zylker.com",
        "New",
        false,
    )
    .await
    .unwrap();
    let r = app
        .post(
            &followers,
            &scott,
            json!({"user_ids": [newbie.id.to_string()]}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "access_denied"),
        "{}",
        r.body
    );
    let newbie_t = app.token_for(&newbie).await;
    for path in [
        base.clone(),
        followers.clone(),
        format!("{base}/nonfollowers"),
    ] {
        assert_eq!(app.get(&path, &newbie_t).await.code(), "access_denied");
        assert_eq!(app.get(&path, &eve).await.code(), "chat_not_found");
    }
    assert_eq!(
        app.post(&format!("{base}/follow"), &newbie_t, json!({}))
            .await
            .code(),
        "access_denied"
    );
    // Not a thread, or no such chat.
    let general = app.get("/api/v3/channels/general", &scott).await.body["data"]["chat_id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        format!("/api/v3/threads/{general}/followers"),
        format!("/api/v3/threads/{general}/nonfollowers"),
    ] {
        let r = app.get(&path, &scott).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (400, "thread_chatid_invalid")
        );
    }
    let r = app
        .post(
            &format!("/api/v3/threads/{general}/follow"),
            &scott,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "thread_chatid_invalid");
    let r = app
        .get("/api/v3/threads/CT_1_1-T-1/followers", &scott)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "chat_not_found"));
    // Scopes: reading takes Chats.READ, changing Chats.UPDATE, removing Chats.DELETE.
    let reader = app
        .token_with(&app.users[0], "ZohoCliq.Chats.READ", None)
        .await;
    assert_eq!(app.get(&followers, &reader).await.status, 200);
    assert_eq!(
        app.post(&format!("{base}/follow"), &reader, json!({}))
            .await
            .code(),
        "invalid_oauthscope"
    );
    let updater = app
        .token_with(&app.users[0], "ZohoCliq.Chats.UPDATE", None)
        .await;
    let r = app
        .delete(&format!("{followers}?user_ids={scott_id}"), &updater)
        .await;
    assert_eq!(r.code(), "invalid_oauthscope");
}

#[tokio::test]
async fn closing_stops_posts_until_reopened() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let parent = post_sync(&app, "/api/v3/channelsbyname/general/messages", &scott, "q").await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &olivia,
            json!({"text": "a", "thread_message_id": parent, "sync_message": true}),
        )
        .await;
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let base = format!("/api/v3/threads/{thread}");
    let posts = format!("/api/v3/chats/{thread}/messages");

    // Olivia started the reply chain but not the parent message: she cannot close it.
    let r = put(&app, &base, &olivia, json!({"action": "close"})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // Scott (the parent message's sender) can.
    assert_eq!(
        put(&app, &base, &scott, json!({"action": "close"}))
            .await
            .status,
        204
    );
    assert_eq!(
        put(&app, &base, &scott, json!({"action": "CLOSE"}))
            .await
            .status,
        204
    );
    let r = app.get(&base, &olivia).await;
    assert_eq!(r.body["data"]["thread_state"], "closed");
    let r = app.get(&format!("{base}/messages/main"), &olivia).await;
    assert_eq!(r.body["thread_state_information"]["thread_state"], "closed");
    for (path, body) in [
        (posts.clone(), json!({"text": "late"})),
        (
            format!("/api/v2/chats/{thread}/message"),
            json!({"text": "late"}),
        ),
        (
            "/api/v3/channelsbyname/general/messages".to_string(),
            json!({"text": "late", "thread_message_id": parent}),
        ),
        (
            "/api/v3/channelsbyname/general/messages".to_string(),
            json!({"text": "late", "thread_chat_id": thread}),
        ),
    ] {
        let r = app.post(&path, &olivia, body).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (403, "thread_closed"),
            "{path}: {}",
            r.body
        );
    }
    // Reading still works; nothing was written.
    let r = app
        .get(&format!("/api/v2/chats/{thread}/messages"), &olivia)
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    // The organization admin reopens it.
    let r = put(&app, &base, &app.admin_token, json!({"action": "reopen"})).await;
    assert_eq!(r.status, 204);
    assert_eq!(
        app.post(&posts, &olivia, json!({"text": "again"}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(&base, &olivia).await.body["data"]["thread_state"],
        "open"
    );

    // Bad bodies.
    for body in [
        json!({}),
        json!({"action": "explode"}),
        json!({"action": 3}),
        json!({"action": "close", "x": 1}),
    ] {
        let r = put(&app, &base, &scott, body.clone()).await;
        assert_eq!(r.code(), "invalid_inputs", "{body}: {}", r.body);
    }

    // As a bot: it must be associated with the channel; it may close, not follow.
    app.create_bot("Thread Bot").await;
    let admin_t = app.admin_token.clone();
    let as_bot = format!("{base}?bot_unique_name=threadbot");
    let r = put(&app, &as_bot, &admin_t, json!({"action": "close"})).await;
    assert_eq!(r.code(), "bot_not_member", "{}", r.body);
    let r = app
        .post(
            "/api/v3/bots/threadbot/associate",
            &admin_t,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        put(&app, &as_bot, &admin_t, json!({"action": "close"}))
            .await
            .status,
        204
    );
    let r = put(&app, &as_bot, &admin_t, json!({"action": "follow"})).await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = put(
        &app,
        &format!("{base}?bot_unique_name=nosuchbot"),
        &admin_t,
        json!({"action": "close"}),
    )
    .await;
    assert_eq!(r.code(), "bot_not_found");
}
