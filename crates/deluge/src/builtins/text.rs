//! TEXT functions (digest §8.1): case, search, substrings, padding, splitting.

use super::{CallCtx, Dispatch, arity, text_arg};
use crate::value::Value;

/// `text.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Text(t) = recv else { return None };
    let _ = ctx;
    Some(match name {
        "length" | "len" => {
            arity(name, args, 0, 0).map(|_| Value::Number(t.chars().count() as i64))
        }
        "touppercase" | "upper" => arity(name, args, 0, 0).map(|_| Value::text(t.to_uppercase())),
        "tolowercase" | "lower" => arity(name, args, 0, 0).map(|_| Value::text(t.to_lowercase())),
        "contains" => (|| {
            arity(name, args, 1, 1)?;
            Ok(Value::Bool(t.contains(text_arg(name, args, 0)?.as_str())))
        })(),
        "startswith" => (|| {
            arity(name, args, 1, 1)?;
            Ok(Value::Bool(
                t.starts_with(text_arg(name, args, 0)?.as_str()),
            ))
        })(),
        "endswith" => (|| {
            arity(name, args, 1, 1)?;
            Ok(Value::Bool(t.ends_with(text_arg(name, args, 0)?.as_str())))
        })(),
        _ => return None,
    })
}

/// Receiver-less text functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    #[test]
    fn length_and_case() {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        let t = Value::text("Zoho");
        let len = method(&mut ctx, &t, "length", &[]).unwrap().unwrap();
        assert!(len.strict_eq(&Value::Number(4)));
        let up = method(&mut ctx, &t, "upper", &[]).unwrap().unwrap();
        assert_eq!(up.to_text(), "ZOHO");
    }
}
