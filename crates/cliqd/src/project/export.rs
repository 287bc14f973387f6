//! `cliqd export DIR`: writes the components the token's user sees as a project folder —
//! `cliqd.toml` and one `.dg` file per Deluge handler — such that applying it back changes
//! nothing (the round trip is lossless for every field the API takes). Fields at their API
//! default are left out of the manifest.

use super::apply::{current_handler, handler_types, list, menus};
use super::manifest::{
    Bot, Function, Handler, HandlerData, Kind, MANIFEST, Manifest, MenuAction, MessageAction,
    SubAction, WebhookHandler,
};
use crate::server_client::ServerClient;
use anyhow::Context;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Writes the project folder; `force` replaces what an earlier export wrote there.
pub async fn export(client: &ServerClient, dir: &Path, force: bool) -> anyhow::Result<()> {
    let manifest_path = dir.join(MANIFEST);
    if manifest_path.exists() && !force {
        anyhow::bail!(
            "{} exists: export into an empty folder, or give --force to replace it (and the \
             bots/, functions/ and message_actions/ folders)",
            manifest_path.display()
        );
    }
    if force {
        for kind in Kind::ALL {
            let sub = dir.join(kind.folder());
            if sub.is_dir() {
                std::fs::remove_dir_all(&sub)
                    .with_context(|| format!("cannot remove {}", sub.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut writer = Files {
        dir,
        used: HashSet::new(),
        count: 0,
    };
    let mut manifest = Manifest::default();
    for kind in Kind::ALL {
        let mut all: Vec<Value> = list(client, kind).await?.into_values().collect();
        all.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        for obj in all {
            let name = text(&obj, "name");
            let folder = writer.folder(kind, &name);
            let id = text(&obj, "id");
            let mut handlers = BTreeMap::new();
            let webhook = obj["execution_type"] == "webhook";
            for ty in handler_types(&obj) {
                let data = match current_handler(client, kind, &id, &ty, None).await? {
                    Some(data) => data,
                    // A bot's handler exists because it was made: with no permissions, say.
                    None if kind == Kind::Bot && webhook => HandlerData::Permissions(Vec::new()),
                    // An empty default handler: as a new component has it.
                    None => continue,
                };
                handlers.insert(ty.clone(), writer.handler(&folder, &ty, data)?);
            }
            match kind {
                Kind::Bot => {
                    let mut menu_actions = Vec::new();
                    for (handler_id, menu, listed) in menus(&obj) {
                        let data =
                            current_handler(client, kind, &id, "menu_handler", Some(&handler_id))
                                .await?;
                        let (script, permissions) = match data {
                            Some(d) => match writer.handler(
                                &folder,
                                &format!("menu-{}", slug(&menu)),
                                d,
                            )? {
                                Handler::Script(f) => (Some(f), None),
                                Handler::Webhook(w) => (None, Some(w.permissions)),
                            },
                            None => (None, None),
                        };
                        menu_actions.push(MenuAction {
                            name: menu,
                            icon: opt(&listed, "icon"),
                            sub_actions: serde_json::from_value::<Vec<SubAction>>(
                                listed
                                    .get("sub_actions")
                                    .cloned()
                                    .unwrap_or(Value::Array(vec![])),
                            )
                            .unwrap_or_default(),
                            script,
                            permissions,
                        });
                    }
                    manifest.bots.push(Bot {
                        name,
                        description: text(&obj, "description"),
                        scope: non_default(&obj, "scope", "personal"),
                        team_ids: team_ids(&obj),
                        status_messages: strings(&obj, "status_messages"),
                        channel_participation: strings(&obj, "channel_participation"),
                        calls: non_default(&obj, "calls", "disabled"),
                        image: opt(&obj, "image"),
                        execution_type: non_default(&obj, "execution_type", "deluge"),
                        execution_url: opt(&obj, "execution_url"),
                        handlers,
                        menu_actions,
                    });
                }
                Kind::Function => manifest.functions.push(Function {
                    name,
                    description: text(&obj, "description"),
                    function_type: text(&obj, "function_type"),
                    execution_type: non_default(&obj, "execution_type", "deluge"),
                    execution_url: opt(&obj, "execution_url"),
                    handlers,
                }),
                Kind::MessageAction => {
                    let types = strings(&obj, "message_types");
                    let all_three = types.len() == 3;
                    manifest.message_actions.push(MessageAction {
                        name,
                        hint: text(&obj, "hint"),
                        scope: non_default(&obj, "scope", "personal"),
                        team_ids: team_ids(&obj),
                        multi_selectable: obj["multi_selectable"] == Value::Bool(true),
                        message_types: (!all_three).then_some(types),
                        image: opt(&obj, "image"),
                        execution_type: non_default(&obj, "execution_type", "deluge"),
                        execution_url: opt(&obj, "execution_url"),
                        handlers,
                    });
                }
            }
        }
    }
    let toml = toml::to_string_pretty(&manifest).context("cannot write the manifest")?;
    let header = "# A cliqd project: apply with `cliqd apply DIR` (format: docs/projects.md).\n\n";
    std::fs::write(&manifest_path, format!("{header}{toml}"))
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    println!(
        "Exported {} bots, {} functions and {} message actions ({} script files) to {}.",
        manifest.bots.len(),
        manifest.functions.len(),
        manifest.message_actions.len(),
        writer.count,
        dir.display()
    );
    Ok(())
}

/// Script files being written, each folder name used once.
struct Files<'a> {
    dir: &'a Path,
    used: HashSet<String>,
    count: usize,
}

impl Files<'_> {
    /// `bots/<slug>` for a component, unique among those written.
    fn folder(&mut self, kind: Kind, name: &str) -> String {
        let base = format!("{}/{}", kind.folder(), slug(name));
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.used.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }

    /// A handler's manifest entry, writing its script to `<folder>/<stem>.dg`.
    fn handler(&mut self, folder: &str, stem: &str, data: HandlerData) -> anyhow::Result<Handler> {
        match data {
            HandlerData::Permissions(permissions) => {
                Ok(Handler::Webhook(WebhookHandler { permissions }))
            }
            HandlerData::Script(script) => {
                let rel = format!("{folder}/{stem}.dg");
                let path = self.dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                std::fs::write(&path, script)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                self.count += 1;
                Ok(Handler::Script(rel))
            }
        }
    }
}

/// A file-name-safe form of a name: lower-case ASCII letters and digits, `-` between words.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "component".into()
    } else {
        out
    }
}

fn text(obj: &Value, key: &str) -> String {
    obj[key].as_str().unwrap_or_default().to_string()
}

fn opt(obj: &Value, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_string)
}

fn non_default(obj: &Value, key: &str, default: &str) -> Option<String> {
    opt(obj, key).filter(|v| v != default)
}

fn strings(obj: &Value, key: &str) -> Vec<String> {
    obj[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn team_ids(obj: &Value) -> Vec<i64> {
    obj["team_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("Help Desk!"), "help-desk");
        assert_eq!(slug("  "), "component");
        assert_eq!(slug("Ünïcode bot"), "n-code-bot");
    }
}
