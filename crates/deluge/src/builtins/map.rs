//! KEY-VALUE functions (digest §8.5): get, put, keys, containKey, ...

use super::{CallCtx, Dispatch, arity};
use crate::value::{Key, Value};

/// `map.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Map(map) = recv else { return None };
    Some(match name {
        "get" => arity(name, args, 1, 1).map(|_| {
            map.borrow()
                .entries
                .get(&Key(args[0].clone()))
                .cloned()
                .unwrap_or(Value::Null)
        }),
        "put" => (|| {
            arity(name, args, 2, 2)?;
            let mut m = map.borrow_mut();
            ctx.check_size(m.entries.len() + 1)?;
            m.entries.insert(Key(args[0].clone()), args[1].clone());
            Ok(Value::Null)
        })(),
        "keys" => arity(name, args, 0, 0)
            .map(|_| Value::list(map.borrow().entries.keys().map(|k| k.0.clone()).collect())),
        "size" => arity(name, args, 0, 0).map(|_| Value::Number(map.borrow().entries.len() as i64)),
        "containkey" => arity(name, args, 1, 1)
            .map(|_| Value::Bool(map.borrow().entries.contains_key(&Key(args[0].clone())))),
        _ => return None,
    })
}

/// Receiver-less map functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
