//! LIST functions (digest §8.4): access, search, mutation, sorting, aggregates.

use super::{CallCtx, Dispatch, arity, int_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// `list.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::List(list) = recv else { return None };
    Some(match name {
        "size" => arity(name, args, 0, 0).map(|_| Value::Number(list.borrow().items.len() as i64)),
        "get" => (|| {
            arity(name, args, 1, 1)?;
            let i = int_arg(name, args, 0)?;
            let l = list.borrow();
            usize::try_from(i)
                .ok()
                .and_then(|i| l.items.get(i))
                .cloned()
                .ok_or_else(|| {
                    RuntimeError::value_error(format!(
                        "index {i} out of range for a list of {} elements",
                        l.items.len()
                    ))
                })
        })(),
        "add" => (|| {
            arity(name, args, 1, 1)?;
            let mut l = list.borrow_mut();
            ctx.check_size(l.items.len() + 1)?;
            if let Some(t) = l.elem_type
                && !t.accepts(&args[0])
            {
                return Err(RuntimeError::type_error(format!(
                    "cannot add {} to a typed list",
                    args[0].type_name()
                )));
            }
            l.items.push(args[0].clone());
            Ok(Value::Null)
        })(),
        "contains" => arity(name, args, 1, 1)
            .map(|_| Value::Bool(list.borrow().items.iter().any(|v| v.strict_eq(&args[0])))),
        _ => return None,
    })
}

/// Receiver-less list functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
