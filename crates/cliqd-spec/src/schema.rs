//! OpenAPI 3.0 schema objects converted to JSON Schema 2020-12, and validation with readable
//! messages (JSON pointer + reason).

use serde_json::{Map, Value};

use crate::load::CYCLE_MARKER;
use crate::model::Spec;
use crate::{SpecError, model::Operation};

/// A documented schema that the JSON Schema compiler refuses.
#[derive(Debug, thiserror::Error)]
#[error("schema does not compile: {message}")]
pub struct SchemaError {
    pub message: String,
}

/// Keywords that are OpenAPI-only (or annotations) and mean nothing to a JSON Schema validator.
const DROPPED: &[&str] = &[
    "example",
    "examples",
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    CYCLE_MARKER,
];

/// Converts a resolved OpenAPI 3.0 schema object into an equivalent JSON Schema 2020-12 value.
///
/// `nullable: true` becomes a `null` alternative, boolean `exclusiveMinimum`/`exclusiveMaximum`
/// become the numeric form, `example` and other OpenAPI-only keywords and `x-` extensions are
/// dropped, and a `$ref` left by the cycle guard accepts anything. `format` stays an annotation
/// (not asserted): Zoho uses OpenAPI-only formats such as `int64`.
pub fn openapi_to_json_schema(schema: &Value) -> Value {
    let mut out = convert(schema);
    if let Value::Object(map) = &mut out {
        map.insert(
            "$schema".into(),
            Value::String("https://json-schema.org/draft/2020-12/schema".into()),
        );
    }
    out
}

fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        // Booleans are valid schemas; anything else is a document bug we cannot check against.
        return if schema.is_boolean() {
            schema.clone()
        } else {
            Value::Bool(true)
        };
    };
    if map.contains_key(CYCLE_MARKER) {
        return Value::Bool(true);
    }
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" => match value {
                Value::Object(props) => {
                    Value::Object(props.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                }
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" | "contains" | "propertyNames" => {
                match value {
                    Value::Array(list) if key == "items" => {
                        // OpenAPI 3.0 forbids tuple `items`; treat a list as prefixItems.
                        out.insert(
                            "prefixItems".into(),
                            Value::Array(list.iter().map(convert).collect()),
                        );
                        continue;
                    }
                    Value::Object(_) => convert(value),
                    other => other.clone(),
                }
            }
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(list) => Value::Array(list.iter().map(convert).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = out.get(flag).cloned() {
            out.remove(flag);
            if exclusive && let Some(limit) = out.remove(bound) {
                out.insert(flag.into(), limit);
            }
        }
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), serde_json::json!([t, "null"]));
            }
            Some(Value::Array(mut ts)) if !ts.iter().any(|t| t == "null") => {
                ts.push(Value::String("null".into()));
                out.insert("type".into(), Value::Array(ts));
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.iter().any(Value::is_null)
        {
            values.push(Value::Null);
        }
    }
    Value::Object(out)
}

/// Validates `instance` against a resolved OpenAPI schema.
///
/// `Ok(Err(messages))` lists every violation as `"<json pointer>: <reason>"` (the pointer is
/// `/` for the root); `Err` means the schema itself does not compile.
pub fn validate_against(
    openapi_schema: &Value,
    instance: &Value,
) -> Result<Result<(), Vec<String>>, SchemaError> {
    let schema = openapi_to_json_schema(openapi_schema);
    let validator = jsonschema::draft202012::options()
        .build(&schema)
        .map_err(|e| SchemaError {
            message: e.to_string(),
        })?;
    let mut messages: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| {
            let pointer = e.instance_path().as_str().to_string();
            let pointer = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            format!("{pointer}: {e} (schema {})", e.schema_path().as_str())
        })
        .collect();
    messages.sort();
    messages.dedup();
    Ok(if messages.is_empty() {
        Ok(())
    } else {
        Err(messages)
    })
}

impl Spec {
    /// Validates a response body of `document`'s `operation_id` with HTTP `status` against the
    /// documented schema. A status without a documented body schema accepts only an empty body
    /// (`Value::Null`).
    pub fn validate_response(
        &self,
        document: &str,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Vec<String>> {
        let op = self
            .operation(document, operation_id)
            .map_err(|e| vec![e.to_string()])?;
        validate_operation_response(op, status, body)
    }
}

/// [`Spec::validate_response`] for an operation already at hand.
pub(crate) fn validate_operation_response(
    op: &Operation,
    status: u16,
    body: &Value,
) -> Result<(), Vec<String>> {
    let response = op.responses.get(&status).ok_or_else(|| {
        vec![
            SpecError::UnknownStatus {
                document: op.document.clone(),
                operation_id: op.operation_id.clone(),
                status,
            }
            .to_string(),
        ]
    })?;
    match &response.schema {
        Some(schema) => validate_against(schema, body).map_err(|e| vec![e.to_string()])?,
        None if body.is_null() => Ok(()),
        None => Err(vec![format!(
            "/: {} {} documents no body for status {status}, got one",
            op.document, op.operation_id
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_openapi_keywords() {
        let s = json!({
            "type": "object",
            "example": {"a": 1},
            "x-foo": 1,
            "properties": {
                "example": {"type": "string", "nullable": true, "example": "x"},
                "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
                "e": {"type": "string", "enum": ["a"], "nullable": true}
            }
        });
        let out = openapi_to_json_schema(&s);
        assert!(out.get("example").is_none());
        assert!(out.get("x-foo").is_none());
        // A property that happens to be called `example` survives.
        assert_eq!(
            out["properties"]["example"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(out["properties"]["n"]["exclusiveMinimum"], json!(0));
        assert!(out["properties"]["n"].get("minimum").is_none());
        assert_eq!(out["properties"]["e"]["enum"], json!(["a", null]));
    }

    #[test]
    fn reports_pointer_and_reason() {
        let s = json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "object", "properties": {"id": {"type": "string"}}}
        }});
        assert_eq!(
            validate_against(&s, &json!({"data": {"id": "1"}})).unwrap(),
            Ok(())
        );
        let errs = validate_against(&s, &json!({"data": {"id": 1}}))
            .unwrap()
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("/data/id: "), "{errs:?}");
        assert!(errs[0].contains("string"), "{errs:?}");
        let errs = validate_against(&s, &json!({})).unwrap().unwrap_err();
        assert!(errs[0].starts_with("/: "), "{errs:?}");
    }

    #[test]
    fn nullable_accepts_null() {
        let s = json!({"type": "string", "nullable": true});
        assert_eq!(validate_against(&s, &Value::Null).unwrap(), Ok(()));
        let s = json!({"type": "string"});
        assert!(validate_against(&s, &Value::Null).unwrap().is_err());
    }

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn validates_real_response() {
            let spec = crate::model::test_spec();
            let body = json!({
                "url": "/api/v3/functions",
                "type": "function",
                "data": {"name": "x", "id": "1", "function_type": "button", "execution_type": "deluge"}
            });
            let r = spec.validate_response("functions", "create_a_new_function", 200, &body);
            assert_eq!(r, Ok(()));
            let bad = json!({"url": 5, "type": "function", "data": {"id": 7}});
            let errs = spec
                .validate_response("functions", "create_a_new_function", 200, &bad)
                .unwrap_err();
            assert!(errs.iter().any(|e| e.starts_with("/url: ")), "{errs:?}");
            assert!(errs.iter().any(|e| e.starts_with("/data/id: ")), "{errs:?}");
            // Unknown status and unknown operation are errors, not panics.
            assert!(
                spec.validate_response("functions", "create_a_new_function", 299, &body)
                    .is_err()
            );
            assert!(
                spec.validate_response("functions", "nope", 200, &body)
                    .is_err()
            );
            // Delete documents 204 without a body.
            assert_eq!(
                spec.validate_response(
                    "functions",
                    "delete_a_specific_function",
                    204,
                    &Value::Null
                ),
                Ok(())
            );
        }
    }
}
