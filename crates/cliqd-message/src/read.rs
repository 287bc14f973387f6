//! Typed readers for JSON fields: type checks, lengths, URLs and spelling variants, each
//! reporting into [`Errors`] with the field's path.

use serde_json::{Map, Value};

use crate::error::{Errors, Path, codes};

/// No length limit.
pub(crate) const UNLIMITED: usize = usize::MAX;

/// Length as Cliq users count it: Unicode characters (scalar values), not bytes.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong_type(errs: &mut Errors, path: &Path<'_>, expected: &str, got: &Value) {
    errs.push(
        path,
        codes::INVALID_FIELD_TYPE,
        format!("must be {expected}, not {}", type_name(got)),
    );
}

pub(crate) fn object<'v>(
    v: &'v Value,
    path: &Path<'_>,
    errs: &mut Errors,
) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            wrong_type(errs, path, "an object", other);
            None
        }
    }
}

pub(crate) fn array<'v>(v: &'v Value, path: &Path<'_>, errs: &mut Errors) -> Option<&'v [Value]> {
    match v {
        Value::Array(a) => Some(a),
        other => {
            wrong_type(errs, path, "an array", other);
            None
        }
    }
}

/// The value of the first of `names` present with a non-null value; null counts as absent so
/// that maps built by Deluge scripts with empty entries still validate.
pub(crate) fn lookup<'m>(
    map: &'m Map<String, Value>,
    names: &[&'static str],
) -> Option<(&'static str, &'m Value)> {
    names.iter().find_map(|n| map.present(n).map(|v| (*n, v)))
}

/// A string of at most `max` characters.
pub(crate) fn string(v: &Value, path: &Path<'_>, max: usize, errs: &mut Errors) -> Option<String> {
    let Value::String(s) = v else {
        wrong_type(errs, path, "a string", v);
        return None;
    };
    check_len(s, path, max, codes::FIELD_LENGTH_EXCEEDED, errs).then(|| s.clone())
}

pub(crate) fn check_len(
    s: &str,
    path: &Path<'_>,
    max: usize,
    code: &'static str,
    errs: &mut Errors,
) -> bool {
    if max == UNLIMITED {
        return true;
    }
    let len = char_len(s);
    if len > max {
        errs.push(
            path,
            code,
            format!("must be at most {max} characters (got {len})"),
        );
        return false;
    }
    true
}

/// An optional string field; null and absent are both `None`.
pub(crate) fn opt_string(
    map: &Map<String, Value>,
    key: &'static str,
    parent: &Path<'_>,
    max: usize,
    errs: &mut Errors,
) -> Option<String> {
    let v = map.present(key)?;
    string(v, &parent.key(key), max, errs)
}

/// A mandatory, non-blank string field (any of `names`; the first is the canonical one).
pub(crate) fn req_string(
    map: &Map<String, Value>,
    names: &[&'static str],
    parent: &Path<'_>,
    max: usize,
    errs: &mut Errors,
) -> Option<String> {
    let Some((name, v)) = lookup(map, names) else {
        let first = names.first().copied().unwrap_or("");
        errs.push(&parent.key(first), codes::FIELD_REQUIRED, "is required");
        return None;
    };
    let path = parent.key(name);
    let s = string(v, &path, max, errs)?;
    if s.trim().is_empty() {
        errs.push(&path, codes::FIELD_REQUIRED, "must not be empty");
        return None;
    }
    Some(s)
}

/// A boolean flag. `"true"` and `"false"` strings are accepted too, since form posts and
/// some SDKs send flags as strings.
pub(crate) fn opt_bool(
    map: &Map<String, Value>,
    key: &'static str,
    parent: &Path<'_>,
    errs: &mut Errors,
) -> Option<bool> {
    let v = map.present(key)?;
    bool_value(v, &parent.key(key), errs)
}

pub(crate) fn bool_value(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        other => {
            wrong_type(errs, path, "a boolean", other);
            None
        }
    }
}

/// A non-negative integer within `min..=max`.
pub(crate) fn int_in(
    v: &Value,
    path: &Path<'_>,
    min: u64,
    max: u64,
    errs: &mut Errors,
) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            // 2.0 from a float-minded client is still the integer 2.
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                .map(|f| f as u64)
        }),
        _ => None,
    };
    let Some(n) = n else {
        if matches!(v, Value::Number(_)) {
            errs.push(
                path,
                codes::INVALID_FIELD_VALUE,
                format!("must be an integer from {min} to {max}"),
            );
        } else {
            wrong_type(errs, path, "an integer", v);
        }
        return None;
    };
    if n < min || n > max {
        errs.push(
            path,
            codes::INVALID_FIELD_VALUE,
            format!("must be from {min} to {max} (got {n})"),
        );
        return None;
    }
    Some(n)
}

/// A finite JSON number.
pub(crate) fn number(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<serde_json::Number> {
    match v {
        Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Some(n.clone()),
        Value::Number(_) => {
            errs.push(path, codes::INVALID_FIELD_VALUE, "must be a finite number");
            None
        }
        // Deluge scripts often build chart values as text.
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => serde_json::Number::from_f64(f),
            _ => {
                wrong_type(errs, path, "a number", v);
                None
            }
        },
        other => {
            wrong_type(errs, path, "a number", other);
            None
        }
    }
}

/// Cell-like text: strings as they are, numbers and booleans as their JSON text.
pub(crate) fn scalar_text(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        other => {
            wrong_type(errs, path, "a string", other);
            None
        }
    }
}

/// One of `allowed` (exact spelling).
pub(crate) fn one_of(
    v: &Value,
    path: &Path<'_>,
    allowed: &[&str],
    code: &'static str,
    errs: &mut Errors,
) -> Option<String> {
    let s = string(v, path, UNLIMITED, errs)?;
    if allowed.contains(&s.as_str()) {
        return Some(s);
    }
    errs.push(
        path,
        code,
        format!(
            "must be one of {} (got {:?})",
            allowed.join(", "),
            truncate(&s, 40)
        ),
    );
    None
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if char_len(s) <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Which URL forms a field accepts.
#[derive(Clone, Copy)]
pub(crate) struct UrlRule {
    pub schemes: &'static [&'static str],
    /// Site-relative paths such as `/cliq/help/restapi/images/cliq_icon.png`, which Cliq's own
    /// examples use for card thumbnails.
    pub relative: bool,
}

pub(crate) const WEB_URL: UrlRule = UrlRule {
    schemes: &["http", "https"],
    relative: false,
};
pub(crate) const IMAGE_URL: UrlRule = UrlRule {
    schemes: &["http", "https"],
    relative: true,
};
pub(crate) const OPEN_URL: UrlRule = UrlRule {
    schemes: &["http", "https", "tel", "sms", "sip"],
    relative: false,
};

/// A URL string of at most `max` characters that follows `rule`.
pub(crate) fn url(
    v: &Value,
    path: &Path<'_>,
    max: usize,
    rule: UrlRule,
    errs: &mut Errors,
) -> Option<String> {
    let s = string(v, path, max, errs)?;
    let t = s.trim();
    if t.is_empty() {
        errs.push(path, codes::FIELD_REQUIRED, "must not be empty");
        return None;
    }
    if rule.relative && t.starts_with('/') && !t.starts_with("//") {
        return Some(s);
    }
    match url::Url::parse(t) {
        Ok(u) if rule.schemes.contains(&u.scheme()) => {
            if matches!(u.scheme(), "http" | "https") && u.host_str().is_none_or(str::is_empty) {
                errs.push(path, codes::INVALID_URL, "must be a URL with a host");
                return None;
            }
            Some(s)
        }
        Ok(u) => {
            errs.push(
                path,
                codes::INVALID_URL,
                format!(
                    "URL scheme {:?} is not allowed here (allowed: {})",
                    u.scheme(),
                    rule.schemes.join(", ")
                ),
            );
            None
        }
        Err(_) => {
            errs.push(path, codes::INVALID_URL, "must be a valid URL");
            None
        }
    }
}

/// The keys of `map` not in `known`, kept so that nothing a client sent is silently dropped.
pub(crate) fn extras(map: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Field access on JSON objects. Message objects are small, and a linear scan with string
/// comparison is several times faster than hashing the key for the map's index.
pub(crate) trait Fields {
    fn field(&self, key: &str) -> Option<&Value>;

    /// The field if present and not null (null counts as absent).
    fn present(&self, key: &str) -> Option<&Value> {
        self.field(key).filter(|v| !v.is_null())
    }
}

impl Fields for Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        if self.len() <= 16 {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url_ok(s: &str, rule: UrlRule) -> bool {
        let mut errs = Errors::default();
        url(&json!(s), &Path::Root.key("u"), UNLIMITED, rule, &mut errs).is_some()
    }

    #[test]
    fn url_rules() {
        assert!(url_ok("https://zylker.com/a.png", WEB_URL));
        assert!(url_ok("http://zylker.com", WEB_URL));
        assert!(!url_ok("/a.png", WEB_URL));
        assert!(url_ok("/a.png", IMAGE_URL));
        assert!(!url_ok("//evil.example/a.png", IMAGE_URL));
        assert!(!url_ok("javascript:alert(1)", IMAGE_URL));
        assert!(!url_ok("https://", WEB_URL));
        assert!(!url_ok("   ", WEB_URL));
        assert!(url_ok("tel:+15551234", OPEN_URL));
        assert!(!url_ok("tel:+15551234", WEB_URL));
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(char_len("héllo🙂"), 6);
        let mut errs = Errors::default();
        assert!(check_len("🙂🙂", &Path::Root, 2, "c", &mut errs));
        assert!(!check_len("🙂🙂🙂", &Path::Root, 2, "c", &mut errs));
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn flags_accept_boolean_strings() {
        let mut errs = Errors::default();
        let p = Path::Root;
        assert_eq!(bool_value(&json!("TRUE"), &p, &mut errs), Some(true));
        assert_eq!(bool_value(&json!("false"), &p, &mut errs), Some(false));
        assert_eq!(bool_value(&json!(1), &p, &mut errs), None);
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn integers_accept_whole_floats_only() {
        let mut errs = Errors::default();
        let p = Path::Root;
        assert_eq!(int_in(&json!(2.0), &p, 0, 5, &mut errs), Some(2));
        assert_eq!(int_in(&json!(2.5), &p, 0, 5, &mut errs), None);
        assert_eq!(int_in(&json!(-1), &p, 0, 5, &mut errs), None);
        assert_eq!(int_in(&json!(6), &p, 0, 5, &mut errs), None);
        assert_eq!(errs.len(), 3);
    }
}
