//! Whole-number fast paths: pure arithmetic over variables and NUMBER constants, compiled
//! to closures over `i64` that read the frame without cloning anything.
//!
//! A fast path answers `None` whenever the general path must decide (an operand that is
//! not a NUMBER, an undefined variable, overflow, division by zero); the caller then runs
//! the general closure. The trees read variables and nothing else, so running the general
//! closure after a failed fast path has the same effects and errors as running it alone.

use crate::ast::{BinOp, Const, Expr, UnOp};
use crate::value::Value;

use super::StmtFn;

type Vars = [Option<Value>];

/// A compiled whole-number expression.
pub(super) type IntFn = Box<dyn Fn(&Vars) -> Option<i64> + Send + Sync>;

/// A compiled whole-number comparison.
pub(super) type CmpFn = Box<dyn Fn(&Vars) -> Option<bool> + Send + Sync>;

/// An operand of a fast path: leaves are read in place, inner nodes are called.
pub(super) enum IntArg {
    Slot(usize),
    Const(i64),
    /// `variable op constant`, computed in place rather than through a call.
    SlotConst(BinOp, usize, i64),
    /// `variable op constant op constant` (`v * 3 % 7`), likewise.
    SlotConst2(BinOp, usize, i64, BinOp, i64),
    Node(IntFn),
}

impl IntArg {
    #[inline(always)]
    pub(super) fn get(&self, vars: &Vars) -> Option<i64> {
        match self {
            IntArg::Slot(s) => number(vars, *s),
            IntArg::Const(n) => Some(*n),
            IntArg::SlotConst(op, s, c) => arith(*op, number(vars, *s)?, *c),
            IntArg::SlotConst2(op, s, c, op2, d) => {
                arith(*op2, arith(*op, number(vars, *s)?, *c)?, *d)
            }
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

/// Whether `e` has the shape `int_arg` compiles (checked first, without allocating, so a
/// tree that fails near the top does not build and drop closures for its subtrees).
fn int_shape(e: &Expr) -> bool {
    match e {
        Expr::Const(Const::Number(_)) | Expr::Var { .. } => true,
        Expr::Unary(UnOp::Neg | UnOp::Plus, x, _) => int_shape(x),
        Expr::Binary(op, a, b, _) => is_arith(*op) && int_shape(a) && int_shape(b),
        Expr::Chain(first, rest) => {
            int_shape(first) && rest.iter().all(|(op, e, _)| is_arith(*op) && int_shape(e))
        }
        _ => false,
    }
}

/// Compiles `e` if it is a pure whole-number arithmetic tree. A chain `a op b op c` is
/// the left-nested tree `(a op b) op c`, which it equals on whole numbers.
pub(super) fn int_arg(e: &Expr) -> Option<IntArg> {
    if !int_shape(e) {
        return None;
    }
    build_int_arg(e)
}

fn build_int_arg(e: &Expr) -> Option<IntArg> {
    Some(match e {
        Expr::Const(Const::Number(n)) => IntArg::Const(*n),
        Expr::Var { slot, .. } => IntArg::Slot(*slot as usize),
        Expr::Unary(UnOp::Neg, x, _) => {
            let x = build_int_arg(x)?;
            IntArg::Node(Box::new(move |v| x.get(v)?.checked_neg()))
        }
        Expr::Unary(UnOp::Plus, x, _) => build_int_arg(x)?,
        Expr::Binary(op, a, b, _) if is_arith(*op) => {
            node(*op, build_int_arg(a)?, build_int_arg(b)?)
        }
        Expr::Chain(first, rest) if rest.iter().all(|(op, _, _)| is_arith(*op)) => {
            let mut acc = build_int_arg(first)?;
            for (op, e, _) in rest {
                acc = node(*op, acc, build_int_arg(e)?);
            }
            acc
        }
        _ => return None,
    })
}

/// Expands `$body` once per arithmetic operator with `$f` bound to that operator's
/// function, so each compiled node calls its operator directly.
macro_rules! per_arith_op {
    ($op:expr, $f:ident => $body:expr) => {
        match $op {
            BinOp::Add => {
                let $f = |x: i64, y: i64| x.checked_add(y);
                $body
            }
            BinOp::Sub => {
                let $f = |x: i64, y: i64| x.checked_sub(y);
                $body
            }
            BinOp::Mul => {
                let $f = |x: i64, y: i64| x.checked_mul(y);
                $body
            }
            BinOp::Div => {
                let $f = |x: i64, y: i64| x.checked_div(y);
                $body
            }
            BinOp::Mod => {
                let $f = |x: i64, y: i64| x.checked_rem(y);
                $body
            }
            _ => {
                let $f = |_: i64, _: i64| None::<i64>;
                $body
            }
        }
    };
}

/// Likewise for the comparison operators.
macro_rules! per_compare_op {
    ($op:expr, $f:ident => $body:expr) => {
        match $op {
            BinOp::Eq => {
                let $f = |x: i64, y: i64| x == y;
                $body
            }
            BinOp::Ne => {
                let $f = |x: i64, y: i64| x != y;
                $body
            }
            BinOp::Lt => {
                let $f = |x: i64, y: i64| x < y;
                $body
            }
            BinOp::Le => {
                let $f = |x: i64, y: i64| x <= y;
                $body
            }
            BinOp::Gt => {
                let $f = |x: i64, y: i64| x > y;
                $body
            }
            BinOp::Ge => {
                let $f = |x: i64, y: i64| x >= y;
                $body
            }
            _ => return None,
        }
    };
}

/// One operator: `variable op constant` (and one more constant) in place, anything else as
/// a compiled node.
fn node(op: BinOp, a: IntArg, b: IntArg) -> IntArg {
    match (a, b) {
        (IntArg::Slot(s), IntArg::Const(c)) => IntArg::SlotConst(op, s, c),
        (IntArg::SlotConst(o, s, c), IntArg::Const(d)) => IntArg::SlotConst2(o, s, c, op, d),
        (a, b) => IntArg::Node(binary(op, a, b)),
    }
}

/// One operator, specialised on the shapes of its operands that hot loops use.
fn binary(op: BinOp, a: IntArg, b: IntArg) -> IntFn {
    per_arith_op!(op, f => match (a, b) {
        (IntArg::Slot(x), IntArg::Const(c)) => Box::new(move |v| f(number(v, x)?, c)),
        (IntArg::Slot(x), IntArg::Slot(y)) => Box::new(move |v| f(number(v, x)?, number(v, y)?)),
        (IntArg::Node(g), IntArg::Const(c)) => Box::new(move |v| f(g(v)?, c)),
        (IntArg::Node(g), IntArg::Slot(y)) => Box::new(move |v| f(g(v)?, number(v, y)?)),
        (IntArg::Slot(x), IntArg::Node(h)) => Box::new(move |v| f(number(v, x)?, h(v)?)),
        (IntArg::SlotConst(o, x, d), IntArg::Const(c)) => {
            Box::new(move |v| f(arith(o, number(v, x)?, d)?, c))
        }
        (IntArg::SlotConst(o, x, d), IntArg::Slot(y)) => {
            Box::new(move |v| f(arith(o, number(v, x)?, d)?, number(v, y)?))
        }
        (IntArg::Slot(x), IntArg::SlotConst(o, y, d)) => {
            Box::new(move |v| f(number(v, x)?, arith(o, number(v, y)?, d)?))
        }
        (IntArg::Slot(x), IntArg::SlotConst2(o, y, d, o2, e)) => {
            Box::new(move |v| f(number(v, x)?, arith(o2, arith(o, number(v, y)?, d)?, e)?))
        }
        (IntArg::SlotConst2(o, x, d, o2, e), IntArg::Slot(y)) => {
            Box::new(move |v| f(arith(o2, arith(o, number(v, x)?, d)?, e)?, number(v, y)?))
        }
        (a, b) => Box::new(move |v| f(a.get(v)?, b.get(v)?)),
    })
}

/// Makes the statement of a compiled whole-number assignment. The assignment (which
/// computes and stores, or gives `None`, nothing stored, where the general path must decide)
/// is handed over as its own closure type, so the statement calls it directly rather than
/// through a second boxed call.
pub(super) trait AssignStmt {
    fn wrap<F>(self, f: F) -> StmtFn
    where
        F: Fn(&mut Vars) -> Option<()> + Send + Sync + 'static;
}

/// Stores a NUMBER in slot `s`, reusing the slot when it already holds one.
#[inline(always)]
pub(super) fn store(vars: &mut Vars, s: usize, n: i64) -> Option<()> {
    if let Some(cell) = vars.get_mut(s) {
        match cell {
            Some(Value::Number(x)) => *x = n,
            _ => *cell = Some(Value::Number(n)),
        }
    }
    Some(())
}

/// The top operator of a whole-number arithmetic tree and its two operands compiled (a
/// chain `a op b op c` is `(a op b) op c`).
fn top(e: &Expr) -> Option<(BinOp, IntArg, IntArg)> {
    if !int_shape(e) {
        return None;
    }
    match e {
        Expr::Binary(op, a, b, _) if is_arith(*op) => {
            Some((*op, build_int_arg(a)?, build_int_arg(b)?))
        }
        Expr::Chain(first, rest) => {
            let ((last_op, last, _), init) = rest.split_last()?;
            let mut acc = build_int_arg(first)?;
            for (op, e, _) in init {
                acc = node(*op, acc, build_int_arg(e)?);
            }
            Some((*last_op, acc, build_int_arg(last)?))
        }
        _ => None,
    }
}

/// Whether `int_assign` compiles `e` (checked first, so the general closure the statement
/// falls back to is only built when it will be used).
pub(super) fn assign_shape(e: &Expr) -> bool {
    int_shape(e)
        && match e {
            Expr::Binary(op, _, _, _) => is_arith(*op),
            Expr::Chain(_, rest) => !rest.is_empty(),
            _ => false,
        }
}

/// Compiles `slot = e` when `e` is whole-number arithmetic with at least one operator: the
/// top operator computes and stores in place, so the statement makes one call, not two.
pub(super) fn int_assign(e: &Expr, slot: usize, stmt: impl AssignStmt) -> Option<StmtFn> {
    let (op, a, b) = top(e)?;
    let s = slot;
    per_arith_op!(op, f => Some(match (a, b) {
        (IntArg::Slot(x), IntArg::Const(c)) => stmt.wrap(move |v| store(v, s, f(number(v, x)?, c)?)),
        (IntArg::Slot(x), IntArg::Slot(y)) => {
            stmt.wrap(move |v| store(v, s, f(number(v, x)?, number(v, y)?)?))
        }
        (IntArg::Node(g), IntArg::Const(c)) => stmt.wrap(move |v| store(v, s, f(g(v)?, c)?)),
        (IntArg::Node(g), IntArg::Slot(y)) => {
            stmt.wrap(move |v| store(v, s, f(g(v)?, number(v, y)?)?))
        }
        (IntArg::Slot(x), IntArg::Node(h)) => {
            stmt.wrap(move |v| store(v, s, f(number(v, x)?, h(v)?)?))
        }
        (IntArg::SlotConst(o, x, d), IntArg::Slot(y)) => {
            stmt.wrap(move |v| store(v, s, f(arith(o, number(v, x)?, d)?, number(v, y)?)?))
        }
        (IntArg::Slot(x), IntArg::SlotConst(o, y, d)) => {
            stmt.wrap(move |v| store(v, s, f(number(v, x)?, arith(o, number(v, y)?, d)?)?))
        }
        (IntArg::Slot(x), IntArg::SlotConst2(o, y, d, o2, e)) => stmt.wrap(move |v| {
            store(v, s, f(number(v, x)?, arith(o2, arith(o, number(v, y)?, d)?, e)?)?)
        }),
        (a, b) => stmt.wrap(move |v| store(v, s, f(a.get(v)?, b.get(v)?)?)),
    }))
}

/// Compiles `e` if it is an arithmetic tree with at least one operator (a bare variable or
/// constant gains nothing from a fast path).
pub(super) fn int_expr(e: &Expr) -> Option<IntFn> {
    match int_arg(e)? {
        IntArg::Node(f) => Some(f),
        IntArg::SlotConst(op, s, c) => Some(Box::new(move |v| arith(op, number(v, s)?, c))),
        IntArg::SlotConst2(op, s, c, op2, d) => Some(Box::new(move |v| {
            arith(op2, arith(op, number(v, s)?, c)?, d)
        })),
        IntArg::Slot(_) | IntArg::Const(_) => None,
    }
}

/// Compiles `e` if it compares two whole-number arithmetic trees.
pub(super) fn int_compare(e: &Expr) -> Option<CmpFn> {
    let Expr::Binary(op, a, b, _) = e else {
        return None;
    };
    let (a, b) = (int_arg(a)?, int_arg(b)?);
    per_compare_op!(*op, f => Some(match (a, b) {
        (IntArg::Slot(x), IntArg::Const(c)) => Box::new(move |v| Some(f(number(v, x)?, c))),
        (IntArg::Node(g), IntArg::Const(c)) => Box::new(move |v| Some(f(g(v)?, c))),
        (a, b) => Box::new(move |v| Some(f(a.get(v)?, b.get(v)?))),
    }))
}
