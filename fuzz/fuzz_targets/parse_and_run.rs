//! Fuzz target: any input is parsed, and if it parses, run with tight limits. The
//! interpreter must never panic, overflow its stack, hang or allocate without bound.
#![no_main]

use deluge::{Host, Limits, Program};
use libfuzzer_sys::fuzz_target;

/// A fixed clock that ticks forward so the deadline is exercised too.
struct FuzzHost(i64);

impl Host for FuzzHost {
    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        self.0 += 1;
        chrono::DateTime::from_timestamp_millis(self.0).unwrap_or_default()
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    // Diagnostics must render for any position.
    let program = match Program::parse(source) {
        Ok(p) => p,
        Err(diags) => {
            for d in diags.iter().take(3) {
                let _ = d.render(source);
            }
            return;
        }
    };
    let limits = Limits {
        max_statements: 2_000,
        timeout_ms: 1_000,
        max_text_length: 64 * 1024,
        max_collection_size: 2_000,
        max_memory_bytes: 4 * 1024 * 1024,
        max_info_bytes: 64 * 1024,
        ..Limits::default()
    };
    let inputs: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        r#"{"user": {"first_name": "Ada", "id": "1"}, "message": "hi", "list": [1, "a", 2.5]}"#,
    )
    .unwrap_or_default();
    let _ = program.run(&mut FuzzHost(0), &inputs, &limits);
});
