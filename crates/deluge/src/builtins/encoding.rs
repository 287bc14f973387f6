//! URL and encoding functions: encodeUrl, `zoho.encryption.*` (base64, URL, hashes, HMAC).

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{CallCtx, Dispatch, arity, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// Characters `encodeUrl` leaves alone (Java `URLEncoder`: letters, digits, `.-*_`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'*')
    .remove(b'_');

/// `text.name(args)` for encoding functions.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, recv, name, args);
    None
}

/// `encodeUrl(t)` and the `zoho.encryption.*` functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    Some(match name {
        "encodeurl" => (|| {
            arity(name, args, 1, 1)?;
            let t = text_arg(name, args, 0)?;
            Ok(Value::text(
                utf8_percent_encode(&t, FORM)
                    .to_string()
                    .replace("%20", "+"),
            ))
        })(),
        "zoho.encryption.base64encode" => (|| {
            arity(name, args, 1, 1)?;
            let t = text_arg(name, args, 0)?;
            Ok(Value::text(
                base64::engine::general_purpose::STANDARD.encode(t),
            ))
        })(),
        "zoho.encryption.base64decode" => (|| {
            arity(name, args, 1, 1)?;
            let t = text_arg(name, args, 0)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(t.trim())
                .map_err(|e| RuntimeError::value_error(format!("invalid base64: {e}")))?;
            Ok(Value::text(String::from_utf8_lossy(&bytes).into_owned()))
        })(),
        _ => return None,
    })
}
