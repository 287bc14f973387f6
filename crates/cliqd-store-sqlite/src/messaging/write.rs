//! Messaging writes that run inside the writer's transaction: chats, members, message slots,
//! followers and bot chats (the post itself is in `post.rs`).

use super::super::identity::user_from_row;
use super::super::{map_err, next_counter, now_ms};
use super::rows::*;
use cliqd_core::ids::ChatSuffix;
use cliqd_store::StoreResult;
use cliqd_store::messaging::*;
use cliqd_store::rows::UserRow;
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
    pub(super) mentions: &'a [MentionRow],
}

pub(super) fn insert_message(c: &Connection, m: Insert<'_>) -> StoreResult<MessageRow> {
    let (seq, time) = next_slot(c, m.chat_id)?;
    let n = next_counter(c, "message_n")?;
    let id = format!("{time}_{n}");
    let body = MessageBody::from(m.body.clone());
    c.prepare_cached(
        "INSERT INTO messages (chat_id, seq, id, time, sender_id, bot_id, kind, body, reply_to,
             origin_chat_id, origin_message_id, mentions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
        body.text(),
        m.reply_to,
        m.origin.map(|o| o.0),
        m.origin.map(|o| o.1),
        mentions_to_json(m.mentions)
    ])
    .map_err(map_err)?;
    index_mentions(c, &id, m.mentions)?;
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
        body,
        edited: false,
        reply_to: m.reply_to.map(str::to_string),
        thread_chat_id: None,
        origin_chat_id: m.origin.map(|o| o.0.to_string()),
        origin_message_id: m.origin.map(|o| o.1.to_string()),
        mentions: m.mentions.to_vec(),
    })
}

/// Indexes the users a new (or newly edited) message mentions (migration 8), for search.
pub(super) fn index_mentions(
    c: &Connection,
    message_id: &str,
    mentions: &[MentionRow],
) -> StoreResult<()> {
    for user_id in mentions.iter().filter_map(MentionRow::user_id) {
        c.prepare_cached(
            "INSERT OR IGNORE INTO message_mentions (user_id, message_id) VALUES (?1, ?2)",
        )
        .map_err(map_err)?
        .execute(params![user_id, message_id])
        .map_err(map_err)?;
    }
    Ok(())
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

/// Users selected by `sql`, whose columns are `id, org_id, email, name, is_admin`.
pub(super) fn users_query(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
) -> StoreResult<Vec<UserRow>> {
    crate::query_all(c, sql, p, user_from_row)
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
    crate::query_all(c, sql, p, chat_from_row)
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
        &ChatSuffix::Bot.render(),
    )?;
    add_members(c, &chat.id, &[user_id], events)?;
    Ok(chat)
}
