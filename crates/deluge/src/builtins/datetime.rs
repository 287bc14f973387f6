//! DATE and DATE-TIME functions (digest §8.7): parts, arithmetic, formatting.

use chrono::{Datelike, Duration, NaiveDateTime};

use super::{CallCtx, Dispatch, arity, int_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// `date.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    let dt: NaiveDateTime = match recv {
        Value::Date(d) => d.and_hms_opt(0, 0, 0)?,
        Value::DateTime(dt) => *dt,
        _ => return None,
    };
    Some(match name {
        "getday" | "day" => arity(name, args, 0, 0).map(|_| Value::Number(i64::from(dt.day()))),
        "getmonth" | "month" => {
            arity(name, args, 0, 0).map(|_| Value::Number(i64::from(dt.month())))
        }
        "getyear" | "year" => arity(name, args, 0, 0).map(|_| Value::Number(i64::from(dt.year()))),
        "addday" => (|| {
            arity(name, args, 1, 1)?;
            let n = int_arg(name, args, 0)?;
            let shifted = Duration::try_days(n)
                .and_then(|d| dt.checked_add_signed(d))
                .ok_or_else(|| RuntimeError::value_error("date out of range"))?;
            Ok(match recv {
                Value::Date(_) => Value::Date(shifted.date()),
                _ => Value::DateTime(shifted),
            })
        })(),
        _ => return None,
    })
}

/// Receiver-less date functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}
