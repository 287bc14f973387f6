//! Runtime errors: what stops a running script, with the limit or kind that caused it.

/// Which execution limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    Statements,
    CallDepth,
    Timeout,
    TextLength,
    CollectionSize,
    InfoOutput,
    Memory,
    Work,
}

impl LimitKind {
    /// The limit's name as it appears in error messages and `Limits` fields.
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Statements => "max_statements",
            LimitKind::CallDepth => "max_call_depth",
            LimitKind::Timeout => "timeout",
            LimitKind::TextLength => "max_text_length",
            LimitKind::CollectionSize => "max_collection_size",
            LimitKind::InfoOutput => "max_info_bytes",
            LimitKind::Memory => "max_memory_bytes",
            LimitKind::Work => "max_work_units",
        }
    }
}

/// The category of a runtime error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An execution limit was exceeded. Not catchable by `try/catch`.
    Limit(LimitKind),
    /// An operand or argument has the wrong type.
    Type,
    /// An argument has the right type but an unusable value (bad index, bad format).
    Value,
    /// Unknown function, method or task.
    UnknownFunction,
    /// A variable was read before anything was assigned to it.
    UndefinedVariable,
    /// Division by zero, overflow.
    Arithmetic,
    /// The host failed a task (invokeUrl, sendmail, zoho.cliq.*).
    Host,
    /// A statement of another Zoho product (Creator's data and form statements) that Cliq
    /// does not run.
    Unsupported,
}

/// An error that stops a running script (unless caught by `try/catch`). Boxed so that
/// `Result<Value, RuntimeError>`, returned by every evaluation step, stays one word wider
/// than a value; the details are reached through `Deref` (`err.kind`, `err.message`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct RuntimeError(Box<ErrorDetail>);

/// What a [`RuntimeError`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub kind: ErrorKind,
    pub message: String,
    /// 1-based line of the statement or call that failed; 0 when unknown.
    pub line: u32,
}

impl std::ops::Deref for RuntimeError {
    type Target = ErrorDetail;

    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl RuntimeError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        RuntimeError(Box::new(ErrorDetail {
            kind,
            message: message.into(),
            line: 0,
        }))
    }

    /// A wrong-type error.
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Type, message)
    }

    /// A bad-value error (index out of range, unparsable text, ...).
    pub fn value_error(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Value, message)
    }

    /// An exceeded execution limit; the message names the limit.
    pub fn limit(kind: LimitKind, detail: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::Limit(kind),
            format!("limit {} exceeded: {detail}", kind.name()),
        )
    }

    /// Sets the line if none is set yet.
    pub fn at_line(mut self, line: u32) -> Self {
        if self.0.line == 0 {
            self.0.line = line;
        }
        self
    }

    /// Whether `try/catch` may catch this error (limits cannot be caught).
    pub fn is_catchable(&self) -> bool {
        !matches!(self.kind, ErrorKind::Limit(_))
    }

    fn render(&self) -> String {
        if self.line > 0 {
            format!("line {}: {}", self.line, self.message)
        } else {
            self.message.clone()
        }
    }
}
