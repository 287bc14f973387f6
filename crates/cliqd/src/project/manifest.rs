//! The project folder's manifest, `cliqd.toml`: the organization's bots, functions and message
//! actions with their fields, and per handler a Deluge script file (a path relative to the
//! folder) or, for webhook components, the handler's permissions. The format is documented in
//! `docs/projects.md`; `examples/project/` is a complete folder.
//!
//! Loading reads every script and checks it with the Deluge parser, so a broken script is
//! reported with its file, line and column before anything is sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest's file name in a project folder.
pub const MANIFEST: &str = "cliqd.toml";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bots: Vec<Bot>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_actions: Vec<MessageAction>,
}

/// A handler: its script's file, or (webhook components) the data it may receive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Handler {
    /// A `.dg` file, relative to the project folder.
    Script(String),
    /// A webhook component's handler: the permissions it is granted.
    Webhook(WebhookHandler),
}

/// A webhook component's handler in the manifest: `{ permissions = [...] }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookHandler {
    pub permissions: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team_ids: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_messages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_participation: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub handlers: BTreeMap<String, Handler>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub menu_actions: Vec<MenuAction>,
}

/// A bot's menu action (`menu_handler`), known by its name.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuAction {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_actions: Vec<SubAction>,
    /// The script file (Deluge bots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// The permissions (webhook bots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubAction {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub name: String,
    pub description: String,
    /// `button`, `form` or `widget_button`.
    pub function_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub handlers: BTreeMap<String, Handler>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageAction {
    pub name: String,
    pub hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team_ids: Vec<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_selectable: bool,
    /// Default: all three (`text`, `link`, `attachment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub handlers: BTreeMap<String, Handler>,
}

/// The three component kinds a project holds, with their API path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bot,
    Function,
    MessageAction,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Bot, Kind::Function, Kind::MessageAction];

    pub fn path(self) -> &'static str {
        match self {
            Kind::Bot => "bots",
            Kind::Function => "functions",
            Kind::MessageAction => "messageactions",
        }
    }

    /// Singular, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Bot => "bot",
            Kind::Function => "function",
            Kind::MessageAction => "message action",
        }
    }

    /// The folder export writes its scripts in.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Bot => "bots",
            Kind::Function => "functions",
            Kind::MessageAction => "message_actions",
        }
    }
}

/// What a handler should hold, read from its file.
#[derive(Debug, Clone, PartialEq)]
pub enum HandlerData {
    Script(String),
    Permissions(Vec<String>),
}

impl HandlerData {
    /// The handler request body's data.
    pub fn body(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self {
            HandlerData::Script(s) => m.insert("script".into(), s.clone().into()),
            HandlerData::Permissions(p) => m.insert("permissions".into(), json!(p)),
        };
        m
    }
}

/// A menu action as wanted.
#[derive(Debug, Clone)]
pub struct WantedMenu {
    pub name: String,
    pub icon: Option<String>,
    pub sub_actions: Vec<SubAction>,
    pub data: Option<HandlerData>,
}

/// One component as the folder wants it: the fields to compare and send, and its handlers.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub kind: Kind,
    pub name: String,
    /// Every field the API takes, with the API's default where the manifest says nothing.
    pub fields: Map<String, Value>,
    /// Fields the API cannot change after creation.
    pub immutable: &'static [&'static str],
    pub handlers: BTreeMap<String, HandlerData>,
    pub menus: Vec<WantedMenu>,
}

/// Everything wrong with a folder, each with where it is.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<String>);

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

/// Reads `dir`'s manifest and scripts into the components it wants; every problem found
/// (TOML syntax with its line and column, a missing file, a script's parse errors with file,
/// line and column, a name given twice) is reported, not just the first.
pub fn load(dir: &Path) -> Result<Vec<Wanted>, Problems> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Problems(vec![format!("{}: {e}", path.display())]))?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| {
        Problems(vec![format!(
            "{}: {}",
            path.display(),
            e.to_string().trim()
        )])
    })?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for b in &manifest.bots {
        let handlers = read_handlers(dir, Kind::Bot, &b.name, &b.handlers, &mut problems);
        let mut fields = Map::new();
        fields.insert("name".into(), b.name.clone().into());
        fields.insert("description".into(), b.description.clone().into());
        scope_fields(&mut fields, b.scope.as_deref(), &b.team_ids);
        fields.insert("status_messages".into(), json!(b.status_messages));
        fields.insert(
            "channel_participation".into(),
            json!(b.channel_participation),
        );
        fields.insert(
            "calls".into(),
            b.calls.clone().unwrap_or_else(|| "disabled".into()).into(),
        );
        optional(&mut fields, "image", &b.image);
        execution_fields(&mut fields, &b.execution_type, &b.execution_url);
        let mut menus = Vec::new();
        for m in &b.menu_actions {
            let data = match (&m.script, &m.permissions) {
                (Some(file), _) => read_script(dir, file, &mut problems),
                (None, Some(p)) => Some(HandlerData::Permissions(p.clone())),
                (None, None) => None,
            };
            menus.push(WantedMenu {
                name: m.name.clone(),
                icon: m.icon.clone(),
                sub_actions: m.sub_actions.clone(),
                data,
            });
        }
        out.push(Wanted {
            kind: Kind::Bot,
            name: b.name.clone(),
            fields,
            immutable: &[],
            handlers,
            menus,
        });
    }
    for f in &manifest.functions {
        let handlers = read_handlers(dir, Kind::Function, &f.name, &f.handlers, &mut problems);
        let mut fields = Map::new();
        fields.insert("name".into(), f.name.clone().into());
        fields.insert("description".into(), f.description.clone().into());
        fields.insert("function_type".into(), f.function_type.clone().into());
        execution_fields(&mut fields, &f.execution_type, &f.execution_url);
        out.push(Wanted {
            kind: Kind::Function,
            name: f.name.clone(),
            fields,
            immutable: &["function_type", "execution_type"],
            handlers,
            menus: Vec::new(),
        });
    }
    for a in &manifest.message_actions {
        let handlers = read_handlers(
            dir,
            Kind::MessageAction,
            &a.name,
            &a.handlers,
            &mut problems,
        );
        let mut fields = Map::new();
        fields.insert("name".into(), a.name.clone().into());
        fields.insert("hint".into(), a.hint.clone().into());
        scope_fields(&mut fields, a.scope.as_deref(), &a.team_ids);
        fields.insert("multi_selectable".into(), a.multi_selectable.into());
        let types = a
            .message_types
            .clone()
            .unwrap_or_else(|| vec!["text".into(), "link".into(), "attachment".into()]);
        fields.insert("message_types".into(), json!(types));
        optional(&mut fields, "image", &a.image);
        execution_fields(&mut fields, &a.execution_type, &a.execution_url);
        out.push(Wanted {
            kind: Kind::MessageAction,
            name: a.name.clone(),
            fields,
            immutable: &["execution_type"],
            handlers,
            menus: Vec::new(),
        });
    }
    for kind in Kind::ALL {
        let mut seen = std::collections::HashSet::new();
        for w in out.iter().filter(|w| w.kind == kind) {
            if !seen.insert(w.name.to_lowercase()) {
                problems.push(format!(
                    "{}: the {} {} is listed twice",
                    path.display(),
                    kind.noun(),
                    w.name
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Problems(problems))
    }
}

/// A component's handlers, read; problems are added for those that cannot be.
fn read_handlers(
    dir: &Path,
    kind: Kind,
    name: &str,
    handlers: &BTreeMap<String, Handler>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, HandlerData> {
    let mut map = BTreeMap::new();
    for (ty, h) in handlers {
        let data = match h {
            Handler::Script(file) => read_script(dir, file, problems),
            Handler::Webhook(w) => Some(HandlerData::Permissions(w.permissions.clone())),
        };
        match data {
            Some(d) => {
                map.insert(ty.clone(), d);
            }
            None => problems.push(format!("  (the {} {name}'s {ty})", kind.noun())),
        }
    }
    map
}

fn scope_fields(fields: &mut Map<String, Value>, scope: Option<&str>, team_ids: &[i64]) {
    let scope = scope.unwrap_or("personal");
    fields.insert("scope".into(), scope.into());
    if scope == "team" {
        fields.insert("team_ids".into(), json!(team_ids));
    }
}

fn execution_fields(fields: &mut Map<String, Value>, ty: &Option<String>, url: &Option<String>) {
    fields.insert(
        "execution_type".into(),
        ty.clone().unwrap_or_else(|| "deluge".into()).into(),
    );
    optional(fields, "execution_url", url);
}

fn optional(fields: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        fields.insert(key.into(), v.clone().into());
    }
}

/// A script file's text, checked by the Deluge parser; problems name the file, line and
/// column.
fn read_script(dir: &Path, file: &str, problems: &mut Vec<String>) -> Option<HandlerData> {
    let path: PathBuf = dir.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("{}: {e}", path.display()));
            return None;
        }
    };
    if let Err(diags) = deluge::Program::parse(&text) {
        for d in diags {
            problems.push(format!(
                "{}:{}:{}: {}",
                path.display(),
                d.line,
                d.column,
                d.message
            ));
        }
        return None;
    }
    Some(HandlerData::Script(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(manifest: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), manifest).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn defaults_fill_what_the_manifest_leaves_out() {
        let dir = folder(
            "[[bots]]\nname = \"B\"\ndescription = \"d\"\n[bots.handlers]\nmessage_handler = \"m.dg\"\n\
             [[message_actions]]\nname = \"A\"\nhint = \"h\"\n\
             [message_actions.handlers]\nexecution_handler = { permissions = [\"user\"] }\n",
            &[("m.dg", "return {\"text\": \"hi\"};")],
        );
        let wanted = load(dir.path()).unwrap();
        let bot = &wanted[0];
        assert_eq!(bot.fields["scope"], "personal");
        assert_eq!(bot.fields["calls"], "disabled");
        assert_eq!(bot.fields["execution_type"], "deluge");
        assert!(!bot.fields.contains_key("image"));
        assert_eq!(
            bot.handlers["message_handler"],
            HandlerData::Script("return {\"text\": \"hi\"};".into())
        );
        let action = &wanted[1];
        assert_eq!(
            action.fields["message_types"],
            json!(["text", "link", "attachment"])
        );
        assert_eq!(
            action.handlers["execution_handler"],
            HandlerData::Permissions(vec!["user".into()])
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let dir = folder(
            "[[bots]]\nname = \"B\"\ndescription = \"d\"\n[bots.handlers]\n\
             message_handler = \"bad.dg\"\nwelcome_handler = \"missing.dg\"\n\
             [[bots]]\nname = \"b\"\ndescription = \"again\"\n",
            &[("bad.dg", "x = ;\n")],
        );
        let problems = load(dir.path()).unwrap_err().to_string();
        assert!(problems.contains("bad.dg:1:"), "{problems}");
        assert!(problems.contains("missing.dg"), "{problems}");
        assert!(problems.contains("the bot b is listed twice"), "{problems}");

        for (manifest, what) in [
            (
                "[[bots]]\nname = \"B\"\ndescription = \"d\"\ncolour = \"red\"\n",
                "colour",
            ),
            (
                "[[functions]]\nname = \"F\"\ndescription = \"d\"\n",
                "function_type",
            ),
            (
                "[[bots]]\nname = \"B\"\ndescription = \"d\"\n[bots.handlers]\n\
                 message_handler = { permissions = [], extra = 1 }\n",
                "message_handler",
            ),
        ] {
            let dir = folder(manifest, &[]);
            let problems = load(dir.path()).unwrap_err().to_string();
            assert!(problems.contains(MANIFEST), "{problems}");
            assert!(
                problems.contains(what) || problems.contains("line"),
                "{what}: {problems}"
            );
        }
    }
}
