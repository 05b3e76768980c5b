//! Link hops from the start URL. spider's own `with_depth` counts URL path
//! segments, so the crawler records the hop depth of every link it sees.
//!
//! The keys must be the very strings spider later asks the engine to fetch,
//! so links are resolved the way spider resolves them (its own
//! `convert_abs_path`, then its scheme coercion to the site's scheme).
//! Keys are 64-bit hashes: 16 bytes an entry instead of a copy of each URL.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher};
use std::sync::Mutex;

use spider::utils::abs::convert_abs_path;
use url::Url;

/// The keys are already hashes; hashing them again would be wasted work.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Identity = BuildHasherDefault<IdentityHasher>;

#[derive(Default)]
pub(crate) struct HopDepths {
    depths: Mutex<HashMap<u64, u32, Identity>>,
}

/// A stable 64-bit key for a URL (SipHash with fixed keys).
pub(crate) fn url_key(url: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(url)
}

/// A link as spider will ask for it: resolved its way (`convert_abs_path`),
/// then moved onto the site's scheme. `None` for links that are not http(s).
pub(crate) fn resolve_link(base: &Url, site_scheme: &str, href: &str) -> Option<Url> {
    let mut abs = convert_abs_path(base, href);
    if !matches!(abs.scheme(), "http" | "https") {
        return None;
    }
    if abs.scheme() != site_scheme {
        let _ = abs.set_scheme(site_scheme);
    }
    Some(abs)
}

/// `HopDepths` locked, keyed by `url_key`.
pub(crate) struct DepthsByKey<'a>(std::sync::MutexGuard<'a, HashMap<u64, u32, Identity>>);

impl DepthsByKey<'_> {
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        self.0.get(&key).copied()
    }

    /// Keeps the smaller depth if the key is already known.
    pub(crate) fn record(&mut self, key: u64, depth: u32) {
        let entry = self.0.entry(key).or_insert(depth);
        *entry = (*entry).min(depth);
    }
}

impl HopDepths {
    pub(crate) fn get(&self, url: &str) -> Option<u32> {
        self.lock().get(&url_key(url)).copied()
    }

    /// The map itself, held for a batch of lookups and records by key.
    pub(crate) fn by_key(&self) -> DepthsByKey<'_> {
        DepthsByKey(self.lock())
    }

    /// Keeps the smaller depth if the URL is already known.
    pub(crate) fn record(&self, url: &str, depth: u32) {
        let mut depths = self.lock();
        let entry = depths.entry(url_key(url)).or_insert(depth);
        *entry = (*entry).min(depth);
    }

    /// Records `depth` for each link of a page, resolved against `base`.
    /// `keep` sees the resolved URL and says whether it can be crawled at all
    /// (off-site links need no entry).
    pub(crate) fn record_links<'a>(
        &self,
        base: &Url,
        site_scheme: &str,
        hrefs: impl Iterator<Item = &'a str>,
        depth: u32,
        keep: impl Fn(&Url) -> bool,
    ) {
        let keys: Vec<u64> = hrefs
            .filter_map(|href| {
                let abs = resolve_link(base, site_scheme, href)?;
                keep(&abs).then(|| url_key(abs.as_str()))
            })
            .collect();
        // Resolved outside the lock: only the inserts are serialised.
        let mut depths = self.lock();
        for key in keys {
            let entry = depths.entry(key).or_insert(depth);
            *entry = (*entry).min(depth);
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, u32, Identity>> {
        // A panic while holding the lock leaves the map consistent (single
        // inserts), so a poisoned lock is still usable.
        self.depths.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_resolved_links_and_keeps_the_smallest_depth() {
        let depths = HopDepths::default();
        let base = Url::parse("http://h:8/dir/page.html").unwrap();
        depths.record_links(
            &base,
            "http",
            ["a.html", "/b", "https://h:8/c#frag", "mailto:x@y", "#top"].into_iter(),
            3,
            |_| true,
        );
        assert_eq!(depths.get("http://h:8/dir/a.html"), Some(3));
        assert_eq!(depths.get("http://h:8/b"), Some(3));
        // spider forces links onto the site's scheme and drops fragments.
        assert_eq!(depths.get("http://h:8/c"), Some(3));
        assert_eq!(depths.get("http://h:8/dir/page.html"), Some(3));
        depths.record("http://h:8/b", 1);
        depths.record("http://h:8/b", 5);
        assert_eq!(depths.get("http://h:8/b"), Some(1));
        assert_eq!(depths.len(), 4);
    }
}
