//! One server per data directory, through the real binary: a second `cliqd serve` on a
//! directory a running server holds exits non-zero with a clear message, while the admin
//! commands may still use it; `--database` names the same store or is refused clearly.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cliqd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cliqd"));
    c.env("CLIQD_LOG", "warn")
        .env_remove("CLIQD_DATA")
        .env_remove("CLIQD_DATABASE");
    c
}

/// Starts `cliqd serve` on a free port and waits until it listens.
fn start(dir: &std::path::Path) -> Child {
    let mut child = cliqd()
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cliqd");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .expect("cliqd exited before listening")
            .expect("read stdout");
        if line.starts_with("cliqd listening on ") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    child
}

/// Runs `cmd` to completion, killing it if it is still running after 30 s.
fn run(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cliqd");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("cliqd did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_second_server_on_the_same_directory_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let mut first = start(dir.path());

    let mut second = cliqd();
    second
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(dir.path());
    let out = run(second);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "second server started: {stderr}");
    assert!(
        stderr.contains("is in use by another cliqd server"),
        "unclear message: {stderr}"
    );

    // The same store named by URL from another data directory is refused too.
    let mut by_url = cliqd();
    by_url
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(other.path())
        .arg("--database")
        .arg(format!("sqlite:{}", dir.path().display()));
    let out = run(by_url);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another cliqd server"));

    // Admin commands may use the directory of a running server.
    let mut add = cliqd();
    add.args(["users", "add", "--email", "x@example.com", "--name", "X"])
        .arg("--data")
        .arg(dir.path());
    let out = run(add);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An unknown scheme is a clear error.
    let mut bad = cliqd();
    bad.args(["users", "add", "--email", "y@example.com", "--name", "Y"])
        .args(["--database", "postgres://localhost/cliqd"]);
    let out = run(bad);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsupported database URL scheme `postgres`")
    );

    first.kill().unwrap();
    first.wait().unwrap();
    // Once the first server is gone the directory is free again.
    let mut again = start(dir.path());
    again.kill().unwrap();
    again.wait().unwrap();
}
