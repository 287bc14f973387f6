//! Finding and reading the YAML documents, and inlining their local `$ref`s.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::SpecError;
use crate::upstream::{OPENAPI, SEEDS, upstream_dir};

/// The OpenAPI documents' directory inside the upstream directory (`CLIQD_UPSTREAM_DIR`, see
/// [`crate::upstream`]); it may not exist.
pub fn default_openapi_dir() -> PathBuf {
    upstream_dir().join(OPENAPI)
}

/// The seed pages' directory (text renderings of the API reference pages) inside the upstream
/// directory; it may not exist.
pub fn default_seeds_dir() -> PathBuf {
    upstream_dir().join(SEEDS)
}

/// Reads one YAML file into a JSON value (OpenAPI YAML is JSON-compatible).
pub(crate) fn read_yaml(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_norway::from_str::<Value>(&text).map_err(|e| SpecError::Yaml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Marker key left on a `$ref` that would recurse into itself; schema conversion turns such a
/// node into an accept-anything schema.
pub(crate) const CYCLE_MARKER: &str = "x-cliqd-ref-cycle";

/// Returns `node` with every local `$ref` (`#/…`) replaced by a resolved copy of its target.
///
/// A reference that leads back into itself is left in place with the `x-cliqd-ref-cycle` marker
/// set (and reported in the second return value) so that recursive schemas cannot loop forever.
/// References to other files and dangling references are errors.
pub fn resolve_refs(root: &Value) -> Result<(Value, Vec<String>), String> {
    let mut stack = Vec::new();
    let mut cycles = Vec::new();
    let out = resolve_node(root, root, &mut stack, &mut cycles)?;
    Ok((out, cycles))
}

fn resolve_node(
    node: &Value,
    root: &Value,
    stack: &mut Vec<String>,
    cycles: &mut Vec<String>,
) -> Result<Value, String> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let Some(pointer) = reference.strip_prefix('#') else {
                    return Err(format!("non-local $ref {reference} is not supported"));
                };
                if stack.iter().any(|r| r == reference) {
                    cycles.push(reference.clone());
                    let mut marker = Map::new();
                    marker.insert("$ref".into(), Value::String(reference.clone()));
                    marker.insert(CYCLE_MARKER.into(), Value::Bool(true));
                    return Ok(Value::Object(marker));
                }
                let target = root
                    .pointer(pointer)
                    .ok_or_else(|| format!("dangling $ref {reference}"))?;
                stack.push(reference.clone());
                let resolved = resolve_node(target, root, stack, cycles);
                stack.pop();
                // OpenAPI 3.0 ignores siblings of `$ref`, so they are dropped here too.
                return resolved;
            }
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), resolve_node(v, root, stack, cycles)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|v| resolve_node(v, root, stack, cycles))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_nested_refs() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string"}
            }},
            "x": {"$ref": "#/components/schemas/A"}
        });
        let (out, cycles) = resolve_refs(&doc).unwrap();
        assert!(cycles.is_empty());
        assert_eq!(out["x"]["properties"]["b"], json!({"type": "string"}));
    }

    #[test]
    fn guards_cycles() {
        let doc = json!({
            "components": {"schemas": {
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
            }},
            "x": {"$ref": "#/components/schemas/Node"}
        });
        let (out, cycles) = resolve_refs(&doc).unwrap();
        assert!(!cycles.is_empty());
        assert_eq!(out["x"]["properties"]["next"][CYCLE_MARKER], json!(true));
    }

    #[test]
    fn dangling_and_remote_refs_are_errors() {
        assert!(resolve_refs(&json!({"x": {"$ref": "#/nope"}})).is_err());
        assert!(resolve_refs(&json!({"x": {"$ref": "other.yml#/a"}})).is_err());
    }

    mod upstream_conformance {
        use super::super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn default_dir_has_the_documents() {
            assert!(default_openapi_dir().join("bots.yml").is_file());
            assert!(default_seeds_dir().is_dir());
        }
    }
}
