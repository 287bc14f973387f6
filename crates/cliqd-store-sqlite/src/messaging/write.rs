//! Messaging writes that run inside the writer's transaction: chats, members, message slots,
//! and the whole post (resolve the target, authorize, maybe open a thread, insert).

use super::super::identity::user_from_row;
use super::super::{exists, map_err, next_counter, now_ms};
use super::rows::*;
use cliqd_store::messaging::*;
use cliqd_store::rows::UserRow;
use cliqd_store::{StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Inserts a chat; `suffix` marks bot chats (`-B2`) and threads (`-T-<n>`).
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_chat(
    c: &Connection,
    org_id: i64,
    kind: &str,
    title: &str,
    creator_id: i64,
    channel_id: Option<&str>,
    bot_id: Option<i64>,
    parent: Option<(&str, &str)>,
    pair_key: Option<&str>,
    suffix: &str,
) -> StoreResult<ChatRow> {
    let n = next_counter(c, "chat_id")?;
    let id = format!("CT_{n}_{creator_id}{suffix}");
    let now = now_ms();
    let acl = match parent {
        Some((parent_chat, _)) => load_chat(c, parent_chat)?.acl_chat_id,
        None => id.clone(),
    };
    c.prepare_cached(
        "INSERT INTO chats (id, org_id, kind, title, creator_id, channel_id, bot_id, parent_chat_id,
             thread_message_id, acl_chat_id, pair_key, created_at, last_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    )
    .map_err(map_err)?
    .execute(params![
        id,
        org_id,
        kind,
        title,
        creator_id,
        channel_id,
        bot_id,
        parent.map(|p| p.0),
        parent.map(|p| p.1),
        acl,
        pair_key,
        now
    ])
    .map_err(map_err)?;
    load_chat(c, &id)
}

/// Adds members; returns those not already in. Records a `MemberJoined` for each.
pub(super) fn add_members(
    c: &Connection,
    chat_id: &str,
    users: &[i64],
    events: &mut Vec<ChatEvent>,
) -> StoreResult<Vec<i64>> {
    let now = now_ms();
    let mut added = Vec::new();
    for u in users {
        let n = c
            .prepare_cached(
                "INSERT OR IGNORE INTO chat_members (chat_id, user_id, joined_at) VALUES (?1, ?2, ?3)",
            )
            .map_err(map_err)?
            .execute(params![chat_id, u, now])
            .map_err(map_err)?;
        if n > 0 && !added.contains(u) {
            added.push(*u);
            events.push(ChatEvent {
                acl_chat_id: chat_id.to_string(),
                seq: chat_seq(c, chat_id)?,
                kind: ChatEventKind::MemberJoined {
                    chat_id: chat_id.to_string(),
                    user_id: *u,
                },
            });
        }
    }
    Ok(added)
}

/// The chat's sequence number now: that of its newest message (0 before the first).
pub(super) fn chat_seq(c: &Connection, chat_id: &str) -> StoreResult<i64> {
    c.prepare_cached("SELECT last_seq FROM chats WHERE id = ?1")
        .map_err(map_err)?
        .query_row([chat_id], |r| r.get(0))
        .map_err(map_err)
}

/// The chat whose members see events of `chat_id` (itself, or a thread's parent), and
/// `chat_id`'s sequence number now.
pub(super) fn acl_and_seq(c: &Connection, chat_id: &str) -> StoreResult<(String, i64)> {
    c.prepare_cached("SELECT acl_chat_id, last_seq FROM chats WHERE id = ?1")
        .map_err(map_err)?
        .query_row([chat_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(map_err)
}

/// Allocates the next position in a chat and its time, which never goes backwards. (A SELECT
/// and an UPDATE rather than `UPDATE … RETURNING`, as in [`next_counter`].)
pub(super) fn next_slot(c: &Connection, chat_id: &str) -> StoreResult<(i64, i64)> {
    let (seq, last_time): (i64, i64) = c
        .prepare_cached("SELECT last_seq, last_time FROM chats WHERE id = ?1")
        .map_err(map_err)?
        .query_row([chat_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(map_err)?;
    let (seq, time) = (seq + 1, last_time.max(now_ms()));
    c.prepare_cached("UPDATE chats SET last_seq = ?2, last_time = ?3 WHERE id = ?1")
        .map_err(map_err)?
        .execute(params![chat_id, seq, time])
        .map_err(map_err)?;
    Ok((seq, time))
}

pub(super) struct Insert<'a> {
    pub(super) chat_id: &'a str,
    pub(super) sender_id: i64,
    pub(super) bot_id: Option<i64>,
    pub(super) kind: &'a str,
    pub(super) body: &'a Value,
    pub(super) reply_to: Option<&'a str>,
    /// The copy of a thread reply in the parent chat: (thread chat, reply).
    pub(super) origin: Option<(&'a str, &'a str)>,
}

pub(super) fn insert_message(c: &Connection, m: Insert<'_>) -> StoreResult<MessageRow> {
    let (seq, time) = next_slot(c, m.chat_id)?;
    let n = next_counter(c, "message_n")?;
    let id = format!("{time}_{n}");
    let body = serde_json::to_string(m.body).map_err(json_err)?;
    c.prepare_cached(
        "INSERT INTO messages (chat_id, seq, id, time, sender_id, bot_id, kind, body, reply_to,
             origin_chat_id, origin_message_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .map_err(map_err)?
    .execute(params![
        m.chat_id,
        seq,
        id,
        time,
        m.sender_id,
        m.bot_id,
        m.kind,
        body,
        m.reply_to,
        m.origin.map(|o| o.0),
        m.origin.map(|o| o.1)
    ])
    .map_err(map_err)?;
    let bot_name = match m.bot_id {
        Some(b) => c
            .prepare_cached("SELECT name FROM components WHERE id = ?1")
            .map_err(map_err)?
            .query_row([b], |r| r.get(0))
            .optional()
            .map_err(map_err)?,
        None => None,
    };
    Ok(MessageRow {
        id,
        chat_id: m.chat_id.to_string(),
        seq,
        time,
        sender_id: m.sender_id,
        sender_name: user_name(c, m.sender_id)?,
        bot_id: m.bot_id,
        bot_name,
        kind: m.kind.to_string(),
        body: m.body.clone(),
        edited: false,
        reply_to: m.reply_to.map(str::to_string),
        thread_chat_id: None,
        origin_chat_id: m.origin.map(|o| o.0.to_string()),
        origin_message_id: m.origin.map(|o| o.1.to_string()),
    })
}

/// The whole post: resolve, authorize, check `reply_to` and the thread state, maybe open a
/// thread, insert (and, with `post_in_parent`, copy into the parent chat). Runs in the writer
/// without a savepoint, so every refusal is answered before the first write.
pub(super) fn post(
    c: &Connection,
    p: &NewPost,
    opts: PostOptions,
    events: &mut Vec<ChatEvent>,
) -> StoreResult<Result<MessageRow, Refusal>> {
    let chat_id = match &p.target {
        PostTarget::Chat(id) => id.clone(),
        PostTarget::ChannelId(id) => {
            match load_channel_where(c, "ch.id = ?1 AND ch.org_id = ?2", &[id, &p.org_id]) {
                Ok(ch) => ch.chat_id,
                Err(StoreError::NotFound) => return Ok(Err(Refusal::ChannelNotFound)),
                Err(e) => return Err(e),
            }
        }
        PostTarget::ChannelUniqueName(name) => match c
            .prepare_cached("SELECT chat_id FROM channels WHERE org_id = ?1 AND unique_name = ?2")
            .map_err(map_err)?
            .query_row(params![p.org_id, name], |r| r.get::<_, String>(0))
            .optional()
            .map_err(map_err)?
        {
            Some(id) => id,
            None => return Ok(Err(Refusal::ChannelNotFound)),
        },
    };
    let mut chat = match load_chat(c, &chat_id) {
        Ok(chat) if chat.org_id == p.org_id => chat,
        Ok(_) | Err(StoreError::NotFound) => return Ok(Err(Refusal::ChatNotFound)),
        Err(e) => return Err(e),
    };
    if !is_member_conn(c, &chat.acl_chat_id, p.sender_id)? {
        return Ok(Err(Refusal::NotMember));
    }
    if let Some(bot) = p.bot_id {
        // A bot posts in a channel (or its threads) only when associated with it.
        let channel = match &chat.parent_chat_id {
            Some(parent) => load_chat(c, parent)?.channel_id,
            None => chat.channel_id.clone(),
        };
        let associated = match channel {
            Some(ch) => exists(
                c,
                "SELECT 1 FROM channel_bots WHERE channel_id = ?1 AND bot_id = ?2",
                params![ch, bot],
            )?,
            None => chat.bot_id == Some(bot),
        };
        if !associated {
            return Ok(Err(Refusal::BotNotMember));
        }
    }
    // The message a new thread hangs under, and the thread under it if it already exists.
    let (thread_parent, existing_thread) = match &p.thread_message_id {
        None => (None, None),
        Some(parent_id) => {
            if chat.kind == "thread" {
                return Ok(Err(Refusal::NestedThread));
            }
            let parent = match load_message(c, &chat.id, parent_id) {
                Ok(m) => m,
                Err(StoreError::NotFound) => return Ok(Err(Refusal::ThreadParentNotFound)),
                Err(e) => return Err(e),
            };
            let existing = match &parent.thread_chat_id {
                Some(t) => Some(load_chat(c, t)?),
                None => None,
            };
            (Some(parent), existing)
        }
    };
    // Where the message lands when it is not a new thread's first message.
    let landing = existing_thread.as_ref().unwrap_or(&chat);
    if landing.kind == "thread" && landing.closed {
        return Ok(Err(Refusal::ThreadClosed));
    }
    // `reply_to` names a message of the chat the post lands in or, in a thread, of the
    // thread's parent chat (a new thread is empty: its parent chat).
    let mut reply_chat = None;
    if let Some(reply) = &p.reply_to {
        let allowed = [
            Some(landing.id.as_str()),
            landing.parent_chat_id.as_deref(),
            thread_parent.as_ref().map(|m| m.chat_id.as_str()),
        ];
        match chat_of_message(c, reply)? {
            Some(found) if allowed.contains(&Some(found.as_str())) => reply_chat = Some(found),
            _ => return Ok(Err(Refusal::ReplyToNotFound)),
        }
    }
    // Every refusal is answered; writes start here.
    if let Some(parent) = &thread_parent {
        chat = match existing_thread {
            Some(t) => t,
            None => {
                let title = p
                    .thread_title
                    .clone()
                    .unwrap_or_else(|| thread_title(parent));
                let n = parent.seq;
                let thread = insert_chat(
                    c,
                    chat.org_id,
                    "thread",
                    &title,
                    chat.creator_id,
                    None,
                    None,
                    Some((&chat.id, &parent.id)),
                    None,
                    &format!("-T-{n}"),
                )?;
                c.prepare_cached("UPDATE messages SET thread_chat_id = ?1 WHERE id = ?2")
                    .map_err(map_err)?
                    .execute(params![thread.id, parent.id])
                    .map_err(map_err)?;
                // The parent message's sender follows the thread started under it.
                follow(c, &thread.id, parent.sender_id)?;
                let mut updated = parent.clone();
                updated.thread_chat_id = Some(thread.id.clone());
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    seq: chat_seq(c, &chat.id)?,
                    kind: ChatEventKind::MessageEdited(updated),
                });
                thread
            }
        };
    }
    let row = insert_message(
        c,
        Insert {
            chat_id: &chat.id,
            sender_id: p.sender_id,
            bot_id: p.bot_id,
            kind: &p.kind,
            body: &p.body,
            reply_to: p.reply_to.as_deref(),
            origin: None,
        },
    )?;
    events.push(ChatEvent {
        acl_chat_id: chat.acl_chat_id.clone(),
        seq: row.seq,
        kind: ChatEventKind::MessageCreated(row.clone()),
    });
    if chat.kind == "thread" {
        // Posting in a thread follows it.
        follow(c, &chat.id, p.sender_id)?;
        if opts.post_in_parent
            && let Some(parent_chat) = &chat.parent_chat_id
        {
            // The copy keeps `reply_to` only when it names a message of the parent chat.
            let reply_in_parent = p
                .reply_to
                .as_deref()
                .filter(|_| reply_chat.as_deref() == Some(parent_chat.as_str()));
            let copy = insert_message(
                c,
                Insert {
                    chat_id: parent_chat,
                    sender_id: p.sender_id,
                    bot_id: p.bot_id,
                    kind: &p.kind,
                    body: &p.body,
                    reply_to: reply_in_parent,
                    origin: Some((&chat.id, &row.id)),
                },
            )?;
            events.push(ChatEvent {
                acl_chat_id: chat.acl_chat_id.clone(),
                seq: copy.seq,
                kind: ChatEventKind::MessageCreated(copy),
            });
        }
    }
    Ok(Ok(row))
}

/// `user_id` follows thread `chat_id` (no-op when already following).
pub(super) fn follow(c: &Connection, chat_id: &str, user_id: i64) -> StoreResult<bool> {
    let n = c
        .prepare_cached(
            "INSERT OR IGNORE INTO thread_followers (chat_id, user_id, followed_at)
             VALUES (?1, ?2, ?3)",
        )
        .map_err(map_err)?
        .execute(params![chat_id, user_id, now_ms()])
        .map_err(map_err)?;
    Ok(n > 0)
}

/// A thread's default title: the start of its parent message's text.
pub(super) fn thread_title(parent: &MessageRow) -> String {
    let text = parent
        .body
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("Thread");
    text.chars().take(100).collect()
}

/// Users selected by `sql`, whose columns are `id, org_id, email, name, is_admin`.
pub(super) fn users_query(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
) -> StoreResult<Vec<UserRow>> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt
        .query_map(p, user_from_row)
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

pub(super) fn members_of(c: &Connection, chat_id: &str) -> StoreResult<Vec<UserRow>> {
    users_query(
        c,
        "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM chat_members m
         JOIN users u ON u.id = m.user_id WHERE m.chat_id = ?1 ORDER BY m.joined_at, u.id",
        [chat_id],
    )
}

pub(super) fn chats_query(
    c: &Connection,
    sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> StoreResult<Vec<ChatRow>> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt
        .query_map(p, chat_from_row)
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

pub(super) fn bot_chat(
    c: &Connection,
    org_id: i64,
    bot_id: i64,
    user_id: i64,
    events: &mut Vec<ChatEvent>,
) -> StoreResult<ChatRow> {
    let key = format!("bot:{bot_id}:{user_id}");
    let existing = c
        .prepare_cached("SELECT id FROM chats WHERE pair_key = ?1")
        .map_err(map_err)?
        .query_row([&key], |r| r.get::<_, String>(0))
        .optional()
        .map_err(map_err)?;
    if let Some(id) = existing {
        return load_chat(c, &id);
    }
    let title: String = c
        .prepare_cached("SELECT name FROM components WHERE id = ?1")
        .map_err(map_err)?
        .query_row([bot_id], |r| r.get(0))
        .map_err(map_err)?;
    let chat = insert_chat(
        c,
        org_id,
        "bot",
        &title,
        user_id,
        None,
        Some(bot_id),
        None,
        Some(&key),
        "-B2",
    )?;
    add_members(c, &chat.id, &[user_id], events)?;
    Ok(chat)
}
