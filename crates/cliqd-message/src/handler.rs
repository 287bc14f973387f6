//! Handler replies other than plain messages (digest §11): banner, message edit, form,
//! form error, form modification, dynamic select options, widget, widget section, command
//! suggestions, installation status; and which handler may return which.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::context::{Handler, MessageContext, ResponseKind, allows};
use crate::error::{Errors, FieldError, Path, codes};
use crate::model::Message;
use crate::read::Fields;
use crate::read::{
    IMAGE_URL, UNLIMITED, WEB_URL, array, bool_value, extras, int_in, lookup, object, one_of,
    opt_bool, opt_string, req_string, string, type_name,
};

/// A validated handler reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum HandlerResponse {
    /// Nothing to show: `null`, `""` or `{}`, or any reply of a scheduler.
    Empty,
    Message(Message),
    /// Replaces the message whose button was clicked; serialized with `"type":"message_edit"`.
    MessageEdit(MessageEdit),
    Banner(Banner),
    Form(Form),
    FormError(FormError),
    FormModification(FormModification),
    DynamicSelectOptions(DynamicSelectOptions),
    /// A widget (`"type":"applet"`), validated and kept as sent.
    Widget(Map<String, Value>),
    /// One widget section (`"type":"section"`) patched by a widget button, kept as sent.
    WidgetSection(Map<String, Value>),
    CommandSuggestions(Vec<CommandSuggestion>),
    InstallationStatus(InstallationStatus),
}

impl HandlerResponse {
    /// The kind of reply, for [`allows`].
    pub fn kind(&self) -> Option<ResponseKind> {
        Some(match self {
            HandlerResponse::Empty => return None,
            HandlerResponse::Message(_) => ResponseKind::Message,
            HandlerResponse::MessageEdit(_) => ResponseKind::MessageEdit,
            HandlerResponse::Banner(_) => ResponseKind::Banner,
            HandlerResponse::Form(_) => ResponseKind::Form,
            HandlerResponse::FormError(_) => ResponseKind::FormError,
            HandlerResponse::FormModification(_) => ResponseKind::FormModification,
            HandlerResponse::DynamicSelectOptions(_) => ResponseKind::DynamicSelectOptions,
            HandlerResponse::Widget(_) => ResponseKind::Widget,
            HandlerResponse::WidgetSection(_) => ResponseKind::WidgetSection,
            HandlerResponse::CommandSuggestions(_) => ResponseKind::CommandSuggestions,
            HandlerResponse::InstallationStatus(_) => ResponseKind::InstallationStatus,
        })
    }

    /// The canonical JSON of the reply.
    pub fn to_json(&self) -> Value {
        if matches!(self, HandlerResponse::Empty) {
            return Value::Null;
        }
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageEdit {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub message: Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BannerStatus {
    Success,
    Failure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Banner {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub text: String,
    /// Absent means success (green).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<BannerStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandSuggestion {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imageurl: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallationStatus {
    /// 200 lets the installation go on; anything else blocks it.
    pub status: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Validates what `handler` returned (the `output` of a webhook reply, or a Deluge script's
/// return value) and returns its typed form, or every error found.
pub fn validate_handler_response(
    value: &Value,
    handler: Handler,
) -> Result<HandlerResponse, Vec<FieldError>> {
    let mut errs = Errors::default();
    let root = Path::Root;
    let resp = response(value, &root, handler, &mut errs);
    errs.into_result(resp.unwrap_or(HandlerResponse::Empty))
}

fn is_empty_reply(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn response(v: &Value, path: &Path<'_>, h: Handler, errs: &mut Errors) -> Option<HandlerResponse> {
    // Schedulers have nowhere to show a reply; Cliq ignores it.
    if h == Handler::Scheduler || is_empty_reply(v) {
        return Some(HandlerResponse::Empty);
    }
    let kind = match v {
        Value::Array(_) => ResponseKind::CommandSuggestions,
        Value::Object(m) => match m.field("type").filter(|t| !t.is_null()) {
            Some(Value::String(t)) => match t.as_str() {
                "message" => ResponseKind::Message,
                "message_edit" => ResponseKind::MessageEdit,
                "banner" => ResponseKind::Banner,
                "form" => ResponseKind::Form,
                "form_error" => ResponseKind::FormError,
                "form_modification" => ResponseKind::FormModification,
                "applet" => ResponseKind::Widget,
                "section" => ResponseKind::WidgetSection,
                other => {
                    errs.push(
                        &path.key("type"),
                        codes::INVALID_FIELD_VALUE,
                        format!("unknown reply type {:?}", crate::read::truncate(other, 40)),
                    );
                    return None;
                }
            },
            Some(other) => {
                crate::read::wrong_type(errs, &path.key("type"), "a string", other);
                return None;
            }
            None => match h {
                Handler::FunctionFormDynamicSelect => ResponseKind::DynamicSelectOptions,
                Handler::ExtensionInstallation | Handler::ExtensionInstallationValidator => {
                    ResponseKind::InstallationStatus
                }
                _ => ResponseKind::Message,
            },
        },
        other => {
            errs.push(
                path,
                codes::INVALID_MESSAGE,
                format!(
                    "a handler reply must be a JSON object, not {}",
                    type_name(other)
                ),
            );
            return None;
        }
    };
    if !allows(h, kind) {
        let at = match v {
            Value::Object(m) if m.contains_key("type") => path.key("type"),
            _ => *path,
        };
        errs.push(
            &at,
            codes::RESPONSE_NOT_ALLOWED,
            format!("the {} handler cannot return {}", h.name(), kind.name()),
        );
        return None;
    }
    let map = v.as_object();
    match (kind, map) {
        (ResponseKind::CommandSuggestions, _) => command_suggestions(v, path, errs),
        (_, None) => None,
        (ResponseKind::Message, Some(_)) => {
            crate::message::message(v, path, MessageContext::HandlerReturn(h), errs)
                .map(HandlerResponse::Message)
        }
        (ResponseKind::MessageEdit, Some(m)) => {
            let mut rest = m.clone();
            rest.remove("type");
            crate::message::message(
                &Value::Object(rest),
                path,
                MessageContext::HandlerReturn(h),
                errs,
            )
            .map(|message| {
                HandlerResponse::MessageEdit(MessageEdit {
                    kind: "message_edit",
                    message,
                })
            })
        }
        (ResponseKind::Banner, Some(m)) => banner(m, path, errs),
        (ResponseKind::Form, Some(m)) => form(m, path, errs).map(HandlerResponse::Form),
        (ResponseKind::FormError, Some(m)) => form_error(m, path, errs),
        (ResponseKind::FormModification, Some(m)) => form_modification(m, path, errs),
        (ResponseKind::DynamicSelectOptions, Some(m)) => dynamic_select(m, path, errs),
        (ResponseKind::Widget, Some(m)) => crate::widget::widget(m, path, errs),
        (ResponseKind::WidgetSection, Some(m)) => crate::widget::section_reply(m, path, errs),
        (ResponseKind::InstallationStatus, Some(m)) => installation_status(m, path, errs),
        (ResponseKind::BotContext | ResponseKind::Suggestions, Some(_)) => None,
    }
}

fn banner(m: &Map<String, Value>, path: &Path<'_>, errs: &mut Errors) -> Option<HandlerResponse> {
    let text = req_string(m, &["text"], path, crate::message::TEXT_MAX, errs);
    let status = m.present("status").and_then(|s| {
        one_of(
            s,
            &path.key("status"),
            &["success", "failure"],
            codes::INVALID_FIELD_VALUE,
            errs,
        )
        .map(|s| {
            if s == "failure" {
                BannerStatus::Failure
            } else {
                BannerStatus::Success
            }
        })
    });
    let ok = m.field("status").is_none_or(Value::is_null) || status.is_some();
    let b = Banner {
        kind: "banner",
        text: text?,
        status,
        extra: extras(m, &["type", "text", "status"]),
    };
    ok.then_some(HandlerResponse::Banner(b))
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

fn form_error(
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

fn form_modification(
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

fn dynamic_select(
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

fn command_suggestions(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<HandlerResponse> {
    let items = array(v, path, errs)?;
    let before = errs.len();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let Some(sm) = object(item, &p, errs) else {
            continue;
        };
        let title = req_string(sm, &["title"], &p, UNLIMITED, errs);
        let description = opt_string(sm, "description", &p, UNLIMITED, errs);
        let imageurl = sm
            .present("imageurl")
            .and_then(|x| crate::read::url(x, &p.key("imageurl"), UNLIMITED, IMAGE_URL, errs));
        if let Some(title) = title {
            out.push(CommandSuggestion {
                title,
                description,
                imageurl,
                extra: extras(sm, &["title", "description", "imageurl"]),
            });
        }
    }
    (errs.len() == before).then_some(HandlerResponse::CommandSuggestions(out))
}

fn installation_status(
    m: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<HandlerResponse> {
    let before = errs.len();
    let status = match m.present("status") {
        Some(s) => int_in(s, &path.key("status"), 100, 599, errs),
        None => {
            errs.push(&path.key("status"), codes::FIELD_REQUIRED, "is required");
            None
        }
    };
    let title = opt_string(m, "title", path, UNLIMITED, errs);
    let message = opt_string(m, "message", path, UNLIMITED, errs);
    let footer = opt_string(m, "footer", path, UNLIMITED, errs);
    let mut note = Vec::new();
    if let Some(n) = m.present("note")
        && let Some(items) = array(n, &path.key("note"), errs)
    {
        for (i, x) in items.iter().enumerate() {
            if let Some(s) = string(x, &path.key("note").index(i), UNLIMITED, errs) {
                note.push(s);
            }
        }
    }
    if errs.len() != before {
        return None;
    }
    Some(HandlerResponse::InstallationStatus(InstallationStatus {
        status: status?,
        title,
        message,
        note,
        footer,
        extra: extras(m, &["status", "title", "message", "note", "footer"]),
    }))
}

/// A URL field of a widget element or button.
pub(crate) fn web_url(
    m: &Map<String, Value>,
    key: &'static str,
    path: &Path<'_>,
    errs: &mut Errors,
) {
    if let Some(u) = m.present(key) {
        crate::read::url(u, &path.key(key), UNLIMITED, WEB_URL, errs);
    }
}
