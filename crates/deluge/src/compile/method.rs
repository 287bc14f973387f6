//! Method calls: `get`, `put`, `add` and `size` run inline on maps and lists (they
//! dominate hot loops); everything else goes through the name-based built-in dispatch.

use std::sync::Arc;

use crate::ast::{Expr, FastMethod};
use crate::interp::{Interp, R, check_size};
use crate::limits::Limits;
use crate::value::{Key, KeyMap, Value};

use super::expr::{Leaf, compile_all, eval_all};
use super::{ExprFn, Flow, StmtFn};

/// Compiles `recv.name(args)`.
pub(super) fn compile(
    recv: &Expr,
    name: &Arc<str>,
    fast: FastMethod,
    args: &[Expr],
    line: u32,
) -> ExprFn {
    let general = general(recv, name, fast, args, line);
    let Some((slot, leaves)) = on_variable_shape(recv, fast, args) else {
        return general;
    };
    let leaves = match <[Leaf; 2]>::try_from(leaves) {
        Ok([k, v]) if fast == FastMethod::Put => {
            return Box::new(move |it| match put_on_variable(it, slot, &k, &v, line) {
                Some(r) => r.map(|()| Value::Null),
                None => general(it),
            });
        }
        Ok(two) => Vec::from(two),
        Err(other) => other,
    };
    let name = name.clone();
    Box::new(move |it| {
        if !applies(fast, it.vars.get(slot), leaves.len()) {
            return general(it);
        }
        it.enter_call(line)?;
        let result = on_variable(it, slot, fast, &name, &leaves);
        it.depth -= 1;
        result.map_err(|e| e.at_line(line))
    })
}

/// `m.put(k, v);` as a statement, when it has the shape [`put_on_variable`] handles.
pub(super) fn put_statement(e: &Expr, line: u32) -> Option<StmtFn> {
    let Expr::Method {
        recv,
        name,
        fast: fast @ FastMethod::Put,
        args,
        line: call_line,
    } = e
    else {
        return None;
    };
    let (slot, leaves) = on_variable_shape(recv, *fast, args)?;
    let [k, v] = <[Leaf; 2]>::try_from(leaves).ok()?;
    let general = general(recv, name, *fast, args, *call_line);
    let call_line = *call_line;
    if let (Leaf::Var(ks, _), Leaf::Var(vs, _)) = (&k, &v) {
        // `m.put(key, value)` with two variables: whole numbers read without a dispatch on
        // the operand kinds.
        let (ks, vs) = (*ks as usize, *vs as usize);
        return Some(Box::new(move |it| {
            it.tick(line)?;
            if let (Some(Some(Value::Number(kn))), Some(Some(Value::Number(vn)))) =
                (it.vars.get(ks), it.vars.get(vs))
                && put_numbers(it, slot, *kn, *vn)
            {
                return Ok(Flow::Normal);
            }
            put_statement_general(it, slot, &k, &v, call_line, &general)
        }));
    }
    Some(Box::new(move |it| {
        it.tick(line)?;
        match put_on_variable(it, slot, &k, &v, call_line) {
            Some(r) => r?,
            None => {
                general(it)?;
            }
        }
        Ok(Flow::Normal)
    }))
}

/// The rest of `m.put(k, v);` when its two variables are not both whole numbers (or the map
/// is full, or not a map): out of line and cold, so that the statement around the
/// whole-number path saves fewer registers.
#[cold]
#[inline(never)]
fn put_statement_general(
    it: &mut Interp<'_>,
    slot: usize,
    k: &Leaf,
    v: &Leaf,
    call_line: u32,
    general: &ExprFn,
) -> R<Flow> {
    match put_on_variable(it, slot, k, v, call_line) {
        Some(r) => r?,
        None => {
            general(it)?;
        }
    }
    Ok(Flow::Normal)
}

/// A hot method on a variable with variable or constant arguments: the receiver is used
/// in place, without taking a reference to it.
fn on_variable_shape(recv: &Expr, fast: FastMethod, args: &[Expr]) -> Option<(usize, Vec<Leaf>)> {
    match recv {
        Expr::Var { slot, .. } if fast != FastMethod::None => {
            let leaves = args.iter().map(Leaf::of).collect::<Option<Vec<_>>>()?;
            Some((*slot as usize, leaves))
        }
        _ => None,
    }
}

/// `m.put(k, v)` with `m` a variable holding a map and `k`, `v` variables or constants:
/// `None` (nothing done) when `m` holds something else and the general path must run.
/// There is no nested call, so the call depth is checked but not raised.
#[inline(always)]
fn put_on_variable(
    it: &mut Interp<'_>,
    slot: usize,
    k: &Leaf,
    v: &Leaf,
    line: u32,
) -> Option<R<()>> {
    let Some(Some(Value::Map(_))) = it.vars.get(slot) else {
        return None;
    };
    // Whole-number key and value, room in the map: no value is built until the insert.
    if let (Some(kn), Some(vn)) = (k.number(&it.vars), v.number(&it.vars))
        && put_numbers(it, slot, kn, vn)
    {
        return Some(Ok(()));
    }
    Some(put_leaves(it, slot, k, v).map_err(|e| e.at_line(line)))
}

/// `m.put(k, v)` of two whole numbers on the map in `slot`, when it holds a map, the call
/// depth allows a call and the map has room (or the key is there): false (nothing done)
/// otherwise.
#[inline(always)]
fn put_numbers(it: &mut Interp<'_>, slot: usize, k: i64, v: i64) -> bool {
    let Interp {
        vars,
        limits,
        grown,
        depth,
        ..
    } = it;
    let Some(Some(Value::Map(m))) = vars.get(slot) else {
        return false;
    };
    if *depth >= limits.max_call_depth {
        return false;
    }
    let mut m = m.borrow_mut();
    if m.entries.len() >= limits.max_collection_size {
        return false;
    }
    match m.entries.insert_number(k, Value::Number(v)) {
        None => *grown += 64,
        // A replaced number needs no drop call.
        Some(Value::Number(_)) => {}
        Some(old) => drop(old),
    }
    true
}

#[inline(always)]
fn put_leaves(it: &mut Interp<'_>, slot: usize, k: &Leaf, v: &Leaf) -> R<()> {
    it.check_call_depth(0)?;
    let k = k.get(it)?;
    let v = v.get(it)?;
    let Interp {
        vars,
        limits,
        grown,
        ..
    } = it;
    let recv = match vars.get(slot) {
        Some(Some(Value::Map(m))) => return put(&mut m.borrow_mut().entries, k, v, limits, grown),
        // Not reached: reading the arguments cannot change the variable.
        cell => cell.cloned().flatten().unwrap_or_default(),
    };
    it.call_method(&recv, "put", &[k, v]).map(drop)
}

fn general(recv: &Expr, name: &Arc<str>, fast: FastMethod, args: &[Expr], line: u32) -> ExprFn {
    let recv = super::expr::compile(recv);
    let name = name.clone();
    let args = compile_all(args);
    Box::new(move |it| {
        let r = recv(it)?;
        it.enter_call(line)?;
        let result = call(it, &r, &name, fast, &args);
        it.depth -= 1;
        result.map_err(|e| e.at_line(line))
    })
}

/// Whether the inline form of `fast` handles a receiver in slot `cell` with `argc`
/// arguments.
#[inline(always)]
fn applies(fast: FastMethod, cell: Option<&Option<Value>>, argc: usize) -> bool {
    match (fast, cell, argc) {
        (FastMethod::Get, Some(Some(Value::Map(_))), 1)
        | (FastMethod::Put, Some(Some(Value::Map(_))), 2)
        | (FastMethod::Size, Some(Some(Value::List(_) | Value::Map(_))), 0) => true,
        (FastMethod::Add, Some(Some(Value::List(l))), 1) => l.borrow().elem_type.is_none(),
        _ => false,
    }
}

/// The inline form of a hot method on the receiver in `slot` (checked by [`applies`]).
/// Reading the arguments cannot change the variable, so it is looked up again in place.
fn on_variable(
    it: &mut Interp<'_>,
    slot: usize,
    fast: FastMethod,
    name: &str,
    leaves: &[Leaf],
) -> R<Value> {
    let mut args = [Value::Null, Value::Null];
    for (a, leaf) in args.iter_mut().zip(leaves) {
        *a = leaf.get(it)?;
    }
    let [a, b] = args;
    let Interp {
        vars,
        limits,
        grown,
        ..
    } = it;
    let recv = match (fast, vars.get(slot)) {
        (FastMethod::Get, Some(Some(Value::Map(m)))) => {
            return Ok(m.borrow().entries.get(&Key(a)).cloned().unwrap_or_default());
        }
        (FastMethod::Put, Some(Some(Value::Map(m)))) => {
            put(&mut m.borrow_mut().entries, a, b, limits, grown)?;
            return Ok(Value::Null);
        }
        (FastMethod::Add, Some(Some(Value::List(l)))) => {
            let mut l = l.borrow_mut();
            check_size(limits, l.items.len() + 1)?;
            l.items.push(a);
            *grown += 32;
            return Ok(Value::Null);
        }
        (FastMethod::Size, Some(Some(Value::List(l)))) => {
            return Ok(Value::Number(l.borrow().items.len() as i64));
        }
        (FastMethod::Size, Some(Some(Value::Map(m)))) => {
            return Ok(Value::Number(m.borrow().entries.len() as i64));
        }
        // Not reached ([`applies`] was checked); the general dispatch is still right.
        (_, cell) => cell.cloned().flatten().unwrap_or_default(),
    };
    let args = [a, b];
    it.call_method(&recv, name, &args[..leaves.len()])
}

/// A method on an evaluated receiver: the hot methods inline, the rest by name.
fn call(
    it: &mut Interp<'_>,
    recv: &Value,
    name: &str,
    fast: FastMethod,
    args: &[ExprFn],
) -> R<Value> {
    match (fast, recv, args) {
        (FastMethod::Get, Value::Map(m), [k]) => {
            let k = k(it)?;
            return Ok(m.borrow().entries.get(&Key(k)).cloned().unwrap_or_default());
        }
        (FastMethod::Put, Value::Map(m), [k, v]) => {
            let k = k(it)?;
            let v = v(it)?;
            put(&mut m.borrow_mut().entries, k, v, it.limits, &mut it.grown)?;
            return Ok(Value::Null);
        }
        (FastMethod::Add, Value::List(l), [v]) if l.borrow().elem_type.is_none() => {
            let v = v(it)?;
            let mut l = l.borrow_mut();
            it.check_size(l.items.len() + 1)?;
            l.items.push(v);
            it.grown += 32;
            return Ok(Value::Null);
        }
        (FastMethod::Size, Value::List(l), []) => {
            return Ok(Value::Number(l.borrow().items.len() as i64));
        }
        (FastMethod::Size, Value::Map(m), []) => {
            return Ok(Value::Number(m.borrow().entries.len() as i64));
        }
        _ => {}
    }
    let args = eval_all(it, args)?;
    it.call_method(recv, name, &args)
}

/// `map.put(k, v)`: replaces the value of an existing key in place, appends a new key
/// unless the map is at the collection size limit.
#[inline(always)]
fn put(entries: &mut KeyMap, k: Value, v: Value, limits: &Limits, grown: &mut usize) -> R<()> {
    let len = entries.len();
    if len < limits.max_collection_size {
        // One probe of the table whether the key is new or not.
        if entries.insert(Key(k), v).is_none() {
            *grown += 64;
        }
        return Ok(());
    }
    match entries.get_mut(&Key(k)) {
        Some(slot) => {
            *slot = v;
            Ok(())
        }
        None => check_size(limits, len + 1),
    }
}
