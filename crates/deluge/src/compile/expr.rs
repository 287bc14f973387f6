//! Expressions: one closure per syntax-tree node, with the whole-number fast paths of
//! [`super::int`] in front of arithmetic and comparisons.

use crate::ast::{BinOp, Const, Expr, TaskKind};
use crate::error::RuntimeError;
use crate::interp::{Interp, R};
use crate::ops;
use crate::tasks;
use crate::value::{CollectionValue, ElemType, Key, Value};

use super::int;
use super::{ExprFn, method, truth};

/// Compiles an expression.
pub(super) fn compile(e: &Expr) -> ExprFn {
    if let Some(f) = int::int_expr(e) {
        let general = general(e);
        return Box::new(move |it| match f(&it.vars) {
            Some(n) => Ok(Value::Number(n)),
            None => general(it),
        });
    }
    if let Some(f) = int::int_compare(e) {
        let general = general(e);
        return Box::new(move |it| match f(&it.vars) {
            Some(b) => Ok(Value::Bool(b)),
            None => general(it),
        });
    }
    general(e)
}

/// Compiles a list of expressions.
pub(super) fn compile_all(es: &[Expr]) -> Box<[ExprFn]> {
    es.iter().map(compile).collect()
}

/// Evaluates compiled expressions in order.
pub(super) fn eval_all(it: &mut Interp<'_>, fs: &[ExprFn]) -> R<Vec<Value>> {
    let mut out = Vec::with_capacity(fs.len());
    for f in fs {
        out.push(f(it)?);
    }
    Ok(out)
}

/// Compiles an expression without a fast path in front of it (its operands may have one).
pub(super) fn general(e: &Expr) -> ExprFn {
    match e {
        Expr::Const(c) => constant(c),
        Expr::Var { slot, line } => {
            let (slot, line) = (*slot, *line);
            Box::new(move |it| match it.vars.get(slot as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => it.read(slot, line),
            })
        }
        Expr::Binary(op, a, b, line) => binary(*op, compile(a), compile(b), *line),
        Expr::Chain(first, rest) => chain(first, rest),
        Expr::Unary(op, x, line) => {
            let (op, x, line) = (*op, compile(x), *line);
            Box::new(move |it| {
                let v = x(it)?;
                ops::unary(op, &v).map_err(|e| e.at_line(line))
            })
        }
        Expr::And(a, b, line) => {
            let (a, b, line) = (compile(a), compile(b), *line);
            Box::new(move |it| {
                if !truth(a(it)?, line)? {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(truth(b(it)?, line)?))
            })
        }
        Expr::Or(a, b, line) => {
            let (a, b, line) = (compile(a), compile(b), *line);
            Box::new(move |it| {
                if truth(a(it)?, line)? {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(truth(b(it)?, line)?))
            })
        }
        Expr::Cond(c, a, b, line) => {
            let (c, a, b, line) = (compile(c), compile(a), compile(b), *line);
            Box::new(move |it| if truth(c(it)?, line)? { a(it) } else { b(it) })
        }
        Expr::IfNull(a, b) => {
            let (a, b) = (compile(a), compile(b));
            Box::new(move |it| {
                let v = a(it)?;
                if v.is_null() { b(it) } else { Ok(v) }
            })
        }
        Expr::Call { name, args, line } => {
            let (name, args, line) = (name.clone(), compile_all(args), *line);
            Box::new(move |it| {
                it.enter_call(line)?;
                let result = eval_all(it, &args).and_then(|a| it.call_function(&name, &a, line));
                it.depth -= 1;
                result.map_err(|e| e.at_line(line))
            })
        }
        Expr::Method {
            recv,
            name,
            fast,
            args,
            line,
        } => method::compile(recv, name, *fast, args, *line),
        Expr::Pair(k, v) => {
            let (k, v) = (compile(k), compile(v));
            Box::new(move |it| pair(it, &k, &v))
        }
        Expr::ConstList(consts) => {
            // Long literal lists of numbers or texts: one closure, no call per element.
            let consts = consts.clone();
            Box::new(move |it| {
                it.check_size(consts.len())?;
                Ok(Value::list(consts.iter().map(Const::to_value).collect()))
            })
        }
        Expr::ListLit(items) => {
            let items = compile_all(items);
            Box::new(move |it| {
                it.check_size(items.len())?;
                Ok(Value::list(eval_all(it, &items)?))
            })
        }
        Expr::MapLit(entries) => {
            let entries: Box<[(ExprFn, ExprFn)]> = entries
                .iter()
                .map(|(k, v)| (compile(k), compile(v)))
                .collect();
            Box::new(move |it| {
                it.check_size(entries.len())?;
                let mut out = crate::value::key_map(entries.len());
                for (k, v) in entries.iter() {
                    let k = k(it)?;
                    let v = v(it)?;
                    out.insert(Key(k), v);
                }
                Ok(Value::map(out))
            })
        }
        Expr::NewList(elem, args) => {
            let (elem, args) = (*elem, compile_all(args));
            Box::new(move |it| new_list(it, elem, &args))
        }
        Expr::NewMap(arg, line) => new_map(arg.as_deref(), *line),
        Expr::NewCollection(args, line) => new_collection(args, *line),
        Expr::Zoho { name, line } => {
            let (name, line) = (name.clone(), *line);
            Box::new(move |it| it.zoho_variable(&name).map_err(|e| e.at_line(line)))
        }
        Expr::Task { kind, params, line } => task(kind, params, *line),
        Expr::Unsupported { what, line } => {
            let (message, line) = (
                format!("Creator task, not available in Cliq: {what}"),
                *line,
            );
            Box::new(move |_| {
                Err(
                    RuntimeError::new(crate::error::ErrorKind::Unsupported, message.as_str())
                        .at_line(line),
                )
            })
        }
    }
}

fn constant(c: &Const) -> ExprFn {
    match c {
        Const::Null => Box::new(|_| Ok(Value::Null)),
        Const::Bool(b) => {
            let b = *b;
            Box::new(move |_| Ok(Value::Bool(b)))
        }
        Const::Number(n) => {
            let n = *n;
            Box::new(move |_| Ok(Value::Number(n)))
        }
        other => {
            let c = other.clone();
            Box::new(move |_| Ok(c.to_value()))
        }
    }
}

/// Applies `op` to two evaluated operands: whole numbers inline, the rest through
/// [`ops::binary`].
#[inline(always)]
pub(super) fn apply(it: &mut Interp<'_>, op: BinOp, a: &Value, b: &Value, line: u32) -> R<Value> {
    if let (Value::Number(x), Value::Number(y)) = (a, b)
        && let Some(v) = ops::int_fast(op, *x, *y)
    {
        return Ok(v);
    }
    let v = ops::binary(op, a, b, it.limits.max_text_length).map_err(|e| e.at_line(line))?;
    it.grew(&v);
    Ok(v)
}

fn binary(op: BinOp, a: ExprFn, b: ExprFn, line: u32) -> ExprFn {
    Box::new(move |it| {
        let a = a(it)?;
        let b = b(it)?;
        apply(it, op, &a, &b, line)
    })
}

fn chain(first: &Expr, rest: &[(BinOp, Expr, u32)]) -> ExprFn {
    let first = compile(first);
    let rest: Box<[(BinOp, ExprFn, u32)]> = rest
        .iter()
        .map(|(op, e, line)| (*op, compile(e), *line))
        .collect();
    Box::new(move |it| {
        let mut acc = first(it)?;
        for (op, e, line) in rest.iter() {
            let b = e(it)?;
            if let (Value::Number(x), Value::Number(y)) = (&acc, &b)
                && let Some(v) = ops::int_fast(*op, *x, *y)
            {
                acc = v;
                continue;
            }
            acc = ops::binary(*op, &acc, &b, it.limits.max_text_length)
                .map_err(|e| e.at_line(*line))?;
        }
        it.grew(&acc);
        Ok(acc)
    })
}

fn pair(it: &mut Interp<'_>, k: &ExprFn, v: &ExprFn) -> R<Value> {
    let k = k(it)?;
    let v = v(it)?;
    let mut m = crate::value::key_map(1);
    m.insert(Key(k), v);
    Ok(Value::map(m))
}

fn new_list(it: &mut Interp<'_>, elem: Option<ElemType>, args: &[ExprFn]) -> R<Value> {
    let mut items = Vec::new();
    for a in args {
        match a(it)? {
            Value::List(l) => items.extend(l.borrow().items.iter().cloned()),
            other => items.push(other),
        }
    }
    if let Some(t) = elem
        && let Some(bad) = items.iter().find(|v| !t.accepts(v))
    {
        return Err(RuntimeError::type_error(format!(
            "a typed list cannot hold {}",
            bad.type_name()
        )));
    }
    Ok(Value::typed_list(elem, items))
}

fn new_map(arg: Option<&Expr>, line: u32) -> ExprFn {
    let Some(arg) = arg else {
        return Box::new(|_| Ok(Value::empty_map()));
    };
    let arg = compile(arg);
    Box::new(move |it| match arg(it)? {
        Value::Map(m) => Ok(Value::map(m.borrow().entries.clone())),
        Value::Null => Ok(Value::empty_map()),
        other => Err(RuntimeError::type_error(format!(
            "Map() needs a KEY-VALUE, got {}",
            other.type_name()
        ))
        .at_line(line)),
    })
}

/// `Collection(...)`: key-value when every argument is a `key: value` pair, list-like when
/// none is; the kind is decided here, once.
fn new_collection(args: &[Expr], line: u32) -> ExprFn {
    if args.is_empty() {
        return Box::new(|_| Ok(Value::collection(CollectionValue::Empty)));
    }
    let pairs: Vec<(ExprFn, ExprFn)> = args
        .iter()
        .filter_map(|a| match a {
            Expr::Pair(k, v) => Some((compile(k), compile(v))),
            _ => None,
        })
        .collect();
    if pairs.len() == args.len() {
        return Box::new(move |it| {
            let mut m = crate::value::key_map(pairs.len());
            for (k, v) in &pairs {
                let k = k(it)?;
                let v = v(it)?;
                m.insert(Key(k), v);
            }
            Ok(Value::collection(CollectionValue::Map(m)))
        });
    }
    if !pairs.is_empty() {
        return Box::new(move |_| {
            Err(RuntimeError::value_error(
                "a collection cannot mix key-value pairs and plain elements",
            )
            .at_line(line))
        });
    }
    let items = compile_all(args);
    Box::new(move |it| {
        let items = eval_all(it, &items)?;
        Ok(Value::collection(CollectionValue::List(items)))
    })
}

fn task(kind: &TaskKind, params: &[(Box<str>, Expr)], line: u32) -> ExprFn {
    let kind = kind.clone();
    let params: Box<[(Box<str>, ExprFn)]> = params
        .iter()
        .map(|(k, v)| (k.clone(), compile(v)))
        .collect();
    Box::new(move |it| {
        let mut evaluated = Vec::with_capacity(params.len());
        for (k, v) in params.iter() {
            evaluated.push((k.as_ref(), v(it)?));
        }
        let r = tasks::run_task(it, &kind, &evaluated).map_err(|e| e.at_line(line));
        it.check_clock()?;
        r
    })
}

/// A compiled operand of a hot method: a variable or constant read without an indirect
/// call, or whole-number arithmetic over them (`m.put(v % 100, total)`), computed in place
/// with the general closure as its fallback.
pub(super) enum Leaf {
    Var(u32, u32),
    Const(Const),
    Int(int::IntArg, ExprFn),
}

impl Leaf {
    pub(super) fn of(e: &Expr) -> Option<Leaf> {
        match e {
            Expr::Var { slot, line } => Some(Leaf::Var(*slot, *line)),
            Expr::Const(c) => Some(Leaf::Const(c.clone())),
            _ => Some(Leaf::Int(int::int_arg(e)?, general(e))),
        }
    }

    /// The NUMBER this operand holds, if it holds one (read in place).
    #[inline(always)]
    pub(super) fn number(&self, vars: &[Option<Value>]) -> Option<i64> {
        match self {
            Leaf::Var(slot, _) => match vars.get(*slot as usize) {
                Some(Some(Value::Number(n))) => Some(*n),
                _ => None,
            },
            Leaf::Const(Const::Number(n)) => Some(*n),
            Leaf::Const(_) => None,
            Leaf::Int(a, _) => a.get(vars),
        }
    }

    #[inline(always)]
    pub(super) fn get(&self, it: &mut Interp<'_>) -> R<Value> {
        match self {
            Leaf::Var(slot, line) => match it.vars.get(*slot as usize) {
                Some(Some(Value::Number(n))) => Ok(Value::Number(*n)),
                Some(Some(v)) => Ok(v.clone()),
                _ => it.read(*slot, *line),
            },
            Leaf::Const(Const::Number(n)) => Ok(Value::Number(*n)),
            Leaf::Const(c) => Ok(c.to_value()),
            Leaf::Int(a, general) => match a.get(&it.vars) {
                Some(n) => Ok(Value::Number(n)),
                None => general(it),
            },
        }
    }
}
