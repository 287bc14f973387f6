//! Self-consistency of Zoho's documents: examples against their own schemas, same-named
//! components and shared endpoints across documents, and the seed pages against the OpenAPI
//! documents; plus the checked-in list of known contradictions and what cliqd follows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SpecError;
use crate::model::{Example, Operation, Spec};
use crate::schema::validate_against;
use crate::seeds::{SeedEndpoint, SeedPage};

/// What kind of disagreement a contradiction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContradictionKind {
    /// A documented example does not validate against the schema next to it.
    ExampleVsSchema,
    /// Two documents define the same component, or the same endpoint's reply, differently.
    SchemaVsSchema,
    /// A seed page disagrees with its OpenAPI document.
    SeedVsOpenapi,
    /// A documented schema is not a valid schema at all.
    BrokenSchema,
}

/// One contradiction found in the documents.
#[derive(Debug, Clone, Serialize)]
pub struct Contradiction {
    /// Stable identifier, e.g. `example:functions:createFunctionHandler:200:deluge_button`.
    pub id: String,
    pub kind: ContradictionKind,
    pub document: String,
    pub operation_id: Option<String>,
    /// What exactly disagrees (validator messages, differing codes, …).
    pub details: Vec<String>,
}

/// One entry of `contradictions.toml`: a contradiction cliqd knows about and how it resolves it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KnownContradiction {
    pub id: String,
    /// The variant cliqd follows, in a few words (e.g. "schema", "examples", "both").
    pub follows: String,
    /// Why.
    pub why: String,
    /// Operations (`document:operation_id`) whose conformance checks this entry affects.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Success statuses cliqd replies with for those operations besides the documented ones.
    #[serde(default)]
    pub accept_statuses: Vec<u16>,
    /// For a request example that fails its schema: cliqd refuses it (400), so conformance
    /// plans send it expecting the refusal.
    #[serde(default)]
    pub refused: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownFile {
    #[serde(default)]
    contradiction: Vec<KnownContradiction>,
}

/// The checked-in list: `crates/cliqd-spec/contradictions.toml`.
pub fn known_contradictions_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contradictions.toml")
}

/// Reads the checked-in list of known contradictions.
pub fn known_contradictions() -> Result<Vec<KnownContradiction>, SpecError> {
    let path = known_contradictions_path();
    let text = std::fs::read_to_string(&path).map_err(|source| SpecError::Io {
        path: path.clone(),
        source,
    })?;
    let file: KnownFile = toml::from_str(&text).map_err(|e| SpecError::Contradictions {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let mut seen = BTreeSet::new();
    for entry in &file.contradiction {
        if !seen.insert(entry.id.as_str()) {
            return Err(SpecError::Contradictions {
                path,
                message: format!("duplicate id {}", entry.id),
            });
        }
    }
    Ok(file.contradiction)
}

/// Runs every self-consistency check over all documents and the seed pages.
pub fn check_consistency(spec: &Spec, seeds: &[SeedPage]) -> Vec<Contradiction> {
    let mut out = Vec::new();
    for op in spec.operations() {
        check_examples(op, &mut out);
        check_no_content(op, &mut out);
    }
    check_components(spec, &mut out);
    check_shared_endpoints(spec, &mut out);
    check_shared_request_limits(spec, &mut out);
    for page in seeds {
        check_seed_page(spec, page, &mut out);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn check_examples(op: &Operation, out: &mut Vec<Contradiction>) {
    let mut check = |place: String, schema: &Value, examples: &[Example]| {
        for ex in examples {
            let mut undeclared = Vec::new();
            undeclared_properties(schema, &ex.value, "", &mut undeclared);
            if !undeclared.is_empty() {
                out.push(Contradiction {
                    id: format!(
                        "undeclared:{}:{}:{place}:{}",
                        op.document, op.operation_id, ex.name
                    ),
                    kind: ContradictionKind::ExampleVsSchema,
                    document: op.document.clone(),
                    operation_id: Some(op.operation_id.clone()),
                    details: undeclared
                        .into_iter()
                        .map(|p| format!("{p}: in the example, not declared by the schema"))
                        .collect(),
                });
            }
            let details = match validate_against(schema, &ex.value) {
                Ok(Ok(())) => continue,
                Ok(Err(messages)) => messages,
                Err(e) => {
                    out.push(Contradiction {
                        id: format!("schema:{}:{}:{place}", op.document, op.operation_id),
                        kind: ContradictionKind::BrokenSchema,
                        document: op.document.clone(),
                        operation_id: Some(op.operation_id.clone()),
                        details: vec![e.to_string()],
                    });
                    return;
                }
            };
            out.push(Contradiction {
                id: format!(
                    "example:{}:{}:{place}:{}",
                    op.document, op.operation_id, ex.name
                ),
                kind: ContradictionKind::ExampleVsSchema,
                document: op.document.clone(),
                operation_id: Some(op.operation_id.clone()),
                details,
            });
        }
    };
    if let Some(body) = &op.request_body
        && let Some(schema) = &body.schema
    {
        check("request".into(), schema, &body.examples);
    }
    for response in op.responses.values() {
        if let Some(schema) = &response.schema {
            check(response.status.to_string(), schema, &response.examples);
        }
    }
    for p in op.path_params.iter().chain(&op.query_params) {
        if let Some(example) = &p.example {
            let ex = Example {
                name: p.name.clone(),
                summary: None,
                value: example.clone(),
                source: crate::model::ExampleSource::Schema,
            };
            check("param".into(), &p.schema, std::slice::from_ref(&ex));
        }
    }
}

/// Zoho's convention of documenting "no content" as a 200 body `{"Response Code": "204 No
/// response"}` on an operation that lists no 204: the status the server sends is in doubt.
fn check_no_content(op: &Operation, out: &mut Vec<Contradiction>) {
    if op.responses.contains_key(&204) {
        return;
    }
    for status in op.success_statuses() {
        let Some(schema) = op.responses[&status].schema.as_ref() else {
            continue;
        };
        let props = schema.get("properties").and_then(Value::as_object);
        let key = props.and_then(|p| {
            ["Response Code", "Response_Code"]
                .into_iter()
                .find(|k| p.contains_key(*k))
        });
        if let Some(key) = key {
            out.push(Contradiction {
                id: format!("nocontent:{}:{}:{status}", op.document, op.operation_id),
                kind: ContradictionKind::SchemaVsSchema,
                document: op.document.clone(),
                operation_id: Some(op.operation_id.clone()),
                details: vec![format!(
                    "{} {} documents status {status} with body {{\"{key}\": \"204 No response\"}} and no 204",
                    op.method, op.path
                )],
            });
        }
    }
}

/// Pointers of example members that the schema does not declare. The documents never say
/// `additionalProperties: false`, so such members validate, but an example built from a
/// different object than its schema (a function where a handler is documented) shows up here.
fn undeclared_properties(schema: &Value, example: &Value, pointer: &str, out: &mut Vec<String>) {
    match example {
        Value::Object(members) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            // A schema that opens itself to extra members declares them.
            if schema
                .get("additionalProperties")
                .is_some_and(|a| a.is_object() || a == &Value::Bool(true))
            {
                return;
            }
            for (key, value) in members {
                let p = format!("{pointer}/{key}");
                match props.get(key) {
                    Some(sub) => undeclared_properties(sub, value, &p, out),
                    None => out.push(p),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    undeclared_properties(item_schema, item, &format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// A schema without its prose and examples, for comparing definitions.
fn structural(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "description" | "example" | "examples" | "title" | "default"
                    ) && !k.starts_with("x-")
                })
                .map(|(k, v)| {
                    // Inside `properties` every key is a property name, never prose.
                    let v = if k == "properties" {
                        match v {
                            Value::Object(props) => Value::Object(
                                props
                                    .iter()
                                    .map(|(pk, pv)| (pk.clone(), structural(pv)))
                                    .collect(),
                            ),
                            other => other.clone(),
                        }
                    } else {
                        structural(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(structural).collect()),
        other => other.clone(),
    }
}

/// Differences between two structural schemas, as `pointer: a vs b` lines (bounded).
fn diff(a: &Value, b: &Value, pointer: &str, out: &mut Vec<String>) {
    if out.len() >= 12 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{pointer}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff(va, vb, &p, out),
                    (Some(_), None) => out.push(format!("{p}: only in the first")),
                    (None, Some(_)) => out.push(format!("{p}: only in the second")),
                    (None, None) => {}
                }
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{pointer}: {a} vs {b}")),
    }
}

fn check_components(spec: &Spec, out: &mut Vec<Contradiction>) {
    let mut by_name: BTreeMap<&str, Vec<(&str, Value)>> = BTreeMap::new();
    for doc in &spec.documents {
        for (name, schema) in &doc.schemas {
            by_name
                .entry(name.as_str())
                .or_default()
                .push((doc.name.as_str(), structural(schema)));
        }
    }
    for (name, defs) in by_name {
        let Some((first_doc, first)) = defs.first() else {
            continue;
        };
        for (doc, def) in defs.iter().skip(1) {
            if def != first {
                let mut details = Vec::new();
                diff(first, def, "", &mut details);
                out.push(Contradiction {
                    id: format!("component:{name}:{first_doc}:{doc}"),
                    kind: ContradictionKind::SchemaVsSchema,
                    document: (*doc).to_string(),
                    operation_id: None,
                    details,
                });
            }
        }
    }
}

/// The same real endpoint documented in several documents with different success replies.
fn check_shared_endpoints(spec: &Spec, out: &mut Vec<Contradiction>) {
    let mut by_endpoint: BTreeMap<(String, u16), Vec<(&Operation, Value)>> = BTreeMap::new();
    for op in spec.operations() {
        for status in op.success_statuses() {
            let schema = op.responses[&status]
                .schema
                .as_ref()
                .map(structural)
                .unwrap_or(Value::Null);
            by_endpoint
                .entry((format!("{} {}", op.method, op.request_path), status))
                .or_default()
                .push((op, schema));
        }
    }
    for ((endpoint, status), ops) in by_endpoint {
        let Some((first_op, first)) = ops.first() else {
            continue;
        };
        for (op, schema) in ops.iter().skip(1) {
            if schema != first {
                let mut details = Vec::new();
                diff(first, schema, "", &mut details);
                details.insert(
                    0,
                    format!(
                        "{endpoint} {status}: {} vs {}",
                        first_op.label(),
                        op.label()
                    ),
                );
                out.push(Contradiction {
                    id: format!(
                        "reply:{}:{}:{}:{}:{status}",
                        first_op.document, first_op.operation_id, op.document, op.operation_id
                    ),
                    kind: ContradictionKind::SchemaVsSchema,
                    document: op.document.clone(),
                    operation_id: Some(op.operation_id.clone()),
                    details,
                });
            }
        }
    }
}

/// Keywords that limit a request member; documents disagreeing on them disagree on what a
/// server must accept.
const LIMIT_KEYWORDS: &[&str] = &[
    "type",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maximum",
    "minimum",
    "enum",
    "pattern",
];

/// The same real endpoint documented in several documents with different limits on the same
/// top-level request member (e.g. `text` up to 5,000 characters here and 10,000 there).
fn check_shared_request_limits(spec: &Spec, out: &mut Vec<Contradiction>) {
    // (endpoint, member) -> limits -> operations documenting them
    let mut limits: BTreeMap<(String, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for op in spec.operations() {
        let Some(props) = op
            .request_body
            .as_ref()
            .and_then(|rb| rb.schema.as_ref())
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (member, schema) in props {
            let shown: serde_json::Map<String, Value> = LIMIT_KEYWORDS
                .iter()
                .filter_map(|k| schema.get(*k).map(|v| ((*k).to_string(), v.clone())))
                .collect();
            limits
                .entry((format!("{} {}", op.method, op.request_path), member.clone()))
                .or_default()
                .entry(Value::Object(shown).to_string())
                .or_default()
                .push(op.label());
        }
    }
    for ((endpoint, member), variants) in limits {
        if variants.len() < 2 {
            continue;
        }
        let (method, path) = endpoint.split_once(' ').unwrap_or((&endpoint, ""));
        out.push(Contradiction {
            id: format!("limit:{method}:{path}:{member}"),
            kind: ContradictionKind::SchemaVsSchema,
            document: String::new(),
            operation_id: None,
            details: variants
                .iter()
                .map(|(limits, ops)| format!("{limits} in {}", ops.join(", ")))
                .collect(),
        });
    }
}

/// Whether a seed sample path (`/bots/123/handlers/%7BX%7D`) fits a documented template.
fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| (a.starts_with('{') && a.ends_with('}')) || a == b)
}

fn find_operation<'a>(spec: &'a Spec, document: &str, e: &SeedEndpoint) -> Option<&'a Operation> {
    let doc = spec.document(document)?;
    doc.operations
        .iter()
        .find(|o| o.summary.eq_ignore_ascii_case(&e.summary))
        .or_else(|| {
            let path = e.api_path()?;
            doc.operations.iter().find(|o| {
                Some(o.method.as_str()) == e.method.as_deref() && path_matches(&o.path, path)
            })
        })
}

fn check_seed_page(spec: &Spec, page: &SeedPage, out: &mut Vec<Contradiction>) {
    let Some(document) = page.document() else {
        return;
    };
    let mut push = |id: String, op: Option<&Operation>, details: Vec<String>| {
        out.push(Contradiction {
            id,
            kind: ContradictionKind::SeedVsOpenapi,
            document: document.to_string(),
            operation_id: op.map(|o| o.operation_id.clone()),
            details,
        });
    };
    let mut matched = BTreeSet::new();
    for e in &page.endpoints {
        let Some(op) = find_operation(spec, document, e) else {
            push(
                format!("seed:{document}:unmatched:{}", e.summary),
                None,
                vec![format!(
                    "seed endpoint {:?} {} {} has no operation in {document}.yml",
                    e.summary,
                    e.method.as_deref().unwrap_or("?"),
                    e.url.as_deref().unwrap_or("?")
                )],
            );
            continue;
        };
        matched.insert(op.operation_id.as_str());
        let base = format!("seed:{document}:{}", op.operation_id);
        if e.method.as_deref() != Some(op.method.as_str()) {
            push(
                format!("{base}:method"),
                Some(op),
                vec![format!(
                    "seed sample {} vs documented {}",
                    e.method.as_deref().unwrap_or("?"),
                    op.method
                )],
            );
        }
        if let Some(path) = e.api_path()
            && !path_matches(&op.path, path)
            && !path_matches(&op.request_path, path)
        {
            push(
                format!("{base}:path"),
                Some(op),
                vec![format!("seed sample {path} vs documented {}", op.path)],
            );
        }
        let documented: BTreeSet<&str> = op.query_params.iter().map(|p| p.name.as_str()).collect();
        let unknown: Vec<String> = e
            .query_names()
            .into_iter()
            .filter(|q| !documented.contains(q.as_str()))
            .collect();
        if !unknown.is_empty() {
            push(
                format!("{base}:query"),
                Some(op),
                vec![format!(
                    "seed sample query {unknown:?} vs documented {documented:?}"
                )],
            );
        }
        if let (Some(sample), Some(schema)) = (
            e.sample_body
                .as_ref()
                .filter(|_| !e.sample_is_placeholder()),
            op.request_body.as_ref().and_then(|rb| rb.schema.as_ref()),
        ) {
            let mut details = match validate_against(schema, sample) {
                Ok(Ok(())) => Vec::new(),
                Ok(Err(messages)) => messages,
                Err(err) => vec![err.to_string()],
            };
            let mut undeclared = Vec::new();
            undeclared_properties(schema, sample, "", &mut undeclared);
            details.extend(
                undeclared
                    .into_iter()
                    .map(|p| format!("{p}: in the seed sample, not declared by the schema")),
            );
            if !details.is_empty() {
                push(format!("{base}:sample_body"), Some(op), details);
            }
        }
        let seed_scopes: BTreeSet<&str> = e.scopes.iter().map(String::as_str).collect();
        let doc_scopes: BTreeSet<&str> = op.scopes.iter().map(String::as_str).collect();
        if seed_scopes != doc_scopes {
            push(
                format!("{base}:scopes"),
                Some(op),
                vec![format!("seed {seed_scopes:?} vs documented {doc_scopes:?}")],
            );
        }
        let seed_codes: BTreeSet<&str> = e.error_codes.iter().map(|c| c.code.as_str()).collect();
        let doc_codes: BTreeSet<&str> = op.error_codes.iter().map(|c| c.code.as_str()).collect();
        if seed_codes != doc_codes {
            push(
                format!("{base}:error_codes"),
                Some(op),
                vec![
                    format!(
                        "only in seed: {:?}",
                        seed_codes.difference(&doc_codes).collect::<Vec<_>>()
                    ),
                    format!(
                        "only in OpenAPI: {:?}",
                        doc_codes.difference(&seed_codes).collect::<Vec<_>>()
                    ),
                ],
            );
        }
    }
    if let Some(doc) = spec.document(document) {
        for op in &doc.operations {
            if !matched.contains(op.operation_id.as_str()) {
                push(
                    format!("seed:{document}:{}:missing", op.operation_id),
                    Some(op),
                    vec![format!(
                        "{} {} is not on the seed page {:?}",
                        op.method, op.path, page.title
                    )],
                );
            }
        }
    }
}

/// The result of comparing found contradictions with the known list.
#[derive(Debug, Default)]
pub struct Reconciliation {
    /// Found in the documents but not in `contradictions.toml`.
    pub unlisted: Vec<Contradiction>,
    /// Listed in `contradictions.toml` but no longer found (stale entries).
    pub stale: Vec<String>,
}

/// Compares what the checks found with what is listed.
pub fn reconcile(found: &[Contradiction], known: &[KnownContradiction]) -> Reconciliation {
    let known_ids: BTreeSet<&str> = known.iter().map(|k| k.id.as_str()).collect();
    let found_ids: BTreeSet<&str> = found.iter().map(|c| c.id.as_str()).collect();
    Reconciliation {
        unlisted: found
            .iter()
            .filter(|c| !known_ids.contains(c.id.as_str()))
            .cloned()
            .collect(),
        stale: known
            .iter()
            .filter(|k| !found_ids.contains(k.id.as_str()))
            .map(|k| k.id.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_matching() {
        assert!(path_matches("/bots/{BOT_ID}", "/bots/123"));
        assert!(path_matches("/bots/{BOT_ID}", "/bots/%7BBOT_ID%7D"));
        assert!(!path_matches("/bots/{BOT_ID}", "/bots"));
        assert!(!path_matches("/bots/{BOT_ID}/x", "/bots/1/y"));
    }

    #[test]
    fn structural_ignores_prose_but_not_property_names() {
        let a = json!({"type": "object", "description": "a", "properties": {"description": {"type": "string", "example": "x"}}});
        let b = json!({"type": "object", "description": "b", "properties": {"description": {"type": "string"}}});
        assert_eq!(structural(&a), structural(&b));
        let c = json!({"type": "object", "properties": {"title": {"type": "integer"}}});
        assert_ne!(structural(&a), structural(&c));
        let mut d = Vec::new();
        diff(&structural(&a), &structural(&c), "", &mut d);
        assert_eq!(d.len(), 2, "{d:?}");
    }

    #[test]
    fn reconcile_reports_both_directions() {
        let found = vec![Contradiction {
            id: "a".into(),
            kind: ContradictionKind::ExampleVsSchema,
            document: "d".into(),
            operation_id: None,
            details: vec![],
        }];
        let known = vec![KnownContradiction {
            id: "b".into(),
            follows: "x".into(),
            why: "y".into(),
            operations: vec![],
            accept_statuses: vec![],
            refused: false,
        }];
        let r = reconcile(&found, &known);
        assert_eq!(r.unlisted.len(), 1);
        assert_eq!(r.stale, ["b"]);
    }
}
