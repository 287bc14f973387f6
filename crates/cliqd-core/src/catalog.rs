//! The handler catalog: for every [`HandlerKind`], its API name and the names it is also
//! accepted under, its wire name (the `handler.type` of an invocation), its component kind,
//! its Deluge parameters and return type, the webhook permissions it may be granted, the
//! replies it may return, whether it is a default handler, and how many a component may have.
//!
//! Sources: handler names and wire names
//! <https://www.zoho.com/cliq/help/restapi/v3/> (bots, functions, message actions, commands)
//! and Zoho's Catalyst SDK constants; parameters
//! <https://www.zoho.com/cliq/help/platform/bot-handlers.html> and the v3 "get handler"
//! replies; replies <https://www.zoho.com/cliq/help/platform/cliq-responses.html>. Where the
//! documents leave a value open the choice is noted on the entry.

use crate::kinds::{ComponentKind, FunctionType, HandlerKind};
use std::fmt;
use std::str::FromStr;

/// A Deluge parameter type as the "get handler" replies spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Map,
    String,
    List,
    Boolean,
}

impl ParamType {
    pub const fn as_str(self) -> &'static str {
        match self {
            ParamType::Map => "MAP",
            ParamType::String => "STRING",
            ParamType::List => "LIST",
            ParamType::Boolean => "BOOLEAN",
        }
    }
}

/// One parameter of a handler's Deluge script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
}

const fn p(name: &'static str, ty: ParamType) -> Param {
    Param { name, ty }
}

use ParamType::{Boolean, List, Map, String as Str};

/// `access`, the first parameter of every handler.
pub const ACCESS: Param = p("access", Map);
/// `environment`, the second parameter of every handler.
pub const ENVIRONMENT: Param = p("environment", Map);

/// What a handler's script returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnType {
    Map,
    List,
    /// Nothing: whatever the script returns is ignored.
    Void,
}

impl ReturnType {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReturnType::Map => "MAP",
            ReturnType::List => "LIST",
            ReturnType::Void => "VOID",
        }
    }
}

/// A webhook permission: which of the invocation's data a webhook handler receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Chat,
    Message,
    User,
    Location,
    Attachments,
}

impl Permission {
    /// Every permission, in the order the documents list them.
    pub const ALL: &'static [Permission] = &[
        Permission::Chat,
        Permission::Message,
        Permission::User,
        Permission::Location,
        Permission::Attachments,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::Chat => "chat",
            Permission::Message => "message",
            Permission::User => "user",
            Permission::Location => "location",
            Permission::Attachments => "attachments",
        }
    }
}

impl FromStr for Permission {
    type Err = crate::kinds::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| crate::kinds::UnknownValue {
                what: "a permission",
                value: s.to_string(),
            })
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of handler response (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    Message,
    BotContext,
    Banner,
    Form,
    Suggestions,
    MessageEdit,
    FormError,
    FormModification,
    DynamicSelectOptions,
    Widget,
    WidgetSection,
    CommandSuggestions,
    InstallationStatus,
}

impl ResponseKind {
    /// A readable name for error messages (`a banner`).
    pub fn name(self) -> &'static str {
        match self {
            ResponseKind::Message => "a message",
            ResponseKind::BotContext => "a bot context",
            ResponseKind::Banner => "a banner",
            ResponseKind::Form => "a form",
            ResponseKind::Suggestions => "suggestions",
            ResponseKind::MessageEdit => "a message edit",
            ResponseKind::FormError => "a form error",
            ResponseKind::FormModification => "a form modification",
            ResponseKind::DynamicSelectOptions => "dynamic select options",
            ResponseKind::Widget => "a widget",
            ResponseKind::WidgetSection => "a widget section",
            ResponseKind::CommandSuggestions => "command suggestions",
            ResponseKind::InstallationStatus => "an installation status",
        }
    }
}

/// One handler's entry.
#[derive(Debug, PartialEq, Eq)]
pub struct HandlerSpec {
    pub kind: HandlerKind,
    pub component: ComponentKind,
    /// The name the REST API uses (paths, `type` fields, the store's handler type).
    pub api_name: &'static str,
    /// Other names the API accepts for it (`alert_handler` for `call_handler`).
    pub aliases: &'static [&'static str],
    /// `handler.type` in an invocation payload (<https://www.zoho.com/cliq/help/platform/bothandlers.html>).
    pub wire_name: &'static str,
    /// A readable name for error messages.
    pub label: &'static str,
    /// For function handlers: the function type they belong to.
    pub function_type: Option<FunctionType>,
    /// The script's parameters, in the order the "get handler" replies list them.
    pub params: &'static [Param],
    pub return_type: ReturnType,
    /// Webhook permissions it may be granted.
    pub permissions: &'static [Permission],
    /// The replies it may return (<https://www.zoho.com/cliq/help/platform/cliq-responses.html>; the Form column read permissively, as the
    /// forms page allows forms from commands, bot message/mention/menu handlers, message
    /// actions and buttons).
    pub replies: &'static [ResponseKind],
    /// Created with its component (for functions: with a function of its type), never deleted.
    pub default: bool,
    /// How many handlers of this kind one component may have.
    pub max_per_component: usize,
}

impl HandlerSpec {
    /// Whether the handler may reply with `kind`.
    pub fn allows(&self, kind: ResponseKind) -> bool {
        self.replies.contains(&kind)
    }

    /// Whether whatever the handler returns is ignored.
    pub fn ignores_reply(&self) -> bool {
        self.return_type == ReturnType::Void
    }

    /// Whether the API accepts `name` for this handler (its API name or an alias).
    pub fn answers_to(&self, name: &str) -> bool {
        self.api_name == name || self.aliases.contains(&name)
    }
}

use ComponentKind as C;
use Permission::{Attachments, Chat, Location, Message as Msg, User};
use ResponseKind as R;

const ALL_PERMISSIONS: &[Permission] = Permission::ALL;

/// The inputs of a form's change and dynamic-select handlers.
const FORM_INPUT_PARAMS: &[Param] = &[
    ACCESS,
    ENVIRONMENT,
    p("form", Map),
    p("target", Map),
    p("user", Map),
    p("chat", Map),
];

/// The inputs of an extension's installation handler and validator.
const INSTALLATION_PARAMS: &[Param] = &[
    ACCESS,
    ENVIRONMENT,
    p("user", Map),
    p("app_info", Map),
    p("form", Map),
    p("authtoken", Str),
];

/// The catalog entry of `kind`.
pub const fn spec(kind: HandlerKind) -> &'static HandlerSpec {
    use HandlerKind as K;
    match kind {
        K::Command => {
            &const {
                HandlerSpec {
                    kind: K::Command,
                    component: C::Command,
                    api_name: "execution_handler",
                    aliases: &[],
                    wire_name: "execution_handler",
                    label: "command execution",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("arguments", Str),
                        p("options", Map),
                        p("selections", List),
                        p("mentions", List),
                        p("attachments", List),
                        p("chat", Map),
                        p("user", Map),
                        p("location", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Attachments, Chat, Location, User],
                    replies: &[R::Message, R::BotContext, R::Banner, R::Form],
                    // The command object lists its execution handler from creation (<https://www.zoho.com/cliq/help/restapi/v3/slashcommands/>).
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::CommandSuggestion => {
            &const {
                HandlerSpec {
                    kind: K::CommandSuggestion,
                    component: C::Command,
                    api_name: "suggestion_handler",
                    aliases: &[],
                    wire_name: "suggestion_handler",
                    label: "command suggestion",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("arguments", Str),
                        p("options", Map),
                        p("selections", List),
                        p("mentions", List),
                        p("chat", Map),
                        p("user", Map),
                        p("location", Map),
                    ],
                    return_type: ReturnType::List,
                    permissions: &[Chat, Location, User],
                    replies: &[R::CommandSuggestions],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::MessageAction => {
            &const {
                HandlerSpec {
                    kind: K::MessageAction,
                    component: C::MessageAction,
                    api_name: "execution_handler",
                    aliases: &[],
                    wire_name: "execution_handler",
                    label: "message action",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("message", Map),
                        p("messages", Map),
                        p("attachments", List),
                        p("mentions", List),
                        p("user", Map),
                        p("chat", Map),
                        p("location", Map),
                    ],
                    return_type: ReturnType::Map,
                    // Every permission is available (<https://www.zoho.com/cliq/help/restapi/v3/messageactions/>).
                    permissions: ALL_PERMISSIONS,
                    replies: &[R::Message, R::BotContext, R::Banner, R::Form],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::BotWelcome => {
            &const {
                HandlerSpec {
                    kind: K::BotWelcome,
                    component: C::Bot,
                    api_name: "welcome_handler",
                    aliases: &[],
                    wire_name: "welcome_handler",
                    label: "bot welcome",
                    function_type: None,
                    params: &[ACCESS, ENVIRONMENT, p("user", Map), p("newuser", Boolean)],
                    return_type: ReturnType::Map,
                    permissions: &[User],
                    replies: &[R::Message, R::Banner],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotMessage => {
            &const {
                HandlerSpec {
                    kind: K::BotMessage,
                    component: C::Bot,
                    api_name: "message_handler",
                    aliases: &[],
                    wire_name: "message_handler",
                    label: "bot message",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("message", Str),
                        p("message_details", Map),
                        p("attachments", List),
                        p("mentions", List),
                        p("links", List),
                        p("user", Map),
                        p("chat", Map),
                        p("location", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Attachments, Chat, Location, Msg, User],
                    replies: &[
                        R::Message,
                        R::BotContext,
                        R::Banner,
                        R::Form,
                        R::Suggestions,
                    ],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotMention => {
            &const {
                HandlerSpec {
                    kind: K::BotMention,
                    component: C::Bot,
                    api_name: "mention_handler",
                    aliases: &[],
                    wire_name: "mention_handler",
                    label: "bot mention",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("message", Map),
                        p("mentions", List),
                        p("user", Map),
                        p("chat", Map),
                        p("location", Map),
                        p("message_details", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Chat, Location, Msg, User],
                    replies: &[R::Message, R::BotContext, R::Banner, R::Form],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotIncomingWebhook => {
            &const {
                HandlerSpec {
                    kind: K::BotIncomingWebhook,
                    component: C::Bot,
                    api_name: "incoming_webhook_handler",
                    aliases: &[],
                    wire_name: "incomingwebhook_handler",
                    label: "bot incoming webhook",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("headers", Map),
                        p("parameters", Map),
                        p("body", Str),
                        p("http_method", Str),
                        p("user", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[User],
                    replies: &[R::Message, R::BotContext],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotMenu => {
            &const {
                HandlerSpec {
                    kind: K::BotMenu,
                    component: C::Bot,
                    api_name: "menu_handler",
                    aliases: &[],
                    wire_name: "action_handler",
                    label: "bot menu",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("chat", Map),
                        p("user", Map),
                        p("location", Map),
                        p("sub_action", Str),
                    ],
                    return_type: ReturnType::Map,
                    // The permission table leaves out `message`, but bots.yml's own
                    // menu_handler_webhook request example and its documented reply both carry it: a
                    // client copying Zoho's example must work, so cliqd accepts it.
                    permissions: &[Chat, Location, Msg, User],
                    replies: &[
                        R::Message,
                        R::BotContext,
                        R::Banner,
                        R::Form,
                        R::Suggestions,
                    ],
                    default: false,
                    // "Adds up to 5 quick-action items".
                    max_per_component: 5,
                }
            }
        }
        K::BotContext => {
            &const {
                HandlerSpec {
                    kind: K::BotContext,
                    component: C::Bot,
                    api_name: "context_handler",
                    aliases: &[],
                    wire_name: "context_handler",
                    label: "bot context",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("context_id", Str),
                        p("answers", Map),
                        p("chat", Map),
                        p("user", Map),
                        p("attachments", List),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Attachments, Chat, User],
                    replies: &[
                        R::Message,
                        R::BotContext,
                        R::Banner,
                        R::Form,
                        R::Suggestions,
                    ],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotParticipation => {
            &const {
                HandlerSpec {
                    kind: K::BotParticipation,
                    component: C::Bot,
                    api_name: "participation_handler",
                    aliases: &[],
                    wire_name: "participation_handler",
                    label: "bot participation",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("operation", Str),
                        p("data", Map),
                        p("chat", Map),
                        p("user", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Chat, User],
                    replies: &[R::Message, R::Banner],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::BotCall => {
            &const {
                HandlerSpec {
                    kind: K::BotCall,
                    component: C::Bot,
                    api_name: "call_handler",
                    // `alert_handler` in the permission table is this handler's wire name.
                    aliases: &["alert_handler"],
                    wire_name: "alert_handler",
                    label: "bot call",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("operation", Str),
                        p("data", Map),
                        p("user", Map),
                    ],
                    return_type: ReturnType::Void,
                    permissions: &[User],
                    replies: &[],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::Scheduler => {
            &const {
                HandlerSpec {
                    kind: K::Scheduler,
                    component: C::Scheduler,
                    // The documents name no scheduler handler type or parameters beyond the two
                    // every handler gets; this entry only says its reply is ignored.
                    api_name: "execution_handler",
                    aliases: &[],
                    wire_name: "execution_handler",
                    label: "scheduler",
                    function_type: None,
                    params: &[ACCESS, ENVIRONMENT],
                    return_type: ReturnType::Void,
                    permissions: &[],
                    replies: &[],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::FunctionButton => {
            &const {
                HandlerSpec {
                    kind: K::FunctionButton,
                    component: C::Function,
                    api_name: "button_handler",
                    aliases: &[],
                    wire_name: "button_handler",
                    label: "button",
                    function_type: Some(FunctionType::Button),
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("chat", Map),
                        p("user", Map),
                        p("message", Map),
                        p("target", Map),
                        p("arguments", Map),
                        p("event", Str),
                        p("location", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Chat, Msg, User],
                    replies: &[
                        R::Message,
                        R::BotContext,
                        R::Banner,
                        R::Form,
                        R::Suggestions,
                        R::MessageEdit,
                    ],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::FunctionFormSubmit => {
            &const {
                HandlerSpec {
                    kind: K::FunctionFormSubmit,
                    component: C::Function,
                    api_name: "form_submit_handler",
                    aliases: &[],
                    wire_name: "form_handler",
                    label: "form submit",
                    function_type: Some(FunctionType::Form),
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("form", Map),
                        p("user", Map),
                        p("chat", Map),
                        p("message", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[Chat, Msg, User],
                    replies: &[
                        R::Message,
                        R::BotContext,
                        R::Banner,
                        R::Suggestions,
                        R::FormError,
                        R::Widget,
                    ],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::FunctionFormChange => {
            &const {
                HandlerSpec {
                    kind: K::FunctionFormChange,
                    component: C::Function,
                    api_name: "form_change_handler",
                    aliases: &[],
                    wire_name: "form_change_handler",
                    label: "form change",
                    function_type: Some(FunctionType::Form),
                    params: FORM_INPUT_PARAMS,
                    return_type: ReturnType::Map,
                    permissions: &[Chat, User],
                    replies: &[R::FormModification],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::FunctionFormDynamicSelect => {
            &const {
                HandlerSpec {
                    kind: K::FunctionFormDynamicSelect,
                    component: C::Function,
                    api_name: "form_dynamic_select_handler",
                    aliases: &[],
                    wire_name: "form_values_handler",
                    label: "form dynamic select",
                    function_type: Some(FunctionType::Form),
                    params: FORM_INPUT_PARAMS,
                    return_type: ReturnType::Map,
                    permissions: &[Chat, User],
                    replies: &[R::DynamicSelectOptions],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::FunctionFormView => {
            &const {
                HandlerSpec {
                    kind: K::FunctionFormView,
                    component: C::Function,
                    api_name: "form_view_handler",
                    aliases: &[],
                    wire_name: "form_view_handler",
                    label: "form view",
                    function_type: Some(FunctionType::Form),
                    params: &[ACCESS, ENVIRONMENT, p("params", Map), p("user", Map)],
                    return_type: ReturnType::Map,
                    permissions: &[User],
                    replies: &[R::Form],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::WidgetView => {
            &const {
                HandlerSpec {
                    kind: K::WidgetView,
                    component: C::Widget,
                    api_name: "view_handler",
                    aliases: &[],
                    wire_name: "view_handler",
                    label: "widget view",
                    function_type: None,
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("target", Map),
                        p("event", Str),
                        p("user", Map),
                        p("chat", Map),
                        p("location", Map),
                    ],
                    return_type: ReturnType::Map,
                    // No permission table exists for widgets.
                    permissions: &[],
                    replies: &[R::Widget],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::WidgetButton => {
            &const {
                HandlerSpec {
                    kind: K::WidgetButton,
                    component: C::Function,
                    api_name: "widget_button_handler",
                    aliases: &[],
                    wire_name: "applet_button_handler",
                    label: "widget button",
                    function_type: Some(FunctionType::WidgetButton),
                    params: &[
                        ACCESS,
                        ENVIRONMENT,
                        p("target", Map),
                        p("arguments", Map),
                        p("user", Map),
                    ],
                    return_type: ReturnType::Map,
                    permissions: &[User],
                    replies: &[R::Widget, R::WidgetSection, R::Form, R::Banner],
                    default: true,
                    max_per_component: 1,
                }
            }
        }
        K::ExtensionInstallation => {
            &const {
                HandlerSpec {
                    kind: K::ExtensionInstallation,
                    component: C::Extension,
                    api_name: "installation_handler",
                    aliases: &[],
                    wire_name: "installation_handler",
                    label: "installation",
                    function_type: None,
                    params: INSTALLATION_PARAMS,
                    return_type: ReturnType::Map,
                    permissions: &[],
                    replies: &[R::InstallationStatus],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
        K::ExtensionInstallationValidator => {
            &const {
                HandlerSpec {
                    kind: K::ExtensionInstallationValidator,
                    component: C::Extension,
                    api_name: "installation_validator",
                    aliases: &[],
                    wire_name: "installation_validator",
                    label: "installation validator",
                    function_type: None,
                    params: INSTALLATION_PARAMS,
                    return_type: ReturnType::Map,
                    permissions: &[],
                    replies: &[R::InstallationStatus],
                    default: false,
                    max_per_component: 1,
                }
            }
        }
    }
}

/// Every entry, in [`HandlerKind::ALL`] order.
pub fn all() -> impl Iterator<Item = &'static HandlerSpec> {
    HandlerKind::ALL.iter().map(|k| spec(*k))
}

/// The handlers of a component kind.
pub fn handlers_of(component: ComponentKind) -> impl Iterator<Item = &'static HandlerSpec> {
    all().filter(move |s| s.component == component)
}

/// The handler of `component` the API calls `name` (its API name or an alias).
pub fn find(component: ComponentKind, name: &str) -> Option<&'static HandlerSpec> {
    handlers_of(component).find(|s| s.answers_to(name))
}

/// The handler of `component` whose invocations carry `handler.type` = `wire_name`.
pub fn by_wire_name(component: ComponentKind, wire_name: &str) -> Option<&'static HandlerSpec> {
    handlers_of(component).find(|s| s.wire_name == wire_name)
}

/// The default handler of a component (of a function of `function_type`), created with it.
pub fn default_handler(
    component: ComponentKind,
    function_type: Option<FunctionType>,
) -> Option<&'static HandlerSpec> {
    handlers_of(component).find(|s| s.default && s.function_type == function_type)
}

/// Whether handler `h` may reply with `kind`.
pub fn allows(h: HandlerKind, kind: ResponseKind) -> bool {
    spec(h).allows(kind)
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
