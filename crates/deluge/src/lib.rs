//! Deluge: a sandboxed interpreter for Zoho Deluge scripts. Does no IO: everything external comes through the host trait.
#![forbid(unsafe_code)]

mod arena;
pub mod builtins;
pub mod error;
pub mod host;
pub mod limits;
pub mod value;

pub use error::{ErrorKind, LimitKind, RuntimeError};
pub use host::{Host, HttpRequest, HttpResponse, NullHost};
pub use limits::Limits;
pub use value::Value;

/// A problem found in a script before it runs, with a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Parses and resolves `source` without running it, reporting every error found.
pub fn check(source: &str) -> Result<(), Vec<Diagnostic>> {
    let _ = source;
    Ok(())
}
