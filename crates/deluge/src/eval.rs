//! Evaluator: runs a resolved program over a frame of slots, enforcing the limits.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::ast::{BinOp, Const, Expr, FastMethod, Slot, Stmt};
use crate::builtins::{self, CallCtx};
use crate::error::{ErrorKind, LimitKind, RuntimeError};
use crate::host::Host;
use crate::limits::Limits;
use crate::ops;
use crate::tasks;
use crate::value::{CollectionValue, Key, Value};

/// How often (in executed statements) the clock is checked.
const CHECK_EVERY: u64 = 256;

/// Bytes of new text and collection slots a run may create before live memory is
/// re-estimated. Walking every variable is costly, so it only happens after real growth.
const MEMORY_CHECK_AFTER: usize = 1 << 20;

/// Control flow out of a statement.
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

pub(crate) struct Interp<'a> {
    pub vars: Vec<Option<Value>>,
    pub names: &'a [String],
    pub host: &'a mut dyn Host,
    pub limits: &'a Limits,
    pub statements: u64,
    pub depth: u32,
    pub info: Vec<String>,
    pub info_bytes: usize,
    pub started: DateTime<Utc>,
    /// Approximate bytes created since the last memory estimate.
    pub grown: usize,
}

type R<T> = Result<T, RuntimeError>;

impl<'a> Interp<'a> {
    pub fn new(names: &'a [String], host: &'a mut dyn Host, limits: &'a Limits) -> Interp<'a> {
        let started = host.now();
        Interp {
            vars: vec![None; names.len()],
            names,
            host,
            limits,
            statements: 0,
            depth: 0,
            info: Vec::new(),
            info_bytes: 0,
            started,
            grown: 0,
        }
    }

    /// Counts one executed statement and enforces the statement, time and memory limits.
    #[inline]
    fn tick(&mut self, line: u32) -> R<()> {
        self.statements += 1;
        if self.statements > self.limits.max_statements {
            return Err(RuntimeError::limit(
                LimitKind::Statements,
                format!(
                    "more than {} statements executed",
                    self.limits.max_statements
                ),
            )
            .at_line(line));
        }
        if crate::work::exhausted() {
            return Err(RuntimeError::limit(
                LimitKind::Work,
                format!(
                    "more than {} units of work in built-in operations",
                    self.limits.max_work_units
                ),
            )
            .at_line(line));
        }
        if self.statements.is_multiple_of(CHECK_EVERY) {
            self.check_clock()?;
            if self.grown > MEMORY_CHECK_AFTER {
                self.grown = 0;
                self.check_memory()?;
            }
        }
        Ok(())
    }

    /// Fails once the wall-clock deadline has passed.
    pub fn check_clock(&mut self) -> R<()> {
        let elapsed = self.host.now() - self.started;
        if elapsed.num_milliseconds() > i64::try_from(self.limits.timeout_ms).unwrap_or(i64::MAX) {
            return Err(RuntimeError::limit(
                LimitKind::Timeout,
                format!("script ran longer than {} ms", self.limits.timeout_ms),
            ));
        }
        Ok(())
    }

    /// Estimates the memory reachable from variables; fails above the memory budget.
    fn check_memory(&self) -> R<()> {
        let mut seen = HashSet::new();
        let mut total = 0usize;
        let budget = self.limits.max_memory_bytes;
        for v in self.vars.iter().flatten() {
            total = total.saturating_add(estimate(v, &mut seen, budget.saturating_sub(total)));
            if total > budget {
                return Err(RuntimeError::limit(
                    LimitKind::Memory,
                    format!("script holds more than {budget} bytes of data"),
                ));
            }
        }
        Ok(())
    }

    fn ctx(&mut self) -> CallCtx<'_> {
        CallCtx {
            host: &mut *self.host,
            limits: self.limits,
        }
    }

    pub fn exec_block(&mut self, stmts: &[Stmt]) -> R<Flow> {
        for s in stmts {
            match self.exec(s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs one statement; assignments and expression statements inline, the rest in
    /// [`Interp::exec_other`] to keep this frame small.
    #[inline]
    fn exec(&mut self, stmt: &Stmt) -> R<Flow> {
        match stmt {
            Stmt::Assign {
                slot,
                op: None,
                value,
                line,
            } => {
                self.tick(*line)?;
                let v = self.eval(value)?;
                if let Some(cell) = self.vars.get_mut(*slot as usize) {
                    *cell = Some(v);
                }
                Ok(Flow::Normal)
            }
            Stmt::Expr(e, line) => {
                self.tick(*line)?;
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            other => self.exec_other(other),
        }
    }

    #[inline(never)]
    fn exec_other(&mut self, stmt: &Stmt) -> R<Flow> {
        match stmt {
            Stmt::Assign {
                slot,
                op,
                value,
                line,
            } => {
                self.tick(*line)?;
                let v = self.eval(value)?;
                let v = match op {
                    None => v,
                    Some(op) => {
                        let cur = self.read(*slot, *line)?;
                        if let (Value::Number(x), Value::Number(y)) = (&cur, &v)
                            && let Some(r) = ops::int_fast(*op, *x, *y)
                        {
                            r
                        } else {
                            let r = ops::binary(*op, &cur, &v, self.limits.max_text_length)
                                .map_err(|e| e.at_line(*line))?;
                            self.grew(&r);
                            r
                        }
                    }
                };
                if let Some(cell) = self.vars.get_mut(*slot as usize) {
                    *cell = Some(v);
                }
                Ok(Flow::Normal)
            }
            Stmt::Expr(e, line) => {
                self.tick(*line)?;
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            Stmt::Info(e, line) => {
                self.tick(*line)?;
                let v = self.eval(e)?;
                let text = v.to_text();
                self.info_bytes += text.len() + 1;
                if self.info_bytes > self.limits.max_info_bytes {
                    return Err(RuntimeError::limit(
                        LimitKind::InfoOutput,
                        format!("info output over {} bytes", self.limits.max_info_bytes),
                    )
                    .at_line(*line));
                }
                self.host.info(&text);
                self.info.push(text);
                Ok(Flow::Normal)
            }
            Stmt::Return(e, line) => {
                self.tick(*line)?;
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Null,
                };
                Ok(Flow::Return(v))
            }
            Stmt::Break(line) => {
                self.tick(*line)?;
                Ok(Flow::Break)
            }
            Stmt::Continue(line) => {
                self.tick(*line)?;
                Ok(Flow::Continue)
            }
            Stmt::If {
                branches,
                otherwise,
                line,
            } => {
                self.tick(*line)?;
                for (cond, body) in branches {
                    if self.condition(cond, *line)? {
                        return self.exec_block(body);
                    }
                }
                match otherwise {
                    Some(body) => self.exec_block(body),
                    None => Ok(Flow::Normal),
                }
            }
            Stmt::ForEach {
                slot,
                index,
                iter,
                body,
                line,
            } => self.for_each(*slot, *index, iter, body, *line),
            Stmt::Try {
                body,
                slot,
                catch,
                line,
            } => {
                self.tick(*line)?;
                match self.exec_block(body) {
                    Ok(flow) => Ok(flow),
                    Err(e) if e.is_catchable() => {
                        if let Some(cell) = self.vars.get_mut(*slot as usize) {
                            *cell = Some(Value::text(e.to_string()));
                        }
                        self.exec_block(catch)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    fn condition(&mut self, cond: &Expr, line: u32) -> R<bool> {
        match self.eval(cond)? {
            Value::Bool(b) => Ok(b),
            other => Err(RuntimeError::type_error(format!(
                "a condition must be BOOLEAN, got {}",
                other.type_name()
            ))
            .at_line(line)),
        }
    }

    fn set(&mut self, slot: Slot, v: Value) {
        if let Some(cell) = self.vars.get_mut(slot as usize) {
            *cell = Some(v);
        }
    }

    fn for_each(
        &mut self,
        slot: Slot,
        index: bool,
        iter: &Expr,
        body: &[Stmt],
        line: u32,
    ) -> R<Flow> {
        let seq = self.eval(iter)?;
        // Maps iterate over a snapshot of their keys, texts over their comma-separated
        // parts; lists and list collections are walked live by index (no copy).
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
        let mut i = 0usize;
        loop {
            let item = match &snapshot {
                Some(items) => items.get(i).cloned(),
                None => match &seq {
                    Value::List(l) => l.borrow().items.get(i).cloned(),
                    Value::Collection(c) => match &*c.borrow() {
                        CollectionValue::List(items) => items.get(i).cloned(),
                        _ => None,
                    },
                    _ => None,
                },
            };
            let Some(item) = item else { break };
            self.tick(line)?;
            let bound = if index {
                Value::Number(i64::try_from(i).unwrap_or(i64::MAX))
            } else {
                item
            };
            self.set(slot, bound);
            match self.exec_block(body)? {
                Flow::Normal | Flow::Continue => {}
                Flow::Break => break,
                ret @ Flow::Return(_) => return Ok(ret),
            }
            i += 1;
        }
        Ok(Flow::Normal)
    }

    fn read(&mut self, slot: Slot, line: u32) -> R<Value> {
        if let Some(Some(v)) = self.vars.get(slot as usize) {
            return Ok(v.clone());
        }
        let name = self.names.get(slot as usize).map_or("?", String::as_str);
        match name.to_ascii_lowercase().as_str() {
            "now" => Ok(Value::DateTime(self.ctx().now().naive_local())),
            "today" => Ok(Value::Date(self.ctx().now().date_naive())),
            _ => Err(RuntimeError::new(
                ErrorKind::UndefinedVariable,
                format!("variable '{name}' is not defined"),
            )
            .at_line(line)),
        }
    }

    /// Evaluates an expression. Kept small: the common node kinds are handled here or in
    /// small helpers, everything else in [`Interp::eval_other`], so the recursive hot path
    /// has a small stack frame.
    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Const(c) => Ok(c.to_value()),
            Expr::Var { slot, line } => match self.vars.get(*slot as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => self.read(*slot, *line),
            },
            Expr::Binary(op, a, b, line) => self.eval_binary(*op, a, b, *line),
            Expr::Chain(first, rest) => self.eval_chain(first, rest),
            Expr::Method {
                recv,
                name,
                fast,
                args,
                line,
            } => {
                let r = self.operand(recv)?;
                self.enter_call(*line)?;
                let result = self.method(&r, name, *fast, args);
                self.depth -= 1;
                result.map_err(|e| e.at_line(*line))
            }
            other => self.eval_other(other),
        }
    }

    /// An operand: constants and variables without a recursive call.
    #[inline(always)]
    fn operand(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Const(Const::Number(n)) => Ok(Value::Number(*n)),
            Expr::Var { slot, .. } => match self.vars.get(*slot as usize) {
                // Numbers copied without the out-of-line clone.
                Some(Some(Value::Number(n))) => Ok(Value::Number(*n)),
                Some(Some(v)) => Ok(v.clone()),
                _ => self.eval(e),
            },
            _ => self.eval(e),
        }
    }

    fn eval_binary(&mut self, op: BinOp, a: &Expr, b: &Expr, line: u32) -> R<Value> {
        let a = self.operand(a)?;
        let b = self.operand(b)?;
        // Whole-number arithmetic inline: the overwhelmingly common case in loops.
        if let (Value::Number(x), Value::Number(y)) = (&a, &b)
            && let Some(v) = ops::int_fast(op, *x, *y)
        {
            // Numbers own nothing: skip the out-of-line drops.
            std::mem::forget(a);
            std::mem::forget(b);
            return Ok(v);
        }
        let v =
            ops::binary(op, &a, &b, self.limits.max_text_length).map_err(|e| e.at_line(line))?;
        self.grew(&v);
        Ok(v)
    }

    fn eval_chain(&mut self, first: &Expr, rest: &[(BinOp, Expr, u32)]) -> R<Value> {
        let mut acc = self.operand(first)?;
        for (op, e, line) in rest {
            let b = self.operand(e)?;
            if let (Value::Number(x), Value::Number(y)) = (&acc, &b)
                && let Some(v) = ops::int_fast(*op, *x, *y)
            {
                acc = v;
                continue;
            }
            acc = ops::binary(*op, &acc, &b, self.limits.max_text_length)
                .map_err(|e| e.at_line(*line))?;
        }
        self.grew(&acc);
        Ok(acc)
    }

    /// The less frequent expression kinds.
    #[inline(never)]
    fn eval_other(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Const(_)
            | Expr::Var { .. }
            | Expr::Binary(..)
            | Expr::Chain(..)
            | Expr::Method { .. } => self.eval(e),
            Expr::Unary(op, operand, line) => {
                let v = self.eval(operand)?;
                ops::unary(*op, &v).map_err(|e| e.at_line(*line))
            }
            Expr::And(a, b, line) => {
                if !self.condition(a, *line)? {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(self.condition(b, *line)?))
            }
            Expr::Or(a, b, line) => {
                if self.condition(a, *line)? {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.condition(b, *line)?))
            }
            Expr::Cond(c, a, b, line) => {
                if self.condition(c, *line)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::IfNull(a, b) => {
                let v = self.eval(a)?;
                if v.is_null() { self.eval(b) } else { Ok(v) }
            }
            Expr::Call { name, args, line } => {
                self.enter_call(*line)?;
                let result = self.call(name, args, *line);
                self.depth -= 1;
                result.map_err(|e| e.at_line(*line))
            }
            Expr::Pair(k, v) => {
                let k = self.eval(k)?;
                let v = self.eval(v)?;
                let mut m = crate::value::key_map(1);
                m.insert(Key(k), v);
                Ok(Value::map(m))
            }
            Expr::ListLit(items) => {
                self.check_size(items.len())?;
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item)?);
                }
                Ok(Value::list(out))
            }
            Expr::MapLit(entries) => {
                self.check_size(entries.len())?;
                let mut out = crate::value::key_map(entries.len());
                for (k, v) in entries {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    out.insert(Key(k), v);
                }
                Ok(Value::map(out))
            }
            Expr::NewList(elem, args) => {
                let mut items = Vec::new();
                for a in args {
                    match self.eval(a)? {
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
                Ok(Value::typed_list(*elem, items))
            }
            Expr::NewMap(arg, line) => match arg {
                None => Ok(Value::empty_map()),
                Some(a) => match self.eval(a)? {
                    Value::Map(m) => Ok(Value::map(m.borrow().entries.clone())),
                    Value::Null => Ok(Value::empty_map()),
                    other => Err(RuntimeError::type_error(format!(
                        "Map() needs a KEY-VALUE, got {}",
                        other.type_name()
                    ))
                    .at_line(*line)),
                },
            },
            Expr::NewCollection(args, line) => self.new_collection(args, *line),
            Expr::Zoho { name, line } => self.zoho_variable(name).map_err(|e| e.at_line(*line)),
            Expr::Task { kind, params, line } => {
                let mut evaluated = Vec::with_capacity(params.len());
                for (k, v) in params {
                    evaluated.push((k.as_ref(), self.eval(v)?));
                }
                let r = tasks::run_task(self, kind, &evaluated).map_err(|e| e.at_line(*line));
                self.check_clock()?;
                r
            }
        }
    }

    /// Records that `v` was just created, for the memory check.
    #[inline]
    fn grew(&mut self, v: &Value) {
        if let Value::Text(t) = v {
            self.grown = self.grown.saturating_add(t.len());
        }
    }

    fn enter_call(&mut self, line: u32) -> R<()> {
        if self.depth >= self.limits.max_call_depth {
            return Err(RuntimeError::limit(
                LimitKind::CallDepth,
                format!("more than {} nested calls", self.limits.max_call_depth),
            )
            .at_line(line));
        }
        self.depth += 1;
        Ok(())
    }

    fn check_size(&self, n: usize) -> R<()> {
        if n > self.limits.max_collection_size {
            return Err(RuntimeError::limit(
                LimitKind::CollectionSize,
                format!(
                    "{n} elements are more than {}",
                    self.limits.max_collection_size
                ),
            ));
        }
        Ok(())
    }

    fn eval_args(&mut self, args: &[Expr]) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.eval(a)?);
        }
        Ok(out)
    }

    fn method(&mut self, recv: &Value, name: &str, fast: FastMethod, args: &[Expr]) -> R<Value> {
        // Hot paths first: no argument vector, no name dispatch.
        match (fast, recv, args) {
            (FastMethod::Get, Value::Map(m), [k]) => {
                let k = self.operand(k)?;
                return Ok(m.borrow().entries.get(&Key(k)).cloned().unwrap_or_default());
            }
            (FastMethod::Put, Value::Map(m), [k, v]) => {
                let k = self.operand(k)?;
                let v = self.operand(v)?;
                let mut m = m.borrow_mut();
                let len = m.entries.len();
                match m.entries.entry(Key(k)) {
                    indexmap::map::Entry::Occupied(mut o) => {
                        o.insert(v);
                    }
                    indexmap::map::Entry::Vacant(slot) => {
                        self.check_size(len + 1)?;
                        slot.insert(v);
                        self.grown += 64;
                    }
                }
                return Ok(Value::Null);
            }
            (FastMethod::Add, Value::List(l), [v]) if l.borrow().elem_type.is_none() => {
                let v = self.operand(v)?;
                let mut l = l.borrow_mut();
                self.check_size(l.items.len() + 1)?;
                l.items.push(v);
                self.grown += 32;
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
        let args = self.eval_args(args)?;
        let result = builtins::call_method(&mut self.ctx(), recv, name, &args)?;
        // The receiver may have grown (addAll, putAll, insert): count it too.
        self.grown = self.grown.saturating_add(footprint(recv));
        self.check_result(&result)?;
        Ok(result)
    }

    fn call(&mut self, name: &str, args: &[Expr], line: u32) -> R<Value> {
        let args = self.eval_args(args)?;
        if let Some(task) = name.strip_prefix("zoho.cliq.") {
            let r = tasks::cliq_task(self, task, &args);
            self.check_clock().map_err(|e| e.at_line(line))?;
            return r;
        }
        if matches!(name, "geturl" | "posturl") {
            let r = tasks::legacy_url(self, name, &args);
            self.check_clock().map_err(|e| e.at_line(line))?;
            return r;
        }
        let result = builtins::call_function(&mut self.ctx(), name, &args)?;
        self.check_result(&result)?;
        Ok(result)
    }

    /// Post-checks a built-in's result against the size limits and counts its growth.
    fn check_result(&mut self, v: &Value) -> R<()> {
        // Built-ins may grow their receiver or build containers; count them generously.
        self.grown = self.grown.saturating_add(footprint(v));
        match v {
            Value::Text(t) if t.len() > self.limits.max_text_length => Err(RuntimeError::limit(
                LimitKind::TextLength,
                format!(
                    "text of {} bytes is longer than {}",
                    t.len(),
                    self.limits.max_text_length
                ),
            )),
            Value::List(l) => self.check_size(l.borrow().items.len()),
            Value::Map(m) => self.check_size(m.borrow().entries.len()),
            Value::Collection(c) => self.check_size(c.borrow().len()),
            _ => Ok(()),
        }
    }

    fn new_collection(&mut self, args: &[Expr], line: u32) -> R<Value> {
        if args.is_empty() {
            return Ok(Value::collection(CollectionValue::Empty));
        }
        let pairs = args.iter().filter(|a| matches!(a, Expr::Pair(..))).count();
        if pairs == args.len() {
            let mut m = crate::value::key_map(args.len());
            for a in args {
                if let Expr::Pair(k, v) = a {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    m.insert(Key(k), v);
                }
            }
            return Ok(Value::collection(CollectionValue::Map(m)));
        }
        if pairs > 0 {
            return Err(RuntimeError::value_error(
                "a collection cannot mix key-value pairs and plain elements",
            )
            .at_line(line));
        }
        let items = self.eval_args(args)?;
        Ok(Value::collection(CollectionValue::List(items)))
    }

    fn zoho_variable(&mut self, name: &str) -> R<Value> {
        match name {
            "currenttime" => Ok(Value::DateTime(self.ctx().now().naive_local())),
            "currentdate" => Ok(Value::Date(self.ctx().now().date_naive())),
            _ => match self.host.system_variable(name) {
                Some(j) => Ok(Value::from_json(&j)),
                None => Err(RuntimeError::new(
                    ErrorKind::UnknownFunction,
                    format!("unknown system variable 'zoho.{name}'"),
                )),
            },
        }
    }
}

/// Shallow size of a value for the growth counter (no walk).
fn footprint(v: &Value) -> usize {
    match v {
        Value::Text(t) => t.len(),
        Value::List(l) => l.borrow().items.len() * 32,
        Value::Map(m) => m.borrow().entries.len() * 64,
        Value::Collection(c) => c.borrow().len() * 64,
        Value::File(f) => f.bytes.len(),
        _ => 0,
    }
}

/// Rough bytes held by `v` (shared containers counted once), stopping past `budget`.
fn estimate(v: &Value, seen: &mut HashSet<usize>, budget: usize) -> usize {
    const SLOT: usize = 32;
    let mut total = SLOT;
    let mut stack = vec![v.clone()];
    while let Some(v) = stack.pop() {
        if total > budget {
            break;
        }
        match &v {
            Value::Text(t) if seen.insert(std::sync::Arc::as_ptr(t) as *const u8 as usize) => {
                total += t.len();
            }
            Value::List(l) if seen.insert(std::rc::Rc::as_ptr(l) as *const () as usize) => {
                let l = l.borrow();
                total += l.items.len() * SLOT;
                stack.extend(l.items.iter().filter(|x| is_heavy(x)).cloned());
            }
            Value::Map(m) if seen.insert(std::rc::Rc::as_ptr(m) as *const () as usize) => {
                let m = m.borrow();
                total += m.entries.len() * 2 * SLOT;
                for (k, x) in &m.entries {
                    if is_heavy(&k.0) {
                        stack.push(k.0.clone());
                    }
                    if is_heavy(x) {
                        stack.push(x.clone());
                    }
                }
            }
            Value::Collection(c) if seen.insert(std::rc::Rc::as_ptr(c) as *const () as usize) => {
                let c = c.borrow();
                total += c.len() * 2 * SLOT;
                match &*c {
                    CollectionValue::Empty => {}
                    CollectionValue::List(items) => {
                        stack.extend(items.iter().filter(|x| is_heavy(x)).cloned())
                    }
                    CollectionValue::Map(m) => {
                        stack.extend(m.values().filter(|x| is_heavy(x)).cloned())
                    }
                }
            }
            Value::File(f) => total += f.bytes.len(),
            _ => {}
        }
    }
    total
}

fn is_heavy(v: &Value) -> bool {
    matches!(
        v,
        Value::Text(_) | Value::List(_) | Value::Map(_) | Value::Collection(_) | Value::File(_)
    )
}
