//! The request examples in Zoho's OpenAPI documents must be accepted: whole-body examples,
//! named examples, and bodies assembled from the property examples. The documents are upstream
//! (`CLIQD_UPSTREAM_DIR`), so these tests are ignored by `cargo test --workspace` and run by
//! `.ci/upstream-conformance`.

use std::path::PathBuf;

use cliqd_message::{MessageContext, validate_message};
use cliqd_spec::upstream::{OPENAPI, upstream_path};
use serde_json::{Map, Value};

fn spec_dir() -> PathBuf {
    upstream_path(OPENAPI).unwrap_or_else(|e| panic!("{e}"))
}

fn load(name: &str) -> Value {
    let path = spec_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    to_json(yaml)
}

/// YAML → JSON, stringifying non-string keys (`1:` in `references`).
fn to_json(y: serde_yaml::Value) -> Value {
    match y {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().map_or(Value::Null, Value::from)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect())
        }
        serde_yaml::Value::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => to_json(t.value),
    }
}

struct Doc {
    root: Value,
}

impl Doc {
    fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let name = r.rsplit('/').next().unwrap_or("");
            s = &self.root["components"]["schemas"][name];
        }
        s
    }

    /// An example body assembled from the schema's own examples, the way a reader of the
    /// documentation would fill in the request.
    fn synth(&self, schema: &Value) -> Option<Value> {
        let s = self.resolve(schema);
        if let Some(e) = s.get("example") {
            return Some(e.clone());
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            let mut out = Map::new();
            for (k, p) in props {
                if let Some(v) = self.synth(p) {
                    out.insert(k.clone(), v);
                }
            }
            return (!out.is_empty()).then_some(Value::Object(out));
        }
        if let Some(items) = s.get("items") {
            let items = self.resolve(items);
            // Some documents put the example of the whole array under `items`.
            if let Some(e @ Value::Array(_)) = items.get("example") {
                return Some(e.clone());
            }
            // Repeat the one example item up to `minItems` (a poll needs two options).
            let n = s
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            return self
                .synth(items)
                .map(|v| Value::Array((0..n).map(|_| v.clone()).collect()));
        }
        None
    }
}

/// (label, body) of every message-posting request example in `file`.
fn examples(file: &str, want: impl Fn(&str, &str, &str) -> bool) -> Vec<(String, Value)> {
    let doc = Doc { root: load(file) };
    let mut out = Vec::new();
    let Some(paths) = doc.root["paths"].as_object() else {
        panic!("{file}: no paths");
    };
    for (path, ops) in paths {
        let Some(ops) = ops.as_object() else { continue };
        for (method, op) in ops {
            let op_id = op["operationId"].as_str().unwrap_or("");
            if !want(method, path, op_id) {
                continue;
            }
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for (ct, media) in content {
                let label = format!("{file} {method} {path} {op_id} {ct}");
                if let Some(e) = media.get("example") {
                    out.push((format!("{label} example"), e.clone()));
                }
                if let Some(named) = media.get("examples").and_then(Value::as_object) {
                    for (name, e) in named {
                        out.push((format!("{label} examples.{name}"), e["value"].clone()));
                    }
                }
                if let Some(s) = media.get("schema")
                    && let Some(v) = doc.synth(s)
                {
                    out.push((format!("{label} schema"), v));
                }
                // Also the body built purely from property examples, ignoring a whole example.
                if let Some(s) = media.get("schema") {
                    let s = doc.resolve(s);
                    if s.get("example").is_some() {
                        let mut stripped = s.clone();
                        if let Some(m) = stripped.as_object_mut() {
                            m.remove("example");
                        }
                        if let Some(v) = doc.synth(&stripped) {
                            out.push((format!("{label} properties"), v));
                        }
                    }
                }
            }
        }
    }
    out
}

fn is_post_message(method: &str, path: &str) -> bool {
    method == "post"
        && (path.ends_with("/messages") || path.ends_with("/message"))
        && path != "/messages"
}

fn check_all(list: &[(String, Value)], ctx: MessageContext) {
    eprintln!("checking {} request examples in {ctx:?}", list.len());
    assert!(!list.is_empty());
    let mut failures = Vec::new();
    for (label, body) in list {
        match validate_message(body, ctx) {
            Ok(m) => {
                // The canonical form is itself valid and normalizes to the same message.
                let again = validate_message(&m.to_json(), ctx);
                assert_eq!(
                    again.as_ref().ok(),
                    Some(&m),
                    "{label}: round trip changed {body}"
                );
            }
            Err(e) => failures.push(format!("{label}: {body}\n  {e:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "rejected examples:\n{}",
        failures.join("\n")
    );
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn message_format_examples_are_accepted() {
    let list = examples("messageformat.yml", |m, p, _| is_post_message(m, p));
    assert!(list.len() >= 7, "{}", list.len());
    check_all(&list, MessageContext::Post);
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn message_card_examples_are_accepted() {
    let list = examples("messagecards.yml", |m, p, _| is_post_message(m, p));
    assert!(list.len() >= 6);
    check_all(&list, MessageContext::Post);
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn button_examples_are_accepted() {
    let mut list = examples("buttons.yml", |m, p, _| is_post_message(m, p));
    // Request examples kept in components, one of them referenced by no operation.
    let doc = load("buttons.yml");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            if name.ends_with("-request")
                && let Some(e) = schema.get("example")
            {
                list.push((format!("buttons.yml components.{name}"), e.clone()));
            }
        }
    }
    assert!(list.len() >= 6);
    check_all(&list, MessageContext::Post);
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn messages_and_threads_examples_are_accepted() {
    let mut list = examples("messages.yml", |m, p, _| is_post_message(m, p));
    list.extend(examples("threads.yml", |m, p, _| is_post_message(m, p)));
    assert!(list.len() >= 7);
    check_all(&list, MessageContext::Post);
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn bot_message_examples_are_accepted() {
    let list = examples("bots.yml", |_, _, id| id == "send_a_bot_message");
    assert!(list.len() >= 4);
    check_all(&list, MessageContext::BotMessage);
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn label_example_normalizes_and_image_becomes_images() {
    let list = examples("messageformat.yml", |_, _, id| {
        id == "image" || id == "label"
    });
    for (label, body) in list {
        let m = validate_message(&body, MessageContext::Post)
            .unwrap_or_else(|e| panic!("{label}: {e:?}"));
        let j = m.to_json();
        let t = j["slides"][0]["type"].as_str().unwrap_or("");
        assert!(t == "images" || t == "label", "{label}: {j}");
    }
}

#[test]
#[ignore = "upstream conformance: run .ci/upstream-conformance"]
fn edit_example_is_accepted() {
    let doc = Doc {
        root: load("messages.yml"),
    };
    let schema = doc.root["components"]["schemas"]["edit-a-message-request"].clone();
    let body = doc.synth(&schema).unwrap_or(Value::Null);
    let edit = cliqd_message::validate_edit_request(&body);
    assert!(edit.is_ok(), "{body}: {edit:?}");
}
