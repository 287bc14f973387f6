//! JSON functions: toMap, toJSONList, getJSON (text and map receivers).

use super::{CallCtx, Dispatch, arity};
use crate::error::RuntimeError;
use crate::value::{Key, Value};

fn parse(text: &str) -> Result<Value, RuntimeError> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|j| Value::from_json(&j))
        .map_err(|e| RuntimeError::value_error(format!("invalid JSON: {e}")))
}

/// `text.toMap()`, `text.getJSON(k)`, `map.getJSON(k)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    Some(match (recv, name) {
        (Value::Text(t), "tomap") => arity(name, args, 0, 0).and_then(|_| match parse(t)? {
            v @ Value::Map(_) => Ok(v),
            _ => Err(RuntimeError::value_error("text is not a JSON object")),
        }),
        (Value::Text(t), "getjson") => (|| {
            arity(name, args, 1, 1)?;
            match parse(t)? {
                Value::Map(m) => Ok(m
                    .borrow()
                    .entries
                    .get(&Key(args[0].clone()))
                    .cloned()
                    .unwrap_or_default()),
                _ => Err(RuntimeError::value_error("text is not a JSON object")),
            }
        })(),
        (Value::Map(m), "getjson") => arity(name, args, 1, 1).map(|_| {
            m.borrow()
                .entries
                .get(&Key(args[0].clone()))
                .cloned()
                .unwrap_or_default()
        }),
        _ => return None,
    })
}

/// Receiver-less JSON functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
