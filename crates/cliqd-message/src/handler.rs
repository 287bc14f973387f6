//! Handler replies (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>): dispatch by reply type and handler, banner, message edit,
//! command suggestions and installation status; forms live in `form`, widgets in `widget`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::context::{Handler, MessageContext, ResponseKind, allows};
use crate::error::{Errors, FieldError, Path, codes};
use crate::form::{self, DynamicSelectOptions, Form, FormError, FormModification};
use crate::model::Message;
use crate::read::Fields;
use crate::read::{
    IMAGE_URL, UNLIMITED, WEB_URL, array, extras, int_in, object, one_of, opt_string, req_string,
    string, type_name,
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
    if h.kind().spec().ignores_reply() || is_empty_reply(v) {
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
        (ResponseKind::Form, Some(m)) => form::form(m, path, errs).map(HandlerResponse::Form),
        (ResponseKind::FormError, Some(m)) => form::form_error(m, path, errs),
        (ResponseKind::FormModification, Some(m)) => form::form_modification(m, path, errs),
        (ResponseKind::DynamicSelectOptions, Some(m)) => form::dynamic_select(m, path, errs),
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
