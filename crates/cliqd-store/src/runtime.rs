//! What the handler engine stores: the trigger outbox and the execution journal.
//!
//! A **trigger** is an event that may fire a handler (a message posted in a bot chat or a
//! channel with bots, a subscription, a call's state). It is written in the same transaction as
//! the event, so an event the server acknowledged fires its handler even when the process dies
//! right after. The engine reads pending triggers ([`RuntimeStore::pending_triggers`]) when
//! [`RuntimeStore::trigger_signal`] wakes it (after a COMMIT that wrote some) and at start-up,
//! and completes each with [`RuntimeStore::finish_execution`]: the reply's posts, the journal
//! record and the trigger's removal commit together, so a trigger run twice (after a crash)
//! posts its reply once.

use crate::StoreResult;
use crate::messaging::{ChatRow, MessageRow, NewPost, Refusal};
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;

/// What happened that may fire a bot handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerKind {
    /// A message was posted (in the bot's chat, or a channel the bot is associated with).
    MessagePosted,
    /// A message of a channel the bot is associated with was edited.
    MessageEdited,
    /// A message of a channel the bot is associated with was deleted.
    MessageDeleted,
    /// A user subscribed to the bot (`data.newuser`).
    Subscribed,
    /// The bot was associated with a channel.
    BotAdded,
    /// The bot was removed from a channel.
    BotRemoved,
    /// A bot call changed state (`data.operation`, `data.call_id`).
    Call,
    /// A thread under a channel the bot is associated with was closed.
    ThreadClosed,
    /// Such a thread was reopened.
    ThreadReopened,
}

impl TriggerKind {
    pub const ALL: [TriggerKind; 9] = [
        TriggerKind::MessagePosted,
        TriggerKind::MessageEdited,
        TriggerKind::MessageDeleted,
        TriggerKind::Subscribed,
        TriggerKind::BotAdded,
        TriggerKind::BotRemoved,
        TriggerKind::Call,
        TriggerKind::ThreadClosed,
        TriggerKind::ThreadReopened,
    ];

    /// The name stored and shown in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::MessagePosted => "message_sent",
            TriggerKind::MessageEdited => "message_edited",
            TriggerKind::MessageDeleted => "message_deleted",
            TriggerKind::Subscribed => "subscribed",
            TriggerKind::BotAdded => "added",
            TriggerKind::BotRemoved => "removed",
            TriggerKind::Call => "call",
            TriggerKind::ThreadClosed => "thread_closed",
            TriggerKind::ThreadReopened => "thread_reopened",
        }
    }

    /// The kind named `s` ([`TriggerKind::as_str`]).
    pub fn parse(s: &str) -> Option<TriggerKind> {
        TriggerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A trigger to write with the event that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTrigger {
    pub org_id: i64,
    /// The bot whose handler may fire.
    pub bot_id: i64,
    pub kind: TriggerKind,
    /// The user whose action caused it (the handler's `user`).
    pub user_id: i64,
    pub chat_id: Option<String>,
    pub message_id: Option<String>,
    /// Kind-specific facts (`newuser`, a call's `operation` and `call_id`, …).
    pub data: Value,
}

/// A pending trigger, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRow {
    /// Increasing in commit order.
    pub id: i64,
    pub trigger: NewTrigger,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A message a handler's reply posts.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// A post into a chat (as the bot), with the posting rules of any post.
    Post(NewPost),
    /// A bot message into each user's bot chat (opened when missing).
    BotMessages {
        org_id: i64,
        bot_id: i64,
        sender_id: i64,
        user_ids: Vec<i64>,
        kind: String,
        body: Value,
        /// The mentions of its text, resolved.
        mentions: Vec<crate::messaging::MentionRow>,
    },
}

/// What became of one [`Delivery`].
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// Posted: the messages written (one per chat).
    Posted(Vec<MessageRow>),
    /// The posting rules refused it; nothing of it was written.
    Refused(Refusal),
}

/// One run of a handler, as the journal keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExecution {
    pub org_id: i64,
    /// The component run, its kind (`bot`, `function`, …) and name, and its creator (who may
    /// read the record besides the organization's admins).
    pub component_id: i64,
    pub component_kind: String,
    pub component_name: String,
    pub component_creator_id: i64,
    /// The handler's API name (`message_handler`, …).
    pub handler: String,
    /// The invoking user.
    pub user_id: i64,
    /// `success`, `invalid_reply`, `error`, `timeout`, `limit` or `refused`; a refused
    /// delivery turns `success` into `refused` when written.
    pub outcome: String,
    /// Unix milliseconds.
    pub started_at: i64,
    pub duration_us: i64,
    /// Everything else of the record (trigger, executor, inputs, info lines, tasks, reply,
    /// errors, handler version), as the journal shows it.
    pub detail: Value,
}

/// A journal record as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    /// Increasing per store.
    pub id: i64,
    pub execution: NewExecution,
    /// The ids of the messages the reply posted.
    pub delivered: Vec<String>,
}

/// Completes one run: posts its reply, journals it and removes its trigger, together.
#[derive(Debug, Clone)]
pub struct Finish {
    /// The trigger run, if it came from the outbox. When it is no longer pending (another run
    /// finished it), nothing is written and [`RuntimeStore::finish_execution`] answers `None`.
    pub trigger_id: Option<i64>,
    /// `None`: only the trigger is removed (no handler to run).
    pub record: Option<NewExecution>,
    pub deliveries: Vec<Delivery>,
    /// The newest records kept per organization; older ones are removed.
    pub retention: usize,
}

/// What [`RuntimeStore::finish_execution`] wrote.
#[derive(Debug, Clone)]
pub struct Finished {
    pub record: Option<ExecutionRow>,
    /// Per delivery, in order.
    pub delivered: Vec<Delivered>,
}

/// Filters of [`RuntimeStore::executions`], newest first.
#[derive(Debug, Clone, Default)]
pub struct ExecutionQuery {
    pub org_id: i64,
    /// Only records of components this user created (`None`: all of the organization's).
    pub creator_id: Option<i64>,
    pub component_id: Option<i64>,
    pub handler: Option<String>,
    pub outcome: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from_time: Option<i64>,
    pub to_time: Option<i64>,
    /// Records with an id below this one (paging).
    pub before_id: Option<i64>,
    /// Records with an id above this one (following new records).
    pub after_id: Option<i64>,
    pub limit: usize,
}

/// A subscription and the bot chat it opened.
#[derive(Debug, Clone)]
pub struct Subscribed {
    /// The user's bot chat with the bot.
    pub chat: ChatRow,
    /// The user was not subscribed before.
    pub new: bool,
    /// The user had never subscribed to this bot before.
    pub first_ever: bool,
}

/// What running a trigger needs, read together ([`RuntimeStore::trigger_context`]); `None`
/// where the row is gone (a deleted bot, chat or message).
#[derive(Debug, Clone)]
pub struct TriggerContext {
    pub bot: Option<crate::rows::ComponentRow>,
    pub user: Option<crate::rows::UserRow>,
    pub chat: Option<ChatRow>,
    pub message: Option<MessageRow>,
    /// The bot's handlers, in position order (empty without a bot).
    pub handlers: Vec<crate::rows::HandlerRow>,
}

/// A trigger as committed, with its context read in the transaction that wrote it.
#[derive(Debug, Clone)]
pub struct CommittedTrigger {
    pub row: TriggerRow,
    pub context: TriggerContext,
}

/// What [`RuntimeStore::take_committed`] hands over.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// In commit order.
    pub triggers: Vec<CommittedTrigger>,
    /// Some committed triggers were not kept (nobody took them in time, or the backend does
    /// not hand them over): read them with [`RuntimeStore::pending_triggers`].
    pub lagged: bool,
}

/// The outbox and the journal (see the module documentation).
#[async_trait]
pub trait RuntimeStore: Send + Sync {
    /// Woken (a stored permit) after every COMMIT that wrote a trigger.
    fn trigger_signal(&self) -> Arc<tokio::sync::Notify>;
    /// The triggers committed since the last call, with their context, in commit order — the
    /// engine's fast path, which saves reading them back. Every one of them is also in
    /// storage ([`RuntimeStore::pending_triggers`]) until it is completed.
    fn take_committed(&self) -> Committed;
    /// Pending triggers with an id above `after_id`, oldest first.
    async fn pending_triggers(&self, after_id: i64, limit: usize) -> StoreResult<Vec<TriggerRow>>;
    /// The bot (of the trigger's organization), user, chat, message and handlers a trigger
    /// names, in one read.
    async fn trigger_context(&self, trigger: &NewTrigger) -> StoreResult<TriggerContext>;
    /// See [`Finish`].
    async fn finish_execution(&self, finish: Finish) -> StoreResult<Option<Finished>>;
    /// Subscribes the user to the bot, opens their bot chat, and when the subscription is new
    /// writes a [`TriggerKind::Subscribed`] trigger (`data.newuser` = `first_ever`) with it.
    async fn subscribe_with_welcome(
        &self,
        org_id: i64,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<Subscribed>;
    /// Associates the bot with a channel (as [`crate::MessagingStore::associate_bot`]) and,
    /// when it was not yet, writes a [`TriggerKind::BotAdded`] trigger for `user_id` (who
    /// added it) with it. Answers whether the association is new.
    async fn add_bot_to_channel(
        &self,
        org_id: i64,
        channel_id: &str,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// Dissociates the bot from a channel and, when it was associated, writes a
    /// [`TriggerKind::BotRemoved`] trigger for `user_id` (who removed it) with it. Answers
    /// whether it was associated.
    async fn remove_bot_from_channel(
        &self,
        org_id: i64,
        channel_id: &str,
        bot_id: i64,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// Closes or reopens a thread (as [`crate::MessagingStore::set_thread_closed`]) and, when
    /// that changed it, writes a [`TriggerKind::ThreadClosed`] or
    /// [`TriggerKind::ThreadReopened`] trigger for `user_id` per bot of the thread's channel.
    async fn close_thread(
        &self,
        thread_chat_id: &str,
        closed: bool,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// Writes triggers on their own (a call's state change, a bot added to a channel).
    async fn add_triggers(&self, triggers: Vec<NewTrigger>) -> StoreResult<()>;
    /// Creates a bot call (`call_id`) ringing each of `user_ids`, with a
    /// [`TriggerKind::Call`] trigger (`operation` `ringing`) per user, together.
    async fn create_call(
        &self,
        org_id: i64,
        bot_id: i64,
        call_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<()>;
    /// A callee reports the call's state: it is recorded and fires a [`TriggerKind::Call`]
    /// trigger with `operation`, together. [`crate::StoreError::NotFound`] when the call does
    /// not ring that user.
    async fn report_call(
        &self,
        org_id: i64,
        call_id: &str,
        user_id: i64,
        operation: &str,
    ) -> StoreResult<()>;
    async fn executions(&self, query: ExecutionQuery) -> StoreResult<Vec<ExecutionRow>>;
    async fn execution(&self, org_id: i64, id: i64) -> StoreResult<ExecutionRow>;
}
