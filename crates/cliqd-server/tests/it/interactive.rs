//! Buttons, message actions and the direct invocation of functions and message actions, over
//! real HTTP and the WebSocket: what runs, who sees the reply, message edits, refusals.

use crate::handlers_run::{add_handler, bot_with, event, executions, subscribe};
use crate::helpers::{TestApp, spawn};
use crate::messaging::general_chat;
use crate::messaging_realtime::{connect, next, quiet};
use serde_json::{Value, json};

/// A button function of the admin named `name` whose `button_handler` is `script`.
pub(crate) async fn function(
    app: &TestApp,
    name: &str,
    kind: &str,
    handlers: &[(&str, &str)],
) -> String {
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": name, "description": "d", "function_type": kind}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    for (t, script) in handlers {
        let r = app
            .post(
                &format!("/api/v3/functions/{id}/handlers"),
                &app.admin_token,
                json!({"type": t, "script": script}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    id
}

/// Posts `body` into #general as `token`'s user; answers the message id.
async fn post_general(app: &TestApp, token: &str, mut body: Value) -> String {
    body["sync_message"] = true.into();
    let r = app
        .post("/api/v2/channelsbyname/general/message", token, body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["message_id"].as_str().unwrap().to_string()
}

async fn click(
    app: &TestApp,
    token: &str,
    chat: &str,
    msg: &str,
    body: Value,
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v3/chats/{chat}/messages/{msg}/click"),
        token,
        body,
    )
    .await
}

async fn texts_in(app: &TestApp, chat: &str, token: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v2/chats/{chat}/messages"), token)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

const ECHO_CLICK: &str = r#"
return {"text": "clicked " + target.get("name") + " key " + arguments.get("key") + " arg " + arguments.get("extra") + " input " + arguments.get("input") + " by " + user.get("first_name") + " on " + message.get("text") + " in " + chat.get("type") + " event " + event};
"#;

fn invoke(name: &str, owner: &str) -> Value {
    json!({"type": "invoke.function", "data": {"name": name, "owner": owner}})
}

#[tokio::test]
async fn a_click_runs_the_button_handler_and_only_the_invoker_sees_the_reply() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    function(&app, "Approve", "button", &[("button_handler", ECHO_CLICK)]).await;
    let general = general_chat(&app, &scott).await;
    let admin = app.admin.email.clone();
    let id = post_general(
        &app,
        &scott,
        json!({"text": format!("Deploy? [Go](invoke.function|Approve|{admin}) [Yes]($1)"),
               "buttons": [{"label": "Approve", "key": "k1", "arguments": {"extra": "e1"},
                            "action": invoke("Approve", &admin)}],
               "card": {"title": "t", "theme": "modern-inline", "buttons": [
                   {"label": "Card", "key": "k2", "action": invoke("Approve", &admin)}]},
               "slides": [{"type": "text", "data": "s", "buttons": [
                   {"label": "Slide", "key": "k3", "action": invoke("Approve", &admin)}]}],
               "references": {"1": {"type": "button", "object": {"label": "Yes",
                   "action": invoke("Approve", &admin), "arguments": {"extra": "ref"}}}}}),
    )
    .await;
    let mut scott_ws = connect(&app, &scott).await;
    let mut olivia_ws = connect(&app, &olivia).await;
    let before = texts_in(&app, &general, &scott).await.len();

    let r = click(
        &app,
        &olivia,
        &general,
        &id,
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message");
    assert_eq!(
        r.body["data"]["text"],
        format!(
            "clicked Approve key k1 arg e1 input null by Olivia on Deploy? [Go](invoke.function|Approve|{admin}) [Yes]($1) in channel event click"
        )
    );
    assert_eq!(r.body["outcome"], "success");
    assert_eq!(r.body["message_ids"], json!([]));
    // Only the invoker gets it, as an ephemeral event; nothing is stored in the chat.
    let e = event(&mut olivia_ws, "ephemeral_message").await;
    assert_eq!(e["chat_id"], general.as_str());
    assert_eq!(e["data"]["message"]["text"], r.body["data"]["text"]);
    assert_eq!(e["data"]["execution_id"], r.body["execution_id"]);
    quiet(&mut scott_ws).await;
    assert_eq!(texts_in(&app, &general, &scott).await.len(), before);

    // Every location, by path and by key.
    for (button, label) in [
        ("k1", "Approve"),
        ("card.buttons[0]", "Card"),
        ("k2", "Card"),
        ("slides[0].buttons[0]", "Slide"),
        ("k3", "Slide"),
        ("references.1", "Yes"),
        ("text[0]", "Go"),
    ] {
        let r = click(&app, &olivia, &general, &id, json!({"button": button})).await;
        assert_eq!(r.status, 200, "{button}: {}", r.body);
        let t = r.body["data"]["text"].as_str().unwrap();
        assert!(t.starts_with(&format!("clicked {label} ")), "{button}: {t}");
    }
    let r = click(
        &app,
        &olivia,
        &general,
        &id,
        json!({"button": "references.1"}),
    )
    .await;
    assert!(r.body["data"]["text"].as_str().unwrap().contains("arg ref"));

    // The journal has the run with the inputs the handler saw.
    let runs = executions(&app, "handler=button_handler", 9).await;
    let rec = app
        .get(
            &format!("/api/v3/executions/{}", runs[8]["id"].as_str().unwrap()),
            &app.admin_token,
        )
        .await;
    assert_eq!(rec.status, 200, "{}", rec.body);
    let inputs = &rec.body["data"]["inputs"];
    assert_eq!(inputs["event"], "click", "{}", rec.body);
    assert_eq!(inputs["target"]["key"], "k1");
    assert_eq!(inputs["message"]["id"], id.as_str());
    assert_eq!(inputs["access"]["message_id"], id.as_str());
    assert_eq!(inputs["location"]["status"], "prompt");
    assert!(inputs["environment"]["base_url"].is_string());
}

#[tokio::test]
async fn client_actions_invoke_bot_and_confirm_inputs() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    function(&app, "Approve", "button", &[("button_handler", ECHO_CLICK)]).await;
    let bot = bot_with(
        &app,
        "Echoer",
        json!({}),
        &[("message_handler", r#"return {"text": "got " + message};"#)],
    )
    .await;
    let general = general_chat(&app, &scott).await;
    let admin = app.admin.email.clone();
    let mut confirm_action = invoke("Approve", &admin);
    confirm_action["confirm"] =
        json!({"title": "Sure?", "input": "Why", "button_label": "Yes", "mandatory": "true"});
    let id = post_general(
        &app,
        &scott,
        json!({"text": "actions",
               "buttons": [
                   {"label": "Open", "action": {"type": "open.url", "data": {"web": "https://example.com"}}},
                   {"label": "Copy", "action": {"type": "copy", "data": {"text": "abc"}}},
                   {"label": "Call", "action": {"type": "system.api", "data": {"api": "audiocall/1"}}},
                   {"label": "Ask", "action": {"type": "invoke.bot", "data": {"bot_name": bot.unique, "message": "hello"}}},
                   {"label": "Sure", "key": "sure", "action": confirm_action}],
               "card": {"title": "t", "theme": "modern-inline", "buttons": [
                   {"label": "Nobody", "key": "nobot", "action": {"type": "invoke.bot", "data": {"bot_name": "nosuchbot", "message": "hi"}}},
                   {"label": "Peek", "key": "peek", "action": {"type": "preview.url", "data": {"url": "https://example.com/p"}}}]}}),
    )
    .await;
    for (i, kind) in [(0, "open.url"), (1, "copy"), (2, "system.api")] {
        let r = click(
            &app,
            &scott,
            &general,
            &id,
            json!({"button": format!("buttons[{i}]")}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["type"], "client_action");
        assert_eq!(r.body["action"]["type"], kind);
    }
    let r = click(&app, &scott, &general, &id, json!({"button": "buttons[1]"})).await;
    assert_eq!(r.body["action"]["data"]["text"], "abc");
    let r = click(&app, &scott, &general, &id, json!({"button": "peek"})).await;
    assert_eq!(r.body["type"], "client_action", "{}", r.body);
    assert_eq!(r.body["action"]["type"], "preview.url");
    assert_eq!(r.body["action"]["data"]["url"], "https://example.com/p");

    // invoke.bot: the message goes to the bot as the user, and its handler answers there.
    let mut ws = connect(&app, &scott).await;
    let r = click(&app, &scott, &general, &id, json!({"button": "buttons[3]"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "invoke_bot");
    let bot_chat = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    assert_eq!(bot_chat, subscribe(&app, &bot, &scott).await);
    let reply = crate::handlers_run::bot_message(&mut ws).await;
    assert_eq!(reply["data"]["content"]["text"], "got hello");

    let r = click(&app, &scott, &general, &id, json!({"button": "nobot"})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (404, "bot_not_found"),
        "{}",
        r.body
    );

    // A mandatory confirmation needs its input, which reaches the handler.
    let r = click(&app, &scott, &general, &id, json!({"button": "sure"})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body["message"].as_str().unwrap().contains("input"),
        "{}",
        r.body
    );
    let r = click(
        &app,
        &scott,
        &general,
        &id,
        json!({"button": "sure", "input": "because"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body["data"]["text"]
            .as_str()
            .unwrap()
            .contains("input because")
    );
}

#[tokio::test]
async fn message_edit_replaces_the_message_for_everyone_under_the_creator_rule() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    function(
        &app,
        "Close",
        "button",
        &[(
            "button_handler",
            r#"return {"type": "message_edit", "text": "closed by " + user.get("first_name")};"#,
        )],
    )
    .await;
    let general = general_chat(&app, &scott).await;
    let admin = app.admin.email.clone();
    let button = json!([{"label": "Close", "action": invoke("Close", &admin)}]);
    // The function's creator posted it: the edit is allowed, and every member sees it.
    let own = post_general(
        &app,
        &app.admin_token,
        json!({"text": "open", "buttons": button}),
    )
    .await;
    let mut scott_ws = connect(&app, &scott).await;
    let r = click(
        &app,
        &olivia,
        &general,
        &own,
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message_edit");
    assert_eq!(r.body["message_ids"], json!([own.clone()]));
    let e = event(&mut scott_ws, "message_edited").await;
    assert_eq!(e["data"]["id"], own.as_str());
    assert_eq!(e["data"]["content"]["text"], "closed by Olivia");
    let got = app
        .get(&format!("/api/v2/chats/{general}/messages/{own}"), &scott)
        .await;
    assert_eq!(got.body["data"]["content"]["text"], "closed by Olivia");

    // Someone else posted it: refused, the invoker gets a failure banner, nothing changes.
    let other = post_general(&app, &scott, json!({"text": "mine", "buttons": button})).await;
    let mut olivia_ws = connect(&app, &olivia).await;
    let r = click(
        &app,
        &olivia,
        &general,
        &other,
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "banner");
    assert_eq!(r.body["outcome"], "refused");
    assert_eq!(r.body["data"]["status"], "failure");
    let b = event(&mut olivia_ws, "banner").await;
    assert_eq!(b["data"]["banner"]["status"], "failure");
    let got = app
        .get(&format!("/api/v2/chats/{general}/messages/{other}"), &scott)
        .await;
    assert_eq!(got.body["data"]["content"]["text"], "mine");

    // A message posted as a bot of the function's creator: allowed, and the function
    // resolves through the bot's creator without an owner.
    let bot = bot_with(&app, "Closer", json!({}), &[]).await;
    let menu = add_handler(
        &app,
        &bot,
        json!({"type": "menu_handler", "name": "Post",
               "script": r#"return {"text": "ticket", "buttons": [{"label": "Close", "action": {"type": "invoke.function", "data": {"name": "Close"}}}]};"#}),
    )
    .await;
    let chat = subscribe(&app, &bot, &scott).await;
    let r = app
        .post(
            &format!(
                "/api/v3/bots/b-{}/actions/{}",
                bot.id,
                menu["id"].as_str().unwrap()
            ),
            &scott,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let posted = r.body["message_ids"][0].as_str().unwrap().to_string();
    let r = click(
        &app,
        &scott,
        &chat,
        &posted,
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.body["type"], "message_edit", "{}", r.body);
    let got = app
        .get(&format!("/api/v2/chats/{chat}/messages/{posted}"), &scott)
        .await;
    assert_eq!(got.body["data"]["content"]["text"], "closed by Scott");

    // A message posted as a bot someone else created: refused.
    let r = app
        .post(
            "/api/v3/bots",
            &scott,
            json!({"name": "Mybot", "description": "d", "scope": "personal"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mine = crate::handlers_run::Bot {
        id: r.body["data"]["id"].as_str().unwrap().to_string(),
        unique: r.body["data"]["unique_name"].as_str().unwrap().to_string(),
    };
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/handlers", mine.id),
            &scott,
            json!({"type": "menu_handler", "name": "Post", "script": format!(
                r#"return {{"text": "ticket", "buttons": [{{"label": "Close", "action": {{"type": "invoke.function", "data": {{"name": "Close", "owner": "{admin}"}}}}}}]}};"#)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let menu = r.body["data"]["id"].as_str().unwrap().to_string();
    let chat = subscribe(&app, &mine, &scott).await;
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/actions/{menu}", mine.id),
            &scott,
            json!({"chat_id": chat}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let posted = r.body["message_ids"][0].as_str().unwrap().to_string();
    let r = click(
        &app,
        &scott,
        &chat,
        &posted,
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.body["outcome"], "refused", "{}", r.body);
    let got = app
        .get(&format!("/api/v2/chats/{chat}/messages/{posted}"), &scott)
        .await;
    assert_eq!(got.body["data"]["content"]["text"], "ticket");
}

#[tokio::test]
async fn bad_clicks_are_refused_and_failures_are_journaled() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    function(
        &app,
        "Boom",
        "button",
        &[("button_handler", "x = 1 / 0; return {\"text\": \"no\"};")],
    )
    .await;
    function(&app, "Formish", "form", &[]).await;
    let general = general_chat(&app, &scott).await;
    let admin = app.admin.email.clone();
    let id = post_general(
        &app,
        &scott,
        json!({"text": "x", "buttons": [
            {"label": "Boom", "action": invoke("Boom", &admin)},
            {"label": "Nobody", "action": invoke("Nobody", &admin)},
            {"label": "Formish", "action": invoke("Formish", &admin)},
            {"label": "Stranger", "action": invoke("Boom", "nobody@example.com")}]}),
    )
    .await;
    let cases = [
        (json!({"button": "buttons[9]"}), 400, "invalid_inputs"),
        (json!({"button": "nokey"}), 400, "invalid_inputs"),
        (json!({"button": "buttons[1]"}), 404, "function_not_found"),
        (json!({"button": "buttons[3]"}), 404, "function_not_found"),
        (
            json!({"button": "buttons[2]"}),
            404,
            "execution_handler_not_found",
        ),
        (json!({}), 400, "invalid_inputs"),
    ];
    for (body, status, code) in cases {
        let r = click(&app, &scott, &general, &id, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{body}: {}",
            r.body
        );
    }
    let r = click(
        &app,
        &scott,
        &general,
        "999999",
        json!({"button": "buttons[0]"}),
    )
    .await;
    assert_eq!(r.code(), "message_not_found", "{}", r.body);
    // A chat the caller is not in.
    let r = app
        .post(
            "/api/v3/chats",
            &scott,
            json!({"chat_type": "direct_message", "user_id": app.users[1].id.to_string()}),
        )
        .await;
    let dm = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    let dm_msg = {
        let r = app
            .post(
                &format!("/api/v2/chats/{dm}/message"),
                &scott,
                json!({"text": "secret", "sync_message": true, "buttons": [{"label": "Boom", "action": invoke("Boom", &admin)}]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["message_id"].as_str().unwrap().to_string()
    };
    let r = click(&app, &james, &dm, &dm_msg, json!({"button": "buttons[0]"})).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert_ne!(r.status, 200);

    // A failing handler: the failure banner (answered and on the invoker's socket), journaled.
    let mut ws = connect(&app, &scott).await;
    let r = click(&app, &scott, &general, &id, json!({"button": "buttons[0]"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "banner");
    assert_eq!(r.body["data"]["status"], "failure");
    assert_eq!(r.body["outcome"], "error");
    let b = event(&mut ws, "banner").await;
    assert_eq!(b["data"]["banner"]["status"], "failure");
    assert_eq!(b["data"]["component"]["type"], "function", "{b}");
    assert_eq!(b["data"]["component"]["name"], "Boom");
    let runs = executions(&app, "status=error", 1).await;
    assert_eq!(runs[0]["handler"], "button_handler");
    let _ = next;
}

async fn action(app: &TestApp, body: Value, script: &str) -> String {
    let r = app
        .post("/api/v3/messageactions", &app.admin_token, body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            &format!("/api/v3/messageactions/{id}/handlers/execution_handler"),
            &app.admin_token,
            json!({"script": script}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

#[tokio::test]
async fn message_actions_list_and_execute() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let script = r#"return {"text": "on " + messages.get("count") + " first " + message.get("text") + " by " + user.get("first_name") + " in " + chat.get("type")};"#;
    let texty = action(
        &app,
        json!({"name": "Ticket", "hint": "h", "scope": "organization", "message_types": ["text"]}),
        script,
    )
    .await;
    let links = action(
        &app,
        json!({"name": "Links", "hint": "h", "scope": "organization", "message_types": ["link"], "multi_selectable": true}),
        script,
    )
    .await;
    let private = action(
        &app,
        json!({"name": "Mine", "hint": "h", "scope": "personal"}),
        script,
    )
    .await;
    let general = general_chat(&app, &scott).await;
    let plain = post_general(&app, &scott, json!({"text": "plain"})).await;
    let linked = post_general(&app, &scott, json!({"text": "see https://example.com"})).await;
    let linked2 = post_general(&app, &scott, json!({"text": "and https://example.org"})).await;

    let names = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let r = app
        .get(
            &format!("/api/v3/chats/{general}/messages/{plain}/messageactions"),
            &olivia,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(names(&r), ["Ticket"]);
    let r = app
        .get(
            &format!("/api/v3/chats/{general}/messages/{linked}/messageactions"),
            &olivia,
        )
        .await;
    assert_eq!(names(&r), ["Ticket", "Links"]);
    // The admin also sees their personal action.
    let r = app
        .get(
            &format!("/api/v3/chats/{general}/messages/{plain}/messageactions"),
            &app.admin_token,
        )
        .await;
    assert_eq!(names(&r), ["Ticket", "Mine"]);
    // A team's action: its members see it, others do not.
    action(
        &app,
        json!({"name": "Support", "hint": "h", "scope": "team", "team_ids": [app.teams[1]]}),
        script,
    )
    .await;
    let james = app.token_for(&app.users[2]).await;
    let path = format!("/api/v3/chats/{general}/messages/{plain}/messageactions");
    assert_eq!(names(&app.get(&path, &james).await), ["Ticket", "Support"]);
    assert_eq!(names(&app.get(&path, &olivia).await), ["Ticket"]);

    let mut olivia_ws = connect(&app, &olivia).await;
    let mut scott_ws = connect(&app, &scott).await;
    let r = app
        .post(
            &format!("/api/v3/messageactions/{texty}/execute"),
            &olivia,
            json!({"chat_id": general, "message_ids": [plain]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message");
    assert_eq!(
        r.body["data"]["text"],
        "on 1 first plain by Olivia in channel"
    );
    let e = event(&mut olivia_ws, "ephemeral_message").await;
    assert_eq!(
        e["data"]["message"]["text"],
        "on 1 first plain by Olivia in channel"
    );
    quiet(&mut scott_ws).await;

    let r = app
        .post(
            &format!("/api/v3/messageactions/{links}/execute"),
            &olivia,
            json!({"chat_id": general, "message_ids": [linked, linked2]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["text"],
        "on 2 first see https://example.com by Olivia in channel"
    );

    // A form reply opens a session for the invoker.
    let formy = action(
        &app,
        json!({"name": "Formy", "hint": "h", "scope": "organization"}),
        r#"return {"type": "form", "title": "T", "name": "f", "action": {"type": "invoke.function", "name": "x"},
                   "inputs": [{"type": "text", "name": "a", "label": "A", "placeholder": "p"}]};"#,
    )
    .await;
    let r = app
        .post(
            &format!("/api/v3/messageactions/{formy}/execute"),
            &olivia,
            json!({"chat_id": general, "message_ids": [plain]}),
        )
        .await;
    assert_eq!(r.body["type"], "form", "{}", r.body);
    let form_id = r.body["form_id"].as_str().unwrap();
    let e = event(&mut olivia_ws, "form_opened").await;
    assert_eq!(e["data"]["form_id"], form_id);

    let too_many: Vec<String> = (0..26).map(|_| linked.clone()).collect();
    let refusals = [
        (
            texty.clone(),
            json!({"chat_id": general, "message_ids": [plain, plain]}),
            400,
            "invalid_inputs",
        ),
        (
            links.clone(),
            json!({"chat_id": general, "message_ids": [plain]}),
            400,
            "invalid_inputs",
        ),
        (
            links.clone(),
            json!({"chat_id": general, "message_ids": too_many}),
            400,
            "invalid_inputs",
        ),
        (
            texty.clone(),
            json!({"chat_id": general, "message_ids": []}),
            400,
            "invalid_inputs",
        ),
        (
            texty.clone(),
            json!({"chat_id": general, "message_ids": ["424242"]}),
            404,
            "message_not_found",
        ),
        (
            private.clone(),
            json!({"chat_id": general, "message_ids": [plain]}),
            404,
            "msgaction_not_found",
        ),
        (
            "777777".to_string(),
            json!({"chat_id": general, "message_ids": [plain]}),
            404,
            "msgaction_not_found",
        ),
    ];
    for (id, body, status, code) in refusals {
        let r = app
            .post(
                &format!("/api/v3/messageactions/{id}/execute"),
                &olivia,
                body.clone(),
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{body}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn function_and_message_action_handlers_are_invoked_directly() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let f = function(&app, "Approve", "button", &[("button_handler", ECHO_CLICK)]).await;
    let a = action(
        &app,
        json!({"name": "Ticket", "hint": "h", "scope": "organization"}),
        r#"return {"text": "direct " + messages.get("count")};"#,
    )
    .await;
    let t = app.admin_token.clone();
    let mut ws = connect(&app, &t).await;
    let r = app
        .post(
            &format!("/api/v3/functions/{f}/handlers/button_handler/invoke"),
            &t,
            json!({"chat": {"type": "bot"}, "target": {"name": "T"}, "arguments": {"key": "K", "extra": "E"}, "message": {"text": "M"}, "event": "click"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "execution");
    assert_eq!(r.body["data"]["status"], "success", "{}", r.body);
    assert!(
        r.body["data"]["reply"]["text"]
            .as_str()
            .unwrap()
            .starts_with("clicked T key K arg E"),
        "{}",
        r.body
    );
    // Nothing delivered unless asked.
    let e = event(&mut ws, "execution_finished").await;
    assert_eq!(e["data"]["handler"], "button_handler");
    quiet(&mut ws).await;
    let r = app
        .post(
            &format!("/api/v3/messageactions/{a}/handlers/execution_handler/invoke"),
            &t,
            json!({"messages": {"count": 3, "list": []}, "deliver": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["reply"]["text"], "direct 3");
    let e = event(&mut ws, "ephemeral_message").await;
    assert_eq!(e["data"]["message"]["text"], "direct 3");

    // Creator or admin only; unknown handler types refused.
    let r = app
        .post(
            &format!("/api/v3/functions/{f}/handlers/button_handler/invoke"),
            &scott,
            json!({}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = app
        .post(
            &format!("/api/v3/messageactions/{a}/handlers/execution_handler/invoke"),
            &scott,
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "msgaction_permission_denied", "{}", r.body);
    let r = app
        .post(
            &format!("/api/v3/functions/{f}/handlers/nope_handler/invoke"),
            &t,
            json!({}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
}

#[tokio::test]
async fn buttons_in_threads_are_clickable_by_the_channels_members() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    function(&app, "Approve", "button", &[("button_handler", ECHO_CLICK)]).await;
    let admin = app.admin.email.clone();
    let parent = post_general(&app, &scott, json!({"text": "plan"})).await;
    let r = app
        .post(
            "/api/v3/channelsbyname/general/messages",
            &scott,
            json!({"text": "in thread", "thread_message_id": parent, "sync_message": true,
                   "buttons": [{"label": "T", "key": "t", "action": invoke("Approve", &admin)}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let thread = r.body["thread_chat_id"].as_str().unwrap().to_string();
    let msg = r.body["message_id"].as_str().unwrap().to_string();
    let r = click(&app, &james, &thread, &msg, json!({"button": "t"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let text = r.body["data"]["text"].as_str().unwrap();
    assert!(
        text.ends_with("by James on in thread in thread event click"),
        "{text}"
    );
}
