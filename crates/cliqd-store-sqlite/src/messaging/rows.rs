//! Messaging row mapping and the small reads shared by the writer jobs and the readers.

use super::super::{exists, map_err};
use cliqd_store::messaging::*;
use cliqd_store::{StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

/// [`CHAT_COLS`] as a literal, for statements written out whole with `concat!` (the hot
/// reads: no SQL text formatted per call).
macro_rules! chat_cols {
    () => {
        "id, org_id, kind, title, creator_id, channel_id, bot_id, parent_chat_id, \
         thread_message_id, acl_chat_id, created_at, last_time, closed"
    };
}
pub(super) const CHAT_COLS: &str = chat_cols!();

pub(super) fn chat_from_row(r: &Row<'_>) -> rusqlite::Result<ChatRow> {
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
        closed: r.get(12)?,
    })
}

pub(super) const CHANNEL_COLS: &str = "ch.id, ch.org_id, ch.kind, ch.name, ch.unique_name, ch.description, \
    ch.creator_id, ch.team_ids, ch.chat_id, ch.created_at, \
    (SELECT COUNT(*) FROM chat_members m WHERE m.chat_id = ch.chat_id)";

pub(super) fn channel_from_row(r: &Row<'_>) -> rusqlite::Result<(ChannelRow, String)> {
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

pub(super) fn finish_channel((mut row, teams): (ChannelRow, String)) -> StoreResult<ChannelRow> {
    row.team_ids = serde_json::from_str(&teams).map_err(json_err)?;
    Ok(row)
}

/// [`MSG_COLS`] as a literal, for statements written out whole with `concat!`. The sender's
/// and the bot's names are not columns of the message: [`finish_message`] reads each once per
/// read ([`Names`]), not once per row as a join would.
macro_rules! msg_cols {
    () => {
        "m.id, m.chat_id, m.seq, m.time, m.sender_id, m.bot_id, m.kind, m.body, m.edited, \
         m.reply_to, m.thread_chat_id, m.origin_chat_id, m.origin_message_id, m.mentions"
    };
}
/// `SELECT` [`MSG_COLS`] from the messages, as a literal.
macro_rules! select_msg {
    () => {
        concat!(
            "SELECT ",
            $crate::messaging::rows::msg_cols!(),
            " FROM messages m"
        )
    };
}
pub(super) use msg_cols;
pub(super) const MSG_COLS: &str = msg_cols!();
/// How many columns [`MSG_COLS`] selects.
pub(super) const MSG_COL_COUNT: usize = 14;

/// A message row as read, with its mentions column still text and its names not yet read.
pub(super) type RawMessage = (MessageRow, Option<String>);

pub(super) fn message_from_row(r: &Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok((
        MessageRow {
            id: r.get(0)?,
            chat_id: r.get(1)?,
            seq: r.get(2)?,
            time: r.get(3)?,
            sender_id: r.get(4)?,
            sender_name: String::new(),
            bot_id: r.get(5)?,
            bot_name: None,
            kind: r.get(6)?,
            // Only checked to be JSON: reads splice the text into their replies unparsed.
            body: MessageBody::from_stored(r.get(7)?).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
            })?,
            edited: r.get(8)?,
            reply_to: r.get(9)?,
            thread_chat_id: r.get(10)?,
            origin_chat_id: r.get(11)?,
            origin_message_id: r.get(12)?,
            mentions: Vec::new(),
        },
        r.get(13)?,
    ))
}

/// The current names of the senders and bots of the messages one read returns, each read
/// once: a page usually has a few senders for its 50 messages.
#[derive(Default)]
pub(super) struct Names {
    users: Vec<(i64, String)>,
    bots: Vec<(i64, Option<String>)>,
}

impl Names {
    /// Where `id`'s name is ([`Self::user_name`]), read on first use.
    pub(super) fn user_index(&mut self, c: &Connection, id: i64) -> StoreResult<usize> {
        if let Some(i) = self.users.iter().position(|(u, _)| *u == id) {
            return Ok(i);
        }
        self.users.push((id, user_name(c, id)?));
        Ok(self.users.len() - 1)
    }

    pub(super) fn user_name(&self, index: usize) -> &str {
        self.users.get(index).map_or("", |(_, n)| n)
    }

    /// Where bot `id`'s name is ([`Self::bot_name`]), read on first use.
    pub(super) fn bot_index(&mut self, c: &Connection, id: i64) -> StoreResult<usize> {
        if let Some(i) = self.bots.iter().position(|(b, _)| *b == id) {
            return Ok(i);
        }
        let name: Option<String> = c
            .prepare_cached("SELECT name FROM components WHERE id = ?1")
            .map_err(map_err)?
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(map_err)?;
        self.bots.push((id, name));
        Ok(self.bots.len() - 1)
    }

    /// A deleted bot has no name.
    pub(super) fn bot_name(&self, index: usize) -> Option<&str> {
        self.bots.get(index).and_then(|(_, n)| n.as_deref())
    }
}

/// Completes a row as read: its mentions, and its sender's and bot's names.
pub(super) fn finish_message(
    c: &Connection,
    names: &mut Names,
    (mut row, mentions): RawMessage,
) -> StoreResult<MessageRow> {
    if let Some(m) = mentions {
        row.mentions = mentions_from_json(&m)?;
    }
    let user = names.user_index(c, row.sender_id)?;
    row.sender_name = names.user_name(user).to_string();
    if let Some(bot) = row.bot_id {
        let bot = names.bot_index(c, bot)?;
        row.bot_name = names.bot_name(bot).map(str::to_string);
    }
    Ok(row)
}

/// The `mentions` column of a message: a JSON array, or NULL when there is none.
pub(super) fn mentions_to_json(mentions: &[MentionRow]) -> Option<String> {
    if mentions.is_empty() {
        return None;
    }
    let items: Vec<Value> = mentions
        .iter()
        .map(|m| {
            let mut o = serde_json::Map::new();
            o.insert("type".into(), m.kind.as_str().into());
            o.insert("id".into(), m.id.clone().into());
            o.insert("name".into(), m.name.clone().into());
            for (k, v) in [
                ("dname", &m.dname),
                ("first_name", &m.first_name),
                ("last_name", &m.last_name),
                ("email", &m.email),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), v.clone().into());
                }
            }
            if m.silent {
                o.insert("silent".into(), true.into());
            }
            Value::Object(o)
        })
        .collect();
    Some(Value::Array(items).to_string())
}

pub(super) fn mentions_from_json(raw: &str) -> StoreResult<Vec<MentionRow>> {
    let corrupt = || StoreError::Other("corrupt mentions column".into());
    let items: Vec<Value> = serde_json::from_str(raw).map_err(json_err)?;
    items
        .iter()
        .map(|v| {
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            Ok(MentionRow {
                kind: text("type")
                    .and_then(|t| MentionKind::parse(&t))
                    .ok_or_else(corrupt)?,
                id: text("id").ok_or_else(corrupt)?,
                name: text("name").unwrap_or_default(),
                dname: text("dname"),
                first_name: text("first_name"),
                last_name: text("last_name"),
                email: text("email"),
                silent: v.get("silent").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

pub(super) fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Other(format!("corrupt JSON column: {e}"))
}

pub(super) fn load_chat(c: &Connection, chat_id: &str) -> StoreResult<ChatRow> {
    c.prepare_cached(concat!(
        "SELECT ",
        chat_cols!(),
        " FROM chats WHERE id = ?1"
    ))
    .map_err(map_err)?
    .query_row([chat_id], chat_from_row)
    .map_err(map_err)
}

pub(super) fn load_channel_where(
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

pub(super) fn load_message(
    c: &Connection,
    chat_id: &str,
    message_id: &str,
) -> StoreResult<MessageRow> {
    let raw = c
        .prepare_cached(concat!(
            select_msg!(),
            " WHERE m.id = ?1 AND m.chat_id = ?2"
        ))
        .map_err(map_err)?
        .query_row(params![message_id, chat_id], message_from_row)
        .map_err(map_err)?;
    finish_message(c, &mut Names::default(), raw)
}

pub(super) fn is_member_conn(c: &Connection, acl_chat_id: &str, user_id: i64) -> StoreResult<bool> {
    exists(
        c,
        "SELECT 1 FROM chat_members WHERE chat_id = ?1 AND user_id = ?2",
        params![acl_chat_id, user_id],
    )
}

/// The chat holding message `message_id`, if any (message ids are unique across chats).
pub(super) fn chat_of_message(c: &Connection, message_id: &str) -> StoreResult<Option<String>> {
    c.prepare_cached("SELECT chat_id FROM messages WHERE id = ?1")
        .map_err(map_err)?
        .query_row([message_id], |r| r.get(0))
        .optional()
        .map_err(map_err)
}

pub(super) fn user_name(c: &Connection, user_id: i64) -> StoreResult<String> {
    c.prepare_cached("SELECT name FROM users WHERE id = ?1")
        .map_err(map_err)?
        .query_row([user_id], |r| r.get(0))
        .map_err(map_err)
}

pub(super) fn check_users_in_org(c: &Connection, org_id: i64, users: &[i64]) -> StoreResult<()> {
    for u in users {
        if !exists(
            c,
            "SELECT 1 FROM users WHERE id = ?1 AND org_id = ?2",
            params![u, org_id],
        )? {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}
