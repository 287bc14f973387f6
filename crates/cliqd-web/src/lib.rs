//! The web client's files, embedded in the binary: `assets/` (the page, the hand-written ES
//! modules and the vendored libraries listed in `assets/vendor/VENDORED.md`). This crate knows
//! no HTTP serving: it answers a path with the bytes, their content type and an entity tag;
//! `cliqd-server` serves them.

use base64::Engine;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// One embedded file.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    /// The MIME type (with `charset=utf-8` for text).
    pub content_type: String,
    /// A strong entity tag (quoted), from the file's SHA-256.
    pub etag: String,
}

/// The page every client route starts from.
pub const INDEX: &str = "index.html";

/// The file at `path` (relative to `assets/`, no leading `/`), if there is one.
pub fn asset(path: &str) -> Option<Asset> {
    let file = Assets::get(path)?;
    let hash = file.metadata.sha256_hash();
    let etag = format!("\"{}\"", hex(&hash[..16]));
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/")
        || mime == "application/javascript"
        || mime == "text/javascript"
        || mime == "application/json"
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    Some(Asset {
        bytes: file.data,
        content_type,
        etag,
    })
}

/// The Content-Security-Policy of the page: its own scripts, styles and connections only (the
/// one inline script, the import map, allowed by its hash), images also from `https:` (a
/// message's pictures), nothing framed, no plugins. Message content is rendered as elements,
/// never as HTML; this is the second line of defence.
pub fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hashes: String = asset(INDEX)
            .map(|a| inline_scripts(&String::from_utf8_lossy(&a.bytes)))
            .unwrap_or_default()
            .iter()
            .map(|body| {
                let digest = Sha256::digest(body.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        format!(
            "default-src 'self'; script-src 'self'{hashes}; style-src 'self'; \
             img-src 'self' https: data:; connect-src 'self'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        )
    })
}

/// The bodies of the inline `<script>` elements of `html` (those without `src`).
fn inline_scripts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            out.push(body_start[..close].to_string());
        }
        rest = &body_start[close..];
    }
    out
}

/// Every embedded path.
pub fn paths() -> impl Iterator<Item = Cow<'static, str>> {
    Assets::iter()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_vendored_modules_are_embedded_with_types_and_tags() {
        let index = asset(INDEX).expect("index.html");
        assert!(index.content_type.starts_with("text/html"));
        assert_eq!(index.etag.len(), 34);
        let preact = asset("vendor/preact/preact.module.js").expect("preact");
        assert!(
            preact.content_type.contains("javascript"),
            "{}",
            preact.content_type
        );
        assert_ne!(preact.etag, index.etag);
        assert!(asset("nope.js").is_none());
        assert!(asset("../Cargo.toml").is_none());
    }

    #[test]
    fn the_policy_allows_the_import_map_by_its_hash_and_nothing_else_inline() {
        let page =
            String::from_utf8(asset(INDEX).expect("index").bytes.into_owned()).expect("utf-8");
        let scripts = inline_scripts(&page);
        assert_eq!(
            scripts.len(),
            1,
            "only the import map is inline: {scripts:?}"
        );
        assert!(scripts[0].contains("\"imports\""));
        let policy = content_security_policy();
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(
            inline_scripts("<script src=\"a.js\"></script><script>x</script>"),
            vec!["x".to_string()]
        );
    }

    #[test]
    fn every_vendored_file_is_listed_with_its_license() {
        let listing = String::from_utf8(
            asset("vendor/VENDORED.md")
                .expect("listing")
                .bytes
                .into_owned(),
        )
        .expect("utf-8");
        for path in paths().filter(|p| p.starts_with("vendor/") && !p.ends_with(".md")) {
            let dir = path
                .trim_start_matches("vendor/")
                .split('/')
                .next()
                .unwrap_or("");
            assert!(
                asset(&format!("vendor/{dir}/LICENSE")).is_some(),
                "{path}: no LICENSE beside it"
            );
            let file = path.rsplit('/').next().unwrap_or("");
            if file != "LICENSE" {
                assert!(
                    listing.contains(file),
                    "{path} is not listed in VENDORED.md"
                );
            }
        }
    }
}
