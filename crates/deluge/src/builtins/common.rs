//! Functions on any type (digest §8.2): null/empty tests, text conversion, `ifnull`.

use super::{CallCtx, Dispatch, arity};
use crate::value::{CollectionValue, Value};

/// `x.name(args)` for any receiver.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    Some(match name {
        // Empty text counts as null (isNull doc).
        "isnull" => arity(name, args, 0, 0).map(|_| {
            Value::Bool(match recv {
                Value::Null => true,
                Value::Text(t) => t.is_empty(),
                _ => false,
            })
        }),
        "isempty" => arity(name, args, 0, 0).map(|_| {
            Value::Bool(match recv {
                Value::Null => true,
                Value::Text(t) => t.is_empty(),
                Value::List(l) => l.borrow().items.is_empty(),
                Value::Map(m) => m.borrow().entries.is_empty(),
                Value::Collection(c) => matches!(&*c.borrow(), c if CollectionValue::is_empty(c)),
                _ => false,
            })
        }),
        "tostring" | "totext" if args.is_empty() => Ok(Value::text(recv.to_text())),
        _ => return None,
    })
}

/// Receiver-less functions: `ifnull(a, b)`.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    Some(match name {
        "ifnull" => arity(name, args, 2, 2).map(|_| {
            let a = &args[0];
            if a.is_null() {
                args[1].clone()
            } else {
                a.clone()
            }
        }),
        _ => return None,
    })
}
