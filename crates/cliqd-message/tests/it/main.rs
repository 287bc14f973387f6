//! Integration tests for cliqd-message: every rule with a passing and a failing case, the
//! OpenAPI documents' own request examples, round trips and a no-panic property test.

mod buttons;
mod fuzz;
mod handler;
mod rules;
mod slides;
mod speed;
mod upstream_conformance;

use cliqd_message::{FieldError, Message, MessageContext, validate_message};
use serde_json::{Value, json};

/// Validates as a channel/chat post and expects success.
pub fn ok(v: Value) -> Message {
    ok_in(v, MessageContext::Post)
}

pub fn ok_in(v: Value, ctx: MessageContext) -> Message {
    match validate_message(&v, ctx) {
        Ok(m) => m,
        Err(e) => panic!("expected {v} to be valid, got {e:#?}"),
    }
}

/// Validates as a channel/chat post and expects failure.
pub fn bad(v: Value) -> Vec<FieldError> {
    bad_in(v, MessageContext::Post)
}

pub fn bad_in(v: Value, ctx: MessageContext) -> Vec<FieldError> {
    match validate_message(&v, ctx) {
        Ok(m) => panic!("expected {v} to be invalid, got {m:#?}"),
        Err(e) => e,
    }
}

/// Asserts that exactly one error names `path`, with `code`.
#[track_caller]
pub fn has(errs: &[FieldError], path: &str, code: &str) {
    let at: Vec<&FieldError> = errs.iter().filter(|e| e.path == path).collect();
    assert!(
        at.len() == 1 && at[0].code == code,
        "expected one {code} at {path:?}, got {errs:#?}"
    );
    assert!(!at[0].message.is_empty() && !at[0].message.ends_with('.'));
}

/// Asserts the only error is `code` at `path`.
#[track_caller]
pub fn only(errs: &[FieldError], path: &str, code: &str) {
    assert_eq!(
        errs.len(),
        1,
        "expected only {code} at {path:?}, got {errs:#?}"
    );
    has(errs, path, code);
}

pub fn s(n: usize) -> String {
    "x".repeat(n)
}

pub fn button(label: &str) -> Value {
    json!({"label": label, "action": {"type": "invoke.function", "data": {"name": "f"}}})
}

pub fn with_action(action: Value) -> Value {
    json!({"text": "t", "buttons": [{"label": "B", "action": action}]})
}

pub fn slide(kind: &str, data: Value) -> Value {
    json!({"text": "t", "slides": [{"type": kind, "data": data}]})
}

pub fn table() -> Value {
    json!({"headers": ["Name", "Team"], "rows": [{"Name": "Paula", "Team": "Sales"}]})
}
