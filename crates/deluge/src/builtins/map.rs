//! KEY-VALUE functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): get, put, putAll, keys, values, containKey, ...
//!
//! Keys compare type-strictly and case-sensitively (containKey doc).

use super::{CallCtx, Dispatch, arity};
use crate::error::RuntimeError;
use crate::value::{CollectionValue, Key, Value};

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
            let key = Key(args[0].clone());
            if !m.entries.contains_key(&key) {
                ctx.check_size(m.entries.len() + 1)?;
            }
            m.entries.insert(key, args[1].clone());
            Ok(Value::Null)
        })(),
        "putall" => (|| {
            arity(name, args, 1, 1)?;
            let extra: Vec<(Key, Value)> = match &args[0] {
                Value::Map(other) => other
                    .borrow()
                    .entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                Value::Collection(c) => match &*c.borrow() {
                    CollectionValue::Map(m) => {
                        m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
                    }
                    CollectionValue::Empty => Vec::new(),
                    CollectionValue::List(_) => {
                        return Err(RuntimeError::type_error(
                            "putAll needs a KEY-VALUE, got a list collection",
                        ));
                    }
                },
                Value::Null => Vec::new(),
                other => {
                    return Err(RuntimeError::type_error(format!(
                        "putAll needs a KEY-VALUE, got {}",
                        other.type_name()
                    )));
                }
            };
            let mut m = map.borrow_mut();
            let new_keys = extra
                .iter()
                .filter(|(k, _)| !m.entries.contains_key(k))
                .count();
            ctx.check_size(m.entries.len() + new_keys)?;
            m.entries.extend(extra);
            Ok(Value::Null)
        })(),
        "keys" => arity(name, args, 0, 0)
            .map(|_| Value::list(map.borrow().entries.keys().map(|k| k.0.clone()).collect())),
        "values" => arity(name, args, 0, 0)
            .map(|_| Value::list(map.borrow().entries.values().cloned().collect())),
        "size" | "length" => {
            arity(name, args, 0, 0).map(|_| Value::Number(map.borrow().entries.len() as i64))
        }
        "containkey" | "containskey" => arity(name, args, 1, 1)
            .map(|_| Value::Bool(map.borrow().entries.contains_key(&Key(args[0].clone())))),
        "containvalue" | "containsvalue" => arity(name, args, 1, 1)
            .map(|_| Value::Bool(map.borrow().entries.values().any(|v| v.strict_eq(&args[0])))),
        // remove(key): deletes the key (absent key: no error) and returns its value.
        "remove" | "removekey" => arity(name, args, 1, 1).map(|_| {
            map.borrow_mut()
                .entries
                .shift_remove(&Key(args[0].clone()))
                .unwrap_or(Value::Null)
        }),
        "clear" => arity(name, args, 0, 0).map(|_| {
            map.borrow_mut().entries.clear();
            Value::Null
        }),
        "tomap" => arity(name, args, 0, 0).map(|_| Value::map(map.borrow().entries.clone())),
        _ => return None,
    })
}

/// Receiver-less map functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(recv: &Value, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, recv, name, args).expect("handled")
    }

    fn t(s: &str) -> Value {
        Value::text(s)
    }

    #[test]
    fn put_get_and_order() {
        let m = Value::empty_map();
        call(&m, "put", &[t("Creator"), Value::Number(4)]).unwrap();
        call(&m, "put", &[t("CRM"), Value::Number(3)]).unwrap();
        call(&m, "put", &[t("Creator"), Value::Number(5)]).unwrap();
        assert_eq!(m.to_text(), r#"{"Creator":5,"CRM":3}"#);
        assert!(call(&m, "get", &[t("creator")]).unwrap().is_null());
        assert_eq!(call(&m, "keys", &[]).unwrap().to_text(), "Creator,CRM");
        assert_eq!(call(&m, "values", &[]).unwrap().to_text(), "5,3");
        let other = Value::empty_map();
        call(&other, "put", &[t("Company"), t("Zoho")]).unwrap();
        call(&m, "putall", &[other]).unwrap();
        assert_eq!(m.to_text(), r#"{"Creator":5,"CRM":3,"Company":"Zoho"}"#);
        assert!(call(&m, "putall", &[Value::Number(1)]).is_err());
    }

    #[test]
    fn membership_and_removal() {
        let m = Value::empty_map();
        call(&m, "put", &[t("Product"), t("Creator")]).unwrap();
        assert_eq!(
            call(&m, "containkey", &[t("product")]).unwrap().to_text(),
            "false"
        );
        assert_eq!(
            call(&m, "containkey", &[t("Product")]).unwrap().to_text(),
            "true"
        );
        assert_eq!(
            call(&m, "containvalue", &[t("creator")]).unwrap().to_text(),
            "false"
        );
        assert_eq!(
            call(&m, "containvalue", &[t("Creator")]).unwrap().to_text(),
            "true"
        );
        assert!(call(&m, "remove", &[t("missing")]).unwrap().is_null());
        assert_eq!(
            call(&m, "remove", &[t("Product")]).unwrap().to_text(),
            "Creator"
        );
        assert_eq!(call(&m, "size", &[]).unwrap().to_text(), "0");
    }
}
