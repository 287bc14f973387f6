//! COLLECTION functions (digest §8.6): list-style or key-value-style, never both.

use super::{CallCtx, Dispatch, arity};
use crate::value::{CollectionValue, Value};

/// `collection.name(args)`. A key-value pair argument (`insert("k" : v)`) arrives as a
/// one-entry KEY-VALUE map: the evaluator builds one for each `k : v` argument.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Collection(c) = recv else {
        return None;
    };
    let _ = ctx;
    Some(match name {
        "size" => arity(name, args, 0, 0).map(|_| Value::Number(c.borrow().len() as i64)),
        "isempty" => {
            arity(name, args, 0, 0).map(|_| Value::Bool(CollectionValue::is_empty(&c.borrow())))
        }
        _ => return None,
    })
}

/// Receiver-less collection functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
