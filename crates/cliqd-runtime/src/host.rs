//! The Deluge host of a handler run in the server: the clock, `invokeUrl` through the
//! outbound client, `sendmail` recorded (never sent), the `zoho.cliq.*` tasks performed on the
//! store as the invoking user through the domain layer, and the system variables of the
//! invoking user. Every task is recorded for the journal.
//!
//! A script runs on a blocking thread; the host blocks on the server's runtime for the store
//! and the network, which is allowed there and only there.

use cliqd_outbound::OutboundClient;
use cliqd_service::{Actor, UrlInvoker};
use cliqd_store::{ComponentRow, Store};
use deluge::{Host, HttpRequest, HttpResponse};
use serde_json::{Value, json};
use std::sync::Arc;

/// See the module documentation.
pub struct ServerHost {
    store: Arc<dyn Store>,
    actor: Actor,
    component: Arc<ComponentRow>,
    handle: tokio::runtime::Handle,
    outbound: Option<OutboundClient>,
    tasks: Vec<Value>,
    /// When the run's time is up: no outbound call waits past it.
    deadline: std::time::Instant,
    /// The organization's admin, once a script asked for it.
    admin: Option<Option<cliqd_store::UserRow>>,
}

impl ServerHost {
    pub fn new(
        store: Arc<dyn Store>,
        actor: Actor,
        component: Arc<ComponentRow>,
        handle: tokio::runtime::Handle,
        outbound: Option<OutboundClient>,
        deadline: std::time::Instant,
    ) -> Self {
        ServerHost {
            store,
            actor,
            component,
            handle,
            outbound,
            tasks: Vec::new(),
            deadline,
            admin: None,
        }
    }

    /// The tasks performed, in order.
    pub fn into_tasks(self) -> Vec<Value> {
        self.tasks
    }
}

impl Host for ServerHost {
    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    fn invoke_url(&mut self, request: &HttpRequest) -> Result<HttpResponse, String> {
        let Some(client) = &self.outbound else {
            return Err("invokeUrl is not available in this server".into());
        };
        let invoker = UrlInvoker::on_handle(client.clone(), self.handle.clone());
        let left = self
            .deadline
            .saturating_duration_since(std::time::Instant::now());
        let result = invoker.invoke_within(request, Some(left));
        self.tasks.push(match &result {
            Ok(r) => json!({"task": "invokeUrl", "method": request.method, "url": request.url, "status": r.status}),
            Err(e) => json!({"task": "invokeUrl", "method": request.method, "url": request.url, "error": e}),
        });
        result
    }

    fn send_mail(&mut self, mail: &Value) -> Result<(), String> {
        // Recorded in the journal, never sent: cliqd has no mail transport.
        self.tasks.push(json!({"task": "sendmail", "mail": mail}));
        Ok(())
    }

    fn cliq_task(&mut self, task: &str, args: &[Value]) -> Result<Value, String> {
        let result = crate::tasks::perform(
            &self.handle,
            self.store.as_ref(),
            &self.actor,
            &self.component,
            task,
            args,
        );
        self.tasks.push(match &result {
            Ok(r) => json!({"task": format!("zoho.cliq.{task}"), "args": args, "result": r}),
            Err(e) => json!({"task": format!("zoho.cliq.{task}"), "args": args, "error": e}),
        });
        result
    }

    fn system_variable(&mut self, name: &str) -> Option<Value> {
        if name.starts_with("admin") && self.admin.is_none() {
            // Looked up once per run, on first use.
            let found = self
                .handle
                .block_on(cliqd_service::org_admin(
                    self.store.as_ref(),
                    self.actor.org_id(),
                ))
                .ok()
                .flatten();
            self.admin = Some(found);
        }
        crate::tasks::system_variable(&self.actor, self.admin.clone().flatten().as_ref(), name)
    }
}
