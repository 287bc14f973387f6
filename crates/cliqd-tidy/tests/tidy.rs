//! The repository's habits, read from its files: every Rust file starts with `//!` and has at
//! most 1,000 lines; SQL stays in the store crates (`crates/cliqd-store*`) and `reqwest` in
//! `crates/cliqd-outbound` (test and example code may use it as the client that drives the
//! server); every crate inherits the workspace lints; relative Markdown links resolve to files
//! of the repository; nothing points at the upstream documents beside the repository. Each
//! failure names the file and the line.

use std::path::{Component, Path, PathBuf};

/// The longest a Rust source file may be.
const MAX_LINES: usize = 1000;

/// Needles assembled from pieces so that this file does not match its own checks.
/// The upstream documents' directory beside the repository, and its folders named from anywhere.
const UPSTREAM_PATHS: [&str; 4] = [
    concat!("..", "/shared"),
    concat!("shared", "/spec/"),
    concat!("shared", "/docs/"),
    concat!("shared", "/conformance/"),
];
const SQLITE_CRATE: &str = concat!("rus", "qlite");
const HTTP_CLIENT_CRATE: &str = concat!("req", "west");

/// One text file of the repository, `rel` with `/` separators.
struct RepoFile {
    rel: String,
    text: String,
}

impl RepoFile {
    fn ext(&self) -> &str {
        self.rel.rsplit_once('.').map_or("", |(_, e)| e)
    }

    fn is_rust(&self) -> bool {
        self.ext() == "rs"
    }

    fn is_manifest(&self) -> bool {
        self.rel == "Cargo.toml" || self.rel.ends_with("/Cargo.toml")
    }

    fn under(&self, prefix: &str) -> bool {
        self.rel.starts_with(prefix)
    }

    /// Test, example and benchmark code: harnesses that drive the product from outside.
    fn is_harness(&self) -> bool {
        self.rel
            .split('/')
            .any(|c| matches!(c, "tests" | "examples" | "benches"))
    }

    /// `(line number, line)` from 1.
    fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text.lines().enumerate().map(|(i, l)| (i + 1, l))
    }

    /// `(line number, [section] the line is in, line)` of a TOML file.
    fn toml_lines(&self) -> Vec<(usize, String, &str)> {
        let mut section = String::new();
        let mut out = Vec::new();
        for (n, line) in self.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                section = t.trim_matches(|c| c == '[' || c == ']').to_string();
            }
            out.push((n, section.clone(), line));
        }
        out
    }
}

fn root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..");
    dir.canonicalize().unwrap_or(dir)
}

/// Every `.rs`, `.md` and `.toml` file, skipping build output and hidden directories.
fn repo_files() -> Vec<RepoFile> {
    let root = root();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                // Build output, and what cargo-fuzz writes next to its targets.
                let skip = name.starts_with('.')
                    || name == "target"
                    || (dir.ends_with("fuzz") && (name == "corpus" || name == "artifacts"));
                if !skip {
                    stack.push(path);
                }
                continue;
            }
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("rs" | "md" | "toml")
            ) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(rel) = path.strip_prefix(&root) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(RepoFile { rel, text });
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    assert!(
        out.iter().any(|f| f.rel == "Cargo.toml") && out.iter().any(|f| f.is_rust()),
        "the walk from {} found no workspace",
        root.display()
    );
    out
}

#[track_caller]
fn assert_none(what: &str, failures: &[String]) {
    assert!(failures.is_empty(), "{what}:\n  {}", failures.join("\n  "));
}

#[test]
fn every_rust_file_starts_with_a_doc_comment() {
    let failures: Vec<String> = repo_files()
        .iter()
        .filter(|f| f.is_rust() && !f.text.starts_with("//!"))
        .map(|f| format!("{}:1: does not start with a `//!` doc comment", f.rel))
        .collect();
    assert_none("Rust files without a leading `//!` doc comment", &failures);
}

#[test]
fn no_rust_file_is_over_1000_lines() {
    let failures: Vec<String> = repo_files()
        .iter()
        .filter(|f| f.is_rust())
        .filter_map(|f| {
            let n = f.text.lines().count();
            (n > MAX_LINES).then(|| {
                format!(
                    "{}:{}: {n} lines, the limit is {MAX_LINES}: split it",
                    f.rel,
                    MAX_LINES + 1
                )
            })
        })
        .collect();
    assert_none("Rust files over 1,000 lines", &failures);
}

/// The SQL a line of Rust spells, if any: `SELECT`, `INSERT INTO`, `UPDATE … SET`,
/// `CREATE TABLE`.
fn sql_in(line: &str) -> Option<&'static str> {
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        match *w {
            "SELECT" => return Some("SELECT"),
            "INSERT" if next == Some("INTO") => return Some("INSERT INTO"),
            "CREATE" if next == Some("TABLE") => return Some("CREATE TABLE"),
            "UPDATE" if words.get(i + 2) == Some(&"SET") => return Some("UPDATE … SET"),
            _ => {}
        }
    }
    None
}

#[test]
fn sql_stays_in_the_store_crates() {
    let mut failures = Vec::new();
    for f in repo_files() {
        // This crate spells the SQL it looks for.
        if f.under("crates/cliqd-store") || f.under("crates/cliqd-tidy/") {
            continue;
        }
        if f.is_rust() {
            for (n, line) in f.lines() {
                if let Some(sql) = sql_in(line) {
                    failures.push(format!(
                        "{}:{n}: SQL ({sql}) outside the store crates",
                        f.rel
                    ));
                }
                if line.contains(SQLITE_CRATE) {
                    failures.push(format!(
                        "{}:{n}: {SQLITE_CRATE} outside the store crates",
                        f.rel
                    ));
                }
            }
        } else if f.is_manifest() {
            for (n, section, line) in f.toml_lines() {
                // The root manifest declares the version every crate shares.
                let declaration = f.rel == "Cargo.toml" && section == "workspace.dependencies";
                if line.contains(SQLITE_CRATE) && !declaration {
                    failures.push(format!(
                        "{}:{n}: {SQLITE_CRATE} outside the store crates",
                        f.rel
                    ));
                }
            }
        }
    }
    assert_none("SQL outside crates/cliqd-store*", &failures);
}

#[test]
fn outbound_http_stays_in_cliqd_outbound() {
    let mut failures = Vec::new();
    for f in repo_files() {
        if f.under("crates/cliqd-outbound/") {
            continue;
        }
        if f.is_rust() && !f.is_harness() {
            for (n, line) in f.lines() {
                if line.contains(HTTP_CLIENT_CRATE) {
                    failures.push(format!(
                        "{}:{n}: {HTTP_CLIENT_CRATE} outside crates/cliqd-outbound",
                        f.rel
                    ));
                }
            }
        } else if f.is_manifest() {
            for (n, section, line) in f.toml_lines() {
                let allowed = section == "dev-dependencies"
                    || (f.rel == "Cargo.toml" && section == "workspace.dependencies");
                if line.contains(HTTP_CLIENT_CRATE) && !allowed {
                    failures.push(format!(
                        "{}:{n}: {HTTP_CLIENT_CRATE} in [{section}] outside crates/cliqd-outbound \
                         (only [dev-dependencies] may use it, as a test client)",
                        f.rel
                    ));
                }
            }
        }
    }
    assert_none("outbound HTTP outside crates/cliqd-outbound", &failures);
}

#[test]
fn every_crate_inherits_the_workspace_lints() {
    let mut failures = Vec::new();
    for f in repo_files() {
        let is_member = f.under("crates/") && f.rel.matches('/').count() == 2 && f.is_manifest();
        if !is_member {
            continue;
        }
        let inherits = f.toml_lines().iter().any(|(_, section, line)| {
            section == "lints" && line.replace(' ', "") == "workspace=true"
        });
        if !inherits {
            failures.push(format!("{}:1: no `[lints] workspace = true`", f.rel));
        }
    }
    assert_none("crates that do not inherit [workspace.lints]", &failures);
}

#[test]
fn nothing_points_at_the_upstream_documents_beside_the_repository() {
    let mut failures = Vec::new();
    for f in repo_files() {
        for (n, line) in f.lines() {
            if let Some(path) = UPSTREAM_PATHS.iter().find(|p| line.contains(*p)) {
                failures.push(format!(
                    "{}:{n}: points at {path}…, outside the repository: a clone does not have \
                     it (cite public documentation by URL; the upstream suite finds the \
                     documents through CLIQD_UPSTREAM_DIR)",
                    f.rel
                ));
            }
        }
    }
    assert_none("references to files outside the repository", &failures);
}

/// `line` without its inline code spans, and the spans themselves.
fn split_code_spans(line: &str) -> (String, Vec<&str>) {
    let mut prose = String::new();
    let mut spans = Vec::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            prose.push_str(part);
            prose.push(' ');
        } else {
            spans.push(part);
        }
    }
    (prose, spans)
}

/// Link targets of a Markdown line (outside code): `[text](target)` and `[label]: target`.
fn link_targets(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = prose;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap_or(after.len());
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    let t = prose.trim_start();
    if t.starts_with('[')
        && let Some((_, target)) = t.split_once("]:")
    {
        out.push(target.to_string());
    }
    out.into_iter()
        .filter_map(|t| {
            let t = t.trim().trim_start_matches('<');
            let t = t
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('>');
            let external =
                t.is_empty() || t.starts_with('#') || t.contains("://") || t.starts_with("mailto:");
            (!external).then(|| t.split('#').next().unwrap_or("").to_string())
        })
        .collect()
}

/// `target` taken relative to `base` (a directory of the repository, relative), lexically:
/// `None` when it climbs out of the repository.
fn join_inside(base: &Path, target: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = base
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for c in Path::new(target).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[test]
fn markdown_links_resolve() {
    let root = root();
    let mut failures = Vec::new();
    for f in repo_files().iter().filter(|f| f.ext() == "md") {
        let dir = Path::new(&f.rel)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let mut fenced = false;
        for (n, line) in f.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced {
                continue;
            }
            let (prose, spans) = split_code_spans(line);
            for target in link_targets(&prose) {
                let exists = join_inside(&dir, &target).is_some_and(|p| root.join(p).exists());
                if !exists {
                    failures.push(format!(
                        "{}:{n}: link to {target}, which is not a file of the repository",
                        f.rel
                    ));
                }
            }
            // A Markdown file named in code (`docs/messaging.md`), from here or from the root.
            for span in spans {
                let named = span.split('#').next().unwrap_or("");
                if !named.ends_with(".md") || named.contains(char::is_whitespace) {
                    continue;
                }
                let exists = [dir.as_path(), Path::new("")]
                    .iter()
                    .any(|base| join_inside(base, named).is_some_and(|p| root.join(p).exists()));
                if !exists {
                    failures.push(format!(
                        "{}:{n}: names {named}, which is not a file of the repository",
                        f.rel
                    ));
                }
            }
        }
    }
    assert_none("Markdown links that do not resolve", &failures);
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(
        sql_in("conn.execute(\"INSERT INTO bots (id) VALUES (?1)\")"),
        Some("INSERT INTO")
    );
    assert_eq!(
        sql_in("\"UPDATE bots SET name = ?1\""),
        Some("UPDATE … SET")
    );
    assert_eq!(sql_in("select the UPDATE to send"), None);
    let (prose, spans) =
        split_code_spans("see [the guide](docs/a.md#x) and `b/c.md`, [web](https://x.y)");
    assert_eq!(link_targets(&prose), ["docs/a.md"]);
    assert_eq!(spans, ["b/c.md"]);
    assert_eq!(link_targets("[ref]: ../x.md \"title\""), ["../x.md"]);
    assert_eq!(
        join_inside(Path::new("docs"), "../README.md"),
        Some(PathBuf::from("README.md"))
    );
    assert_eq!(join_inside(Path::new("docs"), "../../elsewhere.md"), None);
}
