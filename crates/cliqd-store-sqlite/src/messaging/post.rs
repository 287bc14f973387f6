//! The post, in three steps inside the writer's transaction: load the facts the request needs,
//! ask the domain core ([`cliqd_core::policy::plan_post`]) for the plan or the refusal, and
//! write the plan. The posting rules live in the core; this module only reads and writes.
//!
//! Queries before the first write, by request: a plain post reads the target chat and the
//! sender's membership; a bot adds its channel association (and, in a thread, the parent
//! chat); `thread_message_id` adds the parent message and any thread under it; `reply_to`
//! adds the chat of the replied message.

use super::super::{exists, map_err};
use super::rows::*;
use super::runtime::message_triggers;
use super::write::{Insert, chat_seq, follow, insert_chat, insert_message};
use cliqd_core::ChatKind;
use cliqd_core::policy::{
    BotFacts, ChatFacts, Landing, ParentMessage, PostFacts, PostPlan, ReplyFacts, Target,
    ThreadFacts, bot_channel, plan_post,
};
use cliqd_store::messaging::*;
use cliqd_store::{StoreError, StoreResult, TriggerKind};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// A chat's facts and its access chat (`acl_chat_id`), or `None` when there is no such chat.
fn load_chat_facts(c: &Connection, id: String) -> StoreResult<Option<(ChatFacts, String)>> {
    let found = c
        .prepare_cached(
            "SELECT org_id, kind, creator_id, channel_id, bot_id, parent_chat_id, closed,
                 acl_chat_id FROM chats WHERE id = ?1",
        )
        .map_err(map_err)?
        .query_row([&id], |r| {
            // The kind is parsed in place, without copying the column.
            let kind = r.get_ref(1)?.as_str()?.parse::<ChatKind>();
            Ok((
                r.get::<_, i64>(0)?,
                kind,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .optional()
        .map_err(map_err)?;
    let Some((org_id, kind, creator_id, channel_id, bot_id, parent_chat_id, closed, acl)) = found
    else {
        return Ok(None);
    };
    let kind = kind.map_err(|e| StoreError::Other(format!("chat {id}: {e}")))?;
    let facts = ChatFacts {
        id,
        org_id,
        kind,
        creator_id,
        channel_id,
        bot_id,
        parent_chat_id,
        closed,
    };
    Ok(Some((facts, acl)))
}

/// The chat a post's target names (a chat id is taken as is), or `None` when a channel target
/// names no channel of the organization.
fn resolve_target(
    c: &Connection,
    org_id: i64,
    target: &mut PostTarget,
) -> StoreResult<Option<String>> {
    let (sql, key) = match target {
        PostTarget::Chat(id) => return Ok(Some(std::mem::take(id))),
        PostTarget::ChannelId(id) => (
            "SELECT chat_id FROM channels WHERE id = ?1 AND org_id = ?2",
            id,
        ),
        PostTarget::ChannelUniqueName(name) => (
            "SELECT chat_id FROM channels WHERE unique_name = ?1 AND org_id = ?2",
            name,
        ),
    };
    c.prepare_cached(sql)
        .map_err(map_err)?
        .query_row(params![key.as_str(), org_id], |r| r.get::<_, String>(0))
        .optional()
        .map_err(map_err)
}

/// What the writer needs besides the facts: the access chats events are published to, and the
/// parent message as stored (a new thread marks it, and its edit is published).
struct Loaded {
    /// The target chat's access chat.
    acl: String,
    /// An existing thread under the parent message: its id and access chat.
    thread: Option<(String, String)>,
    parent_row: Option<MessageRow>,
}

/// Loads what [`plan_post`] decides from, only as much as the request needs: nothing past the
/// target when it names no chat, the parent chat only for a bot posting in a thread, no
/// thread lookups without `thread_message_id` (nor when the target is itself a thread), no
/// `reply_to` lookup without one.
fn load_facts(
    c: &Connection,
    p: &mut NewPost,
    opts: PostOptions,
) -> StoreResult<(PostFacts, Option<Loaded>)> {
    let mut facts = PostFacts {
        org_id: p.org_id,
        sender_id: p.sender_id,
        target: Target::ChannelNotFound,
        parent: None,
        sender_is_member: false,
        bot: None,
        thread: None,
        reply_to: None,
        post_in_parent: opts.post_in_parent,
    };
    let Some(chat_id) = resolve_target(c, p.org_id, &mut p.target)? else {
        return Ok((facts, None));
    };
    let Some((chat, acl)) = load_chat_facts(c, chat_id)? else {
        facts.target = Target::ChatNotFound;
        return Ok((facts, None));
    };
    facts.sender_is_member = is_member_conn(c, &acl, p.sender_id)?;
    if let Some(bot_id) = p.bot_id {
        // A bot's channel is the chat's, or for a thread its parent chat's.
        if let Some(parent) = &chat.parent_chat_id {
            let (parent, _) = load_chat_facts(c, parent.clone())?.ok_or(StoreError::NotFound)?;
            facts.parent = Some(parent);
        }
        let channel_id = bot_channel(&chat, facts.parent.as_ref()).map(str::to_string);
        let associated = match &channel_id {
            Some(ch) => exists(
                c,
                "SELECT 1 FROM channel_bots WHERE channel_id = ?1 AND bot_id = ?2",
                params![ch, bot_id],
            )?,
            None => false,
        };
        facts.bot = Some(BotFacts {
            bot_id,
            channel_id,
            associated,
        });
    }
    let mut loaded = Loaded {
        acl,
        thread: None,
        parent_row: None,
    };
    if let Some(parent_id) = &p.thread_message_id {
        let mut thread = ThreadFacts {
            parent: None,
            existing: None,
            title: p.thread_title.take(),
        };
        // A thread holds no thread: its messages need no lookup.
        if chat.kind != ChatKind::Thread {
            match load_message(c, &chat.id, parent_id) {
                Ok(row) => {
                    if let Some(t) = &row.thread_chat_id {
                        let (existing, acl) =
                            load_chat_facts(c, t.clone())?.ok_or(StoreError::NotFound)?;
                        loaded.thread = Some((existing.id.clone(), acl));
                        thread.existing = Some(existing);
                    }
                    thread.parent = Some(ParentMessage {
                        id: row.id.clone(),
                        chat_id: row.chat_id.clone(),
                        seq: row.seq,
                        sender_id: row.sender_id,
                        text: row
                            .body
                            .get("text")
                            .and_then(Value::as_str)
                            .map(String::from),
                    });
                    loaded.parent_row = Some(row);
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        facts.thread = Some(thread);
    }
    if let Some(message_id) = p.reply_to.take() {
        let found_in = chat_of_message(c, &message_id)?;
        facts.reply_to = Some(ReplyFacts {
            message_id,
            found_in,
        });
    }
    facts.target = Target::Chat(chat);
    Ok((facts, Some(loaded)))
}

/// The whole post: load the facts, ask the core, write the plan. Runs in the writer without a
/// savepoint: every refusal is answered before the first write.
pub(crate) fn post(
    c: &Connection,
    mut p: NewPost,
    opts: PostOptions,
    events: &mut Vec<ChatEvent>,
) -> StoreResult<Result<MessageRow, Refusal>> {
    let (facts, loaded) = load_facts(c, &mut p, opts)?;
    let plan = match plan_post(&facts) {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let loaded = loaded
        .ok_or_else(|| StoreError::Other("a post was planned without a target chat".into()))?;
    let reply_to = facts.reply_to.as_ref().map(|r| r.message_id.clone());
    let row = write_plan(c, &p, plan, loaded, reply_to.as_deref(), events)?;
    if let Target::Chat(chat) = &facts.target {
        // The channel the chat belongs to; a thread's is its parent chat's.
        let channel = match (&chat.channel_id, &chat.parent_chat_id, &facts.parent) {
            (Some(ch), _, _) => Some(ch.clone()),
            (None, Some(_), Some(parent)) => parent.channel_id.clone(),
            (None, Some(parent), None) => {
                load_chat_facts(c, parent.clone())?.and_then(|(parent, _)| parent.channel_id)
            }
            (None, None, _) => None,
        };
        message_triggers(
            c,
            p.org_id,
            &row,
            TriggerKind::MessagePosted,
            chat.kind,
            chat.bot_id,
            channel.as_deref(),
        )?;
    }
    Ok(Ok(row))
}

/// Writes an accepted post: maybe open the thread, insert the message, follow, copy.
fn write_plan(
    c: &Connection,
    p: &NewPost,
    plan: PostPlan,
    loaded: Loaded,
    reply_to: Option<&str>,
    events: &mut Vec<ChatEvent>,
) -> StoreResult<MessageRow> {
    let PostPlan {
        landing,
        follow: followers,
        parent_copy,
    } = plan;
    let Loaded {
        acl,
        thread,
        parent_row,
    } = loaded;
    // The chat the message lands in and its access chat.
    let (chat_id, chat_acl) = match landing {
        Landing::Chat(chat) => match thread {
            Some((thread_id, thread_acl)) if thread_id == chat.id => (chat.id, thread_acl),
            _ => (chat.id, acl),
        },
        Landing::NewThread(t) => {
            let thread = insert_chat(
                c,
                t.org_id,
                ChatKind::Thread.as_str(),
                &t.title,
                t.creator_id,
                None,
                None,
                Some((&t.parent_chat_id, &t.parent_message_id)),
                None,
                &t.suffix.render(),
            )?;
            c.prepare_cached("UPDATE messages SET thread_chat_id = ?1 WHERE id = ?2")
                .map_err(map_err)?
                .execute(params![thread.id, t.parent_message_id])
                .map_err(map_err)?;
            let mut updated = parent_row
                .ok_or_else(|| StoreError::Other("a new thread without its parent".into()))?;
            updated.thread_chat_id = Some(thread.id.clone());
            events.push(ChatEvent {
                acl_chat_id: acl,
                seq: chat_seq(c, &t.parent_chat_id)?,
                kind: ChatEventKind::MessageEdited(updated),
            });
            (thread.id, thread.acl_chat_id)
        }
    };
    let row = insert_message(
        c,
        Insert {
            chat_id: &chat_id,
            sender_id: p.sender_id,
            bot_id: p.bot_id,
            kind: &p.kind,
            body: &p.body,
            reply_to,
            origin: None,
            mentions: &p.mentions,
        },
    )?;
    events.push(ChatEvent {
        acl_chat_id: chat_acl.clone(),
        seq: row.seq,
        kind: ChatEventKind::MessageCreated(row.clone()),
    });
    for user_id in followers {
        follow(c, &chat_id, user_id)?;
    }
    if let Some(copy) = parent_copy {
        let copy = insert_message(
            c,
            Insert {
                chat_id: &copy.chat_id,
                sender_id: p.sender_id,
                bot_id: p.bot_id,
                kind: &p.kind,
                body: &p.body,
                reply_to: copy.reply_to.as_deref(),
                origin: Some((&chat_id, &row.id)),
                mentions: &p.mentions,
            },
        )?;
        events.push(ChatEvent {
            acl_chat_id: chat_acl,
            seq: copy.seq,
            kind: ChatEventKind::MessageCreated(copy),
        });
    }
    Ok(row)
}
