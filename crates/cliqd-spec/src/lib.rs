//! Zoho Cliq's OpenAPI documents as data: loading, `$ref` resolution, a typed operation model,
//! response validation against the documented schemas, self-consistency checks, and request
//! plans for conformance tests (no HTTP of its own: callers send the requests).
//!
//! Used by the server's integration tests like this (the HTTP client is the caller's own; not
//! run as a doctest, since it reads the upstream documents: see [`upstream`]):
//!
//! ```no_run
//! use cliqd_spec::{Conformance, IdContext, scope::Area};
//! use serde_json::json;
//!
//! // IDs the plan cannot create itself: an extension registered with the CLI, its key, a team…
//! let ctx = IdContext::new()
//!     .with("EXTENSION_ID", "53719000001887001")
//!     .with("extension_key", "key")
//!     .with("TEAM_ID", "9000001");
//! let mut run = Conformance::new(Some(Area::Platform), "http://127.0.0.1:8080/api/v3", "token", ctx)?;
//! let request = run.prepare(0)?; // method, url, headers, body: send them with any client
//! assert_eq!(request.url, "http://127.0.0.1:8080/api/v3/bots");
//! // …then hand the reply back: status and JSON body (`Value::Null` when empty).
//! let reply = json!({"url": "/api/v3/bots", "type": "bot", "data": {"id": "1", "unique_name": "b"}});
//! assert_eq!(run.record(0, 200, &reply), Ok(()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod consistency;
mod errors_table;
mod load;
mod model;
mod plan;
mod report;
mod request;
mod runner;
mod schema;
pub mod scope;
mod seeds;
mod shape;
pub mod upstream;

pub use consistency::{
    Contradiction, ContradictionKind, KnownContradiction, Reconciliation, check_consistency,
    known_contradictions, known_contradictions_path, reconcile,
};
pub use errors_table::{ErrorCode, parse_error_codes};
pub use load::{default_openapi_dir, default_seeds_dir, resolve_refs};
pub use model::{
    Document, Example, ExampleSource, Method, Operation, Parameter, RequestBody, Response, Spec,
};
pub use plan::{SYNTHESIZED, check_response, plan};
pub use report::{contradictions_markdown, operations_markdown, plans_markdown};
pub use request::{Binding, Capture, Captures, IdContext, PlanError, PlannedRequest};
pub use runner::{Conformance, Prepared};
pub use schema::{SchemaError, openapi_to_json_schema, validate_against};
pub use seeds::{SeedEndpoint, SeedPage, load_seed_pages};
pub use shape::missing_example_members;
pub use upstream::{UPSTREAM_DIR_VAR, UpstreamMissing, upstream_dir, upstream_path};

use std::path::PathBuf;

/// Everything that can go wrong while loading or querying the documents.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid YAML: {message}")]
    Yaml { path: PathBuf, message: String },
    #[error("{document}: {message}")]
    Shape { document: String, message: String },
    #[error("unknown document {0}")]
    UnknownDocument(String),
    #[error("unknown operation {operation_id} in {document}")]
    UnknownOperation {
        document: String,
        operation_id: String,
    },
    #[error("{document} {operation_id}: no documented response with status {status}")]
    UnknownStatus {
        document: String,
        operation_id: String,
        status: u16,
    },
    #[error("{0}")]
    Schema(#[from] SchemaError),
    #[error("{0}")]
    Upstream(#[from] UpstreamMissing),
    #[error("contradictions list {path}: {message}")]
    Contradictions { path: PathBuf, message: String },
}
