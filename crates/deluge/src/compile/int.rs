//! Whole-number fast paths: pure arithmetic over variables and NUMBER constants, compiled
//! to closures over `i64` that read the frame without cloning anything.
//!
//! A fast path answers `None` whenever the general path must decide (an operand that is
//! not a NUMBER, an undefined variable, overflow, division by zero); the caller then runs
//! the general closure. The trees read variables and nothing else, so running the general
//! closure after a failed fast path has the same effects and errors as running it alone.

use crate::ast::{BinOp, Const, Expr, UnOp};
use crate::value::Value;

type Vars = [Option<Value>];

/// A compiled whole-number expression.
pub(super) type IntFn = Box<dyn Fn(&Vars) -> Option<i64> + Send + Sync>;

/// A compiled whole-number comparison.
pub(super) type CmpFn = Box<dyn Fn(&Vars) -> Option<bool> + Send + Sync>;

/// An operand of a fast path: leaves are read in place, inner nodes are called.
pub(super) enum IntArg {
    Slot(usize),
    Const(i64),
    Node(IntFn),
}

impl IntArg {
    #[inline(always)]
    pub(super) fn get(&self, vars: &Vars) -> Option<i64> {
        match self {
            IntArg::Slot(s) => number(vars, *s),
            IntArg::Const(n) => Some(*n),
            IntArg::Node(f) => f(vars),
        }
    }
}

/// The NUMBER in slot `s`, if it holds one.
#[inline(always)]
pub(super) fn number(vars: &Vars, s: usize) -> Option<i64> {
    match vars.get(s) {
        Some(Some(Value::Number(n))) => Some(*n),
        _ => None,
    }
}

pub(super) fn is_arith(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
    )
}

/// The arithmetic operators on two NUMBERs, as the general path computes them when it
/// succeeds.
#[inline(always)]
pub(super) fn arith(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div => x.checked_div(y),
        BinOp::Mod => x.checked_rem(y),
        _ => None,
    }
}

/// The comparison operators on two NUMBERs.
#[inline(always)]
fn compare(op: BinOp, x: i64, y: i64) -> Option<bool> {
    Some(match op {
        BinOp::Eq => x == y,
        BinOp::Ne => x != y,
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        _ => return None,
    })
}

/// Compiles `e` if it is a pure whole-number arithmetic tree.
pub(super) fn int_arg(e: &Expr) -> Option<IntArg> {
    Some(match e {
        Expr::Const(Const::Number(n)) => IntArg::Const(*n),
        Expr::Var { slot, .. } => IntArg::Slot(*slot as usize),
        Expr::Unary(UnOp::Neg, x, _) => {
            let x = int_arg(x)?;
            IntArg::Node(Box::new(move |v| x.get(v)?.checked_neg()))
        }
        Expr::Unary(UnOp::Plus, x, _) => int_arg(x)?,
        Expr::Binary(op, a, b, _) if is_arith(*op) => {
            IntArg::Node(binary(*op, int_arg(a)?, int_arg(b)?))
        }
        Expr::Chain(first, rest) if rest.iter().all(|(op, _, _)| is_arith(*op)) => {
            let first = int_arg(first)?;
            let rest = rest
                .iter()
                .map(|(op, e, _)| Some((*op, int_arg(e)?)))
                .collect::<Option<Vec<_>>>()?;
            IntArg::Node(Box::new(move |v| {
                let mut acc = first.get(v)?;
                for (op, x) in &rest {
                    acc = arith(*op, acc, x.get(v)?)?;
                }
                Some(acc)
            }))
        }
        _ => return None,
    })
}

/// One operator, specialised on the shapes of its operands that hot loops use.
fn binary(op: BinOp, a: IntArg, b: IntArg) -> IntFn {
    match (a, b) {
        (IntArg::Slot(x), IntArg::Const(c)) => Box::new(move |v| arith(op, number(v, x)?, c)),
        (IntArg::Slot(x), IntArg::Slot(y)) => {
            Box::new(move |v| arith(op, number(v, x)?, number(v, y)?))
        }
        (IntArg::Node(f), IntArg::Const(c)) => Box::new(move |v| arith(op, f(v)?, c)),
        (IntArg::Node(f), IntArg::Slot(y)) => Box::new(move |v| arith(op, f(v)?, number(v, y)?)),
        (IntArg::Slot(x), IntArg::Node(g)) => Box::new(move |v| arith(op, number(v, x)?, g(v)?)),
        (a, b) => Box::new(move |v| arith(op, a.get(v)?, b.get(v)?)),
    }
}

/// Compiles `e` if it is an arithmetic tree with at least one operator (a bare variable or
/// constant gains nothing from a fast path).
pub(super) fn int_expr(e: &Expr) -> Option<IntFn> {
    match int_arg(e)? {
        IntArg::Node(f) => Some(f),
        _ => None,
    }
}

/// Compiles `e` if it compares two whole-number arithmetic trees.
pub(super) fn int_compare(e: &Expr) -> Option<CmpFn> {
    let Expr::Binary(op, a, b, _) = e else {
        return None;
    };
    let op = *op;
    compare(op, 0, 0)?;
    Some(match (int_arg(a)?, int_arg(b)?) {
        (IntArg::Slot(x), IntArg::Const(c)) => Box::new(move |v| compare(op, number(v, x)?, c)),
        (IntArg::Node(f), IntArg::Const(c)) => Box::new(move |v| compare(op, f(v)?, c)),
        (a, b) => Box::new(move |v| compare(op, a.get(v)?, b.get(v)?)),
    })
}
