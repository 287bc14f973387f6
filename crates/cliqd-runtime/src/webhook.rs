//! The webhook executor: a webhook component's handler runs on the developer's own server.
//!
//! Each run `POST`s the invocation envelope (`docs/webhooks.md`;
//! <https://www.zoho.com/cliq/help/platform/build-url-invoke-type-extensions.html>) to the
//! component's `execution_url` through the one outbound client (timeouts, a response size
//! cap, private and loopback targets refused unless allowed), signed twice
//! ([`crate::signing`]), and reads the answer: `{"output": <reply>}` or the reply unwrapped.
//! The engine checks and delivers the reply exactly as a Deluge handler's.
//!
//! Triggers nobody waits on (message, mention, context, participation, welcome, call, incoming
//! webhook) are retried on a connection failure, a timeout or a 5xx answer, after each delay
//! of [`WebhookConfig::retry_delays`] (with ±20 % jitter); every attempt carries the same
//! `webhook-id`, retries an `X-Cliq-Retry-Num` header. Interactive ones (menu actions,
//! buttons, forms, message actions) are sent once: the user is waiting.
//!
//! Every attempt is kept in the journal record: the request's headers and body, the answer's
//! status, headers and body (each cut at 64 KB), the latency and why it failed.

use crate::engine::Deliver;
use crate::executor::{Execution, Executor, Invocation, RunError, version_of};
use crate::signing::{Keys, standard_signature};
use async_trait::async_trait;
use cliqd_core::HandlerKind;
use cliqd_core::attrs::{BotAttrs, ComponentAttrs};
use cliqd_outbound::{OutboundClient, OutboundError, OutboundRequest};
use cliqd_store::{NewResponseToken, Store};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Time to wait for the synchronous answer of one attempt (default 15 s).
    pub timeout: Duration,
    /// The waits before each retry of a trigger nobody waits on (default 1 s, 5 s, 25 s: four
    /// attempts in all).
    pub retry_delays: Vec<Duration>,
    /// How long a `response_url` accepts deferred replies (default 30 minutes).
    pub response_ttl: Duration,
    /// How many deferred replies one `response_url` accepts (default 5).
    pub response_uses: i64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            timeout: Duration::from_secs(15),
            retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(25),
            ],
            response_ttl: Duration::from_secs(30 * 60),
            response_uses: 5,
        }
    }
}

/// The most of a request or answer body the journal keeps.
pub const RECORD_BYTES: usize = 64 * 1024;

/// The path of a `response_url` under the server's base URL.
pub const RESPONSE_PATH: &str = "/api/v3/webhooks/responses/";

/// Runs webhook handlers (see the module documentation).
pub struct WebhookExecutor {
    store: Arc<dyn Store>,
    outbound: Option<OutboundClient>,
    keys: Arc<Keys>,
    base_url: String,
    config: WebhookConfig,
}

/// Whether a handler's trigger has a user waiting on the answer (never retried).
pub fn interactive(kind: HandlerKind) -> bool {
    !matches!(
        kind,
        HandlerKind::BotWelcome
            | HandlerKind::BotMessage
            | HandlerKind::BotMention
            | HandlerKind::BotContext
            | HandlerKind::BotParticipation
            | HandlerKind::BotCall
            | HandlerKind::BotIncomingWebhook
            | HandlerKind::Scheduler
    )
}

/// The inputs only a permission lets through (digest of the platform: permission filtering).
fn permission_of(kind: HandlerKind, key: &str) -> Option<&'static str> {
    Some(match key {
        "user" => "user",
        "chat" => "chat",
        "message" => "message",
        "messages" | "mentions" if kind == HandlerKind::MessageAction => "message",
        "location" => "location",
        "attachments" => "attachments",
        _ => return None,
    })
}

/// A component's `execution_url`.
pub fn execution_url(attrs: &Value) -> Option<String> {
    BotAttrs::from_stored(attrs)
        .ok()
        .and_then(|a| a.execution_url().map(str::to_string))
        .or_else(|| {
            attrs
                .get("execution_url")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
}

/// The envelope's `params`: the handler's inputs under their wire keys, the ones a permission
/// guards only when the handler has it.
pub fn params(inv: &Invocation) -> Map<String, Value> {
    let kind = inv.spec.kind;
    let granted: Vec<&str> = inv
        .handler
        .attrs
        .get("permissions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    for (k, v) in &inv.inputs {
        if let Some(p) = permission_of(kind, k)
            && !granted.contains(&p)
        {
            continue;
        }
        match (kind, k.as_str()) {
            // On the wire the menu action's name and sub-action sit outside `params`.
            (HandlerKind::BotMenu, "sub_action" | "action_name") => {}
            // An incoming webhook's query and body parameters are `params` on the wire.
            (HandlerKind::BotIncomingWebhook, "parameters") => {
                out.insert("params".into(), v.clone());
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// The invocation envelope of a run (`response_url` aside, which is given).
pub fn envelope(inv: &Invocation, response_url: Option<&str>, timestamp: i64) -> Value {
    let kind = inv.spec.kind;
    let c = &inv.component;
    let mut m = Map::new();
    m.insert("name".into(), c.name.clone().into());
    if c.kind == "bot"
        && let Some(u) = &c.unique_name
    {
        m.insert("unique_name".into(), u.clone().into());
    }
    let mut handler = json!({"type": inv.spec.wire_name});
    if kind == HandlerKind::BotMenu {
        handler["name"] = inv
            .handler
            .attrs
            .get("name")
            .cloned()
            .unwrap_or(Value::Null);
        m.insert("handler".into(), handler);
        m.insert(
            "sub_action".into(),
            inv.inputs
                .get("sub_action")
                .cloned()
                .unwrap_or_else(|| "".into()),
        );
    } else {
        m.insert("handler".into(), handler);
    }
    if let Some(url) = response_url {
        m.insert("response_url".into(), url.into());
    }
    m.insert("type".into(), c.kind.clone().into());
    m.insert("timestamp".into(), timestamp.into());
    m.insert("params".into(), Value::Object(params(inv)));
    Value::Object(m)
}

/// Text of at most [`RECORD_BYTES`] bytes, cut at a character boundary, and whether it was cut.
fn cut(bytes: &[u8]) -> (String, bool) {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= RECORD_BYTES {
        return (text.into_owned(), false);
    }
    let mut end = RECORD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_string(), true)
}

/// Why one attempt failed (`reason`: `timeout`, `refused`, `unreachable`, `too_large`,
/// `invalid_request`, `status` or `not_json`), and whether a retry may help.
struct Failure {
    error: RunError,
    reason: &'static str,
    retry: bool,
}

fn failure(reason: &'static str, message: String, retry: bool) -> Failure {
    Failure {
        error: RunError::Error {
            message,
            line: 0,
            column: 0,
        },
        reason,
        retry,
    }
}

/// The reply in an answer's body: `{"output": …}` or the reply unwrapped; an empty body or an
/// empty `output` is nothing to show (`null`).
pub fn reply_of(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        let (start, _) = cut(&body[..body.len().min(80)]);
        format!("the webhook's answer is not JSON ({e}): {start}")
    })?;
    Ok(match v {
        Value::Object(mut m) if m.contains_key("output") => match m.remove("output") {
            Some(Value::String(s)) if s.is_empty() => Value::Null,
            Some(out) => out,
            None => Value::Null,
        },
        other => other,
    })
}

/// A new random token, hex.
fn token() -> String {
    let bytes: [u8; 24] = rand::random();
    hex::encode(bytes)
}

/// The hash a `response_url` token is stored by.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How a `Deliver` is kept with a `response_url` token.
pub fn deliver_json(d: &Deliver) -> Value {
    match d {
        Deliver::Nothing => json!({"kind": "nothing"}),
        Deliver::Chat(c) => json!({"kind": "chat", "chat_id": c}),
        Deliver::Users(u) => json!({"kind": "users", "user_ids": u}),
        Deliver::Invoker(c) => json!({"kind": "invoker", "chat_id": c}),
    }
}

/// The `Deliver` kept with a token.
pub fn deliver_from(v: &Value) -> Deliver {
    match v.get("kind").and_then(Value::as_str) {
        Some("chat") => match v.get("chat_id").and_then(Value::as_str) {
            Some(c) => Deliver::Chat(c.to_string()),
            None => Deliver::Nothing,
        },
        Some("invoker") => {
            Deliver::Invoker(v.get("chat_id").and_then(Value::as_str).map(str::to_string))
        }
        Some("users") => Deliver::Users(
            v.get("user_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default(),
        ),
        _ => Deliver::Nothing,
    }
}

impl WebhookExecutor {
    pub fn new(
        store: Arc<dyn Store>,
        outbound: Option<OutboundClient>,
        keys: Arc<Keys>,
        base_url: String,
        config: WebhookConfig,
    ) -> Self {
        WebhookExecutor {
            store,
            outbound,
            keys,
            base_url,
            config,
        }
    }

    /// A fresh `response_url` for a run, kept in the store.
    async fn response_url(&self, inv: &Invocation, now: i64) -> Result<String, String> {
        let t = token();
        self.store
            .create_response_token(NewResponseToken {
                token_hash: token_hash(&t),
                org_id: inv.actor.org_id(),
                component_id: inv.component.id,
                handler_id: inv.handler.id,
                user_id: inv.actor.id(),
                deliver: {
                    let mut d = deliver_json(&inv.deliver);
                    d["component_kind"] = inv.component.kind.clone().into();
                    d["handler_kind"] = inv.spec.kind.as_str().into();
                    d
                },
                expires_at: now + self.config.response_ttl.as_millis() as i64,
                uses: self.config.response_uses,
            })
            .await
            .map_err(|e| format!("cannot keep the response_url: {e}"))?;
        Ok(format!(
            "{}{RESPONSE_PATH}{t}",
            self.base_url.trim_end_matches('/')
        ))
    }

    /// One attempt: sends, reads and records it.
    async fn attempt(
        &self,
        client: &OutboundClient,
        url: &str,
        headers: Vec<(String, String)>,
        body: &[u8],
        record: &mut Vec<Value>,
    ) -> Result<Value, Failure> {
        let began = Instant::now();
        let (req_body, req_cut) = cut(body);
        let mut entry = json!({
            "number": record.len() + 1,
            "started_at": crate::engine::now_ms(),
            "request": {
                "url": url,
                "headers": headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                "body": req_body,
                "body_truncated": req_cut,
            },
        });
        let sent = tokio::time::timeout(
            self.config.timeout,
            client.execute(OutboundRequest {
                method: "POST".into(),
                url: url.to_string(),
                headers,
                body: Some(body.to_vec()),
            }),
        )
        .await;
        entry["latency_ms"] = json!(began.elapsed().as_secs_f64() * 1000.0);
        let result = match sent {
            Err(_) | Ok(Err(OutboundError::Timeout)) => Err(Failure {
                error: RunError::Timeout(format!(
                    "the webhook did not answer within {} ms",
                    self.config.timeout.as_millis()
                )),
                reason: "timeout",
                retry: true,
            }),
            Ok(Err(e)) => {
                let (reason, retry) = match e {
                    OutboundError::Transport(_) => ("unreachable", true),
                    OutboundError::Forbidden(_) => ("refused", false),
                    OutboundError::TooLarge(_) => ("too_large", false),
                    _ => ("invalid_request", false),
                };
                let message = match e {
                    OutboundError::TooLarge(max) => {
                        format!("the webhook's answer is larger than {max} bytes")
                    }
                    other => format!("the webhook could not be reached: {other}"),
                };
                Err(failure(reason, message, retry))
            }
            Ok(Ok(resp)) => {
                let (text, truncated) = cut(&resp.body);
                entry["response"] = json!({
                    "status": resp.status,
                    "headers": resp.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                    "body": text,
                    "body_truncated": truncated,
                });
                if (200..300).contains(&resp.status) {
                    reply_of(&resp.body).map_err(|m| failure("not_json", m, false))
                } else {
                    Err(failure(
                        "status",
                        format!("the webhook answered HTTP {}", resp.status),
                        resp.status >= 500,
                    ))
                }
            }
        };
        if let Err(f) = &result {
            entry["error"] = f.error.message().into();
            entry["reason"] = f.reason.into();
        }
        record.push(entry);
        result
    }
}

/// A run's `webhook-id`: derived from its outbox trigger (and handler) when it has one, so a
/// trigger run again after a restart keeps its id; random otherwise.
fn delivery_id(inv: &Invocation) -> String {
    match inv.trigger.get("trigger_id").and_then(Value::as_str) {
        Some(t) => {
            let seed = format!("{}:{t}:{}", inv.actor.org_id(), inv.handler.id);
            format!(
                "msg_{}",
                hex::encode(&Sha256::digest(seed.as_bytes())[..12])
            )
        }
        None => format!("msg_{}", token()),
    }
}

/// A delay with ±20 % jitter.
fn jittered(d: Duration) -> Duration {
    let factor = 0.8 + rand::random::<f64>() * 0.4;
    d.mul_f64(factor)
}

#[async_trait]
impl Executor for WebhookExecutor {
    async fn execute(&self, inv: Invocation) -> Execution {
        let url = execution_url(&inv.component.attrs).unwrap_or_default();
        let mut detail = Map::new();
        let mut attempts = Vec::new();
        let returned = self.deliver(&inv, &url, &mut detail, &mut attempts).await;
        detail.insert("attempts".into(), Value::Array(attempts));
        Execution {
            executor: "webhook",
            returned,
            info: Vec::new(),
            tasks: Vec::new(),
            statements: 0,
            version: version_of(&url),
            detail,
        }
    }
}

impl WebhookExecutor {
    /// The id and body of the delivery a redelivery repeats (`trigger.execution_id`).
    async fn earlier(&self, inv: &Invocation) -> Result<(String, String), String> {
        let id = inv
            .trigger
            .get("execution_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or("a redelivery names the execution it repeats")?;
        let old = self
            .store
            .execution(inv.actor.org_id(), id)
            .await
            .map_err(|e| format!("cannot read execution {id}: {e}"))?;
        let webhook = old.execution.detail.get("webhook");
        match (
            webhook.and_then(|w| w.get("id")).and_then(Value::as_str),
            webhook.and_then(|w| w.get("envelope")),
        ) {
            (Some(wid), Some(envelope)) if !envelope.is_null() => {
                Ok((wid.to_string(), envelope.to_string()))
            }
            _ => Err(format!("execution {id} was not a webhook delivery")),
        }
    }

    async fn deliver(
        &self,
        inv: &Invocation,
        url: &str,
        detail: &mut Map<String, Value>,
        attempts: &mut Vec<Value>,
    ) -> Result<Value, RunError> {
        let err = |message: String| RunError::Error {
            message,
            line: 0,
            column: 0,
        };
        let Some(client) = &self.outbound else {
            return Err(err(
                "webhook execution is off: the server has no outbound client".into(),
            ));
        };
        if url.is_empty() {
            return Err(err("the component has no execution_url".into()));
        }
        // The keys first: making an organization's RSA key on its first delivery takes a
        // while, which must not eat into the response_url's time to live.
        let org_key = self
            .keys
            .org_key(inv.actor.org_id())
            .await
            .map_err(|e| err(format!("cannot sign the delivery: {e}")))?;
        let secret = self
            .keys
            .secret(inv.component.id)
            .await
            .map_err(|e| err(format!("cannot sign the delivery: {e}")))?;
        // A redelivery sends the same delivery again: same id, same body (a new timestamp and
        // new signatures).
        let redelivery = inv.trigger.get("kind").and_then(Value::as_str) == Some("redeliver");
        let (id, body) = if redelivery {
            self.earlier(inv).await.map_err(err)?
        } else {
            let now = crate::engine::now_ms();
            let response_url = if inv.spec.kind == HandlerKind::BotCall {
                None
            } else {
                Some(self.response_url(inv, now).await.map_err(err)?)
            };
            let envelope = envelope(inv, response_url.as_deref(), now);
            (delivery_id(inv), envelope.to_string())
        };
        detail.insert(
            "webhook".into(),
            json!({"url": url, "id": id, "envelope": serde_json::from_str::<Value>(&body).unwrap_or(Value::Null)}),
        );
        let body = body.into_bytes();
        let cliq_signature = org_key.sign(&body);
        let delays: &[Duration] = if interactive(inv.spec.kind) || redelivery {
            &[]
        } else {
            &self.config.retry_delays
        };
        let mut last = None;
        for n in 0..=delays.len() {
            if n > 0 {
                tokio::time::sleep(jittered(delays[n - 1])).await;
            }
            let timestamp = chrono::Utc::now().timestamp();
            let mut headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                (
                    "User-Agent".to_string(),
                    concat!("cliqd/", env!("CARGO_PKG_VERSION")).to_string(),
                ),
                ("X-Cliq-Signature".to_string(), cliq_signature.clone()),
                ("webhook-id".to_string(), id.clone()),
                ("webhook-timestamp".to_string(), timestamp.to_string()),
                (
                    "webhook-signature".to_string(),
                    standard_signature(&secret, &id, timestamp, &body),
                ),
            ];
            if n > 0 {
                headers.push(("X-Cliq-Retry-Num".to_string(), n.to_string()));
            }
            match self.attempt(client, url, headers, &body, attempts).await {
                Ok(v) => return Ok(v),
                Err(f) if f.retry => last = Some(f.error),
                Err(f) => return Err(f.error),
            }
        }
        Err(last.unwrap_or_else(|| err("the webhook was not delivered".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cliqd_service::Actor;
    use cliqd_store::{ComponentRow, HandlerRow, UserRow};

    fn invocation(kind: HandlerKind, permissions: Value, inputs: Value) -> Invocation {
        let component = ComponentRow {
            id: 1,
            org_id: 2,
            kind: "bot".into(),
            name: "Hooky".into(),
            unique_name: Some("hooky".into()),
            creator_id: 3,
            creator_name: "Admin".into(),
            scope: "organization".into(),
            team_ids: Vec::new(),
            attrs: json!({"execution_type": "webhook", "execution_url": "http://x/"}),
            created_at: 0,
            updated_at: 0,
            seq: 0,
        };
        let handler = HandlerRow {
            id: 4,
            component_id: 1,
            handler_type: kind.spec().api_name.into(),
            script: None,
            attrs: json!({"permissions": permissions, "name": "Deploy"}),
            position: 1,
            created_at: 0,
            updated_at: 0,
        };
        Invocation {
            component: Arc::new(component),
            handler: Arc::new(handler),
            spec: kind.spec(),
            actor: Actor::new(Arc::new(UserRow {
                id: 3,
                org_id: 2,
                email: "a@x".into(),
                name: "A B".into(),
                is_admin: true,
            })),
            inputs: inputs.as_object().cloned().unwrap_or_default(),
            trigger: json!({"kind": "test"}),
            deliver: Deliver::Nothing,
        }
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    #[test]
    fn permissions_filter_exactly_the_guarded_keys() {
        let all = json!({"user": {}, "chat": {}, "message": "hi", "location": {}, "attachments": [],
            "mentions": [], "access": {}, "environment": {}, "message_details": {}});
        let none = invocation(HandlerKind::BotMessage, json!([]), all.clone());
        assert_eq!(
            keys(&Value::Object(params(&none))),
            ["access", "environment", "mentions", "message_details"]
        );
        let some = invocation(
            HandlerKind::BotMessage,
            json!(["user", "message"]),
            all.clone(),
        );
        assert_eq!(
            keys(&Value::Object(params(&some))),
            [
                "access",
                "environment",
                "mentions",
                "message",
                "message_details",
                "user"
            ]
        );
        // For message actions `mentions` (and `messages`) come with `message`.
        let action = invocation(HandlerKind::MessageAction, json!([]), all);
        assert!(!params(&action).contains_key("mentions"));
    }

    #[test]
    fn the_envelope_of_a_menu_action() {
        let inv = invocation(
            HandlerKind::BotMenu,
            json!(["chat"]),
            json!({"chat": {}, "access": {}, "environment": {}, "sub_action": "Prod", "action_name": "Deploy"}),
        );
        let env = envelope(&inv, Some("http://r/1"), 5);
        assert_eq!(
            env,
            json!({"name": "Hooky", "unique_name": "hooky",
                "handler": {"type": "action_handler", "name": "Deploy"}, "sub_action": "Prod",
                "response_url": "http://r/1", "type": "bot", "timestamp": 5,
                "params": {"chat": {}, "access": {}, "environment": {}}})
        );
    }

    #[test]
    fn answers_wrapped_unwrapped_empty_and_not_json() {
        assert_eq!(
            reply_of(br#"{"output": {"text": "a"}}"#),
            Ok(json!({"text": "a"}))
        );
        assert_eq!(reply_of(br#"{"text": "a"}"#), Ok(json!({"text": "a"})));
        assert_eq!(reply_of(br#"{"output": ""}"#), Ok(Value::Null));
        assert_eq!(reply_of(b"  "), Ok(Value::Null));
        assert!(reply_of(b"<html>").unwrap_err().contains("not JSON"));
        let d = Deliver::Users(vec![1, 2]);
        assert_eq!(deliver_from(&deliver_json(&d)), d);
        assert!(interactive(HandlerKind::BotMenu) && !interactive(HandlerKind::BotMessage));
    }
}
