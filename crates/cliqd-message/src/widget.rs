//! Widget replies (`"type":"applet"`) and single-section patches: tabs, sections, elements,
//! widget buttons. Kept as sent once valid; the element set is large and rendered by clients.

use serde_json::{Map, Value};

use crate::error::{Errors, Path, codes};
use crate::handler::{HandlerResponse, web_url};
use crate::read::Fields;
use crate::read::{UNLIMITED, array, object, one_of, opt_bool, opt_string, req_string};

/// Third-party guide limits (unverified against Cliq): tabs, sections per tab, elements per
/// section.
const MAX_TABS: usize = 5;
const MAX_SECTIONS: usize = 25;
const MAX_ELEMENTS: usize = 20;

const DATA_TYPES: [&str; 5] = ["sections", "info", "map", "form", "web_view"];
const ELEMENT_TYPES: [&str; 13] = [
    "title",
    "text",
    "subtext",
    "activity",
    "user_activity",
    "divider",
    "buttons",
    "table",
    "fields",
    "cards",
    "images",
    "percentage_chart",
    "graph",
];
const BUTTON_TYPES: [&str; 4] = ["invoke.function", "open.url", "system.api", "preview.url"];

pub(crate) fn widget(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let before = errs.len();
    let mut tab_ids: Vec<String> = Vec::new();
    if let Some(t) = m.present("tabs") {
        let tp = path.key("tabs");
        if let Some(items) = array(t, &tp, errs) {
            if items.len() > MAX_TABS {
                errs.push(
                    &tp,
                    codes::ITEM_LIMIT_EXCEEDED,
                    format!("at most {MAX_TABS} tabs are allowed (got {})", items.len()),
                );
            }
            for (i, tab) in items.iter().enumerate() {
                let p = tp.index(i);
                let Some(tm) = object(tab, &p, errs) else {
                    continue;
                };
                let id = req_string(tm, &["id"], &p, UNLIMITED, errs);
                req_string(tm, &["label"], &p, UNLIMITED, errs);
                if let Some(id) = id {
                    if tab_ids.contains(&id) {
                        errs.push(
                            &p.key("id"),
                            codes::INVALID_FIELD_VALUE,
                            "tab ids must be unique",
                        );
                    }
                    tab_ids.push(id);
                }
            }
        }
    }
    if let Some(active) = opt_string(m, "active_tab", path, UNLIMITED, errs)
        && !tab_ids.is_empty()
        && !tab_ids.contains(&active)
    {
        errs.push(
            &path.key("active_tab"),
            codes::INVALID_FIELD_VALUE,
            "must be the id of one of the tabs",
        );
    }
    let data_type = m.present("data_type").and_then(|d| {
        one_of(
            d,
            &path.key("data_type"),
            &DATA_TYPES,
            codes::INVALID_FIELD_VALUE,
            errs,
        )
    });
    if let Some(dt) = &data_type {
        let key = dt.as_str();
        if m.field(key).is_none_or(Value::is_null) {
            errs.push(
                &path.key(key),
                codes::FIELD_REQUIRED,
                format!("is required when data_type is {key}"),
            );
        }
    }
    if let Some(s) = m.present("sections") {
        let sp = path.key("sections");
        if let Some(items) = array(s, &sp, errs) {
            if items.len() > MAX_SECTIONS {
                errs.push(
                    &sp,
                    codes::ITEM_LIMIT_EXCEEDED,
                    format!(
                        "at most {MAX_SECTIONS} sections are allowed (got {})",
                        items.len()
                    ),
                );
            }
            for (i, sec) in items.iter().enumerate() {
                section(sec, &sp.index(i), errs);
            }
        }
    }
    if let Some(info) = m.present("info") {
        let ip = path.key("info");
        if let Some(im) = object(info, &ip, errs) {
            for k in ["title", "description"] {
                opt_string(im, k, &ip, UNLIMITED, errs);
            }
            web_url(im, "image_url", &ip, errs);
            if let Some(b) = im.present("button") {
                widget_button(b, &ip.key("button"), errs);
            }
        }
    }
    for (key, text_key) in [("header", "title"), ("footer", "text")] {
        if let Some(h) = m.present(key) {
            let hp = path.key(key);
            if let Some(hm) = object(h, &hp, errs) {
                opt_string(hm, text_key, &hp, UNLIMITED, errs);
                if let Some(n) = hm.present("navigation") {
                    one_of(
                        n,
                        &hp.key("navigation"),
                        &["new", "continue"],
                        codes::INVALID_FIELD_VALUE,
                        errs,
                    );
                }
                widget_buttons(hm, &hp, errs);
            }
        }
    }
    if let Some(w) = m.present("web_view") {
        let wp = path.key("web_view");
        if let Some(wm) = object(w, &wp, errs) {
            match wm.present("url") {
                Some(_) => web_url(wm, "url", &wp, errs),
                None => errs.push(&wp.key("url"), codes::FIELD_REQUIRED, "is required"),
            }
        }
    }
    if let Some(f) = m.present("form") {
        let fp = path.key("form");
        if let Some(fm) = object(f, &fp, errs) {
            crate::form::form(fm, &fp, errs);
        }
    }
    if let Some(map) = m.present("map") {
        object(map, &path.key("map"), errs);
    }
    (errs.len() == before).then(|| HandlerResponse::Widget(m.clone()))
}

/// `{"id":"102","type":"section","elements":[…]}` from a widget button.
pub(crate) fn section_reply(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let before = errs.len();
    section(&Value::Object(m.clone()), path, errs);
    (errs.len() == before).then(|| HandlerResponse::WidgetSection(m.clone()))
}

fn section(v: &Value, path: &Path<'_>, errs: &mut Errors) {
    let Some(m) = object(v, path, errs) else {
        return;
    };
    // Ids may be numbers in hand-written Deluge maps.
    match m.present("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(Value::Number(_)) => {}
        Some(other) if !other.is_string() => {
            crate::read::wrong_type(errs, &path.key("id"), "a string", other)
        }
        _ => errs.push(&path.key("id"), codes::FIELD_REQUIRED, "is required"),
    }
    let ep = path.key("elements");
    let Some(e) = m.present("elements") else {
        errs.push(&ep, codes::FIELD_REQUIRED, "is required");
        return;
    };
    let Some(items) = array(e, &ep, errs) else {
        return;
    };
    if items.len() > MAX_ELEMENTS {
        errs.push(
            &ep,
            codes::ITEM_LIMIT_EXCEEDED,
            format!(
                "at most {MAX_ELEMENTS} elements are allowed (got {})",
                items.len()
            ),
        );
    }
    for (i, el) in items.iter().enumerate() {
        let p = ep.index(i);
        let Some(em) = object(el, &p, errs) else {
            continue;
        };
        let kind = match em.present("type") {
            Some(t) => one_of(
                t,
                &p.key("type"),
                &ELEMENT_TYPES,
                codes::INVALID_FIELD_VALUE,
                errs,
            ),
            None => {
                errs.push(&p.key("type"), codes::FIELD_REQUIRED, "is required");
                None
            }
        };
        if matches!(kind.as_deref(), Some("title" | "text" | "subtext")) {
            req_string(em, &["text"], &p, UNLIMITED, errs);
        }
        widget_buttons(em, &p, errs);
    }
}

fn widget_buttons(m: &Map<String, Value>, path: &Path<'_>, errs: &mut Errors) {
    if let Some(b) = m.present("buttons") {
        let bp = path.key("buttons");
        if let Some(items) = array(b, &bp, errs) {
            for (i, x) in items.iter().enumerate() {
                widget_button(x, &bp.index(i), errs);
            }
        }
    }
}

/// `{label, type, name|url|api, emotion?, disabled?, id?, confirm?}`.
fn widget_button(v: &Value, path: &Path<'_>, errs: &mut Errors) {
    let Some(m) = object(v, path, errs) else {
        return;
    };
    req_string(m, &["label"], path, UNLIMITED, errs);
    let kind = match m.present("type") {
        Some(t) => one_of(
            t,
            &path.key("type"),
            &BUTTON_TYPES,
            codes::INVALID_BUTTON_ACTION,
            errs,
        ),
        None => {
            errs.push(&path.key("type"), codes::FIELD_REQUIRED, "is required");
            None
        }
    };
    match kind.as_deref() {
        Some("invoke.function") => {
            req_string(m, &["name"], path, UNLIMITED, errs);
        }
        Some("open.url" | "preview.url") => match m.present("url") {
            Some(_) => web_url(m, "url", path, errs),
            None => errs.push(&path.key("url"), codes::FIELD_REQUIRED, "is required"),
        },
        Some("system.api") => {
            req_string(m, &["api"], path, UNLIMITED, errs);
        }
        _ => {}
    }
    if let Some(e) = m.present("emotion") {
        one_of(
            e,
            &path.key("emotion"),
            &["positive", "neutral", "negative"],
            codes::INVALID_FIELD_VALUE,
            errs,
        );
    }
    opt_bool(m, "disabled", path, errs);
    if let Some(c) = m.present("confirm") {
        crate::button::confirm(c, &path.key("confirm"), errs);
    }
}
