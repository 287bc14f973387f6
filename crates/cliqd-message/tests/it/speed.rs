//! A rough throughput figure (run on demand: `cargo test --release -p cliqd-message -- --ignored
//! speed --nocapture`); not a timed test.

use std::time::Instant;

use cliqd_message::{MessageContext, validate_message};
use serde_json::json;

#[test]
#[ignore = "measurement, run on demand"]
fn speed() {
    let cases = [
        (
            "plain text",
            json!({"text": "Hello team, please review the latest project updates."}),
        ),
        (
            "card + 5 buttons + table",
            json!({
                "text": "A critical support ticket has been escalated.",
                "card": {"theme": "modern-inline", "title": "Ticket Escalated", "thumbnail": "https://i.example/t.png"},
                "buttons": (0..5).map(|i| json!({"label": format!("B{i}"), "type": "+", "action": {"type": "invoke.function", "data": {"name": "f"}}})).collect::<Vec<_>>(),
                "slides": [{"type": "table", "title": "Details", "data": {"headers": ["Field", "Value"],
                    "rows": (0..10).map(|i| json!({"Field": format!("f{i}"), "Value": "v"})).collect::<Vec<_>>()}}]
            }),
        ),
        (
            "card only",
            json!({"text": "t", "card": {"theme": "modern-inline", "title": "Ticket Escalated", "thumbnail": "https://i.example/t.png"}}),
        ),
        (
            "5 buttons",
            json!({"text": "t", "buttons": (0..5).map(|i| json!({"label": format!("B{i}"), "type": "+", "action": {"type": "invoke.function", "data": {"name": "f"}}})).collect::<Vec<_>>()}),
        ),
        (
            "table 10 rows",
            json!({"text": "t", "slides": [{"type": "table", "title": "Details", "data": {"headers": ["Field", "Value"],
                "rows": (0..10).map(|i| json!({"Field": format!("f{i}"), "Value": "v"})).collect::<Vec<_>>()}}]}),
        ),
    ];
    for (name, v) in cases {
        let n = 100_000;
        let start = Instant::now();
        for _ in 0..n {
            assert!(validate_message(std::hint::black_box(&v), MessageContext::Post).is_ok());
        }
        let per = start.elapsed() / n;
        println!(
            "{name}: {per:?} per validation ({:.0}/s)",
            1.0 / per.as_secs_f64()
        );
    }
}
