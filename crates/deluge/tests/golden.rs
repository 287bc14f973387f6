//! Golden tests: every `tests/golden/NAME.dg` runs with `NAME.json` as inputs (if present)
//! and a recording host at a fixed clock; its output must equal `NAME.out`. Output is each
//! `info` line and host task line in order, then `return: <json>` or `error: <message>`.
//! Set `DELUGE_BLESS=1` to rewrite the `.out` files after reviewing a change.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // tests read their fixture files

use std::path::Path;

use deluge::{Host, HttpRequest, HttpResponse, Limits, Program};

struct RecordingHost {
    log: Vec<String>,
}

impl Host for RecordingHost {
    fn info(&mut self, line: &str) {
        self.log.push(line.to_string());
    }

    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        // 2023-11-14 22:13:20 UTC (14:13:20 in the default PST zone).
        chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
    }

    fn invoke_url(&mut self, r: &HttpRequest) -> Result<HttpResponse, String> {
        self.log.push(format!(
            "[host] invokeUrl {} {} params={} headers={:?} content-type={:?} detailed={}",
            r.method,
            r.url,
            r.parameters.clone().unwrap_or_default(),
            r.headers,
            r.content_type,
            r.detailed
        ));
        Ok(HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"ok":true,"items":[1,2]}"#.to_vec(),
        })
    }

    fn send_mail(&mut self, mail: &serde_json::Value) -> Result<(), String> {
        self.log.push(format!("[host] sendmail {mail}"));
        Ok(())
    }

    fn cliq_task(
        &mut self,
        task: &str,
        args: &[serde_json::Value],
    ) -> Result<serde_json::Value, String> {
        self.log.push(format!("[host] zoho.cliq.{task} {args:?}"));
        Ok(serde_json::json!({"status": "SUCCESS"}))
    }

    fn system_variable(&mut self, name: &str) -> Option<serde_json::Value> {
        (name == "adminuserid").then(|| "admin@example.com".into())
    }
}

fn run_golden(script: &Path) -> String {
    let source = std::fs::read_to_string(script).expect("script readable");
    let inputs_path = script.with_extension("json");
    let inputs = if inputs_path.exists() {
        let text = std::fs::read_to_string(&inputs_path).expect("inputs readable");
        serde_json::from_str(&text).expect("inputs are a JSON object")
    } else {
        serde_json::Map::new()
    };
    let program = match Program::parse(&source) {
        Ok(p) => p,
        Err(diags) => {
            let lines: Vec<String> = diags.iter().map(|d| d.render(&source)).collect();
            return format!("parse error:\n{}\n", lines.join("\n"));
        }
    };
    let mut host = RecordingHost { log: Vec::new() };
    let result = program.run(&mut host, &inputs, &Limits::default());
    let mut out = host.log.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    match result {
        Ok(o) if o.return_text.is_some() => {
            out.push_str(&format!("return: {}\n", o.return_value));
        }
        Ok(_) => {}
        Err(f) => out.push_str(&format!("error: {}\n", f.error)),
    }
    out
}

#[test]
fn golden_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("DELUGE_BLESS").is_some();
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "dg"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let mut failures = Vec::new();
    for script in &scripts {
        let actual = run_golden(script);
        let expected_path = script.with_extension("out");
        if bless {
            std::fs::write(&expected_path, &actual).expect("write .out");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                script.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
