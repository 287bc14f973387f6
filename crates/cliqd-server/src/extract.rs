//! Shared extractors that turn every malformed input into a Cliq-style 4xx error: JSON bodies
//! (malformed, wrong types, unknown fields, oversized) and query strings.

use crate::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON request body. Declare `T` with `#[serde(deny_unknown_fields)]` to refuse unknown fields.
pub struct CliqJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CliqJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge)
            } else if is_body_timeout(&rej) {
                ApiError::new(ErrorCode::RequestTimeout)
            } else {
                ApiError::new(ErrorCode::BadRequest)
            }
        })?;
        parse_json(&bytes)
            .map(CliqJson)
            .map_err(|e| match content_type.as_deref() {
                // A body that is not JSON, sent as something else: say that, not "malformed".
                Some(ct) if !is_json_type(ct) => ApiError::with_message(
                    ErrorCode::UnsupportedMediaType,
                    format!(
                        "the request body must be JSON (Content-Type: application/json), \
                         not {ct}"
                    ),
                ),
                _ => e,
            })
    }
}

/// `application/json`, with or without parameters, or any `+json` type. A JSON body sent under
/// another type (curl's `-d` says form-urlencoded) is still read: only a body that is not JSON
/// is refused, with the type named.
fn is_json_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Whether reading the body failed because the client stopped sending it (the body-read
/// timeout of [`crate::app`]).
fn is_body_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Parses a JSON body into `T`, naming what was wrong and where.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::invalid(
            "the request body is empty; a JSON object is required",
        ));
    }
    if has_escaped_nul(bytes) {
        return Err(ApiError::invalid(
            "the request body contains a NUL character (\\u0000) in a string; \
             names and texts may not contain it",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        if let Some(found) = not_an_object(bytes) {
            return ApiError::invalid(format!("expected a JSON object, found {found}"));
        }
        let what = match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => "malformed JSON",
            Category::Data => "invalid request body",
        };
        // serde's messages already name the field and position; drop its trailing detail noise.
        ApiError::invalid(format!("{what}: {e}"))
    })
}

/// What the body is when it is valid JSON but not an object (every body cliqd takes is one).
fn not_an_object(bytes: &[u8]) -> Option<&'static str> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).ok()?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    match first {
        b'{' => None,
        b'[' => Some("an array"),
        b'"' => Some("a string"),
        b't' | b'f' => Some("a boolean"),
        b'n' => Some("null"),
        _ => Some("a number"),
    }
}

/// Whether a JSON string in `bytes` holds `\u0000` (JSON cannot carry a raw NUL: it must be
/// escaped). An escaped backslash followed by `u0000` is text, not a NUL.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Query parameters; unparsable values become `invalid_inputs`.
pub struct CliqQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for CliqQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| CliqQuery(q.0))
            .map_err(|e| ApiError::invalid(format!("invalid query parameters: {}", e.body_text())))
    }
}

/// Path parameters; undecodable ones (bad percent-encoding, not UTF-8) get the generic 404.
pub struct CliqPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for CliqPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| CliqPath(p.0))
            .map_err(|_| ApiError::new(ErrorCode::NotFound))
    }
}

/// The extension key of a request, under any of its documented spellings: `extension_key`
/// (OpenAPI), `EXTENSION_KEY` (seed samples) or `appkey` (v2 and v3 message endpoints).
pub fn extension_key(uri: &axum::http::Uri) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| {
            matches!(k.as_ref(), "extension_key" | "EXTENSION_KEY" | "appkey") && !v.is_empty()
        })
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    #[test]
    fn json_errors_are_invalid_inputs() {
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"name\":1}",
            b"{\"name\":\"a\",\"x\":1}",
            b"  ",
        ] {
            let e = parse_json::<Body>(bad).unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::InvalidInputs,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(parse_json::<Body>(b"{\"name\":\"a\"}").is_ok());
    }

    #[test]
    fn extension_key_spellings() {
        for q in ["extension_key=k", "EXTENSION_KEY=k", "a=1&appkey=k"] {
            let uri: axum::http::Uri = format!("/x?{q}").parse().unwrap();
            assert_eq!(extension_key(&uri).as_deref(), Some("k"));
        }
        assert_eq!(extension_key(&"/x?extension_key=".parse().unwrap()), None);
    }

    #[test]
    fn nul_and_non_objects_are_named() {
        assert!(has_escaped_nul(br#"{"name":"a\u0000b"}"#));
        assert!(!has_escaped_nul(br#"{"name":"a\\u0000b"}"#));
        assert!(!has_escaped_nul(br#"{"name":"ab"}"#));
        assert_eq!(not_an_object(b" [1]"), Some("an array"));
        assert_eq!(not_an_object(b"{\"a\":1}"), None);
        assert_eq!(not_an_object(b"[1"), None);
        assert!(is_json_type("application/json; charset=utf-8"));
        assert!(is_json_type("application/merge-patch+json"));
        assert!(!is_json_type("text/plain"));
    }
}
