//! Buttons, actions, confirm dialogs and instant-button references.

use cliqd_message::codes;
use serde_json::{Value, json};

use crate::{bad, button, has, ok, only, s, with_action};

#[test]
fn at_most_five_buttons() {
    let five: Vec<Value> = (0..5).map(|i| button(&i.to_string())).collect();
    ok(json!({"text": "t", "buttons": five}));
    let six: Vec<Value> = (0..6).map(|i| button(&i.to_string())).collect();
    only(
        &bad(json!({"text": "t", "buttons": six})),
        "buttons",
        codes::BUTTON_LIMIT_EXCEEDED,
    );
    only(
        &bad(json!({"text": "t", "buttons": {}})),
        "buttons",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn button_fields() {
    ok(
        json!({"text": "t", "buttons": [{"label": s(30), "type": "-", "hint": s(100), "key": s(100),
        "action": {"type": "invoke.function", "data": {"name": "f", "owner": "a@b.com"}},
        "arguments": {"k": "v"}}]}),
    );
    let errs = bad(json!({"text": "t", "buttons": [
        {"label": s(31), "type": "x", "hint": s(101), "key": s(101),
         "action": {"type": "invoke.function", "data": {"name": "f"}}, "arguments": "k=v"},
        {"action": {"type": "invoke.function", "data": {"name": "f"}}},
        {"label": "L"}
    ]}));
    assert_eq!(errs.len(), 7, "{errs:#?}");
    has(&errs, "buttons[0].label", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "buttons[0].type", codes::INVALID_FIELD_VALUE);
    has(&errs, "buttons[0].hint", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "buttons[0].key", codes::FIELD_LENGTH_EXCEEDED);
    has(&errs, "buttons[0].arguments", codes::INVALID_FIELD_TYPE);
    has(&errs, "buttons[1].label", codes::FIELD_REQUIRED);
    has(&errs, "buttons[2].action", codes::FIELD_REQUIRED);
}

#[test]
fn action_type_and_data() {
    only(
        &bad(with_action(json!({"type": "launch.rocket", "data": {}}))),
        "buttons[0].action.type",
        codes::INVALID_BUTTON_ACTION,
    );
    only(
        &bad(with_action(json!({"data": {"name": "f"}}))),
        "buttons[0].action.type",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(with_action(json!({"type": "invoke.function"}))),
        "buttons[0].action.data",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(with_action(json!({"type": "invoke.function", "data": {}}))),
        "buttons[0].action.data.name",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(with_action(json!({"type": "invoke.function", "data": "f"}))),
        "buttons[0].action.data",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn open_url_action() {
    for web in [
        "https://zylker.com",
        "http://zylker.com/a?b=c",
        "tel:+15551234",
        "sms:+1555",
        "sip:a@b.com",
    ] {
        ok(with_action(
            json!({"type": "open.url", "data": {"web": web}}),
        ));
    }
    ok(with_action(
        json!({"type": "open.url", "data": {"iOS": "https://apps.example/x"}}),
    ));
    only(
        &bad(with_action(
            json!({"type": "open.url", "data": {"web": "ftp://zylker.com"}}),
        )),
        "buttons[0].action.data.web",
        codes::INVALID_URL,
    );
    only(
        &bad(with_action(
            json!({"type": "open.url", "data": {"web": format!("https://z.com/{}", s(250))}}),
        )),
        "buttons[0].action.data.web",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(with_action(json!({"type": "open.url", "data": {}}))),
        "buttons[0].action.data.web",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn preview_url_action_accepts_url_and_web() {
    let a = ok(with_action(
        json!({"type": "preview.url", "data": {"url": "https://media.example/v"}}),
    ));
    let b = ok(with_action(
        json!({"type": "preview.url", "data": {"web": "https://media.example/v"}}),
    ));
    assert_eq!(a, b);
    assert_eq!(
        b.to_json()["buttons"][0]["action"],
        json!({"type": "preview.url", "data": {"url": "https://media.example/v"}})
    );
    only(
        &bad(with_action(json!({"type": "preview.url", "data": {}}))),
        "buttons[0].action.data.url",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(with_action(
            json!({"type": "preview.url", "data": {"url": format!("https://m.example/{}", s(490))}}),
        )),
        "buttons[0].action.data.url",
        codes::FIELD_LENGTH_EXCEEDED,
    );
}

#[test]
fn system_api_action() {
    for api in [
        "audiocall/1",
        "videocall/9876543210",
        "startchat/55743307",
        "invite/1",
        "locationpermission",
        "joinchannel/O123",
        "set_reminder",
    ] {
        ok(with_action(
            json!({"type": "system.api", "data": {"api": api}}),
        ));
    }
    for api in ["dance/1", "audiocall/", "videocall", "locationpermission/1"] {
        only(
            &bad(with_action(
                json!({"type": "system.api", "data": {"api": api}}),
            )),
            "buttons[0].action.data.api",
            codes::INVALID_FIELD_VALUE,
        );
    }
}

#[test]
fn copy_and_invoke_bot_actions() {
    ok(with_action(
        json!({"type": "copy", "data": {"text": s(200)}}),
    ));
    only(
        &bad(with_action(
            json!({"type": "copy", "data": {"text": s(201)}}),
        )),
        "buttons[0].action.data.text",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    ok(with_action(
        json!({"type": "invoke.bot", "data": {"bot_name": "helpbot", "message": "hi"}}),
    ));
    only(
        &bad(with_action(
            json!({"type": "invoke.bot", "data": {"bot_name": "helpbot"}}),
        )),
        "buttons[0].action.data.message",
        codes::FIELD_REQUIRED,
    );
}

fn confirm() -> Value {
    json!({"title": "Sure?", "description": "d", "input": "Why", "emotion": "negative",
           "button_label": "Yes", "cancel_button_label": "No", "mandatory": true})
}

#[test]
fn confirm_dialog() {
    let m = ok(with_action(
        json!({"type": "invoke.function", "data": {"name": "f"}, "confirm": confirm()}),
    ));
    // Booleans are accepted for `mandatory` and go back out as the documented string.
    assert_eq!(
        m.to_json()["buttons"][0]["action"]["confirm"]["mandatory"],
        "true"
    );
    let mut c = confirm();
    c["title"] = json!(s(101));
    c["emotion"] = json!("happy");
    c["input"] = json!(s(301));
    c.as_object_mut().map(|o| o.remove("button_label"));
    let errs = bad(with_action(
        json!({"type": "invoke.function", "data": {"name": "f"}, "confirm": c}),
    ));
    assert_eq!(errs.len(), 4, "{errs:#?}");
    has(
        &errs,
        "buttons[0].action.confirm.title",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    has(
        &errs,
        "buttons[0].action.confirm.emotion",
        codes::INVALID_FIELD_VALUE,
    );
    has(
        &errs,
        "buttons[0].action.confirm.input",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    has(
        &errs,
        "buttons[0].action.confirm.button_label",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn top_level_confirm_moves_into_buttons() {
    let m = ok(
        json!({"text": "t", "confirm": confirm(), "buttons": [button("A"), {
        "label": "B", "action": {"type": "copy", "data": {"text": "x"},
        "confirm": {"title": "Own", "input": "i", "button_label": "ok"}}}]}),
    );
    assert!(m.confirm.is_none());
    assert_eq!(
        m.buttons[0]
            .action
            .confirm
            .as_ref()
            .map(|c| c.title.as_str()),
        Some("Sure?")
    );
    assert_eq!(
        m.buttons[1]
            .action
            .confirm
            .as_ref()
            .map(|c| c.title.as_str()),
        Some("Own")
    );
    let m = ok(json!({"text": "t", "confirm": confirm()}));
    assert!(m.confirm.is_some());
    only(
        &bad(
            json!({"text": "t", "confirm": {"title": "x", "button_label": "ok"}, "buttons": [button("A")]}),
        ),
        "confirm.input",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn instant_button_references() {
    let m = ok(json!({"text": "Who? [Yes]($1) [Call]($2)", "references": {
        "1": {"type": "button", "object": {"label": "Yes", "type": "+",
              "action": {"type": "invoke.function", "data": {"name": "teammatch"}},
              "arguments": {"key_1": "value_1"}}},
        "2": {"type": "button", "object": {"label": "Call",
              "action": {"type": "system.api", "data": {"api": "audiocall/1"}}}}}}));
    assert_eq!(m.references.len(), 2);
    only(
        &bad(
            json!({"text": "[Go]($1)", "references": {"1": {"type": "button", "object": {
            "label": "Go", "action": {"type": "open.url", "data": {"web": "https://a.example"}}}}}}),
        ),
        "references[\"1\"].object.action.type",
        codes::INVALID_BUTTON_ACTION,
    );
    only(
        &bad(json!({"text": "[Go]($1)", "references": {"1": {"type": "button"}}})),
        "references[\"1\"].object",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"text": "[Go]($1)", "references": ["x"]})),
        "references",
        codes::INVALID_FIELD_TYPE,
    );
}
