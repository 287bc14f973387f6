//! One test per execution limit, plus hostile scripts that must end in a clean error (or
//! a clean result), never a crash, hang or runaway allocation.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use deluge::{ErrorKind, Failure, Host, LimitKind, Limits, NullHost, Program};

fn run_with(src: &str, limits: &Limits, host: &mut dyn Host) -> Result<deluge::Outcome, Failure> {
    let program = Program::parse(src).unwrap_or_else(|e| panic!("parse failed: {e:?}"));
    program.run(host, &serde_json::Map::new(), limits)
}

fn limit_error(src: &str, limits: &Limits) -> (LimitKind, String) {
    let failure = run_with(src, limits, &mut NullHost::default()).expect_err("must fail");
    match failure.error.kind {
        ErrorKind::Limit(kind) => (kind, failure.error.message.clone()),
        other => panic!("expected a limit error, got {other:?}: {}", failure.error),
    }
}

/// A list that grows while it is iterated: never ends on its own.
const ENDLESS: &str = "l = {1};\nfor each x in l\n{\n\tl.add(x);\n}\n";

#[test]
fn statement_limit() {
    let (kind, msg) = limit_error(ENDLESS, &Limits::default());
    assert_eq!(kind, LimitKind::Statements);
    assert!(msg.contains("max_statements"), "{msg}");
    // Counting is exact: 1 assignment + 1,000 iterations x (loop tick + if) + 999 adds.
    let src = "l = {1};\nfor each x in l\n{\n\tif(l.size() < 1000)\n\t{\n\t\tl.add(x);\n\t}\n}\n";
    let exact = Limits {
        max_statements: 3000,
        ..Limits::default()
    };
    let out = run_with(src, &exact, &mut NullHost::default()).expect("fits");
    assert_eq!(out.statements, 3000);
    let one_less = Limits {
        max_statements: 2999,
        ..Limits::default()
    };
    let (kind, _) = limit_error(src, &one_less);
    assert_eq!(kind, LimitKind::Statements);
}

#[test]
fn limits_cannot_be_caught() {
    let src = format!("try\n{{\n{ENDLESS}}}\ncatch (e)\n{{\n\tinfo \"swallowed\";\n}}\n");
    let (kind, _) = limit_error(&src, &Limits::default());
    assert_eq!(kind, LimitKind::Statements);
}

#[test]
fn call_depth_limit() {
    let nested = |n: usize| format!("x = {}1{};", "isNull(".repeat(n), ")".repeat(n));
    let ok = run_with(&nested(70), &Limits::default(), &mut NullHost::default());
    assert!(ok.is_ok(), "{ok:?}");
    let (kind, msg) = limit_error(&nested(80), &Limits::default());
    assert_eq!(kind, LimitKind::CallDepth);
    assert!(msg.contains("max_call_depth"), "{msg}");
}

/// A clock that advances one second every time it is read.
struct SlowClock(i64);

impl Host for SlowClock {
    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        self.0 += 1;
        chrono::DateTime::from_timestamp(self.0, 0).unwrap_or_default()
    }
}

#[test]
fn timeout_uses_the_host_clock() {
    let limits = Limits {
        timeout_ms: 10_000,
        max_statements: u64::MAX,
        ..Limits::default()
    };
    let failure = run_with(ENDLESS, &limits, &mut SlowClock(0)).expect_err("times out");
    assert_eq!(failure.error.kind, ErrorKind::Limit(LimitKind::Timeout));
    assert!(failure.error.message.contains("timeout"));
}

#[test]
fn text_length_limit() {
    let src = "s = \"x\";\nfor each i in {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30}\n{\n\ts = s + s;\n}\n";
    let limits = Limits {
        max_text_length: 1 << 20,
        ..Limits::default()
    };
    let (kind, msg) = limit_error(src, &limits);
    assert_eq!(kind, LimitKind::TextLength);
    assert!(msg.contains("max_text_length"), "{msg}");
}

#[test]
fn collection_size_limit() {
    let limits = Limits {
        max_collection_size: 100,
        ..Limits::default()
    };
    let (kind, _) = limit_error(ENDLESS, &limits);
    assert_eq!(kind, LimitKind::CollectionSize);
    let (kind, _) = limit_error(
        "m = Map();\nl = {1};\nfor each x in l\n{\n\tm.put(l.size(), x);\n\tl.add(x);\n}\n",
        &Limits {
            max_collection_size: 50,
            ..Limits::default()
        },
    );
    assert_eq!(kind, LimitKind::CollectionSize);
}

#[test]
fn memory_limit() {
    // Distinct texts of 64 KB each: per-value caps alone would allow gigabytes.
    let src = "big = \"x\";\nfor each i in {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}\n{\n\tbig = big + big;\n}\nl = List();\nl.add(big);\nfor each x in l\n{\n\tl.add(big + l.size());\n}\n";
    let limits = Limits {
        max_memory_bytes: 8 << 20,
        max_statements: 1_000_000,
        ..Limits::default()
    };
    let (kind, msg) = limit_error(src, &limits);
    assert_eq!(kind, LimitKind::Memory);
    assert!(msg.contains("max_memory_bytes"), "{msg}");
}

#[test]
fn info_output_limit() {
    let limits = Limits {
        max_info_bytes: 1000,
        ..Limits::default()
    };
    let src = "l = {1};\nfor each x in l\n{\n\tinfo \"0123456789\";\n\tl.add(x);\n}\n";
    let (kind, _) = limit_error(src, &limits);
    assert_eq!(kind, LimitKind::InfoOutput);
}

#[test]
fn cycles_and_exponential_sharing_are_harmless() {
    let src = "l = List();\nl.add(l);\nl.add(l);\ninfo l.size();\nm = Map();\nm.put(\"self\", m);\ninfo m.size();\nx = l == l;\nreturn {\"l\": l, \"m\": m};";
    let out = run_with(src, &Limits::default(), &mut NullHost::default()).expect("runs");
    assert_eq!(out.info, ["2", "1"]);
    // Doubling a shared list 60 times describes 2^60 elements; rendering is capped.
    let src = "l = {1};\nfor each i in {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60}\n{\n\tl = {l, l};\n}\ns = \"\" + l;\nreturn l;";
    let result = run_with(src, &Limits::default(), &mut NullHost::default());
    if let Err(f) = &result {
        assert!(matches!(f.error.kind, ErrorKind::Limit(_)), "{}", f.error);
    }
}

#[test]
fn hostile_parse_inputs_are_errors() {
    for src in [
        "(".repeat(100_000),
        "{".repeat(100_000),
        "x = ".to_string() + &"!".repeat(100_000) + "true;",
        "if(true){".repeat(10_000),
        "x = a.b(".repeat(10_000),
        "\"".to_string() + &"\\".repeat(1001),
        "'".repeat(3),
    ] {
        assert!(Program::parse(&src).is_err());
    }
    // A long flat concatenation is fine (no nesting).
    let src = format!("x = \"a\"{};\ninfo x.length();", " + \"a\"".repeat(20_000));
    let out = run_with(&src, &Limits::default(), &mut NullHost::default()).expect("runs");
    assert_eq!(out.info, ["20001"]);
}

#[test]
fn arithmetic_errors_are_runtime_errors() {
    for src in [
        "x = 9223372036854775807 + 1;",
        "x = -9223372036854775808 - 1;",
        "x = 5 / 0;",
        "x = 5 % 0;",
        "x = 1.5 / 0.0;",
        "x = -9223372036854775808 / -1;",
        "x = \"a\" - 1;",
        "x = {1} * 2;",
    ] {
        let f = run_with(src, &Limits::default(), &mut NullHost::default()).expect_err(src);
        assert!(f.error.is_catchable(), "{src}: {}", f.error);
    }
}

/// `distinct()` over many different lists that share one large list: a single call renders
/// every element, which the statement counter and the clock cannot see.
const BULK_WORK: &str = "big = List();\nfor each i in {1,2,3,4,5,6,7,8,9,10}\n{\n\tbig.addAll({1,2,3,4,5,6,7,8,9,10});\n}\nouter = List();\nfor each i in {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20}\n{\n\tx = List();\n\tx.add(i);\n\tx.add(big);\n\touter.add(x);\n}\nd = outer.distinct();\ninfo d.size();\n";

#[test]
fn work_limit_bounds_single_bulk_operations() {
    let limits = Limits {
        max_work_units: 1_000,
        ..Limits::default()
    };
    let (kind, msg) = limit_error(BULK_WORK, &limits);
    assert_eq!(kind, LimitKind::Work);
    assert!(msg.contains("max_work_units"), "{msg}");
    // The default budget leaves ordinary work alone.
    let out = run_with(BULK_WORK, &Limits::default(), &mut NullHost::default()).expect("fits");
    assert_eq!(out.info, vec!["20".to_string()]);
}

/// Nesting near the parser's limits runs within 2 MiB of stack (tokio's default for worker
/// threads), even in an unoptimised build: the compiled closures recurse only as deep as
/// the syntax tree.
#[test]
fn deep_nesting_runs_on_a_worker_stack() {
    let mut sources = Vec::new();
    // Blocks nested just under the parser's limit, with an arithmetic tree inside.
    let depth = 90;
    let mut src = String::from("x = 0;\n");
    for i in 0..depth {
        src.push_str(&format!("if(x < {i} || x >= 0)\n{{\n"));
    }
    src.push_str(&format!(
        "x = {}x + 1{};\n",
        "(1 + ".repeat(5),
        ")".repeat(5)
    ));
    src.push_str(&"}\n".repeat(depth));
    src.push_str("return x;");
    sources.push((src, serde_json::json!(6)));
    // Parenthesised arithmetic and nested calls near their limits.
    let parens = format!("return {}1{};", "(1 + ".repeat(90), ")".repeat(90));
    sources.push((parens, serde_json::json!(91)));
    let calls = format!("return {}1{};", "abs(".repeat(70), ")".repeat(70));
    sources.push((calls, serde_json::json!(1)));
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            for (src, expected) in sources {
                let out = run_with(&src, &Limits::default(), &mut NullHost::default())
                    .unwrap_or_else(|f| panic!("{f}: {src}"));
                assert_eq!(out.return_value, expected, "{src}");
            }
        })
        .expect("thread starts");
    handle.join().expect("no stack overflow");
}
