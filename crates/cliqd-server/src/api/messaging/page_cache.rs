//! Rendered newest pages of get-messages, kept by chat and limit with the chat's
//! [`PageVersion`] they were read at.
//!
//! Clients poll the newest page of a chat far more often than the chat changes. The store
//! tells a read the chat's version with the page's first row (the membership checked), and
//! when it is the version of the page held here the read stops and replies with the held
//! bytes: no further row is read and nothing is rendered. The version is the database's (triggers keep it, whoever writes), so a page
//! held here is never served after the chat changed, even by another process; nothing here
//! expires or is told of writes.
//!
//! The memory is bounded ([`crate::config::Config::page_cache_bytes`]): a page that would
//! pass the budget makes room by dropping held pages in the map's order (arbitrary); a page
//! larger than an eighth of the budget is not kept.

use axum::body::Bytes;
use cliqd_store::PageVersion;
use std::collections::HashMap;
use std::sync::RwLock;

/// One page held: the limit it was read with, the version it was read at, its reply body.
struct Held {
    limit: u32,
    version: PageVersion,
    page: Bytes,
}

#[derive(Default)]
struct Pages {
    /// By chat id; a chat has one page per limit asked (few).
    by_chat: HashMap<Box<str>, Vec<Held>>,
    /// The sum of the held pages' lengths.
    bytes: usize,
}

pub(crate) struct PageCache {
    pages: RwLock<Pages>,
    budget: usize,
}

impl PageCache {
    /// A cache of at most `budget` bytes of pages (0: none kept).
    pub(crate) fn new(budget: usize) -> Self {
        PageCache {
            pages: RwLock::default(),
            budget,
        }
    }

    /// Whether pages are kept at all.
    pub(crate) fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The page of `limit` messages held for `chat_id`, with its version.
    pub(crate) fn get(&self, chat_id: &str, limit: u32) -> Option<(PageVersion, Bytes)> {
        let pages = self.pages.read().ok()?;
        pages
            .by_chat
            .get(chat_id)?
            .iter()
            .find(|h| h.limit == limit)
            .map(|h| (h.version, h.page.clone()))
    }

    /// Keeps `page` as the page of `limit` messages of `chat_id` at `version`, replacing the
    /// one held (unless that one is newer: a slower reader's older page does not replace it).
    pub(crate) fn put(&self, chat_id: &str, limit: u32, version: PageVersion, page: Bytes) {
        if page.len() > self.budget / 8 {
            return;
        }
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        let pages = &mut *pages;
        if let Some(held) = pages
            .by_chat
            .get_mut(chat_id)
            .and_then(|v| v.iter_mut().find(|h| h.limit == limit))
        {
            if newer(held.version, version) {
                return;
            }
            pages.bytes = pages.bytes - held.page.len() + page.len();
            held.version = version;
            held.page = page;
        } else {
            pages.bytes += page.len();
            pages.by_chat.entry(chat_id.into()).or_default().push(Held {
                limit,
                version,
                page,
            });
        }
        while pages.bytes > self.budget {
            let Some(chat) = pages.by_chat.keys().next().cloned() else {
                break;
            };
            if let Some(held) = pages.by_chat.remove(&chat) {
                pages.bytes -= held.iter().map(|h| h.page.len()).sum::<usize>();
            }
        }
    }

    /// Drops every page held.
    pub(crate) fn clear(&self) {
        if let Ok(mut pages) = self.pages.write() {
            *pages = Pages::default();
        }
    }

    /// The number of pages held and their bytes (for tests).
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        (pages.by_chat.values().map(Vec::len).sum(), pages.bytes)
    }
}

/// Whether `a` is past `b` in every part (the parts only grow, except across a restore, which
/// moves the last part past every earlier value).
fn newer(a: PageVersion, b: PageVersion) -> bool {
    a != b && a.0.iter().zip(b.0.iter()).all(|(x, y)| x >= y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> PageVersion {
        PageVersion([n, 0, 0])
    }

    #[test]
    fn a_page_is_found_by_chat_and_limit_with_its_version() {
        let cache = PageCache::new(1 << 20);
        cache.put("CT_1", 50, v(3), Bytes::from_static(b"fifty"));
        cache.put("CT_1", 10, v(3), Bytes::from_static(b"ten"));
        assert_eq!(
            cache.get("CT_1", 50),
            Some((v(3), Bytes::from_static(b"fifty")))
        );
        assert_eq!(
            cache.get("CT_1", 10),
            Some((v(3), Bytes::from_static(b"ten")))
        );
        assert_eq!(cache.get("CT_1", 20), None);
        assert_eq!(cache.get("CT_2", 50), None);
        assert_eq!(cache.size(), (2, 8));
    }

    #[test]
    fn a_newer_page_replaces_an_older_one_and_not_the_reverse() {
        let cache = PageCache::new(1 << 20);
        cache.put("CT_1", 50, v(3), Bytes::from_static(b"three"));
        cache.put("CT_1", 50, v(5), Bytes::from_static(b"five!!"));
        cache.put("CT_1", 50, v(4), Bytes::from_static(b"four"));
        assert_eq!(
            cache.get("CT_1", 50),
            Some((v(5), Bytes::from_static(b"five!!")))
        );
        assert_eq!(cache.size(), (1, 6));
        // A restore moves the last part past every earlier value while the others may fall:
        // not newer in every part, so it replaces.
        let restored = PageVersion([1, 0, 9]);
        cache.put("CT_1", 50, restored, Bytes::from_static(b"r"));
        assert_eq!(cache.get("CT_1", 50).map(|h| h.0), Some(restored));
    }

    #[test]
    fn the_budget_bounds_what_is_held() {
        let cache = PageCache::new(8 * 100);
        for i in 0..100 {
            cache.put(&format!("CT_{i}"), 50, v(1), Bytes::from(vec![b'x'; 100]));
            assert!(cache.size().1 <= 800);
        }
        assert_eq!(cache.size(), (8, 800));
        // Larger than an eighth of the budget: not kept.
        cache.put("CT_big", 50, v(1), Bytes::from(vec![b'x'; 101]));
        assert_eq!(cache.get("CT_big", 50), None);
        cache.clear();
        assert_eq!(cache.size(), (0, 0));
        let off = PageCache::new(0);
        assert!(!off.enabled());
        off.put("CT_1", 50, v(1), Bytes::from_static(b"x"));
        assert_eq!(off.get("CT_1", 50), None);
    }
}
