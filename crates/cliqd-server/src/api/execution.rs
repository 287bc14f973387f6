//! What every component with handlers shares (bots, functions, message actions): the execution
//! type and URL, Deluge script checking, webhook permissions checked against the handler's
//! entry in the `cliqd_core` catalog, the script-or-permissions payload of a handler, and the
//! handler-row helpers (find, save, delete) that answer with the `execution_handler_*` codes.

use super::char_len;
use super::component::{Area, Descriptor, attrs_of, find, find_for_write};
use super::envelope;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use cliqd_core::attrs::ComponentAttrs;
use cliqd_core::catalog::HandlerSpec;
use cliqd_core::{ExecutionType, Permission};
use cliqd_store::{HandlerRow, NewHandler, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Largest accepted handler script: 250 KB.
pub const MAX_SCRIPT_BYTES: usize = 250 * 1024;
/// At most this many permissions per handler (the schemas' `maxItems`).
const MAX_PERMISSIONS: usize = 5;

/// `[{"param_name": …, "param_type": …}, …]` as the `GET handler` replies show a handler's
/// Deluge parameters.
pub fn params_json(spec: &HandlerSpec) -> Value {
    spec.params
        .iter()
        .map(|p| json!({"param_name": p.name, "param_type": p.ty.as_str()}))
        .collect()
}

/// Checks a Deluge script: size, then syntax through the `deluge` crate; a parse error is
/// reported with its line and column.
pub fn check_script(script: &str) -> ApiResult<()> {
    if script.len() > MAX_SCRIPT_BYTES {
        return Err(ApiError::with_message(
            ErrorCode::ExecutionHandlerDataInvalid,
            "script is larger than 250 KB",
        ));
    }
    if let Err(diags) = deluge::check(script) {
        let first = diags
            .first()
            .map(|d| d.to_string())
            .unwrap_or_else(|| "the script does not parse".into());
        return Err(ApiError::with_message(
            ErrorCode::ExecutionHandlerDataInvalid,
            format!("script error at {first}"),
        ));
    }
    Ok(())
}

/// Checks webhook permissions against every [`Permission`] and the handler's own matrix;
/// duplicates are dropped.
pub fn check_permissions(list: Vec<String>, spec: &HandlerSpec) -> ApiResult<Vec<String>> {
    if list.len() > MAX_PERMISSIONS {
        return Err(ApiError::invalid("permissions can have at most 5 entries"));
    }
    let mut out: Vec<String> = Vec::new();
    for p in list {
        let Ok(permission) = p.parse::<Permission>() else {
            return Err(ApiError::invalid(format!("`{p}` is not a permission")));
        };
        if !spec.permissions.contains(&permission) {
            return Err(ApiError::invalid(format!(
                "permission `{p}` is not available for {}",
                spec.api_name
            )));
        }
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// An `http`/`https` URL with a host, at most `max_chars` long when given.
pub fn check_url(u: &str, max_chars: Option<usize>) -> ApiResult<String> {
    let u = u.trim();
    if let Some(max) = max_chars
        && char_len(u) > max
    {
        return Err(ApiError::invalid(format!(
            "execution_url can be at most {max} characters"
        )));
    }
    match url::Url::parse(u) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {
            Ok(u.to_string())
        }
        _ => Err(ApiError::invalid(
            "execution_url must be an http or https URL",
        )),
    }
}

/// `execution_type` (default `deluge`) and `execution_url` of a new component: the URL is
/// required for webhook components and refused for Deluge ones.
pub fn check_execution(
    execution_type: Option<&str>,
    execution_url: Option<&str>,
    max_url_chars: Option<usize>,
) -> ApiResult<(ExecutionType, Option<String>)> {
    let execution_type = match execution_type {
        None => ExecutionType::Deluge,
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::invalid("execution_type must be deluge or webhook"))?,
    };
    match (execution_type, execution_url) {
        (ExecutionType::Deluge, None) => Ok((ExecutionType::Deluge, None)),
        (ExecutionType::Deluge, Some(_)) => Err(ApiError::new(ErrorCode::ExecutionUrlNotAllowed)),
        (ExecutionType::Webhook, None) => Err(ApiError::new(ErrorCode::ExecutionUrlRequired)),
        (ExecutionType::Webhook, Some(u)) => {
            Ok((ExecutionType::Webhook, Some(check_url(u, max_url_chars)?)))
        }
    }
}

/// An update's `execution_type` (immutable: accepted only unchanged) and `execution_url`
/// (webhook components only; ignored for Deluge ones). Returns the new URL, if one applies.
pub fn patch_execution(
    current_type: ExecutionType,
    execution_type: Option<&str>,
    execution_url: Option<&str>,
    max_url_chars: Option<usize>,
) -> ApiResult<Option<String>> {
    if let Some(t) = execution_type
        && t != current_type.as_str()
    {
        return Err(ApiError::invalid(
            "execution_type cannot be changed after creation",
        ));
    }
    match execution_url {
        None => Ok(None),
        // An update of a Deluge component that carries an `execution_url` (as the pages'
        // update samples do) has it ignored, and the log says so; on creation it is refused.
        Some(_) if current_type != ExecutionType::Webhook => {
            tracing::info!(
                ignored = "execution_url",
                execution_type = current_type.as_str(),
                "ignored execution_url in an update of a Deluge component"
            );
            Ok(None)
        }
        Some(u) => Ok(Some(check_url(u, max_url_chars)?)),
    }
}

/// What a handler body may carry whatever the component: a Deluge `script` or webhook
/// `permissions`.
#[derive(Debug, Default)]
pub struct HandlerData {
    pub script: Option<String>,
    pub permissions: Option<Vec<String>>,
}

/// Validates `data` for a handler of `spec` on a component of `execution_type` and returns
/// the script and attributes to store. `existing` is the handler being updated (None on
/// create, where a Deluge script is required). `components` names the kind in messages, in
/// the plural (`bots`).
pub fn handler_data(
    data: HandlerData,
    spec: &HandlerSpec,
    execution_type: ExecutionType,
    existing: Option<&HandlerRow>,
    components: &str,
) -> ApiResult<(Option<String>, Value)> {
    let mut attrs = existing
        .map(|h| h.attrs.clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let mut script = existing.and_then(|h| h.script.clone());
    // A body with both (as the pages' samples send) applies the one that fits the component
    // and ignores the other, saying so in the log; one that only carries the other is refused.
    let mut data = data;
    if data.script.is_some() && data.permissions.is_some() {
        let ignored = match execution_type {
            ExecutionType::Webhook => data.script.take().map(|_| "script"),
            ExecutionType::Deluge => data.permissions.take().map(|_| "permissions"),
        };
        tracing::info!(
            ignored,
            execution_type = execution_type.as_str(),
            handler = spec.api_name,
            "ignored a handler field that does not fit the component's execution type"
        );
    }
    if execution_type == ExecutionType::Webhook {
        if data.script.is_some() {
            return Err(ApiError::invalid(format!(
                "script applies only to Deluge {components}; webhook {components} use permissions"
            )));
        }
        if let Some(p) = data.permissions {
            attrs["permissions"] = json!(check_permissions(p, spec)?);
        } else if existing.is_none() {
            attrs["permissions"] = json!([]);
        }
    } else {
        if data.permissions.is_some() {
            return Err(ApiError::invalid(format!(
                "permissions apply only to webhook {components}; Deluge {components} use script"
            )));
        }
        match data.script {
            Some(s) => {
                check_script(&s)?;
                script = Some(s);
            }
            None if existing.is_none() => {
                return Err(ApiError::with_message(
                    ErrorCode::ExecutionHandlerDataRequired,
                    format!("script is required for handlers of Deluge {components}"),
                ));
            }
            None => {}
        }
    }
    Ok((script, attrs))
}

/// An update must change something: a `script` (Deluge) or `permissions` (webhook).
/// `components` names the kind in the message, in the plural (`functions`).
pub fn require_data(
    has_data: bool,
    execution_type: ExecutionType,
    components: &str,
) -> ApiResult<()> {
    if has_data {
        return Ok(());
    }
    let what = match execution_type {
        ExecutionType::Webhook => {
            format!("permissions is required for handlers of webhook {components}")
        }
        ExecutionType::Deluge => format!("script is required for handlers of Deluge {components}"),
    };
    Err(ApiError::with_message(
        ErrorCode::ExecutionHandlerDataRequired,
        what,
    ))
}

/// The row of a component's default handler, inserted with the component: it exists from
/// creation, is not configured yet (no script, no permissions) and cannot be deleted.
pub fn default_handler(spec: &HandlerSpec) -> NewHandler {
    NewHandler {
        component_id: 0,
        handler_type: spec.api_name.to_string(),
        script: None,
        attrs: json!({"default": true}),
    }
}

/// Whether `h` is a default handler (see [`default_handler`]).
pub fn is_default(h: &HandlerRow) -> bool {
    h.attrs.get("default").and_then(Value::as_bool) == Some(true)
}

/// Whether a handler has been given its script (Deluge) or permissions (webhook) yet.
pub fn is_configured(h: &HandlerRow, execution_type: ExecutionType) -> bool {
    if execution_type == ExecutionType::Webhook {
        h.attrs.get("permissions").is_some()
    } else {
        h.script.is_some()
    }
}

/// `script` for Deluge components (empty until configured), `permissions` for webhook ones.
pub fn script_or_permissions(
    obj: &mut Map<String, Value>,
    h: &HandlerRow,
    execution_type: ExecutionType,
) {
    if execution_type == ExecutionType::Webhook {
        let perms = h
            .attrs
            .get("permissions")
            .cloned()
            .unwrap_or_else(|| json!([]));
        obj.insert("permissions".into(), perms);
    } else {
        obj.insert("script".into(), h.script.clone().unwrap_or_default().into());
    }
}

/// The handler object of function and message-action handler replies (<https://www.zoho.com/cliq/help/restapi/v3/functions/>, <https://www.zoho.com/cliq/help/restapi/v3/messageactions/>):
/// `name`, `script` or `permissions`, and `function_id` (sic, also for message actions).
pub fn handler_reply(h: &HandlerRow, execution_type: ExecutionType) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert("name".into(), h.handler_type.clone().into());
    script_or_permissions(&mut obj, h, execution_type);
    obj.insert("function_id".into(), h.component_id.to_string().into());
    obj
}

/// Maps a store failure of a handler operation: `NotFound` to the caller's not-found code,
/// anything else to the operation's `*_failed` code (logged).
pub fn store_error(e: StoreError, not_found: ErrorCode, failed: ErrorCode) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::new(not_found),
        other => {
            tracing::error!(error = %other, "handler store operation failed");
            ApiError::new(failed)
        }
    }
}

/// The handlers of a component; a store failure is the operation's `failed` code (a vanished
/// component the area's `*_not_found`).
pub async fn handlers_of(
    state: &AppState,
    d: &Descriptor,
    component_id: i64,
    failed: ErrorCode,
) -> ApiResult<Vec<HandlerRow>> {
    state
        .store
        .handlers_of(component_id)
        .await
        .map_err(|e| store_error(e, d.codes.not_found, failed))
}

/// The handler type the path names and the component's handler of that type; `handler_id`
/// picks one when the type may repeat (bot menu actions) and is required then if several
/// exist.
pub async fn find_handler(
    state: &AppState,
    d: &Descriptor,
    component_id: i64,
    handler_type: &str,
    handler_id: Option<&str>,
    failed: ErrorCode,
) -> ApiResult<(&'static HandlerSpec, HandlerRow)> {
    let spec = d.handler(handler_type)?;
    let same = cliqd_service::handlers_of_kind(state.store.as_ref(), component_id, spec)
        .await
        .map_err(|e| match e {
            cliqd_service::ServiceError::Store(e) => store_error(e, d.codes.not_found, failed),
            other => other.into(),
        })?;
    let mut same = same.into_iter();
    let not_found = || ApiError::new(ErrorCode::ExecutionHandlerNotFound);
    let found = match handler_id {
        Some(raw) => {
            let id = cliqd_core::ids::parse_component_id(raw, "").ok_or_else(not_found)?;
            same.find(|h| h.id == id)
        }
        None => {
            let first = same.next();
            if same.next().is_some() {
                // Only bot menu actions repeat.
                return Err(ApiError::with_message(
                    ErrorCode::ExecutionHandlerDataRequired,
                    format!(
                        "handler_id is required: the {} has several menu actions",
                        d.singular
                    ),
                ));
            }
            first
        }
    };
    found.map(|h| (spec, h)).ok_or_else(not_found)
}

/// Refuses a handler `type` in an update body that is not the handler's own.
pub fn check_same_type(
    d: &Descriptor,
    body_type: Option<&str>,
    spec: &HandlerSpec,
) -> ApiResult<()> {
    match body_type {
        Some(t) if d.handler(t)?.kind != spec.kind => Err(ApiError::invalid(format!(
            "type cannot be changed; {}",
            d.type_change_hint
        ))),
        _ => Ok(()),
    }
}

/// "The bot already has a message_handler; update it instead."
pub fn already_has(d: &Descriptor, spec: &HandlerSpec) -> String {
    format!(
        "the {} already has a {}; update it instead",
        d.singular, spec.api_name
    )
}

/// Saves an updated handler; a vanished one is `execution_handler_not_found`, another store
/// failure `execution_handler_update_failed`.
pub async fn save_handler(
    state: &AppState,
    existing: HandlerRow,
    script: Option<String>,
    attrs: Value,
) -> ApiResult<HandlerRow> {
    state
        .store
        .update_handler(HandlerRow {
            script,
            attrs,
            ..existing
        })
        .await
        .map_err(|e| {
            store_error(
                e,
                ErrorCode::ExecutionHandlerNotFound,
                ErrorCode::ExecutionHandlerUpdateFailed,
            )
        })
}

/// Deletes a handler. A default handler (a function's `button_handler`, a message action's
/// `execution_handler`, …) cannot go, since the component needs it: deleting it empties it
/// instead (no script, no permissions: as on creation) and answers the same 204, as the
/// functions page's `DELETE /functions/{ID}/handlers/button_handler` sample shows
/// (<https://www.zoho.com/cliq/help/restapi/v3/functions/>). It can be given a script again.
pub async fn remove_handler(state: &AppState, d: &Descriptor, h: &HandlerRow) -> ApiResult<()> {
    if is_default(h) {
        let mut attrs = h.attrs.clone();
        if let Some(obj) = attrs.as_object_mut() {
            obj.remove("permissions");
        }
        tracing::info!(
            handler = %h.handler_type,
            component = d.singular,
            "the default handler was emptied rather than deleted"
        );
        save_handler(state, h.clone(), None, attrs).await?;
        return Ok(());
    }
    state
        .store
        .delete_handler(h.component_id, h.id)
        .await
        .map_err(|e| {
            store_error(
                e,
                ErrorCode::ExecutionHandlerNotFound,
                ErrorCode::ExecutionHandlerDeleteFailed,
            )
        })
}

/// A handler body of functions and message actions: `type` (on update only the handler's
/// own), a Deluge `script` or webhook `permissions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlerBody {
    #[serde(rename = "type")]
    pub handler_type: Option<String>,
    pub script: Option<String>,
    pub permissions: Option<Vec<String>>,
}

/// `PATCH …/handlers/{handler_type}` of functions and message actions: a new script or new
/// permissions; the reply is the handler object (<https://www.zoho.com/cliq/help/restapi/v3/functions/>, <https://www.zoho.com/cliq/help/restapi/v3/messageactions/>).
pub async fn update_handler<A: Area>(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((id, handler_type)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let d = A::D;
    let failed = ErrorCode::ExecutionHandlerUpdateFailed;
    let (row, attrs) = find_for_write::<A>(&state, &auth, &id).await?;
    let execution_type = attrs.execution_type();
    let (spec, existing) = find_handler(&state, d, row.id, &handler_type, None, failed).await?;
    check_same_type(d, body.handler_type.as_deref(), spec)?;
    require_data(
        body.script.is_some() || body.permissions.is_some(),
        execution_type,
        d.plural,
    )?;
    let data = HandlerData {
        script: body.script,
        permissions: body.permissions,
    };
    let (script, handler_attrs) =
        handler_data(data, spec, execution_type, Some(&existing), d.plural)?;
    let saved = save_handler(&state, existing, script, handler_attrs).await?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        Value::Object(handler_reply(&saved, execution_type)),
    )
    .into_response())
}

/// `GET …/handlers/{handler_type}` of functions and message actions: the handler with its
/// `params` and `return_type`; the reply's `type` is the handler's name (<https://www.zoho.com/cliq/help/restapi/v3/functions/>).
pub async fn get_handler<A: Area>(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((id, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let d = A::D;
    let row = find(&state, &auth, d, &id).await?;
    let attrs: A::Attrs = attrs_of(&row)?;
    let (spec, h) = find_handler(
        &state,
        d,
        row.id,
        &handler_type,
        None,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    let mut data = handler_reply(&h, attrs.execution_type());
    data.insert("return_type".into(), spec.return_type.as_str().into());
    data.insert("params".into(), params_json(spec));
    Ok(envelope(uri.path(), spec.api_name, Value::Object(data)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    use cliqd_core::HandlerKind;

    /// A handler granted only `chat` and `user`.
    const SPEC: &HandlerSpec = cliqd_core::catalog::spec(HandlerKind::FunctionFormChange);

    #[test]
    fn permissions_follow_the_matrix() {
        let ok = check_permissions(vec!["user".into(), "chat".into(), "user".into()], SPEC);
        assert_eq!(ok.unwrap(), vec!["user", "chat"]);
        for bad in ["message", "camera"] {
            let e = check_permissions(vec![bad.into()], SPEC).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInputs, "{bad}");
        }
        let six = vec!["user".to_string(); 6];
        assert!(check_permissions(six, SPEC).is_err());
    }

    #[test]
    fn execution_rules() {
        assert_eq!(
            check_execution(None, None, None).unwrap(),
            (ExecutionType::Deluge, None)
        );
        let e = |r: ApiResult<(ExecutionType, Option<String>)>| r.unwrap_err().code;
        assert_eq!(
            e(check_execution(None, Some("https://a.b"), None)),
            ErrorCode::ExecutionUrlNotAllowed
        );
        assert_eq!(
            e(check_execution(Some("webhook"), None, None)),
            ErrorCode::ExecutionUrlRequired
        );
        assert_eq!(
            e(check_execution(Some("lambda"), None, None)),
            ErrorCode::InvalidInputs
        );
        let long = format!("https://a.b/{}", "x".repeat(220));
        assert_eq!(
            e(check_execution(Some("webhook"), Some(&long), Some(225))),
            ErrorCode::InvalidInputs
        );
        assert!(check_execution(Some("webhook"), Some(&long), None).is_ok());
        assert_eq!(
            patch_execution(ExecutionType::Deluge, Some("webhook"), None, None)
                .unwrap_err()
                .code,
            ErrorCode::InvalidInputs
        );
        // Ignored in an update of a Deluge component (refused on creation, above).
        assert_eq!(
            patch_execution(ExecutionType::Deluge, None, Some("https://a.b"), None).unwrap(),
            None
        );
        assert_eq!(
            patch_execution(
                ExecutionType::Webhook,
                Some("webhook"),
                Some("https://a.b/c"),
                None
            )
            .unwrap(),
            Some("https://a.b/c".into())
        );
    }

    #[test]
    fn scripts_are_parsed() {
        assert!(check_script("response = Map();\nreturn response;").is_ok());
        let e = check_script("x = ;").unwrap_err();
        assert_eq!(e.code, ErrorCode::ExecutionHandlerDataInvalid);
        assert!(e.message.unwrap().contains("line 1"));
        let big = "x = 1;\n".repeat(MAX_SCRIPT_BYTES / 7 + 1);
        assert_eq!(
            check_script(&big).unwrap_err().code,
            ErrorCode::ExecutionHandlerDataInvalid
        );
    }

    #[test]
    fn script_or_permissions_by_execution_type() {
        let data = |script: Option<&str>, perms: Option<Vec<&str>>| HandlerData {
            script: script.map(String::from),
            permissions: perms.map(|p| p.into_iter().map(String::from).collect()),
        };
        let (s, a) = handler_data(
            data(Some("return 1;"), None),
            SPEC,
            ExecutionType::Deluge,
            None,
            "x",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.as_deref(), Some("return 1;"));
        assert_eq!(a, json!({}));
        let code = |r: ApiResult<(Option<String>, Value)>| r.unwrap_err().code;
        assert_eq!(
            code(handler_data(
                data(None, None),
                SPEC,
                ExecutionType::Deluge,
                None,
                "x"
            )),
            ErrorCode::ExecutionHandlerDataRequired
        );
        assert_eq!(
            code(handler_data(
                data(None, Some(vec!["user"])),
                SPEC,
                ExecutionType::Deluge,
                None,
                "x"
            )),
            ErrorCode::InvalidInputs
        );
        assert_eq!(
            code(handler_data(
                data(Some("x"), None),
                SPEC,
                ExecutionType::Webhook,
                None,
                "x"
            )),
            ErrorCode::InvalidInputs
        );
        let (s, a) = handler_data(
            data(None, Some(vec!["user"])),
            SPEC,
            ExecutionType::Webhook,
            None,
            "x",
        )
        .unwrap();
        assert_eq!((s, a), (None, json!({"permissions": ["user"]})));
    }
}
