//! Where a message is used, which handlers may return which kinds of response (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>),
//! and the handler-only parts of a message reply: bot context and suggestions.

use cliqd_core::HandlerKind;
use serde_json::Value;

use crate::error::{Errors, Path, codes};
use crate::model::{BotContext, ContextParam, Suggestion, Suggestions};
use crate::read::Fields;
use crate::read::{IMAGE_URL, UNLIMITED, array, extras, int_in, object, req_string};

/// Where a message object comes from; the rules differ slightly between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageContext {
    /// A v2/v3 post into a channel, chat, thread or a user's direct chat.
    Post,
    /// A message sent as a bot (`/bots/{name}/message(s)`): adds the targeting fields
    /// `user_ids` (or v2 `userids`) and `broadcast`.
    BotMessage,
    /// A handler's reply; adds `context`, `suggestions` and `view` where the handler may use them.
    HandlerReturn(Handler),
}

/// The handlers whose replies are validated here: each is a [`HandlerKind`] of the domain
/// core's handler catalog, which holds its name and the replies it may return (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>).
/// The catalog's other handlers (the bot call handler, whose reply is ignored, and the form
/// view handler) are not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Command,
    CommandSuggestion,
    MessageAction,
    BotWelcome,
    BotMessage,
    BotMention,
    BotIncomingWebhook,
    BotMenu,
    BotContext,
    BotParticipation,
    Scheduler,
    FunctionButton,
    FunctionFormSubmit,
    FunctionFormChange,
    FunctionFormDynamicSelect,
    WidgetView,
    WidgetButton,
    ExtensionInstallation,
    ExtensionInstallationValidator,
}

impl Handler {
    pub const ALL: [Handler; 19] = [
        Handler::Command,
        Handler::CommandSuggestion,
        Handler::MessageAction,
        Handler::BotWelcome,
        Handler::BotMessage,
        Handler::BotMention,
        Handler::BotIncomingWebhook,
        Handler::BotMenu,
        Handler::BotContext,
        Handler::BotParticipation,
        Handler::Scheduler,
        Handler::FunctionButton,
        Handler::FunctionFormSubmit,
        Handler::FunctionFormChange,
        Handler::FunctionFormDynamicSelect,
        Handler::WidgetView,
        Handler::WidgetButton,
        Handler::ExtensionInstallation,
        Handler::ExtensionInstallationValidator,
    ];

    /// The handler's kind in the catalog.
    pub const fn kind(self) -> HandlerKind {
        match self {
            Handler::Command => HandlerKind::Command,
            Handler::CommandSuggestion => HandlerKind::CommandSuggestion,
            Handler::MessageAction => HandlerKind::MessageAction,
            Handler::BotWelcome => HandlerKind::BotWelcome,
            Handler::BotMessage => HandlerKind::BotMessage,
            Handler::BotMention => HandlerKind::BotMention,
            Handler::BotIncomingWebhook => HandlerKind::BotIncomingWebhook,
            Handler::BotMenu => HandlerKind::BotMenu,
            Handler::BotContext => HandlerKind::BotContext,
            Handler::BotParticipation => HandlerKind::BotParticipation,
            Handler::Scheduler => HandlerKind::Scheduler,
            Handler::FunctionButton => HandlerKind::FunctionButton,
            Handler::FunctionFormSubmit => HandlerKind::FunctionFormSubmit,
            Handler::FunctionFormChange => HandlerKind::FunctionFormChange,
            Handler::FunctionFormDynamicSelect => HandlerKind::FunctionFormDynamicSelect,
            Handler::WidgetView => HandlerKind::WidgetView,
            Handler::WidgetButton => HandlerKind::WidgetButton,
            Handler::ExtensionInstallation => HandlerKind::ExtensionInstallation,
            Handler::ExtensionInstallationValidator => HandlerKind::ExtensionInstallationValidator,
        }
    }

    /// A readable name for error messages.
    pub fn name(self) -> &'static str {
        self.kind().name()
    }
}

impl From<Handler> for HandlerKind {
    fn from(h: Handler) -> HandlerKind {
        h.kind()
    }
}

/// The kinds of handler response (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>).
pub use cliqd_core::ResponseKind;

/// Whether handler `h` may reply with `kind`, as the handler catalog says.
pub fn allows(h: Handler, kind: ResponseKind) -> bool {
    cliqd_core::catalog::allows(h.kind(), kind)
}

/// `context`: `{id, timeout?, params:[{name, question, suggestions?}]}`.
pub(crate) fn bot_context(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<BotContext> {
    let map = object(v, path, errs)?;
    let before = errs.len();
    let id = req_string(map, &["id"], path, UNLIMITED, errs);
    let timeout = map
        .present("timeout")
        .and_then(|t| int_in(t, &path.key("timeout"), 1, u64::from(u32::MAX), errs));
    let ppath = path.key("params");
    let mut params = Vec::new();
    match map.present("params") {
        None => errs.push(&ppath, codes::FIELD_REQUIRED, "is required"),
        Some(p) => {
            if let Some(items) = array(p, &ppath, errs) {
                if items.is_empty() {
                    errs.push(
                        &ppath,
                        codes::TOO_FEW_ITEMS,
                        "must have at least one question",
                    );
                }
                let mut names: Vec<String> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let ip = ppath.index(i);
                    let Some(pm) = object(item, &ip, errs) else {
                        continue;
                    };
                    let name = req_string(pm, &["name"], &ip, UNLIMITED, errs);
                    let question = req_string(pm, &["question"], &ip, UNLIMITED, errs);
                    let sugg = pm
                        .present("suggestions")
                        .and_then(|s| suggestions(s, &ip.key("suggestions"), errs));
                    if let (Some(name), Some(question)) = (name, question) {
                        if names.contains(&name) {
                            errs.push(
                                &ip.key("name"),
                                codes::INVALID_FIELD_VALUE,
                                "parameter names must be unique",
                            );
                            continue;
                        }
                        names.push(name.clone());
                        params.push(ContextParam {
                            name,
                            question,
                            suggestions: sugg,
                            extra: extras(pm, &["name", "question", "suggestions"]),
                        });
                    }
                }
            }
        }
    }
    let extra = extras(map, &["id", "timeout", "params"]);
    if errs.len() != before {
        return None;
    }
    Some(BotContext {
        id: id?,
        timeout,
        params,
        extra,
    })
}

/// `suggestions`: `{list:[{text, icon?}]}`.
pub(crate) fn suggestions(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Suggestions> {
    let map = object(v, path, errs)?;
    let before = errs.len();
    let lpath = path.key("list");
    let mut list = Vec::new();
    match map.present("list") {
        None => errs.push(&lpath, codes::FIELD_REQUIRED, "is required"),
        Some(l) => {
            if let Some(items) = array(l, &lpath, errs) {
                for (i, item) in items.iter().enumerate() {
                    let ip = lpath.index(i);
                    let Some(sm) = object(item, &ip, errs) else {
                        continue;
                    };
                    let text = req_string(sm, &["text"], &ip, UNLIMITED, errs);
                    let icon = sm.present("icon").and_then(|x| {
                        crate::read::url(x, &ip.key("icon"), UNLIMITED, IMAGE_URL, errs)
                    });
                    if let Some(text) = text {
                        list.push(Suggestion {
                            text,
                            icon,
                            extra: extras(sm, &["text", "icon"]),
                        });
                    }
                }
            }
        }
    }
    let extra = extras(map, &["list"]);
    (errs.len() == before).then_some(Suggestions { list, extra })
}
