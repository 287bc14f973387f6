//! Executors: what runs a handler and answers its return value. [`DelugeExecutor`] runs the
//! handler's script in the embedded interpreter; [`crate::webhook::WebhookExecutor`] (the
//! component's `execution_url`) implements the same [`Executor`] trait.
//!
//! Deluge runs off the async runtime, on the blocking pool, at most `slots` scripts at once,
//! each under the interpreter's limits (statements, call depth, sizes, memory) and a
//! wall-clock timeout. A parsed program is cached per handler version (its id and last
//! update), so a script is parsed once and run many times.

use crate::host::ServerHost;
use async_trait::async_trait;
use cliqd_core::HandlerSpec;
use cliqd_outbound::OutboundClient;
use cliqd_service::Actor;
use cliqd_store::{ComponentRow, HandlerRow, Store};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// One handler run to perform.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub component: Arc<ComponentRow>,
    pub handler: Arc<HandlerRow>,
    pub spec: &'static HandlerSpec,
    /// The invoking user.
    pub actor: Actor,
    pub inputs: Map<String, Value>,
    /// What caused it, as the journal says (`{"kind": …}`).
    pub trigger: Value,
    /// Where its message reply goes.
    pub deliver: crate::engine::Deliver,
}

/// Why a run produced no return value.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The script failed (or did not parse): the message and its position.
    Error {
        message: String,
        line: u32,
        column: u32,
    },
    /// The wall-clock timeout passed.
    Timeout(String),
    /// A limit other than time stopped it (statements, call depth, sizes, memory).
    Limit(String),
}

impl RunError {
    /// The journal's outcome for it.
    pub fn outcome(&self) -> &'static str {
        match self {
            RunError::Error { .. } => "error",
            RunError::Timeout(_) => "timeout",
            RunError::Limit(_) => "limit",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            RunError::Error { message, .. }
            | RunError::Timeout(message)
            | RunError::Limit(message) => message,
        }
    }

    /// The error as the journal keeps it.
    pub fn to_json(&self) -> Value {
        match self {
            RunError::Error {
                message,
                line,
                column,
            } => serde_json::json!({"message": message, "line": line, "column": column}),
            other => serde_json::json!({"message": other.message()}),
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Execution {
    /// `deluge` or `webhook`.
    pub executor: &'static str,
    pub returned: Result<Value, RunError>,
    pub info: Vec<String>,
    /// The tasks the script performed (`zoho.cliq.*`, `invokeUrl`, `sendmail`), in order.
    pub tasks: Vec<Value>,
    pub statements: u64,
    /// The handler version run: a hash of its script (or of its URL, for a webhook).
    pub version: String,
    /// More for the journal record (a webhook's delivery and attempts).
    pub detail: Map<String, Value>,
}

/// Runs handlers of one execution type.
#[async_trait]
pub trait Executor: Send + Sync {
    async fn execute(&self, inv: Invocation) -> Execution;
}

/// The handler version of a script: the first 16 hex digits of its SHA-256.
pub fn version_of(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    hex::encode(&digest[..8])
}

/// What the Deluge executor is configured with.
#[derive(Clone)]
pub struct DelugeConfig {
    pub limits: deluge::Limits,
    /// Wall-clock time per run.
    pub timeout: Duration,
    /// Scripts running at once.
    pub slots: usize,
    /// The client `invokeUrl` goes through.
    pub outbound: Option<OutboundClient>,
}

/// Runs Deluge handler scripts (see the module documentation).
pub struct DelugeExecutor {
    store: Arc<dyn Store>,
    config: DelugeConfig,
    slots: Arc<Semaphore>,
    programs: Mutex<HashMap<(i64, i64), (deluge::Program, String)>>,
}

/// Most cached programs; the cache is cleared when it grows past this (handlers rarely change).
const MAX_CACHED: usize = 4096;

impl DelugeExecutor {
    pub fn new(store: Arc<dyn Store>, config: DelugeConfig) -> Self {
        DelugeExecutor {
            slots: Arc::new(Semaphore::new(config.slots.max(1))),
            store,
            config,
            programs: Mutex::new(HashMap::new()),
        }
    }

    /// Drops every parsed program (the store's content was replaced).
    pub fn forget_programs(&self) {
        if let Ok(mut cache) = self.programs.lock() {
            cache.clear();
        }
    }

    /// The parsed program of a handler version, parsing it on first use.
    fn program(&self, h: &HandlerRow) -> Result<(deluge::Program, String), RunError> {
        let key = (h.id, h.updated_at);
        if let Ok(cache) = self.programs.lock()
            && let Some(found) = cache.get(&key)
        {
            return Ok(found.clone());
        }
        let source = h.script.as_deref().unwrap_or_default();
        let version = version_of(source);
        let program = deluge::Program::parse(source).map_err(|diags| {
            let first = diags.first();
            RunError::Error {
                message: diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                line: first.map_or(0, |d| d.line),
                column: first.map_or(0, |d| d.column),
            }
        })?;
        if let Ok(mut cache) = self.programs.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(key, (program.clone(), version.clone()));
        }
        Ok((program, version))
    }
}

#[async_trait]
impl Executor for DelugeExecutor {
    async fn execute(&self, inv: Invocation) -> Execution {
        let (program, version) = match self.program(&inv.handler) {
            Ok(p) => p,
            Err(e) => {
                return Execution {
                    executor: "deluge",
                    returned: Err(e),
                    info: Vec::new(),
                    tasks: Vec::new(),
                    statements: 0,
                    version: version_of(inv.handler.script.as_deref().unwrap_or_default()),
                    detail: Map::new(),
                };
            }
        };
        let failed = |message: String, version: String| Execution {
            executor: "deluge",
            returned: Err(RunError::Error {
                message,
                line: 0,
                column: 0,
            }),
            info: Vec::new(),
            tasks: Vec::new(),
            statements: 0,
            version,
            detail: Map::new(),
        };
        let Ok(_permit) = self.slots.clone().acquire_owned().await else {
            return failed("the engine is shutting down".into(), version);
        };
        let mut limits = self.config.limits.clone();
        limits.timeout_ms = self.config.timeout.as_millis() as u64;
        let mut host = ServerHost::new(
            self.store.clone(),
            inv.actor.clone(),
            inv.component.clone(),
            tokio::runtime::Handle::current(),
            self.config.outbound.clone(),
            std::time::Instant::now() + self.config.timeout,
        );
        let inputs = inv.inputs;
        let began = std::time::Instant::now();
        let run = tokio::task::spawn_blocking(move || {
            let result = program.run(&mut host, &inputs, &limits);
            (result, host.into_tasks())
        });
        // The interpreter stops itself at the deadline between statements; this bounds a run
        // stuck inside one host call as well (the blocking thread finishes on its own).
        let grace = self.config.timeout + Duration::from_secs(1);
        let (result, tasks) = match tokio::time::timeout(grace, run).await {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => return failed(format!("the script's thread failed: {e}"), version),
            Err(_) => {
                return Execution {
                    executor: "deluge",
                    returned: Err(RunError::Timeout(format!(
                        "the handler ran longer than {} ms",
                        self.config.timeout.as_millis()
                    ))),
                    info: Vec::new(),
                    tasks: Vec::new(),
                    statements: 0,
                    version,
                    detail: Map::new(),
                };
            }
        };
        match result {
            Ok(out) => Execution {
                executor: "deluge",
                returned: Ok(out.return_value),
                info: out.info,
                tasks,
                statements: out.statements,
                version,
                detail: Map::new(),
            },
            Err(f) => {
                let out_of_time = began.elapsed() >= self.config.timeout;
                let error = match f.error.kind {
                    deluge::ErrorKind::Limit(deluge::LimitKind::Timeout) => {
                        RunError::Timeout(f.error.message.clone())
                    }
                    // A task cut short by the deadline (a slow invokeUrl) is a timeout too.
                    deluge::ErrorKind::Host if out_of_time => RunError::Timeout(format!(
                        "the handler ran longer than {} ms: {}",
                        self.config.timeout.as_millis(),
                        f.error.message
                    )),
                    deluge::ErrorKind::Limit(_) => RunError::Limit(f.error.message.clone()),
                    _ => RunError::Error {
                        message: f.error.message.clone(),
                        line: f.error.line,
                        column: 0,
                    },
                };
                Execution {
                    executor: "deluge",
                    returned: Err(error),
                    info: f.info,
                    tasks,
                    statements: f.statements,
                    version,
                    detail: Map::new(),
                }
            }
        }
    }
}
