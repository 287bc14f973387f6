//! Messaging over real HTTP: channels, posting (v2 and v3), reading, threads, edits, deletes,
//! reactions, direct chats, membership and scope rules, pagination under concurrent posts.

use crate::helpers::{Reply, TestApp, spawn};
use cliqd_store::NewUser;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The chat id of the demo `general` channel, as seen by `token`.
pub async fn general_chat(app: &TestApp, token: &str) -> String {
    let r = app.get("/api/v3/channels/general", token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["chat_id"].as_str().unwrap().to_string()
}

/// Posts `text` with `sync_message` to `path`; returns the message id.
pub async fn post_sync(app: &TestApp, path: &str, token: &str, text: &str) -> String {
    let r = app
        .post(path, token, json!({"text": text, "sync_message": true}))
        .await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body["message_id"].as_str().unwrap().to_string()
}

pub fn texts(r: &Reply) -> Vec<String> {
    r.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {}", r.body))
        .iter()
        .map(|m| m["content"]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.call(Method::PUT, path, token, Some(body)).await
}

/// A second organization with one user; returns that user's token.
pub(crate) async fn outsider(app: &TestApp) -> (i64, String) {
    let org = app.store().create_org("Other").await.unwrap();
    let user = app
        .store()
        .create_user(NewUser {
            org_id: org.id,
            email: "eve@other.example".into(),
            name: "Eve".into(),
            is_admin: true,
        })
        .await
        .unwrap();
    let token = app.token_for(&user).await;
    (user.id, token)
}

#[tokio::test]
async fn general_channel_post_and_read() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;

    let channels = app.get("/api/v3/channels", &scott).await;
    assert_eq!(channels.status, 200);
    let general = &channels.body["data"][0];
    assert_eq!(general["unique_name"], "general");
    assert_eq!(general["level"], "organization");
    assert_eq!(general["participant_count"], 4);
    assert!(general["channel_id"].as_str().unwrap().starts_with('O'));
    let chat = general["chat_id"].as_str().unwrap().to_string();
    assert!(chat.starts_with("CT_"), "{chat}");

    // v2 without sync_message: 204; with it: the message id.
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &scott,
            json!({"text": "hello"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let id = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &olivia,
        "hi",
    )
    .await;
    let (ms, n) = id.split_once('_').unwrap();
    assert!(ms.parse::<i64>().unwrap() > 1_600_000_000_000 && n.parse::<i64>().is_ok());
    let channel_id = general["channel_id"].as_str().unwrap();
    let by_id = app
        .post(
            &format!("/api/v3/channels/{channel_id}/messages"),
            &scott,
            json!({"text": "by id"}),
        )
        .await;
    assert_eq!(by_id.status, 204, "{}", by_id.body);

    let list = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &olivia)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(texts(&list), ["hello", "hi", "by id"]);
    let first = &list.body["data"][0];
    assert_eq!(first["sender"]["name"], "Scott Fisher");
    assert_eq!(first["sender"]["id"], app.users[0].id.to_string());
    assert_eq!(first["type"], "text");
    assert!(first["time"].as_i64().is_some());

    let one = app
        .get(&format!("/api/v2/chats/{chat}/messages/{id}"), &scott)
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["data"]["id"], id.as_str());
    assert_eq!(one.body["data"]["content"]["text"], "hi");
    // The space and %20 spellings of a message id name the same message.
    let spaced = id.replace('_', "%20");
    let again = app
        .get(&format!("/api/v2/chats/{chat}/messages/{spaced}"), &scott)
        .await;
    assert_eq!(again.status, 200, "{}", again.body);

    // A card keeps its canonical form and reads back as type card.
    let card = json!({"text": "vote", "card": {"title": "Poll", "theme": "modern-inline"},
        "buttons": [{"label": "Yes", "type": "+", "action": {"type": "open.url", "data": {"web": "https://example.com"}}}]});
    let r = app
        .post("/api/v2/channelsbyname/general/message", &scott, card)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let list = app
        .get(&format!("/api/v2/chats/{chat}/messages?limit=1"), &scott)
        .await;
    let m = &list.body["data"][0];
    assert_eq!(m["type"], "card");
    assert_eq!(m["content"]["card"]["title"], "Poll");
    assert_eq!(m["content"]["buttons"][0]["label"], "Yes");
}

#[tokio::test]
async fn invalid_messages_name_the_field() {
    let app = spawn().await;
    let t = app.token_for(&app.users[0]).await;
    let path = "/api/v2/channelsbyname/general/message";
    let buttons: Vec<Value> = (0..6)
        .map(|i| json!({"label": format!("b{i}"), "action": {"type": "open.url", "data": {"web": "https://e.com"}}}))
        .collect();
    let r = app
        .post(path, &t, json!({"text": "x", "buttons": buttons}))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_inputs"));
    assert!(
        r.body["message"].as_str().unwrap().contains("buttons"),
        "{}",
        r.body
    );
    let r = app
        .post(path, &t, json!({"text": "x".repeat(10_001)}))
        .await;
    assert!(
        r.body["message"].as_str().unwrap().contains("text"),
        "{}",
        r.body
    );
    let r = app.post(path, &t, json!({"card": {"theme": "poll"}})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(app.post(path, &t, json!([])).await.code(), "invalid_inputs");
    let r = app
        .post(
            "/api/v2/channelsbyname/nosuchchannel/message",
            &t,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "channel_not_found"));
    let r = app
        .post("/api/v2/chats/CT_1_2/message", &t, json!({"text": "x"}))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "chat_not_found"));
}

#[tokio::test]
async fn membership_rules() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    let r = app
        .post(
            "/api/v3/channels",
            &scott,
            json!({"name": "Design Crew", "level": "private", "email_ids": ["olivia.palmer@zylker.com"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["unique_name"], "designcrew");
    assert!(
        r.body["data"]["channel_id"]
            .as_str()
            .unwrap()
            .starts_with('P')
    );
    let chat = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    let dup = app
        .post("/api/v3/channels", &scott, json!({"name": "design crew"}))
        .await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (409, "channel_unique_name_already_exists")
    );

    let id = post_sync(
        &app,
        "/api/v3/channelsbyname/designcrew/messages",
        &scott,
        "secret",
    )
    .await;
    for (path, r) in [
        (
            "post",
            app.post(
                "/api/v3/channelsbyname/designcrew/messages",
                &james,
                json!({"text": "x"}),
            )
            .await,
        ),
        (
            "list",
            app.get(&format!("/api/v2/chats/{chat}/messages"), &james)
                .await,
        ),
        (
            "get",
            app.get(&format!("/api/v2/chats/{chat}/messages/{id}"), &james)
                .await,
        ),
        (
            "react",
            app.post(
                &format!("/api/v2/chats/{chat}/messages/{id}/reactions"),
                &james,
                json!({"emoji_code": "👍"}),
            )
            .await,
        ),
    ] {
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (403, "access_denied"),
            "{path}: {}",
            r.body
        );
    }
    // A private channel is invisible to non-members; james cannot add himself.
    assert_eq!(
        app.get("/api/v3/channels/designcrew", &james).await.code(),
        "channel_not_found"
    );
    // Another organization does not even see the chat.
    let (_, eve) = outsider(&app).await;
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &eve)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "chat_not_found"));
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &eve,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(r.code(), "channel_not_found");

    // Once added, james reads the history; once removed, he cannot any more.
    let r = app
        .post(
            "/api/v3/channels/designcrew/members",
            &scott,
            json!({"user_ids": [app.users[2].id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &james)
        .await;
    assert_eq!(texts(&r), ["secret"]);
    let members = app.get("/api/v3/channels/designcrew/members", &james).await;
    assert_eq!(members.body["data"].as_array().unwrap().len(), 3);
    let r = app
        .delete(
            &format!("/api/v3/channels/designcrew/members/{}", app.users[2].id),
            &scott,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &james)
        .await;
    assert_eq!(r.code(), "access_denied");

    // Scopes: a token without Webhooks.CREATE cannot post.
    let reader = app
        .token_with(&app.users[0], "ZohoCliq.Messages.READ", None)
        .await;
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &reader,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "invalid_oauthscope"));
    let general = general_chat(&app, &scott).await;
    let r = app
        .get(&format!("/api/v2/chats/{general}/messages"), &reader)
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn threads() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let chat = general_chat(&app, &scott).await;
    let parent = post_sync(
        &app,
        "/api/v2/channelsbyname/general/message",
        &scott,
        "Release plan",
    )
    .await;

    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &olivia,
            json!({"text": "first reply", "thread_message_id": parent, "thread_title": "Release", "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    assert!(thread.contains("-T-"), "{thread}");
    // A second thread_message_id post lands in the same thread.
    let spaced = parent.replace('_', " ");
    let r = app
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            &scott,
            json!({"text": "second reply", "thread_message_id": spaced, "sync_message": true}),
        )
        .await;
    assert_eq!(r.body["thread_chat_id"], thread.as_str(), "{}", r.body);
    // Posting into the thread chat directly, v2 and v3.
    let r = app
        .post(
            &format!("/api/v2/chats/{thread}/message"),
            &olivia,
            json!({"text": "third"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            &olivia,
            json!({"text": "fourth", "thread_chat_id": thread}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);

    let r = app
        .get(&format!("/api/v2/chats/{thread}/messages"), &olivia)
        .await;
    assert_eq!(
        texts(&r),
        ["first reply", "second reply", "third", "fourth"]
    );
    let main = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &olivia)
        .await;
    assert_eq!(
        texts(&main),
        ["Release plan"],
        "thread replies stay out of the parent chat"
    );
    assert_eq!(main.body["data"][0]["thread_chat_id"], thread.as_str());

    let info = app.get(&format!("/api/v3/threads/{thread}"), &scott).await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.body["type"], "chat_thread");
    assert_eq!(info.body["data"]["parent_chat_id"], chat.as_str());
    assert_eq!(info.body["data"]["thread_message_id"], parent.as_str());
    assert_eq!(info.body["data"]["title"], "Release");
    let not_thread = app.get(&format!("/api/v3/threads/{chat}"), &scott).await;
    assert_eq!(not_thread.code(), "thread_chatid_invalid");

    let reply_id = texts(&r);
    assert_eq!(reply_id.len(), 4);
    let nested = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &scott,
            json!({"text": "x", "thread_message_id": r.body["data"][0]["id"]}),
        )
        .await;
    assert_eq!(
        (nested.status.as_u16(), nested.code()),
        (400, "thread_chatid_invalid")
    );
    let missing = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &scott,
            json!({"text": "x", "thread_message_id": "1_1"}),
        )
        .await;
    assert_eq!(
        (missing.status.as_u16(), missing.code()),
        (404, "message_not_found")
    );

    // Thread membership follows the parent: a non-member of the channel cannot read it.
    let (_, eve) = outsider(&app).await;
    assert_eq!(
        app.get(&format!("/api/v2/chats/{thread}/messages"), &eve)
            .await
            .code(),
        "chat_not_found"
    );
}

#[tokio::test]
async fn edit_delete_and_reactions() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let chat = general_chat(&app, &scott).await;
    let id = post_sync(
        &app,
        "/api/v2/channelsbyname/general/message",
        &scott,
        "tpyo",
    )
    .await;
    let path = format!("/api/v2/chats/{chat}/messages/{id}");

    let r = put(&app, &path, &olivia, json!({"text": "hijack"})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "message_permission_denied")
    );
    let r = put(&app, &path, &scott, json!({"notify_edit": true})).await;
    assert_eq!(r.code(), "invalid_inputs");
    assert!(r.body["message"].as_str().unwrap().contains("text"));
    let r = put(
        &app,
        &path,
        &scott,
        json!({"text": "typo", "notify_edit": false}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let m = app.get(&path, &olivia).await;
    assert_eq!(m.body["data"]["content"]["text"], "typo");
    assert_eq!(m.body["data"]["is_edited"], true);

    let rpath = format!("{path}/reactions");
    for (token, emoji) in [(&scott, "😍"), (&olivia, "😍"), (&olivia, ":fire:")] {
        let r = app.post(&rpath, token, json!({"emoji_code": emoji})).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    // Reacting twice is harmless.
    assert_eq!(
        app.post(&rpath, &scott, json!({"emoji_code": "😍"}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.post(&rpath, &scott, json!({})).await.code(),
        "invalid_inputs"
    );
    let r = app.get(&rpath, &scott).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let data = r.body["data"].as_object().unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), ["😍", ":fire:"]);
    let hearts: Vec<&str> = data["😍"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(hearts.len(), 2);
    let parts: Vec<&str> = hearts[0].splitn(3, ':').collect();
    assert!(parts[0].parse::<i64>().is_ok());
    assert_eq!(parts[1], app.users[0].id.to_string());
    assert_eq!(parts[2], "Scott Fisher");
    assert!(hearts[1].ends_with(":Olivia Palmer"));

    // Delete with the emoji in the body, then in the query string.
    let r = app
        .call(
            Method::DELETE,
            &rpath,
            &olivia,
            Some(json!({"emoji_code": ":fire:"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .delete(&format!("{rpath}?emoji_code=%F0%9F%98%8D"), &olivia)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = app
        .delete(&format!("{rpath}?emoji_code=%F0%9F%98%8D"), &olivia)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "reaction_not_found"));
    let r = app.get(&rpath, &scott).await;
    assert_eq!(r.body["data"].as_object().unwrap().len(), 1);

    assert_eq!(
        app.delete(&path, &olivia).await.code(),
        "message_permission_denied"
    );
    assert_eq!(app.delete(&path, &scott).await.status, 204);
    let r = app.get(&path, &scott).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "message_not_found"));
    assert_eq!(app.delete(&path, &scott).await.code(), "message_not_found");
    assert_eq!(app.get(&rpath, &scott).await.code(), "message_not_found");
    // An admin may delete anyone's message.
    let other = post_sync(&app, "/api/v2/channelsbyname/general/message", &olivia, "x").await;
    let r = app
        .delete(
            &format!("/api/v2/chats/{chat}/messages/{other}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn direct_and_group_chats() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;

    let r = app
        .post(
            "/api/v2/buddies/olivia.palmer@zylker.com/message",
            &scott,
            json!({"text": "psst"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let id = post_sync(
        &app,
        &format!("/api/v2/buddies/{}/message", app.users[1].id),
        &scott,
        "again",
    )
    .await;
    let chats = app
        .get("/api/v3/chats?chat_type=direct_message", &olivia)
        .await;
    assert_eq!(chats.status, 200, "{}", chats.body);
    let list = chats.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one direct chat, reused: {}", chats.body);
    let dm = list[0]["chat_id"].as_str().unwrap();
    assert_eq!(list[0]["participant_count"], 2);
    let msgs = app
        .get(&format!("/api/v2/chats/{dm}/messages"), &olivia)
        .await;
    assert_eq!(texts(&msgs), ["psst", "again"]);
    assert_eq!(msgs.body["data"][1]["id"], id.as_str());
    assert_eq!(
        app.get(&format!("/api/v2/chats/{dm}/messages"), &james)
            .await
            .code(),
        "access_denied"
    );
    // Opening the same direct chat through the chats API returns it.
    let r = app
        .post(
            "/api/v3/chats",
            &olivia,
            json!({"chat_type": "direct_message", "user_id": app.users[0].id.to_string()}),
        )
        .await;
    assert_eq!(r.body["data"]["chat_id"], dm, "{}", r.body);

    let (eve_id, _) = outsider(&app).await;
    let r = app
        .post(
            &format!("/api/v2/buddies/{eve_id}/message"),
            &scott,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "user_not_in_organization")
    );
    let r = app
        .post(
            "/api/v2/buddies/nobody@zylker.com/message",
            &scott,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "user_not_found"));

    let r = app
        .post(
            "/api/v3/chats",
            &scott,
            json!({"chat_type": "group_chat", "user_ids": [app.users[1].id.to_string(), "james.smith@zylker.com"], "title": "Lunch"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["chat_type"], "group_chat");
    assert_eq!(r.body["data"]["participant_count"], 3);
    let group = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    post_sync(
        &app,
        &format!("/api/v3/chats/{group}/messages"),
        &james,
        "pizza?",
    )
    .await;
    let r = app
        .get(&format!("/api/v2/chats/{group}/messages"), &olivia)
        .await;
    assert_eq!(texts(&r), ["pizza?"]);
    let r = app
        .get(&format!("/api/v3/chats/{group}/members"), &olivia)
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
    let r = app
        .post("/api/v3/chats", &scott, json!({"chat_type": "nope"}))
        .await;
    assert_eq!(r.code(), "invalid_inputs");
}

#[tokio::test]
async fn get_messages_time_window_and_limit() {
    let app = spawn().await;
    let t = app.token_for(&app.users[0]).await;
    let chat = general_chat(&app, &t).await;
    let path = "/api/v2/channelsbyname/general/message";
    for i in 0..5 {
        post_sync(&app, path, &t, &format!("m{i}")).await;
    }
    let all = app.get(&format!("/api/v2/chats/{chat}/messages"), &t).await;
    let times: Vec<i64> = all.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["time"].as_i64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "ascending: {times:?}"
    );
    let newest = app
        .get(&format!("/api/v2/chats/{chat}/messages?limit=2"), &t)
        .await;
    assert_eq!(texts(&newest), ["m3", "m4"]);
    let from = app
        .get(
            &format!(
                "/api/v2/chats/{chat}/messages?fromtime={}&limit=2",
                times[0]
            ),
            &t,
        )
        .await;
    assert_eq!(texts(&from)[0], "m0");
    assert!(from.body["next_token"].is_string());
    let to = app
        .get(
            &format!("/api/v2/chats/{chat}/messages?totime={}", times[0] - 1),
            &t,
        )
        .await;
    assert_eq!(texts(&to), Vec::<String>::new());
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "fromtime=abc",
        "next_token=zz",
    ] {
        let r = app
            .get(&format!("/api/v2/chats/{chat}/messages?{bad}"), &t)
            .await;
        assert_eq!(r.code(), "invalid_inputs", "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pagination_without_skips_or_repeats_under_concurrent_posts() {
    let app = std::sync::Arc::new(spawn().await);
    let t = app.token_for(&app.users[0]).await;
    let chat = general_chat(&app, &t).await;
    for i in 0..30 {
        post_sync(
            &app,
            "/api/v2/channelsbyname/general/message",
            &t,
            &format!("pre{i}"),
        )
        .await;
    }
    let mut writers = Vec::new();
    for w in 0..4 {
        let (app, t) = (app.clone(), t.clone());
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..40 {
                let id = post_sync(
                    &app,
                    "/api/v3/channelsbyname/general/messages",
                    &t,
                    &format!("w{w}-{i}"),
                )
                .await;
                ids.push(id);
            }
            ids
        }));
    }
    // Page forward from the start while the writers post.
    let mut seen: Vec<String> = Vec::new();
    let mut token: Option<String> = None;
    let mut finished = false;
    loop {
        let url = match &token {
            Some(tok) => format!("/api/v2/chats/{chat}/messages?limit=7&next_token={tok}"),
            None => format!("/api/v2/chats/{chat}/messages?limit=7&fromtime=0"),
        };
        let r = app.get(&url, &t).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let data = r.body["data"].as_array().unwrap();
        for m in data {
            seen.push(m["id"].as_str().unwrap().to_string());
        }
        if let Some(next) = r.body["next_token"].as_str() {
            token = Some(next.to_string());
        }
        if data.is_empty() {
            if finished {
                break;
            }
            // One more pass after the writers are done picks up the tail.
            finished = writers.iter().all(|w| w.is_finished());
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
    let mut posted = HashSet::new();
    for w in writers {
        posted.extend(w.await.unwrap());
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no message twice");
    assert_eq!(seen.len(), 30 + 160, "no message skipped");
    assert!(posted.iter().all(|id| unique.contains(id)));
}

#[tokio::test]
async fn delete_many_reports_each_message() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let chat = general_chat(&app, &scott).await;
    let path = "/api/v2/channelsbyname/general/message";
    let mine1 = post_sync(&app, path, &scott, "a").await;
    let mine2 = post_sync(&app, path, &scott, "b").await;
    let theirs = post_sync(&app, path, &olivia, "c").await;
    for spelling in ["messagess", "messages"] {
        let r = app
            .delete(
                &format!("/api/v3/chats/{chat}/{spelling}?message_ids="),
                &scott,
            )
            .await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_parameters"));
    }
    let many: Vec<String> = (0..26).map(|i| format!("1_{i}")).collect();
    let r = app
        .delete(
            &format!(
                "/api/v3/chats/{chat}/messagess?message_ids={}",
                many.join(",")
            ),
            &scott,
        )
        .await;
    assert_eq!(r.code(), "message_delete_limit_exceeded");
    let r = app
        .delete(
            &format!("/api/v3/chats/{chat}/messagess?message_ids={mine1}&reason=bored"),
            &scott,
        )
        .await;
    assert_eq!(r.code(), "invalid_delete_reason");
    let r = app
        .delete(
            &format!("/api/v3/chats/{chat}/messagess?message_ids={mine1},{theirs},1_1,{mine2}"),
            &scott,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message.delete_result");
    let statuses: Vec<(&str, &str, &str)> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["status"].as_str().unwrap(),
                d["error"]["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (mine1.as_str(), "success", ""),
            (theirs.as_str(), "failed", "access_denied"),
            ("1_1", "failed", "message_not_found"),
            (mine2.as_str(), "success", ""),
        ]
    );
    let left = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &scott)
        .await;
    assert_eq!(texts(&left), ["c"]);
}
