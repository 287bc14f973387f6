//! Messages as a user or as a bot: validation and canonical form, posting (with threads,
//! replies and copies into the parent chat, as the store's posting rules decide), posting as a
//! bot into users' bot chats, editing and deleting.

use crate::{Actor, ServiceError, ServiceResult, resolve_users};
use cliqd_message::{EditRequest, Message, MessageContext, normalize_message_id};
use cliqd_store::{
    ChatRow, ConflictOn, MessageQuery, MessageRow, NewPost, PageSink, PostOptions, PostTarget,
    Store, StoreError, StoreResult,
};
use serde_json::{Value, json};

/// Fields of a posted message that steer delivery and are not part of what is shown.
const REQUEST_ONLY: &[&str] = &[
    "user_ids",
    "userids",
    "broadcast",
    "reply_to",
    "notify_edit",
    "mark_as_read",
    "sync_message",
    "thread_chat_id",
    "thread_message_id",
    "post_in_parent",
    "thread_title",
    // Only a forward sets a message's origin.
    FORWARDED_FROM,
];

/// The key a forwarded copy keeps its origin under, in its stored body.
pub const FORWARDED_FROM: &str = "forwarded_from";

/// Validates a message object for `ctx` (digest of Cliq's message format: text, card, buttons,
/// slides, …); errors name each offending field by JSON path.
pub fn validate_post(body: &Value, ctx: MessageContext) -> ServiceResult<Message> {
    cliqd_message::validate_message(body, ctx).map_err(ServiceError::InvalidMessage)
}

/// The stored kind (`text` or `card`) and canonical content of a validated message.
pub fn canonical(msg: &Message) -> (String, Value) {
    let mut body = serde_json::to_value(msg).unwrap_or_else(|_| json!({}));
    if let Some(map) = body.as_object_mut() {
        for k in REQUEST_ONLY {
            map.remove(*k);
        }
    }
    let kind = if msg.card.is_some() || !msg.slides.is_empty() || !msg.buttons.is_empty() {
        "card"
    } else {
        "text"
    };
    (kind.to_string(), body)
}

/// Who a post is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAs {
    /// The actor.
    User,
    /// A bot the actor may see (resolve it with [`crate::find_bot`]), which must be associated
    /// with the channel the post lands in.
    Bot(i64),
}

/// A message that was posted.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The message in the chat it landed in (a thread, when the post opened or joined one).
    pub row: MessageRow,
}

/// Posts `msg` into `target` as the actor (or a bot). A `thread_chat_id` in the message posts
/// into that existing thread; `thread_message_id` opens (or joins) the thread under that
/// message; `reply_to` must name a message of the chat the post lands in; `post_in_parent`
/// also copies a thread reply into the parent chat. Refusals (membership, bot association,
/// closed threads, dangling references) write nothing. The text's mentions are resolved
/// ([`crate::resolve_mentions`]) and stored with the message.
pub async fn post_message(
    store: &dyn Store,
    actor: &Actor,
    target: PostTarget,
    msg: &Message,
    from: PostAs,
) -> ServiceResult<Posted> {
    let target = match (&msg.thread_chat_id, &msg.thread_message_id) {
        (Some(thread), None) => PostTarget::Chat(thread.clone()),
        _ => target,
    };
    let mentions = crate::mentions::mentions_of(store, actor, msg.text.as_deref()).await?;
    let (kind, content) = canonical(msg);
    let post = NewPost {
        org_id: actor.org_id(),
        target,
        sender_id: actor.id(),
        bot_id: match from {
            PostAs::User => None,
            PostAs::Bot(id) => Some(id),
        },
        kind,
        body: content,
        reply_to: msg.reply_to.as_deref().map(normalize_message_id),
        thread_message_id: msg.thread_message_id.as_deref().map(normalize_message_id),
        thread_title: msg.thread_title.clone(),
        mentions,
    };
    let opts = PostOptions {
        post_in_parent: msg.post_in_parent == Some(true),
    };
    let row = store.post_message_with(post, opts).await??;
    Ok(Posted { row })
}

/// Who receives a bot message sent without a channel: the users of `user_ids`; with
/// `broadcast`, every subscriber; with neither, the actor — and, when the actor is an
/// organization admin, every subscriber too (as the `postToBot` task documents). No one twice.
pub async fn bot_message_recipients(
    store: &dyn Store,
    actor: &Actor,
    bot_id: i64,
    msg: &Message,
) -> ServiceResult<Vec<i64>> {
    let mut recipients: Vec<i64> = Vec::new();
    if let Some(ids) = &msg.user_ids {
        let users = resolve_users(store, actor, "user_ids", &json!(ids)).await?;
        recipients.extend(users.iter().map(|u| u.id));
    }
    if msg.broadcast == Some(true) || (msg.user_ids.is_none() && actor.is_admin()) {
        let subs = store.bot_subscribers(bot_id).await?;
        recipients.extend(subs.iter().map(|u| u.id));
    }
    if msg.user_ids.is_none() && msg.broadcast != Some(true) {
        recipients.push(actor.id());
    }
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|id| seen.insert(*id));
    Ok(recipients)
}

/// Sends `msg` (validated as a bot message) as `bot_id` into the bot chat of each recipient
/// (see [`bot_message_recipients`]), in one write, with the text's resolved mentions; returns
/// `(user id, message)` per recipient.
pub async fn post_bot_messages(
    store: &dyn Store,
    actor: &Actor,
    bot_id: i64,
    msg: &Message,
) -> ServiceResult<Vec<(i64, MessageRow)>> {
    let recipients = bot_message_recipients(store, actor, bot_id, msg).await?;
    let mentions = crate::mentions::mentions_of(store, actor, msg.text.as_deref()).await?;
    let (kind, content) = canonical(msg);
    store
        .post_bot_messages(
            actor.org_id(),
            bot_id,
            actor.id(),
            recipients,
            kind,
            content,
            msg.reply_to.clone(),
            mentions,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(ConflictOn::ReplyTo) => ServiceError::MessageNotFound(Some(
                "reply_to does not name a message of the recipient's bot chat",
            )),
            other => other.into(),
        })
}

/// The chat `chat_id` if the actor is a member of it (a thread: of its parent chat). A chat of
/// another organization is [`ServiceError::ChatNotFound`]; one the actor is not in,
/// [`ServiceError::NotMember`].
pub async fn member_chat(
    store: &dyn Store,
    actor: &Actor,
    chat_id: &str,
) -> ServiceResult<ChatRow> {
    let found = store
        .chat_for_member(actor.org_id(), chat_id.trim(), actor.id())
        .await;
    members_only(found.map(|(chat, member)| (member, chat)))
}

/// The refusals of a read of a chat, from the store's answer (whether the reader is a member,
/// and what was read): no such chat in the organization, or not a member.
fn members_only<T>(found: StoreResult<(bool, T)>) -> ServiceResult<T> {
    match found {
        Ok((true, read)) => Ok(read),
        Ok((false, _)) => Err(ServiceError::NotMember),
        Err(StoreError::NotFound) => Err(ServiceError::ChatNotFound),
        Err(e) => Err(e.into()),
    }
}

/// The refusals of [`member_chat`] and, when the actor is a member and `page` is given, that
/// page of the chat's messages, in one read of the store. A caller that found its query
/// invalid passes `None` and reports that after the refusals.
pub async fn member_page(
    store: &dyn Store,
    actor: &Actor,
    chat_id: &str,
    page: Option<MessageQuery>,
) -> ServiceResult<Vec<MessageRow>> {
    members_only(
        store
            .member_page(actor.org_id(), chat_id.trim(), actor.id(), page)
            .await,
    )
}

/// [`member_page`], with the page's messages handed to `sink` as the store reads them; the
/// sink comes back.
pub async fn member_page_into(
    store: &dyn Store,
    actor: &Actor,
    chat_id: &str,
    page: Option<MessageQuery>,
    sink: Box<dyn PageSink>,
) -> ServiceResult<Box<dyn PageSink>> {
    members_only(
        store
            .member_page_into(actor.org_id(), chat_id.trim(), actor.id(), page, sink)
            .await,
    )
}

fn message_missing(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::MessageNotFound(None),
        other => other.into(),
    }
}

/// Replaces the text of a message the actor sent in a chat they are a member of, and its
/// mentions with those of the new text.
pub async fn edit_message(
    store: &dyn Store,
    actor: &Actor,
    chat_id: &str,
    message_id: &str,
    edit: EditRequest,
) -> ServiceResult<MessageRow> {
    let chat = member_chat(store, actor, chat_id).await?;
    let row = store
        .get_message(&chat.id, &normalize_message_id(message_id))
        .await
        .map_err(message_missing)?;
    if row.sender_id != actor.id() {
        return Err(ServiceError::NotSender);
    }
    let mentions = crate::mentions::resolve_mentions(store, actor, &edit.text).await?;
    let mut content = row.body.value().clone();
    match content.as_object_mut() {
        Some(map) => {
            map.insert("text".into(), edit.text.into());
        }
        None => content = json!({"text": edit.text}),
    }
    // `notify_edit` only decides whether clients announce the edit; it is passed on in the
    // real-time event through the `is_edited` flag either way.
    store
        .edit_message(&chat.id, &row.id, content, mentions)
        .await
        .map_err(message_missing)
}

/// Deletes a message of `chat` (already checked with [`member_chat`]) that the actor sent, or
/// any message when the actor is an organization admin.
pub async fn delete_message(
    store: &dyn Store,
    actor: &Actor,
    chat: &ChatRow,
    message_id: &str,
) -> ServiceResult<()> {
    let row = store
        .get_message(&chat.id, &normalize_message_id(message_id))
        .await
        .map_err(message_missing)?;
    if row.sender_id != actor.id() && !actor.is_admin() {
        return Err(ServiceError::NotSender);
    }
    store
        .delete_message(&chat.id, &row.id)
        .await
        .map_err(message_missing)
}
