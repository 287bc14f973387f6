//! The scenarios: serving and sign-in, live chat between two users with a dropped connection,
//! every card theme and slide type, buttons (confirm, input, banner, ephemeral reply), and the
//! figures for a chat of 1,000 messages.

use crate::fixtures::{function, post_general};
use crate::helpers::spawn;
use crate::support::{Browser, Driver, check};
use crate::{Outcome, Scenario};
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::time::Instant;

pub const ALL: &[(&str, Scenario)] = &[
    ("serving_and_sign_in", |d| Box::pin(serving_and_sign_in(d))),
    ("chat_between_two_users_survives_a_drop", |d| {
        Box::pin(chat_between_two_users(d))
    }),
    ("messages_render_as_cliq_does", |d| Box::pin(rendering(d))),
    ("buttons_confirm_banner_and_ephemeral_reply", |d| {
        Box::pin(buttons(d))
    }),
    ("form_in_a_dialog_with_change_and_dynamic_select", |d| {
        Box::pin(crate::interactions::form_in_a_dialog(d))
    }),
    ("message_action_bot_menu_and_context_conversation", |d| {
        Box::pin(crate::interactions::message_action_bot_menu_and_context(d))
    }),
    ("threads_and_reactions", |d| {
        Box::pin(crate::interactions::threads_and_reactions(d))
    }),
    ("keyboard_only", |d| {
        Box::pin(crate::interactions::keyboard_only(d))
    }),
    ("reply_edit_and_delete", |d| {
        Box::pin(crate::interactions::reply_edit_and_delete(d))
    }),
    ("developer_console_edits_a_script_and_replays_a_run", |d| {
        Box::pin(developer_console(d))
    }),
    ("figures_for_a_chat_of_1000_messages", |d| {
        Box::pin(figures(d))
    }),
];

// A scenario's type is `fn(&Driver) -> Outcome`; this keeps the table's closures honest.
const _: fn(&Driver) -> Outcome<'_> = |d| Box::pin(serving_and_sign_in(d));

async fn serving_and_sign_in(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    // The page and its assets: types, entity tags, revalidation.
    let index = app.client.get(format!("{}/", app.base)).send().await?;
    check(index.status() == 200, || {
        format!("GET / answered {}", index.status())
    })?;
    let etag = index.headers()["etag"].to_str()?.to_string();
    check(
        index.headers()["content-type"]
            .to_str()?
            .starts_with("text/html"),
        || "index is not HTML".into(),
    )?;
    let again = app
        .client
        .get(format!("{}/", app.base))
        .header("if-none-match", &etag)
        .send()
        .await?;
    check(again.status() == 304, || {
        format!("revalidation answered {}", again.status())
    })?;
    let js = app
        .client
        .get(format!("{}/web/app.js", app.base))
        .send()
        .await?;
    check(
        js.headers()["content-type"]
            .to_str()?
            .contains("javascript"),
        || "app.js is not served as JavaScript".into(),
    )?;
    check(js.headers()["cache-control"] == "no-cache", || {
        "no cache-control".into()
    })?;
    let missing = app
        .client
        .get(format!("{}/web/nope.js", app.base))
        .send()
        .await?;
    check(missing.status() == 404, || {
        format!("missing asset answered {}", missing.status())
    })?;

    // Sign in with a token typed into the form.
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.goto("/").await?;
    b.wait_for("button.demo-user").await?;
    b.screenshot("sign-in").await?;
    // The Content-Security-Policy is in force: an injected inline script does not run, and the
    // page records the violation (which would fail any scenario that caused one).
    b.js(
        "const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; \
         document.head.appendChild(s);",
        vec![],
    )
    .await?;
    b.wait_until(
        "window.__cliqdErrors.some(e => e.startsWith('content security policy'))",
        "the violation is recorded",
    )
    .await?;
    let ran = b.js("return window.__injected === 1", vec![]).await?;
    check(ran == json!(false), || "an inline script ran".into())?;
    b.js("window.__cliqdErrors.length = 0", vec![]).await?;
    b.type_into("#token", "not-a-token").await?;
    b.click("form.panel button[type=submit]").await?;
    b.wait_for("[role=alert]").await?;
    b.js("document.getElementById('token').value = ''", vec![])
        .await?;
    b.type_into("#token", &app.admin_token).await?;
    b.click("form.panel button[type=submit]").await?;
    b.wait_for(".chat-link[data-chat-name='general' i]").await?;
    b.wait_for(".status-online").await?;
    let stored = b
        .js("return sessionStorage.getItem('cliqd.token')", vec![])
        .await?;
    check(stored == json!(app.admin_token), || {
        "token not in sessionStorage".into()
    })?;
    let href = b.js("return location.href", vec![]).await?;
    check(
        !href.as_str().unwrap_or("").contains(&app.admin_token),
        || "the token is in the URL".into(),
    )?;
    // Sign out, then "sign in as" a demo user.
    b.click(".me button.link").await?;
    b.click("button.demo-user[data-email='olivia.palmer@zylker.com']")
        .await?;
    b.wait_for(".status-online").await?;
    let me = b.text(".me-name").await?;
    check(me == "Olivia Palmer", || format!("signed in as {me:?}"))?;
    // Her token is revoked: the next call sends the page back to signing in, saying why.
    let token = b
        .js("return sessionStorage.getItem('cliqd.token')", vec![])
        .await?;
    let r = app
        .client
        .post(format!(
            "{}/oauth/v2/token/revoke?token={}",
            app.base,
            token.as_str().unwrap_or_default()
        ))
        .send()
        .await?;
    check(r.status() == 200, || {
        format!("revoke answered {}", r.status())
    })?;
    b.click(".console-link").await?;
    b.wait_for(".signin [role=alert]").await?;
    let stored = b
        .js("return sessionStorage.getItem('cliqd.token')", vec![])
        .await?;
    check(stored.is_null(), || {
        "the revoked token is still stored".into()
    })?;
    b.finish().await
}

async fn chat_between_two_users(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let scott = Browser::open(driver, &app.base, 1280, 800).await?;
    let olivia = Browser::open(driver, &app.base, 1280, 800).await?;
    scott.sign_in_as("scott.fisher@zylker.com").await?;
    olivia.sign_in_as("olivia.palmer@zylker.com").await?;
    scott.open_general().await?;
    olivia.open_general().await?;

    // Scott types and presses Enter; Olivia sees it arrive live.
    scott
        .type_into("#composer-text", "Hello from *Scott*\u{E007}")
        .await?;
    olivia
        .wait_until(
            "[...document.querySelectorAll('.message .text')].some(e => e.textContent.includes('Hello from Scott'))",
            "Olivia sees Scott's message",
        )
        .await?;
    let bold = olivia.count(".message .text strong").await?;
    check(bold == 1, || format!("{bold} bold spans"))?;

    // Mention autocomplete: "@oli" offers Olivia; Enter inserts {@<her id>}.
    scott.type_into("#composer-text", "ping @oli").await?;
    scott.wait_for(".suggestions li").await?;
    scott.type_into("#composer-text", "\u{E007}").await?; // Enter picks the suggestion
    let value = scott
        .js(
            "return document.getElementById('composer-text').value",
            vec![],
        )
        .await?;
    let olivia_id = app.users[1].id.to_string();
    check(
        value
            .as_str()
            .unwrap_or("")
            .contains(&format!("{{@{olivia_id}}}")),
        || format!("composer holds {value}"),
    )?;
    scott.type_into("#composer-text", "\u{E007}").await?; // Enter sends
    olivia
        .wait_for(&format!(".message .mention[data-mention-id='{olivia_id}']"))
        .await?;

    // Olivia's connection drops; three messages are posted meanwhile; after the reconnect she
    // has each exactly once.
    olivia.js("window.__cliqdRealtime.drop()", vec![]).await?;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(post_general(&app, json!({"text": format!("while away {i}")})).await?);
    }
    for id in &ids {
        olivia
            .wait_for(&format!(".message[data-message-id='{id}']"))
            .await?;
    }
    olivia.wait_for(".status-online").await?;
    let dupes = olivia
        .js(
            "const ids = [...document.querySelectorAll('.message')].map(e => e.dataset.messageId); \
             return ids.length - new Set(ids).size;",
            vec![],
        )
        .await?;
    check(dupes == json!(0), || format!("{dupes} duplicated messages"))?;
    olivia.screenshot("chat").await?;

    // Unread marker: a message in a chat Olivia has not open.
    let r = app
        .post(
            "/api/v2/buddies/olivia.palmer@zylker.com/message",
            &app.admin_token,
            json!({"text": "psst"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("direct message: {}", r.status)
    })?;
    olivia.wait_for(".chat-link .unread").await?;
    // Seen state survives a reload: Olivia opens the direct chat, goes back to general, and
    // reloads after one more message arrives there.
    olivia
        .click(".chat-group[data-kind='direct_message'] .chat-link")
        .await?;
    olivia
        .wait_for(".chat-group[data-kind='direct_message'] .chat-link.active")
        .await?;
    olivia.open_general().await?;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = app
        .post(
            "/api/v2/buddies/olivia.palmer@zylker.com/message",
            &app.admin_token,
            json!({"text": "one more"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("direct message: {}", r.status)
    })?;
    olivia.goto("/").await?;
    olivia
        .wait_for(".chat-group[data-kind='direct_message'] .chat-link .unread-dot")
        .await?;
    check(
        olivia
            .count(".chat-link[data-chat-name='general' i] .unread")
            .await?
            == 0,
        || "general is marked unread after a reload".into(),
    )?;

    // Phone width: one column, still usable.
    olivia.client.set_window_size(390, 844).await?;
    olivia.wait_for(".composer textarea").await?;
    olivia.screenshot("chat-phone").await?;
    scott.finish().await?;
    olivia.finish().await
}

/// One message per card theme, one with every slide type, a formatted text with a mention, and
/// a message under a bot's name.
fn showcase(scott_id: i64) -> Vec<Value> {
    let b = |label: &str, ty: &str| json!({"label": label, "type": ty, "action": {"type": "open.url", "data": {"web": "https://example.com"}}});
    vec![
        json!({"text": format!("*bold* _italic_ ~strike~ `code` [site](https://example.com) {{@{scott_id}}}\n> quoted line")}),
        json!({"text": "Basic card body", "card": {"title": "Basic", "theme": "basic"}}),
        json!({"text": "Lunch?", "card": {"title": "Where to?", "theme": "poll",
            "options": [{"text": "Pizza"}, {"text": "Sushi"}, {"text": "Tacos"}]}}),
        json!({"text": "Order shipped", "card": {"title": "Order #42", "theme": "modern-inline",
            "thumbnail": "https://example.com/t.png",
            "sections": [{"title": "Details", "fields": [{"title": "Carrier", "value": "DHL"}, {"title": "ETA", "value": "Friday"}]}],
            "buttons": [b("Track", "+")]}}),
        json!({"text": "Deploy to production?", "card": {"title": "Deploy", "theme": "prompt",
            "buttons": [b("Yes", "+"), b("No", "-")]}}),
        json!({"text": "Quarterly report", "slides": [
            {"type": "table", "title": "Team", "data": {"headers": ["Name", "Team"], "rows": [{"Name": "Paula", "Team": "Sales"}, {"Name": "Rick", "Team": "Ops"}]}},
            {"type": "list", "title": "Steps", "data": ["Plan", "Build", "Ship"], "styles": {"type": "decimal"}},
            {"type": "label", "title": "Numbers", "data": [{"Revenue": "$500,000"}, {"Growth": "25%"}]},
            {"type": "images", "title": "Pictures", "data": ["https://example.com/a.png"]},
            {"type": "text", "title": "Note", "data": "All *good*"},
            {"type": "percentage_chart", "title": "Pie", "data": [{"label": "A", "value": 60}, {"label": "B", "value": 40}], "styles": {"preview": "pie"}},
            {"type": "percentage_chart", "title": "Doughnut", "data": [{"label": "A", "value": 30}, {"label": "B", "value": 70}], "styles": {"preview": "doughnut"}},
            {"type": "percentage_chart", "title": "Semi", "data": [{"label": "A", "value": 50}, {"label": "B", "value": 50}], "styles": {"preview": "semi_doughnut"}},
            {"type": "graph", "title": "Bars", "data": [{"category": "2025", "values": [{"label": "Q1", "value": 3}, {"label": "Q2", "value": 5}]}], "styles": {"preview": "vertical_bar", "x_axis": "Quarter", "y_axis": "Deals"}},
            {"type": "graph", "title": "Stacked", "data": [{"category": "A", "values": [{"label": "Q1", "value": 1}]}, {"category": "B", "values": [{"label": "Q1", "value": 2}]}], "styles": {"preview": "vertical_stacked_bar"}},
            {"type": "graph", "title": "Trend", "data": [{"category": "Users", "values": [{"label": "Jan", "value": 10}, {"label": "Feb", "value": 20}]}], "styles": {"preview": "trend"}}
        ]}),
        json!({"text": "Posted under a bot's name", "bot": {"name": "Release Bot", "image": "https://example.com/bot.png"},
            "styles": {"highlight": true}}),
    ]
}

async fn rendering(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let mut ids = Vec::new();
    for m in showcase(app.users[0].id) {
        ids.push(post_general(&app, m).await?);
    }
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    b.wait_for(&format!(
        ".message[data-message-id='{}']",
        ids[ids.len() - 1]
    ))
    .await?;
    let m = |i: usize, css: &str| format!(".message[data-message-id='{}'] {css}", ids[i]);
    // Text formatting and the mention.
    for css in [
        "strong",
        "em",
        "s",
        "code",
        "a[href='https://example.com']",
        "blockquote",
    ] {
        check(b.count(&m(0, css)).await? == 1, || {
            format!("formatted text lacks {css}")
        })?;
    }
    let mention = b.text(&m(0, ".mention")).await?;
    check(mention == "@Scott Fisher", || {
        format!("mention {mention:?}")
    })?;
    // Cards.
    for (i, theme) in [
        (1, "basic"),
        (2, "poll"),
        (3, "modern-inline"),
        (4, "prompt"),
    ] {
        b.wait_for(&m(i, &format!(".card[data-theme='{theme}'] .card-title")))
            .await?;
    }
    check(b.count(&m(2, ".poll-option")).await? == 3, || {
        "poll options".into()
    })?;
    check(b.text(&m(2, ".poll-votes")).await? == "0", || {
        "poll votes".into()
    })?;
    check(b.count(&m(3, ".card-thumbnail")).await? == 1, || {
        "thumbnail".into()
    })?;
    check(b.count(&m(3, ".field")).await? == 2, || {
        "section fields".into()
    })?;
    check(
        b.count(&m(3, ".msg-button.btn-positive")).await? == 1,
        || "card button".into(),
    )?;
    check(
        b.count(&m(4, ".msg-button.btn-positive")).await? == 1,
        || "+ button".into(),
    )?;
    check(
        b.count(&m(4, ".msg-button.btn-negative")).await? == 1,
        || "- button".into(),
    )?;
    // Slides.
    check(b.count(&m(5, ".slide-table tbody tr")).await? == 2, || {
        "table rows".into()
    })?;
    check(b.count(&m(5, ".slide-table th")).await? == 2, || {
        "table headers".into()
    })?;
    check(
        b.count(&m(5, ".slide-list ol[data-list-style='decimal'] li"))
            .await?
            == 3,
        || "list".into(),
    )?;
    check(
        b.count(&m(5, ".slide-label .label-pair")).await? == 2,
        || "labels".into(),
    )?;
    check(b.count(&m(5, ".slide-images img")).await? == 1, || {
        "images".into()
    })?;
    check(b.count(&m(5, ".slide-text strong")).await? == 1, || {
        "text slide".into()
    })?;
    for preview in ["pie", "doughnut", "semi_doughnut"] {
        b.wait_for(&m(
            5,
            &format!(".slide-percentage_chart[data-preview='{preview}'] canvas"),
        ))
        .await?;
    }
    for preview in ["vertical_bar", "vertical_stacked_bar", "trend"] {
        b.wait_for(&m(
            5,
            &format!(".slide-graph[data-preview='{preview}'] canvas"),
        ))
        .await?;
    }
    // Chart.js drew into every canvas (a chart instance is attached to each).
    let charts = b
        .js(
            &format!(
                "return [...document.querySelectorAll(\".message[data-message-id='{}'] canvas\")]\
                 .filter(c => window.Chart.getChart(c)).map(c => window.Chart.getChart(c).config.type);",
                ids[5]
            ),
            vec![],
        )
        .await?;
    check(
        charts == json!(["pie", "doughnut", "doughnut", "bar", "bar", "line"]),
        || format!("charts drawn: {charts}"),
    )?;
    // The bot's name and image, and the highlight style.
    check(b.text(&m(6, ".sender")).await? == "Release Bot", || {
        "bot name".into()
    })?;
    check(b.count(&m(6, ".bot-badge")).await? == 1, || {
        "bot badge".into()
    })?;
    check(b.count(&m(6, "img.avatar")).await? == 1, || {
        "bot image".into()
    })?;
    check(
        b.count(&format!(".message.highlight[data-message-id='{}']", ids[6]))
            .await?
            == 1,
        || "highlight".into(),
    )?;
    b.js(
        &format!(
            "document.querySelector(\".message[data-message-id='{}']\").scrollIntoView()",
            ids[1]
        ),
        vec![],
    )
    .await?;
    b.screenshot("cards").await?;
    b.js(
        &format!(
            "document.querySelector(\".message[data-message-id='{}']\").scrollIntoView()",
            ids[5]
        ),
        vec![],
    )
    .await?;
    b.screenshot("messages").await?;
    b.finish().await
}

async fn buttons(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    function(
        &app,
        "Approve",
        "button",
        &[(
            "button_handler",
            "return {\"text\": \"Approved: \" + arguments.get(\"input\")};",
        )],
    )
    .await?;
    function(
        &app,
        "Save",
        "button",
        &[(
            "button_handler",
            "return {\"type\": \"banner\", \"text\": \"Saved\", \"status\": \"success\"};",
        )],
    )
    .await?;
    let id = post_general(
        &app,
        json!({"text": "Release 1.2?", "buttons": [
            {"label": "Approve", "type": "+", "key": "ok", "action": {"type": "invoke.function", "data": {"name": "Approve"},
              "confirm": {"title": "Approve the release", "description": "It goes out now",
                          "input": "Remarks", "button_label": "Approve", "mandatory": "true"}}},
            {"label": "Save", "key": "save", "action": {"type": "invoke.function", "data": {"name": "Save"}}}
        ]}),
    )
    .await?;
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    b.open_general().await?;
    let msg = format!(".message[data-message-id='{id}']");
    b.click(&format!("{msg} button.msg-button[data-key='ok']"))
        .await?;
    b.wait_for("dialog[open] #confirm-input").await?;
    b.type_into("#confirm-input", "looks good").await?;
    b.screenshot("button-confirm").await?;
    b.click("dialog[open] button[type=submit]").await?;
    b.wait_for(".message.ephemeral .only-you").await?;
    let reply = b.text(".message.ephemeral .text").await?;
    check(reply.contains("looks good"), || {
        format!("ephemeral reply {reply:?}")
    })?;
    b.click(&format!("{msg} button.msg-button[data-key='save']"))
        .await?;
    let toast = b.text(".toast.toast-success").await?;
    check(toast.contains("Saved"), || {
        format!("banner toast {toast:?}")
    })?;
    b.screenshot("button-reply").await?;
    // Instant buttons: a `references` placeholder and the markdown form, each clicked by the
    // path the page computed for it (`references.1`, `text[0]`).
    let instant = post_general(
        &app,
        json!({"text": "Quick: [Yes]($1) or [Save it](invoke.function|Save)",
               "references": {"1": {"type": "button", "object": {"label": "Yes", "type": "+",
                   "action": {"type": "invoke.function", "data": {"name": "Approve"}}}}}}),
    )
    .await?;
    let im = format!(".message[data-message-id='{instant}']");
    check(
        b.count(&format!("{im} .msg-button.instant")).await? == 2,
        || "two instant buttons".into(),
    )?;
    let saved = "[...document.querySelectorAll('.toast-success')].filter(t => t.textContent.includes('Saved')).length";
    let before = b.js(&format!("return {saved}"), vec![]).await?;
    b.click(&format!("{im} .msg-button.instant:not(.btn-positive)"))
        .await?;
    b.wait_until(
        &format!("{saved} > {before}"),
        "the markdown button's banner",
    )
    .await?;
    b.click(&format!("{im} .msg-button.instant.btn-positive"))
        .await?;
    b.wait_until(
        "[...document.querySelectorAll('.message.ephemeral .text')].some(e => e.textContent.startsWith('Approved'))",
        "the reference button's reply",
    )
    .await?;
    b.finish().await
}

/// Time from navigation to a rendered chat holding 1,000 messages, and the page's JS heap.
/// Printed, never asserted against a threshold (the machine is shared and noisy).
async fn figures(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let token = app.token_for(&app.users[0]).await;
    let chat = app.get("/api/v3/channels/general", &token).await.body["data"]["chat_id"]
        .as_str()
        .context("general's chat id")?
        .to_string();
    for i in 0..1000 {
        let r = app
            .post(
                &format!("/api/v3/chats/{chat}/messages"),
                &token,
                json!({"text": format!("message {i} with *some* text and a [link](https://example.com/{i})")}),
            )
            .await;
        check(r.status.is_success(), || format!("post {i}: {}", r.status))?;
    }
    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("scott.fisher@zylker.com").await?;
    // Navigation (a fresh load with the session already signed in) → newest page rendered.
    let started = Instant::now();
    b.goto("/").await?;
    b.wait_until(
        "document.querySelectorAll('.message').length >= 100",
        "the newest page",
    )
    .await?;
    let first_page = started.elapsed();
    // Scrolling up loads older pages until all 1,000 are rendered.
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let n = b
            .js(
                "const m = document.querySelector('.messages'); m.scrollTop = 0; \
                 m.dispatchEvent(new Event('scroll')); return document.querySelectorAll('.message').length;",
                vec![],
            )
            .await?;
        if n.as_u64() >= Some(1000) {
            break;
        }
        check(Instant::now() < deadline, || {
            format!("only {n} messages after 60 s")
        })?;
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    let all = started.elapsed();
    let heap = b
        .js(
            "if (window.gc) window.gc(); return performance.memory ? performance.memory.usedJSHeapSize : null",
            vec![],
        )
        .await?;
    let nodes = b
        .js("return document.getElementsByTagName('*').length", vec![])
        .await?;
    // A message posted now, until it is on the page (the page measures from the post's reply,
    // so the figure is the WebSocket hop and the re-render of a chat of 1,000 messages).
    let mut live = Vec::new();
    for i in 0..5 {
        b.js(
            "window.__t = null; const id = arguments[0]; \
             new MutationObserver((_, o) => { if (document.querySelector(`[data-live='${id}']`) || \
               [...document.querySelectorAll('.message .text')].some(e => e.textContent === id)) \
               { window.__t = performance.now(); o.disconnect(); } }) \
             .observe(document.querySelector('.messages'), {childList: true, subtree: true});",
            vec![json!(format!("live {i}"))],
        )
        .await?;
        let sent = b.js("return performance.now()", vec![]).await?;
        let r = app
            .post(
                &format!("/api/v3/chats/{chat}/messages"),
                &token,
                json!({"text": format!("live {i}")}),
            )
            .await;
        check(r.status.is_success(), || format!("live post: {}", r.status))?;
        b.wait_until("window.__t !== null", "the live message is rendered")
            .await?;
        let seen = b.js("return window.__t", vec![]).await?;
        live.push(seen.as_f64().unwrap_or(0.0) - sent.as_f64().unwrap_or(0.0));
    }
    live.sort_by(f64::total_cmp);
    println!(
        "    figures: navigation → newest 100 of 1,000 rendered {:.0} ms; → all 1,000 rendered \
         (paging up) {:.0} ms; JS heap used {}; {} DOM elements; a live message into \
         the 1,000-message chat, post → rendered: median {:.0} ms (max {:.0} ms, 5 posts)",
        first_page.as_secs_f64() * 1000.0,
        all.as_secs_f64() * 1000.0,
        // `performance.memory` is Chromium's; Firefox has no page-readable heap size.
        heap.as_f64().map_or_else(
            || "not readable in this browser".to_string(),
            |h| format!("{:.1} MiB", h / 1048576.0)
        ),
        nodes,
        live[2],
        live[4]
    );
    b.finish().await
}

async fn developer_console(driver: &Driver) -> Result<()> {
    let app = spawn().await;
    let bot = app.create_bot("Greet").await;
    let handler = format!("/api/v3/bots/{bot}/handlers");
    let r = app
        .post(
            &handler,
            &app.admin_token,
            json!({"type": "message_handler", "script": "return {\"text\": \"hi\"};"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("handler: {} {}", r.status, r.body)
    })?;
    let r = app
        .post(
            &format!("{handler}/message_handler/invoke"),
            &app.admin_token,
            json!({"message": "hello"}),
        )
        .await;
    check(r.status.is_success(), || {
        format!("invoke: {} {}", r.status, r.body)
    })?;

    let b = Browser::open(driver, &app.base, 1280, 800).await?;
    b.sign_in_as("admin@zylker.com").await?;
    b.click(".console-link").await?;
    b.click(".component[data-name='Greet'] .handler-link[data-handler='message_handler']")
        .await?;
    b.wait_until(
        "document.querySelector('.CodeMirror') && document.querySelector('.CodeMirror').CodeMirror.getValue().includes('hi')",
        "the script is loaded into the editor",
    )
    .await?;
    // A script that does not parse is refused at its line, and the line is marked.
    b.js(
        "document.querySelector('.CodeMirror').CodeMirror.setValue('x = 1;\\nreturn {\"text\": ;')",
        vec![],
    )
    .await?;
    b.click(".editor-bar button.primary").await?;
    let line = b
        .wait_for(".editor-bar .error[data-line]")
        .await?
        .attr("data-line")
        .await?;
    check(line.as_deref() == Some("2"), || {
        format!("error at line {line:?}")
    })?;
    check(b.count(".CodeMirror .error-line").await? == 1, || {
        "line not marked".into()
    })?;
    b.screenshot("console-editor").await?;
    b.js(
        "document.querySelector('.CodeMirror').CodeMirror.setValue('return {\"text\": \"hello\"};')",
        vec![],
    )
    .await?;
    b.click(".editor-bar button.primary").await?;
    b.wait_for(".editor-bar .saved").await?;
    let r = app
        .get(&format!("{handler}/message_handler"), &app.admin_token)
        .await;
    check(r.body.to_string().contains("hello"), || {
        format!("saved script: {}", r.body)
    })?;
    // The journal shows the run; replaying it adds one.
    b.click(".tabs button:nth-child(2)").await?;
    b.wait_for(".run").await?;
    let before = b.count(".run").await?;
    b.click(".run .replay").await?;
    b.wait_until(
        &format!("document.querySelectorAll('.run').length > {before}"),
        "the replayed run is listed",
    )
    .await?;
    // Filtering by status leaves no failed runs.
    b.click("#journal-status option[value='error']").await?;
    b.wait_until(
        "document.querySelectorAll('.run').length === 0",
        "no failed runs listed",
    )
    .await?;
    b.click("#journal-status option[value='']").await?;
    b.wait_for(".run").await?;
    // A run's details: its inputs and reply.
    b.click(".run .details").await?;
    b.wait_for(".run-detail .run-section[data-section='inputs']")
        .await?;
    let reply = b
        .text(".run-detail .run-section[data-section='reply'] pre")
        .await?;
    check(reply.contains("hello"), || {
        format!("reply section {reply:?}")
    })?;
    b.screenshot("console-journal").await?;
    b.finish().await
}
