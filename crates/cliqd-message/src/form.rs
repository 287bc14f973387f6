//! Forms returned by handlers and the replies of form handlers: form, form inputs and their
//! limits, form error, form modification (form_change) and dynamic select options.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Errors, Path, codes};
use crate::handler::HandlerResponse;
use crate::read::Fields;
use crate::read::{
    UNLIMITED, array, bool_value, extras, int_in, lookup, object, one_of, opt_bool, opt_string,
    req_string, string,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_on_cancel: Option<bool>,
    /// `classic` or `kiosk`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `{type:"invoke.function", name}`, validated and kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Map<String, Value>>,
    /// `{submit:{…}, cancel:{…}}`, validated and kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Map<String, Value>>,
    pub inputs: Vec<FormInput>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One form input; attributes other than type, name and label are validated and kept as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormInput {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormError {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Error text by input name.
    pub inputs: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormModification {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actions: Vec<FormModificationAction>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormModificationAction {
    /// `remove`, `clear`, `enable`, `disable`, `update`, `add_before` or `add_after`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<FormInput>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DynamicSelectOptions {
    pub options: Vec<SelectOption>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectOption {
    pub label: String,
    pub value: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

const INPUT_TYPES: [&str; 17] = [
    "text",
    "checkbox",
    "datetime",
    "location",
    "radio",
    "number",
    "date",
    "textarea",
    "file",
    "select",
    "native_select",
    "dynamic_select",
    "hidden",
    "catalogue",
    "dynamic_catalogue",
    "toggle",
    "phone_number",
];
const NAME_MAX: usize = 50;

/// A form (`"type":"form"`), also used for a widget's `form`.
pub(crate) fn form(m: &Map<String, Value>, path: &Path<'_>, errs: &mut Errors) -> Option<Form> {
    let before = errs.len();
    let title = req_string(m, &["title"], path, UNLIMITED, errs);
    let name = req_string(m, &["name"], path, NAME_MAX, errs);
    let hint = opt_string(m, "hint", path, UNLIMITED, errs);
    let version = m
        .present("version")
        .and_then(|v| int_in(v, &path.key("version"), 1, 1, errs));
    let button_label = opt_string(m, "button_label", path, UNLIMITED, errs);
    let trigger_on_cancel = opt_bool(m, "trigger_on_cancel", path, errs);
    let mode = m.present("mode").and_then(|v| {
        one_of(
            v,
            &path.key("mode"),
            &["classic", "kiosk"],
            codes::INVALID_FIELD_VALUE,
            errs,
        )
    });
    let action = m
        .present("action")
        .and_then(|a| form_action(a, &path.key("action"), errs));
    let actions = m.present("actions").and_then(|a| {
        let ap = path.key("actions");
        let am = object(a, &ap, errs)?;
        match am.present("submit") {
            Some(s) => {
                form_action(s, &ap.key("submit"), errs);
            }
            None => errs.push(&ap.key("submit"), codes::FIELD_REQUIRED, "is required"),
        }
        if let Some(c) = am.present("cancel") {
            form_action(c, &ap.key("cancel"), errs);
        }
        Some(am.clone())
    });
    if m.field("action").is_none_or(Value::is_null) && m.field("actions").is_none_or(Value::is_null)
    {
        errs.push(
            &path.key("action"),
            codes::FIELD_REQUIRED,
            "is required (or actions)",
        );
    }
    let ipath = path.key("inputs");
    let mut inputs = Vec::new();
    match m.present("inputs") {
        None => errs.push(&ipath, codes::FIELD_REQUIRED, "is required"),
        Some(v) => {
            if let Some(items) = array(v, &ipath, errs) {
                if items.is_empty() {
                    errs.push(
                        &ipath,
                        codes::TOO_FEW_ITEMS,
                        "a form needs at least one input",
                    );
                }
                let mut catalogues = 0;
                for (i, item) in items.iter().enumerate() {
                    let p = ipath.index(i);
                    if let Some(input) = form_input(item, &p, errs) {
                        if input.kind.ends_with("catalogue") {
                            catalogues += 1;
                            if catalogues > 1 {
                                errs.push(
                                    &p.key("type"),
                                    codes::ITEM_LIMIT_EXCEEDED,
                                    "a form may have only one catalogue",
                                );
                            }
                        }
                        if inputs.iter().any(|x: &FormInput| x.name == input.name) {
                            errs.push(
                                &p.key("name"),
                                codes::INVALID_FIELD_VALUE,
                                "input names must be unique",
                            );
                        }
                        inputs.push(input);
                    }
                }
            }
        }
    }
    let extra = extras(
        m,
        &[
            "type",
            "title",
            "name",
            "hint",
            "version",
            "button_label",
            "trigger_on_cancel",
            "mode",
            "action",
            "actions",
            "inputs",
        ],
    );
    if errs.len() != before {
        return None;
    }
    Some(Form {
        kind: "form",
        title: title?,
        name: name?,
        hint,
        version,
        button_label,
        trigger_on_cancel,
        mode,
        action,
        actions,
        inputs,
        extra,
    })
}

fn form_action(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Map<String, Value>> {
    let m = object(v, path, errs)?;
    let before = errs.len();
    match m.present("type") {
        Some(t) => {
            one_of(
                t,
                &path.key("type"),
                &["invoke.function"],
                codes::INVALID_BUTTON_ACTION,
                errs,
            );
        }
        None => errs.push(&path.key("type"), codes::FIELD_REQUIRED, "is required"),
    }
    req_string(m, &["name"], path, UNLIMITED, errs);
    if let Some(mode) = m.present("mode") {
        one_of(
            mode,
            &path.key("mode"),
            &["immediate", "confirm"],
            codes::INVALID_FIELD_VALUE,
            errs,
        );
    }
    (errs.len() == before).then(|| m.clone())
}

/// One form input: type, name and label, and the limits of its attributes.
pub(crate) fn form_input(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<FormInput> {
    let m = object(v, path, errs)?;
    let before = errs.len();
    let kind = match m.present("type") {
        Some(t) => one_of(
            t,
            &path.key("type"),
            &INPUT_TYPES,
            codes::INVALID_FIELD_VALUE,
            errs,
        ),
        None => {
            errs.push(&path.key("type"), codes::FIELD_REQUIRED, "is required");
            None
        }
    };
    let name = req_string(m, &["name"], path, NAME_MAX, errs);
    // Hidden inputs are never shown, so they need no label.
    let label = if kind.as_deref() == Some("hidden") {
        opt_string(m, "label", path, NAME_MAX, errs)
    } else {
        req_string(m, &["label"], path, NAME_MAX, errs)
    };
    opt_string(m, "hint", path, 100, errs);
    if kind.as_deref() == Some("text") {
        req_string(m, &["placeholder"], path, 100, errs);
    } else {
        opt_string(m, "placeholder", path, 100, errs);
    }
    for flag in ["mandatory", "trigger_on_change", "disabled", "multiple"] {
        opt_bool(m, flag, path, errs);
    }
    for n in [
        "max_length",
        "min_length",
        "max_selections",
        "min_characters",
        "auto_search_min_results",
    ] {
        if let Some(x) = m.present(n) {
            int_in(x, &path.key(n), 0, u64::from(u32::MAX), errs);
        }
    }
    if let Some(f) = m.present("format") {
        one_of(
            f,
            &path.key("format"),
            &["email", "tel", "url", "password"],
            codes::INVALID_FIELD_VALUE,
            errs,
        );
    }
    if let Some(d) = m.present("data_source") {
        one_of(
            d,
            &path.key("data_source"),
            &["channels", "conversations", "contacts", "teams"],
            codes::INVALID_FIELD_VALUE,
            errs,
        );
    }
    let options = m
        .present("options")
        .and_then(|o| select_options(o, &path.key("options"), errs));
    let n_options = options.as_ref().map(Vec::len);
    // Options that were sent but invalid already have their own errors.
    let options_broken = options.is_none() && m.field("options").is_some_and(|v| !v.is_null());
    let opath = path.key("options");
    match kind.as_deref().filter(|_| !options_broken) {
        Some("radio") => option_count(n_options, 2, 5, &opath, errs),
        Some("checkbox") => {
            option_count(n_options, 1, 5, &opath, errs);
            max_selections(m, path, 5, errs);
            opt_string(m, "value", path, 250, errs);
        }
        Some("select" | "native_select") if m.field("data_source").is_none_or(Value::is_null) => {
            option_count(n_options, 1, usize::MAX, &opath, errs)
        }
        Some("catalogue" | "dynamic_catalogue") => {
            if n_options.is_some_and(|n| n > 25) {
                errs.push(
                    &opath,
                    codes::ITEM_LIMIT_EXCEEDED,
                    "a catalogue holds at most 25 items",
                );
            }
            max_selections(m, path, 10, errs);
        }
        Some("toggle") => {
            if let Some(x) = m.present("value") {
                bool_value(x, &path.key("value"), errs);
            }
        }
        _ => {}
    }
    let attributes = extras(m, &["type", "name", "label"]);
    if errs.len() != before {
        return None;
    }
    Some(FormInput {
        kind: kind?,
        name: name?,
        label,
        attributes,
    })
}

fn option_count(n: Option<usize>, min: usize, max: usize, path: &Path<'_>, errs: &mut Errors) {
    match n {
        None => errs.push(path, codes::FIELD_REQUIRED, "is required"),
        Some(n) if n < min => errs.push(
            path,
            codes::TOO_FEW_ITEMS,
            format!("needs at least {min} options (got {n})"),
        ),
        Some(n) if n > max => errs.push(
            path,
            codes::ITEM_LIMIT_EXCEEDED,
            format!("allows at most {max} options (got {n})"),
        ),
        _ => {}
    }
}

fn max_selections(m: &Map<String, Value>, path: &Path<'_>, max: u64, errs: &mut Errors) {
    if let Some(x) = m.present("max_selections") {
        int_in(x, &path.key("max_selections"), 1, max, errs);
    }
}

fn select_options(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Vec<SelectOption>> {
    let items = array(v, path, errs)?;
    let before = errs.len();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let Some(om) = object(item, &p, errs) else {
            continue;
        };
        let label = req_string(om, &["label"], &p, 100, errs);
        let value = req_string(om, &["value"], &p, 50, errs);
        if let (Some(label), Some(value)) = (label, value) {
            out.push(SelectOption {
                label,
                value,
                extra: extras(om, &["label", "value"]),
            });
        }
    }
    (errs.len() == before).then_some(out)
}

pub(crate) fn form_error(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let before = errs.len();
    let text = opt_string(m, "text", path, crate::message::TEXT_MAX, errs);
    let ipath = path.key("inputs");
    let inputs = match m.present("inputs") {
        None => {
            errs.push(&ipath, codes::FIELD_REQUIRED, "is required");
            None
        }
        Some(v) => object(v, &ipath, errs).map(|im| {
            for (k, msg) in im {
                string(msg, &ipath.key(k), UNLIMITED, errs);
            }
            im.clone()
        }),
    };
    if errs.len() != before {
        return None;
    }
    Some(HandlerResponse::FormError(FormError {
        kind: "form_error",
        text,
        inputs: inputs?,
        extra: extras(m, &["type", "text", "inputs"]),
    }))
}

const MODIFICATIONS: [&str; 7] = [
    "remove",
    "clear",
    "enable",
    "disable",
    "update",
    "add_before",
    "add_after",
];

pub(crate) fn form_modification(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let before = errs.len();
    let apath = path.key("actions");
    let mut actions = Vec::new();
    match m.present("actions") {
        None => errs.push(&apath, codes::FIELD_REQUIRED, "is required"),
        Some(v) => {
            if let Some(items) = array(v, &apath, errs) {
                if items.is_empty() {
                    errs.push(
                        &apath,
                        codes::TOO_FEW_ITEMS,
                        "must have at least one action",
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    let p = apath.index(i);
                    let Some(am) = object(item, &p, errs) else {
                        continue;
                    };
                    let kind = match am.present("type") {
                        Some(t) => one_of(
                            t,
                            &p.key("type"),
                            &MODIFICATIONS,
                            codes::INVALID_FIELD_VALUE,
                            errs,
                        ),
                        None => {
                            errs.push(&p.key("type"), codes::FIELD_REQUIRED, "is required");
                            None
                        }
                    };
                    let name = req_string(am, &["name"], &p, NAME_MAX, errs);
                    let needs_input =
                        matches!(kind.as_deref(), Some("update" | "add_before" | "add_after"));
                    let input = match am.present("input") {
                        Some(x) => form_input(x, &p.key("input"), errs),
                        None if needs_input => {
                            errs.push(
                                &p.key("input"),
                                codes::FIELD_REQUIRED,
                                "is required for this action",
                            );
                            None
                        }
                        None => None,
                    };
                    if let (Some(kind), Some(name)) = (kind, name) {
                        actions.push(FormModificationAction {
                            kind,
                            name,
                            input,
                            extra: extras(am, &["type", "name", "input"]),
                        });
                    }
                }
            }
        }
    }
    if errs.len() != before {
        return None;
    }
    Some(HandlerResponse::FormModification(FormModification {
        kind: "form_modification",
        actions,
        extra: extras(m, &["type", "actions"]),
    }))
}

pub(crate) fn dynamic_select(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let opath = path.key("options");
    let options = match lookup(m, &["options"]) {
        None => {
            errs.push(&opath, codes::FIELD_REQUIRED, "is required");
            None
        }
        Some((_, v)) => select_options(v, &opath, errs),
    };
    Some(HandlerResponse::DynamicSelectOptions(
        DynamicSelectOptions {
            options: options?,
            extra: extras(m, &["options"]),
        },
    ))
}
