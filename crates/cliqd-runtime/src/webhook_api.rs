//! What the server asks of webhook execution: the organization's public key, a component's
//! webhook secret (and its rotation), and deferred replies through a `response_url`.

use crate::engine::{Engine, EngineError, RunReport, RunRequest, now_ms};
use crate::executor::Execution;
use crate::signing::SigningError;
use crate::webhook::{deliver_from, reply_of, token_hash};
use cliqd_core::HandlerKind;
use cliqd_service::Actor;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Why a deferred reply was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DeferredError {
    /// The token is unknown, expired or used up (the caller answers 404).
    #[error("unknown, expired or used-up response_url")]
    NotFound,
    /// The body is not a reply (not JSON).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Engine {
    /// The organization's public key (PEM) that `X-Cliq-Signature` verifies with; the key
    /// pair is made on first use.
    pub async fn public_key(&self, org_id: i64) -> Result<String, SigningError> {
        Ok(self
            .inner
            .keys
            .org_key(org_id)
            .await?
            .public_pem()
            .to_string())
    }

    /// The component's webhook secret (`whsec_…`), made on first use.
    pub async fn webhook_secret(&self, component_id: i64) -> Result<String, SigningError> {
        self.inner.keys.secret(component_id).await
    }

    /// Replaces the component's webhook secret; deliveries from now on are signed with the new one.
    pub async fn rotate_webhook_secret(&self, component_id: i64) -> Result<String, SigningError> {
        self.inner.keys.rotate_secret(component_id).await
    }

    /// A deferred reply posted to a `response_url`: checked and delivered like the run's
    /// synchronous reply (journaled as a run of its own, trigger `deferred_reply`).
    pub async fn deferred_reply(
        &self,
        token: &str,
        body: &[u8],
    ) -> Result<RunReport, DeferredError> {
        let reply = reply_of(body).map_err(DeferredError::Invalid)?;
        let store = &self.inner.store;
        let Some(row) = store
            .use_response_token(&token_hash(token), now_ms())
            .await
            .map_err(EngineError::from)?
        else {
            return Err(DeferredError::NotFound);
        };
        let t = &row.token;
        let kind_name = t.deliver.get("handler_kind").and_then(Value::as_str);
        let spec = HandlerKind::ALL
            .iter()
            .find(|k| Some(k.as_str()) == kind_name)
            .map(|k| k.spec())
            .ok_or(DeferredError::NotFound)?;
        let component_kind = t
            .deliver
            .get("component_kind")
            .and_then(Value::as_str)
            .unwrap_or("bot");
        let (Ok(component), Ok(user)) = (
            store
                .get_component(t.org_id, component_kind, t.component_id)
                .await,
            store.user_by_id(t.user_id).await,
        ) else {
            return Err(DeferredError::NotFound);
        };
        let handler = store
            .handlers_of(component.id)
            .await
            .map_err(EngineError::from)?
            .into_iter()
            .find(|h| h.id == t.handler_id)
            .ok_or(DeferredError::NotFound)?;
        let deliver = deliver_from(&t.deliver);
        let req = RunRequest {
            component: Arc::new(component),
            handler: Arc::new(handler),
            spec,
            actor: Actor::new(Arc::new(user)),
            inputs: Map::new(),
            trigger: json!({"kind": "deferred_reply", "uses_left": row.uses_left}),
            deliver: deliver.clone(),
        };
        let exec = Execution {
            executor: "webhook",
            returned: Ok(reply),
            info: Vec::new(),
            tasks: Vec::new(),
            statements: 0,
            version: String::new(),
            detail: Map::new(),
        };
        let report = self.finish(req, exec, None, now_ms(), 0).await?;
        Ok(report.unwrap_or(RunReport {
            record: None,
            reply: crate::reply::Reply::Nothing,
            outcome: "success".into(),
            message_ids: Vec::new(),
        }))
    }
}
