//! Handler replies: which responses each handler may give, and the non-message formats.

use cliqd_message::{
    Handler, HandlerResponse, ResponseKind, allows, codes, validate_handler_response,
};
use serde_json::{Value, json};

use crate::{has, only};

fn ok(v: Value, h: Handler) -> HandlerResponse {
    match validate_handler_response(&v, h) {
        Ok(r) => {
            // The canonical form validates back to the same reply.
            if r != HandlerResponse::Empty {
                assert_eq!(
                    validate_handler_response(&r.to_json(), h).as_ref(),
                    Ok(&r),
                    "round trip of {v}"
                );
            }
            r
        }
        Err(e) => panic!("expected {v} to be valid for {h:?}, got {e:#?}"),
    }
}

fn bad(v: Value, h: Handler) -> Vec<cliqd_message::FieldError> {
    match validate_handler_response(&v, h) {
        Ok(r) => panic!("expected {v} to be invalid for {h:?}, got {r:#?}"),
        Err(e) => e,
    }
}

fn form() -> Value {
    json!({"type": "form", "title": "Asset Request", "hint": "Raise your asset request", "name": "ID",
    "version": 1, "button_label": "Raise Request", "trigger_on_cancel": false, "mode": "classic",
    "action": {"type": "invoke.function", "name": "formFunctionLatest"},
    "actions": {"submit": {"type": "invoke.function", "name": "submitFn", "mode": "confirm"},
                "cancel": {"type": "invoke.function", "name": "cancelFn"}},
    "inputs": [
        {"type": "text", "name": "username", "label": "Name", "hint": "h", "placeholder": "John Reese",
         "mandatory": true, "value": "Harold Finch", "format": "email"},
        {"type": "select", "name": "asset-type", "label": "Asset Type", "trigger_on_change": true,
         "options": [{"label": "Laptop", "value": "laptop"}]},
        {"type": "radio", "name": "r", "label": "R", "options": [{"label": "a", "value": "a"}, {"label": "b", "value": "b"}]},
        {"type": "checkbox", "name": "c", "label": "C", "options": [{"label": "a", "value": "a"}], "max_selections": 1},
        {"type": "select", "name": "ch", "label": "Channel", "data_source": "channels"},
        {"type": "toggle", "name": "t", "label": "T", "value": true},
        {"type": "hidden", "name": "h", "value": "x"}
    ]})
}

fn widget() -> Value {
    json!({"type": "applet", "tabs": [{"id": "catalystTab", "label": "Zoho Catalyst"}, {"id": "b", "label": "B"}],
        "active_tab": "catalystTab", "data_type": "sections",
        "sections": [{"id": "1", "elements": [
            {"type": "title", "text": "Datastore", "buttons": [{"label": "Link", "type": "open.url", "url": "https://catalyst.example"}]},
            {"type": "text", "text": "…"}, {"type": "divider"},
            {"type": "buttons", "buttons": [{"label": "Run", "type": "invoke.function", "name": "run", "emotion": "positive"},
                                            {"label": "Join", "type": "system.api", "api": "joinchannel/O1"}]}]}],
        "header": {"title": "Home", "navigation": "new", "buttons": []},
        "footer": {"text": "f"},
        "info": {"title": "Sorry! No tables found.", "description": "d", "image_url": "https://i.example/x.png"}})
}

#[test]
fn empty_replies_and_schedulers() {
    for v in [json!(null), json!(""), json!({})] {
        assert_eq!(ok(v, Handler::Command), HandlerResponse::Empty);
    }
    assert_eq!(
        ok(json!({"text": 5}), Handler::Scheduler),
        HandlerResponse::Empty
    );
    only(&bad(json!(5), Handler::Command), "", codes::INVALID_MESSAGE);
}

#[test]
fn message_replies() {
    let r = ok(
        json!({"text": "hi", "buttons": [{"label": "A", "action": {"type": "invoke.function", "data": {"name": "f"}}}]}),
        Handler::Command,
    );
    assert_eq!(r.kind(), Some(ResponseKind::Message));
    ok(
        json!({"type": "message", "text": "hi"}),
        Handler::BotMention,
    );
    only(
        &bad(json!({"text": "hi"}), Handler::WidgetView),
        "",
        codes::RESPONSE_NOT_ALLOWED,
    );
    only(
        &bad(
            json!({"text": "hi", "slides": [{"type": "x", "data": 1}]}),
            Handler::Command,
        ),
        "slides[0].type",
        codes::INVALID_SLIDE_TYPE,
    );
    only(
        &bad(json!({"type": "popup", "text": "hi"}), Handler::Command),
        "type",
        codes::INVALID_FIELD_VALUE,
    );
}

#[test]
fn banner() {
    let r = ok(
        json!({"type": "banner", "text": "Execution successful!", "status": "success"}),
        Handler::Command,
    );
    assert_eq!(
        r.to_json(),
        json!({"type": "banner", "text": "Execution successful!", "status": "success"})
    );
    ok(
        json!({"type": "banner", "text": "No", "status": "failure"}),
        Handler::FunctionButton,
    );
    ok(
        json!({"type": "banner", "text": "No status"}),
        Handler::BotWelcome,
    );
    only(
        &bad(json!({"type": "banner"}), Handler::Command),
        "text",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"type": "banner", "text": "x", "status": "meh"}),
            Handler::Command,
        ),
        "status",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(
            json!({"type": "banner", "text": "x"}),
            Handler::BotIncomingWebhook,
        ),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
}

#[test]
fn message_edit() {
    let r = ok(
        json!({"type": "message_edit", "text": "Approved", "card": {"theme": "modern-inline", "title": "T"}}),
        Handler::FunctionButton,
    );
    assert_eq!(r.to_json()["type"], "message_edit");
    assert_eq!(r.to_json()["text"], "Approved");
    only(
        &bad(
            json!({"type": "message_edit", "text": "x"}),
            Handler::Command,
        ),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
    only(
        &bad(json!({"type": "message_edit"}), Handler::FunctionButton),
        "text",
        codes::TEXT_REQUIRED,
    );
}

#[test]
fn form_reply() {
    let r = ok(form(), Handler::BotMessage);
    assert_eq!(r.kind(), Some(ResponseKind::Form));
    ok(form(), Handler::MessageAction);
    only(
        &bad(form(), Handler::BotWelcome),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );

    let mut f = form();
    f.as_object_mut().map(|m| m.remove("name"));
    f["title"] = json!("");
    let errs = bad(f, Handler::Command);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    has(&errs, "name", codes::FIELD_REQUIRED);
    has(&errs, "title", codes::FIELD_REQUIRED);

    let with = |key: &str, v: Value| {
        let mut f = form();
        f[key] = v;
        f
    };
    only(
        &bad(with("name", json!("n".repeat(51))), Handler::Command),
        "name",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(with("inputs", json!([])), Handler::Command),
        "inputs",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(with("mode", json!("modal")), Handler::Command),
        "mode",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(with("version", json!(2)), Handler::Command),
        "version",
        codes::INVALID_FIELD_VALUE,
    );
    let mut f = form();
    if let Some(m) = f.as_object_mut() {
        m.remove("action");
        m.remove("actions");
    }
    only(&bad(f, Handler::Command), "action", codes::FIELD_REQUIRED);
    let mut f = form();
    f["actions"]["submit"]["mode"] = json!("later");
    only(
        &bad(f, Handler::Command),
        "actions.submit.mode",
        codes::INVALID_FIELD_VALUE,
    );
}

#[test]
fn form_inputs() {
    let input = |i: Value| {
        let mut f = form();
        f["inputs"] = json!([i]);
        f
    };
    only(
        &bad(
            input(json!({"type": "text", "name": "a", "label": "A"})),
            Handler::Command,
        ),
        "inputs[0].placeholder",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            input(json!({"type": "colour", "name": "a", "label": "A"})),
            Handler::Command,
        ),
        "inputs[0].type",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(
            input(json!({"type": "date", "name": "a"})),
            Handler::Command,
        ),
        "inputs[0].label",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            input(json!({"type": "date", "name": "a", "label": "l".repeat(51)})),
            Handler::Command,
        ),
        "inputs[0].label",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(
            input(
                json!({"type": "text", "name": "a", "label": "A", "placeholder": "p", "format": "phone"}),
            ),
            Handler::Command,
        ),
        "inputs[0].format",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(
            input(
                json!({"type": "radio", "name": "a", "label": "A", "options": [{"label": "x", "value": "x"}]}),
            ),
            Handler::Command,
        ),
        "inputs[0].options",
        codes::TOO_FEW_ITEMS,
    );
    let six: Vec<Value> = (0..6)
        .map(|i| json!({"label": i.to_string(), "value": i.to_string()}))
        .collect();
    only(
        &bad(
            input(json!({"type": "checkbox", "name": "a", "label": "A", "options": six})),
            Handler::Command,
        ),
        "inputs[0].options",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad(
            input(
                json!({"type": "checkbox", "name": "a", "label": "A", "options": [{"label": "x", "value": "x"}], "max_selections": 6}),
            ),
            Handler::Command,
        ),
        "inputs[0].max_selections",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(
            input(
                json!({"type": "select", "name": "a", "label": "A", "options": [{"label": "x", "value": "v".repeat(51)}]}),
            ),
            Handler::Command,
        ),
        "inputs[0].options[0].value",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(
            input(json!({"type": "select", "name": "a", "label": "A"})),
            Handler::Command,
        ),
        "inputs[0].options",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            input(json!({"type": "toggle", "name": "a", "label": "A", "value": "on"})),
            Handler::Command,
        ),
        "inputs[0].value",
        codes::INVALID_FIELD_TYPE,
    );
    let mut f = form();
    f["inputs"] = json!([{"type": "date", "name": "a", "label": "A"}, {"type": "date", "name": "a", "label": "B"}]);
    only(
        &bad(f, Handler::Command),
        "inputs[1].name",
        codes::INVALID_FIELD_VALUE,
    );
    let mut f = form();
    f["inputs"] = json!([{"type": "catalogue", "name": "a", "label": "A"}, {"type": "dynamic_catalogue", "name": "b", "label": "B"}]);
    only(
        &bad(f, Handler::Command),
        "inputs[1].type",
        codes::ITEM_LIMIT_EXCEEDED,
    );
}

#[test]
fn form_error() {
    ok(
        json!({"type": "form_error", "text": "Fix these", "inputs": {"username": "Too short"}}),
        Handler::FunctionFormSubmit,
    );
    only(
        &bad(
            json!({"type": "form_error", "text": "x"}),
            Handler::FunctionFormSubmit,
        ),
        "inputs",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"type": "form_error", "inputs": {"a": 1}}),
            Handler::FunctionFormSubmit,
        ),
        "inputs.a",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(
            json!({"type": "form_error", "inputs": {}}),
            Handler::Command,
        ),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
}

#[test]
fn form_modification() {
    let v = json!({"type": "form_modification", "actions": [
        {"type": "add_after", "name": "asset-type", "input": {"type": "select", "name": "os-type", "label": "Laptop Type",
            "trigger_on_change": true, "mandatory": true, "options": [{"label": "Mac OS X", "value": "mac"}]}},
        {"type": "remove", "name": "mobile-os"}]});
    ok(v.clone(), Handler::FunctionFormChange);
    only(
        &bad(v, Handler::FunctionFormSubmit),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
    only(
        &bad(
            json!({"type": "form_modification", "actions": [{"type": "update", "name": "a"}]}),
            Handler::FunctionFormChange,
        ),
        "actions[0].input",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"type": "form_modification", "actions": [{"type": "explode", "name": "a"}]}),
            Handler::FunctionFormChange,
        ),
        "actions[0].type",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(
            json!({"type": "form_modification"}),
            Handler::FunctionFormChange,
        ),
        "actions",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn dynamic_select_options() {
    let r = ok(
        json!({"options": [{"label": "Google Pixel 3", "value": "google_pixel_3"}]}),
        Handler::FunctionFormDynamicSelect,
    );
    assert_eq!(r.kind(), Some(ResponseKind::DynamicSelectOptions));
    only(
        &bad(json!({"opts": []}), Handler::FunctionFormDynamicSelect),
        "options",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"options": [{"label": "x"}]}),
            Handler::FunctionFormDynamicSelect,
        ),
        "options[0].value",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn widgets() {
    let r = ok(widget(), Handler::WidgetView);
    assert_eq!(r.to_json(), widget());
    ok(widget(), Handler::WidgetButton);
    only(
        &bad(widget(), Handler::Command),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
    let with = |key: &str, v: Value| {
        let mut w = widget();
        w[key] = v;
        w
    };
    let mut six: Vec<Value> = (0..5)
        .map(|i| json!({"id": i.to_string(), "label": "t"}))
        .collect();
    six.push(json!({"id": "catalystTab", "label": "Zoho Catalyst"}));
    only(
        &bad(with("tabs", json!(six)), Handler::WidgetView),
        "tabs",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad(with("active_tab", json!("nope")), Handler::WidgetView),
        "active_tab",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(with("data_type", json!("web_view")), Handler::WidgetView),
        "web_view",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(with("data_type", json!("video")), Handler::WidgetView),
        "data_type",
        codes::INVALID_FIELD_VALUE,
    );
    ok(
        with("web_view", json!({"url": "https://w.example"})),
        Handler::WidgetView,
    );
    let mut w = widget();
    w["sections"][0]["elements"][0]["type"] = json!("marquee");
    only(
        &bad(w, Handler::WidgetView),
        "sections[0].elements[0].type",
        codes::INVALID_FIELD_VALUE,
    );
    let mut w = widget();
    w["sections"][0]["elements"][0]["buttons"][0] = json!({"label": "Link", "type": "open.url"});
    only(
        &bad(w, Handler::WidgetView),
        "sections[0].elements[0].buttons[0].url",
        codes::FIELD_REQUIRED,
    );
    let many: Vec<Value> = (0..21).map(|_| json!({"type": "divider"})).collect();
    let mut w = widget();
    w["sections"][0]["elements"] = json!(many);
    only(
        &bad(w, Handler::WidgetView),
        "sections[0].elements",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    let mut w = widget();
    w["form"] = json!({"title": "F", "name": "f", "action": {"type": "invoke.function", "name": "x"}, "inputs": []});
    only(
        &bad(w, Handler::WidgetView),
        "form.inputs",
        codes::TOO_FEW_ITEMS,
    );
}

#[test]
fn widget_section_patch() {
    let v =
        json!({"id": "102", "type": "section", "elements": [{"type": "text", "text": "Updated"}]});
    ok(v.clone(), Handler::WidgetButton);
    only(
        &bad(v, Handler::WidgetView),
        "type",
        codes::RESPONSE_NOT_ALLOWED,
    );
    only(
        &bad(
            json!({"type": "section", "elements": []}),
            Handler::WidgetButton,
        ),
        "id",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn command_suggestions() {
    let v = json!([{"title": "API doc", "description": "Catalyst API documentation", "imageurl": "https://i.example/a.png"}]);
    let r = ok(v.clone(), Handler::CommandSuggestion);
    assert_eq!(r.to_json(), v);
    only(
        &bad(json!([{"description": "d"}]), Handler::CommandSuggestion),
        "[0].title",
        codes::FIELD_REQUIRED,
    );
    only(&bad(v, Handler::Command), "", codes::RESPONSE_NOT_ALLOWED);
}

#[test]
fn installation_status() {
    ok(json!({"status": 200}), Handler::ExtensionInstallation);
    ok(
        json!({"status": 400, "title": "Update not allowed !", "message": "m", "note": ["a"], "footer": "f"}),
        Handler::ExtensionInstallationValidator,
    );
    only(
        &bad(
            json!({"status": "ok"}),
            Handler::ExtensionInstallationValidator,
        ),
        "status",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(
            json!({"title": "t"}),
            Handler::ExtensionInstallationValidator,
        ),
        "status",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"status": 200, "note": [1]}),
            Handler::ExtensionInstallation,
        ),
        "note[0]",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn response_table() {
    use Handler as H;
    use ResponseKind as K;
    assert!(allows(H::BotMessage, K::Suggestions));
    assert!(!allows(H::BotWelcome, K::BotContext));
    assert!(allows(H::FunctionButton, K::MessageEdit));
    assert!(!allows(H::Command, K::MessageEdit));
    assert!(!allows(H::BotIncomingWebhook, K::Banner));
    for h in Handler::ALL {
        assert!(!allows(h, K::Message) || !allows(h, K::Widget) || h == H::FunctionFormSubmit);
        assert!(!h.name().is_empty());
    }
    for h in Handler::ALL {
        assert!(
            allows(h, K::Message)
                != matches!(
                    h,
                    H::CommandSuggestion
                        | H::Scheduler
                        | H::FunctionFormChange
                        | H::FunctionFormDynamicSelect
                        | H::WidgetView
                        | H::WidgetButton
                        | H::ExtensionInstallation
                        | H::ExtensionInstallationValidator
                ),
            "{h:?}"
        );
    }
}

#[test]
fn webhook_output_unwraps_the_sdk_envelope() {
    use cliqd_message::webhook_output;
    let reply = json!({"text": "Hi"});
    assert_eq!(webhook_output(&json!({"output": reply})), &reply);
    assert_eq!(webhook_output(&reply), &reply);
    assert_eq!(webhook_output(&json!({"output": ""})), &json!(""));
    let both = json!({"output": "x", "text": "y"});
    assert_eq!(webhook_output(&both), &both);
}
