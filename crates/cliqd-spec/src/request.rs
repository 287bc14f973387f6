//! A planned request and what it needs to be sent: the ID context, bindings of path, query and
//! body values, reply captures, and the errors of building one.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::{Method, canonical_param_name};

/// IDs known while a plan runs: what the caller seeds (e.g. `EXTENSION_ID`, `CHAT_ID`,
/// `extension_key`) and what earlier replies produced (keys like `BOT_ID#0`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct IdContext {
    values: BTreeMap<String, String>,
}

impl IdContext {
    pub fn new() -> IdContext {
        IdContext::default()
    }

    /// Builder form of [`IdContext::set`].
    pub fn with(mut self, key: &str, value: &str) -> IdContext {
        self.set(key, value);
        self
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_string(), value.to_string());
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }
}

/// Where a path or query value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Binding {
    /// A fixed value (a handler type from the creating request's body, an enum value).
    Literal(String),
    /// A key of the [`IdContext`] (seeded by the caller or captured from an earlier reply).
    Id(String),
}

/// A value to take from a reply: the JSON pointer into the reply body and the context key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub pointer: String,
    pub key: String,
}

/// Which IDs one planned request captures.
pub type Captures = Vec<Capture>;

/// A request that cannot be built yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("step {step} ({operation_id}): no value for {key}; seed it in the IdContext")]
    MissingId {
        step: usize,
        operation_id: String,
        key: String,
    },
    #[error("no step {step} in the plan")]
    NoSuchStep { step: usize },
    #[error("step {step} ({operation_id}): reply has no string or number at {pointer}")]
    CaptureFailed {
        step: usize,
        operation_id: String,
        pointer: String,
    },
}

/// One request of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRequest {
    /// Position in the plan (0-based).
    pub step: usize,
    pub document: String,
    pub operation_id: String,
    /// The documented example the body comes from, when there is one.
    pub example: Option<String>,
    pub method: Method,
    /// The real path template, e.g. `/bots/{BOT_ID}/handlers/{HANDLER_TYPE}`.
    pub path_template: String,
    /// Value of each path parameter (canonical names, without documentation alias digits).
    pub path_bindings: BTreeMap<String, Binding>,
    /// Required query parameters.
    pub query: Vec<(String, Binding)>,
    /// The documented example body, with the documentation's sample IDs still in it; send
    /// [`PlannedRequest::body`], which puts real IDs in their place.
    pub body: Option<Value>,
    /// Top-level body members that hold IDs (`/team_ids` → `TEAM_ID`, …): replaced from the
    /// context when the body is built. Array members take `KEY.1`, `KEY.2`, … for their later
    /// elements, falling back to `KEY`.
    pub body_bindings: BTreeMap<String, String>,
    /// The documented 2xx statuses (plus any a listed contradiction makes cliqd use).
    pub expected_statuses: Vec<u16>,
    /// IDs to take from the reply body.
    pub captures: Captures,
}

fn binding_value<'a>(
    req: &PlannedRequest,
    binding: &'a Binding,
    ctx: &'a IdContext,
) -> Result<&'a str, PlanError> {
    match binding {
        Binding::Literal(v) => Ok(v),
        Binding::Id(key) => ctx.get(key).ok_or_else(|| PlanError::MissingId {
            step: req.step,
            operation_id: req.operation_id.clone(),
            key: key.clone(),
        }),
    }
}

/// Percent-encodes everything outside RFC 3986's unreserved set.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl PlannedRequest {
    /// The path with parameters filled from `ctx`, plus the query string.
    pub fn path_and_query(&self, ctx: &IdContext) -> Result<String, PlanError> {
        let mut path = String::new();
        for segment in self.path_template.split('/').skip(1) {
            path.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let binding = self
                        .path_bindings
                        .get(canonical_param_name(name))
                        .cloned()
                        .unwrap_or_else(|| Binding::Id(name.to_string()));
                    path.push_str(&encode(binding_value(self, &binding, ctx)?));
                }
                None => path.push_str(segment),
            }
        }
        let mut sep = '?';
        for (name, binding) in &self.query {
            path.push(sep);
            sep = '&';
            path.push_str(&encode(name));
            path.push('=');
            path.push_str(&encode(binding_value(self, binding, ctx)?));
        }
        Ok(path)
    }

    /// `base_url` (e.g. `http://127.0.0.1:8080/api/v3`) joined with [`Self::path_and_query`].
    pub fn url(&self, base_url: &str, ctx: &IdContext) -> Result<String, PlanError> {
        Ok(format!(
            "{}{}",
            base_url.trim_end_matches('/'),
            self.path_and_query(ctx)?
        ))
    }

    /// The headers Cliq clients send: the OAuth token and, with a body, the JSON content type.
    pub fn headers(&self, token: &str) -> Vec<(String, String)> {
        let mut h = vec![(
            "Authorization".to_string(),
            format!("Zoho-oauthtoken {token}"),
        )];
        if self.body.is_some() {
            h.push(("Content-Type".to_string(), "application/json".to_string()));
        }
        h
    }

    /// The body to send: the example with [`PlannedRequest::body_bindings`] filled from `ctx`.
    /// Filled values keep the example's JSON type (a number stays a number when it parses).
    pub fn body(&self, ctx: &IdContext) -> Result<Option<Value>, PlanError> {
        let Some(mut body) = self.body.clone() else {
            return Ok(None);
        };
        for (pointer, key) in &self.body_bindings {
            let Some(target) = body.pointer_mut(pointer) else {
                continue;
            };
            let lookup = |k: &str| {
                ctx.get(k).ok_or_else(|| PlanError::MissingId {
                    step: self.step,
                    operation_id: self.operation_id.clone(),
                    key: k.to_string(),
                })
            };
            match target {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        let indexed = format!("{key}.{i}");
                        let value = match ctx.get(&indexed) {
                            Some(v) if i > 0 => v,
                            _ => lookup(key)?,
                        };
                        *item = typed_like(item, value);
                    }
                }
                other => *other = typed_like(other, lookup(key)?),
            }
        }
        Ok(Some(body))
    }

    /// Stores the captured IDs of a successful reply in `ctx`.
    pub fn capture(&self, reply: &Value, ctx: &mut IdContext) -> Result<(), PlanError> {
        for c in &self.captures {
            let value = match reply.pointer(&c.pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(PlanError::CaptureFailed {
                        step: self.step,
                        operation_id: self.operation_id.clone(),
                        pointer: c.pointer.clone(),
                    });
                }
            };
            ctx.set(&c.key, &value);
        }
        Ok(())
    }
}

fn typed_like(original: &Value, value: &str) -> Value {
    if original.is_number()
        && let Ok(n) = value.parse::<serde_json::Number>()
    {
        return Value::Number(n);
    }
    Value::String(value.to_string())
}

/// Top-level request members that carry IDs of things that must exist on the server, and the
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_path_values() {
        assert_eq!(encode("b-123"), "b-123");
        assert_eq!(
            encode("1709038327622 29706114886"),
            "1709038327622%2029706114886"
        );
        assert_eq!(encode("a/b"), "a%2Fb");
    }

    #[test]
    fn typed_values_keep_the_example_type() {
        assert_eq!(
            typed_like(&serde_json::json!(1), "42"),
            serde_json::json!(42)
        );
        assert_eq!(
            typed_like(&serde_json::json!(1), "x"),
            serde_json::json!("x")
        );
        assert_eq!(
            typed_like(&serde_json::json!("1"), "42"),
            serde_json::json!("42")
        );
    }
}
