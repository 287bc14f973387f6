//! Interaction scenarios: a multi-step form with a change handler and a dynamic select, a
//! message action from a message's menu, a bot's menu action and a context conversation
//! answered with suggestion chips, and replying, editing and deleting from the page.

use crate::fixtures::{function, post_general};
use crate::helpers::spawn;
use crate::support::{Browser, Driver, check};
use anyhow::{Context, Result};
use serde_json::json;

const FORM: &str = r#"
return {"type": "form", "title": "Asset Request", "name": "asset", "button_label": "Raise",
 "action": {"type": "invoke.function", "name": "Asset"},
 "inputs": [
   {"type": "text", "name": "username", "label": "Name", "placeholder": "you", "mandatory": true},
   {"type": "select", "name": "asset-type", "label": "Asset", "trigger_on_change": true, "options": [{"label": "Laptop", "value": "laptop"}, {"label": "Mobile", "value": "mobile"}]},
   {"type": "text", "name": "note", "label": "Note", "placeholder": "n"}
 ]};
"#;

const CHANGE: &str = r#"
if(target.get("value").get("value") == "mobile") {
 return {"type": "form_modification", "actions": [
   {"type": "add_after", "name": "asset-type", "input": {"type": "dynamic_select", "name": "mobile-list", "label": "Model", "placeholder": "pick", "mandatory": true}},
   {"type": "update", "name": "note", "input": {"type": "textarea", "name": "note", "label": "Why", "placeholder": "w", "max_length": 10}}
 ]};
}
return {"type": "form_modification", "actions": [{"type": "remove", "name": "note"}]};
"#;

const OPTIONS: &str = r#"
q = target.get("query");
opts = List();
if("google pixel".contains(q)) { opts.add({"label": "Google Pixel", "value": "pixel"}); }
opts.add({"label": "Other " + q, "value": "other"});
return {"options": opts};
"#;

const SUBMIT: &str = r#"
f = form;
v = f.get("values");
if(f.get("name") == "asset") {
  if(v.get("note") == "bad") { return {"type": "form_error", "text": "Check the note", "inputs": {"note": "not this"}}; }
  return {"type": "form", "title": "Confirm", "name": "confirm", "action": {"type": "invoke.function", "name": "Asset"}, "inputs": [{"type": "toggle", "name": "sure", "label": "Sure?"}]};
}
return {"text": "done " + v.get("sure")};
"#;

pub async fn form_in_a_dialog(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    function(
        &app,
        "Asset",
        "form",
        &[
            ("form_change_handler", CHANGE),
            ("form_dynamic_select_handler", OPTIONS),
            ("form_submit_handler", SUBMIT),
        ],
    )
    .await?;
    function(&app, "Request", "button", &[("button_handler", FORM)]).await?;
    let id = post_general(
        &app,
        json!({"text": "Need hardware?", "buttons": [{"label": "Request", "key": "req",
            "action": {"type": "invoke.function", "data": {"name": "Request"}}}]}),
    )
    .await?;
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    b.click(&format!(
        ".message[data-message-id='{id}'] button[data-key='req']"
    ))
    .await?;
    b.wait_for("dialog[open].form-dialog[data-form-name='asset']")
        .await?;
    // Choosing "Mobile" runs the change handler: a dynamic select appears, the note becomes a
    // text area.
    b.click("#form-asset-type option[value='mobile']").await?;
    b.wait_for(".field[data-name='mobile-list'] input[role=combobox]")
        .await?;
    b.wait_for(".field[data-name='note'] textarea").await?;
    b.type_into("#form-mobile-list", "pix").await?;
    b.click(".options li[data-value='pixel']").await?;
    b.type_into("#form-username", "Scott").await?;
    b.type_into("#form-note", "bad").await?;
    b.screenshot("form").await?;
    b.click(".form-dialog button[type=submit]").await?;
    let error = b.text(".field[data-name='note'] .field-error").await?;
    check(error == "not this", || format!("field error {error:?}"))?;
    b.js("document.getElementById('form-note').value = ''", vec![])
        .await?;
    b.type_into("#form-note", "ok").await?;
    b.click(".form-dialog button[type=submit]").await?;
    // The next step replaces the form; its submit closes the dialog with a reply for Scott.
    b.wait_for("dialog[open].form-dialog[data-form-name='confirm']")
        .await?;
    b.click("#form-sure").await?;
    b.click(".form-dialog button[type=submit]").await?;
    b.wait_until(
        "!document.querySelector('dialog[open].form-dialog') && [...document.querySelectorAll('.message.ephemeral')].some(m => m.textContent.includes('done true'))",
        "the form closed and its reply arrived",
    )
    .await?;
    b.finish().await
}

pub async fn message_action_bot_menu_and_context(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    // A message action, run from a message's menu.
    let r = app
        .post(
            "/api/v3/messageactions",
            &app.admin_token,
            json!({"name": "Create Ticket", "hint": "Turn this message into a ticket",
                   "scope": "organization", "message_types": ["text"]}),
        )
        .await;
    let ma = r.body["data"]["id"]
        .as_str()
        .context("message action id")?
        .to_string();
    let r = app
        .patch(
            &format!("/api/v3/messageactions/{ma}/handlers/execution_handler"),
            &app.admin_token,
            json!({"script": "return {\"text\": \"Ticket created\"};"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("execution handler: {}", r.body)
    })?;
    let id = post_general(&app, json!({"text": "The printer is on fire"})).await?;
    // A multi-selectable one, run on two messages picked in the page.
    let r = app
        .post(
            "/api/v3/messageactions",
            &app.admin_token,
            json!({"name": "Summarize", "hint": "Summarize messages", "scope": "organization",
                   "message_types": ["text"], "multi_selectable": true}),
        )
        .await;
    let multi = r.body["data"]["id"]
        .as_str()
        .context("multi action id")?
        .to_string();
    let r = app
        .patch(
            &format!("/api/v3/messageactions/{multi}/handlers/execution_handler"),
            &app.admin_token,
            json!({"script": "return {\"text\": \"Summarized \" + messages.get(\"count\")};"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("multi handler: {}", r.body)
    })?;
    let second = post_general(&app, json!({"text": "Still burning"})).await?;

    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    let msg = format!(".message[data-message-id='{id}']");
    b.click(&format!("{msg} .menu-button")).await?;
    b.click(&format!("{msg} .message-action[data-action-id='{ma}']"))
        .await?;
    let reply = b.text(".message.ephemeral .text").await?;
    check(reply == "Ticket created", || {
        format!("action reply {reply:?}")
    })?;
    b.click(&format!("{msg} .menu-button")).await?;
    b.click(&format!("{msg} .message-action[data-action-id='{multi}']"))
        .await?;
    b.click(&format!(
        ".message[data-message-id='{second}'] .select-message"
    ))
    .await?;
    let bar = b.text(".selection-bar span").await?;
    check(bar.starts_with("2 selected"), || {
        format!("selection bar {bar:?}")
    })?;
    b.click(".selection-bar .run-selection").await?;
    b.wait_until(
        "[...document.querySelectorAll('.message.ephemeral .text')].some(e => e.textContent === 'Summarized 2')",
        "the multi-message action's reply",
    )
    .await?;

    // A bot with a menu action and a context conversation, in Scott's bot chat.
    let bot = app.create_bot("Helper").await;
    let handlers = format!("/api/v3/bots/{bot}/handlers");
    for body in [
        json!({"type": "menu_handler", "name": "Status", "script": "return {\"text\": \"All systems go\"};"}),
        json!({"type": "message_handler", "script": r#"
if(message == "survey") {
  return {"text": "Let us begin", "context": {"id": "signup", "timeout": 300, "params": [
     {"name": "dept", "question": "Your department?", "suggestions": {"list": [{"text": "CSE"}, {"text": "IT"}]}}]}};
}
return {"text": "plain " + message};"#}),
        json!({"type": "context_handler", "script": r#"return {"text": "Thanks, " + answers.get("dept").get("text")};"#}),
    ] {
        let r = app.post(&handlers, &app.admin_token, body).await;
        check(r.status.is_success(), || format!("bot handler: {}", r.body))?;
    }
    let scott = app.token_for(&app.users[0]).await;
    let r = app
        .post(&format!("/api/v3/bots/{bot}/subscribe"), &scott, json!({}))
        .await;
    check(r.status.is_success(), || format!("subscribe: {}", r.body))?;
    b.wait_for(".chat-group[data-kind='bot'] .chat-link")
        .await?;
    b.click(".chat-group[data-kind='bot'] .chat-link").await?;
    b.click(".bot-menu .chip").await?;
    b.wait_until(
        "[...document.querySelectorAll('.message .text')].some(e => e.textContent === 'All systems go')",
        "the menu action's reply",
    )
    .await?;
    b.type_into("#composer-text", "survey\u{E007}").await?;
    b.click(".suggestion-chips .chip").await?;
    b.wait_until(
        "[...document.querySelectorAll('.message .text')].some(e => e.textContent === 'Thanks, CSE')",
        "the context handler's answer",
    )
    .await?;
    b.screenshot("bot-chat").await?;
    b.finish().await
}

pub async fn reply_edit_and_delete(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    b.type_into("#composer-text", "first draft\u{E007}").await?;
    b.wait_until(
        "[...document.querySelectorAll('.message .text')].some(e => e.textContent === 'first draft')",
        "the message",
    )
    .await?;
    // Edit it.
    b.click(".message .menu-button").await?;
    b.click(".menu [data-builtin='edit']").await?;
    b.js(
        "document.querySelector('.edit-box textarea').value = ''",
        vec![],
    )
    .await?;
    b.type_into(".edit-box textarea", "final text").await?;
    b.click(".edit-box button[type=submit]").await?;
    b.wait_until(
        "[...document.querySelectorAll('.message')].some(m => m.textContent.includes('final text') && m.querySelector('.edited'))",
        "the edit, marked",
    )
    .await?;
    // Reply to it.
    b.click(".message .menu-button").await?;
    b.click(".menu [data-builtin='reply']").await?;
    b.wait_for(".replying").await?;
    b.type_into("#composer-text", "an answer\u{E007}").await?;
    b.wait_for(".message .reply-quote").await?;
    let quote = b.text(".message .reply-quote").await?;
    check(quote.contains("final text"), || {
        format!("reply quote {quote:?}")
    })?;
    // Delete the first message.
    let first = b
        .js(
            "return document.querySelector('.message').dataset.messageId",
            vec![],
        )
        .await?;
    let first = first.as_str().unwrap_or_default().to_string();
    b.click(&format!(".message[data-message-id='{first}'] .menu-button"))
        .await?;
    b.click(".menu [data-builtin='delete']").await?;
    b.click(".menu [data-builtin='confirm-delete']").await?;
    b.wait_until(
        &format!("!document.querySelector(\".message[data-message-id='{first}']\")"),
        "the message is gone",
    )
    .await?;
    b.finish().await
}

pub async fn threads_and_reactions(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let id = post_general(&app, json!({"text": "Release notes?"})).await?;
    // A reaction made before the page loads is read with the page.
    let general = app.get("/api/v3/channels/general", &app.admin_token).await;
    let chat = general.body["data"]["chat_id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v2/chats/{chat}/messages/{id}/reactions?emoji_code=🎉"),
            &app.admin_token,
            json!({}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("reacting: {} {}", r.status, r.body)
    })?;
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    let msg = format!(".message[data-message-id='{id}']");
    b.wait_for(&format!("{msg} .reaction[data-emoji='🎉']:not(.mine)"))
        .await?;
    check(
        b.text(&format!("{msg} .reaction[data-emoji='🎉']")).await? == "🎉 1",
        || "the earlier reaction's count".into(),
    )?;
    // A reaction, shown live with its count, and taken back.
    b.click(&format!("{msg} .menu-button")).await?;
    b.click(&format!(
        "{msg} .menu [data-builtin='react'][data-emoji='👍']"
    ))
    .await?;
    b.wait_for(&format!("{msg} .reaction.mine[data-emoji='👍']"))
        .await?;
    check(
        b.text(&format!("{msg} .reaction[data-emoji='👍']")).await? == "👍 1",
        || "reaction count".into(),
    )?;
    b.click(&format!("{msg} .reaction[data-emoji='👍']"))
        .await?;
    b.wait_until(
        &format!("!document.querySelector(\"{msg} .reaction[data-emoji='👍']\")"),
        "the reaction is taken back",
    )
    .await?;
    // A thread started from the menu, in the side pane.
    b.click(&format!("{msg} .menu-button")).await?;
    b.click(&format!("{msg} .menu [data-builtin='thread']"))
        .await?;
    b.wait_for(".thread-pane #thread-composer").await?;
    b.type_into("#thread-composer", "Drafting them now\u{E007}")
        .await?;
    thread_pane_shows(&b, "Drafting them now", "the thread reply in the pane").await?;
    b.wait_for(&format!(".chat {msg} .thread-link")).await?;
    // A second reply goes into the same thread.
    b.type_into("#thread-composer", "Done\u{E007}").await?;
    thread_pane_shows(&b, "Done", "the second reply").await?;
    b.screenshot("thread").await?;
    // The thread is listed in the sidebar; with its pane closed, a reply there is counted.
    let thread = b
        .wait_for("[data-kind='followed-threads'] .chat-link")
        .await?
        .attr("data-thread-id")
        .await?
        .context("thread id")?;
    b.click(".thread-pane button[aria-label='Close thread']")
        .await?;
    let r = app
        .post(
            &format!("/api/v3/chats/{thread}/messages"),
            &app.admin_token,
            json!({"text": "Looks good"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("thread reply: {}", r.body)
    })?;
    b.wait_for(&format!("[data-thread-id='{thread}'] .unread"))
        .await?;
    b.click(&format!("[data-thread-id='{thread}']")).await?;
    thread_pane_shows(&b, "Looks good", "the reply in the reopened pane").await?;
    check(
        b.count(&format!("[data-thread-id='{thread}'] .unread"))
            .await?
            == 0,
        || "the thread is still marked unread".into(),
    )?;
    // After a reload the followed thread is still listed (the chat list carries it) and opens
    // in its pane, its parent read from the server: a page's worth of later messages keeps
    // the parent out of the newest page the reload reads.
    for i in 0..100 {
        post_general(&app, json!({"text": format!("later {i}")})).await?;
    }
    b.goto("/").await?;
    b.wait_for(&format!(
        "[data-kind='followed-threads'] [data-thread-id='{thread}']"
    ))
    .await?;
    b.click(&format!("[data-thread-id='{thread}']")).await?;
    thread_pane_shows(&b, "Looks good", "the followed thread after a reload").await?;
    b.finish().await
}

/// Signing in, posting and replying with the keyboard alone.
pub async fn keyboard_only(driver: &Driver) -> Result<()> {
    const TAB: &str = "\u{E004}";
    const SHIFT_TAB: &str = "\u{E008}\u{E004}\u{E000}";
    const ENTER: &str = "\u{E007}";
    let app = spawn().await;
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.goto("/").await?;
    b.wait_for("button.demo-user").await?;
    b.tab_to(
        TAB,
        "button.demo-user[data-email='scott.fisher@zylker.com']",
        12,
    )
    .await?;
    b.press(ENTER).await?;
    b.wait_for(".status-online").await?;
    b.wait_for(".chat .messages").await?;
    b.tab_to(TAB, "#composer-text", 40).await?;
    b.press("typed with the keyboard").await?;
    b.press(ENTER).await?;
    b.wait_until(
        "[...document.querySelectorAll('.message .text')].some(e => e.textContent === 'typed with the keyboard')",
        "the message typed with the keyboard",
    )
    .await?;
    // Back to the message's menu, open it, and reply.
    b.tab_to(SHIFT_TAB, ".menu-button", 10).await?;
    b.press(ENTER).await?;
    b.tab_to(TAB, ".menu [data-builtin='reply']", 10).await?;
    b.press(ENTER).await?;
    b.wait_for(".replying").await?;
    b.tab_to(TAB, "#composer-text", 20).await?;
    b.press("and a reply").await?;
    b.press(ENTER).await?;
    b.wait_for(".message .reply-quote").await?;
    b.finish().await
}

/// Waits until the thread pane shows a message whose text is `text`.
async fn thread_pane_shows(b: &Browser, text: &str, what: &str) -> Result<()> {
    b.wait_until(
        &format!(
            "[...document.querySelectorAll('.thread-pane .message .text')].some(e => e.textContent === {})",
            serde_json::to_string(text)?
        ),
        what,
    )
    .await
}
