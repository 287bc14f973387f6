//! The web client's files, embedded in the binary: `assets/` (the page, the hand-written ES
//! modules and the vendored libraries listed in `assets/vendor/VENDORED.md`). This crate knows
//! no HTTP serving: it answers a path with the bytes, their content type and an entity tag;
//! `cliqd-server` serves them.

use rust_embed::RustEmbed;
use std::borrow::Cow;

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
