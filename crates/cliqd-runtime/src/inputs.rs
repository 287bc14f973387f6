//! A handler's inputs, built from real objects: the user, chat, access and environment maps
//! and the message ones (<https://www.zoho.com/cliq/help/platform/cliq-objects/user-object.html>,
//! <https://zoho.com/cliq/help/platform/cliq-objects/chat-object.html>,
//! <https://www.zoho.com/cliq/help/platform/bot-messagehandler.html>).
//!
//! cliqd keeps no time zone, country or language per user: every user reads as `UTC`, `us`,
//! `en`. Location is never known to a server: `location` is `{"status": "prompt"}` (not asked).

use cliqd_store::{ChannelRow, ChatRow, MessageRow, UserRow};
use serde_json::{Map, Value, json};

/// The `user` map of a user.
pub fn user_map(u: &UserRow) -> Value {
    let (first, last) = match u.name.trim().split_once(' ') {
        Some((f, l)) => (f.to_string(), l.trim().to_string()),
        None => (u.name.trim().to_string(), String::new()),
    };
    json!({
        "id": u.id.to_string(),
        "zoho_user_id": u.id.to_string(),
        "first_name": first,
        "last_name": last,
        "name": u.name,
        "email": u.email,
        "admin": u.is_admin,
        "organization_id": u.org_id.to_string(),
        "timezone": "UTC",
        "country": "us",
        "language": "en",
    })
}

/// The chat `type` a handler sees: Cliq's short names (`dm`, `channel`, `bot`, `thread`,
/// `chat` for a group chat).
fn chat_type(kind: &str) -> &str {
    match kind {
        "direct_message" => "dm",
        "group_chat" => "chat",
        other => other,
    }
}

/// The `chat` map: the chat, its channel (when it is one, or a thread under one) and, for a
/// thread, its parent.
pub fn chat_map(chat: &ChatRow, channel: Option<&ChannelRow>, parent: Option<&ChatRow>) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), chat.id.clone().into());
    m.insert("type".into(), chat_type(&chat.kind).into());
    m.insert("chat_type".into(), chat_type(&chat.kind).into());
    m.insert("title".into(), chat.title.clone().into());
    m.insert("owner".into(), chat.creator_id.to_string().into());
    if let Some(ch) = channel {
        m.insert("channel_id".into(), ch.id.clone().into());
        m.insert("channel_unique_name".into(), ch.unique_name.clone().into());
    }
    if let Some(p) = parent {
        let mut parent_map = json!({
            "id": p.id,
            "type": chat_type(&p.kind),
            "title": p.title,
        });
        if let Some(ch) = channel {
            parent_map["channel_id"] = ch.id.clone().into();
            parent_map["channel_unique_name"] = ch.unique_name.clone().into();
        }
        m.insert("parent_resource".into(), parent_map);
    }
    Value::Object(m)
}

/// The `access` map: who runs the handler, from where.
pub fn access_map(u: &UserRow, chat_id: Option<&str>, message_id: Option<&str>) -> Value {
    let mut m = json!({
        "user_id": u.id.to_string(),
        "zoho_user_id": u.id.to_string(),
        "user_agent": concat!("cliqd/", env!("CARGO_PKG_VERSION")),
        "organization": {"type": "company", "id": u.org_id.to_string()},
    });
    if let Some(c) = chat_id {
        m["chat_id"] = c.into();
    }
    if let Some(id) = message_id {
        m["message_id"] = id.into();
    }
    m
}

/// The `environment` map: `base_url` is this server's.
pub fn environment_map(base_url: &str) -> Value {
    json!({"base_url": base_url, "data_center": "LOCAL", "tld": ""})
}

/// The `location` map when the user's location is unknown.
pub fn location_unknown() -> Value {
    json!({"status": "prompt"})
}

/// A message's text (`""` for a message without one).
pub fn message_text(row: &MessageRow) -> String {
    row.body
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The sender of a message as handler inputs show it.
fn sender_map(row: &MessageRow) -> Value {
    match row.bot_id {
        Some(id) => {
            json!({"id": format!("b-{id}"), "name": row.bot_name.clone().unwrap_or_default(), "type": "bot"})
        }
        None => json!({"id": row.sender_id.to_string(), "name": row.sender_name}),
    }
}

/// The `message` map (<https://zoho.com/cliq/help/platform/cliq-objects/message-object.html>).
pub fn message_map(row: &MessageRow) -> Value {
    let text = message_text(row);
    json!({
        "id": row.id,
        "sender": sender_map(row),
        "time": row.time.to_string(),
        "type": row.kind,
        "text": text,
        "content": row.body.value(),
        "is_read": false,
    })
}

/// The `message_details` map of the message and mention handlers.
pub fn message_details(row: &MessageRow, mentions: &Value) -> Value {
    json!({
        "time": row.time,
        "message": {
            "id": row.id,
            "type": "text",
            "text": message_text(row),
            "mentions": mentions,
        },
    })
}

/// The links in a text: every `http://` or `https://` run up to white space or a closing
/// bracket, in order.
pub fn links(text: &str) -> Value {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '\''))
                .unwrap_or(tail.len());
            out.push(Value::String(tail[..end].to_string()));
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_split_into_first_and_last() {
        let u = UserRow {
            id: 7,
            org_id: 3,
            email: "a@b.c".into(),
            name: "Scott Fisher Jr".into(),
            is_admin: true,
        };
        let m = user_map(&u);
        assert_eq!(m["first_name"], "Scott");
        assert_eq!(m["last_name"], "Fisher Jr");
        assert_eq!(m["id"], "7");
        assert_eq!(m["organization_id"], "3");
        assert_eq!(m["admin"], true);
    }

    #[test]
    fn links_are_found_in_order() {
        assert_eq!(
            links("see https://a.example/x?y=1 and (http://b.example) httpx"),
            json!(["https://a.example/x?y=1", "http://b.example"])
        );
        assert_eq!(links("no links"), json!([]));
    }
}
