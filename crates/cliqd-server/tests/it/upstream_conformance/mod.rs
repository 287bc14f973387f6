//! Checks against the upstream documents (Zoho's OpenAPI YAML, found through
//! `CLIQD_UPSTREAM_DIR`): ignored by `cargo test --workspace`, run by
//! `.ci/upstream-conformance`.

mod messaging;
mod openapi;
