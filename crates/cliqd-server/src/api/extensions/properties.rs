//! Extension properties: a string → string map per extension (at most 10 keys `[a-z_]+` of up
//! to 30 characters, values up to 1,000), set with PATCH, read many or one, deleted one by one.

use super::authorize;
use crate::api::char_len;
use crate::api::guard::Caller;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_store::{ConflictOn, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value};

pub const MAX_PROPERTIES: usize = 10;
pub const MAX_KEY_CHARS: usize = 30;
pub const MAX_VALUE_CHARS: usize = 1000;
/// Keys one GET may ask for.
pub const MAX_KEYS_PER_GET: usize = 10;

fn is_key_shape(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// A key in a path (get one, delete one): anything but `[a-z_]{1,30}` is
/// `extension_property_invalid_key`.
fn check_path_key(key: &str) -> ApiResult<()> {
    if is_key_shape(key) && key.len() <= MAX_KEY_CHARS {
        Ok(())
    } else {
        Err(ApiError::with_message(
            ErrorCode::ExtensionPropertyInvalidKey,
            format!("`{key}` is not a property key: keys are 1 to 30 characters of a-z and _"),
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetBody {
    properties: Option<Map<String, Value>>,
}

/// Validates a PATCH body into (key, value) pairs, in request order.
fn check_set_body(body: SetBody) -> ApiResult<Vec<(String, String)>> {
    let props = body
        .properties
        .ok_or_else(|| ApiError::invalid("properties is required"))?;
    if props.is_empty() {
        return Err(ApiError::invalid(
            "properties must have at least one key-value pair",
        ));
    }
    if props.len() > MAX_PROPERTIES {
        return Err(ApiError::invalid(format!(
            "an extension can have at most {MAX_PROPERTIES} properties"
        )));
    }
    let mut out = Vec::with_capacity(props.len());
    for (key, value) in props {
        if char_len(&key) > MAX_KEY_CHARS {
            return Err(ApiError::with_message(
                ErrorCode::ExtensionPropertyKeyLengthExceeded,
                format!("property key `{key}` is longer than {MAX_KEY_CHARS} characters"),
            ));
        }
        if !is_key_shape(&key) {
            return Err(ApiError::with_message(
                ErrorCode::ExtensionPropertyInvalidKey,
                format!("`{key}` is not a property key: keys are 1 to 30 characters of a-z and _"),
            ));
        }
        let Value::String(value) = value else {
            return Err(ApiError::invalid(format!(
                "the value of property `{key}` must be a string"
            )));
        };
        if char_len(&value) > MAX_VALUE_CHARS {
            return Err(ApiError::invalid(format!(
                "the value of property `{key}` can be at most {MAX_VALUE_CHARS} characters"
            )));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// `PATCH …/properties`: upserts, replies with exactly the pairs it was sent.
pub(super) async fn set(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<SetBody>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    let props = check_set_body(body)?;
    match state
        .store
        .set_properties(ext.id, props.clone(), MAX_PROPERTIES)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(ConflictOn::Properties)) => {
            return Err(ApiError::invalid(format!(
                "an extension can have at most {MAX_PROPERTIES} properties; delete some first"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let reply: Map<String, Value> = props
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Json(Value::Object(reply)).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct KeysQuery {
    keys: Option<String>,
}

/// The `keys` list of a GET: comma-separated, each a valid key, at most 10 distinct.
fn check_keys(raw: Option<&str>) -> ApiResult<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for key in raw.unwrap_or("").split(',').map(str::trim) {
        if key.is_empty() {
            continue;
        }
        if !is_key_shape(key) || key.len() > MAX_KEY_CHARS {
            return Err(ApiError::invalid(format!(
                "keys: `{key}` is not a property key (1 to 30 characters of a-z and _)"
            )));
        }
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_string());
        }
    }
    if keys.is_empty() {
        return Err(ApiError::invalid(
            "keys is required: a comma-separated list of property keys",
        ));
    }
    if keys.len() > MAX_KEYS_PER_GET {
        return Err(ApiError::invalid(format!(
            "keys can name at most {MAX_KEYS_PER_GET} properties"
        )));
    }
    Ok(keys)
}

/// `GET …/properties?keys=a,b`: the requested properties that exist, as a flat map.
pub(super) async fn get_many(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqQuery(query): CliqQuery<KeysQuery>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    let keys = check_keys(query.keys.as_deref())?;
    let found = state.store.get_properties(ext.id, keys).await?;
    let reply: Map<String, Value> = found
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Json(Value::Object(reply)).into_response())
}

/// `GET …/properties/{key}`: `{"key": "value"}`; a missing key is `extension_property_invalid_key`.
pub(super) async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    CliqPath((id, key)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    check_path_key(&key)?;
    let found = state
        .store
        .get_properties(ext.id, vec![key.clone()])
        .await?;
    let Some((k, v)) = found.into_iter().next() else {
        return Err(ApiError::with_message(
            ErrorCode::ExtensionPropertyInvalidKey,
            format!("the extension has no property `{key}`"),
        ));
    };
    let mut reply = Map::new();
    reply.insert(k, Value::String(v));
    Ok(Json(Value::Object(reply)).into_response())
}

/// `DELETE …/properties/{key}`: 204, also when the key was not set (deleting is idempotent;
/// the documented error is for invalid keys only).
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    CliqPath((id, key)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    check_path_key(&key)?;
    state.store.delete_property(ext.id, &key).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(is_key_shape("api_key"));
        assert!(!is_key_shape("api-key"));
        assert!(!is_key_shape("Api"));
        assert!(!is_key_shape(""));
        assert_eq!(check_keys(Some(" a , b,a,")).unwrap(), vec!["a", "b"]);
        assert!(check_keys(Some(",")).is_err());
        assert!(check_keys(None).is_err());
        let eleven: Vec<String> = (0..11).map(|i| "k".repeat(i + 1)).collect();
        assert!(check_keys(Some(&eleven.join(","))).is_err());
        assert_eq!(
            check_path_key(&"a".repeat(31)).unwrap_err().code,
            ErrorCode::ExtensionPropertyInvalidKey
        );
    }
}
