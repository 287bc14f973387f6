//! The repository's habits, checked by `cargo test --workspace` (see `tests/tidy.rs`): every
//! Rust file starts with a `//!` doc comment and stays under 1,000 lines, SQL stays in the store
//! crates, the HTTP client in `cliqd-outbound`, Markdown links resolve, and nothing points at the
//! upstream documents beside the repository. The crate has no code of its own.
