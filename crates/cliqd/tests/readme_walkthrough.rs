//! The README's walkthrough, run as written against the built binary (on a free port instead of
//! 8080, with the debug binary instead of the release one), so the README cannot rot. Needs
//! `bash` and `curl`; without them the test says so and passes.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// The shell blocks of the README's walkthrough section, in order.
fn walkthrough() -> String {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("## Walkthrough: a bot with curl")
        .expect("walkthrough section");
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + e + 1);
    let section = &readme[start..end];
    let mut script = String::from("set -eu\n");
    let mut rest = section;
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + 6..];
        let close = body.find("```").expect("closed block");
        script.push_str(&body[..close]);
        rest = &body[close + 3..];
    }
    script
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
fn the_walkthrough_runs_as_written() {
    if !have("bash") || !have("curl") {
        eprintln!("skipped: bash and curl are needed to run the README walkthrough");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = walkthrough()
        .replace("cargo build --release -p cliqd", "true")
        .replace("$PWD/target/release/cliqd", env!("CARGO_BIN_EXE_cliqd"))
        .replace(
            "--rate-limits off &",
            &format!("--rate-limits off --bind 127.0.0.1:{port} 2>/dev/null >/dev/null &"),
        )
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    assert!(
        script.contains("/healthz"),
        "the walkthrough waits for the server"
    );
    let script = format!("{script}\nkill %1\nwait\necho WALKTHROUGH-DONE\n");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env_remove("CLIQD_DATA")
        .env_remove("CLIQD_DATABASE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("WALKTHROUGH-DONE"),
        "the walkthrough failed:\n{stdout}\n{stderr}"
    );
    // The bot was created, the handler stored, the bot deleted, the message posted.
    assert!(
        stdout.contains("\"unique_name\":\"supportbot\""),
        "{stdout}"
    );
    assert!(stdout.contains("204"), "{stdout}");
    assert!(stdout.contains("\"message_id\""), "{stdout}");
    // Nothing was left in the working directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
