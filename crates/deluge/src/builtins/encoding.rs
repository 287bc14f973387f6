//! URL and encoding functions: encodeUrl/decodeUrl and the `zoho.encryption.*` tasks
//! (base64, URL encoding, MD5/SHA hashes, HMACs).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::Md5;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{CallCtx, Dispatch, arity, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// Characters `encodeUrl` leaves alone (Java `URLEncoder`: letters, digits, `.-*_`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'*')
    .remove(b'_');

/// Characters `zoho.encryption.urlEncode` leaves alone (RFC 3986 unreserved).
const URL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// `text.name(args)` for encoding functions.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    let Value::Text(t) = recv else { return None };
    Some(match name {
        "encodeurl" => arity(name, args, 0, 0).map(|_| Value::text(form_encode(t))),
        "decodeurl" | "urldecode" => arity(name, args, 0, 0).and_then(|_| form_decode(t)),
        _ => return None,
    })
}

fn form_encode(t: &str) -> String {
    utf8_percent_encode(t, FORM).to_string().replace("%20", "+")
}

fn form_decode(t: &str) -> Result<Value, RuntimeError> {
    let spaced = t.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| Value::text(s.into_owned()))
        .map_err(|_| RuntimeError::value_error("URL-decoded text is not valid UTF-8"))
}

/// `encodeUrl(t)` and the `zoho.encryption.*` functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let Some(task) = name.strip_prefix("zoho.encryption.") else {
        return match name {
            "encodeurl" => Some((|| {
                arity(name, args, 1, 1)?;
                Ok(Value::text(form_encode(&text_arg(name, args, 0)?)))
            })()),
            "decodeurl" | "urldecode" => Some((|| {
                arity(name, args, 1, 1)?;
                form_decode(&text_arg(name, args, 0)?)
            })()),
            _ => None,
        };
    };
    Some(match task {
        // urlEncode doc: space → %20; a non-TEXT argument gives null.
        "urlencode" => arity(name, args, 1, 1).map(|_| match &args[0] {
            Value::Text(t) => Value::text(utf8_percent_encode(t, URL).to_string()),
            _ => Value::Null,
        }),
        "urldecode" => arity(name, args, 1, 1).and_then(|_| match &args[0] {
            Value::Text(t) => percent_decode_str(t)
                .decode_utf8()
                .map(|s| Value::text(s.into_owned()))
                .map_err(|_| RuntimeError::value_error("URL-decoded text is not valid UTF-8")),
            _ => Ok(Value::Null),
        }),
        "base64encode" => (|| {
            arity(name, args, 1, 1)?;
            let t = text_arg(name, args, 0)?;
            Ok(Value::text(
                base64::engine::general_purpose::STANDARD.encode(t),
            ))
        })(),
        "base64decode" => (|| {
            arity(name, args, 1, 1)?;
            let t = text_arg(name, args, 0)?;
            let cleaned: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let engine = base64::engine::general_purpose::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            let bytes = engine
                .decode(cleaned.replace('-', "+").replace('_', "/"))
                .map_err(|e| RuntimeError::value_error(format!("invalid base64: {e}")))?;
            Ok(Value::text(String::from_utf8_lossy(&bytes).into_owned()))
        })(),
        "md5" => digest::<Md5>(name, args),
        "sha1" => digest::<Sha1>(name, args),
        "sha256" => digest::<Sha256>(name, args),
        "sha384" => digest::<Sha384>(name, args),
        "sha512" => digest::<Sha512>(name, args),
        "hmacmd5" => hmac::<Hmac<Md5>>(name, args),
        "hmacsha1" => hmac::<Hmac<Sha1>>(name, args),
        "hmacsha256" => hmac::<Hmac<Sha256>>(name, args),
        "hmacsha384" => hmac::<Hmac<Sha384>>(name, args),
        "hmacsha512" => hmac::<Hmac<Sha512>>(name, args),
        "aesencode" => aes_encode(ctx, name, args, 32),
        "aesencode128" => aes_encode(ctx, name, args, 16),
        "aesdecode" => aes_decode(name, args, 32),
        "aesdecode128" => aes_decode(name, args, 16),
        "rsaencode" | "rsadecode" => Err(RuntimeError::value_error(format!(
            "{name} is not supported by this runtime"
        ))),
        _ => return None,
    })
}

/// The AES key: the key text's UTF-8 bytes, zero-padded to the key size. Verified against
/// the aesEncode/aesDecode doc examples (AES-256-CBC, PKCS#7, `"passkey"` padded with zeros).
fn aes_key(name: &str, args: &[Value], size: usize) -> Result<Vec<u8>, RuntimeError> {
    let key = text_arg(name, args, 0)?;
    if key.is_empty() || key.len() > size {
        return Err(RuntimeError::value_error(format!(
            "'{name}': the key must be 1 to {size} bytes"
        )));
    }
    let mut k = key.into_bytes();
    k.resize(size, 0);
    Ok(k)
}

/// The optional IV argument: exactly 16 bytes of text (aesEncode doc).
fn aes_iv(name: &str, args: &[Value]) -> Result<Option<[u8; 16]>, RuntimeError> {
    match args.get(2) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => {
            let iv = text_arg(name, args, 2)?;
            <[u8; 16]>::try_from(iv.as_bytes()).map(Some).map_err(|_| {
                RuntimeError::value_error(format!("'{name}': the IV must be 16 characters"))
            })
        }
    }
}

fn aes_cbc_encrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, RuntimeError> {
    use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    let bad = |_| RuntimeError::value_error("invalid AES key");
    Ok(match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(bad)?
            .encrypt_padded_vec_mut::<Pkcs7>(data),
        _ => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(bad)?
            .encrypt_padded_vec_mut::<Pkcs7>(data),
    })
}

fn aes_cbc_decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, RuntimeError> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
    let bad = |_| RuntimeError::value_error("invalid AES key");
    let wrong = |_| RuntimeError::value_error("AES decryption failed: wrong key or data");
    match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(bad)?
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map_err(wrong),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(bad)?
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map_err(wrong),
    }
}

/// A fresh IV when the script gives none. The interpreter has no entropy source of its own
/// (no IO), so this mixes the host clock with a per-thread counter through SHA-256: unique
/// per call, but not secret-grade randomness (DECISIONS.md).
fn fresh_iv(ctx: &mut CallCtx<'_>) -> [u8; 16] {
    thread_local! {
        static COUNTER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = COUNTER.with(|c| {
        let v = c.get().wrapping_add(1);
        c.set(v);
        v
    });
    let nanos = ctx.now().timestamp_nanos_opt().unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(n.to_le_bytes());
    let d = h.finalize();
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&d[..16]);
    iv
}

/// aesEncode(key, text[, iv]): base64 of the CBC ciphertext; without an IV a fresh one is
/// generated and prepended to the ciphertext (doc example: 48 bytes for 20 of text).
fn aes_encode(
    ctx: &mut CallCtx<'_>,
    name: &str,
    args: &[Value],
    size: usize,
) -> Result<Value, RuntimeError> {
    arity(name, args, 2, 3)?;
    let key = aes_key(name, args, size)?;
    let data = text_arg(name, args, 1)?;
    let b64 = &base64::engine::general_purpose::STANDARD;
    Ok(Value::text(match aes_iv(name, args)? {
        Some(iv) => b64.encode(aes_cbc_encrypt(&key, &iv, data.as_bytes())?),
        None => {
            let iv = fresh_iv(ctx);
            let mut out = iv.to_vec();
            out.extend(aes_cbc_encrypt(&key, &iv, data.as_bytes())?);
            b64.encode(out)
        }
    }))
}

/// aesDecode(key, encrypted[, iv]): the inverse of aesEncode.
fn aes_decode(name: &str, args: &[Value], size: usize) -> Result<Value, RuntimeError> {
    arity(name, args, 2, 3)?;
    let key = aes_key(name, args, size)?;
    let text = text_arg(name, args, 1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| RuntimeError::value_error(format!("'{name}': invalid base64: {e}")))?;
    let plain = match aes_iv(name, args)? {
        Some(iv) => aes_cbc_decrypt(&key, &iv, &bytes)?,
        None => {
            if bytes.len() < 32 {
                return Err(RuntimeError::value_error(format!(
                    "'{name}': the encrypted text is too short"
                )));
            }
            let (iv, body) = bytes.split_at(16);
            aes_cbc_decrypt(&key, iv, body)?
        }
    };
    Ok(Value::text(String::from_utf8_lossy(&plain).into_owned()))
}

/// Renders digest bytes: `hex` (lower case), `base64`, or `binary` (one char per byte).
fn render(name: &str, bytes: &[u8], output: &str) -> Result<Value, RuntimeError> {
    Ok(Value::text(match output.to_ascii_lowercase().as_str() {
        "hex" => hex::encode(bytes),
        "base64" => base64::engine::general_purpose::STANDARD.encode(bytes),
        "binary" => bytes.iter().map(|&b| char::from(b)).collect(),
        other => {
            return Err(RuntimeError::value_error(format!(
                "'{name}': unknown output type '{other}'"
            )));
        }
    }))
}

/// zoho.encryption.sha256(data[, output]): hex by default (sha256 doc).
fn digest<D: Digest>(name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 2)?;
    let data = text_arg(name, args, 0)?;
    let output = if args.len() == 2 {
        text_arg(name, args, 1)?
    } else {
        "hex".into()
    };
    render(name, &D::digest(data.as_bytes()), &output)
}

/// zoho.encryption.hmacsha256(key, message[, output]): base64 by default.
fn hmac<M: Mac + hmac::digest::KeyInit>(name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
    arity(name, args, 2, 3)?;
    let key = text_arg(name, args, 0)?;
    let message = text_arg(name, args, 1)?;
    let output = if args.len() == 3 {
        text_arg(name, args, 2)?
    } else {
        "base64".into()
    };
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key.as_bytes())
        .map_err(|_| RuntimeError::value_error(format!("'{name}': invalid key")))?;
    mac.update(message.as_bytes());
    render(name, &mac.finalize().into_bytes(), &output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        function(&mut ctx, name, args).expect("handled")
    }

    fn text(name: &str, args: &[&str]) -> String {
        let args: Vec<Value> = args.iter().map(|s| Value::text(*s)).collect();
        call(name, &args).unwrap().to_text()
    }

    #[test]
    fn url_encodings() {
        assert_eq!(
            text(
                "encodeurl",
                &["http://www.zoho.com/zohotest?name=John&country=Australia&age=101"]
            ),
            "http%3A%2F%2Fwww.zoho.com%2Fzohotest%3Fname%3DJohn%26country%3DAustralia%26age%3D101"
        );
        assert_eq!(text("encodeurl", &["a b"]), "a+b");
        assert_eq!(text("decodeurl", &["a+b%21"]), "a b!");
        assert_eq!(
            text("zoho.encryption.urlencode", &["a b/é"]),
            "a%20b%2F%C3%A9"
        );
        assert_eq!(
            text("zoho.encryption.urldecode", &["a%20b%2F%C3%A9"]),
            "a b/é"
        );
        assert!(
            call("zoho.encryption.urlencode", &[Value::Number(1)])
                .unwrap()
                .is_null()
        );
    }

    #[test]
    fn hmacs_match_the_doc_examples() {
        let order = "{Order ID: 0932, Currency: USD, Amount: 2500}";
        assert_eq!(
            text("zoho.encryption.hmacsha256", &["sk_5Ow7B_4eC39H", order]),
            "E3IZY+esQ59aLmPCYYVjk2R/P1G0k77r9ZGa9Lw94Zw="
        );
        assert!(
            text(
                "zoho.encryption.hmacsha256",
                &["sk_5Ow7B_4eC39H", order, "hex"]
            )
            .starts_with("13721963e7ac439f5a2e63c261856393647f3f51b493beebf5919af4bc3de19c")
        );
        let key = "Use me to generate hash";
        assert_eq!(
            text("zoho.encryption.hmacsha256", &[key, "My#New#Password"]),
            "edYCyxkU4jL2dEjEDO8aUy8WZrpKRvQquNpgKUqe5vA="
        );
        assert_eq!(
            text("zoho.encryption.hmacsha1", &[key, "My#New#Password"]),
            "VK9VMxdsbxZBLHKgSEZYMEUlURs="
        );
    }

    #[test]
    fn aes_matches_the_doc_examples() {
        // aesEncode/aesDecode docs: with IV "0000000000000000" and key "passkey".
        let iv = "0000000000000000";
        let enc = text(
            "zoho.encryption.aesencode",
            &["passkey", "This is a secret", iv],
        );
        assert_eq!(enc, "AR+ygx+et18UNeIltGh82NBgPQx6Y0hWbEcgN3NVbJA=");
        assert_eq!(
            text("zoho.encryption.aesdecode", &["passkey", &enc, iv]),
            "This is a secret"
        );
        // Without an IV the doc's output carries its IV in front.
        let doc = "yf/u6N0HjKWXFFHIEKzG23+CM+BoL4RBPNb4mc0G3hw5q6xPe9KSpUd62Z5sjjSE";
        assert_eq!(
            text("zoho.encryption.aesdecode", &["passkey", doc]),
            "This is a secret"
        );
        let doc = "F0JOCSWN0Eb2Y//llSoROcsQxHihYnMwCuJSywFaaigEJzQdjnznq7+rSUXy6JlG";
        assert_eq!(
            text("zoho.encryption.aesdecode", &["passkey", doc]),
            "Confidential details"
        );
        let a = text("zoho.encryption.aesencode", &["k", "round trip"]);
        let b = text("zoho.encryption.aesencode", &["k", "round trip"]);
        assert_ne!(a, b);
        assert_eq!(text("zoho.encryption.aesdecode", &["k", &a]), "round trip");
        let s = text("zoho.encryption.aesencode128", &["k", "short key", iv]);
        assert_eq!(
            text("zoho.encryption.aesdecode128", &["k", &s, iv]),
            "short key"
        );
        let t = |s: &str| Value::text(s);
        assert!(call("zoho.encryption.aesdecode", &[t("other"), t(&a)]).is_err());
        assert!(call("zoho.encryption.aesencode", &[t("k"), t("x"), t("short")]).is_err());
        assert!(call("zoho.encryption.aesencode", &[t(&"k".repeat(33)), t("x")]).is_err());
        assert!(call("zoho.encryption.aesdecode", &[t("k"), t("AAAA")]).is_err());
    }

    #[test]
    fn base64() {
        assert_eq!(text("zoho.encryption.base64encode", &["Zoho"]), "Wm9obw==");
        assert_eq!(text("zoho.encryption.base64decode", &["Wm9obw=="]), "Zoho");
        assert_eq!(text("zoho.encryption.base64decode", &["Wm9obw"]), "Zoho");
        assert!(call("zoho.encryption.base64decode", &[Value::text("***")]).is_err());
    }

    #[test]
    fn hashes_and_hmacs() {
        assert_eq!(
            text("zoho.encryption.sha256", &["hello"]),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(
            text("zoho.encryption.md5", &["abc"]),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            text("zoho.encryption.sha1", &["abc"]),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            text(
                "zoho.encryption.hmacsha256",
                &["Jefe", "what do ya want for nothing?", "hex"]
            ),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            text(
                "zoho.encryption.hmacsha256",
                &["Jefe", "what do ya want for nothing?"]
            ),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
        assert!(
            call(
                "zoho.encryption.sha256",
                &[Value::text("x"), Value::text("octal")]
            )
            .is_err()
        );
        assert!(
            call(
                "zoho.encryption.rsaencode",
                &[Value::text("k"), Value::text("x")]
            )
            .is_err()
        );
    }
}
