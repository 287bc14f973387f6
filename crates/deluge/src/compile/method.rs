//! Method calls: `get`, `put`, `add` and `size` run inline on maps and lists (they
//! dominate hot loops); everything else goes through the name-based built-in dispatch.

use crate::ast::{Expr, FastMethod};
use crate::interp::{Interp, R, check_size};
use crate::value::{Key, Value};

use super::ExprFn;
use super::expr::{Leaf, compile_all, eval_all};

/// Compiles `recv.name(args)`.
pub(super) fn compile(
    recv: &Expr,
    name: &str,
    fast: FastMethod,
    args: &[Expr],
    line: u32,
) -> ExprFn {
    let general = general(recv, name, fast, args, line);
    // A hot method on a variable with variable or constant arguments: the receiver is used
    // in place, without taking a reference to it.
    if let (Expr::Var { slot, .. }, true) = (recv, fast != FastMethod::None)
        && let Some(leaves) = args.iter().map(Leaf::of).collect::<Option<Vec<_>>>()
    {
        let slot = *slot as usize;
        let name: Box<str> = name.into();
        return Box::new(move |it| {
            if !applies(fast, it.vars.get(slot), leaves.len()) {
                return general(it);
            }
            it.enter_call(line)?;
            let result = on_variable(it, slot, fast, &name, &leaves);
            it.depth -= 1;
            result.map_err(|e| e.at_line(line))
        });
    }
    general
}

fn general(recv: &Expr, name: &str, fast: FastMethod, args: &[Expr], line: u32) -> ExprFn {
    let recv = super::expr::compile(recv);
    let name: Box<str> = name.into();
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
            let mut m = m.borrow_mut();
            let len = m.entries.len();
            match m.entries.entry(Key(a)) {
                indexmap::map::Entry::Occupied(mut o) => {
                    o.insert(b);
                }
                indexmap::map::Entry::Vacant(slot) => {
                    check_size(limits, len + 1)?;
                    slot.insert(b);
                    *grown += 64;
                }
            }
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
            let mut m = m.borrow_mut();
            let len = m.entries.len();
            match m.entries.entry(Key(k)) {
                indexmap::map::Entry::Occupied(mut o) => {
                    o.insert(v);
                }
                indexmap::map::Entry::Vacant(slot) => {
                    it.check_size(len + 1)?;
                    slot.insert(v);
                    it.grown += 64;
                }
            }
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
