//! One passing and one failing case for every rule, with the JSON path of each error.

use cliqd_message::{Handler, MessageContext, codes, validate_message};
use serde_json::{Value, json};

use crate::{bad, bad_in, button, has, ok, ok_in, only, s};

// ---- top level ----

#[test]
fn body_must_be_an_object() {
    for v in [json!([]), json!("hi"), json!(null), json!(3)] {
        only(&bad(v), "", codes::INVALID_MESSAGE);
    }
}

#[test]
fn text_type_and_length() {
    ok(json!({"text": "hello"}));
    only(&bad(json!({"text": 5})), "text", codes::INVALID_FIELD_TYPE);
    ok(json!({"text": s(10_000)}));
    // Characters, not bytes: 10,000 two-byte characters fit.
    ok(json!({"text": "é".repeat(10_000)}));
    only(
        &bad(json!({"text": s(10_001)})),
        "text",
        codes::TEXT_LENGTH_EXCEEDED,
    );
}

#[test]
fn a_message_needs_something_to_show() {
    only(&bad(json!({})), "text", codes::TEXT_REQUIRED);
    only(&bad(json!({"text": "  \n"})), "text", codes::TEXT_REQUIRED);
    only(
        &bad(json!({"buttons": [button("A")]})),
        "text",
        codes::TEXT_REQUIRED,
    );
    // Cliq's seed placeholder body has no message content.
    only(
        &bad(json!({"field1": "value1", "field2": "value2"})),
        "text",
        codes::TEXT_REQUIRED,
    );
    ok(json!({"card": {"theme": "modern-inline", "title": "T"}}));
    ok(json!({"slides": [{"type": "text", "data": "hi"}]}));
}

#[test]
fn null_fields_count_as_absent() {
    let m = ok(json!({"text": "hi", "card": null, "buttons": null, "reply_to": null}));
    assert!(m.card.is_none() && m.buttons.is_empty() && m.reply_to.is_none());
}

#[test]
fn unknown_keys_are_kept() {
    let m = ok(json!({"text": "hi", "hint": "tooltip", "mentions": [1]}));
    let j = m.to_json();
    assert_eq!(j["hint"], "tooltip");
    assert_eq!(j["mentions"], json!([1]));
}

#[test]
fn bot_sender_override() {
    let m =
        ok(json!({"text": "t", "bot": {"name": "PostPerson", "image": "https://x.example/a.png"}}));
    assert_eq!(m.bot.and_then(|b| b.name).as_deref(), Some("PostPerson"));
    only(
        &bad(json!({"text": "t", "bot": {"image": "ftp://x.example/a.png"}})),
        "bot.image",
        codes::INVALID_URL,
    );
    only(
        &bad(json!({"text": "t", "bot": "me"})),
        "bot",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn message_styles() {
    ok(json!({"text": "t", "styles": {"background": "yellow", "markdown": true}}));
    ok(json!({"text": "t", "styles": {"highlight": true}}));
    only(
        &bad(json!({"text": "t", "styles": {"background": "purple"}})),
        "styles.background",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(json!({"text": "t", "styles": {"markdown": "yes"}})),
        "styles.markdown",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn reply_and_thread_fields() {
    let m = ok(json!({
        "text": "t", "reply_to": "1709038327622%2029706114886", "notify_edit": true,
        "message_topic": s(255), "mark_as_read": false, "sync_message": "true",
        "thread_message_id": "1599044334698 117280617320", "thread_title": s(100),
        "post_in_parent": true, "thread_chat_id": s(100)
    }));
    assert_eq!(m.reply_to.as_deref(), Some("1709038327622_29706114886"));
    assert_eq!(
        m.thread_message_id.as_deref(),
        Some("1599044334698_117280617320")
    );
    assert_eq!(m.sync_message, Some(true));
    let errs = bad(json!({
        "text": "t", "reply_to": s(101), "message_topic": s(256), "thread_title": s(101),
        "thread_chat_id": s(101), "sync_message": 1, "post_in_parent": "maybe"
    }));
    assert_eq!(errs.len(), 6, "{errs:#?}");
    has(&errs, "reply_to", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "message_topic", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "thread_title", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "thread_chat_id", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "sync_message", codes::INVALID_FIELD_TYPE);
    has(&errs, "post_in_parent", codes::INVALID_FIELD_TYPE);
}

#[test]
fn bot_message_targeting() {
    let bot = MessageContext::BotMessage;
    let m = ok_in(
        json!({"text": "t", "user_ids": "55743307, a@zylker.com"}),
        bot,
    );
    assert_eq!(
        m.user_ids,
        Some(vec!["55743307".to_string(), "a@zylker.com".to_string()])
    );
    assert_eq!(m.to_json()["user_ids"], "55743307,a@zylker.com");
    let m = ok_in(
        json!({"text": "t", "userids": "1,2", "broadcast": true}),
        bot,
    );
    assert_eq!(m.user_ids.map(|v| v.len()), Some(2));
    assert_eq!(m.broadcast, Some(true));
    let m = ok_in(json!({"text": "t", "user_ids": ["1", 2]}), bot);
    assert_eq!(m.user_ids, Some(vec!["1".to_string(), "2".to_string()]));
    let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    ok_in(json!({"text": "t", "user_ids": many.join(",")}), bot);
    let too_many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    only(
        &bad_in(json!({"text": "t", "user_ids": too_many.join(",")}), bot),
        "user_ids",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad_in(json!({"text": "t", "user_ids": "1,,2"}), bot),
        "user_ids",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad_in(json!({"text": "t", "user_ids": ["1", "bob"]}), bot),
        "user_ids[1]",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad_in(json!({"text": "t", "user_ids": "1", "userids": "2"}), bot),
        "userids",
        codes::CONFLICTING_FIELDS,
    );
    only(
        &bad_in(json!({"text": "t", "broadcast": "all"}), bot),
        "broadcast",
        codes::INVALID_FIELD_TYPE,
    );
    // Outside bot messages the targeting keys mean nothing and are kept as sent.
    let m = ok(json!({"text": "t", "user_ids": "bob"}));
    assert!(m.user_ids.is_none());
    assert_eq!(m.extra["user_ids"], "bob");
}

#[test]
fn every_error_is_reported_with_its_path() {
    let errs = bad(json!({
        "text": 1,
        "card": {"theme": "poll", "title": "Q", "options": [{"text": "a"}]},
        "buttons": [button(&s(31))],
        "slides": [
            {"type": "text", "data": "ok"},
            {"type": "list", "data": ["a"]},
            {"type": "table", "data": {"rows": []}}
        ]
    }));
    assert_eq!(errs.len(), 4, "{errs:#?}");
    has(&errs, "text", codes::INVALID_FIELD_TYPE);
    has(&errs, "card.options", codes::TOO_FEW_ITEMS);
    has(&errs, "buttons[0].label", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "slides[2].data.headers", codes::FIELD_REQUIRED);
}

#[test]
fn error_list_is_capped() {
    let slides: Vec<Value> = (0..150)
        .map(|_| json!({"type": "nope", "data": "x"}))
        .collect();
    let errs = bad(json!({"text": "t", "slides": slides}));
    assert_eq!(errs.len(), cliqd_message::MAX_ERRORS + 1);
    assert_eq!(errs[cliqd_message::MAX_ERRORS].code, codes::TOO_MANY_ERRORS);
    has(&errs, "slides", codes::SLIDE_LIMIT_EXCEEDED);
}

#[test]
fn paths_quote_keys_that_are_not_identifiers() {
    let errs = bad(json!({"text": "t", "slides": [{"type": "table", "data": {
        "headers": ["Name"], "rows": [{"Name": "a", "Reporting To": "b"}]}}]}));
    only(
        &errs,
        "slides[0].data.rows[0][\"Reporting To\"]",
        codes::INVALID_TABLE_DATA,
    );
    let errs = bad(
        json!({"text": "[Yes]($1)", "references": {"1": {"type": "link", "object": button("Yes")}}}),
    );
    only(&errs, "references[\"1\"].type", codes::INVALID_FIELD_VALUE);
}

// ---- card ----

#[test]
fn poll_card() {
    let m =
        ok(json!({"card": {"theme": "poll", "title": "Lunch?", "options": [{"text": "A"}, "B"]}}));
    assert_eq!(
        m.to_json()["card"]["options"],
        json!([{"text": "A", "votes": 0}, {"text": "B", "votes": 0}])
    );
    // A poster cannot seed the vote count.
    let m = ok(
        json!({"card": {"theme": "poll", "title": "Q", "options": [{"text": "A", "votes": 99}, "B"]}}),
    );
    assert_eq!(
        m.to_json()["card"]["options"][0],
        json!({"text": "A", "votes": 0})
    );
    let ten: Vec<Value> = (0..10).map(|i| json!({"text": i.to_string()})).collect();
    ok(json!({"card": {"theme": "poll", "title": "Q", "options": ten}}));
    let eleven: Vec<Value> = (0..11).map(|i| json!({"text": i.to_string()})).collect();
    only(
        &bad(json!({"card": {"theme": "poll", "title": "Q", "options": eleven}})),
        "card.options",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad(json!({"card": {"theme": "poll", "title": "Q", "options": [{"text": "a"}]}})),
        "card.options",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(json!({"card": {"theme": "poll", "title": "Q"}})),
        "card.options",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"card": {"theme": "poll", "options": ["a", "b"]}})),
        "card.title",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"card": {"theme": "poll", "title": "Q", "options": [{"text": s(101)}, "b"]}})),
        "card.options[0].text",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    ok(json!({"card": {"theme": "poll", "title": "Q", "options": [{"text": s(100)}, "b"]}}));
}

#[test]
fn card_theme_and_title() {
    ok(json!({"card": {"theme": "basic", "title": s(200)}}));
    // Legacy cards without a theme, and modern-inline cards without a title (Cliq's own
    // buttons example), are accepted.
    ok(json!({"text": "t", "card": {"title": "Legacy", "thumbnail": "https://x.example/t.png"}}));
    ok(json!({"text": "t", "card": {"theme": "modern-inline", "thumbnail": "/cliq/icon.png"}}));
    only(
        &bad(json!({"card": {"theme": "fancy", "title": "T"}})),
        "card.theme",
        codes::INVALID_CARD_THEME,
    );
    only(
        &bad(json!({"card": {"theme": "basic", "title": s(201)}})),
        "card.title",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(&bad(json!({"card": []})), "card", codes::INVALID_FIELD_TYPE);
    only(
        &bad(
            json!({"text": "t", "card": {"theme": "modern-inline", "thumbnail": "javascript:alert(1)"}}),
        ),
        "card.thumbnail",
        codes::INVALID_URL,
    );
    only(
        &bad(json!({"text": "t", "card": {"icon": "not a url"}})),
        "card.icon",
        codes::INVALID_URL,
    );
}

#[test]
fn prompt_card_needs_buttons() {
    ok(json!({"card": {"theme": "prompt", "title": "Deploy?", "buttons": [button("Yes")]}}));
    only(
        &bad(json!({"card": {"theme": "prompt", "title": "Deploy?"}})),
        "card.buttons",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"card": {"theme": "prompt", "title": "Deploy?", "buttons": []}})),
        "card.buttons",
        codes::TOO_FEW_ITEMS,
    );
    let six: Vec<Value> = (0..6).map(|i| button(&i.to_string())).collect();
    only(
        &bad(json!({"card": {"theme": "prompt", "title": "Deploy?", "buttons": six}})),
        "card.buttons",
        codes::BUTTON_LIMIT_EXCEEDED,
    );
}

#[test]
fn modern_inline_sections() {
    ok(json!({"card": {"theme": "modern-inline", "title": "T",
        "sections": [{"title": "S", "fields": [{"title": "Account", "value": "Zylker"}, {"title": "N", "value": 3}]}]}}));
    only(
        &bad(json!({"card": {"theme": "modern-inline", "title": "T",
            "sections": [{"fields": [{"title": "Account"}]}]}})),
        "card.sections[0].fields[0].value",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"card": {"theme": "modern-inline", "title": "T", "sections": [{"title": "S"}]}}),
        ),
        "card.sections[0].fields",
        codes::FIELD_REQUIRED,
    );
}

// ---- contexts ----

#[test]
fn handler_only_keys() {
    let ctx = json!({"id": "details", "timeout": 300, "params": [
        {"name": "name", "question": "Name?"},
        {"name": "dept", "question": "Dept?", "suggestions": {"list": [{"text": "CSE"}]}}]});
    let reply = json!({"text": "hi", "context": ctx, "suggestions": {"list": [{"text": "Good", "icon": "https://i.example/g.png"}]}, "view": "navigation"});
    let m = ok_in(
        reply.clone(),
        MessageContext::HandlerReturn(Handler::BotMessage),
    );
    assert_eq!(m.context.as_ref().map(|c| c.params.len()), Some(2));
    assert!(m.suggestions.is_some());
    // A context alone is something to show.
    ok_in(
        json!({"context": ctx}),
        MessageContext::HandlerReturn(Handler::BotMenu),
    );
    let errs = bad_in(
        reply.clone(),
        MessageContext::HandlerReturn(Handler::BotWelcome),
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    has(&errs, "context", codes::RESPONSE_NOT_ALLOWED);
    has(&errs, "suggestions", codes::RESPONSE_NOT_ALLOWED);
    // In API posts those keys mean nothing and are kept as sent.
    let m = ok(reply);
    assert!(m.context.is_none() && m.extra.contains_key("context"));
}

#[test]
fn bot_context_and_suggestions_shapes() {
    let h = MessageContext::HandlerReturn(Handler::BotContext);
    only(
        &bad_in(json!({"text": "t", "context": {"id": "c"}}), h),
        "context.params",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad_in(
            json!({"text": "t", "context": {"id": "c", "params": []}}),
            h,
        ),
        "context.params",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad_in(
            json!({"text": "t", "context": {"id": "c", "timeout": 0, "params": [{"name": "a", "question": "q"}]}}),
            h,
        ),
        "context.timeout",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad_in(
            json!({"text": "t", "context": {"id": "c", "params": [{"name": "a", "question": "q"}, {"name": "a", "question": "r"}]}}),
            h,
        ),
        "context.params[1].name",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad_in(
            json!({"text": "t", "context": {"params": [{"name": "a", "question": "q"}]}}),
            h,
        ),
        "context.id",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad_in(json!({"text": "t", "suggestions": {}}), h),
        "suggestions.list",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad_in(
            json!({"text": "t", "suggestions": {"list": [{"icon": "https://i.example/x.png"}]}}),
            h,
        ),
        "suggestions.list[0].text",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn handler_message_type() {
    let h = MessageContext::HandlerReturn(Handler::Command);
    let m = ok_in(json!({"type": "message", "text": "t"}), h);
    assert!(m.to_json().get("type").is_none());
    only(
        &bad_in(json!({"type": "banner", "text": "t"}), h),
        "type",
        codes::INVALID_FIELD_VALUE,
    );
}

// ---- canonical form ----

#[test]
fn canonical_json() {
    let m = ok(json!({
        "text": "Hi", "extra_key": 1,
        "card": {"title": "T", "theme": "modern-inline"},
        "slides": [{"title": "L", "type": "image", "data": ["https://i.example/a.png"]}],
        "buttons": [{"label": "Go", "action": {"type": "preview.url", "data": {"web": "https://v.example"}}}]
    }));
    assert_eq!(
        m.to_json(),
        json!({
            "text": "Hi",
            "card": {"theme": "modern-inline", "title": "T"},
            "buttons": [{"label": "Go", "action": {"type": "preview.url", "data": {"url": "https://v.example"}}}],
            "slides": [{"type": "images", "title": "L", "data": ["https://i.example/a.png"]}],
            "extra_key": 1
        })
    );
    assert_eq!(validate_message(&m.to_json(), MessageContext::Post), Ok(m));
}

// ---- edits ----

#[test]
fn edit_request() {
    use cliqd_message::validate_edit_request;
    let e = validate_edit_request(&json!({"text": "Hey!", "notify_edit": true}));
    assert_eq!(
        e.map(|e| (e.text, e.notify_edit)),
        Ok(("Hey!".to_string(), Some(true)))
    );
    let errs = validate_edit_request(&json!({"notify_edit": "x"}))
        .err()
        .unwrap_or_default();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    has(&errs, "text", codes::TEXT_REQUIRED);
    has(&errs, "notify_edit", codes::INVALID_FIELD_TYPE);
    let errs = validate_edit_request(&json!({"text": s(10_001)}))
        .err()
        .unwrap_or_default();
    only(&errs, "text", codes::TEXT_LENGTH_EXCEEDED);
    let errs = validate_edit_request(&json!(["x"]))
        .err()
        .unwrap_or_default();
    only(&errs, "", codes::INVALID_MESSAGE);
}
