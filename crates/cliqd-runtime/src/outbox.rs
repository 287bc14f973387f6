//! The outbox side of the engine: reading pending triggers, queueing them per (bot, chat) in
//! order under each bot's bounded backlog, and turning each into its handler runs.

use crate::context::Step;
use crate::engine::{Deliver, Engine, RunRequest, now_ms};
use crate::inputs;
use cliqd_core::attrs::{BotAttrs, ComponentAttrs};
use cliqd_core::policy::{MessageFacts, MessageRoute, route_message};
use cliqd_core::{HandlerKind, HandlerSpec};
use cliqd_service::Actor;
use cliqd_store::{
    ChatRow, ComponentRow, Delivery, Finish, MessageRow, NewExecution, NewPost, PostTarget,
    StoreError, TriggerContext, TriggerKind, TriggerRow,
};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A trigger's bot and its handlers, as read for it.
struct Bot {
    row: Arc<ComponentRow>,
    handlers: Vec<cliqd_store::HandlerRow>,
}

/// A trigger waiting in its queue, with its context when the store handed it over.
pub(crate) struct Queued {
    pub(crate) row: TriggerRow,
    pub(crate) context: Option<TriggerContext>,
}

/// Triggers read per store round trip.
const PAGE: usize = 512;

impl Engine {
    pub(crate) async fn outbox_loop(&self) {
        let signal = self.inner.store.trigger_signal();
        // At start-up everything pending in storage (from before a restart too); from then on
        // the store hands over each committed trigger with its context, and storage is read
        // again only when that hand-over lagged. Ids grow in commit order: one already
        // queued (id ≤ last_id) is skipped.
        let mut last_id = 0;
        let mut scan = true;
        let mut generation = self.generation();
        loop {
            if self.generation() != generation {
                // The store's content was replaced: its triggers are numbered afresh.
                generation = self.generation();
                last_id = 0;
                scan = true;
            }
            if scan {
                match self.inner.store.pending_triggers(last_id, PAGE).await {
                    Ok(rows) => {
                        scan = rows.len() == PAGE;
                        for row in rows {
                            last_id = last_id.max(row.id);
                            self.enqueue(Queued { row, context: None });
                        }
                        if scan {
                            continue;
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read pending handler triggers");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let committed = self.inner.store.take_committed();
            for t in committed.triggers {
                if t.row.id > last_id {
                    last_id = t.row.id;
                    self.enqueue(Queued {
                        row: t.row,
                        context: Some(t.context),
                    });
                }
            }
            if committed.lagged {
                scan = true;
                continue;
            }
            signal.notified().await;
        }
    }

    fn generation(&self) -> u64 {
        self.inner
            .generation
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Queues a trigger behind the earlier ones of its bot and chat, or refuses it when the
    /// bot's backlog is full.
    fn enqueue(&self, queued: Queued) {
        let bot = queued.row.trigger.bot_id;
        let over = match self.inner.backlog.lock() {
            Ok(mut backlog) => {
                let n = backlog.entry(bot).or_insert(0);
                if *n >= self.inner.config.bot_backlog {
                    true
                } else {
                    *n += 1;
                    false
                }
            }
            Err(_) => false,
        };
        if over {
            let engine = self.clone();
            tokio::spawn(async move { engine.refuse_overflow(queued.row).await });
            return;
        }
        let key = (
            bot,
            queued
                .row
                .trigger
                .chat_id
                .clone()
                .unwrap_or_else(|| format!("user:{}", queued.row.trigger.user_id)),
        );
        let Ok(mut queues) = self.inner.queues.lock() else {
            return;
        };
        let queued = match queues.get(&key) {
            Some(tx) => match tx.send(queued) {
                Ok(()) => return,
                // The worker is gone (it ended between the lookup and the send): replace it.
                Err(mpsc::error::SendError(queued)) => queued,
            },
            None => queued,
        };
        self.spawn_worker(&mut queues, key, queued);
    }

    fn spawn_worker(
        &self,
        queues: &mut std::collections::HashMap<(i64, String), mpsc::UnboundedSender<Queued>>,
        key: (i64, String),
        first: Queued,
    ) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        queues.insert(key.clone(), tx);
        let engine = self.clone();
        tokio::spawn(async move {
            let mut next = Some(first);
            while let Some(row) = next.take() {
                engine.process(row).await;
                if let Ok(mut backlog) = engine.inner.backlog.lock()
                    && let Some(n) = backlog.get_mut(&key.0)
                {
                    *n = n.saturating_sub(1);
                }
                next = match rx.try_recv() {
                    Ok(row) => Some(row),
                    Err(_) => {
                        // Under the map's lock no sender can be handed out: empty now means
                        // empty for good, and the queue goes.
                        let Ok(mut queues) = engine.inner.queues.lock() else {
                            return;
                        };
                        match rx.try_recv() {
                            Ok(row) => Some(row),
                            Err(_) => {
                                queues.remove(&key);
                                None
                            }
                        }
                    }
                };
            }
        });
    }

    /// A trigger beyond the bot's backlog: journaled as `refused`, a failure banner to the
    /// user, and completed.
    async fn refuse_overflow(&self, row: TriggerRow) {
        let t = &row.trigger;
        let store = &self.inner.store;
        let Ok(bot) = store.get_component(t.org_id, "bot", t.bot_id).await else {
            let _ = self.complete(row.id).await;
            return;
        };
        let record = NewExecution {
            org_id: t.org_id,
            component_id: bot.id,
            component_kind: bot.kind.clone(),
            component_name: bot.name.clone(),
            component_creator_id: bot.creator_id,
            handler: String::new(),
            user_id: t.user_id,
            outcome: "refused".into(),
            started_at: now_ms(),
            duration_us: 0,
            detail: json!({
                "trigger": trigger_json(&row),
                "error": {"message": format!(
                    "the bot has {} triggers waiting; this one was refused",
                    self.inner.config.bot_backlog)},
            }),
        };
        let done = store
            .finish_execution(Finish {
                trigger_id: Some(row.id),
                record: Some(record),
                deliveries: Vec::new(),
                retention: self.inner.config.retention,
            })
            .await;
        if let Ok(Some(_)) = done {
            self.emit(
                t.user_id,
                json!({"event": "banner", "chat_id": t.chat_id, "data": {
                    "banner": crate::reply::failure_banner(&bot.name, "the bot is too busy; your message was not handled"),
                    "bot": {"id": format!("b-{}", bot.id), "name": bot.name},
                }}),
            );
        }
    }

    /// Completes a trigger that runs nothing.
    async fn complete(&self, trigger_id: i64) -> Result<(), StoreError> {
        self.inner
            .store
            .finish_execution(Finish {
                trigger_id: Some(trigger_id),
                record: None,
                deliveries: Vec::new(),
                retention: self.inner.config.retention,
            })
            .await
            .map(|_| ())
    }

    /// Completes a trigger with posts but no run (a conversation's next question).
    async fn complete_with(&self, trigger_id: i64, post: Delivery) -> Result<(), StoreError> {
        self.inner
            .store
            .finish_execution(Finish {
                trigger_id: Some(trigger_id),
                record: None,
                deliveries: vec![post],
                retention: self.inner.config.retention,
            })
            .await
            .map(|_| ())
    }

    /// Runs one trigger; on a store error it is retried a few times, then left pending (it
    /// runs again after a restart).
    async fn process(&self, queued: Queued) {
        let Queued { row, mut context } = queued;
        for attempt in 0..3u32 {
            match self.process_once(&row, context.take()).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(trigger = row.id, attempt, error = %e, "handler trigger failed");
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
            }
        }
    }

    async fn process_once(
        &self,
        row: &TriggerRow,
        context: Option<TriggerContext>,
    ) -> Result<(), StoreError> {
        let t = &row.trigger;
        // What every run of this trigger needs: handed over with it, or one read.
        let ctx = match context {
            Some(c) => c,
            None => self.inner.store.trigger_context(t).await?,
        };
        let (Some(bot), Some(user)) = (ctx.bot, ctx.user) else {
            // The bot or the user is gone: nothing to run.
            return self.complete(row.id).await;
        };
        let bot = Bot {
            row: Arc::new(bot),
            handlers: ctx.handlers,
        };
        let actor = Actor::new(Arc::new(user));
        let chat = ctx.chat;
        match t.kind {
            TriggerKind::MessagePosted => match (chat, ctx.message) {
                (Some(chat), Some(message)) => {
                    self.on_message(row, &bot, actor, chat, message).await
                }
                // Deleted before its handler ran: nothing to answer.
                _ => self.complete(row.id).await,
            },
            TriggerKind::Subscribed => {
                let mut extra = Map::new();
                extra.insert(
                    "newuser".into(),
                    t.data.get("newuser").cloned().unwrap_or(Value::Bool(false)),
                );
                let deliver = t.chat_id.clone().map_or(Deliver::Nothing, Deliver::Chat);
                self.run_kind(
                    row,
                    &bot,
                    actor,
                    HandlerKind::BotWelcome,
                    None,
                    extra,
                    deliver,
                )
                .await
            }
            TriggerKind::BotAdded | TriggerKind::BotRemoved => {
                let mut extra = Map::new();
                extra.insert("operation".into(), t.kind.as_str().into());
                extra.insert("data".into(), json!({"time": row.created_at}));
                // After a removal the bot may no longer post there.
                let deliver = match (&chat, t.kind) {
                    (Some(c), TriggerKind::BotAdded) => Deliver::Chat(c.id.clone()),
                    _ => Deliver::Nothing,
                };
                self.run_kind(
                    row,
                    &bot,
                    actor,
                    HandlerKind::BotParticipation,
                    chat.as_ref(),
                    extra,
                    deliver,
                )
                .await
            }
            TriggerKind::Call => {
                let mut extra = Map::new();
                extra.insert(
                    "operation".into(),
                    t.data.get("operation").cloned().unwrap_or(Value::Null),
                );
                extra.insert(
                    "data".into(),
                    json!({"call_id": t.data.get("call_id"), "time": row.created_at}),
                );
                self.run_kind(
                    row,
                    &bot,
                    actor,
                    HandlerKind::BotCall,
                    None,
                    extra,
                    Deliver::Nothing,
                )
                .await
            }
            TriggerKind::ThreadClosed | TriggerKind::ThreadReopened => {
                let mut extra = Map::new();
                extra.insert("operation".into(), t.kind.as_str().into());
                extra.insert(
                    "data".into(),
                    json!({"thread": t.data.get("thread"), "time": row.created_at}),
                );
                // A closed thread takes no reply; a reopened one does.
                let deliver = match (&chat, t.kind) {
                    (Some(c), TriggerKind::ThreadReopened) => Deliver::Chat(c.id.clone()),
                    _ => Deliver::Nothing,
                };
                self.run_kind(
                    row,
                    &bot,
                    actor,
                    HandlerKind::BotParticipation,
                    chat.as_ref(),
                    extra,
                    deliver,
                )
                .await
            }
            TriggerKind::MessageEdited | TriggerKind::MessageDeleted => {
                if !listens(&bot.row) {
                    return self.complete(row.id).await;
                }
                let mut extra = Map::new();
                extra.insert("operation".into(), t.kind.as_str().into());
                extra.insert(
                    "data".into(),
                    json!({"message": t.data.get("message"), "time": row.created_at}),
                );
                let deliver = chat
                    .as_ref()
                    .map_or(Deliver::Nothing, |c| Deliver::Chat(c.id.clone()));
                self.run_kind(
                    row,
                    &bot,
                    actor,
                    HandlerKind::BotParticipation,
                    chat.as_ref(),
                    extra,
                    deliver,
                )
                .await
            }
        }
    }

    /// A message posted where the bot is: a conversation's answer, or the handlers
    /// [`route_message`] names.
    async fn on_message(
        &self,
        row: &TriggerRow,
        bot: &Bot,
        actor: Actor,
        chat: ChatRow,
        message: MessageRow,
    ) -> Result<(), StoreError> {
        let t = &row.trigger;
        let facts = MessageFacts {
            in_bot_chat: chat.kind == "bot",
            mentions_bot: cliqd_service::mentioned_bot_ids(&message).contains(&bot.row.id),
            listens: listens(&bot.row),
            context_open: self
                .inner
                .conversations
                .is_open(bot.row.id, actor.id(), &chat.id),
        };
        let routes = route_message(facts);
        if routes.is_empty() {
            return self.complete(row.id).await;
        }
        let mut trigger_id = Some(row.id);
        for route in routes {
            match route {
                MessageRoute::ContextAnswer => {
                    let text = inputs::message_text(&message);
                    match self
                        .inner
                        .conversations
                        .answer(bot.row.id, actor.id(), &chat.id, &text)
                    {
                        Some(Step::Ask(question)) => {
                            let post = Delivery::Post(NewPost {
                                org_id: t.org_id,
                                target: PostTarget::Chat(chat.id.clone()),
                                sender_id: actor.id(),
                                bot_id: Some(bot.row.id),
                                kind: "text".into(),
                                body: question,
                                reply_to: None,
                                thread_message_id: None,
                                thread_title: None,
                                mentions: Vec::new(),
                            });
                            self.complete_with(row.id, post).await?;
                        }
                        Some(Step::Done {
                            context_id,
                            answers,
                        }) => {
                            let mut extra = Map::new();
                            extra.insert("context_id".into(), context_id.into());
                            extra.insert("answers".into(), answers);
                            extra.insert("attachments".into(), json!([]));
                            self.run_kind(
                                row,
                                bot,
                                actor.clone(),
                                HandlerKind::BotContext,
                                Some(&chat),
                                extra,
                                Deliver::Chat(chat.id.clone()),
                            )
                            .await?;
                        }
                        None => self.complete(row.id).await?,
                    }
                }
                MessageRoute::Run(kind) => {
                    let mut extra = message_inputs(kind, &message);
                    if kind == HandlerKind::BotParticipation {
                        extra.insert("operation".into(), "message_sent".into());
                        extra.insert(
                            "data".into(),
                            json!({"message": inputs::message_map(&message), "time": message.time}),
                        );
                    }
                    let deliver = Deliver::Chat(chat.id.clone());
                    self.run_kind_with(
                        trigger_id,
                        row,
                        bot,
                        actor.clone(),
                        kind,
                        Some(&chat),
                        extra,
                        deliver,
                    )
                    .await?;
                }
            }
            // Only the first run completes the trigger (see the crate documentation).
            trigger_id = None;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_kind(
        &self,
        row: &TriggerRow,
        bot: &Bot,
        actor: Actor,
        kind: HandlerKind,
        chat: Option<&ChatRow>,
        extra: Map<String, Value>,
        deliver: Deliver,
    ) -> Result<(), StoreError> {
        self.run_kind_with(Some(row.id), row, bot, actor, kind, chat, extra, deliver)
            .await
    }

    /// Runs the bot's handler of `kind` for a trigger, or completes the trigger when the bot
    /// has none.
    #[allow(clippy::too_many_arguments)]
    async fn run_kind_with(
        &self,
        trigger_id: Option<i64>,
        row: &TriggerRow,
        bot: &Bot,
        actor: Actor,
        kind: HandlerKind,
        chat: Option<&ChatRow>,
        extra: Map<String, Value>,
        deliver: Deliver,
    ) -> Result<(), StoreError> {
        let spec: &'static HandlerSpec = kind.spec();
        let handler = bot
            .handlers
            .iter()
            .find(|h| h.handler_type == spec.api_name)
            .cloned();
        let Some(handler) = handler else {
            if let Some(id) = trigger_id {
                self.complete(id).await?;
            }
            return Ok(());
        };
        let chat_value = match chat {
            Some(c) => Some(self.chat_value(c).await?),
            None => None,
        };
        let inputs = self.inputs_for(
            &actor,
            chat_value,
            row.trigger.chat_id.as_deref(),
            row.trigger.message_id.as_deref(),
            extra,
        );
        let req = RunRequest {
            component: bot.row.clone(),
            handler: Arc::new(handler),
            spec,
            actor,
            inputs,
            trigger: trigger_json(row),
            deliver,
        };
        self.run(req, trigger_id)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                crate::engine::EngineError::Store(s) => s,
            })
    }

    /// The `chat` input of a chat: with its channel, and for a thread its parent.
    pub async fn chat_value(&self, chat: &ChatRow) -> Result<Value, StoreError> {
        let store = &self.inner.store;
        let parent = match &chat.parent_chat_id {
            Some(p) => store.get_chat(chat.org_id, p).await.ok(),
            None => None,
        };
        let channel_id = chat
            .channel_id
            .clone()
            .or_else(|| parent.as_ref().and_then(|p| p.channel_id.clone()));
        let channel = match channel_id {
            Some(id) => store.channel_by_id(chat.org_id, &id).await.ok(),
            None => None,
        };
        Ok(inputs::chat_map(chat, channel.as_ref(), parent.as_ref()))
    }

    /// The inputs every handler gets (`user`, `access`, `environment`, `location`, and `chat`
    /// when there is one) plus `extra`.
    pub fn inputs_for(
        &self,
        actor: &Actor,
        chat: Option<Value>,
        chat_id: Option<&str>,
        message_id: Option<&str>,
        extra: Map<String, Value>,
    ) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("user".into(), inputs::user_map(&actor.user));
        m.insert(
            "access".into(),
            inputs::access_map(&actor.user, chat_id, message_id),
        );
        m.insert(
            "environment".into(),
            inputs::environment_map(&self.inner.config.base_url),
        );
        m.insert("location".into(), inputs::location_unknown());
        if let Some(c) = chat {
            m.insert("chat".into(), c);
        }
        m.extend(extra);
        m
    }
}

/// Whether the bot listens to its channels' messages.
fn listens(bot: &ComponentRow) -> bool {
    BotAttrs::from_stored(&bot.attrs)
        .map(|a| {
            a.channel_participation
                .iter()
                .any(|p| p == "listen_message")
        })
        .unwrap_or(false)
}

/// The message inputs of the message and mention handlers.
fn message_inputs(kind: HandlerKind, m: &MessageRow) -> Map<String, Value> {
    let mentions = cliqd_service::mentions_input(m);
    let text = inputs::message_text(m);
    let mut extra = Map::new();
    let message = if kind == HandlerKind::BotMention {
        inputs::message_map(m)
    } else {
        Value::String(text.clone())
    };
    extra.insert("message".into(), message);
    extra.insert("raw_message".into(), text.clone().into());
    extra.insert(
        "message_details".into(),
        inputs::message_details(m, &mentions),
    );
    extra.insert("attachments".into(), json!([]));
    extra.insert("mentions".into(), mentions);
    extra.insert("links".into(), inputs::links(&text));
    extra
}

/// What the journal says caused a run of an outbox trigger.
pub(crate) fn trigger_json(row: &TriggerRow) -> Value {
    let t = &row.trigger;
    let mut m = Map::new();
    m.insert("kind".into(), t.kind.as_str().into());
    m.insert("trigger_id".into(), row.id.to_string().into());
    if let Some(c) = &t.chat_id {
        m.insert("chat_id".into(), c.clone().into());
    }
    if let Some(id) = &t.message_id {
        m.insert("message_id".into(), id.clone().into());
    }
    if let Some(call) = t.data.get("call_id") {
        m.insert("call_id".into(), call.clone());
    }
    Value::Object(m)
}
