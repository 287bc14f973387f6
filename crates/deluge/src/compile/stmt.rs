//! Statements: each one counts itself ([`Interp::tick`]) and then runs its compiled parts.

use crate::ast::{BinOp, Expr, Slot, Stmt};
use crate::error::{LimitKind, RuntimeError};
use crate::interp::{Interp, R};
use crate::value::{CollectionValue, Value};

use super::expr::compile;
use super::int::{self, CmpFn, IntFn};
use super::{Block, ExprFn, Flow, StmtFn, truth};

/// Compiles a block of statements.
pub(crate) fn compile_block(stmts: &[Stmt]) -> Block {
    Block(stmts.iter().map(statement).collect())
}

fn statement(s: &Stmt) -> StmtFn {
    match s {
        Stmt::Assign {
            slot,
            op: None,
            value,
            line,
        } => assign(*slot, value, *line),
        Stmt::Assign {
            slot,
            op: Some(op),
            value,
            line,
        } => compound(*slot, *op, value, *line),
        Stmt::Expr(e, line) => {
            if let Some(put) = super::method::put_statement(e, *line) {
                return put;
            }
            let (e, line) = (compile(e), *line);
            Box::new(move |it| {
                it.tick(line)?;
                e(it)?;
                Ok(Flow::Normal)
            })
        }
        Stmt::Info(e, line) => {
            let (e, line) = (compile(e), *line);
            Box::new(move |it| {
                it.tick(line)?;
                let v = e(it)?;
                info(it, &v, line)?;
                Ok(Flow::Normal)
            })
        }
        Stmt::Return(e, line) => {
            let (e, line) = (e.as_ref().map(compile), *line);
            Box::new(move |it| {
                it.tick(line)?;
                let v = match &e {
                    Some(e) => e(it)?,
                    None => Value::Null,
                };
                it.returned = Some(v);
                Ok(Flow::Return)
            })
        }
        Stmt::Break(line) => {
            let line = *line;
            Box::new(move |it| {
                it.tick(line)?;
                Ok(Flow::Break)
            })
        }
        Stmt::Continue(line) => {
            let line = *line;
            Box::new(move |it| {
                it.tick(line)?;
                Ok(Flow::Continue)
            })
        }
        Stmt::If {
            branches,
            otherwise,
            line,
        } => if_else(branches, otherwise.as_deref(), *line),
        Stmt::ForEach {
            slot,
            index,
            iter,
            body,
            line,
        } => {
            let (slot, index, iter, body, line) =
                (*slot, *index, compile(iter), compile_block(body), *line);
            Box::new(move |it| for_each(it, slot, index, &iter, &body, line))
        }
        Stmt::Try {
            body,
            slot,
            catch,
            line,
        } => {
            let (body, slot, catch, line) =
                (compile_block(body), *slot, compile_block(catch), *line);
            Box::new(move |it| {
                it.tick(line)?;
                match body.run(it) {
                    Ok(flow) => Ok(flow),
                    Err(e) if e.is_catchable() => {
                        it.set(slot, Value::text(e.to_string()));
                        catch.run(it)
                    }
                    Err(e) => Err(e),
                }
            })
        }
    }
}

/// Stores a NUMBER in a slot, reusing the slot when it already holds one.
#[inline(always)]
fn store_number(it: &mut Interp<'_>, slot: usize, n: i64) {
    if let Some(cell) = it.vars.get_mut(slot) {
        match cell {
            Some(Value::Number(x)) => *x = n,
            _ => *cell = Some(Value::Number(n)),
        }
    }
}

/// The general path of an assignment whose whole-number path did not apply (texts,
/// decimals, overflow, errors): out of line and cold, so that the statement around the
/// whole-number path saves fewer registers.
#[cold]
#[inline(never)]
fn assign_general(it: &mut Interp<'_>, general: &ExprFn, slot: Slot) -> R<Flow> {
    let v = general(it)?;
    it.set(slot, v);
    Ok(Flow::Normal)
}

fn assign(slot: Slot, value: &Expr, line: u32) -> StmtFn {
    /// The statement around a whole-number assignment: the general closure when it answers
    /// `None`.
    struct IntAssign {
        general: ExprFn,
        slot: Slot,
        line: u32,
    }
    impl int::AssignStmt for IntAssign {
        fn wrap<F>(self, f: F) -> StmtFn
        where
            F: Fn(&mut [Option<Value>]) -> Option<()> + Send + Sync + 'static,
        {
            let IntAssign {
                general,
                slot,
                line,
            } = self;
            Box::new(move |it| {
                it.tick(line)?;
                if f(&mut it.vars).is_none() {
                    return assign_general(it, &general, slot);
                }
                Ok(Flow::Normal)
            })
        }
    }
    if int::assign_shape(value) {
        let stmt = IntAssign {
            general: super::expr::general(value),
            slot,
            line,
        };
        if let Some(f) = int::int_assign(value, slot as usize, stmt) {
            return f;
        }
    }
    if let Some(f) = int::int_expr(value) {
        let general = super::expr::general(value);
        let slot = slot as usize;
        return Box::new(move |it| {
            it.tick(line)?;
            match f(&it.vars) {
                Some(n) => store_number(it, slot, n),
                None => {
                    let v = general(it)?;
                    it.set(slot as Slot, v);
                }
            }
            Ok(Flow::Normal)
        });
    }
    let general = compile(value);
    Box::new(move |it| {
        it.tick(line)?;
        let v = general(it)?;
        it.set(slot, v);
        Ok(Flow::Normal)
    })
}

/// `x op= value`: the value first, then the variable, as the general path does.
fn compound(slot: Slot, op: BinOp, value: &Expr, line: u32) -> StmtFn {
    let general = compile(value);
    let fast: Option<IntFn> = int::int_arg(value).map(|a| -> IntFn {
        let s = slot as usize;
        Box::new(move |v| int::arith(op, int::number(v, s)?, a.get(v)?))
    });
    Box::new(move |it| {
        it.tick(line)?;
        if let Some(f) = &fast
            && let Some(n) = f(&it.vars)
        {
            store_number(it, slot as usize, n);
            return Ok(Flow::Normal);
        }
        let v = general(it)?;
        let cur = it.read(slot, line)?;
        let r = super::expr::apply(it, op, &cur, &v, line)?;
        it.set(slot, r);
        Ok(Flow::Normal)
    })
}

/// Appends `info` output, enforcing the output limit.
fn info(it: &mut Interp<'_>, v: &Value, line: u32) -> R<()> {
    let text = v.to_text();
    it.info_bytes += text.len() + 1;
    if it.info_bytes > it.limits.max_info_bytes {
        return Err(RuntimeError::limit(
            LimitKind::InfoOutput,
            format!("info output over {} bytes", it.limits.max_info_bytes),
        )
        .at_line(line));
    }
    it.host.info(&text);
    it.info.push(text);
    Ok(())
}

/// A compiled condition: a whole-number comparison when it is one, else the general
/// expression, which must produce a BOOLEAN.
struct Cond {
    fast: Option<CmpFn>,
    general: ExprFn,
}

impl Cond {
    fn new(e: &Expr) -> Cond {
        match int::int_compare(e) {
            Some(fast) => Cond {
                fast: Some(fast),
                general: super::expr::general(e),
            },
            None => Cond {
                fast: None,
                general: compile(e),
            },
        }
    }

    #[inline(always)]
    fn test(&self, it: &mut Interp<'_>, line: u32) -> R<bool> {
        if let Some(f) = &self.fast
            && let Some(b) = f(&it.vars)
        {
            return Ok(b);
        }
        truth((self.general)(it)?, line)
    }
}

fn if_else(branches: &[(Expr, Vec<Stmt>)], otherwise: Option<&[Stmt]>, line: u32) -> StmtFn {
    let branches: Box<[(Cond, Block)]> = branches
        .iter()
        .map(|(c, body)| (Cond::new(c), compile_block(body)))
        .collect();
    let otherwise = otherwise.map(compile_block);
    Box::new(move |it| {
        it.tick(line)?;
        for (cond, body) in branches.iter() {
            if cond.test(it, line)? {
                return body.run(it);
            }
        }
        match &otherwise {
            Some(body) => body.run(it),
            None => Ok(Flow::Normal),
        }
    })
}

/// `for each`: lists and list collections are walked live by index (no copy), so the body
/// may grow them; maps iterate over a snapshot of their keys, texts over their
/// comma-separated parts. Each iteration counts as one statement.
fn for_each(
    it: &mut Interp<'_>,
    slot: Slot,
    index: bool,
    iter: &ExprFn,
    body: &Block,
    line: u32,
) -> R<Flow> {
    let seq = iter(it)?;
    let snapshot: Option<Vec<Value>> = match &seq {
        Value::List(_) => None,
        Value::Collection(c) => match &*c.borrow() {
            CollectionValue::Map(m) => Some(m.values().cloned().collect()),
            _ => None,
        },
        Value::Map(m) => Some(m.borrow().entries.keys().map(|k| k.0.clone()).collect()),
        Value::Text(t) => Some(if t.is_empty() {
            Vec::new()
        } else {
            t.split(',').map(Value::text).collect()
        }),
        other => {
            return Err(RuntimeError::type_error(format!(
                "for each needs a LIST, KEY-VALUE, COLLECTION or TEXT, got {}",
                other.type_name()
            ))
            .at_line(line));
        }
    };
    let slot = slot as usize;
    // A list is walked live by index with its element read in place (the borrow ends
    // before the body runs, which may grow the list): one loop without the other cases.
    if let (None, Value::List(l)) = (&snapshot, &seq) {
        let mut i = 0usize;
        loop {
            let next = match l.borrow().items.get(i) {
                None => break,
                Some(Value::Number(n)) => Next::Number(*n),
                Some(v) => Next::Value(v.clone()),
            };
            match step(it, slot, index, i, next, body, line)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                Flow::Return => return Ok(Flow::Return),
            }
            i += 1;
        }
        return Ok(Flow::Normal);
    }
    let mut i = 0usize;
    loop {
        let next = match &snapshot {
            Some(items) => items.get(i).cloned().map_or(Next::End, Next::Value),
            None => match &seq {
                Value::Collection(c) => match &*c.borrow() {
                    CollectionValue::List(items) => {
                        items.get(i).cloned().map_or(Next::End, Next::Value)
                    }
                    _ => Next::End,
                },
                _ => Next::End,
            },
        };
        if let Next::End = next {
            break;
        }
        match step(it, slot, index, i, next, body, line)? {
            Flow::Normal | Flow::Continue => {}
            Flow::Break => break,
            Flow::Return => return Ok(Flow::Return),
        }
        i += 1;
    }
    Ok(Flow::Normal)
}

/// One iteration of a `for each`: counts it as a statement, binds the element (or its
/// index `i`) and runs the body, giving the body's flow.
#[inline(always)]
fn step(
    it: &mut Interp<'_>,
    slot: usize,
    index: bool,
    i: usize,
    next: Next,
    body: &Block,
    line: u32,
) -> R<Flow> {
    it.tick(line)?;
    match next {
        _ if index => store_number(it, slot, i64::try_from(i).unwrap_or(i64::MAX)),
        Next::Number(n) => store_number(it, slot, n),
        Next::Value(v) => it.set(slot as Slot, v),
        Next::End => {}
    }
    body.run(it)
}

/// The next element of a `for each`: whole numbers are read in place.
enum Next {
    End,
    Number(i64),
    Value(Value),
}
