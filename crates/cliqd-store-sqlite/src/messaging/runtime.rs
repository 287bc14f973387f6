//! The trigger outbox and the execution journal ([`cliqd_store::RuntimeStore`]).
//!
//! A trigger row is written by the job that writes its event (a post, a subscription, a call)
//! and deleted by the job that posts its reply and journals the run, so both happen exactly
//! once per committed event. [`insert_trigger`] also reads the trigger's context (bot,
//! handlers, user, chat, message) on the writer's connection, whose cache is always warm, and
//! keeps both in a list of the writer thread; a job that is rolled back drops its entries
//! ([`rollback_captured`]), and after the COMMIT the writer hands the batch's entries to
//! the engine ([`take_captured`], [`cliqd_store::RuntimeStore::take_committed`]) and wakes it.

use super::super::{SqliteStore, map_err, now_ms, query_all};
use super::post;
use super::write::{Insert, bot_chat, insert_message};
use async_trait::async_trait;
use cliqd_store::messaging::*;
use cliqd_store::runtime::*;
use cliqd_store::{ComponentRow, HandlerRow};
use cliqd_store::{StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

thread_local! {
    /// Triggers the writer thread wrote in the current batch, with their context.
    static CAPTURED: RefCell<Vec<CommittedTrigger>> = const { RefCell::new(Vec::new()) };
}

/// How many triggers the current batch has captured (a job's starting mark).
pub(crate) fn captured_mark() -> usize {
    CAPTURED.with(|c| c.borrow().len())
}

/// Forgets the triggers captured after `mark` (their job was rolled back).
pub(crate) fn rollback_captured(mark: usize) {
    CAPTURED.with(|c| c.borrow_mut().truncate(mark));
}

/// The triggers the batch captured; clears them (call after COMMIT, or to discard).
pub(crate) fn take_captured() -> Vec<CommittedTrigger> {
    CAPTURED.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Other(format!("json: {e}"))
}

/// Writes one trigger in the current transaction.
pub(super) fn insert_trigger(c: &Connection, t: &NewTrigger) -> StoreResult<i64> {
    insert_trigger_with(c, t, None)
}

/// [`insert_trigger`] for a message the job just wrote (`message`), which is not read back.
pub(super) fn insert_trigger_with(
    c: &Connection,
    t: &NewTrigger,
    message: Option<&MessageRow>,
) -> StoreResult<i64> {
    let data = serde_json::to_string(&t.data).map_err(json_err)?;
    let created_at = now_ms();
    c.prepare_cached(
        "INSERT INTO triggers (org_id, bot_id, kind, user_id, chat_id, message_id, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(map_err)?
    .execute(params![
        t.org_id,
        t.bot_id,
        t.kind.as_str(),
        t.user_id,
        t.chat_id,
        t.message_id,
        data,
        created_at
    ])
    .map_err(map_err)?;
    let id = c.last_insert_rowid();
    // The context, read now on the writer's warm cache, travels with the trigger.
    let context = writer_context(c, t, message)?;
    CAPTURED.with(|cap| {
        cap.borrow_mut().push(CommittedTrigger {
            row: TriggerRow {
                id,
                trigger: t.clone(),
                created_at,
            },
            context,
        })
    });
    Ok(id)
}

/// A trigger about a bot and a whole channel (added, removed), in the channel's chat.
fn channel_trigger(
    c: &Connection,
    org_id: i64,
    channel_id: &str,
    bot_id: i64,
    user_id: i64,
    kind: TriggerKind,
) -> StoreResult<i64> {
    let chat_id: String = c
        .prepare_cached("SELECT chat_id FROM channels WHERE id = ?1")
        .map_err(map_err)?
        .query_row([channel_id], |r| r.get(0))
        .map_err(map_err)?;
    insert_trigger(
        c,
        &NewTrigger {
            org_id,
            bot_id,
            kind,
            user_id,
            chat_id: Some(chat_id),
            message_id: None,
            data: serde_json::json!({"channel_id": channel_id}),
        },
    )
}

/// The bots associated with a channel.
pub(super) fn channel_bot_ids(c: &Connection, channel_id: &str) -> StoreResult<Vec<i64>> {
    query_all(
        c,
        "SELECT bot_id FROM channel_bots WHERE channel_id = ?1",
        [channel_id],
        |r| r.get(0),
    )
}

fn trigger_from_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, String, i64, NewTrigger)> {
    Ok((
        r.get(0)?,
        r.get::<_, String>(3)?,
        r.get::<_, String>(7)?,
        r.get(8)?,
        NewTrigger {
            org_id: r.get(1)?,
            bot_id: r.get(2)?,
            kind: TriggerKind::Subscribed,
            user_id: r.get(4)?,
            chat_id: r.get(5)?,
            message_id: r.get(6)?,
            data: Value::Null,
        },
    ))
}

const EXECUTION_COLS: &str = "id, org_id, component_id, component_kind, component_name, \
    component_creator_id, handler, user_id, outcome, started_at, duration_us, detail, delivered";

fn execution_from_row(r: &Row<'_>) -> rusqlite::Result<(ExecutionRow, String, String)> {
    Ok((
        ExecutionRow {
            id: r.get(0)?,
            execution: NewExecution {
                org_id: r.get(1)?,
                component_id: r.get(2)?,
                component_kind: r.get(3)?,
                component_name: r.get(4)?,
                component_creator_id: r.get(5)?,
                handler: r.get(6)?,
                user_id: r.get(7)?,
                outcome: r.get(8)?,
                started_at: r.get(9)?,
                duration_us: r.get(10)?,
                detail: Value::Null,
            },
            delivered: Vec::new(),
        },
        r.get(11)?,
        r.get(12)?,
    ))
}

fn finish_execution_row(
    (mut row, detail, delivered): (ExecutionRow, String, String),
) -> StoreResult<ExecutionRow> {
    row.execution.detail = serde_json::from_str(&detail).map_err(json_err)?;
    row.delivered = serde_json::from_str(&delivered).map_err(json_err)?;
    Ok(row)
}

fn deliver(c: &Connection, d: Delivery, events: &mut Vec<ChatEvent>) -> StoreResult<Delivered> {
    match d {
        Delivery::Post(p) => Ok(match post::post(c, p, PostOptions::default(), events)? {
            Ok(row) => Delivered::Posted(vec![row]),
            Err(refusal) => Delivered::Refused(refusal),
        }),
        Delivery::BotMessages {
            org_id,
            bot_id,
            sender_id,
            user_ids,
            kind,
            body,
            mentions,
        } => {
            let mut rows = Vec::new();
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
                        origin: None,
                        mentions: &mentions,
                    },
                )?;
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    seq: row.seq,
                    kind: ChatEventKind::MessageCreated(row.clone()),
                });
                rows.push(row);
            }
            Ok(Delivered::Posted(rows))
        }
    }
}

#[async_trait]
impl RuntimeStore for SqliteStore {
    fn trigger_signal(&self) -> Arc<tokio::sync::Notify> {
        self.trigger_notify()
    }

    fn take_committed(&self) -> Committed {
        self.take_committed_triggers()
    }

    async fn pending_triggers(&self, after_id: i64, limit: usize) -> StoreResult<Vec<TriggerRow>> {
        self.read(move |c| {
            let raw = query_all(
                c,
                "SELECT id, org_id, bot_id, kind, user_id, chat_id, message_id, data, created_at
                 FROM triggers WHERE id > ?1 ORDER BY id LIMIT ?2",
                params![after_id, limit as i64],
                trigger_from_row,
            )?;
            raw.into_iter()
                .map(|(id, kind, data, created_at, mut t)| {
                    t.kind = TriggerKind::parse(&kind)
                        .ok_or_else(|| StoreError::Other(format!("trigger {id}: kind {kind}")))?;
                    t.data = serde_json::from_str(&data).map_err(json_err)?;
                    Ok(TriggerRow {
                        id,
                        trigger: t,
                        created_at,
                    })
                })
                .collect()
        })
        .await
    }

    async fn trigger_context(&self, t: &NewTrigger) -> StoreResult<TriggerContext> {
        let t = t.clone();
        self.read(move |c| {
            // One read transaction: one snapshot, and the connection's page cache is checked
            // against the newest commit once rather than before each statement.
            crate::exec_cached(c, "BEGIN")?;
            let read = trigger_context_in(c, &t);
            crate::exec_cached(c, "COMMIT")?;
            read
        })
        .await
    }

    async fn finish_execution(&self, f: Finish) -> StoreResult<Option<Finished>> {
        self.write_events(move |c, events| {
            if let Some(id) = f.trigger_id {
                let n = c
                    .prepare_cached("DELETE FROM triggers WHERE id = ?1")
                    .map_err(map_err)?
                    .execute([id])
                    .map_err(map_err)?;
                if n == 0 {
                    return Ok(None);
                }
            }
            let mut delivered = Vec::new();
            for d in f.deliveries {
                delivered.push(deliver(c, d, events)?);
            }
            let Some(mut exec) = f.record else {
                return Ok(Some(Finished {
                    record: None,
                    delivered,
                }));
            };
            let ids: Vec<String> = delivered
                .iter()
                .flat_map(|d| match d {
                    Delivered::Posted(rows) => rows.iter().map(|r| r.id.clone()).collect(),
                    Delivered::Refused(_) => Vec::new(),
                })
                .collect();
            if exec.outcome == "success"
                && delivered.iter().any(|d| matches!(d, Delivered::Refused(_)))
            {
                exec.outcome = "refused".into();
            }
            let detail = serde_json::to_string(&exec.detail).map_err(json_err)?;
            let delivered_json = serde_json::to_string(&ids).map_err(json_err)?;
            c.prepare_cached(
                "INSERT INTO executions (org_id, component_id, component_kind, component_name,
                     component_creator_id, handler, user_id, outcome, started_at, duration_us,
                     detail, delivered)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(map_err)?
            .execute(params![
                exec.org_id,
                exec.component_id,
                exec.component_kind,
                exec.component_name,
                exec.component_creator_id,
                exec.handler,
                exec.user_id,
                exec.outcome,
                exec.started_at,
                exec.duration_us,
                detail,
                delivered_json
            ])
            .map_err(map_err)?;
            let id = c.last_insert_rowid();
            // Bounded retention: the newest `retention` records of the organization stay. A
            // count per organization makes this exact without walking the index: the oldest
            // records beyond the count go (cheap: the front of the org's index).
            let n: i64 = c
                .prepare_cached(
                    "INSERT INTO execution_counts (org_id, n) VALUES (?1, 1)
                     ON CONFLICT (org_id) DO UPDATE SET n = n + 1 RETURNING n",
                )
                .map_err(map_err)?
                .query_row([exec.org_id], |r| r.get(0))
                .map_err(map_err)?;
            let over = n - f.retention.max(1) as i64;
            if over > 0 {
                let gone = c
                    .prepare_cached(
                        "DELETE FROM executions WHERE id IN (
                             SELECT id FROM executions WHERE org_id = ?1 ORDER BY id LIMIT ?2)",
                    )
                    .map_err(map_err)?
                    .execute(params![exec.org_id, over])
                    .map_err(map_err)?;
                c.prepare_cached("UPDATE execution_counts SET n = n - ?2 WHERE org_id = ?1")
                    .map_err(map_err)?
                    .execute(params![exec.org_id, gone as i64])
                    .map_err(map_err)?;
            }
            Ok(Some(Finished {
                record: Some(ExecutionRow {
                    id,
                    execution: exec,
                    delivered: ids,
                }),
                delivered,
            }))
        })
        .await
    }

    async fn subscribe_with_welcome(
        &self,
        org_id: i64,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<Subscribed> {
        self.write_events(move |c, events| {
            let new = super::subscribe(c, bot_id, user_id)?;
            let first_ever = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO bot_welcomed (bot_id, user_id) VALUES (?1, ?2)",
                )
                .map_err(map_err)?
                .execute(params![bot_id, user_id])
                .map_err(map_err)?
                > 0;
            let chat = bot_chat(c, org_id, bot_id, user_id, events)?;
            if new {
                insert_trigger(
                    c,
                    &NewTrigger {
                        org_id,
                        bot_id,
                        kind: TriggerKind::Subscribed,
                        user_id,
                        chat_id: Some(chat.id.clone()),
                        message_id: None,
                        data: serde_json::json!({"newuser": first_ever}),
                    },
                )?;
            }
            Ok(Subscribed {
                chat,
                new,
                first_ever,
            })
        })
        .await
    }

    async fn remove_bot_from_channel(
        &self,
        org_id: i64,
        channel_id: &str,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<bool> {
        let channel_id = channel_id.to_string();
        self.write(move |c| {
            let gone = c
                .prepare_cached("DELETE FROM channel_bots WHERE channel_id = ?1 AND bot_id = ?2")
                .map_err(map_err)?
                .execute(params![channel_id, bot_id])
                .map_err(map_err)?
                > 0;
            if gone {
                channel_trigger(
                    c,
                    org_id,
                    &channel_id,
                    bot_id,
                    user_id,
                    TriggerKind::BotRemoved,
                )?;
            }
            Ok(gone)
        })
        .await
    }

    async fn close_thread(
        &self,
        thread_chat_id: &str,
        closed: bool,
        user_id: i64,
    ) -> StoreResult<bool> {
        let id = thread_chat_id.to_string();
        self.write(move |c| {
            if !super::set_closed(c, &id, closed)? {
                return Ok(false);
            }
            let thread = super::rows::load_chat(c, &id)?;
            let channel = match &thread.parent_chat_id {
                Some(parent) => super::rows::load_chat(c, parent)?.channel_id,
                None => None,
            };
            if let Some(channel) = channel {
                let kind = if closed {
                    TriggerKind::ThreadClosed
                } else {
                    TriggerKind::ThreadReopened
                };
                for bot_id in channel_bot_ids(c, &channel)? {
                    insert_trigger(
                        c,
                        &NewTrigger {
                            org_id: thread.org_id,
                            bot_id,
                            kind,
                            user_id,
                            chat_id: Some(thread.id.clone()),
                            message_id: None,
                            data: serde_json::json!({"thread": {
                                "chat_id": thread.id,
                                "title": thread.title,
                                "parent_chat_id": thread.parent_chat_id,
                            }}),
                        },
                    )?;
                }
            }
            Ok(true)
        })
        .await
    }

    async fn add_bot_to_channel(
        &self,
        org_id: i64,
        channel_id: &str,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<bool> {
        let channel_id = channel_id.to_string();
        self.write(move |c| {
            let new = super::associate(c, &channel_id, bot_id)?;
            if new {
                channel_trigger(
                    c,
                    org_id,
                    &channel_id,
                    bot_id,
                    user_id,
                    TriggerKind::BotAdded,
                )?;
            }
            Ok(new)
        })
        .await
    }

    async fn add_triggers(&self, triggers: Vec<NewTrigger>) -> StoreResult<()> {
        self.write(move |c| {
            for t in &triggers {
                insert_trigger(c, t)?;
            }
            Ok(())
        })
        .await
    }

    async fn create_call(
        &self,
        org_id: i64,
        bot_id: i64,
        call_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<()> {
        let call_id = call_id.to_string();
        self.write(move |c| {
            for user_id in user_ids {
                c.prepare_cached(
                    "INSERT INTO bot_calls (id, user_id, org_id, bot_id, state, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'ringing', ?5)",
                )
                .map_err(map_err)?
                .execute(params![call_id, user_id, org_id, bot_id, now_ms()])
                .map_err(map_err)?;
                insert_trigger(
                    c,
                    &NewTrigger {
                        org_id,
                        bot_id,
                        kind: TriggerKind::Call,
                        user_id,
                        chat_id: None,
                        message_id: None,
                        data: serde_json::json!({"operation": "ringing", "call_id": call_id}),
                    },
                )?;
            }
            Ok(())
        })
        .await
    }

    async fn report_call(
        &self,
        org_id: i64,
        call_id: &str,
        user_id: i64,
        operation: &str,
    ) -> StoreResult<()> {
        let (call_id, operation) = (call_id.to_string(), operation.to_string());
        self.write(move |c| {
            let bot_id: i64 = c
                .prepare_cached(
                    "SELECT bot_id FROM bot_calls WHERE id = ?1 AND user_id = ?2 AND org_id = ?3",
                )
                .map_err(map_err)?
                .query_row(params![call_id, user_id, org_id], |r| r.get(0))
                .optional()
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
            c.prepare_cached("UPDATE bot_calls SET state = ?1 WHERE id = ?2 AND user_id = ?3")
                .map_err(map_err)?
                .execute(params![operation, call_id, user_id])
                .map_err(map_err)?;
            insert_trigger(
                c,
                &NewTrigger {
                    org_id,
                    bot_id,
                    kind: TriggerKind::Call,
                    user_id,
                    chat_id: None,
                    message_id: None,
                    data: serde_json::json!({"operation": operation, "call_id": call_id}),
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn executions(&self, q: ExecutionQuery) -> StoreResult<Vec<ExecutionRow>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {EXECUTION_COLS} FROM executions
                 WHERE org_id = ?1
                   AND (?2 IS NULL OR component_creator_id = ?2)
                   AND (?3 IS NULL OR component_id = ?3)
                   AND (?4 IS NULL OR handler = ?4)
                   AND (?5 IS NULL OR outcome = ?5)
                   AND (?6 IS NULL OR started_at >= ?6)
                   AND (?7 IS NULL OR started_at <= ?7)
                   AND (?8 IS NULL OR id < ?8)
                   AND (?10 IS NULL OR id > ?10)
                 ORDER BY id DESC LIMIT ?9"
            );
            query_all(
                c,
                &sql,
                params![
                    q.org_id,
                    q.creator_id,
                    q.component_id,
                    q.handler,
                    q.outcome,
                    q.from_time,
                    q.to_time,
                    q.before_id,
                    q.limit as i64,
                    q.after_id
                ],
                execution_from_row,
            )?
            .into_iter()
            .map(finish_execution_row)
            .collect()
        })
        .await
    }

    async fn execution(&self, org_id: i64, id: i64) -> StoreResult<ExecutionRow> {
        self.read(move |c| {
            let raw = c
                .prepare_cached(&format!(
                    "SELECT {EXECUTION_COLS} FROM executions WHERE id = ?1 AND org_id = ?2"
                ))
                .map_err(map_err)?
                .query_row(params![id, org_id], execution_from_row)
                .optional()
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
            finish_execution_row(raw)
        })
        .await
    }
}

/// Writes the triggers of a message just written (see
/// [`cliqd_core::policy::bots_to_notify`]): `chat_bot` is the bot of a bot chat, `channel` the
/// channel the chat belongs to (a thread's parent channel). Outside bot chats and channels it
/// reads nothing.
pub(super) fn message_triggers(
    c: &Connection,
    org_id: i64,
    row: &MessageRow,
    kind: TriggerKind,
    chat_kind: cliqd_core::ChatKind,
    chat_bot: Option<i64>,
    channel: Option<&str>,
) -> StoreResult<()> {
    let channel_bots = match channel {
        Some(ch) if chat_kind != cliqd_core::ChatKind::Bot => channel_bot_ids(c, ch)?,
        _ => Vec::new(),
    };
    for bot_id in cliqd_core::policy::bots_to_notify(chat_kind, chat_bot, &channel_bots, row.bot_id)
    {
        insert_trigger_with(
            c,
            &NewTrigger {
                org_id,
                bot_id,
                kind,
                user_id: row.sender_id,
                chat_id: Some(row.chat_id.clone()),
                message_id: Some(row.id.clone()),
                data: Value::Null,
            },
            Some(row),
        )?;
    }
    Ok(())
}

/// Writes the triggers of an edit or a deletion of `row` (as it was) in a channel or a thread
/// under one: one per bot associated with the channel. Bot chats and other chats write none.
pub(super) fn changed_message_triggers(
    c: &Connection,
    row: &MessageRow,
    kind: TriggerKind,
) -> StoreResult<()> {
    let chat = super::rows::load_chat(c, &row.chat_id)?;
    let channel = match (&chat.channel_id, &chat.parent_chat_id) {
        (Some(ch), _) => Some(ch.clone()),
        (None, Some(parent)) => super::rows::load_chat(c, parent)?.channel_id,
        (None, None) => None,
    };
    let Some(channel) = channel else {
        return Ok(());
    };
    let message = serde_json::json!({
        "id": row.id,
        "text": row.body.get("text"),
        "time": row.time,
        "sender": {"id": row.sender_id.to_string(), "name": row.sender_name},
    });
    for bot_id in channel_bot_ids(c, &channel)? {
        if row.bot_id == Some(bot_id) {
            continue;
        }
        insert_trigger(
            c,
            &NewTrigger {
                org_id: chat.org_id,
                bot_id,
                kind,
                user_id: row.sender_id,
                chat_id: Some(row.chat_id.clone()),
                message_id: Some(row.id.clone()),
                data: serde_json::json!({"message": message}),
            },
        )?;
    }
    Ok(())
}

thread_local! {
    /// The writer thread's bots: (change sequence, component, handlers), reloaded when the
    /// component's `seq` moved (every write to it or its handlers moves it); cleared when a
    /// job rolls back, so nothing of an undone write survives here.
    static WRITER_BOTS: RefCell<HashMap<i64, CachedBot>> = RefCell::new(HashMap::new());
}

/// A bot as the writer cached it: its `seq` then, the row and its handlers.
type CachedBot = (i64, ComponentRow, Vec<HandlerRow>);

/// Forgets the writer's cached bots (after a rollback).
pub(crate) fn clear_writer_cache() {
    WRITER_BOTS.with(|b| b.borrow_mut().clear());
}

/// A bot and its handlers, on the writer's connection, from its cache when still current.
fn writer_bot(
    c: &Connection,
    t: &NewTrigger,
) -> StoreResult<Option<(ComponentRow, Vec<HandlerRow>)>> {
    let seq: Option<i64> = c
        .prepare_cached("SELECT seq FROM components WHERE id = ?1 AND org_id = ?2 AND kind = 'bot'")
        .map_err(map_err)?
        .query_row(params![t.bot_id, t.org_id], |r| r.get(0))
        .optional()
        .map_err(map_err)?;
    let Some(seq) = seq else {
        WRITER_BOTS.with(|b| b.borrow_mut().remove(&t.bot_id));
        return Ok(None);
    };
    if let Some(hit) = WRITER_BOTS.with(|b| {
        b.borrow()
            .get(&t.bot_id)
            .filter(|(s, _, _)| *s == seq)
            .map(|(_, row, handlers)| (row.clone(), handlers.clone()))
    }) {
        return Ok(Some(hit));
    }
    let row = crate::components::load(c, t.bot_id)?;
    let handlers = crate::components::handlers_on(c, t.bot_id)?;
    WRITER_BOTS.with(|b| {
        b.borrow_mut()
            .insert(t.bot_id, (seq, row.clone(), handlers.clone()))
    });
    Ok(Some((row, handlers)))
}

/// A trigger's context on the writer's connection: the bot from its cache, the message the
/// job just wrote when it is given.
fn writer_context(
    c: &Connection,
    t: &NewTrigger,
    message: Option<&MessageRow>,
) -> StoreResult<TriggerContext> {
    let (bot, handlers) = match writer_bot(c, t)? {
        Some((b, h)) => (Some(b), h),
        None => (None, Vec::new()),
    };
    context_with(c, t, bot, handlers, message)
}

/// The rest of a trigger's context, given its bot: the user, the chat (of the trigger's
/// organization) and the message (`message` when the caller has it, else read).
fn context_with(
    c: &Connection,
    t: &NewTrigger,
    bot: Option<ComponentRow>,
    handlers: Vec<HandlerRow>,
    message: Option<&MessageRow>,
) -> StoreResult<TriggerContext> {
    let user = crate::identity::user_on(c, t.user_id)?;
    let chat = match &t.chat_id {
        Some(id) => match super::rows::load_chat(c, id) {
            Ok(chat) if chat.org_id == t.org_id => Some(chat),
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let message = match (message, &chat, &t.message_id) {
        (Some(m), _, _) => Some(m.clone()),
        (None, Some(chat), Some(id)) => match super::rows::load_message(c, &chat.id, id) {
            Ok(m) => Some(m),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        _ => None,
    };
    Ok(TriggerContext {
        bot,
        user,
        chat,
        message,
        handlers,
    })
}

/// [`RuntimeStore::trigger_context`]'s reads, inside its read transaction.
fn trigger_context_in(c: &Connection, t: &NewTrigger) -> StoreResult<TriggerContext> {
    let bot = match crate::components::load(c, t.bot_id) {
        Ok(b) if b.org_id == t.org_id && b.kind == "bot" => Some(b),
        Ok(_) | Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let handlers = match &bot {
        Some(b) => crate::components::handlers_on(c, b.id)?,
        None => Vec::new(),
    };
    context_with(c, t, bot, handlers, None)
}
