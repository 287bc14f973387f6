//! The top-level message object: text, card, buttons, slides, sender override, styles,
//! references, targeting, reply and thread fields, and the handler-only keys.

use serde_json::{Map, Value};

use crate::button;
use crate::card;
use crate::context::{self, Handler, MessageContext, ResponseKind};
use crate::error::{Errors, Path, codes};
use crate::model::{BotSender, Message, MessageStyles};
use crate::read::Fields;
use crate::read::{
    IMAGE_URL, UNLIMITED, check_len, extras, lookup, object, one_of, opt_bool, opt_string,
    wrong_type,
};
use crate::slide;

/// The text limit. Chat and bot posts document 5,000, the message-format and buttons pages
/// 10,000 for the same endpoints; the larger is accepted (Zoho's pages disagree).
pub const TEXT_MAX: usize = 10_000;
/// `user_ids` on bot messages.
pub const MAX_USER_IDS: usize = 100;
const REPLY_TO_MAX: usize = 100;
const MESSAGE_TOPIC_MAX: usize = 255;
const THREAD_CHAT_ID_MAX: usize = 100;
const THREAD_TITLE_MAX: usize = 100;

const BACKGROUNDS: [&str; 5] = ["red", "yellow", "green", "blue", "grey"];

/// Keys interpreted in every context.
const COMMON_KEYS: [&str; 18] = [
    "text",
    "card",
    "buttons",
    "slides",
    "bot",
    "styles",
    "references",
    "confirm",
    "reply_to",
    "notify_edit",
    "message_topic",
    "mark_as_read",
    "sync_message",
    "thread_chat_id",
    "thread_message_id",
    "post_in_parent",
    "thread_title",
    // Handler returns of kind "message" may say so; it is not kept.
    "type",
];
const BOT_KEYS: [&str; 3] = ["user_ids", "userids", "broadcast"];
const HANDLER_KEYS: [&str; 3] = ["context", "suggestions", "view"];

pub(crate) fn message(
    v: &Value,
    path: &Path<'_>,
    ctx: MessageContext,
    errs: &mut Errors,
) -> Option<Message> {
    let Value::Object(map) = v else {
        errs.push(
            path,
            codes::INVALID_MESSAGE,
            format!(
                "a message must be a JSON object, not {}",
                crate::read::type_name(v)
            ),
        );
        return None;
    };
    let before = errs.len();
    let mut m = Message::default();

    if let Some(t) = map.present("text") {
        let tp = path.key("text");
        match t {
            Value::String(s) => {
                if check_len(s, &tp, TEXT_MAX, codes::TEXT_LENGTH_EXCEEDED, errs) {
                    m.text = Some(s.clone());
                }
            }
            other => wrong_type(errs, &tp, "a string", other),
        }
    }
    let handler = match ctx {
        MessageContext::HandlerReturn(h) => Some(h),
        _ => None,
    };
    // A field of the wrong type gets its own error; "nothing to show" is only for real absence.
    let present = |k: &str| map.field(k).is_some_and(|v| !v.is_null());
    let has_content = map
        .field("text")
        .is_some_and(|t| !t.is_null() && t.as_str().is_none_or(|t| !t.trim().is_empty()))
        // An empty card (`{"card": {}}`) shows nothing: it is not content.
        || map
            .field("card")
            .is_some_and(|c| !c.is_null() && c.as_object().is_none_or(|o| !o.is_empty()))
        || map
            .field("slides")
            .is_some_and(|s| !s.is_null() && s.as_array().is_none_or(|a| !a.is_empty()))
        || (handler.is_some() && present("context"));
    if !has_content {
        errs.push(
            &path.key("text"),
            codes::TEXT_REQUIRED,
            "a message needs text, a card or slides",
        );
    }

    if let Some(c) = map.present("card") {
        m.card = card::card(c, &path.key("card"), errs);
    }
    if let Some(b) = map.present("buttons") {
        m.buttons = button::buttons(b, &path.key("buttons"), errs);
    }
    if let Some(s) = map.present("slides") {
        m.slides = slide::slides(s, &path.key("slides"), errs);
    }
    if let Some(b) = map.present("bot") {
        m.bot = bot_sender(b, &path.key("bot"), errs);
    }
    if let Some(s) = map.present("styles") {
        m.styles = styles(s, &path.key("styles"), errs);
    }
    if let Some(r) = map.present("references") {
        m.references = button::references(r, &path.key("references"), errs);
    }
    if let Some(c) = map.present("confirm")
        && let Some(confirm) = button::confirm(c, &path.key("confirm"), errs)
    {
        // The buttons schema puts `confirm` at the top level; it guards the message's own
        // buttons, so it moves into each button that has no confirm of its own.
        if m.buttons.is_empty() {
            m.confirm = Some(confirm);
        } else {
            for b in &mut m.buttons {
                if b.action.confirm.is_none() {
                    b.action.confirm = Some(confirm.clone());
                }
            }
        }
    }

    m.reply_to =
        opt_string(map, "reply_to", path, REPLY_TO_MAX, errs).map(|s| normalize_message_id(&s));
    m.notify_edit = opt_bool(map, "notify_edit", path, errs);
    m.message_topic = opt_string(map, "message_topic", path, MESSAGE_TOPIC_MAX, errs);
    m.mark_as_read = opt_bool(map, "mark_as_read", path, errs);
    m.sync_message = opt_bool(map, "sync_message", path, errs);
    m.thread_chat_id = opt_string(map, "thread_chat_id", path, THREAD_CHAT_ID_MAX, errs);
    m.thread_message_id = opt_string(map, "thread_message_id", path, UNLIMITED, errs)
        .map(|s| normalize_message_id(&s));
    m.post_in_parent = opt_bool(map, "post_in_parent", path, errs);
    m.thread_title = opt_string(map, "thread_title", path, THREAD_TITLE_MAX, errs);
    if handler.is_some()
        && let Some(t) = map.present("type")
    {
        // A handler may label its message reply; other reply types are not messages.
        match t {
            Value::String(t) if t == "message" => {}
            Value::String(t) => errs.push(
                &path.key("type"),
                codes::INVALID_FIELD_VALUE,
                format!(
                    "a message reply has type \"message\" or none (got {:?})",
                    crate::read::truncate(t, 40)
                ),
            ),
            other => wrong_type(errs, &path.key("type"), "a string", other),
        }
    }

    let mut known: Vec<&str> = COMMON_KEYS.to_vec();
    if ctx == MessageContext::BotMessage {
        known.extend(BOT_KEYS);
        m.user_ids = user_ids(map, path, errs);
        m.broadcast = opt_bool(map, "broadcast", path, errs);
    }
    if let Some(h) = handler {
        known.extend(HANDLER_KEYS);
        handler_keys(&mut m, map, path, h, errs);
    }
    if handler.is_none() {
        // Outside handler replies `type` means nothing to Cliq; keep it as sent.
        known.retain(|k| *k != "type");
    }
    m.extra = extras(map, &known);

    (errs.len() == before).then_some(m)
}

fn handler_keys(
    m: &mut Message,
    map: &Map<String, Value>,
    path: &Path<'_>,
    h: Handler,
    errs: &mut Errors,
) {
    if let Some(c) = map.present("context") {
        let cp = path.key("context");
        if context::allows(h, ResponseKind::BotContext) {
            m.context = context::bot_context(c, &cp, errs);
        } else {
            errs.push(
                &cp,
                codes::RESPONSE_NOT_ALLOWED,
                format!("the {} handler cannot start a bot context", h.name()),
            );
        }
    }
    if let Some(s) = map.present("suggestions") {
        let sp = path.key("suggestions");
        if context::allows(h, ResponseKind::Suggestions) {
            m.suggestions = context::suggestions(s, &sp, errs);
        } else {
            errs.push(
                &sp,
                codes::RESPONSE_NOT_ALLOWED,
                format!("the {} handler cannot return suggestions", h.name()),
            );
        }
    }
    m.view = opt_string(map, "view", path, UNLIMITED, errs);
}

/// Message ids appear as `1599387839188_229293271789`, and in some documents with a space or
/// `%20` in place of the underscore; all three name the same message.
pub use cliqd_core::ids::normalize_message_id;

fn user_ids(map: &Map<String, Value>, path: &Path<'_>, errs: &mut Errors) -> Option<Vec<String>> {
    if map.field("user_ids").is_some_and(|v| !v.is_null())
        && map.field("userids").is_some_and(|v| !v.is_null())
    {
        errs.push(
            &path.key("userids"),
            codes::CONFLICTING_FIELDS,
            "give user_ids or userids, not both",
        );
        return None;
    }
    let (key, v) = lookup(map, &["user_ids", "userids"])?;
    let p = path.key(key);
    let ids: Vec<(Option<usize>, String)> = match v {
        Value::String(s) => s.split(',').map(|x| (None, x.trim().to_string())).collect(),
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, x) in items.iter().enumerate() {
                let ip = p.index(i);
                match x {
                    Value::String(s) => out.push((Some(i), s.trim().to_string())),
                    // ZUIDs built as numbers in Deluge.
                    Value::Number(n) => out.push((Some(i), n.to_string())),
                    other => wrong_type(errs, &ip, "a string", other),
                }
            }
            out
        }
        other => {
            wrong_type(errs, &p, "a comma-separated string or an array", other);
            return None;
        }
    };
    let before = errs.len();
    if ids.is_empty() {
        errs.push(
            &p,
            codes::INVALID_FIELD_VALUE,
            "must name at least one user",
        );
    }
    if ids.len() > MAX_USER_IDS {
        errs.push(
            &p,
            codes::ITEM_LIMIT_EXCEEDED,
            format!(
                "at most {MAX_USER_IDS} users are allowed (got {})",
                ids.len()
            ),
        );
    }
    // One error per field: past the limit the entries are not checked one by one.
    let entries = if ids.len() > MAX_USER_IDS {
        &ids[..0]
    } else {
        &ids[..]
    };
    for (i, id) in entries {
        let ok = !id.is_empty() && (id.bytes().all(|b| b.is_ascii_digit()) || looks_like_email(id));
        if !ok {
            let ip = match i {
                Some(i) => p.index(*i),
                None => p,
            };
            errs.push(
                &ip,
                codes::INVALID_FIELD_VALUE,
                format!(
                    "{:?} is neither a user id (ZUID) nor an email address",
                    crate::read::truncate(id, 40)
                ),
            );
            if i.is_none() {
                // One error per CSV string is enough.
                break;
            }
        }
    }
    (errs.len() == before).then(|| ids.into_iter().map(|(_, s)| s).collect())
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn bot_sender(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<BotSender> {
    let map = object(v, path, errs)?;
    let name = opt_string(map, "name", path, UNLIMITED, errs);
    let image = map
        .present("image")
        .and_then(|i| crate::read::url(i, &path.key("image"), UNLIMITED, IMAGE_URL, errs));
    Some(BotSender {
        name,
        image,
        extra: extras(map, &["name", "image"]),
    })
}

fn styles(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<MessageStyles> {
    let map = object(v, path, errs)?;
    let background = map.present("background").and_then(|b| {
        one_of(
            b,
            &path.key("background"),
            &BACKGROUNDS,
            codes::INVALID_FIELD_VALUE,
            errs,
        )
    });
    Some(MessageStyles {
        background,
        markdown: opt_bool(map, "markdown", path, errs),
        highlight: opt_bool(map, "highlight", path, errs),
        extra: extras(map, &["background", "markdown", "highlight"]),
    })
}

/// The body of an edit (`PUT /chats/{id}/messages/{id}`): `{"text", "notify_edit"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EditRequest {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_edit: Option<bool>,
}

pub(crate) fn edit_request(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<EditRequest> {
    let Value::Object(map) = v else {
        errs.push(
            path,
            codes::INVALID_MESSAGE,
            format!(
                "an edit must be a JSON object, not {}",
                crate::read::type_name(v)
            ),
        );
        return None;
    };
    let tp = path.key("text");
    let text = match map.present("text") {
        None => {
            errs.push(&tp, codes::TEXT_REQUIRED, "is required");
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            errs.push(&tp, codes::TEXT_REQUIRED, "must not be empty");
            None
        }
        Some(Value::String(s)) => {
            check_len(s, &tp, TEXT_MAX, codes::TEXT_LENGTH_EXCEEDED, errs).then(|| s.clone())
        }
        Some(other) => {
            wrong_type(errs, &tp, "a string", other);
            None
        }
    };
    let notify_edit = opt_bool(map, "notify_edit", path, errs);
    Some(EditRequest {
        text: text?,
        notify_edit,
    })
}
