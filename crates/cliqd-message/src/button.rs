//! Buttons (message, card, slide and instant buttons), their actions and confirm dialogs.

use serde_json::{Map, Value};

use crate::error::{Errors, Path, codes};
use crate::model::{Action, ActionKind, Button, ButtonStyle, Confirm, Emotion, Reference};
use crate::read::Fields;
use crate::read::{
    self, OPEN_URL, UNLIMITED, WEB_URL, array, extras, lookup, object, one_of, opt_bool,
    opt_string, req_string,
};

pub(crate) const MAX_BUTTONS: usize = 5;
/// The buttons page says 20, the cards page 30; the larger is accepted (Zoho's pages disagree).
pub(crate) const LABEL_MAX: usize = 30;
const HINT_MAX: usize = 100;
const KEY_MAX: usize = 100;
const OPEN_URL_MAX: usize = 256;
const PREVIEW_URL_MAX: usize = 500;
const COPY_TEXT_MAX: usize = 200;

/// Where a button sits; instant buttons allow fewer action types.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Regular,
    Instant,
}

const INSTANT_ACTIONS: [&str; 3] = ["invoke.function", "system.api", "copy"];

/// A `buttons` array of at most `MAX_BUTTONS`; each element validated.
pub(crate) fn buttons(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Vec<Button> {
    let Some(items) = array(v, path, errs) else {
        return Vec::new();
    };
    if items.len() > MAX_BUTTONS {
        errs.push(
            path,
            codes::BUTTON_LIMIT_EXCEEDED,
            format!(
                "at most {MAX_BUTTONS} buttons are allowed (got {})",
                items.len()
            ),
        );
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, b)| button(b, &path.index(i), Place::Regular, errs))
        .collect()
}

pub(crate) fn button(
    v: &Value,
    path: &Path<'_>,
    place: Place,
    errs: &mut Errors,
) -> Option<Button> {
    let map = object(v, path, errs)?;
    let label = req_string(map, &["label"], path, LABEL_MAX, errs);
    let style = map.present("type").and_then(|t| {
        one_of(
            t,
            &path.key("type"),
            &["+", "-"],
            codes::INVALID_FIELD_VALUE,
            errs,
        )
        .map(|s| {
            if s == "+" {
                ButtonStyle::Positive
            } else {
                ButtonStyle::Negative
            }
        })
    });
    let hint = opt_string(map, "hint", path, HINT_MAX, errs);
    let key = opt_string(map, "key", path, KEY_MAX, errs);
    let action = match lookup(map, &["action"]) {
        Some((_, a)) => action(a, &path.key("action"), place, errs),
        None => {
            errs.push(&path.key("action"), codes::FIELD_REQUIRED, "is required");
            None
        }
    };
    let arguments = map
        .present("arguments")
        .and_then(|a| object(a, &path.key("arguments"), errs).cloned());
    let extra = extras(
        map,
        &["label", "type", "hint", "key", "action", "arguments"],
    );
    Some(Button {
        label: label?,
        style,
        hint,
        key,
        action: action?,
        arguments,
        extra,
    })
}

fn action(v: &Value, path: &Path<'_>, place: Place, errs: &mut Errors) -> Option<Action> {
    let map = object(v, path, errs)?;
    let kind_name = req_string(map, &["type"], path, UNLIMITED, errs);
    let confirm = map
        .present("confirm")
        .and_then(|c| confirm(c, &path.key("confirm"), errs));
    let extra = extras(map, &["type", "data", "confirm"]);
    let kind_name = kind_name?;
    let type_path = path.key("type");
    let allowed: &[&str] = match place {
        Place::Regular => &ActionKind::ALL,
        Place::Instant => &INSTANT_ACTIONS,
    };
    if !allowed.contains(&kind_name.as_str()) {
        let msg = if ActionKind::ALL.contains(&kind_name.as_str()) {
            format!(
                "instant buttons allow only {} (got {:?})",
                INSTANT_ACTIONS.join(", "),
                kind_name
            )
        } else {
            format!(
                "must be one of {} (got {:?})",
                allowed.join(", "),
                read::truncate(&kind_name, 40)
            )
        };
        errs.push(&type_path, codes::INVALID_BUTTON_ACTION, msg);
        return None;
    }
    let data_path = path.key("data");
    let Some((_, data)) = lookup(map, &["data"]) else {
        errs.push(&data_path, codes::FIELD_REQUIRED, "is required");
        return None;
    };
    let data = object(data, &data_path, errs)?;
    let kind = action_kind(&kind_name, data, &data_path, errs)?;
    Some(Action {
        kind,
        confirm,
        extra,
    })
}

fn action_kind(
    name: &str,
    data: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<ActionKind> {
    match name {
        "invoke.function" => {
            let fname = req_string(data, &["name"], path, UNLIMITED, errs);
            let owner = opt_string(data, "owner", path, UNLIMITED, errs);
            let extra = extras(data, &["name", "owner"]);
            Some(ActionKind::InvokeFunction {
                name: fname?,
                owner,
                extra,
            })
        }
        "open.url" => {
            let mut ok = true;
            let mut get = |key: &'static str| -> Option<String> {
                let v = data.present(key)?;
                let r = read::url(v, &path.key(key), OPEN_URL_MAX, OPEN_URL, errs);
                ok &= r.is_some();
                r
            };
            let web = get("web");
            let windows = get("windows");
            let ios = get("iOS");
            let android = get("android");
            if ok && web.is_none() && windows.is_none() && ios.is_none() && android.is_none() {
                errs.push(
                    &path.key("web"),
                    codes::FIELD_REQUIRED,
                    "is required (or one of windows, iOS, android)",
                );
                return None;
            }
            let extra = extras(data, &["web", "windows", "iOS", "android"]);
            ok.then_some(ActionKind::OpenUrl {
                web,
                windows,
                ios,
                android,
                extra,
            })
        }
        "preview.url" => {
            // The buttons page says `url`, the cards page `web` (Zoho's pages disagree).
            let Some((key, v)) = lookup(data, &["url", "web"]) else {
                errs.push(&path.key("url"), codes::FIELD_REQUIRED, "is required");
                return None;
            };
            let url = read::url(v, &path.key(key), PREVIEW_URL_MAX, WEB_URL, errs);
            let mut extra = extras(data, &["url", "web"]);
            if key == "url" {
                // Both were sent: keep the unused `web` rather than drop it.
                if let Some(w) = data.field("web") {
                    extra.insert("web".into(), w.clone());
                }
            }
            Some(ActionKind::PreviewUrl { url: url?, extra })
        }
        "system.api" => {
            let api = req_string(data, &["api"], path, UNLIMITED, errs)?;
            if !system_api_ok(&api) {
                errs.push(
                    &path.key("api"),
                    codes::INVALID_FIELD_VALUE,
                    "must be audiocall/{zuid}, videocall/{zuid}, startchat/{zuid}, invite/{zuid}, \
                     joinchannel/{channel_id}, locationpermission or set_reminder",
                );
                return None;
            }
            let extra = extras(data, &["api"]);
            Some(ActionKind::SystemApi { api, extra })
        }
        "copy" => {
            let text = req_string(data, &["text"], path, COPY_TEXT_MAX, errs);
            let extra = extras(data, &["text"]);
            Some(ActionKind::Copy { text: text?, extra })
        }
        "invoke.bot" => {
            let bot_name = req_string(data, &["bot_name"], path, UNLIMITED, errs);
            let message = req_string(data, &["message"], path, UNLIMITED, errs);
            let extra = extras(data, &["bot_name", "message"]);
            Some(ActionKind::InvokeBot {
                bot_name: bot_name?,
                message: message?,
                extra,
            })
        }
        _ => None,
    }
}

fn system_api_ok(api: &str) -> bool {
    let api = api.trim();
    if matches!(api, "locationpermission" | "set_reminder") {
        return true;
    }
    match api.split_once('/') {
        Some((action, target)) => {
            let target_ok = !target.is_empty() && !target.contains(char::is_whitespace);
            match action {
                "audiocall" | "videocall" | "startchat" | "invite" | "joinchannel" => target_ok,
                "set_reminder" => true,
                _ => false,
            }
        }
        None => false,
    }
}

pub(crate) fn confirm(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Confirm> {
    let map = object(v, path, errs)?;
    let title = req_string(map, &["title"], path, 100, errs);
    let description = opt_string(map, "description", path, 100, errs);
    let input = req_string(map, &["input"], path, 300, errs);
    let emotion = map.present("emotion").and_then(|e| {
        one_of(
            e,
            &path.key("emotion"),
            &["positive", "neutral", "negative"],
            codes::INVALID_FIELD_VALUE,
            errs,
        )
        .map(|s| match s.as_str() {
            "neutral" => Emotion::Neutral,
            "negative" => Emotion::Negative,
            _ => Emotion::Positive,
        })
    });
    let button_label = req_string(map, &["button_label"], path, 100, errs);
    let cancel_button_label = opt_string(map, "cancel_button_label", path, 100, errs);
    let mandatory = opt_bool(map, "mandatory", path, errs);
    let extra = extras(
        map,
        &[
            "title",
            "description",
            "input",
            "emotion",
            "button_label",
            "cancel_button_label",
            "mandatory",
        ],
    );
    Some(Confirm {
        title: title?,
        description,
        input: input?,
        emotion,
        button_label: button_label?,
        cancel_button_label,
        mandatory,
        extra,
    })
}

/// `references`: instant buttons keyed by the `$key` used in the text.
pub(crate) fn references(
    v: &Value,
    path: &Path<'_>,
    errs: &mut Errors,
) -> indexmap::IndexMap<String, Reference> {
    let mut out = indexmap::IndexMap::new();
    let Some(map) = object(v, path, errs) else {
        return out;
    };
    for (key, r) in map {
        let rpath = path.key(key);
        if key.trim().is_empty() {
            errs.push(
                &rpath,
                codes::INVALID_FIELD_VALUE,
                "reference keys must not be empty",
            );
            continue;
        }
        let Some(rmap) = object(r, &rpath, errs) else {
            continue;
        };
        let kind = rmap
            .present("type")
            .map(|t| {
                one_of(
                    t,
                    &rpath.key("type"),
                    &["button"],
                    codes::INVALID_FIELD_VALUE,
                    errs,
                )
            })
            .unwrap_or_else(|| {
                errs.push(&rpath.key("type"), codes::FIELD_REQUIRED, "is required");
                None
            });
        let object_path = rpath.key("object");
        let obj = match lookup(rmap, &["object"]) {
            Some((_, o)) => button(o, &object_path, Place::Instant, errs),
            None => {
                errs.push(&object_path, codes::FIELD_REQUIRED, "is required");
                None
            }
        };
        let extra = extras(rmap, &["type", "object"]);
        if let (Some(kind), Some(object)) = (kind, obj) {
            out.insert(
                key.clone(),
                Reference {
                    kind,
                    object,
                    extra,
                },
            );
        }
    }
    out
}
