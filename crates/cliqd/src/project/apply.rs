//! `cliqd apply DIR`: makes the server's components what the folder says, through the HTTP API
//! (the same validation and domain code every client meets), and prints each change.
//!
//! Components are matched by kind and name (case-insensitive, as Cliq's names are unique).
//! A component's fields are compared with what the server shows and only the differing ones
//! are sent; each handler's script (or permissions) likewise. Handlers the folder no longer
//! names are removed (a function's default handler is emptied, as `DELETE` does; a message
//! action's `execution_handler` cannot be removed and is reported). `--prune` deletes the
//! components of these kinds that the folder does not name. Applying the same folder twice
//! changes nothing the second time.

use super::manifest::{HandlerData, Kind, Wanted, WantedMenu};
use crate::server_client::{Answer, ServerClient};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// One change made (or refused), as printed.
#[derive(Debug, Default)]
pub struct Report {
    pub changes: Vec<String>,
    pub failures: Vec<String>,
}

impl Report {
    fn change(&mut self, line: String) {
        println!("{line}");
        self.changes.push(line);
    }

    fn fail(&mut self, line: String) {
        eprintln!("error: {line}");
        self.failures.push(line);
    }

    /// A request's outcome: `done` when it succeeded, else `cannot <attempted>: <why>`. True
    /// when it succeeded.
    fn outcome(&mut self, answer: &Answer, done: String, attempted: String) -> bool {
        if answer.ok() {
            self.change(done);
        } else {
            self.fail(format!("cannot {attempted}: {}", answer.refusal()));
        }
        answer.ok()
    }
}

/// Every component of `kind` the token's user sees, by lower-cased name.
pub async fn list(client: &ServerClient, kind: Kind) -> anyhow::Result<HashMap<String, Value>> {
    let mut out = HashMap::new();
    let mut next: Option<String> = None;
    loop {
        let mut query = vec![("limit", "50")];
        if let Some(t) = &next {
            query.push(("next_token", t.as_str()));
        }
        let what = format!("cannot list {}", kind.path());
        let body = client
            .expect(&what, "GET", &["api", "v3", kind.path()], &query, None)
            .await?;
        for c in body["data"].as_array().into_iter().flatten() {
            if let Some(name) = c["name"].as_str() {
                out.insert(name.to_lowercase(), c.clone());
            }
        }
        match body["next_token"].as_str() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// What a handler holds now: `None` when it is unconfigured (an empty default handler).
pub async fn current_handler(
    client: &ServerClient,
    kind: Kind,
    id: &str,
    handler_type: &str,
    handler_id: Option<&str>,
) -> anyhow::Result<Option<HandlerData>> {
    let query: Vec<(&str, &str)> = handler_id.map(|h| ("handler_id", h)).into_iter().collect();
    let body = client
        .expect(
            &format!("cannot read {handler_type} of {} {id}", kind.noun()),
            "GET",
            &["api", "v3", kind.path(), id, "handlers", handler_type],
            &query,
            None,
        )
        .await?;
    let data = &body["data"];
    if let Some(script) = data["script"].as_str()
        && !script.is_empty()
    {
        return Ok(Some(HandlerData::Script(script.to_string())));
    }
    if let Some(perms) = data["permissions"].as_array() {
        let perms: Vec<String> = perms
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect();
        if !perms.is_empty() {
            return Ok(Some(HandlerData::Permissions(perms)));
        }
    }
    Ok(None)
}

/// The handler types a component's object lists (menu actions apart).
pub fn handler_types(obj: &Value) -> Vec<String> {
    obj["handlers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["type"].as_str())
        .filter(|t| *t != "menu_handler")
        .map(str::to_string)
        .collect()
}

/// The bot's menu actions as its object lists them: (handler id, name, the listed object).
pub fn menus(obj: &Value) -> Vec<(String, String, Value)> {
    obj["handlers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["type"] == "menu_handler")
        .filter_map(|h| {
            Some((
                h["id"].as_str()?.to_string(),
                h["name"].as_str()?.to_string(),
                h.clone(),
            ))
        })
        .collect()
}

/// Applies `wanted` through `client`; with `prune`, deletes what the folder does not name.
pub async fn apply(
    client: &ServerClient,
    wanted: &[Wanted],
    prune: bool,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    for kind in Kind::ALL {
        let mut current = list(client, kind).await?;
        for w in wanted.iter().filter(|w| w.kind == kind) {
            match current.remove(&w.name.to_lowercase()) {
                Some(obj) => update(client, w, &obj, &mut report).await?,
                None => create(client, w, &mut report).await?,
            }
        }
        if prune {
            let mut left: Vec<(String, Value)> = current.into_iter().collect();
            left.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, obj) in left {
                let id = obj["id"].as_str().unwrap_or_default();
                let name = obj["name"].as_str().unwrap_or_default();
                let answer = client
                    .call("DELETE", &["api", "v3", kind.path(), id], &[], None)
                    .await?;
                let subject = format!("{} {name}", kind.noun());
                report.outcome(
                    &answer,
                    format!("deleted {subject}"),
                    format!("delete {subject}"),
                );
            }
        }
    }
    Ok(report)
}

async fn create(client: &ServerClient, w: &Wanted, report: &mut Report) -> anyhow::Result<()> {
    let body = Value::Object(w.fields.clone());
    let answer = client
        .call("POST", &["api", "v3", w.kind.path()], &[], Some(&body))
        .await?;
    let subject = format!("{} {}", w.kind.noun(), w.name);
    if !report.outcome(
        &answer,
        format!("created {subject}"),
        format!("create {subject}"),
    ) {
        return Ok(());
    }
    let obj = &answer.body["data"];
    handlers(client, w, obj, report).await
}

async fn update(
    client: &ServerClient,
    w: &Wanted,
    obj: &Value,
    report: &mut Report,
) -> anyhow::Result<()> {
    let id = obj["id"].as_str().unwrap_or_default().to_string();
    let mut patch = Map::new();
    for (key, want) in &w.fields {
        // (A name differing only in case is sent: the folder's spelling wins.)
        if &obj[key.as_str()] != want {
            patch.insert(key.clone(), want.clone());
        }
    }
    if let Some(field) = w.immutable.iter().find(|f| patch.contains_key(**f)) {
        report.fail(format!(
            "{} {}: {field} cannot change after creation (it is {}; the folder says {}): \
             delete it, or rename it in the folder and apply with --prune",
            w.kind.noun(),
            w.name,
            obj[*field],
            w.fields[*field]
        ));
        return Ok(());
    }
    if !patch.is_empty() {
        let keys: Vec<String> = patch.keys().cloned().collect();
        let answer = client
            .call(
                "PATCH",
                &["api", "v3", w.kind.path(), &id],
                &[],
                Some(&Value::Object(patch)),
            )
            .await?;
        let subject = format!("{} {}", w.kind.noun(), w.name);
        let done = format!("updated {subject} ({})", keys.join(", "));
        if !report.outcome(&answer, done, format!("update {subject}")) {
            return Ok(());
        }
    }
    handlers(client, w, obj, report).await
}

/// Makes the component's handlers (`obj` is its object as the server last showed it) what
/// `w` wants.
async fn handlers(
    client: &ServerClient,
    w: &Wanted,
    obj: &Value,
    report: &mut Report,
) -> anyhow::Result<()> {
    let id = obj["id"].as_str().unwrap_or_default().to_string();
    let present = handler_types(obj);
    let label = |ty: &str| format!("{} {}: {ty}", w.kind.noun(), w.name);
    for (ty, want) in &w.handlers {
        let now = if present.contains(ty) {
            current_handler(client, w.kind, &id, ty, None).await?
        } else {
            None
        };
        // An empty handler reads back as unconfigured: the API shows no difference.
        let same = present.contains(ty)
            && match (&now, want) {
                (Some(now), want) => now == want,
                (None, HandlerData::Permissions(p)) => p.is_empty(),
                (None, HandlerData::Script(s)) => s.is_empty(),
            };
        if same {
            continue;
        }
        let mut body = want.body();
        // A listed handler is updated in place (a function's default one is listed empty);
        // a bot's missing one is created. Functions configure theirs with a create.
        let (method, segments): (&str, Vec<&str>) =
            if present.contains(ty) && !(w.kind == Kind::Function && now.is_none()) {
                (
                    "PATCH",
                    vec!["api", "v3", w.kind.path(), &id, "handlers", ty],
                )
            } else {
                body.insert("type".into(), ty.clone().into());
                ("POST", vec!["api", "v3", w.kind.path(), &id, "handlers"])
            };
        let answer = client
            .call(method, &segments, &[], Some(&Value::Object(body)))
            .await?;
        let verb = if now.is_some() { "updated" } else { "set" };
        report.outcome(
            &answer,
            format!("{verb} {}", label(ty)),
            format!("set {}", label(ty)),
        );
    }
    for ty in present.iter().filter(|t| !w.handlers.contains_key(*t)) {
        // An empty default handler (functions, message actions) has nothing to remove; a
        // bot's handlers all exist because they were made, empty permissions or not.
        if w.kind != Kind::Bot
            && current_handler(client, w.kind, &id, ty, None)
                .await?
                .is_none()
        {
            continue;
        }
        if w.kind == Kind::MessageAction {
            report.fail(format!(
                "{}: a message action's execution_handler cannot be removed (Cliq has no \
                 DELETE for it); give it a script in the folder",
                label(ty)
            ));
            continue;
        }
        let answer = client
            .call(
                "DELETE",
                &["api", "v3", w.kind.path(), &id, "handlers", ty],
                &[],
                None,
            )
            .await?;
        report.outcome(
            &answer,
            format!("removed {}", label(ty)),
            format!("remove {}", label(ty)),
        );
    }
    if w.kind == Kind::Bot {
        menu_actions(client, w, &id, obj, report).await?;
    }
    Ok(())
}

async fn menu_actions(
    client: &ServerClient,
    w: &Wanted,
    id: &str,
    obj: &Value,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut existing = menus(obj);
    let path = ["api", "v3", "bots", id, "handlers", "menu_handler"];
    for m in &w.menus {
        let label = format!("bot {}: menu action {}", w.name, m.name);
        let found = existing
            .iter()
            .position(|(_, name, _)| name.eq_ignore_ascii_case(&m.name));
        let Some(i) = found else {
            let mut body = menu_body(m);
            body.insert("type".into(), "menu_handler".into());
            let answer = client
                .call(
                    "POST",
                    &["api", "v3", "bots", id, "handlers"],
                    &[],
                    Some(&Value::Object(body)),
                )
                .await?;
            report.outcome(&answer, format!("set {label}"), format!("set {label}"));
            continue;
        };
        let (handler_id, _, listed) = existing.remove(i);
        let now = current_handler(client, Kind::Bot, id, "menu_handler", Some(&handler_id)).await?;
        let same = now == m.data
            && listed.get("icon").and_then(Value::as_str) == m.icon.as_deref()
            && listed.get("sub_actions").cloned().unwrap_or(json!([])) == json!(m.sub_actions);
        if same {
            continue;
        }
        let answer = client
            .call(
                "PATCH",
                &path,
                &[("handler_id", handler_id.as_str())],
                Some(&Value::Object(menu_body(m))),
            )
            .await?;
        report.outcome(
            &answer,
            format!("updated {label}"),
            format!("update {label}"),
        );
    }
    for (handler_id, name, _) in existing {
        let answer = client
            .call(
                "DELETE",
                &path,
                &[("handler_id", handler_id.as_str())],
                None,
            )
            .await?;
        let label = format!("bot {}: menu action {name}", w.name);
        report.outcome(
            &answer,
            format!("removed {label}"),
            format!("remove {label}"),
        );
    }
    Ok(())
}

fn menu_body(m: &WantedMenu) -> Map<String, Value> {
    let mut body = m.data.as_ref().map(HandlerData::body).unwrap_or_default();
    body.insert("name".into(), m.name.clone().into());
    if let Some(icon) = &m.icon {
        body.insert("icon".into(), icon.clone().into());
    }
    body.insert("sub_actions".into(), json!(m.sub_actions));
    body
}
