//! The typed model of the documents: documents, operations, parameters, examples, responses.

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::SpecError;
use crate::errors_table::{ErrorCode, parse_error_codes};
use crate::load::{read_yaml, resolve_refs};
use crate::upstream::{OPENAPI, upstream_path};

/// HTTP methods that occur in the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn from_key(key: &str) -> Option<Method> {
        Some(match key {
            "get" => Method::Get,
            "post" => Method::Post,
            "put" => Method::Put,
            "patch" => Method::Patch,
            "delete" => Method::Delete,
            _ => return None,
        })
    }

    /// Upper-case wire name, e.g. `PATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an example came from, so reports can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ExampleSource {
    /// The media type's single `example`.
    MediaExample,
    /// One entry of the media type's `examples` map.
    MediaExamples,
    /// The schema's own top-level `example`.
    Schema,
}

/// One documented example value.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The key in `examples`, or `example` / `schema` for the other sources.
    pub name: String,
    pub summary: Option<String>,
    pub value: Value,
    pub source: ExampleSource,
}

/// A path or query parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// The name as documented (may carry a documentation alias suffix such as `CHAT_ID1`).
    pub name: String,
    pub required: bool,
    pub description: String,
    pub schema: Value,
    pub example: Option<Value>,
}

/// The documented request body.
#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    pub required: bool,
    pub description: String,
    /// The resolved OpenAPI schema of `application/json`.
    pub schema: Option<Value>,
    pub examples: Vec<Example>,
}

impl RequestBody {
    /// A body assembled from the property-level `example`s of the schema, for bodies documented
    /// without a whole example; `None` when that yields nothing or does not satisfy the schema.
    pub fn synthesized_example(&self) -> Option<Value> {
        let schema = self.schema.as_ref()?;
        let value = synthesize(schema, 0)?;
        match crate::schema::validate_against(schema, &value) {
            Ok(Ok(())) => Some(value),
            _ => None,
        }
    }
}

fn synthesize(schema: &Value, depth: usize) -> Option<Value> {
    // Resolved schemas are finite, but a generous bound keeps odd documents harmless.
    if depth > 32 {
        return None;
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let map: serde_json::Map<String, Value> = props
            .iter()
            .filter_map(|(k, v)| synthesize(v, depth + 1).map(|x| (k.clone(), x)))
            .collect();
        return (!map.is_empty()).then_some(Value::Object(map));
    }
    if let Some(items) = schema.get("items") {
        return synthesize(items, depth + 1).map(|v| Value::Array(vec![v]));
    }
    None
}

/// One documented response.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: u16,
    pub description: String,
    /// The resolved OpenAPI schema of `application/json`; `None` when no body is documented.
    pub schema: Option<Value>,
    pub examples: Vec<Example>,
}

/// One operation of one document.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// Document name: the file stem, e.g. `bots`.
    pub document: String,
    pub method: Method,
    /// The path template as documented, e.g. `/chats/{CHAT_ID1}`.
    pub path: String,
    /// The path a client really calls: `x-display-path` when given, otherwise the template with
    /// documentation alias suffixes removed from parameter names (`{CHAT_ID1}` → `{CHAT_ID}`).
    pub request_path: String,
    pub operation_id: String,
    pub summary: String,
    pub description: String,
    /// OAuth scopes from `security`.
    pub scopes: Vec<String>,
    pub path_params: Vec<Parameter>,
    pub query_params: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    /// Responses by status code, in document order.
    pub responses: IndexMap<u16, Response>,
    /// The documented error codes parsed from the description's tables.
    pub error_codes: Vec<ErrorCode>,
}

impl Operation {
    /// The documented 2xx statuses, in document order.
    pub fn success_statuses(&self) -> Vec<u16> {
        self.responses
            .keys()
            .copied()
            .filter(|s| (200..300).contains(s))
            .collect()
    }

    /// `"bots create_a_new_bot"`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.document, self.operation_id)
    }
}

/// One loaded document.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The file stem, e.g. `functions`.
    pub name: String,
    pub file: PathBuf,
    pub title: String,
    pub version: String,
    pub servers: Vec<String>,
    /// `components.schemas`, with references resolved.
    pub schemas: IndexMap<String, Value>,
    pub operations: Vec<Operation>,
    /// `$ref`s that lead back into themselves (left unexpanded).
    pub ref_cycles: Vec<String>,
}

/// The set of loaded documents.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    pub documents: Vec<Document>,
}

impl Spec {
    /// Loads every `*.yml` of the upstream OpenAPI directory (`CLIQD_UPSTREAM_DIR`, see
    /// [`crate::upstream`]); a missing directory is [`SpecError::Upstream`].
    pub fn load_default() -> Result<Spec, SpecError> {
        Spec::load_dir(&upstream_path(OPENAPI)?)
    }

    /// Loads every `*.yml` / `*.yaml` file of `dir`, sorted by name.
    pub fn load_dir(dir: &Path) -> Result<Spec, SpecError> {
        let entries = std::fs::read_dir(dir).map_err(|source| SpecError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| SpecError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let path = entry.path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yml" | "yaml")
            ) {
                files.push(path);
            }
        }
        files.sort();
        let documents = files
            .iter()
            .map(|f| Document::load(f))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Spec { documents })
    }

    pub fn document(&self, name: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.name == name)
    }

    /// The operation `operation_id` of document `document`.
    pub fn operation(&self, document: &str, operation_id: &str) -> Result<&Operation, SpecError> {
        let doc = self
            .document(document)
            .ok_or_else(|| SpecError::UnknownDocument(document.to_string()))?;
        doc.operations
            .iter()
            .find(|o| o.operation_id == operation_id)
            .ok_or_else(|| SpecError::UnknownOperation {
                document: document.to_string(),
                operation_id: operation_id.to_string(),
            })
    }

    /// All operations of all documents.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.documents.iter().flat_map(|d| d.operations.iter())
    }
}

impl Document {
    /// Loads and models one document file.
    pub fn load(path: &Path) -> Result<Document, SpecError> {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let raw = read_yaml(path)?;
        let shape = |message: String| SpecError::Shape {
            document: name.clone(),
            message,
        };
        let (resolved, ref_cycles) = resolve_refs(&raw).map_err(&shape)?;
        let info = resolved.get("info");
        let title = str_at(info, "title");
        let version = str_at(info, "version");
        let servers = resolved
            .get("servers")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|s| str_at(Some(s), "url")).collect())
            .unwrap_or_default();
        let schemas = resolved
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let paths = resolved
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| shape("no `paths` object".into()))?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                return Err(shape(format!("path {path} is not an object")));
            };
            let shared_params = item.get("parameters");
            for (key, op) in item {
                let Some(method) = Method::from_key(key) else {
                    continue;
                };
                operations.push(
                    build_operation(&name, method, path, op, shared_params)
                        .map_err(|m| shape(format!("{method} {path}: {m}")))?,
                );
            }
        }
        Ok(Document {
            name,
            file: path.to_path_buf(),
            title,
            version,
            servers,
            schemas,
            operations,
            ref_cycles,
        })
    }
}

fn str_at(v: Option<&Value>, key: &str) -> String {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The documents loaded once per test binary (loading is the slow part of the unit tests).
#[cfg(test)]
pub(crate) fn test_spec() -> &'static Spec {
    static SPEC: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| Spec::load_default().expect("documents load"))
}

/// `{CHAT_ID1}` → `{CHAT_ID}`: Zoho numbers duplicate path templates to list several operations
/// on one real path.
pub(crate) fn canonical_param_name(name: &str) -> &str {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
}

fn canonical_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &rest[open + 1..open + close];
        out.push('{');
        out.push_str(canonical_param_name(name));
        out.push('}');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn build_operation(
    document: &str,
    method: Method,
    path: &str,
    op: &Value,
    shared_params: Option<&Value>,
) -> Result<Operation, String> {
    let operation_id = op
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or("no operationId")?
        .to_string();
    let description = str_at(Some(op), "description");
    let request_path = op
        .get("x-display-path")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| canonical_path(path));
    let scopes = op
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    let params = shared_params
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    for p in params {
        let param = Parameter {
            name: str_at(Some(p), "name"),
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: str_at(Some(p), "description"),
            schema: p.get("schema").cloned().unwrap_or(Value::Null),
            example: p
                .get("example")
                .or_else(|| p.pointer("/schema/example"))
                .cloned(),
        };
        match p.get("in").and_then(Value::as_str) {
            Some("path") => path_params.push(param),
            Some("query") => query_params.push(param),
            // Header and cookie parameters are not used by these documents.
            _ => {}
        }
    }
    let request_body = op.get("requestBody").map(|rb| {
        let media = rb.pointer("/content/application~1json");
        RequestBody {
            required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: str_at(Some(rb), "description"),
            schema: media.and_then(|m| m.get("schema")).cloned(),
            examples: media.map(media_examples).unwrap_or_default(),
        }
    });
    let mut responses = IndexMap::new();
    if let Some(map) = op.get("responses").and_then(Value::as_object) {
        for (status, r) in map {
            // `default` and ranges like `4XX` do not occur; a non-numeric key is skipped.
            let Ok(status) = status.parse::<u16>() else {
                continue;
            };
            let media = r.pointer("/content/application~1json");
            responses.insert(
                status,
                Response {
                    status,
                    description: str_at(Some(r), "description"),
                    schema: media.and_then(|m| m.get("schema")).cloned(),
                    examples: media.map(media_examples).unwrap_or_default(),
                },
            );
        }
    }
    Ok(Operation {
        document: document.to_string(),
        method,
        path: path.to_string(),
        request_path,
        operation_id,
        summary: str_at(Some(op), "summary"),
        error_codes: parse_error_codes(&description),
        description,
        scopes,
        path_params,
        query_params,
        request_body,
        responses,
    })
}

/// All examples of a media type object: `example`, each of `examples`, and the schema's own.
fn media_examples(media: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    if let Some(value) = media.get("example") {
        out.push(Example {
            name: "example".into(),
            summary: None,
            value: value.clone(),
            source: ExampleSource::MediaExample,
        });
    }
    if let Some(map) = media.get("examples").and_then(Value::as_object) {
        for (name, ex) in map {
            // `externalValue` examples would need a fetch; the documents have none.
            let Some(value) = ex.get("value") else {
                continue;
            };
            out.push(Example {
                name: name.clone(),
                summary: ex
                    .get("summary")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                value: value.clone(),
                source: ExampleSource::MediaExamples,
            });
        }
    }
    if let Some(value) = media.pointer("/schema/example") {
        out.push(Example {
            name: "schema".into(),
            summary: None,
            value: value.clone(),
            source: ExampleSource::Schema,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths() {
        assert_eq!(canonical_path("/chats/{CHAT_ID1}"), "/chats/{CHAT_ID}");
        assert_eq!(
            canonical_path("/bots/{BOT_ID}/handlers/{HANDLER_TYPE}"),
            "/bots/{BOT_ID}/handlers/{HANDLER_TYPE}"
        );
        assert_eq!(canonical_path("/a/{broken"), "/a/{broken");
    }

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn every_error_table_parses_into_codes() {
            let spec = crate::model::test_spec();
            let mut total = 0;
            for op in spec.operations() {
                if op.description.contains("Possible Error Codes") {
                    assert!(!op.error_codes.is_empty(), "{}", op.label());
                }
                // slashcommands.yml (not in any area yet) puts prose such as "Security validation
                // error" in the code column; the in-scope documents use machine codes.
                if crate::scope::area_of(op).is_none() {
                    continue;
                }
                for e in &op.error_codes {
                    assert!(
                        !e.code.is_empty()
                            && e.code.chars().all(|c| c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || c == '_'
                                || c == '.'),
                        "{}: odd code {:?}",
                        op.label(),
                        e.code
                    );
                    assert!(
                        !e.message.is_empty(),
                        "{}: {} has no message",
                        op.label(),
                        e.code
                    );
                    total += 1;
                }
            }
            assert!(total > 100, "only {total} error codes");
        }

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn loads_functions_document() {
            let spec = crate::model::test_spec();
            let op = spec
                .operation("functions", "create_a_new_function")
                .unwrap();
            assert_eq!(op.method, Method::Post);
            assert_eq!(op.path, "/functions");
            assert_eq!(op.scopes, vec!["ZohoCliq.Functions.CREATE".to_string()]);
            let body = op.request_body.as_ref().unwrap();
            assert!(body.required);
            let names: Vec<_> = body.examples.iter().map(|e| e.name.as_str()).collect();
            assert!(names.contains(&"button_function_webhook"));
            assert_eq!(body.schema.as_ref().unwrap()["type"], "object");
            let ok = &op.responses[&200];
            assert_eq!(ok.schema.as_ref().unwrap()["type"], "object");
            assert!(!ok.examples.is_empty());
            let codes: Vec<_> = op.error_codes.iter().map(|e| e.code.as_str()).collect();
            assert_eq!(
                codes,
                [
                    "function_creation_limit_exceeded",
                    "function_name_already_exists",
                    "invalid_inputs"
                ]
            );
            assert_eq!(op.success_statuses(), vec![200]);
        }

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn every_document_loads_with_operations() {
            let spec = crate::model::test_spec();
            assert_eq!(spec.documents.len(), 13);
            for doc in &spec.documents {
                assert!(!doc.operations.is_empty(), "{}", doc.name);
                assert!(
                    doc.ref_cycles.is_empty(),
                    "{}: {:?}",
                    doc.name,
                    doc.ref_cycles
                );
            }
            // Virtual duplicate paths map to the real one.
            let op = spec.operation("chats", "closeChatV3").unwrap();
            assert_eq!(op.path, "/chats/{CHAT_ID3}");
            assert_eq!(op.request_path, "/chats/{CHAT_ID}");
            let op = spec.operation("messageformat", "table").unwrap();
            assert_eq!(op.request_path, "/chats/{CHAT_ID}/messages");
        }

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn grouped_error_tables_in_chats() {
            let spec = crate::model::test_spec();
            let op = spec.operation("chats", "bulkUpdateChatsV3").unwrap();
            assert!(op.error_codes.iter().any(|e| e.group.is_some()));
        }
    }
}
