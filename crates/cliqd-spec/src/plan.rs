//! Conformance plans: the in-scope operations turned into an ordered list of requests built from
//! the documented examples (create before read/update, children after their parent, deletes last,
//! children before parents), with IDs captured from earlier replies; and the check of a reply
//! against the documented statuses and schema. Sending is the caller's business.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::consistency::KnownContradiction;
use crate::model::{Method, Operation, canonical_param_name};
use crate::request::{Binding, Capture, PlannedRequest};
use crate::schema::validate_operation_response;

/// context key that supplies them.
const BODY_IDS: &[(&str, &str)] = &[
    ("team_ids", "TEAM_ID"),
    ("user_id", "USER_ID"),
    ("user_ids", "USER_ID"),
    ("thread_message_id", "MESSAGE_ID"),
    ("reply_to", "MESSAGE_ID"),
];

fn body_bindings(body: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = body else {
        return BTreeMap::new();
    };
    BODY_IDS
        .iter()
        .filter(|(member, _)| map.contains_key(*member))
        .map(|(member, key)| (format!("/{member}"), (*key).to_string()))
        .collect()
}

/// How a planned operation relates to resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Create,
    Read,
    Update,
    Delete,
}

/// Request-body members that name the child a request creates (handler types, property keys).
fn body_capture(produced: &str, body: &Value) -> Option<String> {
    if produced.ends_with("HANDLER_TYPE") {
        return body.get("type").and_then(Value::as_str).map(str::to_string);
    }
    if produced == "EXTENSION_PROPERTY_KEY_NAME" {
        return body
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|m| m.keys().next().cloned());
    }
    None
}

/// Reply pointers tried, in order, for the ID a create returns.
const ID_POINTERS: &[&str] = &[
    "/data/id",
    "/data/chat_id",
    "/id",
    "/chat_id",
    "/message_id",
];

fn has_pointer(schema: Option<&Value>, pointer: &str) -> bool {
    let Some(mut s) = schema else { return false };
    for part in pointer.split('/').skip(1) {
        match s.get("properties").and_then(|p| p.get(part)) {
            Some(next) => s = next,
            None => return false,
        }
    }
    true
}

fn path_params(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|s| canonical_param_name(s).to_string())
        .collect()
}

/// Path parameters that name a resource another parameter creates: (alias, created parameter,
/// reply pointer of the create holding the alias value; `None` = the created ID itself).
const ALIASES: &[(&str, &str, Option<&str>)] = &[
    ("BOT_ID_OR_UNIQUE_NAME", "BOT_ID", None),
    ("BOT_UNIQUE_NAME", "BOT_ID", Some("/data/unique_name")),
];

/// The template with alias parameters replaced by what creates them, for prefix matching.
fn normalized_template(template: &str) -> String {
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let name = canonical_param_name(name);
                    let name = ALIASES.iter().find(|a| a.0 == name).map_or(name, |a| a.1);
                    format!("{{{name}}}")
                }
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `prefix` is a leading run of whole segments of `path`.
fn is_segment_prefix(prefix: &str, path: &str) -> bool {
    path == prefix || path.starts_with(&format!("{prefix}/"))
}

/// What a create operation produces: the parameter of its item route and how to get its value.
struct Produces {
    name: String,
    /// The item route this create makes addressable, normalized (e.g. `/bots/{BOT_ID}`).
    item: String,
    /// Where the value comes from: a reply pointer, or the request body (handled per example).
    reply_pointer: Option<String>,
}

fn produces(op: &Operation, ops: &[&Operation]) -> Option<Produces> {
    if op.method == Method::Delete || op.method == Method::Get {
        return None;
    }
    let collection = normalized_template(&op.request_path);
    let prefix = format!("{}/{{", collection.trim_end_matches('/'));
    let item = ops.iter().find_map(|o| {
        let rest = normalized_template(&o.request_path);
        let rest = rest.strip_prefix(&prefix)?;
        let name = rest.strip_suffix('}')?;
        (!name.contains('/')).then(|| canonical_param_name(name).to_string())
    });
    // PATCH /extensions/{id}/properties creates properties addressed by key.
    let name = item?;
    let is_body_named = name.ends_with("HANDLER_TYPE") || name == "EXTENSION_PROPERTY_KEY_NAME";
    if op.method != Method::Post && !is_body_named {
        return None;
    }
    let reply_pointer = if is_body_named {
        None
    } else {
        let schema = op
            .success_statuses()
            .first()
            .and_then(|s| op.responses.get(s))
            .and_then(|r| r.schema.as_ref());
        ID_POINTERS
            .iter()
            .find(|p| has_pointer(schema, p))
            .map(|p| (*p).to_string())
    };
    Some(Produces {
        item: format!("{prefix}{name}}}"),
        name,
        reply_pointer,
    })
}

/// Words of an example name that say which variant it is (generic words left out).
fn variant_words(name: &str) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "handler",
        "function",
        "bot",
        "action",
        "message",
        "update",
        "updated",
        "script",
        "permissions",
        "set",
        "install",
        "upgrade",
    ];
    name.split(['_', '-', ' '])
        .map(str::to_ascii_lowercase)
        .filter(|w| !w.is_empty() && !GENERIC.contains(&w.as_str()))
        .collect()
}

/// How well two example names fit each other (shared words; the leading word counts extra).
fn fit(a: &str, b: &str) -> usize {
    let wa = variant_words(a);
    let wb = variant_words(b);
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    let lead = usize::from(!wa.is_empty() && wa.first() == wb.first()) * 2;
    shared + lead
}

/// A planned request before ordering, with what it provides.
struct Draft<'a> {
    op: &'a Operation,
    kind: Kind,
    example: Option<String>,
    body: Option<Value>,
    /// What this request produces: (parameter name, reply pointer, literal from the body, item route).
    produces: Option<(String, Option<String>, Option<String>, String)>,
}

/// The example name of a body assembled from property-level examples.
pub const SYNTHESIZED: &str = "synthesized";

/// Builds the ordered request plan for `ops` (as returned by [`crate::scope::in_scope`]).
///
/// Every documented request example becomes one request. A body documented without a whole
/// example is assembled from its properties' examples ([`SYNTHESIZED`]) when that satisfies
/// the schema; otherwise the request has no body. A child request binds its parent IDs to the creating
/// request whose example name fits its own best (e.g. `button_handler_webhook` goes to the
/// function created by `button_function_webhook`), ties going to the first. Deletes come last,
/// deepest first, once per created resource. Path parameters that no in-scope operation
/// creates stay [`Binding::Id`] with their own name, for the caller to seed in the
/// [`IdContext`](crate::IdContext); so do required query parameters (e.g. `extension_key`) and
/// the ID members of bodies (`team_ids` → `TEAM_ID`, `user_id`/`user_ids` → `USER_ID`, `thread_message_id` and
/// `reply_to` → `MESSAGE_ID`).
/// `known` adds the statuses a listed contradiction makes cliqd reply with.
pub fn plan(ops: &[&Operation], known: &[KnownContradiction]) -> Vec<PlannedRequest> {
    let mut drafts: Vec<Draft> = Vec::new();
    for op in ops {
        let kind = match op.method {
            Method::Get => Kind::Read,
            Method::Delete => Kind::Delete,
            _ if produces(op, ops).is_some() => Kind::Create,
            _ => Kind::Update,
        };
        let prod = produces(op, ops);
        let examples: Vec<(Option<String>, Option<Value>)> = match &op.request_body {
            Some(rb) if !rb.examples.is_empty() => rb
                .examples
                .iter()
                .map(|e| (Some(e.name.clone()), Some(e.value.clone())))
                .collect(),
            Some(rb) => match rb.synthesized_example() {
                Some(body) => vec![(Some(SYNTHESIZED.to_string()), Some(body))],
                None => vec![(None, None)],
            },
            None => vec![(None, None)],
        };
        for (example, body) in examples {
            let produces = prod.as_ref().map(|p| {
                let literal = body.as_ref().and_then(|b| body_capture(&p.name, b));
                (
                    p.name.clone(),
                    p.reply_pointer.clone(),
                    literal,
                    p.item.clone(),
                )
            });
            // A create whose result cannot be addressed (no ID in the reply, no name in the
            // body) produces nothing others can use.
            let produces = produces.filter(|p| p.1.is_some() || p.2.is_some());
            drafts.push(Draft {
                op,
                kind,
                example,
                body,
                produces,
            });
        }
    }

    // Order: repeatedly take the first ready non-delete draft by (kind, document order).
    let mut order: Vec<usize> = Vec::new();
    let mut provided: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut pending: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].kind != Kind::Delete)
        .collect();
    let producible: Vec<String> = drafts
        .iter()
        .filter_map(|d| d.produces.as_ref().map(|p| p.3.clone()))
        .collect();
    while !pending.is_empty() {
        let ready = |i: usize| {
            let path = normalized_template(&drafts[i].op.request_path);
            producible
                .iter()
                .filter(|item| is_segment_prefix(item, &path))
                .all(|item| provided.contains_key(item))
        };
        let next = pending
            .iter()
            .copied()
            .filter(|&i| ready(i))
            .min_by_key(|&i| (drafts[i].kind, i))
            // Unsatisfiable dependencies (cannot happen with producers in the list) go in order.
            .unwrap_or(pending[0]);
        pending.retain(|&i| i != next);
        if let Some((_, _, _, item)) = &drafts[next].produces {
            provided.entry(item.clone()).or_default().push(next);
        }
        order.push(next);
    }
    let mut deletes: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].kind == Kind::Delete)
        .collect();
    deletes.sort_by_key(|&i| {
        (
            std::cmp::Reverse(path_params(&drafts[i].op.request_path).len()),
            i,
        )
    });

    // Build requests in order; bindings refer to the steps of their producers.
    let mut out: Vec<PlannedRequest> = Vec::new();
    let mut step_of: BTreeMap<usize, usize> = BTreeMap::new();
    let build = |i: usize,
                 producer: Option<usize>,
                 out: &mut Vec<PlannedRequest>,
                 step_of: &mut BTreeMap<usize, usize>| {
        let d = &drafts[i];
        let step = out.len();
        let params = path_params(&d.op.request_path);
        let mut bindings: BTreeMap<String, Binding> = BTreeMap::new();
        // An example named after a value of the last path parameter (`form_change_handler`)
        // addresses that child itself; its parent is then chosen like any other.
        let own_literal = if producer.is_none() {
            named_child(d.op, d.example.as_deref())
        } else {
            None
        };
        let lookup_path = match &own_literal {
            Some(_) => {
                d.op.request_path
                    .rsplit_once('/')
                    .map_or(d.op.request_path.clone(), |(parent, _)| parent.to_string())
            }
            None => d.op.request_path.clone(),
        };
        // The deepest created resource on the path decides the producer; ancestors follow it.
        let last = deepest_item(&provided, &lookup_path);
        if let Some(last) = last {
            let candidates = &provided[&last];
            let chosen = producer.or_else(|| {
                let name = d.example.as_deref().unwrap_or("");
                candidates.iter().copied().max_by_key(|&c| {
                    let score = fit(name, drafts[c].example.as_deref().unwrap_or(""));
                    // Ties go to the earliest producer.
                    (score, std::cmp::Reverse(c))
                })
            });
            if let Some(c) = chosen
                && let Some(&pstep) = step_of.get(&c)
            {
                let parent: &PlannedRequest = &out[pstep];
                for (k, v) in &parent.path_bindings {
                    bindings.insert(k.clone(), v.clone());
                }
                let name = &last[last.rfind('{').map_or(0, |i| i + 1)..last.len() - 1];
                // The consumer's own spelling of the parameter (an alias or the name itself).
                let own = params
                    .iter()
                    .find(|p| {
                        *p == name || ALIASES.iter().any(|a| a.0 == p.as_str() && a.1 == name)
                    })
                    .cloned()
                    .unwrap_or_else(|| name.to_string());
                let binding = match ALIASES.iter().find(|a| a.0 == own && a.2.is_some()) {
                    Some(alias) => Binding::Id(format!("{}#{pstep}", alias.0)),
                    None => provided_binding(&drafts[c], pstep),
                };
                bindings.insert(own, binding);
            }
        }
        if let Some((param, value)) = own_literal {
            bindings.insert(param, Binding::Literal(value));
        }
        for p in &params {
            if !bindings.contains_key(p) {
                bindings.insert(p.clone(), default_binding(d.op, p));
            }
        }
        let query =
            d.op.query_params
                .iter()
                .filter(|q| q.required)
                .map(|q| {
                    let b = query_binding(&q.name, d.op, &provided, &drafts, step_of);
                    (q.name.clone(), b)
                })
                .collect();
        let mut captures = match &d.produces {
            Some((name, Some(pointer), None, _)) => vec![Capture {
                pointer: pointer.clone(),
                key: format!("{name}#{step}"),
            }],
            _ => Vec::new(),
        };
        // Aliases of the created resource that the reply carries (a bot's unique name).
        if let Some((name, Some(_), None, _)) = &d.produces {
            let schema =
                d.op.success_statuses()
                    .first()
                    .and_then(|s| d.op.responses.get(s))
                    .and_then(|r| r.schema.clone());
            for (alias, target, pointer) in ALIASES {
                if let Some(pointer) = pointer
                    && target == name
                    && has_pointer(schema.as_ref(), pointer)
                {
                    captures.push(Capture {
                        pointer: (*pointer).to_string(),
                        key: format!("{alias}#{step}"),
                    });
                }
            }
        }
        let mut expected = d.op.success_statuses();
        for extra in extra_statuses(d.op, known) {
            if !expected.contains(&extra) {
                expected.push(extra);
            }
        }
        if let Some(name) = &d.example
            && refused(d.op, name, known)
        {
            // cliqd follows the schema against this documented example: it must be refused.
            expected = vec![400];
        }
        out.push(PlannedRequest {
            step,
            document: d.op.document.clone(),
            operation_id: d.op.operation_id.clone(),
            example: d.example.clone(),
            method: d.op.method,
            path_template: d.op.request_path.clone(),
            path_bindings: bindings,
            query,
            body_bindings: body_bindings(d.body.as_ref()),
            body: d.body.clone(),
            expected_statuses: expected,
            captures,
        });
        step_of.insert(i, step);
    };
    for &i in &order {
        build(i, None, &mut out, &mut step_of);
    }
    for &i in &deletes {
        match deepest_item(&provided, &drafts[i].op.request_path) {
            // One delete per created resource.
            Some(last) => {
                for c in provided[&last].clone() {
                    build(i, Some(c), &mut out, &mut step_of);
                }
            }
            None => build(i, None, &mut out, &mut step_of),
        }
    }
    out
}

/// Required query parameters that name things: (parameter, path parameter or context key).
const QUERY_IDS: &[(&str, &str)] = &[
    ("keys", "EXTENSION_PROPERTY_KEY_NAME"),
    ("user_ids", "USER_ID"),
    ("message_ids", "MESSAGE_ID"),
];

/// A required query parameter: a child the plan created under this path (property keys), or
/// a context key the caller seeds (`extension_key`, `USER_ID`, …).
fn query_binding(
    name: &str,
    op: &Operation,
    provided: &BTreeMap<String, Vec<usize>>,
    drafts: &[Draft],
    step_of: &BTreeMap<usize, usize>,
) -> Binding {
    let key = QUERY_IDS.iter().find(|q| q.0 == name).map_or(name, |q| q.1);
    let child = format!("{}/{{{key}}}", normalized_template(&op.request_path));
    let made = provided.get(&child).and_then(|producers| {
        producers.iter().find_map(|&c| {
            let step = *step_of.get(&c)?;
            Some(provided_binding(&drafts[c], step))
        })
    });
    made.unwrap_or_else(|| Binding::Id(key.to_string()))
}

fn provided_binding(producer: &Draft, step: usize) -> Binding {
    match &producer.produces {
        Some((_, _, Some(literal), _)) => Binding::Literal(literal.clone()),
        Some((name, _, None, _)) => Binding::Id(format!("{name}#{step}")),
        None => Binding::Id(String::new()),
    }
}

/// The longest created item route that `template` lies under.
fn deepest_item(provided: &BTreeMap<String, Vec<usize>>, template: &str) -> Option<String> {
    let path = normalized_template(template);
    provided
        .keys()
        .filter(|item| is_segment_prefix(item, &path))
        .max_by_key(|item| item.len())
        .cloned()
}

/// A parameter nobody in the plan creates: the first enum value of a fixed set (handler types
/// that exist from creation), otherwise an ID the caller seeds under the parameter's name.
fn default_binding(op: &Operation, name: &str) -> Binding {
    let enum_first = op
        .path_params
        .iter()
        .find(|p| canonical_param_name(&p.name) == name)
        .and_then(|p| p.schema.get("enum"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str);
    match enum_first {
        Some(v) => Binding::Literal(v.to_string()),
        None => Binding::Id(name.to_string()),
    }
}

/// Whether a listed contradiction says cliqd refuses this documented request example.
fn refused(op: &Operation, example: &str, known: &[KnownContradiction]) -> bool {
    let id = format!(
        "example:{}:{}:request:{example}",
        op.document, op.operation_id
    );
    known.iter().any(|k| k.id == id && k.refused)
}

/// The last path parameter's value when the example is named after one of its enum values.
fn named_child(op: &Operation, example: Option<&str>) -> Option<(String, String)> {
    let example = example?;
    let last = path_params(&op.request_path).pop()?;
    let param = op
        .path_params
        .iter()
        .find(|p| canonical_param_name(&p.name) == last)?;
    let listed = param
        .schema
        .get("enum")
        .and_then(Value::as_array)?
        .iter()
        .any(|v| v.as_str() == Some(example));
    listed.then(|| (last, example.to_string()))
}

/// Statuses listed contradictions add for `op` (e.g. 204 where a document shows 200).
fn extra_statuses(op: &Operation, known: &[KnownContradiction]) -> Vec<u16> {
    let me = format!("{}:{}", op.document, op.operation_id);
    known
        .iter()
        .filter(|k| k.operations.iter().any(|o| o == &me))
        .flat_map(|k| k.accept_statuses.iter().copied())
        .collect()
}

/// Checks a reply to `request`: the status must be one of the expected ones and the body must
/// validate against the documented schema of that status (`Value::Null` = empty body).
///
/// On failure the messages also name every listed contradiction that concerns the operation
/// and the variant cliqd follows, so a mismatch reads as "documents disagree, we chose X".
pub fn check_response(
    op: &Operation,
    request: &PlannedRequest,
    status: u16,
    body: &Value,
    known: &[KnownContradiction],
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if !request.expected_statuses.contains(&status) {
        errors.push(format!(
            "step {} {} {}: status {status}, expected one of {:?}",
            request.step, request.method, request.operation_id, request.expected_statuses
        ));
    } else if op.responses.contains_key(&status) {
        if let Err(messages) = validate_operation_response(op, status, body) {
            errors.extend(messages.into_iter().map(|m| {
                format!(
                    "step {} {} {}: {m}",
                    request.step, request.method, request.operation_id
                )
            }));
        }
    } else if !body.is_null() {
        // A status only a listed contradiction allows: no documented body to check against.
        errors.push(format!(
            "step {} {}: status {status} should have no body",
            request.step, request.operation_id
        ));
    }
    if errors.is_empty() {
        return Ok(());
    }
    let me = format!("{}:{}", op.document, op.operation_id);
    let needle = format!(":{}:{}:", op.document, op.operation_id);
    for k in known {
        if k.operations.iter().any(|o| o == &me) || k.id.contains(&needle) {
            errors.push(format!(
                "known contradiction {}: cliqd follows {} ({})",
                k.id, k.follows, k.why
            ));
        }
    }
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_fit_prefers_matching_variant() {
        assert!(
            fit("button_handler_webhook", "button_function_webhook")
                > fit("button_handler_webhook", "button_function_deluge")
        );
        assert!(
            fit("form_submit_handler_deluge", "form_function")
                > fit("form_submit_handler_deluge", "button_function_deluge")
        );
        assert!(fit("update_menu_handler", "menu_handler_webhook") > 0);
    }
}
