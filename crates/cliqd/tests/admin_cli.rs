//! The admin commands validate what they are given (emails, scope names), `token revoke`
//! revokes, and `cliqd deluge check` checks every file it can read.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cliqd_store_sqlite::SqliteStore;
use std::path::Path;
use std::process::{Command, Output};

fn cliqd(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("CLIQD_DATA")
        .env_remove("CLIQD_DATABASE")
        .output()
        .expect("cliqd runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn admin_commands_validate_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    SqliteStore::open(dir.path()).unwrap().close();
    let bad = cliqd(
        &[
            "orgs",
            "add",
            "--name",
            "Acme",
            "--admin-email",
            "not-an-email",
        ],
        dir.path(),
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("is not an email address"), "{bad:?}");
    let ok = cliqd(
        &[
            "orgs",
            "add",
            "--name",
            "Acme",
            "--admin-email",
            "dev@acme.com",
        ],
        dir.path(),
    );
    assert!(ok.status.success(), "{ok:?}");
    assert!(stderr(&ok).contains("Created organization Acme"), "{ok:?}");

    let unknown = cliqd(
        &[
            "token",
            "create",
            "--user",
            "dev@acme.com",
            "--scopes",
            "ZohoCliq.Bots.READ,ZohoCliq.Bots.Fly",
        ],
        dir.path(),
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("unknown scope `ZohoCliq.Bots.Fly`"),
        "{unknown:?}"
    );
    let made = cliqd(
        &[
            "token",
            "create",
            "--user",
            "dev@acme.com",
            "--scopes",
            "zohocliq.bots.read,ZohoCliq.Channels.ALL",
        ],
        dir.path(),
    );
    assert!(made.status.success(), "{made:?}");
    let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
    let revoked = cliqd(&["token", "revoke", "--token", &token], dir.path());
    assert!(revoked.status.success(), "{revoked:?}");
    let again = cliqd(&["token", "revoke", "--token", "1000.nope"], dir.path());
    assert!(!again.status.success());
    assert!(stderr(&again).contains("no such token"), "{again:?}");

    let stdout = |o: &Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let orgs = cliqd(&["orgs", "list"], dir.path());
    assert!(stdout(&orgs).contains("\tAcme"), "{orgs:?}");
    let users = cliqd(&["users", "list"], dir.path());
    assert!(stdout(&users).contains("dev@acme.com"), "{users:?}");
    let tokens = cliqd(&["token", "list"], dir.path());
    assert!(stdout(&tokens).contains("\trevoked\t"), "{tokens:?}");
    let added = cliqd(
        &[
            "teams",
            "add",
            "--name",
            "Core",
            "--members",
            "dev@acme.com",
        ],
        dir.path(),
    );
    assert!(added.status.success(), "{added:?}");
    assert!(stdout(&cliqd(&["teams", "list"], dir.path())).contains("\tCore\t"));
    let client = cliqd(
        &[
            "clients",
            "add",
            "--name",
            "ci",
            "--user",
            "dev@acme.com",
            "--scopes",
            "all",
        ],
        dir.path(),
    );
    assert!(client.status.success(), "{client:?}");
    let id = stdout(&client)
        .lines()
        .find_map(|l| l.strip_prefix("client_id=").map(str::to_string))
        .unwrap();
    assert!(stdout(&cliqd(&["clients", "list"], dir.path())).contains(&id));
    let revoke = cliqd(&["clients", "revoke", "--client-id", &id], dir.path());
    assert!(revoke.status.success(), "{revoke:?}");
    assert!(!stdout(&cliqd(&["clients", "list"], dir.path())).contains(&id));
    let no_org = cliqd(&["users", "list", "--org", "42"], dir.path());
    assert!(!no_org.status.success());
    assert!(
        stderr(&no_org).contains("no organization with ID 42"),
        "{no_org:?}"
    );
}

#[test]
fn deluge_check_checks_every_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.dg");
    let b = dir.path().join("b.dg");
    std::fs::write(&a, "x = 1;\nreturn x;\n").unwrap();
    std::fs::write(&b, "return {\"text\": \"hi\"};\n").unwrap();
    let missing = dir.path().join("missing.dg");
    let out = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(["deluge", "check"])
        .args([&a, &missing, &b])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("a.dg: ok") && stdout.contains("b.dg: ok"),
        "{stdout}"
    );
    assert!(stderr(&out).contains("missing.dg: cannot read"), "{out:?}");
}
