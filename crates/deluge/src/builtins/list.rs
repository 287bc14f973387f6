//! LIST functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): access, search, mutation, sorting, aggregates.
//!
//! Membership (`contains`, `indexOf`, `distinct`, ...) is type-strict (`Value::strict_eq`):
//! the text "1" is not the number 1 (contains and distinct docs).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::{CallCtx, Dispatch, arity, bool_arg, int_arg};
use crate::error::RuntimeError;
use crate::value::{ListValue, Value};

/// `list.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::List(list) = recv else { return None };
    Some(match name {
        "size" | "length" | "len" => {
            arity(name, args, 0, 0).map(|_| Value::Number(list.borrow().items.len() as i64))
        }
        "get" => (|| {
            arity(name, args, 1, 1)?;
            let i = int_arg(name, args, 0)?;
            let l = list.borrow();
            usize::try_from(i)
                .ok()
                .and_then(|i| l.items.get(i))
                .cloned()
                .ok_or_else(|| out_of_range(i, l.items.len()))
        })(),
        "add" => (|| {
            arity(name, args, 1, 1)?;
            let mut l = list.borrow_mut();
            ctx.check_size(l.items.len() + 1)?;
            check_type(&l, &args[0])?;
            l.items.push(args[0].clone());
            Ok(Value::Null)
        })(),
        "addall" => (|| {
            arity(name, args, 1, 1)?;
            let extra = elements(name, &args[0])?;
            let mut l = list.borrow_mut();
            ctx.check_size(l.items.len() + extra.len())?;
            for v in &extra {
                check_type(&l, v)?;
            }
            l.items.extend(extra);
            Ok(Value::Null)
        })(),
        "contains" => {
            arity(name, args, 1, 1).map(|_| Value::Bool(position(list, &args[0]).is_some()))
        }
        "notcontains" => {
            arity(name, args, 1, 1).map(|_| Value::Bool(position(list, &args[0]).is_none()))
        }
        "indexof" => arity(name, args, 1, 1)
            .map(|_| Value::Number(position(list, &args[0]).map_or(-1, |i| i as i64))),
        "lastindexof" => arity(name, args, 1, 1).map(|_| {
            let l = list.borrow();
            let i = l.items.iter().rposition(|v| v.strict_eq(&args[0]));
            Value::Number(i.map_or(-1, |i| i as i64))
        }),
        // remove(index) returns the removed element (remove doc).
        "remove" => (|| {
            arity(name, args, 1, 1)?;
            let i = int_arg(name, args, 0)?;
            let mut l = list.borrow_mut();
            let len = l.items.len();
            match usize::try_from(i).ok().filter(|&i| i < len) {
                Some(i) => Ok(l.items.remove(i)),
                None => Err(out_of_range(i, len)),
            }
        })(),
        "removeelement" => (|| {
            arity(name, args, 1, 1)?;
            let mut l = list.borrow_mut();
            check_type(&l, &args[0])?;
            if let Some(i) = l.items.iter().position(|v| v.strict_eq(&args[0])) {
                l.items.remove(i);
            }
            Ok(Value::Null)
        })(),
        "removeall" => (|| {
            arity(name, args, 1, 1)?;
            let gone = elements(name, &args[0])?;
            list.borrow_mut()
                .items
                .retain(|v| !gone.iter().any(|g| g.strict_eq(v)));
            Ok(Value::Null)
        })(),
        "clear" => arity(name, args, 0, 0).map(|_| {
            list.borrow_mut().items.clear();
            Value::Null
        }),
        "sort" => (|| {
            arity(name, args, 0, 1)?;
            let asc = if args.is_empty() {
                true
            } else {
                bool_arg(name, args, 0)?
            };
            let mut l = list.borrow_mut();
            match sorted(&l.items, asc) {
                Some(items) => {
                    l.items.clone_from(&items);
                    Ok(Value::typed_list(l.elem_type, items))
                }
                None => Ok(Value::Null),
            }
        })(),
        "distinct" => arity(name, args, 0, 0).map(|_| {
            let l = list.borrow();
            Value::typed_list(l.elem_type, distinct(&l.items))
        }),
        "sublist" => (|| {
            arity(name, args, 1, 2)?;
            let l = list.borrow();
            let len = l.items.len() as i64;
            let start = int_arg(name, args, 0)?;
            let end = if args.len() == 2 {
                int_arg(name, args, 1)?
            } else {
                len
            };
            if start < 0 || end > len || start > end {
                return Err(RuntimeError::value_error(format!(
                    "subList({start}, {end}) is out of range for a list of {len} elements"
                )));
            }
            let (s, e) = (start as usize, end as usize);
            Ok(Value::typed_list(l.elem_type, l.items[s..e].to_vec()))
        })(),
        "intersect" => (|| {
            arity(name, args, 1, 1)?;
            let other = elements(name, &args[0])?;
            let l = list.borrow();
            let common: Vec<Value> = l
                .items
                .iter()
                .filter(|v| other.iter().any(|o| o.strict_eq(v)))
                .cloned()
                .collect();
            Ok(Value::list(distinct(&common)))
        })(),
        // toListString doc: a LIST receiver gives a list of its elements as TEXT.
        "toliststring" => (|| {
            arity(name, args, 0, 0)?;
            // Shared sub-lists can make each element's text large: bound the total.
            let mut total = 0usize;
            let mut items = Vec::new();
            for v in list.borrow().items.iter() {
                let t = v.to_text();
                total = total.saturating_add(t.len());
                ctx.check_text_len(total)?;
                items.push(Value::text(t));
            }
            Ok(Value::list(items))
        })(),
        "tolist" => arity(name, args, 0, 0).map(|_| {
            let l = list.borrow();
            Value::typed_list(l.elem_type, l.items.clone())
        }),
        "largest" | "max" | "smallest" | "min" | "median" | "average" | "avg" | "sum"
        | "nthlargest" | "nthsmallest" => {
            let items = list.borrow().items.clone();
            aggregate(name, &items, args)
        }
        _ => return None,
    })
}

/// Receiver-less list functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}

fn out_of_range(i: i64, len: usize) -> RuntimeError {
    RuntimeError::value_error(format!(
        "index {i} out of range for a list of {len} elements"
    ))
}

fn check_type(l: &ListValue, v: &Value) -> Result<(), RuntimeError> {
    match l.elem_type {
        Some(t) if !t.accepts(v) => Err(RuntimeError::type_error(format!(
            "a typed list cannot hold {}",
            v.type_name()
        ))),
        _ => Ok(()),
    }
}

fn position(list: &std::rc::Rc<std::cell::RefCell<ListValue>>, v: &Value) -> Option<usize> {
    list.borrow().items.iter().position(|x| x.strict_eq(v))
}

/// The elements of a LIST or list-style COLLECTION argument.
pub(crate) fn elements(name: &str, v: &Value) -> Result<Vec<Value>, RuntimeError> {
    match v {
        Value::List(l) => Ok(l.borrow().items.clone()),
        Value::Collection(c) => Ok(super::collection::values_of(&c.borrow())),
        other => Err(RuntimeError::type_error(format!(
            "'{name}' needs a LIST, got {}",
            other.type_name()
        ))),
    }
}

/// First occurrences only, in order (distinct doc: `{"1",1,1,2,2,3}` → `"1",1,2,3`).
// Keys hash by value and are not mutated while the set lives.
#[allow(clippy::mutable_key_type)]
pub(crate) fn distinct(items: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    // Containers hash by their rendering: skip repeats of the same container by identity
    // first, so a list of many references to one large value stays cheap.
    let mut seen_containers = std::collections::HashSet::new();
    for v in items {
        let identity = match v {
            Value::List(l) => Some(std::rc::Rc::as_ptr(l) as *const () as usize),
            Value::Map(m) => Some(std::rc::Rc::as_ptr(m) as *const () as usize),
            Value::Collection(c) => Some(std::rc::Rc::as_ptr(c) as *const () as usize),
            _ => None,
        };
        if let Some(p) = identity
            && !seen_containers.insert(p)
        {
            continue;
        }
        if seen.insert(crate::value::Key(v.clone())) {
            out.push(v.clone());
        }
    }
    out
}

/// Sorted copy, or `None` when the elements are not mutually comparable (sort doc:
/// mixed types give null). Texts sort by code point, so upper case first.
pub(crate) fn sorted(items: &[Value], asc: bool) -> Option<Vec<Value>> {
    let mut out = items.to_vec();
    if let Some(first) = out.first()
        && out.iter().any(|v| v.compare(first).is_none())
    {
        return None;
    }
    out.sort_by(|a, b| {
        let o = a.compare(b).unwrap_or(Ordering::Equal);
        if asc { o } else { o.reverse() }
    });
    Some(out)
}

/// A numeric element (numbers, or numeric text) for the aggregate functions.
fn numeric(name: &str, v: &Value) -> Result<Decimal, RuntimeError> {
    match v {
        Value::Number(n) => Ok(Decimal::from(*n)),
        Value::Decimal(d) => Ok(*d),
        Value::Text(t) if super::common::is_numeric_text(t) => t
            .trim()
            .parse()
            .map_err(|_| RuntimeError::value_error(format!("'{name}': '{t}' is not a number"))),
        other => Err(RuntimeError::type_error(format!(
            "'{name}' needs numbers, found {}",
            other.type_name()
        ))),
    }
}

fn number_value(d: Decimal, all_whole: bool) -> Value {
    if all_whole && let Ok(n) = i64::try_from(d) {
        return Value::Number(n);
    }
    Value::Decimal(d)
}

/// largest/smallest/median/average/sum/nthLargest/nthSmallest over numbers (or numeric
/// text). An empty list gives null.
pub(crate) fn aggregate(
    name: &str,
    items: &[Value],
    args: &[Value],
) -> Result<Value, RuntimeError> {
    let nth = matches!(name, "nthlargest" | "nthsmallest");
    arity(name, args, usize::from(nth), usize::from(nth))?;
    let mut nums = Vec::with_capacity(items.len());
    for v in items {
        if v.is_null() {
            continue;
        }
        nums.push(numeric(name, v)?);
    }
    let whole = items
        .iter()
        .all(|v| matches!(v, Value::Number(_) | Value::Null))
        || items.iter().all(|v| !matches!(v, Value::Decimal(_)))
            && nums.iter().all(|d| d.fract().is_zero());
    if nums.is_empty() {
        return Ok(Value::Null);
    }
    nums.sort();
    let overflow = || RuntimeError::value_error(format!("'{name}': number overflow"));
    Ok(match name {
        "largest" | "max" => number_value(nums[nums.len() - 1], whole),
        "smallest" | "min" => number_value(nums[0], whole),
        "sum" => {
            let mut total = Decimal::ZERO;
            for n in &nums {
                total = total.checked_add(*n).ok_or_else(overflow)?;
            }
            number_value(total, whole)
        }
        "average" | "avg" => {
            let mut total = Decimal::ZERO;
            for n in &nums {
                total = total.checked_add(*n).ok_or_else(overflow)?;
            }
            Value::Decimal((total / Decimal::from(nums.len() as i64)).normalize())
        }
        "median" => {
            let mid = nums.len() / 2;
            if nums.len() % 2 == 1 {
                number_value(nums[mid], whole)
            } else {
                let sum = nums[mid - 1].checked_add(nums[mid]).ok_or_else(overflow)?;
                Value::Decimal((sum / Decimal::TWO).normalize())
            }
        }
        _ => {
            let k = int_arg(name, args, 0)?;
            let idx = usize::try_from(k)
                .ok()
                .filter(|&k| k >= 1 && k <= nums.len());
            match idx {
                None => Value::Null,
                Some(k) if name == "nthlargest" => number_value(nums[nums.len() - k], whole),
                Some(k) => number_value(nums[k - 1], whole),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    fn t(s: &str) -> Value {
        Value::text(s)
    }

    fn n(v: i64) -> Value {
        Value::Number(v)
    }

    fn call(recv: &Value, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, recv, name, args).expect("handled")
    }

    fn text(recv: &Value, name: &str, args: &[Value]) -> String {
        call(recv, name, args).unwrap().to_text()
    }

    #[test]
    fn access_and_search() {
        let l = list(vec![n(1), t("2"), t("Zoho"), t("a"), t("a")]);
        assert_eq!(text(&l, "get", &[n(2)]), "Zoho");
        assert!(call(&l, "get", &[n(5)]).is_err());
        assert!(call(&l, "get", &[n(-1)]).is_err());
        assert_eq!(text(&l, "contains", &[t("1")]), "false");
        assert_eq!(text(&l, "contains", &[n(1)]), "true");
        assert_eq!(text(&l, "notcontains", &[n(2)]), "true");
        assert_eq!(text(&l, "indexof", &[t("a")]), "3");
        assert_eq!(text(&l, "lastindexof", &[t("a")]), "4");
        assert_eq!(text(&l, "indexof", &[t("b")]), "-1");
        assert_eq!(text(&l, "size", &[]), "5");
    }

    #[test]
    fn mutation() {
        let l = list(vec![t("Creator"), t("CRM"), t("Projects")]);
        assert_eq!(text(&l, "remove", &[n(1)]), "CRM");
        assert_eq!(l.to_text(), "Creator,Projects");
        assert!(call(&l, "remove", &[n(5)]).is_err());
        call(&l, "removeelement", &[t("Mail")]).unwrap();
        call(&l, "removeelement", &[t("Creator")]).unwrap();
        assert_eq!(l.to_text(), "Projects");
        call(&l, "add", &[list(vec![n(1), n(2)])]).unwrap();
        assert_eq!(text(&l, "size", &[]), "2");
        call(&l, "addall", &[list(vec![n(1), n(2), n(1)])]).unwrap();
        call(&l, "removeall", &[list(vec![n(1)])]).unwrap();
        assert_eq!(l.to_text(), "Projects,[1,2],2");
        call(&l, "clear", &[]).unwrap();
        assert_eq!(text(&l, "size", &[]), "0");
        let typed = Value::typed_list(Some(crate::value::ElemType::Text), vec![]);
        assert!(call(&typed, "add", &[n(1)]).is_err());
        assert!(call(&typed, "removeelement", &[n(1)]).is_err());
    }

    #[test]
    fn sorting_and_sets() {
        let l = list(vec![t("Creator"), t("crm"), t("Zoho Creator")]);
        assert_eq!(text(&l, "sort", &[]), "Creator,Zoho Creator,crm");
        assert_eq!(
            text(&l, "sort", &[Value::Bool(false)]),
            "crm,Zoho Creator,Creator"
        );
        assert!(
            call(&list(vec![n(1), t("a")]), "sort", &[])
                .unwrap()
                .is_null()
        );
        let d = list(vec![t("1"), n(1), n(1), n(2), n(2), n(3)]);
        assert_eq!(text(&d, "distinct", &[]), "1,1,2,3");
        let inner = list(vec![n(1)]);
        let same = list(vec![inner.clone(), inner.clone(), list(vec![n(1)]), inner]);
        assert_eq!(text(&same, "distinct", &[]), "[1]");
        let s = list(vec![n(1), n(2), n(3), n(4)]);
        assert_eq!(text(&s, "sublist", &[n(0), n(3)]), "1,2,3");
        assert_eq!(text(&s, "sublist", &[n(1)]), "2,3,4");
        assert!(call(&s, "sublist", &[n(0), n(5)]).is_err());
        assert!(call(&s, "sublist", &[n(-1)]).is_err());
        let a = list(vec![t("x"), t("y")]);
        assert_eq!(text(&a, "intersect", &[list(vec![t("y"), t("z")])]), "y");
    }

    #[test]
    fn aggregates() {
        let l = list(vec![n(1), n(5), n(2), n(3)]);
        assert_eq!(text(&l, "largest", &[]), "5");
        assert_eq!(text(&l, "smallest", &[]), "1");
        assert_eq!(text(&l, "median", &[]), "2.5");
        assert_eq!(text(&l, "average", &[]), "2.75");
        assert_eq!(text(&l, "sum", &[]), "11");
        assert_eq!(text(&l, "nthlargest", &[n(2)]), "3");
        assert_eq!(text(&l, "nthsmallest", &[n(2)]), "2");
        assert!(call(&l, "nthlargest", &[n(9)]).unwrap().is_null());
        assert_eq!(text(&list(vec![t("4"), n(6)]), "sum", &[]), "10");
        assert!(call(&list(vec![t("x")]), "sum", &[]).is_err());
    }
}
