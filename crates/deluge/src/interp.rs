//! Run-time state of one run: the frame of slots, the limit checks, and the services the
//! compiled code calls into (built-in dispatch, size and memory accounting).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::ast::Slot;
use crate::builtins::{self, CallCtx};
use crate::error::{ErrorKind, LimitKind, RuntimeError};
use crate::host::Host;
use crate::limits::Limits;
use crate::tasks;
use crate::value::{CollectionValue, Value};

/// How often (in executed statements) the clock is checked.
const CHECK_EVERY: u64 = 256;

/// Bytes of new text and collection slots a run may create before live memory is
/// re-estimated. Walking every variable is costly, so it only happens after real growth.
const MEMORY_CHECK_AFTER: usize = 1 << 20;

pub(crate) type R<T> = Result<T, RuntimeError>;

pub(crate) struct Interp<'a> {
    pub vars: Vec<Option<Value>>,
    pub names: &'a [String],
    pub host: &'a mut dyn Host,
    pub limits: &'a Limits,
    pub statements: u64,
    /// The statement count at which [`Interp::tick`] next takes its slow path (the statement
    /// limit or the next clock check, whichever comes first).
    next_check: u64,
    pub depth: u32,
    pub info: Vec<String>,
    pub info_bytes: usize,
    pub started: DateTime<Utc>,
    /// Approximate bytes created since the last memory estimate.
    pub grown: usize,
    /// The value of the `return` statement that ended the run.
    pub returned: Option<Value>,
}

impl<'a> Interp<'a> {
    pub fn new(names: &'a [String], host: &'a mut dyn Host, limits: &'a Limits) -> Interp<'a> {
        let started = host.now();
        let mut interp = Interp {
            vars: vec![None; names.len()],
            names,
            host,
            limits,
            statements: 0,
            next_check: 0,
            depth: 0,
            info: Vec::new(),
            info_bytes: 0,
            started,
            grown: 0,
            returned: None,
        };
        interp.plan_next_check();
        interp
    }

    /// Counts one executed statement and enforces the statement, work, time and memory
    /// limits. The statement limit and the clock are only looked at when the count reaches
    /// `next_check`; the work meter is one thread-local read.
    #[inline(always)]
    pub fn tick(&mut self, line: u32) -> R<()> {
        self.statements += 1;
        if self.statements >= self.next_check || crate::work::exhausted() {
            return self.tick_slow(line);
        }
        Ok(())
    }

    #[inline(never)]
    #[cold]
    fn tick_slow(&mut self, line: u32) -> R<()> {
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
        self.plan_next_check();
        Ok(())
    }

    /// The next statement count that needs a look: one past the statement limit or the
    /// next multiple of [`CHECK_EVERY`], whichever is first.
    fn plan_next_check(&mut self) {
        let clock = (self.statements / CHECK_EVERY + 1).saturating_mul(CHECK_EVERY);
        let limit = self.limits.max_statements.saturating_add(1);
        self.next_check = clock.min(limit);
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
    pub(crate) fn check_memory(&self) -> R<()> {
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

    pub(crate) fn ctx(&mut self) -> CallCtx<'_> {
        CallCtx {
            host: &mut *self.host,
            limits: self.limits,
        }
    }

    pub(crate) fn set(&mut self, slot: Slot, v: Value) {
        if let Some(cell) = self.vars.get_mut(slot as usize) {
            *cell = Some(v);
        }
    }

    pub(crate) fn read(&mut self, slot: Slot, line: u32) -> R<Value> {
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

    /// Records that `v` was just created, for the memory check.
    #[inline]
    pub(crate) fn grew(&mut self, v: &Value) {
        if let Value::Text(t) = v {
            self.grown = self.grown.saturating_add(t.len());
        }
    }

    /// Enters a function or method call, enforcing the call depth limit.
    #[inline]
    pub(crate) fn enter_call(&mut self, line: u32) -> R<()> {
        self.check_call_depth(line)?;
        self.depth += 1;
        Ok(())
    }

    /// Fails when one more nested call would exceed the call depth limit (for calls that
    /// make no nested call and so need not raise the depth).
    #[inline]
    pub(crate) fn check_call_depth(&self, line: u32) -> R<()> {
        if self.depth >= self.limits.max_call_depth {
            return Err(RuntimeError::limit(
                LimitKind::CallDepth,
                format!("more than {} nested calls", self.limits.max_call_depth),
            )
            .at_line(line));
        }
        Ok(())
    }

    pub(crate) fn check_size(&self, n: usize) -> R<()> {
        check_size(self.limits, n)
    }

    /// A method through the name-based built-in dispatch, with evaluated arguments.
    pub(crate) fn call_method(&mut self, recv: &Value, name: &str, args: &[Value]) -> R<Value> {
        let result = builtins::call_method(&mut self.ctx(), recv, name, args)?;
        // The receiver may have grown (addAll, putAll, insert): count it too.
        self.grown = self.grown.saturating_add(footprint(recv));
        self.check_result(&result)?;
        Ok(result)
    }

    /// A function, `zoho.cliq.*` task or legacy URL call, with evaluated arguments.
    pub(crate) fn call_function(&mut self, name: &str, args: &[Value], line: u32) -> R<Value> {
        if let Some(task) = name.strip_prefix("zoho.cliq.") {
            let r = tasks::cliq_task(self, task, args);
            self.check_clock().map_err(|e| e.at_line(line))?;
            return r;
        }
        if matches!(name, "geturl" | "posturl") {
            let r = tasks::legacy_url(self, name, args);
            self.check_clock().map_err(|e| e.at_line(line))?;
            return r;
        }
        let result = builtins::call_function(&mut self.ctx(), name, args)?;
        self.check_result(&result)?;
        Ok(result)
    }

    /// Post-checks a built-in's result against the size limits and counts its growth.
    pub(crate) fn check_result(&mut self, v: &Value) -> R<()> {
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

    pub(crate) fn zoho_variable(&mut self, name: &str) -> R<Value> {
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

/// Fails when a container of `n` elements would exceed the collection size limit.
pub(crate) fn check_size(limits: &Limits, n: usize) -> R<()> {
    if n > limits.max_collection_size {
        return Err(RuntimeError::limit(
            LimitKind::CollectionSize,
            format!("{n} elements are more than {}", limits.max_collection_size),
        ));
    }
    Ok(())
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
