//! `cliqd deluge run|check|test|bench`: the Deluge runtime from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use deluge::{Host, HttpRequest, HttpResponse, Limits, Program};

#[derive(clap::Args)]
pub struct DelugeArgs {
    #[command(subcommand)]
    command: DelugeCommand,
}

#[derive(clap::Subcommand)]
enum DelugeCommand {
    /// Run a script and print its info lines and return value.
    Run {
        /// The Deluge script file.
        file: PathBuf,
        /// JSON object of pre-bound variables (a handler's `user`, `message`, ...).
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Print the return value as JSON.
        #[arg(long)]
        json: bool,
        /// Statement limit (default: the handler limit).
        #[arg(long)]
        max_statements: Option<u64>,
        /// Wall-clock limit in milliseconds.
        #[arg(long)]
        timeout_ms: Option<u64>,
        /// Let invokeUrl reach loopback and private addresses (your own services, locally).
        #[arg(long)]
        allow_private_network: bool,
        /// Perform the script's `zoho.cliq.*` tasks on this running cliqd (e.g.
        /// `http://127.0.0.1:8080`) through its HTTP API; without it they are only printed.
        #[arg(long, requires = "token")]
        server: Option<String>,
        /// The OAuth token the tasks act with on `--server`.
        #[arg(long, env = "CLIQD_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Report syntax errors with positions; exit 1 if any.
    Check {
        /// Deluge script files; every readable one is checked, unreadable ones are reported.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run conformance cases (JSON lines) and report failures.
    Test {
        /// JSON-lines corpus files: one case per line, `{"id", "script", "inputs", "expect"}`.
        #[arg(required = true)]
        corpora: Vec<PathBuf>,
        /// Exit 0 even when cases fail.
        #[arg(long)]
        allow_failures: bool,
    },
    /// Time parsing and running of scripts (or of the built-in suite).
    Bench {
        /// Scripts to time (default: the built-in suite).
        files: Vec<PathBuf>,
        /// Runs per script.
        #[arg(long, default_value_t = 1000)]
        iterations: u32,
        /// A JSON object of input variables for every script.
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Statement limit per run.
        #[arg(long)]
        max_statements: Option<u64>,
        /// One JSON object per script.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: DelugeArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DelugeCommand::Run {
            file,
            inputs,
            json,
            max_statements,
            timeout_ms,
            allow_private_network,
            server,
            token,
        } => run_cmd(
            &file,
            inputs.as_deref(),
            json,
            RunOptions {
                max_statements,
                timeout_ms,
                allow_private_network,
                server: server.zip(token),
            },
        ),
        DelugeCommand::Check { files } => check_cmd(&files),
        DelugeCommand::Test {
            corpora,
            allow_failures,
        } => test_cmd(&corpora, allow_failures),
        DelugeCommand::Bench {
            files,
            iterations,
            inputs,
            max_statements,
            json,
        } => bench_cmd(&files, iterations, inputs.as_deref(), max_statements, json),
    }
}

fn read_inputs(path: Option<&Path>) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let Some(path) = path else {
        return Ok(serde_json::Map::new());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    match serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))? {
        serde_json::Value::Object(m) => Ok(m),
        _ => anyhow::bail!("{}: inputs must be a JSON object", path.display()),
    }
}

fn parse_or_report(path: &Path, source: &str) -> Option<Program> {
    match Program::parse(source) {
        Ok(p) => Some(p),
        Err(diags) => {
            for d in diags {
                eprintln!("{}: {}", path.display(), d.render(source));
            }
            None
        }
    }
}

/// How `deluge run` runs a script.
pub(crate) struct RunOptions {
    pub max_statements: Option<u64>,
    pub timeout_ms: Option<u64>,
    pub allow_private_network: bool,
    /// `(server URL, token)`: perform the `zoho.cliq.*` tasks there.
    pub server: Option<(String, String)>,
}

/// Runs a parsed script with the CLI's host (printing its info lines), `zoho.cliq.*` tasks
/// performed on `opts.server` when given.
pub(crate) fn run_program(
    program: &Program,
    inputs: &serde_json::Map<String, serde_json::Value>,
    opts: &RunOptions,
) -> anyhow::Result<Result<deluge::Outcome, deluge::Failure>> {
    let mut limits = Limits::default();
    if let Some(n) = opts.max_statements {
        limits.max_statements = n;
    }
    if let Some(ms) = opts.timeout_ms {
        limits.timeout_ms = ms;
    }
    let mut host = CliHost::new(true, opts.allow_private_network)?;
    if let Some((server, token)) = &opts.server {
        host.remote = Some(crate::deluge_remote::Remote::new(server, token)?);
    }
    Ok(program.run(&mut host, inputs, &limits))
}

fn run_cmd(
    file: &Path,
    inputs: Option<&Path>,
    json: bool,
    opts: RunOptions,
) -> anyhow::Result<ExitCode> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let inputs = read_inputs(inputs)?;
    let Some(program) = parse_or_report(file, &source) else {
        return Ok(ExitCode::FAILURE);
    };
    match run_program(&program, &inputs, &opts)? {
        Ok(outcome) => {
            // Info lines were printed by the host as they happened.
            if json {
                println!("{}", serde_json::to_string(&outcome.return_value)?);
            } else if let Some(text) = outcome.return_text {
                println!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            eprintln!("{}: runtime error: {}", file.display(), failure.error);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn check_cmd(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for file in files {
        // A file that cannot be read is reported and the others are still checked.
        let source = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                failed = true;
                continue;
            }
        };
        if parse_or_report(file, &source).is_none() {
            failed = true;
        } else {
            println!("{}: ok", file.display());
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The CLI's host: real clock, `invokeUrl` over HTTP through the outbound client, mails
/// recorded and printed (to stderr) instead of sent, and Cliq tasks performed on a server
/// (`--server`) or, without one, recorded and printed.
struct CliHost {
    print_info: bool,
    /// Whether invokeUrl may reach loopback and private addresses.
    allow_private: bool,
    /// Created on the first `invokeUrl`.
    invoker: Option<cliqd_service::UrlInvoker>,
    /// Tasks the script asked for, as `(name, arguments)`.
    tasks: Vec<(String, serde_json::Value)>,
    /// The server `zoho.cliq.*` tasks and user variables come from, if any.
    remote: Option<crate::deluge_remote::Remote>,
}

impl CliHost {
    fn new(print_info: bool, allow_private: bool) -> anyhow::Result<Self> {
        Ok(CliHost {
            print_info,
            allow_private,
            invoker: None,
            tasks: Vec::new(),
            remote: None,
        })
    }

    /// A host for tests and benchmarks: no network, nothing printed.
    fn offline() -> Self {
        CliHost {
            print_info: false,
            allow_private: false,
            invoker: None,
            tasks: Vec::new(),
            remote: None,
        }
    }

    fn record(&mut self, name: String, args: serde_json::Value) {
        if self.print_info {
            eprintln!("[task] {name} {args}");
        }
        self.tasks.push((name, args));
    }
}

impl Host for CliHost {
    fn info(&mut self, line: &str) {
        if self.print_info {
            println!("{line}");
        }
    }

    fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    fn invoke_url(&mut self, request: &HttpRequest) -> Result<HttpResponse, String> {
        if !self.print_info {
            return Err("invokeUrl is disabled in this mode (no network)".into());
        }
        if self.invoker.is_none() {
            self.invoker = Some(cliqd_service::UrlInvoker::with_own_runtime(
                cliqd_outbound::OutboundConfig {
                    allow_private: self.allow_private,
                    ..Default::default()
                },
            )?);
        }
        match &self.invoker {
            Some(invoker) => invoker.invoke(request),
            None => Err("HTTP runtime unavailable".into()),
        }
    }

    fn send_mail(&mut self, mail: &serde_json::Value) -> Result<(), String> {
        self.record("sendmail".into(), mail.clone());
        Ok(())
    }

    fn cliq_task(
        &mut self,
        task: &str,
        args: &[serde_json::Value],
    ) -> Result<serde_json::Value, String> {
        if let Some(remote) = &mut self.remote {
            return remote.cliq_task(task, args);
        }
        self.record(
            format!("zoho.cliq.{task}"),
            serde_json::Value::Array(args.to_vec()),
        );
        Ok(serde_json::json!({"status": "SUCCESS", "recorded": true}))
    }

    fn system_variable(&mut self, name: &str) -> Option<serde_json::Value> {
        if let Some(remote) = &mut self.remote {
            return remote.system_variable(name);
        }
        match name {
            "loginuser" | "adminuser" => Some("user@example.com".into()),
            "loginuserid" | "adminuserid" => Some("user@example.com".into()),
            "loginusername" => Some("user".into()),
            _ => None,
        }
    }
}

// ---- test ----

fn test_cmd(corpora: &[PathBuf], allow_failures: bool) -> anyhow::Result<ExitCode> {
    let (mut passed, mut failed) = (0usize, 0usize);
    for corpus in corpora {
        let text = std::fs::read_to_string(corpus)
            .with_context(|| format!("reading {}", corpus.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let case: serde_json::Value = match serde_json::from_str(line) {
                Ok(c) => c,
                Err(e) => {
                    println!("FAIL {}:{}: unreadable case: {e}", corpus.display(), n + 1);
                    failed += 1;
                    continue;
                }
            };
            match run_case(&case) {
                Ok(()) => passed += 1,
                Err(why) => {
                    let id = case.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                    println!("FAIL {id}\n{why}");
                    failed += 1;
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 && !allow_failures {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs one case; `Err` explains the mismatch (expected vs actual).
fn run_case(case: &serde_json::Value) -> Result<(), String> {
    let script = case
        .get("script")
        .and_then(|s| s.as_str())
        .ok_or("case has no script")?;
    let expect = case.get("expect").ok_or("case has no expect")?;
    let inputs = case
        .get("inputs")
        .and_then(|i| i.as_object())
        .cloned()
        .unwrap_or_default();
    let wants_error = expect.get("error").and_then(|e| e.as_bool()) == Some(true);
    let program = match Program::parse(script) {
        Ok(p) => p,
        Err(diags) => {
            if wants_error {
                return Ok(());
            }
            let msgs: Vec<String> = diags.iter().map(|d| d.render(script)).collect();
            return Err(format!(
                "  expected: {expect}\n  actual:   parse error\n{}",
                msgs.join("\n")
            ));
        }
    };
    let mut host = CliHost::offline();
    let result = program.run(&mut host, &inputs, &Limits::default());
    let outcome = match (result, wants_error) {
        (Err(_), true) => return Ok(()),
        (Ok(o), true) => {
            return Err(format!(
                "  expected: an error\n  actual:   info {:?}, return {}",
                o.info, o.return_value
            ));
        }
        (Err(f), false) => {
            return Err(format!(
                "  expected: {expect}\n  actual:   runtime error: {} (info so far {:?})",
                f.error, f.info
            ));
        }
        (Ok(o), false) => o,
    };
    if let Some(info) = expect.get("info") {
        let want: Vec<&str> = info
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if want != outcome.info {
            return Err(format!(
                "  expected info: {want:?}\n  actual info:   {:?}",
                outcome.info
            ));
        }
    }
    if let Some(ret) = expect.get("return")
        && !json_equal(ret, &outcome.return_value)
    {
        return Err(format!(
            "  expected return: {ret}\n  actual return:   {}",
            outcome.return_value
        ));
    }
    Ok(())
}

/// JSON equality with maps compared key by key and numbers by value.
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (x.to_string(), y.to_string());
            x == y
                || match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(x), Ok(y)) => x == y,
                    _ => false,
                }
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

// ---- bench ----

/// Mean and fastest time of one call, in nanoseconds.
struct Timing {
    mean_ns: f64,
    best_ns: f64,
}

/// Calls `f` `iterations` times in up to ten batches and returns the mean time per call and
/// that of the fastest batch. On a shared machine the fastest batch is the one least
/// disturbed by other processes.
fn time_batches(iterations: u32, mut f: impl FnMut()) -> Timing {
    let batches = iterations.clamp(1, 10);
    let mut done = 0;
    let mut total = Duration::ZERO;
    let mut best = f64::MAX;
    for b in 0..batches {
        let n = (iterations - done) / (batches - b);
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        let elapsed = start.elapsed();
        total += elapsed;
        done += n;
        if n > 0 {
            best = best.min(elapsed.as_nanos() as f64 / f64::from(n));
        }
    }
    Timing {
        mean_ns: total.as_nanos() as f64 / f64::from(iterations.max(1)),
        best_ns: if best == f64::MAX { 0.0 } else { best },
    }
}

fn bench_cmd(
    files: &[PathBuf],
    iterations: u32,
    inputs: Option<&Path>,
    max_statements: Option<u64>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let iterations = iterations.max(1);
    let mut scripts: Vec<(String, String)> = Vec::new();
    let inputs = if files.is_empty() {
        for (name, src) in deluge::bench_suite::SUITE {
            scripts.push(((*name).to_string(), (*src).to_string()));
        }
        match inputs {
            Some(p) => read_inputs(Some(p))?,
            None => match serde_json::from_str(deluge::bench_suite::SUITE_INPUTS)? {
                serde_json::Value::Object(m) => m,
                _ => serde_json::Map::new(),
            },
        }
    } else {
        for f in files {
            let src =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            scripts.push((f.display().to_string(), src));
        }
        read_inputs(inputs)?
    };
    let mut limits = Limits::default();
    if let Some(n) = max_statements {
        limits.max_statements = n;
    }
    let (mut total_bytes, mut total_parse, mut total_best) = (0usize, 0f64, 0f64);
    for (name, src) in &scripts {
        let mut program = None;
        // The previous program is dropped before the next parse (timed too), so one program
        // is alive at a time, as in a cache that replaces its entry.
        let parse = time_batches(iterations, || {
            drop(program.take());
            program = Some(Program::parse(src));
        });
        let program = match program {
            Some(Ok(p)) => p,
            Some(Err(diags)) => {
                for d in diags {
                    eprintln!("{name}: {}", d.render(src));
                }
                return Ok(ExitCode::FAILURE);
            }
            None => continue,
        };
        let mut host = CliHost::offline();
        let mut statements = 0;
        let mut failure = None;
        let run = time_batches(iterations, || {
            if failure.is_some() {
                return;
            }
            match program.run(&mut host, &inputs, &limits) {
                Ok(o) => statements = o.statements,
                Err(f) => failure = Some(f),
            }
        });
        if let Some(f) = failure {
            eprintln!("{name}: runtime error: {}", f.error);
            return Ok(ExitCode::FAILURE);
        }
        let per_sec = if run.mean_ns == 0.0 {
            0.0
        } else {
            statements as f64 / (run.mean_ns / 1e9)
        };
        let bytes = src.len();
        let mb_s = |ns: f64| {
            if ns == 0.0 {
                0.0
            } else {
                bytes as f64 / ns * 1e3
            }
        };
        total_bytes += bytes;
        total_parse += parse.mean_ns;
        total_best += parse.best_ns;
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "name": name,
                    "iterations": iterations,
                    "bytes": bytes,
                    "parse_ns": parse.mean_ns.round() as u64,
                    "parse_best_ns": parse.best_ns.round() as u64,
                    "parse_mb_s": (mb_s(parse.mean_ns) * 10.0).round() / 10.0,
                    "parse_best_mb_s": (mb_s(parse.best_ns) * 10.0).round() / 10.0,
                    "run_ns": run.mean_ns.round() as u64,
                    "run_best_ns": run.best_ns.round() as u64,
                    "statements": statements,
                    "statements_per_sec": per_sec.round() as u64,
                })
            );
        } else {
            println!(
                "{name}: parse {:.1} us ({:.1} MB/s; best batch {:.1} us, {:.1} MB/s), run {:.1} us (best batch {:.1} us), {statements} statements, {:.2} M statements/s ({iterations} iterations)",
                parse.mean_ns / 1000.0,
                mb_s(parse.mean_ns),
                parse.best_ns / 1000.0,
                mb_s(parse.best_ns),
                run.mean_ns / 1000.0,
                run.best_ns / 1000.0,
                per_sec / 1e6
            );
        }
    }
    if !json && scripts.len() > 1 && total_parse > 0.0 {
        println!(
            "all {} scripts: {total_bytes} bytes, parse + compile {:.1} MB/s (best batches {:.1} MB/s)",
            scripts.len(),
            total_bytes as f64 / total_parse * 1e3,
            total_bytes as f64 / total_best * 1e3
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod bench_tests {
    use super::time_batches;

    #[test]
    fn batches_make_up_the_iterations() {
        for iterations in [1, 7, 10, 23] {
            let mut calls = 0;
            let t = time_batches(iterations, || calls += 1);
            assert_eq!(calls, iterations);
            assert!(t.best_ns <= t.mean_ns * 10.0 + 1.0);
        }
    }
}
