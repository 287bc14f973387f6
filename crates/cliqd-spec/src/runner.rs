//! A conformance run in one value: the plan for an area, the ID context, the reply checks and
//! the collected failures. The caller only sends the prepared requests with its own client.

use serde_json::Value;

use crate::SpecError;
use crate::consistency::{KnownContradiction, known_contradictions};
use crate::model::{Method, Spec};
use crate::plan::{check_response, plan};
use crate::request::{IdContext, PlanError, PlannedRequest};
use crate::scope::{Area, in_scope};
use crate::shape::missing_example_members;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub step: usize,
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The JSON body to send, if any.
    pub body: Option<Value>,
}

/// One conformance run against a server.
#[derive(Debug)]
pub struct Conformance {
    spec: Spec,
    known: Vec<KnownContradiction>,
    requests: Vec<PlannedRequest>,
    base_url: String,
    token: String,
    /// IDs seeded by the caller and captured from replies.
    pub ctx: IdContext,
    failures: Vec<String>,
    warnings: Vec<String>,
}

impl Conformance {
    /// Plans the in-scope operations of `area` (all areas with `None`) against `base_url`
    /// (e.g. `http://127.0.0.1:PORT/api/v3`) with an access token that has every scope.
    pub fn new(
        area: Option<Area>,
        base_url: &str,
        token: &str,
        ctx: IdContext,
    ) -> Result<Conformance, SpecError> {
        let spec = Spec::load_default()?;
        let known = known_contradictions()?;
        let requests = plan(&in_scope(&spec, area), &known);
        Ok(Conformance {
            spec,
            known,
            requests,
            base_url: base_url.to_string(),
            token: token.to_string(),
            ctx,
            failures: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The planned requests, in order.
    pub fn requests(&self) -> &[PlannedRequest] {
        &self.requests
    }

    /// Builds request `step` with the IDs known so far.
    pub fn prepare(&self, step: usize) -> Result<Prepared, PlanError> {
        let r = self.request(step)?;
        Ok(Prepared {
            step,
            method: r.method,
            url: r.url(&self.base_url, &self.ctx)?,
            headers: r.headers(&self.token),
            body: r.body(&self.ctx)?,
        })
    }

    fn request(&self, step: usize) -> Result<&PlannedRequest, PlanError> {
        self.requests
            .get(step)
            .ok_or(PlanError::NoSuchStep { step })
    }

    /// Checks the reply to `step` (`Value::Null` for an empty body), captures its IDs, and
    /// remembers any failure for [`Conformance::finish`]. Returns the failures of this step.
    pub fn record(&mut self, step: usize, status: u16, body: &Value) -> Result<(), Vec<String>> {
        let result = self.check(step, status, body);
        if let Err(errors) = &result {
            self.failures.extend(errors.iter().cloned());
        }
        result
    }

    fn check(&mut self, step: usize, status: u16, body: &Value) -> Result<(), Vec<String>> {
        let r = self.request(step).map_err(|e| vec![e.to_string()])?.clone();
        let op = self
            .spec
            .operation(&r.document, &r.operation_id)
            .map_err(|e| vec![e.to_string()])?;
        check_response(op, &r, status, body, &self.known)?;
        for m in missing_example_members(op, status, body) {
            self.warnings
                .push(format!("step {step} {} {}: {m}", r.method, r.operation_id));
        }
        r.capture(body, &mut self.ctx)
            .map_err(|e| vec![e.to_string()])
    }

    /// Records that `step` could not be sent (e.g. a missing ID).
    pub fn record_error(&mut self, step: usize, error: &str) {
        self.failures.push(format!("step {step}: {error}"));
    }

    /// Advisory findings so far: members every documented example of a reply has and the
    /// reply lacks. Not failures, because the documented schemas do not require them.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// All failures of the run, or `Ok` when every reply conformed.
    pub fn finish(self) -> Result<(), Vec<String>> {
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(self.failures)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn a_run_records_failures_and_captures() {
            let ctx = IdContext::new()
                .with("EXTENSION_ID", "1")
                .with("extension_key", "k")
                .with("TEAM_ID", "5");
            let mut run =
                Conformance::new(Some(Area::Platform), "http://127.0.0.1:9/api/v3/", "t", ctx)
                    .unwrap();
            assert!(!run.requests().is_empty());
            let first = run.prepare(0).unwrap();
            assert_eq!(first.method, Method::Post);
            assert_eq!(first.url, "http://127.0.0.1:9/api/v3/bots");
            assert!(first.body.is_some());
            // The second bot's handler cannot be prepared before the bot exists.
            let child = run
                .requests()
                .iter()
                .position(|r| r.operation_id == "create_a_handler_for_a_bot")
                .unwrap();
            assert!(run.prepare(child).is_err());
            let reply = serde_json::json!({"url": "/api/v3/bots", "type": "bot",
            "data": {"id": "7", "name": "Deluge bot", "unique_name": "delugebot"}});
            assert_eq!(run.record(0, 200, &reply), Ok(()));
            assert_eq!(run.ctx.get("BOT_ID#0"), Some("7"));
            // Valid, but lacking members every documented example shows.
            assert!(
                run.warnings().iter().any(|w| w.contains("/data/creator")),
                "{:?}",
                run.warnings()
            );
            assert!(run.record(1, 500, &serde_json::json!({})).is_err());
            assert!(run.prepare(10_000).is_err());
            let failures = run.finish().unwrap_err();
            assert!(failures[0].contains("status 500"), "{failures:?}");
        }
    }
}
