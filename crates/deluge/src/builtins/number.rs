//! NUMBER and DECIMAL functions (digest §8.3): abs, ceil, floor, rounding, powers.

use rust_decimal::Decimal;

use super::{CallCtx, Dispatch, arity};
use crate::error::RuntimeError;
use crate::value::Value;

/// `number.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    let d = match recv {
        Value::Number(n) => Decimal::from(*n),
        Value::Decimal(d) => *d,
        _ => return None,
    };
    Some(match name {
        "abs" => arity(name, args, 0, 0).and_then(|_| match recv {
            Value::Number(n) => n
                .checked_abs()
                .map(Value::Number)
                .ok_or_else(|| RuntimeError::value_error("number overflow in abs")),
            _ => Ok(Value::Decimal(d.abs())),
        }),
        "ceil" => arity(name, args, 0, 0).and_then(|_| to_number(d.ceil())),
        "floor" => arity(name, args, 0, 0).and_then(|_| to_number(d.floor())),
        _ => return None,
    })
}

fn to_number(d: Decimal) -> Result<Value, RuntimeError> {
    i64::try_from(d)
        .map(Value::Number)
        .map_err(|_| RuntimeError::value_error("number out of range"))
}

/// Receiver-less number functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
