//! `cliqd executions`: handler runs from the execution journal, one line each (time,
//! component, handler, outcome, duration, first error line), or as JSON records; with
//! `--follow`, new runs as they are journaled. Reads the store directly, beside a running
//! server, like the other administration commands.

use crate::admin_cmd::{DataArg, list_org};
use crate::database::CommandStore;
use cliqd_store::{ExecutionQuery, ExecutionRow};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(clap::Args)]
pub struct ExecutionsArgs {
    /// Keep running and print new runs as they are journaled.
    #[arg(long)]
    follow: bool,
    /// Only runs of components with this name (case-insensitive).
    #[arg(long)]
    component: Option<String>,
    /// One JSON record per line instead of a table row.
    #[arg(long)]
    json: bool,
    /// How many of the newest runs to show first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Organization ID (default: the first organization).
    #[arg(long)]
    org: Option<i64>,
    #[command(flatten)]
    data: DataArg,
}

/// How often `--follow` looks for new runs.
const POLL: Duration = Duration::from_millis(200);

fn error_line(r: &ExecutionRow) -> String {
    let d = &r.execution.detail;
    let message = d
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            d.get("errors").and_then(|e| e.get(0)).map(|e| {
                format!(
                    "{}: {}",
                    e.get("path").and_then(Value::as_str).unwrap_or(""),
                    e.get("message").and_then(Value::as_str).unwrap_or("")
                )
            })
        })
        .unwrap_or_default();
    let line = d
        .get("error")
        .and_then(|e| e.get("line"))
        .and_then(Value::as_u64);
    let first = message.lines().next().unwrap_or("").to_string();
    match line {
        Some(l) if l > 0 => format!("line {l}: {first}"),
        _ => first,
    }
}

/// A webhook delivery's attempts by status code (`webhook 500 500 200  `), or nothing.
fn attempts_line(r: &ExecutionRow) -> String {
    let Some(attempts) = r.execution.detail.get("attempts").and_then(Value::as_array) else {
        return String::new();
    };
    let codes: Vec<String> = attempts
        .iter()
        .map(|a| match a.get("response").and_then(|x| x.get("status")) {
            Some(s) => s.to_string(),
            None => "---".into(),
        })
        .collect();
    format!("webhook {}  ", codes.join(" "))
}

fn render(r: &ExecutionRow, as_json: bool) -> String {
    let e = &r.execution;
    if as_json {
        return json!({
            "id": r.id.to_string(),
            "time": e.started_at,
            "component": {"type": e.component_kind, "id": e.component_id.to_string(), "name": e.component_name},
            "handler": e.handler,
            "user_id": e.user_id.to_string(),
            "status": e.outcome,
            "duration_ms": e.duration_us as f64 / 1000.0,
            "delivered": r.delivered,
            "detail": e.detail,
        })
        .to_string();
    }
    let time = chrono::DateTime::from_timestamp_millis(e.started_at)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default();
    format!(
        "{time}  {:<20} {:<26} {:<13} {:>9.2} ms  {}{}",
        e.component_name,
        e.handler,
        e.outcome,
        e.duration_us as f64 / 1000.0,
        attempts_line(r),
        error_line(r)
    )
    .trim_end()
    .to_string()
}

pub async fn run(args: ExecutionsArgs) -> anyhow::Result<()> {
    let store = CommandStore::open(args.data.database.as_deref(), &args.data.data)?;
    let org_id = list_org(&*store, args.org).await?;
    let wanted = |r: &ExecutionRow| {
        args.component
            .as_deref()
            .is_none_or(|c| r.execution.component_name.eq_ignore_ascii_case(c))
    };
    let mut query = ExecutionQuery {
        org_id,
        limit: args.limit.max(1),
        ..Default::default()
    };
    let mut last = 0;
    loop {
        let rows = store.executions(query.clone()).await?;
        // Newest first from the store; printed oldest first.
        for r in rows.iter().rev() {
            last = last.max(r.id);
            if wanted(r) {
                println!("{}", render(r, args.json));
            }
        }
        if !args.follow {
            break;
        }
        if rows.len() < query.limit || query.after_id.is_none() {
            tokio::time::sleep(POLL).await;
        }
        query.after_id = Some(last);
        query.limit = 500;
    }
    store.close();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cliqd_store::NewExecution;

    fn row(detail: Value) -> ExecutionRow {
        ExecutionRow {
            id: 7,
            execution: NewExecution {
                org_id: 1,
                component_id: 2,
                component_kind: "bot".into(),
                component_name: "Echo".into(),
                component_creator_id: 3,
                handler: "message_handler".into(),
                user_id: 4,
                outcome: "error".into(),
                started_at: 1_700_000_000_000,
                duration_us: 1500,
                detail,
            },
            delivered: vec![],
        }
    }

    #[test]
    fn rows_show_the_first_error_line() {
        let r = row(json!({"error": {"message": "division by zero\nmore", "line": 3}}));
        let line = render(&r, false);
        assert!(line.contains("Echo"), "{line}");
        assert!(line.contains("message_handler"));
        assert!(line.contains("1.50 ms"));
        assert!(line.ends_with("line 3: division by zero"), "{line}");
        let r = row(json!({"errors": [{"path": "text", "message": "must be a text"}]}));
        assert!(render(&r, false).ends_with("text: must be a text"));
        let j: Value = serde_json::from_str(&render(&r, true)).unwrap();
        assert_eq!(j["status"], "error");
    }

    #[test]
    fn webhook_rows_show_their_attempts_status_codes() {
        let r = row(json!({
            "attempts": [{"response": {"status": 500}}, {"error": "timed out"}, {"response": {"status": 200}}],
            "error": {"message": "the webhook answered HTTP 500"},
        }));
        let line = render(&r, false);
        assert!(
            line.contains("webhook 500 --- 200  the webhook answered HTTP 500"),
            "{line}"
        );
    }
}
