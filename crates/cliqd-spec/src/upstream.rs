//! Where the upstream documents live: Zoho's OpenAPI YAML (`spec/openapi`), the text renderings
//! of the API reference pages (`spec/seeds`) and the Deluge conformance corpus
//! (`conformance/deluge`). They are not part of the repository; the directory holding them is
//! read at run time from `CLIQD_UPSTREAM_DIR`, and defaults to a `shared` directory beside the
//! workspace.
//!
//! Every check against them belongs to the upstream-conformance suite: tests in modules named
//! `upstream_conformance`, ignored by `cargo test --workspace` and run by
//! `.ci/upstream-conformance [DIR]`.

use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable naming the directory of the upstream documents.
pub const UPSTREAM_DIR_VAR: &str = "CLIQD_UPSTREAM_DIR";

/// The OpenAPI documents, relative to the upstream directory.
pub const OPENAPI: &str = "spec/openapi";
/// The API reference seed pages, relative to the upstream directory.
pub const SEEDS: &str = "spec/seeds";
/// The public Deluge conformance corpus, relative to the upstream directory.
pub const DELUGE_CORPUS: &str = "conformance/deluge/docs-public.jsonl";

/// The directory of the upstream documents: `CLIQD_UPSTREAM_DIR` when set (and not empty),
/// else the `shared` directory beside the workspace this crate was built in.
pub fn upstream_dir() -> PathBuf {
    match std::env::var_os(UPSTREAM_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => default_upstream_dir(),
    }
}

/// `shared` beside the workspace root (`CARGO_MANIFEST_DIR` is
/// `<workspace root>/crates/cliqd-spec`).
fn default_upstream_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("..")
        .join("shared")
}

/// `relative` (e.g. [`OPENAPI`]) inside the upstream directory, if it exists there.
pub fn upstream_path(relative: &str) -> Result<PathBuf, UpstreamMissing> {
    let dir = upstream_dir();
    let path = dir.join(relative);
    if path.exists() {
        Ok(path)
    } else {
        Err(UpstreamMissing {
            relative: relative.to_string(),
            path,
            from_env: std::env::var_os(UPSTREAM_DIR_VAR).is_some_and(|d| !d.is_empty()),
        })
    }
}

/// An upstream document that is not where [`upstream_dir`] says it should be. Its `Debug` is
/// its message, so that a test's `expect` says what is missing and how to point at it.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamMissing {
    /// What was looked for, relative to the upstream directory (`spec/openapi`).
    pub relative: String,
    /// Where it was looked for.
    pub path: PathBuf,
    /// Whether the upstream directory came from `CLIQD_UPSTREAM_DIR` (else the default).
    pub from_env: bool,
}

impl fmt::Display for UpstreamMissing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = if self.from_env {
            UPSTREAM_DIR_VAR.to_string()
        } else {
            format!("the default, {UPSTREAM_DIR_VAR} being unset")
        };
        write!(
            f,
            "upstream document missing: {} not found at {} (upstream directory from {source}); \
             set {UPSTREAM_DIR_VAR} to the directory holding spec/openapi, spec/seeds and \
             conformance/deluge, or run .ci/upstream-conformance DIR",
            self.relative,
            self.path.display(),
        )
    }
}

impl fmt::Debug for UpstreamMissing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for UpstreamMissing {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_document_is_named_with_the_way_to_point_at_it() {
        let missing = UpstreamMissing {
            relative: OPENAPI.to_string(),
            path: PathBuf::from("/nonexistent/spec/openapi"),
            from_env: true,
        };
        let text = missing.to_string();
        assert!(text.contains("spec/openapi"), "{text}");
        assert!(text.contains("/nonexistent/spec/openapi"), "{text}");
        assert!(text.contains(UPSTREAM_DIR_VAR), "{text}");
        assert!(text.contains(".ci/upstream-conformance"), "{text}");
    }

    #[test]
    fn a_path_that_does_not_exist_is_an_error() {
        let missing = upstream_path("no/such/upstream/document.yml");
        assert!(missing.is_err());
    }

    mod upstream_conformance {
        use super::super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn every_upstream_document_is_present() {
            for relative in [OPENAPI, SEEDS, DELUGE_CORPUS] {
                if let Err(e) = upstream_path(relative) {
                    panic!("{e}");
                }
            }
            assert!(
                upstream_path(OPENAPI)
                    .map(|d| d.join("bots.yml").is_file())
                    .unwrap_or(false)
            );
        }
    }
}
