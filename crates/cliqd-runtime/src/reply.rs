//! A handler's return value, checked against what that handler may return
//! (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>), and turned into what is
//! delivered: messages posted as the bot, a banner for the invoking user, or a reply the
//! synchronous caller shows (a form, a widget, …).

use cliqd_core::{HandlerSpec, ResponseKind};
use cliqd_message::{FieldError, Handler, HandlerResponse, Message};
use serde_json::{Value, json};

/// A checked reply.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Nothing to show (`null`, `""`, `{}`, or any reply of a handler whose reply is ignored).
    Nothing,
    /// A message to post (its `context`, if any, starts a conversation).
    Message(Box<Message>),
    /// A banner for the invoking user only.
    Banner(Value),
    /// Any other reply (form, widget, message edit, …): answered to a synchronous caller.
    Other { kind: ResponseKind, value: Value },
}

impl Reply {
    /// The `type` a synchronous trigger answers (`message`, `banner`, `form`, …), if any.
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self {
            Reply::Nothing => return None,
            Reply::Message(_) => "message",
            Reply::Banner(_) => "banner",
            Reply::Other { kind, .. } => match kind {
                ResponseKind::Form => "form",
                ResponseKind::MessageEdit => "message_edit",
                ResponseKind::FormError => "form_error",
                ResponseKind::FormModification => "form_modification",
                ResponseKind::DynamicSelectOptions => "options",
                ResponseKind::Widget => "applet",
                ResponseKind::WidgetSection => "section",
                ResponseKind::CommandSuggestions => "suggestions",
                ResponseKind::InstallationStatus => "installation_status",
                ResponseKind::Message
                | ResponseKind::BotContext
                | ResponseKind::Banner
                | ResponseKind::Suggestions => "message",
            },
        })
    }

    /// The reply's canonical JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Reply::Nothing => Value::Null,
            Reply::Message(m) => m.to_json(),
            Reply::Banner(b) => b.clone(),
            Reply::Other { value, .. } => value.clone(),
        }
    }
}

/// The message-validator's handler for a catalog entry (`None`: a handler whose reply is
/// ignored, such as the bot call handler).
fn validator(spec: &HandlerSpec) -> Option<Handler> {
    Handler::ALL.into_iter().find(|h| h.kind() == spec.kind)
}

/// Checks `value` as a reply of `spec`: every error by JSON path.
pub fn check(spec: &HandlerSpec, value: &Value) -> Result<Reply, Vec<FieldError>> {
    if spec.ignores_reply() {
        return Ok(Reply::Nothing);
    }
    let Some(handler) = validator(spec) else {
        return Ok(Reply::Nothing);
    };
    // A script that returns a bare text means a message with that text.
    let mut value = match value {
        Value::String(s) if !s.is_empty() => json!({"text": s}),
        other => other.clone(),
    };
    // An incoming webhook handler may answer a third party's verification with
    // `challenge_key`, which the endpoint echoes; it is not part of the message.
    if spec.kind == cliqd_core::HandlerKind::BotIncomingWebhook
        && let Some(map) = value.as_object_mut()
        && map.remove("challenge_key").is_some()
        && map.is_empty()
    {
        return Ok(Reply::Nothing);
    }
    // A form submit handler may answer the next step of a multi-step form
    // (<https://www.zoho.com/cliq/help/platform/cliq-form.html>), which the catalog's reply
    // table (Cliq's responses page) does not list: it is checked as a form.
    let next_step = spec.kind == cliqd_core::HandlerKind::FunctionFormSubmit
        && value.get("type").and_then(Value::as_str) == Some("form");
    let handler = if next_step {
        Handler::FunctionButton
    } else {
        handler
    };
    let response = cliqd_message::validate_handler_response(&value, handler)?;
    if let Some(kind) = response.kind()
        && !spec.allows(kind)
        && !next_step
    {
        return Err(vec![FieldError {
            path: String::new(),
            code: cliqd_message::codes::RESPONSE_NOT_ALLOWED,
            message: format!("the {} may not return {}", spec.label, kind.name()),
        }]);
    }
    Ok(match response {
        HandlerResponse::Empty => Reply::Nothing,
        HandlerResponse::Message(m) => Reply::Message(Box::new(m)),
        HandlerResponse::Banner(b) => {
            Reply::Banner(serde_json::to_value(&b).unwrap_or(Value::Null))
        }
        other => match other.kind() {
            Some(kind) => Reply::Other {
                kind,
                value: other.to_json(),
            },
            None => Reply::Nothing,
        },
    })
}

/// The errors of a reply as the journal keeps them.
pub fn errors_json(errors: &[FieldError]) -> Value {
    Value::Array(
        errors
            .iter()
            .map(|e| json!({"path": e.path, "code": e.code, "message": e.message}))
            .collect(),
    )
}

/// The failure banner the invoking user sees when a run fails.
pub fn failure_banner(component_name: &str, why: &str) -> Value {
    let mut text = format!("{component_name}: {why}");
    if text.chars().count() > 500 {
        text = text.chars().take(497).collect::<String>() + "...";
    }
    json!({"type": "banner", "status": "failure", "text": text})
}

#[cfg(test)]
mod tests {
    use super::*;
    use cliqd_core::{HandlerKind, catalog};

    #[test]
    fn messages_banners_and_errors() {
        let spec = catalog::spec(HandlerKind::BotMessage);
        assert!(matches!(
            check(spec, &json!({"text": "hi"})),
            Ok(Reply::Message(_))
        ));
        assert!(matches!(check(spec, &json!("hi")), Ok(Reply::Message(_))));
        assert!(matches!(check(spec, &Value::Null), Ok(Reply::Nothing)));
        assert!(matches!(
            check(spec, &json!({"type": "banner", "text": "ok"})),
            Ok(Reply::Banner(_))
        ));
        let errs = check(spec, &json!({"text": 5})).unwrap_err();
        assert!(!errs.is_empty());
        // The call handler's reply is ignored.
        let call = catalog::spec(HandlerKind::BotCall);
        assert!(matches!(check(call, &json!({"x": 1})), Ok(Reply::Nothing)));
    }
}
