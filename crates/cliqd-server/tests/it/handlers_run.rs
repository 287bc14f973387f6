//! Bot handlers run from their real events, over real HTTP and the WebSocket: welcome,
//! message, mention, participation, context, menu, incoming webhook, call; replies land where
//! Cliq puts them and the journal records every run.

use crate::helpers::{TestApp, spawn, spawn_with};
use crate::messaging::general_chat;
use crate::messaging_realtime::{Ws, connect, next, quiet};
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) struct Bot {
    pub id: String,
    pub unique: String,
}

/// An organization-scope Deluge bot created by the admin with `extra` fields and handlers.
pub(crate) async fn bot_with(
    app: &TestApp,
    name: &str,
    extra: Value,
    handlers: &[(&str, &str)],
) -> Bot {
    let mut body = json!({"name": name, "description": "d", "scope": "organization"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app.post("/api/v3/bots", &app.admin_token, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bot = Bot {
        id: r.body["data"]["id"].as_str().unwrap().to_string(),
        unique: r.body["data"]["unique_name"].as_str().unwrap().to_string(),
    };
    for (kind, script) in handlers {
        add_handler(app, &bot, json!({"type": kind, "script": script})).await;
    }
    bot
}

pub(crate) async fn add_handler(app: &TestApp, bot: &Bot, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/handlers", bot.id),
            &app.admin_token,
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].clone()
}

/// Subscribes the token's user; answers their bot chat.
pub(crate) async fn subscribe(app: &TestApp, bot: &Bot, token: &str) -> String {
    let r = app
        .post(
            &format!("/api/v3/bots/{}/subscribe", bot.unique),
            token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["chat_id"].as_str().unwrap().to_string()
}

pub(crate) async fn post_in(app: &TestApp, chat: &str, token: &str, text: &str) {
    let r = app
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            token,
            json!({"text": text}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
}

/// The next message a bot posts, as the WebSocket delivers it (other events skipped).
pub(crate) async fn bot_message(ws: &mut Ws) -> Value {
    loop {
        let ev = next(ws).await;
        if ev["event"] == "message_created" && ev["data"]["sender"]["type"] == "bot" {
            return ev;
        }
    }
}

/// The next event named `name`.
pub(crate) async fn event(ws: &mut Ws, name: &str) -> Value {
    loop {
        let ev = next(ws).await;
        if ev["event"] == name {
            return ev;
        }
    }
}

fn text(ev: &Value) -> &str {
    ev["data"]["content"]["text"].as_str().unwrap_or("")
}

/// The journal's records (newest first) once at least `n` match `query`.
pub(crate) async fn executions(app: &TestApp, query: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let r = app
            .get(&format!("/api/v3/executions?{query}"), &app.admin_token)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list = r.body["data"].as_array().unwrap().clone();
        if list.len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} executions for {query}");
}

const ECHO: &str = r#"
r = Map();
r.put("text", "echo: " + message + " from " + user.get("first_name") + " in " + chat.get("type"));
return r;
"#;

#[tokio::test]
async fn message_handler_answers_in_the_bot_chat() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(&app, "Echo", json!({}), &[("message_handler", ECHO)]).await;
    let chat = subscribe(&app, &bot, &scott).await;
    let mut ws = connect(&app, &scott).await;
    post_in(&app, &chat, &scott, "hello").await;
    let reply = bot_message(&mut ws).await;
    assert_eq!(reply["chat_id"], chat.as_str());
    assert_eq!(text(&reply), "echo: hello from Scott in bot", "{reply}");
    assert_eq!(reply["data"]["sender"]["id"], format!("b-{}", bot.id));
    // The bot's own message triggers nothing: no second reply.
    quiet(&mut ws).await;
    // v2 posting fires it too.
    let r = app
        .post(
            &format!("/api/v2/chats/{chat}/message"),
            &scott,
            json!({"text": "again"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        text(&bot_message(&mut ws).await),
        "echo: again from Scott in bot"
    );

    // The journal: both runs, with their inputs, reply and delivery.
    let runs = executions(&app, "handler=message_handler", 2).await;
    let last = &runs[0];
    assert_eq!(last["status"], "success", "{last}");
    assert_eq!(last["component"]["name"], "Echo");
    assert_eq!(last["inputs"]["message"], "again");
    assert_eq!(last["inputs"]["user"]["email"], app.users[0].email.as_str());
    assert_eq!(last["inputs"]["chat"]["id"], chat.as_str());
    assert_eq!(
        last["inputs"]["message_details"]["message"]["text"],
        "again"
    );
    assert_eq!(last["trigger"]["kind"], "message_sent");
    assert_eq!(last["executor"], "deluge");
    assert_eq!(
        last["delivered"]["message_ids"].as_array().unwrap().len(),
        1
    );
    assert_eq!(last["handler_version"].as_str().unwrap().len(), 16);
    let one = app
        .get(
            &format!("/api/v3/executions/{}", last["id"].as_str().unwrap()),
            &app.admin_token,
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["data"]["id"], last["id"]);
    // Records are the creator's and admins': Scott sees none.
    let theirs = app.get("/api/v3/executions", &scott).await;
    assert_eq!(theirs.body["data"], json!([]));
    let hidden = app
        .get(
            &format!("/api/v3/executions/{}", last["id"].as_str().unwrap()),
            &scott,
        )
        .await;
    assert_eq!(hidden.code(), "execution_not_found");
}

#[tokio::test]
async fn welcome_handler_runs_on_new_subscriptions_only() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(
        &app,
        "Greeter",
        json!({}),
        &[(
            "welcome_handler",
            r#"return {"text": "welcome " + user.get("first_name") + " " + newuser};"#,
        )],
    )
    .await;
    let mut ws = connect(&app, &scott).await;
    let chat = subscribe(&app, &bot, &scott).await;
    let first = bot_message(&mut ws).await;
    assert_eq!(first["chat_id"], chat.as_str());
    assert_eq!(text(&first), "welcome Scott true");
    // Already subscribed: nothing runs.
    assert_eq!(subscribe(&app, &bot, &scott).await, chat);
    quiet(&mut ws).await;
    // Re-subscribing after leaving: newuser is false.
    let r = app
        .post(
            &format!("/api/v3/bots/{}/unsubscribe", bot.unique),
            &scott,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(subscribe(&app, &bot, &scott).await, chat);
    assert_eq!(text(&bot_message(&mut ws).await), "welcome Scott false");
}

#[tokio::test]
async fn mention_and_participation_handlers_run_in_channels() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let bot = bot_with(
        &app,
        "Watcher",
        json!({"channel_participation": ["listen_message"]}),
        &[
            (
                "mention_handler",
                r#"return {"text": "mentioned by " + user.get("first_name") + ": " + message.get("text")};"#,
            ),
            (
                "participation_handler",
                r#"if(operation == "message_sent") { info data.get("message").get("text"); return ""; } return {"text": "participation " + operation};"#,
            ),
        ],
    )
    .await;
    let general = general_chat(&app, &scott).await;
    let mut ws = connect(&app, &olivia).await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/associate", bot.unique),
            &app.admin_token,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let added = bot_message(&mut ws).await;
    assert_eq!(added["chat_id"], general.as_str());
    assert_eq!(text(&added), "participation added");

    post_in(
        &app,
        &general,
        &scott,
        &format!("hey {{@b-{}}} look", bot.id),
    )
    .await;
    let reply = bot_message(&mut ws).await;
    assert_eq!(reply["chat_id"], general.as_str());
    assert_eq!(
        text(&reply),
        format!("mentioned by Scott: hey {{@b-{}}} look", bot.id)
    );
    let runs = executions(&app, "handler=mention_handler", 1).await;
    let mentions = &runs[0]["inputs"]["mentions"];
    assert_eq!(mentions[0]["id"], format!("b-{}", bot.id), "{mentions}");
    assert_eq!(mentions[0]["type"], "bot");
    assert_eq!(
        runs[0]["inputs"]["message_details"]["message"]["mentions"],
        *mentions
    );
    // listen_message: the participation handler saw the message (and posted nothing).
    let runs = executions(&app, "handler=participation_handler", 2).await;
    assert_eq!(
        runs[0]["inputs"]["operation"], "message_sent",
        "{}",
        runs[0]
    );
    assert_eq!(
        runs[0]["info"],
        json!([format!("hey {{@b-{}}} look", bot.id)])
    );
    // A plain message runs only the participation handler.
    post_in(&app, &general, &scott, "no mention").await;
    executions(&app, "handler=participation_handler", 3).await;
    assert_eq!(
        executions(&app, "handler=mention_handler", 1).await.len(),
        1
    );
    // Edits and deletions in the channel reach it too, and its reply is posted there.
    let id = crate::messaging::post_sync(
        &app,
        "/api/v2/channelsbyname/general/message",
        &scott,
        "tpyo",
    )
    .await;
    let path = format!("/api/v2/chats/{general}/messages/{id}");
    let r = app
        .call(
            reqwest::Method::PUT,
            &path,
            &scott,
            Some(json!({"text": "typo"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        text(&bot_message(&mut ws).await),
        "participation message_edited"
    );
    let r = app.delete(&path, &scott).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        text(&bot_message(&mut ws).await),
        "participation message_deleted"
    );
    let runs = executions(&app, "handler=participation_handler", 6).await;
    assert_eq!(
        runs[0]["inputs"]["data"]["message"]["id"],
        id.as_str(),
        "{}",
        runs[0]
    );
    assert_eq!(
        runs[1]["inputs"]["data"]["message"]["text"], "typo",
        "{}",
        runs[1]
    );
    // Removed from the channel (as a `b-<id>` member): `removed` runs; the bot posts nothing
    // there any more, and is no longer told of the channel's messages.
    let channel = app.get("/api/v3/channels/general", &scott).await.body["data"]["channel_id"]
        .as_str()
        .unwrap()
        .to_string();
    let member = format!("/api/v3/channels/{channel}/members/b-{}", bot.id);
    let r = app.delete(&member, &scott).await;
    assert_eq!(r.code(), "channel_permission_denied", "{}", r.body);
    let r = app.delete(&member, &app.admin_token).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let runs = executions(&app, "handler=participation_handler", 7).await;
    assert_eq!(runs[0]["inputs"]["operation"], "removed", "{}", runs[0]);
    assert_eq!(runs[0]["delivered"]["message_ids"], json!([]));
    let r = app.delete(&member, &app.admin_token).await;
    assert_eq!(r.code(), "bot_not_member");
    post_in(&app, &general, &scott, "after removal").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        executions(&app, "handler=participation_handler", 7)
            .await
            .len(),
        7
    );
}

#[tokio::test]
async fn a_context_conversation_collects_answers_and_suppresses_other_handlers() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(
        &app,
        "Survey",
        json!({}),
        &[
            (
                "message_handler",
                r#"
if(message == "start") {
  return {"text": "Let us begin", "context": {"id": "signup", "timeout": 300, "params": [
     {"name": "name", "question": "Your name?"},
     {"name": "dept", "question": "Your department?", "suggestions": {"list": [{"text": "CSE"}, {"text": "IT"}]}}]}};
}
return {"text": "plain " + message};
"#,
            ),
            (
                "context_handler",
                r#"return {"text": "Thanks " + answers.get("name").get("text") + " of " + answers.get("dept").get("text") + " (" + context_id + ")"};"#,
            ),
        ],
    )
    .await;
    let chat = subscribe(&app, &bot, &scott).await;
    let mut ws = connect(&app, &scott).await;
    post_in(&app, &chat, &scott, "start").await;
    assert_eq!(text(&bot_message(&mut ws).await), "Let us begin");
    assert_eq!(text(&bot_message(&mut ws).await), "Your name?");
    post_in(&app, &chat, &scott, "Scott").await;
    let q = bot_message(&mut ws).await;
    assert_eq!(text(&q), "Your department?");
    assert_eq!(
        q["data"]["content"]["suggestions"]["list"][0]["text"],
        "CSE"
    );
    post_in(&app, &chat, &scott, "CSE").await;
    assert_eq!(
        text(&bot_message(&mut ws).await),
        "Thanks Scott of CSE (signup)"
    );
    // The conversation is over: the message handler answers again.
    post_in(&app, &chat, &scott, "hi").await;
    assert_eq!(text(&bot_message(&mut ws).await), "plain hi");
    // The message handler ran twice only (start, hi): answers did not reach it.
    let runs = executions(&app, "handler=message_handler", 2).await;
    assert_eq!(runs.len(), 2);
}

#[tokio::test]
async fn menu_actions_answer_and_post() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(&app, "Menu", json!({}), &[]).await;
    let h = add_handler(
        &app,
        &bot,
        json!({"type": "menu_handler", "name": "Deploy", "sub_actions": [{"name": "Prod"}],
               "script": r#"return {"text": "menu " + sub_action + " in " + chat.get("type") + " by " + user.get("first_name")};"#}),
    )
    .await;
    let handler_id = h["id"].as_str().unwrap().to_string();
    let chat = subscribe(&app, &bot, &scott).await;
    let path = format!("/api/v3/bots/{}/actions/{handler_id}", bot.unique);
    let r = app
        .post(
            &path,
            &scott,
            json!({"chat_id": chat, "sub_action": "Prod"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message");
    assert_eq!(r.body["data"]["text"], "menu Prod in bot by Scott");
    let id = r.body["message_ids"][0].as_str().unwrap().to_string();
    let msgs = app
        .get(&format!("/api/v2/chats/{chat}/messages"), &scott)
        .await;
    assert!(
        msgs.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id.as_str() && m["content"]["text"] == "menu Prod in bot by Scott"),
        "{}",
        msgs.body
    );
    // Unknown sub-action, unknown handler, a chat the caller is not in.
    let r = app
        .post(
            &path,
            &scott,
            json!({"chat_id": chat, "sub_action": "Nope"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .post(
            &format!("/api/v3/bots/{}/actions/999", bot.unique),
            &scott,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(r.code(), "execution_handler_not_found");
    let olivia = app.token_for(&app.users[1]).await;
    let r = app.post(&path, &olivia, json!({"chat_id": chat})).await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn incoming_webhooks_reach_the_listed_users() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(
        &app,
        "Alerts",
        json!({}),
        &[(
            "incoming_webhook_handler",
            r#"
if(parameters.containKey("challenge")) { return {"challenge_key": parameters.get("challenge")}; }
return {"text": "alert " + parameters.get("level") + " via " + http_method + " for " + user.get("first_name")};
"#,
        )],
    )
    .await;
    let mut ws = connect(&app, &scott).await;
    let r = app
        .post(
            &format!(
                "/api/v3/bots/{}/incoming?user_ids={}",
                bot.unique, app.users[0].id
            ),
            &app.admin_token,
            json!({"level": "high"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user_ids"], json!([app.users[0].id.to_string()]));
    let m = bot_message(&mut ws).await;
    assert_eq!(text(&m), "alert high via POST for Admin");
    assert!(m["chat_id"].as_str().unwrap().ends_with("-B2"));
    // A verification handshake echoes the challenge and posts nothing.
    let r = app
        .post(
            &format!("/api/v3/bots/{}/incoming", bot.unique),
            &app.admin_token,
            json!({"challenge": "xyz"}),
        )
        .await;
    assert_eq!(r.body["challenge_key"], "xyz", "{}", r.body);
    assert_eq!(r.body["user_ids"], json!([]));
    // v2, GET with query parameters.
    let r = app
        .get(
            &format!("/api/v2/bots/{}/incoming?level=low", bot.unique),
            &scott,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        text(&bot_message(&mut ws).await),
        "alert low via GET for Scott"
    );
    // Too many keys.
    let mut big = serde_json::Map::new();
    for i in 0..51 {
        big.insert(format!("k{i}"), json!("v"));
    }
    let r = app
        .post(
            &format!("/api/v3/bots/{}/incoming", bot.unique),
            &app.admin_token,
            Value::Object(big),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs", "{}", r.body);
}

#[tokio::test]
async fn calls_ring_and_report_their_states() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let quiet_bot = bot_with(&app, "NoCalls", json!({}), &[]).await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/calls", quiet_bot.unique),
            &app.admin_token,
            json!({"text": "wake up"}),
        )
        .await;
    assert_eq!(r.code(), "bot_alert_not_enabled", "{}", r.body);
    let bot = bot_with(
        &app,
        "Pager",
        json!({"calls": "enabled"}),
        &[(
            "call_handler",
            r#"info operation + " " + data.get("call_id"); return {};"#,
        )],
    )
    .await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/calls", bot.unique),
            &app.admin_token,
            json!({"text": "wake up", "user_ids": [app.users[0].id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user_ids"], json!([app.users[0].id.to_string()]));
    let call_id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(call_id.len(), 36);
    let runs = executions(&app, "handler=call_handler", 1).await;
    assert_eq!(runs[0]["info"], json!([format!("ringing {call_id}")]));
    let r = app
        .post(
            &format!("/api/v3/calls/{call_id}"),
            &scott,
            json!({"operation": "answered"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let runs = executions(&app, "handler=call_handler", 2).await;
    assert_eq!(runs[0]["info"], json!([format!("answered {call_id}")]));
    assert_eq!(runs[0]["user_id"], app.users[0].id.to_string());
    // Someone the call does not ring, and a bad state.
    let olivia = app.token_for(&app.users[1]).await;
    let r = app
        .post(
            &format!("/api/v3/calls/{call_id}"),
            &olivia,
            json!({"operation": "answered"}),
        )
        .await;
    assert_eq!(r.code(), "call_not_found");
    let r = app
        .post(
            &format!("/api/v3/calls/{call_id}"),
            &scott,
            json!({"operation": "dancing"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .post(
            &format!("/api/v3/bots/{}/calls", bot.unique),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
}

#[tokio::test]
async fn banners_reach_only_the_invoker_and_failures_are_journaled() {
    let app = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
    })
    .await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let bot = bot_with(
        &app,
        "Moody",
        json!({"channel_participation": ["listen_message"]}),
        &[(
            "mention_handler",
            r#"
t = message.get("text");
if(t.contains("banner")) { return {"type": "banner", "text": "only you", "status": "success"}; }
if(t.contains("bad")) { return {"text": 5}; }
if(t.contains("throw")) { x = 1 / 0; }
if(t.contains("huge")) { s = "x"; for each i in {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18} { s = s + s; } return {"text": s}; }
if(t.contains("loop")) { d = {1,2,3,4,5,6,7,8,9,10}; l = List(); for each i in d { for each j in d { for each k in d { for each m in d { l.add(i); } } } } }
return {"text": "fine"};
"#,
        )],
    )
    .await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/associate", bot.unique),
            &app.admin_token,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let general = general_chat(&app, &scott).await;
    let mut scott_ws = connect(&app, &scott).await;
    let mut olivia_ws = connect(&app, &olivia).await;
    let mention = format!("{{@b-{}}}", bot.id);

    post_in(&app, &general, &scott, &format!("{mention} banner")).await;
    let b = event(&mut scott_ws, "banner").await;
    assert_eq!(b["data"]["banner"]["text"], "only you");
    assert_eq!(b["chat_id"], general.as_str());
    // Olivia sees Scott's message but no banner.
    let seen = next(&mut olivia_ws).await;
    assert_eq!(seen["event"], "message_created");
    quiet(&mut olivia_ws).await;

    // A 256 KB reply is refused by the message's limits like any bad field.
    for (word, outcome) in [
        ("bad", "invalid_reply"),
        ("throw", "error"),
        ("loop", "limit"),
        ("huge", "invalid_reply"),
    ] {
        post_in(&app, &general, &scott, &format!("{mention} {word}")).await;
        let b = event(&mut scott_ws, "banner").await;
        assert_eq!(b["data"]["banner"]["status"], "failure", "{b}");
        let runs = executions(&app, &format!("status={outcome}"), 1).await;
        let r = &runs[0];
        match outcome {
            "invalid_reply" => assert_eq!(r["errors"][0]["path"], "text", "{r}"),
            "error" => assert!(r["error"]["line"].as_u64().unwrap() > 0, "{r}"),
            _ => assert!(
                r["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("statement"),
                "{r}"
            ),
        }
    }
    // The chat goes on: a fine message still gets its reply.
    post_in(&app, &general, &scott, &format!("{mention} ok")).await;
    assert_eq!(text(&bot_message(&mut scott_ws).await), "fine");
    // The creator (the admin) is told of every run.
    let mut admin_ws = connect(&app, &app.admin_token).await;
    post_in(&app, &general, &scott, &format!("{mention} again")).await;
    let done = event(&mut admin_ws, "execution_finished").await;
    assert_eq!(done["data"]["handler"], "mention_handler");
    assert_eq!(done["data"]["outcome"], "success");
}

#[tokio::test]
async fn scripts_perform_cliq_tasks_as_the_invoking_user() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(
        &app,
        "Relay",
        json!({}),
        &[(
            "message_handler",
            r#"
r = zoho.cliq.postToChannel("general", "relayed: " + message + " by " + zoho.loginuserid);
try { zoho.cliq.createRecord("db", {"a": 1}); } catch (e) { info "caught: " + e; }
return {"text": "posted " + r.get("status") + " admin " + zoho.adminuserid};
"#,
        )],
    )
    .await;
    let chat = subscribe(&app, &bot, &scott).await;
    let general = general_chat(&app, &scott).await;
    let mut ws = connect(&app, &scott).await;
    post_in(&app, &chat, &scott, "news").await;
    // The task's post lands first, as Scott; then the bot's reply.
    let relayed = loop {
        let ev = event(&mut ws, "message_created").await;
        if ev["chat_id"] == general.as_str() {
            break ev;
        }
    };
    assert_eq!(
        text(&relayed),
        format!("relayed: news by {}", app.users[0].email)
    );
    assert_eq!(relayed["data"]["sender"]["id"], app.users[0].id.to_string());
    let reply = bot_message(&mut ws).await;
    assert_eq!(text(&reply), "posted SUCCESS admin admin@zylker.com");
    let runs = executions(&app, "handler=message_handler", 1).await;
    assert!(
        runs[0]["info"][0].as_str().unwrap().starts_with("caught: "),
        "{}",
        runs[0]
    );
    let tasks = runs[0]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{}", runs[0]);
    assert_eq!(tasks[0]["task"], "zoho.cliq.posttochannel");
    assert_eq!(tasks[0]["result"]["status"], "SUCCESS");
    assert!(
        tasks[1]["error"]
            .as_str()
            .unwrap()
            .contains("not supported"),
        "{}",
        runs[0]
    );
}

#[tokio::test]
async fn closing_and_reopening_a_thread_reach_the_channel_bots() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = bot_with(
        &app,
        "Threads",
        json!({}),
        &[(
            "participation_handler",
            r#"if(operation == "added") { return ""; } return {"text": operation + " " + data.get("thread").get("chat_id")};"#,
        )],
    )
    .await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/associate", bot.unique),
            &app.admin_token,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204);
    let parent =
        crate::messaging::post_sync(&app, "/api/v3/channelsbyname/general/messages", &scott, "q")
            .await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &scott,
            json!({"text": "a", "thread_message_id": parent, "sync_message": true}),
        )
        .await;
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let mut ws = connect(&app, &scott).await;
    let base = format!("/api/v3/threads/{thread}");
    for action in ["close", "reopen"] {
        let r = app
            .call(
                reqwest::Method::PUT,
                &base,
                &scott,
                Some(json!({"action": action})),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    // Closed: journaled (a closed thread takes no reply); reopened: the reply lands in it.
    let m = bot_message(&mut ws).await;
    assert_eq!(m["chat_id"], thread.as_str());
    assert_eq!(text(&m), format!("thread_reopened {thread}"));
    let runs = executions(&app, "handler=participation_handler", 3).await;
    assert_eq!(
        runs[1]["inputs"]["operation"], "thread_closed",
        "{}",
        runs[1]
    );
    assert_eq!(runs[1]["inputs"]["chat"]["type"], "thread");
    assert_eq!(
        runs[1]["inputs"]["chat"]["parent_resource"]["channel_unique_name"],
        "general"
    );
}
