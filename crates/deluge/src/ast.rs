//! The resolved syntax tree. Variables are slot numbers, names are lower-cased at parse
//! time, and literals are thread-safe constants, so a parsed program is `Send + Sync`.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::value::{ElemType, Value};

/// Index of a variable in a run's frame.
pub type Slot = u32;

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Number(i64),
    Decimal(Decimal),
    Text(Arc<str>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Const {
    pub fn to_value(&self) -> Value {
        match self {
            Const::Null => Value::Null,
            Const::Bool(b) => Value::Bool(*b),
            Const::Number(n) => Value::Number(*n),
            Const::Decimal(d) => Value::Decimal(*d),
            Const::Text(t) => Value::Text(t.clone()),
            Const::Date(d) => Value::Date(*d),
            Const::DateTime(d) => Value::DateTime(*d),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Methods the evaluator runs directly instead of through the name-based built-in
/// dispatch, because they dominate hot loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastMethod {
    None,
    Get,
    Put,
    Add,
    Size,
}

impl FastMethod {
    pub fn from_name(lower: &str) -> Self {
        match lower {
            "get" => FastMethod::Get,
            "put" => FastMethod::Put,
            "add" => FastMethod::Add,
            "size" => FastMethod::Size,
            _ => FastMethod::None,
        }
    }
}

/// Which bracketed task (`name [ key: value ... ]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskKind {
    InvokeUrl,
    SendMail,
    Other(Box<str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Const),
    Var {
        slot: Slot,
        line: u32,
    },
    Unary(UnOp, Box<Expr>, u32),
    Binary(BinOp, Box<Expr>, Box<Expr>, u32),
    /// A left-associative chain `a op b op c ...`, evaluated iteratively so long
    /// concatenations do not nest (and cannot overflow the stack).
    Chain(Box<Expr>, Vec<(BinOp, Expr, u32)>),
    And(Box<Expr>, Box<Expr>, u32),
    Or(Box<Expr>, Box<Expr>, u32),
    /// `name(args)`; `name` lower-cased, dotted for `zoho.*` calls (shared: the parser keeps
    /// one copy of each name).
    Call {
        name: Arc<str>,
        args: Vec<Expr>,
        line: u32,
    },
    /// `recv.name(args)`; `name` lower-cased (shared, as for calls).
    Method {
        recv: Box<Expr>,
        name: Arc<str>,
        fast: FastMethod,
        args: Vec<Expr>,
        line: u32,
    },
    /// `key : value` inside a call's arguments (collection functions); a one-entry map.
    Pair(Box<Expr>, Box<Expr>),
    ListLit(Vec<Expr>),
    /// A list literal whose elements are all literals (`{1, 2, 3}`), shared rather than
    /// copied when compiled.
    ConstList(Arc<[Const]>),
    MapLit(Vec<(Expr, Expr)>),
    /// `if(cond, a, b)`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>, u32),
    /// `ifnull(a, b)`.
    IfNull(Box<Expr>, Box<Expr>),
    NewList(Option<ElemType>, Vec<Expr>),
    NewMap(Option<Box<Expr>>, u32),
    NewCollection(Vec<Expr>, u32),
    /// `zoho.name` system variable (name lower-cased, without `zoho.`).
    Zoho {
        name: Box<str>,
        line: u32,
    },
    Task {
        kind: TaskKind,
        params: Vec<(Box<str>, Expr)>,
        line: u32,
    },
    /// A statement of another Zoho product (Creator's `insert into`, fetch, `alert`, ...):
    /// it parses, so a script can be checked, and fails when run, naming `what`.
    Unsupported {
        what: Box<str>,
        line: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign {
        slot: Slot,
        op: Option<BinOp>,
        value: Expr,
        line: u32,
    },
    Expr(Expr, u32),
    Info(Expr, u32),
    Return(Option<Expr>, u32),
    Break(u32),
    Continue(u32),
    If {
        branches: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Option<Vec<Stmt>>,
        line: u32,
    },
    ForEach {
        slot: Slot,
        index: bool,
        iter: Expr,
        body: Vec<Stmt>,
        line: u32,
    },
    Try {
        body: Vec<Stmt>,
        slot: Slot,
        catch: Vec<Stmt>,
        line: u32,
    },
}
