//! Messaging APIs: channels, chats and threads, the Messages API (v2 and v3), bot messages and
//! subscriptions, and the real-time event stream. What the areas share lives here: looking up
//! chats with the membership rule, validating posted messages, and the message read shape.
//!
//! Membership rule: a user reads or writes a chat only when they are a member of it (a thread:
//! of its parent chat). A chat of another organization is `chat_not_found`; a chat of the same
//! organization the caller is not in is `access_denied`.

pub mod bot_messages;
pub mod channels;
mod chat_filters;
pub mod chats;
pub mod forward;
pub mod messages;
pub(crate) mod page_cache;
pub mod realtime;
pub mod search;
pub mod threads;

use super::Endpoint;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use cliqd_message::{FieldError, Message, MessageContext};
use cliqd_store::{ChatRow, MessageRef, MessageRow, NewChannel, Store, StoreResult, UserRow};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value, json};

/// A token-authenticated messaging endpoint with Cliq's usual 10-minute lock.
pub(crate) const fn ep(
    name: &'static str,
    method: axum::http::Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
) -> Endpoint {
    ep_locked(name, method, path, scope, per_min, 600)
}

/// [`ep`] with its own lock period.
pub(crate) const fn ep_locked(
    name: &'static str,
    method: axum::http::Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
    lock_secs: u64,
) -> Endpoint {
    Endpoint::new(
        name,
        method,
        path,
        scope,
        crate::ratelimit::Limit::per_min(per_min, lock_secs),
    )
}

pub const ENDPOINTS: &[&Endpoint] = &[
    &messages::V2_LIST,
    &messages::V2_GET,
    &messages::V2_EDIT,
    &messages::V2_DELETE,
    &messages::V2_REACTION_ADD,
    &messages::V2_REACTION_GET,
    &messages::V2_REACTION_DELETE,
    &messages::V2_POST_CHANNEL,
    &messages::V2_POST_CHAT,
    &messages::V2_POST_BUDDY,
    &messages::V3_POST_CHANNEL_BY_NAME,
    &messages::V3_POST_CHANNEL,
    &messages::V3_POST_CHAT,
    &messages::V3_POST_CARD_CHANNEL,
    &messages::V3_DELETE_MANY,
    &messages::V3_DELETE_MANY_ALT,
    &forward::FORWARD,
    &search::SEARCH,
    &bot_messages::V2_POST_BOT,
    &bot_messages::V3_BOT_MESSAGES,
    &bot_messages::V3_BOT_MESSAGE,
    &bot_messages::ASSOCIATE,
    &bot_messages::SUBSCRIBERS,
    &bot_messages::SUBSCRIBE,
    &bot_messages::UNSUBSCRIBE,
    &channels::CREATE,
    &channels::LIST,
    &channels::GET,
    &channels::MEMBERS_ADD,
    &channels::MEMBERS_LIST,
    &channels::MEMBER_REMOVE,
    &chats::LIST,
    &chats::CREATE,
    &chats::GET,
    &chats::MEMBERS,
    &chats::MEMBERS_ADD,
    &chats::MEMBERS_REMOVE,
    &chats::LEAVE,
    &chats::MUTE,
    &chats::UNMUTE,
    &threads::GET,
    &threads::UPDATE,
    &threads::MAIN,
    &threads::FOLLOWERS,
    &threads::FOLLOWERS_ADD,
    &threads::FOLLOWERS_REMOVE,
    &threads::NONFOLLOWERS,
    &threads::FOLLOW,
    &threads::UNFOLLOW,
    &realtime::STREAM,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(messages::routes())
        .merge(forward::routes())
        .merge(search::routes())
        .merge(bot_messages::routes())
        .merge(channels::routes())
        .merge(chats::routes())
        .merge(threads::routes())
        .merge(realtime::routes())
}

/// The chat `chat_id` if `auth` is a member of it (see [`cliqd_service::member_chat`]).
pub(crate) async fn member_chat(
    state: &AppState,
    auth: &AuthContext,
    chat_id: &str,
) -> ApiResult<ChatRow> {
    Ok(cliqd_service::member_chat(state.store.as_ref(), &auth.actor(), chat_id).await?)
}

/// Validates a posted message (<https://www.zoho.com/cliq/help/restapi/v3/messagecards/>); errors name each offending field by JSON path.
pub(crate) fn validate(body: &Value, ctx: MessageContext) -> ApiResult<Message> {
    Ok(cliqd_service::validate_post(body, ctx)?)
}

pub(crate) fn field_errors(errs: &[FieldError]) -> ApiError {
    let text = errs
        .iter()
        .map(|e| {
            if e.path.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.path, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::invalid(text)
}

/// The message read shape (<https://www.zoho.com/cliq/help/restapi/v2/messages/>): `sender`, `id`, `time`, `type`, `content`, plus the
/// chat, edit flag, `reply_to`, the thread under it and the `mentions` of its text when there
/// are any. As a [`Value`], for replies that add to it; [`MessageView`] serializes the same
/// shape straight from the row.
pub(crate) fn message_json(row: &MessageRow) -> Value {
    let sender = match (row.bot_id, &row.bot_name) {
        (Some(id), name) => json!({
            "name": name.clone().unwrap_or_default(),
            "id": format!("b-{id}"),
            "type": "bot",
        }),
        _ => json!({"name": row.sender_name, "id": row.sender_id.to_string()}),
    };
    let mut m = Map::new();
    m.insert("sender".into(), sender);
    m.insert("id".into(), row.id.clone().into());
    m.insert("time".into(), row.time.into());
    m.insert("type".into(), row.kind.clone().into());
    // A forwarded copy's origin is stored with its body and read as a top-level field.
    let mut content = row.body.value().clone();
    if let Some(origin) = content
        .as_object_mut()
        .and_then(|c| c.remove(forward::FORWARDED_FROM))
    {
        m.insert(forward::FORWARDED_FROM.into(), origin);
    }
    m.insert("content".into(), content);
    m.insert("chat_id".into(), row.chat_id.clone().into());
    if row.edited {
        m.insert("is_edited".into(), true.into());
    }
    if let Some(r) = &row.reply_to {
        m.insert("reply_to".into(), r.clone().into());
    }
    if let Some(t) = &row.thread_chat_id {
        m.insert("thread_chat_id".into(), t.clone().into());
    }
    // The copy of a thread reply posted with `post_in_parent` names the thread and the reply.
    if let (Some(chat), Some(message)) = (&row.origin_chat_id, &row.origin_message_id) {
        m.insert(
            "posted_from_thread".into(),
            json!({"chat_id": chat, "message_id": message}),
        );
    }
    if !row.mentions.is_empty() {
        m.insert(
            "mentions".into(),
            cliqd_service::mentions_json(&row.mentions),
        );
    }
    Value::Object(m)
}

/// [`message_json`]'s shape, written straight from the row ([`write_message`]); serialized
/// through a [`RawValue`](serde_json::value::RawValue) where it is one value among others (an
/// event's frame).
pub(crate) struct MessageView<'a>(pub MessageRef<'a>);

impl<'a> MessageView<'a> {
    pub(crate) fn of(row: &'a MessageRow) -> Self {
        MessageView(row.as_ref())
    }
}

impl Serialize for MessageView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut text = Vec::with_capacity(self.0.body.len() + 256);
        write_message(&mut text, &self.0).map_err(S::Error::custom)?;
        let text = String::from_utf8(text).map_err(S::Error::custom)?;
        serde_json::value::RawValue::from_string(text)
            .map_err(S::Error::custom)?
            .serialize(s)
    }
}

/// Appends `m` in the read shape ([`message_json`]'s, byte for byte: tested) to `out`, as the
/// compact JSON serde_json prints: texts escaped by serde_json, the stored body spliced in as
/// its JSON text (never parsed), whole numbers by `itoa`. Only a forwarded copy, whose origin
/// moves out of the content, goes through [`message_json`].
pub(crate) fn write_message(out: &mut Vec<u8>, m: &MessageRef<'_>) -> serde_json::Result<()> {
    // The key as it appears in the JSON text (a quote inside a string would be escaped).
    if m.body.contains(FORWARDED_KEY) {
        let row = m.to_row()?;
        return serde_json::to_writer(out, &message_json(&row));
    }
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(b"{\"sender\":{\"name\":");
    match m.bot_id {
        Some(id) => {
            serde_json::to_writer(&mut *out, m.bot_name.unwrap_or_default())?;
            out.extend_from_slice(b",\"id\":\"b-");
            out.extend_from_slice(num.format(id).as_bytes());
            out.extend_from_slice(b"\",\"type\":\"bot\"},\"id\":");
        }
        None => {
            serde_json::to_writer(&mut *out, m.sender_name)?;
            out.extend_from_slice(b",\"id\":\"");
            out.extend_from_slice(num.format(m.sender_id).as_bytes());
            out.extend_from_slice(b"\"},\"id\":");
        }
    }
    serde_json::to_writer(&mut *out, m.id)?;
    out.extend_from_slice(b",\"time\":");
    out.extend_from_slice(num.format(m.time).as_bytes());
    out.extend_from_slice(b",\"type\":");
    serde_json::to_writer(&mut *out, m.kind)?;
    out.extend_from_slice(b",\"content\":");
    out.extend_from_slice(m.body.as_bytes());
    out.extend_from_slice(b",\"chat_id\":");
    serde_json::to_writer(&mut *out, m.chat_id)?;
    if m.edited {
        out.extend_from_slice(b",\"is_edited\":true");
    }
    if let Some(r) = m.reply_to {
        out.extend_from_slice(b",\"reply_to\":");
        serde_json::to_writer(&mut *out, r)?;
    }
    if let Some(t) = m.thread_chat_id {
        out.extend_from_slice(b",\"thread_chat_id\":");
        serde_json::to_writer(&mut *out, t)?;
    }
    if let (Some(chat), Some(message)) = (m.origin_chat_id, m.origin_message_id) {
        out.extend_from_slice(b",\"posted_from_thread\":{\"chat_id\":");
        serde_json::to_writer(&mut *out, chat)?;
        out.extend_from_slice(b",\"message_id\":");
        serde_json::to_writer(&mut *out, message)?;
        out.push(b'}');
    }
    if !m.mentions.is_empty() {
        out.extend_from_slice(b",\"mentions\":");
        serde_json::to_writer(&mut *out, &cliqd_service::mentions_json(m.mentions))?;
    }
    out.push(b'}');
    Ok(())
}

/// [`forward::FORWARDED_FROM`] as a key in JSON text.
const FORWARDED_KEY: &str = "\"forwarded_from\"";

/// A user named by ZUID or email (see [`cliqd_service::resolve_user`]).
pub(crate) async fn resolve_user(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<UserRow> {
    Ok(cliqd_service::resolve_user(state.store.as_ref(), &auth.actor(), raw).await?)
}

/// A list of users given as a JSON array or a comma-separated string of ZUIDs or emails.
pub(crate) async fn resolve_users(
    state: &AppState,
    auth: &AuthContext,
    field: &str,
    v: &Value,
) -> ApiResult<Vec<UserRow>> {
    Ok(cliqd_service::resolve_users(state.store.as_ref(), &auth.actor(), field, v).await?)
}

/// ISO 8601 with offset, as the v3 documents show times.
pub(crate) fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Most webhook tokens (`zapikey`) one user may hold.
pub const MAX_WEBHOOK_TOKENS: usize = 5;

/// Creates a webhook token for `user_id`; `None` when the user already holds
/// [`MAX_WEBHOOK_TOKENS`]. Only the hash is stored; the secret is returned once.
pub async fn create_webhook_token(
    store: &dyn Store,
    user_id: i64,
    name: &str,
) -> StoreResult<Option<String>> {
    let secret = crate::auth::new_token_secret();
    let hash = crate::auth::hash_secret(&secret);
    let created = store
        .create_webhook_token(user_id, &hash, name, MAX_WEBHOOK_TOKENS)
        .await?;
    Ok(created.then_some(secret))
}

/// First start: the demo organization's `general` channel with every demo user in it.
pub async fn create_general_channel(
    store: &dyn Store,
    org_id: i64,
    creator_id: i64,
    members: Vec<i64>,
) -> StoreResult<()> {
    store
        .create_channel(NewChannel {
            org_id,
            kind: "organization".into(),
            name: "General".into(),
            unique_name: "general".into(),
            description: "Everyone in the organization".into(),
            creator_id,
            team_ids: Vec::new(),
            members,
        })
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cliqd_store::{MentionKind, MentionRow};

    fn row(body: Value) -> MessageRow {
        MessageRow {
            id: "1763757000123_7".into(),
            chat_id: "CT_1_2".into(),
            seq: 7,
            time: 1763757000123,
            sender_id: 55000002,
            sender_name: "Scott \"Scotty\" Fisher".into(),
            bot_id: None,
            bot_name: None,
            kind: "text".into(),
            body: body.into(),
            edited: false,
            reply_to: None,
            thread_chat_id: None,
            origin_chat_id: None,
            origin_message_id: None,
            mentions: Vec::new(),
        }
    }

    /// `{"data": …}`.
    #[derive(serde::Serialize)]
    struct Data<T> {
        data: T,
    }

    /// Every variant of the read shape: `MessageView` prints exactly what `message_json` does.
    #[test]
    fn message_view_prints_the_read_shape() {
        let card = json!({
            "text": "héllo \u{1F600} \"quoted\" \\ back\nslash",
            "card": {"title": "T", "theme": "modern-inline"},
            "buttons": [{"label": "ok", "action": {"type": "invoke.function", "data": {"name": "f"}}}],
            "n": 12345678901234567890u64,
            "f": 1.50,
        });
        let mut variants = vec![row(json!({"text": "plain"})), row(card.clone())];
        let mut bot = row(card);
        bot.bot_id = Some(9);
        bot.bot_name = Some("Helper\u{1}\tbé".into());
        bot.edited = true;
        bot.reply_to = Some("1763757000000_1".into());
        bot.thread_chat_id = Some("CT_1_2-T-1".into());
        variants.push(bot);
        let mut copy = row(json!({"text": "from a thread"}));
        copy.origin_chat_id = Some("CT_1_2-T-1".into());
        copy.origin_message_id = Some("1763757000100_3".into());
        copy.mentions = vec![MentionRow {
            kind: MentionKind::User,
            id: "55000003".into(),
            name: "Olivia".into(),
            dname: Some("@Olivia".into()),
            first_name: None,
            last_name: None,
            email: Some("olivia@example.com".into()),
            silent: false,
        }];
        variants.push(copy);
        // A forwarded copy's origin moves out of the content.
        variants.push(row(json!({
            "text": "fwd",
            forward::FORWARDED_FROM: {"chat_id": "CT_9_9", "message_id": "1_1"},
        })));
        // The key inside a string does not count as the key.
        variants.push(row(json!({"text": "\"forwarded_from\": no"})));
        // A row read back from storage splices its stored text, which the write path printed
        // from the parsed request (numbers as the client wrote them, exponents normalized).
        let request: Value =
            serde_json::from_str(r#"{"text":"stored","card":{"title":"x"},"n":1e400,"f":1.50}"#)
                .unwrap();
        let mut stored = row(Value::Null);
        stored.body = cliqd_store::MessageBody::from_stored(request.to_string()).unwrap();
        variants.push(stored);
        for r in &variants {
            let view = serde_json::to_string(&MessageView::of(r)).unwrap();
            assert_eq!(view, message_json(r).to_string());
        }
        let page = serde_json::to_string(&Data {
            data: variants.iter().map(MessageView::of).collect::<Vec<_>>(),
        })
        .unwrap();
        let values: Vec<Value> = variants.iter().map(message_json).collect();
        assert_eq!(page, json!({ "data": values }).to_string());
        // get-messages writes its page as the store reads it, from borrowed rows.
        // In any order the store hands it the messages: oldest first, newest first, mixed.
        let mut ordered: Vec<MessageRow> = variants.clone();
        for (i, r) in ordered.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
        }
        let last = ordered.len() as i64;
        let expected = json!({"next_token": messages::encode_cursor(last), "data": values});
        let mut orders: Vec<Vec<usize>> = vec![(0..ordered.len()).collect()];
        orders.push(orders[0].iter().rev().copied().collect());
        let mut mixed = orders[0].clone();
        mixed.rotate_left(ordered.len() / 2);
        mixed.swap(0, 1);
        orders.push(mixed);
        for order in orders {
            let mut sink = messages::JsonPage::default();
            for &i in &order {
                cliqd_store::PageSink::message(&mut sink, &ordered[i].as_ref()).unwrap();
            }
            let got = String::from_utf8(sink.into_bytes()).unwrap();
            assert_eq!(got, expected.to_string(), "{order:?}");
        }
        let empty = messages::JsonPage::default().into_bytes();
        assert_eq!(String::from_utf8(empty).unwrap(), r#"{"data":[]}"#);
    }

    #[test]
    fn forwarded_key_is_the_field_name_in_json() {
        assert_eq!(FORWARDED_KEY, format!("\"{}\"", forward::FORWARDED_FROM));
    }
}
