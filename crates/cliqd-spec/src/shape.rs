//! An advisory check beside schema validation: the members every documented reply example has.
//! The documented success schemas declare no required members (every in-scope one accepts
//! `{}`), so a reply can validate and still lack what every example shows.

use serde_json::{Map, Value};

use crate::model::{ExampleSource, Operation};

/// Members present in every documented example of `status` that `body` lacks, as
/// `"<pointer>: present in every documented example, missing"`. Empty when the status has no
/// examples. Objects are compared member by member; arrays by their first elements.
pub fn missing_example_members(op: &Operation, status: u16, body: &Value) -> Vec<String> {
    let Some(response) = op.responses.get(&status) else {
        return Vec::new();
    };
    // The media examples are the replies as shown; the schema's own example is a fallback
    // (it is sometimes a different rendering, e.g. of the data object alone).
    let media: Vec<&Value> = response
        .examples
        .iter()
        .filter(|e| e.source != ExampleSource::Schema)
        .map(|e| &e.value)
        .collect();
    let examples = if media.is_empty() {
        response.examples.iter().map(|e| &e.value).collect()
    } else {
        media
    };
    let mut out = Vec::new();
    if let Some(common) = common_shape(&examples) {
        compare(&common, body, "", &mut out);
    }
    out
}

/// The shape shared by all values: for objects, the members every one has (recursively).
/// `None` when the values disagree on being objects or arrays, or there are none.
fn common_shape(values: &[&Value]) -> Option<Value> {
    let first = values.first()?;
    match first {
        Value::Object(_) => {
            let maps: Vec<&Map<String, Value>> =
                values.iter().filter_map(|v| v.as_object()).collect();
            if maps.len() != values.len() {
                return None;
            }
            let mut out = Map::new();
            for key in maps[0].keys() {
                let members: Vec<&Value> = maps.iter().filter_map(|m| m.get(key)).collect();
                if members.len() == maps.len() {
                    out.insert(key.clone(), common_shape(&members).unwrap_or(Value::Null));
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(_) => {
            let firsts: Vec<&Value> = values
                .iter()
                .filter_map(|v| v.as_array().and_then(|a| a.first()))
                .collect();
            if firsts.len() != values.len() {
                // Some example has an empty array: nothing can be said about the items.
                return Some(Value::Array(Vec::new()));
            }
            Some(Value::Array(common_shape(&firsts).into_iter().collect()))
        }
        _ => Some(Value::Null),
    }
}

fn compare(shape: &Value, body: &Value, pointer: &str, out: &mut Vec<String>) {
    match (shape, body) {
        (Value::Object(members), Value::Object(actual)) => {
            for (key, sub) in members {
                let p = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match actual.get(key) {
                    Some(value) => compare(sub, value, &p, out),
                    None => out.push(format!("{p}: present in every documented example, missing")),
                }
            }
        }
        (Value::Array(items), Value::Array(actual)) => {
            if let (Some(item), Some(first)) = (items.first(), actual.first()) {
                compare(item, first, &format!("{pointer}/0"), out);
            }
        }
        // Scalars, and type differences (the schema check reports those).
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn common_shape_intersects() {
        let a = json!({"x": 1, "y": {"p": 1, "q": 2}, "list": [{"id": 1, "n": 2}]});
        let b = json!({"x": 2, "y": {"p": 3}, "list": [{"id": 5}]});
        let shape = common_shape(&[&a, &b]).unwrap();
        assert_eq!(
            shape,
            json!({"x": null, "y": {"p": null}, "list": [{"id": null}]})
        );
        let mut out = Vec::new();
        compare(
            &shape,
            &json!({"x": 1, "y": {}, "list": [{}]}),
            "",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(common_shape(&[]).is_none());
    }

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn finds_members_every_example_has() {
            let spec = crate::model::test_spec();
            let op = spec.operation("bots", "create_a_new_bot").unwrap();
            // An empty object validates against the schema but lacks the envelope.
            assert_eq!(
                spec.validate_response("bots", "create_a_new_bot", 200, &json!({})),
                Ok(())
            );
            let missing = missing_example_members(op, 200, &json!({}));
            assert!(
                missing.iter().any(|m| m.starts_with("/data: ")),
                "{missing:?}"
            );
            // The documented examples themselves lack nothing.
            for ex in &op.responses[&200].examples {
                assert_eq!(
                    missing_example_members(op, 200, &ex.value),
                    Vec::<String>::new()
                );
            }
            // Members only one example has (execution_url of webhook bots) are not demanded.
            let deluge = op.responses[&200]
                .examples
                .iter()
                .find(|e| e.name == "deluge_bot")
                .unwrap();
            assert!(deluge.value.pointer("/data/execution_url").is_none());
        }
    }
}
