//! Compiler from the resolved syntax tree to a tree of closures, built once per program.
//!
//! Each statement and expression becomes a boxed closure over the run-time state
//! ([`Interp`]), so a run does no syntax-tree matching. Pure whole-number arithmetic over
//! variables and constants is compiled a second time to closures over plain `i64`s
//! ([`int`]), with the general closure as the fallback for every other case (texts,
//! decimals, overflow, errors), so the results and errors are those of the general path.

mod expr;
mod int;
mod method;
mod stmt;

use crate::error::RuntimeError;
use crate::interp::{Interp, R};
use crate::value::Value;

pub(crate) use stmt::compile_block;

/// A compiled expression.
pub(crate) type ExprFn = Box<dyn Fn(&mut Interp<'_>) -> R<Value> + Send + Sync>;

/// A compiled statement.
pub(crate) type StmtFn = Box<dyn Fn(&mut Interp<'_>) -> R<Flow> + Send + Sync>;

/// Control flow out of a statement; the value of `return` is left in
/// [`Interp::returned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return,
}

/// A compiled block of statements.
pub(crate) struct Block(Box<[StmtFn]>);

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Block({} statements)", self.0.len())
    }
}

impl Block {
    /// Runs the statements in order until one leaves the block.
    #[inline]
    pub(crate) fn run(&self, it: &mut Interp<'_>) -> R<Flow> {
        for s in self.0.iter() {
            let flow = s(it)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }
}

/// The BOOLEAN a condition must produce.
fn truth(v: Value, line: u32) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(RuntimeError::type_error(format!(
            "a condition must be BOOLEAN, got {}",
            other.type_name()
        ))
        .at_line(line)),
    }
}
