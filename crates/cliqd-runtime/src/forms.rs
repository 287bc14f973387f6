//! Forms in use (<https://www.zoho.com/cliq/help/platform/cliq-form.html>, form change and
//! dynamic select: <https://www.zoho.com/cliq/help/platform/form-functions.html>): the
//! submitted values checked against the form's inputs before anything runs, and a
//! `form_modification` applied to an open form. No IO here.

use serde_json::{Map, Value, json};

/// The inputs of a form (its `inputs` array; empty when it has none).
pub fn inputs(form: &Value) -> &[Value] {
    form.get("inputs")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The input named `name`.
pub fn input<'a>(form: &'a Value, name: &str) -> Option<&'a Value> {
    inputs(form)
        .iter()
        .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
}

fn is_true(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true))) || v.and_then(Value::as_str) == Some("true")
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The `value`s of an input's `options`.
fn option_values(input: &Value) -> Option<Vec<&str>> {
    let opts = input.get("options")?.as_array()?;
    Some(
        opts.iter()
            .filter_map(|o| o.get("value").and_then(Value::as_str))
            .collect(),
    )
}

/// A `{label, value}` selection, and whether its value is one of the input's options (when
/// the input lists options; dynamic inputs do not).
fn selection(input: &Value, v: &Value, check_options: bool) -> Result<(), String> {
    let (Some(_), Some(value)) = (
        v.get("label").and_then(Value::as_str),
        v.get("value").and_then(Value::as_str),
    ) else {
        return Err("must be a selection {\"label\": …, \"value\": …}".into());
    };
    if check_options
        && let Some(values) = option_values(input)
        && !values.contains(&value)
    {
        return Err(format!("'{value}' is not one of the options"));
    }
    Ok(())
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

fn valid_tel(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'))
}

fn valid_url(s: &str) -> bool {
    (s.starts_with("http://") || s.starts_with("https://"))
        && s.len() > "https://".len()
        && !s.chars().any(char::is_whitespace)
}

fn valid_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn valid_datetime(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .any(|f| chrono::NaiveDateTime::parse_from_str(s, f).is_ok())
}

fn text_checks(input: &Value, s: &str) -> Result<(), String> {
    let n = s.chars().count() as f64;
    if let Some(max) = num(input.get("max_length"))
        && n > max
    {
        return Err(format!("at most {max} characters"));
    }
    if let Some(min) = num(input.get("min_length"))
        && n < min
    {
        return Err(format!("at least {min} characters"));
    }
    match input.get("format").and_then(Value::as_str) {
        Some("email") if !valid_email(s) => Err("must be an email address".into()),
        Some("tel") if !valid_tel(s) => Err("must be a telephone number".into()),
        Some("url") if !valid_url(s) => Err("must be an http or https URL".into()),
        _ => Ok(()),
    }
}

fn number_checks(input: &Value, v: &Value) -> Result<(), String> {
    let Some(x) = num(Some(v)) else {
        return Err("must be a number".into());
    };
    let min = num(input.get("min"));
    if let Some(min) = min
        && x < min
    {
        return Err(format!("must be at least {min}"));
    }
    if let Some(max) = num(input.get("max"))
        && x > max
    {
        return Err(format!("must be at most {max}"));
    }
    if let Some(step) = num(input.get("step_value"))
        && step > 0.0
    {
        let k = (x - min.unwrap_or(0.0)) / step;
        if (k - k.round()).abs() > 1e-9 {
            return Err(format!("must be a multiple of {step}"));
        }
    }
    Ok(())
}

fn multi_checks(input: &Value, v: &Value, check_options: bool) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Err("must be a list of selections".into());
    };
    if let Some(max) = num(input.get("max_selections"))
        && items.len() as f64 > max
    {
        return Err(format!("at most {max} selections"));
    }
    for item in items {
        selection(input, item, check_options)?;
    }
    Ok(())
}

/// Checks one non-empty value against its input.
fn check_value(input: &Value, v: &Value) -> Result<(), String> {
    let kind = input.get("type").and_then(Value::as_str).unwrap_or("text");
    match kind {
        "text" | "textarea" | "phone_number" => {
            let Some(s) = v.as_str() else {
                return Err("must be a text".into());
            };
            if kind == "phone_number" && !valid_tel(s) {
                return Err("must be a telephone number".into());
            }
            text_checks(input, s)
        }
        "number" => number_checks(input, v),
        "select" | "radio" => selection(input, v, true),
        // A native select over a data source (channels, contacts, …) lists no options.
        "native_select" => selection(input, v, input.get("data_source").is_none()),
        "dynamic_select" => selection(input, v, false),
        "checkbox" | "catalogue" => {
            if input.get("multiple").is_some_and(|m| m == false) && !v.is_array() {
                selection(input, v, true)
            } else {
                multi_checks(input, v, true)
            }
        }
        "dynamic_catalogue" => multi_checks(input, v, false),
        "toggle" => match v {
            Value::Bool(_) => Ok(()),
            _ => Err("must be true or false".into()),
        },
        "date" => match v.as_str() {
            Some(s) if valid_date(s) => Ok(()),
            _ => Err("must be a date YYYY-MM-DD".into()),
        },
        "datetime" => match v.as_str() {
            Some(s) if valid_datetime(s) => Ok(()),
            _ => Err("must be a date and time (YYYY-MM-DDTHH:MM, or RFC 3339)".into()),
        },
        "location" => match (num(v.get("latitude")), num(v.get("longitude"))) {
            (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => Ok(()),
            _ => Err("must be {\"latitude\": …, \"longitude\": …}".into()),
        },
        _ => Ok(()),
    }
}

/// Checks submitted `values` against the form's inputs: mandatory inputs given, every value
/// of its input's type and within its limits, no value for an unknown input. Disabled inputs
/// are not required. `Err` holds one message per offending input name.
pub fn check_values(form: &Value, values: &Map<String, Value>) -> Result<(), Map<String, Value>> {
    let mut errors = Map::new();
    for name in values.keys() {
        if input(form, name).is_none() {
            errors.insert(name.clone(), "is not an input of this form".into());
        }
    }
    for i in inputs(form) {
        let Some(name) = i.get("name").and_then(Value::as_str) else {
            continue;
        };
        let disabled = is_true(i.get("disabled"));
        match values.get(name) {
            Some(v) if !is_empty(v) => {
                if let Err(e) = check_value(i, v) {
                    errors.insert(name.to_string(), e.into());
                }
            }
            _ if is_true(i.get("mandatory")) && !disabled => {
                errors.insert(name.to_string(), "is required".into());
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The `form_error` reply cliqd answers for values that fail [`check_values`].
pub fn form_error(errors: Map<String, Value>) -> Value {
    json!({"type": "form_error", "text": "Some values are not valid", "inputs": errors})
}

/// Applies a `form_modification`'s actions to `form`, in order. An action naming an input
/// the form does not have (or adding one whose name is taken) is an error, and nothing is
/// applied.
pub fn apply_modification(form: &Value, modification: &Value) -> Result<Value, String> {
    let mut form = form.clone();
    let mut list: Vec<Value> = inputs(&form).to_vec();
    let actions = modification
        .get("actions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (n, a) in actions.iter().enumerate() {
        let kind = a.get("type").and_then(Value::as_str).unwrap_or_default();
        let name = a.get("name").and_then(Value::as_str).unwrap_or_default();
        let Some(at) = list
            .iter()
            .position(|i| i.get("name").and_then(Value::as_str) == Some(name))
        else {
            return Err(format!("actions[{n}]: the form has no input '{name}'"));
        };
        let new_input = a.get("input").cloned();
        let taken = |list: &[Value], input: &Value, except: Option<usize>| {
            let new_name = input.get("name").and_then(Value::as_str);
            list.iter().enumerate().any(|(j, i)| {
                Some(j) != except && i.get("name").and_then(Value::as_str) == new_name
            })
        };
        match (kind, new_input) {
            ("remove", _) => {
                list.remove(at);
            }
            ("clear", _) => {
                if let Some(m) = list[at].as_object_mut() {
                    m.remove("value");
                }
            }
            ("enable" | "disable", _) => {
                if let Some(m) = list[at].as_object_mut() {
                    m.insert("disabled".into(), (kind == "disable").into());
                }
            }
            ("update", Some(i)) => {
                if taken(&list, &i, Some(at)) {
                    return Err(format!("actions[{n}]: an input of that name exists"));
                }
                list[at] = i;
            }
            ("add_before" | "add_after", Some(i)) => {
                if taken(&list, &i, None) {
                    return Err(format!("actions[{n}]: an input of that name exists"));
                }
                list.insert(if kind == "add_after" { at + 1 } else { at }, i);
            }
            (_, None) => return Err(format!("actions[{n}]: {kind} needs an input")),
            _ => return Err(format!("actions[{n}]: unknown action '{kind}'")),
        }
    }
    if let Some(m) = form.as_object_mut() {
        m.insert("inputs".into(), Value::Array(list));
    }
    Ok(form)
}

/// The function a form action invokes: `actions.<which>.name`, or for `submit` the legacy
/// `action.name`.
pub fn action_function(form: &Value, which: &str) -> Option<String> {
    form.get("actions")
        .and_then(|a| a.get(which))
        .and_then(|a| a.get("name"))
        .or_else(|| {
            (which == "submit")
                .then(|| form.get("action").and_then(|a| a.get("name")))
                .flatten()
        })
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Value {
        json!({"type": "form", "title": "t", "name": "f", "action": {"type": "invoke.function", "name": "sub"},
        "inputs": [
            {"type": "text", "name": "mail", "label": "m", "placeholder": "p", "mandatory": true, "format": "email"},
            {"type": "text", "name": "short", "label": "s", "placeholder": "p", "max_length": 3, "min_length": 2},
            {"type": "text", "name": "site", "label": "s", "placeholder": "p", "format": "url"},
            {"type": "text", "name": "tel", "label": "s", "placeholder": "p", "format": "tel"},
            {"type": "number", "name": "n", "label": "n", "min": 1, "max": 10, "step_value": 3},
            {"type": "select", "name": "os", "label": "o", "options": [{"label": "A", "value": "a"}]},
            {"type": "dynamic_select", "name": "dyn", "label": "d"},
            {"type": "checkbox", "name": "cb", "label": "c", "max_selections": 1, "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]},
            {"type": "toggle", "name": "on", "label": "t"},
            {"type": "date", "name": "d", "label": "d"},
            {"type": "datetime", "name": "dt", "label": "d"},
            {"type": "text", "name": "off", "label": "o", "placeholder": "p", "mandatory": true, "disabled": true}
        ]})
    }

    #[test]
    fn values_are_checked_per_input() {
        let f = form();
        let ok = json!({"mail": "a@b.co", "short": "ab", "site": "https://x.example", "tel": "+1 555 0100",
            "n": 7, "os": {"label": "A", "value": "a"}, "dyn": {"label": "Z", "value": "z"},
            "cb": [{"label": "B", "value": "b"}], "on": true, "d": "2024-02-29", "dt": "2024-02-29T10:30"});
        assert_eq!(check_values(&f, ok.as_object().unwrap()), Ok(()));
        let bad = json!({"short": "abcd", "site": "ftp://x", "tel": "call me", "n": 8,
            "os": {"label": "Q", "value": "q"}, "dyn": "z", "cb": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
            "on": "yes", "d": "2024-02-30", "dt": "soon", "ghost": 1});
        let errs = check_values(&f, bad.as_object().unwrap()).unwrap_err();
        let mut names: Vec<&str> = errs.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "cb", "d", "dt", "dyn", "ghost", "mail", "n", "on", "os", "short", "site", "tel"
            ]
        );
        assert_eq!(errs["mail"], "is required");
        let e = check_values(
            &f,
            json!({"mail": "nope", "n": 11, "short": "a"})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(e["mail"], "must be an email address");
        assert_eq!(e["n"], "must be at most 10");
        assert_eq!(e["short"], "at least 2 characters");
    }

    #[test]
    fn every_modification_applies() {
        let f = json!({"inputs": [{"name": "a", "value": "x"}, {"name": "b"}, {"name": "c"}]});
        let m = json!({"actions": [
            {"type": "add_before", "name": "a", "input": {"name": "z"}},
            {"type": "add_after", "name": "b", "input": {"name": "y"}},
            {"type": "remove", "name": "c"},
            {"type": "clear", "name": "a"},
            {"type": "disable", "name": "b"},
            {"type": "enable", "name": "y"},
            {"type": "update", "name": "z", "input": {"name": "z2", "label": "L"}}]});
        let out = apply_modification(&f, &m).unwrap();
        assert_eq!(
            out["inputs"],
            json!([{"name": "z2", "label": "L"}, {"name": "a"}, {"name": "b", "disabled": true}, {"name": "y", "disabled": false}])
        );
        assert!(
            apply_modification(&f, &json!({"actions": [{"type": "remove", "name": "q"}]})).is_err()
        );
        assert!(
            apply_modification(
                &f,
                &json!({"actions": [{"type": "add_after", "name": "a", "input": {"name": "b"}}]})
            )
            .is_err()
        );
        assert_eq!(
            action_function(&json!({"action": {"name": "s"}}), "submit").as_deref(),
            Some("s")
        );
        assert_eq!(
            action_function(
                &json!({"actions": {"submit": {"name": "s"}, "cancel": {"name": "c"}}}),
                "cancel"
            )
            .as_deref(),
            Some("c")
        );
    }
}
