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

#[cfg(test)]
mod tests {
    //! The fast paths must give what the general closures give, errors and lines included.

    use crate::{ErrorKind, LimitKind, Limits, NullHost, Program};

    fn run_limited(src: &str, limits: &Limits) -> Result<Vec<String>, (ErrorKind, u32, String)> {
        let program = Program::parse(src).expect("parses");
        program
            .run(&mut NullHost::default(), &Default::default(), limits)
            .map(|o| o.info)
            .map_err(|f| (f.error.kind, f.error.line, f.error.message.clone()))
    }

    fn run(src: &str) -> Result<Vec<String>, (ErrorKind, u32, String)> {
        run_limited(src, &Limits::default())
    }

    #[test]
    fn whole_number_paths_fall_back_to_the_general_rules() {
        let overflow = run("x = 9223372036854775807;\ny = x * 2 + 1;").unwrap_err();
        assert_eq!((overflow.0, overflow.1), (ErrorKind::Arithmetic, 2));
        assert!(overflow.2.contains("overflow"), "{}", overflow.2);
        let zero = run("a = 0;\nb = 10 / a;").unwrap_err();
        assert_eq!(zero, (ErrorKind::Arithmetic, 2, "division by zero".into()));
        let undefined = run("a = 1;\nb = q + a * 2;").unwrap_err();
        assert_eq!(
            undefined,
            (
                ErrorKind::UndefinedVariable,
                2,
                "variable 'q' is not defined".into()
            )
        );
        let out = run("a = 1.5;\nb = a * 2 + 1;\ninfo b;\nt = \"x\";\ninfo t + 1 + 2;\nn = 5;\ninfo -n * 2 % 7;")
            .unwrap();
        assert_eq!(out, ["4.0", "x12", "-3"]);
    }

    #[test]
    fn compound_assignment_and_conditions() {
        let out = run(
            "a = 1;\na += 2;\ns = \"x\";\ns += 3;\ninfo a;\ninfo s;\nif(a * 2 == 6) { info \"yes\"; }\nif(s == \"x3\") { info \"text\"; }",
        )
        .unwrap();
        assert_eq!(out, ["3", "x3", "yes", "text"]);
        let bad = run("s = \"x\";\nif(s) { info 1; }").unwrap_err();
        assert_eq!((bad.0, bad.1), (ErrorKind::Type, 2));
    }

    #[test]
    fn for_each_binds_numbers_indexes_and_values() {
        let out = run(
            "for each index i in {\"a\", \"b\"} { info i; }\nfor each x in {3, \"c\"} { info x; }",
        )
        .unwrap();
        assert_eq!(out, ["0", "1", "3", "c"]);
    }

    #[test]
    fn inline_put_keeps_the_limits() {
        let depth = Limits {
            max_call_depth: 0,
            ..Limits::default()
        };
        let err = run_limited("m = Map();\nm.put(1, 2);", &depth).unwrap_err();
        assert_eq!((err.0, err.1), (ErrorKind::Limit(LimitKind::CallDepth), 2));
        let size = Limits {
            max_collection_size: 2,
            ..Limits::default()
        };
        let err = run_limited(
            "m = Map();\nm.put(1, 1);\nm.put(2, 2);\nm.put(1, 5);\ninfo m;\nm.put(3, 3);",
            &size,
        )
        .unwrap_err();
        assert_eq!(
            (err.0, err.1),
            (ErrorKind::Limit(LimitKind::CollectionSize), 6)
        );
    }

    #[test]
    fn reused_map_storage_starts_empty() {
        let program = Program::parse(
            "m = Map();\ninfo m.size();\nm.put(1, 2);\nm.put(\"k\", {1, 2});\ninfo m;",
        )
        .unwrap();
        for _ in 0..3 {
            let out = program
                .run(
                    &mut NullHost::default(),
                    &Default::default(),
                    &Limits::default(),
                )
                .unwrap();
            assert_eq!(out.info, ["0", "{\"1\":2,\"k\":[1,2]}"]);
        }
    }
}
