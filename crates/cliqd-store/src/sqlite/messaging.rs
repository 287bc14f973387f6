//! Messaging tables: chats, members, channels, messages, reactions, bot associations and
//! subscriptions. Every write that others can observe records a [`ChatEvent`].

use super::{SqliteStore, map_err, next_counter, now_ms};
use crate::messaging::*;
use crate::rows::UserRow;
use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

const CHAT_COLS: &str = "id, org_id, kind, title, creator_id, channel_id, bot_id, parent_chat_id, \
                         thread_message_id, acl_chat_id, created_at, last_time";

fn chat_from_row(r: &Row<'_>) -> rusqlite::Result<ChatRow> {
    Ok(ChatRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        creator_id: r.get(4)?,
        channel_id: r.get(5)?,
        bot_id: r.get(6)?,
        parent_chat_id: r.get(7)?,
        thread_message_id: r.get(8)?,
        acl_chat_id: r.get(9)?,
        created_at: r.get(10)?,
        last_time: r.get(11)?,
    })
}

const CHANNEL_COLS: &str = "ch.id, ch.org_id, ch.kind, ch.name, ch.unique_name, ch.description, \
    ch.creator_id, ch.team_ids, ch.chat_id, ch.created_at, \
    (SELECT COUNT(*) FROM chat_members m WHERE m.chat_id = ch.chat_id)";

fn channel_from_row(r: &Row<'_>) -> rusqlite::Result<(ChannelRow, String)> {
    Ok((
        ChannelRow {
            id: r.get(0)?,
            org_id: r.get(1)?,
            kind: r.get(2)?,
            name: r.get(3)?,
            unique_name: r.get(4)?,
            description: r.get(5)?,
            creator_id: r.get(6)?,
            team_ids: Vec::new(),
            chat_id: r.get(8)?,
            created_at: r.get(9)?,
            member_count: r.get(10)?,
        },
        r.get(7)?,
    ))
}

fn finish_channel((mut row, teams): (ChannelRow, String)) -> StoreResult<ChannelRow> {
    row.team_ids = serde_json::from_str(&teams).map_err(json_err)?;
    Ok(row)
}

const MSG_COLS: &str = "m.id, m.chat_id, m.seq, m.time, m.sender_id, u.name, m.bot_id, \
    (SELECT c.name FROM components c WHERE c.id = m.bot_id), m.kind, m.body, m.edited, \
    m.reply_to, m.thread_chat_id";
const MSG_FROM: &str = "messages m JOIN users u ON u.id = m.sender_id";

fn message_from_row(r: &Row<'_>) -> rusqlite::Result<(MessageRow, String)> {
    Ok((
        MessageRow {
            id: r.get(0)?,
            chat_id: r.get(1)?,
            seq: r.get(2)?,
            time: r.get(3)?,
            sender_id: r.get(4)?,
            sender_name: r.get(5)?,
            bot_id: r.get(6)?,
            bot_name: r.get(7)?,
            kind: r.get(8)?,
            body: Value::Null,
            edited: r.get(10)?,
            reply_to: r.get(11)?,
            thread_chat_id: r.get(12)?,
        },
        r.get(9)?,
    ))
}

fn finish_message((mut row, body): (MessageRow, String)) -> StoreResult<MessageRow> {
    row.body = serde_json::from_str(&body).map_err(json_err)?;
    Ok(row)
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Other(format!("corrupt JSON column: {e}"))
}

fn load_chat(c: &Connection, chat_id: &str) -> StoreResult<ChatRow> {
    c.prepare_cached(&format!("SELECT {CHAT_COLS} FROM chats WHERE id = ?1"))
        .map_err(map_err)?
        .query_row([chat_id], chat_from_row)
        .map_err(map_err)
}

fn load_channel_where(
    c: &Connection,
    clause: &str,
    p: &[&dyn rusqlite::ToSql],
) -> StoreResult<ChannelRow> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {CHANNEL_COLS} FROM channels ch WHERE {clause}"
        ))
        .map_err(map_err)?
        .query_row(p, channel_from_row)
        .map_err(map_err)?;
    finish_channel(raw)
}

fn load_message(c: &Connection, chat_id: &str, message_id: &str) -> StoreResult<MessageRow> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.id = ?1 AND m.chat_id = ?2"
        ))
        .map_err(map_err)?
        .query_row(params![message_id, chat_id], message_from_row)
        .map_err(map_err)?;
    finish_message(raw)
}

fn is_member_conn(c: &Connection, acl_chat_id: &str, user_id: i64) -> StoreResult<bool> {
    c.prepare_cached("SELECT 1 FROM chat_members WHERE chat_id = ?1 AND user_id = ?2")
        .map_err(map_err)?
        .query_row(params![acl_chat_id, user_id], |_| Ok(()))
        .optional()
        .map_err(map_err)
        .map(|o| o.is_some())
}

fn user_name(c: &Connection, user_id: i64) -> StoreResult<String> {
    c.prepare_cached("SELECT name FROM users WHERE id = ?1")
        .map_err(map_err)?
        .query_row([user_id], |r| r.get(0))
        .map_err(map_err)
}

fn check_users_in_org(c: &Connection, org_id: i64, users: &[i64]) -> StoreResult<()> {
    for u in users {
        let found = c
            .prepare_cached("SELECT 1 FROM users WHERE id = ?1 AND org_id = ?2")
            .map_err(map_err)?
            .query_row(params![u, org_id], |_| Ok(()))
            .optional()
            .map_err(map_err)?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

/// Inserts a chat; `suffix` marks bot chats (`-B2`) and threads (`-T-<n>`).
#[allow(clippy::too_many_arguments)]
fn insert_chat(
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
fn add_members(
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
                kind: ChatEventKind::MemberJoined {
                    chat_id: chat_id.to_string(),
                    user_id: *u,
                },
            });
        }
    }
    Ok(added)
}

/// Allocates the next position in a chat and its time, which never goes backwards.
fn next_slot(c: &Connection, chat_id: &str) -> StoreResult<(i64, i64)> {
    c.prepare_cached(
        "UPDATE chats SET last_seq = last_seq + 1, last_time = max(last_time, ?2)
         WHERE id = ?1 RETURNING last_seq, last_time",
    )
    .map_err(map_err)?
    .query_row(params![chat_id, now_ms()], |r| Ok((r.get(0)?, r.get(1)?)))
    .map_err(map_err)
}

struct Insert<'a> {
    chat_id: &'a str,
    sender_id: i64,
    bot_id: Option<i64>,
    kind: &'a str,
    body: &'a Value,
    reply_to: Option<&'a str>,
}

fn insert_message(c: &Connection, m: Insert<'_>) -> StoreResult<MessageRow> {
    let (seq, time) = next_slot(c, m.chat_id)?;
    let n = next_counter(c, "message_n")?;
    let id = format!("{time}_{n}");
    let body = serde_json::to_string(m.body).map_err(json_err)?;
    c.prepare_cached(
        "INSERT INTO messages (chat_id, seq, id, time, sender_id, bot_id, kind, body, reply_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
        m.reply_to
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
    })
}

/// The whole post: resolve, authorize, maybe open a thread, insert. Runs in the writer.
fn post(
    c: &Connection,
    p: &NewPost,
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
            Some(ch) => c
                .prepare_cached("SELECT 1 FROM channel_bots WHERE channel_id = ?1 AND bot_id = ?2")
                .map_err(map_err)?
                .query_row(params![ch, bot], |_| Ok(()))
                .optional()
                .map_err(map_err)?
                .is_some(),
            None => chat.bot_id == Some(bot),
        };
        if !associated {
            return Ok(Err(Refusal::BotNotMember));
        }
    }
    if let Some(parent_id) = &p.thread_message_id {
        if chat.kind == "thread" {
            return Ok(Err(Refusal::NestedThread));
        }
        let parent = match load_message(c, &chat.id, parent_id) {
            Ok(m) => m,
            Err(StoreError::NotFound) => return Ok(Err(Refusal::ThreadParentNotFound)),
            Err(e) => return Err(e),
        };
        chat = match parent.thread_chat_id {
            Some(t) => load_chat(c, &t)?,
            None => {
                let title = p
                    .thread_title
                    .clone()
                    .unwrap_or_else(|| thread_title(&parent));
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
                let mut updated = parent.clone();
                updated.thread_chat_id = Some(thread.id.clone());
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
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
        },
    )?;
    events.push(ChatEvent {
        acl_chat_id: chat.acl_chat_id,
        kind: ChatEventKind::MessageCreated(row.clone()),
    });
    Ok(Ok(row))
}

/// A thread's default title: the start of its parent message's text.
fn thread_title(parent: &MessageRow) -> String {
    let text = parent
        .body
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("Thread");
    text.chars().take(100).collect()
}

fn members_of(c: &Connection, chat_id: &str) -> StoreResult<Vec<UserRow>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM chat_members m
             JOIN users u ON u.id = m.user_id WHERE m.chat_id = ?1 ORDER BY m.joined_at, u.id",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([chat_id], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                org_id: r.get(1)?,
                email: r.get(2)?,
                name: r.get(3)?,
                is_admin: r.get(4)?,
            })
        })
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

fn chats_query(c: &Connection, sql: &str, p: &[&dyn rusqlite::ToSql]) -> StoreResult<Vec<ChatRow>> {
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt
        .query_map(p, chat_from_row)
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

fn bot_chat(
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

#[async_trait]
impl MessagingStore for SqliteStore {
    fn chat_events(&self) -> tokio::sync::broadcast::Receiver<ChatEvent> {
        self.inner.events.subscribe()
    }

    async fn create_channel(&self, new: NewChannel) -> StoreResult<ChannelRow> {
        self.write_events(move |c, events| {
            let letter = CHANNEL_KINDS
                .iter()
                .find(|(k, _)| *k == new.kind)
                .map(|(_, l)| *l)
                .ok_or_else(|| StoreError::Other(format!("unknown channel kind {}", new.kind)))?;
            let mut members = vec![new.creator_id];
            members.extend(new.members.iter().copied().filter(|m| *m != new.creator_id));
            check_users_in_org(c, new.org_id, &members)?;
            let id = format!("{letter}{}", next_counter(c, "channel_id")?);
            let chat = insert_chat(
                c,
                new.org_id,
                "channel",
                &new.name,
                new.creator_id,
                Some(&id),
                None,
                None,
                None,
                "",
            )?;
            let teams = serde_json::to_string(&new.team_ids).map_err(json_err)?;
            c.execute(
                "INSERT INTO channels (id, org_id, kind, name, unique_name, description, creator_id,
                     team_ids, chat_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    new.org_id,
                    new.kind,
                    new.name,
                    new.unique_name,
                    new.description,
                    new.creator_id,
                    teams,
                    chat.id,
                    chat.created_at
                ],
            )
            .map_err(map_err)?;
            add_members(c, &chat.id, &members, events)?;
            load_channel_where(c, "ch.id = ?1", &[&id])
        })
        .await
    }

    async fn channel_by_id(&self, org_id: i64, id: &str) -> StoreResult<ChannelRow> {
        let id = id.to_string();
        self.read(move |c| load_channel_where(c, "ch.id = ?1 AND ch.org_id = ?2", &[&id, &org_id]))
            .await
    }

    async fn channel_by_unique_name(
        &self,
        org_id: i64,
        unique_name: &str,
    ) -> StoreResult<ChannelRow> {
        let name = unique_name.to_string();
        self.read(move |c| {
            load_channel_where(
                c,
                "ch.unique_name = ?1 AND ch.org_id = ?2",
                &[&name, &org_id],
            )
        })
        .await
    }

    async fn channels_of_user(&self, user_id: i64) -> StoreResult<Vec<ChannelRow>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {CHANNEL_COLS} FROM channels ch JOIN chat_members m
                     ON m.chat_id = ch.chat_id AND m.user_id = ?1 ORDER BY ch.created_at, ch.id"
                ))
                .map_err(map_err)?;
            let raw = stmt
                .query_map([user_id], channel_from_row)
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            raw.into_iter().map(finish_channel).collect()
        })
        .await
    }

    async fn get_chat(&self, org_id: i64, chat_id: &str) -> StoreResult<ChatRow> {
        let id = chat_id.to_string();
        self.read(move |c| {
            let chat = load_chat(c, &id)?;
            if chat.org_id != org_id {
                return Err(StoreError::NotFound);
            }
            Ok(chat)
        })
        .await
    }

    async fn is_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.read(move |c| {
            let acl: String = c
                .prepare_cached("SELECT acl_chat_id FROM chats WHERE id = ?1")
                .map_err(map_err)?
                .query_row([&id], |r| r.get(0))
                .map_err(map_err)?;
            is_member_conn(c, &acl, user_id)
        })
        .await
    }

    async fn chat_members(&self, chat_id: &str) -> StoreResult<Vec<UserRow>> {
        let id = chat_id.to_string();
        self.read(move |c| members_of(c, &id)).await
    }

    async fn add_chat_members(&self, chat_id: &str, user_ids: Vec<i64>) -> StoreResult<Vec<i64>> {
        let id = chat_id.to_string();
        self.write_events(move |c, events| {
            let chat = load_chat(c, &id)?;
            check_users_in_org(c, chat.org_id, &user_ids)?;
            add_members(c, &chat.acl_chat_id, &user_ids, events)
        })
        .await
    }

    async fn remove_chat_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.write_events(move |c, events| {
            let chat = load_chat(c, &id)?;
            let n = c
                .execute(
                    "DELETE FROM chat_members WHERE chat_id = ?1 AND user_id = ?2",
                    params![chat.acl_chat_id, user_id],
                )
                .map_err(map_err)?;
            if n > 0 {
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    kind: ChatEventKind::MemberLeft {
                        chat_id: chat.acl_chat_id,
                        user_id,
                    },
                });
            }
            Ok(n > 0)
        })
        .await
    }

    async fn chats_of_user(&self, user_id: i64) -> StoreResult<Vec<ChatRow>> {
        self.read(move |c| {
            chats_query(
                c,
                &format!(
                    "SELECT {CHAT_COLS} FROM chats WHERE id IN
                     (SELECT chat_id FROM chat_members WHERE user_id = ?1)
                     ORDER BY last_time DESC, id"
                ),
                &[&user_id],
            )
        })
        .await
    }

    async fn chat_ids_of_user(&self, user_id: i64) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT chat_id FROM chat_members WHERE user_id = ?1")
                .map_err(map_err)?;
            let ids = stmt
                .query_map([user_id], |r| r.get(0))
                .map_err(map_err)?
                .collect::<Result<Vec<String>, _>>()
                .map_err(map_err)?;
            Ok(ids)
        })
        .await
    }

    async fn open_direct_chat(&self, org_id: i64, a: i64, b: i64) -> StoreResult<ChatRow> {
        self.write_events(move |c, events| {
            check_users_in_org(c, org_id, &[a, b])?;
            let key = format!("dm:{}:{}", a.min(b), a.max(b));
            let existing = c
                .prepare_cached("SELECT id FROM chats WHERE pair_key = ?1")
                .map_err(map_err)?
                .query_row([&key], |r| r.get::<_, String>(0))
                .optional()
                .map_err(map_err)?;
            if let Some(id) = existing {
                return load_chat(c, &id);
            }
            let title = user_name(c, b)?;
            let chat = insert_chat(
                c,
                org_id,
                "direct_message",
                &title,
                a,
                None,
                None,
                None,
                Some(&key),
                "",
            )?;
            add_members(c, &chat.id, &[a, b], events)?;
            Ok(chat)
        })
        .await
    }

    async fn create_group_chat(
        &self,
        org_id: i64,
        creator_id: i64,
        title: &str,
        members: Vec<i64>,
    ) -> StoreResult<ChatRow> {
        let title = title.to_string();
        self.write_events(move |c, events| {
            let mut all = vec![creator_id];
            all.extend(members.iter().copied().filter(|m| *m != creator_id));
            check_users_in_org(c, org_id, &all)?;
            let chat = insert_chat(
                c,
                org_id,
                "group_chat",
                &title,
                creator_id,
                None,
                None,
                None,
                None,
                "",
            )?;
            add_members(c, &chat.id, &all, events)?;
            Ok(chat)
        })
        .await
    }

    async fn post_message(&self, p: NewPost) -> StoreResult<Result<MessageRow, Refusal>> {
        self.write_events(move |c, events| post(c, &p, events))
            .await
    }

    async fn post_bot_messages(
        &self,
        org_id: i64,
        bot_id: i64,
        sender_id: i64,
        user_ids: Vec<i64>,
        kind: String,
        body: Value,
    ) -> StoreResult<Vec<(i64, MessageRow)>> {
        self.write_events(move |c, events| {
            check_users_in_org(c, org_id, &user_ids)?;
            let mut out = Vec::new();
            for u in user_ids {
                let chat = bot_chat(c, org_id, bot_id, u, events)?;
                let row = insert_message(
                    c,
                    Insert {
                        chat_id: &chat.id,
                        sender_id,
                        bot_id: Some(bot_id),
                        kind: &kind,
                        body: &body,
                        reply_to: None,
                    },
                )?;
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    kind: ChatEventKind::MessageCreated(row.clone()),
                });
                out.push((u, row));
            }
            Ok(out)
        })
        .await
    }

    async fn list_messages(&self, q: MessageQuery) -> StoreResult<Vec<MessageRow>> {
        self.read(move |c| {
            let to = q.to_time.unwrap_or(i64::MAX);
            // Every shape walks an index from one end and stops after `limit` rows, so the
            // cost does not grow with the chat's size: the cursor walks (chat_id, seq), time
            // bounds walk (chat_id, time, seq). Time never decreases along seq, so both orders agree.
            let (sql, newest_first, from) = match (q.after_seq, q.from_time) {
                (Some(after), from) => (
                    "m.chat_id = ?1 AND m.seq > ?2 AND m.time >= ?3 AND m.time <= ?4 ORDER BY m.seq LIMIT ?5",
                    false,
                    (after, from.unwrap_or(i64::MIN)),
                ),
                (None, Some(from)) => (
                    "m.chat_id = ?1 AND ?2 = 0 AND m.time >= ?3 AND m.time <= ?4 ORDER BY m.time, m.seq LIMIT ?5",
                    false,
                    (0, from),
                ),
                (None, None) => (
                    "m.chat_id = ?1 AND ?2 = 0 AND m.time >= ?3 AND m.time <= ?4 ORDER BY m.time DESC, m.seq DESC LIMIT ?5",
                    true,
                    (0, i64::MIN),
                ),
            };
            let mut stmt = c
                .prepare_cached(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE {sql}"))
                .map_err(map_err)?;
            let raw = stmt
                .query_map(params![q.chat_id, from.0, from.1, to, q.limit], message_from_row)
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            let mut rows = raw
                .into_iter()
                .map(finish_message)
                .collect::<StoreResult<Vec<_>>>()?;
            if newest_first {
                rows.reverse();
            }
            Ok(rows)
        })
        .await
    }

    async fn get_message(&self, chat_id: &str, message_id: &str) -> StoreResult<MessageRow> {
        let (chat, id) = (chat_id.to_string(), message_id.to_string());
        self.read(move |c| load_message(c, &chat, &id)).await
    }

    async fn edit_message(
        &self,
        chat_id: &str,
        message_id: &str,
        body: Value,
    ) -> StoreResult<MessageRow> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.write_events(move |c, events| {
            let text = serde_json::to_string(&body).map_err(json_err)?;
            let n = c
                .execute(
                    "UPDATE messages SET body = ?1, edited = 1 WHERE id = ?2 AND chat_id = ?3",
                    params![text, id, chat_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let row = load_message(c, &chat_id, &id)?;
            let acl = load_chat(c, &chat_id)?.acl_chat_id;
            events.push(ChatEvent {
                acl_chat_id: acl,
                kind: ChatEventKind::MessageEdited(row.clone()),
            });
            Ok(row)
        })
        .await
    }

    async fn delete_message(&self, chat_id: &str, message_id: &str) -> StoreResult<()> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.write_events(move |c, events| {
            let n = c
                .execute(
                    "DELETE FROM messages WHERE id = ?1 AND chat_id = ?2",
                    params![id, chat_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            c.execute("DELETE FROM reactions WHERE message_id = ?1", [&id])
                .map_err(map_err)?;
            let acl = load_chat(c, &chat_id)?.acl_chat_id;
            events.push(ChatEvent {
                acl_chat_id: acl,
                kind: ChatEventKind::MessageDeleted {
                    chat_id,
                    message_id: id,
                },
            });
            Ok(())
        })
        .await
    }

    async fn add_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool> {
        let (chat_id, id, emoji) = (
            chat_id.to_string(),
            message_id.to_string(),
            emoji.to_string(),
        );
        self.write_events(move |c, events| {
            load_message(c, &chat_id, &id)?;
            let time = now_ms();
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO reactions (message_id, emoji, user_id, time)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, emoji, user_id, time],
                )
                .map_err(map_err)?;
            if n > 0 {
                let acl = load_chat(c, &chat_id)?.acl_chat_id;
                events.push(ChatEvent {
                    acl_chat_id: acl,
                    kind: ChatEventKind::ReactionAdded {
                        chat_id,
                        message_id: id,
                        reaction: ReactionRow {
                            emoji,
                            user_id,
                            user_name: user_name(c, user_id)?,
                            time,
                        },
                    },
                });
            }
            Ok(n > 0)
        })
        .await
    }

    async fn remove_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool> {
        let (chat_id, id, emoji) = (
            chat_id.to_string(),
            message_id.to_string(),
            emoji.to_string(),
        );
        self.write_events(move |c, events| {
            load_message(c, &chat_id, &id)?;
            let time: Option<i64> = c
                .query_row(
                    "DELETE FROM reactions WHERE message_id = ?1 AND emoji = ?2 AND user_id = ?3
                     RETURNING time",
                    params![id, emoji, user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            let Some(time) = time else {
                return Ok(false);
            };
            let acl = load_chat(c, &chat_id)?.acl_chat_id;
            events.push(ChatEvent {
                acl_chat_id: acl,
                kind: ChatEventKind::ReactionRemoved {
                    chat_id,
                    message_id: id,
                    reaction: ReactionRow {
                        emoji,
                        user_id,
                        user_name: user_name(c, user_id)?,
                        time,
                    },
                },
            });
            Ok(true)
        })
        .await
    }

    async fn reactions(&self, chat_id: &str, message_id: &str) -> StoreResult<Vec<ReactionRow>> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.read(move |c| {
            load_message(c, &chat_id, &id)?;
            let mut stmt = c
                .prepare_cached(
                    "SELECT r.emoji, r.user_id, u.name, r.time FROM reactions r
                     JOIN users u ON u.id = r.user_id WHERE r.message_id = ?1
                     ORDER BY r.time, r.user_id",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map([&id], |r| {
                    Ok(ReactionRow {
                        emoji: r.get(0)?,
                        user_id: r.get(1)?,
                        user_name: r.get(2)?,
                        time: r.get(3)?,
                    })
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            Ok(rows)
        })
        .await
    }

    async fn associate_bot(&self, channel_id: &str, bot_id: i64) -> StoreResult<bool> {
        let id = channel_id.to_string();
        self.write(move |c| {
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO channel_bots (channel_id, bot_id) VALUES (?1, ?2)",
                    params![id, bot_id],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn channel_bots(&self, channel_id: &str) -> StoreResult<Vec<i64>> {
        let id = channel_id.to_string();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT bot_id FROM channel_bots WHERE channel_id = ?1")
                .map_err(map_err)?;
            let ids = stmt
                .query_map([&id], |r| r.get(0))
                .map_err(map_err)?
                .collect::<Result<Vec<i64>, _>>()
                .map_err(map_err)?;
            Ok(ids)
        })
        .await
    }

    async fn subscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool> {
        self.write(move |c| {
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO bot_subscribers (bot_id, user_id, created_at)
                     VALUES (?1, ?2, ?3)",
                    params![bot_id, user_id, now_ms()],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn unsubscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool> {
        self.write(move |c| {
            let n = c
                .execute(
                    "DELETE FROM bot_subscribers WHERE bot_id = ?1 AND user_id = ?2",
                    params![bot_id, user_id],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn bot_subscribers(&self, bot_id: i64) -> StoreResult<Vec<UserRow>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM bot_subscribers s
                     JOIN users u ON u.id = s.user_id WHERE s.bot_id = ?1
                     ORDER BY s.created_at, u.id",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map([bot_id], |r| {
                    Ok(UserRow {
                        id: r.get(0)?,
                        org_id: r.get(1)?,
                        email: r.get(2)?,
                        name: r.get(3)?,
                        is_admin: r.get(4)?,
                    })
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            Ok(rows)
        })
        .await
    }

    async fn create_webhook_token(
        &self,
        user_id: i64,
        hash: &str,
        name: &str,
        max: usize,
    ) -> StoreResult<bool> {
        let (hash, name) = (hash.to_string(), name.to_string());
        self.write(move |c| {
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM webhook_tokens WHERE user_id = ?1",
                    [user_id],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if n as usize >= max {
                return Ok(false);
            }
            c.execute(
                "INSERT INTO webhook_tokens (hash, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![hash, user_id, name, now_ms()],
            )
            .map_err(map_err)?;
            Ok(true)
        })
        .await
    }

    async fn webhook_token_user(&self, hash: &str) -> StoreResult<UserRow> {
        let hash = hash.to_string();
        self.read(move |c| {
            c.query_row(
                "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM webhook_tokens w
                 JOIN users u ON u.id = w.user_id WHERE w.hash = ?1",
                [hash],
                |r| {
                    Ok(UserRow {
                        id: r.get(0)?,
                        org_id: r.get(1)?,
                        email: r.get(2)?,
                        name: r.get(3)?,
                        is_admin: r.get(4)?,
                    })
                },
            )
            .map_err(map_err)
        })
        .await
    }
}
