//! The catalog is total and consistent, and it allows exactly what the server's three
//! component areas and the message validator allowed before it replaced their tables.

use super::*;
use crate::kinds::HandlerKind as K;

#[test]
fn every_kind_has_its_own_entry() {
    for k in HandlerKind::ALL.iter() {
        assert_eq!(spec(*k).kind, *k, "{k:?}");
        assert!(k.as_str().ends_with(spec(*k).api_name), "{k:?}");
        assert!(
            k.as_str()
                .starts_with(&format!("{}.", spec(*k).component.as_str())),
            "{k:?}"
        );
    }
    assert_eq!(all().count(), HandlerKind::ALL.len());
}

#[test]
fn names_are_unique_per_component_and_resolve_back() {
    for c in ComponentKind::ALL.iter() {
        let specs: Vec<_> = handlers_of(*c).collect();
        for (i, a) in specs.iter().enumerate() {
            for b in &specs[i + 1..] {
                assert_ne!(a.api_name, b.api_name, "{c:?}");
                assert_ne!(a.wire_name, b.wire_name, "{c:?}");
                assert!(!b.aliases.contains(&a.api_name), "{c:?}");
                assert!(!a.aliases.contains(&b.api_name), "{c:?}");
            }
            assert_eq!(find(*c, a.api_name).map(|s| s.kind), Some(a.kind));
            assert_eq!(by_wire_name(*c, a.wire_name).map(|s| s.kind), Some(a.kind));
            for alias in a.aliases {
                assert_eq!(find(*c, alias).map(|s| s.kind), Some(a.kind), "{alias}");
            }
        }
    }
    assert_eq!(
        find(ComponentKind::Bot, "alert_handler"),
        Some(spec(K::BotCall))
    );
    assert_eq!(find(ComponentKind::Function, "form_handler"), None);
    assert_eq!(find(ComponentKind::Bot, "button_handler"), None);
}

#[test]
fn every_default_handler_exists() {
    for ft in FunctionType::ALL.iter() {
        let defaults: Vec<_> = handlers_of(ComponentKind::Function)
            .filter(|s| s.default && s.function_type == Some(*ft))
            .collect();
        assert_eq!(defaults.len(), 1, "{ft:?}");
        assert_eq!(
            default_handler(ComponentKind::Function, Some(*ft)),
            Some(defaults[0])
        );
    }
    assert_eq!(
        default_handler(ComponentKind::Function, Some(FunctionType::Form)).map(|s| s.api_name),
        Some("form_submit_handler")
    );
    assert_eq!(
        default_handler(ComponentKind::MessageAction, None).map(|s| s.kind),
        Some(K::MessageAction)
    );
    assert_eq!(default_handler(ComponentKind::Bot, None), None);
    for c in ComponentKind::ALL.iter() {
        let defaults = handlers_of(*c).filter(|s| s.default).count();
        if *c != ComponentKind::Function {
            assert!(defaults <= 1, "{c:?}");
        }
    }
    // Function handlers always name their function type, other handlers never do.
    for s in all() {
        assert_eq!(
            s.function_type.is_some(),
            s.component == ComponentKind::Function,
            "{:?}",
            s.kind
        );
    }
}

#[test]
fn every_handler_starts_with_access_and_environment() {
    for s in all() {
        assert_eq!(s.params[..2], [ACCESS, ENVIRONMENT], "{:?}", s.kind);
        assert!(s.max_per_component >= 1);
        if s.return_type == ReturnType::Void {
            assert!(s.replies.is_empty(), "{:?}", s.kind);
        }
    }
}

/// The tables of the bots, functions and message actions areas before the catalog: name,
/// permissions, parameters (after `access`, `environment`) and return type.
type Old = (
    ComponentKind,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

const BEFORE: &[Old] = &[
    (
        ComponentKind::Bot,
        "welcome_handler",
        &["user"],
        &[("user", "MAP"), ("newuser", "BOOLEAN")],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "message_handler",
        &["attachments", "chat", "location", "message", "user"],
        &[
            ("message", "STRING"),
            ("message_details", "MAP"),
            ("attachments", "LIST"),
            ("mentions", "LIST"),
            ("links", "LIST"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("location", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "mention_handler",
        &["chat", "location", "message", "user"],
        &[
            ("message", "MAP"),
            ("mentions", "LIST"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("location", "MAP"),
            ("message_details", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "context_handler",
        &["attachments", "chat", "user"],
        &[
            ("context_id", "STRING"),
            ("answers", "MAP"),
            ("chat", "MAP"),
            ("user", "MAP"),
            ("attachments", "LIST"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "participation_handler",
        &["chat", "user"],
        &[
            ("operation", "STRING"),
            ("data", "MAP"),
            ("chat", "MAP"),
            ("user", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "incoming_webhook_handler",
        &["user"],
        &[
            ("headers", "MAP"),
            ("parameters", "MAP"),
            ("body", "STRING"),
            ("http_method", "STRING"),
            ("user", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "menu_handler",
        &["chat", "location", "message", "user"],
        &[
            ("chat", "MAP"),
            ("user", "MAP"),
            ("location", "MAP"),
            ("sub_action", "STRING"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Bot,
        "call_handler",
        &["user"],
        &[("operation", "STRING"), ("data", "MAP"), ("user", "MAP")],
        "VOID",
    ),
    (
        ComponentKind::Function,
        "button_handler",
        &["chat", "message", "user"],
        &[
            ("chat", "MAP"),
            ("user", "MAP"),
            ("message", "MAP"),
            ("target", "MAP"),
            ("arguments", "MAP"),
            ("event", "STRING"),
            ("location", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Function,
        "form_submit_handler",
        &["chat", "message", "user"],
        &[
            ("form", "MAP"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("message", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Function,
        "form_change_handler",
        &["chat", "user"],
        &[
            ("form", "MAP"),
            ("target", "MAP"),
            ("user", "MAP"),
            ("chat", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Function,
        "form_dynamic_select_handler",
        &["chat", "user"],
        &[
            ("form", "MAP"),
            ("target", "MAP"),
            ("user", "MAP"),
            ("chat", "MAP"),
        ],
        "MAP",
    ),
    (
        ComponentKind::Function,
        "form_view_handler",
        &["user"],
        &[("params", "MAP"), ("user", "MAP")],
        "MAP",
    ),
    (
        ComponentKind::Function,
        "widget_button_handler",
        &["user"],
        &[("target", "MAP"), ("arguments", "MAP"), ("user", "MAP")],
        "MAP",
    ),
    (
        ComponentKind::MessageAction,
        "execution_handler",
        &["chat", "message", "user", "location", "attachments"],
        &[
            ("message", "MAP"),
            ("messages", "MAP"),
            ("attachments", "LIST"),
            ("mentions", "LIST"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("location", "MAP"),
        ],
        "MAP",
    ),
];

#[test]
fn matches_the_area_tables_it_replaced() {
    for (component, name, perms, params, ret) in BEFORE {
        let s = find(*component, name).unwrap_or_else(|| panic!("{name} missing"));
        let mut got: Vec<&str> = s.permissions.iter().map(|p| p.as_str()).collect();
        let mut want = perms.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{name}");
        let got: Vec<(&str, &str)> = s.params[2..]
            .iter()
            .map(|p| (p.name, p.ty.as_str()))
            .collect();
        assert_eq!(got, params.to_vec(), "{name}");
        assert_eq!(s.return_type.as_str(), *ret, "{name}");
    }
    for c in [
        ComponentKind::Bot,
        ComponentKind::Function,
        ComponentKind::MessageAction,
    ] {
        assert_eq!(
            handlers_of(c).count(),
            BEFORE.iter().filter(|o| o.0 == c).count(),
            "{c:?}"
        );
    }
    assert_eq!(spec(K::BotMenu).max_per_component, 5);
}

#[test]
fn replies_match_the_validator_table_it_replaced() {
    use ResponseKind as R;
    let before: &[(HandlerKind, &[ResponseKind])] = &[
        (K::Command, &[R::Message, R::BotContext, R::Banner, R::Form]),
        (
            K::MessageAction,
            &[R::Message, R::BotContext, R::Banner, R::Form],
        ),
        (
            K::BotMention,
            &[R::Message, R::BotContext, R::Banner, R::Form],
        ),
        (K::CommandSuggestion, &[R::CommandSuggestions]),
        (K::BotWelcome, &[R::Message, R::Banner]),
        (
            K::BotMessage,
            &[
                R::Message,
                R::BotContext,
                R::Banner,
                R::Form,
                R::Suggestions,
            ],
        ),
        (
            K::BotMenu,
            &[
                R::Message,
                R::BotContext,
                R::Banner,
                R::Form,
                R::Suggestions,
            ],
        ),
        (
            K::BotContext,
            &[
                R::Message,
                R::BotContext,
                R::Banner,
                R::Form,
                R::Suggestions,
            ],
        ),
        (K::BotIncomingWebhook, &[R::Message, R::BotContext]),
        (K::BotParticipation, &[R::Message, R::Banner]),
        (K::Scheduler, &[]),
        (
            K::FunctionButton,
            &[
                R::Message,
                R::BotContext,
                R::Banner,
                R::Form,
                R::Suggestions,
                R::MessageEdit,
            ],
        ),
        (
            K::FunctionFormSubmit,
            &[
                R::Message,
                R::BotContext,
                R::Banner,
                R::Suggestions,
                R::FormError,
                R::Widget,
            ],
        ),
        (K::FunctionFormChange, &[R::FormModification]),
        (K::FunctionFormDynamicSelect, &[R::DynamicSelectOptions]),
        (K::WidgetView, &[R::Widget]),
        (
            K::WidgetButton,
            &[R::Widget, R::WidgetSection, R::Form, R::Banner],
        ),
        (K::ExtensionInstallation, &[R::InstallationStatus]),
        (K::ExtensionInstallationValidator, &[R::InstallationStatus]),
    ];
    for (k, replies) in before {
        assert_eq!(spec(*k).replies, *replies, "{k:?}");
    }
    assert!(spec(K::Scheduler).ignores_reply());
    assert!(spec(K::BotCall).ignores_reply());
    assert!(!spec(K::BotMessage).ignores_reply());
}

#[test]
fn permissions_parse() {
    for p in Permission::ALL.iter() {
        assert_eq!(p.as_str().parse::<Permission>().ok(), Some(*p));
    }
    assert!("camera".parse::<Permission>().is_err());
}

/// Moved from the functions area of the server, whose table the catalog replaced.
#[test]
fn every_function_type_has_one_default() {
    let default_type =
        |ft: FunctionType| default_handler(ComponentKind::Function, Some(ft)).map(|s| s.api_name);
    for ft in FunctionType::ALL.iter() {
        let defaults: Vec<_> = handlers_of(ComponentKind::Function)
            .filter(|h| h.default && h.function_type == Some(*ft))
            .collect();
        assert_eq!(defaults.len(), 1, "{ft}");
        assert_eq!(default_type(*ft), Some(defaults[0].api_name));
    }
    assert_eq!(
        default_type(FunctionType::Form),
        Some("form_submit_handler")
    );
    assert_eq!(
        default_type(FunctionType::WidgetButton),
        Some("widget_button_handler")
    );
}

/// Moved from the functions area of the server, whose table the catalog replaced.
#[test]
fn function_matrix_never_grants_location_or_attachments() {
    for h in handlers_of(ComponentKind::Function) {
        assert!(h.permissions.iter().all(|p| Permission::ALL.contains(p)));
        assert!(!h.permissions.contains(&Permission::Location));
        assert!(!h.permissions.contains(&Permission::Attachments));
        assert_eq!(h.params[..2], [ACCESS, ENVIRONMENT]);
    }
}
