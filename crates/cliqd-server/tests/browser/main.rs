//! The web client in a real headless Chromium, driven over WebDriver, against the real server
//! (in-process, on port 0, with a fresh data directory per scenario). One chromedriver serves
//! every scenario of this binary; each scenario opens its own browser sessions and fails on any
//! console error the page logged. A custom harness (`harness = false`): it prints one line per
//! scenario and ends with "N passed, N failed"; arguments filter scenarios by substring.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
#[allow(dead_code)]
#[path = "../it/helpers.rs"]
mod helpers;
mod interactions;
mod scenarios;
mod support;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use support::Driver;

pub type Outcome<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;
pub type Scenario = for<'a> fn(&'a Driver) -> Outcome<'a>;

/// A scenario that takes longer than this fails (a hung page never hangs the suite).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(180);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    // No scenario is ignored, so `--ignored` (the upstream-conformance run) selects none.
    let ignored_only = args.iter().any(|a| a == "--ignored");
    let selected: Vec<&(&str, Scenario)> = scenarios::ALL
        .iter()
        .filter(|_| !ignored_only)
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    if selected.is_empty() {
        // Nothing to run: no browser is needed (and none is installed).
        println!("\nrunning 0 browser scenarios\n\n0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (passed, failed) = runtime.block_on(async {
        println!("\nrunning {} browser scenarios", selected.len());
        let driver = match Driver::start().await {
            Ok(d) => d,
            Err(e) => {
                println!("browser tests cannot run: {e:#}");
                return (0, selected.len().max(1));
            }
        };
        let (mut passed, mut failed) = (0, 0);
        for (name, scenario) in &selected {
            let started = Instant::now();
            let result = match tokio::time::timeout(SCENARIO_TIMEOUT, scenario(&driver)).await {
                Ok(r) => r,
                Err(_) => Err(anyhow::anyhow!("timed out after {SCENARIO_TIMEOUT:?}")),
            };
            let secs = started.elapsed().as_secs_f64();
            match result {
                Ok(()) => {
                    passed += 1;
                    println!("test {name} ... ok ({secs:.1}s)");
                }
                Err(e) => {
                    failed += 1;
                    println!("test {name} ... FAILED ({secs:.1}s)\n    {e:#}");
                }
            }
        }
        (passed, failed)
    });
    println!("\n{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
