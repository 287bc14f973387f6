//! Mentions over real HTTP: every mention form posted through the v2/v3 post paths and bot
//! messages, resolved within the organization, read back by every read (list, single message,
//! WebSocket event, search hit), replaced by an edit, and the search filters `mentioned_user_ids` and
//! `has_mentions`.

use crate::helpers::{TestApp, spawn};
use crate::messaging::{general_chat, outsider, post_sync};
use crate::messaging_realtime::{connect, next};
use cliqd_store::{NewChannel, UserRow};
use reqwest::Method;
use serde_json::{Value, json};

fn user_json(u: &UserRow) -> Value {
    let (first, last) = u.name.split_once(' ').unwrap_or((&u.name, ""));
    json!({
        "id": u.id.to_string(),
        "type": "user",
        "name": u.name,
        "dname": format!("@{}", u.name),
        "first_name": first,
        "last_name": last,
        "email": u.email,
    })
}

fn keyword_json(word: &str) -> Value {
    json!({"id": word, "type": word, "name": word, "dname": format!("@{word}")})
}

async fn general_channel_id(app: &TestApp, token: &str) -> String {
    let r = app.get("/api/v3/channels/general", token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["channel_id"].as_str().unwrap().to_string()
}

async fn messages(app: &TestApp, chat: &str, token: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].as_array().unwrap().clone()
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
async fn every_mention_form_is_resolved_and_read_back() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let scott_t = app.token_for(scott).await;
    let olivia_t = app.token_for(olivia).await;
    let chat = general_chat(&app, &scott_t).await;
    let general = general_channel_id(&app, &scott_t).await;
    let bot = app.create_bot("Deploy Bot").await;
    let bot_id = bot.trim_start_matches("b-").to_string();
    let engineering = app.teams[0];
    let (eve, _) = outsider(&app).await;
    // A private channel Scott is not in: naming it resolves nothing.
    let private = app
        .store()
        .create_channel(NewChannel {
            org_id: olivia.org_id,
            kind: "personal".into(),
            name: "Secret".into(),
            unique_name: "secret".into(),
            description: String::new(),
            creator_id: olivia.id,
            team_ids: vec![],
            members: vec![],
        })
        .await
        .unwrap();
    let mut ws = connect(&app, &olivia_t).await;

    let text = format!(
        "Hi {{@{o}}} and {{@{j}}}, ask {{@b-{bot_id}}} in {{#{general}}} — {{@all}} {{@available}} \
         {{@{engineering}}} [Olivia](zohoid:{o}) [Admin](mail:{admin}) \
         {{@99999}} {{@nobody@zylker.com}} {{@{eve}}} {{#{private}}} {{@someone}}",
        o = olivia.id,
        j = james.email.to_uppercase(),
        admin = app.admin.email,
        private = private.id,
    );
    let id = post_sync(
        &app,
        "/api/v3/channelsbyname/general/messages",
        &scott_t,
        &text,
    )
    .await;
    // The silent mention (the admin's) is stored as such; the read shape does not show the flag.
    let want = json!([
        user_json(olivia),
        user_json(james),
        {"id": format!("b-{bot_id}"), "type": "bot", "name": "Deploy Bot"},
        {"id": general, "type": "channel", "name": "General", "dname": "#General"},
        keyword_json("all"),
        keyword_json("available"),
        {"id": engineering.to_string(), "type": "team", "name": "Engineering",
         "dname": "@Engineering"},
        user_json(&app.admin),
    ]);

    let single = app
        .get(&format!("/api/v2/chats/{chat}/messages/{id}"), &olivia_t)
        .await;
    assert_eq!(single.status, 200, "{}", single.body);
    let single = single.body.get("data").unwrap_or(&single.body).clone();
    assert_eq!(single["mentions"], want, "{single}");
    // The text is kept as posted.
    assert_eq!(single["content"]["text"], text.as_str());
    let list = messages(&app, &chat, &olivia_t).await;
    let listed = list.iter().find(|m| m["id"] == id.as_str()).unwrap();
    assert_eq!(listed["mentions"], want);
    let ev = next(&mut ws).await;
    assert_eq!(ev["event"], "message_created");
    assert_eq!(ev["data"]["id"], id.as_str());
    assert_eq!(ev["data"]["mentions"], want);

    // An edit replaces the mentions with those of the new text (and says so in real time).
    let path = format!("/api/v2/chats/{chat}/messages/{id}");
    let edit = format!("now only {{@{}}}", james.id);
    let r = app
        .call(Method::PUT, &path, &scott_t, Some(json!({"text": edit})))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let ev = next(&mut ws).await;
    assert_eq!(ev["event"], "message_edited");
    assert_eq!(ev["data"]["mentions"], json!([user_json(james)]));
    let r = app
        .call(
            Method::PUT,
            &path,
            &scott_t,
            Some(json!({"text": "no one"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let single = app.get(&path, &olivia_t).await;
    let single = single.body.get("data").unwrap_or(&single.body).clone();
    assert_eq!(single["content"]["text"], "no one");
    assert!(single.get("mentions").is_none(), "{single}");

    // Without mention syntax (or with only what resolves to nothing) there is no `mentions`.
    for text in ["plain words {x}", "{@99999} [x](zohoid:1)"] {
        let id = post_sync(
            &app,
            &format!("/api/v2/chats/{chat}/message"),
            &scott_t,
            text,
        )
        .await;
        let list = messages(&app, &chat, &olivia_t).await;
        let m = list.iter().find(|m| m["id"] == id.as_str()).unwrap();
        assert!(m.get("mentions").is_none(), "{m}");
    }
}

#[tokio::test]
async fn every_post_path_stores_mentions() {
    let app = spawn().await;
    let (scott, olivia) = (&app.users[0], &app.users[1]);
    let scott_t = app.token_for(scott).await;
    let olivia_t = app.token_for(olivia).await;
    let chat = general_chat(&app, &scott_t).await;
    app.create_bot("Deploy Bot").await;
    let text = format!("ping {{@{}}}", olivia.id);
    let want = json!([user_json(olivia)]);

    for path in [
        format!("/api/v2/chats/{chat}/message"),
        format!("/api/v3/chats/{chat}/messages"),
        "/api/v2/channelsbyname/general/message".to_string(),
    ] {
        let id = post_sync(&app, &path, &scott_t, &text).await;
        let list = messages(&app, &chat, &olivia_t).await;
        let m = list.iter().find(|m| m["id"] == id.as_str()).unwrap();
        assert_eq!(m["mentions"], want, "{path}: {m}");
    }

    // As a bot in a channel, and as bot messages into users' bot chats.
    let r = app
        .post(
            "/api/v3/bots/deploybot/associate",
            &scott_t,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let id = post_sync(
        &app,
        "/api/v3/bots/deploybot/messages?CHANNEL_UNIQUE_NAME=general",
        &scott_t,
        &text,
    )
    .await;
    let list = messages(&app, &chat, &olivia_t).await;
    let m = list.iter().find(|m| m["id"] == id.as_str()).unwrap();
    assert_eq!(m["sender"]["type"], "bot");
    assert_eq!(m["mentions"], want);
    let r = app
        .post(
            "/api/v3/bots/deploybot/messages",
            &scott_t,
            json!({"text": text, "user_ids": olivia.id.to_string(), "sync_message": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sent = &r.body["message_details"][olivia.id.to_string()];
    let bot_chat = sent["chat_id"].as_str().unwrap();
    let list = messages(&app, bot_chat, &olivia_t).await;
    let m = list.iter().find(|m| m["id"] == sent["message_id"]).unwrap();
    assert_eq!(m["mentions"], want);

    // A forwarded copy keeps the mentions of its original.
    let original = post_sync(
        &app,
        &format!("/api/v3/chats/{chat}/messages"),
        &scott_t,
        &text,
    )
    .await;
    let r = app
        .post(
            "/api/v3/messages",
            &scott_t,
            json!({
                "source": {"chat_id": chat, "message_ids": [original]},
                "recipients": {"user_ids": olivia.id.to_string()},
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let dm = app
        .store()
        .open_direct_chat(scott.org_id, scott.id, olivia.id)
        .await
        .unwrap();
    let copies = messages(&app, &dm.id, &olivia_t).await;
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["mentions"], want);
}

#[tokio::test]
async fn search_by_mentioned_user_and_has_mentions() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let scott_t = app.token_for(scott).await;
    let path = "/api/v3/channelsbyname/general/messages";
    let one = format!("one for {{@{}}}", olivia.id);
    post_sync(&app, path, &scott_t, &one).await;
    post_sync(&app, path, &scott_t, "two for {@all}").await;
    post_sync(&app, path, &scott_t, "three for nobody").await;
    let four = format!(
        "four for [Olivia](mail:{}) and {{@{}}}",
        olivia.email, james.id
    );
    post_sync(&app, path, &scott_t, &four).await;

    let body = search(&app, &scott_t, &format!("mentioned_user_ids={}", olivia.id)).await;
    assert_eq!(found(&body), [four, one]);
    // The hit carries the mentions.
    assert_eq!(body["messages"][1]["mentions"], json!([user_json(olivia)]));
    let body = search(
        &app,
        &scott_t,
        &format!("mentioned_user_ids={},{}&query=four", james.id, scott.id),
    )
    .await;
    assert_eq!(found(&body).len(), 1);
    let body = search(&app, &scott_t, &format!("mentioned_user_ids={}", scott.id)).await;
    assert_eq!(found(&body), Vec::<String>::new());
    let body = search(&app, &scott_t, "has_mentions=true").await;
    assert_eq!(found(&body).len(), 3);
    let body = search(&app, &scott_t, "has_mentions=false").await;
    assert_eq!(found(&body), ["three for nobody"]);
    let body = search(&app, &scott_t, "has_mentions=true&query=two").await;
    assert_eq!(found(&body), ["two for {@all}"]);
    assert_eq!(
        body["messages"][0]["mentions"],
        json!([keyword_json("all")])
    );

    // Malformed filters are refused.
    for q in [
        "mentioned_user_ids=olivia",
        "has_mentions=maybe",
        "mentioned_user_ids=1,2,3,4,5,6",
    ] {
        let r = app
            .get(&format!("/api/v3/messages/search?{q}"), &scott_t)
            .await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
    }
}
