//! Chat management over real HTTP: group chat members (add, remove), leaving, muting, with
//! the membership rule and the member events on the WebSocket.

use crate::helpers::{TestApp, spawn};
use crate::messaging::{general_chat, outsider};
use crate::messaging_realtime::{connect, next, quiet};
use serde_json::json;

async fn group(app: &TestApp, token: &str, users: &[i64]) -> String {
    let ids: Vec<String> = users.iter().map(i64::to_string).collect();
    let r = app
        .post(
            "/api/v3/chats",
            token,
            json!({"chat_type": "group_chat", "title": "Crew", "user_ids": ids}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["chat_id"].as_str().unwrap().to_string()
}

async fn direct(app: &TestApp, token: &str, user: i64) -> String {
    let r = app
        .post(
            "/api/v3/chats",
            token,
            json!({"chat_type": "direct_message", "user_id": user.to_string()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["chat_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn group_chat_members_are_added_and_removed() {
    let app = spawn().await;
    let (scott_id, olivia_id, james_id) = (app.users[0].id, app.users[1].id, app.users[2].id);
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;
    // Scott creates a group with Olivia; Olivia watches its events.
    let chat = group(&app, &scott, &[olivia_id]).await;
    let members = format!("/api/v3/chats/{chat}/members");
    // Opened before Olivia connects, so its member events are not in her stream.
    let dm = direct(&app, &scott, olivia_id).await;
    let mut ws = connect(&app, &olivia).await;

    // James is not in it yet.
    assert_eq!(
        app.get(&format!("/api/v2/chats/{chat}/messages"), &james)
            .await
            .code(),
        "access_denied"
    );
    // Any member adds; replies with those newly added.
    let r = app
        .post(
            &members,
            &olivia,
            json!({"user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "chat.member");
    assert_eq!(
        r.body["data"],
        json!({"chat_id": chat, "added_user_ids": [james_id.to_string()]})
    );
    let e = next(&mut ws).await;
    assert_eq!(
        (e["event"].as_str(), e["chat_id"].as_str()),
        (Some("member_joined"), Some(chat.as_str()))
    );
    assert_eq!(e["data"]["user_id"], james_id.to_string());
    let r = app
        .post(
            &members,
            &olivia,
            json!({"user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(r.body["data"]["added_user_ids"], json!([]));
    assert_eq!(
        app.get(&format!("/api/v2/chats/{chat}/messages"), &james)
            .await
            .status,
        200
    );
    let r = app.get(&members, &james).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 3);
    // chats.yml names the list `members`; `fields` keeps only the keys asked for.
    assert_eq!(r.body["members"], r.body["data"]);
    let r = app
        .get(&format!("{members}?fields=user_id,name"), &james)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["members"][0],
        json!({"user_id": scott_id.to_string(), "name": "Scott Fisher"})
    );
    let r = app.get(&format!("{members}?fields=password"), &james).await;
    assert_eq!(r.code(), "invalid_inputs");

    // Errors: body, other organizations, one-to-one and channel chats, outsiders.
    for body in [
        json!({}),
        json!({"user_ids": 7}),
        json!({"user_ids": []}),
        json!({"users": ["1"]}),
    ] {
        let r = app.post(&members, &olivia, body.clone()).await;
        assert_eq!(r.code(), "invalid_inputs", "{body}: {}", r.body);
    }
    let (eve_id, eve) = outsider(&app).await;
    let r = app
        .post(&members, &olivia, json!({"user_ids": [eve_id.to_string()]}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "chat_with_other_org_disabled")
    );
    let r = app
        .post(&members, &eve, json!({"user_ids": [eve_id.to_string()]}))
        .await;
    assert_eq!(r.code(), "chat_not_found");
    let r = app
        .post(
            &format!("/api/v3/chats/{dm}/members"),
            &scott,
            json!({"user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "one_to_one_chat_add_member_not_allowed")
    );
    let r = app
        .delete(
            &format!("/api/v3/chats/{dm}/members?user_ids={olivia_id}"),
            &scott,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "one_to_one_chat_delete_member_not_allowed")
    );
    let general = general_chat(&app, &scott).await;
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/members"),
            &scott,
            json!({"user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    assert!(r.body["message"].as_str().unwrap().contains("/channels/"));

    // Removing others takes the creator (or an admin); anyone removes themselves.
    let r = app
        .delete(&format!("{members}?user_ids={james_id}"), &olivia)
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .delete(&format!("{members}?user_ids={james_id}"), &scott)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"],
        json!({"chat_id": chat, "removed_user_ids": [james_id.to_string()]})
    );
    let e = next(&mut ws).await;
    assert_eq!(e["event"], "member_left");
    assert_eq!(e["data"]["user_id"], james_id.to_string());
    assert_eq!(
        app.get(&format!("/api/v2/chats/{chat}/messages"), &james)
            .await
            .code(),
        "access_denied"
    );
    // Not a member any more: nothing to remove.
    let r = app
        .delete(&format!("{members}?user_ids={james_id}"), &scott)
        .await;
    assert_eq!(r.body["data"]["removed_user_ids"], json!([]));
    let r = app.delete(&members, &scott).await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .delete(&format!("{members}?user_ids={olivia_id}"), &olivia)
        .await;
    assert_eq!(
        r.body["data"]["removed_user_ids"],
        json!([olivia_id.to_string()])
    );
    let e = next(&mut ws).await;
    assert_eq!(e["event"], "member_left");
    // Olivia left: nothing more reaches her.
    app.post(
        &format!("/api/v3/chats/{chat}/messages"),
        &scott,
        json!({"text": "gone?"}),
    )
    .await;
    quiet(&mut ws).await;
    // The caller must be a member to change anything.
    let r = app
        .post(
            &members,
            &olivia,
            json!({"user_ids": [olivia_id.to_string()]}),
        )
        .await;
    assert_eq!(r.code(), "access_denied");
}

#[tokio::test]
async fn leaving_chats_and_channels() {
    let app = spawn().await;
    let (olivia_id, james_id) = (app.users[1].id, app.users[2].id);
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;
    let chat = group(&app, &scott, &[olivia_id, james_id]).await;
    let mut ws = connect(&app, &james).await;

    let r = app
        .post(&format!("/api/v3/chats/{chat}/leave"), &olivia, json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let e = next(&mut ws).await;
    assert_eq!(e["event"], "member_left");
    assert_eq!(e["chat_id"], chat.as_str());
    assert_eq!(e["data"]["user_id"], olivia_id.to_string());
    let r = app
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            &olivia,
            json!({"text": "hi"}),
        )
        .await;
    assert_eq!(r.code(), "access_denied");
    let r = app
        .post(&format!("/api/v3/chats/{chat}/leave"), &olivia, json!({}))
        .await;
    assert_eq!(r.code(), "access_denied");
    assert!(
        !app.get("/api/v3/chats", &olivia).await.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["chat_id"] == chat.as_str())
    );

    // A channel: the leaver is gone from its members.
    let r = app
        .post(
            "/api/v3/channels",
            &scott,
            json!({"name": "Ops", "user_ids": [james_id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let channel_chat = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    let channel_id = r.body["data"]["channel_id"].as_str().unwrap().to_string();
    let e = next(&mut ws).await;
    assert_eq!(e["event"], "member_joined");
    let r = app
        .post(
            &format!("/api/v3/chats/{channel_chat}/leave"),
            &james,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let e = next(&mut ws).await;
    assert_eq!(
        (e["event"].as_str(), e["chat_id"].as_str()),
        (Some("member_left"), Some(channel_chat.as_str()))
    );
    let r = app
        .get(&format!("/api/v3/channels/{channel_id}/members"), &scott)
        .await;
    let listed: Vec<&str> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["user_id"].as_str())
        .collect();
    assert_eq!(listed, [app.users[0].id.to_string()], "{}", r.body);

    // One-to-one chats cannot be left; other organizations' chats do not exist.
    let dm = direct(&app, &scott, james_id).await;
    let r = app
        .post(&format!("/api/v3/chats/{dm}/leave"), &scott, json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "one_to_one_chat_delete_member_not_allowed")
    );
    let (_, eve) = outsider(&app).await;
    assert_eq!(
        app.post(&format!("/api/v3/chats/{dm}/leave"), &eve, json!({}))
            .await
            .code(),
        "chat_not_found"
    );
    let reader = app
        .token_with(&app.users[0], "ZohoCliq.Chats.READ", None)
        .await;
    let r = app
        .post(&format!("/api/v3/chats/{dm}/leave"), &reader, json!({}))
        .await;
    assert_eq!(r.code(), "invalid_oauthscope");
}

#[tokio::test]
async fn muting_is_per_user() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let chat = general_chat(&app, &scott).await;
    let path = format!("/api/v3/chats/{chat}");
    let muted = |r: &crate::helpers::Reply| r.body["data"]["user_membership"]["muted"].clone();
    assert_eq!(muted(&app.get(&path, &scott).await), false);
    for _ in 0..2 {
        let r = app.post(&format!("{path}/mute"), &scott, json!({})).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    assert_eq!(muted(&app.get(&path, &scott).await), true);
    assert_eq!(muted(&app.get(&path, &olivia).await), false);
    // A muted chat is still delivered and writable.
    let mut ws = connect(&app, &scott).await;
    let r = app
        .post(
            &format!("{path}/messages"),
            &olivia,
            json!({"text": "psst"}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(next(&mut ws).await["event"], "message_created");
    assert_eq!(
        app.post(&format!("{path}/unmute"), &scott, json!({}))
            .await
            .status,
        204
    );
    assert_eq!(muted(&app.get(&path, &scott).await), false);
    let (_, eve) = outsider(&app).await;
    assert_eq!(
        app.post(&format!("{path}/mute"), &eve, json!({}))
            .await
            .code(),
        "chat_not_found"
    );
    assert_eq!(
        app.post("/api/v3/chats/nonsense/mute", &scott, json!({}))
            .await
            .code(),
        "chat_not_found"
    );
}

/// Malformed bodies, ids and query strings on the chat and thread endpoints get a Cliq 4xx
/// with a message, never a 5xx.
#[tokio::test]
async fn malformed_input_is_a_cliq_4xx() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let parent =
        crate::messaging::post_sync(&app, "/api/v3/channelsbyname/general/messages", &t, "p").await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &t,
            json!({"text": "r", "thread_message_id": parent, "sync_message": true}),
        )
        .await;
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let general = general_chat(&app, &t).await;
    let long = "x".repeat(5000);
    let mut ids = vec![
        thread.clone(),
        general.clone(),
        "%FF%FE".to_string(),
        "%20".to_string(),
        long,
        "CT_1_1-T-1".to_string(),
    ];
    ids.push(format!("{thread}%00"));
    let bodies = [
        "{",
        "[]",
        "null",
        "",
        "\u{0}",
        "{\"user_ids\": {\"a\": 1}}",
        "{\"action\": null}",
    ];
    let routes = [
        ("PUT", "/api/v3/threads/{}"),
        ("POST", "/api/v3/threads/{}/followers"),
        ("DELETE", "/api/v3/threads/{}/followers"),
        ("POST", "/api/v3/threads/{}/follow"),
        ("POST", "/api/v3/threads/{}/unfollow"),
        ("GET", "/api/v3/threads/{}/nonfollowers"),
        ("POST", "/api/v3/chats/{}/members"),
        ("DELETE", "/api/v3/chats/{}/members?user_ids=%FF,,x"),
        ("POST", "/api/v3/chats/{}/leave"),
        ("POST", "/api/v3/chats/{}/mute"),
        ("POST", "/api/v3/chats/{}/unmute"),
        ("POST", "/api/v3/chats/{}/messages?mark_as_read=%FF"),
    ];
    for (method, path) in routes {
        for id in &ids {
            for body in bodies {
                let url = format!("{}{}", app.base, path.replace("{}", id));
                let r = app
                    .client
                    .request(
                        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                        &url,
                    )
                    .header("Authorization", format!("Zoho-oauthtoken {t}"))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let text = r.text().await.unwrap();
                assert!(
                    status < 500,
                    "{method} {path} id {:.40} body {body:?}: {status} {text}",
                    id
                );
                if status >= 400 {
                    let v: serde_json::Value = serde_json::from_str(&text)
                        .unwrap_or_else(|_| panic!("{method} {path}: non-JSON {text}"));
                    assert!(v["message"].is_string(), "{method} {path}: {text}");
                }
            }
        }
    }
}
