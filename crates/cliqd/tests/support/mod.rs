//! What the process-level tests share: starting the real `cliqd serve` binary.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `cliqd serve` on a free port; returns the child and its base URL.
pub fn start(dir: &std::path::Path) -> (Child, String) {
    start_with(dir, &["--rate-limits", "off"])
}

/// Starts `cliqd serve` on a free port with `extra` flags (`--dev`, say).
pub fn start_with(dir: &std::path::Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .arg("--data")
        .arg(dir)
        .env("CLIQD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cliqd");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("cliqd exited before listening")
            .expect("read stdout");
        if let Some(addr) = line.strip_prefix("cliqd listening on ") {
            break addr.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// Runs the `cliqd` binary with `args`; returns (success, stdout, stderr).
pub fn cliqd(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(args)
        .env_remove("CLIQD_DATA")
        .env_remove("CLIQD_TOKEN")
        .env_remove("CLIQD_SERVER")
        .output()
        .expect("run cliqd");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
