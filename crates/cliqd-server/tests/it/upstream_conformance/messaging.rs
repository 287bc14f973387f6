//! OpenAPI conformance of the messaging endpoints cliqd implements: the documented request
//! examples are accepted and the replies validate against the documented schemas.

use crate::helpers::spawn;
use crate::messaging::{general_chat, post_sync};
use cliqd_spec::{Conformance, IdContext, scope::Area};
use serde_json::Value;

/// Operations of the messaging plan that cliqd implements.
const IMPLEMENTED: &[&str] = &[
    "send_a_bot_message",
    "associate_bot_to_channel",
    "createThreadMessageByChannelId",
    "createThreadMessageByChatId",
    "createThreadMessageByChannelUniqueName",
    "Send a message to an existing thread",
    "getThreadDetailsV3",
    "Retrieve all direct chats",
    "createChatV3",
    "getChatV3",
    "Retrieve members of a chat",
    "postMessageInChannelByChannelUniqueName",
    "postMessageInChannelByChannelId",
    "Post message in chat",
    "postMessageCardToChat",
    "postMessageCardToChannel",
    "deleteMultipleMessagesV3",
    "Get main message of a thread",
    "Update the state of a thread",
    "Get thread followers",
    "Add followers to a thread",
    "Remove followers from a thread",
    "Get non-followers of a thread",
    "Join-follow a thread",
    "Leave-unfollow a thread",
    "Retrieve members of a thread",
    "Leave a thread",
    "Mute a thread",
    "Unmute a thread",
    "addMembersToChatV3",
    "removeMembersFromChatV3",
    "Leave a chat",
    "Mute a chat",
    "Unmute a chat",
    "textmessageformat",
    "table",
    "list",
    "label",
    "graphs",
    "messageCardButtons",
    "confirmationPopup",
    "instantButtons",
    "Forward Messages",
    "searchMessagesV3",
];

#[tokio::test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
async fn documented_messaging_requests_and_replies() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let chat = general_chat(&app, &t).await;
    let channel = app.get("/api/v3/channels/general", &t).await.body["data"]["channel_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.create_bot("Conformance Bot").await;
    // The associate example names this channel.
    let r = app
        .post(
            "/api/v3/channels",
            &t,
            serde_json::json!({"name": "Announcements"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let message = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &t,
        "parent",
    )
    .await;
    let other = post_sync(&app, "/api/v3/channelsbyname/general/messages", &t, "other").await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &t,
            serde_json::json!({"text": "r", "thread_message_id": other, "sync_message": true}),
        )
        .await;
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    // The plan's CHAT_ID is the direct chat an earlier step opens; member changes and leaving
    // are for group chats (a direct chat refuses them with the documented
    // one_to_one_chat_*_not_allowed), so those steps get a group chat of their own each.
    let mut groups = std::collections::HashMap::new();
    for op in [
        "addMembersToChatV3",
        "Leave a chat",
        "removeMembersFromChatV3",
    ] {
        let r = app
            .post(
                "/api/v3/chats",
                &t,
                serde_json::json!({"chat_type": "group_chat", "title": op,
                    "user_ids": [app.users[0].id.to_string(), app.users[1].id.to_string()]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        groups.insert(op, r.body["data"]["chat_id"].as_str().unwrap().to_string());
    }
    let forward_to = {
        let r = app
            .post(
                "/api/v3/chats",
                &t,
                serde_json::json!({"chat_type": "group_chat", "title": "QA",
                    "user_ids": [app.users[1].id.to_string()]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["data"]["chat_id"].as_str().unwrap().to_string()
    };
    let ctx = IdContext::new()
        .with("BOT_UNIQUE_NAME", "conformancebot")
        .with("MESSAGE_ID", &message)
        .with("THREAD_CHAT_ID", &thread)
        .with("CHANNEL_UNIQUE_NAME", "general")
        .with("CHANNEL_ID", &channel)
        .with("CHAT_ID", &chat)
        .with("USER_ID", &app.users[0].id.to_string());
    let base = format!("{}/api/v3", app.base);
    let mut run =
        Conformance::new(Some(Area::Messaging), &base, &t, ctx).unwrap_or_else(|e| panic!("{e}"));
    let steps: Vec<(usize, String)> = run
        .requests()
        .iter()
        .map(|r| (r.step, r.operation_id.clone()))
        .collect();
    let mut ran = Vec::new();
    for (step, op) in steps {
        if !IMPLEMENTED.contains(&op.as_str()) {
            eprintln!("not implemented, skipped: {op}");
            continue;
        }
        if let Ok(first) = run.prepare(step)
            && first.method.to_string() == "POST"
            && first.body.as_ref().is_some_and(|b| {
                b.get("thread_message_id").is_some() || b.get("reply_to").is_some()
            })
            && let Some(chat) = first
                .url
                .split("/chats/")
                .nth(1)
                .and_then(|r| r.split('/').next())
        {
            // The plan's chat may be one an earlier step created: start the thread under (or
            // reply to) a message of that chat, as cliqd requires.
            let id = post_sync(&app, &format!("/api/v3/chats/{chat}/messages"), &t, "p").await;
            run.ctx.set("MESSAGE_ID", &id);
        }
        let prepared = run.prepare(step);
        let mut req = match prepared {
            Ok(r) => r,
            Err(e) => {
                run.record_error(step, &format!("{op}: {e}"));
                continue;
            }
        };
        if let Some(group) = groups.get(op.as_str())
            && let Some(chat) = req
                .url
                .split("/chats/")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .map(str::to_string)
        {
            req.url = req.url.replace(&chat, group);
        }
        if op == "Forward Messages"
            && let Some(b) = req.body.as_mut()
        {
            // The example names Zoho's own chat, message and user IDs (nested, so the plan
            // does not bind them): forward this run's message to a group chat and a user.
            b["source"]["chat_id"] = Value::from(chat.clone());
            b["source"]["message_ids"] = serde_json::json!([message, other]);
            b["recipients"]["chat_ids"] = Value::from(forward_to.clone());
            b["recipients"]["user_ids"] = Value::from(app.users[1].id.to_string());
        }
        let method = reqwest::Method::from_bytes(req.method.to_string().as_bytes()).unwrap();
        let mut http = app.client.request(method, &req.url);
        for (k, v) in &req.headers {
            http = http.header(k, v);
        }
        if let Some(b) = &req.body {
            http = http.json(b);
        }
        let resp = http.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if run.record(step, status, &body).is_err() {
            eprintln!("{op} {} {:?} -> {status} {body}", req.url, req.body);
        }
        eprintln!("step {step} {op} {} {} -> {status}", req.method, req.url);
        if op == "Forward Messages" {
            // Not only schema-valid: the example's recipients really got the messages.
            assert_eq!(
                body["data"]["forwarded"]["chat_ids"][0],
                forward_to.as_str()
            );
            assert_eq!(body["data"]["failures"], serde_json::json!([]), "{body}");
        }
        // Later steps thread under the general channel's message again.
        run.ctx.set("MESSAGE_ID", &message);
        ran.push(op);
    }
    eprintln!("ran {ran:?}");
    if let Err(failures) = run.finish() {
        panic!("{} failures:\n{}", failures.len(), failures.join("\n"));
    }
}
