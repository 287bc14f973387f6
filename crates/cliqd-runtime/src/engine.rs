//! The engine: configuration, one run from invocation to journal ([`Engine::run_now`] and the
//! outbox's runs alike), user events.

use crate::context::Conversations;
use crate::executor::{DelugeConfig, DelugeExecutor, Execution, Executor, Invocation};
use crate::reply::{self, Reply};
use crate::signing::Keys;
use crate::webhook::{WebhookConfig, WebhookExecutor};
use cliqd_core::HandlerSpec;
use cliqd_core::attrs::{BotAttrs, ComponentAttrs};
use cliqd_core::kinds::ExecutionType;
use cliqd_outbound::OutboundClient;
use cliqd_service::Actor;
use cliqd_store::{
    ComponentRow, Delivered, Delivery, ExecutionRow, Finish, HandlerRow, MentionRow, NewExecution,
    NewPost, PostTarget, Store, StoreError,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, broadcast, mpsc};

/// How the engine runs handlers.
#[derive(Clone)]
pub struct EngineConfig {
    /// This server's base URL (the handlers' `environment.base_url`).
    pub base_url: String,
    /// Wall-clock time one run may take (default 15 s).
    pub timeout: Duration,
    /// The interpreter's other limits (statements, call depth, sizes, memory).
    pub limits: deluge::Limits,
    /// Scripts running at once, over all bots.
    pub deluge_slots: usize,
    /// Runs of one bot at once, so one slow bot cannot take every slot.
    pub bot_concurrency: usize,
    /// Triggers of one bot waiting or running; beyond it a trigger is refused (journaled, and
    /// the user gets a failure banner).
    pub bot_backlog: usize,
    /// Journal records kept per organization (the newest).
    pub retention: usize,
    /// The client `invokeUrl` (and webhook execution) goes through; `None` disables it.
    pub outbound: Option<OutboundClient>,
    /// How webhook components' handlers are delivered.
    pub webhook: WebhookConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            base_url: "http://127.0.0.1:8080".into(),
            timeout: Duration::from_secs(15),
            limits: deluge::Limits::default(),
            deluge_slots: 32,
            bot_concurrency: 8,
            bot_backlog: 1000,
            retention: 10_000,
            outbound: None,
            webhook: WebhookConfig::default(),
        }
    }
}

/// The events for one user's real-time connections (not stored): a banner for the invoker,
/// `execution_finished` for a component's creator; each is the wire object.
pub type UserEvents = broadcast::Receiver<Arc<Value>>;

/// Events buffered per user for a slow connection.
const USER_EVENT_BUFFER: usize = 256;

/// Where a run's message reply goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Deliver {
    /// Nowhere (a direct invocation without `deliver`).
    Nothing,
    /// Into this chat, as the bot.
    Chat(String),
    /// Into each user's bot chat with the bot.
    Users(Vec<i64>),
    /// Only to the invoking user, never stored: an `ephemeral_message` event on their
    /// WebSocket (in the context of this chat, if any), and the synchronous caller's answer.
    /// Buttons, message actions and forms reply this way (a script that wants a message seen
    /// by everyone posts it with a `zoho.cliq` task).
    Invoker(Option<String>),
}

/// A run to perform now.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub component: Arc<ComponentRow>,
    pub handler: Arc<HandlerRow>,
    pub spec: &'static HandlerSpec,
    pub actor: Actor,
    pub inputs: Map<String, Value>,
    /// What caused it, for the journal (`{"kind": …, "chat_id": …}`).
    pub trigger: Value,
    pub deliver: Deliver,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The journal record (`None` only when the run's trigger had already been completed).
    pub record: Option<ExecutionRow>,
    pub reply: Reply,
    pub outcome: String,
    pub message_ids: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: EngineConfig,
    deluge: DelugeExecutor,
    webhook: Box<dyn Executor>,
    /// Per user with a connection listening: only that user's connections wake.
    events: Mutex<HashMap<i64, broadcast::Sender<Arc<Value>>>>,
    pub(crate) keys: Arc<Keys>,
    pub(crate) conversations: Conversations,
    /// Per (bot, chat) queue of triggers, each drained by one task in order.
    pub(crate) queues: Mutex<HashMap<(i64, String), mpsc::UnboundedSender<crate::outbox::Queued>>>,
    /// Triggers per bot waiting or running.
    pub(crate) backlog: Mutex<HashMap<i64, usize>>,
    bot_slots: Mutex<HashMap<i64, Arc<Semaphore>>>,
    /// Bumped each time the store's whole content was replaced ([`Engine::store_replaced`]).
    pub(crate) generation: std::sync::atomic::AtomicU64,
}

/// The handler engine (see the crate documentation). Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Engine {
    /// An engine on `store`; call [`Engine::start`] to run the outbox.
    pub fn new(store: Arc<dyn Store>, config: EngineConfig) -> Engine {
        let deluge = DelugeExecutor::new(
            store.clone(),
            DelugeConfig {
                limits: config.limits.clone(),
                timeout: config.timeout,
                slots: config.deluge_slots,
                outbound: config.outbound.clone(),
            },
        );
        let keys = Arc::new(Keys::new(store.clone()));
        let webhook = WebhookExecutor::new(
            store.clone(),
            config.outbound.clone(),
            keys.clone(),
            config.base_url.clone(),
            config.webhook.clone(),
        );
        Engine {
            inner: Arc::new(Inner {
                store,
                config,
                deluge,
                webhook: Box::new(webhook),
                keys,
                events: Mutex::new(HashMap::new()),
                conversations: Conversations::default(),
                queues: Mutex::new(HashMap::new()),
                backlog: Mutex::new(HashMap::new()),
                bot_slots: Mutex::new(HashMap::new()),
                generation: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// Starts the outbox loop on the current runtime: pending triggers (those of before a
    /// restart too) run, then every new one as its COMMIT signals it.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move { engine.outbox_loop().await })
    }

    /// Says the store's whole content was replaced (a snapshot restored, a reset): parsed
    /// programs are dropped (a handler's id and time may now stand for another script), open
    /// bot conversations and cached signing keys are forgotten (their ids may now stand for
    /// others), and
    /// the outbox reads the pending triggers from storage again, from the first (trigger ids
    /// start over with the restored counters). Runs already queued finish as they can.
    pub fn store_replaced(&self) {
        self.inner.deluge.forget_programs();
        self.inner.conversations.clear();
        self.inner.keys.forget();
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.store.trigger_signal().notify_one();
    }

    /// The events for `user_id` from now on.
    pub fn user_events(&self, user_id: i64) -> UserEvents {
        match self.inner.events.lock() {
            Ok(mut map) => map
                .entry(user_id)
                .or_insert_with(|| broadcast::channel(USER_EVENT_BUFFER).0)
                .subscribe(),
            Err(_) => broadcast::channel(1).1,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Sends `event` to `user_id`'s real-time connections, if any listens (not stored).
    pub fn emit(&self, user_id: i64, event: Value) {
        if let Ok(mut map) = self.inner.events.lock()
            && let Some(tx) = map.get(&user_id)
            && tx.send(Arc::new(event)).is_err()
        {
            // Nobody listens any more.
            map.remove(&user_id);
        }
    }

    fn bot_slots(&self, component_id: i64) -> Arc<Semaphore> {
        let Ok(mut slots) = self.inner.bot_slots.lock() else {
            return Arc::new(Semaphore::new(self.inner.config.bot_concurrency.max(1)));
        };
        slots
            .entry(component_id)
            .or_insert_with(|| Arc::new(Semaphore::new(self.inner.config.bot_concurrency.max(1))))
            .clone()
    }

    /// The executor of a component: by its execution type.
    fn executor(&self, component: &ComponentRow) -> &dyn Executor {
        let webhook = BotAttrs::from_stored(&component.attrs)
            .map(|a| a.execution_type == ExecutionType::Webhook)
            .unwrap_or_else(|_| {
                component
                    .attrs
                    .get("execution_type")
                    .and_then(Value::as_str)
                    == Some("webhook")
            });
        if webhook {
            self.inner.webhook.as_ref()
        } else {
            &self.inner.deluge
        }
    }

    /// Runs a handler now and answers what it did: the synchronous triggers (menu actions,
    /// incoming webhooks, direct invocation and replay).
    pub async fn run_now(&self, req: RunRequest) -> Result<RunReport, EngineError> {
        let report = self.run(req, None).await?;
        Ok(report.unwrap_or(RunReport {
            record: None,
            reply: Reply::Nothing,
            outcome: "success".into(),
            message_ids: Vec::new(),
        }))
    }

    /// One run: execute, check the reply, then post it, journal it and complete its trigger
    /// in one store transaction; then the user events. `None`: the trigger was already done.
    pub(crate) async fn run(
        &self,
        req: RunRequest,
        trigger_id: Option<i64>,
    ) -> Result<Option<RunReport>, EngineError> {
        let started_at = now_ms();
        let clock = Instant::now();
        let exec = {
            let slots = self.bot_slots(req.component.id);
            let _slot = slots.acquire_owned().await.ok();
            self.executor(&req.component)
                .execute(Invocation {
                    component: req.component.clone(),
                    handler: req.handler.clone(),
                    spec: req.spec,
                    actor: req.actor.clone(),
                    inputs: req.inputs.clone(),
                    trigger: req.trigger.clone(),
                    deliver: req.deliver.clone(),
                })
                .await
        };
        let duration_us = clock.elapsed().as_micros() as i64;
        self.finish(req, exec, trigger_id, started_at, duration_us)
            .await
    }

    pub(crate) async fn finish(
        &self,
        req: RunRequest,
        exec: Execution,
        trigger_id: Option<i64>,
        started_at: i64,
        duration_us: i64,
    ) -> Result<Option<RunReport>, EngineError> {
        let mut detail = Map::new();
        let (mut outcome, reply) = match &exec.returned {
            Ok(v) => match reply::check(req.spec, v) {
                Ok(r) => ("success", r),
                Err(errs) => {
                    detail.insert("errors".into(), reply::errors_json(&errs));
                    ("invalid_reply", Reply::Nothing)
                }
            },
            Err(e) => {
                detail.insert("error".into(), e.to_json());
                (e.outcome(), Reply::Nothing)
            }
        };
        let mut deliveries = Vec::new();
        let mut conversation = None;
        let mut ephemeral = None;
        if let Reply::Message(m) = &reply {
            // A reply's mentions resolve as the invoking user's would.
            let mentions = match m.text.as_deref() {
                Some(t) if cliqd_message::mentions::may_mention(t) => {
                    cliqd_service::resolve_mentions(self.inner.store.as_ref(), &req.actor, t)
                        .await
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            let (kind, mut body) = cliqd_service::canonical(m);
            if let Some(map) = body.as_object_mut() {
                map.remove("context");
            }
            let shows_something = m.context.is_none()
                || m.text.as_deref().is_some_and(|t| !t.is_empty())
                || m.card.is_some()
                || !m.slides.is_empty();
            match &req.deliver {
                Deliver::Chat(chat) => {
                    let post = |kind: String, body: Value, mentions: Vec<MentionRow>| {
                        Delivery::Post(NewPost {
                            org_id: req.actor.org_id(),
                            target: PostTarget::Chat(chat.clone()),
                            sender_id: req.actor.id(),
                            bot_id: Some(req.component.id),
                            kind,
                            body,
                            reply_to: None,
                            thread_message_id: None,
                            thread_title: None,
                            mentions,
                        })
                    };
                    if shows_something {
                        deliveries.push(post(kind, body, mentions.clone()));
                    }
                    if let Some(ctx) = &m.context
                        && let Some(first) = crate::context::question(ctx, 0)
                    {
                        deliveries.push(post("text".into(), first, Vec::new()));
                        conversation = Some((chat.clone(), ctx.clone()));
                    }
                }
                Deliver::Users(users) => deliveries.push(Delivery::BotMessages {
                    org_id: req.actor.org_id(),
                    bot_id: req.component.id,
                    sender_id: req.actor.id(),
                    user_ids: users.clone(),
                    kind,
                    body,
                    mentions,
                }),
                Deliver::Invoker(_) => ephemeral = Some(body),
                Deliver::Nothing => {}
            }
        }
        detail.insert("trigger".into(), req.trigger.clone());
        detail.insert("executor".into(), exec.executor.into());
        detail.insert("handler_id".into(), req.handler.id.to_string().into());
        detail.insert("handler_version".into(), exec.version.clone().into());
        detail.insert("inputs".into(), Value::Object(req.inputs.clone()));
        detail.insert("statements".into(), exec.statements.into());
        detail.insert("info".into(), json!(exec.info));
        detail.insert("tasks".into(), Value::Array(exec.tasks.clone()));
        detail.insert(
            "reply".into(),
            exec.returned.as_ref().cloned().unwrap_or(Value::Null),
        );
        detail.extend(exec.detail.clone());
        let record = NewExecution {
            org_id: req.actor.org_id(),
            component_id: req.component.id,
            component_kind: req.component.kind.clone(),
            component_name: req.component.name.clone(),
            component_creator_id: req.component.creator_id,
            handler: req.spec.api_name.to_string(),
            user_id: req.actor.id(),
            outcome: outcome.to_string(),
            started_at,
            duration_us,
            detail: Value::Object(detail),
        };
        let finished = self
            .inner
            .store
            .finish_execution(Finish {
                trigger_id,
                record: Some(record),
                deliveries,
                retention: self.inner.config.retention,
            })
            .await?;
        let Some(finished) = finished else {
            return Ok(None);
        };
        let refused = finished.delivered.iter().find_map(|d| match d {
            Delivered::Refused(r) => Some(format!("{r:?}")),
            Delivered::Posted(_) => None,
        });
        if let Some(r) = &refused {
            outcome = "refused";
            tracing::info!(component = req.component.id, reason = %r, "a handler's reply was refused");
        }
        if let Some((chat, ctx)) = conversation
            && refused.is_none()
        {
            self.inner
                .conversations
                .open(req.component.id, req.actor.id(), &chat, ctx);
        }
        let chat_id = match &req.deliver {
            Deliver::Chat(c) => Some(c.clone()),
            Deliver::Invoker(c) => c.clone(),
            _ => None,
        };
        if let Some(message) = ephemeral
            && outcome == "success"
        {
            self.emit(
                req.actor.id(),
                json!({"event": "ephemeral_message", "chat_id": chat_id, "data": {
                    "message": message,
                    "component": {"type": req.component.kind, "id": req.component.id.to_string(), "name": req.component.name},
                    "execution_id": finished.record.as_ref().map(|r| r.id.to_string()),
                }}),
            );
        }
        // Banners reach only the invoking user.
        let banner = match (&reply, outcome) {
            (Reply::Banner(b), "success") => Some(b.clone()),
            (_, "success") => None,
            (_, "refused") => Some(reply::failure_banner(
                &req.component.name,
                &format!(
                    "the reply could not be posted: {}",
                    refused.unwrap_or_default()
                ),
            )),
            (_, other) => Some(reply::failure_banner(
                &req.component.name,
                &failure_text(other, &exec),
            )),
        };
        if let Some(b) = banner {
            // A bot's banner names the bot; another component's (a function, a message
            // action) names the component.
            let (key, from) = if req.component.kind == "bot" {
                (
                    "bot",
                    json!({"id": format!("b-{}", req.component.id), "name": req.component.name}),
                )
            } else {
                (
                    "component",
                    json!({"type": req.component.kind, "id": req.component.id.to_string(), "name": req.component.name}),
                )
            };
            self.emit(
                req.actor.id(),
                json!({"event": "banner", "chat_id": chat_id, "data": {"banner": b, key: from}}),
            );
        }
        if let Some(record) = &finished.record {
            self.emit(
                req.component.creator_id,
                json!({"event": "execution_finished", "data": summary_json(record)}),
            );
        }
        let message_ids = finished
            .record
            .as_ref()
            .map(|r| r.delivered.clone())
            .unwrap_or_default();
        Ok(Some(RunReport {
            record: finished.record,
            reply,
            outcome: outcome.to_string(),
            message_ids,
        }))
    }
}

fn failure_text(outcome: &str, exec: &Execution) -> String {
    match (&exec.returned, outcome) {
        (Err(e), _) => format!("the handler failed: {}", e.message()),
        (Ok(_), "invalid_reply") => "the handler returned a reply Cliq cannot show".into(),
        _ => format!("the handler ended with {outcome}"),
    }
}

/// A journal record in brief: what `execution_finished` and the CLI show.
pub fn summary_json(r: &ExecutionRow) -> Value {
    let e = &r.execution;
    let first_error = e
        .detail
        .get("error")
        .and_then(|x| x.get("message"))
        .or_else(|| {
            e.detail
                .get("errors")
                .and_then(|x| x.get(0))
                .and_then(|x| x.get("message"))
        })
        .cloned();
    json!({
        "id": r.id.to_string(),
        "component": {"type": e.component_kind, "id": e.component_id.to_string(), "name": e.component_name},
        "handler": e.handler,
        "outcome": e.outcome,
        "started_at": e.started_at,
        "duration_ms": e.duration_us as f64 / 1000.0,
        "error": first_error,
    })
}
