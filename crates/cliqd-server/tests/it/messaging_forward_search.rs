//! Forward Messages (`POST /api/v3/messages`) and Search Messages
//! (`GET /api/v3/messages/search`) over real HTTP: copies land as new messages with their
//! origin and real-time events, per-recipient failures, membership, and full-text search
//! limited to the caller's chats.

use crate::helpers::{TestApp, spawn};
use crate::messaging::{general_chat, outsider, post_sync};
use crate::messaging_realtime::{connect, next};
use reqwest::Method;
use serde_json::{Value, json};

async fn group_chat(app: &TestApp, token: &str, members: &[i64]) -> String {
    let ids: Vec<String> = members.iter().map(i64::to_string).collect();
    let r = app
        .post(
            "/api/v3/chats",
            token,
            json!({"chat_type": "group_chat", "title": "Project Alpha", "user_ids": ids}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["chat_id"].as_str().unwrap().to_string()
}

async fn messages(app: &TestApp, chat: &str, token: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn forward_copies_messages_with_their_origin() {
    let app = spawn().await;
    let (scott_id, olivia_id) = (app.users[0].id, app.users[1].id);
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;
    let general = general_chat(&app, &scott).await;
    let path = "/api/v3/channelsbyname/general/messages";
    let m1 = post_sync(&app, path, &scott, "login fails on Safari").await;
    let m2 = post_sync(&app, path, &olivia, "also on Firefox").await;
    let group = group_chat(&app, &scott, &[olivia_id]).await;
    let (outsider_id, _) = outsider(&app).await;
    let mut ws = connect(&app, &olivia).await;

    // Named newest first: forwarded in posting order all the same.
    let r = app
        .post(
            "/api/v3/messages",
            &scott,
            json!({
                "source": {"chat_id": general, "message_ids": [m2, m1]},
                "recipients": {
                    "chat_ids": group,
                    "user_ids": format!("{olivia_id},nobody@example.com,{outsider_id}"),
                }
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let data = &r.body["data"];
    assert_eq!(data["source_chat_id"], general.as_str());
    assert_eq!(data["forwarded"]["chat_ids"], json!([group]));
    assert_eq!(
        data["forwarded"]["user_ids"],
        json!([olivia_id.to_string()])
    );
    let failures = data["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 2, "{}", r.body);
    assert_eq!(failures[0]["id"], "nobody@example.com");
    assert_eq!(failures[0]["status"], "failed");
    assert_eq!(failures[0]["error"]["code"], "user_not_found");
    assert_eq!(failures[1]["id"], outsider_id.to_string().as_str());
    assert_eq!(
        failures[1]["error"]["code"],
        "chat_with_other_org_users_disabled"
    );

    // The copies are new messages of the target, sent by the forwarder, naming the origin.
    let copies = messages(&app, &group, &olivia).await;
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0]["content"]["text"], "login fails on Safari");
    assert_eq!(copies[1]["content"]["text"], "also on Firefox");
    assert_eq!(copies[0]["sender"]["id"], scott_id.to_string().as_str());
    assert_ne!(copies[0]["id"], m1.as_str());
    assert_eq!(
        copies[0]["forwarded_from"],
        json!({"chat_id": general, "message_id": m1})
    );
    assert!(copies[0]["content"].get("forwarded_from").is_none());
    // Real-time: the copies arrive as message_created after the commit, in order.
    for want in [&copies[0], &copies[1]] {
        let ev = next(&mut ws).await;
        assert_eq!(ev["event"], "message_created");
        assert_eq!(ev["chat_id"], group.as_str());
        assert_eq!(ev["data"]["id"], want["id"]);
        assert_eq!(ev["data"]["forwarded_from"], want["forwarded_from"]);
    }
    // The direct chat with Olivia got them too, after the group chat's.
    let dm = app
        .store()
        .open_direct_chat(app.users[0].org_id, scott_id, olivia_id)
        .await
        .unwrap();
    let dm_copies = messages(&app, &dm.id, &olivia).await;
    assert_eq!(dm_copies.len(), 2);
    assert_eq!(dm_copies[1]["forwarded_from"]["message_id"], m2.as_str());
    for _ in 0..2 {
        let ev = next(&mut ws).await;
        assert_eq!(ev["chat_id"], dm.id.as_str());
    }

    // Grouped, with title and senders: one message per recipient.
    let r = app
        .post(
            "/api/v3/messages",
            &scott,
            json!({
                "source": {"chat_id": general, "message_ids": [m1, m2]},
                "recipients": {"chat_ids": [group], "forward_as_group": true,
                    "show_original_sender": true, "title": "Login bug"}
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let all = messages(&app, &group, &olivia).await;
    assert_eq!(all.len(), 3);
    let text = all[2]["content"]["text"].as_str().unwrap();
    assert!(text.starts_with("*Login bug*\n"), "{text}");
    assert!(text.contains(": login fails on Safari\n"), "{text}");
    assert!(text.ends_with(": also on Firefox"), "{text}");
    assert_eq!(all[2]["forwarded_from"]["message_ids"], json!([m1, m2]));
    assert_eq!(
        all[2]["forwarded_from"]["senders"][0]["id"],
        scott_id.to_string().as_str()
    );

    // James reads general but is not in the group chat: a per-recipient failure.
    let r = app
        .post(
            "/api/v3/messages",
            &james,
            json!({"source": {"chat_id": general, "message_ids": [m1]},
                   "recipients": {"chat_ids": format!("{group},CT_1_2")}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["forwarded"]["chat_ids"], json!([]));
    let f = &r.body["data"]["failures"];
    assert_eq!(f[0]["error"]["code"], "chat_access_denied", "{}", r.body);
    assert_eq!(f[1]["error"]["code"], "chat_not_found");
    assert_eq!(messages(&app, &group, &olivia).await.len(), 3);

    // A client cannot forge an origin on an ordinary post.
    let forged = app
        .post(
            &format!("/api/v3/chats/{group}/messages"),
            &scott,
            json!({"text": "x", "forwarded_from": {"chat_id": "CT_9"}, "sync_message": true}),
        )
        .await;
    assert_eq!(forged.status, 200, "{}", forged.body);
    let last = messages(&app, &group, &olivia).await.pop().unwrap();
    assert!(last.get("forwarded_from").is_none(), "{last}");
}

#[tokio::test]
async fn forward_refusals() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    let olivia_id = app.users[1].id;
    let general = general_chat(&app, &scott).await;
    let m = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &scott,
        "hi",
    )
    .await;
    let group = group_chat(&app, &scott, &[olivia_id]).await;
    let gm = post_sync(
        &app,
        &format!("/api/v3/chats/{group}/messages"),
        &scott,
        "g",
    )
    .await;
    let to = json!({"chat_ids": group});
    let cases = [
        // Not a member of the source chat.
        (
            &james,
            json!({"source": {"chat_id": group, "message_ids": [gm]}, "recipients": {"chat_ids": general}}),
            403,
            "access_denied",
        ),
        (
            &scott,
            json!({"source": {"chat_id": "CT_404_1", "message_ids": [m]}, "recipients": to}),
            404,
            "chat_not_found",
        ),
        // The message is of another chat.
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [gm]}, "recipients": to}),
            404,
            "message_not_found",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": []}, "recipients": to}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general,
                "message_ids": (0..26).map(|i| format!("1_{i}")).collect::<Vec<_>>()},
                "recipients": to}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [m]}}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [m]}, "recipients": {}}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [m]},
                "recipients": {"chat_ids": group, "title": "t".repeat(256)}}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": 5}, "recipients": to}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [m]}, "recipients": to, "x": 1}),
            400,
            "invalid_inputs",
        ),
        (
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [m]},
                "recipients": {"chat_ids": {"a": 1}}}),
            400,
            "invalid_inputs",
        ),
    ];
    for (token, body, status, code) in cases {
        let r = app.post("/api/v3/messages", token, body.clone()).await;
        assert_eq!(r.status, status, "{body} -> {}", r.body);
        assert_eq!(r.code(), code, "{body} -> {}", r.body);
        assert!(r.body["message"].is_string());
    }
    let r = app
        .call(Method::POST, "/api/v3/messages", &scott, None)
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Scope: Messages.CREATE.
    let read_only = app
        .token_with(&app.users[0], "ZohoCliq.Chats.READ", None)
        .await;
    let r = app
        .post(
            "/api/v3/messages",
            &read_only,
            json!({"source": {"chat_id": general, "message_ids": [m]}, "recipients": to}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.code(), "invalid_oauthscope");
    // Nothing was forwarded by any refused request.
    assert_eq!(messages(&app, &group, &scott).await.len(), 1);
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v3/messages/search?{query}"), token)
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.body
}

fn found(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages: {body}"))
        .iter()
        .map(|m| m["content"]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn search_finds_only_the_callers_messages() {
    let app = spawn().await;
    let (scott_id, olivia_id) = (app.users[0].id, app.users[1].id);
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let james = app.token_for(&app.users[2]).await;
    let general = general_chat(&app, &scott).await;
    let path = "/api/v3/channelsbyname/general/messages";
    let m1 = post_sync(&app, path, &scott, "Please review the updated proposal").await;
    post_sync(&app, path, &scott, "lunch at noon?").await;
    post_sync(
        &app,
        &format!("/api/v2/buddies/{scott_id}/message"),
        &olivia,
        "secret proposal for Scott",
    )
    .await;

    // James is in general but not in the direct chat.
    let body = search(&app, &james, "query=proposal").await;
    assert_eq!(found(&body), ["Please review the updated proposal"]);
    assert_eq!(body["matched_search_value"], "proposal");
    assert!(body.get("next_token").is_none());
    let hit = &body["messages"][0];
    assert_eq!(hit["message_id"], m1.as_str());
    assert_eq!(hit["sender"], scott_id.to_string().as_str());
    assert_eq!(hit["chat_id"], general.as_str());
    assert_eq!(hit["chat_title"], "General");
    assert_eq!(hit["type"], "text");
    assert_eq!(hit["channel_type"], "organisation");
    let time = hit["time"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");

    // Scott sees both, newest first; filters narrow.
    let body = search(&app, &scott, "query=proposal").await;
    assert_eq!(
        found(&body),
        [
            "secret proposal for Scott",
            "Please review the updated proposal"
        ]
    );
    let q = format!("query=proposal&from_user_ids={olivia_id}");
    assert_eq!(
        found(&search(&app, &scott, &q).await),
        ["secret proposal for Scott"]
    );
    let q = "query=proposal&chat_type=channel";
    assert_eq!(found(&search(&app, &scott, q).await).len(), 1);
    let q = format!("query=proposal&chat_ids={general}");
    assert_eq!(found(&search(&app, &scott, &q).await).len(), 1);
    assert_eq!(
        found(&search(&app, &scott, "query=%22updated%20proposal%22").await).len(),
        1
    );
    assert!(found(&search(&app, &scott, "query=%22proposal%20updated%22").await).is_empty());
    // Case does not matter.
    assert_eq!(found(&search(&app, &scott, "query=LUNCH").await).len(), 1);
    // No query: every readable message.
    assert_eq!(found(&search(&app, &james, "").await).len(), 2);
    // Another organization finds nothing, even naming the chat.
    let (_, eve) = outsider(&app).await;
    let q = format!("query=proposal&chat_ids={general}");
    assert!(found(&search(&app, &eve, &q).await).is_empty());
    // Time bounds, ms or ISO 8601.
    assert!(found(&search(&app, &scott, "query=proposal&to_time=1000").await).is_empty());
    assert_eq!(
        found(
            &search(
                &app,
                &scott,
                "query=proposal&from_time=2020-01-01T00:00:00Z"
            )
            .await
        )
        .len(),
        2
    );

    // Edits and deletes reach the index.
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v2/chats/{general}/messages/{m1}"),
            &scott,
            Some(json!({"text": "Please review the budget"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        found(&search(&app, &james, "query=proposal").await).len(),
        0
    );
    assert_eq!(found(&search(&app, &james, "query=budget").await).len(), 1);
    let r = app
        .delete(&format!("/api/v2/chats/{general}/messages/{m1}"), &scott)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(found(&search(&app, &james, "query=budget").await).is_empty());
}

#[tokio::test]
async fn search_pages_and_refuses_bad_input() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let path = "/api/v3/channelsbyname/general/messages";
    for i in 0..5 {
        post_sync(&app, path, &scott, &format!("report {i}")).await;
    }
    let mut seen = Vec::new();
    let mut token: Option<i64> = None;
    loop {
        let q = match token {
            Some(t) => format!("query=report&limit=2&next_token={t}"),
            None => "query=report&limit=2".to_string(),
        };
        let body = search(&app, &scott, &q).await;
        seen.extend(found(&body));
        match body.get("next_token") {
            Some(t) => token = Some(t.as_i64().expect("int64 next_token")),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["report 4", "report 3", "report 2", "report 1", "report 0"]
    );

    for (q, code) in [
        ("limit=0", "invalid.inputs.submitted"),
        ("limit=51", "invalid.inputs.submitted"),
        ("limit=x", "invalid.inputs.submitted"),
        ("next_token=abc", "invalid.inputs.submitted"),
        ("from_time=2000&to_time=1000", "invalid.time.submitted"),
        ("from_time=yesterday", "invalid.time.submitted"),
        ("chat_type=nope", "invalid.inputs.submitted"),
        ("channel_type=nope", "invalid.inputs.submitted"),
        ("message_type=nope", "invalid.inputs.submitted"),
        ("from_user_ids=1,2,3,4,5,6", "invalid.inputs.submitted"),
        ("from_user_ids=abc", "invalid.inputs.submitted"),
        ("is_pinned=true", "invalid.inputs.submitted"),
        ("is_pinned=maybe", "invalid.inputs.submitted"),
        ("to_user_ids=1", "invalid.inputs.submitted"),
    ] {
        let r = app
            .get(&format!("/api/v3/messages/search?{q}"), &scott)
            .await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        assert_eq!(r.code(), code, "{q}: {}", r.body);
    }
    let long = "a".repeat(1001);
    let r = app
        .get(&format!("/api/v3/messages/search?query={long}"), &scott)
        .await;
    assert_eq!(r.status, 400);
    // Query text is never FTS5 syntax.
    for q in [
        "%22",
        "a%22b",
        "NEAR(",
        "*",
        "report%20OR",
        "-x",
        "text:report",
        "(",
        "!!!",
    ] {
        search(&app, &scott, &format!("query={q}")).await;
    }
    // Filters on what cliqd does not keep (files, pins, stars) match nothing.
    assert!(found(&search(&app, &scott, "query=report&message_type=file").await).is_empty());
    assert!(found(&search(&app, &scott, "query=report&star_types=important").await).is_empty());
    // Scope: Chats.READ.
    let wrong = app
        .token_with(&app.users[0], "ZohoCliq.Messages.CREATE", None)
        .await;
    let r = app.get("/api/v3/messages/search?query=x", &wrong).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.code(), "invalid_oauthscope");
}

#[tokio::test]
async fn bot_messages_are_searched_only_when_asked_and_forward_as_the_user() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia_id = app.users[1].id;
    app.create_bot("Deploy Bot").await;
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
            "/api/v2/channelsbyname/general/message?bot_unique_name=deploybot",
            &scott,
            json!({"text": "deployed build 42", "bot": {"name": "Deployer"}}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(found(&search(&app, &scott, "query=deployed").await).is_empty());
    let body = search(&app, &scott, "query=deployed&include_bot_messages=true").await;
    assert_eq!(found(&body), ["deployed build 42"]);
    let hit = &body["messages"][0];
    assert!(hit["sender"].as_str().unwrap().starts_with("b-"), "{hit}");

    // Forwarded, the bot's message becomes the forwarder's: no bot sender override.
    let general = general_chat(&app, &scott).await;
    let id = hit["message_id"].as_str().unwrap().to_string();
    let group = group_chat(&app, &scott, &[olivia_id]).await;
    let r = app
        .post(
            "/api/v3/messages",
            &scott,
            json!({"source": {"chat_id": general, "message_ids": [id]},
                   "recipients": {"chat_ids": group, "show_original_sender": true}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let copy = messages(&app, &group, &scott).await.pop().unwrap();
    assert_eq!(copy["sender"]["id"], app.users[0].id.to_string().as_str());
    assert!(copy["content"].get("bot").is_none(), "{copy}");
    assert_eq!(copy["forwarded_from"]["sender"]["type"], "bot");
    // The copy is a user's message: found without include_bot_messages.
    let q = format!("query=deployed&chat_ids={group}");
    assert_eq!(found(&search(&app, &scott, &q).await).len(), 1);
}
