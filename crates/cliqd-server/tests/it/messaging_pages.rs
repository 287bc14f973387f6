//! The newest page of get-messages is kept rendered with the chat's page version and served
//! again while the version holds (`page_cache`): a reader always gets what the database holds
//! now, whoever wrote it — this server, or another process on the same database.

use crate::helpers::{TestApp, spawn, spawn_with};
use crate::messaging::{general_chat, post_sync};
use serde_json::{Value, json};

/// The status and exact body text of `GET path`.
async fn raw(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn texts(body: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {body}"))
        .iter()
        .map(|m| m["content"]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The newest page twice: the second read (from the kept page) is the first byte for byte.
async fn newest(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    let (status, first) = raw(app, path, token).await;
    assert_eq!(status, 200, "{first}");
    let (_, second) = raw(app, path, token).await;
    assert_eq!(first, second, "a kept page is the page rendered");
    texts(&first)
}

#[tokio::test]
async fn kept_pages_follow_writes_by_this_server_and_by_another_process() {
    let app = spawn().await;
    let token = app.admin_token.clone();
    let chat = general_chat(&app, &token).await;
    let post_path = format!("/api/v3/chats/{chat}/messages");
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        ids.push(post_sync(&app, &post_path, &token, text).await);
    }
    let page = format!("/api/v2/chats/{chat}/messages?limit=2");
    assert_eq!(newest(&app, &page, &token).await, ["two", "three"]);
    // Another limit is another page.
    let all = format!("/api/v2/chats/{chat}/messages");
    let before = newest(&app, &all, &token).await;
    assert!(before.ends_with(&["one".into(), "two".into(), "three".into()]));

    // Through this server: an edit and a deletion.
    let r = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v2/chats/{chat}/messages/{}", ids[2]),
            &token,
            Some(json!({"text": "three, edited"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(newest(&app, &page, &token).await, ["two", "three, edited"]);
    let r = app
        .delete(&format!("/api/v2/chats/{chat}/messages/{}", ids[1]), &token)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(newest(&app, &page, &token).await, ["one", "three, edited"]);

    // Through another process's store on the same database (as the admin commands write):
    // an edit, a deletion and a post, each seen at the next read.
    let beside = cliqd_store_sqlite::SqliteStore::open(app.data_dir()).unwrap();
    {
        use cliqd_store::MessagingStore;
        beside
            .edit_message(
                &chat,
                &ids[0],
                json!({"text": "one, from beside"}),
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(
            newest(&app, &page, &token).await,
            ["one, from beside", "three, edited"]
        );
        beside.delete_message(&chat, &ids[2]).await.unwrap();
        let last = newest(&app, &page, &token).await;
        assert_eq!(last.last().map(String::as_str), Some("one, from beside"));
        let mut post = cliqd_store::NewPost {
            org_id: app.admin.org_id,
            target: cliqd_store::PostTarget::Chat(chat.clone()),
            sender_id: app.admin.id,
            bot_id: None,
            kind: "text".into(),
            body: json!({"text": "posted beside"}),
            reply_to: None,
            thread_message_id: None,
            thread_title: None,
            mentions: Vec::new(),
        };
        beside.post_message(post.clone()).await.unwrap().unwrap();
        assert_eq!(
            newest(&app, &page, &token).await,
            ["one, from beside", "posted beside"]
        );
        // And the whole page of the other limit moved with it.
        let now = newest(&app, &all, &token).await;
        assert_ne!(now, before);
        assert_eq!(now.last().map(String::as_str), Some("posted beside"));
        post.body = json!({"text": "again"});
        beside.post_message(post).await.unwrap().unwrap();
    }
    beside.close();
    assert_eq!(
        newest(&app, &page, &token).await,
        ["posted beside", "again"]
    );
}

#[tokio::test]
async fn a_kept_page_is_served_only_to_a_member() {
    let app = spawn().await;
    let admin = app.admin_token.clone();
    let olivia = app.token_for(&app.users[1]).await;
    let r = app
        .post(
            "/api/v3/chats",
            &admin,
            json!({"chat_type": "group_chat", "user_ids": [app.users[1].id.to_string(), app.users[2].id.to_string()], "title": "Pair"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let chat = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    post_sync(
        &app,
        &format!("/api/v3/chats/{chat}/messages"),
        &admin,
        "hi",
    )
    .await;
    let page = format!("/api/v2/chats/{chat}/messages");
    assert_eq!(newest(&app, &page, &olivia).await, ["hi"]);
    assert!(
        app.store()
            .remove_chat_member(&chat, app.users[1].id)
            .await
            .unwrap()
    );
    let (status, body) = raw(&app, &page, &olivia).await;
    assert_ne!(status, 200, "{body}");
    // The member still reads it.
    assert_eq!(newest(&app, &page, &admin).await, ["hi"]);
}

/// With no memory for pages (`page_cache_bytes = 0`) every read renders the page.
#[tokio::test]
async fn pages_read_alike_with_none_kept() {
    let kept = spawn().await;
    let off = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.page_cache_bytes = 0;
    })
    .await;
    for app in [&kept, &off] {
        let token = app.admin_token.clone();
        let chat = general_chat(app, &token).await;
        post_sync(app, &format!("/api/v3/chats/{chat}/messages"), &token, "x").await;
        assert_eq!(
            newest(app, &format!("/api/v2/chats/{chat}/messages"), &token).await,
            ["x"]
        );
    }
}
