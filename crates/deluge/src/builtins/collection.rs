//! COLLECTION functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): list-style or key-value-style, never both.
//!
//! A `k : v` argument (`insert("k" : v)`) arrives as a one-entry KEY-VALUE map: the
//! evaluator builds one for each pair argument. Such an argument is taken as a pair when
//! the collection is empty or key-value style.

use super::list::{aggregate, distinct, elements, sorted};
use super::{CallCtx, Dispatch, arity, bool_arg, int_arg};
use crate::error::RuntimeError;
use crate::value::{CollectionValue, Key, Value};

/// All values of a collection, in order.
pub(crate) fn values_of(c: &CollectionValue) -> Vec<Value> {
    match c {
        CollectionValue::Empty => Vec::new(),
        CollectionValue::List(v) => v.clone(),
        CollectionValue::Map(m) => m.values().cloned().collect(),
    }
}

fn mixing() -> RuntimeError {
    RuntimeError::value_error("a collection cannot mix key-value pairs and plain elements")
}

/// A one-entry map argument seen as a `k : v` pair.
fn as_pair(v: &Value) -> Option<(Key, Value)> {
    let Value::Map(m) = v else { return None };
    let m = m.borrow();
    if m.entries.len() != 1 {
        return None;
    }
    m.entries.iter().next().map(|(k, v)| (k.clone(), v.clone()))
}

/// Inserts one argument (element or pair), enforcing the style.
fn insert_one(c: &mut CollectionValue, arg: &Value) -> Result<(), RuntimeError> {
    match c {
        CollectionValue::Empty => {
            *c = match as_pair(arg) {
                Some((k, v)) => {
                    CollectionValue::Map([(k, v)].into_iter().collect::<crate::value::KeyMap>())
                }
                None => CollectionValue::List(vec![arg.clone()]),
            };
        }
        CollectionValue::List(items) => items.push(arg.clone()),
        CollectionValue::Map(m) => {
            let (k, v) = as_pair(arg).ok_or_else(mixing)?;
            m.insert(k, v);
        }
    }
    Ok(())
}

/// `collection.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Collection(coll) = recv else {
        return None;
    };
    Some(match name {
        "size" | "length" => {
            arity(name, args, 0, 0).map(|_| Value::Number(coll.borrow().len() as i64))
        }
        "isempty" => arity(name, args, 0, 0).map(|_| Value::Bool(coll.borrow().is_empty())),
        "clear" => arity(name, args, 0, 0).map(|_| {
            *coll.borrow_mut() = CollectionValue::Empty;
            Value::Null
        }),
        "insert" | "add" | "put" => (|| {
            if args.is_empty() {
                return Err(RuntimeError::type_error(
                    "'insert' needs at least one value",
                ));
            }
            // `put(k, v)` on a key-value collection is the two-argument pair form.
            let mut c = coll.borrow_mut();
            ctx.check_size(c.len() + args.len())?;
            if name == "put" && args.len() == 2 {
                let pair = Value::map(
                    [(Key(args[0].clone()), args[1].clone())]
                        .into_iter()
                        .collect::<crate::value::KeyMap>(),
                );
                return insert_one(&mut c, &pair).map(|_| Value::Null);
            }
            for a in args {
                insert_one(&mut c, a)?;
            }
            Ok(Value::Null)
        })(),
        "insertall" | "addall" => (|| {
            arity(name, args, 1, 1)?;
            let mut c = coll.borrow_mut();
            match &args[0] {
                Value::Map(m) => {
                    let pairs: Vec<_> = m
                        .borrow()
                        .entries
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    ctx.check_size(c.len() + pairs.len())?;
                    for (k, v) in pairs {
                        match &mut *c {
                            CollectionValue::List(_) => return Err(mixing()),
                            CollectionValue::Empty => {
                                *c = CollectionValue::Map(
                                    [(k, v)].into_iter().collect::<crate::value::KeyMap>(),
                                )
                            }
                            CollectionValue::Map(cm) => {
                                cm.insert(k, v);
                            }
                        }
                    }
                }
                Value::Collection(other) if std::rc::Rc::ptr_eq(other, coll) => {
                    let copy = c.clone();
                    merge(&mut c, &copy)?;
                }
                Value::Collection(other) => {
                    let other = other.borrow().clone();
                    ctx.check_size(c.len() + other.len())?;
                    merge(&mut c, &other)?;
                }
                other => {
                    let items = elements(name, other)?;
                    ctx.check_size(c.len() + items.len())?;
                    for v in items {
                        match &mut *c {
                            CollectionValue::Map(_) => return Err(mixing()),
                            CollectionValue::Empty => *c = CollectionValue::List(vec![v]),
                            CollectionValue::List(l) => l.push(v),
                        }
                    }
                }
            }
            Ok(Value::Null)
        })(),
        "get" => (|| {
            arity(name, args, 1, 1)?;
            let c = coll.borrow();
            match &*c {
                CollectionValue::Map(m) => {
                    Ok(m.get(&Key(args[0].clone())).cloned().unwrap_or_default())
                }
                CollectionValue::List(items) => {
                    let i = int_arg(name, args, 0)?;
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| items.get(i))
                        .cloned()
                        .ok_or_else(|| {
                            RuntimeError::value_error(format!(
                                "index {i} out of range for a collection of {} elements",
                                items.len()
                            ))
                        })
                }
                CollectionValue::Empty => Ok(Value::Null),
            }
        })(),
        // getKey/getLastKey doc: the key of the first/last entry holding the value (null if
        // none), or for a list-style collection the element's index (-1 if absent).
        "getkey" | "getlastkey" => arity(name, args, 1, 1).map(|_| {
            let first = name == "getkey";
            match &*coll.borrow() {
                CollectionValue::Map(m) => {
                    let mut hits = m
                        .iter()
                        .filter(|(_, v)| v.strict_eq(&args[0]))
                        .map(|(k, _)| k.0.clone());
                    let found = if first { hits.next() } else { hits.next_back() };
                    found.unwrap_or_default()
                }
                CollectionValue::List(items) => {
                    let pos = if first {
                        items.iter().position(|v| v.strict_eq(&args[0]))
                    } else {
                        items.iter().rposition(|v| v.strict_eq(&args[0]))
                    };
                    Value::Number(pos.map_or(-1, |i| i as i64))
                }
                CollectionValue::Empty => Value::Null,
            }
        }),
        "keys" => arity(name, args, 0, 0).map(|_| {
            let c = coll.borrow();
            Value::list(match &*c {
                CollectionValue::Map(m) => m.keys().map(|k| k.0.clone()).collect(),
                CollectionValue::List(items) => {
                    (0..items.len() as i64).map(Value::Number).collect()
                }
                CollectionValue::Empty => Vec::new(),
            })
        }),
        "values" => arity(name, args, 0, 0).map(|_| Value::list(values_of(&coll.borrow()))),
        "containskey" | "containkey" => arity(name, args, 1, 1).map(|_| {
            Value::Bool(match &*coll.borrow() {
                CollectionValue::Map(m) => m.contains_key(&Key(args[0].clone())),
                CollectionValue::List(items) => {
                    matches!(args[0], Value::Number(i) if i >= 0 && (i as usize) < items.len())
                }
                CollectionValue::Empty => false,
            })
        }),
        "containsvalue" | "containvalue" | "contains" => arity(name, args, 1, 1).map(|_| {
            Value::Bool(
                values_of(&coll.borrow())
                    .iter()
                    .any(|v| v.strict_eq(&args[0])),
            )
        }),
        "notcontains" => arity(name, args, 1, 1).map(|_| {
            Value::Bool(
                !values_of(&coll.borrow())
                    .iter()
                    .any(|v| v.strict_eq(&args[0])),
            )
        }),
        // delete(value): removes every element (or entry) holding that value.
        // delete(value): removes the first element (or entry) holding it; absent: no-op.
        "delete" => arity(name, args, 1, 1).map(|_| {
            match &mut *coll.borrow_mut() {
                CollectionValue::List(items) => {
                    if let Some(i) = items.iter().position(|v| v.strict_eq(&args[0])) {
                        items.remove(i);
                    }
                }
                CollectionValue::Map(m) => {
                    if let Some(i) = m.values().position(|v| v.strict_eq(&args[0])) {
                        m.shift_remove_index(i);
                    }
                }
                CollectionValue::Empty => {}
            }
            Value::Null
        }),
        "deleteall" => (|| {
            arity(name, args, 1, 1)?;
            let gone = elements(name, &args[0])?;
            delete_values(&mut coll.borrow_mut(), &gone);
            Ok(Value::Null)
        })(),
        "deletekey" | "deletekeys" => (|| {
            if args.is_empty() {
                return Err(RuntimeError::type_error(format!("'{name}' needs a key")));
            }
            let mut keys = Vec::new();
            for a in args {
                match a {
                    Value::List(l) => keys.extend(l.borrow().items.iter().cloned()),
                    other => keys.push(other.clone()),
                }
            }
            let mut c = coll.borrow_mut();
            match &mut *c {
                CollectionValue::Map(m) => {
                    for k in keys {
                        m.shift_remove(&Key(k));
                    }
                }
                // deleteKey doc: an index that is not there is a runtime error.
                CollectionValue::List(items)
                    if name == "deletekey"
                        && !matches!(keys.as_slice(), [Value::Number(i)]
                            if usize::try_from(*i).is_ok_and(|i| i < items.len())) =>
                {
                    return Err(RuntimeError::value_error(format!(
                        "deleteKey: no element at index {}",
                        keys.first().map(Value::to_text).unwrap_or_default()
                    )));
                }
                CollectionValue::List(items) => {
                    let mut idx: Vec<usize> = keys
                        .iter()
                        .filter_map(|k| match k {
                            Value::Number(i) => {
                                usize::try_from(*i).ok().filter(|&i| i < items.len())
                            }
                            _ => None,
                        })
                        .collect();
                    idx.sort_unstable();
                    idx.dedup();
                    for i in idx.into_iter().rev() {
                        items.remove(i);
                    }
                }
                CollectionValue::Empty => {}
            }
            Ok(Value::Null)
        })(),
        "distinct" => arity(name, args, 0, 0).map(|_| {
            let c = coll.borrow();
            match &*c {
                CollectionValue::List(items) => {
                    Value::collection(CollectionValue::List(distinct(items)))
                }
                other => Value::collection(other.clone()),
            }
        }),
        "duplicate" => (|| {
            arity(name, args, 0, 2)?;
            let items = values_of(&coll.borrow());
            let len = items.len() as i64;
            let start = if args.is_empty() {
                0
            } else {
                int_arg(name, args, 0)?
            };
            let end = if args.len() == 2 {
                int_arg(name, args, 1)?
            } else {
                len
            };
            if start < 0 || end > len || start > end {
                return Err(RuntimeError::value_error(format!(
                    "duplicate({start}, {end}) is out of range for a collection of {len} elements"
                )));
            }
            Ok(Value::list(items[start as usize..end as usize].to_vec()))
        })(),
        "intersect" => (|| {
            arity(name, args, 1, 1)?;
            let other = elements(name, &args[0])?;
            let mine = values_of(&coll.borrow());
            let common: Vec<Value> = mine
                .iter()
                .filter(|v| other.iter().any(|o| o.strict_eq(v)))
                .cloned()
                .collect();
            Ok(Value::collection(CollectionValue::List(distinct(&common))))
        })(),
        // sort/sortKey docs: the collection itself becomes sorted ("Collection becomes ...");
        // the sorted collection is also returned. Mixed types: null, unchanged.
        "sort" | "sortkey" => (|| {
            arity(name, args, 0, 1)?;
            let asc = if args.is_empty() {
                true
            } else {
                bool_arg(name, args, 0)?
            };
            let sorted_now = {
                let c = coll.borrow();
                sorted_collection(&c, name, asc)
            };
            Ok(match sorted_now {
                Some(s) => {
                    *coll.borrow_mut() = s;
                    recv.clone()
                }
                None => Value::Null,
            })
        })(),
        "update" => (|| {
            arity(name, args, 2, 2)?;
            let mut c = coll.borrow_mut();
            match &mut *c {
                CollectionValue::Map(m) => {
                    let k = Key(args[0].clone());
                    match m.get_mut(&k) {
                        Some(slot) => *slot = args[1].clone(),
                        None => {
                            m.insert(k, args[1].clone());
                        }
                    }
                    Ok(Value::Null)
                }
                CollectionValue::List(items) => {
                    let i = int_arg(name, args, 0)?;
                    let len = items.len();
                    let slot = usize::try_from(i)
                        .ok()
                        .and_then(|i| items.get_mut(i))
                        .ok_or_else(|| {
                            RuntimeError::value_error(format!(
                                "index {i} out of range for a collection of {len} elements"
                            ))
                        })?;
                    *slot = args[1].clone();
                    Ok(Value::Null)
                }
                CollectionValue::Empty => {
                    Err(RuntimeError::value_error("update on an empty collection"))
                }
            }
        })(),
        "tolist" => arity(name, args, 0, 0).map(|_| Value::list(values_of(&coll.borrow()))),
        "largest" | "smallest" | "median" | "average" | "sum" | "nthlargest" | "nthsmallest" => {
            let items = values_of(&coll.borrow());
            aggregate(name, &items, args)
        }
        _ => return None,
    })
}

/// The sorted contents for sort (by element or value) / sortKey; `None` for mixed types.
fn sorted_collection(c: &CollectionValue, name: &str, asc: bool) -> Option<CollectionValue> {
    match (c, name) {
        (CollectionValue::List(items), _) => sorted(items, asc).map(CollectionValue::List),
        (CollectionValue::Map(m), _) => {
            let by_key = name == "sortkey";
            let picks: Vec<Value> = m
                .iter()
                .map(|(k, v)| if by_key { k.0.clone() } else { v.clone() })
                .collect();
            let order = sorted(&picks, asc)?;
            let mut pool: Vec<(Key, Value)> =
                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut out = crate::value::key_map(pool.len());
            for want in order {
                if let Some(i) = pool.iter().position(|(k, v)| {
                    if by_key {
                        k.0.strict_eq(&want)
                    } else {
                        v.strict_eq(&want)
                    }
                }) {
                    let (k, v) = pool.remove(i);
                    out.insert(k, v);
                }
            }
            Some(CollectionValue::Map(out))
        }
        (CollectionValue::Empty, _) => Some(CollectionValue::Empty),
    }
}

fn merge(c: &mut CollectionValue, other: &CollectionValue) -> Result<(), RuntimeError> {
    match other {
        CollectionValue::Empty => Ok(()),
        CollectionValue::List(items) => {
            for v in items {
                match c {
                    CollectionValue::Map(_) => return Err(mixing()),
                    CollectionValue::Empty => *c = CollectionValue::List(vec![v.clone()]),
                    CollectionValue::List(l) => l.push(v.clone()),
                }
            }
            Ok(())
        }
        CollectionValue::Map(m) => {
            for (k, v) in m {
                match c {
                    CollectionValue::List(_) => return Err(mixing()),
                    CollectionValue::Empty => {
                        *c = CollectionValue::Map(
                            [(k.clone(), v.clone())]
                                .into_iter()
                                .collect::<crate::value::KeyMap>(),
                        )
                    }
                    CollectionValue::Map(cm) => {
                        cm.insert(k.clone(), v.clone());
                    }
                }
            }
            Ok(())
        }
    }
}

fn delete_values(c: &mut CollectionValue, gone: &[Value]) {
    match c {
        CollectionValue::List(items) => items.retain(|v| !gone.iter().any(|g| g.strict_eq(v))),
        CollectionValue::Map(m) => m.retain(|_, v| !gone.iter().any(|g| g.strict_eq(v))),
        CollectionValue::Empty => {}
    }
}

/// Receiver-less collection functions.
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

    fn pair(k: &str, v: Value) -> Value {
        Value::map(
            [(Key(t(k)), v)]
                .into_iter()
                .collect::<crate::value::KeyMap>(),
        )
    }

    fn list_coll(items: &[&str]) -> Value {
        Value::collection(CollectionValue::List(items.iter().map(|s| t(s)).collect()))
    }

    #[test]
    fn key_value_style() {
        let c = Value::collection(CollectionValue::Empty);
        call(&c, "insert", &[pair("Creator", Value::Number(5))]).unwrap();
        call(&c, "insert", &[pair("CRM", Value::Number(5))]).unwrap();
        assert_eq!(call(&c, "size", &[]).unwrap().to_text(), "2");
        assert!(call(&c, "insert", &[t("Books")]).is_err());
        assert_eq!(call(&c, "get", &[t("CRM")]).unwrap().to_text(), "5");
        assert_eq!(
            call(&c, "getkey", &[Value::Number(5)]).unwrap().to_text(),
            "Creator"
        );
        assert_eq!(
            call(&c, "getlastkey", &[Value::Number(5)])
                .unwrap()
                .to_text(),
            "CRM"
        );
        assert_eq!(
            call(&c, "containskey", &[t("CRM")]).unwrap().to_text(),
            "true"
        );
        assert_eq!(
            call(&c, "sortkey", &[]).unwrap().to_text(),
            r#"{"CRM":5,"Creator":5}"#
        );
        assert_eq!(c.to_text(), r#"{"CRM":5,"Creator":5}"#);
        call(&c, "update", &[t("CRM"), Value::Number(6)]).unwrap();
        call(&c, "deletekey", &[t("Creator")]).unwrap();
        assert_eq!(c.to_text(), r#"{"CRM":6}"#);
        assert_eq!(call(&c, "keys", &[]).unwrap().to_text(), "CRM");
    }

    #[test]
    fn list_style() {
        let a = list_coll(&["Creator", "CRM", "Books", "CRM"]);
        let b = list_coll(&["Creator", "CRM", "Mail"]);
        assert_eq!(
            call(&a, "intersect", &[b]).unwrap().to_text(),
            "Creator,CRM"
        );
        assert_eq!(
            call(&a, "distinct", &[]).unwrap().to_text(),
            "Creator,CRM,Books"
        );
        assert_eq!(
            call(&a, "duplicate", &[Value::Number(0), Value::Number(1)])
                .unwrap()
                .to_text(),
            "Creator"
        );
        assert!(call(&a, "duplicate", &[Value::Number(0), Value::Number(9)]).is_err());
        let sorted_copy = list_coll(&["Creator", "CRM", "Books", "CRM"]);
        assert_eq!(
            call(&sorted_copy, "sort", &[]).unwrap().to_text(),
            "Books,CRM,CRM,Creator"
        );
        assert_eq!(sorted_copy.to_text(), "Books,CRM,CRM,Creator");
        assert_eq!(
            call(&a, "notcontains", &[t("Mail")]).unwrap().to_text(),
            "true"
        );
        assert_eq!(call(&a, "getkey", &[t("CRM")]).unwrap().to_text(), "1");
        assert_eq!(call(&a, "getlastkey", &[t("CRM")]).unwrap().to_text(), "3");
        assert_eq!(call(&a, "getkey", &[t("Nope")]).unwrap().to_text(), "-1");
        call(&a, "delete", &[t("CRM")]).unwrap();
        assert_eq!(a.to_text(), "Creator,Books,CRM");
        call(&a, "delete", &[t("CRM")]).unwrap();
        assert_eq!(a.to_text(), "Creator,Books");
        assert!(call(&a, "deletekey", &[Value::Number(9)]).is_err());
        call(&a, "insert", &[t("X"), t("Y")]).unwrap();
        call(&a, "deletekey", &[Value::Number(0)]).unwrap();
        assert_eq!(a.to_text(), "Books,X,Y");
        assert!(call(&a, "get", &[Value::Number(7)]).is_err());
        let nums = Value::collection(CollectionValue::List(
            [300, 455, 124, 926, 780]
                .into_iter()
                .map(Value::Number)
                .collect(),
        ));
        assert_eq!(
            call(&nums, "nthlargest", &[Value::Number(5)])
                .unwrap()
                .to_text(),
            "124"
        );
        call(&nums, "clear", &[]).unwrap();
        assert_eq!(call(&nums, "isempty", &[]).unwrap().to_text(), "true");
    }
}
