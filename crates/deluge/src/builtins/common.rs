//! Functions on any type (<https://www.zoho.com/deluge/help/built-in-functions.html>): null/empty/type tests, text conversion, `ifnull`.

use rust_decimal::Decimal;

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
        "isempty" => arity(name, args, 0, 0).map(|_| Value::Bool(is_empty(recv))),
        // isBlank: like isEmpty, but whitespace-only text is blank too.
        "isblank" => arity(name, args, 0, 0).map(|_| {
            Value::Bool(match recv {
                Value::Text(t) => t.trim().is_empty(),
                other => is_empty(other),
            })
        }),
        // isText doc: text that is not a number (including "" and spaces) is text; dates
        // and numbers are not; containers and booleans give null.
        "istext" | "isstring" => arity(name, args, 0, 0).map(|_| match recv {
            Value::Text(t) => Value::Bool(!is_numeric_text(t)),
            Value::Number(_) | Value::Decimal(_) | Value::Date(_) | Value::DateTime(_) => {
                Value::Bool(false)
            }
            Value::Null => Value::Bool(false),
            _ => Value::Null,
        }),
        // isNumber doc: numbers and numeric text are numbers; containers give null.
        "isnumber" => arity(name, args, 0, 0).map(|_| match recv {
            Value::Number(_) | Value::Decimal(_) => Value::Bool(true),
            Value::Text(t) => Value::Bool(is_numeric_text(t)),
            Value::List(_) | Value::Map(_) | Value::Collection(_) => Value::Null,
            _ => Value::Bool(false),
        }),
        "isdecimal" => arity(name, args, 0, 0).map(|_| match recv {
            Value::Decimal(_) => Value::Bool(true),
            Value::Text(t) => {
                let t = t.trim();
                Value::Bool(t.contains('.') && is_numeric_text(t))
            }
            Value::List(_) | Value::Map(_) | Value::Collection(_) => Value::Null,
            _ => Value::Bool(false),
        }),
        "isdate" | "isdatetime" => arity(name, args, 0, 0).map(|_| match recv {
            Value::Date(_) | Value::DateTime(_) => Value::Bool(true),
            Value::Text(t) => Value::Bool(crate::dates::parse_date_literal(t).is_ok()),
            Value::List(_) | Value::Map(_) | Value::Collection(_) => Value::Null,
            _ => Value::Bool(false),
        }),
        "isboolean" => arity(name, args, 0, 0).map(|_| {
            Value::Bool(match recv {
                Value::Bool(_) => true,
                Value::Text(t) => t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false"),
                _ => false,
            })
        }),
        // reverse doc: a non-text value is converted to text first ({1,2,13} → "31,2,1").
        "reverse" if !recv.is_null() => arity(name, args, 0, 0)
            .map(|_| Value::text(recv.to_text().chars().rev().collect::<String>())),
        // Calling a method on null is an error (<https://www.zoho.com/deluge/help/>); only the tests above accept it.
        "tostring" | "totext" if args.is_empty() && !recv.is_null() => {
            Ok(Value::text(recv.to_text()))
        }
        _ => return None,
    })
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Text(t) => t.is_empty(),
        Value::List(l) => l.borrow().items.is_empty(),
        Value::Map(m) => m.borrow().entries.is_empty(),
        Value::Collection(c) => CollectionValue::is_empty(&c.borrow()),
        _ => false,
    }
}

/// Whether text is a plain number: optional sign, digits, optional fraction.
pub(crate) fn is_numeric_text(t: &str) -> bool {
    let t = t.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    !body.is_empty()
        && body.chars().any(|c| c.is_ascii_digit())
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1
        && t.parse::<Decimal>().is_ok()
}

/// A method called on a `zoho.*` system variable (`zoho.currenttime.toString(f)`) reaches
/// the library as one dotted function name; split it back into receiver and method.
fn system_variable_method(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let rest = name.strip_prefix("zoho.")?;
    let (var, method) = rest.split_once('.')?;
    if method.contains('.') {
        return None;
    }
    let recv = match var {
        "currenttime" => Value::DateTime(ctx.now().naive_local()),
        "currentdate" => Value::Date(ctx.now().date_naive()),
        "encryption" | "cliq" => return None,
        other => Value::from_json(&ctx.host.system_variable(other)?),
    };
    Some(super::call_method(ctx, &recv, method, args))
}

/// Receiver-less functions: `ifnull(a, b)`, methods on `zoho.*` variables.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    if name.starts_with("zoho.") {
        return system_variable_method(ctx, name, args);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(recv: Value, name: &str) -> Value {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, &recv, name, &[])
            .expect("handled")
            .expect("ok")
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(call(Value::text(""), "isnull").to_text(), "true");
        assert_eq!(call(Value::text(" "), "isnull").to_text(), "false");
        assert_eq!(call(Value::Null, "isnull").to_text(), "true");
        assert_eq!(call(Value::text(" "), "isempty").to_text(), "false");
        assert_eq!(call(Value::list(vec![]), "isempty").to_text(), "true");
        assert_eq!(call(Value::empty_map(), "isempty").to_text(), "true");
        assert_eq!(call(Value::text("  "), "isblank").to_text(), "true");
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        assert!(method(&mut ctx, &Value::Null, "tostring", &[]).is_none());
        let l = Value::list(vec![Value::Number(1), Value::Number(2), Value::Number(13)]);
        let r = method(&mut ctx, &l, "reverse", &[]).unwrap().unwrap();
        assert_eq!(r.to_text(), "31,2,1");
    }

    #[test]
    fn type_tests() {
        assert_eq!(call(Value::text("Hello"), "istext").to_text(), "true");
        assert_eq!(call(Value::text("123"), "istext").to_text(), "false");
        assert_eq!(call(Value::text(""), "istext").to_text(), "true");
        assert!(call(Value::list(vec![]), "istext").is_null());
        assert!(call(Value::Bool(true), "istext").is_null());
        assert_eq!(call(Value::text("12.3"), "isnumber").to_text(), "true");
        assert_eq!(call(Value::Number(24), "isnumber").to_text(), "true");
        assert_eq!(call(Value::text("24/2*10"), "isnumber").to_text(), "false");
        assert!(call(Value::empty_map(), "isnumber").is_null());
        assert_eq!(call(Value::text("1.5"), "isdecimal").to_text(), "true");
        assert_eq!(call(Value::text("15"), "isdecimal").to_text(), "false");
        assert_eq!(call(Value::text("01-Jan-2019"), "isdate").to_text(), "true");
        assert_eq!(call(Value::text("nope"), "isdate").to_text(), "false");
    }
}
