//! The public site's page cache: rendered responses (body, content type,
//! ETag, Last-Modified) kept in memory, keyed on the page and the store's
//! site generation.
//!
//! The generation ([`warta_store::Store::site_generation`]) changes in the
//! same transaction as anything a page shows, on every node sharing the
//! database, so a page cached under generation `g` — rendered after `g`
//! was read — is never older than `g`. Readers of a new generation miss and
//! render once (concurrent misses of one page wait for that one render).
//! Old generations are never read again and age out of the cache.
//!
//! The generation is read from the database at most once per
//! [`GENERATION_TTL`], plus once after each publish committed by this
//! process (the store counts those in memory), so a change appears on this
//! node on the next request and on other nodes within the TTL. A request
//! that finds the cached generation current costs an atomic load, a mutex
//! and a hash lookup.
//!
//! Memory is bounded by a byte budget (`page_cache_mb`), weighed by body
//! size, with quick_cache's S3-FIFO eviction, so one crawl through every
//! old article cannot push the front pages out.
//!
//! Pages are compressed once, when rendered (gzip and brotli, kept beside
//! the body in the cache), and each request gets the encoding it accepts
//! (`Accept-Encoding`, brotli preferred) with `Vary: Accept-Encoding` and an
//! ETag per encoding, so caches and conditional requests keep the
//! representations apart.
//!
//! What this module must never do: cache anything per user (the public site
//! has no cookies or sessions), or cache errors.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use warta_site::{etag_for, not_modified, Timestamp};
use warta_store::{Store, StoreError};

use crate::clock::Clock;

/// How stale another node's publish may look here.
pub const GENERATION_TTL: Duration = Duration::from_secs(1);

/// A rendered public response, as cached and as served.
#[derive(Debug, Clone)]
pub struct Page {
    pub content_type: &'static str,
    pub body: Bytes,
    /// A strong ETag of the body.
    pub etag: HeaderValue,
    pub last_modified: Option<Timestamp>,
    pub cache_control: &'static str,
    /// The body compressed, when it is worth it ([`Compressed::of`]).
    pub compressed: Option<Compressed>,
}

/// A body's gzip and brotli encodings.
#[derive(Debug, Clone)]
pub struct Compressed {
    pub gzip: Bytes,
    pub br: Bytes,
}

impl Compressed {
    /// Bodies smaller than this go as they are: the saving would not pay
    /// for the encoding's headers.
    const MIN_BYTES: usize = 512;

    /// Both encodings of `body`, or `None` when it is too small or does not
    /// shrink. gzip at level 6 (zlib's default), brotli at quality 6: the
    /// work is done once per rendered page, not per request.
    pub fn of(body: &[u8]) -> Option<Compressed> {
        use std::io::Write;
        if body.len() < Compressed::MIN_BYTES {
            return None;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        gz.write_all(body).ok()?;
        let gzip = gz.finish().ok()?;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 6, 22);
            w.write_all(body).ok()?;
            w.flush().ok()?;
        }
        (gzip.len() < body.len()).then(|| Compressed {
            gzip: gzip.into(),
            br: br.into(),
        })
    }
}

/// The encodings a response can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Br,
}

/// The best encoding the client accepts (`Accept-Encoding`, RFC 9110
/// §12.5.3): brotli, then gzip, then none. A coding with `q=0` is refused;
/// `*` stands for the codings not named.
fn negotiate(accept: Option<&str>) -> Encoding {
    let Some(accept) = accept else {
        return Encoding::Identity;
    };
    let mut named: Vec<(String, bool)> = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        named.push((name, q > 0.0));
    }
    let accepts = |coding: &str| {
        named
            .iter()
            .find(|(n, _)| n == coding)
            .or_else(|| named.iter().find(|(n, _)| n == "*"))
            .is_some_and(|(_, ok)| *ok)
    };
    if accepts("br") {
        Encoding::Br
    } else if accepts("gzip") || accepts("x-gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The ETag of an encoded representation: the body's, marked per coding.
fn etag_of(etag: &str, encoding: Encoding) -> String {
    let suffix = match encoding {
        Encoding::Identity => return etag.to_string(),
        Encoding::Gzip => "-gzip",
        Encoding::Br => "-br",
    };
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}{suffix}\""),
        None => format!("{etag}{suffix}"),
    }
}

impl Page {
    /// Revalidate on every use: the ETag makes that a 304 without a body.
    pub const REVALIDATE: &'static str = "public, max-age=0, must-revalidate";

    pub fn new(
        content_type: &'static str,
        body: impl Into<Bytes>,
        last_modified: Option<Timestamp>,
    ) -> Page {
        let body = body.into();
        let etag =
            HeaderValue::from_str(&etag_for(&body)).unwrap_or(HeaderValue::from_static("\"\""));
        Page {
            compressed: Compressed::of(&body),
            content_type,
            body,
            etag,
            last_modified,
            cache_control: Page::REVALIDATE,
        }
    }

    /// `304 Not Modified` when the client's copy is current, else the page.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let h = |name| {
            request
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let encoding = match &self.compressed {
            Some(_) => negotiate(h(header::ACCEPT_ENCODING)),
            None => Encoding::Identity,
        };
        let etag = etag_of(self.etag.to_str().unwrap_or_default(), encoding);
        let mut resp = if not_modified(
            h(header::IF_NONE_MATCH),
            h(header::IF_MODIFIED_SINCE),
            &etag,
            self.last_modified,
        ) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body = match (&self.compressed, encoding) {
                (Some(c), Encoding::Br) => c.br.clone(),
                (Some(c), Encoding::Gzip) => c.gzip.clone(),
                _ => self.body.clone(),
            };
            (
                [(header::CONTENT_TYPE, self.content_type)],
                body,
            )
                .into_response()
        };
        let hs = resp.headers_mut();
        match encoding {
            Encoding::Br => {
                hs.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            }
            Encoding::Gzip => {
                hs.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            Encoding::Identity => {}
        }
        if self.compressed.is_some() {
            hs.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        hs.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).unwrap_or_else(|_| self.etag.clone()),
        );
        if let Some(lm) = self.last_modified {
            if let Ok(v) = HeaderValue::from_str(&lm.http_date()) {
                hs.insert(header::LAST_MODIFIED, v);
            }
        }
        hs.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control),
        );
        resp
    }

    fn weight(&self) -> u64 {
        // The bodies dominate; the rest is a fixed few hundred bytes.
        let compressed = self
            .compressed
            .as_ref()
            .map_or(0, |c| c.gzip.len() + c.br.len());
        (self.body.len() + compressed) as u64 + 256
    }
}

type Key = (i64, String);

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<Key, Arc<Page>> for ByBytes {
    fn weight(&self, key: &Key, page: &Arc<Page>) -> u64 {
        key.1.len() as u64 + page.weight()
    }
}

/// The generation this node last read, and when.
#[derive(Clone, Copy)]
struct Seen {
    generation: i64,
    /// The store's local change count read just before that generation.
    local: u64,
    at: Instant,
}

/// Rendered pages by (generation, path). See the module docs.
pub struct PageCache {
    pages: Option<quick_cache::sync::Cache<Key, Arc<Page>, ByBytes>>,
    seen: Mutex<Option<Seen>>,
    /// One database read of the generation at a time.
    refresh: tokio::sync::Mutex<()>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// What times the generation read ([`GENERATION_TTL`]).
    clock: Clock,
}

impl PageCache {
    /// A cache of at most `budget_bytes` of pages; 0 turns caching off
    /// (every request renders). `clock` times the generation read.
    pub fn new(budget_bytes: u64, clock: Clock) -> PageCache {
        let pages = (budget_bytes > 0).then(|| {
            // quick_cache sizes its table from an item estimate: pages are
            // mostly 5–30 KB.
            let items = usize::try_from(budget_bytes / 16_384)
                .unwrap_or(usize::MAX)
                .clamp(16, 1 << 20);
            quick_cache::sync::Cache::with_weighter(items, budget_bytes, ByBytes)
        });
        PageCache {
            pages,
            seen: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            clock,
        }
    }

    pub fn enabled(&self) -> bool {
        self.pages.is_some()
    }

    /// Pages served from memory, and pages rendered, since start.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Bytes of pages held now.
    pub fn weight(&self) -> u64 {
        self.pages.as_ref().map_or(0, |c| c.weight())
    }

    /// The current site generation: the one read last, unless it is older
    /// than [`GENERATION_TTL`] or this process published since.
    pub async fn generation(&self, store: &Store) -> Result<i64, StoreError> {
        let local = store.local_site_changes();
        if let Some(g) = self.current(local) {
            return Ok(g);
        }
        let _one = self.refresh.lock().await;
        // Another request may have read it while this one waited.
        if let Some(g) = self.current(local) {
            return Ok(g);
        }
        // Read the local count first: the generation read next includes
        // every change counted by then.
        let local = store.local_site_changes();
        let generation = store.site_generation().await?;
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(Seen {
            generation,
            local,
            at: self.clock.instant(),
        });
        Ok(generation)
    }

    fn current(&self, local: u64) -> Option<i64> {
        let seen = (*self.seen.lock().unwrap_or_else(|e| e.into_inner()))?;
        let age = self.clock.instant().saturating_duration_since(seen.at);
        (seen.local >= local && age < GENERATION_TTL).then_some(seen.generation)
    }

    /// The page at `path` for generation `generation`: from memory, or
    /// rendered by `render` (once, however many requests wait for it) and
    /// kept. `render` gives `Err` for anything that must not be cached.
    pub async fn get_or_render<E, F>(
        &self,
        generation: i64,
        path: &str,
        render: F,
    ) -> Result<Arc<Page>, E>
    where
        F: std::future::Future<Output = Result<Page, E>>,
    {
        let Some(pages) = &self.pages else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return render.await.map(Arc::new);
        };
        let key: Key = (generation, path.to_string());
        match pages.get_value_or_guard_async(&key).await {
            Ok(page) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Ok(page)
            }
            Err(guard) => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                let page = Arc::new(render.await?);
                let _ = guard.insert(page.clone());
                Ok(page)
            }
        }
    }

    /// Keep pages rendered together with the one asked for (the files of a
    /// split sitemap), unless already there.
    pub fn insert(&self, generation: i64, path: &str, page: Arc<Page>) {
        if let Some(pages) = &self.pages {
            let key: Key = (generation, path.to_string());
            if pages.peek(&key).is_none() {
                pages.insert(key, page);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revalidation_answers_304_with_the_same_validators() {
        let page = Page::new(
            "text/html; charset=utf-8",
            "abc",
            Some(Timestamp::from_unix_secs(784_111_777)),
        );
        // SHA-256("abc") from FIPS 180-2 appendix B.1, first 128 bits.
        assert_eq!(page.etag, "\"ba7816bf8f01cfea414140de5dae2223\"");
        let mut req = HeaderMap::new();
        assert_eq!(page.respond(&req).status(), StatusCode::OK);
        req.insert(header::IF_NONE_MATCH, page.etag.clone());
        let r = page.respond(&req);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[header::ETAG], page.etag);
        // RFC 9110 §5.6.7's example date.
        assert_eq!(
            r.headers()[header::LAST_MODIFIED],
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[tokio::test]
    async fn a_page_is_rendered_once_per_generation() {
        let cache = PageCache::new(1 << 20, Clock::default());
        let render =
            |body: &'static str| async move { Ok::<_, ()>(Page::new("text/plain", body, None)) };
        let a = cache.get_or_render(1, "/en/", render("one")).await.unwrap();
        let b = cache
            .get_or_render(1, "/en/", render("never rendered"))
            .await
            .unwrap();
        assert_eq!(
            (a.body.as_ref(), b.body.as_ref()),
            (&b"one"[..], &b"one"[..])
        );
        let c = cache.get_or_render(2, "/en/", render("two")).await.unwrap();
        assert_eq!(c.body.as_ref(), b"two");
        assert_eq!(cache.hits_and_misses(), (1, 2));
        // An error is served, not kept.
        assert!(cache
            .get_or_render(3, "/en/x", async { Err::<Page, _>("gone") })
            .await
            .is_err());
        let d = cache
            .get_or_render(3, "/en/x", render("back"))
            .await
            .unwrap();
        assert_eq!(d.body.as_ref(), b"back");
    }

    #[tokio::test]
    async fn the_byte_budget_bounds_what_is_kept() {
        let cache = PageCache::new(64 * 1024, Clock::default());
        for i in 0..100 {
            let body = vec![b'x'; 4096];
            cache
                .get_or_render(1, &format!("/en/{i}"), async {
                    Ok::<_, ()>(Page::new("text/plain", body, None))
                })
                .await
                .unwrap();
        }
        assert!(cache.weight() <= 64 * 1024, "{}", cache.weight());
        assert!(
            cache.weight() >= 32 * 1024,
            "it is used: {}",
            cache.weight()
        );
    }

    #[tokio::test]
    async fn off_means_every_request_renders() {
        let cache = PageCache::new(0, Clock::default());
        assert!(!cache.enabled());
        for body in ["a", "b"] {
            let p = cache
                .get_or_render(1, "/en/", async move {
                    Ok::<_, ()>(Page::new("text/plain", body, None))
                })
                .await
                .unwrap();
            assert_eq!(p.body.as_ref(), body.as_bytes());
        }
    }
}

#[cfg(test)]
mod encoding_tests {
    use super::{etag_of, negotiate, Encoding};

    // Expected values: RFC 9110 §12.5.3 (q=0 refuses a coding, `*` stands
    // for the codings not named) and the preference this module states.
    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        assert_eq!(negotiate(None), Encoding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Encoding::Br);
        assert_eq!(negotiate(Some("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("GZIP;Q=0.5")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.1")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("*")), Encoding::Br);
        assert_eq!(negotiate(Some("*;q=0, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("identity")), Encoding::Identity);
        assert_eq!(negotiate(Some("")), Encoding::Identity);
    }

    #[test]
    fn each_encoding_has_its_own_etag() {
        assert_eq!(etag_of("\"abc\"", Encoding::Identity), "\"abc\"");
        assert_eq!(etag_of("\"abc\"", Encoding::Gzip), "\"abc-gzip\"");
        assert_eq!(etag_of("\"abc\"", Encoding::Br), "\"abc-br\"");
    }
}
