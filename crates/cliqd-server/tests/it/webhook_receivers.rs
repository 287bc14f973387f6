//! The receivers of `docs/webhooks.md`, run against cliqd: the page's Python program (in a
//! virtual environment under the target directory with `cryptography` installed from PyPI on
//! first use) and its Node program verify both signatures of real deliveries and answer, so
//! the documentation cannot drift from the server. A forged request is refused by both.
//!
//! The Python receiver is required: when Python, `venv` or PyPI are not available the test
//! fails and says why. The Node one runs when `node` is on the PATH.

use crate::handlers_run::{add_handler, subscribe};
use crate::helpers::{TestApp, spawn_with};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const DOC: &str = include_str!("../../../../docs/webhooks.md");

/// The first fenced block of `lang` in the page.
fn block(lang: &str) -> String {
    let start = DOC
        .find(&format!("```{lang}\n"))
        .unwrap_or_else(|| panic!("docs/webhooks.md has no {lang} block"));
    let rest = &DOC[start + lang.len() + 4..];
    rest[..rest.find("\n```").unwrap()].to_string()
}

/// A Python with `cryptography`: a virtual environment under the target directory, made and
/// filled from PyPI on first use.
fn python() -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap();
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("webhook-receiver-venv");
    let py = venv.join("bin").join("python");
    let ready = |py: &Path| {
        std::process::Command::new(py)
            .args(["-c", "import cryptography"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&py) {
        return py;
    }
    let made = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "the documented Python receiver needs a virtual environment: `python3 -m venv {}` failed: {}",
            venv.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("the documented Python receiver needs python3 on the PATH: {e}"),
    }
    let pip = std::process::Command::new(&py)
        .args(["-m", "pip", "install", "--quiet", "cryptography"])
        .output()
        .expect("pip runs");
    assert!(
        pip.status.success() && ready(&py),
        "cannot install the `cryptography` package from PyPI into {} (the documented Python \
         receiver needs it; is PyPI reachable?): {}",
        venv.display(),
        String::from_utf8_lossy(&pip.stderr)
    );
    py
}

/// Starts a receiver program; answers it and the port it listens on.
async fn start(
    program: &Path,
    script: &Path,
    key_file: &Path,
    secret: &str,
) -> (tokio::process::Child, u16) {
    let mut child = tokio::process::Command::new(program)
        .arg(script)
        .env("CLIQ_PUBLIC_KEY_FILE", key_file)
        .env("WEBHOOK_SECRET", secret)
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the receiver starts")
        .unwrap()
        .expect("the receiver prints its port");
    let port = line.rsplit(' ').next().unwrap().parse().unwrap();
    (child, port)
}

/// A webhook bot at `url` with a menu action; answers its secret and the action's path, and
/// the chat to run it in.
async fn bot(app: &TestApp, name: &str, url: &str) -> (String, String, String) {
    let r = app
        .post(
            "/api/v3/bots",
            &app.admin_token,
            json!({"name": name, "description": "d", "scope": "organization",
                   "execution_type": "webhook", "execution_url": url}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let b = crate::handlers_run::Bot {
        id: r.body["data"]["id"].as_str().unwrap().to_string(),
        unique: r.body["data"]["unique_name"].as_str().unwrap().to_string(),
    };
    let h = add_handler(
        app,
        &b,
        json!({"type": "menu_handler", "name": "Check", "permissions": []}),
    )
    .await;
    let secret = app
        .get(&format!("/api/v3/bots/b-{}", b.id), &app.admin_token)
        .await
        .body["data"]["webhook_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let chat = subscribe(app, &b, &app.admin_token).await;
    let path = format!(
        "/api/v3/bots/{}/actions/{}",
        b.unique,
        h["id"].as_str().unwrap()
    );
    (secret, path, chat)
}

async fn check_receiver(app: &TestApp, dir: &Path, program: &Path, source: &str, file: &str) {
    let r = app
        .get("/api/v3/webhooks/public_key", &app.admin_token)
        .await;
    let key_file = dir.join("cliq_public_key.pem");
    std::fs::write(&key_file, r.body["data"]["public_key"].as_str().unwrap()).unwrap();
    let script = dir.join(file);
    std::fs::write(&script, source).unwrap();
    // The receiver needs the secret before it starts, and the bot needs the URL: make the bot
    // with a placeholder URL, then point it at the receiver.
    let name = format!("Doc {file}");
    let (secret, action, chat) = bot(app, &name, "http://127.0.0.1:9/").await;
    let (_child, port) = start(program, &script, &key_file, &secret).await;
    let url = format!("http://127.0.0.1:{port}/");
    let bot_id = action.split('/').nth(4).unwrap().to_string();
    let r = app
        .patch(
            &format!("/api/v3/bots/{bot_id}"),
            &app.admin_token,
            json!({"execution_url": url}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let r = app
        .post(&action, &app.admin_token, json!({"chat_id": chat}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["text"],
        format!("verified action_handler of {name}"),
        "{file}: {}",
        r.body
    );

    // A forged request (a signed body with one byte changed) is refused.
    let runs = crate::handlers_run::executions(app, "handler=menu_handler", 1).await;
    let attempt = &runs[0]["attempts"][0]["request"];
    let mut body = attempt["body"].as_str().unwrap().to_string();
    body = body.replacen("Check", "Chock", 1);
    let mut req = reqwest::Client::new().post(&url).body(body);
    for pair in attempt["headers"].as_array().unwrap() {
        req = req.header(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    assert_eq!(req.send().await.unwrap().status(), 401, "{file}");
}

fn app_config(c: &mut cliqd_server::config::Config) {
    c.rate_limits = cliqd_server::config::RateLimitMode::Off;
    c.allow_private_network = true;
}

#[tokio::test]
async fn the_documented_python_receiver_verifies_and_answers() {
    let py = tokio::task::spawn_blocking(python).await.unwrap();
    let app = spawn_with(app_config).await;
    let dir = tempfile::tempdir().unwrap();
    check_receiver(&app, dir.path(), &py, &block("python"), "receiver.py").await;
}

#[tokio::test]
async fn the_documented_node_receiver_verifies_and_answers() {
    let found = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("node is not on the PATH: the Node receiver of docs/webhooks.md is not run");
        return;
    }
    let app = spawn_with(app_config).await;
    let dir = tempfile::tempdir().unwrap();
    check_receiver(
        &app,
        dir.path(),
        Path::new("node"),
        &block("javascript"),
        "receiver.js",
    )
    .await;
}
