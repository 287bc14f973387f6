//! Deluge: a sandboxed interpreter for Zoho Deluge scripts. Does no IO: everything external comes through the host trait.
//!
//! Parse once with [`Program::parse`], then [`Program::run`] as often as needed (a program is
//! `Send + Sync` and can be cached). Every run is bounded by [`Limits`].

mod arena;
mod ast;
pub mod bench_suite;
mod builtins;
mod compile;
mod dates;
mod error;
mod host;
mod interp;
mod keymap;
mod lexer;
mod limits;
mod ops;
mod parser;
mod tasks;
mod value;
mod work;

use std::sync::Arc;

pub use error::{ErrorDetail, ErrorKind, LimitKind, RuntimeError};
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

impl Diagnostic {
    /// The diagnostic with the offending source line and a caret under the column:
    ///
    /// ```text
    /// line 2, column 5: expected an expression, found ';'
    ///   2 | x = ;
    ///     |     ^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let text = source
            .lines()
            .nth(self.line.saturating_sub(1) as usize)
            .unwrap_or("");
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        // Tabs are kept so the caret lines up with the source as a terminal shows it.
        let lead: String = text
            .chars()
            .take(self.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!("{self}\n  {number} | {text}\n  {pad} | {lead}^")
    }
}

/// Parses and resolves `source` without running it, reporting every error found.
pub fn check(source: &str) -> Result<(), Vec<Diagnostic>> {
    Program::parse(source).map(|_| ())
}

/// A parsed and resolved script, ready to run any number of times.
#[derive(Debug, Clone)]
pub struct Program {
    inner: Arc<ProgramInner>,
}

#[derive(Debug)]
struct ProgramInner {
    body: compile::Block,
    names: Vec<String>,
}

/// What a successful run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Each `info` line, in order.
    pub info: Vec<String>,
    /// The value of `return`, as JSON (`null` when the script did not return one).
    pub return_value: serde_json::Value,
    /// The return value's Deluge text form (what `info` would print), if any.
    pub return_text: Option<String>,
    /// Statements executed.
    pub statements: u64,
}

/// A failed run: the error and what happened before it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}")]
pub struct Failure {
    pub error: RuntimeError,
    /// `info` lines printed before the error.
    pub info: Vec<String>,
    pub statements: u64,
}

impl Program {
    /// Parses and resolves a script, reporting every syntax error found.
    pub fn parse(source: &str) -> Result<Program, Vec<Diagnostic>> {
        let parsed = parser::parse(source)?;
        Ok(Program {
            inner: Arc::new(ProgramInner {
                body: compile::compile_block(&parsed.body),
                names: parsed.names,
            }),
        })
    }

    /// The variable names the script uses (inputs are bound by these names).
    pub fn variables(&self) -> &[String] {
        &self.inner.names
    }

    /// Runs the program. `inputs` pre-binds variables (a handler's `user`, `message`, ...);
    /// names the script never mentions are ignored.
    pub fn run(
        &self,
        host: &mut dyn Host,
        inputs: &serde_json::Map<String, serde_json::Value>,
        limits: &Limits,
    ) -> Result<Outcome, Failure> {
        let _arena = arena::RunArena::enter();
        let _work = work::start(limits.max_work_units);
        let names = &self.inner.names;
        let mut interp = interp::Interp::new(names, host, limits);
        for (name, json) in inputs {
            if let Some(i) = names.iter().position(|n| n == name) {
                interp.vars[i] = Some(Value::from_json(json));
            }
        }
        // Last line of defence: a bug in a built-in must not take the host down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.inner.body.run(&mut interp)
        }))
        .unwrap_or_else(|_| {
            Err(RuntimeError::new(
                ErrorKind::Host,
                "internal error in the interpreter",
            ))
        });
        let statements = interp.statements;
        match result {
            Ok(flow) => {
                let value = match flow {
                    compile::Flow::Return => interp.returned.take(),
                    _ => None,
                };
                Ok(Outcome {
                    info: std::mem::take(&mut interp.info),
                    return_value: value
                        .as_ref()
                        .map_or(serde_json::Value::Null, Value::to_json),
                    return_text: value.as_ref().map(Value::to_text),
                    statements,
                })
            }
            Err(error) => Err(Failure {
                error,
                info: std::mem::take(&mut interp.info),
                statements,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn program_is_send_sync_and_reusable() {
        assert_send_sync::<Program>();
        let p = Program::parse("x = {1,2}; x.add(3); info x; return x.size();").unwrap();
        for _ in 0..3 {
            let out = p
                .run(
                    &mut NullHost::default(),
                    &Default::default(),
                    &Limits::default(),
                )
                .unwrap();
            assert_eq!(out.info, ["1,2,3"]);
            assert_eq!(out.return_value, serde_json::json!(3));
        }
    }

    #[test]
    fn diagnostic_renders_source_line() {
        let errs = check("a = 1;\nb = ;").unwrap_err();
        let r = errs[0].render("a = 1;\nb = ;");
        assert_eq!(
            r,
            "line 2, column 5: expected an expression, found ';'\n  2 | b = ;\n    |     ^"
        );
    }
}
