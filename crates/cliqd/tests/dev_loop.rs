//! The developer's loop through the real binary: `serve --dev`, `apply` and `export` of a
//! project folder (idempotence, removals, `--prune`, the export → apply round trip, `--watch`),
//! snapshots and reset while the server runs, and seeded runs that repeat.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{cliqd, start_with};

fn example_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/project")
}

/// A copy of `from` (a project folder) in `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir`, by relative path, with its text.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(base: &str, data: &Path) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            client: reqwest::Client::new(),
            base: base.to_string(),
            token: std::fs::read_to_string(data.join("admin.token"))
                .unwrap()
                .trim()
                .to_string(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Zoho-oauthtoken {}", self.token));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn names(&self, kind: &str) -> Vec<String> {
        let mut names: Vec<String> = self.get(&format!("/api/v3/{kind}")).await["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    }
}

/// `cliqd ARGS --server BASE --data DATA`.
fn against(base: &str, data: &Path, args: &[&str]) -> (bool, String, String) {
    let mut all: Vec<&str> = args.to_vec();
    let data = data.to_str().unwrap();
    all.extend(["--server", base, "--data", data]);
    cliqd(&all)
}

#[test]
fn dev_mode_stays_on_loopback_unless_forced_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, _, err) = cliqd(&[
        "serve",
        "--dev",
        "--bind",
        "0.0.0.0:0",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("dev mode listens only on a loopback address"),
        "{err}"
    );
    assert!(err.contains("--dev-force"), "{err}");
    assert!(!data.exists(), "a refused start created the data directory");
    let (ok, _, err) = cliqd(&["serve", "--seed", "3", "--data", data.to_str().unwrap()]);
    assert!(!ok && err.contains("--seed needs dev mode"), "{err}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(["serve", "--dev", "--bind", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("CLIQD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines {
        let line = line.unwrap();
        let done = line.starts_with("cliqd listening on");
        banner.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let banner = banner.join("\n");
    assert!(banner.starts_with("DEV MODE"), "{banner}");
    assert!(banner.contains("rate limits off"), "{banner}");
    assert!(
        banner.contains("private and loopback addresses"),
        "{banner}"
    );

    // With JSON logs the banner is one JSON object, and says so too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args([
            "serve",
            "--dev",
            "--seed",
            "2",
            "--bind",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(dir.path().join("json"))
        .env("CLIQD_LOG", "warn")
        .env("CLIQD_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let banner: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(banner["dev"]["seed"], 2, "{banner}");
    assert!(
        banner["dev"]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("DEV MODE")
    );
}

#[tokio::test]
async fn apply_is_idempotent_removes_prunes_and_round_trips_through_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, base) = start_with(&data, &["--dev"]);
    let api = Api::new(&base, &data);
    let project = dir.path().join("project");
    copy_dir(&example_project(), &project);
    let project_s = project.to_str().unwrap();

    let (ok, out, err) = against(&base, &data, &["apply", project_s]);
    assert!(ok, "{out}\n{err}");
    for line in [
        "created bot Helpdesk",
        "set bot Helpdesk: message_handler",
        "set bot Helpdesk: menu action Open ticket",
        "created function openticket",
        "set function ticketform: form_submit_handler",
        "set message action Escalate: execution_handler",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing `{line}` in:\n{out}"
        );
    }
    let handler = api
        .get("/api/v3/bots/helpdesk/handlers/message_handler")
        .await;
    let script = std::fs::read_to_string(project.join("helpdesk/message.dg")).unwrap();
    assert_eq!(handler["data"]["script"], script);

    // Twice: nothing to do.
    let (ok, out, _) = against(&base, &data, &["apply", project_s]);
    assert!(ok);
    assert_eq!(out.trim(), "no changes");

    // A changed field, a removed handler, a changed script: exactly those are sent.
    let manifest = project.join("cliqd.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text
        .replace("Opens support tickets", "Files tickets")
        .replace("welcome_handler = \"helpdesk/welcome.dg\"\n", "");
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(
        project.join("actions/escalate.dg"),
        "return {\"text\": \"escalated\"};\n",
    )
    .unwrap();
    let (ok, out, err) = against(&base, &data, &["apply", project_s]);
    assert!(ok, "{err}");
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "removed bot Helpdesk: welcome_handler",
            "updated bot Helpdesk (description)",
            "updated message action Escalate: execution_handler",
        ]
    );

    // A component made elsewhere stays, unless --prune.
    let (status, _) = api
        .post(
            "/api/v3/bots",
            json!({"name": "Stray", "description": "made by hand"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, out, _) = against(&base, &data, &["apply", project_s]);
    assert_eq!(out.trim(), "no changes");
    let (ok, out, _) = against(&base, &data, &["apply", project_s, "--prune"]);
    assert!(ok);
    assert_eq!(out.trim(), "deleted bot Stray");
    assert_eq!(api.names("bots").await, ["Helpdesk"]);

    // Webhook components name their handlers' permissions; a bot's handler may have none.
    let hooks = dir.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(
        hooks.join("cliqd.toml"),
        r#"
[[bots]]
name = "Hookbot"
description = "a webhook bot"
execution_type = "webhook"
execution_url = "https://ci.example/bot"
[bots.handlers]
message_handler = { permissions = ["user", "chat"] }
welcome_handler = { permissions = [] }

[[functions]]
name = "hooked"
description = "a webhook button"
function_type = "button"
execution_type = "webhook"
execution_url = "https://ci.example/button"
[functions.handlers]
button_handler = { permissions = ["user"] }
"#,
    )
    .unwrap();
    let hooks_s = hooks.to_str().unwrap();
    let (ok, out, err) = against(&base, &data, &["apply", hooks_s]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("set bot Hookbot: welcome_handler"), "{out}");
    let (_, out, _) = against(&base, &data, &["apply", hooks_s]);
    assert_eq!(out.trim(), "no changes");

    // Export, then apply the export: nothing changes; onto a reset server it recreates the
    // same components, whose export is the same folder, byte for byte.
    let first = dir.path().join("export1");
    let (ok, out, err) = against(&base, &data, &["export", first.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("Exported 2 bots, 3 functions and 1 message actions"),
        "{out}"
    );
    let (_, out, _) = against(&base, &data, &["apply", first.to_str().unwrap()]);
    assert_eq!(out.trim(), "no changes");
    let (ok, _, err) = against(&base, &data, &["export", first.to_str().unwrap()]);
    assert!(!ok && err.contains("--force"), "{err}");

    let (ok, _, err) = against(&base, &data, &["reset"]);
    assert!(ok, "{err}");
    assert!(api.names("bots").await.is_empty());
    let (ok, _, err) = against(&base, &data, &["apply", first.to_str().unwrap()]);
    assert!(ok, "{err}");
    let second = dir.path().join("export2");
    let (ok, _, err) = against(&base, &data, &["export", second.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(tree(&first), tree(&second));

    // A broken script is reported with its position, and nothing is sent.
    std::fs::write(project.join("helpdesk/message.dg"), "x = ;\n").unwrap();
    let (ok, out, err) = against(&base, &data, &["apply", project_s]);
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("helpdesk/message.dg:1:"), "{err}");
    assert!(err.contains("nothing was applied"), "{err}");
    // So is a manifest that is not TOML.
    std::fs::write(&manifest, "[[bots]\nname = 1\n").unwrap();
    let (ok, _, err) = against(&base, &data, &["apply", project_s]);
    assert!(!ok);
    assert!(
        err.contains("cliqd.toml") && err.contains("line 1"),
        "{err}"
    );

    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn watch_reapplies_on_save_and_reports_positions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, base) = start_with(&data, &["--dev"]);
    let project = dir.path().join("project");
    copy_dir(&example_project(), &project);
    let mut watch = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(["apply", "--watch"])
        .arg(&project)
        .args(["--server", &base, "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both streams into one channel, line by line.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = BufReader::new(watch.stdout.take().unwrap());
    let err = BufReader::new(watch.stderr.take().unwrap());
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        out.lines()
            .map_while(Result::ok)
            .for_each(|l| drop(tx.send(l)))
    });
    std::thread::spawn(move || {
        err.lines()
            .map_while(Result::ok)
            .for_each(|l| drop(tx2.send(l)))
    });
    let wait_for = |what: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while std::time::Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                if line.contains(what) {
                    return;
                }
                seen.push(line);
            }
        }
        panic!("no `{what}` in:\n{}", seen.join("\n"));
    };
    wait_for("-- watching");
    // Modification times are compared: keep saves apart.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        project.join("helpdesk/welcome.dg"),
        "return {\"text\": \"welcome!\"};\n",
    )
    .unwrap();
    wait_for("updated bot Helpdesk: welcome_handler");
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(project.join("helpdesk/welcome.dg"), "return {\n").unwrap();
    wait_for("helpdesk/welcome.dg:");
    wait_for("nothing was applied");
    watch.kill().unwrap();
    watch.wait().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test]
async fn snapshots_restore_while_serving_and_handlers_run_after() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let (mut child, base) = start_with(&data, &["--dev"]);
    let api = Api::new(&base, &data);

    // Saving works beside the running server, on the data directory itself.
    let (ok, out, err) = cliqd(&["snapshot", "save", "empty", "--data", data_s]);
    assert!(ok, "{err}");
    assert!(out.starts_with("Saved snapshot empty"), "{out}");
    let (_, out, _) = cliqd(&["snapshot", "list", "--data", data_s]);
    let names: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["empty", "initial"]);

    let (ok, _, err) = against(
        &base,
        &data,
        &["apply", example_project().to_str().unwrap()],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = against(&base, &data, &["snapshot", "save", "helpdesk"]);
    assert!(ok, "{err}");

    // Restoring the directory under a running server is refused, saying what to do.
    let (ok, _, err) = cliqd(&["snapshot", "restore", "empty", "--data", data_s]);
    assert!(!ok);
    assert!(
        err.contains("a cliqd server is running") && err.contains("--server"),
        "{err}"
    );

    // Through the server: the components go, and come back.
    let (ok, _, err) = against(&base, &data, &["snapshot", "restore", "empty"]);
    assert!(ok, "{err}");
    assert!(api.names("bots").await.is_empty());
    let (status, body) = api
        .post("/cliqd/dev/snapshots/helpdesk/restore", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(api.names("bots").await, ["Helpdesk"]);
    let (status, body) = api
        .post("/cliqd/dev/snapshots/missing/restore", json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("snapshot_not_found"))
    );
    let (status, body) = api.post("/cliqd/dev/snapshots/..%2Fx", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_inputs"))
    );

    // The restored bot's handlers run (the engine reads the restored outbox and scripts).
    let (status, sub) = api.post("/api/v3/bots/helpdesk/subscribe", json!({})).await;
    assert_eq!(status, 200, "{sub}");
    let chat = sub["chat_id"].as_str().unwrap().to_string();
    let (status, _) = api
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            json!({"text": "printer broken"}),
        )
        .await;
    assert_eq!(status, 204);
    let mut reply = None;
    for _ in 0..100 {
        let messages = api
            .get(&format!("/api/v2/chats/{chat}/messages?fromtime=0"))
            .await;
        reply = messages["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| {
                m["content"]["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Need help with \"printer broken\""))
            })
            .cloned();
        if reply.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        reply.is_some(),
        "the message handler did not answer after the restore"
    );

    // Reset: the demo organization as first start made it, with the same admin token.
    let (status, body) = api.post("/cliqd/dev/reset", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["restored"], "initial");
    assert!(api.names("bots").await.is_empty());
    let users = api.get("/api/v3/chats").await;
    assert!(users["data"].is_array());

    // Only an organization admin may, and only in dev mode.
    let (ok, token, err) = cliqd(&[
        "token",
        "create",
        "--user",
        "scott.fisher@zylker.com",
        "--scopes",
        "all",
        "--data",
        data_s,
    ]);
    assert!(ok, "{err}");
    let member = Api {
        token: token.trim().to_string(),
        ..Api::new(&base, &data)
    };
    let (status, _) = member.post("/cliqd/dev/reset", json!({})).await;
    assert_eq!(status, 403);
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut plain, base) = start_with(&data, &[]);
    let api = Api::new(&base, &data);
    let (status, _) = api.post("/cliqd/dev/reset", json!({})).await;
    assert_eq!(status, 404);
    plain.kill().unwrap();
    plain.wait().unwrap();

    // With no server, the directory itself is restored and reset.
    let (ok, out, err) = cliqd(&["snapshot", "restore", "helpdesk", "--data", data_s]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "Restored snapshot helpdesk.");
    let (ok, out, err) = cliqd(&["reset", "--data", data_s]);
    assert!(ok, "{err}");
    assert!(out.contains("initial snapshot"), "{out}");
}

/// One seeded run: a fresh server, the example applied, a message to the bot and its reply.
async fn seeded_run(seed: &str) -> (String, Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, base) = start_with(&data, &["--dev", "--seed", seed]);
    let api = Api::new(&base, &data);
    let (ok, _, err) = against(
        &base,
        &data,
        &["apply", example_project().to_str().unwrap()],
    );
    assert!(ok, "{err}");
    let bots = api.get("/api/v3/bots").await;
    let (_, sub) = api.post("/api/v3/bots/helpdesk/subscribe", json!({})).await;
    let chat = sub["chat_id"].as_str().unwrap().to_string();
    // Handlers run asynchronously: a run's reply is awaited before the next request, so the
    // order of writes (and so every id and time) is the same each run.
    let messages = |n: usize| {
        let (api, chat) = (&api, &chat);
        async move {
            for _ in 0..100 {
                let m = api
                    .get(&format!("/api/v2/chats/{chat}/messages?fromtime=0"))
                    .await;
                if m["data"].as_array().unwrap().len() >= n {
                    return m;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("fewer than {n} messages in {chat}");
        }
    };
    messages(1).await; // the welcome
    let (status, _) = api
        .post(
            &format!("/api/v3/chats/{chat}/messages"),
            json!({"text": "hello"}),
        )
        .await;
    assert_eq!(status, 204);
    let messages = messages(3).await;
    // The card's button opens the ticket form: its session id (form_id) is seeded too.
    let card = messages["data"][2]["id"].as_str().unwrap().to_string();
    let (status, form) = api
        .post(
            &format!("/api/v3/chats/{chat}/messages/{card}/click"),
            json!({"button": "buttons[0]"}),
        )
        .await;
    assert_eq!(status, 200, "{form}");
    assert!(form.to_string().contains("form_id"), "{form}");
    child.kill().unwrap();
    child.wait().unwrap();
    (api.token, bots, json!({"messages": messages, "form": form}))
}

#[tokio::test]
async fn seeded_runs_repeat_ids_times_and_token() {
    let (token_a, bots_a, messages_a) = seeded_run("7").await;
    let (token_b, bots_b, messages_b) = seeded_run("7").await;
    assert_eq!(token_a, token_b);
    assert_eq!(bots_a, bots_b);
    assert_eq!(messages_a, messages_b);
    assert_eq!(
        messages_a["messages"]["data"].as_array().unwrap().len(),
        3,
        "{messages_a}"
    );
    let (token_c, _, _) = seeded_run("8").await;
    assert_ne!(token_a, token_c);
}

#[test]
fn the_ci_example_runs() {
    let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    if !have("bash") || !have("curl") {
        eprintln!("skipped: bash and curl are needed to run examples/ci.sh");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci.sh");
    let out = Command::new("bash")
        .arg(script)
        .env("CLIQD", env!("CARGO_BIN_EXE_cliqd"))
        .env("PORT", port.to_string())
        .env_remove("CLIQD_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("CI example: all tests passed"), "{stdout}");
}
